"""Tables read by their column headers, not their positions.

A commissioning-plan table (columns such as "Commissioning Activity and Scope", "Key
Milestones", "Date", "Director/Sponsor", "Portfolio Holder", "Funding Source", "Finances in
Scope", "Savings") becomes one ``service_status`` relation per activity row, plus ``funds``
relations from its funding sources to its service. Rows continued on the next page (their
activity cell is empty) are merged into the row they continue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from corpus.models import Block
from nlp.models import Relation
from nlp.values import find_periods

# Column roles, tried in order on each header (first match wins).
COLUMN_ROLES: tuple[tuple[str, str], ...] = (
    ("savings", r"saving"),
    ("portfolio", r"portfolio"),
    ("funding", r"funding|source\s+of\s+fund|fund(?:ed)?\s+by"),
    ("provider", r"provider|supplier|contractor|delivered\s+by|provided\s+by"),
    ("commissioner", r"commissioner|commissioned\s+by|commissioning\s+(?:body|organisation|lead)"),
    ("money", r"financ|budget|value|cost|spend|£|amount|price"),
    ("sponsor", r"sponsor|director|lead\s+officer|\blead\b|responsib|owner"),
    ("milestones", r"milestone|timescale|timeline|key\s+dates|next\s+steps|actions?\b"),
    ("date", r"^\s*dates?\b|deadline|completion|start\s+date|end\s+date|when"),
    ("status", r"^\s*status\b"),
    ("progress", r"progress|update|\br\s?a\s?g\b|summary\s+of"),
    ("rationale", r"rationale|reason|\baim\b|purpose"),
    ("activity", r"activit|service|scheme|project|intention|contract|programme|subject|scope|area"),
)
PLAN_ROLES = {
    "milestones", "sponsor", "funding", "money", "savings", "progress", "date", "portfolio", "status",
    "provider", "commissioner",
}

STATUS_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("decommissioning", r"\bdecommission"),
    ("implementation", r"\bimplement"),
    ("procurement", r"\bprocure|\btender|\bre-?commission|commissioning\s+of\s+new"),
    ("review", r"\breview"),
    ("complete", r"\bcomplet(?:e|ed)\b"),
    ("new", r"^\s*new\b"),
    ("continuing", r"\bcontinu"),
)

_NUMBERING = re.compile(r"^\s*(?:\d+[a-z]?[.)]?|[a-z][.)]|[ivx]+[.)])\s*(?=[A-Z])")
# "Commissioning Intention 3", "Priority 2:", "Workstream IV": a label, not the activity's name.
_ROW_LABEL = re.compile(
    r"^(?:[A-Z][a-z]+[ \t]+){0,2}(?:[Ii]ntentions?|Priorit(?:y|ies)|Objectives?|Workstreams?|Themes?|"
    r"Actions?|Outcomes?|Strands?|Areas?|Items?|Goals?)[ \t]+(?:\d+[a-z]?|[IVX]+)\b[.:)]?[ \t]*"
)
# "To commission an …", "To further improve the …": an aim, whose object follows.
_TO_CLAUSE = re.compile(r"^(?:[ivx]+\)[ \t]*)?To[ \t]+(?:[a-z]+[ \t]+){1,2}?(?:an?[ \t]+|the[ \t]+)?(?=\S)")
_LEADING_ACTIVITY = re.compile(
    r"^(?:(?:Integrated|Joint|Strategic|Full|Independent)\s+)?(?:(?:Review|Re-?commissioning|Commissioning|Procurement|Re-?procurement|Tender|Development|"
    r"Implementation|Expansion|Redesign|Evaluation|Integration|Retender|Extension)"
    r"(?:\s+(?:and|&)\s+(?:re-?)?\w+)?\s+of\s+(?:services?\s+(?:involved\s+in|for)\s+(?:the\s+delivery\s+of\s+)?)?"
    r"(?:the\s+|existing\s+|current\s+)?(?:[A-Z]{2,6}['’]s\s+)?)",
    re.IGNORECASE,
)
_LEADING_VERB = re.compile(
    r"^(?:Develop|Support|Implement|Integrate|Review|Deliver|Commission|Procure|Re-?commission|Transform|"
    r"Transforming|Meet|Establish|Expand|Redesign|Extend|Improve|Complete|Continue|Undertake)"
    r"\s+(?:an?\s+|the\s+|new\s+|our\s+)*(?=['‘’\"“]?[A-Z0-9])"
)
_NOT_SERVICE_NAMES = {"complete", "develop", "support", "review", "implement", "new", "continuing",
                      "implementation", "procurement", "scope", "in scope", "none", "tbc", "n/a"}
_TRAILING_ACTIVITY = re.compile(
    r"(?:\s+(?:Review|Reviews|Transformation\s+Plan|Plan|Programme|Project|expansion|Expansion|"
    r"Re-?commissioning|Commissioning|Procurement|Implementation|Tender|Proposal|Redesign|Strategy|Strategic|"
    r"Complete|Completed|Ongoing|Phase\s+\d+|Stage\s+\d+))+$"
)
_PHASE = re.compile(r"\s+(?:Phase|Stage)\s+\d+$")
_CONNECTORS = {"and", "of", "for", "in", "with", "to", "&", "the", "on"}
_SENTENCE_STARTS = {"This", "The", "These", "It", "To", "A", "An", "In", "There", "We", "Our", "Integrate",
                    "Develop", "Provide", "Current", "Existing"}


def column_roles(headers: list[str]) -> dict[str, str]:
    """Header -> role for one table's headers."""
    roles: dict[str, str] = {}
    for h in headers:
        for role, rx in COLUMN_ROLES:
            if re.search(rx, h, re.IGNORECASE):
                roles[h] = role
                break
    return roles


