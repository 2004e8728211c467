"""What the IVR hears when it asks about a caller: the status answer, made of the area's part
(the same for every caller of an area: ``selectors.area_status``, cached) and the caller's own
open callback. The DRF view (``views.ivr_status``, on gunicorn) and the events process
(``api.ivr_asgi``) both build their answers here, so the two cannot drift apart."""

from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from django.conf import settings
from django.utils import timezone

from . import serializers, wording


class OpenCallback(NamedTuple):
    """What the answer says of a caller's open callback (a ``CallbackRequest`` has these too)."""

    id: int
    status: str
    due_at: datetime | None
    outage_id: int | None


def choose_open_callback(open_ones, *, outage_id):
    """The open callback to speak of, from the caller's open ones (newest first): the one for
    the outage of their area first, else the newest. A phone has at most one open callback
    per outage, so the choice is made here rather than by an ordering expression (which costs
    more to build than the query costs to run)."""
    for callback in open_ones:
        if outage_id is not None and callback.outage_id == outage_id:
            return callback
    return open_ones[0] if open_ones else None


@lru_cache(maxsize=4096)
def area_fields(area):
    """The answer's fields that are the same for every caller of an area, serialized once per
    area answer (``area`` is a frozen ``AreaStatus``, so it is its own key): a storm of calls
    from one area builds them once, and each call adds only what is its own."""
    outage = None
    if area.outage_id:
        outage = serializers.IvrOutageSerializer(
            {
                "id": area.outage_id,
                "title": area.outage_title,
                "status": area.outage_status,
                "kind": area.outage_kind,
                "etr": datetime.fromisoformat(area.etr) if area.etr else None,
                "etr_in_words": area.etr_words,
            }
        ).data
    return {
        "area": serializers.AreaSerializer(
            {"code": area.area_code, "name": area.area_name, "region": area.area_region}
        ).data
        if area.area_id
        else None,
        "outage_covers_area": area.outage_id is not None,
        "outage": outage,
        "announce": area.announce,
        "announcement": area.announcement,
        "offers_callback": area.offers_callbacks,
    }


def open_callback_fields(callback, *, now):
    if callback is None:
        return None
    return serializers.OpenCallbackSerializer(
        {
            "id": callback.id,
            "status": callback.status,
            "expected_by": callback.due_at,
            "expected_in_words": wording.expected_callback(
                due_at=timezone.localtime(callback.due_at) if callback.due_at else None,
                now=timezone.localtime(now),
                target=settings.CALLBACK_TARGET,
            ),
        }
    ).data


def status_answer(*, matched_by, area, callback, now):
    """The ``IvrStatusSerializer`` answer: the area's fields (cached) and the caller's own."""
    return {
        "matched_by": matched_by,
        **area_fields(area),
        "open_callback": open_callback_fields(callback, now=now),
    }
