"""The script notation: placeholders in angle brackets, such as ``<Customer Name>``.

This module owns the list of placeholders, parses and checks script text, and renders it with
the values of one call. Pure: standard library only.

Notation (strict, so that a typo shows up when the script is saved, not during a call):

- A placeholder is one of ``PLACEHOLDERS`` written exactly, in angle brackets: ``<ETR>``,
  ``<Customer Name>``. Case and inner spaces must match; ``<customer name>`` and
  ``< Customer Name >`` are unknown placeholders (with a suggestion of the right one).
- A ``<`` must be closed by ``>`` on the same line and before any other ``<``.
- A ``>`` with no ``<`` before it is an error, and so is an empty ``<>``.
- There is no escape for a literal ``<`` or ``>``: scripts are read aloud, write the words.

Rendering never raises: a script that does not parse is shown as its raw text, so an agent on a
call always sees something. A value that is missing, ``None`` or blank is shown as a *gap*: a
visible note written for the agent (``GAPS``), never an empty string or a dash.
"""

from __future__ import annotations

import difflib
import functools
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

PLACEHOLDERS: tuple[str, ...] = (
    "Customer Name",
    "Agent Name",
    "Brand",
    "Call Reason",
    "Item",
    "Inbound Number",
    "Cause",
    "ETR",
    "Area",
    "Outage",
    "Callback Deadline",
    "Promised ETR",
)

KEYS: dict[str, str] = {name: name.lower().replace(" ", "_") for name in PLACEHOLDERS}
"""Placeholder name -> the key its value has in ``render``'s ``values``: "ETR" -> "etr"."""

GAPS: dict[str, str] = {
    "Customer Name": "customer's name",
    "Agent Name": "your name",
    "Brand": "our brand name",
    "Call Reason": "reason for the call not recorded — ask them",
    "Item": "item not recorded",
    "Inbound Number": "our inbound number",
    "Cause": "cause not yet confirmed",
    "ETR": "ETR not yet known — say we will update them",
    "Area": "customer's area",
    "Outage": "outage not named",
    "Callback Deadline": "callback time not yet set — say as soon as we can",
    "Promised ETR": "the time the customer was given",
}
"""Placeholder name -> what the agent sees where the value is missing."""

HTML_GAP_TITLE = "Fill this in"


