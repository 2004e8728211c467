"""Callback pages: the queue by deadline."""

from django.shortcuts import render
from django.utils import timezone

from console.roles import agent_required

from . import selectors

QUEUE_PAGE_SIZE = 200


@agent_required
def queue(request):
    callbacks = selectors.callbacks_queue()[:QUEUE_PAGE_SIZE]
    context = {"callbacks": callbacks, "now": timezone.now()}
    template = "callbacks/queue.html"
    if request.htmx:
        template += "#queue-table"
    return render(request, template, context)
