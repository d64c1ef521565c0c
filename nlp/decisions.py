"""Decisions in the forms UK councils write them: one ``decision`` relation per item.

Minutes and decision notices record decisions under a cue ("RESOLVED that …", "RESOLVED: 1. That
…", "Resolved – (a) …", "Cabinet resolved to: (i) …", "That Cabinet 1) authorises …", "Decision:
1.1 To award …", "AGREED: that …", "DECISION(S)", "Decision Made:", "The Board resolved:-", "the
Committee agreed:-", Welsh "Penderfyniad:" / "PENDERFYNWYD:"), as unheaded numbered items in a
decision notice ("(a) the extension … be agreed;"), or as single sentences ("The Committee noted
…", "That X be elected as Chair.", "The minutes … were approved.", "it was agreed that …", "The
Director of … has approved …", "the Leader approved …, but deferred …" as two). ModernGov "Issue -
decisions" pages and officer decision records put the decision under a "DD/MM/YYYY - <title>" line:
a lone paragraph ("To approve £183k for …"), "The Leader is recommended to:" and its items (the
Leader decided them), or a request ("To seek approval to make the following changes:") whose
bullets are one decision; their "Decision Maker:" line may follow. Items under "… a recommendation
from the X Committee … that the Y Committee agree:-" are X's recommendations. A resolution cut
mid-sentence ("… in respect of the") runs on into the next paragraph. Each numbered, lettered or
bulleted item is its own decision, its evidence the item's text.

For each item the rules read, from shape and context only:

- the **body** that decided: the subject of "X resolved/agreed", the notice's "Decision Maker:",
  the meeting's title ("Cabinet - Monday, …", "Meeting: … - Executive Board (Item 5)", "At a
  MEETING of the … held"), else the body the minute last said considered the report. Generic
  bodies ("Cabinet", "the Board") are labelled with the paper's authority, or with the paper when
  the authority is unknown, and keyed per authority or per paper, so two councils' Cabinets stay
  apart;
- the **action**, from the item's own verb: its leading verb ("Approve …", "Cabinet agreed …",
  "To award …"), else its resolution passive ("… be approved", "… is awarded"), else the verb of
  the lead-in it hangs from ("the Committee agreed:- (1) To have regard …"), else ``other``;
  "resolved to recommend:" makes every item a recommendation;
- the **object** (the first service, funding stream or partnership named in the item), the money
  and periods inside it, delegations, other organisations, and whether it was a key decision.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from nlp.models import Relation

#: The actions a decision can take (``docs/heldout.md``); anything else is ``other``.
ACTIONS = ("approve", "award", "agree", "note", "delegate", "extend", "defer", "refuse", "authorise",
           "endorse", "recommend", "adopt", "appoint", "other")

# -- verbs ------------------------------------------------------------------------------------

_VERB_FORMS = {
    "approve": r"approv(?:e|es|ed)|grant(?:s|ed)?",
    "award": r"award(?:s|ed)?",
    "agree": r"agree(?:s|d)?|concur(?:s|red)?",
    "note": r"not(?:e|es|ed)",
    "delegate": r"delegat(?:e|es|ed)",
    "extend": r"extend(?:s|ed)?",
    "defer": r"defer(?:s|red)?",
    "refuse": r"refus(?:e|es|ed)|reject(?:s|ed)?|declin(?:e|es|ed)",
    "authorise": r"authori[sz](?:e|es|ed)",
    "endorse": r"endors(?:e|es|ed)",
    "recommend": r"recommend(?:s|ed)?",
    "adopt": r"adopt(?:s|ed)?",
    "appoint": r"(?:re-?)?appoint(?:s|ed)?|(?:re-?)?elect(?:s|ed)?",
}
_VERB_RE = re.compile(
    "|".join(f"(?P<{action}>{form})" for action, form in _VERB_FORMS.items()), re.IGNORECASE
)
_PARTICIPLE = (r"approved|awarded|agreed|noted|delegated|extended|deferred|refused|rejected|declined|"
               r"authori[sz]ed|endorsed|recommended|adopted|(?:re-?)?appointed|(?:re-?)?elected|confirmed|signed|accepted|received")
# "… be approved", "… is awarded", "… are noted": the resolution's passive.
_PASSIVE_RE = re.compile(
    rf"\b(?P<aux>be|is|are)\s+(?:(?:hereby|duly|formally|now|also|further|unanimously)\s+)?"
    rf"(?P<verb>{_PARTICIPLE})\b", re.IGNORECASE,
)
_NOT_MAIN_BEFORE = re.compile(
    r"\b(?:to|will|would|should|shall|(?<!\d\s)may|might|must|can|could|cannot|not|also)\s+$", re.IGNORECASE
)
_CONDITIONAL = re.compile(r"\b(?:if|when|unless|whether|once|until|where)\b", re.IGNORECASE)
_DELEGATED_POWERS = re.compile(
    r"\b(?:grants?|granted|given|gives?)\s+(?:the\s+)?delegated\s+(?:authority|powers?)|"
    r"\bdelegates?\s+(?:the\s+)?(?:authority|powers?|responsibility)\b", re.IGNORECASE,
)
_TAKEN_AS_READ = re.compile(r"\b(?:was|were|be|are|is)\s+taken\s+as\s+read\b", re.IGNORECASE)
_GIVEN_APPROVAL = re.compile(
    r"\b(?P<what>approval|agreement|consent|permission|endorsement)\s+(?P<aux>be|is|was)\s+(?:hereby\s+)?"
    r"(?:given|granted)\b", re.IGNORECASE)
_GIVEN_ACTION = {"approval": "approve", "agreement": "agree", "consent": "approve", "permission": "approve",
                 "endorsement": "endorse"}
# "… be accepted and endorsed", "… be received and noted": a weak verb and the act after it
_WEAK_THEN = re.compile(
    rf"\b(?P<aux>be|is|are)\s+(?:accepted|received|considered)\s+and\s+(?:(?:be|is|are)\s+)?"
    rf"(?P<verb>{_PARTICIPLE})\b", re.IGNORECASE)
_GIVEN_AUTHORITY = re.compile(r"\bbe\s+(?:given|granted)\s+(?:the\s+)?authority\b", re.IGNORECASE)
_INVOKE_EXTENSION = re.compile(
    r"\b(?:invok|exercis|enact|trigger)\w*\b[^.;]{0,80}\bextension|\bextension\b[^.;]{0,120}\bbe\s+"
    r"(?:invoked|exercised|enacted|triggered)\b", re.IGNORECASE,
)
_MINUTES_RECORD = re.compile(r"\bminutes?\b|\b(?:draft\s+)?notes\b|\b(?:correct|true|accurate)\s+record\b",
                             re.IGNORECASE)
# Verbs of the Welsh text of bilingual papers (read only when no English verb is found).
_WELSH_VERBS = (
    ("approve", r"gymeradwy\w*|cymeradwy\w*"), ("note", r"nodi|nodwyd"), ("agree", r"cytun\w*|gytun\w*"),
    ("authorise", r"awdurdodi"), ("delegate", r"ddirprwy\w*|dirprwy\w*"), ("recommend", r"argymell\w*"),
    ("adopt", r"mabwysiad\w*"), ("appoint", r"penodi|benodi"), ("extend", r"ymestyn"), ("defer", r"gohirio"),
    ("refuse", r"gwrthod"),
)
_WELSH_RE = re.compile("|".join(f"(?P<{a}>\\b(?:{f})\\b)" for a, f in _WELSH_VERBS), re.IGNORECASE)

# -- bodies -----------------------------------------------------------------------------------

_HEAD = (r"(?i:Cabinet|Executive(?:\s+Board)?|Board|Committee|Sub-Committee|Panel|Forum|Council|Commission|"
         r"Members|Councillors)")
_NAME_WORD = r"(?:[A-Z][\w’'.-]*|&|and|of|for|on|the|AND|OF|FOR)"
BODY_PHRASE = rf"(?:{_NAME_WORD}[ \t]+){{0,9}}?{_HEAD}\b"
_TITLE_WORD = r"(?:Corporate|Executive|Strategic|Assistant|Deputy|Interim|Service|Operational|Lead|Acting)"
OFFICER_PHRASE = (
    rf"(?:{_TITLE_WORD}[ \t]+)*(?:Director|Chief[ \t]+Executive|Chief[ \t]+Officer|Head|Leader|"
    r"Cabinet[ \t]+[Mm]ember|Executive[ \t]+[Mm]ember|(?:Executive|Cabinet|Lead)[ \t]+Councillor|"
    r"Portfolio[ \t]+Holder|City[ \t]+Treasurer|"
    r"Monitoring[ \t]+Officer)"
    r"(?:[ \t]+(?:of|for)[ \t]+(?:the[ \t]+)?[A-Z][\w&’'-]*(?:[ \t]+(?:[A-Z][\w&’'-]*|and|&|of|the|for))*)?"
)
_GENERIC_BODY = re.compile(
    r"(?i:(?:the\s+)?(?:Cabinet|Executive|Board|Joint\s+Board|Committee|Sub-Committee|Panel|Forum|Council|"
    r"Commission|Members|Councillors|Cabinet\s+Members))"
)
_DECISION_VERB = (r"resolved|RESOLVED|agreed|AGREED|decided|noted|NOTED|approved|approve|approves|agree|"
                  r"agrees|"
                  r"note|notes|endorsed|endorses|endorse|authori[sz]ed|authori[sz]es|authori[sz]e|delegated|"
                  r"adopted|recommended|appointed|awarded|deferred|refused|rejected|concurred|(?:so\s+)?concurred|"
                  r"(?:given|gave|granted)\s+(?:its\s+|their\s+)?(?:approval|agreement|consent)")
_MARKER_PREFIX = (r"(?:\d{1,2}\.\d{1,2}\.?(?=\s)|\(?(?:\d{1,2}|[a-z]|[ivx]{1,5})[.)]|"
                  r"\((?:\d{1,2}|[a-z]|[ivx]{1,5})\))?\s*")
# "Cabinet agreed …", "The HEALTH BOARD noted …", "The Director of X has approved …"
_COUNCILLOR = r"(?:Councillor|Cllr\.?)[ \t]+[A-Z][\w’'-]+(?:[ \t]+[A-Z][\w’'-]+){0,3}"
_AFTER_DISCUSSION = (r"(?:(?:Following|After|Having\s+(?:considered|heard))\s+(?:\w+\s+){0,4}?"
                     r"(?:discussions?|consideration|debate|questions|deliberation|the\s+report)\s*,?\s+)?")
_BODY_VERB = re.compile(
    rf"^{_MARKER_PREFIX}{_AFTER_DISCUSSION}(?:That\s+)?(?:[Tt]he\s+)?(?P<body>{OFFICER_PHRASE}|{BODY_PHRASE}|{_COUNCILLOR})\s*"
    rf"(?:\((?i:unanimously)\)\s*)?(?:(?:has|have)\s+)?(?:(?:then|also|further|formally|unanimously|duly|"
    rf"therefore|hereby)\s+)?(?P<verb>{_DECISION_VERB})\b(?P<rest>.*)",
    re.DOTALL,
)
# "the Committee agreed, in terms of …:-" in a block that ends in a colon: an intro anywhere in it.
_BODY_INTRO_INSIDE = re.compile(
    rf"(?:^|[,;.]\s+)(?:[Tt]he\s+)?(?P<body>{BODY_PHRASE})\s+"
    r"(?P<verb>resolved|agreed|decided|RESOLVED|AGREED)\b"
)
# "That Cabinet:", "That Housing Committee", "The Cabinet Member:" before the items it decided
# "Arising from item 7, the Council approved …", "The Provost ruled, and the Council agreed, that …"
_BODY_VERB_INSIDE = re.compile(
    rf"(?:,|\band)\s+(?:the\s+)?(?P<body>{OFFICER_PHRASE}|{BODY_PHRASE})\s+"
    r"(?:(?:has|have|then|also|further|unanimously)\s+)?"
    r"(?P<verb>resolved|agreed|decided|approved|noted|endorsed|authori[sz]ed|adopted|appointed|deferred|refused)\b"
)
# "…, but deferred a decision on …": a second act of the same subject in one sentence
_BUT_VERB = re.compile(r",?\s+(?:but|and\s+then|while|and)\s+(?:(?:also|then|further)\s+)?"
                       r"(?=(?P<verb>approved|agreed|noted|endorsed|deferred|refused|rejected|declined|delegated|authori[sz]ed)\s+"
                       r"(?:the|a|an|to|that|its|their)\b)")
# "… a recommendation from the Health Committee that the Policy Committee agree:-" then the items
_RECOMMENDATION_FROM = re.compile(
    rf"\brecommendations?\s+(?:from|of|by)\s+(?:the\s+)?(?P<body>{BODY_PHRASE})")
# A ModernGov "Issue - decisions" page: "05/10/2020 - <title>", the decision text under it
_ISSUE_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}\s+[-–]\s+\S")
# "The Leader is recommended to:" under an issue's date: the maker and the items it approved
_IS_RECOMMENDED = re.compile(rf"^(?:The\s+)?(?P<body>{OFFICER_PHRASE}|{BODY_PHRASE})\s+(?:is|are)\s+"
                             r"(?:asked|recommended|requested)\s+to\s*:?\s*-?$")
# "To seek approval to make the following changes …:" then bullets: one request, approved as a whole
_SEEK = re.compile(r"^To\s+(?:seek|request|obtain)\s+(?:the\s+)?(?P<what>approval|agreement|authority|"
                   r"authorisation|endorsement)\b[^\n]*:\s*-?$")
_REPORT_SEEKS = re.compile(r"^(?:This|The)\s+(?:report|paper|decision)\s+(?:seeks|requests|sought)\s+"
                           r"(?:the\s+)?(?P<what>approval|agreement|authority|authorisation|endorsement)\b")
_SEEK_ACTION = {"approval": "approve", "agreement": "agree", "authority": "authorise",
                "authorisation": "authorise", "endorsement": "endorse"}
# "DECISION" then "NOTED." (Scottish minutes): a verdict alone, often set as a heading
_BARE_VERDICT = re.compile(r"(?i:noted|agreed|approved|endorsed|adopted|refused|deferred)\.?")
_THAT_BODY = re.compile(rf"^(?:That\s+(?:the\s+)?(?P<body>{OFFICER_PHRASE}|{BODY_PHRASE})\s*[:\-–—]*"
                        rf"|(?:The\s+)?(?P<body2>{OFFICER_PHRASE}|{BODY_PHRASE})\s*:\s*-?)\s*$")
_AND_THEN_VERB = re.compile(r",\s+and\s+(?:also\s+|further\s+)?(?P<verb>agreed|approved|noted|endorsed|"
                            r"delegated|authori[sz]ed|deferred|refused|adopted)\b")
_ITEM_START = re.compile(r"^(?:To\s+[a-z]|That\s|(?:Noted|Agreed|Approved|Endorsed|Delegated|Authori[sz]ed|"
                         r"Resolved|Adopted|Deferred|Refused|Awarded|Extended)\b)")
_THAT_BODY_ACTS = re.compile(rf"^(?:that|That)\s+(?:the\s+)?(?P<body>{OFFICER_PHRASE}|{BODY_PHRASE})\s+"
                             rf"(?:(?:hereby|also|formally)\s+)?(?:{_DECISION_VERB})\b")
_IT_WAS_CUE = re.compile(r"^It\s+was\s+(?:unanimously\s+|further\s+)?(?P<v>resolved|agreed|decided)"
                         r"\s*(?:that|to)?\s*[:\-–—]+\s*$", re.IGNORECASE)
_PREAMBLE_BODY = re.compile(rf"^(?:(?:Having|After|Following|In)\b[^,:]{{3,80}},\s*)(?:the\s+)?"
                            rf"(?P<body>{OFFICER_PHRASE}|{BODY_PHRASE})\s*:\s*-?\s*$")
_DECIDING_MEMBER = (r"(?:(?:Cabinet|Executive)[ \t]+[Mm]ember(?:[ \t]+for[ \t]+[A-Z][\w&’'-]*"
                    r"(?:[ \t]+(?:[A-Z][\w&’'-]*|and|&|of|the))*)?|Portfolio[ \t]+Holder|Leader)")
_CONSIDERED = re.compile(
    rf"(?:^|[.:]\s+)(?:[Tt]he\s+)?(?P<body>{_DECIDING_MEMBER}|{BODY_PHRASE})\s+(?:considered|received|had\s+before\s+it|"
    r"(?:were|was)\s+presented|discussed|heard|scrutinised)\b"
)

# -- cues, headings and context lines ---------------------------------------------------------

_SPACED_THAT = r"T\s?H\s?A\s?T"
_CUE = re.compile(
    r"^(?:(?P<resolved>RESOLVED|Resolved|R\s?E\s?S\s?O\s?L\s?V\s?E\s?D|AGREED|Agreed|RECOMMENDED|"
    r"PENDERFYNWYD|Penderfynwyd|"
    r"Cytunwyd|CYTUNWYD)\b(?=\s*(?:[:\-–—(]|,\s*(?i:that|to)\b|(?i:that|to|y\s+dylid|bod|fod)\b|T\s?H\s?A\s?T|$))"
    r"|(?P<heading>(?:(?:Summary|Details|Record|Outline|Text|TEXT)\s+of\s+(?:the\s+)?|Proposed\s+)?(?:DECISIONS?|[Dd]ecisions?)"
    r"(?:\s+(?:MADE|TAKEN|Made|Taken|made|taken))?|"
    r"PENDERFYNIAD(?:AU)?|Penderfyniad(?:au)?)\s*(?=[:\-–—]|$))"
    r"\s*[:\-–—,]*\s*(?:\((?i:unanimously)\)\s*)?[:\-–—]*\s*"
)
_RESOLVED_INSIDE = re.compile(r"(?:(?<=[.:|)])|(?<=[.:|)]\s)|(?<=[\w’'–-]\s))\s*(?=RESOLVED\b)")
_RECOMMEND_LEAD = re.compile(r"^(?:to\s+)?recommend\b", re.IGNORECASE)
_TO_RECOMMEND = re.compile(r"^To\s+recommend\s+(?:that|to)\b")
_DECISION_MAKER = re.compile(
    r"^(?:Decision\s+[Mm]aker|Decision\s+of|Decided\s+by|Decision\s+taken\s+by|"
    r"Name\s+of\s+(?:the\s+)?(?:[Dd]elegated\s+)?[Oo]fficer(?:\s+making\s+the\s+decision)?|Y\s+sawl\s+sy['’]n\s+gwneud\s+"
    r"penderfyniad|Gwneuthurwr\s+y\s+penderfyniad)\s*:\s*(?P<body>[^\n]{2,120}?)\s*$"
)
_TAKEN_BY = re.compile(
    rf"\b[Dd]ecision\s+(?:was\s+)?(?:taken|made)\s+by\s+(?:the\s+)?(?P<body>{OFFICER_PHRASE}|{BODY_PHRASE})"
    r"(?=[^.]{0,60}\bunder\s+delegated\s+powers|\s*[,.;:(]|\s*$)"
)
_DECIDED_AT = re.compile(
    r"^(?:Decided\s+at\s+meeting|Penderfynwyd\s+yn\s+y\s+cyfarfod)\s*:\s*[\d/.\-]+\s*[-–]\s*"
    r"(?P<body>[^\n]{2,120}?)\s*$"
)
_MEETING_TITLE = re.compile(
    r"^(?:(?:Meeting|Cyfarfod)\s*:\s*[\d/.\-]+\s*[-–]\s*(?P<a>[^()\n]{2,120}?)\s*(?:\((?:Item|Eitem)[^)]*\))?\s*$"
    r"|(?P<b>[A-Z][^\n]{2,120}?)\s+[-–]\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"Dydd\s+\w+),?\s+\d)"
)
_MEETING_OF = re.compile(r"\bMEETING\s+of\s+(?:the\s+)?(?P<body>[^\n]{3,160}?)\s+(?:held|on)\b",
                         re.IGNORECASE)
_PROCEEDINGS_OF = re.compile(
    rf"\b(?:Proceedings|Minutes)\s+of\s+the\s+(?P<body>{BODY_PHRASE})|\b(?:agenda|minutes)\s+for\s+the\s+"
    rf"(?P<body2>{BODY_PHRASE})\s+meeting\b"
)
_DECISION_OF = re.compile(rf"^(?:Decisions?|DECISIONS?)\s+(?:of|by)\s+(?:the\s+)?"
                          rf"(?P<body>{OFFICER_PHRASE}|{BODY_PHRASE})\s*:?\s*$")
_DELEGATED_TO_DECIDE = re.compile(
    rf"\bdelegat\w*\s+(?:its\s+|their\s+|the\s+)?(?:authority|powers?)\s+to\s+(?:the\s+)?"
    rf"(?P<body>{OFFICER_PHRASE}|{BODY_PHRASE})\s+to\s+(?:make|take)\s+the\s+following\s+decisions?\b")
# Items of a meeting's business that record no decision: "No interests were declared.", "All
# Cabinet Members were present.", "There were no questions."
_PROCEDURAL = re.compile(
    r"^(?:No\s|None\b|Nil\b|There\s+(?:were|was)\s+no\b|All\s[^.]{0,60}\bwere\s+present\b)"
    r"|\b(?:were|was)\s+(?:present|declared|received|asked|made|raised|submitted)\s*\.?$"
    r"|^\S+(?:\s+\S+){0,3}\s+received\s+(?:the\s+)?(?:oral\s+|written\s+|public\s+)?(?:questions|deputations|petitions)\b"
    # reports of the meeting's business, never its acts: "Submitted letter of thanks …", "The
    # Clerk advised that …", "Thanks were expressed …", apologies and declarations noted
    r"|^(?:Submitted|Reported|Received|Read)\b|^(?-i:(?:The\s+)?(?!The\b)(?:[A-Z][\w’'-]*\s+){1,4})(?:advised|"
    r"reported|explained|informed\s+(?:the\s+)?(?:meeting|members|committee|council|board))\b|^Thanks\s+(?:were|was)\s+(?:expressed|given|extended)\b|^Apologies\b"
    r"|\b(?:noted|received)\s+(?:the\s+)?(?:following\s+)?(?:declarations?\s+of\s+interests?|apologies)\b",
    re.IGNORECASE)
# "The Cabinet Member for Housing, Councillor Jo Bloggs," / "Councillor Jo Bloggs, Leader of the Council"
_ROLE_OF_COUNCILLOR = re.compile(
    rf"\b(?:[Tt]he[ \t]+)?(?P<role>{OFFICER_PHRASE})[ \t]*,?[ \t]*\(?(?P<person>{_COUNCILLOR})"
    rf"|(?P<person2>{_COUNCILLOR})[ \t]*[,(][ \t]*(?:the[ \t]+)?(?P<role2>{OFFICER_PHRASE})")
_BARE_BODY = re.compile(
    rf"^(?!(?i:Report|Minutes|Agenda|Item|Decision)s?\b)(?:The\s+)?"
    rf"(?P<body>(?:{_NAME_WORD}[ \t]+){{0,9}}?(?i:Cabinet|Executive|Board|Committee|Sub-Committee|"
    r"Panel))\s*\.?\s*$"
)
_KEY = re.compile(r"\bKey\s*(?:[Dd]ecision|Penderfyniad)?\s*\??\s*[:–-]\s*(?P<v>Yes|No|Ydy|Nac\s+ydy)\b",
                  re.IGNORECASE)
_STATUS = re.compile(r"^(?:Decision\s+status|Statws\s+y\s+Penderfyniad)\s*:\s*(?P<v>[^\n]+)$", re.IGNORECASE)
_NOT_DECISIONS = re.compile(
    r"^(?:Reasons?|Alternative|Options?|Background|Purpose|Diben|Rhesymau|Summary|Implications?|Risks?|"
    r"Consultation|Report\s+author|Contact|Supporting|Accompanying|Reason\s+Key|Wards?|Divisions?|"
    r"Publication|Date|Effective|Implementation|Subject\s+to|Cofnodion)\b",
    re.IGNORECASE,
)
_RECOMMENDATIONS_HEADING = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?\s+)?(?:Recommendations?|RECOMMENDATIONS?|Argymhelliad(?:au)?)\s*(?:[:\-–]\s*)?$"
)
_SECTION_HEADING = re.compile(r"(?:\d+(?:\.\d+)*\.?\s+)?[A-Z][A-Za-z ,&'’()-]{2,60}")
_LABEL_LINE = re.compile(r"^[A-Z][\w ’'()/,&-]{1,80}:\s*(?:-\s*)?$|^[A-Z][\w ’'()/&-]{1,40}:\s+\S")
_SENTENCE_SHAPES = (
    # "That X be elected as Chair.", "RESOLVED – T H A T the minutes … be approved"
    re.compile(rf"^(?:{_MARKER_PREFIX})(?:That|{_SPACED_THAT})\s"),
    # "it was agreed (unanimously) that …"
    re.compile(r"\b(?:it\s+was\s+(?:unanimously\s+|further\s+)?|seconded\s+and\s+(?:it\s+was\s+)?)"
               r"(?:agreed|resolved|decided|passed)\s+(?:unanimously\s+)?(?:that|to)\b", re.IGNORECASE),
    # "The minutes … were approved", "Recommendations … were agreed", "… which was noted"
    re.compile(r"\b(?:minutes?|notes|records?|recommendations?|report|proposals?|apologies|declarations?|motion|"
               r"amendments?)\b[^.;]{0,200}?\b(?:was|were)\s+(?:unanimously\s+|duly\s+)?(?:approved|agreed|noted|"
               r"confirmed|endorsed|adopted|accepted|carried|taken\s+as\s+read|signed|authori[sz]ed\s+to\s+be\s+signed|"
               r"submitted\s+and\s+(?:approved|authori[sz]ed|signed))\b(?!\s+(?:by|that|to|in|at|on(?!\s+the\s+motion))\b)",
               re.IGNORECASE),
    re.compile(r"\b(?:which|this|that)\s+(?:was|were)\s+noted\b", re.IGNORECASE),
    re.compile(r"\b(?:was|were)\s+authori[sz]ed\s+to\s+sign\s+the\s+minutes?\b", re.IGNORECASE),
)
_HEADLINE = re.compile(r"(?P<what>[A-Z][^.;:\n]{2,140}?)\s+"
                       r"(?P<v>approved|noted|agreed|adopted|endorsed|deferred|refused|awarded|extended|authori[sz]ed)\.?")
_RECS_AGREED = re.compile(r"(?:The\s+)?(?:Recommendations?|Proposals?)"
                          r"(?:\s+(?:as\s+set\s+out\s+)?in\s+the\s+report)?"
                          r"\s+(?:(?:was|were)\s+)?(?P<v>agreed|approved|endorsed|adopted)\.?", re.IGNORECASE)
_IT_WAS_AGREED = re.compile(r"\b(?:it\s+was\s+(?:unanimously\s+|further\s+)?|"
                            r"seconded\s+and\s+(?:it\s+was\s+)?)(?P<v>agreed|resolved|decided|passed)\b",
                            re.IGNORECASE)
_WERE_VERBED = re.compile(r"\b(?:was|were)\s+(?:unanimously\s+|duly\s+)?(?:submitted\s+and\s+)?"
                          r"(?P<v>approved|agreed|noted|confirmed|endorsed|adopted|accepted|carried|authori[sz]ed)\b",
                          re.IGNORECASE)
# Subjunctive resolution: "The minutes of the meeting held on … be confirmed and signed."
_SUBJUNCTIVE = re.compile(rf"^(?:The|That)\s[^.;:]{{3,250}}?\s(?P<aux>be)\s+(?P<verb>{_PARTICIPLE})\b", re.I)
_FINITE = re.compile(r"\b(?:is|are|was|were|has|have|had|will|would|should|shall|may|might|must|can|could)\b",
                     re.IGNORECASE)
DELEGATION_RE = re.compile(
    r"(?:delegat\w*\s+(?:the\s+)?(?:authority|powers?)|authority\s+(?:be|is)\s+delegated)\s+to\s+(?:the\s+)?"
    r"(?P<to>[^,;.()]{3,120})", re.IGNORECASE)

# -- item markers -----------------------------------------------------------------------------

_MARKER = re.compile(
    r"(?P<dec>\d{1,2}\.\d{1,2})\.?(?=\s+\S|\s*$)"
    r"|(?P<open>\()?(?P<val>\d{1,2}|[a-z]|[ivx]{1,5})(?(open)\)|[.)])(?=\s+\S|\s*$)"
)
_BULLET = re.compile(r"^[•·▪●◦‣*\-–]\s+")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10,
          "xi": 11, "xii": 12, "xiii": 13, "xiv": 14, "xv": 15}


@dataclass(frozen=True)
class _Marker:
    start: int  # offset in the text it was read from
    end: int
    style: str  # num | dec | let | rom | bullet
    value: tuple[int, ...]


def _read_marker(text: str, pos: int = 0) -> _Marker | None:
    """The item marker at ``pos`` ("1.", "(2)", "a)", "(iv)", "2.1", "•"), if any."""
    m = _BULLET.match(text, pos)
    if m:
        return _Marker(m.start(), m.end(), "bullet", (0,))
    m = _MARKER.match(text, pos)
    if not m:
        return None
    val = m.group("dec") or m.group("val")
    end = m.end()
    while end < len(text) and text[end] in " \t\n":
        end += 1
    if re.fullmatch(r"\d+\.\d+", val):
        major, minor = val.split(".")
        return _Marker(m.start(), end, "dec", (int(major), int(minor)))
    if val.isdigit():
        return _Marker(m.start(), end, "num", (int(val),))
    if val in _ROMAN and (len(val) > 1 or val in "ivx"):
        # "i" may be a roman one or the ninth letter: read it as roman; the sequence check allows both
        return _Marker(m.start(), end, "rom", (_ROMAN[val],))
    return _Marker(m.start(), end, "let", (ord(val) - 96,))


def _follows(prev: _Marker, nxt: _Marker) -> bool:
    """Does ``nxt`` continue the list ``prev`` belongs to ("a)" -> "b)", "(1)" -> "2)", "2.1" -> "2.2")?"""
    if prev.style == "bullet" or nxt.style == "bullet":
        return prev.style == nxt.style
    styles = {prev.style, nxt.style}
    if prev.style == nxt.style:
        if prev.style == "dec":
            return nxt.value == (prev.value[0], prev.value[1] + 1)
        return nxt.value[0] == prev.value[0] + 1
    if styles == {"let", "rom"}:  # "h)" then "i)", or "i)" then "j)": letters after all
        letter = {"i": 9, "v": 22, "x": 24}
        p = prev.value[0] if prev.style == "let" else letter.get(_roman_text(prev.value[0]), -1)
        n = nxt.value[0] if nxt.style == "let" else letter.get(_roman_text(nxt.value[0]), -1)
        return n == p + 1
    return False


def _roman_text(value: int) -> str:
    return next((k for k, v in _ROMAN.items() if v == value), "")


def _is_first(marker: _Marker) -> bool:
    return marker.style == "bullet" or marker.value in {(1,), (0,)} or (
        marker.style == "dec" and marker.value[1] == 1)


_LEAD_VERBS = r"(?i:approve|agree|note|endorse|authori[sz]e|delegate|award|extend|defer|adopt|appoint|refuse)"


def split_items(text: str, offset: int = 0) -> tuple[tuple[int, int] | None, list[tuple[_Marker, int, int]]]:
    """Cut ``text`` into its lead-in and its numbered items.

    The first item starts at the text's start or at a first marker ("1.", "(a)", "(i)", "2.1",
    "•") after the lead-in; each further item at the next marker of the same list (so "section
    8.3" or "£3.4m" never cut an item). Returns the lead-in span (or None) and ``(marker, start,
    end)`` per item, offsets plus ``offset``.
    """
    markers: list[_Marker] = []
    first = _read_marker(text, len(text) - len(text.lstrip()))
    pos = 0
    if first is None:
        for m in re.finditer(r"(?:(?<=\s)|(?<=[:;–—-]))(?=\(?(?:1|a|i)[.)]\s|\((?:1|a|i)\)\s)", text):
            cand = _read_marker(text, m.start())
            if cand is not None and _is_first(cand):
                first = cand
                break
    if first is None:
        return None, []
    markers.append(first)
    pos = first.end
    while True:
        nxt = None
        for m in re.finditer(r"(?:[;:.,]\s+|\s(?:and|or)\s+|\n\s*)(?=\(?\w{1,5}[.)]|\()", text[pos:]):
            cand = _read_marker(text, pos + m.end())
            if cand is not None and _follows(markers[-1], cand):
                nxt = cand
                break
        if nxt is None:
            # "… the Strategy iii. Agreed to …": a line without its full stop joined to the next item
            for m in re.finditer(r"\s(?=(?:ii|iii|iv|vi|vii|viii|ix|xi|xii)[.)]\s+[A-Z])", text[pos:]):
                cand = _read_marker(text, pos + m.end())
                if cand is not None and cand.style == "rom" and _follows(markers[-1], cand):
                    nxt = cand
                    break
        if nxt is None:
            # "… at Appendix B b. to approve a Council Tax increase …": lines joined without
            # punctuation; the next marker of the list, then a resolution's first word
            joined = rf"\s(?=\(?(?:[a-z]|\d{{1,2}})[.)]\s+(?:to|To|that|That|{_LEAD_VERBS}|[A-Z][a-z]+)\b)"
            for m in re.finditer(joined, text[pos:]):
                cand = _read_marker(text, pos + m.end())
                if cand is not None and cand.style in {"let", "num"} and _follows(markers[-1], cand):
                    nxt = cand
                    break
        if nxt is None:
            break
        markers.append(nxt)
        pos = nxt.end
    lead = None
    if markers[0].start > 0 and text[:markers[0].start].strip():
        lead = (offset, offset + len(text[:markers[0].start].rstrip()))
    items = []
    for k, mk in enumerate(markers):
        end = markers[k + 1].start if k + 1 < len(markers) else len(text)
        body = text[mk.end:end].rstrip()
        if body:
            items.append((mk, offset + mk.start, offset + mk.end + len(body)))
    return lead, items


# -- verbs of one item ------------------------------------------------------------------------

def _strip_lead_words(text: str) -> str:
    """An item without its marker and its leading "That" / "To"."""
    text = re.sub(rf"^\s*{_MARKER_PREFIX}", "", text)
    text = re.sub(rf"^(?:That|that|{_SPACED_THAT})\b[\s,:]*", "", text)
    text = re.sub(r"^(?:To|to|TO)\s+(?=\w)", "", text)
    return text


def _verb_action(word: str) -> str | None:
    """The action a verb form names ("approves" -> approve), or None."""
    m = _VERB_RE.fullmatch(word)
    return m.lastgroup if m else None


def leading_action(text: str) -> str | None:
    """The action of an item's leading verb: "Approve …", "To award …", "Cabinet agreed …",
    "That Members note …", "Grants delegated authority …"; None when it does not lead with one.

    The verb may follow a subject of capitalised words ("Cabinet", "The Executive", "Members"),
    never a common noun: in "That the award of … be approved" the award is no verb.
    """
    head = _strip_lead_words(text)
    if _DELEGATED_POWERS.match(head):
        return "delegate"
    tokens = re.findall(r"[\w’'&-]+|[^\w\s]", head[:240])
    for n in range(0, 10):
        if n >= len(tokens):
            return None
        if n:
            subject = tokens[:n]
            if not all(t[0].isupper() or t in {"the", "and", "&", "of", "for"} for t in subject):
                return None
            if not subject[-1][0].isupper():
                continue
        k = n
        while k < len(tokens) - 1 and (tokens[k].lower() in _ADVERBS or (n and tokens[k] in {"has", "have"})):
            k += 1
        word = tokens[k]
        if n and not (word.islower() or (word.isupper() and len(word) > 3)):
            continue  # "Cabinet agreed", "Members RESOLVED": a verb after the subject
        after_word = head[head.find(word) + len(word):]
        if word.lower() in {"grant", "grants"} and re.match(
                r"\s*(?:(?:a|an|the)\s+)?(?:waiver|exemption|dispensation|exception)", after_word):
            return None  # "grant a waiver of the tendering rules": a waiver is no approval
        if word.lower() in {"set", "sets"} and k + 1 < len(tokens) and tokens[k + 1].lower() != "out":
            return "approve"  # "To set a General Fund budget requirement of £12.4m"
        if word.lower() in {"confirm", "confirms", "confirmed"}:
            return "approve" if _MINUTES_RECORD.search(text) else None
        if word.lower() in {"resolved", "resolves", "decided", "decides"}:
            # "The Cabinet Member has decided to approve …": the act is the verb after it
            after = head[head.find(word) + len(word):]
            m = re.match(r"\s*(?:(?:unanimously|also|further|therefore)\s+)*(?:to|that)\b", after)
            if m:
                rest = after[m.end():]
                return leading_action(rest) or passive_action(rest)
            return None
        action = _verb_action(word)
        if action:
            return action
    return None


_ADVERBS = {"hereby", "also", "further", "formally", "unanimously", "then", "duly", "therefore", "so"}


def passive_action(text: str) -> str | None:
    """The action of an item's resolution passive ("… be approved", "… is awarded", "authority be
    delegated"); a passive after a modal or "to", or inside an "if …" clause, is not the item's own."""
    return _passive(text)[0]


