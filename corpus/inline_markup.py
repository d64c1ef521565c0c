"""Inline markup in converted text: HTML fragments and light Markdown become clean segments.

Converted council papers carry inline HTML (``<p>``, ``<ul><li>``, ``<b>``, ``<u>``,
``<sup>``, ``<br>``, checkboxes, entities) and Markdown emphasis (``**bold**``,
``*italic*``, ``[text](#)``). Nothing of that is ever kept as markup: block-level
elements become separate :class:`Segment` records (paragraphs and list items), inline
elements disappear, and checkboxes become the ballot-box characters ☒/☐.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_CHECKBOX = re.compile(r"<input\b([^>]*)/?>", re.IGNORECASE)
_BLOCK_TAG = re.compile(
    r"</?(p|div|ul|ol|li|br|tr|h[1-6]|table|tbody|thead|blockquote)\b[^>]*>", re.IGNORECASE
)
_ANY_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*\b[^>]*>")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto|ftp)://?[^>\s]+)>")
_MD_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])")
_SPACES = re.compile(r"[ \u00a0\u2002\u2003\u2009\t]+")
_MARKUP_CHARS = re.compile(r"[<>&*_\[•▪●◦]")
_BULLET = re.compile(r"\s*[•▪●◦]\s*")

# Markers used between segments while splitting; private-use characters never in input.
_PARA = "\ue000"
_ITEM = "\ue001"


@dataclass(frozen=True)
class Segment:
    """A piece of clean text: ``kind`` is ``"paragraph"`` or ``"list_item"``."""

    kind: str
    text: str


def _checkbox(match: re.Match[str]) -> str:
    attrs = match.group(1).lower()
    if "checkbox" not in attrs and "radio" not in attrs:
        return " "
    return " ☒ " if "checked" in attrs else " ☐ "


def _block_tag(match: re.Match[str]) -> str:
    tag = match.group(1).lower()
    closing = match.group(0).startswith("</")
    if tag == "li":
        return _PARA if closing else _ITEM
    if tag in ("ul", "ol"):
        return _PARA
    return _PARA


def strip_markdown_emphasis(text: str) -> str:
    """Remove ``**`` / ``__`` emphasis markers, ``*italic*`` pairs and link syntax."""
    text = _MD_LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = text.replace("**", "").replace("__", "")
    text = _MD_ITALIC.sub(r"\1", text)
    return text


def has_markup(text: str) -> bool:
    """True when ``text`` holds HTML tags, entities or Markdown emphasis."""
    return bool(_ANY_TAG.search(text) or "&" in text or "*" in text or "[" in text)


def clean_segments(raw: str) -> list[Segment]:
    """Split ``raw`` (one line or one table cell) into clean paragraph / list-item segments."""
    if not _MARKUP_CHARS.search(raw):  # plain text: only whitespace to normalise
        clean = _SPACES.sub(" ", raw).strip()
        return [Segment("paragraph", clean)] if clean else []
    text = _CHECKBOX.sub(_checkbox, raw)
    text = _AUTOLINK.sub(r"\1", text)
    text = re.sub(r"<sup\b[^>]*>(.*?)</sup>", r"\1", text, flags=re.IGNORECASE | re.DOTALL)
    text = _BLOCK_TAG.sub(_block_tag, text)
    text = _ANY_TAG.sub("", text)
    text = strip_markdown_emphasis(text)
    text = html.unescape(text)
    segments: list[Segment] = []
    for chunk in re.split(f"({_PARA}|{_ITEM})", text):
        if chunk in (_PARA, _ITEM):
            segments.append(Segment("list_item" if chunk == _ITEM else "paragraph", ""))
            continue
        if not segments:
            segments.append(Segment("paragraph", ""))
        last = segments[-1]
        segments[-1] = Segment(last.kind, last.text + chunk)
    out: list[Segment] = []
    for seg in segments:
        # Inline bullets ("• A • B") inside one element are list items too.
        parts = _BULLET.split(seg.text)
        kinds = [seg.kind] + ["list_item"] * (len(parts) - 1)
        for kind, part in zip(kinds, parts, strict=True):
            clean = _SPACES.sub(" ", part).strip()
            if clean:
                out.append(Segment(kind, clean))
    return out


def clean_inline(raw: str) -> str:
    """One clean string for ``raw``: segments joined so sentences stay apart.

    A segment that ends without closing punctuation is followed by ``"; "`` so that
    list items and short paragraphs do not run into one sentence.
    """
    pieces = [s.text for s in clean_segments(raw)]
    out = ""
    for piece in pieces:
        if out:
            out += " " if out[-1] in ".!?;:" else "; "
        out += piece
    return out
