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
    moments.IVR_ANNOUNCEMENT: (
        "Thank you for calling <Brand>. We know about a service outage affecting <Area>, and "
        "our engineers are working on it. We expect service to be back by <ETR>. We're sorry "
        "for the disruption."
    ),
}

# An internal systems outage: the customer's service works, but we cannot reach their account.
# Messages to customers (notifications): an email moment's first line is its subject.
MESSAGE_WORDING = {
    "notify_declared_sms": "<Brand>: outage in <Area>. Expected fix by <ETR>. We will text "
    "you if that changes.",
    "notify_declared_email": "Subject: Service outage in <Area>\n"
    "Hello <Customer Name>,\n\n"
    "There is a service outage affecting <Area>: <Outage>. Our engineers are working on it "
    "and we expect service to be back by <ETR>.\n\n"
    "You don't need to call us: we will write again if the estimate changes and when service "
    "is back.\n\n"
    "<Brand>",
    "notify_etr_changed_sms": "<Brand>: update on the outage in <Area>. We now expect "
    "service back by <ETR>. Sorry for the wait.",
    "notify_etr_changed_email": "Subject: New estimate for the outage in <Area>\n"
    "Hello <Customer Name>,\n\n"
    "Our estimate for the outage affecting <Area> has changed: we now expect service to be "
    "back by <ETR>.\n\n"
    "We are sorry for the disruption and will write again when service is back.\n\n"
    "<Brand>",
    "notify_apology_sms": "<Brand>: we told you service would be back by <Promised ETR>. We "
    "missed that; sorry. New estimate: <ETR>.",
    "notify_apology_email": "Subject: We missed the time we gave you\n"
    "Hello <Customer Name>,\n\n"
    "When you called us, we told you service would be back by <Promised ETR>. We missed that "
    "time, and we are sorry.\n\n"
    "Our engineers are still working on <Outage>. Our new estimate is <ETR>; we will write "
    "again when service is back.\n\n"
    "<Brand>",
    "notify_restored_sms": "<Brand>: service is back in <Area>. Not working? Restart your "
    "equipment, then reply or call <Inbound Number>.",
    "notify_restored_email": "Subject: Service is back in <Area>\n"
    "Hello <Customer Name>,\n\n"
    "The outage affecting <Area> is over and service is back. Thank you for your patience.\n\n"
    "If your service is not working, please restart your equipment; if it still does not "
    "work, reply to this email or call us on <Inbound Number>.\n\n"
    "<Brand>",
    "notify_callback_filed_sms": "<Brand>: we have your callback request and will call you "
    "<Callback Deadline>.",
    "notify_callback_filed_email": "Subject: We will call you back\n"
    "Hello <Customer Name>,\n\n"
    "We have your request for a call back about <Call Reason>. We will call you "
    "<Callback Deadline>.\n\n"
    "<Brand>",
    "notify_callback_answered_email": "Subject: Following up on our call\n"
    "Hello <Customer Name>,\n\n"
    "Thank you for taking our call about <Call Reason>. This email confirms what we did "
    "together; if anything is still not right, reply to this email or call us on "
    "<Inbound Number>.\n\n"
    "<Brand>",
}

DEFAULT_WORDING.update(MESSAGE_WORDING)

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
