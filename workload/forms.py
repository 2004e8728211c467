"""Forms of the workload pages: distribute, bulk assign, reassign, duty."""

from datetime import timedelta

from django import forms

from outages.models import Outage, ServiceArea

from . import selectors, services

BANDS = {
    "": ("Any deadline", None),
    "overdue": ("Already overdue", timedelta(0)),
    "1h": ("Due within 1 hour", timedelta(hours=1)),
    "2h": ("Due within 2 hours", timedelta(hours=2)),
    "4h": ("Due within 4 hours", timedelta(hours=4)),
    "8h": ("Due within 8 hours", timedelta(hours=8)),
}


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


def _agent_field(label="Agent"):
    return AgentChoiceField(
        queryset=selectors.agents_for_work(),
        label=label,
        error_messages={"required": "Choose an agent.", "invalid_choice": "Choose an agent."},
    )


class DistributeForm(forms.Form):
    strategy = forms.ChoiceField(
        label="Strategy",
        choices=list(services.STRATEGY_LABELS.items()),
        error_messages={"required": "Choose how to distribute the queue."},
    )
    cap = forms.IntegerField(
        label="Cap per agent",
        min_value=1,
        max_value=1000,
        help_text="Open callbacks an agent may hold (an agent's own cap replaces it).",
        error_messages={"required": "Enter how many callbacks an agent may hold."},
    )


class BulkAssignForm(forms.Form):
    agent = _agent_field("Assign to")
    outage = forms.ModelChoiceField(
        queryset=Outage.objects.filter(restored_at__isnull=False).order_by("-restored_at"),
        required=False,
        label="Outage",
        empty_label="Any outage",
    )
    area = forms.ModelChoiceField(
        queryset=ServiceArea.objects.order_by("code"),
        required=False,
        label="Customer's area",
        empty_label="Any area",
    )
    band = forms.ChoiceField(
        label="Deadline",
        choices=[(key, label) for key, (label, _) in BANDS.items()],
        required=False,
    )

    def selection(self, now):
        data = self.cleaned_data
        window = BANDS[data.get("band") or ""][1]
        return services.Selection(
            outage_id=data["outage"].pk if data.get("outage") else None,
            area_id=data["area"].pk if data.get("area") else None,
            due_by=now + window if window is not None else None,
        )


class ReassignForm(forms.Form):
    agent = _agent_field("Give to")


class DutyForm(forms.Form):
    on_duty = forms.TypedChoiceField(
        label="Callback duty",
        choices=[("on", "On duty"), ("off", "Off duty")],
        coerce=lambda value: value == "on",
        error_messages={"required": "Say whether to go on or off duty."},
    )
