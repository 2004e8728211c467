"""Load data at an operator's scale: service areas, their postal codes, a customer directory
spread over areas and account statuses, and active outages over some of the areas.

Reproducible: the same ``--seed`` and sizes give the same rows. Fast: on PostgreSQL the rows go
in with ``COPY`` (a million customers in well under a minute); elsewhere with ``bulk_create``.
``--csv`` also writes the same customers as a CSV file in the import format
(``account_number,name,phone,address,postal_code,status``)."""

import csv
import math
import random
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from callbacks.models import CallbackRequest
from outages import lifecycle
from outages.models import Coverage, Customer, Outage, OutageUpdate, ServiceArea

CSV_HEADER = ("account_number", "name", "phone", "address", "postal_code", "status")
REGIONS = ("North", "South", "East", "West", "Central", "Coast", "Valley", "Highlands")
TOWN_START = ("North", "South", "East", "West", "Old", "New", "Upper", "Lower", "Great", "Little")
TOWN_END = ("field", "bridge", "ford", "ham", "ton", "wood", "bury", "dale", "gate", "mouth")
FIRST = (
    "Maria",
    "James",
    "Aisha",
    "Wei",
    "Olivia",
    "Diego",
    "Fatima",
    "Liam",
    "Noah",
    "Emma",
    "Sofia",
    "Lucas",
    "Amara",
    "Yusuf",
    "Chloe",
    "Mateo",
    "Priya",
    "Hannah",
    "Omar",
    "Grace",
    "Ethan",
    "Leila",
    "Daniel",
    "Zara",
    "Samuel",
    "Nadia",
    "Oscar",
    "Ines",
    "Felix",
    "Maya",
)
LAST = (
    "Garcia",
    "Smith",
    "Khan",
    "Chen",
    "Brown",
    "Lopez",
    "Okafor",
    "Novak",
    "Jones",
    "Silva",
    "Patel",
    "Kim",
    "Nguyen",
    "Murphy",
    "Rossi",
    "Muller",
    "Haddad",
    "Cohen",
    "Ivanova",
    "Mensah",
    "Tanaka",
    "Walsh",
    "Dubois",
    "Costa",
    "Berg",
    "Ali",
    "Moreau",
    "Quinn",
    "Reyes",
    "Shah",
)
STREET_NAMES = (
    "Maple",
    "Oak",
    "Station",
    "Church",
    "Mill",
    "High",
    "Elm",
    "Cedar",
    "Willow",
    "Bridge",
    "Park",
    "Lake",
    "River",
    "Hill",
    "Forest",
    "Meadow",
    "Orchard",
    "Spring",
    "Chapel",
    "Market",
    "Victoria",
    "Albert",
    "King",
    "Queen",
    "Garden",
    "Harbour",
    "Castle",
    "Abbey",
    "Beacon",
    "Canal",
    "Dock",
    "Ferry",
    "Granite",
    "Heath",
    "Juniper",
    "Kestrel",
    "Linden",
    "Marsh",
    "Newton",
    "Poplar",
    "Quarry",
    "Rowan",
    "Saxon",
    "Thorn",
    "Union",
    "Vale",
    "Warren",
    "Yew",
    "Ash",
    "Birch",
)
STREET_KINDS = ("Street", "Road", "Avenue", "Lane", "Close", "Way", "Drive", "Crescent")
# Status mix of a real directory: mostly active, a few cut off for each reason.
STATUS_WEIGHTS = (
    (Customer.Status.ACTIVE, 85),
    (Customer.Status.SUSPENDED_NONPAYMENT, 8),
    (Customer.Status.SUSPENDED_TERMS, 3),
    (Customer.Status.DISCONNECTED_REQUESTED, 4),
)
# US area codes; with exchanges 200-999 and four-digit lines every number is a valid one.
AREA_CODES = (202, 206, 212, 213, 303, 305, 312, 314, 404, 412)
AREA_CODES += (415, 503, 504, 512, 602, 615, 617, 702, 713, 716)
PHONE_SPACE = len(AREA_CODES) * 800 * 10_000
OUTAGE_TITLES = (
    "Fibre cut",
    "Power failure at the exchange",
    "Cabinet flooded",
    "Core router fault",
    "Storm damage to overhead lines",
)
POSTAL_CODES_PER_AREA = 3
CUSTOMER_COLUMNS = (
    "account_number",
    "name",
    "phone",
    "address",
    "postal_code",
    "area_id",
    "status",
    "language",
    "updated_at",
)
BATCH = 5_000