def _passive(text: str) -> tuple[str | None, str | None]:
    """:func:`passive_action` and the auxiliary it was read with ("be", "is", "are"; None for the
    authority phrases)."""
    if _TAKEN_AS_READ.search(text) and _MINUTES_RECORD.search(text):
        return "approve", None  # "The minutes were taken as read and signed as correct."
    given = _GIVEN_APPROVAL.search(text)
    if given and not _NOT_MAIN_BEFORE.search(text[:given.start()]):
        return _GIVEN_ACTION[given.group("what").lower()], given.group("aux").lower()
    weak = _WEAK_THEN.search(text)
    if weak:  # "the advice be accepted and endorsed": the act is the second verb
        verb = weak.group("verb").lower()
        if verb in {"confirmed", "signed", "accepted"}:
            return ("approve" if _MINUTES_RECORD.search(text) else None), weak.group("aux").lower()
        return _verb_action(verb), weak.group("aux").lower()
    if _GIVEN_AUTHORITY.search(text):
        return ("authorise" if not re.search(r"delegated", text[:300], re.I) else "delegate"), None
    if re.search(r"\bbe\s+(?:given|granted)\s+(?:the\s+)?delegated\s+(?:authority|powers?)", text, re.I):
        return "delegate", None
    for m in _PASSIVE_RE.finditer(text):
        before = text[:m.start()]
        if _NOT_MAIN_BEFORE.search(before) or _CONDITIONAL.search(before):
            continue
        verb = m.group("verb").lower()
        aux = m.group("aux").lower()
        if verb == "received" and not _MINUTES_RECORD.search(text):
            return "note", aux  # "That the Annual Report be received for information"
        if verb in {"confirmed", "signed", "accepted", "received"}:
            if _MINUTES_RECORD.search(text):
                return "approve", aux
            continue
        if _INVOKE_EXTENSION.search(text):
            return "extend", aux
        return _verb_action(verb), aux
    return None, None


