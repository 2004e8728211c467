"""Which words the agent reads: the most specific live script for each moment."""

from django.db.models import Q

from . import moments
from .models import Script


def scripts_for_call(*, wanted, outage=None, language=moments.DEFAULT_LANGUAGE):
    """``{moment: body}`` for the moments in ``wanted``, in that order, choosing for each the most
    specific live script: this outage, then this outage's kind, then the default; in the
    caller's language, then the default language. One query."""
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
        .values_list("moment", "scope_key", "language", "live_version__body")
    )
    # Rank: outage > kind > default, then the caller's language over the default language.
    specificity = {key: rank for rank, key in enumerate(keys)}
    best = {}
    for moment, key, lang, body in rows:
        score = (specificity[key], lang == language)
        if moment not in best or score > best[moment][0]:
            best[moment] = (score, body)
    return {moment: best[moment][1] for moment in wanted if moment in best}
