import re

from django import forms
from django.utils import timezone

from core.validation import MESSAGE_MAX_LENGTH

from . import lifecycle, selectors
from .models import ServiceArea

_CODE_SEPARATORS = re.compile(r"[\s,;]+")
_POSTAL_SEPARATORS = re.compile(r"[,;\n]+")  # postal codes may hold a space: "K1A 0B1"


def _split(text, separators):
    return [part.strip() for part in separators.split(text or "") if part.strip()]


def check_etr_window(form, *, started_at=None):
    """Refuse an ETR outside the outage's window beside the field, saying the allowed range:
    from the outage's start to ``lifecycle.ETR_MAX_AHEAD`` from now."""
    etr = form.cleaned_data.get("etr")
    if etr is None:
        return
    now = timezone.now()
    earliest, latest = lifecycle.etr_window(started_at=started_at or now, now=now)
    if not earliest <= etr <= latest:
        zone = timezone.get_current_timezone()
        form.add_error(
            "etr",
            f"Enter an ETR between {earliest.astimezone(zone):%Y-%m-%d %H:%M} and "
            f"{latest.astimezone(zone):%Y-%m-%d %H:%M} (at most "
            f"{lifecycle.ETR_MAX_AHEAD.days} days ahead).",
        )


def _text(label, *, max_length=MESSAGE_MAX_LENGTH, **kwargs):
    """A bounded free-text box (cause, message for customers)."""
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        **kwargs,
    )


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class AreaChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return (
            f"{obj.name} ({obj.code}) · {obj.region}" if obj.region else f"{obj.name} ({obj.code})"
        )


class DeclareOutageForm(forms.Form):
    title = forms.CharField(max_length=200, label="Title")
    kind = forms.ChoiceField(choices=list(lifecycle.KIND_LABELS.items()), label="Kind")
    service = forms.CharField(max_length=120, required=False, label="Service affected")
    severity = forms.ChoiceField(
        choices=list(lifecycle.SEVERITY_LABELS.items()), initial=lifecycle.MAJOR
    )
    picked_areas = AreaChoiceField(
        label="Service areas",
        queryset=ServiceArea.objects.order_by("region", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "area-choice"}),
        help_text="Tick the areas affected (type in Find an area to narrow the list), or name "
        "them below by code, region or postal code. Not needed for an internal systems outage "
        "(it covers every area).",
    )
    area_codes = forms.CharField(
        label="Area codes",
        required=False,
        help_text="Service area codes, separated by commas or spaces.",
    )
    regions = forms.MultipleChoiceField(
        label="Regions",
        required=False,
        choices=[],
        help_text="Every area of the regions picked.",
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    postal_codes = forms.CharField(
        label="Postal codes",
        required=False,
        help_text="The areas covering these postal codes, separated by commas.",
    )
    cause = _text("Cause")
    etr = forms.DateTimeField(
        label="Estimated restoration (ETR)", required=False, widget=DateTimeLocalInput()
    )
    message = _text("Message for customers")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regions"].choices = [(r, r) for r in selectors.regions()]

    def clean(self):
        data = super().clean()
        check_etr_window(self)  # declared now: from now to 30 days ahead
        data["areas"] = []
        if data.get("kind") != lifecycle.NETWORK:
            return data
        codes = _split(data.get("area_codes"), _CODE_SEPARATORS)
        codes += [area.code for area in data.get("picked_areas") or []]
        postal_codes = _split(data.get("postal_codes"), _POSTAL_SEPARATORS)
        regions = data.get("regions") or []
        if not (codes or postal_codes or regions):
            self.add_error(
                "picked_areas",
                "Pick at least one service area: tick it, or name it by code, region or "
                "postal code.",
            )
            return data
        areas, unknown = selectors.areas_matching(
            codes=codes, regions=regions, postal_codes=postal_codes
        )
        if unknown["codes"]:
            codes = ", ".join(unknown["codes"])
            self.add_error("area_codes", f"No service area with code {codes}.")
        if unknown["postal_codes"]:
            self.add_error(
                "postal_codes",
                f"No service area covers postal code {', '.join(unknown['postal_codes'])}.",
            )
        data["areas"] = areas
        return data


class OutageUpdateForm(forms.Form):
    """The one way to change an outage's status, cause or ETR on its page. Its ids start with
    ``update_`` so that the restoration form beside it can use the same field names."""

    status = forms.ChoiceField(choices=[], required=False, label="Status")
    cause = _text("Cause")
    etr = forms.DateTimeField(
        label="Estimated restoration (ETR)",
        required=False,
        widget=DateTimeLocalInput(),
        help_text="Leave empty to keep the current one.",
    )
    message = _text("Message for customers")

    def __init__(self, *args, outage, **kwargs):
        kwargs.setdefault("auto_id", "update_%s")
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
        check_etr_window(self, started_at=outage.started_at)
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
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "restore_%s")
        super().__init__(*args, **kwargs)

    restored_at = forms.DateTimeField(
        label="Restored at",
        required=False,
        widget=DateTimeLocalInput(),
        help_text="Leave empty for now. May be earlier, never in the future.",
    )
    message = _text("Message for customers")


class ChangeEtrForm(forms.Form):
    """The ETR alone (kept for scripts and integrations; the page changes it through
    ``OutageUpdateForm``)."""

    etr = forms.DateTimeField(label="New estimated restoration (ETR)", widget=DateTimeLocalInput())
    message = _text("Update for customers")

    def __init__(self, *args, outage=None, **kwargs):
        kwargs.setdefault("auto_id", "etr_%s")
        super().__init__(*args, **kwargs)
        self.outage = outage

    def clean(self):
        data = super().clean()
        check_etr_window(self, started_at=self.outage.started_at if self.outage else None)
        return data


class ReviewForm(forms.Form):
    notes = forms.CharField(label="Review notes", required=False, max_length=1000)
