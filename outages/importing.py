"""Loading the directory from CSV files: service areas, postal-code coverage and customers.

Every file is checked row by row first; each bad row is reported with its line number and the
reason. Then either the whole file lands in one transaction, or nothing does (with
``skip_invalid`` the valid rows land and the bad ones are reported). Loading is an idempotent
upsert keyed by the natural key (area code, postal code, account number): importing the same
file twice changes nothing the second time.

On PostgreSQL the valid rows are streamed with ``COPY`` into a temporary staging table and
moved with one ``INSERT ... ON CONFLICT DO UPDATE``; elsewhere they go in with batched
``bulk_create(update_conflicts=True)``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core.validation import has_control_characters

from . import normalise
from .models import Coverage, Customer, ServiceArea

AREA_HEADER = ("code", "name", "region")
COVERAGE_HEADER = ("postal_code", "area_code")
CUSTOMER_HEADER = ("account_number", "name", "phone", "address", "postal_code", "status")
STATUSES = frozenset(Customer.Status.values)
BATCH = 5_000
MAX_REPORTED = 1_000  # errors kept in full; beyond this only counted
REBUILD_MIN_ROWS = 50_000
"""A first load of at least this many rows into an empty table drops the table's secondary
indexes, inserts, and builds them again: several times cheaper than maintaining a trigram
index and seven B-trees row by row. Same transaction, so a failure restores them."""


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self):
        return f"line {self.line}: {self.reason}"


@dataclass
class Report:
    """What an import read, wrote and refused."""

    kind: str
    read: int = 0
    valid: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    written: bool = False

    def add_error(self, line, reason):
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors.append(RowError(line, reason))


class ImportRefused(Exception):
    """Nothing was written: the header is wrong, or rows are bad and ``skip_invalid`` is off."""

    def __init__(self, message, report):
        super().__init__(message)
        self.message = message
        self.report = report


# --- reading ---------------------------------------------------------------------------------


class _FileProblem(Exception):
    """The file cannot be read as CSV text at ``line`` (encoding, field size): refused whole."""

    def __init__(self, line, reason):
        super().__init__(f"Line {line}: {reason}")
        self.message = f"Line {line}: {reason} Nothing was imported."


def _decoded_lines(binary):
    """The file's lines as text, decoding each as UTF-8 (a BOM allowed), so that a byte that is
    not UTF-8 is reported on its own line rather than somewhere in an 8 KB chunk."""
    for number, raw in enumerate(binary, start=1):
        if number == 1:
            if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                raise _FileProblem(1, "the file is UTF-16: save it as CSV UTF-8.")
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _FileProblem(
                number,
                f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at character {exc.start + 1}; "
                "Latin-1 or Windows-1252?): save the file as CSV UTF-8.",
            ) from None


def _reading(reader):
    """Iterate a csv reader, turning what breaks it (a field past the csv module's limit, text
    that does not decode) into a refusal naming the line."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            reason = str(exc)
            if "field larger than field limit" in reason:
                limit = csv.field_size_limit() // 1024
                reason = f"a field is longer than {limit} KB."
            raise _FileProblem(reader.line_num or 1, reason) from None
        except UnicodeDecodeError:
            raise _FileProblem(
                reader.line_num + 1, "not UTF-8 text: save the file as CSV UTF-8."
            ) from None


def _rows(handle, header, report) -> Iterator[tuple[int, list[str]]]:
    """``(line number, cells)`` for each data row, in the header's column order.

    Column order in the file is free; the names must be exactly ``header``."""
    reader = csv.reader(handle)
    cells_of = _reading(reader)
    try:
        found = next(cells_of)
    except StopIteration:
        raise ImportRefused("The file is empty: expected a header line.", report) from None
    except _FileProblem as exc:
        raise ImportRefused(exc.message, report) from None
    found = [name.strip().lstrip("\ufeff").lower() for name in found]
    if sorted(found) != sorted(header):
        raise ImportRefused(
            f"Line 1: the header must be {','.join(header)} (found {','.join(found)}).", report
        )
    order = [found.index(name) for name in header]
    width = len(header)
    identity = order == list(range(width))
    line = reader.line_num
    try:
        for cells in cells_of:
            start, line = line + 1, reader.line_num
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue  # blank lines are not rows
            report.read += 1
            if len(cells) != width:
                report.add_error(start, f"expected {width} columns, found {len(cells)}")
                continue
            if any(has_control_characters(cell) for cell in cells):
                report.add_error(start, "contains a control character (such as NUL)")
                continue
            yield start, cells if identity else [cells[i] for i in order]
    except _FileProblem as exc:
        raise ImportRefused(exc.message, report) from None


def _required(value, name, limit):
    value = value.strip()
    if not value:
        return None, f"{name} is empty"
    if len(value) > limit:
        return None, f"{name} is longer than {limit} characters"
    return value, None


# --- checking each kind of row ---------------------------------------------------------------


