"""spaCy components of the extraction pipeline, registered as versioned factories.

The pipeline itself is described in ``nlp/pipeline.cfg``; :mod:`nlp.pipeline` builds it. Each
component writes candidate spans to ``doc.spans[SPANS_KEY]`` with the entity type as label,
the organisation kind (if any) as ``kb_id_`` and the canonical name (gazetteer) as ``id_``;
the extractor decides between overlapping candidates afterwards.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from nlp.shapes import find_shapes

SPANS_KEY = "councilkg"
NER_KEY = "councilkg_ner"
_HERE = Path(__file__).resolve().parent


CHARS_KEY = ("councilkg", "chars")


def _add_span(doc: Doc, start: int, end: int, label: str, kind: str | None, name: str, method: str) -> None:
    """Record a candidate: exact character offsets in ``doc.user_data`` (rules match characters,
    which need not fall on token boundaries, e.g. "Section 75="), and a span when they align."""
    doc.user_data.setdefault(CHARS_KEY, []).append((start, end, label, kind or "", name, method))
    span = doc.char_span(start, end, label=label, kb_id=kind or "", span_id=name)
    if span is not None:
        doc.spans[SPANS_KEY].append(span)


class GazetteerComponent:
    """Known national bodies, funds, partnership constructs and service types, from JSONL."""

    def __init__(self, nlp: Language, name: str, patterns_path: str) -> None:
        path = Path(patterns_path)
        if not path.is_absolute():
            path = _HERE / path
        self.case_sensitive = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.case_insensitive = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.entries: dict[str, tuple[str, str | None, str]] = {}
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            if not line.strip():
                continue
            row = json.loads(line)
            match_id = f"gaz{i}"
            self.entries[match_id] = (row["label"], row.get("kind"), row["name"])
            phrases = list(row["phrases"])
            # Services are named in any case ("home care"); names of bodies only as written,
            # except multi-word ones, which are safe case-insensitively.
            sensitive = bool(row.get("case_sensitive"))
            lower = [p for p in phrases if row["label"] == "Service" and not p.isupper() and not sensitive]
            exact = [p for p in phrases if p not in lower]
            lower += [p for p in exact if len(p.split()) >= 3 and not sensitive]
            if lower:
                self.case_insensitive.add(match_id, [nlp.make_doc(p) for p in lower])
            if exact:
                self.case_sensitive.add(match_id, [nlp.make_doc(p) for p in exact])

    def __call__(self, doc: Doc) -> Doc:
        if SPANS_KEY not in doc.spans:
            doc.spans[SPANS_KEY] = []
        for matcher in (self.case_sensitive, self.case_insensitive):
            for match_id, start, end in matcher(doc):
                label, kind, name = self.entries[doc.vocab.strings[match_id]]
                span = doc[start:end]
                _add_span(doc, span.start_char, span.end_char, label, kind, name, "gazetteer")
        return doc


@Language.factory(
    "councilkg_gazetteer_v1",
    default_config={"patterns_path": "patterns/gazetteer.jsonl"},
    assigns=["doc.spans"],
)
def make_gazetteer(nlp: Language, name: str, patterns_path: str) -> GazetteerComponent:
    """Phrase-matcher gazetteer (data in ``nlp/patterns/*.jsonl``)."""
    return GazetteerComponent(nlp, name, patterns_path)


class ShapeRulesComponent:
    """Names built as "<capitalised phrase> <head word>" (see :mod:`nlp.shapes`)."""

    def __call__(self, doc: Doc) -> Doc:
        if SPANS_KEY not in doc.spans:
            doc.spans[SPANS_KEY] = []
        for m in find_shapes(doc.text):
            _add_span(doc, m.start, m.end, m.type, m.kind, "", m.rule)
        return doc


@Language.factory("councilkg_shape_rules_v1", assigns=["doc.spans"])
def make_shape_rules(nlp: Language, name: str) -> ShapeRulesComponent:
    """Shape rules for organisations, partnerships, funds and services."""
    return ShapeRulesComponent()


_NOT_NAMES = re.compile(
    r"^(?:[A-Z]{1,3}|[A-Z]\.?(?:[A-Z]\.?)+|Scope|Metrics|Rationale|Savings|Key\s+Milestones?|Board|"
    r"Committee|Council|Members?|Appendix.*|Page.*|Item.*|Report.*|Section.*|Date|Director.*|"
    r"Portfolio.*|Progress.*|Funding.*|Finances?.*|MTFP|RAG|R\s?A\s?G|Review|New|Continuing)$"
)


class NerFilterComponent:
    """Keep the statistical NER's ORG and PERSON spans that pass noise rules, as candidates."""

    def __init__(self, labels: list[str]) -> None:
        self.labels = set(labels)

    def __call__(self, doc: Doc) -> Doc:
        kept: list[Span] = []
        for ent in doc.ents:
            if ent.label_ not in self.labels:
                continue
            text = ent.text.strip(" '‘’\"")
            if len(text) < 3 or _NOT_NAMES.match(text) or not text[:1].isupper():
                continue
            if any(ch.isdigit() for ch in text) or "\n" in text:
                continue
            kept.append(ent)
        doc.spans[NER_KEY] = kept
        return doc


@Language.factory(
    "councilkg_ner_filter_v1",
    default_config={"labels": ["ORG", "PERSON"]},
    requires=["doc.ents"],
    assigns=["doc.spans"],
)
def make_ner_filter(nlp: Language, name: str, labels: list[str]) -> NerFilterComponent:
    """Filter statistical ORG/PERSON entities into candidate spans."""
    return NerFilterComponent(labels)
