"""The public status page (no login): outages by region and area, lookup by postal code, the
last 30 days, and web callback requests with their signed self-service link.

Pages that are the same for everyone are rendered without the request (no session, no
cookie, no CSRF token) and sent with ``Cache-Control: public``, so a proxy or the browser can
keep them; the callback pages are private. Rate limits (django-ratelimit, counted in the
shared cache) guard the lookups and the callback form: per address, and per phone number."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from callbacks import policy
from callbacks.services import CallbackError
from core.errors import ServiceError, add_error_to_form
from notifications.services import subscription_request
from scripts_library.context import callback_deadline

from . import selectors, services
from .forms import CallbackRequestForm, ChangePhoneForm, LookupForm, SubscribeForm

PUBLIC_CACHE = cache_control(public=True, max_age=settings.STATUSPAGE_CACHE_SECONDS)


def _render_public(template, context):
    """Rendered without the request: nothing in it depends on who asks."""
    context = {"brand": settings.BRAND_NAME, "inbound_number": settings.INBOUND_NUMBER, **context}
    return render_to_string(template, context)


def _public_page(template, context, *, status=200):
    return HttpResponse(_render_public(template, context), status=status)


def _same_for_everyone(name, template, context_for):
    """A page that is the same for every visitor: rendered once per outage change (and at most
    every ``STATUSPAGE_CACHE_SECONDS``), then served from the cache."""
    html = selectors.cached_page(name, lambda: _render_public(template, context_for()))
    return HttpResponse(html)


# What the visitor typed is the one part of a lookup's page that is theirs. The page is the
# same for everyone in the area otherwise: rendered once per area with this mark where the
# query goes (a valid query, so the form shows no error), kept like the other pages, and the
# visitor's query, escaped, put in its place.
_QUERY_MARK = "q-mark-5f0c2d7e"


def _lookup_page(area_id, query):
    def render():
        answer = _render_public(
            "statuspage/_answer.html", {"answer": selectors.area_status(area_id)}
        )
        context = {
            "form": LookupForm({"q": _QUERY_MARK}),
            "answer_html": mark_safe(answer),  # noqa: S308 - rendered and escaped by our template
            "asked": True,
        }
        return _render_public("statuspage/lookup.html", context)

    page = selectors.cached_page(f"lookup:{area_id}", render)
    return page.replace(_QUERY_MARK, escape(query or ""), 1)


def _too_many(request, what):
    context = {
        "brand": settings.BRAND_NAME,
        "inbound_number": settings.INBOUND_NUMBER,
        "what": what,
    }
    response = render(request, "statuspage/too_many.html", context, status=429)
    response["Retry-After"] = "3600"
    return response


@login_not_required
@require_GET
@PUBLIC_CACHE
def index(request):
    return _same_for_everyone(
        "index",
        "statuspage/index.html",
        lambda: {"board": selectors.status_board(), "form": LookupForm()},
    )


@login_not_required
@require_GET
def lookup(request):
    form = LookupForm(request.GET)
    if not form.is_valid():
        return _public_page(
            "statuspage/lookup.html", {"form": form, "answer": None, "asked": False}, status=400
        )
    if is_ratelimited(
        request,
        group="statuspage.lookup",
        key="ip",
        rate=settings.STATUSPAGE_LOOKUP_RATE,
        increment=True,
    ):
        return _too_many(request, "lookups")
    area_id = selectors.area_for_query(form.cleaned_data["q"])
    response = HttpResponse(_lookup_page(area_id, form["q"].value()))
    # Private: the query string may be an account number; nothing about it is kept.
    response["Cache-Control"] = f"private, max-age={settings.STATUSPAGE_CACHE_SECONDS}"
    return response


@login_not_required
@require_GET
@PUBLIC_CACHE
def history(request):
    now = timezone.now()
    rows = selectors.history(now=now)
    return _public_page("statuspage/history.html", {"rows": rows, "days": selectors.HISTORY_DAYS})


def _phone_key(group, request):
    form = CallbackRequestForm(request.POST)
    form.is_valid()
    return form.cleaned_data.get("phone") or "invalid"


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def callback_request(request):
    if request.method == "GET":
        initial = {"postal_code": request.GET.get("postal_code", "")[:12]}
        form = CallbackRequestForm(initial=initial)
        return render(request, "statuspage/callback_request.html", {"form": form})
    if is_ratelimited(
        request,
        group="statuspage.callback.address",
        key="ip",
        rate=settings.STATUSPAGE_RATE_PER_ADDRESS,
        increment=True,
    ):
        return _too_many(request, "callback requests from this connection")
    form = CallbackRequestForm(request.POST)
    if not form.is_valid():
        return render(request, "statuspage/callback_request.html", {"form": form}, status=400)
    if form.is_bot:
        # Filled a field no person sees: answer as if received, file nothing.
        return render(request, "statuspage/callback_received.html", {"callback": None})
    if is_ratelimited(
        request,
        group="statuspage.callback.phone",
        key=_phone_key,
        rate=settings.STATUSPAGE_RATE_PER_PHONE,
        increment=True,
    ):
        return _too_many(request, "callback requests for this phone number")
    data = form.cleaned_data
    filing = services.web_callback_request(
        now=timezone.now(),
        name=data["name"],
        phone=data["phone"],
        postal_code=data["postal_code"],
        reason=data["reason"],
        account_number=data["account_number"],
    )
    token = services.callback_link_token(filing.callback)
    return redirect(reverse("statuspage:callback", kwargs={"token": token}) + "?new=1")


def _callback_or_404(token):
    callback = services.callback_from_token(token)
    if callback is None:
        raise Http404("This link is not valid or has expired.")
    return callback


def _manage(request, callback, token, *, status=200, phone_form=None, error=""):
    now = timezone.now()
    context = {
        "callback": callback,
        "token": token,
        "is_open": callback.status in policy.OPEN_STATUSES,
        "status_label": policy.STATUS_LABELS.get(callback.status, callback.status),
        "expected": callback_deadline(now=now, outage=callback.outage, callback=callback),
        "phone_ending": callback.phone[-4:],
        "phone_form": phone_form or ChangePhoneForm(),
        "new": request.GET.get("new") == "1",
        "error": error,
        "inbound_number": settings.INBOUND_NUMBER,
        "brand": settings.BRAND_NAME,
    }
    return render(request, "statuspage/callback.html", context, status=status)


@login_not_required
@never_cache
@require_GET
def callback(request, token):
    return _manage(request, _callback_or_404(token), token)


@login_not_required
@never_cache
@require_POST
def callback_cancel(request, token):
    callback = _callback_or_404(token)
    try:
        callback = services.web_callback_cancel(now=timezone.now(), callback=callback)
    except CallbackError as exc:
        return _manage(request, callback, token, status=400, error=exc.message)
    return redirect("statuspage:callback", token=token)


@login_not_required
@never_cache
@require_POST
def callback_change_phone(request, token):
    callback = _callback_or_404(token)
    form = ChangePhoneForm(request.POST)
    if form.is_valid():
        try:
            services.web_callback_change_phone(
                now=timezone.now(), callback=callback, phone=form.cleaned_data["phone"]
            )
        except CallbackError as exc:
            form.add_error("phone", exc.message)
        else:
            return redirect("statuspage:callback", token=token)
    return _manage(request, callback, token, status=400, phone_form=form)


def _destination_key(group, request):
    form = SubscribeForm(request.POST)
    form.is_valid()
    return f"{form.cleaned_data.get('channel')}:{form.cleaned_data.get('address') or 'invalid'}"


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def subscribe(request):
    """Outage alerts for a postal code. Whatever the address's history (new, pending, already
    confirmed), the answer is the same page: it never tells who has subscribed."""
    if request.method == "GET":
        form = SubscribeForm(initial={"postal_code": request.GET.get("postal_code", "")[:12]})
        return render(request, "statuspage/subscribe.html", {"form": form})
    if is_ratelimited(
        request,
        group="statuspage.subscribe.address",
        key="ip",
        rate=settings.STATUSPAGE_SUBSCRIBE_RATE_PER_ADDRESS,
        increment=True,
    ):
        return _too_many(request, "requests for updates from this connection")
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return render(request, "statuspage/subscribe.html", {"form": form}, status=400)
    channel = form.cleaned_data["channel"]
    if form.is_bot:
        # Filled a field no person sees: answer as if received, send nothing.
        return render(request, "statuspage/subscribe_received.html", {"channel": channel})
    if is_ratelimited(
        request,
        group="statuspage.subscribe.destination",
        key=_destination_key,
        rate=settings.STATUSPAGE_SUBSCRIBE_RATE_PER_DESTINATION,
        increment=True,
    ):
        return _too_many(request, "requests for updates to this phone number or email address")
    try:
        subscription_request(
            postal_code=form.cleaned_data["postal_code"],
            channel=channel,
            address=form.cleaned_data["address"],
            now=timezone.now(),
        )
    except ServiceError as error:
        add_error_to_form(form, error)
        return render(request, "statuspage/subscribe.html", {"form": form}, status=400)
    return render(request, "statuspage/subscribe_received.html", {"channel": channel})
