"""Shape rules, acronym definitions, table headers and resolution — no spaCy model needed."""

from __future__ import annotations

import pytest

from corpus.models import Block, Cell, Document, Metadata, Table
from nlp.acronyms import find_inline, paper_definitions
from nlp.resolution import canonical_name, entity_key, find_council, neighbouring_council, slugify
from nlp.shapes import classify_name, find_shapes
from nlp.tables import column_roles, row_status, service_head


def shapes(text: str) -> dict[str, tuple[str, str | None]]:
    return {m.text: (m.type, m.kind) for m in find_shapes(text)}


@pytest.mark.parametrize(
    ("text", "name", "etype", "kind"),
    [
        ("funded by Bassetshire County Council this year", "Bassetshire County Council", "Organisation",
         "local-authority"),
        ("led by NHS Wellow Vale Clinical Commissioning Group.",
         "NHS Wellow Vale Clinical Commissioning Group", "Organisation", "clinical-commissioning-group"),
        ("with Kingsmoor Hospitals NHS Foundation Trust",
         "Kingsmoor Hospitals NHS Foundation Trust", "Organisation", "nhs-trust"),
        ("data from West Fenland Ambulance Service", "West Fenland Ambulance Service", "Organisation",
         "nhs-trust"),
        ("the Wellow Vale Transformation Partnership agreed", "Wellow Vale Transformation Partnership",
         "Partnership", None),
        ("reports to the Safer Wellow Alliance", "Safer Wellow Alliance", "Partnership", None),
        ("paid from the Troubled Homes Fund", "Troubled Homes Fund", "FundingStream", None),
        ("the Wellow Housing-Related Support budget", "Wellow Housing-Related Support budget",
         "FundingStream", None),
        ("the Pharmacy Needle Exchange Scheme ends", "Pharmacy Needle Exchange Scheme", "Service", None),
    ],
)
def test_shape_rules_type_names_by_their_head(text: str, name: str, etype: str, kind: str | None) -> None:
    assert shapes(text)[name] == (etype, kind)


def test_a_nurse_partnership_is_a_service_not_a_partnership() -> None:
    found = shapes("In scope: the Family Nurse Partnership and others")
    assert found["Family Nurse Partnership"][0] == "Service"


def test_lists_of_names_are_split_at_and() -> None:
    found = shapes("Bassetshire County Council and Wellow Vale Clinical Commissioning Group will")
    assert set(found) == {"Bassetshire County Council", "Wellow Vale Clinical Commissioning Group"}


def test_generic_phrases_are_not_names() -> None:
    found = shapes("The four Clinical Commissioning Groups and the Mental Health Trust met the Full Council. "
                   "Health and Social Care is an Integrated Service.")
    assert not any(t == "Organisation" for t, _ in found.values()), found
    assert "Health and Social Care" not in found and "Integrated Service" not in found


def test_a_name_keeps_words_joined_by_and() -> None:
    assert "Health and Wellbeing Board" in shapes("the County's Health and Wellbeing Board on 4 May")
    assert "Nottingham North and East Clinical Commissioning Group" in shapes(
        "and Nottingham North and East Clinical Commissioning Group")


def test_council_budget_documents_are_not_funding_streams() -> None:
    assert "Annual Budget" not in shapes("see the Annual Budget Report 2015/16")
    assert "Revenue Budget" not in shapes("Revenue Budget 2013/14 – report to Full Council")


def test_classify_name_types_list_items() -> None:
    assert classify_name("Kingsmoor Healthcare NHS Trust.")[0] == "Organisation"
    assert classify_name("Section 75 pooled budget")[0] == "FundingStream"
    assert classify_name("Circle") is None


def test_inline_definitions_find_the_long_form_by_initials() -> None:
    text = ("The Better Care Fund (BCF) pays for it, with Kingsmoor University Hospitals NHS Trust (KUHT) "
            "and the Information, Advice and Support (IAS) Services.")
    defs = {d.acronym: d for d in find_inline(text)}
    assert defs["BCF"].long_form == "Better Care Fund"
    assert defs["KUHT"].long_form == "Kingsmoor University Hospitals NHS Trust"
    assert defs["IAS"].long_form == "Information, Advice and Support Services"
    for d in defs.values():
        assert text[d.start:d.end] == d.long_form.replace(" Services", "")


def _doc(text: str, blocks: list[Block], tables: list[Table] | None = None) -> Document:
    return Document("d", "d.txt", "0" * 64, text, blocks, tables or [], Metadata())


def test_glossary_tables_and_name_keys_define_acronyms() -> None:
    text = "Term\tDescription\nSCR\tStrategic Commissioning Review\n\nName key:\nCU – Catherine Underwood\n"
    r = text.index("SCR")
    cells = (Cell("Term", "SCR", r, r + 3), Cell("Description", "Strategic Commissioning Review", r + 4,
                                                      r + 4 + len("Strategic Commissioning Review")))
    row = Block("table_row", r, cells[1].end, text[r:cells[1].end], table_id=0, row=0, cells=cells)
    defs = paper_definitions(_doc(text, [row]))
    assert defs["SCR"].long_form == "Strategic Commissioning Review"
    assert defs["CU"].long_form == "Catherine Underwood" and defs["CU"].is_person
    assert text[defs["CU"].start:defs["CU"].end] == "Catherine Underwood"


