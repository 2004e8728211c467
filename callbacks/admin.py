from django.contrib import admin

from .models import (
    AgentDuty,
    CallbackAttempt,
    CallbackEvent,
    CallbackRequest,
    DistributionRun,
    Letter,
)


class AttemptInline(admin.TabularInline):
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


class EventInline(admin.TabularInline):
    model = CallbackEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "from_status", "to_status", "reason"]


@admin.register(CallbackRequest)
class CallbackRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "phone", "outage", "status", "due_at", "assigned_to", "attempts"]
    list_filter = ["status", "at_risk", "rescheduled_by_customer", "cancel_reason"]
    search_fields = ["name", "phone", "phone_2", "phone_3", "account_number"]
    raw_id_fields = ["outage", "customer", "assigned_to", "created_by"]
    # The state machine is worked through the console, which keeps the timeline: cancelling,
    # reopening, escalating and the deadline rules happen there.
    readonly_fields = [
        "status",
        "due_at",
        "attempts",
        "released_at",
        "breached_at",
        "closed_at",
        "window_start",
        "window_end",
        "rescheduled_by_customer",
        "deadline_moved",
        "dial_position",
        "uncounted_attempts",
        "cancel_reason",
        "cancel_note",
        "cancelled_at",
        "cancelled_by",
        "cancelled_by_customer",
        "cancelled_from",
        "escalated_at",
        "escalated_by",
        "escalation_reason",
        "escalation_due_at",
    ]
    inlines = [AttemptInline, EventInline]


@admin.register(CallbackAttempt)
class CallbackAttemptAdmin(admin.ModelAdmin):
    list_display = ["callback", "number", "agent", "at", "outcome", "subject"]
    list_filter = ["outcome"]
    raw_id_fields = ["callback", "agent"]


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "produced_at", "sent_at"]
    list_filter = ["status"]
    raw_id_fields = ["callback"]


@admin.register(AgentDuty)
class AgentDutyAdmin(admin.ModelAdmin):
    list_display = ["agent", "on_duty", "cap", "changed_at"]
    list_filter = ["on_duty"]


@admin.register(DistributionRun)
class DistributionRunAdmin(admin.ModelAdmin):
    list_display = ["at", "strategy", "started_by", "assigned", "cap"]
