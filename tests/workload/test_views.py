"""The queue board and My callbacks, through the test client."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from callbacks import policy
from callbacks.models import CallbackAttempt, CallbackRequest, DistributionRun, Letter
from tests.factories import CustomerFactory, OutageFactory, ServiceAreaFactory

from .factories import T0, AgentFactory, due, on_duty

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(T0, tick=False):
        yield


def _count(html, name):
    found = re.search(rf'data-count="{name}">(\d+)<', html)
    return int(found.group(1))


def _mix():
    """A known mix: 2 overdue, 1 at risk, 3 on track, 1 waiting, 2 done, 1 letter."""
    ana = on_duty(AgentFactory(first_name="Ana"))
    outage = OutageFactory(
        started_at=T0 - timedelta(hours=9), restored_at=T0 - timedelta(hours=7), status="restored"
    )
    due(-30, outage=outage)  # overdue, unassigned
    due(-5, status=policy.ASSIGNED, agent=ana, outage=outage)  # overdue, held
    due(45, status=policy.RETRY, agent=ana, attempts=1, outage=outage)  # at risk
    for minutes in (90, 120, 300):
        due(minutes, outage=outage)
    waiting = due(0, status=policy.WAITING)
    CallbackRequest.objects.filter(pk=waiting.pk).update(due_at=None)
    for _ in range(2):
        done = due(-60, status=policy.DONE, outage=outage, attempts=1)
        CallbackAttempt.objects.create(
            callback=done,
            number=1,
            agent=ana,
            at=T0 - timedelta(minutes=20),
            outcome=policy.ANSWERED,
            subject=policy.SUBJECTS[policy.ANSWERED],
        )
    letter = due(-60, status=policy.LETTER, outage=outage, attempts=2)
    Letter.objects.create(callback=letter, name=letter.name, produced_at=T0)
    return ana, outage


def test_the_board_numbers_match_the_database(lead_client):
    ana, outage = _mix()

    html = lead_client.get(reverse("workload:board")).content.decode()

    assert _count(html, "overdue") == 2
    assert _count(html, "at_risk") == 1
    assert _count(html, "unassigned") == 4
    assert _count(html, "open") == 7
    assert _count(html, "queued") == 4
    assert _count(html, "assigned") == 1
    assert _count(html, "retry") == 1
    assert _count(html, "waiting") == 1
    # Finished callbacks are history, not work: the board counts the open statuses only.
    assert 'data-count="done"' not in html and 'data-count="letter"' not in html
    assert _count(html, "letters_to_send") == 1
    row = re.search(rf'<tr data-agent="{ana.username}">(.*?)</tr>', html, re.S).group(1)
    assert re.search(r'data-col="held">2<', row)
    assert re.search(r'data-col="done">2<', row)
    assert "overdue by 5 min" in row and "On duty" in row
    # The outage: 3 of 10 called (2 done, 1 letter), 7 open... of which 6 are released.
    assert "3 of 9" in html  # the waiting one belongs to another outage
    assert "Distribute queue" in html


def test_the_board_takes_the_same_queries_for_a_bigger_queue(
    lead_client, django_assert_max_num_queries
):
    _mix()
    # 15: the board also reads the latest staffing forecast (one stored row) since the alarm.
    with django_assert_max_num_queries(15) as small:
        lead_client.get(reverse("workload:board"))
    for n in range(4):
        agent = on_duty(AgentFactory())
        for minutes in range(5):
            due(10 * n + minutes, status=policy.ASSIGNED, agent=agent, outage=OutageFactory())
    with django_assert_max_num_queries(len(small.captured_queries)):
        lead_client.get(reverse("workload:board"))


def test_the_board_says_the_configured_target(lead_client, settings):
    _mix()
    settings.CALLBACK_TARGET = timedelta(hours=6)
    html = lead_client.get(reverse("workload:board")).content.decode()
    assert "Outages against the 6-hour target" in html


def test_the_board_partial_for_htmx_and_agents_are_refused(lead_client, client, agent):
    response = lead_client.get(reverse("workload:board"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"<html" not in response.content and b'data-count="overdue"' in response.content
    client.force_login(agent)
    assert client.get(reverse("workload:board"), headers={"HX-Request": "true"}).status_code == 403


def test_distribute_queue_from_the_board(lead_client, team_lead):
    agent = on_duty(AgentFactory())
    for minutes in (10, 20, 30):
        due(minutes)
    response = lead_client.post(
        reverse("workload:distribute"), {"strategy": "round_robin", "cap": "2"}
    )
    assert response.status_code == 302
    assert CallbackRequest.objects.filter(assigned_to=agent).count() == 2
    run = DistributionRun.objects.get()
    assert (run.strategy, run.cap, run.started_by) == ("round_robin", 2, team_lead)


def test_a_bad_cap_is_shown_beside_the_field_and_nothing_moves(lead_client):
    on_duty(AgentFactory())
    due(10)
    response = lead_client.post(
        reverse("workload:distribute"), {"strategy": "least_loaded", "cap": "0"}
    )
    assert response.status_code == 400
    assert "greater than or equal to 1" in response.content.decode()
    assert not CallbackRequest.objects.filter(assigned_to__isnull=False).exists()


def test_bulk_assign_and_the_off_duty_refusal(lead_client):
    ready, off = on_duty(AgentFactory()), AgentFactory(first_name="Otto")
    outage = OutageFactory()
    mine = [due(m, outage=outage) for m in (10, 20)]
    due(30)
    response = lead_client.post(
        reverse("workload:bulk_assign"), {"agent": off.pk, "outage": "", "band": ""}
    )
    assert response.status_code == 400
    assert "Otto Tester is not on callback duty" in response.content.decode()

    outage.restored_at, outage.status = T0, "restored"
    outage.save()
    response = lead_client.post(
        reverse("workload:bulk_assign"), {"agent": ready.pk, "outage": outage.pk, "band": "1h"}
    )
    assert response.status_code == 302
    assert set(CallbackRequest.objects.filter(assigned_to=ready).values_list("pk", flat=True)) == {
        c.pk for c in mine
    }


def _options(html, name):
    """The labels of a select's options, as the team lead reads them."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return [label.strip() for label in re.findall(r"<option[^>]*>(.*?)</option>", select, re.S)]


