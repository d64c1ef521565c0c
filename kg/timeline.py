"""A service's timeline: one row per passage (a table row or a sentence) that states a fact about it.

An auditor cites a row, so everything a row shows comes from that one passage: the status,
sponsor, funding, money figures (each with its qualifier and its words as written) and dates of
the facts whose evidence is the passage, and the money figures the paper states inside it. Facts
read from a smaller passage inside a larger one (a sentence of a table row) join the larger
one's row; two passages of one paper that do not nest are two rows, never merged.

Money is compared like with like: each figure has a ``basis`` (a stated sum, a sum per year,
per month…, over a term, a saving) and the change view compares one field of one basis across
years, never a yearly rate with a one-off total. Written against ``ontology/README.md``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from councilkg.errors import NotFound
from kg.browse import (
    EvidenceRef,
    _evidence,
    _humanise,
    _iri,
    _lit,
    _local_name,
    label,
    qualified_labels,
    select,
)

SCHEMA = "https://schema.org/"
CK = "https://w3id.org/councilkg/ontology#"
FACTS_READ = 2000
"""Facts about one service read at most (bounds the work for a service named everywhere)."""

_PER_YEAR = re.compile(r"\b(pa|p\.a\.?|per annum|per year|a year|each year|every year|annually|yearly)\b|"
                       r"per (year|yr|annum)\b")
_RATE = re.compile(r"\bper (calendar month|month|week|day|night|hour|quarter|head|person|client|bed|place|"
                   r"unit|household|property|visit|session)\b|\ba (month|week|day)\b")
_PCM = re.compile(r"\bp\.?c\.?m\b")
_PW = re.compile(r"\bp\.?w\b|\bp\.w\.")
_TERM = re.compile(r"\b(over|across) .*\b(years?|months?|weeks?)\b")


@dataclass
class Figure:
    """One money figure as the paper states it."""

    value: float
    value_max: float | None
    text: str
    qualifier: str
    basis: str
    """What kind of figure it is: "stated sum", "per year", "per month"…, "over a term", "saving"."""
    iri: str
    start: int | None = None
    end: int | None = None

    @property
    def label(self) -> str:
        """The figure's words as written, else its value."""
        return self.text or f"£{self.value:,.0f}"


@dataclass
class TimelineRow:
    """One passage of one paper that states facts about the service."""

    paper: str
    doc_id: str
    file_name: str
    paper_title: str
    date: str
    year: int | None
    authority: str
    status: str
    sponsor: str
    funding_source: str
    money: list[float]
    """The values of ``figures`` (savings left out), for a quick look."""
    quotes: list[EvidenceRef]
    """The row's one passage (a list, as every other evidence list)."""
    changes: list[str] = field(default_factory=list)
    """Fields (``status``, ``sponsor``, ``funding``, ``amount``) whose value here is not among
    the values the previous year that stated the same field (and basis) had."""
    start: int | None = None
    end: int | None = None
    kinds: list[str] = field(default_factory=list)
    """The kinds of fact the passage states (service status, commissioning, funding…)."""
    statements: list[str] = field(default_factory=list)
    """The facts as short phrases: "commissioned by Nottingham City Council"."""
    figures: list[Figure] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    """The periods and dates the facts give (ISO 8601)."""
    milestones: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    """The IRIs of the facts read from the passage."""


@dataclass
class YearSummary:
    """What the papers of one year say about the service."""

    year: int
    papers: int
    rows: int
    statuses: list[str]
    figures: dict[str, list[Figure]]
    """Figures by basis (in :data:`BASIS_ORDER`), each distinct value once, largest first."""


@dataclass
class FieldTrack:
    """One field (and, for money, one basis) across the years that state it."""

    field: str
    by_year: dict[int, list[str]]
    changed: list[int]
    """Years whose values differ from those of the previous year that stated this field."""


@dataclass
class Timeline:
    """A service's passages in date order, its years and its fields across years."""

    iri: str
    label: str
    rows: list[TimelineRow]
    money_by_year: dict[int, float]
    """The largest stated figure (of any basis but savings) of each year, for a quick look."""
    years: list[YearSummary] = field(default_factory=list)
    tracks: list[FieldTrack] = field(default_factory=list)
    authorities: list[str] = field(default_factory=list)


BASIS_ORDER = ("stated sum", "per year", "per month", "per week", "over a term", "saving", "saving per year")
"""How bases are listed; others (per head, per day…) follow by name."""


