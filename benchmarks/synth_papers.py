"""Generator of realistic synthetic UK council papers, for benchmarks and volume tests.

The papers copy the *structure* of the bundled samples (converted-from-PDF text): headings
in capitals, numbered paragraphs (``3.``, ``- 2.1``), tab-separated tables whose rows can carry
inline HTML (``<p>``, ``<b>``, ``<ul><li>``), group rows such as ``<b><u>Continuing</u></b>``,
page furniture (``Page 12``, a repeated appendix title and table header after a page break,
continuation rows that start with empty cells), money in every common shape (``£1.2m``,
``c£67.207m``, ``£372,932.75``, ``£418.5 million``), periods (``2018/19``, ``April 17``, ``1 April
2019 to 31 March 2022``), partnerships with member lists, and ``RESOLVED`` decisions.

What varies is drawn from lists: the authority (and its GSS code) comes from
``corpus/data/uk_local_authorities.csv``; services, funding streams, NHS bodies, people,
years and amounts are combined at random. Every paper is a pure function of
``(seed, index, revision)``, so paper 537 of a 10,000-paper corpus can be regenerated alone,
and ``revision=1`` gives an edited version of the same paper (same file name, changed text)
for incremental-build measurements.

Command line: ``python -m benchmarks.synth_papers OUT_DIR --papers 1000 --seed 0``.
"""

from __future__ import annotations

import argparse
import csv
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

AUTHORITIES_CSV = Path(__file__).resolve().parent.parent / "corpus" / "data" / "uk_local_authorities.csv"

CATALOGUE_FIELDS = ("file", "authority", "gss_code", "date", "committee", "title", "document_type")

PAPER_KINDS = ("committee_report", "commissioning_plan", "agenda_pack", "progress_report")

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday")

