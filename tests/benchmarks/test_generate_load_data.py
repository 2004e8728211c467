"""The load data generator on a thousand customers: sizes, spread, reproducibility, the CSV."""

import csv

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from outages.models import Coverage, Customer, Outage, OutageUpdate, ServiceArea


def generate(**options):
    defaults = {"customers": 1_000, "areas": 10, "outages": 3, "seed": 7}
    call_command("generate_load_data", **(defaults | options))


def rows():
    return list(
        Customer.objects.order_by("account_number").values_list(
            "account_number", "name", "phone", "address", "postal_code", "area__code", "status"
        )
    )


@pytest.mark.django_db(transaction=True)
def test_generates_areas_postal_codes_customers_and_active_outages():
    generate()
    assert ServiceArea.objects.count() == 10
    assert Coverage.objects.count() == 30
    assert Customer.objects.count() == 1_000
    assert Outage.objects.active().count() == 3
    assert OutageUpdate.objects.count() == 3
    assert all(outage.areas.exists() for outage in Outage.objects.all())
    statuses = set(Customer.objects.values_list("status", flat=True))
    assert statuses == set(Customer.Status.values)
    assert Customer.objects.values("area").distinct().count() == 10
    assert Customer.objects.values("phone").distinct().count() == 1_000
    # Every customer's area is the one their postal code is covered by.
    coverage = dict(Coverage.objects.values_list("postal_code", "area_id"))
    assert all(coverage[p] == a for p, a in Customer.objects.values_list("postal_code", "area_id"))


@pytest.mark.django_db(transaction=True)
def test_same_seed_same_rows_and_another_seed_other_rows():
    generate()
    first = rows()
    generate(replace=True)
    assert rows() == first
    generate(replace=True, seed=8)
    assert rows() != first


@pytest.mark.django_db(transaction=True)
def test_refuses_to_mix_with_existing_data_unless_replacing():
    generate()
    with pytest.raises(CommandError, match="--replace"):
        generate()


@pytest.mark.django_db(transaction=True)
def test_phones_are_valid_and_lookups_find_them():
    from outages.normalise import phone_e164

    generate(customers=200, outages=0)
    for phone in Customer.objects.values_list("phone", flat=True):
        assert phone_e164(phone) == phone


@pytest.mark.django_db(transaction=True)
def test_csv_holds_the_same_customers_in_the_import_format(tmp_path):
    path = tmp_path / "customers.csv"
    generate(csv_path=str(path))
    with open(path, newline="", encoding="utf-8") as handle:
        written = list(csv.reader(handle))
    assert written[0] == ["account_number", "name", "phone", "address", "postal_code", "status"]
    in_database = [row[:5] + (row[6],) for row in rows()]
    assert [tuple(row) for row in written[1:]] == in_database


def test_csv_only_leaves_the_database_alone(tmp_path, django_db_blocker):
    path = tmp_path / "only.csv"
    with django_db_blocker.block():  # no database access at all
        call_command(
            "generate_load_data", customers=50, areas=5, csv_path=str(path), no_database=True
        )
    assert len(path.read_text().splitlines()) == 51
