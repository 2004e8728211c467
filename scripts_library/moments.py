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
CALLBACK_CONSENT_REFUSED = "callback_consent_refused"
CALLBACK_ESCALATION = "callback_escalation"
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
    CALLBACK_CONSENT_REFUSED: "Callback: recording declined",
    CALLBACK_ESCALATION: "Callback: customer asks for someone senior",
    CUTOFF_NONPAYMENT: "Cut off: non-payment",
    CUTOFF_TERMS: "Cut off: terms of service violation",
    CUTOFF_DISCONNECTION: "Cut off: requested disconnection",
    TECHNICAL_ISSUE: "No known outage: technical issue",
}
MOMENTS = tuple(LABELS)

# When the agent reads each script: shown to supervisors beside the wording they edit.
USES = {
    OPENING: "Read first, once the caller's area shows a known outage.",
    CAUSE: "When the caller asks what happened. The cause comes from the outage record.",
    ETA: "When the caller asks how long it will last. The ETR comes from the outage record.",
    ALTERNATIVES: "Temporary options while the service is down, and the offer of a call back.",
    REFUND: "When the caller asks for a refund or a credit for the outage.",
    CLOSING: "Last, before ending the call.",
    CALLBACK_ANSWERED: "Returning a call after restoration, when the customer answers.",
    CALLBACK_LEFT_VOICEMAIL: "Returning a call, when it goes to voicemail: the message to leave.",
    CALLBACK_NO_VOICEMAIL: "Returning a call, no answer and no voicemail: guidance for the agent.",
    CALLBACK_CONSENT_REFUSED: "Returning a call, when the customer declines a recorded line.",
    CALLBACK_ESCALATION: "Returning a call, when the customer asks for a team lead or manager.",
    CUTOFF_NONPAYMENT: "No outage, and the account is suspended for non-payment.",
    CUTOFF_TERMS: "No outage, and the account is suspended for a terms of service violation.",
    CUTOFF_DISCONNECTION: "No outage, and the service was disconnected at the customer's request.",
    TECHNICAL_ISSUE: "No outage and nothing on the account: the customer's own connection.",
}

# A live call with a known outage, in call order.
OUTAGE_CALL = (OPENING, CAUSE, ETA, ALTERNATIVES, REFUND, CLOSING)
# Working a callback: one script per outcome.
CALLBACK_CALL = (
    CALLBACK_ANSWERED,
    CALLBACK_LEFT_VOICEMAIL,
    CALLBACK_NO_VOICEMAIL,
    CALLBACK_CONSENT_REFUSED,
    CALLBACK_ESCALATION,
)
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