def basis_key(basis: str) -> tuple[int, str]:
    """Sort key of a basis: :data:`BASIS_ORDER`, then the rest by name."""
    return (BASIS_ORDER.index(basis) if basis in BASIS_ORDER else len(BASIS_ORDER), basis)


def is_saving(basis: str) -> bool:
    """Whether figures of ``basis`` are savings (never money in scope)."""
    return basis.startswith("saving")


def figure_basis(qualifier: str, saving: bool = False) -> str:
    """The basis of a figure from its qualifier ("circa; pa" is "per year"; a saving "saving per year")."""
    if saving:
        rate = figure_basis(qualifier)
        return "saving" if rate == "stated sum" else f"saving {rate}"
    q = (qualifier or "").lower()
    if _PER_YEAR.search(q):
        return "per year"
    rate = _RATE.search(q)
    if rate:
        return "per " + (rate.group(1) or rate.group(2)).replace("calendar ", "")
    if _PCM.search(q):
        return "per month"
    if _PW.search(q):
        return "per week"
    if _TERM.search(q):
        return "over a term"
    return "stated sum"


# --------------------------------------------------------------------------- reading the graph

_SKIP = ("prov:wasDerivedFrom", "prov:wasGeneratedBy", "ck:inPaper", "ck:confidence", "schema:amount",
         "ck:savingsAmount")


def _facts(store: Any, node: str, limit: int) -> dict[str, dict[str, Any]]:
    rows = select(
        store,
        f"""SELECT ?fact ?p ?o ?olabel WHERE {{
              {{ SELECT DISTINCT ?fact WHERE {{ ?fact ?role {node} ; prov:wasDerivedFrom ?ev .
                   FILTER NOT EXISTS {{ ?fact a schema:MonetaryAmount }} }} LIMIT {int(limit)} }}
              ?fact ?p ?o . FILTER(?p NOT IN ({", ".join(_SKIP)}))
              OPTIONAL {{ ?o skos:prefLabel|rdfs:label ?olabel }}
            }}""",
    )
    facts: dict[str, dict[str, Any]] = {}
    named: dict[str, str] = {}
    for r in rows:
        fact = facts.setdefault(r["fact"], {"types": set(), "props": defaultdict(list)})
        prop = _local_name(r["p"])
        if prop == "type":
            fact["types"].add(r["o"])
            continue
        if r["o"] == node[1:-1]:
            fact["role"] = prop
            continue
        value = r.get("olabel") or (r["o"] if not r["o"].startswith(("http://", "https://")) else "")
        if value and r.get("olabel"):
            named[r["o"]] = value
            value = r["o"]  # an IRI until its label is known with its authority
        if value and value not in fact["props"][prop]:
            fact["props"][prop].append(value)
    shown = qualified_labels(store, named)
    for fact in facts.values():
        for prop, values in fact["props"].items():
            fact["props"][prop] = list(dict.fromkeys(shown.get(v, v) for v in values))
    return facts


def _figures_of_facts(store: Any, facts: Iterable[str]) -> dict[str, list[Figure]]:
    iris = sorted(facts)
    if not iris:
        return {}
    out: dict[str, list[Figure]] = defaultdict(list)
    for i in range(0, len(iris), 400):
        values = " ".join(_iri(f) for f in iris[i:i + 400])
        rows = select(
            store,
            f"""SELECT ?fact ?pred ?m ?value ?max ?text ?qual ?start ?end WHERE {{
                  VALUES ?fact {{ {values} }} VALUES ?pred {{ schema:amount ck:savingsAmount }}
                  ?fact ?pred ?m . ?m schema:value ?value .
                  OPTIONAL {{ ?m schema:maxValue ?max }} OPTIONAL {{ ?m ck:amountText ?text }}
                  OPTIONAL {{ ?m ck:amountQualifier ?qual }}
                  OPTIONAL {{ ?m prov:wasDerivedFrom/oa:hasSelector ?sel .
                              ?sel oa:start ?start ; oa:end ?end }}
                }}""",
        )
        for r in rows:
            out[r["fact"]].append(_figure(r, saving=r["pred"].endswith("savingsAmount")))
    return out


