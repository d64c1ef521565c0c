"""Keyword retrieval with SQLite FTS5 (BM25, Porter stemming): query building and highlights."""

from __future__ import annotations

import math
import re
from functools import lru_cache

_STOPWORD_TEXT = """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers him his how i if in into is it its itself just me more
    most my no nor not now of off on once only or other our ours out over own same she should so
    some such than that the their theirs them then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would you
    your yours there's what's which's how's many much
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
MAX_QUERY_TERMS = 48


def query_terms(text: str) -> list[str]:
    """The searchable words of ``text``: lower-cased, stopwords dropped, in order, unique."""
    seen: dict[str, None] = {}
    for token in _TOKEN.findall(text.lower()):
        token = token.replace("’", "'").split("'")[0]
        if token and token not in STOPWORDS and (len(token) > 1 or token.isdigit()):
            seen.setdefault(token, None)
    return list(seen)[:MAX_QUERY_TERMS]


NO_SEARCH_WORDS = (
    "No passages match: the query has no words to search for (only punctuation or very common words)."
)
"""What to tell a person whose query has no searchable words (see :func:`has_search_words`)."""


def has_search_words(text: str) -> bool:
    """Whether ``text`` has a word worth searching for.

    A query of punctuation, symbols or stopwords only (``*``, ``(((``, ``the of``) matches
    nothing honestly: neither scorer has anything to go on, and the dense one would still
    rank every passage by closeness to noise."""
    return bool(query_terms(text))


def passage_terms(text: str) -> set[str]:
    """Distinct searchable words of a passage (as :func:`query_terms`, without the cap)."""
    words = {token.replace("’", "'").split("'")[0] for token in _TOKEN.findall(text.lower())}
    return {w for w in words if w and w not in STOPWORDS and (len(w) > 1 or w.isdigit())}


def idf(df: int, n: int) -> float:
    """BM25's inverse document frequency of a word found in ``df`` of ``n`` passages."""
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def query_coverage(terms: list[str], weights: dict[str, float], text: str) -> float:
    """Share of the query's IDF mass whose words (or words sharing their stem) occur in ``text``."""
    total = sum(weights.get(t, 0.0) for t in terms)
    if total <= 0:
        return 0.0
    found = {m.group(0).lower() for m in _TOKEN.finditer(text)}
    matched = sum(weights.get(t, 0.0) for t in terms if any(_same_stem(t, w) for w in found))
    return matched / total


def _stem(term: str) -> str:
    return term[: max(4, len(term) - 2)] if len(term) > 4 else term


def _same_stem(term: str, word: str) -> bool:
    stem = _stem(term)
    return word.startswith(stem) if len(stem) >= 4 else word == stem


def match_phrases(terms: list[str], phrases: list[str] = ()) -> list[str]:  # type: ignore[assignment]
    """The distinct phrases of a keyword match: each term, then each expansion's words."""
    parts = list(terms)
    for phrase in phrases:
        words = query_terms(phrase)
        if words:
            parts.append(" ".join(words))
    return list(dict.fromkeys(parts))


def fts_match_expression(terms: list[str], phrases: list[str] = ()) -> str:  # type: ignore[assignment]
    """An FTS5 MATCH expression: any of the terms, or any expansion phrase (all quoted)."""
    return " OR ".join(f'"{part}"' for part in match_phrases(terms, phrases))


PROXIMITY_WINDOW = 8
"""Largest span, in tokens, in which two neighbouring query words count as used together."""


def proximity_expressions(
    terms: list[str], window: int = PROXIMITY_WINDOW, keep: set[str] | None = None
) -> tuple[str, str]:
    """FTS5 MATCH expressions for the neighbouring word pairs of a query (sequential dependence).

    The first matches a pair as an exact phrase ("mental health"), the second within ``window``
    tokens in either order ("budget ... joint"). Either is empty for a one-word query. Scoring
    passages on these besides single words is Metzler and Croft's sequential dependence model:
    a passage using the question's words together beats one scattering them. With ``keep``,
    only pairs with at least one word in ``keep`` are used.
    """
    pairs = [(a, b) for a, b in zip(terms, terms[1:], strict=False) if keep is None or a in keep or b in keep]
    if not pairs:
        return "", ""
    ordered = " OR ".join(f'"{a} {b}"' for a, b in pairs)
    unordered = " OR ".join(f'NEAR("{a}" "{b}", {window - 2})' for a, b in pairs)
    return ordered, unordered


def highlight_spans(text: str, terms: list[str], base: int = 0) -> list[tuple[int, int]]:
    """Offsets (shifted by ``base``) of words in ``text`` that share a stem with a query term."""
    if not terms:
        return []
    accepts = _stem_matcher(tuple(terms)).match
    return [(base + m.start(), base + m.end()) for m in _TOKEN.finditer(text) if accepts(m.group(0))]


def phrase_spans(text: str, phrases: list[str], base: int = 0) -> list[tuple[int, int]]:
    """Offsets (shifted by ``base``) of whole-word, case-insensitive occurrences of ``phrases``
    (the alternative names a query was expanded with: the alias matched, not its words)."""
    spans = []
    for phrase in phrases:
        phrase = " ".join(phrase.split())
        if not phrase:
            continue
        pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in phrase.split()) + r"(?!\w)"
        spans.extend((base + m.start(), base + m.end()) for m in re.finditer(pattern, text, re.IGNORECASE))
    return spans


@lru_cache(maxsize=256)
def _stem_matcher(terms: tuple[str, ...]) -> re.Pattern[str]:
    """A pattern whose ``match`` accepts a word exactly when :func:`_same_stem` does for a term:
    a stem of four or more characters begins the word, a shorter one is the whole word."""
    prefixes = sorted({_stem(t) for t in terms if len(_stem(t)) >= 4}, key=len, reverse=True)
    exact = sorted({_stem(t) for t in terms if len(_stem(t)) < 4}, key=len, reverse=True)
    options = [re.escape(p) for p in prefixes] + [re.escape(e) + r"\Z" for e in exact]
    return re.compile("|".join(options), re.IGNORECASE)