def service_head(text: str) -> tuple[int, int, str, list[str]] | None:
    """The service or activity named at the start of an activity cell.

    Returns (start, end, canonical name, aliases) with offsets into ``text``; the canonical
    name drops numbering and activity words ("3a. Self-Care Review" -> "Self-Care").
    """
    pos = 0
    verb_seen = False
    for _ in range(3):  # "3j. Integrate the Commissioning of …": numbering, verb, activity in any order
        before = pos
        for rx in (_NUMBERING, _ROW_LABEL, _TO_CLAUSE):
            m = rx.match(text[pos:])
            if m:
                pos += m.end()
        m = _LEADING_ACTIVITY.match(text[pos:])
        if m and text[pos + m.end():pos + m.end() + 1][:1].isupper():
            pos += m.end()
        m = None if verb_seen else _LEADING_VERB.match(text[pos:])
        if m:  # one verb only: "Support the Transforming Care Partnership" keeps "Transforming"
            pos += m.end()
            verb_seen = True
        if pos == before:
            break
    while text[pos:pos + 1] in {"'", "‘", "’", '"', "“"}:
        pos += 1
    tokens = list(re.finditer(r"[^\s]+", text[pos:]))
    end = None
    count = 0
    for i, tok in enumerate(tokens):
        word = tok.group(0).replace("’", "'").replace("‘", "'")
        if word.endswith("'") and not word.endswith("s'"):
            word = word[:-1]  # a closing quote: "'Future in Mind' Transformation Plan"
        bare = word.strip(",;:'")
        if i > 0 and bare in _SENTENCE_STARTS:
            break
        if word.startswith("("):
            break
        if bare.lower() in _CONNECTORS and i > 0:
            continue
        if not (bare[:1].isupper() or bare[:1].isdigit()):
            break
        end = pos + tok.end() - (len(word) - len(word.rstrip(",;:")))
        count += 1
        if word.endswith((":", ";", ".")) and not re.fullmatch(r"[A-Z]\.", word):
            break
        if count > 14:
            return None
    if end is None:
        return None
    start = pos
    surface = text[start:end].rstrip(" ,;:.")
    end = start + len(surface)
    aliases = [surface]
    no_phase = _PHASE.sub("", surface)
    if no_phase != surface:
        aliases.append(no_phase)
    name = _TRAILING_ACTIVITY.sub("", no_phase).strip().strip("'‘’")
    if len(name) < 3 or not name[:1].isupper() or name.lower() in _NOT_SERVICE_NAMES:
        return None
    return start, end, name, aliases


