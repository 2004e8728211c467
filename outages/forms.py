from django import forms

from . import lifecycle
from .models import ServiceArea


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DeclareOutageForm(forms.Form):
    title = forms.CharField(max_length=200, label="Title")
    kind = forms.ChoiceField(choices=list(lifecycle.KIND_LABELS.items()), label="Kind")
    service = forms.CharField(max_length=120, required=False, label="Service affected")
    severity = forms.ChoiceField(
        choices=list(lifecycle.SEVERITY_LABELS.items()), initial=lifecycle.MAJOR
    )
    areas = forms.ModelMultipleChoiceField(
        queryset=ServiceArea.objects.all(),
        required=False,
        label="Service areas",
        help_text="Not needed for an internal systems outage (it covers every area).",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    cause = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    etr = forms.DateTimeField(
        label="Estimated restoration (ETR)", required=False, widget=DateTimeLocalInput()
    )
    message = forms.CharField(
        label="Message for customers",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == lifecycle.NETWORK and not data.get("areas"):
            self.add_error("areas", "Pick at least one service area.")
        return data


class OutageUpdateForm(forms.Form):
    status = forms.ChoiceField(choices=[], required=False, label="Status")
    cause = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    etr = forms.DateTimeField(
        label="Estimated restoration (ETR)", required=False, widget=DateTimeLocalInput()
    )
    message = forms.CharField(
        label="Update for customers", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, outage, **kwargs):
        super().__init__(*args, **kwargs)
        self.outage = outage
        forward = [
            s
            for s in lifecycle.allowed_next(outage.status)
            if s in lifecycle.OPEN_STATUSES and not lifecycle.is_reopen(outage.status, s)
        ]
        choices = [(outage.status, f"{lifecycle.STATUS_LABELS[outage.status]} (no change)")]
        choices += [(s, lifecycle.STATUS_LABELS[s]) for s in forward]
        self.fields["status"].choices = choices
        self.initial.setdefault("status", outage.status)
        self.initial.setdefault("cause", outage.cause)

    def clean(self):
        data = super().clean()
        outage = self.outage
        changed = (
            (data.get("status") and data["status"] != outage.status)
            or (data.get("cause", "") != outage.cause)
            or (data.get("etr") is not None and data["etr"] != outage.etr)
            or data.get("message")
        )
        if not self.errors and not changed:
            raise forms.ValidationError(
                "Nothing to post: change the status, cause or ETR, or write a message."
            )
        return data


class RestoreForm(forms.Form):
    restored_at = forms.DateTimeField(
        label="Restored at",
        required=False,
        widget=DateTimeLocalInput(),
        help_text="Leave empty for now. May be earlier, never in the future.",
    )
    message = forms.CharField(
        label="Message for customers", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
