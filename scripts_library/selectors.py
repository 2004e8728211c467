"""Reads of the scripts library: the words an agent reads on a call, and the editor's lists."""

import logging
from dataclasses import dataclass

from django.db.models import Count, Q
from redis import RedisError

from core.cache import version
from outages.models import Customer, Outage

from . import diffing, moments
from .models import Script, ScriptVersion


@dataclass(frozen=True)
class Choice:
    """The live script chosen for one moment of a call."""

    moment: str
    body: str
    script_id: int
    scope: str
    language: str
    version: int


# Moves on (in the shared cache) with every saved version of any script: what each process
# kept under an older version is not used again (``script_choices_for_call``).
SCRIPTS_VERSION_KEY = "scripts:version"
logger = logging.getLogger(__name__)
_CHOICES_KEPT_MAX = 2048


def _kept_for(current):
    return {"version": current, "choices": {}, "outages_with_own": None}


# What this process keeps under one version. A new version replaces the whole dict, never
# empties it: a thread still choosing under the old version (its read may predate the
# change) writes into the old dict, which nothing reads any more.
_kept = _kept_for(None)


def scripts_version():
    """The library's version in the shared cache, or None when the cache cannot be reached:
    calls then read the library each time (a call never fails for want of the cache)."""
    try:
        return version(SCRIPTS_VERSION_KEY)
    except RedisError as exc:
        logger.warning("Scripts version not read, scripts read afresh: %s", exc)
        return None


def forget_kept_choices():
    """Forget what this process kept (the next call reads the library again)."""
    global _kept
    _kept = _kept_for(None)


def _kept_under(current):
    global _kept
    kept = _kept
    if kept["version"] != current:
        kept = _kept = _kept_for(current)
    return kept


def _outages_with_own_scripts(kept):
    """The scope keys of the outages that have live wording of their own. One query, once
    per version of the library in each process."""
    if kept["outages_with_own"] is None:
        kept["outages_with_own"] = frozenset(
            Script.objects.filter(scope=moments.OUTAGE)
            .exclude(live_version=None)
            .values_list("scope_key", flat=True)
        )
    return kept["outages_with_own"]


def script_choices_for_call(*, wanted, outage=None, language=moments.DEFAULT_LANGUAGE):
    """``script_choices_for``, as this process last chose under the library's current version
    (``SCRIPTS_VERSION_KEY``, in the cache the processes share): the choices for an outage
    kind serve every outage of that kind without wording of its own. A saved script version
    moves the version on, so the next call in every process reads the library again. One
    read of the shared cache; a query when the choice is not kept."""
    current = scripts_version()
    wanted = tuple(wanted)
    if current is None:
        forget_kept_choices()  # the version may move meanwhile, unseen
        return script_choices_for(wanted=wanted, outage=outage, language=language)
    kept = _kept_under(current)
    own = None
    if outage is not None:
        outage_key = moments.scope_key(scope=moments.OUTAGE, outage_id=outage.pk)
        own = outage.pk if outage_key in _outages_with_own_scripts(kept) else None
    key = (wanted, outage.kind if outage is not None else None, own, language)
    choices = kept["choices"].get(key)
    if choices is None:
        choices = script_choices_for(wanted=wanted, outage=outage, language=language)
        if len(kept["choices"]) >= _CHOICES_KEPT_MAX:
            kept["choices"] = {}
        kept["choices"][key] = choices
    return dict(choices)


def script_choices_for(*, wanted, outage=None, language=moments.DEFAULT_LANGUAGE):
    """``{moment: Choice}`` for the moments in ``wanted``, in that order, choosing for each the
    most specific live script. One query.

    Fallback, most specific first: a script for this outage, then one for this outage's kind,
    then the default. Within the chosen scope, the caller's language, then the default
    language. Scope wins over language: wording written for one outage is what the
    supervisor wants said on its calls, even before it has been translated (the card shows
    its language). A moment with no live script at all is left out.
    """
    keys = [moments.DEFAULT]
    if outage is not None:
        keys += [
            moments.scope_key(scope=moments.KIND, outage_kind=outage.kind),
            moments.scope_key(scope=moments.OUTAGE, outage_id=outage.pk),
        ]
    languages = {language, moments.DEFAULT_LANGUAGE}
    rows = (
        Script.objects.filter(moment__in=wanted, scope_key__in=keys, language__in=languages)
        .filter(~Q(live_version=None))
        .values_list(
            "pk",
            "moment",
            "scope",
            "scope_key",
            "language",
            "live_version__number",
            "live_version__body",
        )
    )
    specificity = {key: rank for rank, key in enumerate(keys)}
    best = {}
    for pk, moment, scope, key, lang, number, body in rows:
        score = (specificity[key], lang == language)
        if moment not in best or score > best[moment][0]:
            best[moment] = (score, Choice(moment, body, pk, scope, lang, number))
    return {moment: best[moment][1] for moment in wanted if moment in best}


