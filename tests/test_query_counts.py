"""Every page costs the same number of queries with more data: an N+1 cannot land silently.

Each GET page of the URL role table (``tests/console/test_urls.py`` TABLE, so pages added later
are covered too) is rendered for a user allowed to see it, once with a little data and once with
several times more of everything a page lists: outages with timelines and escalations, callbacks
in every state with attempts and letters, agents on duty, customers. The second render may not
take more queries than the first."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from callbacks import policy
from callbacks.models import AgentDuty, CallbackAttempt, CallbackEvent, Letter
from core import roles
from outages import lifecycle
from outages.models import Escalation, OutageUpdate, RefundReview
from tests.console.test_urls import TABLE, URL_TABLES
from tests.factories import CallbackFactory, CustomerFactory, OutageFactory, ServiceAreaFactory

SMALL, LARGE = 1, 4
HTMX = {"HX-Request": "true"}
# Not pages a logged-in user reads: the API answers API keys (its own tests count its queries),
# these GET routes only redirect to the page that holds their form, and the live-call screens'
# stream is answered by the events process (here, on WSGI, a 204 with no query of its own).
NOT_PAGES = {
    "console:live_events",
    "api:ivr_status",
    "api:crm_call_logs",
    "api:crm_callbacks",
    "api:crm_letters",
    "integrations:key_create",
    "integrations:webhook_create",
    "statuspage:lookup",
}
GET_PAGES = sorted(name for name, row in TABLE.items() if row[0] == "get" and name not in NOT_PAGES)
ROLE_OF = {roles.AGENT: "agent", roles.TEAM_LEAD: "lead", roles.SUPERVISOR: "supervisor"}


@pytest.fixture
def objects(db):
    found = {}
    for table in URL_TABLES:
        found.update(table.objects())
    return found


def _user(django_user_model, username, role):
    # No password: these users only ever log in with force_login (hashing is slow).
    user = django_user_model.objects.create(username=username, first_name=username.title())
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def users(django_user_model):
    made = {
        role: _user(django_user_model, f"qc-{ROLE_OF[role]}", role)
        for role in (roles.AGENT, roles.TEAM_LEAD, roles.SUPERVISOR)
    }
    made["other"] = _user(django_user_model, "qc-other", roles.AGENT)
    return made


class Grower:
    """Adds ``n`` more of everything pages list, each time it is called."""

    def __init__(self, users):
        self.users = users
        self.round = 0

    def __call__(self, n):
        self.round += 1
        now = timezone.now()
        holders = [self.users[roles.AGENT], self.users["other"], self.users[roles.TEAM_LEAD]]
        for user in holders:
            AgentDuty.objects.update_or_create(
                agent=user, defaults={"on_duty": True, "changed_at": now}
            )
        for i in range(n):
            area = ServiceAreaFactory()
            customer = CustomerFactory(area=area)
            active = OutageFactory(areas=[area], cause="Cable cut", etr=now + timedelta(hours=2))
            restored = OutageFactory(
                areas=[area],
                status=lifecycle.RESTORED,
                started_at=now - timedelta(hours=5),
                restored_at=now - timedelta(hours=1),
            )
            for outage in (active, restored):
                for minutes in (30, 10):
                    OutageUpdate.objects.create(
                        outage=outage,
                        at=now - timedelta(minutes=minutes),
                        status=outage.status,
                        message="Update",
                    )
            Escalation.objects.create(
                outage=active, reason=Escalation.Reason.PAST_ETR, raised_at=now, area=area
            )
            RefundReview.objects.create(
                customer=customer, outage=active, area=area, requested_at=now
            )
            self._callbacks(i, now=now, outage=restored, waiting_on=active, customer=customer)

    def _callbacks(self, i, *, now, outage, waiting_on, customer):
        holder = [self.users[roles.AGENT], self.users["other"]][i % 2]
        due = now + timedelta(hours=2, minutes=i)
        made = [CallbackFactory(outage=waiting_on, customer=customer, status=policy.WAITING)]
        for status in (policy.QUEUED, policy.ASSIGNED, policy.RETRY, policy.DONE, policy.LETTER):
            held = status in (policy.ASSIGNED, policy.RETRY)
            callback = CallbackFactory(
                outage=outage,
                customer=customer,
                status=status,
                due_at=due,
                released_at=now - timedelta(hours=1),
                assigned_to=holder if held else None,
                assigned_at=now if held else None,
                attempts=1 if status in (policy.RETRY, policy.DONE, policy.LETTER) else 0,
            )
            made.append(callback)
            if callback.attempts:
                outcome = policy.ANSWERED if status == policy.DONE else policy.NO_VOICEMAIL
                CallbackAttempt.objects.create(
                    callback=callback,
                    number=1,
                    agent=holder,
                    at=now - timedelta(minutes=20),
                    outcome=outcome,
                    subject=policy.SUBJECTS.get(outcome, "Call"),
                )
            if status == policy.LETTER:
                Letter.objects.create(callback=callback, name=callback.name, produced_at=now)
        CallbackEvent.objects.bulk_create(
            CallbackEvent(callback=c, at=now, from_status="", to_status=c.status, reason="Filed")
            for c in made
        )


def _user_for(name, users):
    needed = TABLE[name][1]
    return users[needed] if needed else users[roles.SUPERVISOR]


def _count(client, url, **kwargs):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "partial"])
@pytest.mark.parametrize("name", GET_PAGES)
def test_page_queries_do_not_grow_with_the_data(client, objects, users, name, htmx, settings):
    # /metrics answers a scraper from an allowed network (the test client is 127.0.0.1).
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    # The live screens' version is cached for half a second per process: count the query itself,
    # not whether the cache happened to expire between the two requests.
    settings.CONSOLE_LIVE_VERSION_CACHE_SECONDS = 0
    client.force_login(_user_for(name, users))
    spec = TABLE[name][3]
    url = reverse(name, kwargs={key: objects[value] for key, value in spec.items()})
    headers = HTMX if htmx else {}
    grow = Grower(users)
    grow(SMALL)
    small = _count(client, url, headers=headers)
    grow(LARGE)
    large = _count(client, url, headers=headers)
    assert large <= small, f"{name}: {small} queries with a little data, {large} with more"


@pytest.mark.parametrize("kind", ["account", "phone", "address", "postal_code", "customer"])
def test_live_call_lookup_queries_do_not_grow_with_the_data(client, users, kind):
    client.force_login(users[roles.AGENT])
    grow = Grower(users)
    grow(SMALL)
    area = ServiceAreaFactory(code="QC-HOME")
    customer = CustomerFactory(
        area=area, account_number="QC0001", phone="+12025550199", address="77 Lookup Lane"
    )
    from outages.models import Coverage

    Coverage.objects.create(postal_code="99001", area=area)
    OutageFactory(areas=[area], cause="Storm")
    params = {
        "account": {"q": "QC0001"},
        "phone": {"q": "(202) 555-0199"},
        "address": {"q": "77 Lookup Lane"},
        "postal_code": {"q": "99001"},
        "customer": {"customer": customer.pk},
    }[kind]
    url = reverse("console:home")
    small = _count(client, url, data=params, headers=HTMX)
    grow(LARGE)
    for _ in range(LARGE):  # more outages over the caller's own area, each with a timeline
        outage = OutageFactory(areas=[area], cause="Storm")
        OutageUpdate.objects.create(outage=outage, at=timezone.now(), status=outage.status)
    large = _count(client, url, data=params, headers=HTMX)
    assert large <= small, f"lookup by {kind}: {small} queries, then {large} with more data"