_TO_VERB_INSIDE = re.compile(
    r"(?:^|[,;]\s+)to\s+(?P<v>approve|award|agree|note|delegate|extend|defer|refuse|authori[sz]e|endorse|adopt|"
    r"appoint)\b")
_NOT_MINDED = re.compile(r"\bnot\s+minded\s+to\s+(?:approve|agree|grant|support|accept)\b", re.IGNORECASE)
_IT_WAS = re.compile(r"^It\s+was\s+(?:unanimously\s+|further\s+)?"
                     r"(?P<v>noted|agreed|resolved|decided|approved)\s+(?:that|to)\b", re.IGNORECASE)


def item_action(text: str, lead_action: str | None = None, status: str | None = None) -> str:
    """The item's action in the vocabulary of :data:`ACTIONS`.

    Its leading verb, else its resolution passive, else an extension invoked, else a Welsh verb,
    else the verb of its lead-in (``lead_action``: "the Committee agreed:-", "to note the
    following:"), else, for an item that only points elsewhere ("As set out in the exempt
    minutes") the notice's status ("Recommendations Approved"), else ``other``. A lead-in that
    recommends ("RESOLVED to recommend to Council:") makes every item a recommendation.
    """
    if lead_action == "recommend":
        return "recommend"
    if _NOT_MINDED.search(text[:300]):
        return "refuse"  # "Members were not minded to approve the application"
    action = leading_action(text)
    if action is None:
        action, aux = _passive(text)
        if aux in {"is", "are"} and lead_action == "agree":
            action = "agree"  # "That the Committee agree – 2. The criteria are extended …": what was agreed
    it = _IT_WAS.match(_strip_lead_words(text))
    if action is None and it:
        action = _cue_action(it.group("v"))  # "It was noted that …" under a "Decision:" cue
    if action is None:
        # "the report be accepted and the Cabinet approved the tax base": the body's own verb
        inside = _BODY_VERB_INSIDE.search(text)
        action = _cue_action(inside.group("verb")) if inside else None
    if action is None:
        # "In addition to the above, and to allow a review, to approve a six month extension"
        to_verb = _TO_VERB_INSIDE.search(text[:400])
        action = _verb_action(to_verb.group("v")) if to_verb else None
    if action is None and re.match(rf"\s*{_MARKER_PREFIX}To\s+(?:the|a|an|this|these)\s", text):
        action = "agree"  # "RESOLVED: 1. To the revised criteria …": agreed to
    if action is None and _INVOKE_EXTENSION.search(text):
        action = "extend"
    if action is None:
        m = _WELSH_RE.search(text)
        action = m.lastgroup if m else None
    if action is None:
        action = lead_action
    if action is None and status and re.match(r"\s*(?:as\s+(?:set\s+out|detailed|per)|see)\b",
                                              _strip_lead_words(text), re.I):
        action = "approve" if re.search(r"approved|agreed", status, re.I) else None
    return action or "other"


