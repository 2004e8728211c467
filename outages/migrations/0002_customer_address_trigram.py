"""Address lookup by trigram similarity: the pg_trgm extension and a GIN trigram index on
customer addresses. PostgreSQL only; on SQLite the lookup falls back to containment and this
migration does nothing."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "outages_customer_address_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON outages_customer USING gin (address gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("outages", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
