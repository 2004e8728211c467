from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        # Subscribe to the events outages and callbacks announce; the sweep backs them up.
        from . import subscribers  # noqa: F401, PLC0415
