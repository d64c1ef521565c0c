"""Golden graphs: a tiny paper's RDF equals hand-written Turtle (hash-named nodes compared as blank nodes)."""

from __future__ import annotations

import re

from rdflib import BNode, Graph, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from corpus.models import Block, Document, Metadata
from kg import iris
from kg.rdf import paper_quads
from nlp.models import Entity, Evidence, Extraction, Mention, Relation

TEXT = "Alpha Council is a member of the Beta Partnership."

PREFIXES = """
@prefix ck: <https://w3id.org/councilkg/ontology#> .
@base <https://w3id.org/councilkg/id/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix schema: <https://schema.org/> .
"""

EXPECTED_PAPER = PREFIXES + """
<paper/golden> a ck:Paper, schema:CreativeWork ;
    ck:fileName "golden.txt" ; ck:contentHash "abc" ; ck:graphVersion 2 ; rdfs:label "Golden paper" ;
    dcterms:title "Golden paper" ; dcterms:date "2020-01"^^xsd:gYearMonth ; ck:year 2020 ;
    prov:wasGeneratedBy _:run .

<organisation/alpha-council> ck:nameInPaper "Alpha Council", "ACC" ; ck:mentionedIn <paper/golden> .
<partnership/beta-partnership> ck:nameInPaper "Beta Partnership" ; ck:mentionedIn <paper/golden> ;
    org:hasMember <organisation/alpha-council> .

_:alphaMention a ck:Mention, oa:Annotation ; oa:motivatedBy oa:identifying ;
    oa:hasBody <organisation/alpha-council> ; oa:hasTarget _:alphaSpan .
_:betaMention a ck:Mention, oa:Annotation ; oa:motivatedBy oa:identifying ;
    oa:hasBody <partnership/beta-partnership> ; oa:hasTarget _:betaSpan .

_:alphaSpan a oa:SpecificResource ; oa:hasSource <paper/golden> ; ck:confidence 0.9 ; ck:method "rule:gold" ;
    prov:wasGeneratedBy _:run ; oa:hasSelector _:alphaPos, _:alphaQuote .
_:alphaPos a oa:TextPositionSelector ; oa:start 0 ; oa:end 13 .
_:alphaQuote a oa:TextQuoteSelector ; oa:exact "Alpha Council" .
_:betaSpan a oa:SpecificResource ; oa:hasSource <paper/golden> ; ck:confidence 0.9 ; ck:method "rule:gold" ;
    prov:wasGeneratedBy _:run ; oa:hasSelector _:betaPos, _:betaQuote .
_:betaPos a oa:TextPositionSelector ; oa:start 33 ; oa:end 49 .
_:betaQuote a oa:TextQuoteSelector ; oa:exact "Beta Partnership" .

_:membership a ck:Fact, org:Membership ; ck:relationType "member_of" ; ck:inPaper <paper/golden> ;
    ck:confidence 0.7 ; prov:wasGeneratedBy _:run ; prov:wasDerivedFrom _:sentence ;
    org:member <organisation/alpha-council> ; org:organization <partnership/beta-partnership> ;
    org:role <role/member> .
<role/member> a org:Role ; rdfs:label "member" .
# The answer row question 02 reads (kg/summary.py), in the paper's graph so that it goes with the paper.
# (The order numbers, which end in a hash of the node's IRI, are checked on their own below.)
_:arrangementRow a ck:ArrangementRow ; ck:rowPaper <paper/golden> ;
    ck:rowOrganisation <organisation/alpha-council> ; ck:rowArrangement <partnership/beta-partnership> ;
    ck:rowHow "member" .
_:sentence a oa:SpecificResource ; oa:hasSource <paper/golden> ; ck:confidence 0.7 ; ck:method "rule:list" ;
    prov:wasGeneratedBy _:run ; oa:hasSelector _:sentencePos, _:sentenceQuote .
_:sentencePos a oa:TextPositionSelector ; oa:start 0 ; oa:end 50 .
_:sentenceQuote a oa:TextQuoteSelector ;
    oa:exact "Alpha Council is a member of the Beta Partnership." .
"""

EXPECTED_ENTITIES = PREFIXES + """
<organisation/alpha-council> a org:Organization ; rdfs:label "Alpha Council" ;
    org:classification ck:LocalAuthority ; dcterms:identifier "E06000001" .
<partnership/beta-partnership> a org:Organization, org:OrganizationalCollaboration ;
    rdfs:label "Beta Partnership" .
"""

EXPECTED_RUNS = PREFIXES + """
_:run a ck:ExtractionRun, prov:Activity ; rdfs:label "extraction run (councilkg=0.1.0)" ;
    ck:softwareVersions "councilkg=0.1.0" ; prov:wasAssociatedWith <software/councilkg/0.1.0> .
<software/councilkg/0.1.0> a prov:SoftwareAgent, schema:SoftwareApplication ;
    rdfs:label "councilkg" ; schema:softwareVersion "0.1.0" .
"""


