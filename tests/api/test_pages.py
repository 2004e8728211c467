"""The supervisor's Integrations page: a key is shown once, revoked in one click; a webhook's
secret is shown once."""

import pytest
from django.urls import reverse

from api import keys
from api.models import ApiKey, WebhookSubscription

pytestmark = pytest.mark.django_db


def test_create_a_key_shown_once_then_revoke_it(supervisor_client):
    response = supervisor_client.post(
        reverse("integrations:key_create"), {"key-name": "Main IVR", "key-scopes": ["ivr"]}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    api_key = ApiKey.objects.get()
    page = response.content.decode()
    start = page.index('value="oc_') + len('value="')
    key = page[start : page.index('"', start)]
    assert keys.matches(key, api_key.digest)
    again = supervisor_client.get(reverse("integrations:home")).content.decode()
    assert key not in again and f"oc_{api_key.prefix}_" in again and "never" in again
    supervisor_client.post(reverse("integrations:key_revoke", args=[api_key.pk]))
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None


def test_a_key_needs_a_scope(supervisor_client):
    response = supervisor_client.post(reverse("integrations:key_create"), {"key-name": "X"})
    assert response.status_code == 400
    assert not ApiKey.objects.exists()


def test_add_a_webhook_secret_shown_once(supervisor_client):
    response = supervisor_client.post(
        reverse("integrations:webhook_create"),
        {
            "hook-name": "CRM",
            "hook-url": "https://crm.example.com/hooks",
            "hook-topics": ["callbacks"],
        },
    )
    assert response.status_code == 200
    subscription = WebhookSubscription.objects.get()
    assert subscription.secret in response.content.decode()
    assert (
        subscription.secret
        not in supervisor_client.get(reverse("integrations:home")).content.decode()
    )


def test_the_reference_page_is_public(client):
    assert client.get(reverse("api:reference")).status_code == 200
