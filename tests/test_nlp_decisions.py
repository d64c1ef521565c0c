"""Decisions in the forms councils write them (:mod:`nlp.decisions`), on made-up paragraphs.

The rule functions are tested directly; whole papers go through the extractor (spaCy loads once).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus import load_document
from corpus.metadata import CatalogueRow
from kg.rdf import paper_quads
from nlp.decisions import item_action, leading_action, passive_action, split_items
from nlp.extractor import Extractor
from nlp.models import Relation

# -- the rules on their own -------------------------------------------------------------------


def test_items_are_cut_at_the_markers_of_one_list_only() -> None:
    text = "(a) renew the lease of the depot at £3.4m per year; and (b) close section 8.3 of the plan."
    lead, items = split_items(text)
    assert lead is None
    assert [text[s:e] for _, s, e in items] == [
        "(a) renew the lease of the depot at £3.4m per year; and", "(b) close section 8.3 of the plan.",
    ]
    lead, items = split_items("to note the following: 1) the first point; 2) the second point")
    assert lead is not None and len(items) == 2
    _, items = split_items("2.1 Approves the plan. 2.2 Notes the risks.")
    assert [m.value for m, _, _ in items] == [(2, 1), (2, 2)]


@pytest.mark.parametrize(("text", "action"), [
    ("Approve the tender of the Meals Service", "approve"),
    ("(ii) To award the contract to the preferred bidder", "award"),
    ("Cabinet agreed the transfer of the day centres", "agree"),
    ("That Members note the update", "note"),
    ("2.2 Grants delegated authority to the Director", "delegate"),
    ("The Executive approve as a correct record the minutes", "approve"),
    ("Recommended that the precept be set at £10m", "recommend"),
    ("That the award of the contract be approved", None),  # "award" is a noun here
])
def test_leading_verbs(text: str, action: str | None) -> None:
    assert leading_action(text) == action


@pytest.mark.parametrize(("text", "action"), [
    ("the outcome of the review be noted;", "note"),
    ("Following the tender, a contract is awarded to the bidder", "award"),
    ("authority be delegated to the Head of Service to sign", "delegate"),
    ("That the Officer be given authority to respond", "authorise"),
    ("the minutes of the last meeting be confirmed", "approve"),
    ("the scheme will be approved next year", None),  # after a modal: not this item's act
    ("seek consent if it is recommended that the lease be extended", None),  # inside "if …"
])
def test_resolution_passives(text: str, action: str | None) -> None:
    assert passive_action(text) == action


def test_item_action_falls_back_on_its_lead_in_then_its_notice() -> None:
    assert item_action("(1) To have regard to the duty", lead_action="agree") == "agree"
    assert item_action("(i) Waive the tender requirement", lead_action=None) == "other"
    assert item_action("3. The budget is approved", lead_action="recommend") == "recommend"
    assert item_action("(1) the extension option of the lease be invoked") == "extend"
    assert item_action("(1) As set out in the exempt report.", status="Recommendations Approved") == "approve"
    assert item_action("(a) Bod yr adroddiad yn cael ei gymeradwyo") == "approve"  # Welsh text only
    # under "That the Committee agree –" a present passive states what was agreed
    assert item_action("2. The opening hours are extended to eight.", lead_action="agree") == "agree"
    assert item_action("2. The opening hours are extended to eight.") == "extend"
    assert item_action("1. To the revised charges for the village hall; and") == "agree"  # "agreed to"


# -- whole papers ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def _decisions(extractor: Extractor, tmp_path: Path, text: str, authority: str = "",
               name: str = "paper.txt") -> list[Relation]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    row = CatalogueRow(name, authority=authority) if authority else None
    doc = load_document(path, row)
    extraction = extractor.extract(doc)
    paper_quads(doc, extraction)  # the graph accepts every decision (evidence matches the text)
    return sorted((r for r in extraction.relations if r.type == "decision"), key=lambda r: r.evidence.start)


ENGLISH_MINUTES = """Adult Social Care Committee - Tuesday, 4th March, 2025 2.00 pm

Minutes:

The Committee considered a report of the Director of Adult Services on the Wellow Home Care Service.

RESOLVED: That

1. the award of the Wellow Home Care Service contract to Brightside Care Ltd for three years at a value \
of £2.4m be approved;

2. the update on the Reablement Service be noted; and

3. authority be delegated to the Director of Adult Services to extend the contract by up to twelve months.

