from django import forms

from . import keys
from .models import WebhookSubscription


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label="Integration", max_length=80, help_text="One key per integration, e.g. Main IVR."
    )
    scopes = forms.MultipleChoiceField(
        label="Scopes",
        choices=list(keys.SCOPE_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
    )


class WebhookForm(forms.Form):
    name = forms.CharField(label="Name", max_length=80)
    url = forms.URLField(
        label="Receiver URL",
        max_length=500,
        assume_scheme="https",
        help_text="We POST signed JSON here.",
    )
    topics = forms.MultipleChoiceField(
        label="Send",
        choices=list(WebhookSubscription.TOPIC_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
