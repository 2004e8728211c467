"""The outage board as a supervisor uses it: declare, update, ETR, restore, refusals,
escalations in the header, refund reviews."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from outages import lifecycle, services
from outages.models import Escalation, Outage, OutageUpdate, RefundReview
from tests.factories import CoverageFactory, CustomerFactory, OutageFactory, ServiceAreaFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def areas():
    north = ServiceAreaFactory(code="AR-N1", region="North")
    ServiceAreaFactory(code="AR-N2", region="North")
    south = ServiceAreaFactory(code="AR-S1", region="South")
    CoverageFactory(postal_code="30301", area=south)
    return north, south


def declare_data(**extra):
    return {"title": "Fibre cut", "kind": lifecycle.NETWORK, "severity": lifecycle.MAJOR, **extra}


def test_declare_with_areas_by_code_region_and_postal_code(supervisor_client, areas):
    response = supervisor_client.post(
        reverse("outages:declare"),
        declare_data(area_codes="ar-n1", regions=["North"], postal_codes="303 01"),
    )
    outage = Outage.objects.get()
    assert response.status_code == 302
    assert sorted(outage.areas.values_list("code", flat=True)) == ["AR-N1", "AR-N2", "AR-S1"]
    assert outage.updates.get().message == "Outage declared."


def test_declare_names_the_unknown_codes_beside_their_fields(supervisor_client, areas):
    response = supervisor_client.post(
        reverse("outages:declare"),
        declare_data(area_codes="AR-N1 AR-X9", postal_codes="99999, 303 01"),
    )
    assert response.status_code == 400
    assert "No service area with code AR-X9." in response.content.decode()
    assert "No service area covers postal code 99999." in response.content.decode()
    assert not Outage.objects.exists()


def test_declare_without_any_area_is_refused(supervisor_client, areas):
    response = supervisor_client.post(reverse("outages:declare"), declare_data())
    assert response.status_code == 400
    assert "Pick at least one service area" in response.content.decode()


def test_a_systems_outage_needs_no_area(supervisor_client, areas):
    supervisor_client.post(reverse("outages:declare"), declare_data(kind=lifecycle.SYSTEMS))
    assert Outage.objects.get().all_areas


def test_the_board_refuses_an_invalid_transition_with_a_message_and_no_write(
    supervisor_client, areas
):
    outage = OutageFactory(areas=[areas[0]])
    response = supervisor_client.post(reverse("outages:close", args=[outage.pk]), follow=True)
    assert "Only a restored outage can be closed." in response.content.decode()
    outage.refresh_from_db()
    assert (outage.status, outage.closed_at, OutageUpdate.objects.count()) == (
        lifecycle.INVESTIGATING,
        None,
        0,
    )


def test_reopening_an_open_outage_is_refused(supervisor_client, areas):
    outage = OutageFactory(areas=[areas[0]])
    response = supervisor_client.post(reverse("outages:reopen", args=[outage.pk]), follow=True)
    assert "Only a restored outage can be reopened." in response.content.decode()
    assert not OutageUpdate.objects.exists()


def test_a_restoration_time_in_the_future_is_refused_beside_the_field(supervisor_client, areas):
    outage = OutageFactory(areas=[areas[0]])
    future = timezone.now() + timedelta(hours=1)
    response = supervisor_client.post(
        reverse("outages:restore", args=[outage.pk]), {"restored_at": local(future)}
    )
    assert response.status_code == 400
    assert "The restoration time is in the future." in response.content.decode()
    outage.refresh_from_db()
    assert outage.restored_at is None


def test_mark_restored_defaults_to_now_and_may_be_earlier(supervisor_client, areas):
    first = OutageFactory(areas=[areas[0]])
    before = timezone.now()
    supervisor_client.post(reverse("outages:restore", args=[first.pk]), {})
    first.refresh_from_db()
    assert first.status == lifecycle.RESTORED and first.restored_at >= before
    second = OutageFactory(areas=[areas[0]], started_at=timezone.now() - timedelta(hours=3))
    earlier = (timezone.now() - timedelta(hours=1)).replace(second=0, microsecond=0)
    supervisor_client.post(
        reverse("outages:restore", args=[second.pk]), {"restored_at": local(earlier)}
    )
    second.refresh_from_db()
    assert second.restored_at == earlier


def test_change_etr_posts_to_the_timeline_and_clears_the_escalation(
    supervisor_client, supervisor, areas
):
    now = timezone.now()
    outage = services.outage_declare(
        actor=supervisor,
        now=now - timedelta(hours=2),
        title="Cabinet flooded",
        areas=[areas[0]],
        etr=now - timedelta(hours=1),
    )
    services.outages_escalation_sweep(now=now)
    new_etr = (now + timedelta(hours=2)).replace(second=0, microsecond=0)
    response = supervisor_client.post(
        reverse("outages:change_etr", args=[outage.pk]),
        {"etr": local(new_etr), "message": "Engineers need two more hours."},
    )
    assert response.status_code == 302
    outage.refresh_from_db()
    assert outage.etr == new_etr
    assert outage.updates.first().message == "Engineers need two more hours."
    assert not Escalation.objects.filter(cleared_at__isnull=True).exists()


def test_update_form_posts_status_and_cause(supervisor_client, areas):
    outage = OutageFactory(areas=[areas[0]])
    supervisor_client.post(
        reverse("outages:update", args=[outage.pk]),
        {"status": lifecycle.IDENTIFIED, "cause": "Cable cut by roadworks", "message": "Found."},
    )
    outage.refresh_from_db()
    assert (outage.status, outage.cause) == (lifecycle.IDENTIFIED, "Cable cut by roadworks")


def test_detail_shows_the_timeline(supervisor_client, supervisor, areas):
    outage = services.outage_declare(
        actor=supervisor, now=timezone.now(), title="Fibre cut", areas=[areas[0]]
    )
    services.outage_post_update(
        actor=supervisor, now=timezone.now(), outage=outage, message="Crews on site."
    )
    body = supervisor_client.get(reverse("outages:detail", args=[outage.pk])).content.decode()
    assert "Crews on site." in body and "Outage declared." in body


def test_board_partial_refreshes_with_escalations(supervisor_client, areas):
    outage = OutageFactory(areas=[areas[0]], title="Storm damage")
    Escalation.objects.create(
        outage=outage, reason=Escalation.Reason.PAST_ETR, raised_at=timezone.now()
    )
    response = supervisor_client.get(reverse("outages:board"), headers=HTMX)
    body = response.content.decode()
    assert "<html" not in body
    assert "Storm damage" in body and "Not restored past its ETR" in body


def test_supervisors_see_open_escalations_in_the_header_of_every_page(
    supervisor_client, areas, django_assert_max_num_queries
):
    outage = OutageFactory(areas=[areas[0]], title="Storm damage")
    Escalation.objects.create(
        outage=outage, reason=Escalation.Reason.MISSING_ETR, raised_at=timezone.now()
    )
    body = supervisor_client.get(reverse("callbacks:queue")).content.decode()
    assert "1 escalation" in body and "Storm damage: No ETR given" in body


def test_agents_do_not_see_escalations_in_the_header(agent_client, areas):
    outage = OutageFactory(areas=[areas[0]], title="Storm damage")
    Escalation.objects.create(
        outage=outage, reason=Escalation.Reason.MISSING_ETR, raised_at=timezone.now()
    )
    body = agent_client.get(reverse("console:home")).content.decode()
    assert "escalation" not in body.lower()


def test_the_board_costs_the_same_queries_with_more_outages(
    supervisor_client, areas, django_assert_max_num_queries
):
    def grow():
        for _ in range(5):
            outage = OutageFactory(areas=[areas[0], areas[1]])
            Escalation.objects.create(
                outage=outage, reason=Escalation.Reason.PAST_ETR, raised_at=timezone.now()
            )

    grow()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        supervisor_client.get(reverse("outages:board"))
    grow()
    with django_assert_max_num_queries(len(small.captured_queries)):
        supervisor_client.get(reverse("outages:board"))


def restored_review(supervisor, agent, area, hours=3):
    now = timezone.now()
    outage = services.outage_declare(
        actor=supervisor, now=now - timedelta(hours=hours + 1), title="Fibre cut", areas=[area]
    )
    services.outage_restore(
        actor=supervisor, now=now, outage=outage, restored_at=now - timedelta(hours=1)
    )
    customer = CustomerFactory(area=area, name="Ada Lovelace")
    review, _ = services.refund_review_request(
        actor=agent, now=now, customer=customer, outage=outage
    )
    return review


def test_refund_reviews_list_restored_outages_with_their_duration(
    supervisor_client, supervisor, agent, areas
):
    restored_review(supervisor, agent, areas[0], hours=3)
    open_outage = OutageFactory(areas=[areas[1]])
    services.refund_review_request(
        actor=agent,
        now=timezone.now(),
        customer=CustomerFactory(area=areas[1], name="Not Yet"),
        outage=open_outage,
    )
    body = supervisor_client.get(reverse("outages:refund_reviews")).content.decode()
    assert "Ada Lovelace" in body and "3 h" in body
    assert "Not Yet" not in body


def test_mark_reviewed(supervisor_client, supervisor, agent, areas):
    review = restored_review(supervisor, agent, areas[0])
    response = supervisor_client.post(
        reverse("outages:refund_review_mark", args=[review.pk]), {"notes": "One day credit."}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.reviewed_by) == (RefundReview.Status.REVIEWED, supervisor)
    body = supervisor_client.get(reverse("outages:refund_reviews")).content.decode()
    assert "No refund reviews waiting." in body


def test_agents_cannot_open_the_board_even_as_a_partial(agent_client):
    assert agent_client.get(reverse("outages:board"), headers=HTMX).status_code == 403


def test_declare_by_ticking_areas_from_the_list(supervisor_client, areas):
    north, south = areas
    page = supervisor_client.get(reverse("outages:declare")).content.decode()
    assert "Find an area" in page
    assert f'value="{north.pk}"' in page and f"{north.name} ({north.code}) · North" in page
    response = supervisor_client.post(
        reverse("outages:declare"), declare_data(picked_areas=[north.pk, south.pk])
    )
    assert response.status_code == 302
    outage = Outage.objects.get()
    assert sorted(outage.areas.values_list("code", flat=True)) == ["AR-N1", "AR-S1"]