(Councillor Green abstained.)
"""


@pytest.mark.slow
def test_english_minutes_items_each_with_body_action_and_money(extractor: Extractor, tmp_path: Path) -> None:
    ds = _decisions(extractor, tmp_path, ENGLISH_MINUTES, "Derby City Council")
    assert [d.attrs["action"] for d in ds] == ["approve", "note", "delegate"]
    assert ds[0].evidence.quote.startswith("1. the award of the Wellow Home Care Service")
    assert ds[0].attrs["amount"] == 2_400_000
    assert {d.subject for d in ds} == {"organisation/derby-city-council--adult-social-care-committee"}
    assert ds[0].attrs["body_name"] == "Adult Social Care Committee"  # a specific name, as written
    assert ds[2].attrs["delegations"][0].startswith("Director of Adult Services")
    assert "key_decision" not in ds[0].attrs


NOTICE = """Decision details

Supported Living Framework

Decision Maker: Cabinet

Decision status: Recommendations Approved

Is Key decision?: Yes

Decision:

Cabinet resolved to:

(i) Approve the extension of the Supported Living Framework to 31 March 2027 at a cost of up to £650,000;

(ii) Defer a decision on the Day Opportunities Service until the autumn; and

(iii) Refuse the request to waive the tender process.

Reasons for the decision:

1. Approve nothing further without a review.
"""


@pytest.mark.slow
def test_decision_notice_with_unknown_authority(extractor: Extractor, tmp_path: Path) -> None:
    ds = _decisions(extractor, tmp_path, NOTICE, name="notice.txt")
    assert [d.attrs["action"] for d in ds] == ["approve", "defer", "refuse"]
    assert all(d.attrs["key_decision"] is True for d in ds)
    # a generic body of an unnamed council is keyed and labelled by its paper, never bare
    assert len({d.subject for d in ds}) == 1 and ds[0].subject.startswith("organisation/paper-")
    assert ds[0].attrs["body_name"] == "Cabinet (authority not named; notice.txt)"
    assert ds[0].attrs["amount"] == 650_000


SCOTTISH = """Integration Joint Board - Wednesday, 12th March, 2025 10.00 am

The Board had before it a report by the Chief Finance Officer on the Carers Support Service.

The Board agreed:-

(a) to approve the revised budget of £1.2 million for the Carers Support Service;

(b) to note the risks set out in the report; and

(c) to instruct the Chief Officer to report back in six months.
"""


@pytest.mark.slow
def test_scottish_board_agreed_items(extractor: Extractor, tmp_path: Path) -> None:
    ds = _decisions(extractor, tmp_path, SCOTTISH, name="ijb.txt")
    assert [d.attrs["action"] for d in ds] == ["approve", "note", "agree"]  # (c): the lead-in's verb
    assert ds[0].attrs["body_name"] == "Integration Joint Board"  # "the Board" is the meeting's
    assert ds[0].attrs["amount"] == 1_200_000


WELSH = """Cyfarfod: 10/02/2025 - Cabinet (Eitem 12)

Penderfyniad:

RESOLVED: that

1. the Welsh Language Promotion Strategy be adopted; and

2. the Cabinet Member for Culture be appointed as the lead member for the strategy.

Cofnodion:

Ystyriodd y Cabinet yr adroddiad a'r strategaeth.
"""


@pytest.mark.slow
def test_welsh_bilingual_heading_then_english(extractor: Extractor, tmp_path: Path) -> None:
    ds = _decisions(extractor, tmp_path, WELSH, name="cabinet.txt")
    assert [d.attrs["action"] for d in ds] == ["adopt", "appoint"]
    assert ds[0].attrs["body_name"].startswith("Cabinet (")


OFFICER_NOTICE = """Decision Maker: Director of Children's Services

Is Key decision?: No

(a) a contract for the Family Support Service is awarded to Oakfield Community Trust at a value not \
exceeding £480,000 per annum;

(b) the Family Support Service contract be extended to 31 March 2027 if performance targets are met.

Alternative options considered:

1. Do nothing.
"""


@pytest.mark.slow
def test_officer_notice_without_a_cue(extractor: Extractor, tmp_path: Path) -> None:
    ds = _decisions(extractor, tmp_path, OFFICER_NOTICE, name="officer.txt")
    assert [d.attrs["action"] for d in ds] == ["award", "extend"]
    assert ds[0].attrs["body_name"] == "Director of Children's Services"
    assert ds[0].attrs["key_decision"] is False
    assert ds[0].attrs["amount"] == 480_000


DELEGATED = """The Head of Commissioning has approved the direct award of a contract for the Community \
Equipment Service to Brightside Care Ltd from 1 April 2025.