def _figure(r: dict[str, str], saving: bool = False) -> Figure:
    qualifier = r.get("qual", "")
    return Figure(
        value=float(r["value"]), value_max=float(r["max"]) if r.get("max") else None,
        text=" ".join(r.get("text", "").split()), qualifier=qualifier, basis=figure_basis(qualifier, saving),
        iri=r["m"], start=int(r["start"]) if r.get("start") else None,
        end=int(r["end"]) if r.get("end") else None,
    )


def _figures_for(store: Any, node: str, limit: int) -> list[tuple[Figure, EvidenceRef]]:
    """Money figures the graph links to the service (``ck:amountFor``), each with its evidence."""
    rows = select(
        store,
        f"""SELECT ?m ?value ?max ?text ?qual WHERE {{
              ?m ck:amountFor {node} ; schema:value ?value ; prov:wasDerivedFrom ?ev .
              OPTIONAL {{ ?m schema:maxValue ?max }} OPTIONAL {{ ?m ck:amountText ?text }}
              OPTIONAL {{ ?m ck:amountQualifier ?qual }} }} LIMIT {int(limit)}""",
    )
    evidence = _evidence(store, [r["m"] for r in rows])
    out = []
    for r in rows:
        for ev in evidence.get(r["m"], []):
            figure = _figure(r)
            figure.start, figure.end = ev.start, ev.end
            out.append((figure, ev))
    return out


# --------------------------------------------------------------------------- assembling rows

_STATEMENT_ROLES = {
    "commissioner": "commissioned by", "jointWith": "jointly with", "provider": "provided by",
    "fundingStream": "funded from", "decidedBy": "decided by", "involves": "involving",
    "host": "hosted by", "party": "party", "sponsor": "sponsor", "sponsorName": "sponsor",
    "portfolioHolder": "portfolio holder", "portfolioHolderName": "portfolio holder",
}


def _kind(types: set[str]) -> str:
    specific = sorted(t for t in types if not t.endswith(("#Fact",)))
    return _humanise(specific[0]) if specific else "fact"


def _row_for(ev: EvidenceRef) -> TimelineRow:
    return TimelineRow(
        paper=ev.paper, doc_id=ev.doc_id, file_name=ev.file_name, paper_title=ev.paper_title, date=ev.date,
        year=int(ev.date[:4]) if ev.date[:4].isdigit() else None, authority=ev.authority, status="",
        sponsor="", funding_source="", money=[], quotes=[ev], start=ev.start, end=ev.end,
    )


def _add(items: list[str], values: Iterable[str]) -> None:
    for v in values:
        v = " ".join(str(v).split())
        if v and v not in items:
            items.append(v)


def _merge_fact(row: TimelineRow, iri: str, fact: dict[str, Any], figures: list[Figure]) -> None:
    props = fact["props"]
    kind = _kind(fact["types"])
    _add(row.kinds, [kind])
    row.facts.append(iri)
    statuses: list[str] = []
    _add(statuses, props.get("status") or props.get("statusText", []))
    if statuses:
        row.status = "; ".join(dict.fromkeys([*filter(None, row.status.split("; ")), *statuses]))
    sponsors = list(filter(None, row.sponsor.split("; ")))
    _add(sponsors, props.get("sponsor", []) + props.get("sponsorName", []))
    row.sponsor = "; ".join(sponsors)
    funds = list(filter(None, row.funding_source.split("; ")))
    _add(funds, props.get("fundingStream") or props.get("fundingText", []))
    row.funding_source = "; ".join(funds)
    _add(row.dates, props.get("period", []))
    _add(row.milestones, props.get("milestone", []))
    phrases = []
    for prop, verb in _STATEMENT_ROLES.items():
        if prop in props and prop not in {"sponsor", "sponsorName", "portfolioHolder", "portfolioHolderName"}:
            phrases.append(f"{verb} {', '.join(props[prop])}")
    if props.get("action"):
        phrases.append(f"action: {', '.join(props['action'])}")
    _add(row.statements, [f"{kind}: {'; '.join(phrases)}" if phrases else kind])
    for figure in figures:
        _add_figure(row, figure)


