from django.apps import AppConfig


class StatuspageConfig(AppConfig):
    name = "statuspage"
    verbose_name = "Public status page"

    def ready(self):
        # An outage change makes the cached public answers stale at once.
        from . import subscribers  # noqa: F401
