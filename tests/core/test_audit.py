import pytest

from core.audit import audit_record
from core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_an_audit_row_names_the_actor_even_after_the_user_is_gone(django_user_model):
    user = django_user_model.objects.create_user(username="lead1")
    audit_record(action="duty.changed", actor=user, subject="agent2", detail={"on_duty": True})
    user.delete()
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.actor_name, entry.action) == (None, "lead1", "duty.changed")
    assert entry.detail == {"on_duty": True}
