"""The inbound calls' model now belongs to contact and the staffing forecasts' to planning
(their migrations 0001 take them over, tables and all): callbacks forgets them. The tables
stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("callbacks", "0012_attempt_agent_at_index"),
        ("contact", "0001_initial"),
        ("planning", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="InboundCall"),
                migrations.DeleteModel(name="StaffingForecast"),
            ],
            database_operations=[],
        ),
    ]
