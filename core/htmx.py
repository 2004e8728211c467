"""Render a whole page, or only its partial for an htmx swap."""

from django.shortcuts import render


def wants_partial(request):
    """An htmx request swaps a fragment, except a history restore, which needs the page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def render_page_or_partial(request, template, partial, context, *, status=200):
    name = f"{template}#{partial}" if wants_partial(request) else template
    return render(request, name, context, status=status)
