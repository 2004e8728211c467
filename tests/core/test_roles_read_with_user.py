"""The role is read with the user, in the same statement, and is as fresh as the user row."""

from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import roles
from tests.factories import CustomerFactory


def test_a_page_checks_the_role_without_a_groups_query_of_its_own(agent_client):
    customer = CustomerFactory()
    with CaptureQueriesContext(connection) as captured:
        response = agent_client.get(reverse("console:home"), {"q": customer.account_number})
    assert response.status_code == 200
    assert not [q["sql"] for q in captured if q["sql"].startswith('SELECT "auth_group"')]


def test_a_change_of_group_counts_from_the_next_request(agent_client, agent):
    queue_board = reverse("workload:board")
    assert agent_client.get(queue_board).status_code == 403
    agent.groups.add(Group.objects.get(name=roles.TEAM_LEAD))
    assert agent_client.get(queue_board).status_code == 200
    agent.groups.clear()
    assert agent_client.get(reverse("console:home")).status_code == 403


def test_a_superuser_counts_as_a_supervisor(client, django_user_model):
    boss = django_user_model.objects.create(username="boss", is_superuser=True)
    client.force_login(boss)
    assert client.get(reverse("outages:board")).status_code == 200
