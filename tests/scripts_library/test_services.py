"""Saving wording: versions with author and time, drafts, rollback, refusals that write nothing."""

from datetime import UTC, datetime, timedelta

import pytest

from outages import lifecycle
from scripts_library import defaults, moments
from scripts_library.models import Script, ScriptVersion
from scripts_library.selectors import scripts_for_call
from scripts_library.services import (
    ScriptError,
    script_create,
    script_rollback,
    script_save,
    script_update,
)
from tests.factories import OutageFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


@pytest.fixture
def cause():
    return Script.objects.get(moment=moments.CAUSE, scope_key=moments.DEFAULT, language="en")


def _live(script):
    script.refresh_from_db()
    return script.live_version


def test_every_save_is_a_new_version_with_author_and_time(cause, supervisor):
    first = cause.live_version
    v2 = script_update(
        actor=supervisor, now=T0, script=cause, body="Cause: <Cause>.", note="Shorter"
    )
    v3 = script_update(
        actor=supervisor, now=T0 + timedelta(minutes=5), script=cause, body="The cause: <Cause>."
    )
    assert (v2.number, v3.number) == (first.number + 1, first.number + 2)
    assert (v2.author, v2.created_at, v2.note) == (supervisor, T0, "Shorter")
    assert v3.created_at == T0 + timedelta(minutes=5)
    assert _live(cause) == v3
    assert cause.updated_at == T0 + timedelta(minutes=5)
    # History is kept word for word.
    assert ScriptVersion.objects.get(pk=first.pk).body == defaults.DEFAULT_WORDING[moments.CAUSE]
    assert scripts_for_call(wanted=[moments.CAUSE])[moments.CAUSE] == "The cause: <Cause>."


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Our <Custmer Name> is here.", "Unknown placeholder <Custmer Name>: did you mean"),
        ("Back by <etr>.", "did you mean <ETR>?"),
        ("Back by <ETR.", "never closed"),
        ("Empty <> here.", "names no placeholder"),
        ("   ", "Write the words the agent will read."),
    ],
)
def test_bad_wording_is_refused_and_nothing_is_written(cause, supervisor, body, expected):
    before = list(ScriptVersion.objects.values_list("pk", "body"))
    live = cause.live_version
    with pytest.raises(ScriptError) as refused:
        script_update(actor=supervisor, now=T0, script=cause, body=body)
    assert expected in " ".join(refused.value.problems)
    assert refused.value.field == "body"
    assert list(ScriptVersion.objects.values_list("pk", "body")) == before
    assert _live(cause) == live


def test_an_unknown_placeholder_is_refused_with_the_known_list(cause, supervisor):
    with pytest.raises(ScriptError) as refused:
        script_update(actor=supervisor, now=T0, script=cause, body="Hi <Warranty Brand>.")
    assert refused.value.problems[-1].startswith("Known placeholders: <Customer Name>, ")
    assert "<Callback Deadline>" in refused.value.problems[-1]


def test_saving_the_live_wording_again_changes_nothing(cause, supervisor):
    with pytest.raises(ScriptError, match="Nothing changed"):
        script_update(actor=supervisor, now=T0, script=cause, body=cause.live_version.body)


def test_a_draft_is_kept_but_not_live_until_published(cause, supervisor):
    live = cause.live_version
    draft = script_update(
        actor=supervisor, now=T0, script=cause, body="Draft: <Cause>.", published=False
    )
    assert not draft.published
    assert _live(cause) == live
    assert scripts_for_call(wanted=[moments.CAUSE])[moments.CAUSE] == live.body
    published = script_rollback(actor=supervisor, now=T0, script=cause, number=draft.number)
    assert (published.number, published.body) == (draft.number + 1, "Draft: <Cause>.")
    assert published.note == f"Published draft version {draft.number}"
    assert _live(cause) == published
    assert ScriptVersion.objects.get(pk=draft.pk).published is False


def test_saving_a_draft_word_for_word_publishes_it(cause, supervisor):
    script_update(actor=supervisor, now=T0, script=cause, body="Draft: <Cause>.", published=False)
    version = script_update(actor=supervisor, now=T0, script=cause, body="Draft: <Cause>.")
    assert _live(cause) == version


