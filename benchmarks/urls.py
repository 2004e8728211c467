"""The console's URLs plus the floor view (ROOT_URLCONF when BENCHMARK_FLOOR=1)."""

from django.urls import path

from console.urls import urlpatterns as console_urlpatterns

from . import views

urlpatterns = [
    path("bench/floor/", views.floor, name="bench_floor"),
    path("bench/floor/search/", views.floor_search, name="bench_floor_search"),
    *console_urlpatterns,
]
