"""Hardening load benchmark (issue #12): 20 clients for 60 s, 8 of them sending the heaviest work.

The bundled samples are built into a temporary data dir (or ``--data-dir`` is reused), the real
server is started as ``councilkg serve`` (waitress, default settings: rate limit, per-client and
server-wide concurrency limits, SPARQL time limit and worker memory cap all on) on a loopback
port, and a bounded, closed-loop load runs for ``--seconds``:

- **8 heavy clients**, each re-sending as soon as it has an answer (0.2 s after a refusal; they
  do not honour Retry-After): 4 send the heaviest SPARQL the endpoint accepts (the sorted cross
  product ``SELECT ?a ?b WHERE { ?a ?p ?o . ?b ?q ?r } ORDER BY ?a ?b LIMIT 1``, a counted cross
  product, a regex over every pair of literals, an unbounded property-path closure), 2 ask for the
  graph of the entity with the most facts (``/api/graph`` and ``/graph``, with a different year
  or authority each time so the view cache does not answer), 2 send the longest searches
  accepted (500 characters, 50 results a page).
- **12 light clients** with 0.5 s between requests: 4 send a trivial ``ASK {}``, 4 open the home
  page ``/``, 2 search for a short question, 2 open other cheap pages.

Every client has its own loopback source address (127.0.0.2, 127.0.0.3, …), so the server's
per-client limits see 20 clients, not one. Each SPARQL text carries a per-request comment so the
answer cache never serves it (the worker queue is what is measured). Resident memory of the server
tree (the server process and its SPARQL worker children) is sampled every 0.25 s with psutil.

Targets: ``ASK`` and ``/`` each answer (HTTP 200) within 2 s at p95, peak RSS below 2 GB, and no
5xx other than 503 with a Retry-After. The same ``ASK`` and home page are also timed on the idle
server first, in the same run: the load ratio is p95 under load / p95 idle.

``python -m benchmarks.bench_load [--data-dir D] [--seconds 60] [--json]`` prints the table;
``run(quick)`` serves the suite.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

P95_TARGET_S = 2.0
RSS_TARGET_MB = 2048.0
HEAVY_REFUSAL_PAUSE_S = 0.2
LIGHT_THINK_S = 0.5

SPARQL_HEADERS = (("Content-Type", "application/sparql-query"), ("Accept", "application/sparql-results+json"))

HEAVY_SPARQL = (
    "SELECT ?a ?b WHERE { ?a ?p ?o . ?b ?q ?r } ORDER BY ?a ?b LIMIT 1",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?o . ?b ?q ?r }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?o . ?b ?q ?r "
    'FILTER(REGEX(CONCAT(STR(?o), STR(?r)), "(a|e)+x$")) }',
    "SELECT (COUNT(*) AS ?n) WHERE { ?a (<urn:x:p>|!<urn:x:p>)* ?b }",
)
"""Queries the safety check accepts and the engine finds hardest: cross products (sorted, counted,
filtered by a regex) and the closure of every path through the graph."""

TOP_ENTITY_QUERY = """PREFIX ck: <https://w3id.org/councilkg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?e (COUNT(DISTINCT ?f) AS ?n) WHERE {
  ?f a ck:Fact ; ?p ?e .
  FILTER(isIRI(?e) && ?p != rdf:type && ?p != prov:wasDerivedFrom
         && STRSTARTS(STR(?e), "https://w3id.org/councilkg/id/"))
} GROUP BY ?e ORDER BY DESC(?n) LIMIT 1"""

SEARCH_WORDS = (
    "joint", "budget", "children", "mental", "health", "council", "commissioning", "care", "home",
    "funding", "partnership", "service", "adult", "social", "integrated", "better", "care", "fund",
    "clinical", "group", "contract", "award", "housing", "support", "pooled", "section", "agreement",
    "transformation", "community", "provider", "review", "board", "wellbeing", "strategy", "plan",
)
SHORT_QUESTIONS = ("joint budget for mental health", "home care contract", "better care fund")


@dataclass(frozen=True)
class Request:
    """One HTTP request."""

    method: str
    path: str
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class Sample:
    """What one request got."""

    klass: str
    status: int  # 0: no HTTP answer (connection error, client timeout)
    seconds: float
    retry_after: bool
    phase: str  # "idle" or "load"
    at: float = 0.0  # when it was sent (time.perf_counter())


@dataclass
class ClientSpec:
    """One simulated client: its request class, how it makes its n-th request, and its pace."""

    klass: str
    make: Callable[[int], Request]
    heavy: bool


@dataclass
class Recorder:
    """Thread-safe list of samples."""

    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


class Connection:
    """One keep-alive HTTP connection from a fixed loopback source address."""

    def __init__(self, port: int, source: str, timeout_s: float) -> None:
        self.port, self.source, self.timeout_s = port, source, timeout_s
        self._conn: http.client.HTTPConnection | None = None

    def send(self, req: Request) -> tuple[int, bytes, bool]:
        """Status, body and whether a Retry-After came with it; raises on a transport failure."""
        if self._conn is None:
            self._conn = http.client.HTTPConnection(
                "127.0.0.1", self.port, timeout=self.timeout_s, source_address=(self.source, 0)
            )
        try:
            self._conn.request(req.method, req.path, body=req.body, headers=dict(req.headers))
            response = self._conn.getresponse()
            body = response.read()
            if response.will_close:
                self.close()
            return response.status, body, response.getheader("Retry-After") is not None
        except (OSError, http.client.HTTPException):
            self.close()
            raise

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def timed(conn: Connection, klass: str, req: Request, phase: str, recorder: Recorder) -> Sample:
    """Send ``req`` and record how long it took and what came back."""
    began = time.perf_counter()
    try:
        status, _, retry_after = conn.send(req)
    except (OSError, http.client.HTTPException):
        status, retry_after = 0, False
    sample = Sample(klass, status, time.perf_counter() - began, retry_after, phase, began)
    recorder.add(sample)
    return sample


def sparql_request(text: str, tag: str) -> Request:
    """A direct POST of ``text``; ``tag`` (a comment) makes it a new text for the answer cache."""
    return Request("POST", "/sparql", f"{text}\n# {tag}\n".encode(), SPARQL_HEADERS)


def long_search_text(rng: random.Random, chars: int = 500) -> str:
    """About ``chars`` characters of council vocabulary in random order (the index's query limit)."""
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < chars:
        words.append(rng.choice(SEARCH_WORDS))
    return " ".join(words)[:chars]


def client_specs(top_entity: str, authorities: list[str], seed: int = 7) -> list[ClientSpec]:
    """The 20 clients: 8 heavy, 12 light (see the module docstring)."""
    specs: list[ClientSpec] = []
    for k in range(4):
        specs.append(ClientSpec(
            "heavy sparql",
            lambda n, k=k: sparql_request(HEAVY_SPARQL[(n + k) % len(HEAVY_SPARQL)], f"heavy {k} {n}"),
            heavy=True,
        ))
    entity = urllib.parse.quote(top_entity, safe="")
    filters = [f"&year={y}" for y in range(2000, 2031)] + [
        "&authority=" + urllib.parse.quote(a) for a in authorities
    ]
    for k, route in enumerate(("/api/graph", "/graph")):
        specs.append(ClientSpec(
            "heavy graph",
            lambda n, k=k, route=route: Request(
                "GET", f"{route}?iri={entity}{filters[(n * 2 + k) % len(filters)]}"),
            heavy=True,
        ))
    for k in range(2):
        rng = random.Random(seed + k)
        specs.append(ClientSpec(
            "heavy search",
            lambda n, rng=rng: Request("GET", "/api/search?" + urllib.parse.urlencode(
                {"q": long_search_text(rng), "per_page": 50})),
            heavy=True,
        ))
    for k in range(4):
        specs.append(ClientSpec("ASK", lambda n, k=k: sparql_request("ASK {}", f"ask {k} {n}"), heavy=False))
    for _ in range(4):
        specs.append(ClientSpec("home /", lambda n: Request("GET", "/"), heavy=False))
    for k in range(2):
        specs.append(ClientSpec(
            "short search",
            lambda n, k=k: Request("GET", "/api/search?" + urllib.parse.urlencode(
                {"q": SHORT_QUESTIONS[(n + k) % len(SHORT_QUESTIONS)]})),
            heavy=False,
        ))
    pages = ("/query", "/papers", "/entities", "/ontology")
    for k in range(2):
        specs.append(ClientSpec("other pages", lambda n, k=k: Request("GET", pages[(n + k) % len(pages)]),
                                heavy=False))
    return specs


class RssSampler:
    """Resident memory of a process and all its descendants, sampled on a thread."""

    def __init__(self, pid: int, every_s: float = 0.25) -> None:
        self.pid, self.every_s = pid, every_s
        self.peak_mb = 0.0
        self.peak_parts: list[tuple[str, float]] = []
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def measure(self) -> tuple[float, list[tuple[str, float]]]:
        """Total RSS of the tree now, in MB, and each process's share."""
        import psutil

        parts: list[tuple[str, float]] = []
        try:
            root = psutil.Process(self.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return 0.0, parts
        try:
            own_command = root.cmdline()
        except psutil.Error:
            own_command = []
        for proc in procs:
            try:
                if proc.pid != self.pid and proc.cmdline() == own_command:
                    # Forked to start a worker but not yet exec'd: its pages are the server's
                    # own, shared, and counting them would double the server.
                    continue
                rss = proc.memory_info().rss / 2**20
                label = "server" if proc.pid == self.pid else " ".join(proc.cmdline()[1:3])[:40]
                parts.append((label, rss))
            except psutil.Error:
                continue
        return sum(rss for _, rss in parts), parts

    def _loop(self) -> None:
        while not self._stop.is_set():
            total, parts = self.measure()
            self.samples += 1
            if total > self.peak_mb:
                self.peak_mb, self.peak_parts = total, parts
            self._stop.wait(self.every_s)

    def start(self) -> RssSampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def councilkg_command() -> list[str]:
    """How to run the ``councilkg`` command of this environment."""
    script = Path(sys.executable).with_name("councilkg")
    return [str(script)] if script.exists() else [sys.executable, "-m", "councilkg"]


def start_server(data_dir: Path, port: int, extra: list[str]) -> subprocess.Popen[bytes]:
    """``councilkg serve`` on ``port`` in its own process group; returns once it accepts."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "TOKENIZERS_PARALLELISM": "false"}
    command = [*councilkg_command(), "--data-dir", str(data_dir), *extra, "serve", "--port", str(port)]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("councilkg serve exited at start") from None
            time.sleep(0.2)
    stop_server(proc)
    raise RuntimeError("councilkg serve did not start within 120 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group (server and query workers), then SIGKILL."""
    import signal

    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=15)
            return
        except subprocess.TimeoutExpired:
            continue


def build_samples_into(folder: Path) -> None:
    """The bundled sample corpus built into ``folder`` with ``councilkg build``."""
    samples = ROOT / "corpus" / "data" / "samples"
    command = [*councilkg_command(), "--data-dir", str(folder), "build", str(samples),
               "--catalogue", str(samples / "catalogue.csv")]
    subprocess.run(command, cwd=ROOT, check=True, stdout=sys.stderr)


def discover(conn: Connection) -> tuple[str, list[str]]:
    """The entity with the most facts, and the authorities' labels, asked of the server itself."""
    status, body, _ = conn.send(sparql_request(TOP_ENTITY_QUERY, "discover"))
    if status != 200:
        raise RuntimeError(f"could not find the entity with most facts: HTTP {status} {body[:200]!r}")
    rows = json.loads(body)["results"]["bindings"]
    if not rows:
        raise RuntimeError("the graph has no facts")
    query = ("PREFIX dcterms: <http://purl.org/dc/terms/> "
             "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
             "SELECT DISTINCT ?l WHERE { ?p dcterms:publisher ?a . ?a rdfs:label ?l } LIMIT 20")
    status, body, _ = conn.send(sparql_request(query, "authorities"))
    labels = [r["l"]["value"] for r in json.loads(body)["results"]["bindings"]] if status == 200 else []
    return rows[0]["e"]["value"], labels


def idle_phase(port: int, recorder: Recorder, rounds: int) -> None:
    """Time ``ASK`` and ``/`` one after another on the idle server (the in-run baseline)."""
    conn = Connection(port, "127.0.0.1", 120.0)
    for n in range(rounds):
        timed(conn, "ASK", sparql_request("ASK {}", f"idle {n}"), "idle", recorder)
        timed(conn, "home /", Request("GET", "/"), "idle", recorder)
    conn.close()


def load_phase(port: int, specs: list[ClientSpec], seconds: float, recorder: Recorder) -> float:
    """Run every client for ``seconds``; returns the wall time including the last answers."""
    stop_at = time.perf_counter() + seconds

    def client(index: int, spec: ClientSpec) -> None:
        conn = Connection(port, f"127.0.0.{index + 2}", 120.0)
        rng = random.Random(index)
        time.sleep(rng.uniform(0, 0.5))  # do not all start on the same instant
        n = 0
        while time.perf_counter() < stop_at:
            sample = timed(conn, spec.klass, spec.make(n), "load", recorder)
            n += 1
            refused = sample.status in (0, 429, 503)
            if spec.heavy:
                if refused:
                    time.sleep(HEAVY_REFUSAL_PAUSE_S)
            else:
                time.sleep(LIGHT_THINK_S)
        conn.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i, s), daemon=True) for i, s in enumerate(specs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 180)
    return time.perf_counter() - began


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank) of ``values``; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def summarise(samples: list[Sample], phase: str) -> dict[str, dict[str, Any]]:
    """Per request class: count, p50/p95/max of answered (200) requests, and status counts."""
    out: dict[str, dict[str, Any]] = {}
    for klass in dict.fromkeys(s.klass for s in samples if s.phase == phase):
        mine = [s for s in samples if s.phase == phase and s.klass == klass]
        all_s = [s.seconds for s in mine]
        ok = [s.seconds for s in mine if s.status == 200]
        out[klass] = {
            "count": len(mine),
            "answered": len(ok),
            "p50_s": percentile(ok, 50),
            "p95_s": percentile(ok, 95),
            "max_s": max(ok) if ok else float("nan"),
            # Time to an answer: a refusal or failure counts as never answered (infinitely slow).
            "p95_answer_s": percentile([s.seconds if s.status == 200 else float("inf") for s in mine], 95),
            "p95_all_s": percentile(all_s, 95),
            "statuses": dict(sorted(Counter(s.status for s in mine).items())),
            "bad_5xx": sum(1 for s in mine if s.status >= 500 and not (s.status == 503 and s.retry_after))
            + sum(1 for s in mine if s.status == 0),
        }
    return out


