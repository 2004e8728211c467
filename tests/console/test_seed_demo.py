"""The demo data: agents start on callback duty, a second run keeps what a team lead decided,
and ``--reset`` starts again from nothing (never with DEBUG off)."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from callbacks.models import AgentDuty, CallbackRequest
from outages.models import ServiceArea
from workload import services as workload_services


def _seed(*args):
    call_command("seed_demo", *args, stdout=io.StringIO())


@pytest.mark.django_db
def test_demo_agents_start_on_duty_so_a_leads_first_assign_selection_works():
    _seed()
    User = get_user_model()
    on_duty = set(AgentDuty.objects.filter(on_duty=True).values_list("agent__username", flat=True))
    assert on_duty == {"agent", "agent2"}
    run = workload_services.queue_assign_bulk(
        actor=User.objects.get(username="lead"),
        now=timezone.now(),
        agent=User.objects.get(username="agent"),
        selection=workload_services.Selection(),
    )
    assert run.assigned > 0
    assert CallbackRequest.objects.filter(assigned_to__username="agent").exists()


@pytest.mark.django_db
def test_a_second_run_keeps_an_agent_the_lead_put_off_duty():
    _seed()
    User = get_user_model()
    workload_services.agent_duty_set(
        actor=User.objects.get(username="lead"),
        agent=User.objects.get(username="agent2"),
        on_duty=False,
        now=timezone.now(),
    )
    _seed()
    assert not AgentDuty.objects.get(agent__username="agent2").on_duty


@pytest.mark.django_db(transaction=True)
def test_reset_wipes_the_database_and_seeds_again(settings):
    settings.DEBUG = True
    _seed()
    ServiceArea.objects.create(code="XTRA", name="Added by hand", region="North")
    get_user_model().objects.create_user("someone-new")
    _seed("--reset")
    assert not ServiceArea.objects.filter(code="XTRA").exists()
    assert not get_user_model().objects.filter(username="someone-new").exists()
    assert get_user_model().objects.get(username="agent").check_password("outage-demo")
    assert AgentDuty.objects.filter(on_duty=True).count() == 2
    assert CallbackRequest.objects.exists()


@pytest.mark.django_db
def test_reset_is_refused_with_debug_off(settings):
    settings.DEBUG = False
    ServiceArea.objects.create(code="KEEP", name="Kept", region="North")
    with pytest.raises(CommandError, match="never in production"):
        _seed("--reset")
    assert ServiceArea.objects.filter(code="KEEP").exists()
