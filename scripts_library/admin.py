"""Read-only views of the library in the admin: wording is changed in the scripts library,
where it is checked and every save becomes a new version. History is never edited here."""

from django.contrib import admin

from .models import Script, ScriptVersion


class VersionInline(admin.TabularInline):
    model = ScriptVersion
    extra = 0
    can_delete = False
    fields = ["number", "published", "author", "created_at", "note", "body"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Script)
class ScriptAdmin(admin.ModelAdmin):
    list_display = ["moment", "scope_key", "language", "live_version", "updated_at"]
    list_filter = ["moment", "scope", "language"]
    list_select_related = ["live_version"]
    search_fields = ["versions__body"]
    fields = ["moment", "scope", "outage_kind", "outage", "language", "scope_key", "live_version"]
    readonly_fields = fields
    inlines = [VersionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
