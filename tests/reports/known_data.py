"""One restored outage with figures worked out by hand (see ``test_report.py``).

Outage: 08:00 to 12:00 UTC on 2 March 2026 (4 h) over areas A (3 customers) and B (2); area
C (1 customer) is not affected. ETRs given: 10:00 (at 08:10) and 11:00 (at 09:30): restored
2 h and 1 h later than promised. First deadlines: filed before 12:00 -> 20:00; filed at
13:00 -> 21:00.

    cb1 filed 09:00  #1 13:00 answered (ada)                         in time, first success
    cb2 filed 10:00  #1 14:00 no voicemail (ada) #2 15:00 voicemail   in time, retry in time
    cb3 filed 11:00  #1 21:00 no voicemail (bob) #2 22:00 no vm (bob) late, letter
    cb4 filed 13:00  #1 20:30 voicemail (bob)                         in time, first success
    cb5 filed 11:30  not attempted, still queued                      not in time, open
    cb6 filed 09:30  cancelled                                        not counted

Messages to customers (event, channel, status): declared SMS delivered x3, sent x1, failed x1
(one more claimed by a worker: counted as queued), declared email sent x2; restored SMS
delivered x2 and opted out x1; callback filed SMS queued x1 (held by quiet hours). A message
about the other outage is not counted. Sent (sent or delivered): 3 + 1 + 2 + 2 = 8.
"""

from datetime import UTC, datetime, timedelta

from callbacks import policy
from callbacks.models import CallbackAttempt, Letter
from contact.models import InboundCall
from notifications import rules as notification_rules
from notifications.models import Message, Notice
from outages import lifecycle
from outages.models import OutageUpdate, RefundReview
from tests.conftest import make_user
from tests.factories import CallbackFactory, CustomerFactory, OutageFactory, ServiceAreaFactory

DAY = datetime(2026, 3, 2, tzinfo=UTC)


def at(hour, minute=0):
    return DAY + timedelta(hours=hour, minutes=minute)


def build(django_user_model):
    ada = make_user(django_user_model, "ada", "Agent", first_name="Ada", last_name="Lovelace")
    bob = make_user(django_user_model, "bob", "Agent", first_name="Bob", last_name="Baker")
    area_a, area_b, area_c = (ServiceAreaFactory(code=c) for c in ("RA", "RB", "RC"))
    customers_a = [CustomerFactory(area=area_a) for _ in range(3)]
    customers_b = [CustomerFactory(area=area_b) for _ in range(2)]
    CustomerFactory(area=area_c)
    outage = OutageFactory(
        title="Fibre cut on Main Street",
        areas=[area_a, area_b],
        status=lifecycle.CLOSED,
        started_at=at(8),
        restored_at=at(12),
        closed_at=at(23),
        updated_at=at(23),
        declared_by=ada,
    )
    for when, status, etr, message in (
        (at(8, 10), lifecycle.IDENTIFIED, at(10), "Crews on site"),
        (at(9, 30), lifecycle.MONITORING, at(11), "Splicing"),
        (at(12), lifecycle.RESTORED, None, "Service restored"),
        (at(23), lifecycle.CLOSED, None, ""),
    ):
        OutageUpdate.objects.create(outage=outage, at=when, status=status, etr=etr, message=message)
    other = OutageFactory(
        title="Other", status=lifecycle.RESTORED, started_at=at(1), restored_at=at(2)
    )

    def callback(customer, filed, status, attempts=()):
        deadline = max(at(12), filed) + timedelta(hours=8)
        cb = CallbackFactory(
            outage=outage,
            customer=customer,
            phone=customer.phone,
            created_at=filed,
            updated_at=filed,
            status=status,
            due_at=deadline,
            released_at=at(12),
            attempts=len(attempts),
        )
        for number, (agent, when, outcome) in enumerate(attempts, start=1):
            CallbackAttempt.objects.create(
                callback=cb,
                number=number,
                agent=agent,
                at=when,
                outcome=outcome,
                subject=policy.SUBJECTS.get(outcome, "x"),
            )
        return cb

    callback(customers_a[0], at(9), policy.DONE, [(ada, at(13), policy.ANSWERED)])
    callback(
        customers_a[1],
        at(10),
        policy.DONE,
        [(ada, at(14), policy.NO_VOICEMAIL), (ada, at(15), policy.LEFT_VOICEMAIL)],
    )
    cb3 = callback(
        customers_a[2],
        at(11),
        policy.LETTER,
        [(bob, at(21), policy.NO_VOICEMAIL), (bob, at(22), policy.NO_VOICEMAIL)],
    )
    Letter.objects.create(callback=cb3, name=cb3.name, produced_at=at(22))
    callback(customers_b[0], at(13), policy.DONE, [(bob, at(20, 30), policy.LEFT_VOICEMAIL)])
    callback(customers_b[1], at(11, 30), policy.QUEUED)
    callback(customers_a[0], at(9, 30), policy.CANCELLED)

    for when in (at(9), at(9, 5), at(10)):
        InboundCall.objects.create(customer=customers_a[0], outage=outage, agent=ada, at=when)
    InboundCall.objects.create(customer=customers_a[0], outage=other, agent=ada, at=at(1, 30))

    for customer, area, status in (
        (customers_a[0], area_a, RefundReview.Status.REVIEWED),
        (customers_a[1], area_a, RefundReview.Status.REQUESTED),
        (customers_b[0], area_b, RefundReview.Status.REQUESTED),
    ):
        RefundReview.objects.create(
            customer=customer, outage=outage, area=area, requested_at=at(10), status=status
        )
    _messages(outage, other)
    return {"outage": outage, "ada": ada, "bob": bob, "customer": customers_a[0], "other": other}


def _messages(outage, other):
    r = notification_rules
    sms, email = r.SMS, r.EMAIL
    sends = {
        (r.DECLARED, outage): [
            *[(sms, r.DELIVERED)] * 3,
            (sms, r.SENT),
            (sms, r.FAILED),
            (sms, r.SENDING),
            *[(email, r.SENT)] * 2,
        ],
        (r.RESTORED, outage): [*[(sms, r.DELIVERED)] * 2, (sms, r.OPTED_OUT)],
        (r.CALLBACK_FILED, outage): [(sms, r.QUEUED)],
        (r.DECLARED, other): [(sms, r.DELIVERED)],
    }
    for (event, about), rows in sends.items():
        notice = Notice.objects.create(
            event=event, key=f"{event}:{about.pk}", outage=about, created_at=at(8, 30)
        )
        for index, (channel, status) in enumerate(rows):
            Message.objects.create(
                notice=notice,
                outage=about,
                channel=channel,
                address=f"+1202555{index:04d}" if channel == sms else f"c{index}@example.net",
                status=status,
                not_before=at(8, 30),
                created_at=at(8, 30),
            )