def test_column_roles_come_from_header_words_not_positions() -> None:
    headers = ["Savings. Link to MTFP", "Funding Source", "Commissioning Activity and Scope",
               "Key Milestones",
               "Director /Sponsor", "Finances in Scope/ Existing contract value", "Portfolio Holder", "Date"]
    roles = column_roles(headers)
    assert roles == {
        "Savings. Link to MTFP": "savings", "Funding Source": "funding",
        "Commissioning Activity and Scope": "activity", "Key Milestones": "milestones",
        "Director /Sponsor": "sponsor", "Finances in Scope/ Existing contract value": "money",
        "Portfolio Holder": "portfolio", "Date": "date",
    }


@pytest.mark.parametrize(
    ("cell", "name"),
    [
        ("3a. Self-Care Review; This relates to giving people the means", "Self-Care"),
        ("3f. Home Care This is a Review of the whole system", "Home Care"),
        ("2b.Future in Mind Transformation Plan (including CAMHS work)", "Future in Mind"),
        ("3a. Review and commissioning of services involved in the delivery of the Pharmacy Needle Exchange "
         "Scheme Review", "Pharmacy Needle Exchange Scheme"),
        ("3i. Review of Extra Care Services Implementation", "Extra Care Services"),
        ("3g. Assistive Technology expansion", "Assistive Technology"),
        ("3e. Child Development Review Phase 1 (Integrated 0-5 Children's Services)", "Child Development"),
    ],
)
def test_service_head_of_an_activity_cell(cell: str, name: str) -> None:
    start, end, found, aliases = service_head(cell)
    assert found == name
    assert cell[start:end] == aliases[0]


def test_activity_cells_that_name_no_service_give_none() -> None:
    assert service_head("Complete year one review to shape the direction of services") is None
    assert service_head("3b. Review and") is None


def test_row_status_from_keywords_then_group_label() -> None:
    assert row_status("Healthy Lifestyles (this service is being implemented)", "Continuing")[0] == \
        "implementation"
    assert row_status("3f. Home Care", "New") == ("new", ["new"])
    assert row_status("Review of Day Services", "")[0] == "review"
    assert row_status("Re-tender of Advocacy", "")[0] == "procurement"


def test_keys_are_stable_slugs_of_canonical_names() -> None:
    assert entity_key("Organisation", canonical_name("Organisation", "NHS Wellow CCG")) == \
        "organisation/wellow-clinical-commissioning-group"
    assert slugify("Health and Well-being Board") == slugify("Health and Wellbeing Board")
    assert canonical_name("Partnership", "the Health and Wellbeing Boards") == "Health and Wellbeing Board"


def test_generic_partnerships_are_keyed_per_authority() -> None:
    a = entity_key("Partnership", "Health and Wellbeing Board", "Derby City Council")
    b = entity_key("Partnership", "Health and Wellbeing Board", "Nottingham City Council")
    assert a != b
    assert entity_key("Partnership", "South Wellow Transformation Partnership", "Derby City Council") == \
        "partnership/south-wellow-transformation-partnership"


def test_councils_resolve_to_gss_codes_and_neighbours() -> None:
    assert find_council("Nottingham City Council").gss == "E06000018"
    assert find_council("Notts County Council").name == "Nottinghamshire County Council"
    assert find_council("Wellow Vale Council") is None
    assert neighbouring_council("Derby City Council", "county").name == "Derbyshire County Council"
    assert neighbouring_council("Nottinghamshire County Council", "city").name == "Nottingham City Council"


@pytest.mark.parametrize(
    "text",
    [
        "Priorities are Improving Access to Effective Support for carers.",  # objective, tail of a title
        "a report on Integration of Health and Social Care Services in Wellow.",  # activity of a service
        "Fee Rates for Adult Social Care Services were agreed.",  # a report's title
        "Projections of Demand for Social Care rise.",
        "chaired by the Corporate Directors of Adult Social Care",  # a job title
        "progress within the Capital Grant Bid Support the submission of bids",  # "Support" is a verb
    ],
)
def test_actions_titles_and_roles_are_not_services(text: str) -> None:
    assert not [m for m in find_shapes(text) if m.type == "Service"]


def test_named_services_still_pass_the_service_rules() -> None:
    assert list(shapes("We Support the Wellow Falls Service.")) == ["Wellow Falls Service"]  # verb dropped
    assert list(shapes("3j. Review Residential Provision across the city")) == ["Residential Provision"]
    found = shapes("We fund the Crisis Prevention Scheme and Wellow Falls Response Service.")
    assert found["Crisis Prevention Scheme"] == ("Service", None)
    assert found["Wellow Falls Response Service"] == ("Service", None)
    assert classify_name("Delayed Transfers of Care") is None  # a measure, not a service
    assert classify_name("Kingsmoor Community Rehabilitation Service")[0] == "Service"


