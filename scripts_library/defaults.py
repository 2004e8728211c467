"""The default wording for every moment, shipped with the product (a data migration and
``seed_demo`` install it). Written for this product after the business's own guides; the
business edits it in the scripts library."""

from . import moments

DEFAULT_WORDING = {
    moments.OPENING: (
        "<Customer Name>, thank you for calling <Brand>. I can see that there is a known "
        "service outage affecting <Area> at the moment: <Outage>. I'm sorry for the trouble "
        "this is causing you."
    ),
    moments.CAUSE: (
        "Our engineers have found the cause: <Cause>. They are working on it now and we will "
        "keep customers in your area updated as things move."
    ),
    moments.ETA: (
        "We expect service to be back by <ETR>. That is our current estimate and it may change; "
        "if it does, we will let you know."
    ),
    moments.ALTERNATIVES: (
        "While you wait, there are a few things that may help: you can use your mobile phone as "
        "a hotspot for essential tasks, or use a public or partner Wi-Fi location nearby. If "
        "something can't wait, I can arrange a call back once service is restored."
    ),
    moments.REFUND: (
        "I understand how frustrating this outage has been. Once it is resolved we will review "
        "your account, <Customer Name>, and apply any adjustment you are entitled to for the "
        "time you were without service. I've noted that request on your account now."
    ),
    moments.CLOSING: (
        "<Customer Name>, thank you for your patience. If I've arranged a call back, we will "
        "call you by <Callback Deadline>. Is there anything else I can help you with today?"
    ),
    moments.CALLBACK_ANSWERED: (
        "Hello <Customer Name>, this is <Agent Name> calling from <Brand>. This call is recorded "
        "and may be monitored; is it all right to continue? I'm sorry we couldn't help when you "
        "called earlier during our outage. I'm returning your call to help you with "
        "<Call Reason>."
    ),
    moments.CALLBACK_LEFT_VOICEMAIL: (
        "Hello <Customer Name>, this is <Agent Name> from <Brand>. I'm returning the call you "
        "made to us about your <Item>, and we'd like to help. Please call us back on "
        "<Inbound Number> and we'll be happy to assist. Thank you, and have a good day."
    ),
    moments.CALLBACK_NO_VOICEMAIL: (
        "No answer and no voicemail. Log the attempt as No voicemail: another attempt is due "
        "within 2 hours. If that attempt fails the same way, a no-contact letter is produced "
        "for <Customer Name> automatically."
    ),
    moments.CUTOFF_NONPAYMENT: (
        "<Customer Name>, I understand how frustrating this is. There is no outage in <Area>: "
        "your service is paused because a payment is overdue. I can take a payment with you "
        "now, and if it helps we can look at a payment plan. Service comes back as soon as the "
        "payment is applied."
    ),
    moments.CUTOFF_TERMS: (
        "<Customer Name>, I'm sorry for the inconvenience. There is no outage in <Area>: your "
        "service has been suspended because of a breach of our terms of service. I can explain "
        "what was found and the steps to put it right so that service can be restored."
    ),
    moments.CUTOFF_DISCONNECTION: (
        "<Customer Name>, there is no outage in <Area>: our records show the service was "
        "disconnected at your request. Let me confirm that with you, and if you'd like service "
        "back I can set that up now and explain the next steps."
    ),
    moments.TECHNICAL_ISSUE: (
        "<Customer Name>, I don't see a known outage in <Area>, so this looks like an issue "
        "with your own connection. I'm opening a technical support ticket for you now; our "
        "technical team will be in touch, and I can arrange a call back by "
        "<Callback Deadline>."
    ),
}

SYSTEMS_OPENING = (
    "<Customer Name>, our systems are currently under maintenance and I'm unable to access "
    "your account right now to properly assist you. I can take your details and make sure we "
    "call you back once our systems are restored."
)
SYSTEMS_CLOSING = (
    "<Customer Name>, thank you for giving me this information. I've entered a request for "
    "you to receive a call back once our systems are fully restored; we will call you within 8 "
    "hours of that. We apologise for the inconvenience and appreciate your patience. Is there "
    "anything else I can help you with right now?"
)

# Scripts scoped to an outage kind: (moment, kind) -> wording.
KIND_WORDING = {
    (moments.OPENING, "systems"): SYSTEMS_OPENING,
    (moments.CLOSING, "systems"): SYSTEMS_CLOSING,
}
