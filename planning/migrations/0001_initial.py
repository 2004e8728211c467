"""planning takes over the staffing forecasts' model from callbacks.

The table was created by ``callbacks`` (migration 0008) and keeps its name: this migration
only tells Django that planning owns the model now, and moves its content type (and so its
permissions) with it. Nothing is copied and no row changes."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _move_content_type(apps, schema_editor, *, source, target):
    content_types = apps.get_model("contenttypes", "ContentType")
    content_types.objects.filter(app_label=source, model="staffingforecast").update(
        app_label=target
    )


def forwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, source="callbacks", target="planning")


def backwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, source="planning", target="callbacks")


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
                    name="StaffingForecast",
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
                        ("computed_at", models.DateTimeField(db_index=True)),
                        ("trigger", models.CharField(default="schedule", max_length=24)),
                        ("open_callbacks", models.PositiveIntegerField()),
                        ("already_late", models.PositiveIntegerField(default=0)),
                        ("agents_on_duty", models.PositiveIntegerField()),
                        ("will_miss", models.PositiveIntegerField()),
                        ("agents_needed", models.PositiveIntegerField(blank=True, null=True)),
                        ("capacity_bound", models.PositiveIntegerField()),
                        ("handle_minutes", models.FloatField()),
                        ("handle_observed", models.BooleanField(default=False)),
                        ("seed", models.PositiveIntegerField(default=0)),
                        ("elapsed_ms", models.PositiveIntegerField(default=0)),
                        (
                            "outage",
                            models.ForeignKey(
                                blank=True,
                                help_text="The restored outage that triggered this forecast, if any.",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="staffing_forecasts",
                                to="outages.outage",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "callbacks_staffingforecast",
                        "ordering": ["-computed_at", "-id"],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
