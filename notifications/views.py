"""Pages of notifications: the outage's progress panel, the declare-and-notify preview, the
supervisor's sends, the customer's messages; the public confirm and unsubscribe pages; the
SMS provider's webhooks (receipts and inbound STOP), verified by signature."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ServiceError
from core.roles import agent_required, supervisor_required
from outages.forms import DeclareOutageForm
from outages.models import Customer, Outage

from . import compose, conf, rules, selectors, services, tokens
from .forms import PreviewForm
from .models import Notice


@require_GET
@supervisor_required
def outage_panel(request, pk):
    """The outage page's notification panel (polled every few seconds while open)."""
    outage = get_object_or_404(Outage, pk=pk)
    context = {
        "outage": outage,
        "progress": selectors.outage_progress(outage),
        "declared": selectors.declared_notice(outage),
    }
    return render(request, "notifications/_outage_panel.html", context)


@require_GET
@supervisor_required
def reach(request):
    """ "This will reach N customers by SMS and M by email", for the declare form's areas."""
    data = request.GET.copy()
    data.setdefault("title", "-")
    data.setdefault("severity", "major")
    form = DeclareOutageForm(data)
    form.is_valid()  # only for the areas its fields name
    all_areas = request.GET.get("kind") == "systems"
    area_ids = [area.pk for area in form.cleaned_data.get("areas", [])]
    counts = selectors.reach_for_areas(area_ids=area_ids, all_areas=all_areas)
    return render(request, "notifications/_reach.html", {"reach": counts})


def _previews(outage, customer, now):
    values = compose.base_values(now=now, notice=Notice(event=rules.DECLARED), outage=outage)
    scripts = compose.scripts_for(event=rules.DECLARED, outage=outage)
    previews = []
    for channel, choice in scripts.items():
        address = ""
        if customer is not None:
            address = customer.phone if channel == rules.SMS else customer.email
        composed = compose.compose(
            choice=choice,
            channel=channel,
            values=values,
            name=customer.name if customer else None,
            address=address or "customer@example.com",
            customer_id=customer.pk if customer else None,
            area=customer.area.name if customer and customer.area else None,
        )
        previews.append(
            {"channel": rules.CHANNEL_LABELS[channel], "message": composed, "address": address}
        )
    return previews


@require_http_methods(["GET", "POST"])
@supervisor_required
def outage_notify(request, pk):
    """Preview the real message for a real customer, see the reach, and send."""
    outage = get_object_or_404(Outage, pk=pk)
    now = timezone.now()
    if request.method == "POST":
        try:
            notice = services.outage_notify_declared(actor=request.user, now=now, outage=outage)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{notice.recipients} messages queued.")
            return redirect("outages:detail", outage.pk)
    form = PreviewForm(request.GET or None)
    account = form.cleaned_data["account_number"] if form.is_valid() else ""
    customer = selectors.customer_for_preview(outage=outage, account_number=account)
    context = {
        "outage": outage,
        "form": form,
        "customer": customer,
        "reach": selectors.reach_for_outage(outage),
        "previews": _previews(outage, customer, now),
        "declared": selectors.declared_notice(outage),
    }
    return render(request, "notifications/outage_notify.html", context)


@require_GET
@supervisor_required
def sends(request):
    notices, failures = selectors.sends_for_supervisor()
    context = {"notices": notices, "failures": failures}
    return render(request, "notifications/sends.html", context)


def _notice_action(request, pk, service, done):
    notice = get_object_or_404(Notice, pk=pk)
    try:
        service(actor=request.user, now=timezone.now(), notice=notice)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("notifications:sends")


@require_POST
@supervisor_required
def notice_pause(request, pk):
    return _notice_action(request, pk, services.notice_pause, "Send paused.")


@require_POST
@supervisor_required
def notice_resume(request, pk):
    return _notice_action(request, pk, services.notice_resume, "Send resumed.")


@require_POST
@supervisor_required
def notice_cancel(request, pk):
    return _notice_action(request, pk, services.notice_cancel, "Send cancelled.")


@require_GET
@agent_required
def customer_messages(request, pk):
    customer = get_object_or_404(Customer, pk=pk)
    context = {"customer": customer, "messages_sent": selectors.messages_for_customer(customer)}
    return render(request, "notifications/_customer_messages.html", context)


# --- public pages (no login) --------------------------------------------------------------------


@login_not_required
@csrf_exempt  # RFC 8058 one-click unsubscribe: the mail client POSTs without our cookie
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    try:
        channel, address, customer_id = tokens.optout_read(token)
    except signing.BadSignature:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    done = False
    if request.method == "POST":
        services.optout_record(
            channel=channel,
            address=address,
            source="link",
            now=timezone.now(),
            customer_id=customer_id,
        )
        done = True
    context = {
        "channel": rules.CHANNEL_LABELS.get(channel, channel),
        "address": address,
        "done": done,
        "token": token,
    }
    return render(request, "notifications/unsubscribe.html", context)


@login_not_required
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET shows a button (mail scanners follow links); POST confirms."""
    context = {"token": token}
    if request.method == "POST":
        try:
            context["subscription"] = services.subscription_confirm(token=token, now=timezone.now())
        except ServiceError as exc:
            context["error"] = exc.message
            return render(request, "notifications/confirm.html", context, status=400)
    return render(request, "notifications/confirm.html", context)


# --- the SMS provider's webhooks ----------------------------------------------------------------


def _signed(request, name):
    url = conf.public_url(reverse(name))
    params = {key: request.POST.get(key) for key in request.POST}
    return rules.signature_valid(
        secret=settings.NOTIFY_SMS_AUTH_TOKEN,
        url=url,
        params=params,
        signature=request.headers.get("X-Twilio-Signature", ""),
    )


@login_not_required
@csrf_exempt
@require_POST
def sms_status(request):
    """Delivery receipts: MessageSid and MessageStatus (ErrorCode when it failed)."""
    if not _signed(request, "notifications:sms_status"):
        return HttpResponseForbidden("Bad signature")
    services.receipt_record(
        provider_id=request.POST.get("MessageSid", ""),
        reported=request.POST.get("MessageStatus", ""),
        error_code=request.POST.get("ErrorCode", ""),
        now=timezone.now(),
    )
    return HttpResponse(status=204)


@login_not_required
@csrf_exempt
@require_POST
def sms_inbound(request):
    """An SMS from a customer: STOP opts the number out, START back in. Answers TwiML."""
    if not _signed(request, "notifications:sms_inbound"):
        return HttpResponseForbidden("Bad signature")
    services.inbound_sms_record(
        sender=request.POST.get("From", ""), body=request.POST.get("Body", ""), now=timezone.now()
    )
    return HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?><Response/>', content_type="text/xml"
    )