def golden_input() -> tuple[Document, Extraction]:
    doc = Document("golden", "golden.txt", "abc", TEXT, [Block("paragraph", 0, len(TEXT), TEXT)], [],
                   Metadata(date="2020-01", title="Golden paper"))

    def ev(phrase: str, method: str = "rule:gold", confidence: float = 0.9) -> Evidence:
        start = TEXT.index(phrase)
        return Evidence("golden", start, start + len(phrase), phrase, method, confidence)

    alpha = Entity("organisation/alpha-council", "Organisation", "Alpha Council", {"Alpha Council", "ACC"},
                   "local-authority", {"gss": "E06000001"})
    beta = Entity("partnership/beta-partnership", "Partnership", "Beta Partnership", {"Beta Partnership"})
    mentions = [Mention("Organisation", "Alpha Council", ev("Alpha Council"), alpha.key),
                Mention("Partnership", "Beta Partnership", ev("Beta Partnership"), beta.key)]
    relations = [Relation("member_of", alpha.key, beta.key, ev(TEXT, "rule:list", 0.7), {"role": "member"})]
    return doc, Extraction("golden", {alpha.key: alpha, beta.key: beta}, mentions, relations,
                           {"councilkg": "0.1.0"})


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_HASHED = re.compile(re.escape(iris.ID) + r"(evidence|fact|mention|run|row)/")


ORDERS = {iris.CK + "factOrder", iris.CK + "arrangementRowOrder"}


def _graph(quads, graph_iri: str) -> Graph:
    """The quads of one graph as an rdflib Graph, hash-named nodes turned into blank nodes."""
    out, bnodes = Graph(), {}

    def term(t):
        value = t.value
        if type(t).__name__ == "NamedNode":
            if _HASHED.match(value):
                return bnodes.setdefault(value, BNode())
            return URIRef(value)
        from rdflib import Literal

        if type(t).__name__ == "Literal":
            plain = t.language or t.datatype.value == "http://www.w3.org/2001/XMLSchema#string"
            return Literal(value, datatype=None if plain else URIRef(t.datatype.value), lang=t.language)
        return BNode(value)

    for q in quads:
        if q.graph_name.value == graph_iri and q.predicate.value not in ORDERS:
            out.add((term(q.subject), term(q.predicate), term(q.object)))
    return out


def _assert_same(actual: Graph, expected_turtle: str) -> None:
    expected = Graph().parse(data=expected_turtle, format="turtle")
    if not isomorphic(actual, expected):
        _, only_actual, only_expected = graph_diff(to_isomorphic(actual), to_isomorphic(expected))
        raise AssertionError(
            "graphs differ\nonly in actual:\n" + only_actual.serialize(format="nt")
            + "\nonly in expected:\n" + only_expected.serialize(format="nt")
        )


def test_golden_list_order_is_the_date_then_the_offset_then_a_tie_break():
    built = paper_quads(*golden_input())
    orders = {q.subject.value: q.object for q in built.all() if q.predicate.value in ORDERS}
    ordered = {q.subject.value for q in built.all() if q.predicate.value == RDF_TYPE
               and q.object.value in {iris.CK + "Fact", iris.CK + "ArrangementRow"}}
    assert set(orders) == ordered and len(ordered) == 2
    for value in orders.values():
        assert value.datatype.value.endswith("#integer")
        assert int(value.value) // 10**11 == 20200100 and int(value.value) // 10**4 % 10**7 == 0  # offset 0
    assert len(set(orders.values())) == 2


def test_golden_paper_graph():
    built = paper_quads(*golden_input())
    _assert_same(_graph(built.all(), iris.paper_graph("golden")), EXPECTED_PAPER)


def test_golden_entities_graph():
    built = paper_quads(*golden_input())
    _assert_same(_graph(built.all(), iris.ENTITIES_GRAPH), EXPECTED_ENTITIES)


def test_golden_runs_graph():
    built = paper_quads(*golden_input())
    _assert_same(_graph(built.all(), iris.RUNS_GRAPH), EXPECTED_RUNS)


def test_iris_are_stable_across_builds():
    first = sorted(str(q) for q in paper_quads(*golden_input()).all())
    assert first == sorted(str(q) for q in paper_quads(*golden_input()).all())


def test_a_changed_quote_changes_only_its_evidence_iri():
    doc, ex = golden_input()
    before = {q.subject.value for q in paper_quads(doc, ex).paper}
    ex.mentions.pop()
    after = {q.subject.value for q in paper_quads(doc, ex).paper}
    assert after < before
