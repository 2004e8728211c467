from django.apps import AppConfig

from . import subscribers


class WorkloadConfig(AppConfig):
    name = "workload"
    verbose_name = "Workload: duty, caps and distribution"

    def ready(self):
        # Distribute when callbacks announce due work; the minute beat backs it up.
        subscribers.subscribe()