def _cue_action(verb: str | None) -> str | None:
    """The action a lead-in's own verb gives its items ("agreed" -> agree; "resolved" -> none)."""
    if not verb:
        return None
    verb = re.sub(r"^so\s+", "", verb.lower())
    given = re.search(r"\b(approval|agreement|consent)$", verb)
    if given:  # "The Executive has given approval to …"
        return "agree" if given.group(1) == "agreement" else "approve"
    if verb.startswith(("resolv", "decid", "penderfyn")):
        return None
    return _verb_action(verb) or ("agree" if verb.startswith(("cytun", "agreed", "passed")) else None)


# -- the paper's context ----------------------------------------------------------------------

_OF_BODY = re.compile(r"^(?P<noun>[A-Z][a-z]+)\s+of\s+(?:the\s+)?(?P<rest>\S.*)$")
_NAMING_NOUNS = {"Meeting", "Meetings", "Decision", "Decisions", "Proceedings", "Minutes"}
"""Nouns before "of the <body>" that name the body ("Decision of the Executive Member")."""
_HEADING_NOUNS = {
    "Membership", "Advice", "Report", "Reports", "Recommendation", "Recommendations", "Reference",
    "References", "Terms", "Review", "Update", "Appointment", "Appointments", "Composition", "Work",
    "Notes", "Record", "Summary", "Role", "Remit", "Business", "Matters", "Questions", "Constitution",
    "Referral", "Referrals", "Consideration", "Views", "Comments", "Response", "Chairing", "Election",
}
"""Nouns of an item heading before "of the <body>" ("Membership of Cabinet"): no body's name."""


