"""A service's timeline from made-up papers: each table row of a plan is its own row, with only
its own status and money (qualifier kept); a figure linked to the service without a fact is a
row of its own; changes compare one kind of figure with the same kind, year to year."""

from __future__ import annotations

from typing import Any

import pytest

from corpus.models import Block, Document, Metadata
from councilkg.settings import Settings
from kg import iris
from kg.store import open_graph_store
from kg.timeline import service_timeline
from nlp.models import Entity, Evidence, Extraction, Mention, Relation

SERVICE = "service/meals-at-home"


@pytest.fixture
def store(data_dir):
    with open_graph_store(Settings.load({"data_dir": str(data_dir)})) as s:
        yield s


def _money(doc_id: str, start: int, text: str, value: float, qualifier: str | None) -> Mention:
    return Mention("Money", text, Evidence(doc_id, start, start + len(text), text, "rule:money", 0.9),
                   value=value, qualifier=qualifier)


def _name(doc_id: str, start: int) -> Mention:
    ev = Evidence(doc_id, start, start + 13, "Meals at Home", "gazetteer", 0.9)
    return Mention("Service", "Meals at Home", ev, SERVICE)


def plan(doc_id: str, date: str, rows: list[tuple[str, str, list[dict[str, Any]]]],
         note: str = "") -> tuple[Document, Extraction]:
    """A made-up plan: a table row per ``(status, words, figures)``, then an optional sentence
    naming the service with a yearly figure and no fact."""
    text, blocks, relations, mentions = "", [], [], []
    for status, words, money in rows:
        line = f"Meals at Home\t{words}\t{status}"
        start = len(text)
        text += line + "\n"
        blocks.append(Block("table_row", start, start + len(line), line, table_id=0, row=len(blocks)))
        ev = Evidence(doc_id, start, start + len(line), line, "table:header-columns", 0.8)
        relations.append(Relation("service_status", SERVICE, None, ev, {"status": status, "money": money}))
        mentions.append(_name(doc_id, start))
        for m in money:
            at = start + line.index(m["text"])
            mentions.append(_money(doc_id, at, m["text"], m["value"], m.get("qualifier")))
    if note:
        start = len(text)
        text += note + "\n"
        blocks.append(Block("paragraph", start, start + len(note), note))
        mentions.append(_name(doc_id, start + note.index("Meals at Home")))
        mentions.append(_money(doc_id, start + note.index("£90k pa"), "£90k pa", 90000.0, "pa"))
    doc = Document(doc_id, f"{doc_id}.txt", doc_id.ljust(64, "0"), text, blocks, [],
                   Metadata(authority="Wold Council", date=date))
    entities = {SERVICE: Entity(SERVICE, "Service", "Meals at Home", {"Meals at Home"})}
    return doc, Extraction(doc_id, entities, mentions, relations, {"councilkg": "test"})


def test_each_table_row_is_a_row_with_its_own_status_and_money(store) -> None:
    store.replace_paper(*plan("wold-2019", "2019-05-01", [
        ("review", "Review of the service; no budget of its own", []),
        ("implementation", "New model in place; circa £1.2m", [
            {"value": 1_200_000.0, "qualifier": "circa", "text": "circa £1.2m", "role": "money"}]),
    ], note="Meals at Home also costs £90k pa for transport."))
    timeline = service_timeline(store, iris.entity_iri(SERVICE))
    by_status = {r.status: r for r in timeline.rows if r.status}
    assert set(by_status) == {"Review", "Implementation"}
    assert by_status["Review"].figures == [] and "no budget" in by_status["Review"].quotes[0].quote
    (figure,) = by_status["Implementation"].figures
    assert (figure.text, figure.qualifier, figure.basis) == ("circa £1.2m", "circa", "stated sum")
    assert figure.text in by_status["Implementation"].quotes[0].quote
    (alone,) = [r for r in timeline.rows if not r.status]
    assert alone.kinds == ["money figure"] and [f.basis for f in alone.figures] == ["per year"]


def test_changes_compare_like_with_like_across_years(store) -> None:
    store.replace_paper(*plan("wold-2018", "2018-05-01", [
        ("review", "Costs £1m", [{"value": 1_000_000.0, "text": "£1m", "role": "money"}]),
    ], note="Meals at Home also costs £90k pa for transport."))
    store.replace_paper(*plan("wold-2020", "2020-05-01", [
        ("review", "Costs £1m; drivers £95k pa", [
            {"value": 1_000_000.0, "text": "£1m", "role": "money"},
            {"value": 95_000.0, "qualifier": "pa", "text": "£95k pa", "role": "money"}]),
    ]))
    timeline = service_timeline(store, iris.entity_iri(SERVICE))
    tracks = {t.field: t for t in timeline.tracks}
    assert tracks["money (stated sum)"].changed == []  # £1m both years: the yearly figure is not compared
    assert tracks["money (per year)"].by_year == {2018: ["90000"], 2020: ["95000"]}
    assert tracks["money (per year)"].changed == [2020] and tracks["status"].changed == []
    (row_2020,) = [r for r in timeline.rows if r.year == 2020]
    assert row_2020.changes == ["amount"]
    assert [y.year for y in timeline.years] == [2018, 2020]
