"""The served OpenAPI schema holds: schemathesis generates requests for every operation from
it (a few examples each, bounded) and checks the answers: no 5xx, status codes and bodies as
the schema says."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import reverse
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from console.wsgi import application
from tests.api.conftest import bearer
from tests.factories import CoverageFactory, CustomerFactory, OutageFactory

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def in_process(db):
    """Requests go straight to the WSGI app, inside the test's transaction: keep its
    connection open between requests, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def full_key(make_key):
    coverage = CoverageFactory(postal_code="N1A1A1")
    CustomerFactory(area=coverage.area, phone="+12025550101", account_number="ACC-1")
    OutageFactory(areas=[coverage.area])
    return make_key("Everything", ["ivr", "crm"])[1]


# Loaded from the app itself, as it serves it (the schema view needs no database).
schema = schemathesis.openapi.from_wsgi(reverse("api:schema"), application)


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_schema_says(case, full_key, in_process):
    case.call_and_validate(headers=bearer(full_key), checks=CHECKS)


def test_the_schema_is_openapi_3_and_the_reference_page_has_no_inline_script(client):
    body = client.get(reverse("api:schema")).content.decode()
    assert body.startswith("openapi: 3")
    for path in ("/api/v1/ivr/status", "/api/v1/ivr/callbacks", "/api/v1/crm/call-logs"):
        assert path in body
    page = client.get(reverse("api:reference")).content.decode()
    assert "<script>" not in page and "onload=" not in page
    assert "vendor/swagger-ui/swagger-ui-bundle.js" in page and "js/api-reference.js" in page
    assert "http://" not in page.replace("http://testserver", "")  # nothing from a CDN