def _clean_body(text: str) -> str:
    """A body's name as written, tidied: no article, no trailing "pdf icon", capitals made title case.

    "Decision of the Executive Member" names the Executive Member; an item heading such as
    "Membership of Cabinet" or "Advice of the Advisory Panel" names no body ("").
    """
    text = re.sub(r"\s+", " ", text).strip(" .,:;-–")
    text = re.sub(r"\s+pdf icon.*$", "", text, flags=re.I)
    text = re.sub(r"^(?:the|The|THE)\s+", "", text)
    # "Extraordinary Parish Council": the meeting's kind is no part of the body
    text = re.sub(r"^(?i:Extraordinary|Special|Annual|Ordinary|Additional|Reconvened|Adjourned)\s+(?=\S+\s)",
                  "", text)
    of = _OF_BODY.match(text)
    if of and of.group("noun") in _HEADING_NOUNS:
        return ""
    if of and of.group("noun") in _NAMING_NOUNS:
        text = of.group("rest")
    # "Finance Portfolio Holder's Meeting", "Cabinet Meeting": the meeting's title names its body
    text = re.sub(r"(?:['’]s)?\s+(?:Meeting|Meetings|MEETING|MEETINGS)$", "", text)
    if text.isupper() and len(text) > 3:
        small = {"and", "of", "for", "the", "on", "in", "to"}
        text = " ".join(w.lower() if w.lower() in small and i else w.capitalize()
                        for i, w in enumerate(text.split()))
    return text


class _Rows:
    """Values found at positions of the paper, looked up by position."""

    def __init__(self, rows: list[tuple[int, Any]]) -> None:
        self.rows = sorted(rows, key=lambda r: r[0])
        self.pos = [r[0] for r in self.rows]

    def last(self, pos: int, after: int = -1) -> Any:
        i = bisect_right(self.pos, pos)
        return self.rows[i - 1][1] if i and self.rows[i - 1][0] > after else None

    def first_after(self, pos: int, before: float = float("inf")) -> Any:
        i = bisect_right(self.pos, pos)
        return self.rows[i][1] if i < len(self.rows) and self.rows[i][0] < before else None


@dataclass
class _Context:
    """Where each deciding body, key flag and status line of the paper is, to look up from an item."""

    makers: _Rows  # a notice's "Decision Maker:" (each starts a notice)
    decided_at: _Rows  # "Decided at meeting: … - Cabinet"
    meetings: _Rows  # meeting titles, "Proceedings of the Executive", a bare "CABINET" heading
    considered: _Rows  # "The Cabinet considered …"
    keys: _Rows
    statuses: _Rows
    issues: _Rows  # an issue page's "DD/MM/YYYY - <title>" lines (each starts an issue's decision)
    roles: dict[str, str] = field(default_factory=dict)  # a councillor's surname -> the office they hold

    def notice(self, pos: int) -> tuple[int, float]:
        """The span of the decision notice around ``pos`` (the whole paper when it has none)."""
        i = bisect_right(self.makers.pos, pos)
        start = self.makers.pos[i - 1] if i else -1
        end = self.makers.pos[i] if i < len(self.makers.pos) else float("inf")
        return start, end

    def maker(self, pos: int) -> str | None:
        i = bisect_right(self.issues.pos, pos)
        if i:  # on an issue page the "Decision Maker:" line may follow the decision
            hi = self.issues.pos[i] if i < len(self.issues.pos) else float("inf")
            found = self.makers.last(pos, self.issues.pos[i - 1]) or self.makers.first_after(pos, hi)
            if found:
                return found
        start, end = self.notice(pos)
        return (self.makers.last(pos) or self.decided_at.first_after(pos, end)
                or self.decided_at.last(pos, start))

    def key(self, pos: int) -> bool | None:
        start, end = self.notice(pos)
        found = self.keys.last(pos, start)
        return found if found is not None else self.keys.first_after(pos, end)

    def status(self, pos: int) -> str | None:
        start, end = self.notice(pos)
        return self.statuses.last(pos, start) or self.statuses.first_after(pos, end)


