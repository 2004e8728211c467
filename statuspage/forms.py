from django import forms
from django.conf import settings

from outages import normalise


class LookupForm(forms.Form):
    q = forms.CharField(
        label="Postal code or account number",
        max_length=32,
        help_text="We show the status of your area only.",
    )


def _phone(value):
    try:
        return normalise.phone_e164(value, region=settings.DEFAULT_PHONE_REGION)
    except normalise.InvalidPhone as exc:
        raise forms.ValidationError(str(exc)) from exc


class CallbackRequestForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=120)
    phone = forms.CharField(
        label="Phone number to call", max_length=32, help_text="A number that works now."
    )
    postal_code = forms.CharField(
        label="Postal code of the address with the problem", max_length=12
    )
    reason = forms.CharField(
        label="What do you need help with?",
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    account_number = forms.CharField(
        label="Account number (optional)", max_length=32, required=False
    )
    # A field people never see: software that fills every field fills it.
    website = forms.CharField(label="Leave this field empty", required=False)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Enter your name.")
        return name

    def clean_phone(self):
        return _phone(self.cleaned_data["phone"])

    def clean_postal_code(self):
        code = normalise.postal_code(self.cleaned_data["postal_code"])
        if not code:
            raise forms.ValidationError("Enter the postal code.")
        return code

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Tell us briefly what you need.")
        return reason

    @property
    def is_bot(self):
        return bool(self.data.get("website"))


class SubscribeForm(forms.Form):
    """Outage alerts for a postal code, by SMS or email (double opt-in)."""

    postal_code = forms.CharField(label="Postal code", max_length=12)
    channel = forms.ChoiceField(
        label="How should we tell you?",
        choices=[("sms", "Text message (SMS)"), ("email", "Email")],
        widget=forms.RadioSelect,
        initial="sms",
    )
    address = forms.CharField(
        label="Mobile number or email address",
        max_length=254,
        help_text="We send a link to confirm first; nothing else is sent until you follow it.",
    )
    # A field people never see: software that fills every field fills it.
    website = forms.CharField(label="Leave this field empty", required=False)

    def clean_postal_code(self):
        code = normalise.postal_code(self.cleaned_data["postal_code"])
        if not code:
            raise forms.ValidationError("Enter the postal code.")
        return code

    def clean(self):
        data = super().clean()
        address = (data.get("address") or "").strip()
        if data.get("channel") == "sms" and address:
            try:
                data["address"] = _phone(address)
            except forms.ValidationError as exc:
                self.add_error("address", exc)
        elif data.get("channel") == "email" and address:
            data["address"] = address.lower()
        return data

    @property
    def is_bot(self):
        return bool(self.data.get("website"))


class ChangePhoneForm(forms.Form):
    phone = forms.CharField(label="New phone number to call", max_length=32)

    def clean_phone(self):
        return _phone(self.cleaned_data["phone"])
