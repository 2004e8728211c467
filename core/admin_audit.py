"""Admin changes in the audit trail: every LogEntry the admin writes (add, change, delete)
becomes an AuditEntry. Bulk deletion is turned off in the admin (``CoreConfig.ready``), so each
deletion is a single, logged one."""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db.models.signals import post_save

from .audit import audit_record

ACTIONS = {ADDITION: "admin.added", CHANGE: "admin.changed", DELETION: "admin.deleted"}


def on_log_entry_saved(sender, instance, created, **kwargs):
    if not created:
        return
    model = instance.content_type.model_class() if instance.content_type_id else None
    label = model._meta.label if model else ""
    audit_record(
        action=ACTIONS.get(instance.action_flag, "admin.other"),
        actor=instance.user,
        subject=f"{label} #{instance.object_id}: {instance.object_repr}",
        detail={
            "model": label,
            "object_id": instance.object_id,
            "change": instance.get_change_message(),
        },
    )


def connect():
    post_save.connect(on_log_entry_saved, sender=LogEntry, dispatch_uid="core.admin_audit")
