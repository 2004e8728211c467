from datetime import timedelta

from django import forms

from outages import lifecycle

from . import figures


class RangeForm(forms.Form):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To (inclusive)", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end"):
            if data["end"] < data["start"]:
                raise forms.ValidationError("The end date comes before the start date.")
            start, end = figures.clamp_range(data["start"], data["end"] + timedelta(days=1))
            data["start"], data["end_exclusive"] = start, end
        return data


class ArchiveForm(forms.Form):
    q = forms.CharField(label="Title or service", required=False, max_length=100)
    area = forms.CharField(label="Area code", required=False, max_length=20)
    start = forms.DateField(
        label="Started from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="Started until (inclusive)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *lifecycle.STATUS_LABELS.items()],
    )
