"""Small server-side SVG charts: no JavaScript, accessible.

Each chart is an ``<svg role="img">`` labelled by its own ``<title>`` and ``<desc>`` (the text
summary); every label is escaped here, so the result is safe to put in a template. The pages
put a table (and a CSV link) beside every chart: the chart is for looking, the table for
reading.
"""

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH = 640
BAR_COLOUR = "#0b5cad"
ALT_COLOUR = "#b35900"
AXIS_COLOUR = "#555"
TEXT_COLOUR = "#212529"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str = ""  # the value as shown (defaults to the number)


def _fmt(value):
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _open(chart_id, title, summary, height):
    return (
        f'<svg class="chart" id="{escape(chart_id)}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'viewBox="0 0 {WIDTH} {height}" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(summary)}</desc>'
    )


def hbar(chart_id, *, title, summary, bars, maximum=None, colour=BAR_COLOUR):
    """Horizontal bars, one row per label: for categories with long names."""
    row, label_width, top = 24, 200, 8
    height = top * 2 + row * max(1, len(bars))
    biggest = maximum if maximum is not None else max((b.value for b in bars), default=0)
    span = WIDTH - label_width - 90
    parts = [_open(chart_id, title, summary, height)]
    for i, bar in enumerate(bars):
        y = top + i * row
        length = 0 if not biggest else max(0.0, span * bar.value / biggest)
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 16}" text-anchor="end" font-size="13" '
            f'fill="{TEXT_COLOUR}">{escape(bar.label)}</text>'
            f'<rect x="{label_width}" y="{y + 4}" width="{length:.1f}" height="{row - 8}" '
            f'fill="{colour}"></rect>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + 16}" font-size="13" '
            f'fill="{TEXT_COLOUR}">{escape(bar.text or _fmt(bar.value))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def vbar(chart_id, *, title, summary, bars, maximum=None, colour=BAR_COLOUR, every=1, line=None):
    """Vertical bars over a sequence (hours, days, weeks); a label every ``every`` bars.
    ``line`` draws a dashed reference line at that value (a target)."""
    height, bottom, top, left = 240, 40, 16, 44
    plot = height - bottom - top
    biggest = maximum if maximum is not None else max((b.value for b in bars), default=0)
    if line is not None:
        biggest = max(biggest, line)
    count = max(1, len(bars))
    slot = (WIDTH - left - 8) / count
    parts = [_open(chart_id, title, summary, height)]
    parts.append(
        f'<line x1="{left}" y1="{top + plot}" x2="{WIDTH - 4}" y2="{top + plot}" '
        f'stroke="{AXIS_COLOUR}"></line>'
        f'<text x="{left - 6}" y="{top + 10}" text-anchor="end" font-size="11" '
        f'fill="{TEXT_COLOUR}">{escape(_fmt(biggest))}</text>'
        f'<text x="{left - 6}" y="{top + plot}" text-anchor="end" font-size="11" '
        f'fill="{TEXT_COLOUR}">0</text>'
    )
    for i, bar in enumerate(bars):
        x = left + i * slot
        tall = 0 if not biggest else plot * max(0.0, bar.value) / biggest
        parts.append(
            f'<rect x="{x + slot * 0.1:.1f}" y="{top + plot - tall:.1f}" '
            f'width="{slot * 0.8:.1f}" height="{tall:.1f}" fill="{colour}">'
            f"<title>{escape(bar.label)}: {escape(bar.text or _fmt(bar.value))}</title></rect>"
        )
        if i % every == 0:
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{top + plot + 16}" text-anchor="middle" '
                f'font-size="11" fill="{TEXT_COLOUR}">{escape(bar.label)}</text>'
            )
    if line is not None and biggest:
        y = top + plot - plot * line / biggest
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - 4}" y2="{y:.1f}" stroke="{ALT_COLOUR}" '
            f'stroke-dasharray="6 4"></line>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
