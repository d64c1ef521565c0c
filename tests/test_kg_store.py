"""The embedded graph store: contract, provenance, incremental replacement, idempotency."""

from __future__ import annotations

import dataclasses
import json

import pytest

from corpus.models import Block, Document, Metadata, example_document
from councilkg.errors import InputError
from councilkg.settings import Settings
from kg import iris
from kg.store import EmbeddedGraphStore, open_graph_store
from nlp.models import Entity, Evidence, Extraction, Mention, Relation, example_extraction

PREFIXES = """
PREFIX ck: <https://w3id.org/councilkg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def rows(store, sparql: str) -> list[dict[str, str]]:
    body, media = store.query(PREFIXES + sparql, "json")
    assert media == "application/sparql-results+json"
    data = json.loads(body)
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


def make_paper(doc_id: str, text: str, members: list[str], partnership: str, year: str = "2016"):
    """A made-up paper listing the members of a partnership, and its extraction."""
    doc = Document(
        doc_id, f"{doc_id}.txt", doc_id.ljust(64, "0"), text,
        [Block("paragraph", 0, len(text), text)], [],
        Metadata(authority="Borsetshire County Council", gss_code="E10000099", date=f"{year}-05-01",
                 committee="Health and Wellbeing Board", title=f"Paper {doc_id}"),
    )
    part_key = "partnership/" + partnership.lower().replace(" ", "-")
    entities = {part_key: Entity(part_key, "Partnership", partnership, {partnership})}
    mentions, relations = [], []
    for name in members:
        start = text.index(name)
        ev = Evidence(doc_id, start, start + len(name), name, "rule:test-list", 0.8)
        key = "organisation/" + name.lower().replace(" ", "-")
        entities[key] = Entity(key, "Organisation", name, {name}, "other")
        mentions.append(Mention("Organisation", name, ev, key))
        relations.append(Relation("member_of", key, part_key, ev))
    return doc, Extraction(doc_id, entities, mentions, relations, {"councilkg": "0.1.0", "spacy": "3.8.0"})


@pytest.fixture
def store(data_dir):
    with open_graph_store(Settings.load({"data_dir": str(data_dir)})) as s:
        yield s


@pytest.fixture
def loaded(store):
    store.replace_paper(example_document(), example_extraction())
    return store


def test_default_backend_is_embedded_on_disk(store, data_dir):
    assert isinstance(store, EmbeddedGraphStore)
    assert (data_dir / "graph").is_dir()


def test_paper_contract(loaded):
    (paper,) = rows(loaded, """SELECT * WHERE { ?p a ck:Paper ; dcterms:title ?t ; dcterms:date ?d ;
        dcterms:publisher ?a ; ck:fileName ?f ; ck:committee ?c .
        ?a rdfs:label ?al ; dcterms:identifier ?gss }""")
    assert paper["f"] == "example-paper.txt"
    assert paper["d"] == "2019-07-09"
    assert paper["al"] == "Nottingham City Council" and paper["gss"] == "E06000018"
    assert paper["c"] == "Health and Wellbeing Board"


def test_organisations_partnerships_and_kinds(loaded):
    found = rows(loaded, """SELECT ?l ?kind WHERE { ?o a org:Organization ; rdfs:label ?l ;
        org:classification ?k . ?k skos:notation ?kind ; skos:inScheme ck:OrganisationKinds }""")
    assert {(r["l"], r["kind"]) for r in found} >= {
        ("Nottingham City Council", "local-authority"), ("NHS England", "national-nhs-body")}
    members = rows(loaded, """SELECT ?l WHERE { ?p a org:OrganizationalCollaboration, org:Organization ;
        org:hasMember ?m . ?m rdfs:label ?l }""")
    assert {r["l"] for r in members} == {"Nottingham City Council", "NHS England"}
    memberships = rows(loaded, """SELECT ?m WHERE { ?x a org:Membership ; org:member ?m ;
        org:organization ?p ; prov:wasDerivedFrom ?ev }""")
    assert len(memberships) == 2


def test_services_funding_and_money(loaded):
    (fact,) = rows(loaded, """SELECT * WHERE { ?f a ck:Funding ; ck:fundingStream ?fs ; ck:service ?s ;
        schema:amount [ a schema:MonetaryAmount ; schema:value ?v ; schema:currency ?cur ] .
        ?fs a ck:FundingStream, schema:FundingScheme ; rdfs:label ?fl . ?s a ck:Service, schema:Service ;
        rdfs:label ?sl }""")
    assert (fact["fl"], fact["sl"], float(fact["v"]), fact["cur"]) == (
        "Better Care Fund", "Home Care", 1_200_000.0, "GBP")
    (status,) = rows(loaded, "SELECT ?n WHERE { ?f a ck:ServiceStatus ; ck:status/skos:notation ?n }")
    assert status["n"] == "continuing"


def test_every_fact_has_evidence_with_both_selectors_and_a_run(loaded):
    facts = rows(loaded, """SELECT ?f ?conf ?sw WHERE { ?f a ck:Fact ; prov:wasDerivedFrom ?ev .
        ?ev a oa:SpecificResource ; oa:hasSource ?p ; ck:confidence ?conf ; prov:wasGeneratedBy ?run ;
            oa:hasSelector [ a oa:TextPositionSelector ; oa:start ?s ; oa:end ?e ] ,
                           [ a oa:TextQuoteSelector ; oa:exact ?q ] .
        ?p a ck:Paper . ?run a ck:ExtractionRun ; ck:softwareVersions ?sw }""")
    all_facts = rows(loaded, "SELECT DISTINCT ?f WHERE { ?f a ck:Fact }")
    assert len({r["f"] for r in facts}) == len(all_facts) == len(example_extraction().relations)
    assert all("councilkg=0.1.0" in r["sw"] for r in facts)


def test_provenance_round_trip(loaded):
    doc = example_document()
    evidence = rows(loaded, """SELECT ?s ?e ?q ?file WHERE { ?ev oa:hasSource ?p ;
        oa:hasSelector [ oa:start ?s ; oa:end ?e ] , [ oa:exact ?q ] . ?p ck:fileName ?file }""")
    assert evidence
    for r in evidence:
        assert r["file"] == doc.file_name
        assert doc.text[int(r["s"]):int(r["e"])] == r["q"]


def test_mentioned_in_and_aliases(loaded):
    mentioned = rows(loaded, "SELECT ?l WHERE { ?e ck:mentionedIn ?p ; rdfs:label ?l }")
    assert {"Home Care", "Better Care Fund", "NHS England"} <= {r["l"] for r in mentioned}


def test_named_graphs(loaded):
    graphs = {r["g"] for r in rows(loaded, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    assert graphs == {iris.paper_graph("example-paper"), iris.ENTITIES_GRAPH, iris.RUNS_GRAPH,
                      iris.ONTOLOGY_GRAPH}
    graph = iris.paper_graph("example-paper")
    labels = rows(loaded, f"SELECT ?l WHERE {{ GRAPH <{graph}> {{ ?e rdfs:label ?l }} }}")
    assert "Home Care" not in {r["l"] for r in labels}  # canonical names live in the entities graph


def test_paper_hash(loaded):
    assert loaded.paper_hash("example-paper") == example_document().content_hash
    assert loaded.paper_hash("no-such-paper") is None
    assert loaded.paper_hashes() == {"example-paper": example_document().content_hash}


def test_reload_is_idempotent(loaded):
    first = sorted(str(q) for q in loaded.quads())
    loaded.replace_paper(example_document(), example_extraction())
    assert sorted(str(q) for q in loaded.quads()) == first


def test_replacing_one_paper_leaves_others_untouched(store):
    a = make_paper("paper-a", "Members: Alpha Council and Beta Trust.", ["Alpha Council", "Beta Trust"],
                   "Joint Board")
    b = make_paper("paper-b", "Members: Gamma Trust and Beta Trust.", ["Gamma Trust", "Beta Trust"],
                   "Joint Board", "2017")
    store.replace_paper(*a)
    store.replace_paper(*b)
    graph_b = sorted(str(q) for q in store.quads() if q.graph_name.value == iris.paper_graph("paper-b"))
    changed = make_paper("paper-a", "Members: Delta Trust and Beta Trust.", ["Delta Trust", "Beta Trust"],
                         "Joint Board")
    store.replace_paper(*changed)
    graph_b_now = [str(q) for q in store.quads() if q.graph_name.value == iris.paper_graph("paper-b")]
    assert sorted(graph_b_now) == graph_b
    labels = {r["l"] for r in rows(store, "SELECT ?l WHERE { ?o a org:Organization ; rdfs:label ?l }")}
    assert "Alpha Council" not in labels  # no paper supports it any more
    assert {"Beta Trust", "Gamma Trust", "Delta Trust"} <= labels
    members = rows(store, "SELECT ?l WHERE { ?p rdfs:label 'Joint Board' ; org:hasMember/rdfs:label ?l }")
    assert {r["l"] for r in members} == {"Beta Trust", "Gamma Trust", "Delta Trust"}


def test_aliases_follow_the_papers_that_use_them(store):
    doc, ex = make_paper("paper-a", "Members: Alpha Council.", ["Alpha Council"], "Joint Board")
    ex.entities["organisation/alpha-council"].aliases.add("ACC")
    store.replace_paper(doc, ex)
    def aliases() -> set[str]:
        found = rows(store, "SELECT ?a WHERE { ?o rdfs:label 'Alpha Council' ; skos:altLabel ?a }")
        return {r["a"] for r in found}

    assert "ACC" in aliases()
    doc, ex = make_paper("paper-a", "Members: Alpha Council.", ["Alpha Council"], "Joint Board")
    store.replace_paper(doc, ex)
    assert "ACC" not in aliases()


def _alt_labels(store) -> set[tuple[str, str]]:
    found = rows(store, f"SELECT ?e ?a WHERE {{ GRAPH <{iris.ENTITIES_GRAPH}> {{ ?e skos:altLabel ?a }} }}")
    return {(r["e"], r["a"]) for r in found}


def _alt_labels_from_scratch(store) -> set[tuple[str, str]]:
    """Every name some paper gives an entity, less its label: what altLabel must always hold."""
    found = rows(store, f"""SELECT DISTINCT ?e ?n WHERE {{
        GRAPH <{iris.ENTITIES_GRAPH}> {{ ?e rdfs:label ?l }}
        GRAPH ?g {{ ?e ck:nameInPaper ?n }} FILTER(STRSTARTS(STR(?g), "{iris.PAPER_GRAPH_PREFIX}"))
        FILTER(?n != ?l) }}""")
    return {(r["e"], r["n"]) for r in found}


@pytest.mark.parametrize("seed", range(4))
def test_incremental_alt_labels_match_a_recomputation_from_every_paper(store, seed: int):
    """Random replaces and removals over papers sharing entities whose names and labels change."""
    import random

    rng = random.Random(seed)
    surface = {
        "organisation/alpha": ["Alpha Council", "Alpha CC", "ACC", "Alpha"],
        "organisation/beta": ["Beta Trust", "Beta NHS Trust", "BT"],
        "service/gamma": ["Gamma Care", "Gamma", "Alpha"],  # "Alpha" also names another entity
    }
    papers: set[str] = set()
    for step in range(14):
        doc_id = f"paper-{rng.randrange(5)}"
        if doc_id in papers and rng.random() < 0.25:
            store.remove_paper(doc_id)
            papers.discard(doc_id)
        else:
            entities = {}
            for key in rng.sample(sorted(surface), rng.randint(1, 3)):
                names = rng.sample(surface[key], rng.randint(1, len(surface[key])))
                kind = "Organisation" if key.startswith("organisation/") else "Service"
                entities[key] = Entity(key, kind, names[0], set(names[1:]))
            text = f"Paper {doc_id}, version {step}."
            doc = Document(doc_id, f"{doc_id}.txt", f"{doc_id}-{step}".ljust(64, "0"), text,
                           [Block("paragraph", 0, len(text), text)], [], Metadata(title=doc_id))
            store.replace_paper(doc, Extraction(doc_id, entities, [], [], {"councilkg": "test"}))
            papers.add(doc_id)
        assert _alt_labels(store) == _alt_labels_from_scratch(store), f"after step {step}"
    assert _alt_labels(store), "the sequence should leave some alternative names to compare"


def test_bad_evidence_is_refused_and_nothing_changes(loaded):
    before = sorted(str(q) for q in loaded.quads())
    doc, ex = example_document(), example_extraction()
    shifted = dataclasses.replace(ex.relations[0].evidence, start=3)
    bad = dataclasses.replace(ex.relations[0], evidence=shifted)
    ex.relations[0] = bad
    with pytest.raises(InputError, match="example-paper.txt"):
        loaded.replace_paper(doc, ex)
    assert sorted(str(q) for q in loaded.quads()) == before


def test_remove_paper(store):
    store.replace_paper(*make_paper("paper-a", "Members: Alpha Council.", ["Alpha Council"], "Joint Board"))
    store.remove_paper("paper-a")
    assert store.paper_hash("paper-a") is None
    assert not rows(store, "SELECT ?o WHERE { ?o rdfs:label 'Alpha Council' }")


def test_shacl_conformance(loaded):
    report = loaded.validate()
    assert report.conforms, report.text
    assert report.triples > 100


def test_shacl_catches_a_broken_fact(loaded):
    loaded.update(PREFIXES + "DELETE WHERE { GRAPH ?g { ?f ck:inPaper ?p } }")
    report = loaded.validate()
    assert not report.conforms
    assert "inPaper" in report.text


@pytest.mark.parametrize("fmt", ["trig", "nquads", "jsonld", "turtle"])
def test_export_round_trips(loaded, fmt):
    from rdflib import Dataset

    data = loaded.export(fmt)
    ds = Dataset()
    ds.parse(data=data.decode(), format={"trig": "trig", "nquads": "nquads", "jsonld": "json-ld",
                                          "turtle": "turtle"}[fmt])
    assert len(ds) > 0 or sum(len(g) for g in ds.graphs()) > 100


def test_build_stage_helpers(store):
    from kg.build import load_extractions, remove_missing, stale_papers

    good = make_paper("paper-a", "Members: Alpha Council.", ["Alpha Council"], "Joint Board")
    bad_doc, bad_ex = make_paper("paper-b", "Members: Beta Trust.", ["Beta Trust"], "Joint Board")
    bad_ex.mentions[0] = dataclasses.replace(
        bad_ex.mentions[0], evidence=dataclasses.replace(bad_ex.mentions[0].evidence, quote="Gamma"))
    failed = load_extractions(store, [good, (bad_doc, bad_ex)])
    assert list(failed) == ["paper-b"] and "paper-b.txt" in failed["paper-b"]
    assert store.paper_hash("paper-a") == good[0].content_hash
    hashes = {"paper-a": good[0].content_hash, "paper-b": bad_doc.content_hash}
    assert stale_papers(store, hashes) == ["paper-b"]
    assert stale_papers(store, {"paper-a": "changed"}) == ["paper-a"]
    assert remove_missing(store, ["paper-b"]) == ["paper-a"]
    assert store.paper_hashes() == {}


def table_row_paper():
    """A made-up commissioning-plan row with the attributes nlp's table reader gives a service status."""
    text = ("3b. Transforming Homecare Review\tA review of homecare.\tMay 2019\tJo Bloggs\tCllr Smith\t"
            "ASC Budget and CCG\tCirca £14 m; CCG £2.5m\tSave £1.5m\n"
            "RESOLVED: Felpersham Council approves the tender and delegates to the Director.\n")
    doc = Document("row-paper", "row-paper.txt", "r".ljust(64, "0"), text,
                   [Block("paragraph", 0, len(text), text)], [],
                   Metadata(authority="Felpersham Council", gss_code="E06000099", date="2019-07-09"))
    row_end = text.index("\n")
    row = Evidence(doc.doc_id, 0, row_end, text[:row_end], "table:header-columns", 0.8)
    decision_start = row_end + 1
    decision_text = text[decision_start:-1]
    decided = Evidence(doc.doc_id, decision_start, len(text) - 1, decision_text, "rule:resolved", 0.9)
    entities = {
        "service/home-care": Entity("service/home-care", "Service", "Home Care", {"Homecare"}),
        "person/jo-bloggs": Entity("person/jo-bloggs", "Person", "Jo Bloggs", {"Jo Bloggs"}),
        "fundingstream/asc-budget": Entity("fundingstream/asc-budget", "FundingStream", "ASC Budget", set()),
        "organisation/felpersham-council": Entity("organisation/felpersham-council", "Organisation",
                                                  "Felpersham Council", set(), "local-authority"),
        "organisation/felpersham-ccg": Entity("organisation/felpersham-ccg", "Organisation", "Felpersham CCG",
                                              set(), "clinical-commissioning-group"),
    }
    money = [
        {"value": 14_000_000.0, "value_max": None, "qualifier": "circa", "text": "Circa £14 m",
         "role": "money"},
        {"value": 2_500_000.0, "value_max": None, "qualifier": None, "text": "£2.5m", "role": "money"},
        {"value": 1_500_000.0, "value_max": None, "qualifier": None, "text": "£1.5m", "role": "savings"},
    ]
    relations = [
        Relation("service_status", "service/home-care", None, row, {
            "status": "review", "group": "new", "sponsor": ["person/jo-bloggs"],
            "portfolio_holders": ["Cllr Smith"], "funding": ["fundingstream/asc-budget"],
            "funding_text": "ASC Budget and CCG", "money": money, "dates": ["2019-05", "2019-04/2020-03"],
            "milestones": [{"text": "Agree short term changes", "periods": []}], "savings": "Save £1.5m"}),
        Relation("decision", "organisation/felpersham-council", "service/home-care", decided, {
            "text": decision_text, "action": "approve", "organisations": ["organisation/felpersham-ccg"],
            "delegations": ["the Director"]}),
        Relation("joint_commissioning", "organisation/felpersham-council", "service/home-care", row,
                 {"partners": ["organisation/felpersham-ccg"], "periods": ["2017-09"]}),
    ]
    return doc, Extraction(doc.doc_id, entities, [], relations, {"councilkg": "0.1.0"})


