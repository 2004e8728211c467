"""Importing areas, coverage and customers from CSV: upsert, refusal, reports."""

import pytest
from django.core.management import CommandError, call_command

from outages import importing
from outages.models import Coverage, Customer, ServiceArea

pytestmark = pytest.mark.django_db

AREAS = "code,name,region\nAR1,Northfield,North\nAR2,Southdale,South\n"
COVERAGE = "postal_code,area_code\n20001,AR1\nk1a 0b1,AR2\n"
GOOD = (
    "account_number,name,phone,address,postal_code,status\n"
    "A100,Maria Garcia,(202) 555-0143,12 Maple Avenue,20001,active\n"
    "A101,Wei Chen,+1 202 555 0178,3 Mill Road,K1A 0B1,suspended_nonpayment\n"
    'A102,"Okafor, James",202.555.0199,"Flat 2, 9 High Street",20001,disconnected_requested\n'
)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def directory(tmp_path):
    call_command("import_areas", write(tmp_path, "areas.csv", AREAS), "--no-progress")
    call_command("import_coverage", write(tmp_path, "coverage.csv", COVERAGE), "--no-progress")


def import_customers(path, *args):
    call_command("import_customers", path, "--no-progress", *args)


def test_areas_and_coverage_land_with_postal_codes_normalised(directory):
    assert list(ServiceArea.objects.values_list("code", "region")) == [
        ("AR1", "North"),
        ("AR2", "South"),
    ]
    assert dict(Coverage.objects.values_list("postal_code", "area__code")) == {
        "20001": "AR1",
        "K1A0B1": "AR2",
    }


def test_customers_land_with_e164_phones_and_the_area_of_their_postal_code(directory, tmp_path):
    import_customers(write(tmp_path, "c.csv", GOOD))
    rows = {
        c.account_number: (c.phone, c.area.code, c.postal_code, c.status, c.address)
        for c in Customer.objects.select_related("area")
    }
    assert rows == {
        "A100": ("+12025550143", "AR1", "20001", "active", "12 Maple Avenue"),
        "A101": ("+12025550178", "AR2", "K1A0B1", "suspended_nonpayment", "3 Mill Road"),
        "A102": ("+12025550199", "AR1", "20001", "disconnected_requested", "Flat 2, 9 High Street"),
    }


def test_importing_the_same_file_twice_leaves_one_row_per_account(directory, tmp_path):
    path = write(tmp_path, "c.csv", GOOD)
    import_customers(path)
    first = importing.import_customers(path)
    assert Customer.objects.count() == 3
    assert (first.created, first.updated, first.unchanged) == (0, 0, 3)


def test_a_changed_row_updates_the_customer_in_place(directory, tmp_path):
    import_customers(write(tmp_path, "c.csv", GOOD))
    pk = Customer.objects.get(account_number="A100").pk
    changed = GOOD.replace("12 Maple Avenue,20001,active", "14 Oak Lane,K1A0B1,suspended_terms")
    report = importing.import_customers(write(tmp_path, "c2.csv", changed))
    customer = Customer.objects.select_related("area").get(account_number="A100")
    assert (customer.pk, customer.address, customer.area.code, customer.status) == (
        pk,
        "14 Oak Lane",
        "AR2",
        "suspended_terms",
    )
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)


BAD = GOOD + (
    "A103,Ann Lee,12345,1 Elm Street,20001,active\n"  # line 5: bad phone
    "A104,Bo Kim,2025550111,2 Elm Street,99999,closed\n"  # line 6: uncovered, bad status
    "A100,Dup Licate,2025550112,3 Elm Street,20001,active\n"  # line 7: repeated account
    ",No Account,2025550113,,20001,active\n"  # line 8: empty account and address
    "A105,Too,Few\n"  # line 9: wrong column count
)


def test_a_file_with_bad_rows_is_refused_whole_with_every_bad_line(directory, tmp_path, capsys):
    with pytest.raises(CommandError, match="5 bad rows: nothing was imported"):
        import_customers(write(tmp_path, "bad.csv", BAD))
    err = capsys.readouterr().err
    assert "line 5: phone '12345'" in err
    assert "line 6: postal code 99999 is not covered by any service area" in err
    assert 'line 6: postal code 99999 is not covered by any service area; status "closed"' in err
    assert "line 7: account A100 is already on line 2" in err
    assert "line 8: account_number is empty; address is empty" in err
    assert "line 9: expected 6 columns, found 3" in err
    assert Customer.objects.count() == 0


def test_a_refused_file_leaves_earlier_imports_untouched(directory, tmp_path):
    import_customers(write(tmp_path, "c.csv", GOOD))
    before = list(Customer.objects.order_by("pk").values())
    with pytest.raises(CommandError):
        import_customers(write(tmp_path, "bad.csv", BAD.replace("Maria Garcia", "M. Changed")))
    assert list(Customer.objects.order_by("pk").values()) == before


