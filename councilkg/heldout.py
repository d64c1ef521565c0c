"""The held-out evaluation: real council documents nobody tuned on, scored from the built graph.

``eval/heldout/gold/<slug>.json`` holds hand-annotated facts (schema in ``docs/heldout.md``);
``eval/heldout/texts/<slug>.txt`` the fetched page text (third-party, git-ignored, refetched by
the gold file's ``url`` and ``query``). :func:`evaluate_heldout` builds every text present into a
temporary data folder with the real build (ingestion with inferred metadata, then the graph stage
of ``councilkg build``), reads each paper's facts back from the graph with SPARQL
(:func:`read_paper_facts`) and scores them against the gold (:func:`score_papers`).

The scorer reads the ontology's terms only (``ck:Decision``, ``ck:inPaper``, ``ck:decidedBy``,
``ck:action``, ``schema:MonetaryAmount`` in the paper's named graph, ``dcterms:publisher``,
``dcterms:date``, ``ck:year``, ``ck:nameInPaper``), so it does not depend on how the extractor
finds them. This module sits above the layers (corpus -> nlp -> kg) like :mod:`councilkg.stages`.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from councilkg.errors import CouncilKGError
from councilkg.settings import Settings
from nlp.evaluate import TypeScore, labels_match, normalise_label, score_labels

DEFAULT_HELDOUT_DIR = Path(__file__).resolve().parent.parent / "eval" / "heldout"

CK = "https://w3id.org/councilkg/ontology#"
SCHEMA = "https://schema.org/"
DCT = "http://purl.org/dc/terms/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
ORG = "http://www.w3.org/ns/org#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"

GENERIC_LABELS = (
    "Council", "Councils", "the Council", "City", "County", "County Council", "County Councils",
    "City Council", "Borough Council", "District Council", "the Authority", "Authority", "pooled budget",
    "pooled budgets", "Section 75", "s75", "Civic Centre", "Town Hall", "County Hall", "Council House",
    "Board", "the Board", "Cabinet", "Executive", "the Executive", "Committee", "the Committee",
    "Sub-Committee", "Panel", "Partnership", "the Partnership", "Trust", "the Trust", "NHS", "Fund",
    "Service", "Services", "7 day services", "Key Decision", "Recommendations", "Resolved", "Decision",
    "Appendix", "Report", "Minutes", "Agenda",
)
"""Generic words that must never be an entity's label or alternative name (compared normalised)."""

ENTITY_TYPES = {
    "organisations": "organisation", "partnerships": "partnership",
    "funding_streams": "funding_stream", "services": "service",
}
AMOUNT_TOLERANCE = 0.005
"""A graph value matches a gold amount within ±0.5 %."""


@dataclass
class BuiltDecision:
    """One ``ck:Decision`` of a paper as the graph holds it."""

    text: str
    action: str | None = None
    body_labels: set[str] = field(default_factory=set)


@dataclass
class PaperFacts:
    """What the graph says about one paper, read back with SPARQL."""

    file_name: str
    authority_labels: set[str] = field(default_factory=set)
    authority_gss: set[str] = field(default_factory=set)
    date: str | None = None
    year: int | None = None
    decisions: list[BuiltDecision] = field(default_factory=list)
    amounts: list[float] = field(default_factory=list)
    entities: dict[str, list[set[str]]] = field(default_factory=dict)
    """Entity type (``organisation`` …) -> each entity's labels (rdfs:label, names in the paper)."""
    labels: set[str] = field(default_factory=set)
    """Every label, name in the paper and skos:altLabel of the paper's entities."""


# -- gold ---------------------------------------------------------------------------------------