Decision taken by the Director of Place under delegated powers.

Decision:

To award a contract for the Grounds Maintenance Service to Oakfield Ltd for two years.
"""


@pytest.mark.slow
def test_delegated_officer_decisions(extractor: Extractor, tmp_path: Path) -> None:
    ds = _decisions(extractor, tmp_path, DELEGATED, "Derby City Council", name="delegated.txt")
    assert [(d.attrs["action"], d.attrs["body_name"]) for d in ds] == [
        ("approve", "Head of Commissioning"),
        ("award", "Director of Place"),
    ]


SENTENCES = """Planning Committee - Monday, 3rd March, 2025 6.00 pm

Apologies were received from Councillor Smith.

That Councillor Jane Doe be elected as Chair of the Committee for 2025/26.

The minutes of the meeting held on 3 February 2025 were confirmed as a correct record.

It was agreed that the Riverside item be deferred to the next meeting.

The Committee noted there were no declarations of interest.
"""


@pytest.mark.slow
def test_single_sentence_decisions_in_minutes(extractor: Extractor, tmp_path: Path) -> None:
    ds = _decisions(extractor, tmp_path, SENTENCES, "Derby City Council", name="planning.txt")
    assert [d.attrs["action"] for d in ds] == ["appoint", "approve", "defer", "note"]
    assert {d.subject for d in ds} == {"organisation/derby-city-council--planning-committee"}


@pytest.mark.slow
def test_a_decision_with_no_body_and_no_authority_has_no_decided_by(
    extractor: Extractor, tmp_path: Path,
) -> None:
    text = "Item 4\n\nRESOLVED – That the annual report be noted.\n"
    path = tmp_path / "bare.txt"
    path.write_text(text, encoding="utf-8")
    doc = load_document(path)
    extraction = extractor.extract(doc)
    (d,) = [r for r in extraction.relations if r.type == "decision"]
    assert d.subject == "" and d.attrs["action"] == "note"
    quads = paper_quads(doc, extraction).all()
    assert not [q for q in quads if q.predicate.value.endswith("#decidedBy")]
    assert [q for q in quads if q.object.value.endswith("#Decision")]


@pytest.mark.slow
def test_two_councils_cabinets_stay_apart(extractor: Extractor, tmp_path: Path) -> None:
    text = "Cabinet - Monday, 3rd March, 2025 10.00 am\n\nRESOLVED – That the annual report be noted.\n"
    (derby,) = _decisions(extractor, tmp_path, text, "Derby City Council", name="derby.txt")
    (notts,) = _decisions(extractor, tmp_path, text, "Nottingham City Council", name="notts.txt")
    assert derby.attrs["body_name"] == "Cabinet (Derby City Council)"
    assert notts.attrs["body_name"] == "Cabinet (Nottingham City Council)"
    assert derby.subject == "organisation/derby-city-council--cabinet" != notts.subject


MORE_FORMS = """Executive - Wednesday, 4th June, 2025 5.00 pm

RESOLVED that the Executive:

• approves the Homelessness Strategy 2025-2030;

• notes the consultation responses; and

• delegates authority to the Director of Housing to publish the final strategy.

RECOMMENDED to Council that the Treasury Strategy be approved.

The Cabinet Member for Housing has decided to approve the award of a contract for the Floating Support \
Service.
"""


@pytest.mark.slow
def test_bullets_recommendations_and_decided_to(extractor: Extractor, tmp_path: Path) -> None:
    ds = _decisions(extractor, tmp_path, MORE_FORMS, "Derby City Council", name="executive.txt")
    assert [d.attrs["action"] for d in ds] == ["approve", "note", "delegate", "recommend", "approve"]
    assert ds[0].attrs["body_name"] == "Executive (Derby City Council)"
    assert ds[-1].attrs["body_name"] == "Cabinet Member for Housing"


REPORT = """2. Recommendations

2.1 That Cabinet approves option B for the Home Care Service.

3. Background

