"""Which wording an agent gets: one outage > its kind > default; caller's language > default."""

import pytest
from django.core.cache import caches

from outages import lifecycle
from scripts_library import defaults, moments
from scripts_library.models import Script
from scripts_library.selectors import (
    SCRIPTS_VERSION_KEY,
    script_choices_for,
    script_choices_for_call,
    scripts_for_call,
    scripts_for_library,
    scripts_version,
    version_comparison,
)
from tests.factories import OutageFactory
from tests.scripts_library.factories import make_script

pytestmark = pytest.mark.django_db

CAUSE = moments.CAUSE


@pytest.fixture
def outage():
    return OutageFactory(kind=lifecycle.NETWORK)


@pytest.fixture
def other_outage():
    return OutageFactory(kind=lifecycle.NETWORK)


def _cause(**kwargs):
    return scripts_for_call(wanted=[CAUSE], **kwargs)[CAUSE]


def test_without_an_outage_the_default_wording_is_used():
    assert _cause() == defaults.DEFAULT_WORDING[CAUSE]


def test_the_default_is_used_when_nothing_more_specific_exists(outage):
    assert _cause(outage=outage) == defaults.DEFAULT_WORDING[CAUSE]


def test_a_script_for_the_outage_kind_overrides_the_default(outage):
    make_script("Network: <Cause>.", scope=moments.KIND, outage_kind=lifecycle.NETWORK)
    assert _cause(outage=outage) == "Network: <Cause>."
    assert _cause() == defaults.DEFAULT_WORDING[CAUSE]


def test_a_script_for_another_kind_is_not_used(outage):
    make_script("Systems: <Cause>.", scope=moments.KIND, outage_kind=lifecycle.SYSTEMS)
    assert _cause(outage=outage) == defaults.DEFAULT_WORDING[CAUSE]


def test_a_script_for_one_outage_overrides_its_kind_and_the_default(outage, other_outage):
    make_script("Network: <Cause>.", scope=moments.KIND, outage_kind=lifecycle.NETWORK)
    make_script("This outage: <Cause>.", scope=moments.OUTAGE, outage=outage)
    assert _cause(outage=outage) == "This outage: <Cause>."
    # Another outage of the same kind still gets the kind's wording.
    assert _cause(outage=other_outage) == "Network: <Cause>."


def test_the_callers_language_is_used_when_it_exists(outage):
    make_script("Causa: <Cause>.", language="es")
    assert _cause(outage=outage, language="es") == "Causa: <Cause>."
    assert _cause(outage=outage, language="en") == defaults.DEFAULT_WORDING[CAUSE]


def test_a_language_without_wording_falls_back_to_the_default_language(outage):
    make_script("Causa: <Cause>.", language="es")
    assert _cause(outage=outage, language="fr") == defaults.DEFAULT_WORDING[CAUSE]


@pytest.mark.parametrize(
    ("scripts", "language", "expected"),
    [
        # (scope, language) pairs present besides the English default
        ([("kind", "es")], "es", "kind/es"),
        ([("kind", "en"), ("default", "es")], "es", "kind/en"),
        ([("kind", "en"), ("kind", "es")], "es", "kind/es"),
        ([("outage", "en"), ("kind", "es"), ("default", "es")], "es", "outage/en"),
        ([("outage", "en"), ("outage", "es")], "es", "outage/es"),
        ([("outage", "es"), ("kind", "en")], "en", "kind/en"),
        ([("outage", "fr"), ("kind", "es")], "es", "kind/es"),
        ([("default", "es"), ("default", "fr")], "fr", "default/fr"),
    ],
)
def test_the_whole_chain_scope_first_then_language(outage, scripts, language, expected):
    for scope, lang in scripts:
        make_script(
            f"{scope}/{lang}",
            scope=scope,
            outage_kind=lifecycle.NETWORK if scope == "kind" else "",
            outage=outage if scope == "outage" else None,
            language=lang,
        )
    choice = script_choices_for_call(wanted=[CAUSE], outage=outage, language=language)[CAUSE]
    assert choice.body == expected
    assert (choice.scope, choice.language) == tuple(expected.split("/"))


def test_a_draft_is_never_read_on_a_call(outage):
    make_script(
        "Draft for this outage: <Cause>.", scope=moments.OUTAGE, outage=outage, published=False
    )
    assert _cause(outage=outage) == defaults.DEFAULT_WORDING[CAUSE]


def test_the_live_version_is_the_latest_published_one(outage):
    make_script("First: <Cause>.", scope=moments.OUTAGE, outage=outage)
    make_script("Second: <Cause>.", scope=moments.OUTAGE, outage=outage)
    make_script("Draft: <Cause>.", scope=moments.OUTAGE, outage=outage, published=False)
    choice = script_choices_for_call(wanted=[CAUSE], outage=outage)[CAUSE]
    assert (choice.body, choice.version) == ("Second: <Cause>.", 2)


def test_a_moment_with_nothing_live_is_left_out():
    Script.objects.filter(moment=moments.REFUND).update(live_version=None)
    found = scripts_for_call(wanted=[moments.OPENING, moments.REFUND, moments.CLOSING])
    assert list(found) == [moments.OPENING, moments.CLOSING]


def test_moments_come_back_in_the_order_asked(outage):
    wanted = list(reversed(moments.OUTAGE_CALL))
    assert list(scripts_for_call(wanted=wanted, outage=outage)) == wanted


