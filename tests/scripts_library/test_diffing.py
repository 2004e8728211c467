"""Comparing two versions word by word."""

import pytest

from scripts_library.diffing import Change, compare, unified

CASES = [
    ("", ""),
    ("Same words.", "Same words."),
    ("", "Brand new wording."),
    ("Old wording.", ""),
    ("We expect service back by <ETR>.", "We now expect service back by <ETR>, sorry."),
    ("Line one.\nLine two.", "Line one.\n\nLine three."),
    ("  Leading and trailing  ", "Leading and trailing"),
    ("A < lone bracket and a > too", "A lone bracket"),
    ("Hello <Customer Name>.", "Hello <Agent Name>."),
]


@pytest.mark.parametrize(("old", "new"), CASES)
def test_the_changes_rebuild_both_texts(old, new):
    changes = compare(old, new).changes
    assert "".join(c.text for c in changes if c.kind != "added") == old
    assert "".join(c.text for c in changes if c.kind != "removed") == new


@pytest.mark.parametrize(("old", "new"), CASES)
def test_runs_of_the_same_kind_are_merged(old, new):
    kinds = [c.kind for c in compare(old, new).changes]
    assert all(a != b for a, b in zip(kinds, kinds[1:], strict=False))
    assert all(c.text for c in compare(old, new).changes)


def test_identical_texts():
    comparison = compare("Same words.", "Same words.")
    assert comparison.identical
    assert comparison.changes == (Change("same", "Same words."),)


def test_one_word_changed_shows_that_word_only():
    comparison = compare(
        "The cause is a cut fibre near <Area>.", "The cause is a damaged fibre near <Area>."
    )
    assert comparison.changes == (
        Change("same", "The cause is a "),
        Change("removed", "cut"),
        Change("added", "damaged"),
        Change("same", " fibre near <Area>."),
    )
    assert (comparison.words_removed, comparison.words_added) == (1, 1)
    assert not comparison.identical


def test_a_placeholder_is_one_word():
    comparison = compare("Hello <Customer Name>.", "Hello <Agent Name>.")
    assert comparison.changes == (
        Change("same", "Hello "),
        Change("removed", "<Customer Name>"),
        Change("added", "<Agent Name>"),
        Change("same", "."),
    )
    assert (comparison.words_removed, comparison.words_added) == (1, 1)


def test_words_added_at_the_end():
    comparison = compare("Thank you.", "Thank you. Goodbye.")
    assert comparison.changes[-1] == Change("added", " Goodbye.")
    assert (comparison.words_removed, comparison.words_added) == (0, 1)


def test_a_rewritten_sentence_is_one_removal_then_one_addition():
    comparison = compare("One two three. End.", "Four five six. End.")
    assert comparison.changes == (
        Change("removed", "One two three."),
        Change("added", "Four five six."),
        Change("same", " End."),
    )
    assert (comparison.words_removed, comparison.words_added) == (3, 3)


def test_whitespace_only_changes_are_changes_of_no_words():
    comparison = compare("One two.", "One  two.")
    assert not comparison.identical
    assert (comparison.words_removed, comparison.words_added) == (0, 0)


def test_unified_diff_names_the_versions():
    text = unified("a\nb\n", "a\nc\n", old_name="v1", new_name="v2")
    assert text.splitlines()[:2] == ["--- v1", "+++ v2"]
    assert "-b" in text.splitlines() and "+c" in text.splitlines()
    assert unified("same", "same", old_name="v1", new_name="v2") == ""
