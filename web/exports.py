"""Helpers shared by the explorer's CSV exports."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection)."""


def spreadsheet_cell(value: object) -> object:
    """A CSV cell that a spreadsheet will not run as a formula (papers' words are untrusted):
    text starting with a formula character gets a leading apostrophe, other values pass."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value
