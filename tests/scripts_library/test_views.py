"""The supervisor's scripts library through the browser's eyes: list, edit with preview,
create scoped scripts, compare and roll back."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from scripts_library import defaults, moments, placeholders
from scripts_library.models import Script, ScriptVersion
from tests.factories import CustomerFactory, OutageFactory, ServiceAreaFactory
from tests.scripts_library.factories import make_script

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


@pytest.fixture
def cause():
    return Script.objects.get(moment=moments.CAUSE, scope_key=moments.DEFAULT, language="en")


@pytest.fixture
def area():
    return ServiceAreaFactory(name="Riverside")


@pytest.fixture
def outage(area):
    return OutageFactory(
        title="Riverside broadband down",
        cause="a flooded cabinet",
        etr=timezone.now() + timedelta(hours=2),
        areas=[area],
    )


@pytest.fixture
def customer(area):
    return CustomerFactory(name="Aisha Khan", account_number="ACC777001", area=area)


def _versions():
    return list(ScriptVersion.objects.order_by("pk").values_list("pk", "body", "published"))


# --- library --------------------------------------------------------------------------------


def test_library_lists_every_moment_with_its_live_wording(
    supervisor_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        response = supervisor_client.get(reverse("scripts_library:library"))
    assert response.status_code == 200
    page = response.content.decode()
    for label in moments.LABELS.values():
        assert label in page
    assert "Internal systems outages" in page
    assert "New script" in page


def test_library_filter_answers_htmx_with_the_list_only(supervisor_client):
    make_script("Causa: <Cause>.", language="es")
    response = supervisor_client.get(
        reverse("scripts_library:library"), {"language": "es"}, headers=HX
    )
    page = response.content.decode()
    assert "<html" not in page
    assert "Causa: &lt;Cause&gt;." in page
    assert "Every call" in page and page.count("<tr>") == 2  # header row and one script


@pytest.mark.parametrize("url_name", ["library", "create"])
def test_agents_are_refused_even_through_htmx(agent_client, url_name):
    response = agent_client.get(reverse(f"scripts_library:{url_name}"), headers=HX)
    assert response.status_code == 403


def test_agents_cannot_save_wording(agent_client, cause):
    before = _versions()
    response = agent_client.post(
        reverse("scripts_library:edit", args=[cause.pk]), {"body": "Hacked <Cause>."}
    )
    assert response.status_code == 403
    assert _versions() == before


# --- edit -----------------------------------------------------------------------------------


def test_edit_page_has_wording_buttons_preview_and_versions(
    supervisor_client, cause, outage, customer, django_assert_max_num_queries
):
    with django_assert_max_num_queries(14):
        response = supervisor_client.get(reverse("scripts_library:edit", args=[cause.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_body"' in page
    for name in placeholders.PLACEHOLDERS:
        assert f'aria-label="Insert &lt;{name}&gt;"' in page
    assert "js/scripts-editor.js" in page
    assert f'hx-post="{reverse("scripts_library:preview")}"' in page
    # The preview is already rendered against a real outage and a customer it covers.
    assert '<strong class="ph-value">a flooded cabinet</strong>' in page
    assert "Aisha Khan" in page
    assert "Save and publish" in page and "Save as draft" in page
    assert "Shipped with the product" in page


def test_saving_publishes_a_new_version_at_once(supervisor_client, supervisor, cause):
    latest = cause.versions.order_by("-number").first().number
    response = supervisor_client.post(
        reverse("scripts_library:edit", args=[cause.pk]),
        {
            "body": "Update on the cause: <Cause>.",
            "note": "Plainer",
            "base_version": latest,
            "action": "publish",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("scripts_library:edit", args=[cause.pk])
    assert f"Version {latest + 1} published: agents see it now." in response.content.decode()
    cause.refresh_from_db()
    live = cause.live_version
    assert (live.number, live.body, live.author, live.note) == (
        latest + 1,
        "Update on the cause: <Cause>.",
        supervisor,
        "Plainer",
    )


def test_saving_a_draft_leaves_the_live_wording(supervisor_client, cause):
    live = cause.live_version
    response = supervisor_client.post(
        reverse("scripts_library:edit", args=[cause.pk]),
        {"body": "Draft <Cause>.", "action": "draft"},
    )
    assert response.status_code == 302
    cause.refresh_from_db()
    assert cause.live_version == live
    assert cause.versions.filter(body="Draft <Cause>.", published=False).exists()


def test_an_unknown_placeholder_is_refused_beside_the_field_with_the_known_list(
    supervisor_client, cause
):
    before = _versions()
    response = supervisor_client.post(
        reverse("scripts_library:edit", args=[cause.pk]),
        {"body": "We are fixing <Casue> in <area>.", "action": "publish"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_body_errors"' in page
    assert "This wording was not saved" in page
    assert "Unknown placeholder &lt;Casue&gt;: did you mean &lt;Cause&gt;?" in page
    assert "Unknown placeholder &lt;area&gt;: did you mean &lt;Area&gt;?" in page
    assert "Known placeholders: &lt;Customer Name&gt;, &lt;Agent Name&gt;" in page
    # What was typed stays in the field so that it can be corrected.
    assert "We are fixing &lt;Casue&gt; in &lt;area&gt;.</textarea>" in page
    assert _versions() == before


def test_a_stale_save_is_refused_with_a_message(supervisor_client, supervisor, cause):
    started = cause.versions.order_by("-number").first().number
    make_script("Someone else: <Cause>.")
    before = _versions()
    response = supervisor_client.post(
        reverse("scripts_library:edit", args=[cause.pk]),
        {"body": "Mine: <Cause>.", "base_version": started},
    )
    assert response.status_code == 400
    assert "was saved while you were editing" in response.content.decode()
    assert _versions() == before


def test_edit_of_a_missing_script_is_404(supervisor_client):
    assert supervisor_client.get(reverse("scripts_library:edit", args=[999999])).status_code == 404


# --- preview --------------------------------------------------------------------------------


def test_preview_renders_the_typed_wording_for_the_picked_outage_and_customer(
    supervisor_client, outage, customer
):
    before = _versions()
    response = supervisor_client.post(
        reverse("scripts_library:preview"),
        {
            "moment": moments.CAUSE,
            "body": "<Customer Name>, the cause is <Cause>; back by <ETR>. <b>Bold</b>?",
            "preview_outage": outage.pk,
            "preview_customer": customer.account_number,
        },
        headers=HX,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert "This wording would be refused on save" in page
    assert "Unknown placeholder &lt;b&gt;." in page
    assert _versions() == before


def test_preview_of_valid_wording_fills_values_and_marks_gaps(
    supervisor_client, customer, django_assert_max_num_queries
):
    outage = OutageFactory(title="No cause yet", cause="", areas=[customer.area])
    supervisor_client.get(reverse("scripts_library:library"))  # the session is warm
    with django_assert_max_num_queries(5):
        response = supervisor_client.post(
            reverse("scripts_library:preview"),
            {
                "moment": moments.CAUSE,
                "body": "<Customer Name>: <Cause>, for <Outage> & more.",
                "preview_outage": outage.pk,
                "preview_customer": customer.account_number,
            },
            headers=HX,
        )
    page = response.content.decode()
    assert '<strong class="ph-value">Aisha Khan</strong>' in page
    assert '<mark class="ph-gap" title="Fill this in">cause not yet confirmed</mark>' in page
    assert '<strong class="ph-value">No cause yet</strong> &amp; more.' in page
    assert "would be refused" not in page


def test_preview_with_an_unknown_account_number_says_so(supervisor_client):
    response = supervisor_client.post(
        reverse("scripts_library:preview"),
        {"body": "Hello <Customer Name>.", "preview_customer": "NOPE"},
        headers=HX,
    )
    page = response.content.decode()
    assert "No customer has the account number “NOPE”" in page
    assert '<mark class="ph-gap" title="Fill this in">customer&#x27;s name</mark>' in page


# --- create ---------------------------------------------------------------------------------


def test_create_starts_from_an_existing_script(supervisor_client, cause):
    response = supervisor_client.get(reverse("scripts_library:create"), {"from": cause.pk})
    page = response.content.decode()
    assert response.status_code == 200
    assert '<option value="cause" selected>' in page
    assert defaults.DEFAULT_WORDING[moments.CAUSE].replace("<", "&lt;").replace(">", "&gt;") in (
        page
    )
    for label in ("Moment of the call", "Used for", "Kind of outage", "Outage", "Language"):
        assert f">{label}</label>" in page


def test_create_a_script_for_one_outage(supervisor_client, supervisor, outage, customer):
    response = supervisor_client.post(
        reverse("scripts_library:create"),
        {
            "moment": moments.ETA,
            "scope": moments.OUTAGE,
            "outage": outage.pk,
            "language": "en",
            "body": "Crews expect <Area> back by <ETR>.",
            "action": "publish",
        },
    )
    script = Script.objects.get(scope_key=f"outage:{outage.pk}")
    assert response.status_code == 302
    assert response["Location"] == reverse("scripts_library:edit", args=[script.pk])
    assert (script.moment, script.outage, script.live_version.author) == (
        moments.ETA,
        outage,
        supervisor,
    )


def test_create_refuses_an_existing_script_and_an_incomplete_scope(supervisor_client):
    count = Script.objects.count()
    duplicate = supervisor_client.post(
        reverse("scripts_library:create"),
        {"moment": moments.ETA, "scope": moments.DEFAULT, "language": "en", "body": "<ETR>"},
    )
    assert duplicate.status_code == 400
    assert "That script already exists" in duplicate.content.decode()
    no_kind = supervisor_client.post(
        reverse("scripts_library:create"),
        {"moment": moments.ETA, "scope": moments.KIND, "language": "en", "body": "<ETR>"},
    )
    assert no_kind.status_code == 400
    assert "Pick the kind of outage this wording is for." in no_kind.content.decode()
    bad = supervisor_client.post(
        reverse("scripts_library:create"),
        {"moment": moments.ETA, "scope": moments.DEFAULT, "language": "es", "body": "<Soon>"},
    )
    assert bad.status_code == 400
    assert "Unknown placeholder &lt;Soon&gt;." in bad.content.decode()
    assert Script.objects.count() == count


# --- compare and roll back ------------------------------------------------------------------


def test_compare_shows_words_taken_out_and_put_in(supervisor_client, cause):
    first = cause.live_version.number
    make_script("Here is what we know: <Cause>.")
    response = supervisor_client.get(
        reverse("scripts_library:compare", args=[cause.pk]), {"old": first, "new": first + 1}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Changes from v{first} to v{first + 1}" in page
    assert "<del" in page and "<ins" in page
    assert "Roll back to this version" in page


def test_compare_defaults_to_the_previous_and_the_live_version(supervisor_client, cause):
    first = cause.live_version.number
    make_script("Here is what we know: <Cause>.")
    page = supervisor_client.get(reverse("scripts_library:compare", args=[cause.pk])).content
    assert f"Changes from v{first} to v{first + 1}".encode() in page


def test_compare_with_one_version_says_there_is_nothing_to_compare(supervisor_client):
    script = make_script("Only <ETR>.", moment=moments.ETA, language="fr").script
    page = supervisor_client.get(reverse("scripts_library:compare", args=[script.pk])).content
    assert b"only one version so far" in page


def test_roll_back_from_the_editor(supervisor_client, supervisor, cause):
    original = cause.live_version
    make_script("Worse wording: <Cause>.")
    response = supervisor_client.post(
        reverse("scripts_library:rollback", args=[cause.pk]),
        {"version": original.number},
        follow=True,
    )
    assert f"Rolled back to version {original.number}" in response.content.decode()
    cause.refresh_from_db()
    assert cause.live_version.body == original.body
    assert cause.live_version.number == original.number + 2
    assert cause.live_version.author == supervisor


def test_roll_back_to_the_live_version_is_refused(supervisor_client, cause):
    before = _versions()
    response = supervisor_client.post(
        reverse("scripts_library:rollback", args=[cause.pk]),
        {"version": cause.live_version.number},
    )
    assert response.status_code == 400
    assert "is already live" in response.content.decode()
    assert _versions() == before


def test_library_warns_about_moments_without_live_default_wording(supervisor_client):
    Script.objects.filter(moment=moments.REFUND, scope_key=moments.DEFAULT).update(
        live_version=None
    )
    page = supervisor_client.get(reverse("scripts_library:library")).content.decode()
    assert "No live default wording for: Refund question." in page


def test_a_kind_script_previews_against_an_outage_of_its_kind(supervisor_client, outage):
    from outages import lifecycle

    systems = OutageFactory(
        kind=lifecycle.SYSTEMS, title="Billing system down", all_areas=True, cause="a failed update"
    )
    script = Script.objects.get(moment=moments.OPENING, scope_key="kind:systems")
    page = supervisor_client.get(reverse("scripts_library:edit", args=[script.pk])).content
    assert f'<option value="{systems.pk}" selected>'.encode() in page
    assert f'<option value="{outage.pk}">'.encode() in page


def test_edit_page_says_when_the_script_is_read_and_lists_its_variants(supervisor_client):
    opening = Script.objects.get(moment=moments.OPENING, scope_key=moments.DEFAULT)
    systems = Script.objects.get(moment=moments.OPENING, scope_key="kind:systems")
    page = supervisor_client.get(reverse("scripts_library:edit", args=[opening.pk])).content
    page = page.decode()
    assert escape(moments.USES[moments.OPENING]) in page
    assert "Other scripts for this moment" in page
    assert f'href="{reverse("scripts_library:edit", args=[systems.pk])}"' in page
    assert "Internal systems outages · English" in page
