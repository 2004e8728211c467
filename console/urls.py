from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import metrics, security_views, views

console_patterns = [
    path("", views.home, name="home"),
    path("call/live/", views.live, name="live"),
    path("call/live/version/", views.live_version, name="live_version"),
    path("call/live/events/", views.live_events, name="live_events"),
    path("call/suggest/", views.suggest, name="suggest"),
    path("call/callback/", views.file_callback, name="file_callback"),
    path("call/callback/form/", views.callback_form, name="callback_form"),
    path("call/refund-review/", views.refund_review, name="refund_review"),
    path("call/inbound/<int:pk>/note/", views.inbound_note, name="inbound_note"),
]

security_patterns = [
    path("audit/", security_views.audit, name="audit"),
    path("lockouts/", security_views.lockouts, name="lockouts"),
    path("lockouts/unlock/", security_views.unlock, name="unlock"),
]

urlpatterns = [
    path("", include((console_patterns, "console"))),
    path("outages/", include("outages.urls")),
    # The callback pages (contact's), in the "callbacks" namespace.
    path("callbacks/", include("contact.urls")),
    path("workload/", include("workload.urls")),
    path("scripts/", include("scripts_library.urls")),
    path("reports/", include("reports.urls")),
    path("security/", include((security_patterns, "security"))),
    path("notifications/", include("notifications.urls")),
    path("api/v1/", include("api.urls")),
    path("integrations/", include("api.page_urls")),
    path("status/", include("statuspage.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
]
