"""The supervisors' security pages: the audit trail, and the logins locked out by too many
failures (with the unlock button)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from core import selectors as core_selectors
from core import services as core_services
from core.audit import request_address
from core.errors import ServiceError
from core.roles import supervisor_required

from .security_forms import AuditFilterForm, UnlockForm

AUDIT_PAGE_SIZE = 50


@require_GET
@supervisor_required
def audit(request):
    form = AuditFilterForm(request.GET or None)
    filters = {}
    status = 200
    if request.GET and not form.is_valid():
        status = 400
    elif form.is_bound:
        filters = {key: value for key, value in form.cleaned_data.items() if value}
    entries = core_selectors.audit_entries(**filters, zone=timezone.get_current_timezone())
    page_number = request.GET.get("page", "1")
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(
        page_number if page_number.isascii() and page_number.isdigit() else 1
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "actions": core_selectors.audit_actions(),
        "query": query.urlencode(),
    }
    return render(request, "console/audit.html", context, status=status)


@require_GET
@supervisor_required
def lockouts(request):
    context = {"lockouts": core_selectors.login_lockouts(now=timezone.now()), "form": UnlockForm()}
    return render(request, "console/lockouts.html", context)


@require_POST
@supervisor_required
def unlock(request):
    form = UnlockForm(request.POST)
    if not form.is_valid():
        context = {"lockouts": core_selectors.login_lockouts(now=timezone.now()), "form": form}
        return render(request, "console/lockouts.html", context, status=400)
    try:
        core_services.login_unlock(
            actor=request.user,
            now=timezone.now(),
            username=form.cleaned_data["username"],
            ip_address=form.cleaned_data["ip_address"] or None,
            actor_ip=request_address(request),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        who = form.cleaned_data["username"] or form.cleaned_data["ip_address"]
        messages.success(request, f"Unlocked {who}: they can log in again.")
    return redirect("security:lockouts")
