"""Shared fixtures: paths to the bundled samples and a fresh data dir per test."""

from __future__ import annotations

from pathlib import Path

import pytest
from pg_server import postgres_server, postgres_url  # noqa: F401  (fixtures: a real PostgreSQL server)

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "corpus" / "data" / "samples"
EVAL = ROOT / "tests" / "data" / "eval"


@pytest.fixture
def samples_dir() -> Path:
    """The bundled sample corpus (five papers and catalogue.csv)."""
    return SAMPLES


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty data directory for one test."""
    d = tmp_path / "data"
    d.mkdir()
    return d
