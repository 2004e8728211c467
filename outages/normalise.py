"""How the directory's keys are written, so that lookups and imports agree. Pure."""

import re

import phonenumbers

_POSTAL_NOISE = re.compile(r"[\s-]+")
_DIGITS = re.compile(r"\d")


class InvalidPhone(ValueError):
    pass


def phone_e164(raw, *, region="US"):
    """A phone number in any common format -> E.164 (``+15551234567``).

    Raises InvalidPhone with a message an agent can act on."""
    text = (raw or "").strip()
    if not text:
        raise InvalidPhone("Enter a phone number.")
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone("This is not a phone number.") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("This phone number is not valid: check the digits and the country code.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(e164, *, region="US"):
    """E.164 -> the way people read it (national format at home, international abroad)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def looks_like_phone(text):
    digits = len(_DIGITS.findall(text or ""))
    return digits >= 7 and not re.search(r"[A-Za-z]", text)


def postal_code(raw):
    """Upper case, no spaces or dashes: ``k1a 0b1`` -> ``K1A0B1``."""
    return _POSTAL_NOISE.sub("", (raw or "").strip()).upper()