def _check_areas(rows, report):
    seen = {}
    for line, (code, name, region) in rows:
        problems = []
        code, problem = _required(code, "code", 20)
        problems.append(problem)
        name, problem = _required(name, "name", 120)
        problems.append(problem)
        region, problem = _required(region, "region", 80)
        problems.append(problem)
        if code and code in seen:
            problems.append(f"area {code} is already on line {seen[code]}")
        problems = [p for p in problems if p]
        if problems:
            report.add_error(line, "; ".join(problems))
            continue
        seen[code] = line
        yield (code, name, region)


def _check_coverage(rows, report, *, area_ids):
    seen = {}
    for line, (postal, area_code) in rows:
        problems = []
        postal = normalise.postal_code(postal)
        if not postal:
            problems.append("postal_code is empty")
        elif len(postal) > 12:
            problems.append("postal_code is longer than 12 characters")
        elif postal in seen:
            problems.append(f"postal code {postal} is already on line {seen[postal]}")
        area_code = area_code.strip()
        area_id = area_ids.get(area_code)
        if area_id is None:
            problems.append(f'no service area with code "{area_code}" (import the areas first)')
        if problems:
            report.add_error(line, "; ".join(problems))
            continue
        seen[postal] = line
        yield (postal, area_id)


def _check_customers(rows, report, *, area_by_postal, region):
    seen = {}
    phone_e164 = normalise.phone_e164
    postal_code = normalise.postal_code
    invalid_phone = normalise.InvalidPhone
    for line, (account, name, phone, address, postal, status) in rows:
        problems = []
        account, problem = _required(account, "account_number", 32)
        if problem:
            problems.append(problem)
        elif account in seen:
            problems.append(f"account {account} is already on line {seen[account]}")
        name, problem = _required(name, "name", 200)
        if problem:
            problems.append(problem)
        try:
            phone = phone_e164(phone, region=region)
        except invalid_phone as exc:
            problems.append(f"phone {phone.strip()!r}: {exc}")
        address, problem = _required(address, "address", 300)
        if problem:
            problems.append(problem)
        postal = postal_code(postal)
        area_id = area_by_postal.get(postal)
        if not postal:
            problems.append("postal_code is empty")
        elif area_id is None:
            problems.append(f"postal code {postal} is not covered by any service area")
        status = status.strip().lower()
        if status not in STATUSES:
            problems.append(f'status "{status}" is not one of {", ".join(sorted(STATUSES))}')
        if problems:
            report.add_error(line, "; ".join(problems))
            continue
        seen[account] = line
        yield (account, name, phone, address, postal, area_id, status)


# --- loading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    model: type
    key: str
    columns: tuple[str, ...]  # the staged columns, key first
    extra: tuple[tuple[str, str], ...] = ()  # (column, SQL value) written but not compared


_TARGETS = {
    "areas": _Target(ServiceArea, "code", ("code", "name", "region")),
    "coverage": _Target(Coverage, "postal_code", ("postal_code", "area_id")),
    "customers": _Target(
        Customer,
        "account_number",
        ("account_number", "name", "phone", "address", "postal_code", "area_id", "status"),
        extra=(("language", "'en'"), ("updated_at", "%(now)s")),
    ),
}


def _load_postgres(target, rows, report, *, now, skip_invalid):
    """COPY into a temporary table, then one upsert that leaves unchanged rows alone."""
    table = connection.ops.quote_name(target.model._meta.db_table)
    columns = target.columns
    column_list = ", ".join(columns)
    with connection.cursor() as cursor:
        # Dropped at the end too: an import inside a larger transaction must not leave it.
        cursor.execute("DROP TABLE IF EXISTS import_staging")
        cursor.execute(
            f"CREATE TEMPORARY TABLE import_staging ON COMMIT DROP AS "
            f"SELECT {column_list} FROM {table} WITH NO DATA"
        )
        with cursor.copy(f"COPY import_staging ({column_list}) FROM STDIN") as copy:
            write_row = copy.write_row
            for row in rows:
                write_row(row)
                report.valid += 1
        if report.error_count and not skip_invalid:
            return  # the whole file is refused: the caller rolls back
        rebuild = []
        if report.valid >= REBUILD_MIN_ROWS:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
            if not cursor.fetchone()[0]:
                rebuild = _drop_secondary_indexes(cursor, target.model._meta.db_table)
        insert_columns = columns + tuple(name for name, _ in target.extra)
        select_values = ", ".join(columns + tuple(value for _, value in target.extra))
        compared = [name for name in columns if name != target.key]
        updates = ", ".join(
            f"{name} = EXCLUDED.{name}" for name in compared + [n for n, _ in target.extra]
        )
        changed = " OR ".join(
            f"{table}.{name} IS DISTINCT FROM EXCLUDED.{name}" for name in compared
        )
        cursor.execute(
            f"WITH upserted AS ("
            f" INSERT INTO {table} ({', '.join(insert_columns)})"
            f" SELECT {select_values} FROM import_staging"
            f" ON CONFLICT ({target.key}) DO UPDATE SET {updates} WHERE {changed}"
            f" RETURNING (xmax = 0) AS inserted"
            f") SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)"
            f" FROM upserted",
            {"now": now},
        )
        report.created, report.updated = cursor.fetchone()
        cursor.execute("DROP TABLE import_staging")
        if rebuild:
            # Deferred foreign-key checks must run before an index can be built.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for definition in rebuild:
                cursor.execute(definition)
        cursor.execute(f"ANALYZE {table}")


