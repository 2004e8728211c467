"""Routes of the reports for the role walk in tests/console/test_urls.py (same format).

The keys ``restored_outage`` and ``customer`` match the page tour's data (tests/e2e/tour_data),
so the tour shows these pages with its realistic rows."""

from core import roles

ROUTES = {
    "reports:archive": ("get", roles.TEAM_LEAD, 200, {}),
    "reports:outage_report": ("get", roles.TEAM_LEAD, 200, {"pk": "restored_outage"}),
    "reports:outage_report_csv": ("get", roles.TEAM_LEAD, 200, {"pk": "restored_outage"}),
    "reports:analytics": ("get", roles.TEAM_LEAD, 200, {}),
    "reports:analytics_csv": ("get", roles.TEAM_LEAD, 200, {"table": "report_table"}),
    "reports:customer_history": ("get", roles.AGENT, 200, {"pk": "customer"}),
}


def objects():
    from datetime import timedelta

    from django.utils import timezone

    from outages import lifecycle
    from tests.factories import CustomerFactory, OutageFactory

    now = timezone.now()
    outage = OutageFactory(
        status=lifecycle.RESTORED, started_at=now - timedelta(hours=2), restored_at=now
    )
    return {
        "restored_outage": outage.pk,
        "report_table": "outcomes",
        "customer": CustomerFactory().pk,
    }
