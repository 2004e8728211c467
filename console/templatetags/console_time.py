"""Times as agents read them: in their zone, with how far away they are, coloured by risk."""

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from callbacks import conf, policy
from core.people import display_name
from outages import lifecycle, normalise

register = template.Library()

FORMAT = "D j M, g:i A"


@register.simple_tag
def when(moment, now, fmt=FORMAT):
    """``<time>`` with the local time and the relative one: "Mon 23 Nov, 6:30 PM (in 3 h)"."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return format_html(
        '<time datetime="{}" title="{}">{}</time> <span class="text-nowrap">({})</span>',
        moment.isoformat(),
        date_format(local, "l j F Y, g:i A T"),
        date_format(local, fmt),
        lifecycle.describe_relative(target=moment, now=now),
    )


@register.simple_tag
def deadline_risk(due_at, now):
    """``overdue``, ``at_risk``, ``on_track`` or ``not_due`` for a callback deadline."""
    return policy.risk(due_at=due_at, now=now, margin=conf.rules().at_risk_margin)


@register.simple_tag
def etr_risk(etr, now):
    """An ETR already passed is overdue (escalation is on its way); one within the at-risk
    margin is at risk."""
    return policy.risk(due_at=etr, now=now, margin=conf.rules().at_risk_margin)


@register.filter
def phone(e164):
    """A stored E.164 number the way people read it."""
    return normalise.phone_display(e164, region=settings.DEFAULT_PHONE_REGION) if e164 else ""


@register.filter
def person(user):
    """A user the way colleagues know them: the full name, else the login name."""
    if user is None:
        return ""
    return display_name(user)