def row_status(activity_text: str, group: str, status_cell: str = "") -> tuple[str | None, list[str]]:
    """(status, every status found) from a status column, keywords in the activity cell, the group label."""
    found: list[str] = []
    for source in (status_cell, activity_text):
        for status, rx in STATUS_KEYWORDS:
            if status in {"new"} and source is activity_text:
                continue
            if re.search(rx, source, re.IGNORECASE) and status not in found:
                found.append(status)
    group_status = group.strip().lower() if group else ""
    if group_status in {"new", "continuing"} and group_status not in found:
        found.append(group_status)
    return (found[0] if found else None), found


@dataclass
class _RowRecord:
    block: Block
    cells: dict[str, list[Any]] = field(default_factory=dict)  # role -> cells
    end: int = 0


def table_relations(paper: Any) -> list[Relation]:
    """``service_status`` and ``funds`` relations from the paper's commissioning-plan tables."""
    doc = paper.doc
    headers_by_table = {t.table_id: list(t.header) for t in doc.tables}
    records: list[_RowRecord] = []
    last_by_table: dict[int, _RowRecord] = {}
    for block in doc.blocks:
        if block.kind != "table_row" or not block.cells or block.table_id is None:
            continue
        headers = headers_by_table.get(block.table_id) or [c.header for c in block.cells]
        roles = column_roles(headers + [c.header for c in block.cells])
        if "activity" not in roles.values() or not (PLAN_ROLES & set(roles.values())):
            continue
        by_role: dict[str, list[Any]] = {}
        for cell in block.cells:
            role = roles.get(cell.header)
            if role and cell.text.strip():
                by_role.setdefault(role, []).append(cell)
        others = [r for r in by_role if r != "activity"]
        if "activity" not in by_role:
            prev = last_by_table.get(block.table_id)
            if prev is not None:  # a row continued from the previous page
                for role, cells in by_role.items():
                    prev.cells.setdefault(role, []).extend(cells)
                prev.end = block.end
            continue
        if not others:
            continue  # a heading row inside the table ("1. People in … adopt …")
        rec = _RowRecord(block, by_role, block.end)
        records.append(rec)
        last_by_table[block.table_id] = rec
    relations: list[Relation] = []
    for rec in records:
        relations.extend(_row_relations(paper, rec))
    return relations


def _cells_text(cells: list[Any]) -> str:
    return " ".join(c.text for c in cells)


