"""Customer history: every interaction, the inbound call logged by the live-call screen and
the agent's one-line note of its outcome."""

import pytest
from django.urls import reverse

from callbacks import services as callback_services
from contact import services as contact_services
from contact.models import InboundCall
from reports import selectors
from tests.factories import CustomerFactory

from . import known_data

pytestmark = pytest.mark.django_db


def test_history_lists_every_interaction_newest_first(django_user_model):
    known = known_data.build(django_user_model)
    history = selectors.customer_history(known["customer"].pk)
    assert (history.inbound_calls, history.callbacks, history.attempts) == (4, 2, 1)
    assert history.refund_reviews == 1
    kinds = [entry.kind for entry in history.entries]
    assert kinds.count("inbound") == 4 and kinds.count("callback") == 2
    assert [e.at for e in history.entries] == sorted((e.at for e in history.entries), reverse=True)


def test_opening_a_card_logs_one_inbound_call_per_call(agent_client, agent):
    customer = CustomerFactory()
    url = reverse("console:home")
    agent_client.get(url, {"q": customer.account_number})
    agent_client.get(url, {"customer": customer.pk})  # the same call: a second look
    calls = list(InboundCall.objects.filter(customer=customer))
    assert len(calls) == 1 and calls[0].agent == agent


def test_a_suggestion_or_area_lookup_logs_nothing(agent_client):
    agent_client.get(reverse("console:home"), {"q": "nothing-matches-this"})
    assert not InboundCall.objects.exists()


def test_the_agent_notes_the_outcome_and_it_shows_on_the_history(agent_client, agent):
    customer = CustomerFactory()
    page = agent_client.get(reverse("console:home"), {"q": customer.account_number})
    html = page.content.decode()
    assert reverse("reports:customer_history", args=[customer.pk]) in html
    call = InboundCall.objects.get(customer=customer)
    assert "Outcome of this call" in html
    response = agent_client.post(
        reverse("console:inbound_note", args=[call.pk]),
        {"note": "Told them the ETR;   no callback wanted"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    call.refresh_from_db()
    assert call.note == "Told them the ETR; no callback wanted"
    history = agent_client.get(reverse("reports:customer_history", args=[customer.pk]))
    assert "Outcome: Told them the ETR; no callback wanted" in history.content.decode()


def test_an_empty_note_is_refused(agent_client, agent):
    customer = CustomerFactory()
    call = InboundCall.objects.create(customer=customer, agent=agent, at=known_data.at(9))
    response = agent_client.post(reverse("console:inbound_note", args=[call.pk]), {"note": "  "})
    assert response.status_code == 400


def test_only_the_agent_who_took_the_call_notes_it(agent, agent2):
    call = InboundCall.objects.create(customer=CustomerFactory(), agent=agent, at=known_data.at(9))
    with pytest.raises(callback_services.CallbackError):
        contact_services.inbound_call_note(
            actor=agent2, now=known_data.at(10), inbound_call=call, note="Not mine"
        )


def test_callback_page_links_to_the_history(django_user_model, lead_client):
    known = known_data.build(django_user_model)
    callback = known["customer"].callbacks.first()
    page = lead_client.get(reverse("callbacks:detail", args=[callback.pk]))
    assert reverse("reports:customer_history", args=[known["customer"].pk]) in page.content.decode()
