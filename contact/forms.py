"""Forms about callbacks: the request filed on a live call, the callback page (a call's outcome
and the actions on a callback), the letters' batch and the call-log export."""

from datetime import datetime, time, timedelta

from django import forms
from django.conf import settings
from django.utils import timezone

from callbacks import categories, policy
from callbacks.models import CallbackRequest
from core.validation import NOTE_MAX_LENGTH, check_day
from outages.normalise import InvalidPhone, phone_with_extension
from schedule import policy as schedule

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


def category_fields():
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


def check_category_pair(form):
    """The sub-category must belong to the category (the filing and the call-log forms)."""
    category = form.cleaned_data.get("category")
    subcategory = form.cleaned_data.get("subcategory")
    if category and subcategory and not categories.is_valid_pair(category, subcategory):
        form.add_error("subcategory", SUBCATEGORY_MISMATCH)


class CallbackForm(forms.ModelForm):
    phone = PhoneField(label="Phone", help_text="The number to call back, any format.")
    category, subcategory = category_fields()
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "call_reason"):
            self.fields[name].widget.attrs["autocomplete"] = "off"
        self.fields["name"].error_messages["required"] = "Enter the customer's name."
        self.fields["phone"].error_messages["required"] = "Enter the number to call back."
        self.fields["call_reason"].error_messages["required"] = "Say why the customer called."
        # A specific time is set on the callback's page, where its start and end are asked.
        self.fields["preferred_window"].choices = [
            choice
            for choice in self.fields["preferred_window"].choices
            if choice[0] != schedule.SLOT
        ]

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
        check_category_pair(self)
        return cleaned


EXPECTED_NUMBER_MISSING = "Reload the page: it did not say which attempt this call is."


class AttemptForm(forms.Form):
    """One call outcome with its call-log fields. The outcome comes from the button pressed."""

    outcome = forms.ChoiceField(
        label="Outcome",
        choices=list(policy.OUTCOME_LABELS.items()),
        error_messages={"required": "Choose the outcome of the call."},
    )
    category, subcategory = category_fields()
    notes = forms.CharField(
        label="Call notes",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # The attempt number the page showed: two posts of the same page log one call, not two.
    # Required (checked in clean, so the message shows: the field itself is hidden).
    expected_number = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=1000, required=False
    )
    consent = forms.TypedChoiceField(
        label="Did the customer agree to continue on a recorded line?",
        choices=[("yes", "Yes, agreed"), ("no", "No, declined")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        required=False,
        empty_value=None,
    )

    def clean(self):
        cleaned = super().clean()
        check_category_pair(self)
        if cleaned.get("outcome") == policy.ANSWERED and cleaned.get("consent") is None:
            self.add_error(
                "consent", "Answered: record whether the customer agreed to a recorded line."
            )
        if cleaned.get("outcome") != policy.ANSWERED:
            cleaned["consent"] = None
        if self.errors.pop("expected_number", None) or cleaned.get("expected_number") is None:
            cleaned.pop("expected_number", None)
            raise forms.ValidationError(EXPECTED_NUMBER_MISSING)
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
        today = timezone.localdate()
        if not (check_day(self, "start", today=today) and check_day(self, "end", today=today)):
            return cleaned
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


class CancelForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why cancel this callback?",
        choices=[("", "Choose a reason")] + list(policy.CANCEL_REASONS.items()),
        error_messages={"required": "Choose why the callback is cancelled."},
    )
    note = forms.CharField(
        label="Cancellation note", required=False, max_length=300, help_text="Needed for Other."
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == policy.OTHER and not cleaned.get("note", "").strip():
            self.add_error("note", "Say why the callback is cancelled.")
        return cleaned


class ReopenForm(forms.Form):
    note = forms.CharField(label="Why reopen it?", required=False, max_length=200)


class NumbersForm(forms.Form):
    phone = PhoneField(label="First number to try")
    phone_2 = PhoneField(label="Second number", required=False)
    phone_3 = PhoneField(label="Third number", required=False)

    def numbers(self):
        return [self.cleaned_data.get(name, "") for name in ("phone", "phone_2", "phone_3")]


def _local_datetime_field(label):
    return forms.DateTimeField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="On the centre's clock.",
    )


class WindowForm(forms.Form):
    preferred_window = forms.ChoiceField(
        label="When does the customer want the call?", choices=list(schedule.WINDOW_LABELS.items())
    )
    window_start = _local_datetime_field("From (a specific time)")
    window_end = _local_datetime_field("Until")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("preferred_window") == schedule.SLOT:
            start, end = cleaned.get("window_start"), cleaned.get("window_end")
            if start is None:
                self.add_error("window_start", "Enter when the specific time starts.")
            if end is None:
                self.add_error("window_end", "Enter when it ends.")
            if start and end and end <= start:
                self.add_error("window_end", "The end must be after the start.")
        return cleaned


class EscalateForm(forms.Form):
    reason = forms.CharField(
        label="Why does this go to a team lead?",
        max_length=300,
        error_messages={"required": "Say why the callback goes to a team lead."},
    )


class LetterBatchForm(forms.Form):
    """The day's batch: every letter still to send produced up to the end of that day."""

    day = forms.DateField(
        label="Letters produced up to",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Enter the day.", "invalid": "Enter a date."},
    )

    def up_to(self):
        zone = timezone.get_current_timezone()
        return datetime.combine(self.cleaned_data["day"] + timedelta(days=1), time.min, tzinfo=zone)


class LetterBatchSentForm(forms.Form):
    letters = forms.TypedMultipleChoiceField(
        coerce=int, choices=(), widget=forms.MultipleHiddenInput
    )

    def __init__(self, *args, letter_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["letters"].choices = [(pk, pk) for pk in letter_ids]
