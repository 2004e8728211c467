"""What the live-call screen shows for one lookup: composes the apps' selectors.

Branches, as the reference guides order them: a known outage covers the caller -> outage
scripts; an internal systems outage -> the "cannot access your account" path with manual entry;
no outage but the account is cut off -> the reason and its guidance; neither -> technical issue.
"""

from dataclasses import dataclass, field

from outages import lifecycle
from outages import selectors as outage_selectors
from scripts_library import moments, placeholders
from scripts_library.context import placeholder_values
from scripts_library.selectors import scripts_for_call

OUTAGE = "outage"
SYSTEMS = "systems"
CUTOFF = "cutoff"
TECHNICAL = "technical"


@dataclass
class ScriptCard:
    moment: str
    label: str
    html: str
    plain: str


@dataclass
class Call:
    lookup: outage_selectors.Lookup
    outages: list = field(default_factory=list)
    outage: object = None
    branch: str = ""
    scripts: list = field(default_factory=list)

    @property
    def customer(self):
        return self.lookup.customer

    @property
    def area(self):
        return self.lookup.area


def _branch(*, outage, customer):
    if outage is not None:
        return SYSTEMS if outage.kind == lifecycle.SYSTEMS else OUTAGE
    if customer is not None and customer.is_cut_off:
        return CUTOFF
    return TECHNICAL


def _moments_for(branch, customer):
    if branch in (OUTAGE, SYSTEMS):
        return moments.OUTAGE_CALL
    if branch == CUTOFF:
        return (moments.CUTOFF_BY_STATUS[customer.status], moments.CLOSING)
    return (moments.TECHNICAL_ISSUE, moments.CLOSING)


def script_cards(*, wanted, outage, customer, agent, now, area=None, callback=None):
    language = customer.language if customer else moments.DEFAULT_LANGUAGE
    bodies = scripts_for_call(wanted=wanted, outage=outage, language=language)
    values = placeholder_values(
        now=now, customer=customer, outage=outage, agent=agent, area=area, callback=callback
    )
    return [
        ScriptCard(
            moment=moment,
            label=moments.LABELS[moment],
            html=placeholders.render_html(body, values),
            plain=placeholders.render_plain(body, values),
        )
        for moment, body in bodies.items()
    ]


def build_call(*, query="", customer_id=None, agent, now):
    if customer_id:
        lookup = outage_selectors.lookup_customer(customer_id)
    else:
        lookup = outage_selectors.lookup(query)
    call = Call(lookup=lookup)
    if not lookup.found or lookup.matches:
        return call
    call.outages = outage_selectors.outages_covering_area(lookup.area)
    call.outage = call.outages[0] if call.outages else None
    call.branch = _branch(outage=call.outage, customer=lookup.customer)
    call.scripts = script_cards(
        wanted=_moments_for(call.branch, lookup.customer),
        outage=call.outage,
        customer=lookup.customer,
        agent=agent,
        now=now,
        area=lookup.area,
    )
    return call