def load_heldout_gold(gold_dir: Path) -> list[dict[str, Any]]:
    """Every ``*.json`` gold file of ``gold_dir``, sorted by name; a broken file is a clear error."""
    if not gold_dir.is_dir():
        raise CouncilKGError(f"no held-out gold folder at {gold_dir}")
    out = []
    for path in sorted(gold_dir.glob("*.json")):
        try:
            gold = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CouncilKGError(f"{path}: not a readable gold JSON file ({exc})") from None
        if not isinstance(gold, dict) or not gold.get("document"):
            raise CouncilKGError(f"{path}: gold file has no 'document'")
        out.append(gold)
    return out


# -- reading the graph --------------------------------------------------------------------------

def _value(term: Any) -> str | None:
    return None if term is None else str(term.value)


def _lit(text: str) -> str:
    return json.dumps(text)


def read_paper_facts(store: Any, file_name: str) -> PaperFacts | None:
    """The facts the graph holds for the paper loaded from ``file_name``; None when it has none."""
    rows = store.select(
        f"SELECT ?p ?g WHERE {{ GRAPH ?g {{ ?p a <{CK}Paper> ; <{CK}fileName> {_lit(file_name)} }} }}"
    )
    if not rows:
        return None
    paper, graph = _value(rows[0][0]), _value(rows[0][1])
    facts = PaperFacts(file_name)
    for date, year in store.select(
        f"SELECT ?d ?y WHERE {{ GRAPH <{graph}> {{ OPTIONAL {{ <{paper}> <{DCT}date> ?d }} "
        f"OPTIONAL {{ <{paper}> <{CK}year> ?y }} }} }}"
    ):
        facts.date = facts.date or _value(date)
        if year is not None and facts.year is None:
            facts.year = int(year.value)
    for label, gss, name in store.select(
        f"SELECT ?l ?gss ?n WHERE {{ GRAPH <{graph}> {{ <{paper}> <{DCT}publisher> ?a . "
        f"OPTIONAL {{ ?a <{CK}nameInPaper> ?n }} }} OPTIONAL {{ ?a <{RDFS}label> ?l }} "
        f"OPTIONAL {{ ?a <{DCT}identifier> ?gss }} }}"
    ):
        facts.authority_labels |= {v for v in (_value(label), _value(name)) if v}
        if gss is not None:
            facts.authority_gss.add(str(gss.value))
    decisions: dict[str, BuiltDecision] = {}
    for fact, text, quote, action, label in store.select(
        f"SELECT ?d ?t ?q ?a ?bl WHERE {{ ?d a <{CK}Decision> ; <{CK}inPaper> <{paper}> . "
        f"OPTIONAL {{ ?d <{DCT}description> ?t }} "
        f"OPTIONAL {{ ?d <{PROV}wasDerivedFrom>/<{OA}hasSelector>/<{OA}exact> ?q }} "
        f"OPTIONAL {{ ?d <{CK}action> ?a }} "
        f"OPTIONAL {{ ?d <{CK}decidedBy> ?b . {{ ?b <{RDFS}label> ?bl }} UNION "
        f"{{ GRAPH <{graph}> {{ ?b <{CK}nameInPaper> ?bl }} }} }} }}"
    ):
        d = decisions.setdefault(str(fact.value), BuiltDecision(""))
        for part in (_value(text), _value(quote)):
            if part and part not in d.text:
                d.text = f"{d.text}\n{part}" if d.text else part
        d.action = d.action or _value(action)
        if label is not None:
            d.body_labels.add(str(label.value))
    facts.decisions = [decisions[k] for k in sorted(decisions)]
    facts.amounts = sorted({
        float(row[0].value) for row in store.select(
            # a range's upper figure ("between £500,000 and £5m") is its schema:maxValue
            f"SELECT DISTINCT ?v WHERE {{ GRAPH <{graph}> {{ ?m a <{SCHEMA}MonetaryAmount> ; "
            f"<{SCHEMA}value>|<{SCHEMA}maxValue> ?v }} }}"
        ) if row[0] is not None
    })
    read_entities(store, graph, facts)
    return facts


