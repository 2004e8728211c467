"""The scripts library for supervisors: list, edit with a live preview, create scoped
scripts, compare versions and roll back."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from core.errors import add_error_to_form
from core.htmx import render_page_or_partial
from core.roles import supervisor_required
from core.validation import parse_id

from . import cards, moments, placeholders, selectors, services
from .context import placeholder_values
from .forms import PreviewForm, RollbackForm, ScriptCreateForm, ScriptEditForm


def _script_or_404(pk):
    script = selectors.script_for_editor(pk)
    if script is None:
        raise Http404("No such script.")
    return script


def _preview(*, request, moment, body, outage=None, account_number="", now):
    """The preview panel's context: the wording rendered for a real outage and customer."""
    customer = selectors.customer_for_preview(account_number=account_number, outage=outage)
    return {
        "card": cards.render_card(
            moment=moment,
            body=body,
            values=placeholder_values(
                now=now, customer=customer, outage=outage, agent=request.user
            ),
        ),
        "problems": placeholders.problems(body) if body.strip() else [],
        "empty": not body.strip(),
        "preview_outage": outage,
        "preview_customer": customer,
        "customer_missing": bool(account_number) and customer is None,
        "account_number": account_number,
    }


def _preview_form(*, outages, outage, customer):
    return PreviewForm(
        outages=outages,
        initial={
            "preview_outage": outage,
            "preview_customer": customer.account_number if customer else "",
        },
    )


def _editor_context(request, script, form, *, now, status_form=None):
    outages = selectors.outages_for_preview()
    outage = selectors.outage_for_preview(script)
    body = form["body"].value() or ""
    preview = _preview(request=request, moment=script.moment, body=body, outage=outage, now=now)
    return {
        "script": script,
        "form": form,
        "versions": selectors.script_versions(script),
        "variants": selectors.script_variants(script),
        "use": moments.USES.get(script.moment, ""),
        "rollback_form": status_form or RollbackForm(),
        "preview_form": _preview_form(
            outages=outages, outage=outage, customer=preview["preview_customer"]
        ),
        "placeholders": placeholders.PLACEHOLDERS,
        **preview,
    }


@require_GET
@supervisor_required
@vary_on_headers("HX-Request")
def library(request):
    filters = {
        "moment": _choice(request.GET, "moment", moments.LABELS),
        "scope": _choice(request.GET, "scope", moments.SCOPES),
        "language": _choice(request.GET, "language", moments.LANGUAGES),
    }
    context = {
        "scripts": selectors.scripts_for_library(**filters),
        "missing": selectors.moments_without_default(),
        "filters": filters,
        "moment_choices": moments.LABELS.items(),
        "scope_choices": moments.SCOPES.items(),
        "language_choices": moments.LANGUAGES.items(),
    }
    return render_page_or_partial(request, "scripts_library/library.html", "script-list", context)


def _choice(query, name, allowed):
    value = query.get(name, "")
    return value if value in allowed else ""


def _edit_form(script):
    """The editor's form, starting from the live wording and the latest version number."""
    live = script.live_version
    latest = script.versions.order_by("-number").values_list("number", flat=True).first()
    return ScriptEditForm(initial={"body": live.body if live else "", "base_version": latest})


@require_http_methods(["GET", "POST"])
@supervisor_required
def edit(request, pk):
    script = _script_or_404(pk)
    now = timezone.now()
    if request.method == "GET":
        form = _edit_form(script)
        return render(
            request, "scripts_library/edit.html", _editor_context(request, script, form, now=now)
        )
    form = ScriptEditForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            version = services.script_update(
                actor=request.user,
                now=now,
                script=script,
                body=data["body"],
                note=data["note"],
                published=form.publish,
                expected_latest=data["base_version"],
            )
        except services.ScriptError as exc:
            add_error_to_form(form, exc)
        else:
            what = "published: agents see it now" if version.published else "saved as a draft"
            messages.success(request, f"Version {version.number} {what}.")
            return redirect("scripts_library:edit", script.pk)
    context = _editor_context(request, script, form, now=now)
    return render(request, "scripts_library/edit.html", context, status=400)


