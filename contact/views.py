"""The callback pages: the queue by deadline, the team leads' escalated callbacks, one
callback's page (its call outcomes and the actions on it), the letters queue with its printable
letters and the day's batch, and the call-log export for the CRM.

Served under ``/callbacks/`` with the ``callbacks`` URL names (``contact/urls.py``)."""

import csv
from datetime import UTC

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from callbacks import categories, conf, policy
from callbacks import selectors as callback_selectors
from callbacks import services as callback_services
from callbacks.models import CallbackRequest, Letter
from core.audit import audit_record, request_address
from core.errors import add_error_to_form
from core.htmx import render_page_or_partial, wants_partial
from core.roles import TEAM_LEAD, agent_required, has_role, team_lead_required
from core.validation import parse_id
from schedule import policy as schedule
from scripts_library import moments
from scripts_library.cards import cards_for_call

from . import changes, letter_documents, rules, selectors, services
from .forms import (
    AttemptForm,
    CallLogExportForm,
    CancelForm,
    EscalateForm,
    LetterBatchForm,
    LetterBatchSentForm,
    NumbersForm,
    ReopenForm,
    WindowForm,
)

CALL_LOGS_EXPORTED = "call_logs.exported"


def _detail_context(request, callback, *, now, form=None, logged="", forms=None, done=""):
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
    if form is None:
        form = AttemptForm(
            initial={
                "category": callback.category,
                "subcategory": callback.subcategory,
                "expected_number": callback.attempts + 1,
            }
        )
    return {
        **_action_forms(forms or {}, callback),
        **_what_user_may_do(request.user, callback, now=now),
        "dial_number": callback.dial_number,
        "cancel_reason_label": policy.CANCEL_REASONS.get(callback.cancel_reason, ""),
        "callback": callback,
        "attempts": list(callback.attempt_log.all()),
        "events": _timeline_rows(callback),
        "letter": getattr(callback, "letter", None),
        "outcomes": _outcome_buttons(cards),
        "form": form,
        "workable": callback.status in policy.WORKABLE_STATUSES,
        "risk": policy.risk(due_at=callback.due_at, now=now, margin=conf.rules().at_risk_margin),
        "risk_labels": policy.RISK_LABELS,
        "consent_script": cards.get(moments.CALLBACK_CONSENT_REFUSED),
        "escalation_script": cards.get(moments.CALLBACK_ESCALATION),
        "category_label": categories.category_label(callback.category),
        "subcategory_label": categories.subcategory_label(callback.subcategory),
        "logged": logged,
        "done": done,
        "now": now,
    }


def _outcome_buttons(cards):
    """One button per outcome, with the script the agent reads for it."""
    return [
        {
            "value": outcome,
            "label": policy.OUTCOME_LABELS[outcome],
            "script": cards.get(moments.BY_OUTCOME.get(outcome)),
        }
        for outcome in policy.OUTCOMES
    ]


def _what_user_may_do(user, callback, *, now):
    """Which of the page's actions this user may take on this callback now: the agent who
    holds it or a team lead; reopening is a team lead's, within the reopen period."""
    is_lead = has_role(user, TEAM_LEAD)
    holds_or_leads = is_lead or callback.assigned_to_id == user.pk
    return {
        "can_cancel": callback.status in rules.CANCELLABLE_STATUSES and holds_or_leads,
        "can_change": callback.status in policy.OPEN_STATUSES and holds_or_leads,
        "can_escalate": callback.status in policy.WORKABLE_STATUSES
        and callback.escalated_at is None
        and holds_or_leads,
        "can_reopen": is_lead
        and callback.status == policy.CANCELLED
        and callback.cancelled_at is not None
        and now - callback.cancelled_at <= rules.REOPEN_PERIOD,
        "can_log": policy.may_record_attempt(
            actor_id=user.pk,
            assigned_to_id=callback.assigned_to_id,
            actor_is_lead=is_lead,
        ),
    }


def _timeline_rows(callback):
    return [
        {
            "event": event,
            "moved": event.from_status != event.to_status,
            "from_label": policy.STATUS_LABELS.get(event.from_status, "New"),
            "to_label": policy.STATUS_LABELS.get(event.to_status, event.to_status),
        }
        for event in callback.events.all()
    ]


ACTION_FORMS = {
    "cancel_form": (CancelForm, "cancel"),
    "reopen_form": (ReopenForm, "reopen"),
    "numbers_form": (NumbersForm, "numbers"),
    "window_form": (WindowForm, "window"),
    "escalate_form": (EscalateForm, "escalate"),
}


