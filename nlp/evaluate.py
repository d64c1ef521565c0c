"""Score extractions against gold files (format and rules in ``tests/data/eval/README.md``).

A gold entity is found when a label of the same type extracted from its paper matches one of
its aliases: equal after lower-casing and dropping a leading "the", or a fuzzy ratio of 90+
(``difflib``) for labels over 6 characters. An extracted entity's labels are its canonical
name and every surface form (alias) it was mentioned by; precision counts the extracted
entities of a type any of whose labels matches some gold alias of that type.

The baseline is the bare ``en_core_web_sm`` model: its distinct ORG entity texts, typed
Organisation, scored the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from councilkg.errors import CouncilKGError
from councilkg.settings import Settings

GOLD_TYPES = {
    "organisations": "Organisation",
    "funding_streams": "FundingStream",
    "partnerships": "Partnership",
    "services": "Service",
}
NOISE_ORGANISATIONS = ("MTFP", "Savings", "Key Milestones", "Cllr Williams", "Board", "Scope", "Metrics",
                       "Savings. Link to MTFP", "CU", "KB")
DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "data" / "samples"


def normalise_label(text: str) -> str:
    """Lower-case, single-spaced, without a leading "the" or surrounding punctuation."""
    text = re.sub(r"\s+", " ", text.lower()).strip(" '\"‘’“”.,;:()")
    return re.sub(r"^the ", "", text)


def labels_match(label: str, alias: str) -> bool:
    """The README's rule: equal after normalising, or fuzzy ratio ≥ 90 for labels over 6 characters."""
    a, b = normalise_label(label), normalise_label(alias)
    if a == b:
        return True
    return len(a) > 6 and SequenceMatcher(None, a, b).ratio() >= 0.90


@dataclass
class TypeScore:
    """Counts for one entity type."""

    gold: int = 0
    found: int = 0
    extracted: int = 0
    correct: int = 0
    missed: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        """Gold entities found / gold entities."""
        return self.found / self.gold if self.gold else 0.0

    @property
    def precision(self) -> float:
        """Extracted entities matching gold / extracted entities."""
        return self.correct / self.extracted if self.extracted else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        """Plain numbers (and the misses) for JSON output."""
        return {
            "gold": self.gold, "found": self.found, "extracted": self.extracted, "correct": self.correct,
            "precision": round(self.precision, 3), "recall": round(self.recall, 3), "f1": round(self.f1, 3),
            "missed": self.missed, "spurious": self.spurious,
        }


def score_labels(gold_entities: list[dict[str, Any]], extracted: list[set[str]], score: TypeScore) -> None:
    """Add one paper's counts for one type: ``extracted`` holds each entity's set of labels."""
    all_aliases = [a for g in gold_entities for a in [g["name"], *g.get("aliases", [])]]
    score.gold += len(gold_entities)
    for g in gold_entities:
        aliases = [g["name"], *g.get("aliases", [])]
        if any(labels_match(lbl, a) for labels in extracted for lbl in labels for a in aliases):
            score.found += 1
        else:
            score.missed.append(g["name"])
    score.extracted += len(extracted)
    for labels in extracted:
        if any(labels_match(lbl, a) for lbl in labels for a in all_aliases):
            score.correct += 1
        else:
            score.spurious.append(sorted(labels, key=len)[-1])


def extraction_labels(extraction: Any, etype: str) -> list[set[str]]:
    """Each extracted entity of a type as its set of labels (name and aliases)."""
    return [{e.name, *e.aliases} for e in extraction.entities.values() if e.type == etype]


def member_check(gold: dict[str, Any], extraction: Any) -> dict[str, Any]:
    """For each gold partnership's member list: which members were found as member_of relations."""
    out: dict[str, Any] = {}
    ents = extraction.entities
    for partnership, members in (gold.get("partnership_members") or {}).items():
        found_members: set[str] = set()
        for r in extraction.relations:
            if r.type != "member_of" or r.object not in ents or r.subject not in ents:
                continue
            target = ents[r.object]
            if not any(labels_match(lbl, partnership) for lbl in {target.name, *target.aliases}):
                continue
            subj = ents[r.subject]
            for m in members:
                if any(labels_match(lbl, m) for lbl in {subj.name, *subj.aliases}):
                    found_members.add(m)
        out[partnership] = {"expected": len(members), "found": len(found_members),
                            "missing": [m for m in members if m not in found_members]}
    return out


def noise_check(extraction: Any) -> list[str]:
    """Known noise strings typed as organisations (must be empty)."""
    labels = [lbl for labels in extraction_labels(extraction, "Organisation") for lbl in labels]
    return sorted({lbl for lbl in labels for n in NOISE_ORGANISATIONS if normalise_label(lbl) == n.lower()})


