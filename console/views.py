"""The live-call screen: lookup -> area -> outages -> scripts -> callback form.

The outage banner and the script cards sit in one live region that the page polls
(``console:live``): a supervisor's change of cause or ETR, or a restoration, reaches every
agent's open screen without a reload. The poll answers 204 (nothing to swap) while the region
is unchanged, so the agent's focus and screen readers are left alone.
"""

import hashlib
import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from callbacks import selectors as callback_selectors
from callbacks import services as callback_services
from contact import selectors as contact_selectors
from contact import services as contact_services
from core.errors import add_error_to_form
from core.htmx import render_page_or_partial
from core.roles import agent_required
from core.validation import QUERY_MAX_LENGTH, clean_query, parse_id
from notifications import selectors as notification_selectors
from notifications import services as notification_services
from outages import selectors as outage_selectors
from outages import services as outage_services
from outages.models import Customer, Outage
from scripts_library import placeholders

from . import call as live_call
from . import live_events as push
from .forms import InboundNoteForm, LiveCallbackForm, RefundReviewForm, callback_fields_html

SUGGEST_MIN_LENGTH = 3
BAD_QUERY = (
    f"This search cannot be run: use at most {QUERY_MAX_LENGTH} characters and no control "
    "characters (such as NUL)."
)
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def live_refresh_seconds():
    """The full refresh of the live region: a safety net (the "at risk" and "overdue" marks of
    an ETR, a missed change). Changes come pushed or through the version check, and the page
    moves relative times ("in 3 h 10 min") along itself: 2,000 open screens refresh about 7
    times a second in all, not 33."""
    return getattr(settings, "CONSOLE_LIVE_REFRESH_SECONDS", 300)


def live_version_check_ms():
    """How often the open screen asks whether its outages changed (a 204 while not)."""
    return getattr(settings, "CONSOLE_LIVE_VERSION_CHECK_MS", 1000)


def _query(request):
    """The lookup text, or ``None`` when it cannot be searched for (refused with 400)."""
    return clean_query(request.GET.get("q", ""))


def _customer_id(request):
    return parse_id(request.GET.get("customer", ""))


def _build_call(request, now, query):
    return live_call.build_call(
        query=query,
        customer_id=_customer_id(request),
        agent=request.user,
        now=now,
    )


def _live_region(request, call, now):
    """The banner and scripts as HTML, and a digest of them for the poll to compare."""
    context = {
        "call": call,
        "now": now,
        "refund_requested_at": call.refund_requested_at,
    }
    html = render_to_string("console/_live.html", context, request=request)
    digest = hashlib.sha256(_CSRF_INPUT.sub("", html).encode()).hexdigest()[:16]
    return {
        "live_html": mark_safe(html),
        "live_digest": digest,
        "events_url": _live_events_url(call),
        "events_spread_seconds": live_events_spread_seconds(),
        "etr_gap": placeholders.GAPS["ETR"],
    }


def _record_etr_told(request, call, now):
    """The screen shows the outage's ETR for this customer: the promise ledger keeps it, so
    that a missed time is apologised for first."""
    if call.branch == live_call.OUTAGE and call.customer is not None:
        notification_services.etr_promise_record(
            customer=call.customer, outage=call.outage, agent=request.user, now=now
        )


def _blank_callback_fields(*, customer, outage, branch, manual_entry, asks_ticket):
    """The callback form as the call starts it (the customer's and the outage's details)."""
    return callback_fields_html(
        initial=live_call.callback_initial(customer=customer, outage=outage, branch=branch),
        manual_entry=manual_entry,
        asks_ticket=asks_ticket,
    )


@require_GET
@agent_required
@vary_on_headers("HX-Request")
def home(request):
    now = timezone.now()
    query = _query(request)
    if query is None:
        context = {"query_error": BAD_QUERY, "refresh_seconds": live_refresh_seconds()}
        return render(request, "console/call.html", context, status=400)
    call = _build_call(request, now, query)
    context = {
        "call": call,
        "query": query,
        "now": now,
        "refresh_seconds": live_refresh_seconds(),
        "version_check_ms": live_version_check_ms(),
        "name_gap": placeholders.GAPS["Customer Name"],
    }
    if call.branch:
        context["fields_html"] = _blank_callback_fields(
            customer=call.customer,
            outage=call.outage,
            branch=call.branch,
            manual_entry=call.manual_entry,
            asks_ticket=call.asks_ticket,
        )
        context["open_callbacks"] = callback_selectors.open_callbacks_for_customer(call.customer)
        context["customer_messages"] = notification_selectors.messages_for_customer(call.customer)
        context.update(_live_region(request, call, now))
        _record_etr_told(request, call, now)
    if call.customer is not None:
        # The card opened: the call is an inbound interaction on the customer's history.
        context["inbound_call"] = contact_services.inbound_call_log(
            agent=request.user, now=now, customer=call.customer, outage=call.outage
        )
    return render_page_or_partial(request, "console/call.html", "result", context)


