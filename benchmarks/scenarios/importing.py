"""Importing the customer directory from CSV: ``manage.py import_customers FILE`` in a child
process, timed from start to exit, into a database of its own (``console_bench_import`` beside
``console_bench``: the same areas and postal codes, no customers yet). The file is the
generator's customers (``generate_load_data --csv``). A second run of the same file measures
the re-import (every row already there, unchanged). The floor: a bare ``COPY`` of the same
file into the same (emptied) table with its indexes, in the same database and the same run."""

import subprocess
import sys
import time

TARGET_SECONDS = 60.0
# The import within this multiple of the bare COPY of the same file.
TARGET_RATIO = 1.5
COPY_BLOCK = 1 << 20
TIMEOUT_SECONDS = 600


def _timed_import(path, log):
    from benchmarks.environment import BASE_DIR, IMPORT_DATABASE_NAME, server_environment

    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "manage.py", "import_customers", str(path), "--no-progress"],
        cwd=BASE_DIR,
        env=server_environment(IMPORT_DATABASE_NAME),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    seconds = time.perf_counter() - began
    said = (done.stdout.strip().splitlines() or [""])[-1]
    if done.returncode:
        log(f"  import failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return round(seconds, 2), done.returncode, said, done.stderr.strip()[-500:]


def _customers_in_import_database():
    import psycopg

    from benchmarks.environment import IMPORT_DATABASE_NAME, database_url

    with psycopg.connect(database_url(IMPORT_DATABASE_NAME)) as conn:
        return conn.execute("SELECT COUNT(*) FROM outages_customer").fetchone()[0]


def _bare_copy(path):
    """The floor: the file as it is, streamed with ``COPY ... (FORMAT csv, HEADER)`` into the
    emptied customers table (every index in place), committed. The columns the file does not
    carry get the values the import writes (language 'en', updated_at now) as column defaults
    (the database is dropped afterwards). No checks, no normalising, no area lookup."""
    import psycopg

    from benchmarks.environment import IMPORT_DATABASE_NAME, database_url
    from outages.importing import CUSTOMER_HEADER

    with psycopg.connect(database_url(IMPORT_DATABASE_NAME)) as conn:
        conn.execute("TRUNCATE outages_customer CASCADE")
        conn.execute(
            "ALTER TABLE outages_customer ALTER COLUMN language SET DEFAULT 'en', "
            "ALTER COLUMN updated_at SET DEFAULT now()"
        )
        conn.commit()
        began = time.perf_counter()
        with conn.transaction(), conn.cursor() as cursor, open(path, "rb") as handle:
            columns = ", ".join(CUSTOMER_HEADER)
            with cursor.copy(
                f"COPY outages_customer ({columns}) FROM STDIN (FORMAT csv, HEADER true)"
            ) as copy:
                while block := handle.read(COPY_BLOCK):
                    copy.write(block)
        seconds = time.perf_counter() - began
        rows = conn.execute("SELECT COUNT(*) FROM outages_customer").fetchone()[0]
    return {
        "seconds": round(seconds, 2),
        "rows": rows,
        "how": "COPY outages_customer FROM STDIN (FORMAT csv, HEADER) of the same file into "
        "the emptied table with its indexes, one transaction, committed",
    }


def run(context):
    from django.core.management import get_commands

    from benchmarks.dataset import manage
    from benchmarks.environment import (
        DATA_DIR,
        IMPORT_DATABASE_NAME,
        drop_database,
        ensure_database,
    )

    sizes = context.sizes
    if "import_customers" not in get_commands():
        return {
            "seconds": None,
            "skipped": "there is no import_customers command yet",
            "target": f"seconds < {TARGET_SECONDS}",
            "met": False,
        }
    path = DATA_DIR / f"customers-{sizes.customers}-{sizes.areas}-{sizes.seed}.csv"
    if not path.exists():
        context.log(f"  writing {sizes.customers:,} customers to {path.name}")
        manage(
            "generate_load_data",
            f"--customers={sizes.customers}",
            f"--areas={sizes.areas}",
            f"--seed={sizes.seed}",
            f"--csv={path}",
            "--no-database",
            capture=True,
        )
    context.log("  a fresh import database with the areas and postal codes")
    ensure_database(IMPORT_DATABASE_NAME, fresh=True)
    manage("migrate", "--noinput", "-v0", database=IMPORT_DATABASE_NAME)
    manage(
        "generate_load_data",
        "--customers=0",
        f"--areas={sizes.areas}",
        f"--seed={sizes.seed}",
        database=IMPORT_DATABASE_NAME,
        capture=True,
    )
    context.log(f"  import_customers {path.name}")
    seconds, status, said, stderr = _timed_import(path, context.log)
    imported = _customers_in_import_database() if status == 0 else 0
    reimport = None
    if status == 0:
        context.log("  import_customers again (every row already there)")
        reimport, again_status, again_said, _ = _timed_import(path, context.log)
    floor = None
    if status == 0:
        context.log("  the floor: a bare COPY of the same file into the emptied table")
        floor = _bare_copy(path)
    drop_database(IMPORT_DATABASE_NAME)
    ratio = round(seconds / floor["seconds"], 2) if floor and floor["seconds"] else None
    return {
        "seconds": seconds if status == 0 else None,
        "rows_per_second": round(sizes.customers / seconds) if status == 0 and seconds else None,
        "customers_imported": imported,
        "exit_status": status,
        "command_said": said,
        "command_stderr_tail": stderr if status else "",
        "reimport_seconds": reimport,
        "floor": floor,
        "ratio_to_floor": ratio,
        "target": f"seconds < {TARGET_SECONDS} and ratio_to_floor <= {TARGET_RATIO}",
        "met": bool(
            status == 0
            and imported == sizes.customers
            and seconds < TARGET_SECONDS
            and ratio is not None
            and ratio <= TARGET_RATIO
        ),
        "parameters": {
            "rows": sizes.customers,
            "file_mb": round(path.stat().st_size / 1e6, 1),
            "how": "manage.py import_customers FILE --no-progress in a child process, wall clock",
        },
    }
