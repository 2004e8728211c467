"""Input rules every form shares: no control characters, bounded text, sane date windows.

A hostile or careless value is refused by the form with a message that says what is allowed,
before it reaches a query (PostgreSQL refuses NUL in text; dates past year 9999 overflow)."""

import re
from datetime import date, timedelta

from django import forms
from django.core.validators import MaxLengthValidator

# C0 controls except tab, newline and carriage return; DEL; C1 controls.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CONTROL_MESSAGE = "Remove the control characters (such as NUL) from this text."

# Lengths of free text: a note is a paragraph or two, a script a page.
NOTE_MAX_LENGTH = 4000
MESSAGE_MAX_LENGTH = 2000
SCRIPT_MAX_LENGTH = 10000
QUERY_MAX_LENGTH = 200
# A callback's notes grow when the caller rings again; past this the oldest are kept and the
# newest filing is refused a merge note (a new callback is then the honest record).
MERGED_NOTES_MAX_LENGTH = 20000

# Export and report ranges: from this day, to a year ahead at most.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAYS_AHEAD = 366


def has_control_characters(value):
    return bool(CONTROL_CHARACTERS.search(value or ""))


def refuse_control_characters(value):
    if has_control_characters(value):
        raise forms.ValidationError(CONTROL_MESSAGE, code="control_characters")


def clean_query(value, *, max_length=QUERY_MAX_LENGTH):
    """A search box's text, or ``None`` when it cannot be searched for (control characters,
    longer than any address): the page then says so instead of querying."""
    value = (value or "").strip()
    if len(value) > max_length or has_control_characters(value):
        return None
    return value


def no_control_characters(value):
    refuse_control_characters(value if isinstance(value, str) else str(value))


class SafeCharField(forms.CharField):
    """A CharField that refuses control characters and has a maximum length, always."""

    def __init__(self, *, max_length=NOTE_MAX_LENGTH, **kwargs):
        super().__init__(max_length=max_length, **kwargs)
        self.validators.append(no_control_characters)


def harden_text_fields(form, *, default_max_length=NOTE_MAX_LENGTH):
    """Give every text field of ``form`` the shared rules: control characters refused, and a
    maximum length (a model TextField has none: ``default_max_length`` then)."""
    for field in form.fields.values():
        if not isinstance(field, forms.CharField):
            continue
        if no_control_characters not in field.validators:
            field.validators.append(no_control_characters)
        if field.max_length is None:
            field.max_length = default_max_length
            field.validators.append(MaxLengthValidator(default_max_length))
            field.widget.attrs.setdefault("maxlength", str(default_max_length))


def day_window(*, today):
    """The days a range (export, filter) may start and end on."""
    return EARLIEST_DAY, today + timedelta(days=LATEST_DAYS_AHEAD)


def check_day(form, name, *, today):
    """Refuse a day outside ``day_window`` beside the field, saying the allowed range."""
    value = form.cleaned_data.get(name)
    earliest, latest = day_window(today=today)
    if value and not earliest <= value <= latest:
        form.add_error(name, f"Pick a day between {earliest:%Y-%m-%d} and {latest:%Y-%m-%d}.")
        return False
    return True


def parse_id(value):
    """A row id from a query string or a hidden field, or ``None`` when it cannot be one:
    ASCII digits only (``isdigit`` alone takes other scripts' digits), at most 18 of them (a
    PostgreSQL bigint; a longer number would fail in the database, not here)."""
    value = str(value or "")
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None