SERVICES = (
    "Home Care",
    "Healthy Lifestyles",
    "Assistive Technology",
    "Substance Misuse Treatment",
    "Domestic and Sexual Violence Support",
    "Carers' Support",
    "Residential and Nursing Care",
    "Reablement",
    "Community Equipment",
    "Mental Health Accommodation Pathways",
    "Health Visiting",
    "School Nursing",
    "Sexual Health Services",
    "Homelessness Prevention",
    "Learning Disability Supported Living",
    "Independent Advocacy",
    "Stop Smoking Service",
    "Falls Prevention",
    "Dementia Support",
    "Intermediate Care",
    "Social Prescribing",
    "Family Nurse Partnership",
    "Children's Centres",
    "Young Carers Support",
    "Drug and Alcohol Recovery",
    "Information, Advice and Guidance",
    "Extra Care Housing",
    "Day Opportunities",
    "Shared Lives",
    "Short Breaks for Disabled Children",
    "Child and Adolescent Mental Health Services",
    "Integrated Community Equipment Loans",
    "Telecare",
    "Hospital Discharge Support",
    "Weight Management",
    "Floating Housing Support",
    "Community Falls Response",
    "Memory Assessment",
    "Crisis Resolution",
    "Supported Employment",
)
FUNDS = (
    "Better Care Fund",
    "Improved Better Care Fund",
    "Public Health Grant",
    "Disabled Facilities Grant",
    "Troubled Families Programme",
    "Police and Crime Commissioner Grant",
    "Resettlement Grant",
    "Adult Social Care Precept",
    "Winter Pressures Grant",
    "Housing Related Support Grant",
    "Transformation Fund",
    "Social Care Support Grant",
    "Independent Living Fund",
    "Supporting People Programme",
    "Controlling Migration Fund",
    "Dedicated Schools Grant",
)
CCG_SUFFIXES = ("Clinical Commissioning Group", "CCG")
TRUST_KINDS = (
    "University Hospitals NHS Trust",
    "Healthcare NHS Foundation Trust",
    "Community Health Services",
    "Hospitals NHS Foundation Trust",
    "Partnership NHS Foundation Trust",
)
NATIONAL_BODIES = (
    "NHS England",
    "Public Health England",
    "Care Quality Commission",
    "Department of Health",
    "Ministry of Housing, Communities and Local Government",
    "Department for Education",
    "NHS Improvement",
    "Health Education England",
)
VOLUNTARY_PATTERNS = (
    "Age UK {place}",
    "{place} Carers Association",
    "Mind in {place}",
    "{place} Refugee Forum",
    "{place} Council for Voluntary Service",
    "Healthwatch {place}",
    "{place} Women's Aid",
    "{place} Citizens Advice",
)
PARTNERSHIP_PATTERNS = (
    "{place} Transformation Partnership",
    "{place} Integrated Care Partnership",
    "{place} Crime and Drugs Partnership",
    "{place} Children and Young People's Partnership",
    "{place} Safeguarding Adults Partnership",
    "{place} Sustainability and Transformation Partnership",
)
COMMITTEES = (
    "Health and Wellbeing Board",
    "Adult Social Care and Health Committee",
    "Commissioning and Procurement Sub-Committee",
    "Children and Young People's Committee",
    "Executive Board",
    "Cabinet",
    "Health and Well-being Board",
    "Joint Commissioning Board",
)
DIRECTOR_TITLES = (
    "Corporate Director for Adult Social Care, Health and Public Protection",
    "Corporate Director for Strategy and Resources",
    "Director of Commissioning and Procurement",
    "Service Director, Integrated Commissioning",
    "Director of Public Health",
    "Corporate Director for Children and Adults",
    "Head of Contracting and Procurement",
)
FIRST_NAMES = (
    "Amy",
    "Steve",
    "Christine",
    "Noel",
    "Phil",
    "Clare",
    "Hayley",
    "Katy",
    "Lisa",
    "David",
    "Frank",
    "Kate",
    "Ben",
    "Sam",
    "Cheryl",
    "Eunice",
    "Adele",
    "Sally",
    "Julie",
    "Candida",
    "Alison",
    "Marcus",
    "Priya",
    "Tariq",
    "Helen",
    "Owen",
    "Grace",
    "Rhys",
    "Fiona",
    "Imran",
    "Joanne",
    "Mark",
)
SURNAMES = (
    "Goulden",
    "Oakley",
    "Oliver",
    "Oxford",
    "Wye",
    "Gilbert",
    "Mason",
    "Ball",
    "Lopez",
    "Pearson",
    "Sykes",
    "Brown",
    "Anderson",
    "Webster",
    "Barnard",
    "Campbell",
    "Williams",
    "Longford",
    "Herrod",
    "Patel",
    "Khan",
    "Hughes",
    "Evans",
    "Davies",
    "Murray",
    "Singh",
    "O'Neill",
    "Clarke",
    "Ahmed",
)
ROLES = (
    "Head of Commissioning",
    "Commissioning Manager",
    "Strategic Finance Business Partner",
    "Lead Procurement Officer",
    "Governance Officer",
    "Consultant in Public Health",
    "Programme Manager",
    "Senior Solicitor",
    "Equality Lead",
)
OUTCOME_THEMES = (
    "adopt and maintain Healthy Lifestyles",
    "have positive Mental Wellbeing",
    "live independently in their own homes for longer",
    "be safe from harm and exploitation",
    "have the best start in life",
    "be supported and empowered to manage ill-health",
)
STATUS_GROUPS = ("Continuing", "New", "Completed", "Deferred")
RAG = ("G", "A", "R", "A/G")
PURPOSES = (
    "to seek approval to procure",
    "to update the Committee on the review of",
    "to recommend an approach to the joint commissioning of",
    "to seek approval to extend the contract for",
    "to report progress on the integration of",
)
REPORT_TITLES = ("Plans for Future Development", "Commissioning Proposal", "Contract Extension", "Review")
PLAN_COLUMNS = (
    "Commissioning Activity and Scope",
    "Rationale for the Review and Aim",
    "Key Milestones",
    "R A G",
    "Progress to date",
)
ITEM_KINDS = ("CONTRACT APPROVAL", "FUNDING EXTENSION", "PROCUREMENT")
CLIENT_GROUPS = ("adults", "children, young people and families", "older people")
RATIONALES = (
    "The current arrangements do not have enough capacity to meet the needs of an increasing "
    "elderly population.",
    "There are a number of providers with separate contracts and there is a need for a more "
    "streamlined and efficient system.",
    "The aim of the review is to ensure that citizens receive high quality, value for money "
    "services that support their independence.",
    "Evidence both nationally and locally supports robust partnership commissioning across "
    "health and social care.",
    "This is an opportunity to explore the potential for integrating provision for citizens "
    "with shared needs across health and social care.",
)


