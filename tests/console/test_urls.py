"""Every URL, for every kind of user: login redirect, 403 or success.

Adding a URL without adding it here fails ``test_every_url_is_in_the_table``."""

import importlib

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core import roles

ANON, NOBODY, AGENT, LEAD, SUPERVISOR = "anonymous", "nobody", "agent", "lead", "supervisor"
USERS = (ANON, NOBODY, AGENT, LEAD, SUPERVISOR)
RANKS = {NOBODY: 0, AGENT: 1, LEAD: 2, SUPERVISOR: 3}
NEED = {roles.AGENT: 1, roles.TEAM_LEAD: 2, roles.SUPERVISOR: 3}

# Each app keeps its routes in tests/<app>/url_table.py: ROUTES and objects().
URL_TABLES = [
    importlib.import_module(f"tests.{app}.url_table")
    for app in ("console", "outages", "callbacks", "scripts_library", "workload", "reports")
]
TABLE = {name: row for table in URL_TABLES for name, row in table.ROUTES.items()}
# Served by Django's admin, which has its own staff checks.
IGNORED_NAMESPACES = {"admin"}


def _named_routes(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            if ns in IGNORED_NAMESPACES:
                continue
            prefix = f"{namespace}{ns}:" if ns else namespace
            yield from _named_routes(pattern, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_is_in_the_table():
    missing = sorted(set(_named_routes()) - set(TABLE))
    assert not missing, f"Add these URLs to the role table: {missing}"


@pytest.fixture
def objects(db):
    found = {}
    for table in URL_TABLES:
        found.update(table.objects())
    return found


def _expected(user, role_needed, ok_status):
    if role_needed is None:
        return ok_status
    if user == ANON:
        return "login"
    return ok_status if RANKS[user] >= NEED[role_needed] else 403


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("name", sorted(TABLE))
def test_url_answers_each_role(client, django_user_model, objects, name, user):
    from tests.conftest import make_user

    method, role_needed, ok_status, kwarg_spec = TABLE[name]
    if user != ANON:
        group = {AGENT: roles.AGENT, LEAD: roles.TEAM_LEAD, SUPERVISOR: roles.SUPERVISOR}
        client.force_login(make_user(django_user_model, f"u-{user}", group.get(user)))
    kwargs = {key: objects[value] for key, value in kwarg_spec.items()}
    url = reverse(name, kwargs=kwargs)
    response = getattr(client, method)(url)
    expected = _expected(user, role_needed, ok_status)
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected, (name, user, response.status_code)


@pytest.mark.parametrize("name", [n for n, row in TABLE.items() if row[1] is not None])
def test_htmx_request_without_session_redirects_whole_page(client, objects, name):
    method, _, _, kwarg_spec = TABLE[name]
    url = reverse(name, kwargs={key: objects[value] for key, value in kwarg_spec.items()})
    response = getattr(client, method)(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("login"))