def _read_context(paper: Any) -> _Context:
    makers, decided, meetings, considered, keys, statuses, issues = [], [], [], [], [], [], []
    for block in paper.doc.blocks:
        text = re.sub(r"\s+", " ", block.text).strip()
        pos = block.start
        m = _DECISION_MAKER.match(text)
        if m:
            makers.append((pos, _clean_body(m.group("body"))))
        m = _TAKEN_BY.search(text)
        if m:
            makers.append((pos + m.start(), _clean_body(m.group("body"))))
        m = _DECIDED_AT.match(text)
        if m:
            decided.append((pos, _clean_body(m.group("body"))))
        keys += [(pos + k.start(), k.group("v").lower() in {"yes", "ydy"}) for k in _KEY.finditer(text)]
        if _ISSUE_DATE.match(text):
            issues.append((pos, True))
        m = _STATUS.match(text)
        if m:
            statuses.append((pos, m.group("v")))
        m = _MEETING_TITLE.match(text)
        if m:
            body = _clean_body(m.group("a") or m.group("b"))
            if re.search(rf"{_HEAD}$", body) and not re.search(r"\bCouncil$", body):
                meetings.append((pos, body))
        m = _MEETING_OF.search(text)
        if m and re.search(rf"{_HEAD}\s*$", m.group("body")):
            meetings.append((pos + m.start(), _clean_body(m.group("body"))))
        m = _PROCEEDINGS_OF.search(text)
        if m:
            meetings.append((pos + m.start(), _clean_body(m.group("body") or m.group("body2"))))
        m = _DELEGATED_TO_DECIDE.search(text)
        if m:  # "The Leader delegated authority to the Cabinet to make the following decisions:"
            meetings.append((pos + m.start("body"), _clean_body(m.group("body"))))
        m = _DECISION_OF.match(text)
        if m:
            meetings.append((pos, _clean_body(m.group("body"))))
        m = _BARE_BODY.match(text)
        if m and len(text) < 120:
            meetings.append((pos, _clean_body(m.group("body"))))
        considered += [(pos + c.start("body"), _clean_body(c.group("body")))
                       for c in _CONSIDERED.finditer(text)]
    makers, decided, meetings, considered = ([(p, b) for p, b in rows if b]
                                             for rows in (makers, decided, meetings, considered))
    roles: dict[str, str] = {}
    for m in _ROLE_OF_COUNCILLOR.finditer(paper.text):
        role = _clean_body(m.group("role") or m.group("role2"))
        person = m.group("person") or m.group("person2")
        if role:
            roles.setdefault(person.split()[-1], role)
    return _Context(_Rows(makers), _Rows(decided), _Rows(meetings), _Rows(considered), _Rows(keys),
                    _Rows(statuses), _Rows(issues), roles)


# -- finding decisions ------------------------------------------------------------------------

@dataclass
class _Found:
    """One decision item before it becomes a relation."""

    start: int
    end: int
    lead: str = ""  # the lead-in text it hangs from, for its description
    lead_action: str | None = None
    body: str | None = None  # the body its cue or sentence names
    method: str = "decision:resolved"
    confidence: float = 0.8


def _resolution_shaped(text: str) -> bool:
    """Does this text read like a resolution: a leading decision verb, "That …", a resolution passive?"""
    return bool(leading_action(text) or re.match(rf"^{_MARKER_PREFIX}(?:That|{_SPACED_THAT})\s", text.strip())
                or passive_action(text))


@dataclass(frozen=True)
class _Cue:
    """A decision cue read at the start of a block: the body it names, its verb, and what follows."""

    body: str | None
    verb: str | None
    rest_at: int  # offset in the stripped block text where the text after the cue starts
    issue: bool = False  # an issue page's "DD/MM/YYYY - <title>" line


_REST_OF_BODY_VERB = re.compile(r"^\s*(?:(?:to|that)\s*(?=[:\-–—]))?[:\-–—]+\s*|^\s*(?:to|that)?\s*$|"
                                r"^\s*(?:to|that)?\s*(?=\(?(?:1|a|i)[.)]\s|\((?:1|a|i)\)\s)")


def _read_cue(text: str, next_is_item: bool) -> _Cue | None:
    """The cue a block opens with ("RESOLVED …", "Decision:", "Cabinet resolved to:", "That
    Cabinet", "the Committee agreed, …:-", "To recommend that …:" before items), or None."""
    m = _CUE.match(text)
    if m:
        inner = _CUE.match(text[m.end():]) if m.group("heading") and m.end() < len(text) else None
        if inner and inner.group("resolved"):
            return _Cue(None, inner.group("resolved"), m.end() + inner.end())  # "Decision: RESOLVED –"
        return _Cue(None, m.group("resolved"), m.end())
    if _ISSUE_DATE.match(text):
        return _Cue(None, None, len(text), issue=True)
    inside = _RESOLVED_INSIDE.search(text)
    if inside and inside.end() > 0:
        m = _CUE.match(text[inside.end():])  # "… considered the report. RESOLVED: …"
        if m:
            return _Cue(None, m.group("resolved"), inside.end() + m.end())
    m = _IT_WAS_CUE.match(text)
    if m:  # "It was resolved –" and the items under it
        return _Cue(None, m.group("v"), len(text))
    m = _PREAMBLE_BODY.match(text)
    if m:  # "Having considered the information, Cabinet:-"
        return _Cue(m.group("body"), None, len(text))
    m = _THAT_BODY.match(text)
    if m and (m.group("body") or next_is_item):
        return _Cue(m.group("body") or m.group("body2"), None, len(text))
    m = _BODY_VERB.match(text)
    if m:
        rest = _REST_OF_BODY_VERB.match(m.group("rest"))
        if rest:
            return _Cue(m.group("body"), m.group("verb"), m.start("rest") + rest.end())
        if next_is_item and re.search(r":\s*-?\s*$", text):
            # "Councillor Aitman approved the officers' recommendations:" then the items
            return _Cue(m.group("body"), m.group("verb"), len(text))
    if re.search(r":\s*-?\s*$", text):
        m = _BODY_INTRO_INSIDE.search(text)
        if m:
            return _Cue(m.group("body"), m.group("verb"), len(text))
        m = _RECOMMENDATION_FROM.search(text)
        if m and next_is_item:
            return _Cue(m.group("body"), "recommended", len(text))
        if _TO_RECOMMEND.match(text) and next_is_item:
            return _Cue(None, None, 0)
    return None


def _is_stop(block: Any) -> bool:
    """Does this block end a run of decision items (a heading, a label line, a note in brackets)?"""
    text = block.text.strip()
    if block.kind in {"heading", "table_header", "table_row"}:
        return True
    if text.startswith("(") and text.endswith(")") and _read_marker(text) is None:
        return True  # "(Proposed by …)", "(Under the provisions of …)"
    return _read_marker(text) is None and bool(_LABEL_LINE.match(text) or _NOT_DECISIONS.match(text))


