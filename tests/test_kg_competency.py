"""Competency questions (kg/queries/*.rq) answered on a made-up three-paper corpus, on every backend.

The same suite runs on the embedded store and on an ``oxigraph serve`` started on loopback
(marked ``server``): both must give the same answers.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from corpus.models import Block, Document, Metadata
from councilkg.settings import Settings
from kg.competency import competency_queries, competency_query
from kg.store import open_graph_store
from nlp.models import Entity, Evidence, Extraction, Mention, Relation

ORGS = {
    "Borsetshire County Council": "local-authority",
    "Felpersham City Council": "local-authority",
    "Felpersham Clinical Commissioning Group": "clinical-commissioning-group",
    "Ambridge NHS Foundation Trust": "nhs-trust",
    "Borchester Community Health Services": "voluntary-organisation",
}
GSS = {"Borsetshire County Council": "E10000099", "Felpersham City Council": "E06000099"}
PARTNERSHIP = "Felpersham Transformation Partnership"


def key(name: str) -> str:
    kind = "partnership" if name == PARTNERSHIP else "organisation" if name in ORGS else (
        "fundingstream" if name.endswith("Fund") else "service")
    return f"{kind}/{name.lower().replace(' ', '-')}"


class PaperBuilder:
    """Builds a Document and its Extraction from council-style text, with offsets found by search."""

    def __init__(self, doc_id: str, authority: str, date: str, text: str) -> None:
        self.doc = Document(
            doc_id, f"{doc_id}.txt", (doc_id * 8)[:64], text, [Block("paragraph", 0, len(text), text)], [],
            Metadata(authority=authority, gss_code=GSS[authority], date=date,
                     committee="Health and Wellbeing Board", title=f"Report {doc_id}",
                     document_type="committee report"),
        )
        self.entities: dict[str, Entity] = {}
        self.mentions: list[Mention] = []
        self.relations: list[Relation] = []

    def ev(self, phrase: str, confidence: float = 0.8) -> Evidence:
        start = self.doc.text.index(phrase)
        return Evidence(self.doc.doc_id, start, start + len(phrase), phrase, "rule:made-up", confidence)

    def mention(self, name: str) -> str:
        k = key(name)
        etype = {"partnership": "Partnership", "organisation": "Organisation",
                 "fundingstream": "FundingStream", "service": "Service"}[k.split("/")[0]]
        ids = {"gss": GSS[name]} if name in GSS else {}
        self.entities[k] = Entity(k, etype, name, {name}, ORGS.get(name), ids)
        self.mentions.append(Mention(etype, name, self.ev(name), k))
        return k

    def relate(self, rtype: str, subject: str, obj: str | None, phrase: str, **attrs) -> None:
        self.relations.append(Relation(rtype, self.mention(subject), self.mention(obj) if obj else None,
                                       self.ev(phrase), attrs))

    def build(self) -> tuple[Document, Extraction]:
        return self.doc, Extraction(self.doc.doc_id, self.entities, self.mentions, self.relations,
                                    {"councilkg": "0.1.0", "en_core_web_sm": "3.8.0"})


def made_up_corpus() -> list[tuple[Document, Extraction]]:
    a = PaperBuilder("paper-2015", "Borsetshire County Council", "2015-03-30", (
        "1. The Felpersham Transformation Partnership brings together Borsetshire County Council, "
        "Felpersham Clinical Commissioning Group, Ambridge NHS Foundation Trust and Borchester Community "
        "Health Services.\n"
        "2. Borsetshire County Council will jointly commission Home Care with Felpersham Clinical "
        "Commissioning Group from April 2015.\n"
        "Home Care\tNew\tBetter Care Fund\t£2.5m\n"))
    for member in ("Borsetshire County Council", "Felpersham Clinical Commissioning Group",
                   "Ambridge NHS Foundation Trust", "Borchester Community Health Services"):
        a.relate("member_of", member, PARTNERSHIP, a.doc.text.split("\n")[0])
    a.relate("joint_commissioning", "Borsetshire County Council", "Home Care", a.doc.text.split("\n")[1],
             partners=[key("Felpersham Clinical Commissioning Group")])
    a.mention("Better Care Fund")
    a.relate("service_status", "Home Care", None, "Home Care\tNew\tBetter Care Fund\t£2.5m", status="new",
             funding=[key("Better Care Fund")], amount=2_500_000.0, amount_text="£2.5m")

    b = PaperBuilder("paper-2017", "Felpersham City Council", "2017-11", (
        "Felpersham City Council has joined the Felpersham Transformation Partnership.\n"
        "Felpersham City Council and Felpersham Clinical Commissioning Group jointly commission Reablement.\n"
        "Reablement is funded by the Better Care Fund (£800,000).\n"
        "Home Care\tContinuing\tSponsor: Felpersham City Council\n"))
    b.relate("member_of", "Felpersham City Council", PARTNERSHIP, b.doc.text.split("\n")[0])
    b.relate("joint_commissioning", "Felpersham City Council", "Reablement", b.doc.text.split("\n")[1],
             partners=[key("Felpersham Clinical Commissioning Group")])
    b.mention("Felpersham Clinical Commissioning Group")
    b.relate("funds", "Better Care Fund", "Reablement", b.doc.text.split("\n")[2], amount=800_000.0,
             amount_text="£800,000")
    b.relate("service_status", "Home Care", None, b.doc.text.split("\n")[3], status="continuing",
             sponsor=key("Felpersham City Council"))

    c = PaperBuilder("paper-2019", "Felpersham City Council", "2019-07-09", (
        "RESOLVED: Felpersham City Council approves the procurement of Home Care at £1.2m a year.\n"
        "The Better Care Fund will fund Home Care with £1.5m in 2019/20.\n"))
    c.relate("decision", "Felpersham City Council", "Home Care", c.doc.text.split("\n")[0],
             text="approves the procurement of Home Care", amount=1_200_000.0, amount_text="£1.2m")
    c.relate("funds", "Better Care Fund", "Home Care", c.doc.text.split("\n")[1], amount=1_500_000.0,
             amount_text="£1.5m", period="2019-04-01/2020-03-31")
    c.relate("service_status", "Home Care", None, c.doc.text.split("\n")[0], status="procurement")
    return [a.build(), b.build(), c.build()]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_oxigraph(location: Path, *options: str):
    """``oxigraph serve`` on a free loopback port with ``options``; yields (url, process)."""
    exe = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(exe).exists():
        pytest.skip("the oxigraph server (PyPI package `oxigraph`, dev extra) is not installed")
    port = _free_port()
    process = subprocess.Popen(
        [exe, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", "--union-default-graph",
         *options],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("oxigraph serve did not start")
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    """An ``oxigraph serve`` on a free loopback port; stopped when the module's tests end."""
    with running_oxigraph(tmp_path_factory.mktemp("oxigraph")) as (url, _process):
        yield url


