"""Form furniture never becomes a passage of its own: tick boxes read out, labels folded,
scraps merged or dropped, and each passage cites its own report inside an agenda pack."""

from __future__ import annotations

import pytest

from corpus.models import Block, Cell, Document, Metadata
from search.furniture import is_scrap, read_ticks, tick_phrase
from search.passages import MIN_SHOWN, build_passages, heading_paths


class Builder:
    """Builds a Document block by block with exact offsets (rows of tab-separated cells)."""

    def __init__(self) -> None:
        self.text = ""
        self.blocks: list[Block] = []
        self.section = ""

    def _add(self, body: str) -> int:
        start = len(self.text)
        self.text += body + "\n\n"
        return start

    def heading(self, body: str, level: int = 1) -> Builder:
        start = self._add(body)
        self.section = body
        self.blocks.append(Block("heading", start, start + len(body), body, level=level))
        return self

    def para(self, body: str) -> Builder:
        start = self._add(body)
        self.blocks.append(Block("paragraph", start, start + len(body), body, section=self.section))
        return self

    def row(
        self, table: int, cells: list[str], headers: list[str] | None = None, groups: tuple[str, ...] = ()
    ) -> Builder:
        line = "\t".join(cells)
        start = self._add(line)
        made, pos = [], start
        for i, cell in enumerate(cells):
            header = headers[i] if headers else ("" if i == 0 else cells[0])  # row-label layout
            made.append(Cell(header, cell, pos, pos + len(cell)))
            pos += len(cell) + 1
        self.blocks.append(
            Block(
                "table_row",
                start,
                start + len(line),
                line,
                section=self.section,
                table_id=table,
                row=len(self.blocks),
                cells=tuple(made),
                group=groups[-1] if groups else "",
                groups=groups,
            )
        )
        return self

    def build(self) -> Document:
        return Document("form", "form.txt", "f" * 64, self.text, self.blocks, [], Metadata())


def shown(p) -> str:  # noqa: ANN001 - a Passage
    return p.rendered or p.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Key Decision ☒ Yes ☐ No", "Key Decision: Yes"),
        ("Reasons: ☐ Expenditure ☒ Income ☒ Savings", "Reasons: Income, Savings"),
        ("Subject to call-in ☐ Yes ☐ No", "Subject to call-in"),
        ("no boxes at all", "no boxes at all"),
    ],
)
def test_tick_boxes_are_read_as_the_options_ticked(text: str, expected: str) -> None:
    assert tick_phrase(text) == expected


def test_a_bare_ticked_box_is_a_ticked_grid_cell() -> None:
    ticks = read_ticks(" ☒ ")
    assert ticks is not None and ticks.answered and ticks.bare_ticked
    assert not read_ticks("☐").answered


@pytest.mark.parametrize(
    "text",
    [
        "None.",
        "6.1 Not applicable",
        "N/A",
        "☐ ☐",
        "Exempt information:",
        "£4,500",
        "Continuing",
        "screentip-sectionB",
        "12.5%",
    ],
)
def test_scraps_are_recognised(text: str) -> None:
    assert is_scrap(text)


@pytest.mark.parametrize(
    "text", ["Provider failure could leave people at risk.", "Better Care Fund pooled budget"]
)
def test_real_phrases_are_not_scraps(text: str) -> None:
    assert not is_scrap(text)


def grid_document() -> Document:
    b = Builder().heading("Front sheet")
    b.row(1, ["Priority theme for the plan:", "", ""])
    for theme, box in [
        ("Housing", "☐"),
        ("Adult social care and community health", "☒"),
        ("Schools", "☐"),
        ("Transport", "☒"),
    ]:
        b.row(1, [theme, box])
    b.para("The report asks the panel to approve a new framework for supported living providers.")
    return b.build()


def test_a_tick_box_grid_is_one_passage_naming_what_is_ticked() -> None:
    doc = grid_document()
    passages = build_passages(doc)
    grid = [p for p in passages if "Transport" in shown(p)]
    assert len(grid) == 1
    assert shown(grid[0]) == "Priority theme for the plan: Adult social care and community health; Transport"
    assert "Housing" not in shown(grid[0]) and "Schools" not in shown(grid[0])
    assert doc.text[grid[0].start : grid[0].end] == grid[0].text  # still quotes the paper
    assert not any("☐" in shown(p) or "☒" in shown(p) for p in passages)


def test_a_grid_with_nothing_ticked_is_left_out() -> None:
    b = Builder().heading("Front sheet")
    for theme in ("Housing", "Schools", "Transport"):
        b.row(1, [theme, "☐"])
    b.para("The report asks the panel to approve a new framework for supported living providers.")
    passages = build_passages(b.build())
    assert len(passages) == 1 and "framework" in passages[0].text


