"""Safe SPARQL: the one entry point the CLI and the web endpoint call.

Every query is checked before it runs (SERVICE, LOAD and FROM on graphs outside the
councilkg dataset are refused; updates are refused unless enabled for an admin path), runs
under a time limit that really stops it (the embedded store evaluates it in a worker process
that is killed at the limit), and stops with an error past ``query_max_results`` rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from councilkg.errors import QueryError
from councilkg.settings import Settings
from kg.iris import ID
from kg.results import FORMAT_NAMES, format_name

if TYPE_CHECKING:
    from kg.store import GraphStore

UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})
MAX_QUERY_CHARS = 100_000

_STRING = (
    r"'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\""
    r"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\""
)
_IRI = r"<[^<>\"{}|^`\\\s]*>"
_COMMENT = r"#[^\n]*"
_LEXER = re.compile(f"({_STRING})|({_IRI})|({_COMMENT})")
_WORD = re.compile(r"(?<![?$:\w\-.@])([A-Za-z_][A-Za-z_0-9]*)(?![\w:\-])")
_PREFIX_DECL = re.compile(r"PREFIX\s+([A-Za-z_][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)
_FROM = re.compile(r"(?<![?$:\w])FROM\s+(?:NAMED\s+)?(\S+)", re.IGNORECASE)


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed the safety checks; ``is_update`` says it is a SPARQL update."""

    text: str
    is_update: bool


def _mask(sparql: str) -> tuple[str, list[str]]:
    """Replace strings, IRIs and comments by placeholders so that keywords inside them don't count."""
    found: list[str] = []

    def repl(m: re.Match[str]) -> str:
        if m.group(3):
            return " "
        found.append(m.group(0))
        return f" \x00{len(found) - 1}\x00 "

    return _LEXER.sub(repl, sparql), found


def check_query(sparql: str, *, allow_updates: bool = False) -> CheckedQuery:
    """Refuse what is never allowed and classify the request; raises :class:`QueryError`."""
    if not sparql or not sparql.strip():
        raise QueryError("empty query")
    if len(sparql) > MAX_QUERY_CHARS:
        raise QueryError(f"query longer than {MAX_QUERY_CHARS} characters")
    masked, literals = _mask(sparql)
    words = {w.upper() for w in _WORD.findall(masked)}
    if "SERVICE" in words:
        raise QueryError("SERVICE (federated query) is refused: queries only run on the councilkg graph")
    if "LOAD" in words:
        raise QueryError("LOAD is refused: the graph is only filled by `councilkg build`")
    prefixes = {m.group(1) or "": m.group(2) for m in _PREFIX_DECL.finditer(sparql)}
    for m in _FROM.finditer(masked):
        target = m.group(1)
        iri = _placeholder_iri(target, literals, prefixes)
        if iri is None or not iri.startswith(ID):
            raise QueryError(f"FROM {iri or target} is refused: only councilkg graphs ({ID}…) may be named")
    is_update = bool(words & UPDATE_KEYWORDS)
    if is_update and not allow_updates:
        raise QueryError("updates are refused here (setting allow_updates, admin path only)", status=403)
    return CheckedQuery(sparql, is_update)


def _placeholder_iri(token: str, literals: list[str], prefixes: dict[str, str]) -> str | None:
    placeholder = re.fullmatch(r"\x00(\d+)\x00", token)
    if placeholder:
        value = literals[int(placeholder.group(1))]
        return value[1:-1] if value.startswith("<") else None
    if ":" in token:
        prefix, local = token.split(":", 1)
        if prefix in prefixes:
            return prefixes[prefix] + local
    return None


def run_query(
    store: GraphStore, sparql: str, accept_format: str | None = "json", settings: Settings | None = None
) -> tuple[bytes, str]:
    """Run a read-only SPARQL query safely; returns the serialised results and their media type.

    ``accept_format`` is a format name (one of ``FORMAT_NAMES``) or an HTTP Accept header.
    Raises :class:`QueryError` (refused, syntax, too many results) or
    :class:`~councilkg.errors.QueryTimeout`.
    """
    settings = settings or store.settings
    checked = check_query(sparql, allow_updates=False)
    timeout_s, max_results = float(settings.query_timeout_s), int(settings.query_max_results)
    return store.execute(checked.text, format_name(accept_format), timeout_s, max_results)


def run_update(store: GraphStore, sparql: str, settings: Settings | None = None) -> None:
    """Run a SPARQL update on the admin path; refused unless the setting ``allow_updates`` is on."""
    settings = settings or store.settings
    if not settings.allow_updates:
        raise QueryError("updates are refused (setting allow_updates is off)", status=403)
    checked = check_query(sparql, allow_updates=True)
    if not checked.is_update:
        raise QueryError("not an update; use run_query for queries")
    store.update(checked.text)


__all__ = ["FORMAT_NAMES", "CheckedQuery", "check_query", "run_query", "run_update"]
