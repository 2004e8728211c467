"""API keys: hashed at rest, scopes, revocation, last use, per-key rate limit."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from api import keys, services
from api.authentication import ApiKeyThrottle
from api.models import ApiKey
from core.audit import AuditEntry
from core.cache import ProcessMemo
from core.errors import ServiceError
from tests.api.conftest import bearer
from tests.factories import CoverageFactory

pytestmark = pytest.mark.django_db


def _status(client, key, **params):
    params = params or {"postal_code": "Z9Z9Z9"}
    headers = bearer(key) if key is not None else {}
    return client.get(reverse("api:ivr_status"), params, headers=headers)


def test_the_key_is_not_stored_only_its_digest(ivr_key):
    api_key, key = ivr_key
    row = ApiKey.objects.get(pk=api_key.pk)
    assert key.startswith(f"oc_{row.prefix}_")
    assert key not in (row.digest, row.prefix)
    assert row.digest == keys.digest(key)
    assert not row.user.is_active and not row.user.has_usable_password()
    assert AuditEntry.objects.filter(action="api_key.created").exists()


def test_one_key_per_integration(make_key):
    make_key("Main IVR")
    with pytest.raises(ServiceError):
        make_key("main ivr")


def test_scopes_must_be_known(make_key):
    with pytest.raises(ServiceError):
        make_key("Other", ["admin"])


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer oc_nothing_here"}, {"Authorization": "Bearer garbage"}],
)
def test_no_key_or_a_wrong_key_is_401(client, headers):
    response = client.get(reverse("api:ivr_status"), {"postal_code": "X"}, headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_secret_with_a_real_prefix_is_401(client, ivr_key):
    api_key, key = ivr_key
    assert _status(client, key[:-3] + "abc").status_code == 401


def test_revoked_key_is_401_at_once(client, ivr_key, key_maker):
    api_key, key = ivr_key
    CoverageFactory(postal_code="Z9Z9Z9")
    assert _status(client, key).status_code == 200  # cached now
    services.api_key_revoke(actor=key_maker, now=timezone.now(), api_key=api_key)
    response = _status(client, key)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_x_api_key_header_works_too(client, ivr_key):
    _, key = ivr_key
    CoverageFactory(postal_code="Z9Z9Z9")
    response = client.get(
        reverse("api:ivr_status"), {"postal_code": "Z9Z9Z9"}, headers={"X-API-Key": key}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "name,method",
    [
        ("api:crm_call_logs", "get"),
        ("api:crm_letters", "get"),
        ("api:crm_callbacks", "get"),
    ],
)
def test_ivr_key_cannot_use_crm_endpoints(client, ivr_key, name, method):
    _, key = ivr_key
    response = getattr(client, method)(reverse(name), headers=bearer(key))
    assert response.status_code == 403
    assert "crm" in response.json()["detail"]


@pytest.mark.parametrize("name,method", [("api:ivr_status", "get"), ("api:ivr_callbacks", "post")])
def test_crm_key_cannot_use_ivr_endpoints(client, crm_key, name, method):
    _, key = crm_key
    call = getattr(client, method)
    response = call(reverse(name), content_type="application/json", headers=bearer(key))
    assert response.status_code == 403


def test_last_use_is_recorded_at_most_once_a_minute(client, ivr_key):
    api_key, key = ivr_key
    CoverageFactory(postal_code="Z9Z9Z9")
    _status(client, key)
    first = ApiKey.objects.get(pk=api_key.pk).last_used_at
    assert first is not None
    _status(client, key)
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at == first
    later = services.api_key_authenticate(key=key, now=first + timedelta(minutes=2))
    assert later.last_used_at == first + timedelta(minutes=2)
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at == first + timedelta(minutes=2)


def test_each_key_has_its_own_rate_limit(client, make_key, monkeypatch):
    monkeypatch.setattr(ApiKeyThrottle, "rate", "3/min", raising=False)
    CoverageFactory(postal_code="Z9Z9Z9")
    _, first = make_key("IVR one")
    _, second = make_key("IVR two")
    answers = [_status(client, first).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = _status(client, first)
    assert "throttled" in limited.json()["detail"].lower()
    assert int(limited["Retry-After"]) > 0
    assert _status(client, second).status_code == 200


def test_a_key_revoked_by_another_process_is_refused_within_the_memo_time(
    client, ivr_key, monkeypatch
):
    """Each web process keeps a checked key for ``KEY_MEMO_SECONDS``: a revocation made in
    another process (here: the row and the shared cache changed behind this one's back) is
    refused here once that time has passed."""
    api_key, key = ivr_key
    CoverageFactory(postal_code="Z9Z9Z9")
    now = [1000.0]
    monkeypatch.setattr(
        services,
        "_known_keys",
        ProcessMemo(seconds=services.KEY_MEMO_SECONDS, clock=lambda: now[0]),
    )
    assert _status(client, key).status_code == 200
    ApiKey.objects.filter(pk=api_key.pk).update(revoked_at=timezone.now())
    cache.delete(services._key_cache_name(api_key.prefix))
    now[0] += services.KEY_MEMO_SECONDS - 0.5
    assert _status(client, key).status_code == 200
    now[0] += 1
    assert _status(client, key).status_code == 401
    assert services.KEY_MEMO_SECONDS <= 5