def test_bulk_assign_offers_only_what_has_callbacks_to_assign_with_their_counts(lead_client):
    north, south = ServiceAreaFactory(code="N-1", name="North"), ServiceAreaFactory(code="S-1")
    ServiceAreaFactory(code="E-1", name="East")  # no callbacks: not offered
    storm = OutageFactory(title="Storm damage", restored_at=T0, status="restored")
    OutageFactory(title="Fixed long ago", restored_at=T0, status="restored")  # all done
    for minutes in (10, 20):
        due(minutes, outage=storm, customer=CustomerFactory(area=north))
    due(30, status=policy.RETRY, attempts=1, outage=storm, customer=CustomerFactory(area=south))
    # Not to assign: held, escalated, waiting, done.
    due(40, status=policy.ASSIGNED, agent=on_duty(AgentFactory()), outage=storm)
    due(50, outage=storm, escalated_at=T0, customer=CustomerFactory(area=south))
    due(60, status=policy.DONE, customer=CustomerFactory(area=south))

    html = lead_client.get(reverse("workload:board")).content.decode()

    assert _options(html, "outage") == ["Any outage (3 to assign)", "Storm damage (3 to assign)"]
    assert _options(html, "area") == [
        "Any area (3 to assign)",
        "N-1 North (2 to assign)",
        f"S-1 {south.name} (1 to assign)",
    ]
    assert "Areas with callbacks to assign." in html


def test_the_area_list_keeps_the_areas_with_the_most_and_says_how_many_more(
    lead_client, monkeypatch
):
    monkeypatch.setattr("workload.selectors.ASSIGNABLE_AREAS_SHOWN", 2)
    areas = [ServiceAreaFactory(code=f"A-{i}") for i in range(3)]
    for area, count in zip(areas, (1, 3, 2), strict=True):
        for minutes in range(count):
            due(minutes, customer=CustomerFactory(area=area))

    html = lead_client.get(reverse("workload:board")).content.decode()

    assert [label.split(" ")[0] for label in _options(html, "area")] == ["Any", "A-1", "A-2"]
    assert "The 2 areas with the most callbacks to assign; 1 more have fewer." in html


