"""The one validation layer for integer and choice parameters (issue #12 item 10)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_web_support import HOME_CARE, make_app

from web.params import ParameterError, choice_param, int_param, parse_int

# Digits of other scripts that str.isdigit() accepts: superscripts (which int() refuses) and
# Arabic-Indic / Devanagari / fullwidth digits (which int() quietly reads as numbers).
NOT_ASCII = ("²", "²²²²", "٢٠١٩", "२०१९", "２０１９", "¹⁹⁹⁹")


@pytest.fixture
def client(tmp_path: Path) -> Any:
    return make_app(tmp_path).test_client()


@pytest.mark.parametrize("raw", NOT_ASCII + ("", "-1", "+3", "1e3", "3.0", " ", "9" * 40))
def test_parse_int_takes_ascii_digits_only(raw: str) -> None:
    with pytest.raises(ParameterError, match="parameter 'page' must be a whole number from 1 to 9999"):
        parse_int(raw, "page", 1, 9999)


def test_int_and_choice_params_range_and_default() -> None:
    assert int_param({"page": " 42 "}, "page", 1, 50) == 42
    assert int_param({}, "page", 1, 50, default=1) == 1
    with pytest.raises(ParameterError, match="from 1 to 50"):
        int_param({"page": "51"}, "page", 1, 50)
    assert choice_param({"kind": "service"}, "kind", ("service", "person")) == "service"
    assert choice_param({"kind": ""}, "kind", ("service",)) is None
    with pytest.raises(ParameterError, match="parameter 'kind' must be one of: service, person"):
        choice_param({"kind": "planet"}, "kind", ("service", "person"))


@pytest.mark.parametrize("path", [
    "/api/search?q=care&page={}", "/api/search?q=care&per_page={}", "/api/search?q=care&from_year={}",
    "/search?q=care&to_year={}", "/api/graph?iri=" + HOME_CARE + "&year={}",
    "/graph?iri=" + HOME_CARE + "&year={}",
    "/papers?year={}", "/entities?page={}",
])
@pytest.mark.parametrize("raw", ["²", "²²²²", "٢٠١٩"])
def test_unicode_digits_are_a_400_naming_the_parameter(client: Any, path: str, raw: str) -> None:
    url = path.format(raw)
    name = url.rsplit("&", 1)[-1].split("?")[-1].split("=")[0]
    response = client.get(url, headers={"Accept": "application/json"})
    assert response.status_code == 400, url
    assert name in response.get_json()["error"]
    html = client.get(url, headers={"Accept": "text/html"})
    page = html.get_data(as_text=True)
    assert html.status_code == 400 and name in page and "Traceback" not in page


def test_good_values_still_work(client: Any) -> None:
    assert client.get("/api/graph?iri=" + HOME_CARE + "&year=2019").status_code == 200
    assert client.get("/papers?year=2017").status_code == 200
    assert client.get("/entities?page=1&kind=service").status_code == 200


def test_bad_choices_are_400_not_silently_ignored(client: Any) -> None:
    response = client.get("/entities?kind=planet", headers={"Accept": "application/json"})
    assert response.status_code == 400 and "'kind'" in response.get_json()["error"]
    response = client.get("/id/service/home-care?format=exe", headers={"Accept": "application/json"})
    assert response.status_code == 400 and "'format'" in response.get_json()["error"]
    assert client.get("/id/service/home-care?format=ttl").mimetype == "text/turtle"


def test_a_passage_link_with_unicode_digits_does_not_break_the_paper_page(client: Any) -> None:
    assert client.get("/papers/city-2017?at=²-³").status_code == 200
