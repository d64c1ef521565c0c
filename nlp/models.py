"""Typed records the extraction layer hands to the knowledge graph.

Every :class:`Mention` and :class:`Relation` carries an :class:`Evidence`: the paper, the
character span in the paper's canonical text, the quoted text at that span, the method
that produced it and a confidence. ``kg/`` turns these records into RDF.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ENTITY_TYPES = ("Organisation", "Partnership", "Service", "FundingStream", "Person")
VALUE_TYPES = ("Money", "Period")

ORG_KINDS = (
    "local-authority",
    "clinical-commissioning-group",
    "nhs-trust",
    "national-nhs-body",
    "government-department",
    "regulator",
    "police-and-crime-commissioner",
    "voluntary-organisation",
    "private-company",
    "other",
)

RELATION_TYPES = (
    "member_of",  # subject Organisation/Partnership -> object Partnership
    "joint_commissioning",  # subject Organisation -> object Service; attrs: partners (keys)
    "funds",  # subject FundingStream -> object Service; attrs: amount, period
    "provides",  # subject Organisation -> object Service
    "commissions",  # subject Organisation -> object Service
    "decision",  # subject Organisation (deciding body) -> object Service/entity; attrs: text, amount
    "service_status",  # subject Service -> object None; attrs: status, sponsor, funding, money…
    "has_role",  # subject Person -> object Organisation; attrs: role
    "possible_same_as",  # subject and object of one type whose names are near-identical: not merged
    "hosts",  # subject Organisation (host) -> object Partnership/Service it hosts
    "party_to",  # subject Organisation -> object FundingStream/Partnership (an agreement or pooled budget)
)


@dataclass(frozen=True)
class Evidence:
    """Where a fact came from: paper, offsets, exact quote, method and confidence."""

    doc_id: str
    start: int
    end: int
    quote: str
    method: str
    confidence: float


@dataclass
class Entity:
    """A canonical entity: one per real organisation, service, partnership, fund or person.

    ``key`` is stable across papers and rebuilds, e.g. ``organisation/nottingham-city-council``;
    it becomes the IRI ``https://w3id.org/councilkg/id/<key>``.
    """

    key: str
    type: str
    name: str
    aliases: set[str] = field(default_factory=set)
    kind: str | None = None
    identifiers: dict[str, str] = field(default_factory=dict)
    confidence: float = 1.0
    # Possible same-as links to other entity keys with their confidence, recorded instead of
    # merging silently when the evidence is weak (e.g. near-identical names).
    candidates: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Mention:
    """A typed span in a paper, resolved to an entity key when it names one.

    For Money, ``value`` is the GBP amount (a float; ``value_max`` for ranges) and
    ``qualifier`` holds words such as "pa", "circa", "up to". For Period, ``value`` is an
    ISO 8601 date or interval string.
    """

    type: str
    text: str
    evidence: Evidence
    entity_key: str | None = None
    value: Any = None
    value_max: float | None = None
    qualifier: str | None = None


@dataclass(frozen=True)
class Relation:
    """A typed relation between entities with its evidence.

    ``attrs`` carries n-ary details: ``amount`` (GBP float), ``amount_text``, ``period``,
    ``status``, ``role``, ``sponsor``, ``funding`` (list of keys), ``partners``…
    """

    type: str
    subject: str
    object: str | None
    evidence: Evidence
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Extraction:
    """Everything extracted from one paper, plus the software that extracted it."""

    doc_id: str
    entities: dict[str, Entity]
    mentions: list[Mention]
    relations: list[Relation]
    software: dict[str, str] = field(default_factory=dict)


def example_extraction() -> Extraction:
    """A small, hand-checked Extraction matching :func:`corpus.models.example_document`."""
    from corpus.models import example_document

    doc = example_document()
    text = doc.text

    def ev(phrase: str, method: str = "rule:test", confidence: float = 0.9) -> Evidence:
        start = text.index(phrase)
        return Evidence(doc.doc_id, start, start + len(phrase), phrase, method, confidence)

    ncc = Entity(
        "organisation/nottingham-city-council", "Organisation", "Nottingham City Council",
        {"Nottingham City Council"}, "local-authority", {"gss": "E06000018"},
    )
    nhse = Entity(
        "organisation/nhs-england", "Organisation", "NHS England", {"NHS England"}, "national-nhs-body",
    )
    home = Entity("service/home-care", "Service", "Home Care", {"Home Care"})
    bcf = Entity("fundingstream/better-care-fund", "FundingStream", "Better Care Fund", {"Better Care Fund"})
    part = Entity(
        "partnership/health-and-social-care-integration", "Partnership",
        "Health and Social Care Integration", {"Health and Social Care Integration"},
    )
    entities = {e.key: e for e in (ncc, nhse, home, bcf, part)}
    mentions = [
        Mention("Organisation", "Nottingham City Council", ev("Nottingham City Council"), ncc.key),
        Mention("Organisation", "NHS England", ev("NHS England"), nhse.key),
        Mention("Service", "Home Care", ev("Home Care"), home.key),
        Mention("FundingStream", "Better Care Fund", ev("Better Care Fund"), bcf.key),
        Mention("Money", "£1.2m", ev("£1.2m"), value=1_200_000.0),
    ]
    row = next(b for b in doc.blocks if b.kind == "table_row")
    row_ev = Evidence(doc.doc_id, row.start, row.end, row.text, "table:header-columns", 0.85)
    relations = [
        Relation("member_of", ncc.key, part.key, ev("Nottingham City Council")),
        Relation("member_of", nhse.key, part.key, ev("NHS England")),
        Relation("funds", bcf.key, home.key, row_ev, {"amount": 1_200_000.0, "amount_text": "£1.2m"}),
        Relation("service_status", home.key, None, row_ev, {"status": "continuing", "funding": [bcf.key]}),
    ]
    return Extraction(doc.doc_id, entities, mentions, relations, {"councilkg": "0.1.0"})
