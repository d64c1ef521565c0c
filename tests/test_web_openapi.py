"""schemathesis explores the JSON API from its OpenAPI document and finds no server error."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from test_web_support import make_app

# One app for the whole exploration (with a rate limit high enough not to answer 429).
APP = make_app(Path(tempfile.mkdtemp(prefix="councilkg-web-openapi-")), search_rate_limit=100000)
schema = schemathesis.openapi.from_wsgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_answers_a_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error])
