"""The competency questions, validation, exports and provenance on the REAL sample corpus, built end to end.

A session fixture builds ``corpus/data/samples`` with its catalogue into a fresh data dir through
``councilkg.pipeline.build`` (ingest, extract, load the graph), exactly as ``councilkg build`` does.
Expected answers come from the evaluation data (``tests/data/eval/gold``, ``COMPETENCY.md``), the
catalogue and the papers' own text, never from the graph's earlier output.

The ``server`` tests build the same corpus into an ``oxigraph serve`` on loopback (setting
``graph_store``) and check that build, ``councilkg sparql`` and the web endpoint give the same
answers as the embedded store.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_kg_competency import oxigraph_server  # noqa: F401  (fixture: oxigraph serve on loopback)

from corpus.store import CorpusStore
from councilkg.settings import Settings
from kg.competency import competency_queries, competency_query
from kg.store import open_graph_store

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "corpus" / "data" / "samples"
GOLD_DIR = ROOT / "tests" / "data" / "eval" / "gold"
COMPETENCY = ROOT / "tests" / "data" / "eval" / "COMPETENCY.md"
AUTHORITIES_CSV = ROOT / "corpus" / "data" / "uk_local_authorities.csv"

pytestmark = pytest.mark.slow


def catalogue() -> dict[str, dict[str, str]]:
    with open(SAMPLES / "catalogue.csv", encoding="utf-8", newline="") as handle:
        return {row["file"]: row for row in csv.DictReader(handle)}


def gold() -> dict[str, dict]:
    return {p.stem + ".txt": json.loads(p.read_text(encoding="utf-8")) for p in GOLD_DIR.glob("*.json")}


def year_of(file_name: str) -> str:
    return catalogue()[file_name]["date"][:4]


def norm(text: str) -> str:
    return " ".join(re.sub(r"^the\s+", "", text.strip(), flags=re.I).casefold().split())


def parse_gbp(text: str) -> float:
    """A money figure as written ('circa £1.15m pa', '£434,400', '£14 m') in pounds."""
    m = re.search(r"£\s*([\d,]+(?:\.\d+)?)\s*(m|bn|k)?\b", text, re.I)
    assert m, text
    scale = {"m": 1e6, "bn": 1e9, "k": 1e3}.get((m.group(2) or "").lower(), 1)
    return float(m.group(1).replace(",", "")) * scale


def build_samples(settings: Settings) -> None:
    """Build the samples as ``councilkg build`` does: ingest with the catalogue, extract, load the graph."""
    from councilkg.pipeline import build
    from councilkg.stages import GRAPH_STAGE

    report = build([SAMPLES], settings, catalogue=SAMPLES / "catalogue.csv", stages=[GRAPH_STAGE])
    assert report.ok, report.summary_lines()
    assert len(report.stages["graph"]) == len(catalogue())


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Settings:
    settings = Settings.load({"data_dir": str(tmp_path_factory.mktemp("samples-embedded"))}, environ={})
    build_samples(settings)
    return settings


@pytest.fixture(scope="session")
def store(built):
    with open_graph_store(built) as s:
        yield s


@pytest.fixture(scope="session")
def texts(built) -> dict[str, str]:
    """file name -> the canonical text the offsets refer to (the corpus store's Document.text)."""
    with CorpusStore.open(built) as corpus:
        return {doc.file_name: doc.text for doc in (corpus.get(r.id) for r in corpus.list())}


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


def test_the_build_holds_every_catalogued_paper(store, texts):
    assert set(texts) == set(catalogue())
    assert set(store.paper_hashes()) and len(store.paper_hashes()) == len(catalogue())


def test_01_the_twelve_members_of_the_south_nottinghamshire_transformation_partnership(store):
    ((partnership, members),) = [
        (p, m) for g in gold().values() for p, m in (g.get("partnership_members") or {}).items()
        if "Transformation Partnership" in p
    ]
    said = re.search(r"lists (\w+): (\w+) commissioners and (\w+) providers", COMPETENCY.read_text())
    words = {"five": 5, "seven": 7, "twelve": 12}
    total, commissioners, providers = (words[said.group(i)] for i in (1, 2, 3))
    assert len(members) == total
    rows = [r for r in answer(store, "01") if norm(r["partnershipLabel"]) == norm(partnership)]
    assert {norm(r["memberLabel"]) for r in rows} == {norm(m) for m in members}
    commissioning_kinds = {"Local authority", "Clinical commissioning group", "National NHS body"}
    kinds = [r.get("kind") for r in rows]
    assert sum(k in commissioning_kinds for k in kinds) == commissioners
    assert sum(k not in commissioning_kinds for k in kinds) == providers
    (paper,) = {r["papers"] for r in rows}
    assert gold()[paper]["document"] == paper


def test_02_nottingham_city_council_arrangements_by_year(store):
    council = "Nottingham City Council"
    rows = [r for r in answer(store, "02") if r["organisationLabel"] == council]
    for r in rows:
        assert r["year"] == year_of(r["file"])
    members_of = {p for g in gold().values() for p, m in (g.get("partnership_members") or {}).items()
                  if council in m}
    member_rows = {(r["arrangementLabel"], r["year"]) for r in rows if r["how"] == "member"}
    for partnership in members_of:
        paper = next(f for f, g in gold().items() if partnership in (g.get("partnership_members") or {}))
        assert (partnership, year_of(paper)) in member_rows
    # Its own joint commissioning plans (catalogue titles) say what it commissions jointly, by year.
    plan_years = {row["date"][:4] for row in catalogue().values()
                  if row["authority"] == council and "joint" in (row["title"] + row["committee"]).lower()}
    joint_years = {r["year"] for r in rows if r["how"] == "joint commissioning"}
    assert plan_years and plan_years <= joint_years


def test_03_services_funded_by_the_better_care_fund_by_year(store, texts):
    fund = "Better Care Fund"
    aliases = {norm(a) for g in gold().values() for f in g["funding_streams"] if f["name"] == fund
               for a in [f["name"], *f["aliases"]]}
    rows = [r for r in answer(store, "03") if r["fundLabel"] == fund]
    assert rows
    # Years: every paper whose tables name the fund beside a service row (a tab-separated line).
    tabled = {f for f, t in texts.items()
              if any("\t" in line and any(re.search(rf"\b{re.escape(a)}\b", line, re.I) for a in aliases)
                     for line in t.splitlines())}
    assert {r["year"] for r in rows} == {year_of(f) for f in tabled}
    for r in rows:
        assert r["year"] == year_of(r["file"])
        assert r["quote"] in texts[r["file"]]
        assert any(re.search(rf"\b{re.escape(a)}\b", r["quote"], re.I) for a in aliases), r["quote"]
        for written in filter(None, r.get("amountText", "").split("; ")):
            assert written in texts[r["file"]]
        if r.get("amount"):
            written = [parse_gbp(w) for w in r["amountText"].split("; ")]
            assert float(r["amount"]) == max(written)
    assert any(r.get("amount") for r in rows)


def test_04_home_care_traced_through_2015_2017_and_2019(store, texts):
    named = re.compile(r"\bhome\s?care\b", re.I)
    expected_years = {year_of(f) for f, t in texts.items() if named.search(t)}
    rows = [r for r in answer(store, "04") if r["serviceLabel"].casefold() == "home care"]
    assert {r["year"] for r in rows} == expected_years
    assert len(expected_years) >= 3  # the samples name it in 2015, 2017 and 2019 papers
    statuses = {"new", "continuing", "review", "implementation", "procurement"}
    for r in rows:
        assert r["year"] == year_of(r["file"])
        assert r["authorityLabel"] == catalogue()[r["file"]]["authority"]
        assert r["quote"] in texts[r["file"]]
        for status in filter(None, r.get("status", "").split("; ")):
            assert status in statuses and status in r["quote"].lower(), (status, r["quote"])
        for written in filter(None, r.get("amountText", "").split("; ")):
            assert written in r["quote"]
    # Every year has a status, a funding source or a money figure traced to a quoted passage.
    for year in expected_years:
        detailed = [r for r in rows if r["year"] == year and (r.get("status") or r.get("fundingLabel"))]
        assert detailed, year
    sponsored = [r for r in rows if r.get("sponsor")]
    assert sponsored and all(any(part.split()[-1] in texts[r["file"]] for part in r["sponsor"].split("; "))
                             for r in sponsored)


def test_05_joint_commissioning_with_a_ccg(store):
    rows = answer(store, "05")
    assert rows
    for r in rows:
        assert "Clinical Commissioning Group" in r["ccgLabel"]
        assert r["since"] == min(year_of(f) for f in r["papers"].split(", "))
    council = "Nottingham City Council"
    plan_years = [row["date"][:4] for row in catalogue().values()
                  if row["authority"] == council and "CCG" in row["title"] and "Joint" in row["title"]]
    assert min(r["since"] for r in rows if r["councilLabel"] == council) == min(plan_years)


def test_06_amounts_over_a_million(store, texts):
    rows = answer(store, "06")
    assert rows
    for r in rows:
        assert float(r["amount"]) > 1_000_000
        assert texts[r["file"]][int(r["start"]):int(r["end"])] == r["quote"]
        assert r["amountText"] in r["quote"]
        assert parse_gbp(r["amountText"]) == float(r["amount"])
        assert r.get("aboutLabel") or "decision" in r["kind"]
    assert len({(r["amount"], r["start"], r["role"]) for r in rows}) == len(rows)  # one row per figure


def test_07_counts_by_authority_and_year(store):
    expected: dict[tuple[str, str], int] = {}
    for row in catalogue().values():
        key = (row["authority"], row["date"][:4])
        expected[key] = expected.get(key, 0) + 1
    rows = {(r["authorityLabel"], r["year"]): r for r in answer(store, "07")}
    assert {k: int(r["papers"]) for k, r in rows.items()} == expected
    for g in gold().values():
        row = rows[(g["authority"], str(g["year"]))]
        members = sum(len(m) for m in (g.get("partnership_members") or {}).values())
        assert int(row["organisations"]) >= members
        assert int(row["partnerships"]) >= 1 and int(row["services"]) >= 1


def test_08_organisations_across_authorities(store):
    rows = {norm(r["organisationLabel"]): r for r in answer(store, "08")}
    authorities = {row["authority"] for row in catalogue().values()}
    for r in rows.values():
        names = r["authorityNames"].split(", ")
        assert int(r["authorities"]) == len(names) >= 2 and set(names) <= authorities
    # Organisations the gold finds in papers of two different authorities must be listed.
    papers = list(gold().values())
    expected = []
    for i, a in enumerate(papers):
        for b in papers[i + 1:]:
            if a["authority"] == b["authority"]:
                continue
            for org in a["organisations"]:
                names = {norm(x) for x in [org["name"], *org["aliases"]]}
                if any(names & {norm(x) for x in [o["name"], *o["aliases"]]} for o in b["organisations"]):
                    expected.append(names)
    assert expected
    for names in expected:
        assert names & set(rows), sorted(names)


def test_09_gss_codes_match_the_catalogue_and_the_ons_register(store):
    found = {r["councilLabel"]: r.get("gss") for r in answer(store, "09")}
    for row in catalogue().values():
        assert found[row["authority"]] == row["gss_code"]
    with open(AUTHORITIES_CSV, encoding="utf-8", newline="") as handle:
        register = {norm(r["official-name"]): r["gss-code"] for r in csv.DictReader(handle)}
    for council, code in found.items():
        if code and norm(council) in register:
            assert register[norm(council)] == code


def test_10_provenance_of_every_fact(store, texts):
    rows = answer(store, "10")
    facts = store.select(
        "SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { ?f a <https://w3id.org/councilkg/ontology#Fact> }")
    assert len({r["fact"] for r in rows}) == int(facts[0][0].value) > 50
    for r in rows:
        assert texts[r["file"]][int(r["start"]):int(r["end"])] == r["quote"]
        assert r["method"] and 0 < float(r["confidence"]) <= 1
        assert "spacy=" in r["software"] and "councilkg=" in r["software"]


def test_provenance_round_trip_for_every_evidence_node(store, texts):
    rows = store.select("""PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX ck: <https://w3id.org/councilkg/ontology#>
        SELECT ?file ?s ?e ?q WHERE { ?ev a oa:SpecificResource ; oa:hasSource/ck:fileName ?file ;
          oa:hasSelector [ oa:start ?s ; oa:end ?e ] , [ oa:exact ?q ] }""")
    assert len(rows) > 500
    for file_name, start, end, quote in rows:
        assert texts[file_name.value][int(start.value):int(end.value)] == quote.value


def test_validate_conforms_through_the_cli(built):
    from councilkg.cli import cli

    result = CliRunner().invoke(cli, ["--data-dir", str(built.data_path), "validate"])
    assert result.exit_code == 0, result.output
    assert re.search(r"\(\d{4,} triples\) conforms", result.output)


@pytest.mark.parametrize("fmt,rdflib_format", [
    ("trig", "trig"), ("nquads", "nquads"), ("jsonld", "json-ld"), ("turtle", "turtle"), ("ntriples", "nt"),
])
def test_export_round_trips_with_rdflib(built, store, tmp_path, fmt, rdflib_format):
    from rdflib import Dataset, Graph, URIRef

    from councilkg.cli import cli

    out = tmp_path / f"dump.{fmt}"
    result = CliRunner().invoke(cli, ["--data-dir", str(built.data_path), "export", "--format", fmt,
                                       "-o", str(out)])
    assert result.exit_code == 0, result.output
    quads = {(q.subject.value, q.predicate.value, q.object.value, q.graph_name.value) for q in store.quads()}
    if fmt in {"trig", "nquads", "jsonld"}:  # named graphs kept, quad for quad
        ds = Dataset()
        ds.parse(out, format=rdflib_format)
        parsed = {(str(s), str(p), str(o), str(g)) for s, p, o, g in ds.quads((None, None, None, None))
                  if isinstance(g, URIRef) and str(g) != str(ds.default_graph.identifier)}
        assert parsed == quads
    else:  # merged into one graph
        graph = Graph().parse(out, format=rdflib_format)
        assert {(str(s), str(p), str(o)) for s, p, o in graph} == {q[:3] for q in quads}


def _unordered(value: str) -> str:
    """GROUP_CONCAT's order is the engine's choice: compare joined values as sorted parts."""
    for separator in ("; ", ", "):
        value = separator.join(sorted(value.split(separator)))
    return value


def _all_answers(store) -> dict[str, list[str]]:
    return {q.name: sorted(json.dumps({k: _unordered(v) for k, v in r.items()}, sort_keys=True)
                           for r in answer(store, q.name))
            for q in competency_queries()}


@pytest.mark.server
def test_remote_store_build_sparql_and_serve_give_the_embedded_answers(
    oxigraph_server, store, tmp_path  # noqa: F811
):
    from councilkg.cli import cli
    from web import create_app

    settings = Settings.load({"data_dir": str(tmp_path / "data"), "graph_store": oxigraph_server},
                             environ={})
    build_samples(settings)  # build: extraction into the remote store
    with open_graph_store(settings) as remote:
        assert type(remote).__name__ == "RemoteGraphStore"
        assert remote.paper_hashes() == store.paper_hashes()
        # A rebuild gives the very same quads (IRIs from keys and hashes, never counters), on either backend.
        assert {str(q) for q in remote.quads()} == {str(q) for q in store.quads()}
        assert _all_answers(remote) == _all_answers(store)
    # sparql: the CLI runs unchanged on the remote store
    query = competency_query("01")
    result = CliRunner().invoke(cli, ["--data-dir", str(settings.data_path), "--set",
                                      f"graph_store={oxigraph_server}", "sparql", query.sparql])
    assert result.exit_code == 0, result.output
    bindings = json.loads(result.output)["results"]["bindings"]
    cli_rows = [{k: v["value"] for k, v in b.items()} for b in bindings]
    assert sorted(map(str, cli_rows)) == sorted(map(str, answer(store, "01")))
    # serve: the web SPARQL endpoint answers from the remote store
    client = create_app({"SETTINGS": settings, "TESTING": True}).test_client()
    response = client.post("/sparql", data={"query": query.sparql},
                           headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.data[:300]
    web_rows = [{k: v["value"] for k, v in b.items()} for b in response.get_json()["results"]["bindings"]]
    assert sorted(map(str, web_rows)) == sorted(map(str, answer(store, "01")))


@pytest.mark.parametrize("fmt,check", [
    ("json", lambda out: json.loads(out)["head"]["vars"][:2] == ["partnership", "partnershipLabel"]),
    ("xml", lambda out: "<sparql" in out and "South Nottinghamshire Transformation Partnership" in out),
    ("csv", lambda out: out.splitlines()[0].startswith("partnership,partnershipLabel,member")),
    ("tsv", lambda out: out.splitlines()[0].startswith("?partnership\t?partnershipLabel")),
])
def test_sparql_cli_runs_a_named_query_file_in_every_results_format(built, fmt, check):
    from councilkg.cli import cli

    path = ROOT / "kg" / "queries" / f"{competency_query('01').name}.rq"
    result = CliRunner().invoke(cli, ["--data-dir", str(built.data_path), "sparql", f"@{path}",
                                      "--format", fmt])
    assert result.exit_code == 0, result.output
    assert check(result.stdout)


@pytest.mark.parametrize("fmt,rdflib_format", [("turtle", "turtle"), ("jsonld", "json-ld")])
def test_sparql_cli_construct_as_rdf(built, fmt, rdflib_format):
    from rdflib import Graph

    from councilkg.cli import cli

    query = ("PREFIX org: <http://www.w3.org/ns/org#> "
             "CONSTRUCT { ?p org:hasMember ?m } WHERE { ?p org:hasMember ?m }")
    result = CliRunner().invoke(cli, ["--data-dir", str(built.data_path), "sparql", query, "--format", fmt])
    assert result.exit_code == 0, result.output
    assert len(Graph().parse(data=result.stdout, format=rdflib_format)) >= 12


@pytest.mark.parametrize("args,message", [
    (["sparql", "@no/such/file.rq"], "cannot read query file"),
    (["sparql", "SELECT ?s WHERE { ?s ?p }"], "syntax"),
    (["sparql", "SELECT * WHERE { SERVICE <http://example.org/s> { ?s ?p ?o } }"], "SERVICE"),
    (["sparql", "DROP ALL"], "updates are refused"),
])
def test_sparql_cli_bad_input_is_one_line_and_changes_nothing(built, store, args, message):
    from councilkg.cli import cli

    before = store.count_quads()
    result = CliRunner().invoke(cli, ["--data-dir", str(built.data_path), *args])
    assert result.exit_code == 1
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert store.count_quads() == before
