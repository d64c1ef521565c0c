"""Relations from prose (issue #15 item 3): contract awards, hosting, parties to an agreement or
pooled budget, and membership of a body the paper names generically, on made-up paragraphs."""

from __future__ import annotations

import pytest

from corpus import load_document
from corpus.metadata import CatalogueRow
from corpus.models import Document
from nlp.extractor import Extractor
from nlp.models import Extraction

HWB = "Health and Wellbeing Board (Derby City Council)"  # a body every council has: labelled with its own

PAPER = """Report to the Health and Wellbeing Board

1. The Health and Wellbeing Board is hosted by Derby City Council.
2. A Section 75 agreement between Derby City Council and NHS Wellow Vale CCG pools the budgets.
3. The contract for reablement was awarded to Brightside Care Partners Ltd for £1.2m per annum.
4. The Council agreed to award the contract for home care to Kingsmoor Homecare Limited.
5. The Health and Wellbeing Board met in June. The Board comprises Derby City Council, \
NHS Wellow Vale CCG and Kingsmoor Hospitals NHS Foundation Trust.
6. Day services cost £3.4m last year.
"""


@pytest.fixture(scope="module")
def extraction(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Extraction]:
    return _paper(tmp_path_factory)[0].text, _paper(tmp_path_factory)[1]


_CACHE: dict[str, tuple[Document, Extraction]] = {}


def _paper(tmp_path_factory: pytest.TempPathFactory) -> tuple[Document, Extraction]:
    if "paper" not in _CACHE:
        path = tmp_path_factory.mktemp("prose") / "paper.txt"
        path.write_text(PAPER, encoding="utf-8")
        doc = load_document(path, CatalogueRow("paper.txt", authority="Derby City Council"))
        _CACHE["paper"] = (doc, Extractor().extract(doc))
    return _CACHE["paper"]


def _rels(x: Extraction, rtype: str) -> list[tuple[str, str | None, dict]]:
    names = {k: e.name for k, e in x.entities.items()}
    return [(names.get(r.subject), names.get(r.object or ""), dict(r.attrs)) for r in x.relations
            if r.type == rtype]


def test_contract_awards_give_provider_and_commissioner_with_the_sentence_s_money(
    extraction: tuple[str, Extraction],
) -> None:
    text, x = extraction
    provides = {(s, o): a for s, o, a in _rels(x, "provides")}
    assert ("Brightside Care Partners Ltd", "Reablement") in provides
    assert ("Kingsmoor Homecare Limited", "Home Care") in provides
    award = provides[("Brightside Care Partners Ltd", "Reablement")]
    assert award["amount"] == 1_200_000 and award["award"] is True
    assert "amount" not in provides[("Kingsmoor Homecare Limited", "Home Care")]  # never another sentence's
    commissions = {(s, o) for s, o, _ in _rels(x, "commissions")}
    assert ("Derby City Council", "Reablement") in commissions
    for r in x.relations:
        assert text[r.evidence.start:r.evidence.end] == r.evidence.quote


def test_hosting_and_agreement_parties(extraction: tuple[str, Extraction]) -> None:
    _, x = extraction
    assert ("Derby City Council", HWB) in {(s, o) for s, o, _ in _rels(x, "hosts")}
    parties = {s for s, o, _ in _rels(x, "party_to") if o == "Section 75 agreement"}
    assert parties == {"Derby City Council", "Wellow Vale Clinical Commissioning Group"}


def test_the_board_comprises_names_members_of_the_paper_s_board(extraction: tuple[str, Extraction]) -> None:
    _, x = extraction
    members = {s for s, o, _ in _rels(x, "member_of") if o == HWB}
    assert {"Derby City Council", "Wellow Vale Clinical Commissioning Group",
            "Kingsmoor Hospitals NHS Foundation Trust"} <= members


def test_hosting_and_parties_reach_the_graph(tmp_path_factory: pytest.TempPathFactory) -> None:
    from kg.rdf import paper_quads

    doc, x = _paper(tmp_path_factory)
    triples = {(q.subject.value, q.predicate.value, getattr(q.object, "value", None))
               for q in paper_quads(doc, x).all()}
    ck = "https://w3id.org/councilkg/ontology#"
    hosted = {(s, o) for s, p, o in triples if p == ck + "hostedBy"}
    assert any(s.endswith("-health-and-wellbeing-board") and o.endswith("/derby-city-council")
               for s, o in hosted)
    parties = {s for s, p, o in triples if p == ck + "partyTo" and o.endswith("section-75-agreement")}
    assert len(parties) == 2
    assert any(p == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" and o == ck + "AgreementParty"
               for _, p, o in triples)