3.1 The service will be extended if demand grows.
"""


@pytest.mark.slow
def test_a_reports_recommendations_are_not_decisions(extractor: Extractor, tmp_path: Path) -> None:
    assert _decisions(extractor, tmp_path, REPORT, "Derby City Council", name="report.txt") == []


@pytest.mark.slow
def test_the_graph_holds_the_key_flag_and_the_bodys_label(extractor: Extractor, tmp_path: Path) -> None:
    path = tmp_path / "notice.txt"
    path.write_text(NOTICE, encoding="utf-8")
    doc = load_document(path)
    quads = paper_quads(doc, extractor.extract(doc)).all()
    keys = {q.object.value for q in quads if q.predicate.value.endswith("#keyDecision")}
    assert keys == {"true"}
    labels = {q.object.value for q in quads if q.predicate.value.endswith("rdf-schema#label")
              and "--cabinet" in q.subject.value}
    assert labels == {"Cabinet (authority not named; notice.txt)"}


MID_BLOCK = """Licensing Sub-Committee - Friday, 6th June, 2025 10.00 am

The Sub-Committee heard from the applicant and the police. RESOLVED: (1) the variation of the licence be \
refused; and (2) the applicant be informed of the right of appeal.

It was moved, seconded and RESOLVED that the hearing be adjourned to 20 June 2025.
"""


@pytest.mark.slow
def test_a_cue_inside_a_paragraph_and_moved_seconded_resolved(extractor: Extractor, tmp_path: Path) -> None:
    ds = _decisions(extractor, tmp_path, MID_BLOCK, "Derby City Council", name="licensing.txt")
    assert [d.attrs["action"] for d in ds] == ["refuse", "other", "other"]
    assert ds[0].evidence.quote.startswith("(1) the variation of the licence")
    assert {d.subject for d in ds} == {"organisation/derby-city-council--licensing-sub-committee"}


@pytest.mark.slow
def test_subject_and_items_after_the_cue_in_one_paragraph(extractor: Extractor, tmp_path: Path) -> None:
    text = ("Summary of decision:\n\nRESOLVED – That the Cabinet: (1) approves the Parking Strategy; "
            "(2) notes the consultation responses.\n")
    ds = _decisions(extractor, tmp_path, text, "Derby City Council", name="parking.txt")
    assert [(d.attrs["action"], d.attrs["body_name"]) for d in ds] == [
        ("approve", "Cabinet (Derby City Council)"), ("note", "Cabinet (Derby City Council)"),
    ]


SCOTTISH_DECISION_HEADINGS = """Roads Committee - Tuesday, 2nd June, 2025 10.00 am

Minute

Decision

The minute of the meeting of the Roads Committee held on 5 May 2025 was approved.

Update

The Convener gave an update on the winter programme.

DECISION

NOTED

Committee Minutes

Arising from item 6 (Budget Monitoring), the Committee approved the revenue virements of £0.3m.

DECISION

AGREED that the Bridges Strategy be approved.
"""


@pytest.mark.slow
def test_scottish_decision_headings_and_verdicts(extractor: Extractor, tmp_path: Path) -> None:
    ds = _decisions(extractor, tmp_path, SCOTTISH_DECISION_HEADINGS, name="roads.txt")
    assert [d.attrs["action"] for d in ds] == ["approve", "note", "approve", "approve"]
    assert ds[1].evidence.quote == "NOTED"
    assert ds[2].attrs["amount"] == 300_000
    assert {d.attrs["body_name"] for d in ds} == {"Roads Committee"}


@pytest.mark.slow
def test_recommendation_agreed_takes_the_notice_purpose(extractor: Extractor, tmp_path: Path) -> None:
    text = ("Decision Maker: Cabinet\n\nIs Key decision?: Yes\n\nTo endorse the Library Service strategy.\n\n"
            "Recommendation agreed.\n")
    (d,) = _decisions(extractor, tmp_path, text, name="library.txt")
    assert d.attrs["action"] == "agree" and d.attrs["key_decision"] is True
    assert d.attrs["text"] == "To endorse the Library Service strategy. Recommendation agreed."


@pytest.mark.slow
def test_welsh_only_resolution(extractor: Extractor, tmp_path: Path) -> None:
    text = ("Cabinet - Dydd Mawrth, 3ydd Mehefin, 2025 10.00 yb\n\nPenderfyniad:\n\nPENDERFYNWYD y dylid "
            "cymeradwyo cofnodion y cyfarfod blaenorol.\n\nPenderfyniad:\n\n"
            "Ni chafwyd unrhyw ymddiheuriadau.\n")
    (d,) = _decisions(extractor, tmp_path, text, name="cyfarfod.txt")  # "no apologies" is no decision
    assert d.attrs["action"] == "approve" and d.attrs["body_name"].startswith("Cabinet (")


# -- issue pages, officer records and minutes of other councils ------------------------------


def test_a_roman_item_joined_to_the_line_before_it_is_still_cut() -> None:
    _, items = split_items("ii. Agreed the lighting plan for parks iii. Agreed to review it in May.")
    assert [m.value for m, _, _ in items] == [(2,), (3,)]


ISSUE_LONE_PARAGRAPH = """Issue - decisions

