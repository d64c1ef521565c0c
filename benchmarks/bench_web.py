"""Web load benchmark: search and /sparql over HTTP on loopback, against the bare layers.

The bundled sample corpus is built (``web.server.build_samples``, the same build as
``councilkg demo``) into a data dir, then served by waitress in a separate process, exactly as
``councilkg serve`` does, with the per-client rate limit switched off (``search_rate_limit=0``)
so that the server is measured rather than its limiter. Measured in the same run:

- **paced load** (open loop): requests are scheduled at a fixed rate (search 30/s, /sparql
  50/s) for 60 s each by a pool of client threads with keep-alive connections; latency is
  counted from the *scheduled* send time, so a server that falls behind cannot hide it
  (no coordinated omission). Reported: achieved requests/s, p50/p95/p99 latency, errors.
- **capacity** (closed loop): a few clients send back to back for a short window; the
  requests/s reached is compared with the bare layer called in-process, serially, on the
  same data (``SearchIndex.search`` / ``kg.query.run_query``) — the ratio is what the web
  stack (HTTP, Flask, rendering, JSON) keeps of the library's own speed.

Search queries are the development questions of ``tests/data/eval/queries_dev.json``;
/sparql queries are the competency questions of ``kg/queries`` (rotated), sent as
``application/sparql-query`` POSTs asking for SPARQL JSON. The endpoint answers a repeated
query from its response cache while the graph is unchanged; the first (uncached) latency of
each competency query is reported in the notes.

``python -m benchmarks.bench_web [--quick]`` prints the figures; ``run(quick)`` serves the suite.
``COUNCILKG_BENCH_WEB_DATA`` may name an already built data dir to skip the build.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
QUERIES_FILE = ROOT / "tests" / "data" / "eval" / "queries_dev.json"
SPARQL_DIR = ROOT / "kg" / "queries"

SEARCH_RATE, SPARQL_RATE = 30.0, 50.0
SEARCH_P95_MS = 300.0
PROCESSES = max(1, min(2, os.cpu_count() or 1))
"""Server worker processes (``councilkg serve --processes``): one per core of the 2-core target."""


@dataclass
class LoadResult:
    """What one load run saw."""

    sent: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return (self.sent - self.errors) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


@dataclass(frozen=True)
class Request:
    """One HTTP request of the mix."""

    method: str
    path: str
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()


def search_requests() -> list[Request]:
    """``/api/search`` requests for the development questions (the page's own JSON twin)."""
    questions = [q["q"] for q in json.loads(QUERIES_FILE.read_text(encoding="utf-8"))]
    return [Request("GET", "/api/search?" + urllib.parse.urlencode({"q": q})) for q in questions]


def sparql_requests() -> list[Request]:
    """POST /sparql requests for every competency query."""
    headers = (("Content-Type", "application/sparql-query"), ("Accept", "application/sparql-results+json"))
    return [
        Request("POST", "/sparql", path.read_bytes(), headers) for path in sorted(SPARQL_DIR.glob("*.rq"))
    ]


class Client:
    """One keep-alive HTTP connection per thread."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._local = threading.local()

    def send(self, req: Request, timeout_s: float = 300.0) -> tuple[int, bytes]:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout_s)
        try:
            conn.request(req.method, req.path, body=req.body, headers=dict(req.headers))
            response = conn.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            conn.close()
            self._local.conn = None
            raise


def paced_load(client: Client, requests: list[Request], rate: float, seconds: float,
               workers: int = 32) -> LoadResult:
    """Send ``requests`` (cycled) at ``rate`` per second for ``seconds``; latency from schedule."""
    result = LoadResult()
    lock = threading.Lock()
    total = int(rate * seconds)
    began = time.perf_counter()

    def one(i: int, due: float) -> None:
        req = requests[i % len(requests)]
        try:
            status, body = client.send(req)
            ok = status == 200
            problem = f"{status} {body[:120]!r}" if not ok else ""
        except Exception as exc:  # noqa: BLE001 - a failed request is counted, not raised
            ok, problem = False, f"{type(exc).__name__}: {exc}"
        elapsed = (time.perf_counter() - due) * 1000
        with lock:
            result.sent += 1
            result.latencies_ms.append(elapsed)
            if not ok:
                result.errors += 1
                if len(result.error_samples) < 3:
                    result.error_samples.append(problem)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for i in range(total):
            due = began + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, i, due)
    result.seconds = time.perf_counter() - began
    return result


def closed_loop(client: Client, requests: list[Request], seconds: float, clients: int = 4) -> LoadResult:
    """``clients`` threads sending back to back for ``seconds``: the server's capacity."""
    result = LoadResult()
    lock = threading.Lock()
    stop = time.perf_counter() + seconds
    began = time.perf_counter()

    def loop(offset: int) -> None:
        i = offset
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            try:
                status, _ = client.send(requests[i % len(requests)])
                ok = status == 200
            except Exception:  # noqa: BLE001
                ok = False
            with lock:
                result.sent += 1
                result.latencies_ms.append((time.perf_counter() - t0) * 1000)
                result.errors += 0 if ok else 1
            i += clients

    threads = [threading.Thread(target=loop, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - began
    return result


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by ``pid`` and its live descendants (Linux /proc;
    0.0 elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError, IndexError):
            continue
    return total


def bare_rate(call: Callable[[int], Any], n: int, seconds: float) -> float:
    """Serial in-process calls per second of ``call(i)`` (i cycles over ``n`` inputs)."""
    began, done = time.perf_counter(), 0
    while time.perf_counter() - began < seconds:
        call(done % n)
        done += 1
    return done / (time.perf_counter() - began)


def build_data(folder: Path) -> Path:
    """The sample corpus built into ``folder`` (as ``councilkg demo`` builds it)."""
    from councilkg.settings import Settings
    from web.server import build_samples

    settings = Settings.load({"data_dir": str(folder)})
    build_samples(settings, announce=lambda line: print("  build:", line, file=sys.stderr))
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, port: int, threads: int = 8, processes: int = 1) -> subprocess.Popen:
    """waitress serving the explorer in its own process(es) (what ``councilkg serve`` runs)."""
    code = (
        "from councilkg.settings import Settings; from web.server import serve; "
        f"serve(Settings.load({{'data_dir': {str(data_dir)!r}, 'search_rate_limit': 0}}), "
        f"'127.0.0.1', {port}, threads={threads}, announce=lambda s: None, processes={processes})"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "TOKENIZERS_PARALLELISM": "false"}
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("the web server exited at start") from None
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the web server did not start within 60 s")


def _metric(metric: str, value: float, unit: str, target: str, baseline: float | None = None,
            baseline_name: str = "") -> dict[str, Any]:
    row: dict[str, Any] = {"metric": metric, "value": round(value, 1), "unit": unit, "target": target}
    if baseline is not None:
        row.update(baseline=round(baseline, 1), baseline_name=baseline_name,
                   ratio=round(value / baseline, 3) if baseline else None)
    return row


def run(quick: bool) -> dict[str, Any]:
    """Serve the sample build on loopback and measure search and /sparql under load."""
    from councilkg.settings import Settings
    from kg.query import run_query
    from kg.store import open_graph_store
    from search.index import open_search_index
    from web.server import one_thread_per_request

    paced_s, capacity_s, bare_s = (5.0, 3.0, 2.0) if quick else (60.0, 15.0, 10.0)
    given = os.environ.get("COUNCILKG_BENCH_WEB_DATA")
    scratch = None if given else Path(tempfile.mkdtemp(prefix="councilkg-bench-web-"))
    try:
        data_dir = Path(given) if given else build_data(scratch / "data")
        searches, sparqls = search_requests(), sparql_requests()
        port = free_port()
        server = start_server(data_dir, port, processes=PROCESSES)
        try:
            client = Client(port)
            # Warm up: each process loads its encoder on its first search; 8 parallel connections
            # reach every process.
            with ThreadPoolExecutor(max_workers=8) as pool:
                list(pool.map(lambda i: client.send(searches[i % len(searches)]), range(8 * len(searches))))
            cold_ms = {}
            for path, req in zip(sorted(SPARQL_DIR.glob("*.rq")), sparqls, strict=True):
                t0 = time.perf_counter()
                status, _ = client.send(req)
                cold_ms[path.stem] = round((time.perf_counter() - t0) * 1000, 1) if status == 200 else status
            search_load = paced_load(client, searches, SEARCH_RATE, paced_s)
            sparql_load = paced_load(client, sparqls, SPARQL_RATE, paced_s)
            cpu0 = tree_cpu_seconds(server.pid)
            search_cap = closed_loop(client, searches, capacity_s)
            cpu1 = tree_cpu_seconds(server.pid)
            sparql_cap = closed_loop(client, sparqls, capacity_s)
            cpu2 = tree_cpu_seconds(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
        # The bare layers on the same data, in this process, after the server has stopped.
        settings = Settings.load({"data_dir": str(data_dir)})
        one_thread_per_request()  # the same inference threading as the server
        index = open_search_index(settings)
        questions = [urllib.parse.parse_qs(r.path.split("?", 1)[1])["q"][0] for r in searches]
        index.search(questions[0], k=10)
        bare_search = bare_rate(lambda i: index.search(questions[i], k=10), len(questions), bare_s)
        index.close()
        store = open_graph_store(settings)
        texts = [r.body.decode("utf-8") for r in sparqls]
        bare_sparql = bare_rate(lambda i: run_query(store, texts[i], "json"), len(texts), bare_s * 3)
        store.close()
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)

    # CPU the server spent per answered request: a load-independent cost, and what it would
    # allow on an otherwise idle machine with this many cores.
    cores = os.cpu_count() or 1
    search_cpu_ms = (cpu1 - cpu0) * 1000 / max(1, search_cap.sent)
    sparql_cpu_ms = (cpu2 - cpu1) * 1000 / max(1, sparql_cap.sent)
    metrics = [
        _metric(f"search paced {SEARCH_RATE:.0f}/s for {paced_s:.0f}s: achieved", search_load.rate, "req/s",
                f">= {SEARCH_RATE:.0f}"),
        _metric("search paced: p95 latency", search_load.percentile(95), "ms", f"< {SEARCH_P95_MS:.0f}"),
        _metric("search paced: errors", search_load.errors, "requests", "0"),
        _metric(f"/sparql paced {SPARQL_RATE:.0f}/s for {paced_s:.0f}s: achieved", sparql_load.rate, "req/s",
                f">= {SPARQL_RATE:.0f}"),
        _metric("/sparql paced: p95 latency", sparql_load.percentile(95), "ms", ""),
        _metric("/sparql paced: errors", sparql_load.errors, "requests", "0"),
        _metric("search capacity over HTTP (4 clients)", search_cap.rate, "req/s", "",
                bare_search, "SearchIndex.search in-process, serial"),
        _metric("/sparql capacity over HTTP (4 clients)", sparql_cap.rate, "req/s", "",
                bare_sparql, "kg.query.run_query in-process, serial, uncached"),
        _metric("search: server CPU per request", search_cpu_ms, "ms", ""),
        _metric(f"search: rate the server's CPU cost allows on {cores} idle cores",
                1000 * cores / search_cpu_ms if search_cpu_ms else 0.0, "req/s",
                f">= {SEARCH_RATE:.0f} (projection)"),
        _metric("/sparql: server CPU per request", sparql_cpu_ms, "ms", ""),
    ]
    notes = [
        f"search paced: p50 {search_load.percentile(50):.0f} ms, p99 {search_load.percentile(99):.0f} ms, "
        f"{search_load.sent} requests; /sparql paced: p50 {sparql_load.percentile(50):.0f} ms, "
        f"p99 {sparql_load.percentile(99):.0f} ms, {sparql_load.sent} requests",
        "first (uncached) /sparql latency per competency query, ms: "
        + ", ".join(f"{k.split('_')[0]}={v}" for k, v in cold_ms.items()),
        f"capacity errors: search {search_cap.errors}, /sparql {sparql_cap.errors}; "
        f"server: waitress, {PROCESSES} process(es) x 8 threads",
    ]
    for name, load in (("search", search_load), ("/sparql", sparql_load)):
        notes.extend(f"{name} error sample: {s}" for s in load.error_samples)
    return {"metrics": metrics, "notes": notes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 s runs instead of 60 s")
    args = parser.parse_args()
    result = run(args.quick)
    for m in result["metrics"]:
        extra = ""
        if "baseline" in m:
            extra = f"  (baseline {m['baseline']} {m['baseline_name']}, ratio {m['ratio']})"
        print(f"{m['metric']}: {m['value']} {m['unit']}  target {m['target']}{extra}")
    for note in result["notes"]:
        print("note:", note)


if __name__ == "__main__":
    main()