def postal_code(index):
    """The ``index``-th generated postal code: five digits while they last, then six."""
    return f"{index:05d}" if index < 100_000 else f"{index:06d}"


def account_number(index):
    return f"LD{index + 1:08d}"


def _phone_numbers(rng):
    """A seeded walk over the phone space that never repeats a number."""
    step = rng.randrange(PHONE_SPACE // 3, PHONE_SPACE)
    while math.gcd(step, PHONE_SPACE) != 1:
        step += 1
    start = rng.randrange(PHONE_SPACE)

    def number(index):
        value = (start + index * step) % PHONE_SPACE
        value, line = divmod(value, 10_000)
        area, exchange = divmod(value, 800)
        return f"+1{AREA_CODES[area]}{exchange + 200}{line:04d}"

    return number


def customer_rows(*, count, postal_codes, seed):
    """The customers as tuples of ``CSV_HEADER`` plus the postal code's index, reproducibly.

    ``postal_codes`` is the number of generated postal codes to spread the customers over."""
    rng = random.Random(f"customers-{seed}")
    phone = _phone_numbers(rng)
    statuses = [status for status, _ in STATUS_WEIGHTS]
    weights = [weight for _, weight in STATUS_WEIGHTS]
    status_of = rng.choices(statuses, weights=weights, k=count)
    first = rng.choices(FIRST, k=count)
    last = rng.choices(LAST, k=count)
    streets = [f"{name} {kind}" for name in STREET_NAMES for kind in STREET_KINDS]
    street = rng.choices(streets, k=count)
    randrange = rng.randrange
    for index in range(count):
        postal_index = randrange(postal_codes)
        yield (
            account_number(index),
            f"{first[index]} {last[index]}",
            phone(index),
            f"{randrange(1, 10_000)} {street[index]}",
            postal_code(postal_index),
            status_of[index],
            postal_index,
        )


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADER)
        for row in rows:
            writer.writerow(row[:6])


