"""The hardening benchmarks (issue #12) import, parse their arguments and build their inputs
right; the benchmarks themselves are slow and run only by hand or ``make bench``."""

from __future__ import annotations

import pytest

from benchmarks import bench_load, bench_longpaper
from benchmarks.__main__ import select_stages


def test_both_are_suite_stages() -> None:
    assert [s.module for s in select_stages("load,longpaper")] == [
        "benchmarks.bench_load", "benchmarks.bench_longpaper"]


def test_load_arguments() -> None:
    args = bench_load.parse_args([])
    assert args.seconds == 60.0 and args.data_dir is None and args.set == []
    args = bench_load.parse_args(["--data-dir", "/tmp/x", "--seconds", "5", "--set", "query_timeout_s=5"])
    assert args.seconds == 5.0 and str(args.data_dir) == "/tmp/x" and args.set == ["query_timeout_s=5"]
    with pytest.raises(SystemExit):
        bench_load.parse_args(["--seconds", "0"])


def test_the_load_has_20_clients_8_of_them_heavy_and_no_repeated_sparql_text() -> None:
    specs = bench_load.client_specs("https://w3id.org/councilkg/id/org/x", ["Northfield Council"])
    assert len(specs) == 20 and sum(s.heavy for s in specs) == 8
    asks = [s for s in specs if s.klass == "ASK"]
    assert len(asks) == 4
    bodies = {s.make(n).body for s in asks for n in range(3)}
    assert len(bodies) == 12  # the answer cache never answers for the worker
    search = next(s for s in specs if s.klass == "heavy search").make(0)
    assert len(search.path) > 500


def test_percentiles_count_refusals_as_never_answered() -> None:
    samples = [bench_load.Sample("ASK", 200, 0.1, False, "load") for _ in range(18)]
    samples += [bench_load.Sample("ASK", 503, 0.01, True, "load"),
                bench_load.Sample("ASK", 500, 0.01, False, "load")]
    row = bench_load.summarise(samples, "load")["ASK"]
    assert row["answered"] == 18 and row["p95_s"] == pytest.approx(0.1)
    assert row["p95_answer_s"] == float("inf")  # 2 of 20 not answered: more than 5%
    assert row["bad_5xx"] == 1  # the 503 came with a Retry-After; the 500 did not count as one


def test_longpaper_arguments_and_papers_of_the_same_words() -> None:
    args = bench_longpaper.parse_args([])
    assert (args.words, args.paragraphs, args.baseline_paragraphs) == (96000, 32000, 1000)
    with pytest.raises(SystemExit):
        bench_longpaper.parse_args(["--words", "10", "--paragraphs", "20"])
    words = bench_longpaper.made_up_words(600)
    long, short = (bench_longpaper.paper_text(words, n, "Title") for n in (200, 10))
    assert long.count("\n\n") == 200 and short.count("\n\n") == 10
    assert long.replace(".", "").split() == short.replace(".", "").split()