def read_entities(store: Any, graph: str, facts: PaperFacts) -> None:
    """The paper's entities (those its graph names with ``ck:nameInPaper``), by type, with labels."""
    labels: dict[str, set[str]] = {}
    types: dict[str, set[str]] = {}
    for entity, name in store.select(
        f"SELECT ?e ?n WHERE {{ GRAPH <{graph}> {{ ?e <{CK}nameInPaper> ?n }} }}"
    ):
        labels.setdefault(str(entity.value), set()).add(str(name.value))
    if not labels:
        return
    values = " ".join(f"<{e}>" for e in sorted(labels))
    for entity, pred, obj in store.select(
        f"SELECT ?e ?p ?o WHERE {{ VALUES ?e {{ {values} }} ?e ?p ?o . "
        f"FILTER(?p IN (<{RDF}type>, <{RDFS}label>, <{SKOS}altLabel>)) }}"
    ):
        key, p = str(entity.value), str(pred.value)
        if p == RDF + "type":
            types.setdefault(key, set()).add(str(obj.value))
        elif p == RDFS + "label":
            labels[key].add(str(obj.value))
        else:
            facts.labels.add(str(obj.value))
    for key, names in labels.items():
        facts.labels |= names
        etype = _entity_type(types.get(key, set()))
        if etype:
            facts.entities.setdefault(etype, []).append(names)


def _entity_type(classes: set[str]) -> str | None:
    if CK + "Service" in classes:
        return "service"
    if CK + "FundingStream" in classes:
        return "funding_stream"
    if ORG + "OrganizationalCollaboration" in classes:
        return "partnership"
    if ORG + "Organization" in classes:
        return "organisation"
    return None


# -- scoring ------------------------------------------------------------------------------------

def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.casefold()).strip()


def _contains_all(text: str, keywords: list[str]) -> bool:
    hay = _norm(text)
    return bool(keywords) and all(_norm(k) in hay for k in keywords)


def match_decisions(gold: list[dict[str, Any]], built: list[BuiltDecision]) -> dict[int, int]:
    """One-to-one matching gold index -> built index (a built decision's text holds all ``about``)."""
    candidates = [[j for j, b in enumerate(built) if _contains_all(b.text, list(g.get("about") or []))]
                  for g in gold]
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in candidates[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(gold)):
        augment(i, set())
    return {i: j for j, i in owner.items()}


def body_right(gold_body: str | None, labels: set[str]) -> bool:
    """A gold body of None accepts any; else some label of the built body names the same body.

    A label names it when it matches (:func:`labels_match`) or is the gold body qualified by its
    authority: "Blackpool Health and Wellbeing Board", "Health and Wellbeing Board (Derby)" or "…
    of Derby" for "Health and Wellbeing Board". A label that merely contains the gold words is
    another body: "Executive Director People" is not the "Executive", nor "Cabinet Member for
    Housing" the "Cabinet".
    """
    if not gold_body:
        return True
    g = normalise_label(gold_body)

    def names(label: str) -> bool:
        lbl = normalise_label(label)
        return (labels_match(label, gold_body) or lbl.endswith(" " + g)
                or any(lbl.startswith(g + sep) for sep in (" (", " of ", ", ")))

    return any(names(lbl) for lbl in labels)


def action_right(gold: dict[str, Any], action: str | None) -> bool:
    """Is the built ``action`` the gold decision's ``action`` or one of its ``alt_actions``?

    Some wordings name two actions equally well ("AGREED that a contract be entered with X"
    agrees and awards); the annotator lists the other readings in ``alt_actions``.
    """
    wanted = {_norm(a) for a in [gold.get("action"), *(gold.get("alt_actions") or [])] if a}
    return _norm(action or "") in wanted


def amount_found(item: dict[str, Any], values: list[float]) -> bool:
    """Does any graph value equal the gold ``value`` (or an ``alt_values`` reading) within ±0.5 %?"""
    wanted = [float(v) for v in [item.get("value"), *(item.get("alt_values") or [])] if v is not None]
    return any(abs(v - w) <= AMOUNT_TOLERANCE * abs(w) for w in wanted for v in values)


