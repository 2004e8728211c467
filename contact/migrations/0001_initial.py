"""contact takes over the inbound calls' model from callbacks.

The table was created by ``callbacks`` (migration 0008) and keeps its name: this migration
only tells Django that contact owns the model now, and moves its content type (and so its
permissions) with it. Nothing is copied and no row changes."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _move_content_type(apps, schema_editor, *, source, target):
    content_types = apps.get_model("contenttypes", "ContentType")
    content_types.objects.filter(app_label=source, model="inboundcall").update(app_label=target)


def forwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, source="callbacks", target="contact")


def backwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, source="contact", target="callbacks")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("callbacks", "0012_attempt_agent_at_index"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("outages", "0004_outage_ivr_switch"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="InboundCall",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("at", models.DateTimeField()),
                        ("note", models.CharField(blank=True, max_length=200)),
                        ("noted_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "agent",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "customer",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="inbound_calls",
                                to="outages.customer",
                            ),
                        ),
                        (
                            "outage",
                            models.ForeignKey(
                                blank=True,
                                help_text="The outage covering the caller when the card opened, if any.",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="inbound_calls",
                                to="outages.outage",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "callbacks_inboundcall",
                        "ordering": ["-at", "-id"],
                        "indexes": [
                            models.Index(
                                fields=["customer", "-at"], name="inboundcall_customer_at"
                            ),
                            models.Index(fields=["at"], name="inboundcall_at"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
