"""The live-call screen through the test client: lookup, branches, live refresh, filing."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse

from callbacks import policy
from callbacks.models import CallbackRequest
from console import call as live_call
from console.forms import LiveCallbackForm, callback_fields_html
from outages import lifecycle
from outages import services as outage_services
from outages.models import Customer, RefundReview
from scripts_library import moments
from tests.factories import (
    CallbackFactory,
    CoverageFactory,
    CustomerFactory,
    OutageFactory,
    ServiceAreaFactory,
)
from tests.scripts_library.factories import make_script

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
HX = {"HX-Request": "true"}


@pytest.fixture
def area():
    return ServiceAreaFactory(code="NE-1", name="Northgate")


@pytest.fixture
def customer(area):
    return CustomerFactory(
        account_number="ACC123456",
        name="Dana Whitfield",
        phone="+12025550143",
        address="14 Juniper Lane",
        postal_code="20001",
        area=area,
    )


@pytest.fixture
def outage(area, supervisor):
    return outage_services.outage_declare(
        actor=supervisor,
        now=NOW - timedelta(hours=1),
        title="Fibre cut on Route 9",
        areas=[area],
        service="Home broadband",
        cause="A fibre cable was cut by roadworks",
        etr=NOW + timedelta(hours=3, minutes=12),
        message="Crews are on site.",
    )


def _home(client, **params):
    with time_machine.travel(NOW, tick=False):
        return client.get(reverse("console:home"), params)


def _text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def test_blank_screen_says_what_to_do(agent_client):
    page = _text(_home(agent_client))
    assert "Find customer" in page
    assert "Ready for the next caller" in page
    assert 'id="id_q"' in page and "autofocus" in page


@pytest.mark.parametrize("typed", ["ACC123456", "(202) 555-0143", "+1 202 555 0143", "Juniper"])
def test_lookup_by_account_phone_or_address_shows_outage_and_scripts(
    agent_client, customer, outage, typed
):
    page = _text(_home(agent_client, q=typed))
    assert "Dana Whitfield" in page
    assert "Known outage: Fibre cut on Route 9" in page
    assert "A fibre cable was cut by roadworks" in page
    # The ETR in the customer's terms: local time and how far away it is.
    assert "Mon 23 Nov, 1:12 PM" in page  # 18:12 UTC in New York
    assert "(in 3 h 12 min)" in page
    assert "Crews are on site." in page
    labels = re.findall(r'<h3 id="script-(\w+)"', page)
    assert labels == ["opening", "cause", "eta", "alternatives", "refund", "closing"]
    assert 'aria-label="Copy Opening script"' in page


def test_the_next_lookup_reads_what_changed_since_the_last(
    agent_client, customer, outage, supervisor, django_capture_on_commit_callbacks
):
    """The script chosen for an outage kind is kept between lookups; a new version of it, a
    new cause on the outage and a new name on the account all show on the next lookup."""
    page = _text(_home(agent_client, q="ACC123456"))
    assert "Dana Whitfield" in page and "A fibre cable was cut by roadworks" in page
    with django_capture_on_commit_callbacks(execute=True):
        make_script(
            "Kind wording, read now: <Cause>.",
            scope=moments.KIND,
            outage_kind=outage.kind,
            now=NOW,
        )
        outage_services.outage_post_update(
            actor=supervisor, now=NOW, outage=outage, cause="A flooded cabinet", message="Pumped."
        )
    Customer.objects.filter(pk=customer.pk).update(name="Dana Whitfield-Ames")
    page = _text(_home(agent_client, q="ACC123456"))
    assert "Kind wording, read now: <strong" in page
    assert "A flooded cabinet" in page and "A fibre cable was cut" not in page
    assert "Dana Whitfield-Ames" in page


def test_address_with_several_matches_offers_a_pick(agent_client, area):
    CustomerFactory(address="1 Harbour Road", area=area)
    CustomerFactory(address="2 Harbour Road", area=area)
    page = _text(_home(agent_client, q="Harbour"))
    assert "Several customers match" in page
    assert page.count('href="/?customer=') == 2


def test_unknown_lookup_says_what_to_try(agent_client, customer):
    page = _text(_home(agent_client, q="Nowhere Street"))
    assert "No customer matches “Nowhere Street”" in page
    assert "postal code" in page


def test_postal_code_without_customer_gives_area_outage_and_manual_entry(
    agent_client, area, outage
):
    CoverageFactory(postal_code="20099", area=area)
    page = _text(_home(agent_client, q="20099"))
    assert "Postal code 20099" in page
    assert "Known outage: Fibre cut on Route 9" in page
    assert "Account number (if the caller knows it)" in page
    assert "Service outage: Billing platform down" not in page


def test_htmx_lookup_returns_the_result_partial_only(agent_client, customer, outage):
    with time_machine.travel(NOW, tick=False):
        response = agent_client.get(reverse("console:home"), {"q": "ACC123456"}, headers=HX)
    assert "<html" not in response.content.decode()
    assert "Dana Whitfield" in response.content.decode()
    assert response["Vary"].count("HX-Request") == 1


def test_callback_form_is_prefilled_from_customer_and_outage(agent_client, customer, outage):
    page = _text(_home(agent_client, q="ACC123456"))
    assert 'value="Dana Whitfield"' in page
    assert 'value="+12025550143"' in page
    assert 'value="Service outage: Fibre cut on Route 9"' in page
    assert 'value="Home broadband"' in page
    assert "File callback" in page


def test_cut_off_account_without_outage_gets_reason_and_guidance(agent_client, area):
    CustomerFactory(
        account_number="ACC900001", area=area, status=Customer.Status.SUSPENDED_NONPAYMENT
    )
    page = _text(_home(agent_client, q="ACC900001"))
    assert "the account is cut off" in page
    assert "Suspended for non-payment" in page
    assert re.findall(r'<h3 id="script-(\w+)"', page) == ["cutoff_nonpayment", "closing"]
    assert "payment is overdue" in page


def test_no_outage_and_active_account_is_the_technical_issue_path(agent_client, customer):
    page = _text(_home(agent_client, q="ACC123456"))
    assert "No known outage in Northgate" in page
    assert re.findall(r'<h3 id="script-(\w+)"', page) == ["technical_issue", "closing"]
    assert "Support ticket reference" in page


def test_systems_outage_shows_before_any_lookup_with_manual_entry(agent_client, supervisor):
    outage_services.outage_declare(
        actor=supervisor, now=NOW - timedelta(minutes=5), title="Billing platform down",
        kind=lifecycle.SYSTEMS,
    )  # fmt: skip
    page = _text(_home(agent_client))
    assert "Our systems are down: Billing platform down" in page
    assert "can&#x27;t open your account" in page
    assert "Caller details by hand" in page
    assert "Account number (if the caller knows it)" in page


def test_query_count_does_not_grow_with_the_directory(
    agent_client, customer, outage, django_assert_num_queries, area
):
    from django.db import connection

    def count():
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert _home(agent_client, q="Juniper").status_code == 200
        return len(ctx.captured_queries)

    # The first lookup of an outage kind in a process also reads which outages have scripts
    # of their own and the kind's scripts (then kept under the library's version, in Redis).
    first = count()
    small = count()
    assert small == first - 2
    CustomerFactory.create_batch(60, area=area)
    OutageFactory.create_batch(3, areas=[ServiceAreaFactory()])
    assert count() == small
    # 10: the session, the user with their role, three tries of the lookup, the outages with
    # their latest timeline entries and the caller's refund review (the version comes from
    # them), the open callbacks, the messages sent to the customer, the ETR told (the promise
    # ledger) and the inbound call, one statement each (the inbound call takes two elsewhere
    # than PostgreSQL).
    assert small <= (10 if connection.vendor == "postgresql" else 11)


# --- the live region --------------------------------------------------------------------


def _live(client, customer, version=""):
    with time_machine.travel(NOW, tick=False):
        return client.get(
            reverse("console:live"), {"customer": customer.pk, "v": version}, headers=HX
        )


def _digest(page):
    return re.search(r'v=([0-9a-f]{16})"', page).group(1)


def test_live_region_is_204_while_nothing_changed(agent_client, customer, outage):
    digest = _digest(_text(_home(agent_client, q="ACC123456")))
    assert _live(agent_client, customer, digest).status_code == 204


def test_supervisors_cause_and_etr_change_reaches_the_open_screen(
    agent_client, customer, outage, supervisor
):
    digest = _digest(_text(_home(agent_client, q="ACC123456")))
    outage_services.outage_post_update(
        actor=supervisor,
        now=NOW,
        outage=outage,
        cause="A flooded street cabinet",
        etr=NOW + timedelta(hours=5),
        message="Cabinet pumped out.",
    )
    response = _live(agent_client, customer, digest)
    assert response.status_code == 200
    page = _text(response)
    assert 'id="call-live"' in page and "<html" not in page
    banner, scripts = page.split('class="script-cards"')
    assert "A flooded street cabinet" in banner
    assert "Cabinet pumped out." in banner
    assert "(in 5 h)" in banner
    # The cause script reads from the outage record: the agent's words change too.
    assert "A flooded street cabinet" in scripts
    assert "A fibre cable was cut" not in page
    assert _digest(page) != digest


def test_restoration_reaches_the_open_screen(agent_client, customer, outage, supervisor):
    outage_services.outage_restore(actor=supervisor, now=NOW, outage=outage)
    page = _text(_live(agent_client, customer))
    assert "Restored: Fibre cut on Route 9" in page
    assert "Known outage" not in page


def _version_of(page):
    match = re.search(r'data-version="([^"]*)"', page)
    url = re.search(r'data-version-url="([^"]*)"', page).group(1).replace("&amp;", "&")
    return match.group(1), url


def _check(client, url, version):
    with time_machine.travel(NOW, tick=False):
        return client.get(f"{url}&v={version}")


@pytest.fixture
def uncached_version(settings):
    settings.CONSOLE_LIVE_VERSION_CACHE_SECONDS = 0


def test_version_check_is_204_until_an_outage_of_the_area_changes(
    agent_client, customer, outage, supervisor, django_assert_max_num_queries, uncached_version
):
    version, url = _version_of(_text(_home(agent_client, q="ACC123456")))
    assert url.startswith(reverse("console:live_version")) and f"area={customer.area_id}" in url
    # One aggregate over the area's outages, nothing rendered (the session middleware of the
    # security settings still reads the session and the user: two more).
    with django_assert_max_num_queries(3):
        unchanged = _check(agent_client, url, version)
    assert unchanged.status_code == 204 and unchanged.content == b""

    outage_services.outage_post_update(
        actor=supervisor,
        now=NOW + timedelta(seconds=1),
        outage=outage,
        etr=NOW + timedelta(hours=6),
    )
    changed = _check(agent_client, url, version)
    assert changed.status_code == 200
    assert changed["Content-Type"].startswith("text/plain")
    new_version = changed.content.decode()
    assert new_version != version
    assert _check(agent_client, url, new_version).status_code == 204

    # An outage elsewhere leaves this screen alone; a new one covering the area does not.
    OutageFactory(areas=[ServiceAreaFactory()])
    assert _check(agent_client, url, new_version).status_code == 204
    OutageFactory(areas=[customer.area])
    assert _check(agent_client, url, new_version).status_code == 200


def test_version_check_sees_restoration_and_closing(
    agent_client, customer, outage, supervisor, uncached_version
):
    version, url = _version_of(_text(_home(agent_client, q="ACC123456")))
    outage_services.outage_restore(actor=supervisor, now=NOW, outage=outage)
    restored = _check(agent_client, url, version).content.decode()
    assert restored and restored != version
    outage_services.outage_close(actor=supervisor, now=NOW + timedelta(minutes=1), outage=outage)
    assert _check(agent_client, url, restored).status_code == 200


def test_version_check_is_cached_briefly_and_tells_nothing_about_customers(
    client, customer, outage, supervisor, settings, django_assert_max_num_queries
):
    settings.CONSOLE_LIVE_VERSION_CACHE_SECONDS = 0.5
    cache.clear()
    url = reverse("console:live_version")
    with time_machine.travel(NOW, tick=False):
        first = client.get(url, {"area": customer.area_id})
        assert re.fullmatch(r"\d+\.\d+", first.content.decode())
        with django_assert_max_num_queries(0):
            again = client.get(url, {"area": customer.area_id, "v": first.content.decode()})
        assert again.status_code == 204
    # Past the half second the database is asked again, and sees the change.
    outage_services.outage_post_update(
        actor=supervisor, now=NOW, outage=outage, etr=NOW + timedelta(hours=9)
    )
    with time_machine.travel(NOW + timedelta(seconds=1), tick=False):
        later = client.get(url, {"area": customer.area_id, "v": first.content.decode()})
    assert later.status_code == 200


def test_live_region_needs_an_agent(client, nobody, customer):
    client.force_login(nobody)
    assert _live(client, customer).status_code == 403


# --- suggestions while typing ---------------------------------------------------------------


def test_suggestions_wait_for_three_characters(agent_client, customer):
    response = agent_client.get(reverse("console:suggest"), {"q": "Ju"}, headers=HX)
    assert response.status_code == 200
    assert "Juniper" not in response.content.decode()


def test_suggestions_list_address_matches_to_pick(agent_client, customer, area):
    CustomerFactory(address="15 Juniper Lane", area=area)
    page = _text(agent_client.get(reverse("console:suggest"), {"q": "juniper"}, headers=HX))
    assert "14 Juniper Lane" in page and "15 Juniper Lane" in page
    assert f'href="/?customer={customer.pk}"' in page


def test_suggestions_say_when_nothing_matches(agent_client, customer):
    page = _text(agent_client.get(reverse("console:suggest"), {"q": "zzzz"}, headers=HX))
    assert "Nothing matches" in page


# --- filing a callback ------------------------------------------------------------------


def _file(client, **data):
    with time_machine.travel(NOW, tick=False):
        return client.post(reverse("console:file_callback"), data, headers=HX)


def test_filing_during_the_outage_promises_the_call_after_restoration(
    agent_client, customer, outage
):
    response = _file(
        agent_client,
        customer=customer.pk,
        outage=outage.pk,
        path="outage",
        name="Dana Whitfield",
        phone="202 555 0143",
        call_reason="Needs to set up a payment",
        category="billing",
        subcategory="payment",
        preferred_window="any",
    )
    page = _text(response)
    assert response.status_code == 200
    assert "Callback filed for Dana Whitfield" in page
    assert "within 8 hours of restoration" in page
    callback = CallbackRequest.objects.get()
    assert (callback.customer, callback.outage, callback.status) == (
        customer,
        outage,
        policy.WAITING,
    )
    assert callback.account_number == "ACC123456"
    # A short confirmation, and the form for another filing on the same call one click away,
    # pre-filled again.
    assert 'name="call_reason"' not in page
    link = re.search(r'hx-get="([^"]+)"[^>]*>File another callback<', page)
    again = agent_client.get(link.group(1).replace("&amp;", "&"), headers=HX)
    assert again.status_code == 200
    form = _text(again)
    assert 'value="Service outage: Fibre cut on Route 9"' in form
    assert 'value="Dana Whitfield"' in form and f'name="customer" value="{customer.pk}"' in form
    assert f'data-draft-key="callback-draft:outage:c{customer.pk}:o{outage.pk}"' in form
    # The confirmation names the draft it filed, so the page forgets it.
    assert f'data-callback-filed="callback-draft:outage:c{customer.pk}:o{outage.pk}"' in page


def test_technical_path_logs_the_ticket_and_says_when_we_call(agent_client, customer):
    page = _text(
        _file(
            agent_client,
            customer=customer.pk,
            path="technical",
            name="Dana Whitfield",
            phone="+12025550143",
            call_reason="Router keeps dropping",
            ticket_reference="TCK-4471",
            category="technical",
            subcategory="equipment",
            preferred_window="any",
        )
    )
    callback = CallbackRequest.objects.get()
    assert callback.ticket_reference == "TCK-4471"
    assert callback.due_at == NOW + timedelta(hours=8)
    assert "we will call them by" in page
    assert "Mon 23 Nov, 6:00 PM" in page and "(in 8 h)" in page
    assert "risk-on_track" in page


def test_systems_path_takes_name_phone_and_account_by_hand(agent_client, supervisor):
    outage = outage_services.outage_declare(
        actor=supervisor, now=NOW, title="CRM down", kind=lifecycle.SYSTEMS
    )
    _file(
        agent_client,
        outage=outage.pk,
        path="systems",
        name="Sam Ortega",
        phone="303-555-0188",
        account_number="ACC777",
        call_reason="Change of address",
        category="account",
        subcategory="details",
        preferred_window="any",
    )
    callback = CallbackRequest.objects.get()
    assert (callback.name, callback.phone, callback.account_number) == (
        "Sam Ortega",
        "+13035550188",
        "ACC777",
    )
    assert callback.customer is None


def test_bad_input_is_explained_beside_the_field_and_nothing_is_written(agent_client, outage):
    response = _file(
        agent_client, outage=outage.pk, path="outage", name="", phone="12", call_reason=""
    )
    page = _text(response)
    assert "Enter the customer&#x27;s name." in page
    assert "This is not a phone number." in page or "not valid" in page
    assert CallbackRequest.objects.count() == 0


def test_a_field_marked_invalid_is_marked_on_that_form_only(agent_client, customer, outage):
    """The form's fields are shaped once per process and copied for each form: a field marked
    invalid on one form is not marked on the next."""
    pages = [
        _text(_file(agent_client, **_filing_form(customer, outage, **bad)))
        for bad in ({"phone": "12"}, {"name": " "}, {"phone": "12"})
    ]
    assert re.search(r'name="name"[^>]*is-invalid', pages[1])
    for page in (pages[0], pages[2]):
        assert not re.search(r'name="name"[^>]*is-invalid', page)
        assert re.search(r'name="phone"[^>]*is-invalid', page)
    assert not re.search(r'name="phone"[^>]*is-invalid', pages[1])
    assert not CallbackRequest.objects.exists()


def _filing_form(customer, outage, **changes):
    return {
        "customer": customer.pk,
        "outage": outage.pk,
        "path": "outage",
        "name": customer.name,
        "phone": "202 555 0143",
        "call_reason": "No internet",
        "category": "outage",
        "subcategory": "no_service",
        "preferred_window": "any",
        **changes,
    }


def test_filing_is_one_statement(
    postgres_only, agent_client, customer, outage, django_assert_num_queries
):
    # The session, the user with their role, then one statement (PostgreSQL's): the outage
    # (under its lock), the customer, the check for an open callback for the same phone, the
    # callback and its event (in a savepoint here, as the test runs in a transaction).
    with django_assert_num_queries(5) as captured:
        assert _file(agent_client, **_filing_form(customer, outage)).status_code == 200
    assert sum("outages_outage" in q["sql"] for q in captured.captured_queries) == 1


def test_filing_for_a_customer_that_does_not_exist_is_a_404(agent_client, customer, outage):
    form = {**_filing_form(customer, outage), "customer": customer.pk + 1000}
    assert _file(agent_client, **form).status_code == 404
    assert _file(agent_client, **{**form, "phone": ""}).status_code == 404
    assert not CallbackRequest.objects.exists()


def test_filing_for_a_restored_outage_gives_the_deadline(
    agent_client, customer, outage, supervisor
):
    outage_services.outage_restore(actor=supervisor, now=NOW, outage=outage)
    page = _text(_file(agent_client, **_filing_form(customer, outage)))
    callback = CallbackRequest.objects.get()
    assert (callback.status, callback.due_at) == (policy.QUEUED, NOW + timedelta(hours=8))
    assert callback.account_number == "ACC123456"
    assert "we will call them by" in page


def test_filing_again_adds_to_the_open_callback_and_says_so(agent_client, customer, outage):
    _file(agent_client, **_filing_form(customer, outage))
    page = _text(_file(agent_client, **_filing_form(customer, outage, call_reason="Still down")))
    assert "Added to the open callback for Dana Whitfield." in page
    assert "within 8 hours of restoration" in page
    assert CallbackRequest.objects.count() == 1


def test_filing_for_an_outage_that_does_not_exist_is_a_404(agent_client, customer, outage):
    form = {**_filing_form(customer, outage), "outage": outage.pk + 1000}
    response = _file(agent_client, **form)
    assert response.status_code == 404
    assert not CallbackRequest.objects.exists()


def test_the_blank_form_carries_each_callers_own_details_escaped(
    agent_client, customer, outage, area
):
    """The form's fields are rendered once per outage and shape, then filled per caller."""
    other = CustomerFactory(name='Jo "O\'Neil" <b>&amp;', phone="+12025550199", area=area)
    first = _text(_home(agent_client, q="ACC123456"))
    second = _text(_home(agent_client, customer=other.pk))
    assert 'value="Dana Whitfield"' in first and 'value="+12025550143"' in first
    assert 'value="Jo &quot;O&#x27;Neil&quot; &lt;b&gt;&amp;amp;"' in second
    assert 'value="+12025550199"' in second
    assert "Dana Whitfield" not in second and "<b>" not in second
    for page in (first, second):
        assert 'value="Service outage: Fibre cut on Route 9"' in page
        assert "\ue000" not in page


