from django.apps import AppConfig

from . import subscribers


class CallbacksConfig(AppConfig):
    name = "callbacks"
    verbose_name = "Callbacks"

    def ready(self):
        # Subscribe to the domain events outages announces; the sweep backs them up.
        subscribers.subscribe()
