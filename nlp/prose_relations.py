"""Relations read from prose sentences that the older cue rules of :mod:`nlp.relations` miss.

- **Contract awards**: "award the contract for home care to Brightside Care Ltd" / "the contract
  was awarded to X": the provider provides the service, the paper's authority commissions it;
  money in the same sentence is the contract's.
- **Hosting**: "the Partnership is hosted by Leeds City Council" / "X hosts the Board".
- **Parties to an agreement or pooled budget**: "a Section 75 agreement between Derby City Council
  and NHS Derby CCG", "the pooled budget held jointly by A and B": each named partner is a party.
- **Membership of a body named generically**: "The Board comprises A, B and C" in a paper whose
  main partnership is a Board: each organisation is a member of it.

Every relation's evidence is its own sentence, and its money, dates and status come from that
sentence only, never from a neighbouring one.
"""

from __future__ import annotations

import re
from typing import Any

from nlp.models import Mention, Relation

AWARD_RE = re.compile(
    r"\baward(?:s|ed|ing)?\b(?:(?!\bto\b)[^.;]){0,160}?\bto\b"
    r"|\b(?:contract|tender|framework)s?\b[^.;]{0,80}?\b(?:was|were|is|be|been|has\s+been)\s+awarded\s+to\b",
    re.IGNORECASE,
)
HOSTED_BY_RE = re.compile(r"\bhosted\s+by\b", re.IGNORECASE)
HOSTS_RE = re.compile(r"\b(?:hosts|will\s+host|is\s+hosting|acts\s+as\s+(?:the\s+)?host\s+(?:for|of))\b",
                      re.IGNORECASE)
AGREEMENT_BETWEEN_RE = re.compile(
    r"\b(?:agreement|pooled\s+(?:budget|fund)|partnership\s+arrangements?|s\.?\s?75|section\s+75)\b"
    r"[^.;]{0,80}?\b(?:between|held\s+(?:jointly\s+)?by|with)\b",
    re.IGNORECASE,
)
GENERIC_BODY_MEMBERSHIP_RE = re.compile(
    r"\b(?:the\s+)?(?P<head>Board|Partnership|Committee|Group|Forum|Alliance)\s+"
    r"(?:comprises|consists\s+of|is\s+made\s+up\s+of|includes|brings\s+together|membership\s+includes)\b",
)


def prose_relations(paper: Any) -> list[Relation]:
    """Award, hosting, agreement-party and generic-body membership relations of one paper."""
    out: list[Relation] = []
    authority = paper._authority_key()
    main = _main_partnership_by_head(paper)
    for start, end in paper.sentence_bounds:
        if end - start < 12:
            continue
        sentence = paper.text[start:end]
        ms = paper.mentions_in(start, end)
        if not ms:
            continue
        orgs = [m for m in ms if m.type == "Organisation" and m.entity_key]
        bodies = [m for m in ms if m.type in {"Partnership", "Service"} and m.entity_key]
        services = [m for m in ms if m.type == "Service" and m.entity_key]
        funds = [m for m in ms if m.type == "FundingStream" and m.entity_key]
        money = [m for m in ms if m.type == "Money"]
        periods = [m for m in ms if m.type == "Period"]
        out += _awards(paper, start, end, sentence, orgs, services, money, periods, authority)
        out += _hosting(paper, start, end, sentence, orgs, bodies)
        agreements = funds + [b for b in bodies if b.type == "Partnership"]
        out += _parties(paper, start, end, sentence, orgs, agreements)
        out += _generic_membership(paper, start, end, sentence, orgs, main)
    return out


def _money_attrs(money: list[Mention], periods: list[Mention]) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    if money:
        top = max(money, key=lambda m: m.value_max or m.value or 0)
        attrs.update(amount=top.value, amount_text=top.text, qualifier=top.qualifier)
        if top.value_max:
            attrs["amount_max"] = top.value_max
    if periods:
        attrs["periods"] = [p.value for p in periods if p.value]
    return attrs


def _awards(paper: Any, start: int, end: int, sentence: str, orgs: list[Mention], services: list[Mention],
            money: list[Mention], periods: list[Mention], authority: str | None) -> list[Relation]:
    out: list[Relation] = []
    for cue in AWARD_RE.finditer(sentence):
        to = start + cue.end()
        providers = [m for m in orgs if to <= m.evidence.start <= to + 80 and m.entity_key != authority]
        if not providers:
            continue
        provider = providers[0]
        # The service is named in the award itself, else anywhere in the sentence before the provider.
        named = [s for s in services if start + cue.start() <= s.evidence.start < provider.evidence.start]
        named = named or [s for s in services if s.evidence.end <= provider.evidence.start]
        attrs = {**_money_attrs(money, periods), "award": True}
        ev = paper.evidence(start, end, "relation:contract-award", 0.75)
        for s in named[-1:]:
            out.append(Relation("provides", provider.entity_key, s.entity_key, ev, attrs))
            if authority:
                out.append(Relation("commissions", authority, s.entity_key, ev,
                                    {**attrs, "provider": provider.entity_key}))
    return out