def _drop_secondary_indexes(cursor, table):
    """Drop the indexes of ``table`` that back no constraint; return their definitions."""
    cursor.execute(
        "SELECT index.relname, pg_get_indexdef(index.oid) FROM pg_index"
        " JOIN pg_class index ON index.oid = pg_index.indexrelid"
        " WHERE pg_index.indrelid = %s::regclass AND NOT pg_index.indisprimary"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = pg_index.indexrelid)",
        [table],
    )
    found = cursor.fetchall()
    if found:
        names = ", ".join(connection.ops.quote_name(name) for name, _ in found)
        cursor.execute(f"DROP INDEX {names}")
    return [definition for _, definition in found]


def _load_other(target, rows, report, *, now, skip_invalid):
    """Batched ``bulk_create`` with conflict updates; counts from the keys seen before."""
    model = target.model
    extra = {"language": "en", "updated_at": now} if target.extra else {}
    batch = []

    def flush():
        keys = [getattr(obj, target.key) for obj in batch]
        existing = {
            row[target.key]: row
            for row in model.objects.filter(**{f"{target.key}__in": keys}).values(*target.columns)
        }
        fresh = []
        for obj in batch:
            old = existing.get(getattr(obj, target.key))
            if old is None:
                report.created += 1
            elif any(old[name] != getattr(obj, name) for name in target.columns):
                report.updated += 1
            else:
                continue
            fresh.append(obj)
        if fresh:
            model.objects.bulk_create(
                fresh,
                update_conflicts=True,
                unique_fields=[target.key],
                update_fields=[n for n in target.columns if n != target.key] + list(extra),
            )
        batch.clear()

    for row in rows:
        report.valid += 1
        batch.append(model(**dict(zip(target.columns, row, strict=True)), **extra))
        if len(batch) >= BATCH:
            flush()
    if report.error_count and not skip_invalid:
        return  # the whole file is refused: the caller rolls back
    flush()


class _RollBack(Exception):
    pass


def _run(kind, handle, header, check, *, skip_invalid, progress, now):
    report = Report(kind=kind)
    target = _TARGETS[kind]
    rows = _rows(handle, header, report)
    if progress is not None:
        rows = progress(rows)
    checked = check(rows, report)
    load = _load_postgres if connection.vendor == "postgresql" else _load_other
    try:
        with transaction.atomic():
            load(target, checked, report, now=now, skip_invalid=skip_invalid)
            if report.error_count and not skip_invalid:
                raise _RollBack
    except _RollBack:
        count = report.error_count
        raise ImportRefused(
            f"{count} bad row{'s' if count != 1 else ''}: nothing was imported.", report
        ) from None
    report.unchanged = report.valid - report.created - report.updated
    report.written = True
    return report


class _LinesFile:
    """A file opened in binary, read as UTF-8 lines by ``_decoded_lines``."""

    def __init__(self, path):
        self.binary = open(path, "rb")  # noqa: SIM115 (closed by __exit__)

    def __iter__(self):
        return _decoded_lines(self.binary)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.binary.close()


def _open(source):
    if isinstance(source, io.IOBase):
        return source
    return _LinesFile(source)


def import_areas(source, *, skip_invalid=False, progress=None, now=None) -> Report:
    """Service areas from ``code,name,region``."""
    with _open(source) as handle:
        return _run(
            "areas",
            handle,
            AREA_HEADER,
            _check_areas,
            skip_invalid=skip_invalid,
            progress=progress,
            now=now or timezone.now(),
        )


def import_coverage(source, *, skip_invalid=False, progress=None, now=None) -> Report:
    """Postal codes to areas from ``postal_code,area_code``; the areas must exist."""
    area_ids = dict(ServiceArea.objects.values_list("code", "id"))
    with _open(source) as handle:
        return _run(
            "coverage",
            handle,
            COVERAGE_HEADER,
            lambda rows, report: _check_coverage(rows, report, area_ids=area_ids),
            skip_invalid=skip_invalid,
            progress=progress,
            now=now or timezone.now(),
        )


def import_customers(
    source,
    *,
    skip_invalid=False,
    progress: Callable[[Iterable], Iterable] | None = None,
    now=None,
    region=None,
) -> Report:
    """Customers from ``account_number,name,phone,address,postal_code,status``.

    The area comes from the postal code's coverage; phones are stored in E.164 (numbers
    without a country code are read in ``region``, ``DEFAULT_PHONE_REGION`` by default)."""
    area_by_postal = dict(Coverage.objects.values_list("postal_code", "area_id"))
    region = region or settings.DEFAULT_PHONE_REGION
    with _open(source) as handle:
        return _run(
            "customers",
            handle,
            CUSTOMER_HEADER,
            lambda rows, report: _check_customers(
                rows, report, area_by_postal=area_by_postal, region=region
            ),
            skip_invalid=skip_invalid,
            progress=progress,
            now=now or timezone.now(),
        )
