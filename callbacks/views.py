"""Callback pages: the queue by deadline and the team leads' queue of escalated callbacks.
One callback's page, the letters and the call logs are ``contact``'s."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from core.htmx import render_page_or_partial
from core.roles import TEAM_LEAD, agent_required, has_role, team_lead_required

from . import conf, policy, selectors

QUEUE_PAGE_SIZE = 200


@agent_required
@require_GET
@vary_on_headers("HX-Request")
def queue(request):
    callbacks = selectors.callbacks_queue()[:QUEUE_PAGE_SIZE]
    context = {
        "callbacks": callbacks,
        "now": timezone.now(),
        "can_lead": has_role(request.user, TEAM_LEAD),
    }
    return render_page_or_partial(request, "callbacks/queue.html", "queue-table", context)


@team_lead_required
@require_GET
def escalations(request):
    """The team leads' queue: callbacks agents escalated, earliest escalation deadline first."""
    now = timezone.now()
    rows = [
        {
            "callback": callback,
            "risk": policy.risk(
                due_at=callback.escalation_due_at, now=now, margin=conf.rules().at_risk_margin
            ),
        }
        for callback in selectors.callbacks_escalated()
    ]
    return render(
        request,
        "callbacks/escalations.html",
        {"rows": rows, "risk_labels": policy.RISK_LABELS, "now": now},
    )