def test_table_row_attributes_become_rdf(store):
    store.replace_paper(*table_row_paper())
    (status,) = rows(store, """SELECT ?group ?sponsor ?holder ?fund ?ftext ?savings ?milestone WHERE {
        ?f a ck:ServiceStatus ; ck:statusGroup/skos:notation ?group ; ck:sponsor/rdfs:label ?sponsor ;
           ck:portfolioHolderName ?holder ; ck:fundingStream/rdfs:label ?fund ; ck:fundingText ?ftext ;
           ck:savingsText ?savings ; ck:milestone ?milestone }""")
    assert status == {"group": "new", "sponsor": "Jo Bloggs", "holder": "Cllr Smith", "fund": "ASC Budget",
                      "ftext": "ASC Budget and CCG", "savings": "Save £1.5m",
                      "milestone": "Agree short term changes"}
    amounts = rows(store, """SELECT ?p ?v ?t ?q WHERE { ?f a ck:ServiceStatus ; ?p ?m .
        ?m a schema:MonetaryAmount ; schema:value ?v ; ck:amountText ?t
        OPTIONAL { ?m ck:amountQualifier ?q } }""")
    found = {(r["p"].rsplit("#", 1)[-1].rsplit("/", 1)[-1], float(r["v"]), r["t"], r.get("q"))
             for r in amounts}
    assert found == {
        ("amount", 14e6, "Circa £14 m", "circa"), ("amount", 2.5e6, "£2.5m", None),
        ("savingsAmount", 1.5e6, "£1.5m", None)}
    periods = rows(store, "SELECT ?l WHERE { ?f a ck:ServiceStatus ; ck:period/rdfs:label ?l }")
    assert {r["l"] for r in periods} == {"2019-05", "2019-04/2020-03"}
    (decision,) = rows(store, """SELECT * WHERE { ?f a ck:Decision ; ck:action ?action ;
        ck:involves/rdfs:label ?org ; ck:delegation ?delegation }""")
    assert (decision["action"], decision["org"], decision["delegation"]) == (
        "approve", "Felpersham CCG", "the Director")
    (joint,) = rows(store, "SELECT ?l WHERE { ?f a ck:Commissioning ; ck:period/rdfs:label ?l }")
    assert joint["l"] == "2017-09"
    report = store.validate()
    assert report.conforms, report.text


def test_service_timeline_keeps_every_figure_and_leaves_out_savings(store):
    from kg.browse import service_timeline

    store.replace_paper(*table_row_paper())
    timeline = service_timeline(store, iris.entity_iri("service/home-care"))
    (row,) = [r for r in timeline.rows if r.status]  # the decision is a row of its own passage
    assert sorted(row.money) == [2_500_000.0, 14_000_000.0]  # the £1.5m saving is not money in scope
    assert (row.status, row.sponsor) == ("Review", "Jo Bloggs")
