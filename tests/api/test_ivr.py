"""IVR endpoints: what to say to a caller, and the callback the caller asks for."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from api.models import IdempotentRequest
from callbacks import policy
from callbacks.models import CallbackRequest
from outages import services as outage_services
from scripts_library import moments
from scripts_library import services as script_services
from tests.api.conftest import bearer
from tests.factories import CoverageFactory, CustomerFactory, ServiceAreaFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # 10:00 in New York


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def area():
    area = ServiceAreaFactory(name="Northgate", region="North")
    CoverageFactory(postal_code="N1A1A1", area=area)
    return area


@pytest.fixture
def caller(area):
    return CustomerFactory(
        area=area, phone="+12025550101", account_number="ACC-1", name="Ada Caller"
    )


@pytest.fixture
def outage(area, supervisor):
    return outage_services.outage_declare(
        actor=supervisor,
        now=NOW - timedelta(hours=1),
        title="Fibre cut in Northgate",
        areas=[area],
        cause="A cable was cut",
        etr=NOW + timedelta(hours=8),  # 18:00 in New York
        started_at=NOW - timedelta(hours=1),
    )


def _status(client, key, **params):
    return client.get(reverse("api:ivr_status"), params, headers=bearer(key))


def _file(client, key, body, **headers):
    return client.post(
        reverse("api:ivr_callbacks"),
        body,
        content_type="application/json",
        headers={**bearer(key), **headers},
    )


def test_status_by_calling_number_announces_the_outage(client, ivr_key, caller, outage):
    _, key = ivr_key
    body = _status(client, key, ani="(202) 555-0101").json()
    assert body["matched_by"] == "ani"
    assert body["area"] == {"code": caller.area.code, "name": "Northgate", "region": "North"}
    assert body["outage_covers_area"] is True
    assert body["outage"]["id"] == outage.pk
    assert body["outage"]["etr"].startswith("2026-11-30T23:00:00")
    assert body["outage"]["etr_in_words"] == "today at 6 PM"
    assert body["announce"] is True and body["offers_callback"] is True
    assert "Northgate" in body["announcement"] and "today at 6 PM" in body["announcement"]
    assert body["open_callback"] is None
    # Nothing personal about the customer goes to the IVR.
    assert "Ada" not in str(body) and caller.address not in str(body)


def test_status_by_account_number_and_by_postal_code(client, ivr_key, caller, outage):
    _, key = ivr_key
    by_account = _status(client, key, account_number="ACC-1").json()
    assert by_account["matched_by"] == "account" and by_account["outage"]["id"] == outage.pk
    by_code = _status(client, key, postal_code="n1a 1a1").json()
    assert by_code["matched_by"] == "postal_code" and by_code["outage"]["id"] == outage.pk


def test_status_with_no_outage_and_an_unknown_caller(client, ivr_key, area):
    _, key = ivr_key
    body = _status(client, key, ani="+12025550999").json()
    assert body["matched_by"] == "none"
    assert body["area"] is None and body["outage"] is None
    assert body["announce"] is False and body["announcement"] == ""


def test_status_needs_something_to_go_on(client, ivr_key):
    _, key = ivr_key
    assert _status(client, key).status_code == 400
    assert _status(client, key, ani="12").status_code == 400


def test_the_announcement_per_outage_comes_from_the_scripts_library(
    client, ivr_key, caller, outage, supervisor
):
    _, key = ivr_key
    script_services.script_create(
        actor=supervisor,
        now=NOW,
        moment=moments.IVR_ANNOUNCEMENT,
        scope=moments.OUTAGE,
        outage_kind="",
        outage=outage,
        language="en",
        body="Crews are at the cut in <Area>. Back by <ETR>.",
    )
    body = _status(client, key, ani="+12025550101").json()
    assert body["announcement"] == "Crews are at the cut in Northgate. Back by today at 6 PM."


def test_an_unknown_etr_is_said_in_words_not_left_as_a_gap(client, ivr_key, caller, supervisor):
    outage_services.outage_declare(
        actor=supervisor, now=NOW, title="Unknown", areas=[caller.area], started_at=NOW
    )
    _, key = ivr_key
    body = _status(client, key, ani="+12025550101").json()
    assert body["outage"]["etr"] is None and body["outage"]["etr_in_words"] == ""
    assert "a time we will confirm as soon as we know it" in body["announcement"]
    assert "[" not in body["announcement"]


def test_the_ivr_switch_silences_the_outage_and_the_offer(
    client, ivr_key, caller, outage, supervisor, django_capture_on_commit_callbacks
):
    _, key = ivr_key
    assert _status(client, key, ani="+12025550101").json()["offers_callback"] is True
    with django_capture_on_commit_callbacks(execute=True):
        outage_services.outage_set_ivr(
            actor=supervisor, now=NOW, outage=outage, announce=True, offers_callbacks=False
        )
    body = _status(client, key, ani="+12025550101").json()  # the cache heard the change
    assert body["announce"] is True and body["offers_callback"] is False
    with django_capture_on_commit_callbacks(execute=True):
        outage_services.outage_set_ivr(
            actor=supervisor, now=NOW, outage=outage, announce=False, offers_callbacks=False
        )
    body = _status(client, key, ani="+12025550101").json()
    assert body["announce"] is False and body["announcement"] == ""
    assert body["outage_covers_area"] is True


def test_an_etr_change_is_heard_on_the_next_call(
    client, ivr_key, caller, outage, supervisor, django_capture_on_commit_callbacks
):
    _, key = ivr_key
    _status(client, key, ani="+12025550101")
    with django_capture_on_commit_callbacks(execute=True):
        outage_services.outage_post_update(
            actor=supervisor, now=NOW, outage=outage, etr=NOW + timedelta(days=1, hours=2)
        )
    body = _status(client, key, ani="+12025550101").json()
    assert body["outage"]["etr_in_words"] == "tomorrow at 12 PM"


def test_filing_a_callback_from_the_ivr(client, ivr_key, caller, outage):
    api_key, key = ivr_key
    response = _file(client, key, {"ani": "+12025550101", "reason": "No internet"})
    assert response.status_code == 201, response.content
    body = response.json()
    callback = CallbackRequest.objects.get(pk=body["callback_id"])
    assert callback.channel == policy.IVR_CHANNEL
    assert callback.created_by == api_key.user
    assert callback.customer == caller and callback.outage == outage
    assert callback.status == policy.WAITING and body["expected_by"] is None
    assert body["merged"] is False
    assert body["expected_in_words"] == "within 8 hours of the service being restored"
    assert "ending in 0 1 0 1" in body["confirmation"]
    # The caller now hears about it.
    status = _status(client, key, ani="+12025550101").json()
    assert status["open_callback"]["id"] == callback.pk


def test_a_second_request_from_the_same_phone_is_merged(client, ivr_key, caller, outage):
    _, key = ivr_key
    first = _file(client, key, {"ani": "+12025550101"}).json()
    second = _file(client, key, {"ani": "+12025550101"})
    assert second.status_code == 200
    assert second.json()["callback_id"] == first["callback_id"]
    assert second.json()["merged"] is True
    assert "already have a callback request" in second.json()["confirmation"]
    assert CallbackRequest.objects.count() == 1


def test_after_restoration_the_deadline_is_from_restoration(
    client, ivr_key, caller, outage, supervisor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        outage_services.outage_restore(actor=supervisor, now=NOW, outage=outage)
    _, key = ivr_key
    body = _file(client, key, {"ani": "+12025550101"}).json()
    # Restored: no outage covers the area any more; due from filing (the no-outage path).
    assert body["expected_by"].startswith("2026-11-30T23:00:00")
    assert body["expected_in_words"] == "by today at 6 PM"


def test_idempotency_key_makes_a_retry_file_once(client, ivr_key, caller, outage):
    _, key = ivr_key
    first = _file(client, key, {"ani": "+12025550101"}, **{"Idempotency-Key": "abc-1"})
    retry = _file(client, key, {"ani": "+12025550101"}, **{"Idempotency-Key": "abc-1"})
    assert first.status_code == 201
    assert retry.status_code == 200 and retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert CallbackRequest.objects.count() == 1
    assert IdempotentRequest.objects.count() == 1
    # The same key with another request is refused, and files nothing.
    other = _file(client, key, {"ani": "+12025550102"}, **{"Idempotency-Key": "abc-1"})
    assert other.status_code == 409
    assert CallbackRequest.objects.count() == 1


def test_no_callbacks_when_the_switch_says_so(
    client, ivr_key, caller, outage, supervisor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outage_services.outage_set_ivr(
            actor=supervisor, now=NOW, outage=outage, announce=True, offers_callbacks=False
        )
    _, key = ivr_key
    response = _file(client, key, {"ani": "+12025550101"})
    assert response.status_code == 409
    assert "not taking callback requests" in response.json()["detail"]
    assert not CallbackRequest.objects.exists()


def test_a_bad_number_is_400(client, ivr_key):
    _, key = ivr_key
    assert _file(client, key, {"ani": "12"}).status_code == 400
    assert _file(client, key, {}).status_code == 400


def test_a_callback_number_other_than_the_calling_one(client, ivr_key, caller, outage):
    _, key = ivr_key
    body = _file(client, key, {"ani": "+12025550101", "callback_number": "202-555-0144"}).json()
    assert CallbackRequest.objects.get(pk=body["callback_id"]).phone == "+12025550144"


def test_callers_of_one_area_cost_two_statements_each_once_its_answer_is_kept(
    client, ivr_key, caller, outage, area, django_assert_num_queries
):
    """The area's outage, announcement and ETR are read once; each caller costs only their
    own part: who they are (their area) and whether they have an open callback."""
    _, key = ivr_key
    neighbour = CustomerFactory(area=area, phone="+12025550102")
    first = _status(client, key, ani=caller.phone).json()
    with django_assert_num_queries(2):
        second = _status(client, key, ani=neighbour.phone).json()
    assert second["outage"] == first["outage"] and second["announcement"] == first["announcement"]
    assert second["open_callback"] is None