Replacement of Park Lighting

12/11/2021 - Replacement of Park Lighting

To approve £95k for replacement lighting in the town parks to be met from the highways reserve, so that \
the works finish before the spring.
Decision Maker: Cabinet Member for Environment
"""


@pytest.mark.slow
def test_issue_page_lone_paragraph_is_the_decision(extractor: Extractor, tmp_path: Path) -> None:
    ds = _decisions(extractor, tmp_path, ISSUE_LONE_PARAGRAPH)
    assert len(ds) == 1 and ds[0].attrs["action"] == "approve"
    assert ds[0].evidence.quote.startswith("To approve £95k for replacement lighting")
    assert ds[0].subject.endswith("--cabinet-member-for-environment")  # the maker named after it


ISSUE_LEADER_RECOMMENDED = """Issue - decisions

Leader's Urgent Decision - Interim Cover for the Meals Service

03/06/2022 - Leader's Urgent Decision - Interim Cover for the Meals Service

The Leader is recommended to:

1.    grant a waiver of the usual tendering rules on the grounds of urgency;

2.    approve an extension of the meals contracts from 1 July 2022 to 31 December 2022;

3.    delegate to the Strategic Director of Communities the award of any further extension.

Decision Maker: Leader of the Council
"""


@pytest.mark.slow
def test_issue_page_leader_is_recommended_items(extractor: Extractor, tmp_path: Path) -> None:
    ds = _decisions(extractor, tmp_path, ISSUE_LEADER_RECOMMENDED)
    assert [d.attrs["action"] for d in ds] == ["other", "approve", "delegate"]  # a waiver is no approval
    assert all(d.subject.endswith("--leader") for d in ds)


OFFICER_RECORD = """Officer Decisions

Decision records for the discharge of functions by officers are published below.

14/02/2023 - Revised charges for library meeting rooms ref: 204    Recommendations Approved

To seek approval to make these changes to the hire charges for library meeting rooms:

·     raise the standard hourly charge by 5%.

·     Charities to keep their reduced rate.

Decision Maker: Head of Libraries and Culture

Decision published: 20/02/2023
"""


@pytest.mark.slow
def test_officer_record_request_and_bullets_are_one_approval(extractor: Extractor, tmp_path: Path) -> None:
    ds = _decisions(extractor, tmp_path, OFFICER_RECORD)
    assert len(ds) == 1 and ds[0].attrs["action"] == "approve"
    assert "Charities to keep their reduced rate" in ds[0].evidence.quote
    assert ds[0].attrs["body_name"] == "Head of Libraries and Culture"  # the maker named after it


DECISIONS_NARRATIVE = """Decision details

Decision Maker: Mayor and Cabinet

Decisions:

A call-in of the grounds contract was presented by the Chair of the Scrutiny Panel.

The Cabinet heard the answers given by the Director of Place.

RESOLVED that the decisions made on 3 May 2022 in respect of the

Contract for grounds maintenance in the cemeteries be confirmed.

The meeting closed at 7.40pm
"""


@pytest.mark.slow
def test_a_resolution_cut_mid_sentence_runs_on(extractor: Extractor, tmp_path: Path) -> None:
    ds = _decisions(extractor, tmp_path, DECISIONS_NARRATIVE)
    assert len(ds) == 1
    assert ds[0].evidence.quote.endswith("cemeteries be confirmed.")
    assert ds[0].attrs["action"] == "other"  # confirming earlier decisions (not minutes)
    assert ds[0].subject.endswith("--mayor-and-cabinet")


RECOMMENDATION_FROM = """The Director reported a recommendation from the Housing Sub-Committee at its \
meeting on 2 May that the Policy Committee agree:-

(1)  that the sheltered scheme at Elm Row be closed;

