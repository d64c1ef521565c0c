"""Turn one paper's :class:`~nlp.models.Extraction` into RDF quads, following ``ontology/README.md``.

Everything a paper yields goes into that paper's named graph, except canonical entity
descriptions (the entities graph) and extraction runs (the runs graph). Blank nodes are
never used: every node's IRI comes from a canonical key or a hash of its content, so the
same input always gives the same quads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from corpus.metadata import web_address
from corpus.models import Document
from councilkg.errors import InputError
from kg import iris
from kg.summary import FACT_ORDER, answer_rows, list_order, order_literal
from nlp.amounts import money_contexts
from nlp.models import Entity, Evidence, Extraction, Relation
from ontology.namespace import ORG_KIND_CONCEPTS, SERVICE_STATUS_CONCEPTS

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
SCHEMA = "https://schema.org/"
TIME = "http://www.w3.org/2006/time#"
CK = iris.CK

PREFIXES = {
    "ck": CK, "id": iris.ID, "rdf": RDF, "rdfs": RDFS, "xsd": XSD, "skos": SKOS, "dcterms": DCT,
    "org": ORG, "prov": PROV, "oa": OA, "schema": SCHEMA, "time": TIME,
}

GRAPH_VERSION = 2
"""What a paper's graph holds, as a number a build compares (``ck:graphVersion``): a paper built by
another version is rebuilt even though its text is unchanged. 2: answer rows and order numbers."""


@lru_cache(maxsize=16384)
def node(iri: str) -> NamedNode:
    """A pyoxigraph NamedNode, cached. The cache is bounded: most IRIs (evidence, mentions) are
    per paper, and an unbounded cache grew by ~50 KB per paper over a long build."""
    return NamedNode(iri)


A = node(RDF + "type")
_ENTITY_TYPES: dict[str, tuple[str, ...]] = {
    "Organisation": (ORG + "Organization",),
    "Partnership": (ORG + "Organization", ORG + "OrganizationalCollaboration"),
    "Service": (CK + "Service", SCHEMA + "Service"),
    "FundingStream": (CK + "FundingStream", SCHEMA + "FundingScheme"),
    "Person": (SCHEMA + "Person", PROV + "Person"),
}
_ISO_PART = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def date_literal(value: str) -> Literal:
    """An ISO date as precise as known, typed xsd:date, xsd:gYearMonth or xsd:gYear."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return Literal(value, datatype=node(XSD + "date"))
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return Literal(value, datatype=node(XSD + "gYearMonth"))
    if re.fullmatch(r"\d{4}", value):
        return Literal(value, datatype=node(XSD + "gYear"))
    return Literal(value)


def decimal(value: float) -> Literal:
    """An xsd:decimal literal (no exponent, as SPARQL users expect for money)."""
    text = f"{float(value):.6f}".rstrip("0").rstrip(".")
    return Literal(text if text not in {"", "-0"} else "0", datatype=node(XSD + "decimal"))


@dataclass
class PaperQuads:
    """The quads of one paper, split by the graph they belong in."""

    doc_id: str
    graph: NamedNode
    paper: list[Quad] = field(default_factory=list)
    entities: list[Quad] = field(default_factory=list)
    runs: list[Quad] = field(default_factory=list)
    entity_iris: set[str] = field(default_factory=set)
    summary: list[Quad] = field(default_factory=list)
    """The paper's answer rows (:mod:`kg.summary`), in the paper's graph like ``paper``."""

    def all(self) -> list[Quad]:
        """Every quad, paper graph first."""
        return self.paper + self.summary + self.entities + self.runs


