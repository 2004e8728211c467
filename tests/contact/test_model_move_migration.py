"""Upgrading a database from before the inbound calls moved to contact and the staffing
forecasts to planning: the rows stay where they are (same tables), and the content types (so
the permissions) move to the apps that own the models now."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("contenttypes", "0002_remove_content_type_name"),
    ("callbacks", "0012_attempt_agent_at_index"),
    ("contact", None),
    ("planning", None),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    nodes = [target for target in targets if target[1] is not None]
    return executor.loader.project_state(nodes).apps


@pytest.mark.django_db(transaction=True)
def test_an_upgrade_keeps_the_rows_and_moves_the_content_types():
    old = _migrate(BEFORE)
    content_types = old.get_model("contenttypes", "ContentType")
    for model in ("inboundcall", "staffingforecast"):
        content_types.objects.get_or_create(app_label="callbacks", model=model)
    customer = old.get_model("outages", "Customer").objects.create(
        account_number="UPGRADE-1", name="Ada", phone="+12025550199"
    )
    old.get_model("callbacks", "InboundCall").objects.create(
        customer_id=customer.pk, at=timezone.now(), note="Line hums"
    )

    latest = _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    moved = latest.get_model("contenttypes", "ContentType").objects
    assert moved.filter(app_label="contact", model="inboundcall").exists()
    assert moved.filter(app_label="planning", model="staffingforecast").exists()
    assert not moved.filter(app_label="callbacks", model__in=["inboundcall", "staffingforecast"])
    call = latest.get_model("contact", "InboundCall").objects.get(customer_id=customer.pk)
    assert call.note == "Line hums"