def test_rollback_is_a_new_version_copying_the_old_body(cause, supervisor, team_lead):
    original = cause.live_version
    script_update(actor=supervisor, now=T0, script=cause, body="Second: <Cause>.")
    script_update(actor=supervisor, now=T0, script=cause, body="Third: <Cause>.")
    later = T0 + timedelta(hours=1)
    back = script_rollback(
        actor=team_lead, now=later, script=cause, number=original.number, note="Too blunt"
    )
    assert back.number == original.number + 3
    assert back.body == original.body
    assert (back.author, back.created_at) == (team_lead, later)
    assert back.note == f"Rolled back to version {original.number}: Too blunt"
    assert _live(cause) == back
    assert list(cause.versions.values_list("number", flat=True)) == [4, 3, 2, 1]
    assert scripts_for_call(wanted=[moments.CAUSE])[moments.CAUSE] == original.body


def test_rollback_to_the_live_version_or_a_missing_one_is_refused(cause, supervisor):
    count = cause.versions.count()
    with pytest.raises(ScriptError, match="already live"):
        script_rollback(actor=supervisor, now=T0, script=cause, number=cause.live_version.number)
    with pytest.raises(ScriptError, match="no version 99"):
        script_rollback(actor=supervisor, now=T0, script=cause, number=99)
    assert cause.versions.count() == count


def test_rollback_to_wording_that_no_longer_parses_is_refused(cause, supervisor):
    old = cause.live_version
    ScriptVersion.objects.filter(pk=old.pk).update(body="Retired <Old Placeholder>.")
    script_update(actor=supervisor, now=T0, script=cause, body="New: <Cause>.")
    with pytest.raises(ScriptError, match="can no longer be used"):
        script_rollback(actor=supervisor, now=T0, script=cause, number=old.number)


def test_a_stale_editor_cannot_overwrite_a_newer_version(cause, supervisor):
    started_from = cause.live_version.number
    script_update(actor=supervisor, now=T0, script=cause, body="Someone else: <Cause>.")
    with pytest.raises(ScriptError, match="was saved while you were editing"):
        script_update(
            actor=supervisor,
            now=T0,
            script=cause,
            body="Mine: <Cause>.",
            expected_latest=started_from,
        )
    assert _live(cause).body == "Someone else: <Cause>."


@pytest.mark.parametrize(
    ("scope", "kind", "with_outage", "language", "key"),
    [
        (moments.KIND, lifecycle.NETWORK, False, "en", "kind:network"),
        (moments.OUTAGE, "", True, "en", "outage:{pk}"),
        (moments.DEFAULT, "", False, "es", "default"),
    ],
)
def test_create_a_scoped_script(supervisor, scope, kind, with_outage, language, key):
    outage = OutageFactory() if with_outage else None
    version = script_create(
        actor=supervisor,
        now=T0,
        moment=moments.ETA,
        body="Back by <ETR>.",
        scope=scope,
        outage_kind=kind,
        outage=outage,
        language=language,
    )
    script = version.script
    assert script.scope_key == key.format(pk=outage.pk if outage else "")
    assert (script.scope, script.language, script.outage) == (scope, language, outage)
    assert (version.number, version.author, version.note) == (1, supervisor, "New script")
    assert script.live_version == version


def test_create_keeps_only_the_field_its_scope_uses(supervisor):
    outage = OutageFactory()
    script = script_create(
        actor=supervisor,
        now=T0,
        moment=moments.ETA,
        body="Back by <ETR>.",
        scope=moments.KIND,
        outage_kind=lifecycle.SYSTEMS,
        outage=outage,
    ).script
    assert (script.outage, script.outage_kind) == (None, lifecycle.SYSTEMS)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        (dict(scope=moments.KIND, outage_kind=""), "outage_kind"),
        (dict(scope=moments.KIND, outage_kind="volcano"), "outage_kind"),
        (dict(scope=moments.OUTAGE), "outage"),
        (dict(scope=moments.DEFAULT, language="de"), "language"),
        (dict(scope=moments.DEFAULT, moment="weather"), "moment"),
        (dict(scope="everywhere"), "scope"),
        (dict(scope=moments.DEFAULT), None),  # the English default exists already
    ],
)
def test_create_refuses_an_incomplete_or_existing_scope(supervisor, kwargs, field):
    count = Script.objects.count()
    arguments = dict(actor=supervisor, now=T0, moment=moments.ETA, body="Back by <ETR>.")
    arguments.update(kwargs)
    with pytest.raises(ScriptError) as refused:
        script_create(**arguments)
    assert refused.value.field == field
    assert Script.objects.count() == count


def test_script_save_adds_to_an_existing_script(supervisor):
    first = script_save(
        actor=supervisor, now=T0, moment=moments.ETA, body="A <ETR>.", language="fr"
    )
    second = script_save(
        actor=supervisor, now=T0, moment=moments.ETA, body="B <ETR>.", language="fr"
    )
    assert first.script_id == second.script_id
    assert (first.number, second.number) == (1, 2)
