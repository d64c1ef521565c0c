"""Shape rules: how the name of an organisation, partnership, service or fund is built.

UK council papers name things by a head word at the end of a capitalised phrase:
"<Place> Clinical Commissioning Group", "… NHS Foundation Trust", "… City Council",
"… Partnership / Board / Alliance / Forum", "… Fund / Grant / Budget". These rules are
general (no paper's strings appear here); :func:`find_shapes` runs them over a text and
:func:`classify_name` types one candidate name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# A capitalised word: "Nottingham", "NHS", "Parent-Carer", "Citizen's", "CityCare", "0-19".
_CAP = r"(?:[A-Z][\w’'&]*(?:-[\w’']+)*|\d+(?:-\d+)?(?=\s+[A-Z]))"
_CONN = r"(?:and|of|for|&|in|on|the)"
CAP_PHRASE = rf"{_CAP}(?:[ \t]+(?:{_CONN}[ \t]+)?{_CAP})*"
# The same without "and"/"&", for lists of names ("Health Partnerships and City Care").
CAP_PHRASE_NO_AND = rf"{_CAP}(?:[ \t]+(?:(?:of|for|in|on|the|with|to)[ \t]+)?{_CAP})*"

LEADING_NOISE = {
    "the", "a", "an", "this", "these", "those", "that", "both", "all", "each", "our", "their",
    "its", "his", "her", "any", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    "ten", "twelve", "several", "various", "new", "existing", "current", "respective", "local",
    "other", "key", "main", "some", "many", "between", "with", "and", "by", "from", "in", "of",
    "for", "to", "at", "on", "via", "including", "e.g.", "i.e.", "joint", "draft", "report",
    "members", "chair", "chairs", "vice-chair", "agenda", "item", "appendix", "annex",
    # sentence-initial words that are capitalised only because they start the sentence
    "most", "every", "no", "such", "which", "relevant", "neighbouring", "individual",
    "participating", "constituent", "host", "lead", "responsible", "partner", "if", "when", "where",
    "as", "however", "also", "further", "following", "under", "within", "across", "discussion",
    "there", "here", "it", "we", "they", "whilst", "while", "although", "since", "after",
    # a decision's verb before what it decided ("Approved the Net Revenue Budget")
    "approved", "agreed", "noted", "endorsed", "adopted", "approve", "agree", "note", "endorse",
}

# Words that are never the proper part of a name on their own.
GENERIC_WORDS = {
    "mental", "health", "acute", "community", "hospital", "hospitals", "local", "the", "and", "of",
    "city", "county", "district", "borough", "council", "councils", "nhs", "trust", "trusts",
    "foundation", "care", "social", "adult", "adults", "children", "children's", "service",
    "services", "public", "national", "government", "partnership", "partnerships", "board",
    "boards", "group", "groups", "provider", "providers", "clinical", "commissioning", "joint",
    "integrated", "strategic", "executive", "project", "working", "steering", "programme",
    "full", "all", "statutory", "area", "team", "for", "governing", "body", "primary",
    "authority", "authorities", "new", "existing", "single", "overall",
}

# A council's own budget documents ("Revenue Budget 2013/14", "Annual Budget Report") are not streams.
_BUDGET_DOCUMENT_WORDS = {"annual", "revenue", "total", "overall", "departmental", "draft", "proposed",
                          "capital", "service", "council's", "council’s", "budget", "net", "gross", "initial",
                          "original", "revised", "base", "approved", "final", "indicative", "cash", "limit"}
# Words that only qualify a budget or a programme ("National funding", "Commissioning budget",
# "Work Programme"): with nothing else before the head, no particular stream or programme is named.
_PLAIN_FUND_WORDS = {"national", "additional", "mainstream", "core", "commissioning", "existing", "current",
                     "recurrent", "non-recurrent", "one-off", "local", "work", "improvement", "change",
                     "development", "transformation", "other", "this", "new", "the", "our", "its",
                     "mandatory", "discretionary", "specific", "small", "various", "all", "any"}
_PLACEISH_PREFIX = r"(?:North|South|East|West|Mid|Central|Greater|Upper|Lower|Inner|Outer)"


@dataclass(frozen=True)
class ShapeMatch:
    """One name found by a shape rule: offsets into the searched text, type, kind, rule name."""

    start: int
    end: int
    text: str
    type: str
    kind: str | None
    rule: str
    confidence: float


# (rule name, regex for the head at the end of a capitalised phrase, type, kind, confidence).
# Order matters: the first rule that matches a name wins.
HEAD_RULES: tuple[tuple[str, str, str, str | None, float], ...] = (
    ("ccg", r"(?:Clinical\s+Commissioning\s+Groups?|CCGs?)", "Organisation",
     "clinical-commissioning-group", 0.95),
    ("icb", r"Integrated\s+Care\s+Board", "Organisation", "clinical-commissioning-group", 0.9),
    ("pcc", r"Police\s+and\s+Crime\s+Commissioner", "Organisation", "police-and-crime-commissioner", 0.9),
    ("nhs-trust", r"(?:NHS\s+)?(?:Foundation\s+)?Trust", "Organisation", "nhs-trust", 0.9),
    # Welsh and Scottish NHS boards ("Cardiff and Vale University Health Board", "NHS Lothian Health Board")
    ("health-board", r"(?:University\s+|Teaching\s+|Local\s+)?Health\s+Board", "Organisation", "nhs-trust",
     0.85),
    ("ambulance", r"Ambulance\s+Service(?:\s+NHS\s+Trust)?", "Organisation", "nhs-trust", 0.9),
    # NHS bodies without "NHS" or "Trust" in their name
    ("csu", r"Commissioning\s+Support\s+Units?", "Organisation", "national-nhs-body", 0.9),
    ("hospital", r"(?:General\s+|Royal\s+|University\s+|Teaching\s+|Children['’]s\s+|District\s+)?Hospitals?",
     "Organisation", "nhs-trust", 0.8),
    ("council", r"(?:(?:City|County|Borough|District|Metropolitan\s+Borough|Town|Parish|Unitary)\s+)?"
     r"Council", "Organisation", "local-authority", 0.95),
    ("company", r"(?:Partners|Ltd\.?|Limited|plc|PLC|LLP|CIC|Homes|Housing\s+Association|"
     r"Healthcare|Consulting|Solutions)", "Organisation", "private-company", 0.8),
    ("voluntary", r"(?:Parent[- ]Carers?\s+Forum|Carers\s+Federation|Carers\s+Centre|Trust\s+for\s+\w+|"
     r"Charity|Foundation|Society|Association|Federation|Advocacy)", "Organisation", "voluntary-organisation",
     0.8),
    ("academy", r"(?:Academy|University|College)", "Organisation", "other", 0.8),
    ("joint-arrangement", r"Joint\s+(?:Commissioning\s+)?(?:Plan|Board|Group|Arrangements?|Intentions|"
     r"Executive|Partnership|Committee)", "Partnership", None, 0.75),
    ("profession-programme", r"(?:Nurse|Nursing|Midwife|Midwifery|Family)\s+Partnership",
     "Service", None, 0.85),
    ("partnership", r"(?:Partnership|Partnerships|Board|Boards|Alliance|Forum|Collaborative|Network|"
     r"Unit\s+of\s+Planning|Commissioner\s+Group|Advisory\s+Group|Steering\s+Group|"
     r"Commissioning\s+Group|Coordination\s+Group|Co-ordination\s+Group|Project\s+Group|"
     r"Working\s+Group|Programme\s+Board|Consortium)", "Partnership", None, 0.85),
    ("programme", r"(?:Programme|Together\s+Programme)", "Partnership", None, 0.6),
    ("fund", r"(?:Fund|Funds|Funding|Grant|Grants|Budget|Budgets|Allocation|Pooled\s+Budget)",
     "FundingStream", None, 0.85),
    ("service", r"(?:Services?|Care|Pathways?|Scheme|Centres?|Hub|Support(?![ \t]+Units?\b)|Provision|"
     r"Technology|Visiting|Visitors|Workers|Lifestyles|Access|Reablement|Rehabilitation|Treatment)",
     "Service", None, 0.7),
)

_HEAD_ALT = "|".join(f"(?P<{name.replace('-', '_')}>{rx})" for name, rx, *_ in HEAD_RULES)
SHAPE_RE = re.compile(rf"(?P<name>(?:{CAP_PHRASE})[ \t]+(?:{_HEAD_ALT}))(?![\w-])(?P<next>[ \t]+[A-Z][a-z])?")

# Lower-case heads that still name a fund or service when the words before are capitalised:
# "Public Health budget", "Housing-Related Support budget", "improved Better Care Fund".
LOWER_FUND_RE = re.compile(
    rf"(?P<name>(?:improved\s+)?(?:{CAP_PHRASE})[ \t]+(?:budget|grant|fund|funding|pooled\s+budget))"
    r"(?![\w-])"
)
SECTION_FUND_RE = re.compile(
    r"(?P<name>Section\s+(?:75|256|76|31)(?:\s+(?:pooled\s+budget|pooled\s+fund|budget|agreement|"
    r"Agreement|Pooled\s+Budget|Partnership\s+Agreement|arrangements?))?)(?![\w-])"
)
# Councils named head first: "London Borough of Camden", "Royal Borough of Kingston upon Thames".
# "Office of the Public Guardian", "Office for National Statistics": a public office.
OFFICE_OF_RE = re.compile(
    r"\bOffice[ \t]+(?:of[ \t]+the|for)[ \t]+"
    r"(?:[A-Z][\w'’-]+[ \t]+(?:(?:and|for|of)[ \t]+)?){0,4}[A-Z][\w'’-]+"
)
# "NHS Grampian", "NHS Cheshire and Merseyside", "NHS Argyll & Clyde": an NHS body named by its area.
NHS_AREA_RE = re.compile(r"\bNHS(?P<area>(?:[ \t]+(?:[A-Z][a-z][\w'’-]*|and|&)(?![\w-])){1,6})")
# Words after "NHS" that make a programme, document or service of the NHS, not a body.
_NHS_NOT_AREA = {
    "act", "acts", "bill", "regulations", "order", "charges", "plan", "long", "term", "constitution",
    "pension", "pensions", "scheme", "check", "checks", "health",
    "continuing", "healthcare", "funding", "funded", "standard", "standards", "contract", "contracts",
    "choice", "number", "app", "direct", "property", "services", "service", "trust", "trusts", "foundation",
    "board",
    "boards", "digital", "improvement", "providers", "provider", "staff", "workforce", "budget", "budgets",
    "support", "care", "mental", "dental", "pharmacy", "guidance", "policy", "framework", "operating",
    "planning", "five", "year", "forward", "view", "people", "commissioning", "national", "local", "area",
    "team", "teams", "bodies", "body", "partners", "partner", "organisations", "colleagues", "reforms",
    "reform", "system", "systems", "sector", "estate", "england", "wales", "scotland", "net", "zero",
    "clinical", "commissioners", "hospital", "hospitals", "ambulance", "region", "regional", "integrated",
}
BOROUGH_OF_RE = re.compile(
    r"\b(?:(?:London|Royal|Metropolitan)[ \t]+)?Borough[ \t]+(?:Council[ \t]+)?of[ \t]+[A-Z][\w'’-]+"
    r"(?:[ \t]+(?:(?:upon|on)[ \t]+)?[A-Z][\w'’-]+)*"
    r"(?:[ \t]+and[ \t]+[A-Z][\w'’-]+(?![\w'’-])(?![ \t]+[A-Z]))?"
)
POOLED_RE = re.compile(r"(?P<name>\b(?:pooled|joint|aligned)\s+(?:budgets?|funds?))\b")
IMPROVED_RE = re.compile(r"\bimproved\s+Better\s+Care\s+Fund\b")


_ROLE_INSIDE = re.compile(
    r"^.*\b(?:Officers?|Directors?|Managers?|Heads?(?=[ \t]+of\b)|Chief\s+Executive|Chair|Councillors?|Cllr|"
    r"(?:Cabinet|Executive|Lead)\s+Members?|Portfolio\s+Holders?|Leader)\b"
    r"[ \t]*(?:&|and|of|for)?[ \t]*"
)

# What makes a phrase with a service head a service and not an activity, an objective or a title:
# an imperative or gerund first word ("Review Residential Provision", "Improving Access") makes
# it an action; "<activity or document noun> of/for …" ("Integration of Health and Social Care
# Services", "Fee Rates for …", "Projections of Demand for …") makes it about a service.
ACTION_FIRST_WORDS = {
    "review", "develop", "support", "implement", "integrate", "deliver", "commission", "procure",
    "recommission", "re-commission", "transform", "establish", "expand", "redesign", "extend",
    "improve", "complete", "continue", "undertake", "provide", "reduce", "promote", "ensure",
    "improving", "promoting", "developing", "supporting", "reducing", "transforming", "delivering",
    "increasing", "integrating", "enabling", "ensuring", "providing", "strengthening", "tackling",
    "achieving", "embedding", "maximising", "preventing", "progress", "agree", "approve", "consider",
}
ACTIVITY_NOUNS = {
    "integration", "commissioning", "recommissioning", "re-commissioning", "review", "reviews",
    "projection", "projections", "rate", "rates", "fee", "fees", "bid", "bids", "strategy", "strategies",
    "plan", "plans", "report", "reports", "development", "implementation", "procurement", "delivery",
    "redesign", "evaluation", "demand", "transfers", "tender", "analysis", "assessment", "consultation",
    "cost", "costs", "funding", "budget", "principles", "specification", "model", "models", "future",
    "outcomes", "priorities", "standards", "quality", "performance", "pricing", "contract", "contracts",
}


_VERB_HEAD_AFTER = re.compile(r"[ \t]+(?:the|a|an|our|their|this|these|those|them|its|people|residents)\b")
_NHS_TRUST_WORDS = re.compile(
    r"\b(?:NHS|Foundation|Hospitals?|Healthcare|Health|Ambulance|Mental|Community|Acute|Teaching)\b")
_COMMA_WORD_BEFORE = re.compile(r"(?<![\w,][ \t])(?<![\w’'-])([A-Z][a-z][\w’'-]*),[ \t]+$")
_TITLE_TO_BEFORE = re.compile(r"[A-Z][\w’'-]*[ \t]+to[ \t]+$")


_ACTION_LEAD = re.compile(
    r"(?i:" + "|".join(sorted((w for w in ACTION_FIRST_WORDS if not w.endswith("ing")), key=len,
                              reverse=True)) + r")[ \t]+"
    r"(?:(?:the|a|an|our|their|existing|current|new)[ \t]+)?(?=[A-Z0-9])"
)


# A council's own back-office functions ("Democratic Services", "Legal and Property Services"):
# departments, not services commissioned or provided for the public.
CORPORATE_FUNCTION_WORDS = {
    "democratic", "legal", "personnel", "property", "properties", "finance", "financial", "it", "ict",
    "corporate", "hr", "human", "resources", "procurement", "committee", "member", "members", "audit",
    "internal", "governance", "strategic", "information", "technology", "digital", "estates", "facilities",
    "policy", "performance", "communications", "central", "support", "business", "and", "&", "shared",
}


# "Contract Award for …", "Procurement of the …", "Extension of the Contract for …": what is
# bought is the service named after the words about buying it.
_CONTRACT_FOR = re.compile(
    r"(?:(?:Contracts?|Tenders?|Award|Variation|Extension|Renewal|Procurement|Re-?procurement|"
    r"Re-?commissioning|Commissioning|Provision)[ \t]+)+(?:of|for)[ \t]+(?:the[ \t]+)?(?:(?:Contracts?|"
    r"Provision)[ \t]+(?:of|for)[ \t]+(?:the[ \t]+)?)?(?=[A-Z])")
# "Substance Misuse Contract Award", "Public Health Nursing Contract Variation": the service a
# contract decision is about, named before the words about the contract.
_NOT_BOUGHT = {"tax", "rates", "rate", "budget", "fund", "grant", "council", "framework", "property", "land"}
CONTRACT_AWARD_RE = re.compile(
    rf"(?<![\w’'-])(?P<name>{CAP_PHRASE})[ \t]+Contracts?[ \t]+(?:Award|Variation|Extension|Renewal|"
    r"Re-?procurement|Procurement|Tender)s?\b")


def service_phrase_plausible(name: str) -> bool:
    """Whether a phrase with a service head names a service, not an action, objective or report."""
    words = re.findall(r"[\w’'&-]+", name)
    if not words or words[0].lower() in ACTION_FIRST_WORDS:
        return False
    if re.search(r"\bServices?$", name) and len(words) > 1 and all(
            w.lower() in CORPORATE_FUNCTION_WORDS for w in words[:-1]):
        return False  # "Democratic Services", "Legal and Property Services": a department
    m = re.search(r"[ \t](?:of|for)[ \t]", name)
    if m:
        before = re.findall(r"[\w’'-]+", name[: m.start()])
        if before and before[-1].lower() in ACTIVITY_NOUNS:
            return False
    return not _ROLE_INSIDE.search(name)
_FUND_INSIDE = re.compile(r"\b(?:Fund|Funds|Funding|Grant|Grants|Budget|Budgets)\b[ \t]*")


def strip_leading_noise(name: str) -> tuple[int, str]:
    """Drop leading determiners/numbers ("The four …"); return (characters dropped, rest)."""
    dropped = 0
    while True:
        m = re.match(r"([\w.'’-]+)[ \t]+", name)
        if not m or (m.group(1).lower() not in LEADING_NOISE and not re.fullmatch(r"[\d.]+", m.group(1))):
            return dropped, name
        dropped += m.end()
        name = name[m.end():]


def _proper_words(name: str, head_len: int) -> list[str]:
    prefix = name[: len(name) - head_len]
    return [w for w in re.findall(r"[\w’'-]+", prefix) if w.lower() not in GENERIC_WORDS]


def classify_head(name: str) -> tuple[str, str, str | None, float, int] | None:
    """The first head rule matching the end of ``name``: (rule, type, kind, confidence, head length)."""
    for rule, rx, etype, kind, conf in HEAD_RULES:
        m = re.search(rf"(?:^|[ \t])({rx})$", name)
        if m:
            return rule, etype, kind, conf, len(m.group(1))
    return None


def shape_acceptable(name: str, rule: str, head_len: int) -> bool:
    """Whether a phrase with this head is specific enough to be a name, not a generic description."""
    proper = _proper_words(name, head_len)
    if rule in {"ccg", "nhs-trust", "council", "icb", "pcc", "health-board"}:
        # "Clinical Commissioning Groups", "the Mental Health Trust", "Full Council" are generic.
        return bool(proper) and not all(w.lower() in {"full"} for w in proper)
    if rule == "service":
        # "Health and Social Care", "Integrated Service": descriptions, not named services
        return len(name.split()) >= 2 and bool(proper)
    if rule == "fund":
        return len(name.split()) >= 2 and any(w.lower() not in _BUDGET_DOCUMENT_WORDS for w in proper)
    if rule == "programme":  # "Better Together Programme", not a "Commissioning Work Programme"
        return len(name.split()) >= 2 and any(
            w.lower() not in GENERIC_WORDS | _PLAIN_FUND_WORDS for w in name.split()[:-1])
    if rule in {"partnership", "joint-arrangement"}:
        return len(name.split()) >= 2
    return len(name.split()) >= 2 or rule == "company"


def _drop_possessive(name: str) -> tuple[int, str]:
    """ "County's Health and Wellbeing Board" -> "Health and Wellbeing Board" (the owner is not the name)."""
    m = re.match(r"([\w-]+)['’]s[ \t]+(?=[A-Z])", name)
    if m and (m.group(1).lower() in GENERIC_WORDS or m.group(1).isupper()):
        return m.end(), name[m.end():]
    return 0, name


def split_compound(name: str) -> list[tuple[int, str]]:
    """Split "A Council and B Clinical Commissioning Group" into its names, with offsets.

    A split is made only at " and " or ", " where the left part is itself a complete name
    (ends in a head word), so "Health and Wellbeing Board" stays whole.
    """
    for sep in re.finditer(r",?[ \t]+and[ \t]+|,[ \t]+", name):
        left, right = name[: sep.start()], name[sep.end():]
        if BOROUGH_OF_RE.fullmatch(left) and classify_head(right):  # "London Borough of X and NHS Y ICB"
            return [(0, left)] + [(sep.end() + off, part) for off, part in split_compound(right)]
        found = classify_head(left)
        if found and found[0] in {"service", "fund"}:
            # "… Scheme and … Service" are two names, but "Council's Care and Support Centres" is one:
            # a service or fund on the left must be a name of two words or more without its owner
            core = re.sub(r"^[\w-]+['’]s[ \t]+", "", left)
            if len(core.split()) < 2 or not service_phrase_plausible(core):
                continue
        if (found and found[0] != "programme"
                and shape_acceptable(left, found[0], found[4]) and classify_head(right)):
            rest = split_compound(right)
            return [(0, left)] + [(sep.end() + off, part) for off, part in rest]
    return [(0, name)]


def find_shapes(text: str) -> Iterator[ShapeMatch]:
    """Every shape-rule name in ``text`` (offsets relative to ``text``)."""
    for m in SHAPE_RE.finditer(text):
        raw = m.group("name")
        dropped, whole = strip_leading_noise(raw)
        for offset, part in split_compound(whole):
            extra, name = _drop_possessive(part)
            if not name:
                continue
            found = classify_head(name)
            if found is None:
                continue
            rule, etype, kind, conf, head_len = found
            if len(name) <= head_len + 1 and rule not in {"company"}:
                continue
            if not shape_acceptable(name, rule, head_len):
                continue
            if (rule == "service" and m.group("next") and offset + len(part) == len(whole)
                    and not CONTRACT_AWARD_RE.match(text, m.start("name"))):
                continue  # "Education and Health Care Plan": the head is not the end of the name
            about = _CONTRACT_FOR.match(name) if rule == "service" else None
            if about and len(name[about.end():].split()) >= 2:  # "Contract Award for Day Care Services"
                extra += about.end()
                name = name[about.end():]
            lead = _ACTION_LEAD.match(name) if rule == "service" else None
            if lead and len(name[lead.end():].split()) >= 2:  # "Support the Wellow Falls Service"
                extra += lead.end()
                name = name[lead.end():]
                if not shape_acceptable(name, rule, head_len):
                    continue
            if rule == "service" and not service_phrase_plausible(name):
                continue
            if rule == "service" and _VERB_HEAD_AFTER.match(text, m.end("name")) and re.search(
                    r"(?:Support|Access|Care|Treatment)$", name):
                continue  # "within the Capital Grant Bid Support the submission": the head is a verb
            if rule == "service" and offset == 0 and _TITLE_TO_BEFORE.search(
                    text, 0, m.start("name") + dropped):
                continue  # "Improving Access to Effective Support": the tail of a longer title
            role = _ROLE_INSIDE.search(name)
            if role:  # "Sam Walters Chief Operating Officer & Bassetlaw Partnership"
                cut = role.end()
                extra += cut
                name = name[cut:]
                if len(name.split()) < 2 or not shape_acceptable(name, rule, head_len):
                    continue
            if rule == "fund":  # "NHS Funding CCG CHC Funding ASC Purchasing Budget": the last one
                inner = list(_FUND_INSIDE.finditer(name[: len(name) - head_len]))
                if inner:
                    extra += inner[-1].end()
                    name = name[inner[-1].end():]
                    if len(name.split()) < 2:
                        continue
            if rule == "nhs-trust" and not _NHS_TRUST_WORDS.search(name):
                kind = "voluntary-organisation"  # "Wellow Carers Trust": a charitable trust
            start = m.start("name") + dropped + offset + extra
            if rule == "service" and offset == 0 and extra == 0 and not dropped:
                # "Information, Advice and Support Services": a leading word before a comma that
                # is no name of its own belongs to this name (but "Home Care, Extra Care" is a list)
                lead = _COMMA_WORD_BEFORE.search(text, 0, start)
                if (lead and lead.group(1).lower() not in LEADING_NOISE
                        and classify_head(lead.group(1)) is None):
                    name = text[lead.start():start + len(name)]
                    start = lead.start()
            yield ShapeMatch(start, start + len(name), name, etype, kind, "shape:" + rule, conf)
    for m in NHS_AREA_RE.finditer(text):
        area = re.sub(r"(?:[ \t]+(?:and|&))+$", "", m.group("area"))
        words = [w for w in re.findall(r"[\w'’-]+", area) if w not in {"and"}]
        if words and not any(w.lower() in _NHS_NOT_AREA for w in words) and not re.match(
                r"[ \t]+(?:[A-Z][\w'’-]*[ \t]+)*(?:Trust|Foundation|Board|Group|CCG|Clinical)\b",
                text[m.start("area") + len(area):] or " "):
            end = m.start("area") + len(area)
            yield ShapeMatch(m.start(), end, text[m.start():end], "Organisation", "nhs-trust",
                             "shape:nhs-area", 0.8)
    for m in CONTRACT_AWARD_RE.finditer(text):
        dropped, name = strip_leading_noise(m.group("name"))
        words = name.split()
        if (len(words) < 2 or len(words) > 8 or classify_head(name) is not None
                or any(w.lower() in _NOT_BOUGHT for w in words)
                or not service_phrase_plausible(name) or all(w.lower() in GENERIC_WORDS for w in words)):
            continue  # a name with a head of its own ("… Services Contract Award") is found above
        start = m.start("name") + dropped
        yield ShapeMatch(start, start + len(name), name, "Service", None, "shape:contract-award", 0.7)
    for m in OFFICE_OF_RE.finditer(text):
        yield ShapeMatch(m.start(), m.end(), m.group(0), "Organisation", "other", "shape:office-of", 0.8)
    for m in BOROUGH_OF_RE.finditer(text):
        yield ShapeMatch(m.start(), m.end(), m.group(0), "Organisation", "local-authority",
                         "shape:borough-of", 0.9)
    for rx, rule in ((LOWER_FUND_RE, "fund-lower"), (SECTION_FUND_RE, "section-fund"),
                     (POOLED_RE, "pooled"), (IMPROVED_RE, "improved-fund")):
        for m in rx.finditer(text):
            raw = m.group(0) if rule == "improved-fund" else m.group("name")
            dropped, name = (0, raw) if rule in {"pooled", "improved-fund"} else strip_leading_noise(raw)
            if rule == "fund-lower" and (len(name.split()) < 2 or all(
                    w.lower() in _BUDGET_DOCUMENT_WORDS | _PLAIN_FUND_WORDS for w in name.split()[:-1])):
                continue
            start = m.start() + dropped
            yield ShapeMatch(start, start + len(name), name, "FundingStream", None, "shape:" + rule, 0.8)


def classify_name(name: str) -> tuple[str, str | None, float] | None:
    """Type a bare name (e.g. a list item or an acronym's long form): (type, kind, confidence)."""
    name = name.strip().rstrip(".;,:")
    dropped, name = strip_leading_noise(name)
    if re.fullmatch(r"Section\s+\d+.*", name):
        return "FundingStream", None, 0.8
    found = classify_head(name)
    if found is None:
        return None
    rule, etype, kind, conf, head_len = found
    if not shape_acceptable(name, rule, head_len) and rule not in {"service", "partnership", "fund"}:
        return None
    if rule == "fund" and re.search(r"\b[Bb]udgets?$", name) and not shape_acceptable(name, rule, head_len):
        return None  # "Revenue Budget", "Net Revenue Budget": the council's own budget, no stream
    if etype == "Service" and not service_phrase_plausible(name):
        return None
    return etype, kind, conf
