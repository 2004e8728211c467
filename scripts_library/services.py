"""Writes to the scripts library: every save is a new version, checked before it lands."""

from django.db import transaction

from . import moments, placeholders
from .models import Script, ScriptVersion


class ScriptError(Exception):
    def __init__(self, message, *, field="body", problems=()):
        super().__init__(message)
        self.message = message
        self.field = field
        self.problems = list(problems)


@transaction.atomic
def script_save(
    *,
    actor,
    now,
    moment,
    body,
    scope=moments.DEFAULT,
    outage_kind="",
    outage=None,
    language=moments.DEFAULT_LANGUAGE,
    note="",
    published=True,
):
    """Save new wording as the next version (live when published). Unknown or misspelt
    placeholders are refused with the list of known ones."""
    problems = placeholders.problems(body)
    if problems:
        raise ScriptError(problems[0], problems=problems)
    key = moments.scope_key(
        scope=scope, outage_kind=outage_kind, outage_id=outage.pk if outage else None
    )
    script, _ = Script.objects.select_for_update().get_or_create(
        moment=moment,
        scope_key=key,
        language=language,
        defaults=dict(scope=scope, outage_kind=outage_kind, outage=outage, updated_at=now),
    )
    last = script.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = ScriptVersion.objects.create(
        script=script,
        number=last + 1,
        body=body,
        author=actor,
        created_at=now,
        published=published,
        note=note,
    )
    script.updated_at = now
    if published:
        script.live_version = version
    script.save(update_fields=["updated_at", "live_version"])
    return version


def install_defaults(*, now, actor=None):
    """Give every moment its default wording where it has none yet (idempotent)."""
    from .defaults import DEFAULT_WORDING, KIND_WORDING

    installed = 0
    have = set(
        Script.objects.filter(language=moments.DEFAULT_LANGUAGE).values_list("moment", "scope_key")
    )
    for moment, body in DEFAULT_WORDING.items():
        if (moment, moments.DEFAULT) not in have:
            script_save(actor=actor, now=now, moment=moment, body=body, note="Default wording")
            installed += 1
    for (moment, kind), body in KIND_WORDING.items():
        if (moment, moments.scope_key(scope=moments.KIND, outage_kind=kind)) not in have:
            script_save(
                actor=actor,
                now=now,
                moment=moment,
                body=body,
                scope=moments.KIND,
                outage_kind=kind,
                note="Default wording",
            )
            installed += 1
    return installed
