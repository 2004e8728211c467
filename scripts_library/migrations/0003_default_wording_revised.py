"""Revised default wording: every script whose live wording is still the first default gets
the revised text as a new version (its history is kept); wording a supervisor has changed is
left alone. Scripts the revision adds (internal systems alternatives and refund) are created.

The first defaults are frozen below, so this migration means the same thing whatever
``defaults.py`` says later.
"""

from django.db import migrations
from django.db.models import Max
from django.utils import timezone

from scripts_library import moments
from scripts_library.defaults import DEFAULT_WORDING, KIND_WORDING

NOTE = "Default wording revised"

FIRST_DEFAULTS = {
    ("default", "alternatives"): "While you wait, there are a few things that may help: you can "
    "use your mobile phone as a hotspot for essential tasks, or use "
    "a public or partner Wi-Fi location nearby. If something can't "
    "wait, I can arrange a call back once service is restored.",
    ("default", "callback_answered"): "Hello <Customer Name>, this is <Agent Name> calling from "
    "<Brand>. This call is recorded and may be monitored; is "
    "it all right to continue? I'm sorry we couldn't help when "
    "you called earlier during our outage. I'm returning your "
    "call to help you with <Call Reason>.",
    ("default", "callback_left_voicemail"): "Hello <Customer Name>, this is <Agent Name> from "
    "<Brand>. I'm returning the call you made to us "
    "about your <Item>, and we'd like to help. Please "
    "call us back on <Inbound Number> and we'll be happy "
    "to assist. Thank you, and have a good day.",
    ("default", "callback_no_voicemail"): "No answer and no voicemail. Log the attempt as No "
    "voicemail: another attempt is due within 2 hours. If "
    "that attempt fails the same way, a no-contact letter "
    "is produced for <Customer Name> automatically.",
    ("default", "cause"): "Our engineers have found the cause: <Cause>. They are working on it "
    "now and we will keep customers in your area updated as things move.",
    ("default", "closing"): "<Customer Name>, thank you for your patience. If I've arranged a "
    "call back, we will call you by <Callback Deadline>. Is there "
    "anything else I can help you with today?",
    ("default", "cutoff_disconnection"): "<Customer Name>, there is no outage in <Area>: our "
    "records show the service was disconnected at your "
    "request. Let me confirm that with you, and if you'd "
    "like service back I can set that up now and explain "
    "the next steps.",
    ("default", "cutoff_nonpayment"): "<Customer Name>, I understand how frustrating this is. "
    "There is no outage in <Area>: your service is paused "
    "because a payment is overdue. I can take a payment with "
    "you now, and if it helps we can look at a payment plan. "
    "Service comes back as soon as the payment is applied.",
    ("default", "cutoff_terms"): "<Customer Name>, I'm sorry for the inconvenience. There is no "
    "outage in <Area>: your service has been suspended because of a "
    "breach of our terms of service. I can explain what was found "
    "and the steps to put it right so that service can be restored.",
    ("default", "eta"): "We expect service to be back by <ETR>. That is our current estimate and "
    "it may change; if it does, we will let you know.",
    ("default", "opening"): "<Customer Name>, thank you for calling <Brand>. I can see that "
    "there is a known service outage affecting <Area> at the moment: "
    "<Outage>. I'm sorry for the trouble this is causing you.",
    ("default", "refund"): "I understand how frustrating this outage has been. Once it is "
    "resolved we will review your account, <Customer Name>, and apply any "
    "adjustment you are entitled to for the time you were without "
    "service. I've noted that request on your account now.",
    ("default", "technical_issue"): "<Customer Name>, I don't see a known outage in <Area>, so "
    "this looks like an issue with your own connection. I'm "
    "opening a technical support ticket for you now; our "
    "technical team will be in touch, and I can arrange a call "
    "back by <Callback Deadline>.",
    ("kind:systems", "closing"): "<Customer Name>, thank you for giving me this information. "
    "I've entered a request for you to receive a call back once our "
    "systems are fully restored; we will call you within 8 hours of "
    "that. We apologise for the inconvenience and appreciate your "
    "patience. Is there anything else I can help you with right "
    "now?",
    ("kind:systems", "opening"): "<Customer Name>, our systems are currently under maintenance "
    "and I'm unable to access your account right now to properly "
    "assist you. I can take your details and make sure we call you "
    "back once our systems are restored.",
}
"""(scope_key, moment) -> the wording migration 0002 installed."""


def _revised():
    entries = {
        (moments.DEFAULT, moment): (moments.DEFAULT, "", body)
        for moment, body in DEFAULT_WORDING.items()
    }
    for (moment, kind), body in KIND_WORDING.items():
        key = moments.scope_key(scope=moments.KIND, outage_kind=kind)
        entries[(key, moment)] = (moments.KIND, kind, body)
    return entries


def revise(apps, schema_editor):
    Script = apps.get_model("scripts_library", "Script")
    ScriptVersion = apps.get_model("scripts_library", "ScriptVersion")
    now = timezone.now()
    for (key, moment), (scope, kind, body) in _revised().items():
        script = (
            Script.objects.select_related("live_version")
            .filter(moment=moment, scope_key=key, language=moments.DEFAULT_LANGUAGE)
            .first()
        )
        if script is None:
            script = Script.objects.create(
                moment=moment,
                scope=scope,
                outage_kind=kind,
                scope_key=key,
                language=moments.DEFAULT_LANGUAGE,
                updated_at=now,
            )
            note = "Default wording"
        elif (
            script.live_version is not None
            and script.live_version.body == FIRST_DEFAULTS.get((key, moment))
            and script.live_version.body != body
        ):
            note = NOTE
        else:
            continue
        last = script.versions.aggregate(last=Max("number"))["last"] or 0
        version = ScriptVersion.objects.create(
            script=script, number=last + 1, body=body, created_at=now, note=note
        )
        script.live_version = version
        script.updated_at = now
        script.save(update_fields=["live_version", "updated_at"])


class Migration(migrations.Migration):
    dependencies = [("scripts_library", "0002_default_wording")]

    operations = [migrations.RunPython(revise, migrations.RunPython.noop)]
