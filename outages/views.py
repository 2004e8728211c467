"""The supervisor's outage board: declare, update, restore, reopen, close."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from console.roles import supervisor_required

from . import selectors, services
from .forms import DeclareOutageForm, OutageUpdateForm, RestoreForm
from .models import Outage


def _apply_error(form, exc):
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@supervisor_required
def board(request):
    context = {"outages": selectors.outages_for_board(), "now": timezone.now()}
    template = "outages/board.html"
    if request.htmx:
        template += "#outage-list"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@supervisor_required
def declare(request):
    form = DeclareOutageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outage = services.outage_declare(
                actor=request.user,
                now=timezone.now(),
                title=data["title"],
                kind=data["kind"],
                service=data["service"],
                severity=data["severity"],
                areas=list(data["areas"]),
                cause=data["cause"],
                etr=data["etr"],
                message=data["message"],
            )
        except services.OutageError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, f"Outage declared: {outage.title}.")
            return redirect("outages:detail", outage.pk)
    return render(request, "outages/declare.html", {"form": form})


@supervisor_required
def detail(request, pk):
    outage = selectors.outage_with_timeline(pk)
    if outage is None:
        return get_object_or_404(Outage, pk=pk)
    context = {
        "outage": outage,
        "update_form": OutageUpdateForm(outage=outage),
        "restore_form": RestoreForm(),
        "now": timezone.now(),
    }
    return render(request, "outages/detail.html", context)


def _detail_with_errors(request, outage, **forms):
    context = {
        "outage": selectors.outage_with_timeline(outage.pk),
        "update_form": OutageUpdateForm(outage=outage),
        "restore_form": RestoreForm(),
        "now": timezone.now(),
        **forms,
    }
    return render(request, "outages/detail.html", context, status=400)


@require_POST
@supervisor_required
def post_update(request, pk):
    outage = get_object_or_404(Outage, pk=pk)
    form = OutageUpdateForm(request.POST, outage=outage)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.outage_post_update(
                actor=request.user,
                now=timezone.now(),
                outage=outage,
                status=data["status"] or None,
                cause=data["cause"],
                etr=data["etr"],
                message=data["message"],
            )
        except services.OutageError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, "Update posted.")
            return redirect("outages:detail", pk)
    return _detail_with_errors(request, outage, update_form=form)


@require_POST
@supervisor_required
def restore(request, pk):
    outage = get_object_or_404(Outage, pk=pk)
    form = RestoreForm(request.POST)
    if form.is_valid():
        try:
            services.outage_restore(
                actor=request.user,
                now=timezone.now(),
                outage=outage,
                restored_at=form.cleaned_data["restored_at"],
                message=form.cleaned_data["message"],
            )
        except services.OutageError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, "Marked restored: callbacks are being released.")
            return redirect("outages:detail", pk)
    return _detail_with_errors(request, outage, restore_form=form)


@require_POST
@supervisor_required
def reopen(request, pk):
    outage = get_object_or_404(Outage, pk=pk)
    try:
        services.outage_reopen(actor=request.user, now=timezone.now(), outage=outage)
    except services.OutageError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Outage reopened: untried callbacks are waiting again.")
    return redirect("outages:detail", pk)


@require_POST
@supervisor_required
def close(request, pk):
    outage = get_object_or_404(Outage, pk=pk)
    try:
        services.outage_close(actor=request.user, now=timezone.now(), outage=outage)
    except services.OutageError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Outage closed.")
    return redirect("outages:detail", pk)