class Command(BaseCommand):
    help = (
        "Generate load data: areas, postal codes, customers and active outages (reproducible "
        "from --seed; COPY on PostgreSQL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=1_000)
        parser.add_argument("--areas", type=int, default=100)
        parser.add_argument("--outages", type=int, default=0, help="Active outages to declare.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--csv", dest="csv_path", default="", help="Also write the customers to this CSV file."
        )
        parser.add_argument(
            "--no-database",
            action="store_true",
            help="Only write the CSV (with --csv); leave the database alone.",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete every area, customer, outage and callback first.",
        )

    def handle(self, *args, customers, areas, outages, seed, csv_path, no_database, replace, **_):
        if customers < 0 or areas < 1 or outages < 0:
            raise CommandError("--areas must be at least 1; --customers, --outages not negative.")
        if outages > areas:
            raise CommandError("--outages cannot exceed --areas.")
        postal_count = areas * POSTAL_CODES_PER_AREA
        started = time.monotonic()
        if csv_path:
            rows = customer_rows(count=customers, postal_codes=postal_count, seed=seed)
            write_csv(csv_path, rows)
            self.stdout.write(f"Wrote {customers} customers to {csv_path}")
        if no_database:
            return
        now = timezone.now()
        with transaction.atomic():
            if replace:
                _delete_everything()
            elif ServiceArea.objects.exists() or Customer.objects.exists():
                raise CommandError(
                    "There are areas or customers already: use --replace to start over."
                )
            area_ids = _areas(areas, seed=seed)
            _coverage(area_ids)
            self._customers(customers, postal_count, area_ids, seed=seed, now=now)
            _outages(outages, area_ids, seed=seed, now=now)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (ServiceArea, Coverage, Customer, Outage):
                    cursor.execute(f"ANALYZE {model._meta.db_table}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {areas} areas, {postal_count} postal codes, {customers} customers "
                f"and {outages} active outages in {time.monotonic() - started:.1f} s (seed {seed})."
            )
        )

    def _customers(self, count, postal_count, area_ids, *, seed, now):
        rows = (
            (
                number,
                name,
                phone,
                address,
                postal,
                area_ids[postal_index // POSTAL_CODES_PER_AREA],
                status,
                "en",
                now,
            )
            for number, name, phone, address, postal, status, postal_index in customer_rows(
                count=count, postal_codes=postal_count, seed=seed
            )
        )
        _insert(Customer, CUSTOMER_COLUMNS, rows)


def _delete_everything():
    if connection.vendor == "postgresql":
        tables = [
            CallbackRequest._meta.db_table,
            Outage._meta.db_table,
            Customer._meta.db_table,
            ServiceArea._meta.db_table,
        ]
        with connection.cursor() as cursor:
            # CASCADE takes every table that points at these: events, attempts, letters,
            # coverage, timelines, escalations, refund reviews, the outage areas.
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        return
    CallbackRequest.objects.all().delete()
    Outage.objects.all().delete()
    Customer.objects.all().delete()
    ServiceArea.objects.all().delete()


def _insert(model, columns, rows):
    """COPY on PostgreSQL, batched ``bulk_create`` elsewhere."""
    if connection.vendor == "postgresql":
        table = model._meta.db_table
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    fields = [model._meta.get_field(name).attname for name in columns]
    batch = []
    for row in rows:
        batch.append(model(**dict(zip(fields, row, strict=True))))
        if len(batch) >= BATCH:
            model.objects.bulk_create(batch)
            batch = []
    model.objects.bulk_create(batch)


def _areas(count, *, seed):
    """Create the areas; returns their ids in code order."""
    rng = random.Random(f"areas-{seed}")
    rows = (
        (
            f"AR{index + 1:05d}",
            f"{rng.choice(TOWN_START)}{rng.choice(TOWN_END)} {index + 1}",
            REGIONS[index % len(REGIONS)],
        )
        for index in range(count)
    )
    _insert(ServiceArea, ("code", "name", "region"), rows)
    return list(ServiceArea.objects.order_by("code").values_list("id", flat=True))


def _coverage(area_ids):
    rows = (
        (postal_code(index), area_ids[index // POSTAL_CODES_PER_AREA])
        for index in range(len(area_ids) * POSTAL_CODES_PER_AREA)
    )
    _insert(Coverage, ("postal_code", "area_id"), rows)


def _outages(count, area_ids, *, seed, now):
    """``count`` active outages, each over a few areas of its own, with a first timeline row."""
    if not count:
        return
    rng = random.Random(f"outages-{seed}")
    chosen = rng.sample(area_ids, k=count)
    statuses = (lifecycle.INVESTIGATING, lifecycle.IDENTIFIED, lifecycle.MONITORING)
    outages = []
    for index in range(count):
        started = now - timedelta(minutes=rng.randrange(10, 600))
        status = statuses[index % len(statuses)]
        outages.append(
            Outage(
                kind=lifecycle.NETWORK,
                title=f"{rng.choice(OUTAGE_TITLES)} #{index + 1}",
                service="Home broadband",
                severity=lifecycle.MAJOR,
                status=status,
                cause="" if status == lifecycle.INVESTIGATING else "Damaged cable",
                etr=now + timedelta(minutes=rng.randrange(30, 720)),
                started_at=started,
                updated_at=started,
            )
        )
    outages = Outage.objects.bulk_create(outages)
    if connection.vendor != "postgresql":  # bulk_create only returns ids on some databases
        outages = list(Outage.objects.order_by("id"))[-count:]
    links = []
    for outage, first_area in zip(outages, chosen, strict=True):
        extra = rng.sample(area_ids, k=min(rng.randrange(0, 6), len(area_ids)))
        for area_id in {first_area, *extra}:
            links.append(Outage.areas.through(outage_id=outage.id, servicearea_id=area_id))
    Outage.areas.through.objects.bulk_create(links, batch_size=BATCH)
    OutageUpdate.objects.bulk_create(
        [
            OutageUpdate(
                outage=outage,
                at=outage.started_at,
                status=outage.status,
                message="Engineers are working on it.",
                cause=outage.cause,
                etr=outage.etr,
            )
            for outage in outages
        ],
        batch_size=BATCH,
    )
