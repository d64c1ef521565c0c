"""Metadata: catalogue values, inference from text by general rules, GSS codes."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from corpus.authorities import load_authorities
from corpus.loading import load_document
from corpus.metadata import infer_metadata, normalise_date, parse_date, read_catalogue
from corpus.source import LoadedSource
from corpus.structure import build_structure
from councilkg.errors import InputError


def infer(text: str):
    s = build_structure(LoadedSource.from_text(text).lines)
    return infer_metadata(s.text, s.blocks)


def catalogue_rows(samples_dir: Path) -> list[dict[str, str]]:
    with open(samples_dir / "catalogue.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_without_catalogue_authority_and_year_are_right_for_every_sample(samples_dir: Path) -> None:
    for row in catalogue_rows(samples_dir):
        doc = load_document(samples_dir / row["file"])
        meta = doc.metadata
        assert meta.authority == row["authority"], row["file"]
        assert meta.gss_code == row["gss_code"], row["file"]
        assert meta.year == int(row["date"][:4]), row["file"]
        assert meta.sources["authority"].startswith("inferred:")
        assert meta.sources["date"].startswith("inferred:")


def test_inferred_dates_agree_with_catalogue_as_far_as_known(samples_dir: Path) -> None:
    for row in catalogue_rows(samples_dir):
        meta = load_document(samples_dir / row["file"]).metadata
        common = min(len(meta.date), len(row["date"]))
        assert meta.date[:common] == row["date"][:common], row["file"]


def test_catalogue_values_win_and_are_marked(samples_dir: Path) -> None:
    catalogue = read_catalogue(samples_dir / "catalogue.csv")
    row = catalogue["002_adae712cbe23439e.txt"]
    meta = load_document(samples_dir / "002_adae712cbe23439e.txt", catalogue_row=row).metadata
    assert meta.title == row.title
    assert meta.date == "2011-10"
    assert meta.document_type == "committee report"
    assert all(
        meta.sources[f] == "catalogue" for f in ("authority", "gss_code", "date", "committee", "title")
    )


def test_meeting_date_line_and_council_header() -> None:
    meta = infer(
        "WESTSHIRE COUNTY COUNCIL\nCABINET\n\nDate: Thursday, 12 March 2020\n\n"
        "Report of the Chief Executive\n\nBUDGET MONITORING 2019/20\n\n1. This report sets out the budget.\n"
    )
    assert meta.date == "2020-03-12"
    assert meta.sources["date"] == "inferred:meeting-date"
    assert meta.title == "Budget Monitoring 2019/20"


def test_authority_from_most_frequent_council_name_with_gss_code() -> None:
    meta = infer(
        "Adult Social Care Committee\n\n9 January 2018\n\nCARE HOME FEES\n\n"
        "1. Leeds City Council and Wakefield Council will jointly commission care homes.\n"
        "2. Leeds City Council will lead the procurement for Leeds City Council residents.\n"
    )
    assert meta.authority == "Leeds City Council"
    assert meta.gss_code == load_authorities().lookup("Leeds City Council").gss_code
    assert meta.date == "2018-01-09"
    assert meta.committee == "Adult Social Care Committee"


def test_dated_comment_gives_month_when_no_meeting_date() -> None:
    meta = infer(
        "REPORT OF THE DIRECTOR\n\nJOINT WORKING\n\n1. The council works with the NHS in 2009.\n\n"
        "Financial Comments (ABC 14/02/2012)\n\n2. None.\n"
    )
    assert meta.date == "2012-02"
    assert meta.sources["date"] == "inferred:dated-comment"


def test_unknown_fields_are_marked_missing() -> None:
    meta = infer("some words without any cue\n")
    assert meta.authority is None
    assert meta.sources["authority"] == "missing: no council named in the text"
    assert meta.date is None and meta.sources["date"] == "missing: no date or year in the text"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Tuesday, 9 July 2019", "2019-07-09"),
        ("30th March 2015", "2015-03-30"),
        ("06/10/2011", "2011-10-06"),
        ("July 9, 2019", "2019-07-09"),
        ("no date", None),
    ],
)
def test_parse_date(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


def test_normalise_catalogue_dates() -> None:
    assert normalise_date("2017-11") == "2017-11"
    assert normalise_date("November 2017") == "2017-11"
    assert normalise_date("rubbish") is None


def test_lookup_prefers_current_authority_and_knows_short_names() -> None:
    index = load_authorities()
    assert index.lookup("Derby").gss_code == "E06000015"
    assert index.lookup("Nottinghamshire County Council").gss_code == "E10000024"


def test_catalogue_without_file_column_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "cat.csv"
    bad.write_text("name,authority\nx.txt,Derby City Council\n", encoding="utf-8")
    with pytest.raises(InputError, match="no 'file' column"):
        read_catalogue(bad)


def test_minutes_take_the_meeting_held_on_date_and_a_title_from_body_and_date() -> None:
    meta = infer(
        "LEEDS CITY COUNCIL\n\nEXECUTIVE BOARD\n\n"
        "MINUTES of the meeting held at Civic Hall, Leeds on 14 March 2018 from 1.00 pm – 2.30 pm\n\n"
        "Present: Councillor J Blake (Chair)\n\n1 MINUTES\n\n"
        "RESOLVED that the minutes of the meeting held on 7 February 2018 be approved.\n\n"
        "2 ORDER OF BUSINESS\n\nThe Chair varied the order of the agenda.\n"
    )
    assert (meta.authority, meta.gss_code) == ("Leeds City Council", "E08000035")
    assert meta.date == "2018-03-14" and meta.sources["date"] == "inferred:meeting-held-on"
    assert meta.committee == "Executive Board" and meta.document_type == "minutes"
    assert meta.title == "Executive Board minutes, 14 March 2018"


@pytest.mark.parametrize(
    ("header", "committee"),
    [
        ("Report to Cabinet", "Cabinet"),
        ("To: Health Scrutiny Panel", "Health Scrutiny Panel"),
        ("Report to the Executive Board – 4 May 2021", "Executive Board"),
        ("Cabinet", "Cabinet"),
    ],
)
def test_committee_from_the_body_a_report_is_addressed_to(header: str, committee: str) -> None:
    meta = infer(
        f"{header}\n\nMeeting held on Tuesday 5 March 2019\n\nSEXUAL HEALTH SERVICES\n\n"
        "1. Bristol City Council commissions sexual health services with the CCG.\n"
    )
    assert meta.committee == committee
    assert meta.title == "Sexual Health Services"
    assert meta.date == "2019-03-05"
    assert (meta.authority, meta.gss_code) == ("Bristol City Council", "E06000023")


def test_authority_named_only_in_a_closing_signature() -> None:
    meta = infer(
        "Report to Cabinet\n\nADULT SOCIAL CARE CHARGING POLICY\n\n"
        "1. This report sets out changes to the charging policy of the County Council from April 2016.\n\n"
        + "".join(f"{n}. The County Council consulted service users on option {n}.\n\n" for n in range(2, 40))
        + "John Smith\nCorporate Director of Adult Social Care\nKent County Council\n"
    )
    assert (meta.authority, meta.gss_code) == ("Kent County Council", "E10000016")
    assert meta.year == 2016


def test_london_borough_by_its_official_name() -> None:
    meta = infer(
        "London Borough of Camden\n\nDate: 21 June 2017\n\nHOUSING STRATEGY UPDATE\n\n"
        "1. Camden has 23,000 council homes and will build more in Camden.\n"
    )
    assert (meta.authority, meta.gss_code) == ("London Borough of Camden", "E09000007")
    assert meta.date == "2017-06-21"


def test_key_value_report_header() -> None:
    meta = infer(
        "Meeting: Adults and Health Scrutiny Panel\n\nDate of meeting: 12 March 2020\n\n"
        "Report of: Director of Adult Services\n\nSubject: Care home fees 2020/21\n\n"
        "1. Kent County Council will uplift care home fees by 3%.\n\n2. The Panel is asked to note this.\n"
    )
    assert meta.title == "Care home fees 2020/21" and meta.sources["title"] == "inferred:subject-line"
    assert meta.committee == "Adults and Health Scrutiny Panel"
    assert meta.date == "2020-03-12"
    assert (meta.authority, meta.gss_code) == ("Kent County Council", "E10000016")


@pytest.mark.parametrize("line", ["Date: July 2019", "July 2019", "Report date - Jul 2019"])
def test_month_and_year_near_the_top(line: str) -> None:
    meta = infer(
        f"DERBY CITY COUNCIL\n\n{line}\n\nDAY SERVICES REVIEW\n\n1. The council reviewed day services "
        "in 2017 and 2018 and will report again in 2020.\n"
    )
    assert meta.date == "2019-07" and meta.sources["date"] == "inferred:meeting-month"


def test_catalogue_saved_by_a_spreadsheet_in_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.csv"
    csv_text = (
        "file,authority,date,title\r\nfees.txt,Derby City Council,2014-03,Care fees – 2014/15 (£2.1m)\r\n"
    )
    path.write_bytes(csv_text.encode("cp1252"))
    row = read_catalogue(path)["fees.txt"]
    assert row.title == "Care fees – 2014/15 (£2.1m)" and row.authority == "Derby City Council"
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(InputError, match="empty.csv: cannot read catalogue \\(empty file\\)"):
        read_catalogue(tmp_path / "empty.csv")


def test_authority_from_a_gov_uk_contact_address() -> None:
    text = (
        "REPORT OF THE DIRECTOR OF PUBLIC HEALTH\n\nSEXUAL HEALTH SERVICES\n\n"
        "1. The Council commissions sexual health services across the city with the NHS in 2019.\n\n"
        "Contact: Jane Smith, jane.smith@{domain}.gov.uk\n"
    )
    assert infer(text.format(domain="leeds")).authority == "Leeds City Council"
    assert infer(text.format(domain="nottinghamcity")).gss_code == "E06000018"
    assert infer(text.format(domain="no-such-place")).authority is None


def test_decision_notice_labels_at_the_foot_win_and_the_decision_date_beats_publication() -> None:
    body = "".join(f"{n}) The Cabinet noted the budget for 2023/24 and 2025/26.\n\n" for n in range(1, 45))
    meta = infer(
        "Decision details\n\nCare at home contracts\n\nDecision Maker: Cabinet\n\n" + body
        + "Publication date: 14/11/2024\n\nDate of decision: 13/11/2024\n\n"
        "Decided at meeting: 13/11/2024 - Cabinet\n"
    )
    assert meta.date == "2024-11-13" and meta.sources["date"] == "inferred:decision-date"


def test_publication_date_is_used_when_it_is_the_only_date() -> None:
    meta = infer(
        "Day services review\n\n1. The review ran in 2019, 2019 and 2020.\n\nPublished on 2 June 2021\n"
    )
    assert meta.date == "2021-06-02" and meta.sources["date"] == "inferred:publication-date"


@pytest.mark.parametrize(
    ("line", "iso", "rule"),
    [
        ("05/07/2016 - Contract award for extra care services", "2016-07-05", "inferred:dated-decision"),
        ("At a MEETING of the Joint Board held remotely on 27th October, 2021.", "2021-10-27",
         "inferred:meeting-held-on"),
        ("20 Mar 2015 - 09:30 to 11:00", "2015-03-20", "inferred:meeting-date"),
        ("Cabinet - Tuesday, 2nd October, 2018 2.00 pm", "2018-10-02", "inferred:meeting-heading"),
        ("Meeting: 18/06/19", "2019-06-18", "inferred:meeting-date"),
        ("Date of meeting: 2019-06-18", "2019-06-18", "inferred:meeting-date"),
        ("Dyddiad y penderfyniad: 15/06/2021", "2021-06-15", "inferred:decision-date"),
    ],
)
def test_meeting_and_decision_dates_in_every_common_form_beat_the_year_count(
    line: str, iso: str, rule: str
) -> None:
    meta = infer(
        f"Item decisions\n\n{line}\n\n1. The plan for 2012/13 follows the 2012 review and the 2012 audit.\n"
    )
    assert (meta.date, meta.sources["date"]) == (iso, rule)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2019-06-18", "2019-06-18"),
        ("18.06.19", "2019-06-18"),
        ("13 th JANUARY 2015", "2015-01-13"),
        ("Wednesday, 2nd October, 2019", "2019-10-02"),
        ("on 1 July 2016 (decided 30/06/2016)", "2016-07-01"),
        ("decided 30/06/2016, from 1 July 2016", "2016-06-30"),
        ("12/05/98", "1998-05-12"),
    ],
)
def test_parse_date_reads_the_earliest_date_in_any_form(text: str, iso: str) -> None:
    assert parse_date(text) == iso


def test_welsh_council_names_in_welsh_and_english() -> None:
    welsh = infer("Penderfyniad\n\n1. Mae Cyngor Dinas Caerdydd yn cymeradwyo'r cynllun.\n")
    assert (welsh.authority, welsh.gss_code) == ("City of Cardiff Council", "W06000015")
    english = infer("Report to Cabinet\n\n1. Flintshire County Council will review day care.\n")
    assert english.gss_code == load_authorities().lookup("Flintshire County Council").gss_code
    assert infer("1. Cyngor Sir y Fflint approved the plan.\n").authority == english.authority
    gaelic = infer("1. Comhairle nan Eilean Siar agreed the care home fees.\n")
    assert gaelic.gss_code == "S12000013"


def test_a_venue_does_not_name_the_paper_s_council() -> None:
    meta = infer(
        "Minutes of the Joint Committee held at Wakefield Council offices, Wakefield on 3 May 2019\n\n"
        "Venue: Council Chamber, Wakefield Town Hall\n\n"
        "1. Kirklees Council reported on its home care contracts.\n"
    )
    assert meta.authority == "Kirklees Council"


def test_a_county_hall_venue_names_its_county_council() -> None:
    meta = infer(
        "Cabinet - Monday, 4th March, 2019 10.00 am\n\n"
        "Venue: Medway Room, County Hall, Maidstone\n\n"
        "1. The Cabinet Member introduced the report on day care.\n"
    )
    assert meta.authority == "Kent County Council"
    assert meta.sources["authority"] == "inferred:county-hall-venue"
    # A town hall is no county's, and a county hall in a unitary town names no county.
    assert infer("Venue: Town Hall, Maidstone\n\n1. The Cabinet agreed.\n").authority is None
    assert infer("Venue: County Hall, Derby\n\n1. The Cabinet agreed.\n").authority is None


def test_an_nhs_board_s_area_is_no_council_s() -> None:
    text = ("Minute of the Community Health Partnership\n\n"
            "1. NHS Highland presented the plan. NHS Highland and NHS Highland staff agreed.\n"
            "2. NHS Highland will report again.\n")
    assert infer(text).authority is None
    ccg = infer("1. NHS Derby CCG and Derby partners agreed the plan for Derby. Derby will lead.\n")
    assert ccg.authority == "Derby City Council"


def test_a_council_web_address_in_the_text_or_the_source_path() -> None:
    text = "Decision details\n\n1. The Director approved the award of the contract.\n"
    in_text = infer(text + "\nSee https://democracy.warwickshire.gov.uk/mgDecision.aspx\n")
    assert in_text.authority == "Warwickshire County Council"
    assert in_text.sources["authority"] == "inferred:gov-uk-domain"
    s = build_structure(LoadedSource.from_text(text).lines)
    from_path = infer_metadata(s.text, s.blocks, source="/pages/westsussex.moderngov.co.uk/d25276.txt")
    assert (from_path.authority, from_path.sources["authority"]) == (
        "West Sussex County Council", "inferred:source-address"
    )
    assert infer_metadata(s.text, s.blocks, source="/pages/westsussex-d25276.txt").authority is None


def test_authority_is_missing_with_the_reason_when_the_text_does_not_settle_it() -> None:
    equal = infer("1. Leeds City Council and Wakefield Council will jointly review the service.\n")
    assert equal.authority is None and equal.gss_code is None
    assert equal.sources["authority"].startswith("missing: councils named about equally")
    weak = infer("1. Residents of Derby asked for more day centres.\n")
    assert weak.authority is None
    assert weak.sources["authority"].startswith("missing: too little evidence")


def test_the_council_and_the_one_area_it_names() -> None:
    meta = infer(
        "1. The council will extend the agreement with Herefordshire clinical commissioning group.\n\n"
        "2. The local authority and Herefordshire clinical commissioning group share the budget.\n"
    )
    assert meta.authority == "Herefordshire Council"
    assert infer("1. The NHS will fund beds in Herefordshire and Herefordshire.\n").authority is None


@pytest.mark.parametrize(("text", "iso"), [
    # a Scottish minute opens with the place and the date
    ("Licensing Board.\nAberdeen, 3rd March 2015.\nPresent: Councillors Reid and Gray.\n"
     "The Board considered the review for 2014 and 2014.\n", "2015-03-03"),
    # the time first, then the weekday and the date
    ("Minutes\nPlanning Sub-Committee\n2.00 pm, Tuesday, 4 May 2021\nCouncillors Smith and Jones.\n"
     "The plan for 2020 was noted.\n", "2021-05-04"),
    # a PDF flattened into one long line: the meeting held on its date, inside the line
    ("Leisure Committee\nLeisure Committee 77 SOMEWHERE COUNCIL LEISURE COMMITTEE MINUTES OF MEETING HELD "
     "ON MONDAY 12 SEPTEMBER 2016 AT 1400 HOURS IN THE CHAMBERS. There was submitted a report dated "
     "1 August 2016 on 2015 and 2015 and 2015.\n", "2016-09-12"),
])
def test_an_opening_date_wins_over_the_year_count(text: str, iso: str) -> None:
    assert infer(text).date == iso


def test_a_labelled_meeting_date_still_wins_over_a_dated_opening_line() -> None:
    meta = infer("Leeds, 3 March 2019.\nDate of meeting: 9 April 2019\nThe Board noted the report.\n")
    assert meta.date == "2019-04-09"


def test_a_council_address_in_the_venue_line_names_the_council() -> None:
    text = ("Cabinet - Wednesday, 7th December, 2022 10.00 am\n"
            "Venue: Online (to watch, e-mail clerk@blaenau-gwent.gov.uk)\n"
            "RESOLVED that the report be noted.\n")
    assert infer(text).authority == "Blaenau Gwent County Borough Council"


def test_a_place_opening_a_minute_names_its_council_but_a_passing_mention_does_not() -> None:
    opening = infer("Housing Committee.\nGlasgow, 6th February 2009.\nThe committee noted the report.\n")
    assert opening.authority == "Glasgow City Council"
    passing = infer("Housing Committee.\nThe committee noted a visit to Glasgow by officers last spring.\n")
    assert passing.authority is None


def test_a_title_a_dash_and_the_date_alone_is_the_meeting_date() -> None:
    meta = infer("Licensing Board (Special Meeting) – 14 February 2014\n\nPRESENT: Councillor Ward.\n"
                 "The Board reviewed the policy published in March 2013.\n")
    assert meta.date == "2014-02-14"


@pytest.mark.parametrize(("first", "iso"), [
    ("Minutes of the PARISH COUNCIL MEETING held on the 9th December 2020 at 7pm remotely.", "2020-12-09"),
    ("Minutes of 24 March 2020", "2020-03-24"),
    ("Minutes of a meeting of Elmford Parish Council on Thursday 21st January 2021 at 7.30pm", "2021-01-21"),
    ("Minutes of meeting in County Buildings, High Street, Ayr, on 6th October 2016.", "2016-10-06"),
])
def test_the_first_line_of_minutes_dates_the_meeting(first: str, iso: str) -> None:
    meta = infer(f"{first}\nPresent: Cllr A Brown.\nThe 2021/22 budget and the 2021/22 precept were noted.\n")
    assert meta.date == iso


def test_a_surname_or_an_attendee_employer_is_no_authority() -> None:
    assert infer("Present: Councillor J Dudley (Chair).\nThe minutes were approved.\n").authority is None
    text = ("Development Committee\nMr B Dye – Norfolk County Council (Highways)\n"
            "The Committee approved the application.\n")
    assert infer(text).authority is None


def test_a_place_inside_a_bodys_name_is_no_evidence_of_the_council() -> None:
    text = ("Executive\n\nThe contract was awarded to Wakefield and District Foundation Trust, and the "
            "Council noted that the Council would review it.\n")
    assert infer(text).authority is None
    assert infer("Executive\n\nThe Council reviewed services across Wakefield and Wakefield.\n").authority \
        == "Wakefield Metropolitan District Council"
