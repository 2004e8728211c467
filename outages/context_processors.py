from django.utils.functional import SimpleLazyObject

from core import roles

from . import selectors

HEADER_LIMIT = 5


def escalations(request):
    """Open escalations, for the header of every page a supervisor sees.

    Supervisors only, and lazy: the one query runs when a full page renders the header, never
    for an htmx partial or another role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not roles.has_role(user, roles.SUPERVISOR):
        return {}
    return {
        "open_escalations": SimpleLazyObject(
            lambda: selectors.escalations_open(limit=HEADER_LIMIT + 1)
        ),
        "escalations_header_limit": HEADER_LIMIT,
    }