def _row_relations(paper: Any, rec: _RowRecord) -> list[Relation]:
    activity = rec.cells["activity"][0]
    head = service_head(activity.text)
    service_key = None
    if head is not None:
        h_start, h_end, name, aliases = head
        service_key = paper.ensure_entity(
            activity.start + h_start, activity.start + h_end, "Service", "table:activity-head", 0.75,
            name=name, aliases=aliases, other_types=("Partnership", "FundingStream"),
        )
    if service_key is None:
        # "Commissioning Intention 2 To consolidate the integrated Disability Service …": the row's
        # subject is the first service the activity cell names.
        named = paper.mentions_in(activity.start, activity.end, ["Service"])
        service_key = next((m.entity_key for m in named if m.entity_key), None)
    if service_key is None:
        return []
    status, statuses = row_status(activity.text, rec.block.group, _cells_text(rec.cells.get("status", [])))
    attrs: dict[str, Any] = {
        "status": status, "statuses": statuses, "group": rec.block.group.lower() or None,
        "table_id": rec.block.table_id, "row": rec.block.row,
        "activity_text": activity.text,
    }
    milestones = []
    for cell in rec.cells.get("milestones", []):
        for item in re.split(r"\s*(?:•|\n|;|\s-\s(?=[A-Z]))\s*", cell.text):
            item = item.strip(" -–•")
            if len(item) > 3:
                periods = [p.value for p in find_periods(item)]
                milestones.append({"text": item, "periods": periods})
    if milestones:
        attrs["milestones"] = milestones
    dates = [p.value for c in rec.cells.get("date", []) for p in find_periods(c.text)]
    if dates:
        attrs["dates"] = dates
    people = _people(paper, rec.cells.get("sponsor", []))
    if rec.cells.get("sponsor"):
        attrs["sponsor"] = people or [_cells_text(rec.cells["sponsor"])]
    if rec.cells.get("portfolio"):
        attrs["portfolio_holders"] = _people(paper, rec.cells["portfolio"]) or [
            _cells_text(rec.cells["portfolio"])]
    funding_keys, funders = _funding_sources(paper, rec.cells.get("funding", []))
    if rec.cells.get("funding"):
        attrs["funding_text"] = _cells_text(rec.cells["funding"])
    if funding_keys:
        attrs["funding"] = funding_keys
    if funders:
        attrs["funders"] = funders
    money = []
    for role in ("money", "savings"):
        for cell in rec.cells.get(role, []):
            for m in paper.mentions_in(cell.start, cell.end, ["Money"]):
                money.append({"value": m.value, "value_max": m.value_max, "qualifier": m.qualifier,
                              "text": m.text, "column": cell.header, "role": role})
    if money:
        attrs["money"] = money
    if rec.cells.get("savings"):
        attrs["savings"] = _cells_text(rec.cells["savings"])
    ev = paper.evidence(rec.block.start, rec.end, "table:header-columns", 0.8)
    out = [Relation("service_status", service_key, None, ev, attrs)]
    amount = next((m for m in money if m["role"] == "money"), None)
    for fkey in funding_keys:
        fattrs: dict[str, Any] = {"table_id": rec.block.table_id, "row": rec.block.row}
        if amount:
            fattrs.update(amount=amount["value"], amount_text=amount["text"], qualifier=amount["qualifier"])
        if dates:
            fattrs["period"] = dates[0]
        out.append(Relation("funds", fkey, service_key, ev, fattrs))
    # "Provider" / "Commissioner" columns: who delivers and who buys the row's service
    for role, rel_type in (("provider", "provides"), ("commissioner", "commissions")):
        keys = _organisations_in(paper, rec.cells.get(role, []))
        if keys:
            attrs[role + "s"] = keys
        for key in keys:
            out.append(Relation(rel_type, key, service_key, paper.evidence(
                rec.block.start, rec.end, "table:" + role + "-column", 0.75), {"table_id": rec.block.table_id,
                                                                              "row": rec.block.row}))
    return out


def _organisations_in(paper: Any, cells: list[Any]) -> list[str]:
    """Organisation keys a provider or commissioner cell names, item by item ("Brightside Care Ltd;
    Riverside Day Centres"): the organisation read in the item, else the item as a name (in this
    column even "… Day Centres" names the provider)."""
    keys: list[str] = []
    for cell in cells:
        pos = 0
        for part in _FUNDING_ITEM_SPLIT.split(cell.text):
            start = cell.start + cell.text.index(part, pos)
            pos = start - cell.start + len(part)
            item = part.strip(" .-–\t")
            if not item:
                continue
            s = start + part.index(item)
            found = [m.entity_key for m in paper.mentions_in(s, s + len(item), ["Organisation"])
                     if m.entity_key]
            if not found and _reads_as_source(item):
                key = paper.ensure_entity(s, s + len(item), "Organisation", "table:named-in-column", 0.65)
                found = [key] if key else []
            keys += [k for k in found if k not in keys]
    return keys


_FUNDING_ITEM_SPLIT = re.compile(r"[;,\n•]|[ \t]/[ \t]|[ \t]\+[ \t]|[ \t]and[ \t](?=[A-Z])")
_NOT_A_SOURCE = re.compile(r"(?i)^(?:none|n/?a|tbc|tbd|various|other|existing|mainstream|see\b.*|\W*)$")