(2)  that the tenants be offered a move to the new scheme at Mill Lane.
"""


@pytest.mark.slow
def test_items_recommended_by_another_committee(extractor: Extractor, tmp_path: Path) -> None:
    ds = _decisions(extractor, tmp_path, RECOMMENDATION_FROM)
    assert [d.attrs["action"] for d in ds] == ["recommend", "recommend"]
    assert {d.attrs["body_name"] for d in ds} == {"Housing Sub-Committee"}


LEADER_EARLIER = """The Committee had seen the report on the home care contract before it was decided. In \
response to the questions, the Leader approved the award of the contract, but deferred a decision on the \
extension option until the review was done.
"""


@pytest.mark.slow
def test_an_approval_and_a_deferral_in_one_sentence(extractor: Extractor, tmp_path: Path) -> None:
    ds = _decisions(extractor, tmp_path, LEADER_EARLIER)
    assert [d.attrs["action"] for d in ds] == ["approve", "defer"]
    assert ds[1].evidence.quote.startswith("deferred a decision on the extension option")
    assert all(d.subject.endswith("--leader") for d in ds)



def test_a_meeting_title_names_its_body_without_the_word_meeting() -> None:
    from nlp.decisions import _clean_body

    assert _clean_body("Leisure Portfolio Holder's Meeting") == "Leisure Portfolio Holder"
    assert _clean_body("the CABINET MEETING") == "Cabinet"
    assert _clean_body("Health and Wellbeing Board") == "Health and Wellbeing Board"


@pytest.mark.parametrize(("text", "action"), [
    ("1) That approval be given to the proposal of the Market Traders.", "approve"),
    ("That consent be granted for the disposal of the depot.", "approve"),
    ("That the advice of the Panel be accepted and endorsed.", "endorse"),
    ("that the minutes of the meeting held on 3 May be signed as a correct record", "approve"),
    ("It was noted that the items would be taken in public.", "note"),
])
def test_more_resolution_forms(text: str, action: str) -> None:
    assert item_action(text) == action


def test_item_headings_name_no_body_and_a_decision_heading_does() -> None:
    from nlp.decisions import _clean_body

    assert _clean_body("Membership of Cabinet") == ""
    assert _clean_body("Advice of the Advisory Panel") == ""
    assert _clean_body("Decision of the Executive Member") == "Executive Member"
    assert _clean_body("Director of Adult Social Care") == "Director of Adult Social Care"


NOTE_LIST = """Agenda item

Contracts update

Decision:

The Leader of the Council delegated authority to the Cabinet to make the following decisions:

RESOLVED: To note

1. The request for approval of the Day Centres Contract Award as set out in the report.

2. The list of contract awards made by the Director of Procurement since the last meeting.
"""


@pytest.mark.slow
def test_a_short_lead_in_without_its_colon_gives_every_item_its_verb(extractor: Extractor,
                                                                      tmp_path: Path) -> None:
    ds = _decisions(extractor, tmp_path, NOTE_LIST)
    noted = [d for d in ds if d.evidence.quote.startswith(("1.", "2."))]
    assert [d.attrs["action"] for d in noted] == ["note", "note"]
    assert {d.attrs["body_name"].split(" (")[0] for d in noted} == {"Cabinet"}


DECISION_LINES = """Membership of Cabinet

Decision: All Cabinet Members were present.

Decision: No interests were declared.

Cabinet received oral questions from the public.

Day centres review

Decision: RESOLVED –

1) That approval be given to the closure of the Elm Road day centre.

2) That authority be delegated to the Director of Adult Care to consult on the changes.
"""


@pytest.mark.slow
def test_decision_lines_of_a_cabinet_meeting(extractor: Extractor, tmp_path: Path) -> None:
    ds = _decisions(extractor, tmp_path, DECISION_LINES, "Kirklees Council")
    assert [d.attrs["action"] for d in ds] == ["approve", "delegate"]  # procedural lines are no decisions
    # the body is Cabinet, not the item heading "Membership of Cabinet"
    assert {d.subject for d in ds} == {"organisation/kirklees-council--cabinet"}


COUNCILLOR_DECIDES = """Community grants

The Cabinet Member for Leisure and Culture, Councillor Sam Patel, asked about each application.

Following discussion Councillor Patel approved the officers' recommendations:

a) To approve the grant applications as set out in the report.