def _add_figure(row: TimelineRow, figure: Figure) -> None:
    """Each figure once: one with offsets replaces an equal one without (the same words)."""
    for i, kept in enumerate(row.figures):
        same_words = (kept.value, kept.value_max, is_saving(kept.basis)) == (
            figure.value, figure.value_max, is_saving(figure.basis))
        if figure.start is not None and kept.start is not None:
            if (kept.start, kept.end, is_saving(kept.basis)) == (figure.start, figure.end,
                                                                 is_saving(figure.basis)):
                return
            continue
        if same_words:
            if kept.start is None and figure.start is not None:
                row.figures[i] = figure
            if not kept.qualifier and figure.qualifier:
                kept.qualifier = figure.qualifier
                kept.basis = figure_basis(figure.qualifier, is_saving(kept.basis))
            if not kept.text and figure.text:
                kept.text = figure.text
            return
    row.figures.append(figure)


def _contains(row: TimelineRow, paper: str, start: int | None, end: int | None) -> bool:
    return (row.paper == paper and None not in (row.start, row.end, start, end)
            and row.start <= start and end <= row.end)  # type: ignore[operator]


def service_timeline(store: Any, iri: str, authority: str | None = None, limit: int = FACTS_READ) -> Timeline:
    """The service's timeline: one row per passage, oldest first, with its years and field tracks.

    ``authority`` (a label) keeps only papers that authority published.
    """
    node = _iri(iri)
    name = label(store, iri)
    facts = _facts(store, node, limit)
    if not facts and not select(store, f"SELECT ?p WHERE {{ {node} ?p ?o }} LIMIT 1"):
        raise NotFound(f"no service {iri}")
    evidence = _evidence(store, list(facts))
    figures = _figures_of_facts(store, facts)
    passages: list[tuple[EvidenceRef, str]] = []
    for fact_iri in facts:
        for ev in evidence.get(fact_iri, []):
            passages.append((ev, fact_iri))
    # Largest passages first, so that a sentence inside a table row joins the row's row.
    passages.sort(key=lambda p: (p[0].paper, p[0].start or 0, -(p[0].end or 0)))
    rows: list[TimelineRow] = []
    by_key: dict[tuple[str, Any, Any], TimelineRow] = {}
    for ev, fact_iri in passages:
        if authority and ev.authority != authority:
            continue
        key = (ev.paper, ev.start, ev.end) if ev.start is not None else (ev.paper, ev.quote, None)
        row = by_key.get(key)
        if row is None:
            row = next((r for r in reversed(rows) if _contains(r, ev.paper, ev.start, ev.end)), None)
        if row is None:
            row = by_key[key] = _row_for(ev)
            rows.append(row)
        if fact_iri not in row.facts:
            _merge_fact(row, fact_iri, facts[fact_iri], figures.get(fact_iri, []))
    for figure, ev in _figures_for(store, node, limit):
        if authority and ev.authority != authority:
            continue
        row = next((r for r in rows if _contains(r, ev.paper, ev.start, ev.end)), None)
        if row is None:
            key = (ev.paper, ev.start, ev.end)
            row = by_key.get(key)
            if row is None:
                row = by_key[key] = _row_for(ev)
                _add(row.kinds, ["money figure"])
                _add(row.statements, ["money figure stated beside the service"])
                rows.append(row)
        _add_figure(row, figure)
    for row in rows:
        row.figures.sort(key=lambda f: (f.start if f.start is not None else 1 << 60, f.basis))
        row.money = [f.value for f in row.figures if not is_saving(f.basis)]
    rows.sort(key=lambda r: (r.date, r.authority, r.doc_id, r.start or 0))
    years = year_summaries(rows)
    tracks = _tracks(rows)
    _mark_changes(rows, tracks)
    money_by_year = {
        y.year: max(f.value for basis, figs in y.figures.items() if not is_saving(basis) for f in figs)
        for y in years if any(not is_saving(b) for b in y.figures)
    }
    return Timeline(iri, name, rows, money_by_year, years, tracks,
                    sorted({r.authority for r in rows if r.authority}))


def year_summaries(rows: list[TimelineRow]) -> list[YearSummary]:
    """What each year's rows say: papers, rows, statuses and distinct figures by basis."""
    out = []
    by_year: dict[int, list[TimelineRow]] = defaultdict(list)
    for row in rows:
        if row.year is not None:
            by_year[row.year].append(row)
    for year in sorted(by_year):
        these = by_year[year]
        statuses: list[str] = []
        for row in these:
            _add(statuses, filter(None, row.status.split("; ")))
        figures: dict[str, list[Figure]] = defaultdict(list)
        for row in these:
            for f in row.figures:
                if all((k.value, k.value_max) != (f.value, f.value_max) for k in figures[f.basis]):
                    figures[f.basis].append(f)
        for figs in figures.values():
            figs.sort(key=lambda f: -f.value)
        ordered = {b: figures[b] for b in sorted(figures, key=basis_key)}
        out.append(YearSummary(year, len({r.doc_id for r in these}), len(these), statuses, ordered))
    return out


