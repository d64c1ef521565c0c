"""Forms that keep what people typed: messages for empty, over-long and reversed input, input
limits that match the server's, and a heading on every page (no browser needed)."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from test_web_support import make_app

from web.params import MAX_TEXT_CHARS
from web.search_results import MAX_QUERY_CHARS
from web.views.pages import page_title, scrolling_tables


@pytest.fixture
def client(tmp_path: Any) -> Any:
    return make_app(tmp_path, search_rate_limit=0).test_client()


def page(client: Any, url: str) -> tuple[int, str]:
    response = client.get(url, headers={"Accept": "text/html"})
    return response.status_code, response.get_data(as_text=True)


def field_value(text: str, name: str) -> str:
    match = re.search(rf'<input id="{name}" name="{name}"[^>]*value="([^"]*)"', text)
    assert match, name
    return html.unescape(match.group(1))


def test_an_empty_search_says_what_to_do(client: Any) -> None:
    status, text = page(client, "/search?q=")
    assert status == 200 and "Type some words" in text
    status, text = page(client, "/search?q=&authority=County")
    assert "filters narrow a search" in text and field_value(text, "authority") == "County"
    assert "Type some words" not in page(client, "/search")[1]  # not before anything was sent


def test_an_over_long_search_keeps_the_words_and_says_the_limit(client: Any) -> None:
    words = "care home " * 500  # 5,000 characters
    status, text = page(client, "/search?q=" + words.replace(" ", "+") + "&committee=Adult")
    assert status == 400
    assert f"a search may be at most {MAX_QUERY_CHARS}" in text and "4,999 characters" in text
    assert field_value(text, "q") == words  # every character as typed (the view strips only to check)
    assert field_value(text, "committee") == "Adult"
    assert 'aria-invalid="true" aria-describedby="q-problem"' in text and 'id="q-problem"' in text


def test_reversed_years_say_so_and_offer_the_swap(client: Any) -> None:
    status, text = page(client, "/search?q=care&from_year=2021&to_year=2019")
    assert status == 400 and "From year 2021 is after To year 2019" in text
    assert 'href="/search?q=care&amp;from_year=2019&amp;to_year=2021"' in text
    assert field_value(text, "from_year") == "2021" and field_value(text, "to_year") == "2019"


def test_a_year_that_is_no_year_is_named_and_kept(client: Any) -> None:
    status, text = page(client, "/search?q=care&to_year=soon")
    assert status == 400 and "To year must be a year from 1900 to 2100" in text
    assert field_value(text, "to_year") == "soon"
    json_answer = client.get("/search?q=care&to_year=soon", headers={"Accept": "application/json"})
    assert json_answer.status_code == 400 and "'to_year'" in json_answer.get_json()["error"]


def test_inputs_carry_the_server_limits(client: Any) -> None:
    text = page(client, "/search")[1]
    assert f'id="q" name="q" type="search" value="" maxlength="{MAX_QUERY_CHARS}"' in text
    for name in ("authority", "committee", "type", "entity"):
        assert re.search(rf'id="{name}" name="{name}"[^>]*maxlength="{MAX_TEXT_CHARS}"', text), name
    assert text.count('maxlength="4"') == 2
    assert f'maxlength="{MAX_QUERY_CHARS}"' in page(client, "/")[1]


def test_a_good_search_still_finds(client: Any) -> None:
    status, text = page(client, "/search?q=home+care&from_year=2017&to_year=2019")
    assert status == 200 and 'class="result"' in text and "problems" not in text


@pytest.mark.parametrize("url", ["/", "/search", "/papers", "/papers/city-2017", "/ontology", "/api",
                                 "/papers/no-such-paper"])
def test_every_page_has_one_h1(client: Any, url: str) -> None:
    assert page(client, url)[1].count("<h1") == 1


def test_the_ontology_title_is_the_h1_and_its_sections_h2() -> None:
    title, rest = page_title("<!-- note -->\n\n# Vocabulary\n\n## Classes\n\n### Paper\n", "x")
    assert title == "Vocabulary" and "\n# Classes" in rest and "\n## Paper" in rest
    assert page_title("Just text\n# Later", "Default") == ("Default", "Just text\n# Later")
    wrapped = scrolling_tables("<table><tr><td>a</td></tr></table><table></table>")
    assert wrapped.count('class="table-wrap" role="region"') == 2 and 'tabindex="0"' in wrapped
    assert wrapped.endswith("</table></div>")