def test_systems_outages_get_their_own_opening_from_the_shipped_wording():
    systems = OutageFactory(kind=lifecycle.SYSTEMS, all_areas=True)
    found = scripts_for_call(wanted=[moments.OPENING, moments.CAUSE], outage=systems)
    assert found[moments.OPENING] == defaults.SYSTEMS_OPENING
    assert found[moments.CAUSE] == defaults.DEFAULT_WORDING[moments.CAUSE]


def test_one_query_whatever_the_number_of_moments(outage, django_assert_num_queries):
    make_script("This outage: <Cause>.", scope=moments.OUTAGE, outage=outage)
    make_script("Causa: <Cause>.", language="es")
    with django_assert_num_queries(1):
        script_choices_for(wanted=moments.MOMENTS, outage=outage, language="es")


def test_library_lists_scripts_in_call_order_with_counts(outage, django_assert_num_queries):
    make_script("This outage: <Cause>.", scope=moments.OUTAGE, outage=outage)
    make_script("Draft: <Cause>.", scope=moments.OUTAGE, outage=outage, published=False)
    with django_assert_num_queries(1):
        scripts = scripts_for_library()
        labels = [s.scope_label for s in scripts]
    assert [s.moment for s in scripts][:2] == [moments.OPENING, moments.OPENING]
    mine = next(s for s in scripts if s.scope == moments.OUTAGE)
    assert (mine.version_count, mine.draft_count) == (2, 1)
    assert f"Outage: {outage.title}" in labels
    assert "Internal systems outages" in labels


def test_library_filters():
    make_script("Causa: <Cause>.", language="es")
    assert [s.language for s in scripts_for_library(language="es")] == ["es"]
    assert {s.moment for s in scripts_for_library(moment=CAUSE)} == {CAUSE}
    assert {s.scope for s in scripts_for_library(scope=moments.KIND)} == {moments.KIND}


def test_version_comparison_finds_both_versions_or_none(outage):
    first = make_script("Old words: <Cause>.", scope=moments.OUTAGE, outage=outage)
    make_script("New words: <Cause>.", scope=moments.OUTAGE, outage=outage)
    old, new, comparison = version_comparison(first.script, old=1, new=2)
    assert (old.number, new.number) == (1, 2)
    assert comparison.words_removed == 1 and comparison.words_added == 1
    assert version_comparison(first.script, old=1, new=9) is None


# --- the choices each process keeps under the library's version -------------------------------


def test_a_call_reads_the_scripts_once_until_the_library_changes(
    outage, other_outage, django_assert_num_queries, django_capture_on_commit_callbacks
):
    wanted = [moments.OPENING, CAUSE]
    # Which outages have wording of their own, then the choices for the outage's kind.
    with django_assert_num_queries(2):
        first = script_choices_for_call(wanted=wanted, outage=outage)
    with django_assert_num_queries(0):
        assert script_choices_for_call(wanted=wanted, outage=outage) == first
        # Another outage of the same kind, without wording of its own: the same choices.
        assert script_choices_for_call(wanted=wanted, outage=other_outage) == first
    before = scripts_version()
    with django_capture_on_commit_callbacks(execute=True):
        make_script("Kind wording: <Cause>.", scope=moments.KIND, outage_kind=outage.kind)
        make_script("Only this one: <Cause>.", scope=moments.OUTAGE, outage=other_outage)
    assert scripts_version() > before  # in the cache every process reads
    with django_assert_num_queries(2):
        found = script_choices_for_call(wanted=wanted, outage=outage)
    assert found[CAUSE].body == "Kind wording: <Cause>."
    assert found[moments.OPENING] == first[moments.OPENING]
    with django_assert_num_queries(1):
        found = script_choices_for_call(wanted=wanted, outage=other_outage)
    assert found[CAUSE].body == "Only this one: <Cause>."


def test_a_version_moved_by_another_process_reads_the_scripts_again(outage):
    """Another process saved a script: all this one learns of it is the version in the shared
    cache, moved by another client of it (as the other process's own cache client does)."""
    assert _cause(outage=outage) == defaults.DEFAULT_WORDING[CAUSE]
    Script.objects.filter(moment=CAUSE).delete()  # the other process's change, committed
    assert _cause(outage=outage) == defaults.DEFAULT_WORDING[CAUSE]  # kept, version unchanged
    other_process = caches.create_connection("default")
    other_process.incr(SCRIPTS_VERSION_KEY)
    assert CAUSE not in scripts_for_call(wanted=[CAUSE], outage=outage)


@pytest.fixture
def cache_down(settings):
    """The shared cache at a port where nothing answers."""
    import socket

    with socket.create_server(("127.0.0.1", 0)) as sock:
        port = sock.getsockname()[1]
    settings.CACHES = {
        "default": {"BACKEND": "core.cache.RedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0"}
    }


def test_without_the_shared_cache_calls_read_the_library_each_time(
    outage, cache_down, django_assert_num_queries
):
    for _ in range(2):
        with django_assert_num_queries(1):
            found = script_choices_for_call(wanted=[CAUSE], outage=outage)
        assert found[CAUSE].body == defaults.DEFAULT_WORDING[CAUSE]


def test_a_save_that_cannot_move_the_version_is_refused(outage, cache_down):
    from scripts_library.services import ScriptError

    with pytest.raises(ScriptError, match="nothing was saved"):
        make_script("Not sent: <Cause>.", scope=moments.KIND, outage_kind=outage.kind)
