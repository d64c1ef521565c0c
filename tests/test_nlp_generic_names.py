"""Names that generalise (issue #15 item 5): no generic word is an entity's name or alias, a bare
"the Council" is a mention of the paper's authority only, and national bodies, health boards,
lower-case services and local-government funds come from the bundled reference lists."""

from __future__ import annotations

import pytest

from corpus import load_document
from corpus.metadata import CatalogueRow
from nlp.extractor import Extractor
from nlp.models import Extraction
from nlp.resolution import is_generic_name

PAPER = """REPORT TO CABINET
1. The Council will renew the Section 75 pooled budget with Wellow Vale Integrated Care Board.
2. The pooled budget is held by the Council, whose Civic Centre hosts the Board.
3. The City Council and the County Councils agree. Section 75 applies to the arrangements.
4. NHS Grampian and Audit Scotland reviewed the plan; HMRC was consulted on the charges.
5. Spending on temporary accommodation and bed and breakfast rose, as did the cost of foster \
placements and children's homes.
6. The Housing Revenue Account and the General Fund bear the cost; the New Homes Bonus is unchanged.
"""


@pytest.fixture(scope="module")
def extraction(tmp_path_factory: pytest.TempPathFactory) -> Extraction:
    path = tmp_path_factory.mktemp("generic") / "paper.txt"
    path.write_text(PAPER, encoding="utf-8")
    doc = load_document(path, CatalogueRow("paper.txt", authority="Derby City Council"))
    return Extractor().extract(doc)


@pytest.mark.parametrize("name", [
    "Council", "City Council", "the County Councils", "Section 75", "pooled budgets", "the Board",
    "Cabinet", "Civic Centre", "Town Hall", "7 day services", "Key Decision", "joint budget",
])
def test_generic_names(name: str) -> None:
    assert is_generic_name(name)


@pytest.mark.parametrize("name", [
    "Sefton Council", "Section 75 pooled budget", "Section 75 Agreement", "Public Health Grant",
    "Health and Wellbeing Board", "Better Care Fund", "BCF", "Adult Social Care", "Executive Board",
])
def test_specific_names(name: str) -> None:
    assert not is_generic_name(name)


def test_no_entity_is_named_or_aliased_by_a_generic_word(extraction: Extraction) -> None:
    for entity in extraction.entities.values():
        assert not is_generic_name(entity.name), entity
        assert not [a for a in entity.aliases if is_generic_name(a)], entity


def test_a_bare_generic_name_is_a_mention_of_the_one_entity_that_contains_it(extraction: Extraction) -> None:
    funds = {e.name: e for e in extraction.entities.values() if e.type == "FundingStream"}
    assert "Section 75 pooled budget" in funds
    key = funds["Section 75 pooled budget"].key
    moved = [m for m in extraction.mentions if m.evidence.method == "resolution:generic-name"]
    assert any(m.text == "pooled budget" and m.entity_key == key for m in moved)
    assert all(m.evidence.confidence <= 0.7 for m in moved)


def test_the_council_stays_a_mention_of_the_authority_without_becoming_its_alias(
    extraction: Extraction,
) -> None:
    derby = next(e for e in extraction.entities.values() if e.name == "Derby City Council")
    assert "Council" not in derby.aliases and "City Council" not in derby.aliases


def test_reference_lists_name_bodies_services_and_funds(extraction: Extraction) -> None:
    by_type: dict[str, set[str]] = {}
    for e in extraction.entities.values():
        by_type.setdefault(e.type, set()).add(e.name)
    assert {"NHS Grampian", "Audit Scotland", "HM Revenue and Customs"} <= by_type["Organisation"]
    assert {"Temporary Accommodation", "Bed and Breakfast Accommodation", "Foster Care",
            "Children's Homes"} <= by_type["Service"]
    assert {"Housing Revenue Account", "General Fund", "New Homes Bonus"} <= by_type["FundingStream"]



NAMES = """Report to the Executive Board of Leeds City Council

1. Leeds City, Bradford and Kirklees Councils will jointly procure the service.
2. A review by Halvorsen Grieve found weaknesses; the Office of the Public Guardian was informed.
3. Wellow General Hospital and the Midlands and Lancashire Commissioning Support Unit share data.
4. The Health & Wellbeing Board met. Councillor Jane Smith chaired it and Cllr Smith thanked officers.
5. The contract for home care was awarded to Kingsmoor Homecare Limited.
"""


@pytest.fixture(scope="module")
def names(tmp_path_factory: pytest.TempPathFactory) -> Extraction:
    path = tmp_path_factory.mktemp("names") / "names.txt"
    path.write_text(NAMES, encoding="utf-8")
    doc = load_document(path, CatalogueRow("names.txt", authority="Leeds City Council"))
    return Extractor().extract(doc)


def _names(x: Extraction, etype: str) -> set[str]:
    return {e.name for e in x.entities.values() if e.type == etype}


def test_coordinated_councils_are_each_a_council(names: Extraction) -> None:
    orgs = _names(names, "Organisation")
    bradford = "City of Bradford Metropolitan District Council"
    assert {"Leeds City Council", "Kirklees Council", bradford} <= orgs


