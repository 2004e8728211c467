"""Writes to the scripts library. Every save is a new ``ScriptVersion`` (who, when, why): the
history is never edited. The live wording is the latest published version; a draft is saved
without going live; publishing a draft or rolling back copies that body into a new version."""

from django.db import transaction
from redis import RedisError

from core.cache import version_bump
from core.errors import ServiceError
from outages.lifecycle import KIND_LABELS

from . import moments, placeholders
from .defaults import DEFAULT_WORDING, KIND_WORDING
from .models import Script, ScriptVersion
from .selectors import SCRIPTS_VERSION_KEY


class ScriptError(ServiceError):
    """A refused save; ``field`` names the form field the message belongs beside (the wording
    unless said otherwise), ``problems`` every reason the wording was refused."""

    def __init__(self, message, *, field="body", problems=()):
        super().__init__(message, field=field)
        self.problems = list(problems) or [message]

    @property
    def messages(self):
        return self.problems


def _check_body(body):
    if not body.strip():
        raise ScriptError("Write the words the agent will read.")
    found = placeholders.problems(body)
    if found:
        raise ScriptError(found[0], problems=found)


def _check_where(*, moment, scope, outage_kind, outage, language):
    """The scope fields, normalised: only the one that the scope uses is kept."""
    if moment not in moments.LABELS:
        raise ScriptError(f"Unknown moment {moment!r}.", field="moment")
    if language not in moments.LANGUAGES:
        raise ScriptError(f"Unknown language {language!r}.", field="language")
    if scope == moments.DEFAULT:
        return "", None
    if scope == moments.KIND:
        if outage_kind not in KIND_LABELS:
            raise ScriptError("Pick the kind of outage this wording is for.", field="outage_kind")
        return outage_kind, None
    if scope == moments.OUTAGE:
        if outage is None:
            raise ScriptError("Pick the outage this wording is for.", field="outage")
        return "", outage
    raise ScriptError(f"Unknown scope {scope!r}.", field="scope")


def _add_version(script, *, actor, now, body, published, note, expected_latest=None):
    """The next version of a locked ``script``; it goes live when ``published``."""
    latest = script.versions.order_by("-number").first()
    if expected_latest is not None and latest is not None and latest.number != expected_latest:
        raise ScriptError(
            f"Version {latest.number} was saved while you were editing version "
            f"{expected_latest}. Compare it with your wording and save again.",
            field=None,
        )
    if (
        latest is not None
        and latest.body == body
        and published == latest.published
        and (not published or script.live_version_id == latest.pk)
    ):
        raise ScriptError("Nothing changed: this wording is already the latest version.")
    version = ScriptVersion.objects.create(
        script=script,
        number=(latest.number if latest else 0) + 1,
        body=body,
        author=actor,
        created_at=now,
        published=published,
        note=note[:200],
    )
    script.updated_at = now
    fields = ["updated_at"]
    if published:
        script.live_version = version
        fields.append("live_version")
    script.save(update_fields=fields)
    _scripts_changed()
    return version


def _scripts_changed():
    """Calls read their scripts afresh (``selectors.script_choices_for_call``): the version
    moves now, so this process's next call sees the new version, and again once committed,
    so that no process keeps the wording it read between the two. A save that cannot move
    the version is refused: other processes would go on reading the old wording."""
    try:
        version_bump(SCRIPTS_VERSION_KEY)
    except RedisError as exc:
        raise ScriptError(
            "The wording could not be sent to the agents' screens (the shared cache is not "
            "answering): nothing was saved. Try again in a moment.",
            field=None,
        ) from exc
    transaction.on_commit(lambda: version_bump(SCRIPTS_VERSION_KEY), robust=True)


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
    """Save wording for a moment in a scope and language as that script's next version,
    creating the script if it is new. Unknown or misspelt placeholders are refused with the
    list of known ones; nothing is written."""
    _check_body(body)
    outage_kind, outage = _check_where(
        moment=moment, scope=scope, outage_kind=outage_kind, outage=outage, language=language
    )
    key = moments.scope_key(
        scope=scope, outage_kind=outage_kind, outage_id=outage.pk if outage else None
    )
    script, _ = Script.objects.select_for_update().get_or_create(
        moment=moment,
        scope_key=key,
        language=language,
        defaults=dict(scope=scope, outage_kind=outage_kind, outage=outage, updated_at=now),
    )
    return _add_version(script, actor=actor, now=now, body=body, published=published, note=note)


@transaction.atomic
def script_create(
    *,
    actor,
    now,
    moment,
    body,
    scope,
    outage_kind="",
    outage=None,
    language=moments.DEFAULT_LANGUAGE,
    note="",
    published=True,
):
    """A new script: wording for a moment in one scope (everything, an outage kind or one
    outage) and one language. Refused if that script already exists: edit it instead."""
    _check_body(body)
    outage_kind, outage = _check_where(
        moment=moment, scope=scope, outage_kind=outage_kind, outage=outage, language=language
    )
    key = moments.scope_key(
        scope=scope, outage_kind=outage_kind, outage_id=outage.pk if outage else None
    )
    if Script.objects.filter(moment=moment, scope_key=key, language=language).exists():
        raise ScriptError(
            "That script already exists: open it from the library to change its wording.",
            field=None,
        )
    return script_save(
        actor=actor,
        now=now,
        moment=moment,
        body=body,
        scope=scope,
        outage_kind=outage_kind,
        outage=outage,
        language=language,
        note=note or "New script",
        published=published,
    )


@transaction.atomic
def script_update(*, actor, now, script, body, note="", published=True, expected_latest=None):
    """New wording for an existing script, as its next version (a draft unless ``published``).

    ``expected_latest`` is the version the editor started from: if someone saved another
    version meanwhile, the save is refused rather than silently overwriting their words."""
    _check_body(body)
    script = Script.objects.select_for_update().get(pk=script.pk)
    return _add_version(
        script,
        actor=actor,
        now=now,
        body=body,
        published=published,
        note=note,
        expected_latest=expected_latest,
    )


@transaction.atomic
def script_rollback(*, actor, now, script, number, note=""):
    """Make version ``number``'s wording live again as a new version (history is kept).

    Rolling back to a draft publishes it. The body is checked again: a placeholder may have
    been retired since that version was written."""
    script = Script.objects.select_for_update().get(pk=script.pk)
    source = script.versions.filter(number=number).first()
    if source is None:
        raise ScriptError(f"There is no version {number} of this script.", field="version")
    if source.pk == script.live_version_id:
        raise ScriptError(f"Version {number} is already live.", field="version")
    try:
        _check_body(source.body)
    except ScriptError as exc:
        raise ScriptError(
            f"Version {number} can no longer be used: {exc.message}",
            field="version",
            problems=exc.problems,
        ) from exc
    what = f"Published draft version {number}" if not source.published else None
    what = what or f"Rolled back to version {number}"
    return _add_version(
        script,
        actor=actor,
        now=now,
        body=source.body,
        published=True,
        note=f"{what}: {note}" if note else what,
    )


def install_defaults(*, now, actor=None):
    """Give every moment its default wording where it has none yet (idempotent). Returns how
    many scripts it created."""
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
