"""Migration 0003 moves scripts still on the first default wording to the revised wording, as a
new version, and leaves wording that supervisors changed alone."""

import importlib
from datetime import UTC, datetime

import pytest
from django.apps import apps

from scripts_library import defaults, moments
from scripts_library.models import Script
from scripts_library.services import script_update

pytestmark = pytest.mark.django_db

revised = importlib.import_module("scripts_library.migrations.0003_default_wording_revised")
T0 = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def _script(moment, key=moments.DEFAULT):
    return Script.objects.get(moment=moment, scope_key=key, language="en")


LATER_MOMENTS = {moments.CALLBACK_CONSENT_REFUSED, moments.CALLBACK_ESCALATION}
consent_and_escalation = importlib.import_module(
    "scripts_library.migrations.0004_consent_and_escalation_scripts"
)


def test_the_first_defaults_cover_every_moment_there_was():
    assert {moment for key, moment in revised.FIRST_DEFAULTS if key == "default"} == set(
        moments.MOMENTS
    ) - LATER_MOMENTS


def test_the_moments_added_later_are_installed_with_their_default_wording():
    assert set(consent_and_escalation.WORDING) == LATER_MOMENTS
    for moment in LATER_MOMENTS:
        script = _script(moment)
        assert script.live_version.body == consent_and_escalation.WORDING[moment]
        assert script.live_version.body == defaults.DEFAULT_WORDING[moment]


def test_unchanged_first_defaults_get_the_revised_wording_as_a_new_version(supervisor):
    opening, closing = _script(moments.OPENING), _script(moments.CLOSING)
    # One script still reads the first default; another was changed by a supervisor.
    script_update(
        actor=None, now=T0, script=opening, body=revised.FIRST_DEFAULTS[("default", "opening")]
    )
    script_update(actor=supervisor, now=T0, script=closing, body="Our own closing.")
    Script.objects.filter(moment=moments.ALTERNATIVES, scope_key="kind:systems").delete()
    opening_versions = opening.versions.count()

    revised.revise(apps, None)

    opening.refresh_from_db()
    assert opening.versions.count() == opening_versions + 1
    assert opening.live_version.body == defaults.DEFAULT_WORDING[moments.OPENING]
    assert opening.live_version.note == revised.NOTE
    assert opening.versions.filter(body=revised.FIRST_DEFAULTS[("default", "opening")]).exists()
    assert _script(moments.CLOSING).live_version.body == "Our own closing."
    added = _script(moments.ALTERNATIVES, "kind:systems")
    assert added.live_version.body == defaults.SYSTEMS_ALTERNATIVES


def test_running_it_again_changes_nothing():
    count = sum(s.versions.count() for s in Script.objects.all())
    revised.revise(apps, None)
    assert sum(s.versions.count() for s in Script.objects.all()) == count
