"""GET /metrics: Prometheus text for the operations team.

django-prometheus's request latency, response and database metrics, plus the product's own
(``core.metrics.ProductCollector``: callbacks by status, overdue, at risk, queue depths, task
failures...). Refused (403) unless the scraper sends ``Authorization: Bearer <METRICS_TOKEN>``
or connects from one of ``METRICS_ALLOWED_NETWORKS``; with neither set, always refused.

Under gunicorn with several workers, ``PROMETHEUS_MULTIPROC_DIR`` (set by the entrypoint) makes
the request metrics add up across processes; the product's metrics are read from the database
and Redis on each scrape, so any process gives the same answer."""

import hmac
import ipaddress
import os

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from core.metrics import ProductCollector

_product = CollectorRegistry(auto_describe=False)
_product.register(ProductCollector())


def scraper_allowed(request):
    token = settings.METRICS_TOKEN
    if token:
        sent = request.headers.get("Authorization", "")
        if hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            return True
    if settings.METRICS_ALLOWED_NETWORKS:
        try:
            address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
        except ValueError:
            return False
        return any(
            address in ipaddress.ip_network(network, strict=False)
            for network in settings.METRICS_ALLOWED_NETWORKS
        )
    return False


def _process_registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return registry
    return REGISTRY


@login_not_required
@require_GET
@never_cache
def metrics(request):
    if not scraper_allowed(request):
        return HttpResponseForbidden(
            "Metrics need a bearer token (METRICS_TOKEN) or an allowed network.",
            content_type="text/plain",
        )
    body = generate_latest(_process_registry()) + generate_latest(_product)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
