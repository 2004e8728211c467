"""The supervisor's outage board: declare, update, change ETR, restore, reopen, close; the
escalations; refund reviews."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from core.errors import add_error_to_form
from core.htmx import render_page_or_partial
from core.roles import supervisor_required

from . import selectors, services
from .forms import (
    ChangeEtrForm,
    DeclareOutageForm,
    IvrForm,
    OutageUpdateForm,
    RestoreForm,
    ReviewForm,
)
from .models import Outage, RefundReview


@require_GET
@supervisor_required
@vary_on_headers("HX-Request")
def board(request):
    context = {
        "outages": selectors.outages_for_board(),
        "escalations": selectors.escalations_open(),
        "now": timezone.now(),
    }
    return render_page_or_partial(request, "outages/board.html", "outage-list", context)


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
                areas=data["areas"],
                cause=data["cause"],
                etr=data["etr"],
                message=data["message"],
                notify_customers=data["notify_customers"],
            )
        except services.OutageError as exc:
            add_error_to_form(form, exc)
        else:
            told = " Customers are being told." if data["notify_customers"] else ""
            messages.success(request, f"Outage declared: {outage.title}.{told}")
            return redirect("outages:detail", outage.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "outages/declare.html", {"form": form}, status=status)


def _detail(request, outage_id, *, status=200, **forms):
    outage = selectors.outage_with_timeline(outage_id)
    context = {
        "outage": outage,
        "update_form": OutageUpdateForm(outage=outage),
        "etr_form": ChangeEtrForm(initial={"etr": outage.etr}),
        "restore_form": RestoreForm(),
        "ivr_form": IvrForm(
            initial={
                "ivr_announce": outage.ivr_announce,
                "ivr_offers_callbacks": outage.ivr_offers_callbacks,
            }
        ),
        "now": timezone.now(),
        **forms,
    }
    return render(request, "outages/detail.html", context, status=status)


@require_GET
@supervisor_required
def detail(request, pk):
    get_object_or_404(Outage, pk=pk)
    return _detail(request, pk)


def _act(request, pk, *, form, form_name, done, act):
    """The shape the outage page's forms share: a valid form calls one service; a refusal
    shows beside its field on the page, with nothing written."""
    if form.is_valid():
        try:
            act(form.cleaned_data, now=timezone.now())
        except services.OutageError as exc:
            add_error_to_form(form, exc)
        else:
            messages.success(request, done)
            return redirect("outages:detail", pk)
    return _detail(request, pk, status=400, **{form_name: form})


@require_POST
@supervisor_required
def post_update(request, pk):
    outage = get_object_or_404(Outage, pk=pk)
    return _act(
        request,
        pk,
        form=OutageUpdateForm(request.POST, outage=outage),
        form_name="update_form",
        done="Update posted.",
        act=lambda data, now: services.outage_post_update(
            actor=request.user,
            now=now,
            outage=outage,
            status=data["status"] or None,
            cause=data["cause"],
            etr=data["etr"],
            message=data["message"],
        ),
    )


@require_POST
@supervisor_required
def change_etr(request, pk):
    outage = get_object_or_404(Outage, pk=pk)
    return _act(
        request,
        pk,
        form=ChangeEtrForm(request.POST, outage=outage),
        form_name="etr_form",
        done="Estimated restoration time changed.",
        act=lambda data, now: services.outage_post_update(
            actor=request.user, now=now, outage=outage, etr=data["etr"], message=data["message"]
        ),
    )


@require_POST
@supervisor_required
def set_ivr(request, pk):
    outage = get_object_or_404(Outage, pk=pk)
    return _act(
        request,
        pk,
        form=IvrForm(request.POST),
        form_name="ivr_form",
        done="IVR switch saved.",
        act=lambda data, now: services.outage_set_ivr(
            actor=request.user,
            now=now,
            outage=outage,
            announce=data["ivr_announce"],
            offers_callbacks=data["ivr_offers_callbacks"],
        ),
    )


@require_POST
@supervisor_required
def restore(request, pk):
    outage = get_object_or_404(Outage, pk=pk)
    return _act(
        request,
        pk,
        form=RestoreForm(request.POST),
        form_name="restore_form",
        done="Marked restored: callbacks are being released.",
        act=lambda data, now: services.outage_restore(
            actor=request.user,
            now=now,
            outage=outage,
            restored_at=data["restored_at"],
            message=data["message"],
        ),
    )


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


@require_GET
@supervisor_required
def refund_reviews(request):
    context = {"reviews": selectors.refund_reviews_to_do(), "form": ReviewForm()}
    return render(request, "outages/refund_reviews.html", context)


@require_POST
@supervisor_required
def refund_review_mark(request, pk):
    review = get_object_or_404(RefundReview, pk=pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.refund_review_mark_reviewed(
                actor=request.user,
                now=timezone.now(),
                review=review,
                notes=form.cleaned_data["notes"],
            )
        except services.RefundReviewError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Refund review marked reviewed for {review.customer}.")
    else:
        messages.error(request, "The review notes are too long.")
    return redirect("outages:refund_reviews")
