"""Callback pages: the queue by deadline, one callback with its call outcomes, the letters
queue and its printable letters, and the call-log export for the CRM."""

import csv
from datetime import UTC

from django.conf import settings
from django.contrib import messages
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from core.errors import add_error_to_form
from core.htmx import render_page_or_partial, wants_partial
from core.roles import TEAM_LEAD, agent_required, has_role, team_lead_required
from scripts_library import moments
from scripts_library.cards import cards_for_call

from . import categories, conf, policy, selectors, services
from .forms import AttemptForm, CallLogExportForm
from .models import CallbackRequest, Letter

QUEUE_PAGE_SIZE = 200


@agent_required
@vary_on_headers("HX-Request")
def queue(request):
    callbacks = selectors.callbacks_queue()[:QUEUE_PAGE_SIZE]
    context = {
        "callbacks": callbacks,
        "now": timezone.now(),
        "can_lead": has_role(request.user, TEAM_LEAD),
    }
    return render_page_or_partial(request, "callbacks/queue.html", "queue-table", context)


def _detail_context(request, callback, *, now, form=None, logged=""):
    cards = {
        card.moment: card
        for card in cards_for_call(
            wanted=moments.CALLBACK_CALL,
            outage=callback.outage,
            customer=callback.customer,
            agent=request.user,
            now=now,
            callback=callback,
        )
    }
    outcomes = [
        {
            "value": outcome,
            "label": policy.OUTCOME_LABELS[outcome],
            "script": cards.get(moments.BY_OUTCOME.get(outcome)),
        }
        for outcome in policy.OUTCOMES
    ]
    if form is None:
        form = AttemptForm(
            initial={
                "category": callback.category,
                "subcategory": callback.subcategory,
                "expected_number": callback.attempts + 1,
            }
        )
    return {
        "callback": callback,
        "attempts": list(callback.attempt_log.all()),
        "events": [
            {
                "event": event,
                "moved": event.from_status != event.to_status,
                "from_label": policy.STATUS_LABELS.get(event.from_status, "New"),
                "to_label": policy.STATUS_LABELS.get(event.to_status, event.to_status),
            }
            for event in callback.events.all()
        ],
        "letter": getattr(callback, "letter", None),
        "outcomes": outcomes,
        "form": form,
        "workable": callback.status in policy.WORKABLE_STATUSES,
        "can_log": policy.may_record_attempt(
            actor_id=request.user.pk,
            assigned_to_id=callback.assigned_to_id,
            actor_is_lead=has_role(request.user, TEAM_LEAD),
        ),
        "risk": policy.risk(due_at=callback.due_at, now=now, margin=conf.rules().at_risk_margin),
        "risk_labels": policy.RISK_LABELS,
        "category_label": categories.category_label(callback.category),
        "subcategory_label": categories.subcategory_label(callback.subcategory),
        "logged": logged,
        "now": now,
    }


def _callback_or_404(pk):
    try:
        return selectors.callback_detail(pk=pk)
    except CallbackRequest.DoesNotExist as exc:
        raise Http404("No such callback.") from exc


@agent_required
@require_GET
@vary_on_headers("HX-Request")
def detail(request, pk):
    callback = _callback_or_404(pk)
    context = _detail_context(request, callback, now=timezone.now())
    return render_page_or_partial(request, "callbacks/detail.html", "callback-body", context)


@agent_required
@require_POST
@vary_on_headers("HX-Request")
def record_attempt(request, pk):
    now = timezone.now()
    callback = get_object_or_404(CallbackRequest, pk=pk)
    form = AttemptForm(request.POST)
    status = 400
    logged = ""
    if form.is_valid():
        try:
            services.callback_record_attempt(
                actor=request.user, now=now, callback=callback, **form.cleaned_data
            )
        except services.NotYourCallback as exc:
            add_error_to_form(form, exc)
            status = 403
        except services.CallbackError as exc:
            add_error_to_form(form, exc)
            status = 409
        else:
            logged = policy.OUTCOME_LABELS[form.cleaned_data["outcome"]]
            if not request.htmx:
                messages.success(request, f"Call logged: {logged}.")
                return redirect("callbacks:detail", pk=pk)
            form = None
            status = 200
    callback = selectors.callback_detail(pk=pk)
    context = _detail_context(request, callback, now=now, form=form, logged=logged)
    if wants_partial(request):
        status = 200  # htmx swaps only 2xx responses: the refusal is shown in place
    return render_page_or_partial(
        request, "callbacks/detail.html", "callback-body", context, status=status
    )


@team_lead_required
@require_GET
def letters(request):
    context = {
        "to_send": list(selectors.letters_to_send()),
        "sent": list(selectors.letters_recently_sent()),
    }
    return render(request, "callbacks/letters.html", context)


@team_lead_required
@require_GET
def letter_print(request, pk):
    try:
        letter = selectors.letter_for_print(pk=pk)
    except Letter.DoesNotExist as exc:
        raise Http404("No such letter.") from exc
    context = {
        "letter": letter,
        "callback": letter.callback,
        "category_label": categories.category_label(letter.callback.category),
        "brand_name": settings.BRAND_NAME,
        "inbound_number": settings.INBOUND_NUMBER,
        "today": timezone.localdate(),
    }
    return render(request, "callbacks/letter_print.html", context)


@team_lead_required
@require_POST
def letter_mark_sent(request, pk):
    letter = get_object_or_404(Letter, pk=pk)
    try:
        services.letter_mark_sent(actor=request.user, now=timezone.now(), letter=letter)
    except services.CallbackError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Letter for {letter.name} marked sent.")
    return redirect("callbacks:letters")


CSV_COLUMNS = (
    "attempt_id",
    "attempted_at_utc",
    "agent",
    "agent_name",
    "callback_id",
    "account_number",
    "customer_name",
    "phone",
    "outage",
    "attempt_number",
    "outcome",
    "category",
    "subcategory",
    "subject",
    "notes",
)


class _Echo:
    def write(self, value):
        return value


def _text(value):
    """Free text as a spreadsheet will not run it as a formula."""
    value = str(value or "")
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv_rows(attempts):
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for attempt in attempts:
        callback = attempt.callback
        yield writer.writerow(
            (
                attempt.pk,
                attempt.at.astimezone(UTC).isoformat(),
                attempt.agent.get_username(),
                _text(attempt.agent.get_full_name()),
                callback.pk,
                _text(callback.account_number),
                _text(callback.name),
                callback.phone,
                _text(callback.outage.title if callback.outage else ""),
                attempt.number,
                policy.OUTCOME_LABELS.get(attempt.outcome, attempt.outcome),
                categories.category_label(attempt.category),
                categories.subcategory_label(attempt.subcategory),
                attempt.subject,
                _text(attempt.notes),
            )
        )


@team_lead_required
@require_GET
def call_logs(request):
    """The export page; with a range of days, the call logs of those days as CSV (streamed)."""
    if "start" not in request.GET and "end" not in request.GET:
        today = timezone.localdate()
        form = CallLogExportForm(initial={"start": today, "end": today})
        return render(request, "callbacks/call_logs.html", {"form": form})
    form = CallLogExportForm(request.GET)
    if not form.is_valid():
        return render(request, "callbacks/call_logs.html", {"form": form}, status=400)
    start, end = form.bounds()
    attempts = selectors.call_logs_between(start=start, end=end).iterator(chunk_size=2000)
    response = StreamingHttpResponse(_csv_rows(attempts), content_type="text/csv; charset=utf-8")
    filename = f"call-logs-{form.cleaned_data['start']}-to-{form.cleaned_data['end']}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
