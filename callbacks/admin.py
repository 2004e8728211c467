"""The callbacks in the admin, read-only: callbacks, attempts, letters, duty and distribution
are changed through the console, which writes their timeline and the audit trail."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    AgentDuty,
    CallbackAttempt,
    CallbackEvent,
    CallbackRequest,
    DistributionRun,
    Letter,
)


class AttemptInline(ReadOnlyInline):
    model = CallbackAttempt
    extra = 0
    can_delete = False
    readonly_fields = [
        "number",
        "agent",
        "at",
        "outcome",
        "category",
        "subcategory",
        "subject",
        "dialled",
        "consent",
    ]


class EventInline(ReadOnlyInline):
    model = CallbackEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "from_status", "to_status", "reason"]


@admin.register(CallbackRequest)
class CallbackRequestAdmin(ReadOnlyAdmin):
    list_display = ["id", "name", "phone", "outage", "status", "due_at", "assigned_to", "attempts"]
    list_filter = ["status", "at_risk", "rescheduled_by_customer", "cancel_reason"]
    search_fields = ["name", "phone", "phone_2", "phone_3", "account_number"]
    raw_id_fields = ["outage", "customer", "assigned_to", "created_by"]
    # The state machine is worked through the console, which keeps the timeline: every field
    # here (assignment, outage, phone, risk, deadlines) is read-only (ReadOnlyAdmin).
    inlines = [AttemptInline, EventInline]


@admin.register(CallbackAttempt)
class CallbackAttemptAdmin(ReadOnlyAdmin):
    list_display = ["callback", "number", "agent", "at", "outcome", "subject"]
    list_filter = ["outcome"]
    raw_id_fields = ["callback", "agent"]


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdmin):
    list_display = ["name", "status", "produced_at", "sent_at"]
    list_filter = ["status"]
    raw_id_fields = ["callback"]


@admin.register(AgentDuty)
class AgentDutyAdmin(ReadOnlyAdmin):
    list_display = ["agent", "on_duty", "cap", "changed_at"]
    list_filter = ["on_duty"]


@admin.register(DistributionRun)
class DistributionRunAdmin(ReadOnlyAdmin):
    list_display = ["at", "strategy", "started_by", "assigned", "cap"]