def test_grid_columns_with_real_headers_name_their_choice() -> None:
    b = Builder().heading("Equality impact")
    headers = ["Group", "May benefit", "May be disadvantaged"]
    for group, a, c in [("Older people", "☒", "☐"), ("Carers", "☒", "☐"), ("Young people", "☐", "☒")]:
        b.row(2, [group, a, c], headers)
    (p,) = [p for p in build_passages(b.build()) if "Carers" in shown(p)]
    assert "May benefit: Older people; Carers" in shown(p)
    assert "May be disadvantaged: Young people" in shown(p)


def test_inline_tick_fields_and_row_labels_read_as_sentences() -> None:
    b = Builder().heading("Front sheet")
    b.row(3, ["Key Decision", "☒ Yes ☐ No", "Subject to call-in", "☐ Yes ☒ No"])
    b.row(3, ["Directorate:", "Adults, Health and Housing with a long enough name"])
    rendered = [shown(p) for p in build_passages(b.build())]
    joined = " | ".join(rendered)
    assert "Key Decision: Yes" in joined and "Subject to call-in: No" in joined
    assert "Directorate: Adults, Health and Housing" in joined
    assert "Directorate:; Directorate" not in joined


def test_a_lone_label_is_folded_into_the_passage_it_names() -> None:
    b = Builder().heading("Recommendations")
    b.row(4, ["Recommendation(s):", ""])
    b.para("To approve the award of the home care framework to four providers for three years.")
    passages = build_passages(b.build())
    assert len(passages) == 1
    assert passages[0].text.startswith("Recommendation(s):")
    assert "To approve the award" in passages[0].text


def test_nil_answers_are_not_passages_and_nothing_short_is_indexed() -> None:
    b = Builder()
    b.heading("1 Apologies").para("Councillor Example sent apologies for reasons of ill health today.")
    b.heading("2 Declarations of interest").para("None.")
    b.heading("3 Home care").para(
        "The committee approved the extension of the home care contracts by a year."
    )
    passages = build_passages(b.build())
    assert all(len(shown(p)) >= MIN_SHOWN for p in passages)
    assert not any(shown(p).strip() == "None." for p in passages)


def test_group_label_rows_are_context_not_passages() -> None:
    b = Builder().heading("Commissioning plan")
    headers = ["Activity", "Status", "Budget"]
    b.row(5, ["Continuing", "", ""], headers)
    b.row(5, ["Review of day services for adults", "Review", "£1.2m"], headers, groups=("Continuing",))
    passages = build_passages(b.build())
    assert [shown(p) for p in passages] == [
        "Activity: Review of day services for adults; Status: Review; Budget: £1.2m"
    ]


def test_each_report_of_an_agenda_pack_carries_its_own_heading_path() -> None:
    b = Builder()
    b.heading("11 Drug and alcohol contract approval")
    b.para("The sub-committee approved the contract for the drug and alcohol recovery service.")
    b.row(6, ["Subject:", "Care Homes Commissioning Proposal"])
    b.para("The report sets out a new specification for residential and nursing care homes in the city.")
    b.heading("2 Background")
    b.para("Demand for residential care homes has fallen as more people are supported at home.")
    doc = b.build()
    paths = heading_paths(doc)
    assert paths[1] == "11 Drug and alcohol contract approval"
    sections = {p.text.split(" ")[1]: p.section for p in build_passages(doc) if p.kind == "paragraph"}
    assert sections["report"] == "Care Homes Commissioning Proposal"
    assert sections["for"] == "Care Homes Commissioning Proposal › 2 Background"


def test_a_box_taken_for_a_column_header_is_not_shown() -> None:
    b = Builder().heading("Equality impact assessment")
    b.row(5, ["Outcome of the assessment:", "No major change to the policy is needed"], headers=["", "☒"])
    b.row(5, ["Reviewed by:", "The equalities officer for adult social care"], headers=["", "☒"])
    rendered = " | ".join(shown(p) for p in build_passages(b.build()))
    assert "No major change to the policy is needed" in rendered
    assert "☒" not in rendered and "☐" not in rendered


def test_a_run_of_bold_lines_is_a_list_not_a_heading_path() -> None:
    b = Builder().heading("Board membership", level=2)
    names = ["Members", "Role", "Alex EXAMPLE", "Chair, nominated by the council", "Sam PLACEHOLDER",
             "Chief Finance Officer", "Jo SAMPLE", "Voting member, nominated by the health board"]
    for name in names:
        b.heading(name, level=2)
    b.heading("Minutes of the previous meeting", level=2)
    b.para("The minutes of the meeting held in March were agreed as a correct record by members.")
    doc = b.build()
    passages = build_passages(doc)
    listed = [p for p in passages if "Sam PLACEHOLDER" in p.text]
    assert listed and "Chief Finance Officer" in listed[0].text
    minutes = next(p for p in passages if "correct record" in p.text)
    assert "Jo SAMPLE" not in minutes.section and minutes.section.endswith("Minutes of the previous meeting")