class PlaceholderError(ValueError):
    """Script text that does not parse; ``problems`` lists every problem as a sentence."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Text:
    """Literal script text between placeholders."""

    text: str


@dataclass(frozen=True)
class Placeholder:
    """A known placeholder, by its name without brackets."""

    name: str

    @property
    def key(self) -> str:
        return KEYS[self.name]


Segment = Text | Placeholder

PieceKind = Literal["text", "value", "gap"]


@dataclass(frozen=True)
class Piece:
    """One piece of a rendered script: literal text, a filled value, or a gap to fill."""

    kind: PieceKind
    text: str


# --- parsing --------------------------------------------------------------------------------


def _position(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"line {line}, column {column}"


def _normal(name: str) -> str:
    """A name folded for suggestions only: case, underscores and runs of spaces ignored."""
    return " ".join(name.replace("_", " ").split()).casefold()


_NORMAL_TO_NAME = {_normal(name): name for name in PLACEHOLDERS}


def _suggestion(unknown: str) -> str | None:
    """The known placeholder the writer most likely meant, if any."""
    folded = _normal(unknown)
    if folded in _NORMAL_TO_NAME:
        return _NORMAL_TO_NAME[folded]
    close = difflib.get_close_matches(folded, list(_NORMAL_TO_NAME), n=1)
    if close:
        return _NORMAL_TO_NAME[close[0]]
    # "<Warranty Brand>" means <Brand>: a known name as a whole word of the unknown one.
    words = folded.split()
    for normal, name in _NORMAL_TO_NAME.items():
        n = len(normal.split())
        if any(" ".join(words[i : i + n]) == normal for i in range(len(words) - n + 1)):
            return name
    return None


def _scan(text: str) -> tuple[list[Segment], list[str], list[str]]:
    """Segments, bracket problems, and unknown names (in order, unique) found in ``text``.

    Keeps going after a problem so that every problem is reported at once. Unknown names are
    kept out of the segments.
    """
    scan = _scan_remembered if len(text) <= REMEMBERED_TEXT_MAX else _scan_text
    segments, bracket_problems, unknown = scan(text)
    return list(segments), list(bracket_problems), list(unknown)


# A message send renders one script for every recipient: its parse is remembered (scripts are
# short; longer texts, such as hostile input to the editor's preview, are not kept).
REMEMBERED_TEXT_MAX = 4_000


def _scan_text(text: str) -> tuple[tuple[Segment, ...], tuple[str, ...], tuple[str, ...]]:
    """The scan itself, as tuples (safe to remember and share)."""
    segments: list[Segment] = []
    bracket_problems: list[str] = []
    unknown: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            segments.append(Text("".join(buffer)))
            buffer.clear()

    i = 0
    length = len(text)
    while i < length:
        char = text[i]
        if char == ">":
            bracket_problems.append(f"A '>' at {_position(text, i)} has no '<' before it.")
            buffer.append(char)
            i += 1
            continue
        if char != "<":
            buffer.append(char)
            i += 1
            continue
        # An opening bracket: find where it ends.
        j = i + 1
        while j < length and text[j] not in "<>\n\r":
            j += 1
        unclosed = _unclosed_problem(text, i, j)
        if unclosed:
            bracket_problems.append(unclosed)
            buffer.append(text[i:j])
            i = j
            continue
        # text[j] == ">"
        name = text[i + 1 : j]
        if not name:
            bracket_problems.append(f"An empty '<>' at {_position(text, i)} names no placeholder.")
            buffer.append("<>")
        elif name in KEYS:
            flush()
            segments.append(Placeholder(name))
        else:
            if name not in unknown:
                unknown.append(name)
            buffer.append(text[i : j + 1])
        i = j + 1
    flush()
    return tuple(segments), tuple(bracket_problems), tuple(unknown)


_scan_remembered = functools.lru_cache(maxsize=256)(_scan_text)


def _unclosed_problem(text: str, i: int, j: int) -> str | None:
    """What is wrong with the '<' at ``i`` when the scan for its '>' stopped at ``j``: the
    text ended, another '<' came first, or the line ended; None when ``j`` is its '>'."""
    if j == len(text):
        return f"A '<' at {_position(text, i)} is never closed with '>'."
    if text[j] == "<":
        return (
            f"A '<' at {_position(text, i)} is not closed with '>' "
            f"before the next '<' at {_position(text, j)}."
        )
    if text[j] in "\n\r":
        return f"A '<' at {_position(text, i)} is not closed with '>' before the end of the line."
    return None


def _unknown_problem(name: str) -> str:
    suggestion = _suggestion(name)
    if suggestion is None:
        return f"Unknown placeholder <{name}>."
    return f"Unknown placeholder <{name}>: did you mean <{suggestion}>?"


def _known_list() -> str:
    return "Known placeholders: " + ", ".join(f"<{name}>" for name in PLACEHOLDERS) + "."


def _problems(bracket_problems: list[str], unknown: list[str]) -> list[str]:
    found = [_unknown_problem(name) for name in unknown] + bracket_problems
    if unknown:
        found.append(_known_list())
    return found


def problems(text: str) -> list[str]:
    """Every problem in ``text`` as a readable sentence; an empty list means the text is valid.

    Unknown placeholders come first (one sentence per distinct name, with a suggestion where
    one is close), then bracket problems with their line and column, then, when any placeholder
    was unknown, the list of known ones.
    """
    _, bracket_problems, unknown = _scan(text)
    return _problems(bracket_problems, unknown)


def parse(text: str) -> list[Segment]:
    """``text`` as ``Text`` and ``Placeholder`` segments; ``PlaceholderError`` if it is invalid.

    Text segments are never empty and never adjacent.
    """
    segments, bracket_problems, unknown = _scan(text)
    found = _problems(bracket_problems, unknown)
    if found:
        raise PlaceholderError(found)
    return segments


def used(text: str) -> list[str]:
    """The known placeholders ``text`` uses, in order of first use, each once. Never raises."""
    segments, _, _ = _scan(text)
    names: list[str] = []
    for segment in segments:
        if isinstance(segment, Placeholder) and segment.name not in names:
            names.append(segment.name)
    return names


# --- rendering ------------------------------------------------------------------------------


def _value(values: Mapping[str, str | None], name: str) -> str | None:
    value = values.get(KEYS[name])
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def render(text: str, values: Mapping[str, str | None]) -> list[Piece]:
    """``text`` with ``values`` (keyed by ``KEYS``) filled in, as pieces. Never raises.

    A missing, ``None`` or blank value becomes a gap with its ``GAPS`` text; values are
    stripped. Text that does not parse comes back whole as one text piece.
    """
    try:
        segments = parse(text)
    except PlaceholderError:
        return [Piece("text", text)] if text else []
    pieces: list[Piece] = []
    for segment in segments:
        if isinstance(segment, Text):
            pieces.append(Piece("text", segment.text))
            continue
        value = _value(values, segment.name)
        if value is None:
            pieces.append(Piece("gap", GAPS[segment.name]))
        else:
            pieces.append(Piece("value", value))
    return pieces


def render_plain(text: str, values: Mapping[str, str | None]) -> str:
    """The script as plain text to copy to the clipboard, gaps as ``[gap text]``."""
    return "".join(
        f"[{piece.text}]" if piece.kind == "gap" else piece.text for piece in render(text, values)
    )


_NEWLINE = re.compile(r"\r\n|\r|\n")


def _html_text(text: str) -> str:
    return _NEWLINE.sub("<br>", html.escape(text))


def render_html(text: str, values: Mapping[str, str | None]) -> str:
    """The script as HTML: everything escaped, values in ``<strong class="ph-value">``, gaps in
    ``<mark class="ph-gap">``, newlines as ``<br>``.

    Returns a plain ``str``; the caller marks it safe.
    """
    out: list[str] = []
    for piece in render(text, values):
        if piece.kind == "value":
            out.append(f'<strong class="ph-value">{_html_text(piece.text)}</strong>')
        elif piece.kind == "gap":
            out.append(
                f'<mark class="ph-gap" title="{html.escape(HTML_GAP_TITLE)}">'
                f"{_html_text(piece.text)}</mark>"
            )
        else:
            out.append(_html_text(piece.text))
    return "".join(out)
