"""Read-side queries behind the web explorer's pages.

Plain functions that run SPARQL through a graph store and return plain dataclasses: the
overview counts, an entity's page, its neighbourhood graph and a service's timeline. They
are written against the RDF contract of ``ontology/README.md`` and read the union of all
named graphs (the store's default graph). The n-ary facts (commissioning, funding, status…)
are read generically: any node derived from evidence (``prov:wasDerivedFrom``) that points at
an entity is a fact about it, whatever its class, so a new kind of fact shows up without a
change here.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from councilkg.errors import NotFound

ID_BASE = "https://w3id.org/councilkg/id/"
CK = "https://w3id.org/councilkg/ontology#"

PREFIXES = """\
PREFIX ck: <https://w3id.org/councilkg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
"""

# Entity kinds the explorer shows, by class IRI, most specific first.
KIND_BY_CLASS: dict[str, str] = {
    "http://www.w3.org/ns/org#OrganizationalCollaboration": "partnership",
    CK + "Partnership": "partnership",
    CK + "Service": "service",
    CK + "FundingStream": "funding stream",
    "http://xmlns.com/foaf/0.1/Person": "person",
    "https://schema.org/Person": "person",
    "http://www.w3.org/ns/org#Organization": "organisation",
}
ENTITY_CLASSES = tuple(KIND_BY_CLASS)
_VALUES_ENTITY_CLASSES = " ".join(f"<{c}>" for c in ENTITY_CLASSES)


# --------------------------------------------------------------------------- records


@dataclass
class Overview:
    """Counts for the overview page."""

    papers_by_authority_year: list[dict[str, Any]]
    counts: dict[str, int]
    most_connected: list[dict[str, Any]]
    papers: int


@dataclass
class EvidenceRef:
    """Where a fact came from: the paper, the offsets and the quoted words."""

    paper: str
    doc_id: str
    file_name: str
    paper_title: str
    date: str
    authority: str
    start: int | None
    end: int | None
    quote: str
    confidence: float | None


@dataclass
class Fact:
    """One n-ary fact about an entity: its kind, the entity's role, the other parties."""

    iri: str
    kind: str
    role: str
    parties: list[dict[str, str]]
    values: dict[str, str]
    evidence: list[EvidenceRef]


@dataclass
class EntityPage:
    """Everything the entity page shows."""

    iri: str
    label: str
    kind: str
    aliases: list[str]
    classes: list[str]
    classification: list[str]
    identifiers: list[str]
    roles: list[str]
    members: list[dict[str, str]]
    memberships: list[dict[str, str]]
    facts: list[Fact]
    mentions: list[dict[str, Any]]
    facts_complete: bool = True
    """False when the entity has more facts than one page reads (``ENTITY_FACTS_READ``)."""


@dataclass
class GraphView:
    """A neighbourhood: nodes and edges ready for a graph library."""

    center: str
    nodes: list[dict[str, str]]
    edges: list[dict[str, Any]]
    """Each edge: ``id``, ``source``, ``target``, ``label`` and ``years`` (the years of the
    papers that support it, ascending; empty when no dated paper does)."""
    total: int | None = None
    """Neighbours found (the view may draw fewer: the most connected first)."""
    complete: bool = True
    """False when the centre has more facts or members than one view reads."""


@dataclass
class CompetencyQuery:
    """A named example query from ``kg/queries``."""

    name: str
    title: str
    sparql: str


# --------------------------------------------------------------------------- running queries


def select(store: Any, sparql: str) -> list[dict[str, str]]:
    """Run one of this module's SELECT queries and return rows of plain strings by variable.

    Uses the store's trusted in-process ``select`` (``kg.store.GraphStore``: rows in projection
    order) when it has one, else its ``query`` (a pyoxigraph ``Store`` or anything returning
    pyoxigraph solutions, rdflib results or SPARQL JSON).
    """
    text = PREFIXES + sparql
    if hasattr(store, "select"):
        names = projection(sparql)
        rows = store.select(text)
        return [
            {name: v for name, v in zip(names, map(_term_value, row), strict=False) if v is not None}
            for row in rows
        ]
    return list(_rows(store.query(text)))


_PROJECTED = re.compile(r"\(\s*.*?\s+AS\s+\?(\w+)\s*\)|\?(\w+)", re.IGNORECASE | re.DOTALL)


