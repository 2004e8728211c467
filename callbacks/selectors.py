"""Reads about callbacks that views and tasks share."""

from .models import CallbackRequest


def callbacks_queue():
    """Due work, earliest deadline first."""
    return (
        CallbackRequest.objects.workable()
        .select_related("outage", "assigned_to")
        .order_by("due_at", "id")
    )


def callbacks_waiting_count():
    return CallbackRequest.objects.filter(status="waiting").count()
