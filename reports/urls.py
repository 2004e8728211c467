from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.archive, name="archive"),
    path("outages/<int:pk>/", views.outage_report, name="outage_report"),
    path("outages/<int:pk>/report.csv", views.outage_report_csv, name="outage_report_csv"),
    path("analytics/", views.analytics, name="analytics"),
    path("analytics/<slug:table>.csv", views.analytics_csv, name="analytics_csv"),
    path("customers/<int:pk>/", views.customer_history, name="customer_history"),
]
