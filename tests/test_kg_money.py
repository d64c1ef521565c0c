"""Every money figure reaches the graph: a schema:MonetaryAmount with its own evidence, attached to
the paper always and to the fact or entity of its sentence or table row."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus.models import Block, Cell, Document, Metadata
from councilkg.settings import Settings
from kg import iris
from kg.rdf import paper_quads
from kg.store import open_graph_store
from nlp.amounts import money_contexts, sentence_spans
from nlp.models import Entity, Evidence, Extraction, Mention, Relation
from nlp.values import find_money

PREFIXES = """
PREFIX ck: <https://w3id.org/councilkg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX schema: <https://schema.org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

# Made-up paragraphs in the styles of council reports (no real paper's wording).
PARA_1 = ("The Board agreed to extend the Reablement contract at circa £1.4m per annum. "
          "Separately, the Better Care Fund will contribute up to £250k in 2020/21.")
PARA_2 = "Overall the programme is expected to cost £2m-£3m, approx. £0.5bn less than the old estimate."
ROW = "Day Opportunities\t£45,000 pa\tBetter Care Fund"


def _paper() -> tuple[Document, Extraction]:
    text = PARA_1 + "\n\n" + PARA_2 + "\n\n" + ROW
    p2 = len(PARA_1) + 2
    row = p2 + len(PARA_2) + 2
    cells, pos = [], row
    for header, cell in zip(("Service", "Cost", "Funding"), ROW.split("\t"), strict=True):
        cells.append(Cell(header, cell, pos, pos + len(cell)))
        pos += len(cell) + 1
    blocks = [Block("paragraph", 0, len(PARA_1), PARA_1), Block("paragraph", p2, p2 + len(PARA_2), PARA_2),
              Block("table_row", row, len(text), ROW, table_id=0, row=1, cells=tuple(cells))]
    doc = Document("money", "money.txt", "m" * 64, text, blocks, [],
                   Metadata(title="Money paper", date="2020-02-01"))

    def ev(phrase: str, method: str = "rule:test", confidence: float = 0.9, after: int = 0) -> Evidence:
        start = text.index(phrase, after)
        return Evidence("money", start, start + len(phrase), phrase, method, confidence)

    reab = Entity("service/reablement", "Service", "Reablement", {"Reablement"})
    day = Entity("service/day-opportunities", "Service", "Day Opportunities", {"Day Opportunities"})
    bcf = Entity("fundingstream/better-care-fund", "FundingStream", "Better Care Fund", {"Better Care Fund"})
    board = Entity("organisation/the-board", "Organisation", "Wellow Vale Board", {"Board"})
    mentions = [
        Mention("Service", "Reablement", ev("Reablement"), reab.key),
        Mention("FundingStream", "Better Care Fund", ev("Better Care Fund"), bcf.key),
        Mention("Service", "Day Opportunities", ev("Day Opportunities"), day.key),
        Mention("FundingStream", "Better Care Fund", ev("Better Care Fund", after=row), bcf.key),
    ]
    for block in blocks:
        for v in find_money(block.text):
            s = block.start + v.start
            money_ev = Evidence("money", s, s + len(v.text), v.text, "rule:money", 0.95)
            mentions.append(Mention("Money", v.text, money_ev, None, v.value, v.value_max, v.qualifier))
    first = PARA_1[:PARA_1.index(". ") + 1]
    second = PARA_1[len(first) + 1:]
    relations = [
        # a decision in the first sentence states no amount of its own: the figure is linked to it
        Relation("decision", board.key, reab.key, ev(first, "rule:decision", 0.8), {"action": "extend"}),
        # the funding of the second sentence already states its figure: not linked twice
        Relation("funds", bcf.key, reab.key, ev(second, "rule:funding", 0.7),
                 {"amount": 250_000.0, "amount_text": "up to £250k", "qualifier": "up to"}),
        Relation("service_status", day.key, None,
                 Evidence("money", row, len(text), ROW, "table:header-columns", 0.8),
                 {"status": "continuing"}),
    ]
    entities = {e.key: e for e in (reab, day, bcf, board)}
    return doc, Extraction("money", entities, mentions, relations, {"councilkg": "0.1.0"})


def rows(store, sparql: str) -> list[dict[str, str]]:
    body, _ = store.query(PREFIXES + sparql, "json")
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(body)["results"]["bindings"]]


@pytest.fixture
def store(data_dir: Path):
    with open_graph_store(Settings.load({"data_dir": str(data_dir)})) as s:
        s.replace_paper(*_paper())
        yield s


def test_sentences_do_not_end_inside_figures_or_after_abbreviations() -> None:
    text = "It costs c. £1.2m a year. It saves approx. £0.5m. Next."
    assert [text[s:e].strip() for s, e in sentence_spans(text)] == [
        "It costs c. £1.2m a year.", "It saves approx. £0.5m.", "Next."]