def is_generic(label: str) -> bool:
    """Is ``label`` one of :data:`GENERIC_LABELS` (after normalising)?"""
    return normalise_label(label) in _GENERIC


_GENERIC = {normalise_label(x) for x in GENERIC_LABELS}


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 3) if den else None


def score_papers(golds: list[dict[str, Any]], facts: dict[str, PaperFacts | None]) -> dict[str, Any]:
    """Score each gold document against the facts read for it (``facts[document]``)."""
    c = dict.fromkeys(
        ("decisions_gold", "decisions_found", "decisions_body_action", "decisions_built", "amounts_gold",
         "amounts_found", "authority_in_text", "authority_right", "authority_not_in_text",
         "authority_wrong_not_in_text", "date_gold", "date_right", "year_gold", "year_right"), 0)
    types = {t: TypeScore() for t in ENTITY_TYPES}
    generic: list[dict[str, str]] = []
    per_doc: list[dict[str, Any]] = []
    for gold in golds:
        doc = gold["document"]
        got = facts.get(doc) or PaperFacts(doc)
        row: dict[str, Any] = {"document": doc, "in_graph": facts.get(doc) is not None}
        gdec = list(gold.get("decisions") or [])
        matched = match_decisions(gdec, got.decisions)
        ba = sum(1 for i, j in matched.items()
                 if action_right(gdec[i], got.decisions[j].action)
                 and body_right(gdec[i].get("body"), got.decisions[j].body_labels))
        c["decisions_gold"] += len(gdec)
        c["decisions_found"] += len(matched)
        c["decisions_body_action"] += ba
        c["decisions_built"] += len(got.decisions)
        amounts = list(gold.get("amounts") or [])
        found = [a for a in amounts if amount_found(a, got.amounts)]
        c["amounts_gold"] += len(amounts)
        c["amounts_found"] += len(found)
        row.update(decisions=f"{len(matched)}/{len(gdec)}", amounts=f"{len(found)}/{len(amounts)}",
                   missed_amounts=[a.get("value") for a in amounts if a not in found])
        if gold.get("authority_in_text"):
            c["authority_in_text"] += 1
            ok = bool((gold.get("authority_gss") and gold["authority_gss"] in got.authority_gss) or any(
                labels_match(lbl, gold.get("authority") or "") for lbl in got.authority_labels))
            c["authority_right"] += ok
            row["authority"] = "right" if ok else f"wrong/missing: {sorted(got.authority_labels)}"
        else:
            c["authority_not_in_text"] += 1
            wrong = bool(got.authority_labels or got.authority_gss)
            c["authority_wrong_not_in_text"] += wrong
            row["authority"] = f"wrong: {sorted(got.authority_labels)}" if wrong else "missing (right)"
        if gold.get("date"):
            c["date_gold"] += 1
            c["date_right"] += bool(got.date and got.date[:10] == gold["date"])
        if gold.get("year") is not None:
            c["year_gold"] += 1
            c["year_right"] += got.year == int(gold["year"])
        row["date"], row["year"] = got.date, got.year
        for gkey, etype in ENTITY_TYPES.items():
            score_labels(list(gold.get(gkey) or []), got.entities.get(etype, []), types[gkey])
        bad = sorted({lbl for lbl in got.labels if is_generic(lbl)})
        generic.extend({"document": doc, "label": lbl} for lbl in bad)
        row["generic_labels"] = bad
        per_doc.append(row)
    metrics = {
        "decisions found": (c["decisions_found"], c["decisions_gold"]),
        "decisions with body and action right": (c["decisions_body_action"], c["decisions_gold"]),
        "money figures in the graph": (c["amounts_found"], c["amounts_gold"]),
        "authority right (named or implied in text)": (c["authority_right"], c["authority_in_text"]),
        "authority wrong (not in text; should be missing)": (c["authority_wrong_not_in_text"],
                                                              c["authority_not_in_text"]),
        "date right": (c["date_right"], c["date_gold"]),
        "year right": (c["year_right"], c["year_gold"]),
    }
    return {
        "documents": len(golds),
        "metrics": {k: {"count": n, "of": d, "ratio": _ratio(n, d)} for k, (n, d) in metrics.items()},
        "decisions_built": c["decisions_built"],
        "entities": {k: v.as_dict() for k, v in types.items()},
        "generic_labels": generic,
        "per_document": per_doc,
    }


