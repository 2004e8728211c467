from django.urls import path

from . import views

app_name = "callbacks"

# One callback's page, its actions, the letters and the call logs are contact's routes, in the
# same "callbacks" namespace (console/urls.py puts the two lists under /callbacks/ together).
urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("escalations/", views.escalations, name="escalations"),
]