@dataclass(frozen=True)
class Authority:
    """A local authority from the reference list: official name, short place name, GSS code."""

    name: str
    place: str
    gss_code: str


@dataclass(frozen=True)
class SyntheticPaper:
    """One generated paper: its file name, text and the catalogue row a council site would give."""

    file_name: str
    text: str
    catalogue: dict[str, str]
    kind: str

    @property
    def words(self) -> int:
        """Number of whitespace-separated words."""
        return len(self.text.split())


@lru_cache(maxsize=1)
def load_authorities(path: Path = AUTHORITIES_CSV) -> tuple[Authority, ...]:
    """Current principal authorities (with a GSS code) from the reference list, in file order."""
    out = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row.get("current-authority") != "True" or not row.get("gss-code"):
                continue
            if row.get("local-authority-type-name") in {"Combined authority", "Strategic Regional Authority"}:
                continue
            out.append(Authority(row["official-name"], row["nice-name"], row["gss-code"]))
    return tuple(out)


class _PaperWriter:
    """Builds one paper's text line by line from a seeded random generator."""

    def __init__(self, rng: random.Random, authority: Authority, year: int, revision: int) -> None:
        self.rng = rng
        self.authority = authority
        self.year = year
        self.revision = revision
        self.lines: list[str] = []
        self.page = rng.randint(1, 30)
        place = authority.place
        self.ccg = f"{place} {rng.choice(CCG_SUFFIXES)}"
        self.trust = f"{place} {rng.choice(TRUST_KINDS)}"
        self.partnership = rng.choice(PARTNERSHIP_PATTERNS).format(place=place)
        self.voluntary = rng.choice(VOLUNTARY_PATTERNS).format(place=place)
        self.services = rng.sample(SERVICES, 8)
        self.funds = rng.sample(FUNDS, 4)

    # -- small pieces -------------------------------------------------------------------
    def person(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(SURNAMES)}"

    def fin_year(self, offset: int = 0) -> str:
        y = self.year + offset
        return self.rng.choice((f"{y}/{(y + 1) % 100:02d}", f"{y}-{(y + 1) % 100:02d}"))

    def date_text(self, year: int | None = None) -> str:
        return f"{self.rng.randint(1, 28)} {self.rng.choice(MONTHS)} {year or self.year}"

    def period(self) -> str:
        rng = self.rng
        choice = rng.randrange(5)
        if choice == 0:
            return self.fin_year(rng.randint(0, 2))
        if choice == 1:
            return f"{rng.choice(MONTHS)} {str(self.year + rng.randint(0, 2))[2:]}"
        if choice == 2:
            start = self.year + rng.randint(0, 1)
            return f"1 April {start} to 31 March {start + rng.randint(1, 4)}"
        if choice == 3:
            return f"up to {rng.choice((6, 12, 18, 24, 36))} months"
        return f"Q{rng.randint(1, 4)} {self.fin_year()}"

    def money(self) -> str:
        rng = self.rng
        # The revision nudges amounts so an edited paper differs in its extracted facts too.
        scale = 1 + 0.01 * self.revision
        choice = rng.randrange(6)
        if choice == 0:
            return f"£{rng.uniform(0.1, 60) * scale:.1f}m"
        if choice == 1:
            return f"c£{rng.uniform(1, 90) * scale:.3f}m"
        if choice == 2:
            return f"£{rng.uniform(10_000, 900_000) * scale:,.2f}"
        if choice == 3:
            return f"£{rng.uniform(1, 700) * scale:.1f} million"
        if choice == 4:
            return f"£{rng.randint(20, 950)}k"
        return f"up to £{rng.uniform(0.5, 9) * scale:.1f}m per annum"

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def page_break(self, furniture: str = "") -> None:
        self.page += 1
        self.add("", f"Page {self.page}", "")
        if furniture:
            self.add(furniture, "")

    def html_list(self, items: list[str]) -> str:
        lis = " ".join(f"<li>• {item}</li>" for item in items)
        return f'<ul style="list-style-type: none"> {lis} </ul>'

    def sentence_about(self, service: str) -> str:
        rng = self.rng
        fund = rng.choice(self.funds)
        return rng.choice(
            (
                f"The {service} service is jointly commissioned by {self.authority.name} and {self.ccg}, "
                f"funded from the {fund} at {self.money()} in {self.fin_year()}.",
                f"{self.trust} will provide {service} from {self.period()} under a contract valued at "
                f"{self.money()}.",
                f"Funding of {self.money()} from the {fund} supports {service} for {self.period()}.",
                f"{service} is delivered by {self.voluntary} on behalf of the partnership. "
                + rng.choice(RATIONALES),
                f"The Council contributed {rng.randint(40, 90)}% of the cost of {service}; the remaining "
                f"cost was met by {self.ccg} ({self.money()}).",
            )
        )

    # -- sections -----------------------------------------------------------------------
    def numbered_paragraphs(self, start: int, count: int, style: str) -> int:
        for n in range(start, start + count):
            service = self.rng.choice(self.services)
            body = f"{self.sentence_about(service)} {self.rng.choice(RATIONALES)}"
            label = f"- {style}.{n - start + 1}" if style else f"{n}."
            self.add(f"{label} {body}", "")
        return start + count

    def partnership_members(self, n: int) -> int:
        place = self.authority.place
        commissioners = [self.authority.name, self.ccg, "NHS England"]
        providers = [self.trust, self.voluntary, f"{place} Community Health Services"]
        self.add(
            f"{n}. In {place}, {len(commissioners) + len(providers)} organisations have come together "
            f"as the {self.partnership}. The partners consist of {len(commissioners)} commissioning "
            f"organisations and {len(providers)} provider organisations, as follows:",
            "",
            "Commissioners:",
            "",
        )
        self.add(*(f"- {org}" for org in commissioners), "", "Providers:", "")
        self.add(*(f"- {org}" for org in providers), "")
        return n + 1

    def priorities_table(self) -> None:
        self.add("Group\tCommissioning Priorities")
        for group in ("Older People", "Mental Health", "Carers", "Children & Young People"):
            items = [f"{s} - {self.rng.choice(RATIONALES)}" for s in self.rng.sample(self.services, 2)]
            self.add(f"{group}\t{self.html_list(items)}")
        self.add("")

    def resolved(self, body: str) -> None:
        self.add("RESOLVED to", "")
        for k in range(1, self.rng.randint(2, 4) + 1):
            service = self.rng.choice(self.services)
            verb = self.rng.choice(
                (
                    f"approve the procurement of {service} for {self.period()}, "
                    f"at a maximum value of {self.money()};",
                    f"delegate authority to the {self.rng.choice(DIRECTOR_TITLES)} to award contracts for "
                    f"{service};",
                    f"approve the anticipated receipt and expenditure of the {self.rng.choice(self.funds)} "
                    f"of {self.money()} in {self.fin_year()};",
                    f"note the progress of the {self.partnership} on {service}.",
                )
            )
            self.add(f"- ({k}) {verb}**")
        self.add("", "Reasons for decision", "", body, "")

    # -- paper kinds --------------------------------------------------------------------
    def committee_report(self) -> tuple[str, str, str, str]:
        rng = self.rng
        service = self.services[0]
        title = f"{service} - {rng.choice(REPORT_TITLES)}"
        committee = rng.choice(COMMITTEES)
        date = f"{self.year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        self.add(
            "",
            "",
            f"{int(date[8:])} {MONTHS[int(date[5:7]) - 1]} {self.year}",
            "",
            f"Agenda Item: {rng.randint(3, 12)}",
            "",
            f"REPORT OF {rng.choice(DIRECTOR_TITLES).upper()}",
            "",
            title.upper(),
            "",
            "Purpose of the Report",
            "",
        )
        self.add(
            f"1. The purpose of the report is {rng.choice(PURPOSES)} {service} "
            f"across {self.authority.place}.",
            "",
            "Information and Advice",
            "",
        )
        n = self.numbered_paragraphs(2, rng.randint(3, 8), "")
        n = self.partnership_members(n)
        self.add("NATIONAL POLICY CONTEXT", "")
        n = self.numbered_paragraphs(n, rng.randint(2, 6), "")
        self.page_break()
        self.priorities_table()
        self.add("Financial Implications", "")
        self.add(
            f"{n}. The total cost of {service} in {self.fin_year()} was {self.money()}, of which "
            f"{self.money()} is funded from the {self.funds[0]}.",
            "",
        )
        self.add("RECOMMENDATION/S", "", f"It is recommended that the {committee}:", "")
        self.add(
            f"1) approve the joint commissioning of {service} with {self.ccg} for {self.period()}",
            f"2) note the contribution of {self.money()} from the {self.funds[1]}",
            "",
        )
        self.add(
            self.person().upper(),
            rng.choice(DIRECTOR_TITLES),
            "",
            "For any enquiries about this report please contact:",
            "",
            self.person(),
            rng.choice(ROLES),
            f"Tel: 0115 {rng.randint(1000000, 9999999)}",
            "",
            f"Constitutional Comments (LMc {rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{self.year})",
            "",
            f"{n + 1}. The {committee} has the authority to approve the recommendations in the report.",
            "",
            "Background Papers",
            "",
            "None.",
            "",
        )
        return title, committee, date, "committee report"

    def commissioning_plan(self) -> tuple[str, str, str, str]:
        rng = self.rng
        month = rng.choice(MONTHS)
        title = (
            f"{self.authority.place} Joint Commissioning Plan {self.fin_year()} "
            f"Progress Update {month} {self.year}"
        )
        header = "\t".join(PLAN_COLUMNS)
        self.add("", "", f"## {title}", "", header)
        letters = "abcdefgh"
        for outcome_no, theme in enumerate(rng.sample(OUTCOME_THEMES, rng.randint(2, 4)), start=1):
            self.add(f"{outcome_no}. People in {self.authority.place} will {theme}\t\t\t\t")
            for group in rng.sample(STATUS_GROUPS, rng.randint(1, 2)):
                self.add(f"<b><u>{group}</u></b>\t\t\t\t")
                for k in range(rng.randint(1, 3)):
                    service = rng.choice(self.services)
                    about = self.sentence_about(service)
                    scope = f"<p><b>{outcome_no}{letters[k]}. {service}</b></p> <p>{about}</p>"
                    milestones = self.html_list(
                        [f"Contract award - {self.period()}", f"New service begins {self.period()}"]
                    )
                    progress = self.html_list(
                        [self.sentence_about(service), f"Budget of {self.money()} agreed."]
                    )
                    self.add(
                        f"{scope}\t<p>{rng.choice(RATIONALES)}</p>\t{milestones}\t{rng.choice(RAG)}\t{progress}"
                    )
                    if rng.random() < 0.3:
                        # A row split across a page: the continuation starts with empty cells.
                        self.page_break(f"Appendix {rng.randint(1, 3)}")
                        self.add(
                            header,
                            f"\t{rng.choice(RATIONALES)}\t\t\t{self.html_list([self.sentence_about(service)])}",
                        )
        self.add("")
        date = f"{self.year}-{MONTHS.index(month) + 1:02d}"
        return title, "Health and Wellbeing Board", date, "commissioning plan progress update"

    def agenda_pack(self) -> tuple[str, str, str, str]:
        rng = self.rng
        committee = rng.choice(COMMITTEES)
        month = rng.randint(1, 12)
        day = rng.randint(1, 28)
        date = f"{self.year}-{month:02d}-{day:02d}"
        self.add(
            "",
            "",
            self.authority.name.upper(),
            committee.upper(),
            "",
            f"Date: {rng.choice(WEEKDAYS)}, {day} {MONTHS[month - 1]} {self.year}",
            "",
            f"Time: {rng.randint(9, 11)}.00 am",
            "",
            f"Place: {self.authority.place} Council House",
            "",
            f"Governance Officer: {self.person()} **Direct Dial:** 0115{rng.randint(1000000, 9999999)}",
            "",
            "- 1 APOLOGIES FOR ABSENCE**",
            "- 2 DECLARATIONS OF INTEREST**",
            "- 3 MINUTES** 3 - 8",
            "",
            self.authority.name.upper(),
            "",
            committee.upper(),
            "",
            f"**MINUTES of the meeting held at the Council House, {self.authority.place} on "
            f"{self.date_text()}**",
            "",
            "Membership",
            "",
            "Present",
            "",
        )
        self.add(
            *(
                f"Councillor {self.person()}" + (" (Chair)" if i == 0 else "")
                for i in range(rng.randint(3, 6))
            )
        )
        self.add("", "Colleagues, partners and others in attendance:", "")
        self.add(*(f"{self.person()}\t- {rng.choice(ROLES)}" for _ in range(rng.randint(2, 5))))
        self.add("")
        for item in range(4, 4 + rng.randint(2, 5)):
            service = rng.choice(self.services)
            self.add(
                f"{item} {service.upper()} {rng.choice(ITEM_KINDS)} {self.fin_year()}",
                "",
                f"{self.person()}, {rng.choice(ROLES)}, introduced the report. "
                f"{self.sentence_about(service)}",
                "",
            )
            self.resolved(rng.choice(RATIONALES))
        self.add("This page is intentionally left blank", "")
        self.page_break()
        service = self.services[0]
        self.add(
            f"Subject:\t{service} Commissioning Proposal\t\t",
            f"Corporate Director(s)/ Director(s):\t{self.person()}, {rng.choice(DIRECTOR_TITLES)}\t\t",
            f"Total value of the decision: {self.money()}\t\t\t",
            "",
            "1 REASONS FOR RECOMMENDATIONS",
            "",
        )
        self.numbered_paragraphs(1, rng.randint(2, 5), "1")
        self.add("4 FINANCE COLLEAGUE COMMENTS (INCLUDING IMPLICATIONS AND VALUE FOR MONEY/VAT)", "")
        self.numbered_paragraphs(1, rng.randint(1, 3), "4")
        self.add(f"{self.person()}, Strategic Finance Business Partner, {self.date_text()}", "")
        return (
            f"{committee} agenda pack, {day} {MONTHS[month - 1]} {self.year}",
            committee,
            date,
            "agenda pack (minutes and reports)",
        )

    def progress_report(self) -> tuple[str, str, str, str]:
        rng = self.rng
        title = f"Integrated commissioning for {rng.choice(CLIENT_GROUPS)} - progress report"
        self.add("", "", title, "", "SUMMARY", "")
        self.numbered_paragraphs(1, rng.randint(3, 7), "1")
        self.add(
            "RECOMMENDATIONS",
            "",
            f"- 2.1 To note the progress made by the {self.partnership}.",
            f"- 2.2 To note the indicative timeline to {self.period()}.",
            "",
            "SUPPORTING INFORMATION",
            "",
        )
        self.numbered_paragraphs(1, rng.randint(2, 5), "4")
        self.add("Health and Well-being Board Commissioning Intention\tSummary of Key Progress.")
        for k in range(1, rng.randint(3, 8) + 1):
            service = rng.choice(self.services)
            self.add(f"Commissioning Intention {k} To commission {service}\t{self.sentence_about(service)}")
        self.add("", "Indicative Timeline", "")
        self.add(
            *(
                f"- By {rng.choice(MONTHS)} {self.year + i} to have completed "
                f"{rng.choice(self.services)} review."
                for i in range(rng.randint(2, 4))
            )
        )
        self.page_break("Appendix 1")
        self.add("IMPLICATIONS", "", "Financial", "", f"- 1.1 {self.sentence_about(self.services[1])}", "")
        date = f"{self.year}-{rng.randint(1, 12):02d}"
        return title, "Health and Well-being Board", date, "committee report"