@require_GET
@agent_required
def live(request):
    """The live region alone, for the poll. 204 while nothing changed."""
    now = timezone.now()
    query = _query(request)
    if query is None:
        return HttpResponseBadRequest(BAD_QUERY, content_type="text/plain; charset=utf-8")
    call = _build_call(request, now, query)
    region = _live_region(request, call, now) if call.branch else {"live_digest": ""}
    _record_etr_told(request, call, now)
    if request.GET.get("v") == region["live_digest"]:
        return HttpResponse(status=204)
    context = {
        "call": call,
        "now": now,
        "refresh_seconds": live_refresh_seconds(),
        "version_check_ms": live_version_check_ms(),
        "name_gap": placeholders.GAPS["Customer Name"],
        **region,
    }
    return render(request, "console/call.html#live", context)


def live_version_cache_seconds():
    """How long one process reuses an area's version: however many screens look at an area,
    the database is asked at most this often per process."""
    return getattr(settings, "CONSOLE_LIVE_VERSION_CACHE_SECONDS", 0.5)


def _area_version(area_id):
    ttl = live_version_cache_seconds()
    key = f"console:outages-version:{area_id or 'all'}"
    version = cache.get(key) if ttl else None
    if version is None:
        version = outage_selectors.outages_version(area_id)
        if ttl:
            cache.set(key, version, ttl)
    return version


