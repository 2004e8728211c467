"""Forms of the workload pages: distribute, bulk assign, reassign, duty."""

from datetime import timedelta

from django import forms
from django.utils.functional import lazy

from core.people import display_name

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
        return display_name(obj)


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


class AssignableChoiceField(forms.TypedChoiceField):
    """A choice among what has callbacks to assign. The options are read only when the form
    is shown; a submitted choice is checked against the queue as it is then (``has_work``),
    so one whose callbacks were taken meanwhile gets ``gone`` beside the field."""

    def __init__(self, *, has_work, gone, **kwargs):
        kwargs.setdefault("error_messages", {"invalid_choice": "Choose one from the list."})
        super().__init__(coerce=int, required=False, **kwargs)
        self.has_work, self.gone = has_work, gone

    def valid_value(self, value):
        return True  # checked in validate, against the queue rather than the options shown

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values:
            return
        if not str(value).isdigit():
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid")
        if not self.has_work(int(value)):
            raise forms.ValidationError(self.gone, code="no_work")


def _counted(n):
    return f"{n:,} to assign" if n else "none to assign"


class BulkAssignForm(forms.Form):
    agent = _agent_field("Assign to")
    outage = AssignableChoiceField(
        label="Outage",
        has_work=selectors.outage_has_assignable,
        gone="No callback of this outage is waiting to be assigned any more: choose another.",
    )
    area = AssignableChoiceField(
        label="Customer's area",
        has_work=selectors.area_has_assignable,
        gone="No callback in this area is waiting to be assigned any more: choose another.",
    )
    band = forms.ChoiceField(
        label="Deadline",
        choices=[(key, label) for key, (label, _) in BANDS.items()],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Callables: read when the form is rendered, never for a submission or the board's
        # live refresh (which does not show the form).
        self._read = {}
        self.fields["outage"].choices = lambda: self._choices("outage", "Any outage")
        self.fields["area"].choices = lambda: self._choices("area", "Any area")
        self.fields["area"].help_text = lazy(self._area_help, str)()

    def _assignable(self, name):
        if name not in self._read:
            read = selectors.assignable_outages if name == "outage" else selectors.assignable_areas
            self._read[name] = read()
        return self._read[name]

    def _choices(self, name, anything):
        assignable = self._assignable(name)
        return [("", f"{anything} ({_counted(assignable.total)})")] + [
            (pk, f"{label} ({_counted(n)})") for pk, label, n in assignable.rows
        ]

    def _area_help(self):
        more = self._assignable("area").more
        if not more:
            return "Areas with callbacks to assign."
        return (
            f"The {selectors.ASSIGNABLE_AREAS_SHOWN} areas with the most callbacks to assign; "
            f"{more:,} more have fewer."
        )

    def selection(self, now):
        data = self.cleaned_data
        window = BANDS[data.get("band") or ""][1]
        return services.Selection(
            outage_id=data.get("outage") or None,
            area_id=data.get("area") or None,
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
