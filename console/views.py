"""The live-call screen: lookup -> area -> outages -> scripts -> callback form.

The outage banner and the script cards sit in one live region that the page polls
(``console:live``): a supervisor's change of cause or ETR, or a restoration, reaches every
agent's open screen without a reload. The poll answers 204 (nothing to swap) while the region
is unchanged, so the agent's focus and screen readers are left alone.
"""

import hashlib
import re

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from callbacks import selectors as callback_selectors
from callbacks import services as callback_services
from core.htmx import render_page_or_partial
from core.roles import agent_required
from outages import selectors as outage_selectors
from outages import services as outage_services
from outages.models import Customer, Outage
from scripts_library import placeholders

from . import call as live_call
from .forms import LiveCallbackForm, RefundReviewForm

SUGGEST_MIN_LENGTH = 3
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def live_refresh_seconds():
    """The full refresh of the live region: only to move relative times ("in 3 h 10 min")
    along; changes of an outage come through the version check."""
    return getattr(settings, "CONSOLE_LIVE_REFRESH_SECONDS", 60)


def live_version_check_ms():
    """How often the open screen asks whether its outages changed (a 204 while not)."""
    return getattr(settings, "CONSOLE_LIVE_VERSION_CHECK_MS", 1000)


def _build_call(request, now):
    customer_id = request.GET.get("customer", "")
    return live_call.build_call(
        query=request.GET.get("q", "").strip(),
        customer_id=int(customer_id) if customer_id.isdigit() else None,
        agent=request.user,
        now=now,
    )


def _live_region(request, call, now):
    """The banner and scripts as HTML, and a digest of them for the poll to compare."""
    context = {
        "call": call,
        "now": now,
        "refund_requested_at": outage_selectors.refund_review_requested_at(
            customer=call.customer, outage=call.outage
        ),
    }
    html = render_to_string("console/_live.html", context, request=request)
    digest = hashlib.sha256(_CSRF_INPUT.sub("", html).encode()).hexdigest()[:16]
    return {"live_html": mark_safe(html), "live_digest": digest}


def _callback_form(call, data=None):
    return LiveCallbackForm(
        data,
        initial=live_call.callback_initial(
            customer=call.customer, outage=call.outage, branch=call.branch
        ),
        manual_entry=call.manual_entry,
        asks_ticket=call.asks_ticket,
    )


@require_GET
@agent_required
@vary_on_headers("HX-Request")
def home(request):
    now = timezone.now()
    call = _build_call(request, now)
    context = {
        "call": call,
        "query": request.GET.get("q", "").strip(),
        "now": now,
        "refresh_seconds": live_refresh_seconds(),
        "version_check_ms": live_version_check_ms(),
        "name_gap": placeholders.GAPS["Customer Name"],
    }
    if call.branch:
        context["form"] = _callback_form(call)
        context["open_callbacks"] = callback_selectors.open_callbacks_for_customer(call.customer)
        context.update(_live_region(request, call, now))
    return render_page_or_partial(request, "console/call.html", "result", context)


@require_GET
@agent_required
def live(request):
    """The live region alone, for the poll. 204 while nothing changed."""
    now = timezone.now()
    call = _build_call(request, now)
    region = _live_region(request, call, now) if call.branch else {"live_digest": ""}
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


@require_GET
@agent_required
def live_version(request):
    """The version of the outages covering an area, for the open screen's check every second:
    204 No Content while it equals ``v`` (one indexed query, nothing rendered), else the new
    version as text, and the screen then refreshes its live region."""
    area_id = request.GET.get("area", "")
    version = outage_selectors.outages_version(int(area_id) if area_id.isdigit() else None)
    if request.GET.get("v") == version:
        return HttpResponse(status=204)
    response = HttpResponse(version, content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@agent_required
def suggest(request):
    """Matches while the agent types (addresses above all), to pick from with the keyboard."""
    query = request.GET.get("q", "").strip()
    lookup = None
    if len(query) >= SUGGEST_MIN_LENGTH:
        lookup = outage_selectors.lookup(query)
    context = {"lookup": lookup, "query": query, "min_length": SUGGEST_MIN_LENGTH}
    return render(request, "console/_suggestions.html", context)


@require_POST
@agent_required
def file_callback(request):
    now = timezone.now()
    outage = None
    if request.POST.get("outage"):
        outage = get_object_or_404(Outage, pk=request.POST["outage"])
    customer = None
    if request.POST.get("customer"):
        customers = Customer.objects.select_related("area")
        customer = get_object_or_404(customers, pk=request.POST["customer"])
    manual_entry = customer is None
    asks_ticket = request.POST.get("path") == live_call.TECHNICAL
    form = LiveCallbackForm(request.POST, manual_entry=manual_entry, asks_ticket=asks_ticket)
    filing = None
    unknown_account = ""
    if form.is_valid():
        unknown_account = getattr(form, "unknown_account", "")
        filing = callback_services.callback_file(
            actor=request.user,
            now=now,
            outage=outage,
            customer=customer,
            **form.service_arguments(),
        )
        form = LiveCallbackForm(
            initial=live_call.callback_initial(
                customer=customer, outage=outage, branch=request.POST.get("path", "")
            ),
            manual_entry=manual_entry,
            asks_ticket=asks_ticket,
        )
    context = {
        "form": form,
        "filing": filing,
        "outage": outage,
        "customer": customer,
        "path": request.POST.get("path", ""),
        "promise": live_call.callback_promise(outage=outage),
        "unknown_account": unknown_account,
        "now": now,
    }
    status = 200 if filing or request.htmx else 400
    return render(request, "console/_callback_form.html", context, status=status)


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
    review, _ = outage_services.refund_review_request(
        actor=request.user, now=now, customer=customer, outage=outage
    )
    context = {
        "customer": customer,
        "outage": outage,
        "now": now,
        "refund_requested_at": review.requested_at,
    }
    return render(request, "console/_refund.html", context)


@login_not_required
@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
