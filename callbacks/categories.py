"""Why customers call, as the CRM files it: categories and their sub-categories.

Pure data and lookups (no Django). The filing form and the attempt form offer these; the
database stores the keys and the call-log export prints the labels. Sub-category keys are
unique across categories, so a sub-category alone says which category it belongs to.
"""

CATEGORIES = {
    "outage": (
        "Service outage",
        {
            "no_service": "No service at all",
            "intermittent": "Service drops in and out",
            "slow": "Service slow",
        },
    ),
    "billing": (
        "Billing",
        {
            "outage_credit": "Credit for the outage",
            "refund": "Refund request",
            "payment": "Payment or balance",
        },
    ),
    "technical": (
        "Technical support",
        {
            "equipment": "Equipment (modem, router, box)",
            "wifi": "Wi-Fi or in-home setup",
            "technician": "Technician visit",
        },
    ),
    "account": (
        "Account",
        {
            "cut_off": "Service cut off",
            "details": "Change of details",
            "cancel": "Cancellation",
        },
    ),
}

SUBCATEGORY_PARENT = {sub: cat for cat, (_, subs) in CATEGORIES.items() for sub in subs}


def category_choices():
    """``(key, label)`` pairs for a select."""
    return [(key, label) for key, (label, _) in CATEGORIES.items()]


def subcategory_choices():
    """Grouped choices for a select: ``(category label, [(key, label), ...])``."""
    return [(label, list(subs.items())) for label, subs in CATEGORIES.values()]


def is_valid_pair(category, subcategory):
    return category in CATEGORIES and SUBCATEGORY_PARENT.get(subcategory) == category


def category_label(category):
    """The label of a category key; an unknown key (older data) is shown as it is."""
    return CATEGORIES[category][0] if category in CATEGORIES else category


def subcategory_label(subcategory):
    parent = SUBCATEGORY_PARENT.get(subcategory)
    return CATEGORIES[parent][1][subcategory] if parent else subcategory
