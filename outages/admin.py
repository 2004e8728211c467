"""Outages in the admin. The directory (areas, coverage, customers) is edited here (each change
in the audit trail); outages, their timeline, escalations and refund reviews are read-only:
the outage board changes them and writes the timeline."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline

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


class OutageUpdateInline(ReadOnlyInline):
    model = OutageUpdate
    readonly_fields = ["at", "author", "status", "message", "cause", "etr"]


@admin.register(Outage)
class OutageAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "severity", "status", "started_at", "etr", "restored_at"]
    list_filter = ["status", "kind", "severity"]
    search_fields = ["title", "cause", "service"]
    filter_horizontal = ["areas"]
    inlines = [OutageUpdateInline]
    # Every change goes through the outage board so that the timeline and callbacks follow.


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ["outage", "reason", "raised_at", "cleared_at"]
    list_filter = ["reason"]


@admin.register(RefundReview)
class RefundReviewAdmin(ReadOnlyAdmin):
    list_display = ["customer", "outage", "status", "requested_at"]
    list_filter = ["status"]
    raw_id_fields = ["customer", "outage"]
