"""The SPARQL workbench page and the vocabulary it completes (without a browser)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from test_web_support import make_app

from web.vocabulary import vocabulary

CK = "https://w3id.org/councilkg/ontology#"


@pytest.fixture
def client(tmp_path: Path) -> Any:
    return make_app(tmp_path).test_client()


def test_vocabulary_holds_our_classes_properties_and_prefixes() -> None:
    vocab = vocabulary()
    assert CK + "Paper" in vocab.classes and CK + "Service" in vocab.classes
    assert "http://www.w3.org/ns/org#Organization" in vocab.classes  # a reused class
    assert not any(c.startswith("http://www.w3.org/2001/XMLSchema#") for c in vocab.classes)
    assert CK + "evidence" in vocab.properties or any(p.startswith(CK) for p in vocab.properties)
    assert "http://purl.org/dc/terms/title" in vocab.properties  # used by the shapes
    assert vocab.prefixes["ck"] == CK and vocab.prefixes["id"] == "https://w3id.org/councilkg/id/"
    assert "ck: <" + CK + ">" in vocab.as_json()["prefix_lines"]


def test_vocabulary_json_endpoint(client) -> None:
    data = client.get("/sparql/vocabulary.json").get_json()
    assert CK + "Paper" in data["classes"] and data["prefixes"]["ck"] == CK


def test_workbench_page_carries_vocabulary_examples_and_the_fallback(client) -> None:
    response = client.get("/query")
    html = response.get_data(as_text=True)
    assert "/assets/vendor/yasgui.min.js" in html and "/assets/vendor/yasgui.min.css" in html
    vocab = json.loads(re.search(r'id="sparql-vocabulary">(.*?)</script>', html, re.S).group(1))
    assert CK + "Paper" in vocab["classes"]
    examples = json.loads(re.search(r'id="sparql-examples">(.*?)</script>', html, re.S).group(1))
    assert examples[0]["name"] == "papers_by_date" and "SELECT ?paper ?date" in examples[0]["query"]
    assert 'id="workbench-failed"' in html and "<noscript>" in html
    assert 'id="plain-editor"' in html and 'class="editor plain"' in html
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "style-src 'self' 'unsafe-inline'" in csp


def test_an_example_link_opens_that_question(client) -> None:
    html = client.get("/query?example=papers_by_date").get_data(as_text=True)
    assert 'data-chosen="papers_by_date"' in html and "# Papers and their dates" in html
