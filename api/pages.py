"""Supervisor pages for integrations (API keys, webhooks and their delivery log) and the
public API reference page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ServiceError, add_error_to_form
from core.roles import supervisor_required

from . import keys, selectors, services
from .forms import ApiKeyForm, WebhookForm
from .models import ApiKey, WebhookSubscription


@login_not_required
@require_GET
def reference(request):
    """The browsable API reference: Swagger UI (vendored) started by a static file."""
    return render(request, "api/reference.html")


def _integrations(request, *, status=200, key_form=None, webhook_form=None, **extra):
    context = {
        "api_keys": selectors.api_keys(),
        "subscriptions": selectors.webhook_subscriptions(),
        "key_form": key_form or ApiKeyForm(prefix="key"),
        "webhook_form": webhook_form or WebhookForm(prefix="hook"),
        "scope_labels": keys.SCOPE_LABELS,
        **extra,
    }
    return render(request, "api/integrations.html", context, status=status)


@require_GET
@supervisor_required
def integrations(request):
    return _integrations(request)


@require_http_methods(["GET", "POST"])
@supervisor_required
def key_create(request):
    if request.method == "GET":
        return redirect("integrations:home")
    form = ApiKeyForm(request.POST, prefix="key")
    if form.is_valid():
        try:
            api_key, key = services.api_key_create(
                actor=request.user, now=timezone.now(), **form.cleaned_data
            )
        except ServiceError as exc:
            add_error_to_form(form, exc)
        else:
            # Shown once, on this answer only: never stored, never redirected with.
            response = _integrations(request, new_key=key, new_key_for=api_key)
            response["Cache-Control"] = "no-store"
            return response
    return _integrations(request, status=400, key_form=form)


@require_POST
@supervisor_required
def key_revoke(request, pk):
    api_key = get_object_or_404(ApiKey, pk=pk)
    try:
        services.api_key_revoke(actor=request.user, now=timezone.now(), api_key=api_key)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Key for {api_key.name} revoked: it stops working now.")
    return redirect("integrations:home")


@require_http_methods(["GET", "POST"])
@supervisor_required
def webhook_create(request):
    if request.method == "GET":
        return redirect("integrations:home")
    form = WebhookForm(request.POST, prefix="hook")
    if form.is_valid():
        try:
            subscription, secret = services.webhook_subscribe(
                actor=request.user, now=timezone.now(), **form.cleaned_data
            )
        except ServiceError as exc:
            add_error_to_form(form, exc)
        else:
            response = _integrations(request, new_secret=secret, new_secret_for=subscription)
            response["Cache-Control"] = "no-store"
            return response
    return _integrations(request, status=400, webhook_form=form)


@require_GET
@supervisor_required
def webhook_detail(request, pk):
    subscription = get_object_or_404(WebhookSubscription, pk=pk)
    context = {
        "subscription": subscription,
        "deliveries": selectors.webhook_deliveries(subscription=subscription),
    }
    return render(request, "api/webhook_detail.html", context)


@require_POST
@supervisor_required
def webhook_active(request, pk):
    subscription = get_object_or_404(WebhookSubscription, pk=pk)
    active = request.POST.get("active") == "1"
    services.webhook_set_active(
        actor=request.user, now=timezone.now(), subscription=subscription, active=active
    )
    messages.success(request, f"Webhook {subscription.name} {'on' if active else 'paused'}.")
    return redirect("integrations:webhook_detail", pk)
