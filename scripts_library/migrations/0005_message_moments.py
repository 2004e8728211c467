"""Messages to customers become scripts: one moment per notification event and channel, with
default wording (frozen here, so this migration means the same thing whatever comes later).
An email moment's first line is its subject."""

from django.db import migrations, models
from django.utils import timezone

WORDING = {
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

LABELS = [
    ("opening", "Opening"),
    ("cause", "Cause"),
    ("eta", "Estimated restoration"),
    ("alternatives", "Alternatives"),
    ("refund", "Refund question"),
    ("closing", "Closing"),
    ("callback_answered", "Callback: customer answers"),
    ("callback_left_voicemail", "Callback: voicemail left"),
    ("callback_no_voicemail", "Callback: no voicemail"),
    ("callback_consent_refused", "Callback: recording declined"),
    ("callback_escalation", "Callback: customer asks for someone senior"),
    ("cutoff_nonpayment", "Cut off: non-payment"),
    ("cutoff_terms", "Cut off: terms of service violation"),
    ("cutoff_disconnection", "Cut off: requested disconnection"),
    ("technical_issue", "No known outage: technical issue"),
    ("notify_declared_sms", "Message: outage declared (SMS)"),
    ("notify_declared_email", "Message: outage declared (email)"),
    ("notify_etr_changed_sms", "Message: restoration estimate moved (SMS)"),
    ("notify_etr_changed_email", "Message: restoration estimate moved (email)"),
    ("notify_apology_sms", "Message: promised time missed (SMS)"),
    ("notify_apology_email", "Message: promised time missed (email)"),
    ("notify_restored_sms", "Message: service restored (SMS)"),
    ("notify_restored_email", "Message: service restored (email)"),
    ("notify_callback_filed_sms", "Message: callback filed (SMS)"),
    ("notify_callback_filed_email", "Message: callback filed (email)"),
    ("notify_callback_answered_email", "Message: callback answered, follow-up (email)"),
]


def install(apps, schema_editor):
    Script = apps.get_model("scripts_library", "Script")
    ScriptVersion = apps.get_model("scripts_library", "ScriptVersion")
    now = timezone.now()
    for moment, body in WORDING.items():
        script, created = Script.objects.get_or_create(
            moment=moment,
            scope_key="default",
            language="en",
            defaults={"scope": "default", "outage_kind": "", "updated_at": now},
        )
        if created:
            version = ScriptVersion.objects.create(
                script=script, number=1, body=body, created_at=now, note="Default wording"
            )
            script.live_version = version
            script.save(update_fields=["live_version"])


class Migration(migrations.Migration):
    dependencies = [("scripts_library", "0004_consent_and_escalation_scripts")]

    operations = [
        migrations.AlterField(
            model_name="script",
            name="moment",
            field=models.CharField(choices=LABELS, max_length=32),
        ),
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