def _initial(callback):
    zone = timezone.get_current_timezone()

    def local(value):
        return value.astimezone(zone).replace(tzinfo=None) if value else None

    return {
        "numbers_form": {
            "phone": callback.phone,
            "phone_2": callback.phone_2,
            "phone_3": callback.phone_3,
        },
        "window_form": {
            "preferred_window": callback.preferred_window,
            "window_start": local(callback.window_start)
            if callback.preferred_window == schedule.SLOT
            else None,
            "window_end": local(callback.window_end)
            if callback.preferred_window == schedule.SLOT
            else None,
        },
    }


def _action_forms(bound, callback):
    """The forms of the callback's actions, unbound unless one was just posted with errors."""
    initial = _initial(callback)
    return {
        key: bound.get(key) or form_class(prefix=prefix, initial=initial.get(key))
        for key, (form_class, prefix) in ACTION_FORMS.items()
    }


def _act(request, pk, *, form_key, perform, done):
    """One action on a callback from its page: validate the form, call the service, then show
    the page again (its partial under htmx; a redirect otherwise). A refusal is shown beside
    the form, with 200 under htmx (htmx swaps only 2xx) and 400/409 otherwise."""
    now = timezone.now()
    callback = get_object_or_404(CallbackRequest, pk=pk)
    form_class, prefix = ACTION_FORMS[form_key]
    form = form_class(request.POST, prefix=prefix)
    status = 400
    message = ""
    if form.is_valid():
        try:
            perform(callback=callback, now=now, data=form.cleaned_data)
        except callback_services.CallbackError as exc:
            add_error_to_form(form, exc)
            status = 409
        else:
            if not request.htmx:
                messages.success(request, done)
                return redirect("callbacks:detail", pk=pk)
            form, status, message = None, 200, done
    callback = callback_selectors.callback_detail(pk=pk)
    bound = {form_key: form} if form is not None else {}
    context = _detail_context(request, callback, now=now, forms=bound, done=message)
    if wants_partial(request):
        status = 200  # htmx swaps only 2xx responses: the refusal is shown in place
    return render_page_or_partial(
        request, "contact/detail.html", "callback-body", context, status=status
    )


@agent_required
@require_POST
@vary_on_headers("HX-Request")
def cancel(request, pk):
    def perform(*, callback, now, data):
        changes.callback_cancel(
            actor=request.user, now=now, callback=callback, reason=data["reason"], note=data["note"]
        )

    return _act(request, pk, form_key="cancel_form", perform=perform, done="Callback cancelled")


@team_lead_required
@require_POST
@vary_on_headers("HX-Request")
def reopen(request, pk):
    def perform(*, callback, now, data):
        changes.callback_reopen(actor=request.user, now=now, callback=callback, note=data["note"])

    return _act(request, pk, form_key="reopen_form", perform=perform, done="Callback reopened")


@agent_required
@require_POST
@vary_on_headers("HX-Request")
def numbers(request, pk):
    def perform(*, callback, now, data):
        changes.callback_numbers_set(
            actor=request.user,
            now=now,
            callback=callback,
            numbers=[data["phone"], data["phone_2"], data["phone_3"]],
        )

    return _act(request, pk, form_key="numbers_form", perform=perform, done="Numbers saved")


@agent_required
@require_POST
@vary_on_headers("HX-Request")
def window(request, pk):
    def perform(*, callback, now, data):
        changes.callback_window_set(
            actor=request.user,
            now=now,
            callback=callback,
            preferred_window=data["preferred_window"],
            window_start=data["window_start"],
            window_end=data["window_end"],
        )

    return _act(request, pk, form_key="window_form", perform=perform, done="Preferred time saved")


@agent_required
@require_POST
@vary_on_headers("HX-Request")
def escalate(request, pk):
    def perform(*, callback, now, data):
        changes.callback_escalate(
            actor=request.user, now=now, callback=callback, reason=data["reason"]
        )

    return _act(
        request, pk, form_key="escalate_form", perform=perform, done="Escalated to a team lead"
    )


def _callback_or_404(pk):
    try:
        return callback_selectors.callback_detail(pk=pk)
    except CallbackRequest.DoesNotExist as exc:
        raise Http404("No such callback.") from exc


@agent_required
@require_GET
@vary_on_headers("HX-Request")
def detail(request, pk):
    callback = _callback_or_404(pk)
    context = _detail_context(request, callback, now=timezone.now())
    return render_page_or_partial(request, "contact/detail.html", "callback-body", context)


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
        except callback_services.CallbackError as exc:
            add_error_to_form(form, exc)
            status = 409
        else:
            logged = policy.OUTCOME_LABELS[form.cleaned_data["outcome"]]
            if not request.htmx:
                messages.success(request, f"Call logged: {logged}.")
                return redirect("callbacks:detail", pk=pk)
            form = None
            status = 200
    callback = callback_selectors.callback_detail(pk=pk)
    context = _detail_context(request, callback, now=now, form=form, logged=logged)
    if wants_partial(request):
        status = 200  # htmx swaps only 2xx responses: the refusal is shown in place
    return render_page_or_partial(
        request, "contact/detail.html", "callback-body", context, status=status
    )


