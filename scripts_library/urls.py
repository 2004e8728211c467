from django.urls import path

from . import views

app_name = "scripts_library"

urlpatterns = [
    path("", views.library, name="library"),
    path("new/", views.create, name="create"),
    path("preview/", views.preview, name="preview"),
    path("<int:pk>/", views.edit, name="edit"),
    path("<int:pk>/compare/", views.compare, name="compare"),
    path("<int:pk>/rollback/", views.rollback, name="rollback"),
]
