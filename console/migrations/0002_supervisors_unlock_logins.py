"""Supervisors may see and clear locked-out logins in the admin (django-axes's access attempts),
as they can on the console's Security page."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODES = ["view_accessattempt", "delete_accessattempt", "view_accessfailurelog"]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        if app_config.label == "axes":
            app_config.models_module = True
            create_permissions(app_config, apps=apps, verbosity=0)
            app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Supervisor")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="axes", codename__in=CODES)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Supervisor"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="axes", codename__in=CODES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("console", "0001_roles"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
