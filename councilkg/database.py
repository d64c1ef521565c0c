"""One SQL connection, SQLite or PostgreSQL, behind the few calls the stores make.

The corpus store and the search index write their SQL once, in the dialect both engines
share (``?`` placeholders, ``INSERT ... ON CONFLICT``, ``RETURNING``); :class:`Database`
turns placeholders into psycopg's ``%s`` on PostgreSQL and gives both engines the same
transactions: :meth:`Database.transaction` is ``BEGIN IMMEDIATE`` on SQLite (one writer
at a time per file) and, on PostgreSQL, a transaction that first takes an advisory lock
named by the caller, so two build workers on different machines writing the same paper
(or the same index) wait for each other instead of interleaving.

The ``database`` setting selects the engine: empty means SQLite files in the data
directory, ``postgresql://user:password@host:port/dbname`` a server (see docs/postgres.md).
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import threading
import zlib
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from councilkg.errors import CouncilKGError, one_line

SQLITE = "sqlite"
POSTGRES = "postgres"

_URL_SCHEMES = ("postgresql://", "postgres://")


def is_server_url(url: str) -> bool:
    """Whether ``url`` names a PostgreSQL server (else the embedded SQLite files are used)."""
    return url.strip().lower().startswith(_URL_SCHEMES)


def database_url(values: Any) -> str:
    """The ``database`` setting of ``values`` (a :class:`~councilkg.settings.Settings` or a
    mapping): ``""`` for the SQLite files, else a ``postgresql://`` URL; anything else is a
    one-line :class:`CouncilKGError` naming the setting."""
    mapping = getattr(values, "values", values)
    url = str(mapping.get("database") or "").strip()
    if url and not is_server_url(url):
        raise CouncilKGError(
            f"setting database: {shown_url(url)!r} is not a postgresql:// URL "
            "(leave it empty for SQLite files)"
        )
    return url


def shown_url(url: str) -> str:
    """``url`` without its password, for messages."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