class _Reader:
    """Walks the paper's blocks once, collecting decision items."""

    def __init__(self, paper: Any) -> None:
        self.paper = paper
        self.text: str = paper.text
        self.blocks = paper.doc.blocks
        self.found: list[_Found] = []
        self.notices = [b.start for b in self.blocks if _DECISION_MAKER.match(b.text.strip())]
        self._bounds = sorted(set(paper.sentence_bounds))
        self._bound_starts = [s for s, _ in self._bounds]

    def run(self) -> list[_Found]:
        i = 0
        excluded = False  # inside a notice's "Reasons", "Alternative options" … section
        proposed = False  # under a report's "Recommendations" heading: proposals, not decisions
        while i < len(self.blocks):
            block = self.blocks[i]
            text = block.text.strip()
            marker = _read_marker(text)
            if _DECISION_MAKER.match(text):
                excluded = proposed = False
            elif _RECOMMENDATIONS_HEADING.match(text):
                proposed = not self.notices
            elif marker is None and (_LABEL_LINE.match(text) or block.kind == "heading"):
                excluded = excluded or bool(_NOT_DECISIONS.match(text))
                proposed = False
            elif _SECTION_HEADING.fullmatch(text):
                proposed = False  # "3. Background": the recommendations are over
            nxt = self._intro(i)
            if nxt is not None:
                i, excluded, proposed = nxt, False, False
                continue
            if proposed:
                i += 1
                continue
            if (not excluded and marker is not None and self.notices and self.notices[0] <= block.start
                    and _resolution_shaped(text)):
                # a notice's decisions with no cue: "(a) the extension … be agreed;"
                i = self._items(i, "", None, None, "decision:notice-item", 0.7)
                continue
            self._sentences(block)
            i += 1
        return self.found

    def _next_is_item(self, j: int) -> bool:
        return j < len(self.blocks) and (self.blocks[j].kind == "list_item"
                                         or _read_marker(self.blocks[j].text.strip()) is not None)

    def _is_cue(self, j: int) -> bool:
        return _read_cue(self.blocks[j].text.strip(), self._next_is_item(j + 1)) is not None

    def _intro(self, i: int) -> int | None:
        """A cue and the items after it; returns the index of the first block not read, or None."""
        block = self.blocks[i]
        if block.kind in {"table_row", "table_header"}:
            return None
        raw = block.text
        text = raw.strip()
        cue = _read_cue(text, self._next_is_item(i + 1))
        if cue is None:
            return None
        if cue.issue:
            return self._issue(i + 1)
        body, lead_action = cue.body, _cue_action(cue.verb)
        rest = text[cue.rest_at:]
        rest_start = (block.start + (len(raw) - len(raw.lstrip())) + cue.rest_at
                      + (len(rest) - len(rest.lstrip())))
        rest = rest.strip()
        if _RECOMMEND_LEAD.match(rest):
            lead_action = "recommend"
        # "RESOLVED that the Executive, in recommending …:", "RESOLVED: That the Adults and Health
        # Committee": the words after the cue name the body, and the items follow
        sm = re.match(rf"^(?:that|That)?\s*(?:the\s+)?(?P<body>{OFFICER_PHRASE}|{BODY_PHRASE})"
                      r"(?P<after>\s*(?:,|:|$))", rest)
        subject_only = False
        if sm and body is None:
            body = sm.group("body")
            subject_only = sm.group("after").strip() in {"", ":"} or rest.endswith(":")
        elif body is None:
            acting = _THAT_BODY_ACTS.match(rest)  # "RESOLVED that Cabinet approve the fees …"
            body = acting.group("body") if acting else None
        lead = ""
        j = i + 1
        lead_span, items = split_items(rest, rest_start) if rest else (None, [])
        if subject_only and not items:
            rest = ""  # "RESOLVED: That the Adults and Health Committee", its items below
        if rest and not re.fullmatch(r"(?:that|That|to|To)\s*[:\-–]*", rest):
            if items:
                lead = self.text[lead_span[0]:lead_span[1]] if lead_span else ""
                action = lead_action or ((leading_action(lead) or passive_action(lead)) if lead else None)
                for _mk, s, e in items:
                    self.found.append(_Found(s, e, lead, action, body))
                return self._items(j, lead, action, body, "decision:resolved", 0.8)
            short_lead = (len(rest.split()) <= 6 and not rest.endswith(".")
                          and bool(leading_action(rest) or passive_action(rest)))
            if (rest.endswith((":", ";", ":-")) or short_lead) and self._next_is_item(j):
                lead, lead_action = rest, lead_action or leading_action(rest) or passive_action(rest)
            else:
                j, end = self._run_on(j, rest_start + len(rest))
                self.found.append(_Found(rest_start, end, "", lead_action, body))
                return self._items(j, "", lead_action, body, "decision:resolved", 0.8) \
                    if self._next_is_item(j) else j
        return self._items(j, lead, lead_action, body, "decision:resolved", 0.8, paragraph=True)

    def _run_on(self, j: int, end: int) -> tuple[int, int]:
        """A resolution cut off mid-sentence ("… in respect of the") runs on into the paragraphs
        after it; returns the first block not read and the resolution's new end."""
        while j < len(self.blocks) and re.search(r"\b[a-z]+$", self.text[max(0, end - 40):end]):
            block = self.blocks[j]
            text = block.text.strip()
            if (not text or block.kind in {"heading", "table_row", "table_header"} or _read_marker(text)
                    or self._is_cue(j) or _LABEL_LINE.match(text)):
                break
            end = block.start + len(block.text.rstrip())
            j += 1
        return j, end

    def _issue(self, j: int) -> int:
        """The decision under an issue page's "DD/MM/YYYY - <title>" line: a lone paragraph ("To
        approve £183k for …"), "The Leader is recommended to:" and its items (the maker named), or a
        request ("To seek approval to make the following changes:") and its bullets, one decision."""
        while j < len(self.blocks) and _DECISION_MAKER.match(self.blocks[j].text.strip()):
            j += 1  # "Decision Maker: …" between the date and the text
        if j >= len(self.blocks):
            return j
        block = self.blocks[j]
        text = block.text.strip()
        start = block.start + len(block.text) - len(block.text.lstrip())
        m = _IS_RECOMMENDED.match(text)
        if m and self._next_is_item(j + 1):
            return self._items(j + 1, "", None, m.group("body"), "decision:issue", 0.7)
        m = _REPORT_SEEKS.match(text)
        if m:  # a listing of decisions: "This report seeks approval of the award of …"
            action = _SEEK_ACTION[m.group("what").lower()]
            self.found.append(_Found(start, start + len(text), "", action, None, "decision:issue", 0.6))
            return j + 1
        m = _SEEK.match(text)
        if m and self._next_is_item(j + 1):
            n0 = len(self.found)
            nxt = self._items(j + 1, "", None, None, "decision:issue", 0.7)
            end = max((f.end for f in self.found[n0:]), default=start + len(text))
            del self.found[n0:]
            self.found.append(_Found(start, end, "", _SEEK_ACTION[m.group("what").lower()], None,
                                     "decision:issue", 0.7))
            return nxt
        return self._items(j, "", None, None, "decision:issue", 0.7, paragraph=True)

    def _items(self, j: int, lead: str, lead_action: str | None, body: str | None, method: str,
               conf: float, paragraph: bool = False) -> int:
        """Read the items from block ``j`` on; returns the index of the first block not read.

        ``paragraph``: right after a bare cue ("Proposed Decision:"), one unnumbered paragraph
        that reads like a resolution is the decision. An item ending in a colon ("(1) To have
        regard to:-") is the lead-in of the sub-items under it.
        """
        taken = 0
        parent: tuple[_Marker, str, str | None] | None = None
        last: _Found | None = None
        last_mk: _Marker | None = None  # the marker of the last item read, to follow its list
        while j < len(self.blocks):
            block = self.blocks[j]
            raw = block.text
            text = raw.strip()
            start = block.start + len(raw) - len(raw.lstrip())
            marker = _read_marker(text)
            if block.kind == "heading" and not _BARE_VERDICT.fullmatch(text) and not _resolution_shaped(text):
                if self._subheading(j, last_mk):
                    j += 1  # "PART A", "In relation to the Capital Programme": the list goes on
                    continue
                break  # "5. Committee Minutes": the next item of the agenda
            if marker is None and block.kind == "list_item":
                text = "• " + text  # a list item without its bullet
                start -= 2
            if marker is None and block.kind != "list_item":
                if last is not None and text[:1].islower():
                    last.end = start + len(text)  # a line the item runs on to
                    j += 1
                    continue
                opens = taken == 0 or _ITEM_START.match(text)
                if paragraph and opens and (_BARE_VERDICT.fullmatch(text) or (
                        not _is_stop(block) and not self._is_cue(j) and _resolution_shaped(text))):
                    # under a bare cue, one paragraph that reads like a resolution, and each
                    # further one that opens like an item ("To endorse …", "Noted the analysis …");
                    # "Noted the analysis …, and agreed to the closure …" is two acts
                    second = _AND_THEN_VERB.search(text) if _ITEM_START.match(text) else None
                    cut = second.start() if second else len(text)
                    self.found.append(_Found(start, start + cut, lead, lead_action, body, method, conf))
                    if second:
                        self.found.append(_Found(start + second.start("verb"), start + len(text), lead,
                                                 _verb_action(second.group("verb")), body, method, conf))
                    taken += 1
                    j += 1
                    continue
                if self._subheading(j, last_mk):
                    j += 1
                    continue
                break
            if block.kind == "list_item" and marker is None:
                items = [(_Marker(0, 2, "bullet", (0,)), start + 2, start + len(text))]
            else:
                items = split_items(text, start)[1]
            if not items:
                j += 1  # "1." alone: its sub-items follow
                continue
            flat: list[tuple[_Marker, int, int]] = []
            for item in items:
                nested = self._nested(item)
                if nested is None:
                    flat.append(item)
                    continue
                (pmk, ps, pe), subs = nested
                parent_text = self.text[ps:pe]
                parent = (pmk, parent_text, leading_action(parent_text))
                flat.extend(subs)
            for mk, s, e in flat:
                item_text = self.text[s:e]
                if parent is not None and mk.style == parent[0].style and mk.style != "bullet":
                    parent = None  # back in the parent's own list
                if (mk is items[-1][0] and re.search(r"(?::\s*-?|,\s*and|,)\s*$", item_text)
                        and self._next_is_item(j + 1)
                        and (_read_marker(self.blocks[j + 1].text.strip()) or mk).style != mk.style):
                    parent = (mk, item_text, leading_action(item_text))
                    continue
                prefix = " ".join(p for p in (lead, parent[1] if parent else "") if p)
                action = lead_action if lead_action == "recommend" else (
                    (parent[2] if parent else None) or lead_action)
                subject = _BODY_VERB.match(parent[1].strip()) if parent is not None and body is None else None
                # "3. That the Cabinet Member delegated authority to …, the following: a) …": the
                # parent's subject decided its sub-items
                last = _Found(s, e, prefix, action, subject.group("body") if subject else body, method, conf)
                self.found.append(last)
                last_mk = mk
                taken += 1
            j += 1
        return j

    def _subheading(self, j: int, last: _Marker | None) -> bool:
        """A short heading inside a list of decisions ("PART A", "In relation to the Capital
        Programme"): no sentence, no cue, no label, and right after it the list's next item (its
        first, when none was read yet)."""
        block = self.blocks[j]
        text = block.text.strip()
        if (block.kind in {"table_row", "table_header"} or not text or len(text.split()) > 12
                or text.endswith((".", ";", ":")) or _LABEL_LINE.match(text) or self._is_cue(j)
                or _NOT_DECISIONS.match(text) or _FINITE.search(text)):
            return False
        for k in (j + 1, j + 2):
            nxt = _read_marker(self.blocks[k].text.strip()) if k < len(self.blocks) else None
            if nxt is not None:
                return _follows(last, nxt) if last is not None else _is_first(nxt)
            if k < len(self.blocks) and len(self.blocks[k].text.split()) > 12:
                return False
        return False

    def _nested(self, item: tuple[_Marker, int, int]) -> tuple[tuple[_Marker, int, int],
                                                               list[tuple[_Marker, int, int]]] | None:
        """An item holding a list of its own in the same block ("1. To consider the summary, and
        a. Confirm …; b. Identify …"): its lead-in (ending in ", and" or ":") as the parent and
        each sub-item; None for an item without one."""
        mk, s, e = item
        inner = s + mk.end - mk.start
        lead, subs = split_items(self.text[inner:e], inner)
        if lead is None or len(subs) < 2 or subs[0][0].style == mk.style:
            return None
        if not re.search(r"(?::\s*-?|,\s*and|\band|,)\s*$", self.text[s:lead[1]]):
            return None
        return (mk, s, lead[1]), subs

    def _sentences(self, block: Any) -> None:
        """Single sentences that record a decision; a numbered paragraph is read whole."""
        if block.kind in {"table_header", "table_row"}:
            return
        raw = block.text
        m = _RECS_AGREED.fullmatch(raw.strip())
        if m:
            # a notice's "Recommendation agreed.": what was agreed is its purpose ("To endorse …")
            k = self.blocks.index(block)
            prev = self.blocks[k - 1].text.strip() if k else ""
            lead = prev if re.match(r"^To\s+[a-z]", prev) else ""
            start = block.start + len(raw) - len(raw.lstrip())
            self.found.append(_Found(start, start + len(raw.strip()), lead,
                                     _verb_action(m.group("v").lower()), None,
                                     "decision:recommendations-agreed", 0.7))
            return
        headline = _HEADLINE.fullmatch(raw.strip())
        if headline and not _FINITE.search(headline.group("what")):
            # a Scottish minute's headline: "Local Housing Forums – Re-establishment approved."
            start = block.start + len(raw) - len(raw.lstrip())
            action = _verb_action(headline.group("v"))
            end = start + len(raw.strip())
            self.found.append(_Found(start, end, "", action, None, "decision:headline", 0.6))
            return
        numbered = _read_marker(raw.strip()) is not None
        for s, e in self._sentence_spans(block):
            sentence = self.text[s:e].strip()
            found = _sentence_decision(sentence)
            if found is None:
                continue
            body, lead_action, method = found
            if numbered:
                lo = block.start + len(raw) - len(raw.lstrip())
                hi = block.end - (len(raw) - len(raw.rstrip()))
            else:
                lo = s + len(self.text[s:e]) - len(self.text[s:e].lstrip())
                hi = lo + len(sentence)
                but = _BUT_VERB.search(sentence) if method == "decision:body-verb" else None
                if but and but.start() > 0:
                    # "the Leader approved the award, but deferred a decision on …": two acts
                    self.found.append(_Found(lo, lo + but.start(), "", lead_action, body, method, 0.7))
                    self.found.append(_Found(lo + but.start("verb"), hi, "", _verb_action(but.group("verb")),
                                             body, method, 0.7))
                    continue
            self.found.append(_Found(lo, hi, "", lead_action, body, method, 0.7))
            if numbered:
                break

    def _sentence_spans(self, block: Any) -> list[tuple[int, int]]:
        lo = bisect_right(self._bound_starts, block.start - 1)
        out = []
        for s, e in self._bounds[lo:]:
            if s >= block.end:
                break
            out.append((s, min(e, block.end)))
        return out or [(block.start, block.end)]


