"""Routes of the callbacks app for the role walk in tests/console/test_urls.py (same format)."""

from datetime import timedelta

from django.utils import timezone

from callbacks import policy
from callbacks.models import Letter
from core import roles
from tests.factories import CallbackFactory

ROUTES = {
    "callbacks:queue": ("get", roles.AGENT, 200, {}),
    "callbacks:detail": ("get", roles.AGENT, 200, {"pk": "callback"}),
    # An empty POST is a refused form.
    "callbacks:record_attempt": ("post", roles.AGENT, 400, {"pk": "callback"}),
    # An empty POST is a refused form.
    "callbacks:cancel": ("post", roles.AGENT, 400, {"pk": "callback"}),
    "callbacks:reopen": ("post", roles.TEAM_LEAD, 302, {"pk": "cancelled"}),
    "callbacks:numbers": ("post", roles.AGENT, 400, {"pk": "callback"}),
    "callbacks:window": ("post", roles.AGENT, 400, {"pk": "callback"}),
    "callbacks:escalate": ("post", roles.AGENT, 400, {"pk": "callback"}),
    "callbacks:escalations": ("get", roles.TEAM_LEAD, 200, {}),
    "callbacks:letters": ("get", roles.TEAM_LEAD, 200, {}),
    "callbacks:letters_batch_pdf": ("get", roles.TEAM_LEAD, 200, {}),
    "callbacks:letters_batch_csv": ("get", roles.TEAM_LEAD, 200, {}),
    # No letters posted: nothing is marked, back to the letters queue.
    "callbacks:letters_batch_sent": ("post", roles.TEAM_LEAD, 302, {}),
    "callbacks:letter_print": ("get", roles.TEAM_LEAD, 200, {"pk": "letter"}),
    # Marking a letter sent needs no fields: it is done, then back to the letters queue.
    "callbacks:letter_mark_sent": ("post", roles.TEAM_LEAD, 302, {"pk": "letter"}),
    "callbacks:call_logs": ("get", roles.TEAM_LEAD, 200, {}),
}


def objects():
    now = timezone.now()
    lettered = CallbackFactory(status=policy.LETTER, due_at=now + timedelta(hours=1), attempts=2)
    letter = Letter.objects.create(callback=lettered, name=lettered.name, produced_at=now)
    cancelled = CallbackFactory(
        status=policy.CANCELLED,
        cancelled_from=policy.WAITING,
        cancelled_at=now,
        cancel_reason=policy.DUPLICATE,
    )
    return {"callback": CallbackFactory().pk, "letter": letter.pk, "cancelled": cancelled.pk}