def test_a_council_s_board_is_a_body_of_that_council_labelled_with_it(names: Extraction) -> None:
    assert "Executive Board of Leeds City Council" not in _names(names, "Organisation")
    assert {"Executive Board (Leeds City Council)",
            "Health and Wellbeing Board (Leeds City Council)"} <= _names(names, "Partnership")


def test_bodies_without_nhs_or_trust_in_their_names(names: Extraction) -> None:
    orgs = {e.name: e for e in names.entities.values() if e.type == "Organisation"}
    assert orgs["Wellow General Hospital"].kind == "nhs-trust"
    assert orgs["Midlands and Lancashire Commissioning Support Unit"].kind == "national-nhs-body"
    assert "Office of the Public Guardian" in orgs and "Halvorsen Grieve" in orgs
    assert orgs["Kingsmoor Homecare Limited"].kind == "private-company"


def test_a_surname_is_the_one_person_of_that_surname(names: Extraction) -> None:
    people = _names(names, "Person")
    assert people == {"Jane Smith"}
    moved = [m for m in names.mentions if m.evidence.method == "resolution:surname"]
    assert [m.text for m in moved] == ["Cllr Smith"]


def test_nhs_bodies_named_by_their_area_and_departments_that_are_not_services() -> None:
    from nlp.shapes import find_shapes, service_phrase_plausible

    found = {m.text: m for m in find_shapes(
        "NHS Wellow and Kingsmoor agreed with NHS Highland; the NHS Long Term Plan and the NHS Act 2006 "
        "apply.")}
    assert {"NHS Wellow and Kingsmoor", "NHS Highland"} <= set(found)
    assert not [t for t in found if "Plan" in t or "Act" in t]
    assert not service_phrase_plausible("Democratic Services")
    assert not service_phrase_plausible("Legal and Property Services")
    assert service_phrase_plausible("Home Care Services")
    assert not [m for m in find_shapes("the Head of Personnel Services agreed") if m.type == "Service"]


def _extract(tmp_path_factory: pytest.TempPathFactory, text: str, authority: str = "") -> tuple:
    path = tmp_path_factory.mktemp("named") / "paper.txt"
    path.write_text(text, encoding="utf-8")
    doc = load_document(path, CatalogueRow("paper.txt", authority=authority) if authority else None)
    return doc, Extractor().extract(doc)


def test_a_board_named_with_its_area_is_that_areas_board_whatever_the_paper(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    _, ex = _extract(tmp_path_factory, "Agenda\n\nSuffolk Health and Wellbeing Board\n\n"
                     "The Board agreed its priorities with the Kent Health and Wellbeing Board.\n")
    boards = {e.key: e for e in ex.entities.values() if e.type == "Partnership"}
    assert "partnership/suffolk-county-council--health-and-wellbeing-board" in boards
    assert "partnership/kent-county-council--health-and-wellbeing-board" in boards
    suffolk = boards["partnership/suffolk-county-council--health-and-wellbeing-board"]
    assert "Suffolk Health and Wellbeing Board" in suffolk.aliases  # its name as the paper writes it


def test_the_paper_council_is_named_in_it_only_when_the_text_names_it(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    from kg.rdf import CK, paper_quads

    def names(text: str) -> set[str]:
        doc, ex = _extract(tmp_path_factory, text, "Derby City Council")
        built = paper_quads(doc, ex)
        return {q.object.value for q in built.all() if q.predicate.value == CK + "nameInPaper"}

    assert "Derby City Council" not in names("Cabinet\n\nRESOLVED that the report be noted.\n")
    named = "Derby City Council\n\nCabinet\n\nRESOLVED that the report be noted.\n"
    assert "Derby City Council" in names(named)


def test_office_holders_are_no_organisations_or_services(tmp_path_factory: pytest.TempPathFactory) -> None:
    text = ("The report of the Lead Member for Health and Care, County Councillor Sam Patel, was presented.\n"
            "The Department of Adult Social Services and the Portfolio Holder for Education agreed the plan "
            "with Wellow Homes Company Limited.\n")
    _, ex = _extract(tmp_path_factory, text, "Derby City Council")
    names = {e.name for e in ex.entities.values() if e.type in {"Organisation", "Service", "Partnership"}}
    assert not any(n.startswith(("Lead Member", "County Councillor", "Portfolio Holder", "Department of"))
                   for n in names), names
    assert "Company Limited" not in names


@pytest.mark.parametrize(("phrase", "name"), [
    ("sheltered housing", "Sheltered Housing"),
    ("housing related support", "Housing Related Support"),
    ("children's centres", "Children's Centres"),
    ("public health nursing", "Public Health Nursing"),
])
def test_common_services_written_in_lower_case(tmp_path_factory: pytest.TempPathFactory, phrase: str,
                                               name: str) -> None:
    text = f"Cabinet\n\nThe Cabinet agreed to review {phrase} across the district.\n"
    _, ex = _extract(tmp_path_factory, text)
    assert name in {e.name for e in ex.entities.values() if e.type == "Service"}