class _Builder:
    def __init__(self, doc: Document, extraction: Extraction) -> None:
        self.doc = doc
        self.ex = extraction
        self.out = PaperQuads(doc.doc_id, node(iris.paper_graph(doc.doc_id)))
        self.paper = node(iris.paper_iri(doc.doc_id))
        self.run = node(iris.run_iri(extraction.software or {"councilkg": "unknown"}))
        self._seen_evidence: set[str] = set()

    # -- helpers ---------------------------------------------------------------
    def p(self, s: NamedNode, pred: str, o: Any) -> None:
        self.out.paper.append(Quad(s, node(pred), o, self.out.graph))

    def e(self, s: NamedNode, pred: str, o: Any) -> None:
        self.out.entities.append(Quad(s, node(pred), o, node(iris.ENTITIES_GRAPH)))

    def r(self, s: NamedNode, pred: str, o: Any) -> None:
        self.out.runs.append(Quad(s, node(pred), o, node(iris.RUNS_GRAPH)))

    def ref(self, key: str) -> NamedNode | None:
        """An entity IRI for a key the extraction knows (or that is shaped like a key)."""
        if key in self.ex.entities or "/" in key:
            return node(iris.entity_iri(key))
        return None

    # -- parts -----------------------------------------------------------------
    def build(self) -> PaperQuads:
        self.check_evidence()
        self.add_paper()
        self.add_run()
        for entity in sorted(self.ex.entities.values(), key=lambda x: x.key):
            self.add_entity(entity)
        for mention in self.ex.mentions:
            if mention.entity_key:
                self.add_mention(mention.entity_key, mention.evidence)
        for relation in self.ex.relations:
            self.add_relation(relation)
        self.add_money_mentions()
        return self.out

    def check_evidence(self) -> None:
        text = self.doc.text
        for ev in [m.evidence for m in self.ex.mentions] + [r.evidence for r in self.ex.relations]:
            if ev.doc_id != self.doc.doc_id:
                raise InputError(
                    f"{self.doc.file_name}: evidence belongs to paper {ev.doc_id!r}, not {self.doc.doc_id!r}"
                )
            if not (0 <= ev.start <= ev.end <= len(text)) or text[ev.start:ev.end] != ev.quote:
                raise InputError(
                    f"{self.doc.file_name}: evidence quote {ev.quote[:40]!r} does not match the text at "
                    f"{ev.start}-{ev.end}; the paper's graph was not changed"
                )

    def add_paper(self) -> None:
        doc, md, paper = self.doc, self.doc.metadata, self.paper
        self.p(paper, RDF + "type", node(CK + "Paper"))
        self.p(paper, RDF + "type", node(SCHEMA + "CreativeWork"))
        self.p(paper, CK + "fileName", Literal(doc.file_name))
        self.p(paper, CK + "contentHash", Literal(doc.content_hash))
        self.p(paper, CK + "graphVersion", Literal(GRAPH_VERSION))
        self.p(paper, RDFS + "label", Literal(md.title or doc.file_name))
        if md.title:
            self.p(paper, DCT + "title", Literal(md.title))
        if md.date:
            self.p(paper, DCT + "date", date_literal(md.date))
        if md.year is not None:
            self.p(paper, CK + "year", Literal(md.year))
        if md.committee:
            self.p(paper, CK + "committee", Literal(md.committee))
        if md.document_type:
            self.p(paper, DCT + "type", Literal(md.document_type))
        # Where the paper came from, as its publisher serves it (from `fetch` or a catalogue).
        if md.source_url and web_address(md.source_url):
            self.p(paper, DCT + "source", node(md.source_url))
        if md.meeting_url and web_address(md.meeting_url):
            self.p(paper, DCT + "isPartOf", node(md.meeting_url))
        self.p(paper, PROV + "wasGeneratedBy", self.run)
        if md.authority:
            key = self.authority_key()
            authority = node(iris.entity_iri(key))
            self.p(paper, DCT + "publisher", authority)
            if self._named_in_paper(key):
                self.p(authority, CK + "nameInPaper", Literal(md.authority))
            if key not in self.ex.entities:
                self.add_entity(
                    Entity(key, "Organisation", md.authority, {md.authority}, "local-authority",
                           {"gss": md.gss_code} if md.gss_code else {})
                )

    def authority_key(self) -> str:
        """The key of the publishing council: the extraction's own entity when it names it."""
        md = self.doc.metadata
        assert md.authority is not None
        for entity in sorted(self.ex.entities.values(), key=lambda x: x.key):
            if entity.type != "Organisation":
                continue
            if md.gss_code and entity.identifiers.get("gss") == md.gss_code:
                return entity.key
            if entity.name.casefold() == md.authority.casefold():
                return entity.key
        return iris.authority_key(md.authority)

    def add_run(self) -> None:
        software = self.ex.software or {"councilkg": "unknown"}
        run = self.run
        self.r(run, RDF + "type", node(CK + "ExtractionRun"))
        self.r(run, RDF + "type", node(PROV + "Activity"))
        summary = "; ".join(f"{k}={v}" for k, v in sorted(software.items()))
        self.r(run, RDFS + "label", Literal(f"extraction run ({summary})"))
        self.r(run, CK + "softwareVersions", Literal(summary))
        for name, version in sorted(software.items()):
            agent = node(iris.software_iri(name, str(version)))
            self.r(run, PROV + "wasAssociatedWith", agent)
            self.r(agent, RDF + "type", node(PROV + "SoftwareAgent"))
            self.r(agent, RDF + "type", node(SCHEMA + "SoftwareApplication"))
            self.r(agent, RDFS + "label", Literal(name))
            self.r(agent, SCHEMA + "softwareVersion", Literal(str(version)))

    def add_entity(self, entity: Entity) -> None:
        subject = node(iris.entity_iri(entity.key))
        self.out.entity_iris.add(subject.value)
        for cls in _ENTITY_TYPES.get(entity.type, (PROV + "Entity",)):
            self.e(subject, RDF + "type", node(cls))
        self.e(subject, RDFS + "label", Literal(entity.name))
        if entity.type in {"Organisation", "Partnership"} and entity.kind:
            concept = ORG_KIND_CONCEPTS.get(entity.kind, ORG_KIND_CONCEPTS["other"])
            self.e(subject, ORG + "classification", node(CK + concept))
        for scheme, value in sorted(entity.identifiers.items()):
            if scheme == "gss":
                self.e(subject, DCT + "identifier", Literal(value))
            else:
                self.e(subject, SCHEMA + "identifier", Literal(f"{scheme}:{value}"))
        if entity.kind == "local-authority" and not self._named_in_paper(entity.key):
            return  # the paper's own council inferred from an address or a place: not named in it
        for alias in sorted(entity.aliases | {entity.name}):
            self.p(subject, CK + "nameInPaper", Literal(alias))

    def _named_in_paper(self, key: str) -> bool:
        """Does a mention of the paper name this entity, or the text its name (the catalogue's
        authority as written)?"""
        if any(m.entity_key == key for m in self.ex.mentions):
            return True
        entity = self.ex.entities.get(key)
        names = {entity.name, *entity.aliases} if entity else {self.doc.metadata.authority or ""}
        gss = (entity.identifiers.get("gss") if entity else None) or self.doc.metadata.gss_code
        if gss:
            names |= council_names(gss)  # "Cyngor Dinas Caerdydd" names the City of Cardiff Council
        lowered = " ".join(self.doc.text.lower().split())
        return any(n and n.lower() in lowered for n in names)

    def evidence(self, ev: Evidence) -> NamedNode:
        iri = iris.ID + "evidence/" + iris.content_hash(ev.doc_id, ev.start, ev.end, ev.method, ev.confidence)
        subject = node(iri)
        if iri in self._seen_evidence:
            return subject
        self._seen_evidence.add(iri)
        position, quote = node(iri + "/position"), node(iri + "/quote")
        self.p(subject, RDF + "type", node(OA + "SpecificResource"))
        self.p(subject, OA + "hasSource", self.paper)
        self.p(subject, OA + "hasSelector", position)
        self.p(subject, OA + "hasSelector", quote)
        self.p(subject, CK + "confidence", decimal(ev.confidence))
        self.p(subject, CK + "method", Literal(ev.method))
        self.p(subject, PROV + "wasGeneratedBy", self.run)
        self.p(position, RDF + "type", node(OA + "TextPositionSelector"))
        self.p(position, OA + "start", Literal(ev.start))
        self.p(position, OA + "end", Literal(ev.end))
        self.p(quote, RDF + "type", node(OA + "TextQuoteSelector"))
        self.p(quote, OA + "exact", Literal(ev.quote))
        return subject

    def add_mention(self, key: str, ev: Evidence) -> None:
        entity = node(iris.entity_iri(key))
        self.p(entity, CK + "mentionedIn", self.paper)
        target = self.evidence(ev)
        mention = node(iris.ID + "mention/" + iris.content_hash(key, ev.doc_id, ev.start, ev.end))
        self.p(mention, RDF + "type", node(CK + "Mention"))
        self.p(mention, RDF + "type", node(OA + "Annotation"))
        self.p(mention, OA + "motivatedBy", node(OA + "identifying"))
        self.p(mention, OA + "hasBody", entity)
        self.p(mention, OA + "hasTarget", target)

    def money(self, fact: NamedNode, amount: Any, attrs: dict[str, Any]) -> None:
        """The fact's own ``amount`` (with ``amount_max``, ``amount_text``, ``qualifier``)."""
        self.monetary_amount(fact, SCHEMA + "amount", node(fact.value + "/amount"), amount,
                             attrs.get("amount_max"), attrs.get("amount_text"), attrs.get("qualifier"))

    def money_list(self, fact: NamedNode, items: Any, skip: float | None) -> None:
        """Every money figure of a table row: ``role`` savings -> ck:savingsAmount, else schema:amount."""
        if not isinstance(items, list):
            return
        for item in items:
            if not isinstance(item, dict):
                continue
            value, role = _number(item.get("value")), str(item.get("role") or "money")
            if value is None or (role != "savings" and skip is not None and value == skip):
                continue  # the fact's own amount already says it
            pred = CK + "savingsAmount" if role == "savings" else SCHEMA + "amount"
            iri = node(fact.value + "/amount/" + iris.content_hash(role, value, item.get("text")))
            self.monetary_amount(fact, pred, iri, value, item.get("value_max"), item.get("text"),
                                 item.get("qualifier"))

    def monetary_amount(self, fact: NamedNode, pred: str, money: NamedNode, amount: Any, amount_max: Any,
                        text: Any, qualifier: Any) -> None:
        value = _number(amount)
        if value is None:
            return
        self.p(fact, pred, money)
        self.p(money, RDF + "type", node(SCHEMA + "MonetaryAmount"))
        self.p(money, SCHEMA + "value", decimal(value))
        self.p(money, SCHEMA + "currency", Literal("GBP"))
        high = _number(amount_max)
        if high is not None:
            self.p(money, SCHEMA + "maxValue", decimal(high))
        if text:
            self.p(money, CK + "amountText", Literal(str(text)))
        if qualifier:
            self.p(money, CK + "amountQualifier", Literal(str(qualifier)))

    def period(self, fact: NamedNode, period: Any) -> None:
        text = str(period).strip()
        if not text:
            return
        interval = node(iris.period_iri(text))
        self.p(fact, CK + "period", interval)
        self.p(interval, RDF + "type", node(TIME + "ProperInterval"))
        self.p(interval, RDFS + "label", Literal(text))
        parts = text.split("/")
        if len(parts) in (1, 2) and all(_ISO_PART.match(x) for x in parts):
            for pred, value in ((TIME + "hasBeginning", parts[0]), (TIME + "hasEnd", parts[-1])):
                instant = node(iris.instant_iri(value))
                self.p(interval, pred, instant)
                self.p(instant, RDF + "type", node(TIME + "Instant"))
                kind = {4: "inXSDgYear", 7: "inXSDgYearMonth"}.get(len(value), "inXSDDate")
                self.p(instant, TIME + kind, date_literal(value))

    def fact_node(self, rel: Relation) -> NamedNode:
        """The IRI of a relation's fact: its type, ends, attributes, paper and offsets."""
        return node(
            iris.ID + "fact/" + rel.type.replace("_", "-") + "/" + iris.content_hash(
                rel.type, rel.subject, rel.object, dict(rel.attrs), rel.evidence.doc_id, rel.evidence.start,
                rel.evidence.end,
            )
        )

    def add_money_mentions(self) -> None:
        """Every money figure of the paper as a schema:MonetaryAmount with its own evidence.

        ``id:amount/<hash of paper, offsets, value>``, linked from the paper (``ck:mentionsAmount``),
        to the services and funding streams named in its sentence or table row (``ck:amountFor``)
        and from each money-bearing fact whose evidence holds it (``schema:amount``), unless that
        fact already states the same value itself (its own ``<fact>/amount``).
        """
        facts: dict[int, tuple[NamedNode, set[float]]] = {}
        for ctx in money_contexts(self.doc, self.ex):
            m, ev = ctx.mention, ctx.mention.evidence
            value = _number(m.value)
            if value is None:
                continue
            high = _number(m.value_max)
            amount = node(iris.amount_iri(ev.doc_id, ev.start, ev.end, value, high))
            self.monetary_amount(self.paper, CK + "mentionsAmount", amount, value, high, ev.quote,
                                 m.qualifier)
            self.p(amount, PROV + "wasDerivedFrom", self.evidence(ev))
            for key in ctx.entity_keys:
                ref = self.ref(key)
                if ref is not None:
                    self.p(amount, CK + "amountFor", ref)
            for i in ctx.relations:
                if i not in facts:
                    rel = self.ex.relations[i]
                    facts[i] = (self.fact_node(rel), _stated_values(rel.attrs))
                fact, stated = facts[i]
                if value not in stated:
                    self.p(fact, SCHEMA + "amount", amount)

    def add_relation(self, rel: Relation) -> None:
        attrs = dict(rel.attrs)
        fact = self.fact_node(rel)
        subject = node(iris.entity_iri(rel.subject))
        obj = node(iris.entity_iri(rel.object)) if rel.object else None
        self.p(fact, RDF + "type", node(CK + "Fact"))
        self.p(fact, CK + "relationType", Literal(rel.type))
        self.p(fact, CK + "inPaper", self.paper)
        self.p(fact, CK + "confidence", decimal(rel.evidence.confidence))
        self.p(fact, PROV + "wasDerivedFrom", self.evidence(rel.evidence))
        self.p(fact, PROV + "wasGeneratedBy", self.run)
        self.p(fact, FACT_ORDER, order_literal(list_order(self.doc, rel.evidence.start, fact.value)))
        if rel.type in {"member_of", "has_role"}:
            self.p(fact, RDF + "type", node(ORG + "Membership"))
            self.p(fact, ORG + "member", subject)
            if obj is not None:
                self.p(fact, ORG + "organization", obj)
                self.p(obj, ORG + "hasMember", subject)
            if attrs.get("role"):
                role = node(iris.role_iri(str(attrs["role"])))
                self.p(fact, ORG + "role", role)
                self.p(role, RDF + "type", node(ORG + "Role"))
                self.p(role, RDFS + "label", Literal(str(attrs["role"])))
        elif rel.type in {"commissions", "joint_commissioning"}:
            self.p(fact, RDF + "type", node(CK + "Commissioning"))
            self.p(fact, CK + "commissioner", subject)
            self.p(fact, CK + "isJoint", Literal(rel.type == "joint_commissioning"))
            for partner in _keys(attrs.get("partners")):
                ref = self.ref(partner)
                if ref is not None and ref != subject:
                    self.p(fact, CK + "jointWith", ref)
        elif rel.type == "provides":
            self.p(fact, RDF + "type", node(CK + "Provision"))
            self.p(fact, CK + "provider", subject)
        elif rel.type == "funds":
            self.p(fact, RDF + "type", node(CK + "Funding"))
            self.p(fact, CK + "fundingStream", subject)
        elif rel.type == "decision":
            self.p(fact, RDF + "type", node(CK + "Decision"))
            if rel.subject:  # "" when the paper names neither the body nor its authority
                self.p(fact, CK + "decidedBy", subject)
            if rel.subject and attrs.get("body_name") and rel.subject not in self.ex.entities:
                # a body named only as the decision's maker ("Cabinet (Kent County Council)"):
                # described in this paper's graph, not counted among the entities the paper names
                self.p(subject, RDF + "type", node(ORG + "OrganizationalUnit"))
                self.p(subject, RDFS + "label", Literal(str(attrs["body_name"])))
            if obj is not None:
                self.p(fact, CK + "about", obj)
            if attrs.get("text"):
                self.p(fact, DCT + "description", Literal(str(attrs["text"])))
            if attrs.get("action"):
                self.p(fact, CK + "action", Literal(str(attrs["action"])))
            for key in _keys(attrs.get("organisations")):
                ref = self.ref(key)
                if ref is not None and ref not in (subject, obj):
                    self.p(fact, CK + "involves", ref)
            for text in _keys(attrs.get("delegations")):
                self.p(fact, CK + "delegation", Literal(text))
            if isinstance(attrs.get("key_decision"), bool):
                self.p(fact, CK + "keyDecision", Literal(attrs["key_decision"]))
        elif rel.type == "hosts":
            self.p(fact, RDF + "type", node(CK + "Hosting"))
            self.p(fact, CK + "host", subject)
            if obj is not None:
                self.p(fact, DCT + "subject", obj)
                self.p(obj, CK + "hostedBy", subject)
        elif rel.type == "party_to":
            self.p(fact, RDF + "type", node(CK + "AgreementParty"))
            self.p(fact, CK + "party", subject)
            if obj is not None:
                self.p(fact, CK + "agreement", obj)
                self.p(subject, CK + "partyTo", obj)
        elif rel.type == "service_status":
            self.p(fact, RDF + "type", node(CK + "ServiceStatus"))
            self.p(fact, CK + "service", subject)
            self.status(fact, attrs)
        else:
            self.p(fact, DCT + "subject", subject)
            if obj is not None:
                self.p(fact, DCT + "relation", obj)
        if obj is not None and rel.type in {"commissions", "joint_commissioning", "provides", "funds"}:
            self.p(fact, CK + "service", obj)
        if _number(attrs.get("amount")) is not None:
            self.money(fact, attrs["amount"], attrs)
        elif attrs.get("amount_text"):
            self.p(fact, CK + "amountText", Literal(str(attrs["amount_text"])))
        self.money_list(fact, attrs.get("money"), _number(attrs.get("amount")))
        # One period, or several (joint commissioning "since", a table row's milestone dates).
        for period in _keys(attrs.get("period")) + _keys(attrs.get("periods")) + _keys(attrs.get("dates")):
            self.period(fact, period)

    def status(self, fact: NamedNode, attrs: dict[str, Any]) -> None:
        status = str(attrs.get("status") or "").strip()
        if status:
            self.p(fact, CK + "statusText", Literal(status))
            concept = SERVICE_STATUS_CONCEPTS.get(status.casefold())
            if concept:
                self.p(fact, CK + "status", node(CK + concept))
        group = SERVICE_STATUS_CONCEPTS.get(str(attrs.get("group") or "").strip().casefold())
        if group:
            self.p(fact, CK + "statusGroup", node(CK + group))
        # sponsor and portfolio_holders are entity keys (one or a list) or names as written.
        for pred, name_pred, value in (
            (CK + "sponsor", CK + "sponsorName", attrs.get("sponsor")),
            (CK + "portfolioHolder", CK + "portfolioHolderName", attrs.get("portfolio_holders")),
        ):
            for item in _keys(value):
                item = item.strip()
                if item in self.ex.entities:
                    self.p(fact, pred, node(iris.entity_iri(item)))
                elif item:
                    self.p(fact, name_pred, Literal(item))
        for key in _keys(attrs.get("funding")):
            ref = self.ref(key)
            if ref is not None:
                self.p(fact, CK + "fundingStream", ref)
        if attrs.get("funding_text"):
            self.p(fact, CK + "fundingText", Literal(str(attrs["funding_text"])))
        if attrs.get("savings"):
            self.p(fact, CK + "savingsText", Literal(str(attrs["savings"])))
        for milestone in attrs.get("milestones") or []:
            text = milestone.get("text") if isinstance(milestone, dict) else milestone
            if isinstance(text, str) and text.strip():
                self.p(fact, CK + "milestone", Literal(text.strip()))