@require_http_methods(["GET", "POST"])
@supervisor_required
def create(request):
    outages = selectors.outages_for_preview()
    now = timezone.now()
    if request.method == "POST":
        form = ScriptCreateForm(request.POST, outages=outages)
        if form.is_valid():
            data = form.cleaned_data
            try:
                version = services.script_create(
                    actor=request.user,
                    now=now,
                    moment=data["moment"],
                    scope=data["scope"],
                    outage_kind=data["outage_kind"],
                    outage=data["outage"],
                    language=data["language"],
                    body=data["body"],
                    note=data["note"],
                    published=form.publish,
                )
            except services.ScriptError as exc:
                add_error_to_form(form, exc)
            else:
                messages.success(request, f"Script created: version {version.number}.")
                return redirect("scripts_library:edit", version.script_id)
        status = 400
    else:
        form = ScriptCreateForm(outages=outages, initial=_create_initial(request.GET))
        status = 200
    outage_id = parse_id(form["outage"].value())
    outage = outages.filter(pk=outage_id).first() if outage_id else None
    outage = outage or outages.first()
    moment = form["moment"].value() or moments.OPENING
    preview = _preview(
        request=request, moment=moment, body=form["body"].value() or "", outage=outage, now=now
    )
    context = {
        "form": form,
        "placeholders": placeholders.PLACEHOLDERS,
        "preview_form": _preview_form(
            outages=outages, outage=outage, customer=preview["preview_customer"]
        ),
        **preview,
    }
    return render(request, "scripts_library/create.html", context, status=status)


def _create_initial(query):
    """A new script may start from an existing one ("Make a variant"): same moment and
    wording, ready to be scoped to a kind, an outage or a language."""
    initial = {}
    if query.get("moment") in moments.LABELS:
        initial["moment"] = query["moment"]
    if query.get("scope") in moments.SCOPES:
        initial["scope"] = query["scope"]
    if query.get("outage", "").isdigit():
        initial["outage"] = int(query["outage"])
    source = query.get("from", "")
    if parse_id(source):
        script = selectors.script_for_editor(parse_id(source))
        if script is not None:
            initial["moment"] = script.moment
            initial["language"] = script.language
            if script.live_version:
                initial["body"] = script.live_version.body
    return initial


@require_POST
@supervisor_required
def preview(request):
    """The preview panel alone, for htmx: renders what is being typed. Writes nothing."""
    outages = selectors.outages_for_preview()
    form = PreviewForm(request.POST, outages=outages)
    form.is_valid()
    data = form.cleaned_data
    moment = request.POST.get("moment", "")
    context = _preview(
        request=request,
        moment=moment if moment in moments.LABELS else moments.OPENING,
        body=request.POST.get("body", ""),
        outage=data.get("preview_outage"),
        account_number=(data.get("preview_customer") or "").strip(),
        now=timezone.now(),
    )
    return render(request, "scripts_library/_preview.html", context)


@require_GET
@supervisor_required
def compare(request, pk):
    script = _script_or_404(pk)
    versions = selectors.script_versions(script)
    numbers = [v.number for v in versions]
    new = _number(
        request.GET.get("new"), default=script.live_version.number if script.live_version else None
    )
    new = new if new in numbers else (numbers[0] if numbers else None)
    older = [n for n in numbers if new is not None and n < new]
    old = _number(request.GET.get("old"), default=older[0] if older else new)
    old = old if old in numbers else new
    comparison = None
    if len(numbers) > 1:
        comparison = selectors.version_comparison(script, old=old, new=new)
    context = {
        "script": script,
        "versions": versions,
        "old": old,
        "new": new,
        "comparison": comparison,
        "rollback_form": RollbackForm(),
    }
    return render(request, "scripts_library/compare.html", context)


def _number(value, *, default):
    number = parse_id(value)
    return default if number is None else number


@require_POST
@supervisor_required
def rollback(request, pk):
    script = _script_or_404(pk)
    now = timezone.now()
    form = RollbackForm(request.POST)
    if form.is_valid():
        try:
            version = services.script_rollback(
                actor=request.user,
                now=now,
                script=script,
                number=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
            )
        except services.ScriptError as exc:
            add_error_to_form(form, exc)
        else:
            messages.success(
                request, f"{version.note}. Version {version.number} is live: agents see it now."
            )
            return redirect("scripts_library:edit", script.pk)
    context = _editor_context(request, script, _edit_form(script), now=now, status_form=form)
    return render(request, "scripts_library/edit.html", context, status=400)
