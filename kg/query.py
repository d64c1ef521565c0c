"""Safe SPARQL: the one entry point the CLI and the web endpoint call.

Every query is checked before it runs (SERVICE, LOAD and FROM on graphs outside the
councilkg dataset are refused; updates are refused unless enabled for an admin path), runs
under a time limit that really stops it (the embedded store evaluates it in a worker process
that is killed at the limit), and stops with an error past ``query_max_results`` rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from councilkg.errors import QueryError
from councilkg.settings import Settings
from kg.iris import ID
from kg.results import FORMAT_NAMES, format_name

if TYPE_CHECKING:
    from kg.store import GraphStore

MAX_QUERY_CHARS = 100_000

_CRLF = re.compile(r"\r\n?")
_SERVICE_NODES = frozenset({"ServiceGraphPattern"})
_LOAD_NODES = frozenset({"Load"})


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed the safety checks: the exact ``text`` the engine is to run, whether it
    is a SPARQL update, and its form (``select``, ``ask``, ``construct``, ``describe`` or ``update``)."""

    text: str
    is_update: bool
    form: str = "select"


def canonical_text(sparql: str) -> str:
    """The query as both parsers must read it: ``\\uXXXX`` escapes expanded, line ends as ``\\n``.

    The safety check (rdflib) and the engine (Oxigraph) must see the same tokens. They differ on
    two lexical points: Oxigraph ends a ``#`` comment at ``\\r`` as well as ``\\n`` (rdflib only at
    ``\\n``), and SPARQL's codepoint escapes, which the spec expands before parsing, are read
    differently by the two. So the text is rewritten once into a form that has neither, the check
    parses that text, and exactly that text is what runs.
    """
    from rdflib.plugins.sparql.parser import expandUnicodeEscapes

    try:
        text = expandUnicodeEscapes(sparql)
    except ValueError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from None
    text = _CRLF.sub("\n", text)
    if expandUnicodeEscapes(text) != text:
        raise QueryError("escape sequences that spell further escape sequences are refused")
    return text


def _parse(text: str) -> tuple[Any, bool]:
    """rdflib's parse tree of ``text`` and whether it is an update; refuses what rdflib cannot parse."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        try:
            return parseQuery(text), False
        except ParseException as query_exc:
            try:
                return parseUpdate(text), True
            except ParseException:
                pass
            reason = " ".join(str(query_exc).split())
            raise QueryError(f"SPARQL syntax error: {reason}") from None
    except RecursionError:
        raise QueryError("query nested too deeply to be checked") from None


def _nodes(tree: Any) -> Iterator[Any]:
    """Every rdflib ``CompValue`` of a parse tree (iteratively: a deep tree must not recurse)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            yield item
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, ParseResults)):
            stack.extend(item)


def _dataset_iris(tree: Any) -> list[str]:
    """The FROM and FROM NAMED graph IRIs of a parsed query, prefixed names resolved."""
    from rdflib.plugins.sparql.algebra import translateQuery

    try:
        algebra = translateQuery(tree).algebra
    except RecursionError:
        raise QueryError("query nested too deeply to be checked") from None
    except Exception as exc:  # rdflib's algebra raises plain exceptions (e.g. an unknown prefix)
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise QueryError(f"SPARQL error: {first}") from None
    clauses = algebra.get("datasetClause") or []
    return [str(c["default"] if "default" in c else c["named"]) for c in clauses]


_FROM_WORD = re.compile(r"\bfrom\b", re.IGNORECASE)


def declares_dataset(text: str) -> bool:
    """Whether a checked query names its own dataset (FROM or FROM NAMED).

    Such a query runs on exactly the graphs it names; any other sees the union of all graphs as
    its default graph. Only a text holding the word ``from`` is parsed to make sure."""
    if not _FROM_WORD.search(text):
        return False
    try:
        tree, is_update = _parse(text)
        return not is_update and bool(_dataset_iris(tree))
    except QueryError:
        return False


