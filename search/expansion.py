"""Query expansion from aliases and acronyms: "BCF" ⇄ "Better Care Fund".

Two sources feed one table of (label, alternative) pairs: the knowledge graph's canonical
labels with their alt labels and acronyms (handed in by the caller as
``Iterable[tuple[str, list[str]]]``) and acronym definitions mined from the passages
themselves ("Better Care Fund (BCF)", "BCF (Better Care Fund)").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

_MINOR_WORDS = {"and", "of", "for", "the", "in", "on", "to", "&", "with", "a", "an", "at", "by"}
_LONG_THEN_SHORT = re.compile(
    r"((?:[A-Za-z][\w'’&-]*[ \t]+){1,9}[A-Za-z][\w'’-]*)[ \t]*\(\s*([A-Z][A-Za-z&]{1,9}s?)\s*\)"
)
_SHORT_THEN_LONG = re.compile(r"\b([A-Z][A-Z&]{1,9}s?)[ \t]*\(\s*([A-Za-z][\w'’ &,-]{4,80}?)\s*\)")
_WORD = re.compile(r"[\w'’&-]+")


def mine_acronyms(text: str) -> list[tuple[str, str]]:
    """Acronym definitions in ``text`` as ``(acronym, long form)`` pairs.

    A definition counts only when the acronym's letters are the initials of the long form's
    words (minor words such as "and"/"of" may be skipped), so "the scheme (see below)" and
    "(2019)" are not taken for acronyms.
    """
    found: dict[str, str] = {}
    for match in _LONG_THEN_SHORT.finditer(text):
        words, short = match.group(1).split(), match.group(2)
        long_form = _long_form_ending(words, short)
        if long_form:
            found.setdefault(short, long_form)
    for match in _SHORT_THEN_LONG.finditer(text):
        short, long_form = match.group(1), " ".join(match.group(2).split())
        if _initials_match(long_form.split(), short):
            found.setdefault(short, long_form)
    return sorted(found.items())


def _long_form_ending(words: list[str], short: str) -> str | None:
    """The shortest tail of ``words`` whose initials spell ``short``."""
    for size in range(1, len(words) + 1):
        tail = words[-size:]
        if tail[0].lower() in _MINOR_WORDS:
            continue
        if _initials_match(tail, short):
            return " ".join(tail)
    return None


def _initials_match(words: list[str], short: str) -> bool:
    letters = short.rstrip("s") if short.endswith("s") and len(short) > 2 else short
    letters = letters.replace("&", "").lower()
    if len(letters) < 2 or not words:
        return False
    return _match(words, letters) if len(words) <= 12 else False


def _match(words: list[str], letters: str) -> bool:
    """Can ``letters`` be read off ``words`` in order, one or more initials per word.

    Each significant word must contribute its first letter; a word may contribute a
    further letter of itself ("HealthWatch" → "HW") and minor words may contribute nothing.
    """
    if not words:
        return not letters
    word = words[0].lower().strip("'’-")
    rest = words[1:]
    if word in _MINOR_WORDS and _match(rest, letters):
        return True
    if not letters or not word or word[0] != letters[0]:
        return False
    # The word gives its initial, and optionally further letters found inside it (in order).
    for used in range(1, min(len(letters), 3) + 1):
        if _contains_in_order(word[1:], letters[1:used]) and _match(rest, letters[used:]):
            return True
    return False


def _contains_in_order(word: str, letters: str) -> bool:
    pos = 0
    for ch in letters:
        pos = word.find(ch, pos) + 1
        if pos == 0:
            return False
    return True


class ExpansionTable:
    """Alternatives for labels, looked up by the words of a query."""

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        self._alternatives: dict[str, set[str]] = {}
        for label, alternative in pairs:
            self.add(label, alternative)

    def add(self, label: str, alternative: str) -> None:
        """Record that ``label`` and ``alternative`` name the same thing (both directions)."""
        a, b = " ".join(label.split()), " ".join(alternative.split())
        if not a or not b or a.lower() == b.lower():
            return
        self._alternatives.setdefault(a.lower(), set()).add(b)
        self._alternatives.setdefault(b.lower(), set()).add(a)

    def __len__(self) -> int:
        return len(self._alternatives)

    def expansions(self, query: str, limit: int = 6) -> list[str]:
        """Alternatives of labels found in ``query``: acronyms as whole words (case-sensitive
        when all capitals), longer labels as phrases (case-insensitive)."""
        words = _WORD.findall(query)
        lowered = " " + " ".join(w.lower() for w in words) + " "
        out: list[str] = []
        seen = {query.lower()}
        for label, alternatives in self._alternatives.items():
            if " " in label or len(label) > 10:
                hit = f" {label} " in lowered
            else:
                hit = any(w.lower() == label and (not w.islower() or len(w) > 4) for w in words)
            if not hit:
                continue
            names = [label, *(a.lower() for a in alternatives)]
            for alt in sorted(alternatives):
                if alt.lower() not in seen and alt.lower() not in lowered and not _qualified(alt, names):
                    seen.add(alt.lower())
                    out.append(alt)
        return out[:limit]


def _qualified(alternative: str, names: list[str]) -> bool:
    """Whether ``alternative`` is another of the entity's names with words added ("Homecare
    Review" beside "Homecare", "home care services" beside "home care"): it finds nothing
    the shorter name does not, and would mark words the query never asked for."""
    padded = " " + " ".join(_WORD.findall(alternative.lower())) + " "
    return any(
        f" {' '.join(_WORD.findall(name))} " in padded
        for name in names
        if name != alternative.lower()
    )


def alias_pairs(aliases: Iterable[tuple[str, list[str]]] | Mapping[str, list[str]]) -> list[tuple[str, str]]:
    """Flatten ``(canonical label, [alt labels])`` into ``(label, alternative)`` pairs."""
    items = aliases.items() if isinstance(aliases, Mapping) else aliases
    return [(label, alt) for label, alts in items for alt in alts if alt]
