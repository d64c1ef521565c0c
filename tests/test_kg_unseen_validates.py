"""A paper whose council is unknown still gives a graph that conforms to the shapes: its people's
roles have no organisation, its decisions may have no body (issue #15: facts on unseen papers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from councilkg.settings import Settings
from kg.store import open_graph_store

pytestmark = pytest.mark.slow

TEXT = """MINUTES

Present: Councillor Jane Okafor (Chair), Councillor Tom Reyes

1. Jane Okafor - Director of Adult Services
2. RESOLVED that the home care contract be extended to 31 March 2026 at a cost of £240,000.
3. The Committee noted the report on day services.
"""


def test_a_paper_without_a_known_council_validates(tmp_path: Path) -> None:
    from corpus import load_document
    from nlp.extractor import Extractor

    path = tmp_path / "minutes.txt"
    path.write_text(TEXT, encoding="utf-8")
    doc = load_document(path)
    assert doc.metadata.authority is None
    ex = Extractor().extract(doc)
    assert any(r.type == "has_role" and r.object is None for r in ex.relations)
    with open_graph_store(Settings.load({"data_dir": str(tmp_path / "data")}, environ={})) as store:
        store.replace_paper(doc, ex)
        report = store.validate()
    assert report.conforms, report.text