def scripts_for_call(*, wanted, outage=None, language=moments.DEFAULT_LANGUAGE):
    """``{moment: body}`` for the moments in ``wanted``, in call order, with the fallback of
    ``script_choices_for_call``. One query."""
    choices = script_choices_for_call(wanted=wanted, outage=outage, language=language)
    return {moment: choice.body for moment, choice in choices.items()}


# --- the library ----------------------------------------------------------------------------


def scripts_for_library(*, moment="", scope="", language=""):
    """Every script with its live wording and how many versions it has, in call order of
    moments, default scope first. Filters are optional. One query."""
    scripts = Script.objects.select_related("live_version", "live_version__author", "outage")
    if moment:
        scripts = scripts.filter(moment=moment)
    if scope:
        scripts = scripts.filter(scope=scope)
    if language:
        scripts = scripts.filter(language=language)
    scripts = scripts.annotate(
        version_count=Count("versions"),
        draft_count=Count("versions", filter=Q(versions__published=False)),
    )
    order = {moment: index for index, moment in enumerate(moments.MOMENTS)}
    scope_order = {key: index for index, key in enumerate(moments.SCOPES)}
    return sorted(
        scripts,
        key=lambda s: (
            order.get(s.moment, 99),
            scope_order.get(s.scope, 9),
            s.scope_key,
            s.language,
        ),
    )


def moments_without_default():
    """Labels of the moments with no live default wording in the default language: on a call
    they would show nothing when no scoped script applies. One query."""
    covered = set(
        Script.objects.filter(scope_key=moments.DEFAULT, language=moments.DEFAULT_LANGUAGE)
        .exclude(live_version=None)
        .values_list("moment", flat=True)
    )
    return [label for moment, label in moments.LABELS.items() if moment not in covered]


def script_for_editor(pk):
    """The script with its outage and live version, or ``None``."""
    return Script.objects.select_related("outage", "live_version").filter(pk=pk).first()


def script_variants(script):
    """The other scripts for the same moment (other scopes and languages), in the order the
    library lists them. One query."""
    others = Script.objects.filter(moment=script.moment).exclude(pk=script.pk)
    others = others.select_related("outage", "live_version")
    scope_order = {key: index for index, key in enumerate(moments.SCOPES)}
    return sorted(others, key=lambda s: (scope_order.get(s.scope, 9), s.scope_key, s.language))


def script_versions(script):
    """Every version of ``script``, newest first, with their authors. One query."""
    return list(script.versions.select_related("author").order_by("-number"))


def version_comparison(script, *, old, new):
    """``(old_version, new_version, diffing.Comparison)`` for two version numbers of
    ``script``; ``None`` when either does not exist. One query."""
    found = {
        v.number: v for v in ScriptVersion.objects.filter(script=script, number__in=[old, new])
    }
    if old not in found or new not in found:
        return None
    return found[old], found[new], diffing.compare(found[old].body, found[new].body)


def outages_for_preview():
    """Outages a supervisor may preview wording against: not closed, newest first."""
    return Outage.objects.current().order_by("-started_at")


def outage_for_preview(script):
    """The outage a script's preview starts with: its own outage while it is not closed, else
    the newest current outage of its kind, else the newest current outage (``None`` when
    there is none)."""
    outages = outages_for_preview()
    if script.outage_id and outages.filter(pk=script.outage_id).exists():
        return script.outage
    if script.outage_kind:
        return outages.filter(kind=script.outage_kind).first() or outages.first()
    return outages.first()


def customer_for_preview(*, account_number="", outage=None):
    """The customer with ``account_number``; without one, a customer the outage covers (or
    any customer) so that the preview shows real values at once. ``None`` when there is
    none."""
    if account_number:
        return Customer.objects.select_related("area").filter(account_number=account_number).first()
    customers = Customer.objects.select_related("area").order_by("account_number")
    if outage is not None and not outage.all_areas:
        covered = customers.filter(area__in=outage.areas.all()).first()
        if covered is not None:
            return covered
    return customers.first()
