from django import forms
from django.conf import settings

from core.validation import NOTE_MAX_LENGTH
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
            choice for choice in self.fields["preferred_window"].choices if choice[0] != policy.SLOT
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
