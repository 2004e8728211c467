"""Forms of the supervisors' security pages: the audit trail's filter, and unlocking a login."""

from django import forms
from django.utils import timezone

from core.validation import SafeCharField, check_day


class AuditFilterForm(forms.Form):
    action = SafeCharField(
        label="Action",
        max_length=64,
        required=False,
        help_text="A code such as login.failed, or its start: login",
    )
    user = SafeCharField(
        label="User", max_length=150, required=False, help_text="Who acted, or who it was about"
    )
    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To (included)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        if check_day(self, "start", today=today) and check_day(self, "end", today=today):
            start, end = cleaned.get("start"), cleaned.get("end")
            if start and end and end < start:
                self.add_error("end", "The last day cannot be before the first.")
        return cleaned


class UnlockForm(forms.Form):
    username = SafeCharField(label="Account", max_length=150, required=False)
    ip_address = forms.GenericIPAddressField(label="Address", required=False)

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not (cleaned.get("username") or cleaned.get("ip_address")):
            raise forms.ValidationError("Say which account or address to unlock.")
        return cleaned
