from django import forms
from django.conf import settings

from outages.normalise import InvalidPhone, phone_e164

from .models import CallbackRequest


class PhoneField(forms.CharField):
    """Any common format in, E.164 out; a clear message when it cannot be a phone number."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            return phone_e164(value, region=settings.DEFAULT_PHONE_REGION)
        except InvalidPhone as exc:
            raise forms.ValidationError(str(exc), code="invalid_phone") from exc


class CallbackForm(forms.ModelForm):
    phone = PhoneField(label="Phone", help_text="The number to call back, any format.")

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
            "subcategory": "Sub-category",
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
