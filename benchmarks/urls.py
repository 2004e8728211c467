"""The console's URLs plus the floor view (ROOT_URLCONF when BENCHMARK_FLOOR=1)."""

from django.urls import path

from console.urls import urlpatterns as console_urlpatterns

from . import views

urlpatterns = [
    path("bench/floor/", views.floor, name="bench_floor"),
    *console_urlpatterns,
]
