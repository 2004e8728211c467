"""``/api/v1/``: the JSON API, its OpenAPI schema and the reference page."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import pages, views

app_name = "api"

urlpatterns = [
    path("ivr/status", views.ivr_status, name="ivr_status"),
    path("ivr/callbacks", views.ivr_callbacks, name="ivr_callbacks"),
    path("crm/call-logs", views.crm_call_logs, name="crm_call_logs"),
    path("crm/letters", views.crm_letters, name="crm_letters"),
    path("crm/callbacks", views.crm_callbacks, name="crm_callbacks"),
    path(
        "schema/",
        login_not_required(SpectacularAPIView.as_view(api_version="v1")),
        name="schema",
    ),
    path("docs/", pages.reference, name="reference"),
]
