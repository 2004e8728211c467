"""The fixed call categories: choices, pairs, labels."""

import pytest

from callbacks import categories


def test_every_subcategory_key_names_one_category():
    keys = [sub for _, subs in categories.CATEGORIES.values() for sub in subs]
    assert len(keys) == len(set(keys))
    assert set(categories.SUBCATEGORY_PARENT) == set(keys)


def test_choices_offer_every_category_and_group_the_subcategories():
    assert [key for key, _ in categories.category_choices()] == list(categories.CATEGORIES)
    groups = dict(categories.subcategory_choices())
    assert dict(groups["Billing"])["refund"] == "Refund request"


@pytest.mark.parametrize(
    ("category", "subcategory", "valid"),
    [
        ("outage", "no_service", True),
        ("billing", "refund", True),
        ("outage", "refund", False),
        ("weather", "no_service", False),
        ("outage", "", False),
        ("", "", False),
    ],
)
def test_is_valid_pair(category, subcategory, valid):
    assert categories.is_valid_pair(category, subcategory) is valid


def test_labels_and_unknown_keys_shown_as_they_are():
    assert categories.category_label("technical") == "Technical support"
    assert categories.subcategory_label("wifi") == "Wi-Fi or in-home setup"
    assert categories.category_label("legacy") == "legacy"
    assert categories.subcategory_label("") == ""