b) To defer one application for further information.
"""


@pytest.mark.slow
def test_a_councillor_named_as_deciding_is_their_office(extractor: Extractor, tmp_path: Path) -> None:
    ds = _decisions(extractor, tmp_path, COUNCILLOR_DECIDES)
    assert [d.attrs["action"] for d in ds] == ["approve", "defer"]
    assert {d.attrs["body_name"] for d in ds} == {"Cabinet Member for Leisure and Culture"}


@pytest.mark.slow
def test_resolved_comma_that_and_a_decision_heading(extractor: Extractor, tmp_path: Path) -> None:
    text = ("Issue - decisions\n\nCommunity centres\n\nDecision of the Executive Member\n\n"
            "RESOLVED, that – the advice of the Panel be accepted and endorsed.\n")
    (d,) = _decisions(extractor, tmp_path, text)
    assert d.attrs["action"] == "endorse"
    assert d.attrs["body_name"].startswith("Executive Member")


@pytest.mark.parametrize(("text", "action"), [
    ("that the decisions be accepted as a true record of proceedings.", "approve"),
    ("that the report be accepted and the Cabinet approved the fees for 2024/25.", "approve"),
    ("2. In addition, and in order to allow a review, to extend the current contract.", "extend"),
])
def test_the_act_after_a_weak_verb_or_a_preamble(text: str, action: str) -> None:
    assert item_action(text) == action


NESTED = """Issue - decisions

Procurement plan

12/03/2021 - Procurement plan

1. To consider the contract list at Appendix A, and a. Confirm that the contracts can proceed to award; \
b. Identify any contract that should come back to Cabinet; and c. Authorise the Head of Legal Services to \
sign the contracts.
"""


@pytest.mark.slow
def test_a_list_inside_one_item_gives_one_decision_per_sub_item(extractor: Extractor, tmp_path: Path) -> None:
    ds = _decisions(extractor, tmp_path, NESTED)
    assert [d.evidence.quote[:2] for d in ds] == ["a.", "b.", "c."]
    assert ds[2].attrs["action"] == "authorise"


LISTING = """Decisions published

04/03/2024 - Contract award for supported living ref: 1234    Recommendations Approved

This report seeks approval of the award of the supported living contract to Hill House Care.

Decision Maker: Director of Adult Social Care
"""


@pytest.mark.slow
def test_a_published_decision_that_seeks_approval(extractor: Extractor, tmp_path: Path) -> None:
    (d,) = _decisions(extractor, tmp_path, LISTING)
    assert d.attrs["action"] == "approve"
    assert d.attrs["body_name"] == "Director of Adult Social Care"


@pytest.mark.slow
def test_scottish_headlines_record_decisions(extractor: Extractor, tmp_path: Path) -> None:
    text = ("Housing Committee.\n\nDundee, 3rd March 2010.\n\n"
            "Tenancy support – New service model approved.\n\n"
            "1 The committee considered a report on tenancy support.\n")
    (d,) = _decisions(extractor, tmp_path, text)
    assert d.attrs["action"] == "approve"
    assert d.attrs["body_name"].startswith("Housing Committee")


@pytest.mark.parametrize(("text", "action"), [
    ("The minutes were taken as read and signed as correct.", "approve"),
    ("That the Annual Report be received for information.", "note"),
    ("Members were not minded to approve the application.", "refuse"),
    ("TO GRANT THE PREMISES LICENCE subject to the conditions agreed.", "approve"),
    ("grant a dispensation to the member for the item.", "other"),
    ("a. to set a budget requirement of £9.5M for 2024/25", "approve"),
])
def test_fixed_phrases_of_minutes(text: str, action: str) -> None:
    assert item_action(text) == action


BUDGET_PARTS = """Agenda item

Budget 2025/26

Decision:

PART A

In relation to the General Fund

a. to set a General Fund budget requirement of £9.5M for 2025/26 b. to approve a Council Tax increase of \
£4 for 2025/26 c. to note the indicative estimates for 2026/27

In relation to the Housing Revenue Account

d. to approve a rent increase of 2%

Capital Strategy

The report was presented by the Leader.
"""


@pytest.mark.slow
def test_a_decision_list_runs_on_past_its_sub_headings(extractor: Extractor, tmp_path: Path) -> None:
    ds = _decisions(extractor, tmp_path, BUDGET_PARTS)
    assert [d.evidence.quote[:2] for d in ds] == ["a.", "b.", "c.", "d."]
    assert [d.attrs["action"] for d in ds] == ["approve", "approve", "note", "approve"]


PARISH = """Minutes of the EXTRAORDINARY PARISH COUNCIL MEETING held on the 9th December 2024 at 7pm.

Present: Cllr A Brown (Chair), Cllr C Dean.

1. Apologies were received from Cllr E Fox, these were approved.

2. 1234 Appointment of Vice-Chair RESOLVED that Cllr C Dean be appointed Vice-Chair.

3. Councillors agreed that the Council would support the village hall.

4. The Council so concurred.

5. Submitted letter of thanks from the village hall committee.