@lru_cache(maxsize=1024)
def to_pyformat(sql: str) -> str:
    """``sql`` with its ``?`` placeholders as ``%s`` and literal ``%`` doubled (psycopg's syntax).

    Question marks inside quoted strings or identifiers are left alone.
    """
    out: list[str] = []
    quote = ""
    for ch in sql:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "?":
            out.append("%s")
            continue
        if ch == "%":
            out.append("%%")
            continue
        out.append(ch)
    return "".join(out)


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for ``name`` (same on every machine)."""
    value = zlib.crc32(name.encode("utf-8")) | (zlib.adler32(name.encode("utf-8")) << 32)
    return value - (1 << 64) if value >= (1 << 63) else value


class Database:
    """A connection to SQLite or PostgreSQL with one placeholder style and one transaction API.

    ``execute`` returns the engine's cursor (``fetchone``, ``fetchall``, iteration work on
    both); ``with db:`` is :meth:`transaction` without a lock name, so code written for
    ``sqlite3`` (``with conn: conn.execute(...)``) runs unchanged on both engines.
    """

    dialect: str

    def __init__(self, raw: Any, dialect: str, where: str) -> None:
        self.raw = raw
        self.dialect = dialect
        self.where = where
        self._depth = 0
        self._lock = threading.RLock()
        self._open: list[contextlib.AbstractContextManager[Database]] = []

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def sqlite(cls, path: str | Path, *, timeout: float = 30.0) -> Database:
        """An SQLite file in WAL mode (autocommit between explicit transactions)."""
        raw = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("PRAGMA synchronous=NORMAL")
        return cls(raw, SQLITE, str(path))

    @classmethod
    def postgres(cls, url: str, *, setting: str = "database", schema: str | None = None) -> Database:
        """A PostgreSQL connection; a bad URL or a server that does not answer is one line naming
        ``setting``. With ``schema``, tables are created and looked up in that schema."""
        try:
            import psycopg
        except ImportError:  # pragma: no cover - psycopg is a dependency
            raise CouncilKGError(f"setting {setting}: PostgreSQL needs the psycopg package") from None
        try:
            raw = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except (psycopg.Error, ValueError) as exc:
            reason = one_line((str(exc).strip().splitlines() or [type(exc).__name__])[0])
            raise CouncilKGError(
                f"setting {setting}: cannot connect to PostgreSQL at {shown_url(url)} ({reason})"
            ) from None
        db = cls(raw, POSTGRES, shown_url(url))
        if schema:
            with db.transaction(lock="councilkg:schema"):
                db.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            db.execute(f'SET search_path TO "{schema}"')
        return db

    def close(self) -> None:
        """Close the connection."""
        with contextlib.suppress(Exception):
            self.raw.close()

    # -- statements ----------------------------------------------------------------------
    def _sql(self, sql: str) -> str:
        return to_pyformat(sql) if self.dialect == POSTGRES else sql

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        """Run one statement; the cursor holds its rows."""
        if self.dialect == POSTGRES:
            return self.raw.execute(self._sql(sql), params or None)
        return self.raw.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for each row of parameters."""
        if self.dialect == POSTGRES:
            rows = list(rows)
            if rows:
                with self.raw.cursor() as cursor:
                    cursor.executemany(self._sql(sql), rows)
            return
        self.raw.executemany(sql, rows)

    def insert_ids(self, sql: str, rows: Sequence[Sequence[Any]]) -> list[int]:
        """Run an ``INSERT ... RETURNING id`` for each row; the new ids in order."""
        if not rows:
            return []
        if self.dialect == POSTGRES:
            with self.raw.cursor() as cursor:
                cursor.executemany(self._sql(sql), rows, returning=True)
                ids = []
                while True:
                    ids.append(int(cursor.fetchone()[0]))
                    if not cursor.nextset():
                        break
                return ids
        return [int(self.raw.execute(sql, row).fetchone()[0]) for row in rows]

    def executescript(self, script: str) -> None:
        """Run several ``;``-separated statements (schema creation; no ``;`` inside one).

        One statement at a time, so this can run inside :meth:`transaction` (``sqlite3``'s own
        ``executescript`` would commit it first)."""
        for statement in script.split(";"):
            if statement.strip():
                self.raw.execute(statement)

    def commit(self) -> None:
        """Nothing to do: outside :meth:`transaction` every statement commits by itself."""

    def in_list(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """``column IN (...)`` for ``values``, with its parameters: on PostgreSQL one array
        parameter (``= ANY(?)``), so the statement's text stays the same and is prepared once."""
        if self.dialect == POSTGRES:
            return f"{column} = ANY(?)", [list(values)]
        return f"{column} IN ({','.join('?' * len(values))})", list(values)

    def json_values(self) -> str:
        """A subquery of the strings in a JSON array parameter (``... IN (<this>)``)."""
        if self.dialect == POSTGRES:
            return "SELECT jsonb_array_elements_text(CAST(? AS jsonb))"
        return "SELECT value FROM json_each(?)"

    def table_exists(self, name: str) -> bool:
        """Whether the table ``name`` exists (in the connection's schema)."""
        if self.dialect == POSTGRES:
            return self.raw.execute("SELECT to_regclass(%s)", (name,)).fetchone()[0] is not None
        row = self.raw.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,))
        return row.fetchone() is not None

    # -- transactions --------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self, lock: str | None = None) -> Iterator[Database]:
        """One atomic unit of work: committed when the block ends, rolled back when it raises.

        SQLite takes the file's write lock at once (``BEGIN IMMEDIATE``); PostgreSQL takes the
        advisory lock ``lock`` (when given) for the length of the transaction. Nested calls
        join the outer transaction.
        """
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            if self.dialect == POSTGRES:
                with self.raw.transaction():
                    if lock:
                        self.raw.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(lock),))
                    self._depth = 1
                    try:
                        yield self
                    finally:
                        self._depth = 0
                return
            self.raw.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self
            except BaseException:
                self._depth = 0
                self.raw.execute("ROLLBACK")
                raise
            self._depth = 0
            self.raw.execute("COMMIT")

    def __enter__(self) -> Database:
        cm = self.transaction()
        self._open.append(cm)
        return cm.__enter__()

    def __exit__(self, *exc: Any) -> None:
        self._open.pop().__exit__(*exc)

    # -- errors --------------------------------------------------------------------------
    def operational_errors(self) -> tuple[type[BaseException], ...]:
        """Exceptions meaning "the database could not do it" (busy, disk full, server gone)."""
        if self.dialect == POSTGRES:
            import psycopg

            return (psycopg.OperationalError,)
        return (sqlite3.OperationalError,)

    def errors(self) -> tuple[type[BaseException], ...]:
        """Every exception the engine raises for a failed statement."""
        if self.dialect == POSTGRES:
            import psycopg

            return (psycopg.Error,)
        return (sqlite3.Error,)


def postgres_ddl(schema: str) -> str:
    """An SQLite schema script in PostgreSQL's types: autoincrement ids and BYTEA blobs."""
    identity = "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
    schema = re.sub(r"\bid INTEGER PRIMARY KEY\b", identity, schema)
    return re.sub(r"\bBLOB\b", "BYTEA", schema)


__all__ = [
    "POSTGRES",
    "SQLITE",
    "Database",
    "database_url",
    "is_server_url",
    "lock_key",
    "postgres_ddl",
    "shown_url",
]
