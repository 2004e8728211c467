from django.urls import path

from . import views

app_name = "callbacks"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
]
