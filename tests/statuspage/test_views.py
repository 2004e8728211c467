"""The public status page: outages by area, lookup, history, web callback requests with
their signed link, rate limits and the honeypot. Never a customer's personal data."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from callbacks import policy
from callbacks.models import CallbackEvent, CallbackRequest
from notifications.models import Subscription
from outages import services as outage_services
from statuspage import services
from tests.factories import CoverageFactory, CustomerFactory, ServiceAreaFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def area():
    area = ServiceAreaFactory(name="Northgate", region="North")
    CoverageFactory(postal_code="N1A1A1", area=area)
    return area


@pytest.fixture
def quiet_area():
    area = ServiceAreaFactory(name="Southfield", region="South")
    CoverageFactory(postal_code="S1S1S1", area=area)
    return area


@pytest.fixture
def outage(area, supervisor):
    return outage_services.outage_declare(
        actor=supervisor,
        now=NOW - timedelta(hours=1),
        title="Fibre cut in Northgate",
        areas=[area],
        etr=NOW + timedelta(hours=3),
        started_at=NOW - timedelta(hours=1),
        message="Crews are on site.",
    )


@pytest.fixture
def customer(area):
    return CustomerFactory(
        area=area,
        account_number="ACC-77",
        name="Private Person",
        address="1 Secret Lane",
        postal_code="N1A1A1",
    )


def _request(client, *, address="198.51.100.7", **data):
    body = {
        "name": "Pat Visitor",
        "phone": "202-555-0188",
        "postal_code": "n1a 1a1",
        "reason": "No internet since this morning",
        "account_number": "",
        "website": "",
        **data,
    }
    return client.post(reverse("statuspage:callback_request"), body, REMOTE_ADDR=address)


def test_index_lists_outages_by_region_and_area_with_the_latest_public_update(
    client, outage, quiet_area, supervisor
):
    outage_services.outage_set_ivr(
        actor=supervisor, now=NOW, outage=outage, announce=False, offers_callbacks=False
    )
    response = client.get(reverse("statuspage:index"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "North" in page and "Northgate" in page and "Fibre cut in Northgate" in page
    assert "Crews are on site." in page
    assert "IVR" not in page  # internal timeline rows stay internal
    assert "public" in response["Cache-Control"] and "max-age" in response["Cache-Control"]
    assert "Set-Cookie" not in response.headers and not response.cookies


def test_lookup_by_postal_code(client, outage, quiet_area):
    hit = client.get(reverse("statuspage:lookup"), {"q": "n1a-1a1"}).content.decode()
    assert "Northgate: 1 known outage" in hit and "Fibre cut in Northgate" in hit
    quiet = client.get(reverse("statuspage:lookup"), {"q": "S1S1S1"}).content.decode()
    assert "Southfield: no known outage" in quiet
    unknown = client.get(reverse("statuspage:lookup"), {"q": "ZZZ999"}).content.decode()
    assert "could not find that area" in unknown


def test_an_account_number_reveals_only_the_area(client, outage, customer):
    response = client.get(reverse("statuspage:lookup"), {"q": "ACC-77"})
    page = response.content.decode()
    assert "Northgate: 1 known outage" in page
    for secret in ("Private Person", "1 Secret Lane", customer.phone):
        assert secret not in page
    assert "private" in response["Cache-Control"]


def test_history_of_the_last_30_days(client, area, supervisor):
    old = outage_services.outage_declare(
        actor=supervisor,
        now=NOW - timedelta(days=40),
        title="Long ago",
        areas=[area],
        started_at=NOW - timedelta(days=40),
    )
    recent = outage_services.outage_declare(
        actor=supervisor,
        now=NOW - timedelta(days=3),
        title="Last week",
        areas=[area],
        started_at=NOW - timedelta(days=3),
    )
    outage_services.outage_restore(
        actor=supervisor, now=NOW - timedelta(days=3) + timedelta(hours=2), outage=recent
    )
    page = client.get(reverse("statuspage:history")).content.decode()
    assert "Last week" in page and "2 h" in page
    assert old.title not in page


def test_web_callback_request_confirms_when_to_expect_the_call(client, outage):
    response = _request(client)
    assert response.status_code == 302
    callback = CallbackRequest.objects.get()
    assert callback.channel == policy.WEB_CHANNEL and callback.outage == outage
    assert callback.phone == "+12025550188" and callback.status == policy.WAITING
    page = client.get(response["Location"]).content.decode()
    assert "We have your request." in page
    assert "We will call you within 8 hours of the service being restored." in page
    assert "ending in 0188" in page


def test_the_same_phone_again_is_merged_not_duplicated(client, outage):
    _request(client)
    _request(client, address="198.51.100.8")
    assert CallbackRequest.objects.count() == 1


def test_an_account_number_with_the_right_postal_code_links_the_customer(client, outage, customer):
    _request(client, account_number="ACC-77")
    assert CallbackRequest.objects.get().customer == customer
    CallbackRequest.objects.all().delete()
    _request(client, account_number="ACC-77", postal_code="S1S1S1", phone="2025550199")
    assert CallbackRequest.objects.get().customer is None


def test_form_errors_are_shown_beside_their_fields(client, area):
    response = _request(client, phone="12", name="", reason="")
    assert response.status_code == 400
    page = response.content.decode()
    assert "not a phone number" in page or "not valid" in page
    assert not CallbackRequest.objects.exists()


def test_the_honeypot_files_nothing(client, outage):
    response = _request(client, website="http://spam.example")
    assert response.status_code == 200
    assert "Request received" in response.content.decode()
    assert not CallbackRequest.objects.exists()


def test_cancel_by_the_signed_link(client, outage):
    location = _request(client)["Location"]
    token = location.split("/")[-2]
    response = client.post(reverse("statuspage:callback_cancel", kwargs={"token": token}))
    assert response.status_code == 302
    callback = CallbackRequest.objects.get()
    assert callback.status == policy.CANCELLED
    assert CallbackEvent.objects.filter(
        callback=callback, to_status=policy.CANCELLED, reason__contains="customer"
    ).exists()
    page = client.get(location).content.decode()
    assert "This request is closed" in page
    again = client.post(reverse("statuspage:callback_cancel", kwargs={"token": token}))
    assert again.status_code == 400


def test_correct_the_number_by_the_signed_link(client, outage):
    token = _request(client)["Location"].split("/")[-2]
    url = reverse("statuspage:callback_change_phone", kwargs={"token": token})
    assert client.post(url, {"phone": "nope"}).status_code == 400
    assert client.post(url, {"phone": "(202) 555-0123"}).status_code == 302
    assert CallbackRequest.objects.get().phone == "+12025550123"


def test_a_forged_or_foreign_link_is_404(client, outage, agent):
    token = _request(client)["Location"].split("/")[-2]
    assert (
        client.get(reverse("statuspage:callback", kwargs={"token": token + "x"})).status_code == 404
    )
    other = CallbackRequest.objects.create(
        outage=outage,
        name="Agent filed",
        phone="+12025550111",
        call_reason="x",
        created_by=agent,
        created_at=NOW,
        updated_at=NOW,
    )
    foreign = services.callback_link_token(other)
    assert client.get(reverse("statuspage:callback", kwargs={"token": foreign})).status_code == 404


def test_500_lookups_from_one_address_are_throttled_with_a_clear_message(client, outage):
    answers = [
        client.get(reverse("statuspage:lookup"), {"q": "N1A1A1"}, REMOTE_ADDR="203.0.113.9")
        for _ in range(500)
    ]
    codes = [a.status_code for a in answers]
    assert codes.count(200) == 120 and codes.count(429) == 380
    limited = answers[-1]
    assert "too many lookups" in limited.content.decode()
    assert limited["Retry-After"] == "3600"
    # Another address is not affected.
    other = client.get(reverse("statuspage:lookup"), {"q": "N1A1A1"}, REMOTE_ADDR="203.0.113.10")
    assert other.status_code == 200


def test_callback_requests_from_one_address_are_throttled(client, outage):
    codes = [_request(client, phone=f"20255501{n:02d}").status_code for n in range(12)]
    assert codes[:10] == [302] * 10 and codes[10:] == [429, 429]
    assert CallbackRequest.objects.count() == 10


def test_50_requests_for_one_phone_are_throttled_with_a_clear_message(client, outage):
    answers = [_request(client, address=f"198.51.100.{n}") for n in range(1, 51)]
    codes = [a.status_code for a in answers]
    assert codes[:3] == [302, 302, 302] and set(codes[3:]) == {429}
    page = answers[-1].content.decode()
    assert "too many callback requests for this phone number" in page
    assert CallbackRequest.objects.count() == 1  # and the three were one request anyway


# --- outage updates for a postal code (double opt-in) ----------------------------------------


def _subscribe(client, *, remote="198.51.100.7", **data):
    body = {"postal_code": "n1a 1a1", "channel": "sms", "address": "202-555-0188", **data}
    body.setdefault("website", "")
    return client.post(reverse("statuspage:subscribe"), body, REMOTE_ADDR=remote)


def test_subscribe_form_is_offered_on_the_status_page(client, area):
    assert (
        reverse("statuspage:subscribe") in client.get(reverse("statuspage:index")).content.decode()
    )
    page = client.get(reverse("statuspage:subscribe") + "?postal_code=N1A1A1").content.decode()
    assert 'value="N1A1A1"' in page and 'name="website"' in page


def test_subscribe_asks_for_confirmation_first(client, area):
    response = _subscribe(client)
    assert response.status_code == 200
    assert "Check your text messages" in response.content.decode()
    subscription = Subscription.objects.get()
    assert (subscription.postal_code, subscription.channel, subscription.address) == (
        "N1A1A1",
        "sms",
        "+12025550188",
    )
    assert subscription.status == Subscription.Status.PENDING and subscription.area == area

    response = _subscribe(client, channel="email", address=" Pat@Example.NET ")
    assert "Check your email" in response.content.decode()
    assert Subscription.objects.filter(channel="email", address="pat@example.net").exists()


def test_the_answer_never_says_whether_an_address_is_already_subscribed(client, area):
    first = _subscribe(client).content.decode()
    subscription = Subscription.objects.get()
    subscription.status = Subscription.Status.CONFIRMED
    subscription.save()
    again = _subscribe(client).content.decode()
    assert first == again
    assert "+12025550188" not in again and "202-555-0188" not in again
    assert Subscription.objects.get().status == Subscription.Status.CONFIRMED


def test_subscribe_errors_are_shown_beside_their_fields(client, area):
    response = _subscribe(client, address="12")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_address_error"' in page

    response = _subscribe(client, channel="email", address="not-an-email")
    assert response.status_code == 400
    assert "That email address is not valid." in response.content.decode()

    # The service's refusal, beside the postal code.
    response = _subscribe(client, postal_code="Z9Z9Z9")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_postal_code_error">We do not serve that postal code.' in page

    response = _subscribe(client, channel="pigeon")
    assert response.status_code == 400 and 'id="id_channel_error"' in response.content.decode()
    assert not Subscription.objects.exists()


def test_the_subscribe_honeypot_sends_nothing(client, area):
    response = _subscribe(client, website="http://spam.example")
    assert response.status_code == 200
    assert "Check your text messages" in response.content.decode()
    assert not Subscription.objects.exists()


def test_subscriptions_from_one_address_are_throttled(client, area):
    codes = [
        _subscribe(client, remote="198.51.100.9", address=f"20255501{n:02d}").status_code
        for n in range(12)
    ]
    assert codes[:10] == [200] * 10 and codes[10:] == [429, 429]
    assert Subscription.objects.count() == 10


def test_one_phone_gets_at_most_three_confirmations_a_day(client, area):
    answers = [_subscribe(client, remote=f"198.51.100.{n}") for n in range(1, 8)]
    codes = [a.status_code for a in answers]
    assert codes[:3] == [200, 200, 200] and set(codes[3:]) == {429}
    page = answers[-1].content.decode()
    assert "too many requests for updates to this phone number or email address" in page
    assert "+12025550188" not in page


def test_each_visitor_sees_their_own_query_escaped_in_an_areas_kept_page(client, outage):
    first = client.get(reverse("statuspage:lookup"), {"q": "n1a-1a1"}).content.decode()
    second = client.get(reverse("statuspage:lookup"), {"q": 'N1A1A1"><b>'}).content.decode()
    assert 'value="n1a-1a1"' in first
    assert 'value="N1A1A1&quot;&gt;&lt;b&gt;"' in second and "<b>" not in second
    assert "q-mark" not in first + second