def _number(value: Any) -> float | None:
    """A finite float, or None for anything else (missing, text, NaN)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def _stated_values(attrs: dict[str, Any]) -> set[float]:
    """The money values a fact's own attributes state (``amount``, each ``money`` item)."""
    values = {_number(attrs.get("amount"))}
    items = attrs.get("money")
    if isinstance(items, list):
        values |= {_number(item.get("value")) for item in items if isinstance(item, dict)}
    return {v for v in values if v is not None}


def _keys(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return [str(v) for v in value if v]
    return []


@lru_cache(maxsize=1)
def _names_by_code() -> dict[str, frozenset[str]]:
    from corpus.authorities import load_authorities

    out: dict[str, set[str]] = {}
    for name, authorities in load_authorities().full_names.items():
        for authority in authorities:
            out.setdefault(authority.gss_code, set()).add(name)
    return {code: frozenset(names) for code, names in out.items()}


def council_names(gss_code: str) -> frozenset[str]:
    """Every full name (lower case, Welsh and Gaelic forms too) of the council with this GSS code."""
    return _names_by_code().get(gss_code, frozenset())


def paper_quads(doc: Document, extraction: Extraction) -> PaperQuads:
    """All quads for one paper; raises :class:`InputError` when evidence does not match the text."""
    if extraction.doc_id != doc.doc_id:
        raise InputError(
            f"{doc.file_name}: extraction is for paper {extraction.doc_id!r}, not {doc.doc_id!r}"
        )
    built = _Builder(doc, extraction).build()
    # The answer rows are written with the paper (same graph, same update), so they can never
    # describe another version of it.
    built.summary = answer_rows(doc, built.graph, built.paper + built.entities)
    return built
