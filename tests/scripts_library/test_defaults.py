"""The default wording shipped with the product: every moment has some, and it is valid."""

import io

import pytest

from scripts_library import defaults, moments, placeholders
from scripts_library.models import Script
from scripts_library.services import install_defaults

ALL_DEFAULTS = list(defaults.DEFAULT_WORDING.items()) + [
    (f"{moment} ({kind})", body) for (moment, kind), body in defaults.KIND_WORDING.items()
]


def test_every_moment_has_default_wording():
    assert set(defaults.DEFAULT_WORDING) == set(moments.MOMENTS)


@pytest.mark.parametrize(("moment", "body"), ALL_DEFAULTS)
def test_default_wording_is_valid_script_text(moment, body):
    assert placeholders.problems(body) == []
    assert body == body.strip()


def test_kind_wording_is_for_known_moments_and_kinds():
    for moment, kind in defaults.KIND_WORDING:
        assert moment in moments.MOMENTS
        assert kind in ("network", "systems")


@pytest.mark.parametrize(
    ("moment", "needs"),
    [
        (moments.OPENING, ["Customer Name", "Brand", "Area", "Outage"]),
        (moments.CAUSE, ["Cause"]),
        (moments.ETA, ["ETR"]),
        (moments.CLOSING, ["Callback Deadline"]),
        (moments.CALLBACK_ANSWERED, ["Customer Name", "Agent Name", "Brand", "Call Reason"]),
        (moments.CALLBACK_LEFT_VOICEMAIL, ["Item", "Inbound Number"]),
    ],
)
def test_default_wording_carries_the_facts_of_its_moment(moment, needs):
    assert set(needs) <= set(placeholders.used(defaults.DEFAULT_WORDING[moment]))


@pytest.mark.django_db
def test_a_fresh_migrate_leaves_every_moment_with_live_default_wording():
    live = dict(
        Script.objects.filter(scope_key=moments.DEFAULT, language=moments.DEFAULT_LANGUAGE)
        .exclude(live_version=None)
        .values_list("moment", "live_version__body")
    )
    assert live == defaults.DEFAULT_WORDING
    for (moment, kind), body in defaults.KIND_WORDING.items():
        script = Script.objects.get(moment=moment, scope_key=f"kind:{kind}", language="en")
        assert script.live_version.body == body


@pytest.mark.django_db
def test_install_defaults_fills_in_what_is_missing_and_nothing_else(django_user_model):
    from django.utils import timezone

    Script.objects.filter(moment=moments.CAUSE).delete()
    refund = Script.objects.get(moment=moments.REFUND, scope_key=moments.DEFAULT)
    before = refund.versions.count()
    assert install_defaults(now=timezone.now()) == 1
    assert (
        Script.objects.get(moment=moments.CAUSE, scope_key=moments.DEFAULT).live_version.body
        == (defaults.DEFAULT_WORDING[moments.CAUSE])
    )
    assert refund.versions.count() == before
    assert install_defaults(now=timezone.now()) == 0


@pytest.mark.django_db
def test_seed_demo_leaves_every_moment_with_default_wording():
    from django.core.management import call_command

    Script.objects.all().delete()
    call_command("seed_demo", stdout=io.StringIO())
    live = dict(
        Script.objects.filter(scope_key=moments.DEFAULT, language=moments.DEFAULT_LANGUAGE)
        .exclude(live_version=None)
        .values_list("moment", "live_version__body")
    )
    assert live == defaults.DEFAULT_WORDING


def test_every_moment_says_when_it_is_read():
    assert set(moments.USES) == set(moments.MOMENTS)
