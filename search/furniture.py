"""Form furniture: tick boxes, lone labels and scraps that are not passages of their own.

Council report templates are forms: "Key Decision ☒ Yes ☐ No", a grid of council-plan themes
with one box ticked, "Exempt information:" with nothing after it, "None." under a heading. A
search that indexes these lines as passages answers "impact on disabled people" with
"Disabled people or carers. ☒ ☐". This module reads such lines the way a person does: a ticked
box says which option was chosen, an unticked one says nothing, and a label with no value is
the name of whatever follows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CHECKED = "☒☑✅■▣"
"""Ballot-box glyphs that mean "ticked" (ballot box with X or check, filled squares)."""

UNCHECKED = "☐□▢"
"""Ballot-box glyphs that mean "not ticked"."""

BOXES = CHECKED + UNCHECKED
_BOX = re.compile(f"[{BOXES}]")
_ONLY_BOXES = re.compile(rf"^[\s{BOXES}]+$")
_WORD = re.compile(r"[^\W\d_]{2,}")
_LABEL = re.compile(r"^[^.!?]{1,120}[:：]$")
_TEMPLATE_TOKEN = re.compile(r"^[a-z]+[-_][a-z]+[A-Z0-9]+$")
"""A word processor's field name left in the text ("screentip-sectionA")."""
_NIL = re.compile(
    r"^(?:\(?[0-9]+(?:\.[0-9]+)*\)?\s+)?"
    r"(?:none|nil|n/?a|not applicable|none (?:necessary|required|identified)|no|yes|tbc|to be confirmed)\.?$",
    re.IGNORECASE,
)
"""A nil answer under a heading: "None.", "6.1 Not applicable", "N/A"."""


@dataclass(frozen=True)
class Ticks:
    """A piece of text read as a tick-box field: its label and the options ticked and not."""

    label: str
    ticked: tuple[str, ...]
    unticked: tuple[str, ...]
    bare_ticked: bool = False
    """The text is one bare ticked box (a grid cell), without option words of its own."""

    @property
    def answered(self) -> bool:
        """True when some box is ticked."""
        return bool(self.ticked) or self.bare_ticked


def has_boxes(text: str) -> bool:
    """True when ``text`` holds a ballot-box glyph."""
    return _BOX.search(text) is not None


def only_boxes(text: str) -> bool:
    """True when ``text`` is nothing but ballot boxes (a grid cell)."""
    return bool(text.strip()) and _ONLY_BOXES.match(text) is not None


def read_ticks(text: str) -> Ticks | None:
    """``text`` as a tick-box field, or None when it holds no box.

    "Reasons: ☒ Expenditure ☐ Income" is label "Reasons:", ticked ("Expenditure",),
    unticked ("Income",); a bare "☒" is a ticked grid cell.
    """
    if not has_boxes(text):
        return None
    parts = _BOX.split(text)
    glyphs = _BOX.findall(text)
    label = " ".join(parts[0].split())
    ticked: list[str] = []
    unticked: list[str] = []
    for glyph, option in zip(glyphs, parts[1:], strict=True):
        option = " ".join(option.split()).strip(" ;,/")
        if option:
            (ticked if glyph in CHECKED else unticked).append(option)
    bare = not ticked and not unticked and any(g in CHECKED for g in glyphs)
    return Ticks(label, tuple(ticked), tuple(unticked), bare)


def tick_phrase(text: str) -> str:
    """``text`` with its tick boxes read out: the label and the ticked options only.

    "Key Decision ☒ Yes ☐ No" → "Key Decision: Yes"; a field with nothing ticked keeps only its
    label; text without boxes comes back unchanged (whitespace tidied).
    """
    ticks = read_ticks(text)
    if ticks is None:
        return " ".join(text.split())
    if not ticks.ticked:
        return ticks.label
    chosen = ", ".join(ticks.ticked)
    if not ticks.label:
        return chosen
    return f"{ticks.label.rstrip(':')}: {chosen}"


def is_label(text: str) -> bool:
    """A form label with no value of its own: "Exempt information:", "Recommendation(s):"."""
    text = " ".join(text.split())
    return bool(_LABEL.match(text)) and not has_boxes(text)


def is_nil_answer(text: str) -> bool:
    """A nil answer that says nothing without its heading: "None.", "3.1 Not applicable"."""
    return bool(_NIL.match(" ".join(text.split())))


def is_scrap(text: str) -> bool:
    """Text that is never worth a passage: no words (bare figures, punctuation), a lone word,
    a template field name, a lone label, a nil answer or unticked boxes."""
    text = " ".join(text.split())
    if not text:
        return True
    if only_boxes(text) or is_label(text) or is_nil_answer(text) or _TEMPLATE_TOKEN.match(text):
        return True
    words = _WORD.findall(text)
    if not words:
        return True
    return len(words) == 1 and len(text) < 25
