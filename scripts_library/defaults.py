"""The default wording for every moment, shipped with the product: the data migrations install
it on a fresh database and ``seed_demo`` fills in anything missing. Written for this product
after the structure of the business's own guides (acknowledge, inform, offer what can be done,
commit to a follow-up); the business edits it in the scripts library.

How the placeholders read in a sentence (see ``context.placeholder_values``):

- ``<ETR>`` is a time: "back by <ETR>".
- ``<Callback Deadline>`` is a whole phrase of time, with its own preposition: "we will call
  you <Callback Deadline>" reads "... by Mon 23 Nov, 6:30 PM" or "... within 8 hours of the
  service being restored" while the outage is still on.
- ``<Cause>`` is whatever the supervisor wrote on the outage: put it after a colon.
- Text for the agent rather than the caller starts with "For you, not to read out:".
"""

from . import moments

CONSENT_REFUSED = (
    "That's completely fine, <Customer Name>, and thank you for telling me. I'll end this call "
    "now. If you'd like to talk to us about <Call Reason>, you can call us at any time on "
    "<Inbound Number>. Thank you, and have a good day."
)
ESCALATION = (
    "I understand, <Customer Name>, and I'll pass this to a team lead now with a note of "
    "everything you've told me, so you don't have to repeat yourself. A team lead will call "
    "you back on this number. Is there anything you'd like me to add to the note for them?"
)

DEFAULT_WORDING = {
    moments.OPENING: (
        "<Customer Name>, thank you for calling <Brand>. I've checked our outage system for "
        "your area, and there is a known service outage affecting <Area>: <Outage>. I'm sorry "
        "for the disruption this is causing you."
    ),
    moments.CAUSE: (
        "Here is what we know about the cause: <Cause>. Our engineers are working on it now, "
        "and we will keep customers in <Area> updated as things change."
    ),
    moments.ETA: (
        "Our current estimate is that service will be back by <ETR>. That is an estimate and "
        "it can change as the work goes on; if it does, we will let you know."
    ),
    moments.ALTERNATIVES: (
        "While you wait, a few things may help: you can use your mobile phone as a hotspot "
        "for anything essential, or a public Wi-Fi location nearby. If there is something "
        "that can't wait, I can arrange a call back for you once service is restored."
    ),
    moments.REFUND: (
        "I understand how frustrating it is to be without service. Once the outage is "
        "resolved, we will review your account, <Customer Name>, and consider any adjustment "
        "for the time you were affected. I'm noting your request now, so you won't need to "
        "call us again about it."
    ),
    moments.CLOSING: (
        "<Customer Name>, thank you for your patience while we work on this. If I've arranged "
        "a call back for you, we will call you <Callback Deadline>. Is there anything else I "
        "can help you with today?"
    ),
    moments.CALLBACK_ANSWERED: (
        "Hello <Customer Name>, this is <Agent Name> calling from <Brand>. Before we go on, "
        "this call is recorded and may be monitored: is that all right with you? I'm sorry we "
        "couldn't help when you called us during our outage. I'm calling you back to help "
        "with <Call Reason>."
    ),
    moments.CALLBACK_LEFT_VOICEMAIL: (
        "Hello <Customer Name>, this is <Agent Name> from <Brand>. I'm returning the call you "
        "made to us about your <Item>, and we'd like to help. Please call us back on "
        "<Inbound Number> and we'll be glad to assist. Thank you, and have a good day."
    ),
    moments.CALLBACK_NO_VOICEMAIL: (
        "For you, not to read out: there was no answer and no voicemail to leave a message "
        "on. Log the attempt as No voicemail and the callback comes back to the queue for "
        "another attempt with a new deadline. If that attempt ends the same way, a "
        "no-contact letter is sent to <Customer Name> instead."
    ),
    moments.CALLBACK_CONSENT_REFUSED: CONSENT_REFUSED,
    moments.CALLBACK_ESCALATION: ESCALATION,
    moments.CUTOFF_NONPAYMENT: (
        "<Customer Name>, I understand how frustrating this is. There is no outage in <Area>: "
        "your service is paused because a payment is overdue. I can take a payment with you "
        "now, and if it would help we can look at a payment plan together. Your service comes "
        "back as soon as the payment is applied."
    ),
    moments.CUTOFF_TERMS: (
        "<Customer Name>, I'm sorry for the inconvenience. There is no outage in <Area>: your "
        "service has been suspended because of a breach of our terms of service. Let me "
        "explain which terms are involved and what you can do to put it right, so that your "
        "service can be restored."
    ),
    moments.CUTOFF_DISCONNECTION: (
        "<Customer Name>, there is no outage in <Area>: our records show that your service "
        "was disconnected at your request. Let me confirm that with you. If you'd like the "
        "service back, I can start that now and explain the next steps."
    ),
    moments.TECHNICAL_ISSUE: (
        "<Customer Name>, I don't see a known outage in <Area>, so this looks like an issue "
        "with your own connection. I'm opening a technical support ticket for you now, and "
        "our technical team will keep you informed. I can also arrange a call back for you "
        "<Callback Deadline>."
    ),
}

# An internal systems outage: the customer's service works, but we cannot reach their account.
SYSTEMS_OPENING = (
    "<Customer Name>, thank you for calling <Brand>. Our systems are under maintenance at the "
    "moment, so I can't open your account to help you properly right now. What I can do is "
    "take your details and make sure we call you back once our systems are restored."
)
SYSTEMS_ALTERNATIVES = (
    "So that the call back can help you straight away, tell me what you need us to do and "
    "the best number to reach you on. I'll note it all in your call back request now."
)
SYSTEMS_REFUND = (
    "I understand this is frustrating. Once our systems are back, the team that calls you "
    "can review your account with you, <Customer Name>, and look at any adjustment."
)
SYSTEMS_CLOSING = (
    "<Customer Name>, thank you for giving me that information. I've entered a request for "
    "you to receive a call back once our systems are fully restored, and we aim to call you "
    "<Callback Deadline>. I'm sorry for the inconvenience, and thank you for your patience. "
    "Is there anything else I can help you with right now?"
)

# Scripts scoped to an outage kind: (moment, kind) -> wording.
KIND_WORDING = {
    (moments.OPENING, "systems"): SYSTEMS_OPENING,
    (moments.ALTERNATIVES, "systems"): SYSTEMS_ALTERNATIVES,
    (moments.REFUND, "systems"): SYSTEMS_REFUND,
    (moments.CLOSING, "systems"): SYSTEMS_CLOSING,
}
