from django.contrib import admin

from .models import Coverage, Customer, Escalation, Outage, OutageUpdate, RefundReview, ServiceArea


@admin.register(ServiceArea)
class ServiceAreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    search_fields = ["code", "name", "region"]
    list_filter = ["region"]


@admin.register(Coverage)
class CoverageAdmin(admin.ModelAdmin):
    list_display = ["postal_code", "area"]
    search_fields = ["postal_code", "area__code"]
    list_select_related = ["area"]
    raw_id_fields = ["area"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["account_number", "name", "phone", "postal_code", "area", "status"]
    search_fields = ["account_number", "name", "phone", "postal_code"]
    list_filter = ["status"]
    list_select_related = ["area"]
    raw_id_fields = ["area"]


class OutageUpdateInline(admin.TabularInline):
    model = OutageUpdate
    extra = 0
    readonly_fields = ["at", "author", "status", "message", "cause", "etr"]
    can_delete = False


@admin.register(Outage)
class OutageAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "severity", "status", "started_at", "etr", "restored_at"]
    list_filter = ["status", "kind", "severity"]
    search_fields = ["title", "cause", "service"]
    filter_horizontal = ["areas"]
    inlines = [OutageUpdateInline]
    # Status changes go through the outage board so that the timeline and callbacks follow.
    readonly_fields = ["status", "restored_at", "closed_at"]


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = ["outage", "reason", "raised_at", "cleared_at"]
    list_filter = ["reason"]


@admin.register(RefundReview)
class RefundReviewAdmin(admin.ModelAdmin):
    list_display = ["customer", "outage", "status", "requested_at"]
    list_filter = ["status"]
    raw_id_fields = ["customer", "outage"]
