"""Login throttling, the audit trail of logins, and the supervisors' security pages
(issue 13, row 8 and item 4)."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.audit import audit_record
from core.models import AuditEntry

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests"
UNLOCK_MIGRATION = importlib.import_module("console.migrations.0002_supervisors_unlock_logins")


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_row8_five_wrong_passwords_lock_the_account_even_for_the_right_one(client, agent):
    statuses = [_login(client, "agent", "wrong").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks
    locked = _login(client, "agent", PASSWORD)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many failed logins" in page and "ask a supervisor to unlock you" in page
    assert "_auth_user_id" not in client.session
    actions = list(AuditEntry.objects.order_by("at", "id").values_list("action", flat=True))
    assert actions.count("login.failed") >= 5
    assert "login.locked_out" in actions
    assert "login.succeeded" not in actions


def test_row8_one_address_trying_many_accounts_is_locked_out(client, agent, agent2):
    for name in ("a1", "a2", "a3", "a4", "a5"):
        _login(client, name, "wrong")
    assert _login(client, "agent2", PASSWORD).status_code == 429


def test_a_supervisor_unlocks_from_the_console_and_the_agent_logs_in(
    client, agent, supervisor, django_user_model
):
    for _ in range(5):
        _login(client, "agent", "wrong")
    assert _login(client, "agent", PASSWORD).status_code == 429

    client.force_login(supervisor)
    page = client.get(reverse("security:lockouts")).content.decode()
    assert "Unlock agent" in page
    response = client.post(
        reverse("security:unlock"), {"username": "agent", "ip_address": "127.0.0.1"}
    )
    assert response.status_code == 302
    client.logout()

    assert _login(client, "agent", PASSWORD).status_code == 302
    unlocked = AuditEntry.objects.get(action="login.unlocked")
    assert unlocked.actor == supervisor and unlocked.subject == "agent"
    assert AuditEntry.objects.filter(action="login.succeeded", actor=agent).exists()


def test_a_good_login_is_in_the_audit_trail_with_the_address(client, agent):
    assert _login(client, "agent", PASSWORD).status_code == 302
    entry = AuditEntry.objects.get(action="login.succeeded")
    assert entry.actor == agent and entry.ip_address == "127.0.0.1"


@pytest.mark.parametrize(
    "password", ["short-pw", "password1234", "12345678901234", "magdalenakowalska"]
)
def test_row8_the_full_set_of_password_validators(django_user_model, password):
    user = django_user_model(username="magdalena.kowalska")
    with pytest.raises(ValidationError):
        validate_password(password, user=user)
    validate_password("a long phrase of four words", user=user)


def test_the_audit_page_filters_by_action_user_and_day_and_pages(supervisor_client, agent, client):
    for n in range(60):
        audit_record(action="duty.changed", actor=agent, subject=f"agent-{n}")
    audit_record(action="login.failed", actor_name="mallory", subject="mallory")
    page = supervisor_client.get(reverse("security:audit")).content.decode()
    assert "Page 1 of 2" in page
    duty = supervisor_client.get(reverse("security:audit"), {"action": "duty"}).content.decode()
    assert "60 entries" in duty
    only = supervisor_client.get(reverse("security:audit"), {"action": "login"}).content.decode()
    assert "mallory" in only and "agent-1" not in only
    by_user = supervisor_client.get(reverse("security:audit"), {"user": "mallory"})
    assert "1 entry" in by_user.content.decode()
    bad = supervisor_client.get(reverse("security:audit"), {"start": "9999-12-31"})
    assert bad.status_code == 400
    assert "Pick a day between" in bad.content.decode()


def test_a_supervisor_can_clear_a_lockout_in_the_admin_too(client, agent, django_user_model):
    # What the migration grants (run again here: a transactional test may have flushed it).
    UNLOCK_MIGRATION.grant(django_apps, None)
    for _ in range(5):
        _login(client, "agent", "wrong")
    boss = django_user_model.objects.create_user("boss", password=PASSWORD, is_staff=True)
    boss.groups.add(Group.objects.get(name="Supervisor"))
    client.force_login(boss)
    listing = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200 and "agent" in listing.content.decode()
    assert boss.has_perm("axes.delete_accessattempt")
