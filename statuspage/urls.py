"""``/status/``: the public status page. No login anywhere in it."""

from django.urls import path

from . import views

app_name = "statuspage"

urlpatterns = [
    path("", views.index, name="index"),
    path("lookup/", views.lookup, name="lookup"),
    path("history/", views.history, name="history"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("callback/", views.callback_request, name="callback_request"),
    path("callback/<str:token>/", views.callback, name="callback"),
    path("callback/<str:token>/cancel/", views.callback_cancel, name="callback_cancel"),
    path("callback/<str:token>/number/", views.callback_change_phone, name="callback_change_phone"),
]
