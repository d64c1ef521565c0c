"""Acronyms and definitions declared in one paper.

Three ways papers declare them: inline ("Better Care Fund (BCF)", "… Group (the CCG)"),
glossary tables or lines ("SCR  Strategic Commissioning Review"), and name keys
("CU – Catherine Underwood"). Definitions hold only inside the paper that makes them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from corpus.models import Document

_ACR = r"[A-Z][A-Za-z&]{0,2}[A-Z&]{1,7}s?|[A-Z]{2,8}"
INLINE_RE = re.compile(rf"\((?:the\s+|The\s+)?(?P<acr>{_ACR})\)")
NAME_KEY_RE = re.compile(
    r"^[ \t]*(?P<acr>[A-Z]{2,4})[ \t]+[–—-][ \t]+"
    r"(?P<long>[A-Z][a-z’'-]+(?:[ \t]+[A-Z][a-z’'-]+){1,3})[ \t]*$",
    re.MULTILINE,
)
_NAME_SUFFIXES = {"NHS", "Foundation", "Trust", "Limited", "Ltd", "CIC", "plc", "LLP"}
_STOP = {"and", "of", "for", "the", "in", "on", "with", "to", "&", "a", "an", "at", "by"}


@dataclass(frozen=True)
class Definition:
    """An acronym and its long form, with the offsets of the long form in the paper."""

    acronym: str
    long_form: str
    start: int
    end: int
    source: str  # "inline", "glossary" or "name-key"
    is_person: bool = False


def _initials_match(acronym: str, words: list[str]) -> bool:
    """Whether the acronym's letters are the words' initials, in order (stop words optional)."""
    letters = [c for c in acronym.rstrip("s") if c.isalpha()]
    letters = [c.lower() for c in letters]
    cands: list[tuple[str, bool]] = []
    for w in words:
        parts = re.split(r"[-/]", w)
        for p in parts:
            if p:
                cands.append((p, p.lower() in _STOP))

    # Greedy alignment from the end: each letter matches a word initial (or a capital inside a word).
    def align(li: int, wi: int) -> bool:
        if li < 0:
            return all(stop for _, stop in cands[: wi + 1]) or wi < 0 or True
        if wi < 0:
            return False
        word, stop = cands[wi]
        if word[0].lower() == letters[li] and align(li - 1, wi - 1):
            return True
        # a word may give two letters: "CityCare", "0-19"
        inner = [c.lower() for c in word[1:] if c.isupper()]
        if inner and inner[-1] == letters[li] and li > 0 and word[0].lower() == letters[li - 1] \
                and align(li - 2, wi - 1):
            return True
        # stop words and acronyms inside the name ("… Hospitals NHS Trust (NUHT)") may be skipped
        return (stop or (word.isupper() and len(word) > 1)) and align(li, wi - 1)

    return bool(letters) and align(len(letters) - 1, len(cands) - 1)


def find_inline(text: str) -> list[Definition]:
    """ "Long Form (ACR)": the shortest run of words before the bracket whose initials spell ACR."""
    out: list[Definition] = []
    for m in INLINE_RE.finditer(text):
        acr = m.group("acr")
        before = text[max(0, m.start() - 160): m.start()]
        words = list(re.finditer(r"[\w’'&-]+", before))
        n_letters = len([c for c in acr.rstrip("s") if c.isalpha()])
        found = None
        for n in range(1, min(len(words), n_letters * 2 + 3) + 1):
            span = words[-n:]
            ws = [w.group(0) for w in span]
            if ws[0].lower() in _STOP or not ws[0][:1].isalnum():
                continue
            core = list(ws)
            while len(core) > 1 and core[-1] in _NAME_SUFFIXES:
                core.pop()  # "Central and North West London NHS Foundation Trust (CNWL)"
            if _initials_match(acr, ws) or (len(core) < len(ws) and _initials_match(acr, core)):
                found = span
                break
        if found is None:
            continue
        base = m.start() - len(before)
        start, end = base + found[0].start(), base + found[-1].end()
        long_form = text[start:end]
        if "\n" in long_form:
            continue
        # "Information, Advice and Support (IAS) Services": the head after the bracket belongs
        # to the name, not to the acronym.
        head = re.match(r"[ \t]+(Services?|Fund|Grant|Board|Partnership|Programme|Team|Group)\b",
                        text[m.end():])
        if head:
            long_form = f"{long_form} {head.group(1)}"
        out.append(Definition(acr, long_form, start, end, "inline"))
    return out


def find_glossary(doc: Document) -> list[Definition]:
    """Glossary table rows (acronym cell, meaning cell) and name-key lines of the paper."""
    out: list[Definition] = []
    for block in doc.blocks:
        if block.kind != "table_row" or len(block.cells) < 2:
            continue
        first, second = block.cells[0], block.cells[1]
        if re.fullmatch(r"[A-Z][A-Za-z&]{1,7}", first.text) and sum(c.isupper() for c in first.text) >= 2:
            meaning = re.split(r"\s[–—-]\s|[.;:]", second.text)[0].strip()
            if meaning and meaning[0].isupper():
                start = second.start + second.text.index(meaning)
                out.append(Definition(first.text, meaning, start, start + len(meaning), "glossary"))
    for m in NAME_KEY_RE.finditer(doc.text):
        long_form = m.group("long")
        initials = "".join(w[0] for w in long_form.split())
        if initials == m.group("acr"):
            out.append(
                Definition(m.group("acr"), long_form, m.start("long"), m.end("long"), "name-key", True)
            )
    return out


def paper_definitions(doc: Document) -> dict[str, Definition]:
    """Acronym -> its first definition in the paper (inline wins over glossary for the same acronym)."""
    defs: dict[str, Definition] = {}
    for d in [*find_inline(doc.text), *find_glossary(doc)]:
        defs.setdefault(d.acronym, d)
        if d.acronym.endswith("s") and d.acronym[:-1].isupper():
            defs.setdefault(d.acronym[:-1], d)
    return defs


def acronym_occurrences(text: str, acronyms: Iterable[str]) -> list[tuple[int, int, str]]:
    """Every standalone use of the given acronyms in ``text``: (start, end, acronym)."""
    acrs = sorted({a for a in acronyms if len(a) >= 2}, key=len, reverse=True)
    if not acrs:
        return []
    rx = re.compile(r"(?<![\w-])(" + "|".join(re.escape(a) for a in acrs) + r")(?![\w-])")
    return [(m.start(), m.end(), m.group(1)) for m in rx.finditer(text)]
