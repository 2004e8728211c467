"""Precompiled reads: the queryset's SQL written once, run with new values, giving the
instances the queryset itself gives (related objects and annotations included)."""

from datetime import UTC, datetime

import pytest
from django.db.models import F

from core.precompiled import Precompiled, stand_in_id
from outages.models import Customer, OutageUpdate
from tests.factories import CustomerFactory, OutageFactory, ServiceAreaFactory

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def _in_area(area):
    return (
        Customer.objects.filter(area_id=area)
        .select_related("area")
        .annotate(area_code=F("area__code"))
        .order_by("account_number")
    )


IN_AREA = Precompiled(_in_area, area=stand_in_id())


@pytest.mark.django_db
def test_a_precompiled_read_gives_what_its_queryset_gives(django_assert_num_queries):
    north, south = ServiceAreaFactory(code="N1"), ServiceAreaFactory(code="S1")
    CustomerFactory.create_batch(2, area=north)
    CustomerFactory(area=south)
    for area in (north, south):
        expected = list(_in_area(area.pk))
        with django_assert_num_queries(1):
            found = IN_AREA.run(area=area.pk)
            # The related object came with the row, the annotation as an attribute.
            assert [(c.pk, c.area.code, c.area_code) for c in found] == [
                (c.pk, area.code, area.code) for c in expected
            ]
        assert [c.__dict__.keys() for c in found] == [c.__dict__.keys() for c in expected]
    assert IN_AREA.run(area=-1) == []


@pytest.mark.django_db
def test_values_come_back_as_the_orm_gives_them():
    outage = OutageFactory()
    OutageUpdate.objects.create(outage=outage, at=NOW, status=outage.status, message="x")
    latest = Precompiled(
        lambda outage: OutageUpdate.objects.filter(outage_id=outage), outage=stand_in_id()
    )
    [update] = latest.run(outage=outage.pk)
    assert update.at == NOW and update.at.tzinfo is not None
    assert update.outage_id == outage.pk


def test_every_stand_in_must_be_used():
    unused = Precompiled(lambda area: Customer.objects.all(), area=stand_in_id())
    with pytest.raises(ValueError, match="area"):
        unused.statement()


@pytest.mark.django_db
def test_on_postgresql_the_statement_is_prepared_and_logged_with_its_values(
    django_assert_num_queries,
):
    from django.db import connection

    if (
        connection.vendor != "postgresql"
        or connection.settings_dict["OPTIONS"].get("prepare_threshold") is None
    ):
        pytest.skip("prepared statements are PostgreSQL's, when the settings ask for them")
    area = ServiceAreaFactory(code="P1")
    CustomerFactory(area=area)
    with django_assert_num_queries(2) as captured:
        IN_AREA.run(area=area.pk)
        IN_AREA.run(area=area.pk)
    # Logged with its values, a statement that runs as it stands.
    assert f'"area_id" = {area.pk}' in captured.captured_queries[0]["sql"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert IN_AREA.statement().sql.replace("%s", "$1") in prepared