def projection(sparql: str) -> list[str]:
    """The variable names a SELECT query projects, in order (``?x`` and ``(… AS ?x)``)."""
    match = re.search(r"\bSELECT\b(.*?)\bWHERE\b", sparql, re.IGNORECASE | re.DOTALL)
    if not match:
        raise ValueError("not a SELECT … WHERE query")
    return [m.group(1) or m.group(2) for m in _PROJECTED.finditer(match.group(1))]


def _term_value(term: Any) -> str | None:
    if term is None:
        return None
    value = getattr(term, "value", None)
    if isinstance(value, str):
        return value
    return str(term)


def _rows(raw: Any) -> Iterable[dict[str, str]]:
    if isinstance(raw, bytes | str):
        data = json.loads(raw)
        for binding in data.get("results", {}).get("bindings", []):
            yield {k: v["value"] for k, v in binding.items()}
        return
    variables = getattr(raw, "variables", None)
    if variables is not None:  # pyoxigraph QuerySolutions or rdflib Result
        names = [getattr(v, "value", None) or str(v).lstrip("?") for v in variables]
        for solution in raw:
            row = {}
            for name, var in zip(names, variables, strict=True):
                try:
                    value = solution[var] if not isinstance(solution, Mapping) else solution.get(name)
                except (KeyError, IndexError):
                    value = None
                text = _term_value(value)
                if text is not None:
                    row[name] = text
            yield row
        return
    for solution in raw:  # an iterable of mappings
        yield {k: _term_value(v) for k, v in dict(solution).items() if v is not None}


def _iri(value: str) -> str:
    if not re.fullmatch(r"[^\s<>\"{}|\\^`]+", value or ""):
        raise NotFound(f"not an entity IRI: {value!r}")
    return f"<{value}>"


def _lit(value: str) -> str:
    """A SPARQL string literal for user text. Backslashes, control characters and lone
    surrogates are dropped: SPARQL decodes ``\\u`` escapes before parsing, so a backslash in
    user text could otherwise change the query."""
    clean = "".join(
        ch for ch in value if ch != "\\" and (ch >= " " or ch == "\t") and not "\ud800" <= ch <= "\udfff"
    )
    return json.dumps(clean, ensure_ascii=False)


