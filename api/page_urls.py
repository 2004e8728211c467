"""``/integrations/``: the supervisor's pages for API keys and webhooks."""

from django.urls import path

from . import pages

app_name = "integrations"

urlpatterns = [
    path("", pages.integrations, name="home"),
    path("keys/new/", pages.key_create, name="key_create"),
    path("keys/<int:pk>/revoke/", pages.key_revoke, name="key_revoke"),
    path("webhooks/new/", pages.webhook_create, name="webhook_create"),
    path("webhooks/<int:pk>/", pages.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:pk>/active/", pages.webhook_active, name="webhook_active"),
]
