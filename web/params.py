"""One validation layer for the query parameters of every view: integers, choices and text.

Every view reads its integer and choice parameters through these functions, so a bad value
is always a 400 whose one-line message names the parameter (as JSON for API clients, as a
small page for people), never a traceback. Integers are ASCII digits only: Python's ``int``
and ``str.isdigit`` also accept other scripts' digits and superscripts (``int("٣")`` is 3,
``"²".isdigit()`` is true but ``int("²")`` fails), which is how a crafted ``page=²`` once
reached a 500.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from councilkg.errors import CouncilKGError

ASCII_DIGITS = re.compile(r"[0-9]{1,18}")
"""A whole number as a request may write it: ASCII digits only, at most 18 of them."""

YEAR_RANGE = (1900, 2100)

MAX_TEXT_CHARS = 200
"""The longest value a text parameter (a name, a committee, a filter) may have."""


class ParameterError(CouncilKGError):
    """A request parameter with a value the view cannot use (HTTP 400)."""

    status = 400


def _raw(args: Mapping[str, str], name: str) -> str:
    return (args.get(name) or "").strip()


def parse_int(raw: str, name: str, low: int, high: int) -> int:
    """``raw`` as an integer from ``low`` to ``high``, else a :class:`ParameterError` naming ``name``."""
    if not ASCII_DIGITS.fullmatch(raw) or not low <= int(raw) <= high:
        raise ParameterError(f"parameter {name!r} must be a whole number from {low} to {high}")
    return int(raw)


def int_param(
    args: Mapping[str, str], name: str, low: int, high: int, default: int | None = None
) -> int | None:
    """The integer parameter ``name`` (``default`` when absent or empty), checked against its range."""
    raw = _raw(args, name)
    return default if not raw else parse_int(raw, name, low, high)


def year_param(args: Mapping[str, str], name: str) -> int | None:
    """A year parameter (1900 to 2100), or None when absent."""
    return int_param(args, name, *YEAR_RANGE)


def choice_param(
    args: Mapping[str, str], name: str, choices: Iterable[str], default: str | None = None
) -> str | None:
    """The parameter ``name`` if it is one of ``choices`` (``default`` when absent or empty)."""
    options = tuple(choices)
    raw = _raw(args, name)
    if not raw:
        return default
    if raw not in options:
        raise ParameterError(f"parameter {name!r} must be one of: {', '.join(options)}")
    return raw


def text_param(args: Mapping[str, str], name: str, limit: int = MAX_TEXT_CHARS) -> str | None:
    """The text parameter ``name`` stripped (None when empty); longer than ``limit`` is an error."""
    raw = _raw(args, name)
    if len(raw) > limit:
        raise ParameterError(f"parameter {name!r} is longer than {limit} characters")
    return raw or None