def measure(data_dir: Path | None, seconds: float, idle_rounds: int, serve_args: list[str]) -> dict[str, Any]:
    """Build (unless ``data_dir`` is given), serve, load, and return every figure."""
    scratch = None
    if data_dir is None:
        scratch = Path(tempfile.mkdtemp(prefix="councilkg-bench-load-"))
        data_dir = scratch / "data"
        build_samples_into(data_dir)
    try:
        port = free_port()
        server = start_server(data_dir, port, serve_args)
        try:
            conn = Connection(port, "127.0.0.1", 120.0)
            top_entity, authorities = discover(conn)
            # Warm up what a first request would otherwise pay for: the encoder, the graph view.
            conn.send(Request("GET", "/api/search?q=warm+up"))
            conn.send(Request("GET", "/"))
            conn.close()
            recorder = Recorder()
            idle_phase(port, recorder, idle_rounds)
            sampler = RssSampler(server.pid).start()
            idle_rss, _ = sampler.measure()
            specs = client_specs(top_entity, authorities)
            wall = load_phase(port, specs, seconds, recorder)
            sampler.stop()
            alive = server.poll() is None
        finally:
            stop_server(server)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    load = summarise(recorder.samples, "load")
    began = min((s.at for s in recorder.samples if s.phase == "load"), default=0.0)
    # When the target classes were refused or slow (seconds into the load), to see why.
    misses = [(round(s.at - began, 1), s.klass, s.status, round(s.seconds, 2)) for s in recorder.samples
              if s.phase == "load" and s.klass in ("ASK", "home /") and (s.status != 200 or s.seconds > 1.0)]
    idle = summarise(recorder.samples, "idle")
    bad = sum(v["bad_5xx"] for v in load.values())
    verdicts = {
        "ASK answered (200) within 2 s at p95, refusals counted as misses":
            load.get("ASK", {}).get("p95_answer_s", float("inf")) <= P95_TARGET_S,
        "home / answered (200) within 2 s at p95, refusals counted as misses":
            load.get("home /", {}).get("p95_answer_s", float("inf")) <= P95_TARGET_S,
        "peak RSS < 2 GB": sampler.peak_mb < RSS_TARGET_MB,
        "no 5xx but 503 + Retry-After": bad == 0,
        "server alive at the end": alive,
    }
    return {
        "seconds": seconds, "wall_s": wall, "clients": len(specs), "top_entity": top_entity,
        "load": load, "idle": idle, "peak_rss_mb": sampler.peak_mb, "idle_rss_mb": idle_rss,
        "peak_rss_parts": sampler.peak_parts, "rss_samples": sampler.samples,
        "verdicts": verdicts, "load_average": os.getloadavg(), "serve_args": serve_args,
        "misses": sorted(misses),
    }


