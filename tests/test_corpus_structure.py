"""Structure rules: headings, paragraphs, lists, tables, page furniture, offsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.inline_markup import clean_inline, clean_segments
from corpus.loading import load_document
from corpus.source import LoadedSource, SourceLine
from corpus.structure import build_structure

HEADER = "Commissioning Activity and Scope\tRationale\tKey Milestones\tFunding Source\tProgress"


def build(text: str):
    return build_structure(LoadedSource.from_text(text).lines)


def assert_offsets(structure) -> None:
    for block in structure.blocks:
        assert structure.text[block.start : block.end] == block.text
        for cell in block.cells:
            assert structure.text[cell.start : cell.end] == cell.text


def rows(structure):
    return [b for b in structure.blocks if b.kind == "table_row"]


@pytest.mark.parametrize(
    "name", sorted(p.name for p in (Path(__file__).parent.parent / "corpus/data/samples").glob("*.txt"))
)
def test_every_sample_keeps_exact_offsets_and_no_markup(samples_dir: Path, name: str) -> None:
    doc = load_document(samples_dir / name)
    assert doc.blocks
    for block in doc.blocks:
        assert doc.text[block.start : block.end] == block.text
        for cell in block.cells:
            assert doc.text[cell.start : cell.end] == cell.text
    for marker in ("<p>", "</p>", "<li>", "<b>", "<u>", "<ul", "**", "&amp;"):
        assert marker not in doc.text, marker
    assert "This page is intentionally left blank" not in doc.text
    for table in doc.tables:
        assert 0 <= table.start < table.end <= len(doc.text)


def test_headings_numbered_uppercase_and_markdown() -> None:
    s = build(
        "## Joint Commissioning Plan 2019\n\nNATIONAL POLICY CONTEXT\n\n"
        "3b. Home Care Review\n\nThe council reviewed home care.\n\n4.2 Finance Comments\n\n"
        "The budget is £1.2m.\n"
    )
    headings = [(b.text, b.level) for b in s.blocks if b.kind == "heading"]
    assert headings == [
        ("Joint Commissioning Plan 2019", 2),
        ("NATIONAL POLICY CONTEXT", 1),
        ("3b. Home Care Review", 2),
        ("4.2 Finance Comments", 2),
    ]
    para = [b for b in s.blocks if b.kind == "paragraph"]
    assert para[0].section == "3b. Home Care Review"
    assert para[1].section == "4.2 Finance Comments"
    assert_offsets(s)


def test_numbered_sentence_is_a_paragraph_not_a_heading() -> None:
    s = build("1. The report provides details of the work being undertaken across the county.\n")
    assert [b.kind for b in s.blocks] == ["paragraph"]


def test_list_items_from_dashes_bullets_and_html() -> None:
    s = build(
        "The partners are:\n\n- Nottinghamshire County Council\n- NHS England\n\n"
        "• Rushcliffe CCG\n\n<ul><li>Home care</li> <li>Day services</li></ul>\n"
    )
    items = [b.text for b in s.blocks if b.kind == "list_item"]
    assert items == [
        "Nottinghamshire County Council",
        "NHS England",
        "Rushcliffe CCG",
        "Home care",
        "Day services",
    ]
    assert_offsets(s)


def test_inline_html_becomes_clean_text() -> None:
    assert clean_inline("<b><u>Continuing</u></b>") == "Continuing"
    assert clean_inline("Fees &amp; charges<sup>1</sup>") == "Fees & charges1"
    assert clean_inline('<input checked="" type="checkbox"/> Yes <input type="checkbox"/> No') == "☒ Yes ☐ No"
    segs = clean_segments("<p><b>3a. Self-Care Review</b></p> <p>This relates to self care.</p>")
    assert [s.text for s in segs] == ["3a. Self-Care Review", "This relates to self care."]
    assert clean_inline("**Scale** – we need [the plan](#) *now*") == "Scale – we need the plan now"


def test_wrapped_paragraph_continues_across_page_break() -> None:
    s = build(
        "2.3 The total cost of care was £67m. This does not\n\nPage 18\n\ninclude citizens who self-fund.\n"
    )
    paras = [b.text for b in s.blocks if b.kind != "heading"]
    assert paras == ["2.3 The total cost of care was £67m. This does not include citizens who self-fund."]
    assert "Page 18" not in s.text


def test_page_furniture_is_dropped() -> None:
    s = build(
        "Intro paragraph here.\n\n12\n\nThis page is intentionally left blank\n\n"
        "Page 3 of 9\n\nNext paragraph.\n"
    )
    assert [b.text for b in s.blocks] == ["Intro paragraph here.", "Next paragraph."]


def test_table_header_cells_and_columns() -> None:
    s = build(f"{HEADER}\n3f. Home Care\tNot enough capacity.\tTender – Oct 17\tBetter Care Fund\tOn track\n")
    assert s.tables[0].header == tuple(HEADER.split("\t"))
    row = rows(s)[0]
    assert row.cells[3].header == "Funding Source"
    assert row.cells[3].text == "Better Care Fund"
    assert [b.kind for b in s.blocks] == ["table_header", "table_row"]
    assert_offsets(s)


def test_repeated_header_after_page_break_is_dropped_and_appendix_line_is_furniture() -> None:
    s = build(
        f"{HEADER}\n3a. Self-Care Review\tRationale A.\tMarch 2018\tPH Grant\tDone\n\n"
        f"Appendix 2\n\n{HEADER}\n3b. Day Services\tRationale B.\tApril 2018\tBCF\tStarted\n"
    )
    assert len(s.tables) == 1
    assert [r.cells[0].text for r in rows(s)] == ["3a. Self-Care Review", "3b. Day Services"]
    assert "Appendix 2" not in s.text
    assert s.text.count("Commissioning Activity and Scope") == 1


def test_row_split_over_page_break_is_merged_and_cut_word_glued() -> None:
    s = build(
        f"{HEADER}\n"
        "3f. Homelessness\tNew contracts to provide\tReview following first\tDevelopme\tOn\n\n"
        f"{HEADER}\n"
        "\tassistance to prevent homelessness.\tyear of delivery\tnt & Growth\ttrack\n"
        "3g. Financial Vulnerability\tAdvice services.\tJuly 2019\tPH Grant\tNew\n"
        "Development work continues in every development area.\t\t\t\t\n"
    )
    merged = rows(s)[0]
    assert merged.cells[0].text == "3f. Homelessness"
    assert merged.cells[1].text == "New contracts to provide assistance to prevent homelessness."
    assert merged.cells[2].text == "Review following first year of delivery"
    assert merged.cells[3].text == "Development & Growth"
    assert rows(s)[1].cells[0].text == "3g. Financial Vulnerability"
    assert_offsets(s)


def test_continuation_starting_lowercase_in_first_cell_joins_with_space() -> None:
    s = build(
        f"{HEADER}\n3b. Review and\tContracts with Primary\tUndertake a review\tPH Budget\tSaving\n\n"
        f"{HEADER}\ncommissioning of Shared Care\tCare practices end in 2019.\tof the model.\t\t\n"
    )
    merged = rows(s)[0]
    assert merged.cells[0].text == "3b. Review and commissioning of Shared Care"
    assert merged.cells[1].text == "Contracts with Primary Care practices end in 2019."


def test_group_label_rows_set_group_for_following_rows() -> None:
    s = build(
        f"{HEADER}\n"
        "1. People adopt Healthy Lifestyles\t\t\t\t\n"
        "<b><u>Continuing</u></b>\t\t\t\t\n"
        "1a. Drug and Alcohol Services\tReview.\tMay 2019\tPH Grant\tOngoing\n"
        "<u>New</u>\t\t\t\t\n"
        "1b. Smoking Cessation\tNew service.\tJune 2019\tPH Grant\tNot started\n"
    )
    by_first = {r.cells[0].text: r for r in rows(s)}
    assert by_first["1a. Drug and Alcohol Services"].group == "Continuing"
    assert by_first["1a. Drug and Alcohol Services"].groups == (
        "1. People adopt Healthy Lifestyles",
        "Continuing",
    )
    assert by_first["1b. Smoking Cessation"].group == "New"


def test_key_value_table_labels_values_by_key() -> None:
    s = build("Subject:\tCare Homes Commissioning Proposal\nTotal value of the decision:\t£418.5 million\n")
    values = {r.cells[1].header: r.cells[1].text for r in rows(s)}
    assert values == {
        "Subject": "Care Homes Commissioning Proposal",
        "Total value of the decision": "£418.5 million",
    }


def test_single_column_pipe_table_becomes_paragraphs() -> None:
    s = build("|---|\n| 2. To delegate authority to the Director. |\n| 3. To sign the contracts. |\n")
    assert [b.kind for b in s.blocks] == ["paragraph", "paragraph"]
    assert s.blocks[0].text == "2. To delegate authority to the Director."


def test_pages_are_kept_from_loader_lines() -> None:
    lines = [
        SourceLine("Introduction", 1),
        SourceLine("", 1),
        SourceLine("Text on page one.", 1),
        SourceLine("More text on page two.", 2),
    ]
    s = build_structure(lines)
    assert [b.page for b in s.blocks] == [1, 1, 2]


def test_sample_table_continuations_are_merged(samples_dir: Path) -> None:
    doc = load_document(samples_dir / "001_d4d75379dab6ba82.txt")
    cells = [c.text for b in doc.blocks if b.kind == "table_row" for c in b.cells]
    assert "Development & Growth" in cells
    assert not any(c.startswith("nt & Growth") for c in cells)
    header_blocks = [b for b in doc.blocks if b.kind == "table_header"]
    # A header is kept once per table: the copies repeated after page breaks are gone.
    assert len(header_blocks) == len({b.table_id for b in header_blocks})
    repeated = "Commissioning Activity and Scope\tRationale\tKey Milestones"
    assert doc.text.count(repeated) == sum(1 for b in header_blocks if b.text.startswith(repeated))


def test_sample_group_labels(samples_dir: Path) -> None:
    doc = load_document(samples_dir / "000_202cedb77aa5a29e.txt")
    groups = {b.group for b in doc.blocks if b.kind == "table_row" and b.group}
    assert {"Continuing", "New"} <= groups
    assert "Appendix 2" not in doc.text


def test_section_number_on_its_own_line_numbers_the_next_block() -> None:
    s = build("4.4\n\nThe Board agreed four key actions in April.\n\n- 4.8\n- The development of a model.\n")
    assert [b.text for b in s.blocks] == [
        "4.4 The Board agreed four key actions in April.",
        "4.8 The development of a model.",
    ]


def test_form_table_with_uniform_formatting_has_no_header_row() -> None:
    s = build(
        "Programme/Project\t<i>Children in Care Commissioning</i>\n"
        "Senior Responsible Officer\t<i>Jane Smith</i>\n"
        "Start & End Date\t<i>April 2013 to March 2014</i>\n"
    )
    assert not [b for b in s.blocks if b.kind == "table_header"]
    labelled = {r.cells[1].header: r.cells[1].text for r in rows(s)}
    assert labelled["Senior Responsible Officer"] == "Jane Smith"
    assert labelled["Programme/Project"] == "Children in Care Commissioning"


def test_line_ending_in_a_dash_introduces_a_list_not_a_heading() -> None:
    s = build("The scope includes –\n\n- Maternity Services\n- Health Visiting\n")
    assert [b.kind for b in s.blocks] == ["paragraph", "list_item", "list_item"]


def test_stand_alone_lines_that_are_not_headings() -> None:
    # Shaped like minutes and report forms: answers, attendees, lead-ins, glossaries, codes.
    s = build(
        "Absent\n\nCouncillor Jane Doe\n\nRESOLVED to\n\n- (1) approve the plan.\n\n"
        "9.1 Has the equality impact been assessed?\n\nNo\n\n☐\n\nYes\n\nNone\n\n"
        "Name abbreviations:\n\nBCF – Better Care Fund\n\nJS – Joan Smith\n\nHWB21\n\n"
        "RESOLVED to note the information contained in the exempt appendix\n\n"
        "March 2014 – initial figures finally obtained – as above\n\n"
        "Eastwood Cllr Ann Lee, Cllr Tom Hart, Cllr Raj Patel\n\nOther options considered\n"
    )
    headings = [b.text for b in s.blocks if b.kind == "heading"]
    assert headings == ["Absent", "Other options considered"]
    assert_offsets(s)


def test_made_up_short_lines_still_head_sections() -> None:
    s = build(
        "Reasons for decision\n\nThe contract ends.\n\nMembership\n\nThe board has six members.\n\n"
        "Financial Comments (ABC 01/02/2015)\n\nNone.\n\nSUMMARY – PROPOSALS\n\nText.\n\n"
        "PART A – INTRODUCTION\n\nMore text.\n\nA&E – Accident and Emergency\n\n"
        "COVID-19\n\nServices closed.\n"
    )
    assert [b.text for b in s.blocks if b.kind == "heading"] == [
        "Reasons for decision",
        "Membership",
        "Financial Comments (ABC 01/02/2015)",
        "SUMMARY – PROPOSALS",
        "PART A – INTRODUCTION",
        "COVID-19",
    ]


def test_long_numbered_upper_case_heading_and_its_wrapped_parts_are_one_heading() -> None:
    s = build(
        "5 LEGAL AND PROCUREMENT COLLEAGUE COMMENTS (INCLUDING RISK MANAGEMENT ISSUES, AND INCLUDING "
        "LEGAL, CRIME AND DISORDER ACT AND PROCUREMENT IMPLICATIONS)\n\n- 5.1 None.\n\n"
        "6 STRATEGIC ASSETS COMMENTS (FOR DECISIONS RELATING TO ALL PROPERTY ASSETS AND ASSOCIATED\n\n"
        "INFRASTRUCTURE (REGENERATION COMMITTEE REPORTS ONLY)\n\n- 6.1 Not applicable\n\n"
        "**10 LIST OF BACKGROUND PAPERS RELIED UPON\n(NOT INCLUDING PUBLISHED\nDOCUMENTS)**\n\n"
        "- 10.1 None\n\n"
        "7 WARDS AFFECTED\n(CITY CENTRE ONLY)\n\nAll wards.\n"
    )
    headings = [(b.text, b.level) for b in s.blocks if b.kind == "heading"]
    assert [h[0][:2] for h in headings] == ["5 ", "6 ", "10", "7 "]
    assert all(level == 1 for _, level in headings)
    assert headings[1][0].endswith("AND ASSOCIATED INFRASTRUCTURE (REGENERATION COMMITTEE REPORTS ONLY)")
    assert headings[2][0] == "10 LIST OF BACKGROUND PAPERS RELIED UPON (NOT INCLUDING PUBLISHED DOCUMENTS)"
    assert headings[3][0] == "7 WARDS AFFECTED (CITY CENTRE ONLY)"
    sections = {b.text: b.section for b in s.blocks if b.kind != "heading"}
    assert sections["6.1 Not applicable"] == headings[1][0]
    assert_offsets(s)


def test_sample_minutes_structure(samples_dir: Path) -> None:
    doc = load_document(samples_dir / "001_d4d75379dab6ba82.txt")
    headings = [b.text for b in doc.blocks if b.kind == "heading"]
    assert "RESOLVED to" not in headings and "No" not in headings and "Yes" not in headings
    assert not any(h.startswith("Councillor ") for h in headings)
    assert sum(h.startswith("5 LEGAL AND PROCUREMENT COLLEAGUE COMMENTS") for h in headings) == 2
    assert not any(h.startswith("INFRASTRUCTURE") for h in headings)
    assert "Page 18" not in doc.text and "Page 20" not in doc.text


def test_made_up_table_over_a_page_break_with_cut_words_and_whole_words() -> None:
    from corpus.loaders.text import load_text

    header = "Scheme\tLead Partner\tBudget Line\tStatus"
    paper = (
        "Extra care accommodation is planned in every district.\n\n"
        f"{header}\n"
        "Extra Care Housing\tHousing Associa\tSupported accommoda\tIn\n"
        "\f"
        f"{header}\n"
        "\ttion Trust\ttion grant\tprogress\n"
        "Falls Prevention\tCommunity Trust\tHome\tAgreed\n"
        "\f"
        "Page 7\n\n"
        f"{header}\n"
        "\tcare\tcare fund\t\n"
    )
    s = build_structure(load_text(paper.encode("utf-8"), "made-up.txt").lines)  # form feeds: pages
    assert len(s.tables) == 1 and s.text.count("Lead Partner") == 1
    cells = [[c.text for c in r.cells] for r in rows(s)]
    assert cells == [
        ["Extra Care Housing", "Housing Association Trust", "Supported accommodation grant", "In progress"],
        ["Falls Prevention", "Community Trust care", "Home care fund", "Agreed"],
    ]
    assert [r.page for r in rows(s)] == [1, 2]
    assert "Page 7" not in s.text
    assert_offsets(s)


def _structure_cpu_seconds(lines: list[SourceLine]) -> float:
    """Best of three CPU times for building ``lines`` (CPU time: other load on the machine barely shows)."""
    import time

    best = float("inf")
    for _ in range(3):
        began = time.process_time()
        build_structure(lines)
        best = min(best, time.process_time() - began)
    return best


def _wrapped(n: int) -> list[SourceLine]:
    return [SourceLine(f"and item {i} of the list goes on") for i in range(n)]


def _open_bracket(n: int) -> list[SourceLine]:
    return [SourceLine(f"Item {i} (see the note") for i in range(n)]


def _table_over_pages(n: int) -> list[SourceLine]:
    return [SourceLine(f"Row {i}\tvalue {i}\tnote", page=i // 4 + 1) for i in range(n)]


@pytest.mark.parametrize("make", [_wrapped, _open_bracket, _table_over_pages], ids=lambda f: f.__name__)
def test_structure_time_grows_linearly_with_the_number_of_lines(make) -> None:
    # Eight times the lines may cost eight times the time (plus noise), never the ~30-50 times
    # of the old quadratic joins: re-counting brackets and "**" in a growing wrapped line, and
    # re-measuring a table's width at each of its page breaks.
    small, large = _structure_cpu_seconds(make(2000)), _structure_cpu_seconds(make(16000))
    assert large / small <= 18, f"{large:.3f} s for 16,000 lines vs {small:.3f} s for 2,000"


def test_thousands_of_wrapped_lines_join_into_one_exact_paragraph() -> None:
    s = build_structure(_wrapped(3000) + [SourceLine(""), SourceLine("A new paragraph."), SourceLine("")])
    paragraphs = [b for b in s.blocks if b.kind == "paragraph"]
    assert len(paragraphs) == 2
    assert paragraphs[0].text == " ".join(f"and item {i} of the list goes on" for i in range(3000))
    assert paragraphs[1].text == "A new paragraph."
    assert_offsets(s)


def test_continuations_after_blank_lines_and_a_heading_closed_after_a_gap() -> None:
    s = build("The plan covers the\n\nhome care\n\nand day care\n\n1 FUNDING (FOR ALL\n\nSERVICES)\n\nDone.")
    assert [(b.kind, b.text) for b in s.blocks] == [
        ("paragraph", "The plan covers the home care and day care"),
        ("heading", "1 FUNDING (FOR ALL SERVICES)"),
        ("paragraph", "Done."),
    ]
    assert_offsets(s)
