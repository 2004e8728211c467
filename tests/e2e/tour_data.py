"""Realistic data for the page tour and the README's screenshots: the demo data (seed_demo)
plus what makes pages hard to read: an area with several restored outages before the current
one, a callback in every state, a 200-character unbroken name and markup in a name."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management import call_command

from callbacks import policy
from callbacks import services as callback_services
from callbacks.models import CallbackRequest, Letter
from contact import services as contact_services
from outages import services as outage_services
from outages.models import Coverage, Customer, ServiceArea
from scripts_library import moments
from scripts_library.models import Script
from workload import services as distribution

LONG_NAME = ("Wolfeschlegelsteinhausenbergerdorff" * 6)[:200]  # 200 letters, no break
MARKUP_NAME = '<b>Zoë</b> O\'Brien & "Sons"'


def build(*, now):
    """Seed the demo and add the hard cases. Returns the objects the tour visits."""
    call_command("seed_demo", verbosity=0)
    User = get_user_model()
    users = {name: User.objects.get(username=name) for name in ("agent", "agent2", "lead")}
    users["supervisor"] = User.objects.get(username="supervisor")
    supervisor, lead, agent = users["supervisor"], users["lead"], users["agent"]

    area, _ = ServiceArea.objects.get_or_create(
        code="QS-01", defaults={"name": "Quayside", "region": "Central"}
    )
    Coverage.objects.get_or_create(postal_code="10099", defaults={"area": area})

    def customer(account, name, phone, address):
        return Customer.objects.get_or_create(
            account_number=account,
            defaults={
                "name": name,
                "phone": phone,
                "address": address,
                "postal_code": "10099",
                "area": area,
            },
        )[0]

    regular = customer("TOUR00001", "Olivia Brown", "+12025550051", "24 Quay Street")
    marked = customer("TOUR00002", MARKUP_NAME, "+442079460958", "205 Quay Street")
    long_named = customer("TOUR00003", LONG_NAME, "+12025550052", "9 Quay Street")

    # Three restored outages before the current one: the banners must not bury the scripts.
    for hours, title in ((30, "Exchange card failure"), (20, "Mains power dip"), (8, "DNS fault")):
        past = outage_services.outage_declare(
            actor=supervisor,
            now=now - timedelta(hours=hours),
            title=f"Quayside {title}",
            areas=[area],
            cause=f"{title} at the Quayside exchange",
            etr=now - timedelta(hours=hours - 3),
        )
        outage_services.outage_restore(
            actor=supervisor, now=now - timedelta(hours=hours - 2), outage=past
        )
    restored = past
    current = outage_services.outage_declare(
        actor=supervisor,
        now=now - timedelta(minutes=50),
        title="Quayside fibre cut & flooding",
        areas=[area],
        service="Home broadband",
        cause="Flooding in a cable duct on Quay Street",
        etr=now + timedelta(hours=2, minutes=30),
        message="Crews are pumping out the duct.",
    )

    def file(person, outage, minutes_ago):
        return callback_services.callback_file(
            actor=agent,
            now=now - timedelta(minutes=minutes_ago),
            outage=outage,
            customer=person,
            name=person.name,
            phone=person.phone,
            call_reason="No broadband since this morning",
            category="outage",
            subcategory="no_service",
            item="Home broadband",
            notes="Works from home",
        ).callback

    waiting = file(regular, current, 20)
    # Released from the last restored outage: queued, then worked into each later state.
    people = [
        customer(f"TOUR1{n:04d}", f"{first} Quayside", f"+120255501{n:02d}", f"{n} Dock Road")
        for n, first in enumerate(
            ["Queued", "Assigned", "Retry", "Done", "Letter", "Sent", "Cancelled"], start=10
        )
    ]
    filed = [file(person, restored, 600) for person in people]
    long_callback = file(long_named, restored, 590)
    marked_callback = file(marked, restored, 580)
    callback_services.callbacks_release_for_outage(outage_id=restored.pk, now=now)
    for person in (agent, users["agent2"]):
        distribution.agent_duty_set(actor=lead, agent=person, on_duty=True, now=now)
    queued, assigned, retry, done, letter, sent, cancelled = filed
    for callback in (assigned, retry, done, letter, sent, long_callback, marked_callback):
        distribution.callback_reassign(actor=lead, now=now, callback_id=callback.pk, agent=agent)

    def attempt(callback, outcome, at):
        callback.refresh_from_db()
        contact_services.callback_record_attempt(
            actor=agent,
            now=at,
            callback=callback,
            outcome=outcome,
            category="outage",
            subcategory="no_service",
            notes=f"{policy.OUTCOME_LABELS[outcome]} <u>as noted</u>",
        )

    attempt(retry, policy.NO_VOICEMAIL, now - timedelta(minutes=30))
    attempt(done, policy.ANSWERED, now - timedelta(minutes=25))
    for callback in (letter, sent):
        attempt(callback, policy.NO_VOICEMAIL, now - timedelta(minutes=40))
        attempt(callback, policy.NO_VOICEMAIL, now - timedelta(minutes=5))
    contact_services.letter_mark_sent(actor=lead, now=now, letter=Letter.objects.get(callback=sent))
    CallbackRequest.objects.filter(pk=cancelled.pk).update(status=policy.CANCELLED)
    attempt(marked_callback, policy.NO_VOICEMAIL, now - timedelta(minutes=15))

    return {
        "users": users,
        "area": area,
        "outage": current,
        "restored_outage": restored,
        "customer": regular,
        "marked_customer": marked,
        "long_customer": long_named,
        "callback": long_callback,
        "marked_callback": marked_callback,
        "waiting_callback": waiting,
        "queued_callback": queued,
        "assigned_callback": assigned,
        "opening_script": Script.objects.get(
            moment=moments.OPENING, scope_key=moments.DEFAULT, language=moments.DEFAULT_LANGUAGE
        ),
        "done_callback": done,
        "letter": Letter.objects.get(callback=letter),
    }
