"""Entities people can tell apart: facts read as sentences, grouped by year, and bodies of one
authority labelled with it (made-up facts and a tiny made-up graph)."""

from __future__ import annotations

import pyoxigraph as ox

from kg.browse import EvidenceRef, Fact, qualified_labels
from kg.timeline import figure_basis
from web.entity_view import SELF, fact_sentence, fact_view, facts_by_year

ID = "https://w3id.org/councilkg/id/"


def ev(doc: str, start: int, date: str) -> EvidenceRef:
    return EvidenceRef(f"{ID}paper/{doc}", doc, f"{doc}.txt", f"Title of {doc}", date, "Felpersham Council",
                       start, start + 10, "made-up words", 0.8)


def membership(member: str, date: str, start: int = 0) -> Fact:
    return Fact(f"{ID}fact/m/{member}/{date}", "membership", "organization",
                [{"iri": f"{ID}organisation/{member}", "label": member.title(), "role": "member"},
                 {"iri": f"{ID}role/chair", "label": "chair", "role": "role"}],
                {"relation type": "member_of"}, [ev("p" + date[:4], start, date)])


def test_membership_reads_member_first_whoever_the_page_is_about() -> None:
    sentence = fact_sentence(fact_view(membership("felpersham council", "2019-05-01")), "membership")
    assert sentence.text == "Felpersham Council is a member of it, as chair."
    assert sentence.parts[0] == ("Felpersham Council", f"{ID}organisation/felpersham council")
    assert ("", SELF) in sentence.parts
    partnership = {"iri": f"{ID}partnership/p", "label": "Wold Partnership", "role": "organization"}
    on_member_page = Fact(f"{ID}fact/x", "membership", "member", [partnership], {}, [ev("a", 0, "2018")])
    said = fact_sentence(fact_view(on_member_page), "membership").text
    assert said == "it is a member of Wold Partnership."


def test_commissioning_decisions_and_funding_read_as_sentences() -> None:
    joint = Fact(f"{ID}fact/c", "commissioning", "service",
                 [{"iri": f"{ID}organisation/a", "label": "Wold Council", "role": "commissioner"},
                  {"iri": f"{ID}organisation/b", "label": "Wold CCG", "role": "joint with"}],
                 {"is joint": "true", "amount": "1200000"}, [ev("a", 0, "2018")])
    assert fact_sentence(fact_view(joint), "commissioning").text == (
        "Wold Council jointly commissions it, jointly with Wold CCG, £1.2m.")
    decision = Fact(f"{ID}fact/d", "decision", "decided by", [],
                    {"action": "note", "description": "That the report be noted."}, [ev("a", 0, "2018")])
    said = fact_sentence(fact_view(decision), "decision").text
    assert said == "it decided to note: “That the report be noted.”"


def test_facts_are_grouped_by_year_newest_first_one_line_per_statement() -> None:
    facts = [membership("wold council", "2017-03-01"), membership("wold council", "2019-05-01", 40),
             membership("wold council", "2019-06-01", 80), membership("dale council", "2019-05-01", 120)]
    years = facts_by_year(facts)
    assert [y.year for y in years] == ["2019", "2017"]
    lines = [(s.text, len(f.evidence)) for s, f in years[0].facts]
    assert lines == [("Dale Council is a member of it, as chair.", 1),
                     ("Wold Council is a member of it, as chair.", 2)]
    assert [e.date for e in years[1].facts[0][1].evidence] == ["2017-03-01"]


def test_bodies_of_an_authority_show_it_and_others_keep_their_name() -> None:
    store = ox.Store()
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    for iri, name in [("organisation/wold-council", "Wold Council"),
                      ("organisation/dale-council", "Dale Council"),
                      ("partnership/wold-council--health-and-wellbeing-board", "Health and Wellbeing Board"),
                      ("partnership/dale-council--health-and-wellbeing-board",
                       "Health and Wellbeing Board (Dale Council)")]:
        store.add(ox.Quad(ox.NamedNode(ID + iri), label, ox.Literal(name)))
    dale = "Health and Wellbeing Board (Dale Council)"
    shown = qualified_labels(store, {
        ID + "partnership/wold-council--health-and-wellbeing-board": "Health and Wellbeing Board",
        ID + "partnership/dale-council--health-and-wellbeing-board": dale,
        ID + "partnership/nowhere--board": "Board",
        ID + "organisation/wold-council": "Wold Council",
    })
    wold = "Health and Wellbeing Board (Wold Council)"
    assert list(shown.values()) == [wold, dale, "Board", "Wold Council"]


def test_figures_are_kinds_by_their_qualifier() -> None:
    assert [figure_basis(q) for q in ("circa", "circa; pa", "per annum", "up to; per week", "pcm",
                                      "over the five-year term", "")] == [
        "stated sum", "per year", "per year", "per week", "per month", "over a term", "stated sum"]
    assert figure_basis("pa", saving=True) == "saving per year" and figure_basis("", saving=True) == "saving"