def _funding_sources(paper: Any, cells: list[Any]) -> tuple[list[str], list[str]]:
    """(funding stream keys, funder organisation keys) named in a funding-source column.

    Each item of the cell ("Public Health (PH); CCG", "BCF / iBCF", "ASC Budget and CCG") is a
    source: a funding stream already read there, an organisation that pays (its own budget), or
    else, when it reads as a name, a funding stream named by the column it stands in.
    """
    streams: list[str] = []
    funders: list[str] = []
    for cell in cells:
        pos = 0
        for part in [*_FUNDING_ITEM_SPLIT.split(cell.text)]:
            start = cell.start + cell.text.index(part, pos)
            pos = start - cell.start + len(part)
            whole = re.sub(r"\s*\([^)]*\)\s*$", "", part).strip(" .-–\t")
            if not whole:
                continue
            base = start + part.index(whole)
            # "OPCC PH": two sources written side by side as acronyms
            pieces = ([(t.start(), t.group(0)) for t in re.finditer(r"[A-Z]{2,6}", whole)]
                      if re.fullmatch(r"[A-Z]{2,6}(?:\s+[A-Z]{2,6})+", whole) else [(0, whole)])
            for off, item in pieces:
                s = base + off
                e = s + len(item)
                _source(paper, s, e, item, streams, funders)
    return streams, funders


def _source(paper: Any, s: int, e: int, item: str, streams: list[str], funders: list[str]) -> None:
    """Add the funding stream or funder that one item of a funding-source cell names."""
    inside = [m for m in paper.mentions_in(s, e) if m.entity_key]
    found = [m.entity_key for m in inside if m.type == "FundingStream"]
    orgs = [m.entity_key for m in inside if m.type == "Organisation"]
    if not inside and _reads_as_source(item):
        known = next((x.key for x in paper.entities.values() if x.type == "FundingStream"
                      and x.name.lower().startswith(item.lower() + " ")), None)
        if known is not None:  # "Public Health" where the paper names the "Public Health Grant"
            name: str | None = paper.entities[known].name
        elif re.search(r"(?i)\b(?:fund|funds|funding|grant|budget|allocation|precept)$", item):
            name = None
        else:  # "Adult Social Care" under "Funding Source" is that service's budget
            name = f"{item} budget"
        key = paper.ensure_entity(s, e, "FundingStream", "table:funding-column", 0.6, name=name)
        found = [key] if key else []
    elif not found and not orgs and len(inside) == 1 and inside[0].type == "Service" and (
            inside[0].evidence.end - inside[0].evidence.start >= len(item) - 1):
        # "ASC" (Adult Social Care) as a funding source: that service's budget
        owner = paper.entities.get(inside[0].entity_key)
        if owner is not None:
            key = paper.ensure_entity(s, e, "FundingStream", "table:funding-column", 0.55,
                                      name=f"{owner.name} budget")
            found = [key] if key else []
    for key in found:
        if key not in streams:
            streams.append(key)
    if not found:
        for key in orgs:  # "NCC", "CCG": the body pays from its own budget
            if key not in funders:
                funders.append(key)


def _reads_as_source(item: str) -> bool:
    """A short capitalised phrase that is not "None", "TBC" or a sentence."""
    words = item.split()
    return (0 < len(words) <= 5 and item[:1].isupper() and not _NOT_A_SOURCE.match(item)
            and not re.search(r"\d", item) and not item.endswith("?"))


def _people(paper: Any, cells: list[Any]) -> list[str]:
    """Person keys named in cells, expanding initials from the paper's name key ("CU", "AC/CO")."""
    keys: list[str] = []
    for cell in cells:
        for m in paper.mentions_in(cell.start, cell.end, ["Person"]):
            if m.entity_key and m.entity_key not in keys:
                keys.append(m.entity_key)
        for token in re.finditer(r"\b[A-Z]{2,4}\b", cell.text):
            d = paper.defs_people.get(token.group(0))
            if d is not None:
                key = paper.person_key(d.long_form)
                if key not in keys:
                    keys.append(key)
                    start = cell.start + token.start()
                    paper.add_person_mention(start, start + len(token.group(0)), d.long_form)
    return keys