def load_gold(gold_dir: Path) -> list[dict[str, Any]]:
    """Every gold file in a folder."""
    gold_dir = Path(gold_dir)
    if not gold_dir.is_dir():
        raise CouncilKGError(f"{gold_dir}: no such gold folder")
    golds = []
    for path in sorted(gold_dir.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CouncilKGError(f"{path}: not a readable gold file ({exc.__class__.__name__})") from None
        if not isinstance(data, dict) or "document" not in data:
            raise CouncilKGError(f"{path}: gold file has no 'document' field")
        golds.append(data)
    if not golds:
        raise CouncilKGError(f"{gold_dir}: no gold *.json files")
    return golds


def _load_papers(corpus_dir: Path, names: Iterable[str], settings: Settings) -> dict[str, Any]:
    from corpus import load_document, read_catalogue

    corpus_dir = Path(corpus_dir)
    catalogue_path = corpus_dir / "catalogue.csv"
    catalogue = read_catalogue(catalogue_path) if catalogue_path.is_file() else {}
    docs = {}
    for name in names:
        path = corpus_dir / name
        if not path.is_file():
            raise CouncilKGError(f"{path}: gold names a paper that is not in the corpus folder")
        docs[name] = load_document(path, catalogue.get(name.lower()), settings)
    return docs


def baseline_extraction(doc: Any, model: str) -> Any:
    """The bare model's ORG entities as an extraction-like object (for the baseline row)."""
    from types import SimpleNamespace

    import spacy

    from nlp.pipeline import resolve_model_name

    pipe = _bare_model(resolve_model_name(model))
    orgs: dict[str, Any] = {}
    for sdoc in pipe.pipe([doc.text]):
        for ent in sdoc.ents:
            if ent.label_ == "ORG":
                text = re.sub(r"\s+", " ", ent.text).strip()
                orgs.setdefault(text.lower(), SimpleNamespace(name=text, aliases={text}, type="Organisation"))
    del spacy
    return SimpleNamespace(entities=orgs, relations=[])


_BARE: dict[str, Any] = {}


def _bare_model(name: str) -> Any:
    if name not in _BARE:
        import spacy

        _BARE[name] = spacy.load(name)
    return _BARE[name]


def evaluate(gold_dir: Path, corpus_dir: Path | None = None, settings: Settings | None = None,
             baseline: bool = True) -> dict[str, Any]:
    """Per-type precision/recall/F1 of the extractor (and the bare-model baseline) on the gold."""
    from nlp.extractor import Extractor

    settings = settings or Settings.load()
    golds = load_gold(gold_dir)
    docs = _load_papers(corpus_dir or DEFAULT_CORPUS, [g["document"] for g in golds], settings)
    extractor = Extractor(settings)
    ours = {t: TypeScore() for t in GOLD_TYPES.values()}
    base = {t: TypeScore() for t in GOLD_TYPES.values()}
    members: dict[str, Any] = {}
    noise: dict[str, list[str]] = {}
    for gold in golds:
        doc = docs[gold["document"]]
        extraction = extractor.extract(doc)
        for field_name, etype in GOLD_TYPES.items():
            score_labels(gold.get(field_name, []), extraction_labels(extraction, etype), ours[etype])
        members.update(member_check(gold, extraction))
        bad = noise_check(extraction)
        if bad:
            noise[gold["document"]] = bad
        if baseline:
            bx = baseline_extraction(doc, settings.spacy_model)
            for field_name, etype in GOLD_TYPES.items():
                score_labels(gold.get(field_name, []), extraction_labels(bx, etype), base[etype])
    return {
        "papers": [g["document"] for g in golds],
        "types": {t: s.as_dict() for t, s in ours.items()},
        "baseline": {t: s.as_dict() for t, s in base.items()} if baseline else None,
        "partnership_members": members,
        "noise_organisations": noise,
    }


def format_report(result: dict[str, Any]) -> str:
    """The evaluation as a plain-text table."""
    lines = [f"papers: {len(result['papers'])}",
             f"{'type':14} {'P':>6} {'R':>6} {'F1':>6}   {'baseline P':>10} {'R':>6} {'F1':>6}"]
    for etype, s in result["types"].items():
        b = (result.get("baseline") or {}).get(etype)
        base = f"{b['precision']:>10.2f} {b['recall']:>6.2f} {b['f1']:>6.2f}" if b else ""
        lines.append(f"{etype:14} {s['precision']:>6.2f} {s['recall']:>6.2f} {s['f1']:>6.2f}   {base}")
    for name, m in result["partnership_members"].items():
        missing = f" (missing: {', '.join(m['missing'])})" if m["missing"] else ""
        lines.append(f"members of {name}: {m['found']}/{m['expected']}{missing}")
    noise = result["noise_organisations"]
    lines.append("noise typed as organisations: " + (json.dumps(noise) if noise else "none"))
    return "\n".join(lines)
