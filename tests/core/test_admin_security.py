"""The admin is read-only for what services own, and every admin change is audited
(issue 13, row 6 and item 4)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from callbacks import policy
from core.models import AuditEntry
from tests.factories import CallbackFactory, CustomerFactory, OutageFactory, ServiceAreaFactory

pytestmark = pytest.mark.django_db


def test_row6_a_callbacks_assignment_outage_phone_and_risk_cannot_be_changed(admin_client, agent):
    callback = CallbackFactory(status=policy.QUEUED, due_at=timezone.now() + timedelta(hours=1))
    url = reverse("admin:callbacks_callbackrequest_change", args=[callback.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    response = admin_client.post(
        url, {"assigned_to": agent.pk, "phone": "+12025550100", "at_risk": "on"}
    )
    assert response.status_code == 403
    callback.refresh_from_db()
    assert callback.assigned_to is None and callback.phone != "+12025550100"


def test_row6_an_outages_etr_start_areas_and_cause_cannot_be_changed(admin_client):
    outage = OutageFactory(areas=[ServiceAreaFactory()])
    url = reverse("admin:outages_outage_change", args=[outage.pk])
    response = admin_client.post(url, {"cause": "edited", "etr": "2030-01-01 00:00"})
    assert response.status_code == 403
    outage.refresh_from_db()
    assert outage.cause == "" and outage.etr is None
    assert admin_client.get(reverse("admin:outages_outage_add")).status_code == 403


def test_row6_letters_cannot_be_marked_sent_in_the_admin(admin_client):
    assert admin_client.get(reverse("admin:callbacks_letter_add")).status_code == 403


def test_an_admin_change_to_the_directory_is_in_the_audit_trail(admin_client, admin_user):
    customer = CustomerFactory()
    url = reverse("admin:outages_customer_change", args=[customer.pk])
    data = {
        "account_number": customer.account_number,
        "name": "Renamed Customer",
        "phone": customer.phone,
        "address": customer.address,
        "postal_code": customer.postal_code,
        "area": customer.area_id,
        "status": customer.status,
        "language": customer.language,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = AuditEntry.objects.get(action="admin.changed")
    assert entry.actor == admin_user
    assert entry.subject.startswith(f"outages.Customer #{customer.pk}")
    assert "name" in entry.detail["change"].lower()


def test_bulk_delete_is_off_in_the_admin(admin_client):
    page = admin_client.get(reverse("admin:outages_customer_changelist"))
    assert "delete_selected" not in page.content.decode()
