"""The live-call screen's forms: the callback request as the call's path needs it."""

import copy
import re

from django import forms
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from callbacks.models import CallbackRequest
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


class _ShapedFields(dict):
    """A form's shaped fields, copied cheaply for each form: the one thing a form changes on
    its copy is a widget's attributes (``is-invalid``, ``BootstrapFields.full_clean``); the
    choices, validators and messages are fixed once shaped, so the copies share them (a deep
    copy of the selects' choices was most of the cost of building the form)."""

    def __deepcopy__(self, memo):
        copies = {}
        for name, field in self.items():
            field = copy.copy(field)
            field.widget = copy.copy(field.widget)
            field.widget.attrs = dict(field.widget.attrs)
            copies[name] = field
        return copies


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

    # The fields as __init__ shapes them (widgets, classes, messages, choices), by the form's
    # shape: shaped once per process, then copied for each form (a filing builds one).
    _shaped = {}

    def __init__(self, *args, manual_entry=False, asks_ticket=False, **kwargs):
        shape = (manual_entry, asks_ticket)
        shaped = self._shaped.get(shape)
        if shaped is not None:
            # What CallbackForm's and BootstrapFields' __init__ do is shape the fields, which
            # ``shaped`` already is: straight to the ModelForm's own __init__, which copies them.
            self.base_fields = shaped
            super(CallbackForm, self).__init__(*args, **kwargs)
            return
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
        self._shaped[shape] = _ShapedFields(copy.deepcopy(self.fields))

    def _post_clean(self):
        """No model instance is built or validated: the service files the callback from
        ``cleaned_data``, and the fields already check what the model's fields would (lengths,
        choices), but for the normalised phone number's length, checked here (a number and
        its extension fit today; the column is the limit)."""
        phone = self.cleaned_data.get("phone") or ""
        limit = CallbackRequest._meta.get_field("phone").max_length
        if len(phone) > limit:
            self.add_error("phone", f"Ensure this value has at most {limit} characters.")

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


# The unbound callback form's fields as HTML, by everything in them but the caller's own
# details: the form is on every live call and rendering its fields cost about 2 ms of the
# lookup's CPU, while what varies between two callers of the same outage is two values.
CALLER_FIELDS = ("name", "phone", "account_number")
# Private-use characters: never typed, and left as they are by HTML escaping.
_CALLER_MARK = "\ue000{}\ue000"
_CALLER_MARKS = re.compile("\ue000(" + "|".join(CALLER_FIELDS) + ")\ue000")
_RENDERED_FIELDS = {}
_RENDERED_FIELDS_MAX = 1024


def callback_fields_html(*, initial, manual_entry, asks_ticket):
    """The fields of an unbound ``LiveCallbackForm`` with ``initial``, as
    ``console/_callback_fields.html`` renders them: rendered once per outage, path and shape
    of the form, then filled with the caller's name, phone and account number (escaped as
    the widgets escape a value)."""
    caller = {
        name: str(initial[name]) for name in CALLER_FIELDS if initial.get(name) not in (None, "")
    }
    rest = tuple(sorted((k, str(v)) for k, v in initial.items() if k not in caller))
    key = (rest, tuple(sorted(caller)), manual_entry, asks_ticket, get_language())
    html = _RENDERED_FIELDS.get(key)
    if html is None:
        marked = {**initial, **{name: _CALLER_MARK.format(name) for name in caller}}
        form = LiveCallbackForm(initial=marked, manual_entry=manual_entry, asks_ticket=asks_ticket)
        html = render_to_string("console/_callback_fields.html", {"form": form})
        if len(_RENDERED_FIELDS) < _RENDERED_FIELDS_MAX:
            _RENDERED_FIELDS[key] = html
    # One pass, so a value that happens to look like a mark is never filled in itself.
    filled = _CALLER_MARKS.sub(lambda match: escape(caller[match.group(1)]), html)
    return mark_safe(filled)  # noqa: S308 - the template escaped the rest, escape() the values


class RefundReviewForm(forms.Form):
    customer = forms.ModelChoiceField(queryset=Customer.objects.all())
    outage = forms.ModelChoiceField(queryset=Outage.objects.all())


class InboundNoteForm(forms.Form):
    note = forms.CharField(label="Outcome of this call (one line)", max_length=200)
