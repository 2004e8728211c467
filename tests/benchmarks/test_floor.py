"""The floor view: one primary-key query and a one-line template, behind the login."""

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory

pytestmark = pytest.mark.urls("benchmarks.urls")


@pytest.mark.django_db
def test_floor_renders_one_customer_with_one_query_of_its_own(
    agent_client, django_assert_max_num_queries
):
    customer = CustomerFactory(account_number="FLOOR1", name="Ada Floor")
    url = reverse("bench_floor") + f"?id={customer.pk}"
    agent_client.get(url)  # the session and user are loaded once per request: 2 queries
    with django_assert_max_num_queries(3):
        response = agent_client.get(url)
    assert response.status_code == 200
    assert response.content.decode().strip() == "FLOOR1 Ada Floor"


@pytest.mark.django_db
def test_floor_needs_a_login_like_every_page(client):
    response = client.get(reverse("bench_floor") + "?id=1")
    assert response.status_code == 302


@pytest.mark.django_db
def test_floor_unknown_customer_is_not_found(agent_client):
    assert agent_client.get(reverse("bench_floor") + "?id=999999").status_code == 404


def test_benchmark_urls_keep_every_console_url():
    assert reverse("console:home") == "/"


@pytest.mark.django_db
def test_floor_search_runs_the_address_lookups_own_query_once(
    agent_client, django_assert_max_num_queries
):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the trigram search is PostgreSQL's")
    customer = CustomerFactory(account_number="FLOOR2", name="Bo Search", address="12 Maple Avenue")
    url = reverse("bench_floor_search") + f"?id={customer.pk}&q=12+Mapel+Avenu"
    agent_client.get(url)
    with django_assert_max_num_queries(4) as captured:
        response = agent_client.get(url)
    assert response.status_code == 200
    assert response.content.decode().strip() == "FLOOR2 Bo Search"
    assert any("%>" in query["sql"] for query in captured.captured_queries)
