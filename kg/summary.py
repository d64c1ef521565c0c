"""Answer rows: the heavy competency questions' per-paper work, done once when the paper is written.

Questions 02, 03, 04 and 06 join, group and aggregate every fact, mention and money figure of the
corpus before they can show a row; at thousands of papers that takes seconds to minutes on any
engine. But each of their rows comes from one paper (its ``?file`` is one paper's), so the row can be
computed from that paper's own quads when the paper is built, stored in the paper's named graph, and
replaced or removed with it by the same atomic write (``GraphStore._write`` drops and rewrites the
graph; no other store code is involved, so every backend keeps them consistent).

Each row query (``kg/queries/rows/*.rq``) is its question's own WHERE clause and grouping, run on one
paper's quads in an in-memory pyoxigraph store; the labels of entities (which a later paper may
change) are not stored: the questions join them live (``kg/queries``). A row also gets
an order number (its kind's own predicate, e.g. ``ck:serviceTraceRowOrder``; facts get ``ck:factOrder``)
that lists rows chronologically (paper date, then place in the text, then a tie-break): a question
takes its page by scanning that one predicate and sorting integers, which Oxigraph does cheaply;
sorting 370,000 rows by a long string such as a label took 21 s, and joining a class to a shared
order predicate cost 0.5-0.7 s at 1,000 papers on disk (a lookup per row).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Store, parse

from corpus.models import Document
from kg import iris

CK = iris.CK
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
FACT_ORDER = CK + "factOrder"
ORDER_OFFSET_LIMIT = 10**7
"""An order number is the paper's date as YYYYMMDD, then the passage's start offset (below this)..."""
ORDER_TIE_LIMIT = 10**4
"""...then a hash of the node's IRI below this, so that papers of one date laid out alike rarely
tie; the questions also sort by the IRI last, so that pages never overlap on a tie. The whole
stays below 2^63: Oxigraph keeps such an xsd:integer inline, so sorting it needs no lookups."""

ROWS_DIR = Path(__file__).resolve().parent / "queries" / "rows"


@dataclass(frozen=True)
class RowKind:
    """One question's answer rows: their class, the per-paper query, and each variable's predicate."""

    name: str
    """Also the per-paper query's file stem in ``kg/queries/rows``."""
    cls: str
    order: str
    """The kind's own order predicate (one predicate to scan, no join with the class)."""
    predicates: dict[str, str]
    keys: tuple[str, ...]
    """The grouping variables: what names one row (its IRI is their hash)."""
    joined: dict[str, str]
    """Variables that join several values, with their separator: sorted here, because GROUP_CONCAT's
    order is the engine's choice and a rebuild must give the very same quads."""
    start_var: str | None = None
    """The variable holding the row's start offset; else the quote is looked up in the text."""

    @property
    def sparql(self) -> str:
        """The per-paper query (the question's own grouping, without labels)."""
        return _row_query(self.name)


@cache
def _row_query(name: str) -> str:
    return (ROWS_DIR / f"{name}.rq").read_text(encoding="utf-8")


ROW_KINDS: tuple[RowKind, ...] = (
    RowKind(
        "arrangement", "ArrangementRow", "arrangementRowOrder",
        {"organisation": "rowOrganisation", "arrangement": "rowArrangement", "how": "rowHow"},
        ("organisation", "arrangement", "how"), {}, start_var="start",
    ),
    RowKind(
        "funded-service", "FundedServiceRow", "fundedServiceRowOrder",
        {"fund": "rowFundingStream", "service": "rowService", "amount": "rowAmount",
         "amountText": "rowAmountText", "quote": "rowQuote"},
        ("fund", "service", "quote"), {"amountText": "; "},
    ),
    RowKind(
        "service-trace", "ServiceTraceRow", "serviceTraceRowOrder",
        {"service": "rowService", "status": "rowStatus", "statusGroup": "rowStatusGroup",
         "sponsor": "rowSponsor", "fundingLabel": "rowFunding", "amount": "rowAmount",
         "amountText": "rowAmountText", "quote": "rowQuote"},
        ("service", "quote"),
        {"status": "; ", "statusGroup": "; ", "sponsor": "; ", "fundingLabel": "; ", "amountText": "; "},
    ),
    RowKind(
        "large-amount", "LargeAmountRow", "largeAmountRowOrder",
        {"amount": "rowAmount", "amountText": "rowAmountText", "role": "rowRole", "kind": "rowKind",
         "about": "rowAbout", "fundLabel": "rowFunding", "start": "rowStart", "end": "rowEnd",
         "quote": "rowQuote"},
        ("amount", "amountText", "role", "about", "start", "end", "quote"), {"kind": ", ", "fundLabel": "; "},
        start_var="start",
    ),
)


