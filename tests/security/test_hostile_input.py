"""Hostile input on every route of the URL tables (issue 13, item 2).

For each route, as a supervisor (who may open every page), Hypothesis sends the route's form
fields and query parameters with hostile values: NUL and other control characters, a
megabyte of text, non-numeric, negative and huge ids, extreme and malformed dates, invalid
UTF-8 in the query string, markup, and look-alikes of script placeholders. It asserts that no
answer is a server error, and that a refused request (4xx) wrote no row: a fingerprint of
every table (row count and highest id) is the same before and after.

Not fingerprinted: the login throttle's own tables (django-axes counts failed logins on
purpose), the audit trail (a refused login is recorded on purpose) and sessions.

Bounded for the suite: a few examples per route, no deadline, no example database."""

from urllib.parse import quote

import pytest
from django.apps import apps
from django.db.models import Max
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from core import roles
from tests.conftest import make_user
from tests.console.test_urls import TABLE, URL_TABLES

pytestmark = pytest.mark.django_db(transaction=False)

MEGABYTE = "x" * 1_000_000
HOSTILE = [
    "",
    "\x00",
    "a\x00b",
    "\x01\x02\x1b[31m\x7f",
    "\u202e\u200b\ufeff",
    MEGABYTE,
    "abc",
    "1.5",
    "-1",
    "0",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "9999-12-31",
    "9999-12-31T23:59",
    "0001-01-01",
    "0000-00-00",
    "2026-02-30",
    "2026-13-45T25:61",
    "-infinity",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ request }}{% debug %}",
    "<Customer Name>",
    "<<ETR>>",
    "<Customer Name",
    "[Customer Name]",
    "' OR 1=1 --",
    "%00",
    "é" * 300,
]
# Raw bytes for the query string: invalid UTF-8 and overlong encodings, percent-encoded.
RAW_QUERY_VALUES = ["%ff%fe", "%c0%80", "%ed%a0%80", "%00", "%e2%82", "a%ZZb"]

# The fields (POST) or query parameters (GET) of each route. Keep in step with the forms.
FILING = [
    "outage",
    "customer",
    "path",
    "name",
    "phone",
    "account_number",
    "ticket_reference",
    "call_reason",
    "category",
    "subcategory",
    "item",
    "preferred_window",
    "notes",
]
PARAMS = {
    "console:home": ["q", "customer"],
    "console:live": ["q", "customer", "v"],
    "console:suggest": ["q"],
    "console:file_callback": FILING,
    "console:callback_form": ["outage", "customer", "path"],
    "console:refund_review": ["customer", "outage"],
    "healthz": ["x"],
    "metrics": ["x"],
    "login": ["next"],
    "logout": ["next"],
    "security:audit": ["action", "user", "start", "end", "page"],
    "security:lockouts": ["x"],
    "security:unlock": ["username", "ip_address"],
    "outages:board": ["x"],
    "outages:declare": ["x"],
    "outages:detail": ["x"],
    "outages:update": ["status", "cause", "etr", "message"],
    "outages:change_etr": ["etr", "message"],
    "outages:restore": ["restored_at", "message"],
    "outages:reopen": ["message"],
    "outages:close": ["message"],
    "outages:refund_reviews": ["x"],
    "outages:refund_review_mark": ["notes"],
    "callbacks:queue": ["x"],
    "callbacks:detail": ["x"],
    "callbacks:record_attempt": ["outcome", "category", "subcategory", "notes", "expected_number"],
    "callbacks:letters": ["x"],
    "callbacks:letter_print": ["x"],
    "callbacks:letter_mark_sent": ["x"],
    "callbacks:call_logs": ["start", "end"],
    "callbacks:cancel": ["cancel-reason", "cancel-note"],
    "callbacks:reopen": ["reopen-note"],
    "callbacks:numbers": ["numbers-phone", "numbers-phone_2", "numbers-phone_3"],
    "callbacks:window": ["window-preferred_window", "window-window_start", "window-window_end"],
    "callbacks:escalate": ["escalate-reason"],
    "callbacks:escalations": ["x"],
    "callbacks:letters_batch_csv": ["day"],
    "callbacks:letters_batch_pdf": ["day"],
    "callbacks:letters_batch_sent": ["letters", "day"],
    "console:live_version": ["area", "v"],
    "console:live_events": ["area"],
    "scripts_library:library": ["moment", "scope", "language"],
    "scripts_library:create": ["moment", "from", "outage"],
    "scripts_library:preview": ["moment", "body", "preview_outage", "preview_customer"],
    "scripts_library:edit": ["x"],
    "scripts_library:compare": ["old", "new"],
    "scripts_library:rollback": ["version", "note"],
    "workload:board": ["x"],
    "workload:distribute": ["strategy", "cap"],
    "workload:bulk_assign": ["agent", "outage", "area", "band"],
    "workload:reassign": ["agent"],
    "workload:unassign": ["x"],
    "workload:agent_duty": ["on_duty", "cap"],
    "workload:mine": ["x"],
    "workload:claim": ["x"],
    "workload:duty": ["on_duty"],
    "console:inbound_note": ["note"],
    "outages:set_ivr": ["ivr_announce", "ivr_offers_callbacks"],
    "reports:archive": ["q", "area", "start", "end", "status"],
    "reports:analytics": ["start", "end"],
    "reports:analytics_csv": ["start", "end", "table"],
    "reports:outage_report": ["x"],
    "reports:outage_report_csv": ["x"],
    "reports:customer_history": ["x"],
    "notifications:reach": ["area_codes", "regions", "postal_codes", "kind", "picked_areas"],
    "notifications:outage_notify": ["account_number"],
    "notifications:outage_panel": ["x"],
    "notifications:customer_messages": ["x"],
    "notifications:sends": ["x", "page"],
    "notifications:notice_pause": ["x"],
    "notifications:notice_resume": ["x"],
    "notifications:notice_cancel": ["x"],
    "notifications:confirm": ["x"],
    "notifications:unsubscribe": ["x"],
    "notifications:sms_status": ["MessageSid", "MessageStatus", "ErrorCode"],
    "notifications:sms_inbound": ["From", "Body"],
    "integrations:home": ["x"],
    "integrations:key_create": ["name", "scopes"],
    "integrations:key_revoke": ["x"],
    "integrations:webhook_create": ["name", "url", "topics"],
    "integrations:webhook_detail": ["x"],
    "integrations:webhook_active": ["active"],
    "api:schema": ["format"],
    "api:reference": ["x"],
    "api:ivr_status": ["ani", "account_number", "postal_code"],
    "api:ivr_callbacks": ["ani", "callback_number", "account_number", "postal_code", "reason"],
    "api:crm_call_logs": ["cursor", "limit"],
    "api:crm_letters": ["cursor", "limit", "status"],
    "api:crm_callbacks": ["cursor", "limit", "status", "channel"],
    "statuspage:index": ["x"],
    "statuspage:history": ["x"],
    "statuspage:lookup": ["q"],
    "statuspage:callback_request": ["postal_code"],
    "statuspage:callback": ["new"],
    "statuspage:callback_cancel": ["reason"],
    "statuspage:callback_change_phone": ["phone"],
    "statuspage:subscribe": ["postal_code"],
}
# Forms served by a GET route whose POST is the same URL: driven too.
EXTRA_POSTS = {
    "login": ["username", "password"],
    "outages:declare": [
        "title",
        "kind",
        "service",
        "severity",
        "area_codes",
        "regions",
        "postal_codes",
        "cause",
        "etr",
        "message",
    ],
    "scripts_library:create": ["moment", "scope", "outage_kind", "outage", "language", "body"],
    "scripts_library:edit": ["body", "note", "base_version", "action"],
    "statuspage:callback_request": [
        "name",
        "phone",
        "postal_code",
        "reason",
        "account_number",
        "website",
    ],
    "statuspage:subscribe": ["postal_code", "channel", "address", "website"],
}
UNFINGERPRINTED = {"axes", "sessions", "admin"}
UNFINGERPRINTED_MODELS = {"core.auditentry"}