def _local_name(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def _humanise(name: str) -> str:
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", _local_name(name))
    return words.replace("_", " ").replace("-", " ").lower()


def doc_id_of(paper_iri: str) -> str:
    """The corpus ``doc_id`` behind a paper IRI (its last path segment)."""
    return paper_iri.rstrip("/").rsplit("/", 1)[-1]


def _kind(classes: Iterable[str]) -> str:
    classes = set(classes)
    for cls, kind in KIND_BY_CLASS.items():
        if cls in classes:
            return kind
    return "thing"


def owning_authority_iri(iri: str) -> str | None:
    """The authority a body or person belongs to, read from its key: the extractor keys a body
    every council has (a Health and Wellbeing Board, a Cabinet) and a council's officers as
    ``<kind>/<authority-slug>--<name>``, the authority being ``organisation/<authority-slug>``."""
    if not iri.startswith(ID_BASE):
        return None
    local = iri.rstrip("/").rsplit("/", 1)[-1]
    if "--" not in local:
        return None
    prefix = local.split("--", 1)[0]
    return ID_BASE + "organisation/" + prefix if prefix else None


def qualified_labels(store: Any, labels: Mapping[str, str]) -> dict[str, str]:
    """``labels`` (IRI -> label) with each body's or person's authority added where the label
    does not say it ("Cabinet (Kent County Council)"), so that same-named bodies differ."""
    owners = {iri: owner for iri in labels if (owner := owning_authority_iri(iri)) and owner != iri}
    if not owners:
        return dict(labels)
    values = " ".join(_iri(o) for o in sorted(set(owners.values())))
    rows = select(store, f"""SELECT ?a (MIN(?label) AS ?l) WHERE {{
                               VALUES ?a {{ {values} }} ?a rdfs:label ?label }} GROUP BY ?a""")
    names = {r["a"]: r["l"] for r in rows if "l" in r}
    out = dict(labels)
    for iri, owner in owners.items():
        name = names.get(owner)
        if name and name.casefold() not in out[iri].casefold():
            out[iri] = f"{out[iri]} ({name})"
    return out


# --------------------------------------------------------------------------- pages


def overview(store: Any, top: int = 10) -> Overview:
    """Papers per authority and year, entity counts by kind, the most connected entities."""
    papers = select(
        store,
        """SELECT ?authority (SAMPLE(?alabel) AS ?label) ?year (COUNT(DISTINCT ?paper) AS ?n) WHERE {
             ?paper a ck:Paper .
             OPTIONAL { ?paper dcterms:publisher ?authority . OPTIONAL { ?authority rdfs:label ?alabel } }
             OPTIONAL { ?paper dcterms:date ?date }
             BIND(SUBSTR(STR(?date), 1, 4) AS ?year)
           } GROUP BY ?authority ?year ORDER BY ?label ?year""",
    )
    by_authority_year = [
        {
            "authority": r.get("authority", ""),
            "label": r.get("label") or (_local_name(r["authority"]) if r.get("authority") else "unknown"),
            "year": r.get("year") or "unknown",
            "papers": int(r.get("n", 0)),
        }
        for r in papers
    ]
    counts_rows = select(
        store,
        f"""SELECT ?class (COUNT(DISTINCT ?e) AS ?n) WHERE {{
              VALUES ?class {{ {_VALUES_ENTITY_CLASSES} }} ?e a ?class }} GROUP BY ?class""",
    )
    counts: dict[str, int] = defaultdict(int)
    for r in counts_rows:
        kind = KIND_BY_CLASS.get(r["class"], "thing")
        counts[kind] = max(counts[kind], int(r["n"]))
    n_papers = select(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a ck:Paper }")
    most = most_connected(store, top)
    return Overview(by_authority_year, dict(counts), most, int(n_papers[0]["n"]) if n_papers else 0)


def most_connected(store: Any, top: int = 10) -> list[dict[str, Any]]:
    """Entities with the most distinct neighbours (members, memberships, parties of shared facts).

    Counted in Python from three simple queries: one aggregate query over every fact pair is
    planned badly by the engine.
    """
    labels = {
        r["e"]: r["l"]
        for r in select(store, f"""SELECT ?e (SAMPLE(?label) AS ?l) WHERE {{
              VALUES ?class {{ {_VALUES_ENTITY_CLASSES} }} ?e a ?class ; rdfs:label ?label }} GROUP BY ?e""")
    }
    pairs = select(store, "SELECT DISTINCT ?e ?other WHERE { ?e org:hasMember ?other }")
    pairs += select(
        store,
        f"""SELECT DISTINCT ?e ?other WHERE {{
              ?fact prov:wasDerivedFrom ?ev ; ?p ?e ; ?q ?other .
              FILTER(?other != ?e && STRSTARTS(STR(?e), "{ID_BASE}") && STRSTARTS(STR(?other), "{ID_BASE}"))
              FILTER(?p NOT IN (ck:inPaper, prov:wasDerivedFrom)
                     && ?q NOT IN (ck:inPaper, prov:wasDerivedFrom))
            }}""",
    )
    neighbours: dict[str, set[str]] = defaultdict(set)
    for r in pairs:
        if r["e"] in labels and r["other"] in labels:
            neighbours[r["e"]].add(r["other"])
            neighbours[r["other"]].add(r["e"])
    ranked = sorted(neighbours.items(), key=lambda item: (-len(item[1]), labels[item[0]]))[:top]
    shown = qualified_labels(store, {iri: labels[iri] for iri, _ in ranked})
    return [{"iri": iri, "label": shown[iri], "degree": len(others)} for iri, others in ranked]


def find_entities(
    store: Any, text: str = "", kind: str | None = None, limit: int = 50
) -> list[dict[str, str]]:
    """Entities whose label or alias contains ``text`` (case-insensitive), optionally of one kind."""
    classes = [c for c, k in KIND_BY_CLASS.items() if kind is None or k == kind]
    if not classes:
        return []
    values = " ".join(f"<{c}>" for c in classes)
    needle = _lit(text.lower())
    rows = select(
        store,
        f"""SELECT ?e (SAMPLE(?l) AS ?label)
                   (GROUP_CONCAT(DISTINCT STR(?c); separator=" ") AS ?classes) WHERE {{
              VALUES ?c {{ {values} }} ?e a ?c ; rdfs:label ?l .
              OPTIONAL {{ ?e skos:altLabel ?alt }}
              FILTER(CONTAINS(LCASE(STR(?l)), {needle}) || CONTAINS(LCASE(STR(COALESCE(?alt, ""))), {needle}))
            }} GROUP BY ?e ORDER BY ?label LIMIT {int(limit)}""",
    )
    shown = qualified_labels(store, {r["e"]: r.get("label", "") for r in rows})
    return [
        {"iri": r["e"], "label": shown[r["e"]], "kind": _kind(r.get("classes", "").split())}
        for r in rows
    ]


def label(store: Any, iri: str) -> str:
    """The ``rdfs:label`` of ``iri`` or its humanised local name."""
    rows = select(store, f"SELECT ?l WHERE {{ {_iri(iri)} rdfs:label ?l }} LIMIT 1")
    return rows[0]["l"] if rows else _local_name(iri)


def _evidence(store: Any, fact_iris: list[str]) -> dict[str, list[EvidenceRef]]:
    if not fact_iris:
        return {}
    values = " ".join(_iri(f) for f in fact_iris)
    rows = select(
        store,
        f"""SELECT DISTINCT ?fact ?paper ?file ?title ?date ?alabel ?start ?end ?quote ?conf WHERE {{
              VALUES ?fact {{ {values} }}
              ?fact prov:wasDerivedFrom ?ev . ?ev oa:hasSource ?paper .
              OPTIONAL {{ ?ev oa:hasSelector ?ps . ?ps oa:start ?start ; oa:end ?end }}
              OPTIONAL {{ ?ev oa:hasSelector ?qs . ?qs oa:exact ?quote }}
              OPTIONAL {{ ?ev ck:confidence ?conf }}
              OPTIONAL {{ ?paper ck:fileName ?file }}
              OPTIONAL {{ ?paper dcterms:title ?title }}
              OPTIONAL {{ ?paper dcterms:date ?date }}
              OPTIONAL {{ ?paper dcterms:publisher ?a . ?a rdfs:label ?alabel }}
            }} ORDER BY ?date ?start""",
    )
    out: dict[str, list[EvidenceRef]] = defaultdict(list)
    for r in rows:
        out[r["fact"]].append(_evidence_ref(r))
    return out


def _evidence_ref(r: Mapping[str, str]) -> EvidenceRef:
    return EvidenceRef(
        paper=r["paper"],
        doc_id=doc_id_of(r["paper"]),
        file_name=r.get("file", ""),
        paper_title=r.get("title", ""),
        date=r.get("date", ""),
        authority=r.get("alabel", ""),
        start=int(r["start"]) if r.get("start") else None,
        end=int(r["end"]) if r.get("end") else None,
        quote=r.get("quote", ""),
        confidence=float(r["conf"]) if r.get("conf") else None,
    )


def _facts_about(store: Any, iri: str, limit: int = 500) -> list[Fact]:
    """Every evidence-backed fact pointing at ``iri``, with the other parties and values."""
    node = _iri(iri)
    rows = select(
        store,
        f"""SELECT ?fact ?type ?role ?p ?o ?olabel ?amount WHERE {{
              {{ SELECT DISTINCT ?fact ?role WHERE {{ ?fact ?role {node} ; prov:wasDerivedFrom ?ev }}
                 LIMIT {int(limit)} }}
              OPTIONAL {{ ?fact a ?type }}
              ?fact ?p ?o .
              FILTER(?p NOT IN (prov:wasDerivedFrom, rdf:type, ck:inPaper) && ?o != {node})
              OPTIONAL {{ ?o rdfs:label|skos:prefLabel ?olabel }}
              OPTIONAL {{ ?o schema:value ?amount }}
            }}""",
    )
    facts: dict[str, Fact] = {}
    for r in rows:
        fact = facts.setdefault(
            r["fact"],
            Fact(r["fact"], _humanise(r.get("type", "fact")), _humanise(r["role"]), [], {}, []),
        )
        if fact.kind == "fact" and r.get("type") and not r["type"].endswith("#Fact"):
            fact.kind = _humanise(r["type"])  # the specific class, whichever row came first
        prop = _humanise(r["p"])
        if r.get("amount"):
            # A table row can state several figures (schema:amount more than once): keep each.
            key, n = prop, 1
            while key in fact.values and fact.values[key] != r["amount"]:
                n += 1
                key = f"{prop} ({n})"
            fact.values[key] = r["amount"]
        elif r.get("olabel"):
            party = {"iri": r["o"], "label": r["olabel"], "role": prop}
            if party not in fact.parties:
                fact.parties.append(party)
        elif not r["o"].startswith(("http://", "https://", "_:")):
            fact.values[prop] = r["o"]
    evidence = _evidence(store, list(facts))
    shown = qualified_labels(store, {p["iri"]: p["label"] for f in facts.values() for p in f.parties})
    for fact in facts.values():
        fact.evidence = evidence.get(fact.iri, [])
        for party in fact.parties:
            party["label"] = shown.get(party["iri"], party["label"])
    return sorted(facts.values(), key=lambda f: (f.evidence[0].date if f.evidence else "", f.kind))


ENTITY_FACTS_READ = 2000
"""Facts one entity page reads at most (an authority named in thousands of papers says so)."""


def entity(store: Any, iri: str) -> EntityPage:
    """The entity page: names, kind, identifiers, members, facts and mentions by year/authority."""
    node = _iri(iri)
    rows = select(
        store,
        f"""SELECT ?p ?o ?olabel WHERE {{ {node} ?p ?o .
              FILTER(?p IN (rdfs:label, skos:altLabel, rdf:type, org:classification,
                            dcterms:identifier, ck:role, org:hasMember))
              OPTIONAL {{ ?o rdfs:label|skos:prefLabel ?olabel }} }}""",
    )
    if not rows:
        raise NotFound(f"no entity {iri}")
    by_prop: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in rows:
        by_prop[_local_name(r["p"])].append((r["o"], r.get("olabel", "")))
    classes = sorted({o for o, _ in by_prop["type"]})
    members = sorted(
        ({"iri": o, "label": lbl or _local_name(o)} for o, lbl in by_prop["hasMember"]),
        key=lambda m: m["label"],
    )
    member_of = select(
        store,
        f"""SELECT DISTINCT ?p (SAMPLE(?l) AS ?label) WHERE {{ ?p org:hasMember {node} .
              OPTIONAL {{ ?p rdfs:label ?l }} }} GROUP BY ?p ORDER BY ?label""",
    )
    mentions = select(
        store,
        f"""SELECT ?paper ?file ?title ?date ?alabel WHERE {{ {node} ck:mentionedIn ?paper .
              OPTIONAL {{ ?paper ck:fileName ?file }} OPTIONAL {{ ?paper dcterms:title ?title }}
              OPTIONAL {{ ?paper dcterms:date ?date }}
              OPTIONAL {{ ?paper dcterms:publisher ?a . ?a rdfs:label ?alabel }}
            }} ORDER BY ?date""",
    )
    facts = _facts_about(store, iri, ENTITY_FACTS_READ + 1)
    complete = len(facts) <= ENTITY_FACTS_READ
    facts = facts[:ENTITY_FACTS_READ]
    quotes_by_paper: dict[str, list[EvidenceRef]] = defaultdict(list)
    for fact in facts:
        for ev in fact.evidence:
            if ev not in quotes_by_paper[ev.paper]:
                quotes_by_paper[ev.paper].append(ev)
    mention_list = [
        {
            "paper": m["paper"],
            "doc_id": doc_id_of(m["paper"]),
            "file_name": m.get("file", ""),
            "title": m.get("title", ""),
            "date": m.get("date", ""),
            "year": m.get("date", "")[:4],
            "authority": m.get("alabel", ""),
            "evidence": quotes_by_paper.get(m["paper"], []),
        }
        for m in mentions
    ]
    labels = [o for o, _ in by_prop["label"]]
    shown = qualified_labels(store, {
        iri: labels[0] if labels else _local_name(iri),
        **{m["iri"]: m["label"] for m in members},
        **{r["p"]: r.get("label") or _local_name(r["p"]) for r in member_of},
    })
    for m in members:  # the page names the authority already: its own officers need no suffix
        if owning_authority_iri(m["iri"]) != iri:
            m["label"] = shown[m["iri"]]
    members.sort(key=lambda m: m["label"])
    return EntityPage(
        iri=iri,
        label=shown[iri],
        kind=_kind(classes),
        aliases=sorted({o for o, _ in by_prop["altLabel"]}),
        classes=classes,
        classification=sorted({lbl or _local_name(o) for o, lbl in by_prop["classification"]}),
        identifiers=sorted({o for o, _ in by_prop["identifier"]}),
        roles=sorted({o for o, _ in by_prop["role"]}),
        members=members,
        memberships=[{"iri": r["p"], "label": shown[r["p"]]} for r in member_of],
        facts=facts,
        mentions=mention_list,
        facts_complete=complete,
    )


NEIGHBOURS_SHOWN = 150
"""Neighbours a graph view draws at most (the most connected first); a browser lays out a few
hundred nodes smoothly, thousands not at all."""
FACTS_SCANNED = 2000
"""Facts about the centre read at most for one view: bounds the work (and so the time) for an
entity with very many facts, such as an authority or an extraction run in a large build."""
MEMBERS_SCANNED = 1000
"""Members (and memberships) of the centre read at most for one view, for the same reason."""


def neighbourhood(
    store: Any, iri: str, year: int | None = None, authority: str | None = None,
    limit: int = NEIGHBOURS_SHOWN, scan: int = FACTS_SCANNED,
) -> GraphView:
    """Entities one step from ``iri``: members, memberships and parties of shared facts.

    ``year`` and ``authority`` (an authority IRI or label) keep only edges supported by
    evidence in papers of that year / authority; membership edges count when the other
    entity is mentioned in such a paper. At most ``scan`` facts and ``MEMBERS_SCANNED``
    members are read and at most ``limit`` neighbours kept, those with the most relations
    first; ``total`` and ``complete`` on the view say how many were found and whether that
    is all of them.

    Each branch binds its neighbours from the centre first and only then checks their labels
    and classes: a label or class pattern joined outside the branches was evaluated over every
    labelled thing in the graph (2.5 s on the five sample papers for an extraction run, 6-14 s
    on larger builds), while the bounded branches take milliseconds.
    """
    node = _iri(iri)
    paper_filter = ""
    if year is not None:
        paper_filter += f' ?paper dcterms:date ?d . FILTER(SUBSTR(STR(?d), 1, 4) = "{int(year)}")'
    if authority:
        if authority.startswith(("http://", "https://")):
            paper_filter += f" ?paper dcterms:publisher {_iri(authority)} ."
        else:
            paper_filter += f" ?paper dcterms:publisher/rdfs:label {_lit(authority)} ."
    fact_paper = f"?fact prov:wasDerivedFrom/oa:hasSource ?paper . {paper_filter}" if paper_filter else ""
    member_paper = f"FILTER EXISTS {{ ?other ck:mentionedIn ?paper . {paper_filter} }}" * bool(paper_filter)
    shown = f"""FILTER(isIRI(?other) && ?other != {node})
               FILTER EXISTS {{ ?other rdfs:label ?anylabel }}
               FILTER NOT EXISTS {{ ?other a ck:Paper }}
               FILTER NOT EXISTS {{ ?other a skos:Concept }}"""
    members = int(MEMBERS_SCANNED)
    rows = select(
        store,
        f"""SELECT ?other ?rel ?dir ?fact WHERE {{
              {{ {{ SELECT DISTINCT ?other WHERE {{ {node} org:hasMember ?other . {member_paper} }}
                    LIMIT {members} }}
                 BIND("member" AS ?rel) BIND("out" AS ?dir) }}
              UNION {{ {{ SELECT DISTINCT ?other WHERE {{ ?other org:hasMember {node} . {member_paper} }}
                          LIMIT {members} }}
                       BIND("member" AS ?rel) BIND("in" AS ?dir) }}
              UNION {{ {{ SELECT DISTINCT ?fact WHERE {{
                            ?fact ?p {node} . FILTER EXISTS {{ ?fact prov:wasDerivedFrom ?ev }} {fact_paper}
                          }} LIMIT {int(scan)} }}
                       ?fact ?q ?other . FILTER(?q != rdf:type) ?fact a ?t .
                       BIND(STR(?t) AS ?rel) BIND("fact" AS ?dir) }}
              {shown}
            }}""",
    )
    facts_read = {r["fact"] for r in rows if "fact" in r}
    complete = len(facts_read) < int(scan) and all(
        sum(1 for r in rows if r["dir"] == d) < members for d in ("in", "out")
    )
    weight: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        weight[r["other"]].add(r.get("fact") or r["dir"])
    ranked = sorted(weight, key=lambda o: (-len(weight[o]), o))
    kept = set(ranked[: max(0, int(limit))])
    center_classes = select(store, f"SELECT ?c WHERE {{ {node} a ?c }}")
    nodes = {iri: {"id": iri, "label": label(store, iri), "kind": _kind(r["c"] for r in center_classes)}}
    kinds = _kinds_of(store, kept)
    labels = _labels_of(store, kept)
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    supports: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for r in rows:
        other = r["other"]
        if other not in kept:
            continue
        nodes.setdefault(other, {"id": other, "label": labels.get(other, _local_name(other)),
                                 "kind": kinds.get(other, "thing")})
        source, target = (other, iri) if r["dir"] == "in" else (iri, other)
        rel = _humanise(r["rel"]) if r["dir"] == "fact" else "member"
        key = (source, target, rel)
        edges[key] = {"id": "|".join(key), "source": source, "target": target, "label": rel}
        supports[key].add(r["fact"] if r["dir"] == "fact" else other)
    facts = {f for key, found in supports.items() if key[2] != "member" for f in found}
    members = {m for key, found in supports.items() if key[2] == "member" for m in found}
    fact_years, member_years = _paper_years(store, facts, "fact"), _paper_years(store, members, "member")
    for key, edge in edges.items():
        known = member_years if key[2] == "member" else fact_years
        years = {y for found in supports[key] for y in known.get(found, ())}
        edge["years"] = sorted(y for y in years if year is None or y == int(year))
    return GraphView(iri, list(nodes.values()), list(edges.values()), total=len(weight), complete=complete)


def _paper_years(store: Any, iris: set[str], how: str) -> dict[str, set[int]]:
    """The years of the papers behind each of ``iris``: a fact's evidence papers (``how`` is
    "fact"), or the papers that mention a member (the same rule as the graph's year filter)."""
    if not iris:
        return {}
    path = "prov:wasDerivedFrom/oa:hasSource" if how == "fact" else "ck:mentionedIn"
    values = " ".join(_iri(i) for i in sorted(iris))
    rows = select(store, f"""SELECT DISTINCT ?s ?y WHERE {{
        VALUES ?s {{ {values} }} ?s {path} ?paper . ?paper dcterms:date ?d
        BIND(SUBSTR(STR(?d), 1, 4) AS ?y) }}""")
    years: dict[str, set[int]] = defaultdict(set)
    for r in rows:
        if r.get("y", "").isdigit():
            years[r["s"]].add(int(r["y"]))
    return years


def _labels_of(store: Any, iris: set[str]) -> dict[str, str]:
    """One ``rdfs:label`` of each of ``iris`` (the smallest, so that a view is stable)."""
    if not iris:
        return {}
    values = " ".join(_iri(i) for i in sorted(iris))
    rows = select(
        store,
        f"SELECT ?e (MIN(?l) AS ?label) WHERE {{ VALUES ?e {{ {values} }} ?e rdfs:label ?l }} GROUP BY ?e",
    )
    return qualified_labels(store, {r["e"]: r["label"] for r in rows if "label" in r})


def _kinds_of(store: Any, iris: set[str]) -> dict[str, str]:
    if not iris:
        return {}
    values = " ".join(_iri(i) for i in sorted(iris))
    rows = select(store, f"SELECT ?e ?c WHERE {{ VALUES ?e {{ {values} }} ?e a ?c }}")
    classes: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        classes[r["e"]].add(r["c"])
    return {e: _kind(c) for e, c in classes.items()}


_TIMELINE_RECORDS = frozenset({"Timeline", "TimelineRow", "Figure", "YearSummary", "FieldTrack"})


def __getattr__(name: str) -> Any:
    """The timeline's records (``kg.timeline``) under this module too, as every page's read model
    is: imported on first use, since ``kg.timeline`` reads through this module."""
    if name in _TIMELINE_RECORDS:
        from kg import timeline

        return getattr(timeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def service_timeline(store: Any, iri: str, authority: str | None = None) -> Any:
    """The service's timeline, one row per passage (``kg.timeline.service_timeline``)."""
    from kg.timeline import service_timeline as timeline  # kg.timeline reads through this module

    return timeline(store, iri, authority)


def papers(store: Any) -> list[dict[str, str]]:
    """Every paper in the graph with its metadata, newest first."""
    rows = select(
        store,
        """SELECT ?paper ?file ?title ?date ?committee ?alabel WHERE { ?paper a ck:Paper .
             OPTIONAL { ?paper ck:fileName ?file } OPTIONAL { ?paper dcterms:title ?title }
             OPTIONAL { ?paper dcterms:date ?date } OPTIONAL { ?paper ck:committee ?committee }
             OPTIONAL { ?paper dcterms:publisher ?a . ?a rdfs:label ?alabel }
           } ORDER BY DESC(?date) ?file""",
    )
    return [
        {
            "iri": r["paper"], "doc_id": doc_id_of(r["paper"]), "file_name": r.get("file", ""),
            "title": r.get("title", ""), "date": r.get("date", ""), "committee": r.get("committee", ""),
            "authority": r.get("alabel", ""),
        }
        for r in rows
    ]


def paper_mentions(store: Any, doc_id: str) -> list[dict[str, Any]]:
    """Spans of one paper that name an entity (``kind`` "mention") or support a fact about
    it (``kind`` "evidence"), each with the entities involved, for highlighting."""
    paper = _iri(ID_BASE + "paper/" + doc_id)
    # Two plain queries rather than one UNION: the engine plans each far better (100x here).
    rows = [{**r, "kind": "mention"} for r in select(
        store,
        f"""SELECT DISTINCT ?start ?end ?e ?l WHERE {{
              ?m a ck:Mention ; oa:hasTarget ?ev ; oa:hasBody ?e .
              ?ev oa:hasSource {paper} ; oa:hasSelector ?s . ?s oa:start ?start ; oa:end ?end .
              ?e rdfs:label ?l }}""",
    )]
    rows += [{**r, "kind": "evidence"} for r in select(
        store,
        f"""SELECT DISTINCT ?start ?end ?e ?l WHERE {{
              ?ev oa:hasSource {paper} ; oa:hasSelector ?s . ?s oa:start ?start ; oa:end ?end .
              ?fact prov:wasDerivedFrom ?ev ; ?p ?e .
              FILTER(isIRI(?e) && ?p != ck:inPaper && STRSTARTS(STR(?e), "{ID_BASE}"))
              ?e rdfs:label ?l }}""",
    )]
    rows.sort(key=lambda r: int(r["start"]))
    spans: dict[tuple[str, int, int], dict[str, Any]] = {}
    for r in rows:
        key = (r["kind"], int(r["start"]), int(r["end"]))
        span = spans.setdefault(key, {"kind": key[0], "start": key[1], "end": key[2], "entities": []})
        ent = {"iri": r["e"], "label": r["l"]}
        if ent not in span["entities"]:
            span["entities"].append(ent)
    return list(spans.values())


def authorities(store: Any) -> list[dict[str, str]]:
    """Publishers of papers (for filters), by label."""
    rows = select(
        store,
        """SELECT DISTINCT ?a ?l WHERE { ?p a ck:Paper ; dcterms:publisher ?a . ?a rdfs:label ?l }
           ORDER BY ?l""",
    )
    return [{"iri": r["a"], "label": r["l"]} for r in rows]


def competency_queries(folder: Path | str | None = None) -> list[CompetencyQuery]:
    """The named ``.rq`` files of ``folder`` (default ``kg/queries``), titled by their first
    ``#`` comment line."""
    folder = Path(folder) if folder else Path(__file__).with_name("queries")
    out = []
    for path in sorted(folder.glob("*.rq")) if folder.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        first = next((ln for ln in text.splitlines() if ln.startswith("#")), "")
        title = first.lstrip("# ").strip() or path.stem.replace("_", " ").replace("-", " ")
        out.append(CompetencyQuery(path.stem, title, text))
    return out


def describe_query(iri: str) -> str:
    """A CONSTRUCT query for the linked-data view of ``iri``: its own triples, the triples that
    point at it, and the labels of its neighbours."""
    node = _iri(iri)
    return PREFIXES + f"""CONSTRUCT {{ {node} ?p ?o . ?o rdfs:label ?ol . ?s ?q {node} . }} WHERE {{
  {{ {node} ?p ?o . OPTIONAL {{ ?o rdfs:label ?ol }} }} UNION {{ ?s ?q {node} }}
}}"""


def entities_in_spans(store: Any, spans: list[tuple[str, int, int]]) -> list[list[dict[str, str]]]:
    """For each ``(doc_id, start, end)``, the entities named (ck:Mention) inside that span."""
    if not spans:
        return []
    values = " ".join(_iri(ID_BASE + "paper/" + doc_id) for doc_id in sorted({s[0] for s in spans}))
    rows = select(
        store,
        f"""SELECT DISTINCT ?paper ?start ?end ?e ?l ?c WHERE {{
              VALUES ?paper {{ {values} }}
              ?m a ck:Mention ; oa:hasBody ?e ; oa:hasTarget ?ev .
              ?ev oa:hasSource ?paper ; oa:hasSelector ?s . ?s oa:start ?start ; oa:end ?end .
              ?e rdfs:label ?l . OPTIONAL {{ ?e a ?c }}
            }}""",
    )
    found: dict[str, list[tuple[int, int, str, str, str]]] = defaultdict(list)
    for r in rows:
        found[doc_id_of(r["paper"])].append((int(r["start"]), int(r["end"]), r["e"], r["l"], r.get("c", "")))
    out = []
    for doc_id, start, end in spans:
        chips: dict[str, dict[str, str]] = {}
        classes: dict[str, set[str]] = defaultdict(set)
        for m_start, m_end, iri, lbl, cls in found.get(doc_id, []):
            if start <= m_start and m_end <= end:
                chips.setdefault(iri, {"iri": iri, "label": lbl, "kind": ""})
                classes[iri].add(cls)
        for iri, chip in chips.items():
            chip["kind"] = _kind(classes[iri])
        out.append(sorted(chips.values(), key=lambda c: c["label"]))
    return out
