"""A readable comparison of two versions of a script's wording.

Scripts are short paragraphs, so a line diff would mark the whole text as changed. This compares
word by word (spaces and line breaks are kept, but never anchor a match on their own, so a
rewritten sentence shows as one removal and one addition rather than alternating fragments) and
merges runs, so a supervisor sees exactly which words were taken out and which were put in.

Pure: standard library only.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

ChangeKind = Literal["same", "removed", "added"]

# A placeholder such as "<Customer Name>" is one word, so renaming a placeholder shows as one
# swap rather than two half-changes; every other run of non-space is a word; whitespace runs are
# tokens of their own.
_TOKEN = re.compile(r"<[^<>\s][^<>\n]*>|[^\s<]+|<|\s+")


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    text: str


@dataclass(frozen=True)
class Comparison:
    changes: tuple[Change, ...]
    words_removed: int
    words_added: int
    identical: bool


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _words(tokens: list[str]) -> int:
    return sum(1 for token in tokens if token.strip())


def compare(old: str, new: str) -> Comparison:
    """``old`` against ``new`` as runs of unchanged, removed and added text.

    Joining the ``same`` and ``removed`` runs gives back ``old``; joining ``same`` and ``added``
    gives back ``new``. A replacement is shown as the removed words, then the added ones.
    """
    a, b = _tokens(old), _tokens(new)
    matcher = difflib.SequenceMatcher(str.isspace, a, b, autojunk=False)
    changes: list[Change] = []
    removed = added = 0

    def push(kind: ChangeKind, tokens: list[str]) -> None:
        if not tokens:
            return
        text = "".join(tokens)
        if changes and changes[-1].kind == kind:
            changes[-1] = Change(kind, changes[-1].text + text)
        else:
            changes.append(Change(kind, text))

    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            push("same", a[i1:i2])
            continue
        if op in ("delete", "replace"):
            push("removed", a[i1:i2])
            removed += _words(a[i1:i2])
        if op in ("insert", "replace"):
            push("added", b[j1:j2])
            added += _words(b[j1:j2])
    return Comparison(tuple(changes), removed, added, old == new)


def unified(old: str, new: str, *, old_name: str, new_name: str) -> str:
    """A classic line diff (``difflib.unified_diff``), for copying into a ticket or an email."""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=old_name,
        tofile=new_name,
        lineterm="\n",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
