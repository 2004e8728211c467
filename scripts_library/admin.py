from django.contrib import admin

from .models import Script, ScriptVersion


class VersionInline(admin.TabularInline):
    model = ScriptVersion
    extra = 0
    can_delete = False
    readonly_fields = ["number", "author", "created_at", "published", "note"]
    fields = ["number", "author", "created_at", "published", "note", "body"]


@admin.register(Script)
class ScriptAdmin(admin.ModelAdmin):
    list_display = ["moment", "scope_key", "language", "updated_at"]
    list_filter = ["moment", "scope", "language"]
    readonly_fields = ["scope_key", "live_version"]
    inlines = [VersionInline]