@login_not_required
@require_GET
def live_version(request):
    """The version of the outages covering an area, for the open screen's check every second:
    204 No Content while it equals ``v``, else the new version as text, and the screen then
    refreshes its live region (which checks the agent's session and role).

    Cheap on purpose, because every open screen asks every second: no session or user is
    read (the answer is an opaque token about an area's outages, nothing about a customer),
    nothing is rendered, and the version comes from the cache or one indexed query."""
    area_id = request.GET.get("area", "")
    version = _area_version(parse_id(area_id))
    if request.GET.get("v") == version:
        return HttpResponse(status=204)
    response = HttpResponse(version, content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response


def live_events_spread_seconds():
    """After a pushed change, each screen refreshes its whole region at a random moment within
    this many seconds (to reconcile what the event did not carry), so 2,000 screens never
    render at once."""
    return getattr(settings, "CONSOLE_LIVE_EVENTS_SPREAD_SECONDS", 60)


def _live_events_url(call):
    """Where the screen listens for pushed changes; empty when nothing pushes (``make run``)."""
    if not push.enabled():
        return ""
    return f"{reverse('console:live_events')}?{call.version_params}"


@require_GET
@agent_required
def live_events(request):
    """The screen's stream of pushed changes is answered by the events process in front of
    Django (``console.live_stream``, on uvicorn). Reaching this view means no events process
    serves the path here (gunicorn, ``make run``): 204 No Content tells the browser to stop
    asking, and the screen keeps checking its version (``live_version``)."""
    return HttpResponse(status=204)


@require_GET
@agent_required
def suggest(request):
    """Matches while the agent types (addresses above all), to pick from with the keyboard."""
    query = _query(request)
    if query is None:
        context = {"query_error": BAD_QUERY, "min_length": SUGGEST_MIN_LENGTH}
        return render(request, "console/_suggestions.html", context, status=400)
    lookup = None
    if len(query) >= SUGGEST_MIN_LENGTH:
        lookup = outage_selectors.lookup(query)
    context = {"lookup": lookup, "query": query, "min_length": SUGGEST_MIN_LENGTH}
    return render(request, "console/_suggestions.html", context)


BAD_REFERENCE = "This form refers to an {what} that does not exist: reload the page and file again."


def _pk_in(data, name):
    """A posted (or asked) id: ``(None, False)`` when absent, ``(pk, False)`` when a plausible
    id, ``(None, True)`` when it cannot be one (text, decimals, negative, longer than a
    bigint)."""
    value = data.get(name, "")
    if not value:
        return None, False
    pk = parse_id(value)
    return pk, pk is None


@require_POST
@agent_required
def file_callback(request):
    """File the call's callback request: a short confirmation on success (the form for
    another filing is one click away, ``callback_form``), else the form with its errors."""
    now = timezone.now()
    outage_id, bad_outage = _pk_in(request.POST, "outage")
    customer_id, bad_customer = _pk_in(request.POST, "customer")
    path = request.POST.get("path", "")
    manual_entry = customer_id is None
    asks_ticket = path == live_call.TECHNICAL
    form = LiveCallbackForm(request.POST, manual_entry=manual_entry, asks_ticket=asks_ticket)
    if bad_outage or bad_customer:
        form.is_valid()
        form.add_error(None, BAD_REFERENCE.format(what="outage" if bad_outage else "account"))
    elif form.is_valid():
        try:
            # The service reads the outage (under its lock: the page's copy may be stale) and
            # the customer, with the filing itself.
            filing = callback_services.callback_file(
                actor=request.user,
                now=now,
                outage_id=outage_id,
                customer_id=customer_id,
                **form.service_arguments(),
            )
        except (Outage.DoesNotExist, Customer.DoesNotExist) as exc:
            raise Http404("No such outage or customer.") from exc
        except callback_services.CallbackError as exc:
            add_error_to_form(form, exc)
        else:
            context = {
                "filing": filing,
                "unknown_account": getattr(form, "unknown_account", ""),
                "now": now,
                "promise": live_call.callback_promise(outage=filing.callback.outage),
                "draft_key": live_call.callback_draft_key(
                    path=path, customer_id=customer_id, outage_id=outage_id
                ),
                "another_url": _callback_form_url(
                    path=path, customer_id=customer_id, outage_id=outage_id
                ),
            }
            return render(request, "console/_callback_filed.html", context)
    customer = get_object_or_404(Customer, pk=customer_id) if customer_id else None
    context = {"form": form, "outage_id": outage_id, "customer": customer, "path": path}
    return render(
        request, "console/_callback_form.html", context, status=200 if request.htmx else 400
    )


def _callback_form_url(*, path, customer_id, outage_id):
    asked = {"outage": outage_id, "customer": customer_id, "path": path}
    query = urlencode({name: value for name, value in asked.items() if value})
    return reverse("console:callback_form") + (f"?{query}" if query else "")


@require_GET
@agent_required
def callback_form(request):
    """The call's blank callback form, as the lookup shows it: another filing on the same
    call, after the confirmation of one."""
    outage_id, bad_outage = _pk_in(request.GET, "outage")
    customer_id, bad_customer = _pk_in(request.GET, "customer")
    if bad_outage or bad_customer:
        return HttpResponseBadRequest("This link refers to an outage or account that cannot exist.")
    outage = get_object_or_404(Outage, pk=outage_id) if outage_id else None
    customer = get_object_or_404(Customer, pk=customer_id) if customer_id else None
    path = request.GET.get("path", "")
    context = {
        "outage_id": outage_id,
        "customer": customer,
        "path": path,
        "fields_html": _blank_callback_fields(
            customer=customer,
            outage=outage,
            branch=path,
            manual_entry=customer is None,
            asks_ticket=path == live_call.TECHNICAL,
        ),
    }
    return render(request, "console/_callback_form.html", context)


@require_POST
@agent_required
def refund_review(request):
    """The refund question: record a refund review for the caller with the outage."""
    now = timezone.now()
    form = RefundReviewForm(request.POST)
    if not form.is_valid():
        return render(
            request, "console/_refund.html", {"error": "Pick a customer and an outage."}, status=400
        )
    customer, outage = form.cleaned_data["customer"], form.cleaned_data["outage"]
    try:
        review, _ = outage_services.refund_review_request(
            actor=request.user, now=now, customer=customer, outage=outage
        )
    except outage_services.RefundReviewError as exc:
        return render(request, "console/_refund.html", {"error": exc.message}, status=400)
    context = {
        "customer": customer,
        "outage": outage,
        "now": now,
        "refund_requested_at": review.requested_at,
    }
    return render(request, "console/_refund.html", context)


@require_POST
@agent_required
def inbound_note(request, pk):
    """The one-line outcome of a call that ended without a callback."""
    inbound_call = contact_selectors.inbound_call_for_note(pk=pk, agent=request.user)
    if inbound_call is None:
        raise Http404("No such call of yours.")
    form = InboundNoteForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            inbound_call = contact_services.inbound_call_note(
                actor=request.user,
                now=timezone.now(),
                inbound_call=inbound_call,
                note=form.cleaned_data["note"],
            )
            status = 200
        except callback_services.CallbackError as error:
            form.add_error("note", error.message)
    context = {"inbound_call": inbound_call, "note_form": form, "saved": status == 200}
    return render(request, "console/_inbound_note.html", context, status=status)


@login_not_required
@require_GET
@never_cache
def healthz(request):
    """Up and able to read the database: what the container health check and a load balancer
    ask. The broker is not checked: filing works without it and the sweep catches up."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable", content_type="text/plain", status=503)
    return HttpResponse("ok", content_type="text/plain")
