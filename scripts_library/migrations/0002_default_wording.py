"""Ship the default wording for every moment, so a fresh install never shows an empty card."""

from django.db import migrations
from django.utils import timezone

from scripts_library import moments
from scripts_library.defaults import DEFAULT_WORDING, KIND_WORDING


def install(apps, schema_editor):
    Script = apps.get_model("scripts_library", "Script")
    ScriptVersion = apps.get_model("scripts_library", "ScriptVersion")
    now = timezone.now()
    entries = [(moment, moments.DEFAULT, "", body) for moment, body in DEFAULT_WORDING.items()]
    entries += [(moment, moments.KIND, kind, body) for (moment, kind), body in KIND_WORDING.items()]
    for moment, scope, kind, body in entries:
        key = moments.scope_key(scope=scope, outage_kind=kind)
        script, created = Script.objects.get_or_create(
            moment=moment,
            scope_key=key,
            language=moments.DEFAULT_LANGUAGE,
            defaults={"scope": scope, "outage_kind": kind, "updated_at": now},
        )
        if created:
            version = ScriptVersion.objects.create(
                script=script, number=1, body=body, created_at=now, note="Default wording"
            )
            script.live_version = version
            script.save(update_fields=["live_version"])


class Migration(migrations.Migration):
    dependencies = [("scripts_library", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