def _batch_form(request):
    if "day" in request.GET:
        return LetterBatchForm(request.GET)
    return LetterBatchForm({"day": timezone.localdate().isoformat()})


@team_lead_required
@require_GET
def letters(request):
    batch_form = _batch_form(request)
    batch = list(selectors.letters_batch(up_to=batch_form.up_to())) if batch_form.is_valid() else []
    context = {
        "to_send": list(selectors.letters_to_send()),
        "sent": list(selectors.letters_recently_sent()),
        "batch_form": batch_form,
        "batch": batch,
    }
    return render(
        request, "contact/letters.html", context, status=200 if batch_form.is_valid() else 400
    )


def _batch_or_400(request):
    form = _batch_form(request)
    if not form.is_valid():
        return form, None
    return form, list(selectors.letters_batch(up_to=form.up_to()))


@team_lead_required
@require_GET
def letters_batch_pdf(request):
    """The day's letters as one PDF, a page each, for printing."""
    form, batch = _batch_or_400(request)
    if batch is None:
        return HttpResponse("Enter a valid day.", status=400, content_type="text/plain")
    document = letter_documents.letters_pdf(
        batch,
        today=timezone.localdate(),
        brand_name=settings.BRAND_NAME,
        inbound_number=settings.INBOUND_NUMBER,
    )
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="letters-to-{form.cleaned_data["day"]}.pdf"'
    )
    return response


@team_lead_required
@require_GET
def letters_batch_csv(request):
    """The day's letters for the mail correspondence system."""
    form, batch = _batch_or_400(request)
    if batch is None:
        return HttpResponse("Enter a valid day.", status=400, content_type="text/plain")
    response = HttpResponse(
        letter_documents.letters_csv(batch), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="letters-to-{form.cleaned_data["day"]}.csv"'
    )
    return response


@team_lead_required
@require_POST
def letters_batch_sent(request):
    """Mark the batch the team lead exported as posted, all at once. The page posts the ids
    it showed, so a letter produced after the export is not marked by mistake."""
    ids = request.POST.getlist("letters")
    form = LetterBatchSentForm(
        request.POST, letter_ids=[pk for pk in map(parse_id, ids) if pk is not None]
    )
    if not form.is_valid() or not form.cleaned_data["letters"]:
        messages.error(request, "No letters to mark sent.")
        return redirect("callbacks:letters")
    count = services.letters_mark_sent_batch(
        actor=request.user, now=timezone.now(), letter_ids=form.cleaned_data["letters"]
    )
    messages.success(request, f"{count} letter{'s' if count != 1 else ''} marked sent.")
    return redirect("callbacks:letters")


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
    return render(request, "contact/letter_print.html", context)


@team_lead_required
@require_POST
def letter_mark_sent(request, pk):
    letter = get_object_or_404(Letter, pk=pk)
    try:
        services.letter_mark_sent(actor=request.user, now=timezone.now(), letter=letter)
    except callback_services.CallbackError as exc:
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
    "channel",
)


class _Echo:
    def write(self, value):
        return value


_text = letter_documents.spreadsheet_safe


def _csv_rows(attempts):
    # Every cell quoted: a ";" inside a cell cannot split it for a ";"-separated spreadsheet.
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)
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
                callback.channel,
            )
        )


@team_lead_required
@require_GET
def call_logs(request):
    """The export page; with a range of days, the call logs of those days as CSV (streamed)."""
    if "start" not in request.GET and "end" not in request.GET:
        today = timezone.localdate()
        form = CallLogExportForm(initial={"start": today, "end": today})
        return render(request, "contact/call_logs.html", {"form": form})
    form = CallLogExportForm(request.GET)
    if not form.is_valid():
        return render(request, "contact/call_logs.html", {"form": form}, status=400)
    start, end = form.bounds()
    logs = selectors.call_logs_between(start=start, end=end)
    first, last = form.cleaned_data["start"], form.cleaned_data["end"]
    audit_record(
        action=CALL_LOGS_EXPORTED,
        actor=request.user,
        subject=f"{first} to {last}",
        detail={"start": str(first), "end": str(last), "rows": logs.count()},
        ip_address=request_address(request),
    )
    attempts = logs.iterator(chunk_size=2000)
    response = StreamingHttpResponse(_csv_rows(attempts), content_type="text/csv; charset=utf-8")
    filename = f"call-logs-{form.cleaned_data['start']}-to-{form.cleaned_data['end']}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# The queue by deadline and the team leads' queue of escalated callbacks

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