def _sentence_decision(sentence: str) -> tuple[str | None, str | None, str] | None:
    """(body, action of its cue, method) when one sentence records a decision, else None."""
    sentence = re.sub(r"^Page\s+\d+\s+of\s+\d+\s+", "", sentence)  # a PDF's page furniture
    m = _BODY_VERB.match(sentence)
    if m:
        return m.group("body"), _cue_action(m.group("verb")), "decision:body-verb"
    if _TO_RECOMMEND.match(sentence):
        return None, "recommend", "decision:recommendation"
    m = _BODY_VERB_INSIDE.search(sentence)
    if m and not _CONDITIONAL.search(sentence[:m.start()]):
        return m.group("body"), _cue_action(m.group("verb")), "decision:body-verb"
    if not (any(rx.search(sentence) for rx in _SENTENCE_SHAPES) or _subjunctive(sentence)):
        return None
    lead_action = None
    it = _IT_WAS_AGREED.search(sentence)
    were = _WERE_VERBED.search(sentence)
    if it:
        lead_action = _cue_action(it.group("v"))
    elif were:
        v = were.group("v").lower()
        if v == "confirmed":
            lead_action = "approve" if _MINUTES_RECORD.search(sentence) else None
        else:
            lead_action = _verb_action(v)
    elif not (passive_action(sentence) or leading_action(sentence)):
        return None  # "That …" with no resolution verb is not a decision
    return None, lead_action, "decision:sentence"


def _subjunctive(sentence: str) -> bool:
    """ "The minutes of the meeting held on … be confirmed": a bare "be" after the subject."""
    m = _SUBJUNCTIVE.match(sentence)
    if not m:
        return False
    before = sentence[:m.start("aux")]
    return not _FINITE.search(before) and not _NOT_MAIN_BEFORE.search(before)


# -- bodies -----------------------------------------------------------------------------------

def _choose_body(f: _Found, ctx: _Context, item_subject: str | None) -> str | None:
    """Which body took the decision: the one its cue names (a bare "the Board" read as the meeting's
    "Integration Joint Board"), the notice's maker, the meeting, the item's own subject, the body
    the minute said considered the report."""
    meeting = ctx.meetings.last(f.start)
    maker = ctx.maker(f.start)
    wider = maker or meeting or ctx.considered.last(f.start)
    named = _clean_body(f.body) if f.body else None
    if named and re.match(r"(?:Councillor|Cllr)\b", named):
        named = ctx.roles.get(named.split()[-1], named)  # "Councillor Aitman": the office they hold
    if named and _GENERIC_BODY.fullmatch(named):
        if named.lower() in {"members", "council", "cabinet members", "councillors"}:
            return wider
        if wider and wider.split()[-1].lower() == named.split()[-1].lower():
            return wider
    if named:
        return named
    item = _clean_body(item_subject) if item_subject else None
    for cand in (maker, meeting, item, ctx.considered.last(f.start)):
        if cand and cand.lower() not in {"members", "council", "cabinet members", "councillors"}:
            return cand
    return None


def _procedural(text: str) -> bool:
    """A line of the meeting's business that records no act ("No interests were declared.",
    "Submitted letter of thanks …", "The Council noted the following declarations of interest")."""
    return bool(_PROCEDURAL.search(re.sub(r"\s+", " ", _strip_lead_words(text.strip())).strip(" .;:")))


def _no_decision(text: str) -> bool:
    """An item that records no act: a procedural line ("No interests were declared.") or a bare
    title ("b) City Corporation's Mental Health Champion": a few capitalised words, no verb)."""
    bare = re.sub(r"\s+", " ", _strip_lead_words(text.strip())).strip(" .;:")
    if _PROCEDURAL.search(bare):
        return True
    words = bare.split()
    return (0 < len(words) <= 8 and not _FINITE.search(bare)
            and all(w[:1].isupper() or w.lower() in _SMALL_WORDS or not w[:1].isalpha() for w in words))


_SMALL_WORDS = {"and", "of", "for", "the", "in", "on", "to", "a", "an", "with", "at", "by", "or", "&"}


def _body_label(body: str, authority: str | None, file_name: str) -> str:
    """A body's label. A generic one ("Cabinet", "the Board", "Health and Wellbeing Board") is
    qualified by its authority ("Cabinet (Kent County Council)"), or by its paper when the
    authority is unknown, so no label is a bare generic word; a specific name stays as written."""
    from nlp.resolution import has_proper_word

    if not (_GENERIC_BODY.fullmatch(body) or not has_proper_word(body)):
        return body
    if authority:
        return f"{body} ({authority})"
    return f"{body} (authority not named; {file_name})"


def _existing_body(paper: Any, body: str) -> str | None:
    """The key of an organisation or partnership the paper already names with the body's name.

    Only where that key cannot merge two councils' bodies: the paper's authority is known (the
    entity was keyed with it in view) or the key is scoped ("partnership/<authority>--…").
    """
    from nlp.resolution import is_generic_name

    if is_generic_name(body):
        return None
    scoped_only = not paper.authority
    wanted = " ".join(body.lower().replace("&", "and").split())
    for ent in paper.entities.values():
        if scoped_only and "--" not in ent.key:
            continue
        if ent.type in {"Organisation", "Partnership"} and any(
                " ".join(n.lower().replace("&", "and").split()) == wanted for n in {ent.name, *ent.aliases}):
            return ent.key
    return None


def find_decisions(paper: Any) -> list[Relation]:
    """Every decision item of one paper, as ``decision`` relations (see the module docstring).

    The subject is the deciding body's key (``organisation/<authority or paper>--<body>``, or an
    entity the paper already names), else the paper's authority, else "" (no body known); a body
    not among the paper's entities carries its label in ``attrs["body_name"]``.
    """
    from nlp.resolution import slugify

    found = _Reader(paper).run()
    if not found:
        return []
    ctx = _read_context(paper)
    authority_key = paper._authority_key()
    authority = paper.entities[authority_key].name if authority_key in paper.entities else paper.authority
    scope = slugify(authority) if authority else f"paper-{slugify(paper.doc.doc_id)}"
    out: list[Relation] = []
    covered = -1  # the furthest end of the items kept so far (they are taken in order of start)
    for f in sorted(found, key=lambda x: (x.start, -x.end)):
        if f.end - f.start < 3 or f.end <= covered:
            continue  # a sentence inside an item already read
        covered = f.end
        text = paper.text[f.start:f.end]
        sm = _BODY_VERB.match(text.strip())
        action = item_action(text, f.lead_action, ctx.status(f.start))
        if _procedural(text) or (_no_decision(text) and (
                action == "other" or not (leading_action(text) or passive_action(text)))):
            continue
        body = _choose_body(f, ctx, sm.group("body") if sm else None)
        attrs: dict[str, Any] = {"text": f"{f.lead} {text}".strip(), "action": action}
        if paper.doc.metadata.committee:
            attrs["committee"] = paper.doc.metadata.committee
        subject = authority_key or ""
        if body:
            subject = _existing_body(paper, body) or ""
            if not subject:
                subject = f"organisation/{scope}--{slugify(body)}"
                attrs["body_name"] = _body_label(body, authority, paper.doc.file_name)
        key_flag = ctx.key(f.start)
        if key_flag is not None:
            attrs["key_decision"] = key_flag
        ms = paper.mentions_in(f.start, f.end)
        obj = next((x.entity_key for x in ms if x.type in {"Service", "FundingStream"} and x.entity_key),
                   None) or next((x.entity_key for x in ms if x.type == "Partnership" and x.entity_key
                                  and x.entity_key != subject), None)
        money = [x for x in ms if x.type == "Money" and x.value is not None]
        if money:
            top = max(money, key=lambda x: x.value_max or x.value)
            attrs.update(amount=top.value, amount_text=top.text, qualifier=top.qualifier)
            if top.value_max:
                attrs["amount_max"] = top.value_max
        periods = list(dict.fromkeys(x.value for x in ms if x.type == "Period" and x.value))
        if periods:
            attrs["periods"] = periods
        delegations = [d.group("to").strip() for d in DELEGATION_RE.finditer(text)]
        if delegations:
            attrs["delegations"] = delegations
        others = sorted({x.entity_key for x in ms if x.type == "Organisation" and x.entity_key} - {subject})
        if others:
            attrs["organisations"] = others
        out.append(Relation("decision", subject, obj, paper.evidence(f.start, f.end, f.method, f.confidence),
                            attrs))
    return out
