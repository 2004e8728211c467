"""The floor: the least a page of this server can cost. Same middleware (session, login,
CSRF, htmx), one primary-key query, a one-line template. Mounted only with BENCHMARK_FLOOR=1.

``floor_search`` is the floor plus the bare trigram query of an address lookup: the SQL the
product runs for ``q`` (``outages.selectors.address_search``), executed directly on a cursor
with no model built from its rows. An address lookup is measured against it, so its ratio is
the product's own overhead rather than PostgreSQL's search."""

from pathlib import Path

from django.db import connection
from django.http import Http404, HttpResponse
from django.template import engines
from django.views.decorators.http import require_GET

from outages.models import Customer
from outages.selectors import ADDRESS_MATCHES, address_search

TEMPLATE = engines["django"].from_string(
    (Path(__file__).parent / "templates" / "benchmarks" / "floor.html").read_text()
)


def _floor_customer(request):
    customer_id = request.GET.get("id", "")
    customer = Customer.objects.filter(pk=customer_id).first() if customer_id.isdigit() else None
    if customer is None:
        raise Http404("No such customer")
    return customer


@require_GET
def floor(request):
    return HttpResponse(TEMPLATE.render({"customer": _floor_customer(request)}))


@require_GET
def floor_search(request):
    customer = _floor_customer(request)
    # The lookup fetches one more than it shows, to know whether more match.
    sql, params = address_search(
        request.GET.get("q", ""), limit=ADDRESS_MATCHES + 1
    ).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.fetchall()
    return HttpResponse(TEMPLATE.render({"customer": customer}))
