"""The live-call screen's forms: the callback request as the call's path needs it."""

from django import forms
from django.utils.translation import get_language

from contact.forms import CallbackForm
from outages.models import Customer, Outage

# Rendered selects by (name, value, attributes, choices): a few dozen combinations at most.
_RENDERED_SELECTS = {}
_RENDERED_SELECTS_MAX = 1024


class StaticChoicesSelect(forms.Select):
    """A select whose choices are fixed while the process runs (categories, contact windows).
    Its HTML then depends only on its name, value, attributes and choices, so each
    combination goes through the widget templates once: a select of 30 options costs about
    a millisecond to render, and the callback form is on every live call."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        key = (
            name,
            tuple(self.format_value(value)),
            tuple(sorted((k, str(v)) for k, v in final_attrs.items())),
            repr(self.choices),
            get_language(),
        )
        html = _RENDERED_SELECTS.get(key)
        if html is None:
            html = super().render(name, value, attrs, renderer)
            if len(_RENDERED_SELECTS) < _RENDERED_SELECTS_MAX:
                _RENDERED_SELECTS[key] = html
        return html


class BootstrapFields:
    """Bootstrap classes on the widgets, so ``templates/_field.html`` can render a field as
    plain markup; a field with an error is marked invalid for the eye and for screen readers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if type(field.widget) is forms.Select:
                field.widget = StaticChoicesSelect(attrs=field.widget.attrs, choices=field.choices)
            widget = field.widget
            widget.attrs["class"] = (
                "form-select" if isinstance(widget, forms.Select) else "form-control"
            )

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"


class LiveCallbackForm(BootstrapFields, CallbackForm):
    """The callback form on a live call. The account number is typed by hand only when no
    account was read (a systems outage, or a caller found by postal code); the support ticket's
    reference only on the technical-issue path (no outage)."""

    class Meta(CallbackForm.Meta):
        fields = [
            "name",
            "phone",
            "account_number",
            "ticket_reference",
            *CallbackForm.Meta.fields[2:],
        ]
        labels = {
            **CallbackForm.Meta.labels,
            "account_number": "Account number (if the caller knows it)",
            "ticket_reference": "Support ticket reference",
        }

    def __init__(self, *args, manual_entry=False, asks_ticket=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not manual_entry:
            del self.fields["account_number"]
        if not asks_ticket:
            del self.fields["ticket_reference"]
        else:
            self.fields[
                "ticket_reference"
            ].help_text = (
                "The reference of the technical support ticket you opened for this caller."
            )

    # An account number typed by hand that the directory does not hold: filed as the caller
    # said it (our copy of the directory may lag a new account, and the caller must not be
    # kept waiting), with a note that flags it for whoever calls back, and a warning now.
    UNKNOWN_ACCOUNT_NOTE = (
        "Account number {number} (typed by hand) is not in our directory: check it on the call."
    )

    def clean_account_number(self):
        number = (self.cleaned_data.get("account_number") or "").strip()
        self.unknown_account = ""
        if number and not Customer.objects.filter(account_number__iexact=number).exists():
            self.unknown_account = number
        return number

    def clean(self):
        cleaned = super().clean()
        if getattr(self, "unknown_account", ""):
            note = self.UNKNOWN_ACCOUNT_NOTE.format(number=self.unknown_account)
            cleaned["notes"] = f"{cleaned.get('notes') or ''}\n{note}".strip()
        return cleaned

    def service_arguments(self):
        """``cleaned_data`` as ``callbacks.services.callback_file`` takes it."""
        return dict(self.cleaned_data)


class RefundReviewForm(forms.Form):
    customer = forms.ModelChoiceField(queryset=Customer.objects.all())
    outage = forms.ModelChoiceField(queryset=Outage.objects.all())


class InboundNoteForm(forms.Form):
    note = forms.CharField(label="Outcome of this call (one line)", max_length=200)
