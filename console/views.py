"""The live-call screen: lookup -> area -> outages -> scripts -> callback form."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from callbacks import services as callback_services
from callbacks.forms import CallbackForm
from outages.models import Customer, Outage

from . import call as live_call
from .roles import agent_required


def _callback_initial(call):
    customer = call.customer
    if customer is None:
        return {}
    return {"name": customer.name, "phone": customer.phone}


@require_GET
@agent_required
@vary_on_headers("HX-Request")
def home(request):
    query = request.GET.get("q", "").strip()
    customer_id = request.GET.get("customer")
    now = timezone.now()
    call = live_call.build_call(
        query=query,
        customer_id=int(customer_id) if (customer_id or "").isdigit() else None,
        agent=request.user,
        now=now,
    )
    context = {
        "call": call,
        "query": query,
        "form": CallbackForm(initial=_callback_initial(call)),
        "now": now,
    }
    template = "console/call.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#result"
    return render(request, template, context)


@require_POST
@agent_required
def file_callback(request):
    now = timezone.now()
    outage = None
    if request.POST.get("outage"):
        outage = get_object_or_404(Outage, pk=request.POST["outage"])
    customer = None
    if request.POST.get("customer"):
        customer = get_object_or_404(Customer, pk=request.POST["customer"])
    form = CallbackForm(request.POST)
    filing = None
    if form.is_valid():
        filing = callback_services.callback_file(
            actor=request.user,
            now=now,
            outage=outage,
            customer=customer,
            **form.cleaned_data,
        )
        form = CallbackForm(initial={"name": form.cleaned_data["name"]})
    context = {"form": form, "filing": filing, "outage": outage, "customer": customer, "now": now}
    status = 200 if filing or request.htmx else 400
    return render(request, "console/_callback_form.html", context, status=status)


@login_not_required
@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
