"""Hostile and careless input on the outage pages and imports (issue 13, rows 1, 10, 11)."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from outages import lifecycle
from outages.models import Outage, OutageUpdate, ServiceArea
from tests.factories import OutageFactory, ServiceAreaFactory

pytestmark = pytest.mark.django_db


def _declare(client, **fields):
    area = ServiceAreaFactory()
    data = {"title": "Fibre cut", "kind": lifecycle.NETWORK, "severity": lifecycle.MAJOR}
    data.update(area_codes=area.code, **fields)
    return client.post(reverse("outages:declare"), data)


def test_row1_an_etr_in_year_9999_is_refused_with_the_allowed_range(supervisor_client):
    response = _declare(supervisor_client, etr="9999-12-31T23:59")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter an ETR between" in page and "at most 30 days ahead" in page
    assert not Outage.objects.exists()
    # The board, which answered 500 on such an outage, still answers.
    assert supervisor_client.get(reverse("outages:board")).status_code == 200


def test_row1_an_etr_a_month_and_a_half_ahead_is_refused_and_one_next_week_is_taken(
    supervisor_client,
):
    zone = timezone.get_current_timezone()
    too_far = timezone.now().astimezone(zone) + timedelta(days=45)
    assert _declare(supervisor_client, etr=f"{too_far:%Y-%m-%dT%H:%M}").status_code == 400
    next_week = timezone.now().astimezone(zone) + timedelta(days=7)
    response = _declare(supervisor_client, etr=f"{next_week:%Y-%m-%dT%H:%M}")
    assert response.status_code == 302
    assert Outage.objects.get().etr is not None


@pytest.mark.parametrize("name", ["outages:change_etr", "outages:update"])
def test_row1_changing_the_etr_to_year_9999_is_refused(supervisor_client, name):
    outage = OutageFactory(areas=[ServiceAreaFactory()])
    response = supervisor_client.post(
        reverse(name, args=[outage.pk]), {"etr": "9999-12-31T23:59", "status": outage.status}
    )
    assert response.status_code == 400
    assert "Enter an ETR between" in response.content.decode()
    outage.refresh_from_db()
    assert outage.etr is None
    assert not OutageUpdate.objects.filter(outage=outage).exists()


def test_row1_the_service_refuses_an_etr_past_the_window():
    now = timezone.now()
    with pytest.raises(lifecycle.TransitionRefused, match="within 30 days"):
        lifecycle.check_etr(etr=now + timedelta(days=31), started_at=now, now=now)
    lifecycle.check_etr(etr=now + timedelta(days=29), started_at=now, now=now)


def test_row11_an_outage_cause_or_message_of_a_megabyte_is_refused(supervisor_client):
    response = _declare(supervisor_client, cause="x" * 1_000_000, message="y" * 1_000_000)
    assert response.status_code == 400
    assert "Ensure this value has at most 2000 characters" in response.content.decode()
    assert not Outage.objects.exists()


# Row 10: imports report encoding, size and NUL problems naming the line, writing nothing.

AREAS_HEADER = "code,name,region\n"


def _import_bytes(tmp_path, data, command="import_areas"):
    path = tmp_path / "file.csv"
    path.write_bytes(data)
    with pytest.raises(CommandError) as refused:
        call_command(
            command, str(path), "--no-progress", stdout=io.StringIO(), stderr=io.StringIO()
        )
    return str(refused.value)


def test_row10_a_latin1_file_is_refused_naming_the_line(tmp_path):
    data = (AREAS_HEADER + "N1,North,Nord\nS1,Sèvres,Sud\n").encode("latin-1")
    message = _import_bytes(tmp_path, data)
    assert message.startswith("Line 3: not UTF-8 text") and "CSV UTF-8" in message
    assert not ServiceArea.objects.exists()


def test_row10_a_utf16_file_is_refused(tmp_path):
    message = _import_bytes(tmp_path, (AREAS_HEADER + "N1,North,Nord\n").encode("utf-16"))
    assert message.startswith("Line 1: the file is UTF-16")
    assert not ServiceArea.objects.exists()


def test_row10_a_field_over_128_kb_is_refused_naming_the_line(tmp_path):
    data = (AREAS_HEADER + "N1,North,Nord\nS1," + "x" * 140_000 + ",Sud\n").encode()
    message = _import_bytes(tmp_path, data)
    assert message.startswith("Line 3: a field is longer than 128 KB")
    assert not ServiceArea.objects.exists()


def test_row10_a_nul_is_a_bad_row_naming_the_line(tmp_path):
    data = (AREAS_HEADER + "N1,North,Nord\nS1,So\x00uth,Sud\n").encode()
    path = tmp_path / "file.csv"
    path.write_bytes(data)
    errors = io.StringIO()
    with pytest.raises(CommandError, match="1 bad row: nothing was imported"):
        call_command("import_areas", str(path), "--no-progress", stderr=errors)
    assert "line 3: contains a control character (such as NUL)" in errors.getvalue()
    assert not ServiceArea.objects.exists()


def test_row10_a_clean_utf8_file_with_a_bom_still_imports(tmp_path):
    path = tmp_path / "file.csv"
    path.write_bytes(("\ufeff" + AREAS_HEADER + "S1,Sèvres,Sud\n").encode())
    call_command("import_areas", str(path), "--no-progress", stdout=io.StringIO())
    assert ServiceArea.objects.get().name == "Sèvres"
