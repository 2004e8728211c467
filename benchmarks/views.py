"""The floor: the least a page of this server can cost. Same middleware (session, login,
CSRF, htmx), one primary-key query, a one-line template. Mounted only with BENCHMARK_FLOOR=1."""

from pathlib import Path

from django.http import Http404, HttpResponse
from django.template import engines
from django.views.decorators.http import require_GET

from outages.models import Customer

TEMPLATE = engines["django"].from_string(
    (Path(__file__).parent / "templates" / "benchmarks" / "floor.html").read_text()
)


@require_GET
def floor(request):
    customer_id = request.GET.get("id", "")
    customer = Customer.objects.filter(pk=customer_id).first() if customer_id.isdigit() else None
    if customer is None:
        raise Http404("No such customer")
    return HttpResponse(TEMPLATE.render({"customer": customer}))
