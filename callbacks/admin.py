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
    readonly_fields = ["number", "agent", "at", "outcome", "category", "subcategory", "subject"]


class EventInline(admin.TabularInline):
    model = CallbackEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "from_status", "to_status", "reason"]


@admin.register(CallbackRequest)
class CallbackRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "phone", "outage", "status", "due_at", "assigned_to", "attempts"]
    list_filter = ["status", "at_risk"]
    search_fields = ["name", "phone", "account_number"]
    raw_id_fields = ["outage", "customer", "assigned_to", "created_by"]
    # The state machine is worked through the console, which keeps the timeline.
    readonly_fields = ["status", "due_at", "attempts", "released_at", "breached_at", "closed_at"]
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