6. The Clerk advised that the precept form had been sent.
"""


@pytest.mark.slow
def test_parish_minutes(extractor: Extractor, tmp_path: Path) -> None:
    ds = _decisions(extractor, tmp_path, PARISH)
    # apologies, letters and what the Clerk advised are no decisions
    assert [d.attrs["action"] for d in ds] == ["appoint", "agree", "agree"]
    assert {d.attrs["body_name"].split(" (")[0] for d in ds} == {"Parish Council"}  # not "Extraordinary …"


IT_WAS_RESOLVED = """Decisions published

02/12/2024 - Leisure centre capital works ref: 77    Recommendations Approved

Decision Maker: The Executive

It was resolved –

To note the grant offer of £250,000 for 2024/25.

To endorse the pool refurbishment as the priority scheme.

To delegate to the Director of Place the award of the works contract.
"""


@pytest.mark.slow
def test_unnumbered_items_under_it_was_resolved(extractor: Extractor, tmp_path: Path) -> None:
    ds = _decisions(extractor, tmp_path, IT_WAS_RESOLVED)
    assert [d.attrs["action"] for d in ds] == ["note", "endorse", "delegate"]
    assert {d.attrs["body_name"].split(" (")[0] for d in ds} == {"Executive"}


HAVING_CONSIDERED = """Minutes:

On 3 May 2023, Cabinet considered a report on the future of two day centres.

Having considered the information, Cabinet:-

Noted the results of the consultation on the day centres, and agreed to the closure of the Elm Road centre.

Delegated authority to the Director of Adult Care to arrange the moves of the people who use it.
"""


@pytest.mark.slow
def test_a_preamble_then_the_body_then_its_acts(extractor: Extractor, tmp_path: Path) -> None:
    ds = _decisions(extractor, tmp_path, HAVING_CONSIDERED, "Derby City Council")
    assert [d.attrs["action"] for d in ds] == ["note", "agree", "delegate"]
    assert {d.subject for d in ds} == {"organisation/derby-city-council--cabinet"}


SCOTTISH_MINUTES = """MINUTES of MEETING of the CABINET held in the Council Chambers on Tuesday 6 March 2012.

1 Minutes

The minutes of meetings of 7 and 21 February 2012 were submitted and approved as correct records.

2 Minutes of the Licensing Board

The Minutes of the Licensing Board held on 2 February 2012 were submitted and approved on the motion of \
Councillor Reid, seconded by Councillor Gray.

3 The Leader was authorised to sign the minutes of the meeting held on 14 January 2012.

4 RESOLVED that Cabinet approve the fees for 2012/13 and that the minutes be received and confirmed as a \
correct record.
"""


@pytest.mark.slow
def test_minutes_submitted_and_approved(extractor: Extractor, tmp_path: Path) -> None:
    ds = _decisions(extractor, tmp_path, SCOTTISH_MINUTES)
    assert [d.attrs["action"] for d in ds] == ["approve", "approve", "authorise", "approve"]
    assert ds[-1].attrs["body_name"].startswith("Cabinet")


PARENT_SUBJECT = """Issue - decisions

Temporary accommodation

13/02/2019 - Temporary accommodation

1. That the Cabinet Member for Housing noted the funding made available for the scheme.

2. That the Cabinet Member for Housing delegated authority to the Director of Housing the following:

a) Agreement of the articles of the new company

b) Payment of up to £90K to fund two officers
"""


@pytest.mark.slow
def test_sub_items_are_decided_by_their_parents_subject(extractor: Extractor, tmp_path: Path) -> None:
    ds = _decisions(extractor, tmp_path, PARENT_SUBJECT)
    assert [d.attrs["action"] for d in ds] == ["note", "delegate", "delegate"]
    assert {d.attrs["body_name"] for d in ds} == {"Cabinet Member for Housing"}


@pytest.mark.slow
def test_given_approval_and_a_second_approval_in_one_sentence(extractor: Extractor, tmp_path: Path) -> None:
    text = ("Issue - decisions\n\nSheltered housing\n\n08/07/2015 - Sheltered housing\n\n"
            "The Executive has given approval to officers starting a consultation with tenants.\n\n"
            "The Cabinet approved the continuation of the contracts and approved the variation to the "
            "Carers Support Contract.\n")
    ds = _decisions(extractor, tmp_path, text)
    assert [d.attrs["action"] for d in ds] == ["approve", "approve", "approve"]
    assert ds[-1].evidence.quote.startswith("approved the variation")
