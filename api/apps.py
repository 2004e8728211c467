from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Integrations: API keys and webhooks"

    def ready(self):
        # Wake the webhook outbox when outages or callbacks change; the sweep backs it up.
        from . import subscribers  # noqa: F401
