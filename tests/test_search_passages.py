"""Passages: sentence-boundary cuts, tiny blocks merged, table rows with headers, exact offsets."""

from __future__ import annotations

import pytest

from corpus.models import Block, Cell, Document, Metadata, example_document
from search.expansion import ExpansionTable, mine_acronyms
from search.passages import build_passages, split_span


def make_document(parts: list[tuple[str, str]], doc_id: str = "paper-a", **meta: str) -> Document:
    """A Document from (kind, text) parts; headings set the section of what follows."""
    text, blocks, section = "", [], ""
    for kind, body in parts:
        start = len(text)
        text += body + "\n\n"
        if kind == "heading":
            section = body
            blocks.append(Block("heading", start, start + len(body), body, level=1))
        else:
            blocks.append(Block(kind, start, start + len(body), body, section=section))
    return Document(doc_id, f"{doc_id}.txt", doc_id.ljust(64, "0"), text, blocks, [], Metadata(**meta))


def test_every_passage_quotes_the_paper_exactly() -> None:
    doc = example_document()
    passages = build_passages(doc)
    assert passages
    for p in passages:
        assert doc.text[p.start : p.end] == p.text
        assert p.authority == "Nottingham City Council" and p.date == "2019-07-09"


def test_table_row_is_rendered_with_its_column_headers_but_quotes_the_row() -> None:
    doc = example_document()
    row = next(p for p in build_passages(doc) if p.kind == "table_row")
    assert "Funding Source: Better Care Fund" in row.rendered
    assert "Service: Home Care" in row.embedding_text
    assert "Funding Source" not in row.text  # the snippet is the paper's own words
    assert row.section == "Health and Social Care Integration"


def test_long_paragraph_is_split_at_sentence_boundaries() -> None:
    sentence = "The council will review the domiciliary care framework with providers and carers. "
    doc = make_document([("heading", "Home Care"), ("paragraph", (sentence * 30).strip())])
    passages = build_passages(doc, max_chars=300)
    assert len(passages) > 3
    for p in passages:
        assert len(p.text) <= 300
        assert p.text.endswith("carers.")
        assert p.section == "Home Care"
        assert doc.text[p.start : p.end] == p.text


def test_a_sentence_longer_than_the_limit_is_cut_at_a_space() -> None:
    text = " ".join(["word"] * 400)
    spans = split_span(text, 0, len(text), max_chars=100)
    assert all(e - s <= 100 for s, e in spans)
    assert all(text[s] != " " and text[e - 1] != " " for s, e in spans)
    assert " ".join(text[s:e] for s, e in spans) == text


def test_tiny_list_items_merge_within_a_section_but_not_across_sections() -> None:
    doc = make_document(
        [
            ("heading", "Priorities"),
            ("list_item", "Prevention."),
            ("list_item", "Early help."),
            ("list_item", "Access to services."),
            ("heading", "Risks"),
            ("list_item", "Provider failure could leave people without their daily visits."),
        ]
    )
    passages = build_passages(doc)
    assert [p.section for p in passages] == ["Priorities", "Risks"]
    assert "Prevention." in passages[0].text and "Access to services." in passages[0].text
    assert passages[1].text.startswith("Provider failure")


def test_a_scrap_too_short_to_stand_alone_joins_its_neighbour_across_a_heading() -> None:
    doc = make_document(
        [
            ("heading", "Priorities"),
            ("paragraph", "The board will fund prevention and early help for older people in the city."),
            ("heading", "Risks"),
            ("list_item", "Provider failure."),
        ]
    )
    passages = build_passages(doc)
    assert len(passages) == 1
    assert passages[0].text.endswith("Provider failure.")
    assert doc.text[passages[0].start : passages[0].end] == passages[0].text


def test_an_over_long_table_row_is_split_by_cells_keeping_the_row_identity() -> None:
    name = "Integrated Community Equipment Loan Service"
    rationale = "Equipment helps people stay safe at home after a hospital stay. " * 20
    line = f"{name}\t{rationale.strip()}"
    text = "Service\tRationale\n" + line + "\n"
    start = text.index(name)
    cells = (
        Cell("Service", name, start, start + len(name)),
        Cell("Rationale", rationale.strip(), start + len(name) + 1, start + len(line)),
    )
    blocks = [
        Block("table_header", 0, len("Service\tRationale"), "Service\tRationale", table_id=0),
        Block("table_row", start, start + len(line), line, table_id=0, row=0, cells=cells),
    ]
    doc = Document("t", "t.txt", "1" * 64, text, blocks, [], Metadata())
    passages = build_passages(doc, max_chars=300)
    assert len(passages) > 2
    for p in passages:
        assert doc.text[p.start : p.end] == p.text
        assert name in p.embedding_text  # every piece still says which service it is about


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("funded through the Better Care Fund (BCF) this year", ("BCF", "Better Care Fund")),
        ("the Clinical Commissioning Groups (CCGs) agreed", ("CCGs", "Clinical Commissioning Groups")),
        ("Future in Mind (FiM) is guidance", ("FiM", "Future in Mind")),
        (
            "the SEND (Special Educational Needs and Disabilities) reforms",
            ("SEND", "Special Educational Needs and Disabilities"),
        ),
    ],
)
def test_acronym_definitions_are_mined(text: str, expected: tuple[str, str]) -> None:
    assert expected in mine_acronyms(text)


@pytest.mark.parametrize("text", ["agreed in March (2019)", "the plan (see below)", "a review (RAG) of care"])
def test_brackets_that_are_not_acronym_definitions_are_ignored(text: str) -> None:
    assert mine_acronyms(text) == []


def test_expansion_goes_both_ways_and_matches_whole_words() -> None:
    table = ExpansionTable([("Better Care Fund", "BCF")])
    assert table.expansions("how is the BCF spent") == ["Better Care Fund"]
    assert table.expansions("spending of the better care fund") == ["BCF"]
    assert table.expansions("BCFX and abcf") == []


def test_an_alias_that_is_another_name_with_words_added_is_not_an_expansion() -> None:
    table = ExpansionTable([("Home Care", "Homecare"), ("Home Care", "Homecare Review"),
                            ("Home Care", "home care services"), ("Home Care", "care at home")])
    assert table.expansions("who provides home care") == ["Homecare", "care at home"]