@pytest.fixture(scope="module", params=["embedded", pytest.param("remote", marks=pytest.mark.server)])
def store(request, tmp_path_factory):
    url = request.getfixturevalue("oxigraph_server") if request.param == "remote" else ""
    data_dir = tmp_path_factory.mktemp("data")
    with open_graph_store(Settings.load({"data_dir": str(data_dir), "graph_store": url})) as s:
        for doc, extraction in made_up_corpus():
            s.replace_paper(doc, extraction)
        yield s


def answer(store, name: str) -> list[dict[str, str]]:
    """Every row the question answers: each page in turn for those that answer a page at a time."""
    query, rows, page = competency_query(name), [], 0
    while True:
        body, _ = store.query(query.page(page) or query.sparql, "json")
        found = [{k: v["value"] for k, v in b.items()} for b in json.loads(body)["results"]["bindings"]]
        rows += found
        if query.page(page) is None or not found:
            return rows
        page += 1


def test_every_competency_question_has_a_named_query():
    queries = competency_queries()
    assert [q.name[:2] for q in queries] == [f"{i:02d}" for i in range(1, 11)]
    assert all(q.question.endswith("?") for q in queries)


def test_01_partnership_members(store):
    rows = [r for r in answer(store, "01") if r["partnershipLabel"] == PARTNERSHIP]
    assert {r["memberLabel"] for r in rows} == set(ORGS)
    kinds = {r["memberLabel"]: r.get("kind") for r in rows}
    assert kinds["Felpersham Clinical Commissioning Group"] == "Clinical commissioning group"
    assert all("Felpersham" in r["quote"] for r in rows)


def test_02_arrangements_by_year(store):
    rows = [r for r in answer(store, "02") if r["organisationLabel"] == "Felpersham City Council"]
    assert {(r["arrangementLabel"], r["how"], r["year"]) for r in rows} == {
        (PARTNERSHIP, "member", "2017"), ("Reablement", "joint commissioning", "2017")}


def test_03_services_funded_by_a_fund(store):
    rows = [r for r in answer(store, "03") if r["fundLabel"] == "Better Care Fund"]
    found = {(r["serviceLabel"], r["year"], float(r["amount"]) if "amount" in r else None) for r in rows}
    assert found == {("Home Care", "2015", 2_500_000.0), ("Reablement", "2017", 800_000.0),
                     ("Home Care", "2019", 1_500_000.0)}


