"""Routes of the API and the integrations pages for the role walk (tests/console/test_urls.py).

The API answers 401 to every console user: it takes API keys only (tests/api/ covers keys and
scopes); the schema and the reference page are public."""

from django.contrib.auth import get_user_model
from django.utils import timezone

from api import services
from core import roles
from tests.conftest import make_user

ROUTES = {
    "api:ivr_status": ("get", None, 401, {}),
    "api:ivr_callbacks": ("post", None, 401, {}),
    "api:crm_call_logs": ("get", None, 401, {}),
    "api:crm_letters": ("get", None, 401, {}),
    "api:crm_callbacks": ("get", None, 401, {}),
    "api:schema": ("get", None, 200, {}),
    "api:reference": ("get", None, 200, {}),
    "integrations:home": ("get", roles.SUPERVISOR, 200, {}),
    "integrations:key_create": ("get", roles.SUPERVISOR, 302, {}),
    "integrations:key_revoke": ("post", roles.SUPERVISOR, 302, {"pk": "api_key"}),
    "integrations:webhook_create": ("get", roles.SUPERVISOR, 302, {}),
    "integrations:webhook_detail": ("get", roles.SUPERVISOR, 200, {"pk": "webhook"}),
    "integrations:webhook_active": ("post", roles.SUPERVISOR, 302, {"pk": "webhook"}),
}


def objects():
    boss = make_user(get_user_model(), "key-maker", roles.SUPERVISOR)
    now = timezone.now()
    api_key, _ = services.api_key_create(actor=boss, now=now, name="Table IVR", scopes=["ivr"])
    webhook, _ = services.webhook_subscribe(
        actor=boss, now=now, name="CRM", url="http://127.0.0.1:9/hook", topics=["callbacks"]
    )
    return {"api_key": api_key.pk, "webhook": webhook.pk}
