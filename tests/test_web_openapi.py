"""The OpenAPI 3.1 document describes what the API really answers, and schemathesis agrees.

schemathesis explores every operation of ``/openapi.json`` (the JSON API and ``/sparql``)
with a bounded number of generated requests, offline against the WSGI app, and runs all of
its checks: no server error, documented status codes, content types and headers, answers
valid against the generated response schemas, schema-violating requests rejected and
schema-valid ones accepted.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from test_web_support import make_app

from web import api_models
from web.openapi import ANSWER_MODELS, range_pattern

# One app for the whole exploration (with a rate limit high enough not to answer 429).
APP = make_app(Path(tempfile.mkdtemp(prefix="councilkg-web-openapi-")), search_rate_limit=100000)
schema = schemathesis.openapi.from_wsgi("/openapi.json", APP)
schemathesis.serializer.alias("application/sparql-query", "text/plain")

NO_GRAMMAR = {"/sparql"}
"""Operations whose input language a JSON Schema cannot describe: a schema-valid string is
mostly not SPARQL, so 'valid data is accepted' cannot hold there (every other check runs)."""


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_openapi_document(case: schemathesis.Case) -> None:
    excluded = [positive_data_acceptance] if case.operation.path in NO_GRAMMAR else []
    case.call_and_validate(excluded_checks=excluded)


def test_every_answer_has_a_schema_generated_from_its_model() -> None:
    doc = APP.test_client().get("/openapi.json").get_json()
    assert doc["openapi"] == "3.1.0"
    schemas = doc["components"]["schemas"]
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method == "options":
                continue
            ok = op["responses"]["200"]["content"]
            assert all(media.get("schema") not in (None, {"type": "object"}) for media in ok.values()), path
    # each model's fields are its schema's (required) properties
    for model in (api_models.SearchHit, api_models.PaperDetail, api_models.GraphAnswer,
                  *ANSWER_MODELS.values()):
        props = schemas[model.__name__]
        names = [f.name for f in dataclasses.fields(model)]
        assert list(props["properties"]) == names
        assert props["required"] == names


def test_sparql_endpoint_is_described() -> None:
    doc = APP.test_client().get("/openapi.json").get_json()
    sparql = doc["paths"]["/sparql"]
    assert {"get", "post"} <= set(sparql)
    assert "application/sparql-query" in sparql["post"]["requestBody"]["content"]
    answers = set(sparql["get"]["responses"]["200"]["content"])
    assert {"application/sparql-results+json", "text/turtle"} <= answers
    assert sparql["get"]["responses"]["429"] == {"$ref": "#/components/responses/Busy"}


def test_range_pattern_matches_what_the_server_reads() -> None:
    import re

    pattern = re.compile(range_pattern(1, 50))
    assert all(pattern.fullmatch(str(n)) for n in range(1, 51))
    assert pattern.fullmatch("")
    assert not any(pattern.fullmatch(s) for s in ("0", "51", "07", "30.0", "-1", "٣"))