def _hosting(paper: Any, start: int, end: int, sentence: str, orgs: list[Mention],
             bodies: list[Mention]) -> list[Relation]:
    out: list[Relation] = []
    for cue in HOSTED_BY_RE.finditer(sentence):
        pos = start + cue.end()
        hosts = [m for m in orgs if pos <= m.evidence.start <= pos + 40]
        before = [b.entity_key for b in bodies if b.evidence.end <= start + cue.start()]
        ref = re.match(r"\s*(?:(?:The|This)\s+(?P<head>[A-Za-z]+)|It)\b", sentence)
        if not before and ref:
            # "The Board is hosted by …": the paper's leading board; "It is hosted by …": its one body.
            head = (ref.group("head") or "").lower().rstrip("s")
            main = _main_partnership_by_head(paper).get(head) if head else _main_body(paper)
            before = [main] if main else []
        if hosts and before and hosts[0].entity_key != before[-1]:
            out.append(Relation("hosts", hosts[0].entity_key, before[-1],
                                paper.evidence(start, end, "relation:hosted-by", 0.75)))
    for cue in HOSTS_RE.finditer(sentence):
        pos = start + cue.start()
        hosts = [m for m in orgs if m.evidence.end <= pos]
        hosted = [b for b in bodies if b.evidence.start >= start + cue.end()]
        if hosts and hosted:
            out.append(Relation("hosts", hosts[-1].entity_key, hosted[0].entity_key,
                                paper.evidence(start, end, "relation:hosts", 0.7)))
    return out


def _parties(paper: Any, start: int, end: int, sentence: str, orgs: list[Mention],
             agreements: list[Mention]) -> list[Relation]:
    out: list[Relation] = []
    for cue in AGREEMENT_BETWEEN_RE.finditer(sentence):
        pos = start + cue.end()
        parties = [m for m in orgs if m.evidence.start >= pos]
        lo = start + cue.start() - 60
        named = [a for a in agreements if a.evidence.start <= pos and a.evidence.end >= lo]
        if not parties or not named:
            continue
        ev = paper.evidence(start, end, "relation:agreement-party", 0.7)
        for p in {p.entity_key: p for p in parties}.values():
            out.append(Relation("party_to", p.entity_key, named[-1].entity_key, ev))
    return out


def _generic_membership(paper: Any, start: int, end: int, sentence: str, orgs: list[Mention],
                        main: dict[str, str]) -> list[Relation]:
    out: list[Relation] = []
    for cue in GENERIC_BODY_MEMBERSHIP_RE.finditer(sentence):
        target = main.get(cue.group("head").lower())
        if target is None:
            continue
        pos = start + cue.end()
        ev = paper.evidence(start, end, "relation:member-generic-body", 0.65)
        for m in orgs:
            if m.evidence.start >= pos and m.entity_key != target:
                out.append(Relation("member_of", m.entity_key, target, ev))
    return out


def _main_partnership_by_head(paper: Any) -> dict[str, str]:
    """For each head word (board, partnership…): the paper's most mentioned partnership ending in it,
    when one clearly leads (so "the Board" can stand for it)."""
    counts: dict[str, dict[str, int]] = {}
    for m in paper.mentions:
        if m.type != "Partnership" or not m.entity_key:
            continue
        entity = paper.entities.get(m.entity_key)
        if entity is None:
            continue
        head = re.sub(r"\s*\([^)]*\)$", "", entity.name).split()[-1].lower().rstrip("s")  # "… Board (Derby)"
        counts.setdefault(head, {}).setdefault(m.entity_key, 0)
        counts[head][m.entity_key] += 1
    out: dict[str, str] = {}
    for head, by_key in counts.items():
        ranked = sorted(by_key.items(), key=lambda kv: -kv[1])
        if len(ranked) == 1 or ranked[0][1] > 2 * ranked[1][1]:
            out[head] = ranked[0][0]
    return out


def _main_body(paper: Any) -> str | None:
    ranked = sorted(_main_partnership_by_head(paper).values())
    return ranked[0] if len(ranked) == 1 else None
