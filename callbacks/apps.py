from django.apps import AppConfig


class CallbacksConfig(AppConfig):
    name = "callbacks"
    verbose_name = "Callbacks"

    def ready(self):
        # Subscribe to the one domain event outages announces; the sweep backs it up.
        from . import subscribers  # noqa: F401
