"""The moments of a call that have a script, in the order an agent meets them.

Pure constants: no Django. The live-call screen, the callback screen and the editor all read
from here, so adding a moment is one line.
"""

OPENING = "opening"
CAUSE = "cause"
ETA = "eta"
ALTERNATIVES = "alternatives"
REFUND = "refund"
CLOSING = "closing"
CALLBACK_ANSWERED = "callback_answered"
CALLBACK_LEFT_VOICEMAIL = "callback_left_voicemail"
CALLBACK_NO_VOICEMAIL = "callback_no_voicemail"
CUTOFF_NONPAYMENT = "cutoff_nonpayment"
CUTOFF_TERMS = "cutoff_terms"
CUTOFF_DISCONNECTION = "cutoff_disconnection"
TECHNICAL_ISSUE = "technical_issue"

LABELS = {
    OPENING: "Opening",
    CAUSE: "Cause",
    ETA: "Estimated restoration",
    ALTERNATIVES: "Alternatives",
    REFUND: "Refund question",
    CLOSING: "Closing",
    CALLBACK_ANSWERED: "Callback: customer answers",
    CALLBACK_LEFT_VOICEMAIL: "Callback: voicemail left",
    CALLBACK_NO_VOICEMAIL: "Callback: no voicemail",
    CUTOFF_NONPAYMENT: "Cut off: non-payment",
    CUTOFF_TERMS: "Cut off: terms of service violation",
    CUTOFF_DISCONNECTION: "Cut off: requested disconnection",
    TECHNICAL_ISSUE: "No known outage: technical issue",
}
MOMENTS = tuple(LABELS)

# A live call with a known outage, in call order.
OUTAGE_CALL = (OPENING, CAUSE, ETA, ALTERNATIVES, REFUND, CLOSING)
# Working a callback: one script per outcome.
CALLBACK_CALL = (CALLBACK_ANSWERED, CALLBACK_LEFT_VOICEMAIL, CALLBACK_NO_VOICEMAIL)
# No outage covers the caller: the account's cut-off reason, or a technical issue.
CUTOFF_BY_STATUS = {
    "suspended_nonpayment": CUTOFF_NONPAYMENT,
    "suspended_terms": CUTOFF_TERMS,
    "disconnected_requested": CUTOFF_DISCONNECTION,
}

# Callback outcome -> the script the agent reads before choosing it.
BY_OUTCOME = {
    "answered": CALLBACK_ANSWERED,
    "left_voicemail": CALLBACK_LEFT_VOICEMAIL,
    "no_voicemail": CALLBACK_NO_VOICEMAIL,
}

DEFAULT = "default"
KIND = "kind"
OUTAGE = "outage"
SCOPES = {DEFAULT: "Default", KIND: "Outage kind", OUTAGE: "One outage"}

DEFAULT_LANGUAGE = "en"
LANGUAGES = {"en": "English", "es": "Spanish", "fr": "French"}


def scope_key(*, scope, outage_kind="", outage_id=None):
    """One string per scope so that uniqueness is a plain constraint."""
    if scope == DEFAULT:
        return DEFAULT
    if scope == KIND:
        return f"kind:{outage_kind}"
    if scope == OUTAGE:
        return f"outage:{outage_id}"
    raise ValueError(f"Unknown scope {scope!r}")