CASES = [(name, TABLE[name][0], PARAMS.get(name, [])) for name in sorted(TABLE)]
CASES += [(name, "post", fields) for name, fields in sorted(EXTRA_POSTS.items())]


def test_every_route_has_its_parameters_listed():
    assert sorted(set(TABLE) - set(PARAMS)) == []


def _fingerprint():
    found = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in UNFINGERPRINTED or label in UNFINGERPRINTED_MODELS:
            continue
        if not model._meta.managed or model._meta.proxy:
            continue
        rows = model._default_manager.all()
        pk = model._meta.pk
        top = (
            rows.aggregate(top=Max(pk.name))["top"]
            if pk.get_internal_type().endswith("AutoField")
            else None
        )
        found[label] = (rows.count(), top)
    return found


values = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)


@pytest.fixture
def hostile_client(client, django_user_model):
    user = make_user(django_user_model, "hostile-supervisor", roles.SUPERVISOR)
    make_user(django_user_model, "hostile-agent", roles.AGENT)
    client.force_login(user)
    return client


@pytest.fixture
def route_objects(db):
    found = {}
    for table in URL_TABLES:
        found.update(table.objects())
    return found


@pytest.mark.parametrize("name, method, fields", CASES, ids=[f"{c[1]}-{c[0]}" for c in CASES])
@settings(
    max_examples=3,
    deadline=None,
    # Report the failing example as found: shrinking a megabyte through a web page is slow.
    phases=[Phase.explicit, Phase.generate],
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_hostile_values_never_break_a_page_nor_write_when_refused(
    hostile_client, route_objects, name, method, fields, data
):
    kwargs = {key: route_objects[value] for key, value in TABLE[name][3].items()}
    url = reverse(name, kwargs=kwargs)
    chosen = data.draw(
        st.dictionaries(st.sampled_from(fields or ["x"]), values, max_size=len(fields) + 1),
        label="fields",
    )
    raw = data.draw(st.sampled_from([None, *RAW_QUERY_VALUES]), label="raw query value")
    before = _fingerprint()
    if method == "get":
        query = "&".join(f"{quote(key)}={quote(value, safe='')}" for key, value in chosen.items())
        if raw:
            query += f"&{(fields or ['x'])[0]}={raw}"
        response = hostile_client.get(url, QUERY_STRING=query)
    else:
        response = hostile_client.post(url + (f"?next={raw}" if raw else ""), chosen)
    assert response.status_code < 500, (name, response.status_code)
    if response.status_code >= 400:
        assert _fingerprint() == before, (name, response.status_code)
