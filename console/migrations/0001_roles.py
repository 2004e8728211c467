"""Create the three role groups with their admin permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


# Frozen copy of the roles as they were when this migration was written: a migration must not
# change when core/roles.py does. Later changes to group permissions get migrations of their own.
ROLES = ("Agent", "Team lead", "Supervisor")
GROUP_PERMISSIONS = {
    "Agent": [
        "outages.view_servicearea",
        "outages.view_customer",
        "outages.view_outage",
        "callbacks.view_callbackrequest",
        "callbacks.add_callbackrequest",
        "callbacks.add_callbackattempt",
        "scripts_library.view_script",
    ],
    "Team lead": [
        "callbacks.change_callbackrequest",
        "callbacks.view_letter",
        "callbacks.change_letter",
        "callbacks.view_callbackattempt",
        "callbacks.view_agentduty",
        "callbacks.change_agentduty",
    ],
    "Supervisor": [
        "outages.add_outage",
        "outages.change_outage",
        "outages.view_outageupdate",
        "outages.add_servicearea",
        "outages.change_servicearea",
        "outages.add_coverage",
        "outages.change_coverage",
        "outages.view_coverage",
        "outages.add_customer",
        "outages.change_customer",
        "outages.view_escalation",
        "outages.view_refundreview",
        "outages.change_refundreview",
        "scripts_library.add_script",
        "scripts_library.change_script",
        "scripts_library.view_scriptversion",
        "scripts_library.add_scriptversion",
    ],
}


def permissions_for(role):
    codes = []
    for lower in ROLES[: ROLES.index(role) + 1]:
        codes.extend(GROUP_PERMISSIONS[lower])
    return codes


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrate; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for code in permissions_for(role):
            app_label, codename = code.split(".")
            wanted.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("outages", "0001_initial"),
        ("scripts_library", "0001_initial"),
        ("callbacks", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