def generate_paper(index: int, seed: int = 0, revision: int = 0) -> SyntheticPaper:
    """Paper number ``index`` of the corpus drawn with ``seed``; ``revision`` > 0 edits its text.

    The same arguments always give the same paper; the file name depends only on
    ``(seed, index)`` so a revision replaces its earlier version in a store.
    """
    authorities = load_authorities()
    rng = random.Random(f"{seed}:{index}")
    authority = rng.choice(authorities)
    year = rng.randint(2010, 2024)
    kind = rng.choice(PAPER_KINDS)
    # Revisions draw the body from another stream but keep authority, year and kind.
    body_rng = random.Random(f"{seed}:{index}:{revision}") if revision else rng
    writer = _PaperWriter(body_rng, authority, year, revision)
    title, committee, date, document_type = getattr(writer, kind)()
    file_name = f"synth_{seed}_{index:07d}.txt"
    catalogue = {
        "file": file_name,
        "authority": authority.name,
        "gss_code": authority.gss_code,
        "date": date,
        "committee": committee,
        "title": title,
        "document_type": document_type,
    }
    return SyntheticPaper(file_name, "\n".join(writer.lines) + "\n", catalogue, kind)


def generate_papers(count: int, seed: int = 0, start: int = 0) -> Iterator[SyntheticPaper]:
    """Papers ``start`` … ``start + count - 1`` of the corpus drawn with ``seed``, lazily."""
    for index in range(start, start + count):
        yield generate_paper(index, seed)