def test_a_word_before_a_comma_belongs_to_a_service_name_but_a_list_is_split() -> None:
    found = shapes("2c. Information, Advice and Support Services")
    assert "Information, Advice and Support Services" in found
    found = shapes("We buy Home Care, Extra Care Services and more.")
    assert "Extra Care Services" in found and "Care, Extra Care Services" not in str(found)


@pytest.mark.parametrize(
    ("cell", "name"),
    [
        ("3j. Integrate the Commissioning of Kingsmoor Falls Provision", "Kingsmoor Falls Provision"),
        ("3g Support the Transforming Care Partnership", "Transforming Care Partnership"),  # one verb only
        ("Homelessness Prevention Complete", "Homelessness Prevention"),  # a status word is no part
        ("2a. Integrated Mental Health Accommodation Pathway Strategic Review",
         "Integrated Mental Health Accommodation Pathway"),
    ],
)
def test_service_head_strips_verbs_activities_and_statuses(cell: str, name: str) -> None:
    assert service_head(cell)[2] == name


def test_row_labels_and_aims_are_not_service_names() -> None:
    assert service_head("Commissioning Intention 4 To further improve health outcomes for children") is None
    assert service_head("Priority 2: To commission an integrated pathway for behaviour") is None
    start, end, name, _ = service_head("Priority 3 Wellow Stop Smoking Service")
    assert name == "Wellow Stop Smoking Service"


def test_councils_named_head_first_and_welsh_health_boards() -> None:
    found = shapes("The London Borough of Camden and NHS North Central London Integrated Care Board agreed.")
    assert found["London Borough of Camden"] == ("Organisation", "local-authority")
    assert found["NHS North Central London Integrated Care Board"][0] == "Organisation"
    assert "Royal Borough of Kingston upon Thames" in shapes("the Royal Borough of Kingston upon Thames")
    assert "London Borough of Barking and Dagenham" in shapes("London Borough of Barking and Dagenham.")
    assert shapes("Cardiff and Vale University Health Board met")[
        "Cardiff and Vale University Health Board"] == ("Organisation", "nhs-trust")
    carers = shapes("the Wellow Carers Trust")["Wellow Carers Trust"]
    assert carers == ("Organisation", "voluntary-organisation")
    assert shapes("Cabinet Member for Adult Social Care and Health") == {}  # a post, not a service


def test_councils_resolve_by_their_area_name_alone() -> None:
    assert find_council("Camden Council").gss == "E09000007"  # official name: London Borough of Camden
    assert find_council("Camden District Council") is None  # a kind the council is not
    from nlp.resolution import council_by_gss

    assert council_by_gss("E06000018").name == "Nottingham City Council"


def test_acronyms_skip_an_nhs_trusts_suffix() -> None:
    text = "delivered by Central and North West London NHS Foundation Trust (CNWL) across the borough"
    (d,) = find_inline(text)
    assert d.acronym == "CNWL" and d.long_form == "Central and North West London NHS Foundation Trust"


def test_money_in_millions_is_exact() -> None:
    from nlp.values import find_money

    assert next(find_money("£8.2 million")).value == 8_200_000.0


def test_an_nhs_trust_keeps_one_key_whatever_its_status_in_the_name() -> None:
    keys = {entity_key("Organisation", n) for n in (
        "Wellow Healthcare NHS Foundation Trust", "Wellow Healthcare NHS Trust",
        "Wellow Healthcare Foundation Trust", "Wellow Healthcare Trust")}
    assert keys == {"organisation/wellow-healthcare-trust"}
    assert entity_key("Organisation", "Wellow Carers Trust") == "organisation/wellow-carers-trust"
    assert entity_key("Organisation", "Wellow Foundation") == "organisation/wellow-foundation"


def test_plain_budgets_and_work_programmes_name_nothing() -> None:
    found = shapes("National funding and the Commissioning budget pay for the Commissioning Work Programme.")
    assert found == {}
    found = shapes("The Better Together Programme uses the Wellow Resettlement budget.")
    assert found["Better Together Programme"][0] == "Partnership"
    assert found["Wellow Resettlement budget"][0] == "FundingStream"


@pytest.mark.parametrize(("text", "names"), [
    # the service a contract decision is about, named before or after the words about the contract
    ("Approval of the Falls Prevention Contract Award is sought.", {"Falls Prevention"}),
    ("The Street Cleansing Services Contract Variation was agreed.", {"Street Cleansing Services"}),
    ("12/01/2024 - Contract Award for Young Carers Support Services ref: 99",
     {"Young Carers Support Services"}),
    # no service: a tax, or an office holder
    ("The Council Tax Contract Award was noted.", set()),
    ("The Executive Member for Housing and Care Services spoke.", set()),
])
def test_services_around_contract_decisions(text: str, names: set[str]) -> None:
    assert {m.text for m in find_shapes(text) if m.type == "Service"} == names


@pytest.mark.parametrize("name", ["Revenue Budget", "Net Revenue Budget", "Initial Budget"])
def test_a_councils_own_budget_is_no_funding_stream(name: str) -> None:
    assert classify_name(name) is None
    assert not [m for m in find_shapes(f"The Cabinet approved the {name} for the year.")
                if m.type == "FundingStream"]
