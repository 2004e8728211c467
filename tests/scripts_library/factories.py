"""Scripts for tests, written through the service so that versions are real."""

from django.utils import timezone

from scripts_library import moments
from scripts_library.services import script_save


def make_script(
    body,
    *,
    moment=moments.CAUSE,
    scope=moments.DEFAULT,
    outage_kind="",
    outage=None,
    language=moments.DEFAULT_LANGUAGE,
    actor=None,
    now=None,
    published=True,
):
    """Save ``body`` as the next version of that script; returns the version."""
    return script_save(
        actor=actor,
        now=now or timezone.now(),
        moment=moment,
        body=body,
        scope=scope,
        outage_kind=outage_kind,
        outage=outage,
        language=language,
        published=published,
    )
