from django.urls import path

from . import views

app_name = "scripts_library"

urlpatterns = [
    path("", views.library, name="library"),
]
