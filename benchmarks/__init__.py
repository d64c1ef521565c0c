"""Benchmark suite: synthetic council papers, per-stage benchmarks and the ``BENCHMARKS.md`` report.

Run everything with ``python -m benchmarks`` (or ``make bench``); ``--quick`` runs a small
version of every stage, as the tests do. Each stage module (``bench_extraction``,
``bench_graph``, ``bench_search``, ``bench_web``…) exposes ``run(quick: bool) -> dict`` and is
imported only when its stage runs.
"""