def figure_words(f: Figure) -> str:
    """A figure for a comparison cell: its words as written, else its value."""
    return f.label


def _row_fields(row: TimelineRow) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for name, value in (("status", row.status), ("sponsor", row.sponsor), ("funding", row.funding_source)):
        if value:
            fields[name] = value.split("; ")
    for f in row.figures:
        fields.setdefault(f"money ({f.basis})", [])
        top = f"-{f.value_max:.0f}" if f.value_max else ""
        _add(fields[f"money ({f.basis})"], [f"{f.value:.0f}{top}"])
    return fields


def _tracks(rows: list[TimelineRow]) -> list[FieldTrack]:
    """Each field (money by basis) across the years that state it, with the years it changed."""
    values: dict[str, dict[int, list[str]]] = defaultdict(dict)
    for row in rows:
        if row.year is None:
            continue
        for name, items in _row_fields(row).items():
            _add(values[name].setdefault(row.year, []), items)
    order = ["status", "sponsor", "funding"]
    tracks = []
    for name in sorted(values, key=lambda n: (order.index(n) if n in order else len(order), n)):
        by_year = dict(sorted(values[name].items()))
        changed = []
        previous: list[str] | None = None
        for year, items in by_year.items():
            if previous is not None and sorted(items) != sorted(previous):
                changed.append(year)
            previous = items
        tracks.append(FieldTrack(name, by_year, changed))
    return tracks


def _mark_changes(rows: list[TimelineRow], tracks: list[FieldTrack]) -> None:
    """A row's field changed when its value is not among the previous stating year's values."""
    by_name = {t.field: t for t in tracks}
    for row in rows:
        if row.year is None:
            continue
        for name, items in _row_fields(row).items():
            track = by_name[name]
            earlier = [y for y in track.by_year if y < row.year]
            if not earlier:
                continue
            before = track.by_year[earlier[-1]]
            if any(item not in before for item in items):
                what = "amount" if name.startswith("money") else name
                if what not in row.changes:
                    row.changes.append(what)


@dataclass
class AuthorityYear:
    """The services one authority's papers of one year state facts about."""

    authority: str
    year: int
    services: list[dict[str, Any]]
    """``{"iri", "label", "facts", "statuses"}`` for each service, most facts first."""


def services_by_authority_year(store: Any, authorities: list[str]) -> list[AuthorityYear]:
    """For each of ``authorities`` (labels) and each year of its papers, the services they state
    facts about, with how many facts and which statuses."""
    if not authorities:
        return []
    values = " ".join(_lit(a) for a in authorities)
    rows = select(
        store,
        f"""SELECT ?alabel ?year ?service (SAMPLE(?sl) AS ?slabel) (COUNT(DISTINCT ?fact) AS ?n)
                   (GROUP_CONCAT(DISTINCT COALESCE(?st, ""); separator="|") AS ?statuses) WHERE {{
              VALUES ?alabel {{ {values} }}
              ?paper dcterms:publisher/rdfs:label ?alabel ; ck:year ?year .
              ?fact ck:inPaper ?paper ; ck:service|ck:about ?service .
              ?service a ck:Service ; rdfs:label ?sl .
              OPTIONAL {{ ?fact ck:status/skos:prefLabel ?st }}
            }} GROUP BY ?alabel ?year ?service""",
    )
    cells: dict[tuple[str, int], AuthorityYear] = {}
    for r in rows:
        key = (r["alabel"], int(r["year"]))
        cell = cells.setdefault(key, AuthorityYear(key[0], key[1], []))
        cell.services.append({"iri": r["service"], "label": r.get("slabel", _local_name(r["service"])),
                              "facts": int(r.get("n", 0)),
                              "statuses": sorted(s for s in r.get("statuses", "").split("|") if s)})
    for cell in cells.values():
        cell.services.sort(key=lambda s: (-s["facts"], s["label"]))
    return sorted(cells.values(), key=lambda c: (c.year, authorities.index(c.authority)))