def test_every_figure_is_a_monetary_amount_of_the_paper_with_its_own_evidence(store) -> None:
    doc, _ = _paper()
    found = rows(store, """SELECT ?m ?v ?max ?q ?t ?s ?e ?exact ?method ?conf WHERE {
        ?p a ck:Paper ; ck:mentionsAmount ?m .
        ?m a schema:MonetaryAmount ; schema:value ?v ; schema:currency "GBP" ; ck:amountText ?t ;
           prov:wasDerivedFrom ?ev .
        OPTIONAL { ?m schema:maxValue ?max } OPTIONAL { ?m ck:amountQualifier ?q }
        ?ev oa:hasSource ?p ; ck:method ?method ; ck:confidence ?conf ;
            oa:hasSelector [ oa:start ?s ; oa:end ?e ] , [ oa:exact ?exact ] }""")
    got = {(float(r["v"]), float(r["max"]) if "max" in r else None, r.get("q"), r["t"]) for r in found}
    assert got == {
        (1_400_000.0, None, "circa; per annum", "circa £1.4m per annum"),
        (250_000.0, None, "up to", "up to £250k"),
        (2_000_000.0, 3_000_000.0, None, "£2m-£3m"),
        (500_000_000.0, None, "approximately", "approx. £0.5bn"),
        (45_000.0, None, "pa", "£45,000 pa"),
    }
    for r in found:
        assert doc.text[int(r["s"]):int(r["e"])] == r["exact"] == r["t"]
        assert r["method"] == "rule:money" and float(r["conf"]) == 0.95
        start, end = int(r["s"]), int(r["e"])
        assert r["m"] == iris.amount_iri("money", start, end, float(r["v"]),
                                         float(r["max"]) if "max" in r else None)
    assert store.validate().conforms


def test_a_figure_belongs_to_the_service_or_fund_of_its_sentence_or_row_only(store) -> None:
    found = rows(store, "SELECT ?t ?l WHERE { ?m ck:amountText ?t . "
                        "OPTIONAL { ?m ck:amountFor/rdfs:label ?l } }")
    linked: dict[str, set[str]] = {}
    for r in found:
        linked.setdefault(r["t"], set()).update({r["l"]} if "l" in r else set())
    assert linked == {
        "circa £1.4m per annum": {"Reablement"},
        "up to £250k": {"Better Care Fund"},
        "£2m-£3m": set(),  # a sentence without a service or fund: the paper only
        "approx. £0.5bn": set(),
        "£45,000 pa": {"Day Opportunities", "Better Care Fund"},  # the same table row
    }


def test_a_figure_belongs_to_the_fact_whose_sentence_or_row_holds_it(store) -> None:
    found = rows(store, """SELECT ?type ?t WHERE { ?f ck:relationType ?type ; schema:amount ?m .
        ?m ck:amountText ?t }""")
    assert sorted((r["type"], r["t"]) for r in found) == [
        ("decision", "circa £1.4m per annum"),  # linked: the decision states no figure itself
        ("funds", "up to £250k"),  # the fact's own amount, not a second copy of it
        ("service_status", "£45,000 pa"),
    ]
    own = rows(store, """SELECT ?m WHERE { ?f ck:relationType "funds" ; schema:amount ?m }""")
    assert [r["m"].rsplit("/", 1)[-1] for r in own] == ["amount"]


def test_money_contexts_and_quads_are_stable() -> None:
    doc, ex = _paper()
    contexts = money_contexts(doc, ex)
    assert [c.mention.text for c in contexts] == [
        "circa £1.4m per annum", "up to £250k", "£2m-£3m", "approx. £0.5bn", "£45,000 pa"]
    assert [c.relations for c in contexts] == [(0,), (1,), (), (), (2,)]
    assert sorted(map(str, paper_quads(doc, ex).all())) == sorted(map(str, paper_quads(*_paper()).all()))


@pytest.mark.slow
def test_the_extractor_stores_every_figure_of_a_made_up_report(tmp_path: Path, data_dir: Path) -> None:
    from corpus import load_document
    from corpus.metadata import CatalogueRow
    from nlp.extractor import Extractor

    text = ("REPORT TO CABINET\n\n"
            "1. The Council will fund the Home Care service at £3.2 million per annum from 2021/22.\n\n"
            "2. Up to £150,000 of the Better Care Fund is set aside for carers, with circa £14m held in "
            "reserve and £1,234,567.89 spent last year.\n\n"
            "Service\tCost £000\tFunding Source\n"
            "Extra Care\t1,250\tImproved Better Care Fund\n")
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    doc = load_document(path, CatalogueRow("report.txt", authority="Wellow Vale Council"))
    ex = Extractor().extract(doc)
    with open_graph_store(Settings.load({"data_dir": str(data_dir)})) as s:
        s.replace_paper(doc, ex)
        found = rows(s, """SELECT ?v ?t ?s ?e WHERE { ?p ck:mentionsAmount ?m . ?m schema:value ?v ;
            ck:amountText ?t ; prov:wasDerivedFrom/oa:hasSelector [ oa:start ?s ; oa:end ?e ] }""")
        linked = rows(s, "SELECT ?t ?l WHERE { ?m ck:amountText ?t ; ck:amountFor/rdfs:label ?l }")
        assert s.validate().conforms
    assert sorted(float(r["v"]) for r in found) == [
        150_000.0, 1_234_567.89, 1_250_000.0, 3_200_000.0, 14_000_000.0]
    for r in found:
        assert doc.text[int(r["s"]):int(r["e"])] == r["t"]
    by_quote: dict[str, set[str]] = {}
    for r in linked:
        by_quote.setdefault(r["t"], set()).add(r["l"])
    assert "Home Care" in by_quote["£3.2 million per annum"]
    assert "Home Care" not in by_quote.get("Up to £150,000", set())  # the next paragraph's figure
    assert "Extra Care" in by_quote["1,250"]  # the same table row
