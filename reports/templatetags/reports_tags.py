from django import template

from outages import lifecycle
from reports import figures

register = template.Library()


@register.filter
def percent(fraction):
    """A fraction (0-1) as "83.3%", or an em dash when there is no data."""
    return figures.percent(fraction)


@register.filter
def duration(delta):
    return "—" if delta is None else lifecycle.describe_duration(delta)
