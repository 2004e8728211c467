"""Forms of the scripts editor. The wording is checked here for a message beside the field, and
again by the service, which is the one that refuses to write."""

from django import forms

from core.validation import SCRIPT_MAX_LENGTH
from outages.lifecycle import KIND_LABELS
from outages.models import Outage

from . import moments, placeholders

PUBLISH = "publish"
DRAFT = "draft"

BODY_HELP = (
    "Placeholders are filled in on the call. Known placeholders: "
    + ", ".join(f"<{name}>" for name in placeholders.PLACEHOLDERS)
    + "."
)


def _clean_wording(body):
    if not body.strip():
        raise forms.ValidationError("Write the words the agent will read.")
    found = placeholders.problems(body)
    if found:
        raise forms.ValidationError(found)
    return body


def _body_field():
    return forms.CharField(
        label="Wording",
        strip=False,
        max_length=SCRIPT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "true"}),
        help_text=BODY_HELP,
    )


def _note_field():
    return forms.CharField(
        label="What changed and why (optional)",
        max_length=200,
        required=False,
    )


def _action_field():
    """Which submit button was pressed: "Save and publish" or "Save as draft"."""
    return forms.ChoiceField(
        choices=[(PUBLISH, "Save and publish"), (DRAFT, "Save as draft")], required=False
    )


class ScriptEditForm(forms.Form):
    body = _body_field()
    note = _note_field()
    base_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    action = _action_field()

    def clean_body(self):
        return _clean_wording(self.cleaned_data["body"])

    @property
    def publish(self):
        return self.cleaned_data.get("action") != DRAFT


class ScriptCreateForm(forms.Form):
    moment = forms.ChoiceField(label="Moment of the call", choices=list(moments.LABELS.items()))
    scope = forms.ChoiceField(
        label="Used for",
        choices=[
            (moments.DEFAULT, "Every call (default)"),
            (moments.KIND, "One kind of outage"),
            (moments.OUTAGE, "One outage"),
        ],
        initial=moments.DEFAULT,
    )
    outage_kind = forms.ChoiceField(
        label="Kind of outage",
        choices=[("", "—")] + list(KIND_LABELS.items()),
        required=False,
        help_text="Only when the wording is for one kind of outage.",
    )
    outage = forms.ModelChoiceField(
        label="Outage",
        queryset=Outage.objects.none(),
        required=False,
        help_text="Only when the wording is for one outage.",
    )
    language = forms.ChoiceField(
        label="Language", choices=list(moments.LANGUAGES.items()), initial=moments.DEFAULT_LANGUAGE
    )
    body = _body_field()
    note = _note_field()
    action = _action_field()

    def __init__(self, *args, outages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outage"].queryset = outages
        for name in ("moment", "scope", "outage_kind", "outage", "language"):
            self.fields[name].widget.attrs["class"] = "form-select"

    def scope_fields(self):
        """Where the wording is used: moment, scope, kind, outage, language."""
        return [self[name] for name in ("moment", "scope", "outage_kind", "outage", "language")]

    def clean_body(self):
        return _clean_wording(self.cleaned_data["body"])

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        if scope == moments.KIND and not data.get("outage_kind"):
            self.add_error("outage_kind", "Pick the kind of outage this wording is for.")
        if scope == moments.OUTAGE and not data.get("outage"):
            self.add_error("outage", "Pick the outage this wording is for.")
        return data

    @property
    def publish(self):
        return self.cleaned_data.get("action") != DRAFT


class PreviewForm(forms.Form):
    """What the preview renders: the wording being typed, against a real outage and customer."""

    body = forms.CharField(strip=False, required=False, max_length=SCRIPT_MAX_LENGTH)
    preview_outage = forms.ModelChoiceField(
        label="Preview with outage",
        queryset=Outage.objects.none(),
        required=False,
        empty_label="No outage",
    )
    preview_customer = forms.CharField(
        label="Preview with customer (account number)",
        max_length=32,
        required=False,
    )

    def __init__(self, *args, outages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preview_outage"].queryset = outages
        self.fields["preview_outage"].widget.attrs["class"] = "form-select"


class RollbackForm(forms.Form):
    version = forms.IntegerField(min_value=1)
    note = _note_field()