# -- building -----------------------------------------------------------------------------------

def evaluate_heldout(heldout_dir: Path = DEFAULT_HELDOUT_DIR, settings: Settings | None = None,
                     keep: Path | None = None) -> dict[str, Any]:
    """Build the texts present into a temporary data folder and score the graph against the gold.

    Documents whose text is missing are listed under ``skipped`` with the refetch hint. ``keep``
    names a folder to build into instead (kept afterwards, for inspection).
    """
    from councilkg.pipeline import build
    from councilkg.stages import GRAPH_STAGE, close_stores
    from kg.store import open_graph_store

    golds = load_heldout_gold(heldout_dir / "gold")
    texts = heldout_dir / "texts"
    present, skipped = [], []
    for gold in golds:
        path = texts / gold["document"]
        if path.is_file():
            present.append(gold)
        else:
            hint = (f"refetch the page text (search corpus 'pages', query {gold.get('query')!r}, "
                    f"address {gold.get('url')}) into {path}")
            skipped.append({"document": gold["document"], "url": gold.get("url"),
                            "query": gold.get("query"), "hint": hint})
    base = settings or Settings.load({})
    with tempfile.TemporaryDirectory(prefix="councilkg-heldout-") as tmp:
        data = keep or Path(tmp)
        run = base.with_overrides(data_dir=str(data), graph_store="")
        facts: dict[str, PaperFacts | None] = {}
        failed: list[tuple[str, str]] = []
        if present:
            report = build([texts / g["document"] for g in present], run, stages=[GRAPH_STAGE])
            failed = [(str(p), str(r)) for p, r in report.failed]
            close_stores()
            with open_graph_store(run) as store:
                for gold in present:
                    facts[gold["document"]] = read_paper_facts(store, gold["document"])
        result = score_papers(present, facts)
    result["skipped"] = skipped
    result["failed"] = failed
    return result


def format_heldout(result: dict[str, Any]) -> str:
    """The result as a plain-text table."""
    lines = [f"held-out set: {result['documents']} document(s) scored, {len(result['skipped'])} skipped",
             "", f"{'metric':<52} {'count':>9} {'ratio':>6}"]
    for name, m in result["metrics"].items():
        ratio = "-" if m["ratio"] is None else f"{m['ratio']:.2f}"
        lines.append(f"{name:<52} {str(m['count']) + '/' + str(m['of']):>9} {ratio:>6}")
    lines.append(f"{'decisions in the graph (all, for these papers)':<52} {result['decisions_built']:>9}")
    head = f"{'entities (graph labels of the paper)':<38} {'R':>6} {'P':>6} {'found':>7} {'correct':>9}"
    lines += ["", head]
    for name, s in result["entities"].items():
        found, correct = f"{s['found']}/{s['gold']}", f"{s['correct']}/{s['extracted']}"
        lines.append(f"{name:<38} {s['recall']:>6.2f} {s['precision']:>6.2f} {found:>7} {correct:>9}")
    gen = result["generic_labels"]
    lines += ["", f"generic words as labels: {len(gen)}"
              + (" (" + ", ".join(sorted({g['label'] for g in gen})) + ")" if gen else "")]
    for row in result["skipped"]:
        lines.append(f"skipped {row['document']}: text missing; {row['hint']}")
    for path, reason in result.get("failed", []):
        lines.append(f"failed {path}: {reason}")
    return "\n".join(lines)
