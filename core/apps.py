from importlib import import_module

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        # Every app's models are loaded by now, so modules that use them may be imported.
        # Each app's ``subscribers`` module registers its handlers with the events it listens
        # to, found the way the admin finds ``admin`` modules.
        autodiscover_modules("subscribers")
        import_module("core.login_audit").connect()
        import_module("core.admin_audit").connect()
        # One deletion at a time in the admin, each in the audit trail.
        import_module("django.contrib.admin").site.disable_action("delete_selected")