def query_weight(text: str) -> str:
    """A static guess of a checked query's cost from its algebra: ``light``, ``normal`` or ``heavy``.

    ``light``: at most two triple patterns, no ORDER BY, GROUP BY or ``*``/``+`` path, no cross
    product (``ASK {}``, a lookup by subject). ``heavy``: a cross product (triple patterns sharing
    no variable, as in the issue's sorted ``?a ?p ?o . ?b ?q ?r``), a ``*``/``+`` path, or ORDER BY
    or GROUP BY over several patterns. Anything else, or what cannot be read, is ``normal``. Used
    to order the SPARQL lanes (:mod:`web.security`); the time and memory limits still decide."""
    from rdflib.paths import MulPath
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    try:
        tree, is_update = _parse(text)
        if is_update:
            return "normal"
        algebra = translateQuery(tree).algebra
    except Exception:  # noqa: BLE001 - a guess only; the check itself reports errors
        return "normal"
    triples, ordered, cross, paths = 0, False, False, False
    stack: list[Any] = [algebra]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            if item.name == "BGP":
                bgp = list(item.get("triples") or [])
                triples += len(bgp)
                groups: list[set[Any]] = []
                for triple in bgp:
                    names = {t for t in triple if isinstance(t, Variable)}
                    paths = paths or any(isinstance(t, MulPath) and t.mod in ("*", "+") for t in triple)
                    joined = [g for g in groups if g & names]
                    merged = set(names).union(*joined) if joined else set(names)
                    groups = [g for g in groups if g not in joined] + [merged]
                cross = cross or len([g for g in groups if g]) > 1
            elif item.name in {"OrderBy", "Group", "AggregateJoin"}:
                ordered = True
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, MulPath) and item.mod in ("*", "+"):
            paths = True
    if cross or paths or (ordered and triples >= 2):
        return "heavy"
    if triples <= 2 and not ordered:
        return "light"
    return "normal"


def check_query(sparql: str, *, allow_updates: bool = False) -> CheckedQuery:
    """Parse the query with a real SPARQL parser and refuse what is never allowed.

    SERVICE (anywhere, in queries and updates), LOAD and FROM on graphs outside the councilkg
    dataset are refused, as is every update unless ``allow_updates``; text the parser cannot
    read is refused rather than passed on. Raises :class:`QueryError`.
    """
    if not sparql or not sparql.strip():
        raise QueryError("empty query")
    if len(sparql) > MAX_QUERY_CHARS:
        raise QueryError(f"query longer than {MAX_QUERY_CHARS} characters")
    text = canonical_text(sparql)
    tree, is_update = _parse(text)
    names = {node.name for node in _nodes(tree)}
    if names & _SERVICE_NODES:
        raise QueryError("SERVICE (federated query) is refused: queries only run on the councilkg graph")
    if names & _LOAD_NODES:
        raise QueryError("LOAD is refused: the graph is only filled by `councilkg build`")
    if is_update:
        if not allow_updates:
            raise QueryError("updates are refused here (setting allow_updates, admin path only)", status=403)
        return CheckedQuery(text, True, "update")
    for iri in _dataset_iris(tree):
        if not iri.startswith(ID):
            raise QueryError(f"FROM {iri} is refused: only councilkg graphs ({ID}…) may be named")
    form = tree[1].name.removesuffix("Query").lower()
    return CheckedQuery(text, False, form)


def run_query(
    store: GraphStore, sparql: str, accept_format: str | None = "json", settings: Settings | None = None,
    *, lane: str = "main", timeout_s: float | None = None, cpu_limit_s: float | None = None,
) -> tuple[bytes, str]:
    """Run a read-only SPARQL query safely; returns the serialised results and their media type.

    ``accept_format`` is a format name (one of ``FORMAT_NAMES``) or an HTTP Accept header.
    ``lane`` picks the store's worker (``main`` or ``quick``) and ``timeout_s`` shortens the
    time limit below ``query_timeout_s`` (never lengthens it); ``cpu_limit_s`` also stops it
    after that much CPU time where the store can measure it.
    Raises :class:`QueryError` (refused, syntax, too many results) or
    :class:`~councilkg.errors.QueryTimeout`.
    """
    settings = settings or store.settings
    checked = check_query(sparql, allow_updates=False)
    limit_s, max_results = float(settings.query_timeout_s), int(settings.query_max_results)
    if timeout_s is not None:
        limit_s = min(limit_s, timeout_s)
    return store.execute(checked.text, format_name(accept_format), limit_s, max_results, lane=lane,
                         cpu_limit_s=cpu_limit_s)


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