def write_corpus(folder: Path, count: int, seed: int = 0, catalogue: bool = True) -> list[Path]:
    """Write ``count`` papers as ``.txt`` files (and ``catalogue.csv``) into ``folder``; return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    rows = []
    for paper in generate_papers(count, seed):
        path = folder / paper.file_name
        path.write_text(paper.text, encoding="utf-8")
        paths.append(path)
        rows.append(paper.catalogue)
    if catalogue:
        with (folder / "catalogue.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=CATALOGUE_FIELDS)
            writer.writeheader()
            writer.writerows(rows)
    return paths


def rewrite_paper(folder: Path, index: int, seed: int = 0, revision: int = 1) -> Path:
    """Overwrite paper ``index`` in ``folder`` with its edited ``revision``; return its path."""
    paper = generate_paper(index, seed, revision)
    path = folder / paper.file_name
    path.write_text(paper.text, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    """Command line: write a synthetic corpus and print how fast it was generated."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="folder to write the papers and catalogue.csv into")
    parser.add_argument("--papers", type=int, default=1000, help="number of papers (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    paths = write_corpus(args.out_dir, args.papers, args.seed)
    elapsed = time.perf_counter() - began
    print(
        f"wrote {len(paths)} papers to {args.out_dir} in {elapsed:.2f} s "
        f"({len(paths) / max(elapsed, 1e-9):,.0f} papers/s)"
    )



def run(quick: bool) -> dict:
    """Benchmark stage: how fast papers are generated (a generator has no bare-library baseline)."""
    count = 500 if quick else 10_000
    load_authorities()
    began = time.perf_counter()
    total_chars = total_words = 0
    for paper in generate_papers(count, seed=0):
        total_chars += len(paper.text)
        total_words += paper.words
    elapsed = time.perf_counter() - began
    return {
        "metrics": [
            {"metric": "synthetic papers generated", "value": count / elapsed, "unit": "papers/s"},
            {"metric": "synthetic text generated", "value": total_chars / elapsed / 1e6, "unit": "MB/s"},
            {"metric": "mean paper length", "value": total_words / count, "unit": "words"},
        ],
        "notes": [f"{count} papers, seed 0"],
    }


if __name__ == "__main__":
    main()
