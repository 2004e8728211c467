"""Script cards: the chosen wording for each moment of a call, filled in with the call's values.

The live-call screen, the callback screen and the editor's preview all render through here, so
an agent and a supervisor see the same text the same way: escaped, values in bold, gaps marked.
"""

from dataclasses import dataclass

from django.utils.safestring import mark_safe

from . import moments, placeholders
from .context import placeholder_values
from .selectors import script_choices_for_call


@dataclass(frozen=True)
class Card:
    moment: str
    label: str
    html: str
    """Escaped HTML, marked safe: values in ``strong.ph-value``, gaps in ``mark.ph-gap``."""
    plain: str
    """The same text for the clipboard, gaps in square brackets."""
    language: str = moments.DEFAULT_LANGUAGE
    scope: str = moments.DEFAULT
    version: int | None = None

    @property
    def language_label(self):
        return moments.LANGUAGES.get(self.language, self.language)


def render_card(*, moment, body, values, language=moments.DEFAULT_LANGUAGE, **extra):
    """One card from wording and the call's values (``context.placeholder_values``)."""
    return Card(
        moment=moment,
        label=moments.LABELS.get(moment, moment),
        html=mark_safe(placeholders.render_html(body, values)),  # noqa: S308 - escaped by render_html
        plain=placeholders.render_plain(body, values),
        language=language,
        **extra,
    )


def cards_for_call(
    *, wanted, now, outage=None, customer=None, agent=None, area=None, callback=None, language=None
):
    """The cards for ``wanted`` moments, in that order, for this call: the most specific live
    script of each (see ``selectors.script_choices_for_call``), in the customer's language
    where one exists, filled with the outage's current cause and ETR. One query for the
    scripts; the values come from the objects passed in."""
    if language is None:
        language = getattr(customer, "language", None) or moments.DEFAULT_LANGUAGE
    choices = script_choices_for_call(wanted=wanted, outage=outage, language=language)
    values = placeholder_values(
        now=now, customer=customer, outage=outage, agent=agent, area=area, callback=callback
    )
    return [
        render_card(
            moment=moment,
            body=choice.body,
            values=values,
            language=choice.language,
            scope=choice.scope,
            version=choice.version,
        )
        for moment, choice in choices.items()
    ]