def test_skip_invalid_imports_the_valid_rows_and_reports_the_rest(directory, tmp_path, capsys):
    import_customers(write(tmp_path, "bad.csv", BAD), "--skip-invalid")
    out = capsys.readouterr()
    assert "Imported 3 customers from 8 rows: 3 new, 0 updated, 0 unchanged, 5 bad rows" in out.out
    assert "line 5:" in out.err
    assert set(Customer.objects.values_list("account_number", flat=True)) == {
        "A100",
        "A101",
        "A102",
    }


def test_a_wrong_header_is_refused(directory, tmp_path):
    with pytest.raises(CommandError, match="Line 1: the header must be"):
        import_customers(write(tmp_path, "h.csv", "account,name\nA1,X\n"))


def test_columns_may_come_in_any_order(directory, tmp_path):
    text = (
        "status,postal_code,address,phone,name,account_number\nactive,20001,1 Way,2025550143,X,A9\n"
    )
    import_customers(write(tmp_path, "o.csv", text))
    assert Customer.objects.get(account_number="A9").phone == "+12025550143"


def test_coverage_for_an_unknown_area_is_refused(directory, tmp_path):
    with pytest.raises(CommandError, match="1 bad row"):
        call_command(
            "import_coverage",
            write(tmp_path, "cov.csv", "postal_code,area_code\n30000,NOPE\n"),
            "--no-progress",
        )
    assert not Coverage.objects.filter(postal_code="30000").exists()


def test_a_postal_code_can_move_to_another_area(directory, tmp_path):
    call_command(
        "import_coverage",
        write(tmp_path, "cov.csv", "postal_code,area_code\n20001,AR2\n"),
        "--no-progress",
    )
    assert Coverage.objects.get(postal_code="20001").area.code == "AR2"


def test_the_progress_bar_runs(directory, tmp_path, capsys):
    call_command("import_customers", write(tmp_path, "c.csv", GOOD))
    assert "Checking and loading customers" in capsys.readouterr().err


def test_a_missing_file_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No such file"):
        import_customers("/nonexistent/customers.csv")


def test_generated_directory_round_trip(directory, tmp_path):
    """A larger generated file: every row lands once, a second import changes nothing."""
    lines = ["account_number,name,phone,address,postal_code,status"]
    for n in range(2_500):
        postal = "20001" if n % 2 else "K1A 0B1"
        lines.append(f"G{n:06d},Name {n},+1202555{n % 10_000:04d},{n} Elm Street,{postal},active")
    path = write(tmp_path, "gen.csv", "\n".join(lines) + "\n")
    first = importing.import_customers(path)
    second = importing.import_customers(path)
    assert (first.created, second.created, second.updated) == (2_500, 0, 0)
    assert Customer.objects.count() == 2_500


def _customer_indexes():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY 1",
            [Customer._meta.db_table],
        )
        return cursor.fetchall()


def test_a_first_large_load_rebuilds_every_index_as_it_was(
    postgres_only, directory, tmp_path, monkeypatch
):
    before = _customer_indexes()
    assert any("gin_trgm_ops" in definition for _, definition in before)
    monkeypatch.setattr(importing, "REBUILD_MIN_ROWS", 2)
    report = importing.import_customers(write(tmp_path, "c.csv", GOOD))
    assert report.created == 3
    assert _customer_indexes() == before
    with pytest.raises(importing.ImportRefused):
        importing.import_customers(write(tmp_path, "bad.csv", BAD))
    assert _customer_indexes() == before


def test_the_email_column_is_optional_and_a_file_without_it_keeps_emails(db, tmp_path):
    import_areas, import_coverage = importing.import_areas, importing.import_coverage
    import_customers = importing.import_customers
    (tmp_path / "areas.csv").write_text("code,name,region\nE1,East,North\n")
    (tmp_path / "coverage.csv").write_text("postal_code,area_code\n30301,E1\n")
    import_areas(tmp_path / "areas.csv")
    import_coverage(tmp_path / "coverage.csv")
    with_email = tmp_path / "with.csv"
    with_email.write_text(
        "account_number,name,phone,address,postal_code,status,email\n"
        "E100,Ann,+12025550100,1 Road,30301,active,Ann@Example.com\n"
    )
    import_customers(with_email)
    assert Customer.objects.get(account_number="E100").email == "ann@example.com"
    without = tmp_path / "without.csv"
    without.write_text(
        "account_number,name,phone,address,postal_code,status\n"
        "E100,Ann B,+12025550100,1 Road,30301,active\n"
    )
    import_customers(without)
    customer = Customer.objects.get(account_number="E100")
    assert customer.name == "Ann B" and customer.email == "ann@example.com"
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "account_number,name,phone,address,postal_code,status,email\n"
        "E101,Bo,+12025550101,2 Road,30301,active,not-an-email\n"
    )
    with pytest.raises(importing.ImportRefused, match="1 bad row"):
        import_customers(bad)
