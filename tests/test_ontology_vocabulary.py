"""The ontology: labelled terms, generated namespace and docs in sync, SKOS schemes cover nlp codes."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, URIRef

from nlp.models import ORG_KINDS
from ontology import generate
from ontology.namespace import CK, ORG_KIND_CONCEPTS, SERVICE_STATUS_CONCEPTS


@pytest.fixture(scope="module")
def graph():
    return generate.load_ontology_graph()


def test_every_term_has_label_and_comment(graph):
    terms = generate.ck_terms(graph)
    assert len(terms) > 30
    for term in terms:
        assert graph.value(term, RDFS.label), term
        assert graph.value(term, RDFS.comment), term


def test_generated_namespace_matches_turtle():
    assert generate.NAMESPACE_PATH.read_text(encoding="utf-8") == generate.namespace_source(), (
        "ontology/namespace.py is stale: run `python -m ontology.generate`"
    )


def test_generated_docs_match_turtle():
    assert generate.DOCS_PATH.read_text(encoding="utf-8") == generate.docs_markdown(), (
        "ontology/docs.md is stale: run `python -m ontology.generate`"
    )


def test_namespace_is_strict():
    assert CK.Service == URIRef("https://w3id.org/councilkg/ontology#Service")
    with pytest.raises(AttributeError):
        _ = CK.Servise


def test_namespace_holds_every_turtle_term(graph):
    for term in generate.ck_terms(graph):
        assert getattr(CK, str(term).split("#")[1]) == term


def test_org_kind_scheme_covers_every_nlp_kind(graph):
    assert set(ORG_KIND_CONCEPTS) == set(ORG_KINDS)
    for local in ORG_KIND_CONCEPTS.values():
        assert (CK[local], SKOS.inScheme, CK.OrganisationKinds) in graph


def test_service_statuses_include_the_competency_statuses():
    assert {"new", "continuing", "review", "implementation", "procurement"} <= set(SERVICE_STATUS_CONCEPTS)


def test_contract_classes_reuse_standard_vocabularies(graph):
    assert (CK.Service, RDFS.subClassOf, URIRef("https://schema.org/Service")) in graph
    assert (CK.FundingStream, RDFS.subClassOf, URIRef("https://schema.org/FundingScheme")) in graph
    assert (CK.Paper, RDF.type, OWL.Class) in graph


def test_docs_mention_every_term(graph):
    docs = generate.docs_markdown(graph)
    for term in generate.ck_terms(graph):
        assert f"`ck:{str(term).split('#')[1]}`" in docs
