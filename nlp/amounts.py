"""Which fact or entity a money figure belongs to: the rule ``kg/`` follows when it stores money.

Every Money mention of an extraction is stored (attached to its paper). A figure also belongs to
the facts whose evidence (a sentence, a numbered decision, a table row) contains it, and to the
services and funding streams named in its **scope**: the table row it was read in, or else its
sentence. A neighbouring row or sentence never lends its figures.

Sentences here are cut by punctuation inside one block of the paper's structure (the extractor's
spaCy sentences are not part of the extraction record); a full stop inside a figure ("£1.2m"),
after an abbreviation ("c.", "approx.", "para.") or an initial does not end a sentence.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from corpus.models import Block, Document
from nlp.models import Extraction, Mention

#: Relation types a money figure can belong to: contracts, commissioning, funding, decisions and
#: a table row's service status. Membership, roles and same-as links carry no money.
MONEY_RELATION_TYPES = frozenset(
    {"commissions", "joint_commissioning", "provides", "funds", "decision", "service_status"}
)
#: Entity types a figure is attached to when named in its scope.
MONEY_ENTITY_TYPES = frozenset({"Service", "FundingStream"})

_ABBREVIATIONS = frozenset({
    "c", "ca", "approx", "circa", "est", "e.g", "i.e", "eg", "ie", "etc", "no", "nos", "para", "paras",
    "cllr", "mr", "mrs", "ms", "dr", "prof", "st", "vs", "v", "ref", "incl", "excl", "min", "max",
    "p", "pp", "fig", "vol", "sec", "art", "co", "ltd", "inc", "dept", "govt", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "cf", "al",
})
# A sentence ends at . ! ? (then closing quotes or brackets) before spaces, or at a blank line.
_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s)|\n\s*\n")
_WORD = re.compile(r"[A-Za-z][A-Za-z.]*")


def _is_abbreviation(before: str) -> bool:
    """Whether the word that ends ``before`` (just before a full stop) is an initial or an abbreviation.

    Only a whole word counts: the "m" of "£0.5m" is part of a figure, and a figure can end a sentence.
    """
    parts = before.rsplit(None, 1)
    word = (parts[-1] if parts else "").lstrip("([\"'‘“")
    if (len(parts) < 2 and len(before) >= 40) or not _WORD.fullmatch(word):
        return False
    word = word.rstrip(".")
    return len(word) == 1 or word.lower() in _ABBREVIATIONS


@dataclass(frozen=True)
class MoneyContext:
    """One money figure with what it belongs to.

    ``scope`` is the character span of its table row or sentence; ``entity_keys`` the services
    and funding streams named there (in the order of the text, once each); ``relations`` the
    indexes (into ``Extraction.relations``) of the facts whose evidence contains the figure.
    """

    mention: Mention
    scope: tuple[int, int]
    entity_keys: tuple[str, ...] = ()
    relations: tuple[int, ...] = ()


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """The sentences of one block's ``text`` as ``(start, end)`` spans (plus ``offset``).

    The spans cover the text in order, without gaps; a stop after a single letter, a known
    abbreviation or inside a number does not cut.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _END.finditer(text):
        if m.group(0)[0] == "." and _is_abbreviation(text[max(0, m.start() - 40):m.start()]):
            continue
        end = m.end()
        if text[start:end].strip():
            spans.append((offset + start, offset + end))
            start = end
    if start < len(text):
        spans.append((offset + start, offset + len(text)))
    return spans


def money_scope(blocks: list[Block], starts: list[int], start: int, end: int,
                sentences: dict[int, list[tuple[int, int]]] | None = None) -> tuple[int, int]:
    """The table row, else the sentence of its block, holding the span ``start``-``end``.

    ``blocks`` are the paper's blocks sorted by start and ``starts`` their starts; a span outside
    every block is its own scope. ``sentences`` caches each block's sentences by block start.
    """
    sentences = {} if sentences is None else sentences
    i = bisect_right(starts, start) - 1
    for block in blocks[max(0, i - 2):i + 1][::-1]:  # blocks do not nest; look a step back in case
        if block.start <= start and end <= block.end:
            if block.kind in {"table_row", "table_header"}:
                return block.start, block.end
            if block.start not in sentences:
                sentences[block.start] = sentence_spans(block.text, block.start)
            for s, e in sentences[block.start]:
                if s <= start < e:
                    return s, max(e, end)
            return block.start, block.end
    return start, end


def money_contexts(doc: Document, extraction: Extraction) -> list[MoneyContext]:
    """Every Money mention of ``extraction`` with its scope, entities and facts (text order)."""
    blocks = sorted(doc.blocks, key=lambda b: (b.start, -b.end))
    starts = [b.start for b in blocks]
    money = sorted((m for m in extraction.mentions if m.type == "Money"),
                   key=lambda m: (m.evidence.start, m.evidence.end))
    named = sorted(
        (m for m in extraction.mentions if m.type in MONEY_ENTITY_TYPES and m.entity_key),
        key=lambda m: m.evidence.start,
    )
    named_starts = [m.evidence.start for m in named]
    facts = sorted(
        ((r.evidence.start, r.evidence.end, i) for i, r in enumerate(extraction.relations)
         if r.type in MONEY_RELATION_TYPES),
    )
    fact_starts = [f[0] for f in facts]
    longest = max((e - s for s, e, _ in facts), default=0)
    out = []
    sentences: dict[int, list[tuple[int, int]]] = {}
    for m in money:
        span = (m.evidence.start, m.evidence.end)
        scope = money_scope(blocks, starts, *span, sentences)
        keys: list[str] = []
        for other in named[bisect_left(named_starts, scope[0]):]:
            if other.evidence.start >= scope[1]:
                break
            if other.evidence.end <= scope[1] and other.entity_key and other.entity_key not in keys:
                keys.append(other.entity_key)
        # a fact holding the figure starts at most `longest` characters before the figure ends
        lo, hi = bisect_left(fact_starts, span[1] - longest), bisect_right(fact_starts, span[0])
        rels = tuple(sorted(i for s, e, i in facts[lo:hi] if span[1] <= e))
        out.append(MoneyContext(m, scope, tuple(keys), rels))
    return out


def relation_money(contexts: Iterable[MoneyContext]) -> dict[int, list[Mention]]:
    """Relation index -> the Money mentions its evidence holds, in text order."""
    out: dict[int, list[Mention]] = {}
    for c in contexts:
        for i in c.relations:
            out.setdefault(i, []).append(c.mention)
    return out

