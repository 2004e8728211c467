"""How the directory's keys are written, so that lookups and imports agree. Pure."""

import re

import phonenumbers

_POSTAL_NOISE = re.compile(r"[\s-]+")
_DIGITS = re.compile(r"\d")
# The shapes most directories hold, recognised without the full parser (an import of a
# million rows spends most of its time parsing phones): +1 and ten digits, or ten digits
# written nationally in a North American region ("(202) 555-0123", "202.555.0123").
_NANP_E164 = re.compile(r"\+1([2-9]\d{9})")
_NANP_NATIONAL = re.compile(r"\(?([2-9]\d{2})\)?[ .-]?(\d{3})[ .-]?(\d{4})")
_INVALID = "This phone number is not valid: check the digits and the country code."
# An extension at the end: "x5", "ext 5", "ext. 5", "extension 5", "#5", or ";ext=5" as stored.
_EXTENSION = re.compile(
    r"\s*(?:;ext=|[,;]?\s*(?:extension|ext\.?|x|#)\s*)(\d{1,6})\s*$", re.IGNORECASE
)
_LETTERS = re.compile(r"[A-Za-z]")


class InvalidPhone(ValueError):
    pass


def phone_e164(raw, *, region="US"):
    """A phone number in any common format -> E.164 (``+15551234567``).

    Raises InvalidPhone with a message an agent can act on."""
    text = (raw or "").strip()
    if not text:
        raise InvalidPhone("Enter a phone number.")
    fast = _nanp_e164(text, region)
    if fast is not None:
        return fast
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone("This is not a phone number.") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(_INVALID)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _nanp_e164(text, region):
    """The common North American shapes without the full parser; None for anything else.

    Gives the same answer as ``phonenumbers.parse`` + ``is_valid_number`` for these shapes:
    the number is checked against the home region first (one set of patterns) and against
    every region sharing +1 only when that fails."""
    match = _NANP_E164.fullmatch(text)
    if match:
        digits = match[1]
    else:
        match = _NANP_NATIONAL.fullmatch(text)
        if match is None or phonenumbers.country_code_for_region(region) != 1:
            return None
        digits = "".join(match.groups())
    number = phonenumbers.PhoneNumber(country_code=1, national_number=int(digits))
    home = region if phonenumbers.country_code_for_region(region) == 1 else "US"
    if not (
        phonenumbers.is_valid_number_for_region(number, home)
        or phonenumbers.is_valid_number(number)
    ):
        raise InvalidPhone(_INVALID)
    return "+1" + digits


def phone_with_extension(raw, *, region="US"):
    """A number to call back as typed on a call -> E.164, with its extension kept as
    ``;ext=5`` (``+12025550123;ext=5``, as a ``tel:`` link writes it).

    Letters are refused, not silently dialled as digits: the message says how they would read
    ("202-555-CALL reads as 202-555-2255") so the agent can confirm the digits with the caller."""
    text = (raw or "").strip()
    extension = ""
    match = _EXTENSION.search(text)
    if match and match.start() > 0:
        extension, text = match[1], text[: match.start()]
    if _LETTERS.search(text):
        digits = phonenumbers.convert_alpha_characters_in_number(text)
        raise InvalidPhone(
            f"Type the digits, not letters: {text} reads as {digits} on a keypad. "
            "Confirm the digits with the caller."
        )
    number = phone_e164(text, region=region)
    return f"{number};ext={extension}" if extension else number


def phone_display(e164, *, region="US"):
    """A stored number -> one way to read it everywhere: national format for numbers of the
    home region ("(202) 555-0123"), E.164 for the rest ("+442079460958"); an extension is
    kept (" ext. 5")."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return f"{shown} ext. {number.extension}" if number.extension else shown


def looks_like_phone(text):
    digits = len(_DIGITS.findall(text or ""))
    return digits >= 7 and not re.search(r"[A-Za-z]", text)


def postal_code(raw):
    """Upper case, no spaces or dashes: ``k1a 0b1`` -> ``K1A0B1``."""
    return _POSTAL_NOISE.sub("", (raw or "").strip()).upper()