def date_order(date: str | None, year: int | None) -> int:
    """The paper's date as YYYYMMDD (missing month or day as 00; 0 when undated)."""
    match = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", date or "")
    if match:
        y, m, d = match.group(1), match.group(2) or "00", match.group(3) or "00"
        return int(y + m + d)
    return year * 10_000 if year else 0


def list_order(doc: Document, start: int, iri: str = "") -> int:
    """The order number of the node ``iri`` of ``doc`` whose passage starts at ``start``."""
    offset = min(max(start, 0), ORDER_OFFSET_LIMIT - 1)
    tie = int(hashlib.sha256(iri.encode("utf-8")).hexdigest(), 16) % ORDER_TIE_LIMIT
    day = min(date_order(doc.metadata.date, doc.metadata.year), 9_000_00_00)
    return (day * ORDER_OFFSET_LIMIT + offset) * ORDER_TIE_LIMIT + tie


def order_literal(value: int) -> Literal:
    """An xsd:integer literal (Oxigraph stores it inline, so sorting by it needs no string lookups)."""
    return Literal(str(value), datatype=NamedNode(XSD_INTEGER))


@lru_cache(maxsize=1)
def _notations() -> tuple[Quad, ...]:
    """The ontology's ``skos:notation`` triples (status groups are read by notation, question 04)."""
    path = Path(__file__).resolve().parent.parent / "ontology" / "councilkg.ttl"
    notation = "http://www.w3.org/2004/02/skos/core#notation"
    return tuple(Quad(t.subject, t.predicate, t.object, DefaultGraph())
                 for t in parse(path=str(path), format=RdfFormat.TURTLE) if t.predicate.value == notation)


def answer_rows(doc: Document, graph: NamedNode, quads: Iterable[Quad]) -> list[Quad]:
    """The answer rows of every :data:`ROW_KINDS` question for one paper, as quads in ``graph``."""
    store = Store()
    store.extend(Quad(q.subject, q.predicate, q.object, DefaultGraph()) for q in quads)
    store.extend(_notations())
    paper = NamedNode(iris.paper_iri(doc.doc_id))
    out: list[Quad] = []
    for kind in ROW_KINDS:
        result = store.query(kind.sparql)
        names = [v.value for v in result.variables]
        for solution in result:
            values = {name: solution[name] for name in names}
            for name, separator in kind.joined.items():
                if values.get(name) is not None:
                    values[name] = Literal(separator.join(sorted(values[name].value.split(separator))))
            keyed = [str(values.get(name)) for name in kind.keys]
            row = NamedNode(f"{iris.ID}row/{kind.name}/" + iris.content_hash(doc.doc_id, *keyed))
            if kind.start_var and values.get(kind.start_var) is not None:
                start = int(values[kind.start_var].value)
            else:
                quote = values.get("quote")
                start = doc.text.find(quote.value) if quote is not None else 0
            out.append(Quad(row, NamedNode(RDF_TYPE), NamedNode(CK + kind.cls), graph))
            out.append(Quad(row, NamedNode(CK + "rowPaper"), paper, graph))
            order = order_literal(list_order(doc, start, row.value))
            out.append(Quad(row, NamedNode(CK + kind.order), order, graph))
            for name, predicate in kind.predicates.items():
                value = values.get(name)
                if value is not None:
                    out.append(Quad(row, NamedNode(CK + predicate), value, graph))
    return out


__all__ = ["FACT_ORDER", "ROW_KINDS", "RowKind", "answer_rows", "date_order", "list_order", "order_literal"]
