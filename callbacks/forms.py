from datetime import datetime, time, timedelta

from django import forms
from django.conf import settings
from django.utils import timezone

from outages.normalise import InvalidPhone, phone_with_extension

from . import categories, policy
from .models import CallbackRequest

CATEGORY_REQUIRED = "Choose what the call was about."
SUBCATEGORY_REQUIRED = "Choose the sub-category."
SUBCATEGORY_MISMATCH = "This sub-category is not part of the chosen category."


class PhoneField(forms.CharField):
    """Any common format in, E.164 out (an extension kept as ``;ext=5``); a clear message
    when it cannot be a phone number, or when it holds letters."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            return phone_with_extension(value, region=settings.DEFAULT_PHONE_REGION)
        except InvalidPhone as exc:
            raise forms.ValidationError(str(exc), code="invalid_phone") from exc


def _category_fields():
    category = forms.ChoiceField(
        label="Category",
        choices=[("", "Choose a category")] + categories.category_choices(),
        error_messages={"required": CATEGORY_REQUIRED},
    )
    subcategory = forms.ChoiceField(
        label="Sub-category",
        choices=[("", "Choose a sub-category")] + categories.subcategory_choices(),
        error_messages={"required": SUBCATEGORY_REQUIRED},
    )
    return category, subcategory


def _check_pair(form):
    category = form.cleaned_data.get("category")
    subcategory = form.cleaned_data.get("subcategory")
    if category and subcategory and not categories.is_valid_pair(category, subcategory):
        form.add_error("subcategory", SUBCATEGORY_MISMATCH)


class CallbackForm(forms.ModelForm):
    phone = PhoneField(label="Phone", help_text="The number to call back, any format.")
    category, subcategory = _category_fields()

    class Meta:
        model = CallbackRequest
        fields = [
            "name",
            "phone",
            "call_reason",
            "category",
            "subcategory",
            "item",
            "preferred_window",
            "notes",
        ]
        labels = {
            "name": "Customer name",
            "call_reason": "Reason for the call",
            "item": "Item (product or service)",
            "preferred_window": "Preferred time to call",
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "call_reason"):
            self.fields[name].widget.attrs["autocomplete"] = "off"
        self.fields["name"].error_messages["required"] = "Enter the customer's name."
        self.fields["phone"].error_messages["required"] = "Enter the number to call back."
        self.fields["call_reason"].error_messages["required"] = "Say why the customer called."

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Enter the customer's name.")
        return name

    def clean_call_reason(self):
        reason = self.cleaned_data["call_reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why the customer called.")
        return reason

    def clean(self):
        cleaned = super().clean()
        _check_pair(self)
        return cleaned


class AttemptForm(forms.Form):
    """One call outcome with its call-log fields. The outcome comes from the button pressed."""

    outcome = forms.ChoiceField(
        label="Outcome",
        choices=list(policy.OUTCOME_LABELS.items()),
        error_messages={"required": "Choose the outcome of the call."},
    )
    category, subcategory = _category_fields()
    notes = forms.CharField(
        label="Call notes", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    expected_number = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def clean(self):
        cleaned = super().clean()
        _check_pair(self)
        return cleaned


class CallLogExportForm(forms.Form):
    """A range of days (in the console's time zone), both ends included."""

    MAX_DAYS = 366

    start = forms.DateField(
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Enter the first day.", "invalid": "Enter a date."},
    )
    end = forms.DateField(
        label="To (included)",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Enter the last day.", "invalid": "Enter a date."},
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The last day cannot be before the first.")
            elif (end - start).days >= self.MAX_DAYS:
                self.add_error("end", f"Export at most {self.MAX_DAYS} days at a time.")
        return cleaned

    def bounds(self):
        """The aware instants ``[from, to)`` covering the chosen days."""
        zone = timezone.get_current_timezone()
        start = datetime.combine(self.cleaned_data["start"], time.min, tzinfo=zone)
        end = datetime.combine(self.cleaned_data["end"] + timedelta(days=1), time.min, tzinfo=zone)
        return start, end