def render(result: dict[str, Any]) -> str:
    """The result as a Markdown table and verdict lines."""
    lines = [
        f"{result['clients']} clients for {result['seconds']:.0f} s (wall {result['wall_s']:.0f} s); "
        f"entity with most facts: {result['top_entity']}; load average after: "
        + " / ".join(f"{x:.1f}" for x in result["load_average"]),
        "",
        "| phase | request class | count | answered (200) | p50 s | p95 s | max s | p95 to an answer s "
        "| statuses |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for phase in ("idle", "load"):
        for klass, row in result[phase].items():
            statuses = ", ".join(f"{k or 'none'}: {v}" for k, v in row["statuses"].items())
            lines.append(f"| {phase} | {klass} | {row['count']} | {row['answered']} | {row['p50_s']:.3f} | "
                         f"{row['p95_s']:.3f} | {row['max_s']:.3f} | {row['p95_answer_s']:.3f} | "
                         f"{statuses} |")
    parts = ", ".join(f"{label} {mb:.0f}" for label, mb in result["peak_rss_parts"])
    lines += ["", f"peak RSS of the server tree: {result['peak_rss_mb']:.0f} MB ({parts}); "
              f"before the load {result['idle_rss_mb']:.0f} MB; {result['rss_samples']} samples"]
    for klass in ("ASK", "home /"):
        idle, load = result["idle"].get(klass), result["load"].get(klass)
        if idle and load and idle["p95_s"] > 0:
            lines.append(f"{klass}: p95 under load / p95 idle = {load['p95_s']:.3f} / {idle['p95_s']:.3f} s "
                         f"= {load['p95_s'] / idle['p95_s']:.1f}x")
    if result.get("misses"):
        lines.append("ASK and / refused or over 1 s (s into the load, class, status, seconds): "
                     + "; ".join(f"{at} {k} {status} {sec}" for at, k, status, sec in result["misses"]))
    lines.append("")
    lines += [f"- {name}: {'hit' if ok else 'MISSED'}" for name, ok in result["verdicts"].items()]
    return "\n".join(lines)


def run(quick: bool) -> dict[str, Any]:
    """The suite's entry point: the load benchmark as metric rows."""
    result = measure(None, 10.0 if quick else 60.0, 5 if quick else 20, [])
    load, idle = result["load"], result["idle"]
    metrics = []
    for klass in ("ASK", "home /"):
        metrics.append({"metric": f"{klass} p95 under load ({result['clients']} clients, 8 heavy)",
                        "value": round(load[klass]["p95_answer_s"] * 1000, 1), "unit": "ms",
                        "baseline": round(idle[klass]["p95_s"] * 1000, 1),
                        "baseline_name": "same, idle server",
                        "target": "<= 2,000 ms"})
    metrics.append({"metric": "peak RSS of the server tree", "value": round(result["peak_rss_mb"]),
                    "unit": "MB", "target": "< 2,048 MB"})
    metrics.append({"metric": "5xx other than 503 + Retry-After",
                    "value": sum(v["bad_5xx"] for v in load.values()), "unit": "requests", "target": "0"})
    return {"metrics": metrics, "notes": render(result).splitlines()}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line of ``python -m benchmarks.bench_load``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_load",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path,
                        help="an already built data dir (default: build the samples)")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the load (default 60)")
    parser.add_argument("--idle-rounds", type=int, default=20,
                        help="ASK and / timed on the idle server first")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a councilkg setting for the server (repeatable)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.idle_rounds < 1:
        parser.error("--seconds must be positive and --idle-rounds at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table; exit 1 when a target is missed."""
    args = parse_args(argv)
    serve_args = [part for item in args.set for part in ("--set", item)]
    result = measure(args.data_dir, args.seconds, args.idle_rounds, serve_args)
    print(render(result))
    if args.json:
        print(json.dumps(result, default=str))
    return 0 if all(result["verdicts"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
