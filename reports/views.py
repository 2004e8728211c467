"""Report pages: the archive, one outage's post-incident report (page, print, CSV), the
analytics over a date range (page and CSV) and one customer's history. Reads only."""

import csv
from datetime import datetime, time, timedelta

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from core.roles import agent_required, team_lead_required

from . import selectors
from .forms import ArchiveForm, RangeForm

ANALYTICS_TABLES = ("outages", "weeks", "outcomes", "agents", "agent_days", "durations", "hours")


def _csv_response(filename, header, rows):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def _local_midnight(day):
    return timezone.make_aware(datetime.combine(day, time()), timezone.get_current_timezone())


@require_GET
@team_lead_required
@vary_on_headers("HX-Request")
def archive(request):
    form = ArchiveForm(request.GET or None)
    outages = []
    if form.is_valid() or not request.GET:
        data = form.cleaned_data if request.GET else {}
        start, end = data.get("start"), data.get("end")
        outages = selectors.archive(
            text=data.get("q", ""),
            area_code=data.get("area", ""),
            start=_local_midnight(start) if start else None,
            end=_local_midnight(end + timedelta(days=1)) if end else None,
            status=data.get("status", ""),
        )
    template = "reports/archive.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#results"
    return render(request, template, {"form": form, "outages": outages})


def _report_or_404(pk):
    report = selectors.post_incident_report(pk, now=timezone.now())
    if report is None:
        raise Http404("No post-incident report: the outage is not restored yet.")
    return report


@require_GET
@team_lead_required
def outage_report(request, pk):
    report = _report_or_404(pk)
    return render(
        request,
        "reports/outage_report.html",
        {"report": report, "staffing": selectors.staffing(report.now)},
    )


@require_GET
@team_lead_required
def outage_report_csv(request, pk):
    report = _report_or_404(pk)
    return _csv_response(
        f"outage-{pk}-report.csv", ("section", "figure", "value"), selectors.report_csv_rows(report)
    )


def _range(request):
    now = timezone.now()
    start, end = selectors.default_range(now)
    form = RangeForm(request.GET or None, initial={"start": start, "end": end - timedelta(days=1)})
    if request.GET and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end_exclusive"]
    return form, start, end, now


@require_GET
@team_lead_required
def analytics(request):
    form, start, end, now = _range(request)
    context = {
        "form": form,
        "a": selectors.analytics(start=start, end=end),
        "staffing": selectors.staffing(now),
        "last_day": end - timedelta(days=1),
        "tables": ANALYTICS_TABLES,
    }
    return render(request, "reports/analytics.html", context)


@require_GET
@team_lead_required
def analytics_csv(request, table):
    if table not in ANALYTICS_TABLES:
        raise Http404("No such table.")
    _, start, end, _ = _range(request)
    if table == "agent_days":
        header, rows = selectors.agent_days_csv(start=start, end=end)
    else:
        header, rows = selectors.analytics_csv(selectors.analytics(start=start, end=end), table)
    return _csv_response(f"analytics-{table}-{start}-{end}.csv", header, rows)


@require_GET
@agent_required
def customer_history(request, pk):
    history = selectors.customer_history(pk)
    if history is None:
        raise Http404("No such customer.")
    return render(request, "reports/customer_history.html", {"history": history})
