"""The IVR switch on an outage: announce or not, offer callbacks or not, in the timeline."""

import pytest
from django.urls import reverse
from django.utils import timezone

from outages import services
from tests.factories import OutageFactory, ServiceAreaFactory

pytestmark = pytest.mark.django_db


def test_switch_is_recorded_in_the_timeline_as_internal(supervisor):
    outage = OutageFactory(areas=[ServiceAreaFactory()])
    assert outage.ivr_announce and outage.ivr_offers_callbacks
    services.outage_set_ivr(
        actor=supervisor, now=timezone.now(), outage=outage, announce=True, offers_callbacks=False
    )
    outage.refresh_from_db()
    assert outage.ivr_announce and not outage.ivr_offers_callbacks
    row = outage.updates.get()
    assert row.public is False and row.author == supervisor
    assert row.message == "IVR: announced to callers, without the offer of a callback."
    # The same again changes nothing and writes nothing.
    services.outage_set_ivr(
        actor=supervisor, now=timezone.now(), outage=outage, announce=True, offers_callbacks=False
    )
    assert outage.updates.count() == 1


def test_callbacks_only_for_an_announced_outage(supervisor):
    outage = OutageFactory(areas=[ServiceAreaFactory()])
    with pytest.raises(services.OutageError) as refused:
        services.outage_set_ivr(
            actor=supervisor,
            now=timezone.now(),
            outage=outage,
            announce=False,
            offers_callbacks=True,
        )
    assert refused.value.field == "ivr_offers_callbacks"


def test_the_outage_page_sets_the_switch(supervisor_client):
    outage = OutageFactory(areas=[ServiceAreaFactory()])
    page = supervisor_client.get(reverse("outages:detail", args=[outage.pk])).content.decode()
    assert "The IVR offers those callers a callback" in page
    assert "moment=ivr_announcement" in page
    response = supervisor_client.post(
        reverse("outages:set_ivr", args=[outage.pk]), {"ivr_announce": "on"}
    )
    assert response.status_code == 302
    outage.refresh_from_db()
    assert outage.ivr_announce and not outage.ivr_offers_callbacks
    refused = supervisor_client.post(
        reverse("outages:set_ivr", args=[outage.pk]), {"ivr_offers_callbacks": "on"}
    )
    assert refused.status_code == 400
    assert "only offer callbacks for an outage it announces" in refused.content.decode()
