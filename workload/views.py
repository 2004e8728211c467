"""Workload pages: the team lead's queue board and an agent's own callbacks (thin views)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from callbacks import policy
from core.errors import add_error_to_form
from core.htmx import render_page_or_partial
from core.people import display_name
from core.roles import agent_required, team_lead_required

from . import selectors, services
from .forms import BulkAssignForm, DistributeForm, DutyForm, ReassignForm


def _board_forms(distribute=None, bulk=None):
    return {
        "distribute_form": distribute
        or DistributeForm(
            initial={
                "strategy": services.AUTOMATIC_STRATEGY,
                "cap": services.default_cap(),
            }
        ),
        "bulk_form": bulk or BulkAssignForm(),
        "reassign_form": ReassignForm(),
    }


def _render_board(request, *, status=200, **forms):
    now = timezone.now()
    channel = request.GET.get("channel", "")
    channel = channel if channel in policy.CHANNEL_LABELS else ""
    context = {
        "board": selectors.queue_board(now=now, channel=channel),
        "staffing": selectors.staffing_alarm(now=now),
        **_board_forms(**forms),
    }
    return render_page_or_partial(
        request, "workload/board.html", "board-live", context, status=status
    )


@require_GET
@team_lead_required
@vary_on_headers("HX-Request")
def board(request):
    return _render_board(request)


@require_POST
@team_lead_required
def distribute(request):
    form = DistributeForm(request.POST)
    if form.is_valid():
        try:
            run = services.queue_distribute(
                actor=request.user, now=timezone.now(), **form.cleaned_data
            )
        except services.DistributionError as exc:
            add_error_to_form(form, exc)
        else:
            messages.success(request, f"Distributed: {run.detail}.")
            return redirect("workload:board")
    return _render_board(request, status=400, distribute=form)


@require_POST
@team_lead_required
def bulk_assign(request):
    form = BulkAssignForm(request.POST)
    if form.is_valid():
        now = timezone.now()
        try:
            run = services.queue_assign_bulk(
                actor=request.user,
                now=now,
                agent=form.cleaned_data["agent"],
                selection=form.selection(now),
            )
        except services.DistributionError as exc:
            add_error_to_form(form, exc)
        else:
            messages.success(request, f"Assigned {run.detail}; {run.assigned} callbacks.")
            return redirect("workload:board")
    return _render_board(request, status=400, bulk=form)


@require_POST
@team_lead_required
def reassign(request, pk):
    form = ReassignForm(request.POST)
    if form.is_valid():
        try:
            callback = services.callback_reassign(
                actor=request.user,
                now=timezone.now(),
                callback_id=pk,
                agent=form.cleaned_data["agent"],
            )
        except services.DistributionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Callback for {callback.name} reassigned.")
        return redirect("workload:board")
    messages.error(request, "Choose the agent to give the callback to.")
    return _render_board(request, status=400)


@require_POST
@team_lead_required
def unassign(request, pk):
    try:
        callback = services.callback_unassign(
            actor=request.user, now=timezone.now(), callback_id=pk
        )
    except services.DistributionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Callback for {callback.name} is back in the queue.")
    return redirect("workload:board")


@require_POST
@team_lead_required
def agent_duty(request, pk):
    agent = get_object_or_404(get_user_model(), pk=pk)
    form = DutyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say whether to put the agent on or off duty.")
        return _render_board(request, status=400)
    try:
        change = services.agent_duty_set(
            actor=request.user,
            agent=agent,
            on_duty=form.cleaned_data["on_duty"],
            now=timezone.now(),
        )
    except services.DistributionError as exc:
        messages.error(request, exc.message)
        return _render_board(request, status=400)
    messages.success(request, _duty_message(agent, change, own=False))
    return redirect("workload:board")


def _duty_message(agent, change, *, own):
    who = "You are" if own else f"{display_name(agent)} is"
    text = f"{who} {'on' if change.duty.on_duty else 'off'} callback duty."
    if change.handed_back:
        text += f" {change.handed_back} callbacks went back to the queue."
    return text


# Agents


def _render_mine(request, *, status=200):
    now = timezone.now()
    context = {"mine": selectors.my_callbacks(agent=request.user, now=now)}
    return render_page_or_partial(
        request, "workload/mine.html", "mine-live", context, status=status
    )


@require_GET
@agent_required
@vary_on_headers("HX-Request")
def mine(request):
    return _render_mine(request)


@require_POST
@agent_required
def claim(request):
    try:
        callback = services.callback_claim_next(agent=request.user, now=timezone.now())
    except services.DistributionError as exc:
        messages.error(request, exc.message)
    else:
        if callback is None:
            messages.info(request, "Nothing is waiting in the queue: no callback to claim.")
        else:
            messages.success(request, f"Claimed: {callback.name}, {callback.phone}.")
    return redirect("workload:mine")


@require_POST
@agent_required
def duty(request):
    form = DutyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say whether to go on or off callback duty.")
        return _render_mine(request, status=400)
    change = services.agent_duty_set(
        actor=request.user,
        agent=request.user,
        on_duty=form.cleaned_data["on_duty"],
        now=timezone.now(),
    )
    messages.success(request, _duty_message(request.user, change, own=True))
    return redirect("workload:mine")
