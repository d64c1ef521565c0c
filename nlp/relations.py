"""Relation rules over prose: membership, joint commissioning, funding, provision,
commissioning, decisions and roles. Each relation carries the evidence span it was read from
(the sentence, list item or decision text) and a confidence that says how direct the cue was.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from nlp.decisions import find_decisions
from nlp.models import Mention, Relation

MEMBERSHIP_CUE = re.compile(
    r"\b(?:consist(?:s|ing)?\s+of|compris(?:e|es|ing|ed\s+of)|made\s+up\s+of|"
    r"membership\s+(?:is|includes|comprises)|members\s+(?:are|include)|partners\s+(?:are|include))\b"
    r"|\b(?:partners?|members?|organisations)\b[^.:]*\bas\s+follows\b",
    re.IGNORECASE,
)
BETWEEN_RE = re.compile(r"\bbetween\s+", re.IGNORECASE)
JOINT_CUE = re.compile(
    r"\bjoint(?:ly)?\s+(?:contract|commission\w*|fund\w*|procure\w*|budget|arrangement|led)|"
    r"\bjoint\s+(?:[A-Z]{2,6}|[A-Z][a-z]+)\s+and\s+|\bin\s+partnership\s+with\b|\bjoint\s+contract\s+with\b",
    re.IGNORECASE,
)
FUND_CUE = re.compile(
    r"\bfund(?:s|ed|ing)?\b|\bsupported\s+by\b|\bresource[sd]?\b|\ballocat\w+|\bfrom\s+the\b|\bthrough\s+the\b|"
    r"\bvia\s+the\b|\bpaid\s+for\b|\bgrant\b",
    re.IGNORECASE,
)
PROVIDED_BY = re.compile(
    r"\b(?:provided|delivered|run|operated|supplied|offered)\s+(?:\w+\s+)?by\b|\bcommissioned\s+from\b",
    re.IGNORECASE,
)
PROVIDES = re.compile(r"\b(?:provides?|delivers?|runs?|operates?)\b", re.IGNORECASE)
COMMISSIONED_BY = re.compile(r"\bcommissioned\s+(?:jointly\s+)?by\b", re.IGNORECASE)
COMMISSIONS = re.compile(
    r"\b(?:commissions?|has\s+commissioned|have\s+commissioned|will\s+commission|is\s+commissioning|"
    r"are\s+commissioning|to\s+commission|procures?|will\s+procure|to\s+procure)\b",
    re.IGNORECASE,
)
ROLE_LINE_RE = re.compile(
    r"^(?P<name>(?:(?:Cllr|Councillor)\.?\s+)?[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){1,2})"
    r"(?:\s*\t\s*-?\s*|\s*,\s+|\s+[-–]\s+|\s*\()(?P<role>[^\n()]{3,90})\)?\s*$",
    re.MULTILINE,
)
ROLE_WORDS = re.compile(
    r"\b(?:Director|Officer|Manager|Head|Chair|Vice-Chair|Lead|Consultant|Chief|Executive|Commissioner|"
    r"Leader|Portfolio\s+Holder|Solicitor|Accountant|Co-?ordinator|Advis[eo]r|Specialist|Analyst)\b"
)


def find_relations(paper: Any) -> list[Relation]:
    """Every prose relation of one paper (tables are read by :mod:`nlp.tables`)."""
    out: list[Relation] = []
    out += _membership_lists(paper)
    out += _sentence_relations(paper)
    out += find_decisions(paper)
    out += _role_lines(paper)
    out += _plan_commissioning(paper)
    from nlp.prose_relations import prose_relations

    out += prose_relations(paper)
    return _dedupe(out)


def _dedupe(relations: list[Relation]) -> list[Relation]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for r in relations:
        key = (r.type, r.subject, r.object, r.evidence.start, r.evidence.end)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _main_partnership(paper: Any) -> str | None:
    """The partnership the paper is most about (most mentions; names with a place preferred)."""
    counts = Counter(m.entity_key for m in paper.mentions if m.type == "Partnership" and m.entity_key)
    if not counts:
        return None
    return counts.most_common(1)[0][0]


def _orgs(mentions: list[Mention]) -> list[Mention]:
    return [m for m in mentions if m.type in {"Organisation", "Partnership"} and m.entity_key]


def _membership_lists(paper: Any) -> list[Relation]:
    """Members listed after a colon: "The partners consist of …, as follows:" then list items."""
    out: list[Relation] = []
    blocks = paper.doc.blocks
    i = 0
    while i < len(blocks):
        intro = blocks[i]
        if intro.kind == "list_item" or not intro.text.rstrip().endswith(":") or not MEMBERSHIP_CUE.search(
                intro.text):
            i += 1
            continue
        members: list[Mention] = []
        j = i + 1
        while j < len(blocks):
            b = blocks[j]
            if b.kind == "list_item":
                members += _orgs(paper.mentions_in(b.start, b.end))
            elif not (b.text.rstrip().endswith(":") and len(b.text.split()) <= 4):
                break  # a sub-label such as "Providers:" continues the list
            j += 1
        if members:
            in_intro = [m for m in paper.mentions_in(intro.start, intro.end, ["Partnership"]) if m.entity_key]
            target = in_intro[-1].entity_key if in_intro else _main_partnership(paper)
            conf = 0.85 if in_intro else 0.65
            for m in members:
                if target and m.entity_key != target:
                    ev = paper.evidence(m.evidence.start, m.evidence.end, "relation:member-list", conf)
                    out.append(Relation("member_of", m.entity_key, target, ev,
                                        {"list_intro": intro.text[:200]}))
        i = j
    return out


def _sentence_relations(paper: Any) -> list[Relation]:
    out: list[Relation] = []
    seen: set[tuple[int, int]] = set()
    authority = paper._authority_key()
    for start, end in paper.sentence_bounds:
        if (start, end) in seen or end - start < 8:
            continue
        seen.add((start, end))
        sentence = paper.text[start:end]
        ms = paper.mentions_in(start, end)
        if not ms:
            continue
        orgs = [m for m in ms if m.type == "Organisation" and m.entity_key]
        parts = [m for m in ms if m.type == "Partnership" and m.entity_key]
        services = [m for m in ms if m.type == "Service" and m.entity_key]
        funds = [m for m in ms if m.type == "FundingStream" and m.entity_key]
        money = [m for m in ms if m.type == "Money"]
        periods = [m for m in ms if m.type == "Period"]

        def ev(method: str, conf: float, s: int = start, e: int = end) -> Any:
            return paper.evidence(s, e, method, conf)

        # membership stated inline: "P … consisting of A, B and C" / "between A and B"
        cue = MEMBERSHIP_CUE.search(sentence) or BETWEEN_RE.search(sentence)
        if cue and parts:
            cue_pos = start + cue.start()
            before = [p for p in parts if p.evidence.end <= cue_pos]
            target = (before[-1] if before else None)
            if target is not None:
                for m in orgs:
                    if m.evidence.start >= cue_pos:
                        out.append(Relation("member_of", m.entity_key, target.entity_key,
                                            ev("relation:member-inline", 0.7)))
        # joint commissioning
        if JOINT_CUE.search(sentence):
            targets = services or _row_services(paper, start)
            partners = sorted({m.entity_key for m in orgs} | ({authority} if authority else set()))
            subject = authority or (orgs[0].entity_key if orgs else None)
            for s in targets:
                if subject:
                    out.append(Relation("joint_commissioning", subject, s.entity_key if isinstance(s, Mention)
                                        else s, ev("relation:joint-commissioning", 0.7),
                                        {"partners": partners, "periods": [p.value for p in periods]}))
        # funding
        if funds and services and FUND_CUE.search(sentence):
            for f in funds:
                for s in services:
                    attrs: dict[str, Any] = {}
                    if money:
                        attrs.update(amount=money[0].value, amount_text=money[0].text)
                    if periods:
                        attrs["period"] = periods[0].value
                    out.append(Relation("funds", f.entity_key, s.entity_key, ev("relation:funding-cue", 0.6),
                                        attrs))
        # provision
        cues = list(PROVIDED_BY.finditer(sentence))
        for k, cue_m in enumerate(cues):
            # providers sit between this cue and the next; the service just before this cue
            lo = start + (cues[k - 1].end() if k else 0)
            pos = start + cue_m.end()
            hi = start + cues[k + 1].start() if k + 1 < len(cues) else end
            provs = [m for m in orgs if pos <= m.evidence.start < hi]
            svc = [m for m in services if lo <= m.evidence.start and m.evidence.end <= start + cue_m.start()]
            for o in provs[:4]:
                for s in svc[-1:]:
                    out.append(
                        Relation("provides", o.entity_key, s.entity_key, ev("relation:provided-by", 0.7))
                    )
        for cue_m in PROVIDES.finditer(sentence):
            pos = start + cue_m.start()
            subj = [m for m in orgs if m.evidence.end <= pos]
            svc = [m for m in services if m.evidence.start >= pos]
            if subj and svc:
                out.append(Relation("provides", subj[-1].entity_key, svc[0].entity_key,
                                    ev("relation:provides", 0.6)))
        # commissioning
        for cue_m in COMMISSIONED_BY.finditer(sentence):
            pos = start + cue_m.end()
            by = [m for m in orgs if m.evidence.start >= pos]
            svc = [m for m in services if m.evidence.end <= pos]
            if by and svc:
                out.append(Relation("commissions", by[0].entity_key, svc[-1].entity_key,
                                    ev("relation:commissioned-by", 0.7)))
        for cue_m in COMMISSIONS.finditer(sentence):
            pos = start + cue_m.start()
            subj = [m for m in orgs if m.evidence.end <= pos]
            svc = [m for m in services if m.evidence.start >= pos]
            if subj and svc:
                out.append(Relation("commissions", subj[-1].entity_key, svc[0].entity_key,
                                    ev("relation:commissions", 0.65)))
    return out


def _row_services(paper: Any, pos: int) -> list[str]:
    """Service keys of the table row containing ``pos`` (for cues inside table cells)."""
    for r in paper.relations:
        if r.type == "service_status" and r.evidence.start <= pos < r.evidence.end:
            return [r.subject]
    return []


def _role_lines(paper: Any) -> list[Relation]:
    """ "Steve Oakley - Head of Contracting", "Caroline Baria, Service Director": people with roles."""
    out: list[Relation] = []
    authority = paper._authority_key()
    for m in ROLE_LINE_RE.finditer(paper.text):
        role = m.group("role").strip(" -–\t")
        if not ROLE_WORDS.search(role) or len(role.split()) > 12:
            continue
        name = re.sub(r"^(?:Cllr|Councillor)\.?\s+", "", m.group("name"))
        key = paper.add_person_mention(m.start("name"), m.end("name"), name)
        ev = paper.evidence(m.start(), m.end(), "relation:role-line", 0.75)
        out.append(Relation("has_role", key, authority, ev, {"role": role}))
    return out


def _plan_commissioning(paper: Any) -> list[Relation]:
    """Rows of a commissioning plan are activities of the paper's authority: it commissions them."""
    authority = paper._authority_key()
    if authority is None:
        return []
    return [
        Relation("commissions", authority, r.subject,
                 paper.evidence(r.evidence.start, r.evidence.end, "table:commissioning-plan", 0.6),
                 {"status": r.attrs.get("status")})
        for r in paper.relations if r.type == "service_status"
    ]
