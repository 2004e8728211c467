from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        # The registry must be ready before these import models (AppConfig.ready's purpose).
        from django.contrib import admin  # noqa: PLC0415

        from . import admin_audit, login_audit  # noqa: PLC0415

        login_audit.connect()
        admin_audit.connect()
        # One deletion at a time in the admin, each in the audit trail.
        admin.site.disable_action("delete_selected")