def test_a_choice_whose_callbacks_were_taken_meanwhile_is_refused_beside_its_field(
    lead_client,
):
    ready = on_duty(AgentFactory())
    area = ServiceAreaFactory(code="W-1", name="West")
    outage = OutageFactory(title="Cable cut", restored_at=T0, status="restored")
    taken = due(10, outage=outage, customer=CustomerFactory(area=area))
    other = due(20)
    # Another team lead assigned it after this board was shown.
    CallbackRequest.objects.filter(pk=taken.pk).update(
        status=policy.ASSIGNED, assigned_to=on_duty(AgentFactory())
    )

    for field, value, message in (
        ("outage", outage.pk, "No callback of this outage is waiting to be assigned any more"),
        ("area", area.pk, "No callback in this area is waiting to be assigned any more"),
        ("area", "x", "Choose one from the list."),
    ):
        response = lead_client.post(
            reverse("workload:bulk_assign"), {"agent": ready.pk, field: value, "band": ""}
        )
        assert response.status_code == 400
        html = response.content.decode()
        feedback = re.search(rf'id="error_1_id_{field}".*?</', html, re.S)
        assert feedback and message in feedback.group(0)
    other.refresh_from_db()
    assert other.assigned_to is None and not DistributionRun.objects.exists()


def test_the_area_choice_assigns_that_areas_callbacks(lead_client):
    ready = on_duty(AgentFactory())
    area = ServiceAreaFactory()
    mine = due(10, customer=CustomerFactory(area=area))
    due(5, customer=CustomerFactory())
    response = lead_client.post(
        reverse("workload:bulk_assign"), {"agent": ready.pk, "area": area.pk, "band": ""}
    )
    assert response.status_code == 302
    assert list(CallbackRequest.objects.filter(assigned_to=ready)) == [mine]


def test_reassign_unassign_and_duty_from_the_board(lead_client):
    ana, ben = on_duty(AgentFactory()), on_duty(AgentFactory())
    callback = due(10, status=policy.ASSIGNED, agent=ana)
    assert (
        lead_client.post(reverse("workload:reassign", args=[callback.pk]), {"agent": ben.pk})
    ).status_code == 302
    callback.refresh_from_db()
    assert callback.assigned_to == ben
    lead_client.post(reverse("workload:unassign", args=[callback.pk]))
    callback.refresh_from_db()
    assert (callback.assigned_to, callback.status) == (None, policy.QUEUED)

    held = due(20, status=policy.ASSIGNED, agent=ben)
    response = lead_client.post(reverse("workload:agent_duty", args=[ben.pk]), {"on_duty": "off"})
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.assigned_to is None


def test_my_callbacks_by_deadline_with_time_left(agent_client, agent, agent2):
    due(192, status=policy.ASSIGNED, agent=agent, name="Later Lee")
    due(-12, status=policy.RETRY, agent=agent, attempts=1, name="Overdue Olga")
    due(30, status=policy.ASSIGNED, agent=agent2, name="Not Mine")

    html = agent_client.get(reverse("workload:mine")).content.decode()

    assert html.index("Overdue Olga") < html.index("Later Lee")
    assert "Not Mine" not in html
    assert "in 3 h 12 min" in html and "overdue by 12 min" in html
    assert 'class="risk-overdue"' in html
    assert "Claim next callback" in html and "Go on callback duty" in html


def test_claim_next_and_duty_from_my_callbacks(agent_client, agent):
    first = due(10)
    due(20)
    response = agent_client.post(reverse("workload:claim"))
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.assigned_to == agent and first.status == policy.ASSIGNED

    assert agent_client.post(reverse("workload:duty"), {"on_duty": "on"}).status_code == 302
    html = agent_client.get(reverse("workload:mine")).content.decode()
    assert "Go off callback duty" in html
    agent_client.post(reverse("workload:duty"), {"on_duty": "off"})
    first.refresh_from_db()
    assert first.assigned_to is None and first.status == policy.QUEUED


def test_my_callbacks_takes_the_same_queries_for_more_callbacks(
    agent_client, agent, django_assert_max_num_queries
):
    due(10, status=policy.ASSIGNED, agent=agent)
    with django_assert_max_num_queries(10) as small:
        agent_client.get(reverse("workload:mine"))
    for minutes in range(20, 30):
        due(minutes, status=policy.ASSIGNED, agent=agent)
    with django_assert_max_num_queries(len(small.captured_queries)):
        agent_client.get(reverse("workload:mine"))
