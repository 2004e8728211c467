"""What the live-call screen shows for one lookup: composes the apps' selectors.

Branches, as the reference guides order them: a known outage covers the caller -> outage
scripts; an internal systems outage -> the "cannot access your account" path with manual entry;
no outage but the account is cut off -> the reason and its guidance; neither -> technical issue.

An internal systems outage covers every area and makes accounts unreadable, so it also shows
before any lookup: the agent takes the caller's name and number by hand.
"""

from dataclasses import dataclass, field

from callbacks import conf
from outages import lifecycle
from outages import selectors as outage_selectors
from scripts_library import moments
from scripts_library.cards import cards_for_call

OUTAGE = "outage"
SYSTEMS = "systems"
CUTOFF = "cutoff"
TECHNICAL = "technical"

BRANCH_LABELS = {
    OUTAGE: "Known outage",
    SYSTEMS: "Our systems are down",
    CUTOFF: "No outage: account cut off",
    TECHNICAL: "No known outage: technical issue",
}


# The call-log category each path starts with (the agent may change it).
CATEGORY_BY_BRANCH = {
    OUTAGE: {"category": "outage", "subcategory": "no_service"},
    CUTOFF: {"category": "account", "subcategory": "cut_off"},
    TECHNICAL: {"category": "technical"},
}


@dataclass
class Call:
    lookup: outage_selectors.Lookup
    outages: list = field(default_factory=list)
    restored: list = field(default_factory=list)
    outage: object = None
    branch: str = ""
    scripts: list = field(default_factory=list)
    missing_scripts: list = field(default_factory=list)
    # The version of the outages shown: the screen asks for a refresh once the version of the
    # area's outages moves past it.
    version: str = ""

    @property
    def customer(self):
        return self.lookup.customer

    @property
    def area(self):
        return self.lookup.area

    @property
    def branch_label(self):
        return BRANCH_LABELS.get(self.branch, "")

    @property
    def live_params(self):
        """The query string that rebuilds this call (the live refresh asks with it)."""
        if self.customer is not None:
            return f"customer={self.customer.pk}"
        if self.lookup.postal_code:
            return f"q={self.lookup.postal_code}"
        return ""

    @property
    def version_params(self):
        """The query string the version check asks with: the area the screen shows."""
        return f"area={self.area.pk}" if self.area is not None else "area="

    @property
    def refund_requested_at(self):
        """When a refund review was promised to this caller for the outage shown, or None
        (read with the outages)."""
        if self.customer is None or self.outage is None:
            return None
        return getattr(self.outage, "refund_requested_at", None)

    @property
    def manual_entry(self):
        """The callback form asks for the account number by hand: no account was read."""
        return self.customer is None

    @property
    def asks_ticket(self):
        """The technical-issue path logs the support ticket's reference with the callback."""
        return self.branch == TECHNICAL

    @property
    def shows_callback_form(self):
        return bool(self.branch)


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


def _split(outages):
    """Open outages first (they decide the call), then restored ones still worth a mention."""
    active = [outage for outage in outages if outage.is_active]
    restored = [outage for outage in outages if not outage.is_active]
    # Newest restoration first: the page shows it and folds the earlier ones into one line.
    restored.sort(key=lambda outage: outage.restored_at, reverse=True)
    return active, restored


def _compose(call, *, agent, now):
    call.outage = call.outages[0] if call.outages else None
    call.branch = _branch(outage=call.outage, customer=call.customer)
    wanted = _moments_for(call.branch, call.customer)
    call.scripts = cards_for_call(
        wanted=wanted,
        outage=call.outage,
        customer=call.customer,
        agent=agent,
        now=now,
        area=call.area,
    )
    found = {card.moment for card in call.scripts}
    call.missing_scripts = [moments.LABELS[m] for m in wanted if m not in found]
    return call


def build_call(*, query="", customer_id=None, agent, now):
    if customer_id:
        lookup = outage_selectors.lookup_customer(customer_id)
    else:
        lookup = outage_selectors.lookup(query)
    call = Call(lookup=lookup)
    if not lookup.found or lookup.matches:
        if not lookup.query:
            # Before any lookup: an internal systems outage means no account can be read.
            call.version = outage_selectors.outages_version(None)
            covering = outage_selectors.outages_covering_area(None)
            systems = [o for o in covering if o.kind == lifecycle.SYSTEMS]
            if systems:
                call.outages = systems
                return _compose(call, agent=agent, now=now)
        return call
    covering = outage_selectors.outages_covering_area(
        lookup.area, include_restored=True, customer=lookup.customer
    )
    call.version = outage_selectors.outages_version_of(covering)
    call.outages, call.restored = _split(covering)
    return _compose(call, agent=agent, now=now)


def callback_initial(*, customer, outage, branch):
    """What the callback form starts with: the customer's details and the outage's."""
    initial = {}
    if customer is not None:
        initial.update(
            name=customer.name, phone=customer.phone, account_number=customer.account_number
        )
    if outage is not None and outage.kind != lifecycle.SYSTEMS:
        # A systems outage is not why the caller called: the agent asks.
        initial["call_reason"] = f"Service outage: {outage.title}"
        if outage.service:
            initial["item"] = outage.service
    initial.update(CATEGORY_BY_BRANCH.get(branch, {}))
    if branch == TECHNICAL:
        initial["call_reason"] = "Technical issue, no known outage"
    return initial


def callback_promise(*, outage):
    """When a customer filed now can expect the call, in words, for a filing still waiting."""
    hours = conf.target_hours()
    if outage is not None and outage.kind == lifecycle.SYSTEMS:
        return f"within {hours} hours of our systems being restored"
    return f"within {hours} hours of restoration"


def callback_draft_key(*, path, customer_id, outage_id):
    """The key the page keeps the callback form's draft under (the form's ``data-draft-key``,
    and the confirmation's ``data-callback-filed``, which tells the page to forget it)."""
    return f"callback-draft:{path or 'call'}:c{customer_id or '-'}:o{outage_id or '-'}"
