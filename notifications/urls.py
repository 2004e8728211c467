from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("sends/", views.sends, name="sends"),
    path("sends/<int:pk>/pause/", views.notice_pause, name="notice_pause"),
    path("sends/<int:pk>/resume/", views.notice_resume, name="notice_resume"),
    path("sends/<int:pk>/cancel/", views.notice_cancel, name="notice_cancel"),
    path("reach/", views.reach, name="reach"),
    path("outages/<int:pk>/panel/", views.outage_panel, name="outage_panel"),
    path("outages/<int:pk>/notify/", views.outage_notify, name="outage_notify"),
    path("customers/<int:pk>/messages/", views.customer_messages, name="customer_messages"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("sms/status/", views.sms_status, name="sms_status"),
    path("sms/inbound/", views.sms_inbound, name="sms_inbound"),
]
