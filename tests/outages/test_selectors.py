"""The lookup: every kind of key, and a constant number of queries."""

import pytest

from outages import selectors
from outages.models import Customer
from tests.factories import CoverageFactory, CustomerFactory, OutageFactory, ServiceAreaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def area():
    area = ServiceAreaFactory(code="AR-NORTH", name="Northfield")
    CoverageFactory(postal_code="20001", area=area)
    CoverageFactory(postal_code="K1A0B1", area=area)
    return area


@pytest.fixture
def maria(area):
    return CustomerFactory(
        account_number="ACC123456",
        phone="+12025550143",
        address="12 Maple Avenue",
        postal_code="20001",
        area=area,
    )


def test_account_number_resolves_the_customer_in_any_case(maria):
    found = selectors.lookup("  acc123456 ")
    assert (found.kind, found.customer, found.area) == ("account", maria, maria.area)


@pytest.mark.parametrize(
    "typed", ["+1 202 555 0143", "(202) 555-0143", "202.555.0143", "2025550143", "001 202 555 0143"]
)
def test_phone_in_any_common_format_resolves_the_customer(maria, typed):
    found = selectors.lookup(typed)
    assert (found.kind, found.customer) == ("phone", maria)


def test_a_shared_phone_gives_the_accounts_to_pick_from(maria):
    other = CustomerFactory(phone=maria.phone, area=maria.area)
    found = selectors.lookup("202 555 0143")
    assert found.customer is None
    assert set(found.matches) == {maria, other}


def test_an_account_number_that_reads_as_a_phone_number_is_the_account(
    maria, area, django_assert_num_queries
):
    """Account and phone are tried in one statement: the account comes first, as when they
    were tried one after the other."""
    numbered = CustomerFactory(account_number="2025550143", area=area)
    with django_assert_num_queries(1):
        found = selectors.lookup("2025550143")
    assert (found.kind, found.customer, found.area) == ("account", numbered, area)
    with django_assert_num_queries(1):
        found = selectors.lookup("(202) 555-0143")
    assert (found.kind, found.customer) == ("phone", maria)


def test_a_phone_shared_by_more_accounts_than_listed_says_so(maria):
    for _ in range(selectors.ADDRESS_MATCHES):
        CustomerFactory(phone=maria.phone, area=maria.area)
    found = selectors.lookup("202 555 0143")
    assert found.customer is None and found.more_matches
    assert len(found.matches) == selectors.ADDRESS_MATCHES
    numbers = [match.account_number for match in found.matches]
    assert numbers == sorted(numbers)


def test_a_postal_code_with_no_customer_still_gives_the_area_and_its_outages(area):
    OutageFactory(areas=[area], title="Fibre cut")
    found = selectors.lookup("k1a 0b1")
    assert (found.kind, found.area, found.customer, found.postal_code) == (
        "postal_code",
        area,
        None,
        "K1A0B1",
    )
    assert [o.title for o in selectors.outages_covering_area(found.area)] == ["Fibre cut"]


def test_part_of_an_address_finds_the_customer(maria):
    found = selectors.lookup("maple ave")
    assert (found.kind, found.customer) == ("address", maria)


def test_several_address_matches_are_offered_best_first(area):
    CustomerFactory(address="12 Maple Avenue", area=area)
    CustomerFactory(address="14 Maple Avenue", area=area)
    found = selectors.lookup("Maple Avenue")
    assert found.customer is None
    assert sorted(c.address for c in found.matches) == ["12 Maple Avenue", "14 Maple Avenue"]


def test_an_address_with_a_typo_finds_the_street(postgres_only, maria, area):
    CustomerFactory(address="7 Station Road", area=area)
    found = selectors.lookup("12 Mapel Avenue")
    best = found.customer or found.matches[0]
    assert best == maria


def test_nothing_found_says_so(area):
    found = selectors.lookup("no such thing anywhere")
    assert (found.kind, found.found) == ("none", False)


def test_lookup_customer_by_id(maria):
    assert selectors.lookup_customer(maria.pk).customer == maria
    assert selectors.lookup_customer(0).kind == "none"


@pytest.mark.parametrize(
    "typed", ["ACC123456", "+1 202 555 0143", "20001", "Maple Avenue", "nowhere at all"]
)
def test_lookup_query_count_does_not_grow_with_the_directory(
    area, maria, typed, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        selectors.lookup(typed)
    Customer.objects.bulk_create(
        [
            Customer(
                account_number=f"BULK{n:05d}",
                name=f"Bulk {n}",
                phone=f"+1303555{n:04d}",
                address=f"{n} Maple Avenue",
                postal_code="20001",
                area=area,
            )
            for n in range(300)
        ]
    )
    with django_assert_max_num_queries(4):
        found = selectors.lookup(typed)
    assert len(found.matches) <= selectors.ADDRESS_MATCHES


def test_areas_matching_by_code_region_and_postal_code(area):
    south = ServiceAreaFactory(code="AR-SOUTH", region="South")
    ServiceAreaFactory(code="AR-SOUTH-2", region="South")
    areas, unknown = selectors.areas_matching(
        codes=["ar-north", "AR-NOPE"], regions=["South"], postal_codes=["k1a 0b1", "99999"]
    )
    assert [a.code for a in areas] == ["AR-NORTH", "AR-SOUTH", "AR-SOUTH-2"]
    assert unknown == {"codes": ["AR-NOPE"], "postal_codes": ["99999"]}
    areas, _ = selectors.areas_matching(postal_codes=["20001"])
    assert areas == [area]
    assert south not in areas
