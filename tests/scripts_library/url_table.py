"""Routes of the scripts library for the role walk in tests/console/test_urls.py (same format)."""

from django.utils import timezone

from core import roles
from scripts_library import moments
from scripts_library.services import script_save

ROUTES = {
    "scripts_library:library": ("get", roles.SUPERVISOR, 200, {}),
    "scripts_library:create": ("get", roles.SUPERVISOR, 200, {}),
    "scripts_library:preview": ("post", roles.SUPERVISOR, 200, {}),
    "scripts_library:edit": ("get", roles.SUPERVISOR, 200, {"pk": "script"}),
    "scripts_library:compare": ("get", roles.SUPERVISOR, 200, {"pk": "script"}),
    "scripts_library:rollback": ("post", roles.SUPERVISOR, 400, {"pk": "script"}),
}


def objects():
    version = script_save(
        actor=None,
        now=timezone.now(),
        moment=moments.REFUND,
        body="A French refund script for <Customer Name>.",
        language="fr",
    )
    return {"script": version.script_id}
