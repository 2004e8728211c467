"""What one open live-call screen costs the server: the old 15-second full-render poll against
the version check every second (plus the full refresh once a minute for relative times).

A quick in-process measurement (Django's test client, no network), on the demo data of the
database DATABASE_URL points at (migrated and seeded first):

    DATABASE_URL=postgres://.../console_bench python -m benchmarks.live_poll [rounds]

Prints milliseconds and queries per request for each, and the cost per open screen per minute.
"""

import os
import statistics
import sys
import time


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)


def _timed(client, url, rounds):
    from django.db import connection, reset_queries

    times, queries, statuses = [], [], set()
    for _ in range(rounds):
        reset_queries()
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        queries.append(len(connection.queries))
        statuses.add(response.status_code)
    return statistics.median(times), statistics.mean(times), max(queries), statuses


def main(rounds=300):
    _setup()
    import re

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import override_settings

    from outages.models import Customer, Outage

    outage = Outage.objects.active().first()
    customer = Customer.objects.filter(area__in=outage.areas.all()).first()
    client = Client()
    client.force_login(get_user_model().objects.get(username="agent"))
    with override_settings(DEBUG=True):  # counts queries
        page = client.get(f"/?customer={customer.pk}").content.decode()
        digest = re.search(r"v=([0-9a-f]{16})\"", page).group(1)
        version = re.search(r'data-version="([^"]*)"', page).group(1)
        full_url = f"/call/live/?customer={customer.pk}&v={digest}"
        check_url = f"/call/live/version/?area={customer.area_id}&v={version}"
        _timed(client, full_url, 20)  # warm up
        _timed(client, check_url, 20)
        full = _timed(client, full_url, rounds)
        check = _timed(client, check_url, rounds)
    print(f"database: {settings.DATABASES['default']['ENGINE']}, {rounds} requests each")
    for name, (median, mean, queries, statuses) in (
        ("full-render poll (/call/live/)", full),
        ("version check (/call/live/version/)", check),
    ):
        print(
            f"  {name}: median {median:.2f} ms, mean {mean:.2f} ms, {queries} queries, {statuses}"
        )
    old = 4 * full[1]
    new = 60 * check[1] + full[1]
    print(f"per open screen per minute: before {old:.0f} ms (4 full renders every 15 s);")
    print(f"  now {new:.0f} ms (60 version checks + 1 full render for relative times)")
    print(f"  queries per minute: before {4 * full[2]}, now {60 * check[2] + full[2]}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