def test_the_blank_fields_are_what_the_form_renders(customer, outage):
    initial = live_call.callback_initial(customer=customer, outage=outage, branch="outage")
    form = LiveCallbackForm(initial=initial)
    direct = render_to_string("console/_callback_fields.html", {"form": form})
    for _ in range(2):  # rendered, then from the process's copy
        assert callback_fields_html(initial=initial, manual_entry=False, asks_ticket=False) == (
            direct
        )


def test_filing_without_htmx_refuses_an_empty_form(agent_client):
    response = agent_client.post(reverse("console:file_callback"), {})
    assert response.status_code == 400


# --- the refund question ----------------------------------------------------------------


def test_refund_card_records_a_review_once(agent_client, customer, outage):
    page = _text(_home(agent_client, q="ACC123456"))
    assert "Record refund review" in page
    for _ in range(2):
        with time_machine.travel(NOW, tick=False):
            response = agent_client.post(
                reverse("console:refund_review"),
                {"customer": customer.pk, "outage": outage.pk},
                headers=HX,
            )
        assert response.status_code == 200
        assert "Refund review recorded" in _text(response)
    assert RefundReview.objects.filter(customer=customer, outage=outage).count() == 1
    # The live region now shows it as done, not as a button.
    page = _text(_home(agent_client, q="ACC123456"))
    assert "Refund review recorded" in page and "Record refund review" not in page


def test_refund_review_without_customer_is_refused(agent_client, outage):
    response = agent_client.post(
        reverse("console:refund_review"), {"outage": outage.pk}, headers=HX
    )
    assert response.status_code == 400
    assert RefundReview.objects.count() == 0


def test_customer_card_lists_the_callers_open_callbacks_by_risk(agent_client, customer, supervisor):
    CallbackFactory(
        customer=customer,
        outage=None,
        call_reason="Router keeps dropping",
        status=policy.QUEUED,
        due_at=NOW + timedelta(minutes=30),
    )
    page = _text(_home(agent_client, q="ACC123456"))
    assert "Open callbacks for this caller" in page
    assert "Router keeps dropping" in page
    assert '<span class="risk-at_risk">due <time' in page
    assert "(in 30 min)" in page