def test_04_home_care_trace(store):
    rows = [r for r in answer(store, "04") if r["serviceLabel"] == "Home Care"]
    assert {r["year"] for r in rows} == {"2015", "2017", "2019"}
    assert {r["authorityLabel"] for r in rows} == {"Borsetshire County Council", "Felpersham City Council"}
    statuses: dict[str, set[str]] = {}
    for r in rows:
        statuses.setdefault(r["year"], set()).update(s for s in r.get("status", "").split("; ") if s)
    assert statuses == {"2015": {"new"}, "2017": {"continuing"}, "2019": {"procurement"}}
    assert {r.get("sponsor") for r in rows if r["year"] == "2017"} == {"Felpersham City Council"}
    assert {r.get("fundingLabel") for r in rows if r["year"] == "2015"} == {"Better Care Fund"}
    # 2019: the decision and the status row share one passage (one row); the funding sentence is another.
    by_quote = {r["quote"]: r for r in rows if r["year"] == "2019"}
    assert len(by_quote) == 2
    funded = next(r for q, r in by_quote.items() if q.startswith("The Better Care Fund"))
    assert (funded["fundingLabel"], float(funded["amount"]), funded["amountText"]) == (
        "Better Care Fund", 1_500_000.0, "£1.5m")
    assert all("Home Care" in r["quote"] for r in rows)


def test_05_joint_commissioning_with_a_ccg(store):
    rows = answer(store, "05")
    assert {(r["councilLabel"], r["serviceLabel"], r["since"]) for r in rows} == {
        ("Borsetshire County Council", "Home Care", "2015"),
        ("Felpersham City Council", "Reablement", "2017"),
    }
    assert {r["ccgLabel"] for r in rows} == {"Felpersham Clinical Commissioning Group"}


def test_06_amounts_over_a_million(store):
    made_up = made_up_corpus()
    rows = answer(store, "06")
    assert sorted(float(r["amount"]) for r in rows) == [1_200_000.0, 1_500_000.0, 2_500_000.0]
    texts = {d.file_name: d.text for d, _ in made_up}
    for r in rows:
        assert r["aboutLabel"] == "Home Care"
        assert texts[r["file"]][int(r["start"]):int(r["end"])] == r["quote"]


def test_07_counts_by_authority_and_year(store):
    rows = {(r["authorityLabel"], r["year"]): r for r in answer(store, "07")}
    assert set(rows) == {("Borsetshire County Council", "2015"), ("Felpersham City Council", "2017"),
                         ("Felpersham City Council", "2019")}
    first = rows[("Borsetshire County Council", "2015")]
    assert (first["papers"], first["services"], first["partnerships"]) == ("1", "1", "1")
    assert first["organisations"] == "4"
    assert rows[("Felpersham City Council", "2017")]["services"] == "2"


def test_08_organisations_across_authorities(store):
    rows = answer(store, "08")
    assert "Felpersham Clinical Commissioning Group" in {r["organisationLabel"] for r in rows}
    assert "Ambridge NHS Foundation Trust" not in {r["organisationLabel"] for r in rows}


def test_09_gss_codes(store):
    assert {(r["councilLabel"], r.get("gss")) for r in answer(store, "09")} == set(GSS.items())


def test_10_fact_provenance(store):
    rows = answer(store, "10")
    texts = {d.file_name: d.text for d, _ in made_up_corpus()}
    facts = sum(len(e.relations) for _, e in made_up_corpus())
    assert len({r["fact"] for r in rows}) == facts
    for r in rows:
        assert texts[r["file"]][int(r["start"]):int(r["end"])] == r["quote"]
        assert r["method"] == "rule:made-up" and 0 < float(r["confidence"]) <= 1
        assert "en_core_web_sm=3.8.0" in r["software"]


@pytest.mark.server
def test_remote_and_embedded_give_the_same_answers(oxigraph_server, tmp_path):
    answers = []
    for url in ("", oxigraph_server):
        with open_graph_store(Settings.load({"data_dir": str(tmp_path / (url and "r" or "e")),
                                             "graph_store": url})) as s:
            for doc, extraction in made_up_corpus():
                s.replace_paper(doc, extraction)
            # GROUP_CONCAT's order is the engine's choice: compare joined values as sorted parts.
            answers.append({q.name: sorted(str({k: "; ".join(sorted(v.split("; "))) for k, v in r.items()})
                                           for r in answer(s, q.name[:2]))
                            for q in competency_queries()})
    assert answers[0] == answers[1]
