"""The corpus store: papers, versions, blocks and tables in SQLite at ``<data_dir>/corpus.sqlite``,
or in PostgreSQL (schema ``councilkg_corpus``) when the ``database`` setting names a server.

Ingestion is idempotent and crash-safe:

* a file whose content hash (and catalogue row) is already the paper's current version is
  skipped;
* a changed file replaces its paper in one transaction: new blocks and tables in, old ones
  out, and a new row in ``versions`` (earlier versions' hash and metadata stay there as
  history);
* the database runs in WAL mode and every paper is one transaction, so a build killed
  with ``kill -9`` leaves every paper either fully old or fully new, and a re-run completes;
* on PostgreSQL each paper's transaction first takes an advisory lock on its id, so build
  workers on several machines writing one paper take turns (the second sees the first's
  version and skips an unchanged file).

A file that cannot be loaded is reported with a one-line reason and changes nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from corpus.loaders import supported_suffixes
from corpus.loading import doc_id_for, doc_id_for_source, id_slug, load_document, name_slug, source_of
from corpus.metadata import CatalogueRow
from corpus.models import Block, Cell, Document, Metadata, Table
from councilkg.database import Database, database_url
from councilkg.errors import CouncilKGError, NotFound, one_line
from councilkg.settings import Settings

STORE_FILE = "corpus.sqlite"
PG_SCHEMA = "councilkg_corpus"
"""The PostgreSQL schema of the corpus tables (the search index has its own)."""
SCHEMA_VERSION = 2
"""2: paper ids are ``<slug>-<hash of the resolved path>`` (1: the file name's slug alone, so two
files of one name were one paper). A version-1 store is migrated when opened (``_migrate``)."""

# Files that describe a folder rather than being papers; skipped when a folder is walked.
_NOT_PAPERS = {"readme", "license", "licence", "changelog", "notice", "contributing"}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS papers (
    doc_id TEXT PRIMARY KEY,
    file_name TEXT NOT NULL,
    path TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    source_key TEXT NOT NULL,
    version INTEGER NOT NULL,
    authority TEXT, gss_code TEXT, date TEXT, year INTEGER, committee TEXT, title TEXT,
    document_type TEXT,
    pages INTEGER NOT NULL,
    words INTEGER NOT NULL,
    text TEXT NOT NULL,
    metadata_json TEXT NOT NULL,
    ingested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS versions (
    doc_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    file_name TEXT NOT NULL,
    path TEXT NOT NULL,
    metadata_json TEXT NOT NULL,
    ingested_at TEXT NOT NULL,
    PRIMARY KEY (doc_id, version)
);
CREATE TABLE IF NOT EXISTS blocks (
    doc_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    section TEXT NOT NULL,
    level INTEGER NOT NULL,
    page INTEGER,
    table_id INTEGER,
    row INTEGER,
    cells_json TEXT NOT NULL,
    grp TEXT NOT NULL,
    groups_json TEXT NOT NULL,
    PRIMARY KEY (doc_id, seq)
);
CREATE TABLE IF NOT EXISTS tables (
    doc_id TEXT NOT NULL,
    table_id INTEGER NOT NULL,
    header_json TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    page INTEGER,
    PRIMARY KEY (doc_id, table_id)
);
CREATE TABLE IF NOT EXISTS store_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS id_renames (
    old_id TEXT PRIMARY KEY,
    new_id TEXT NOT NULL,
    renamed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS stage_failures (
    stage TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    software TEXT NOT NULL,
    reason TEXT NOT NULL,
    failed_at TEXT NOT NULL,
    PRIMARY KEY (stage, doc_id)
);
"""

_PAPER_TABLES = ("papers", "versions", "blocks", "tables", "stage_failures")
"""Every table keyed by ``doc_id``: what an id migration rewrites and a removal deletes from."""


@dataclass(frozen=True)
class PaperRecord:
    """One paper as ``councilkg docs`` lists it."""

    id: str
    file: str
    authority: str | None
    gss_code: str | None
    date: str | None
    year: int | None
    committee: str | None
    title: str | None
    type: str | None
    pages: int
    words: int
    content_hash: str
    version: int

    def as_dict(self) -> dict[str, Any]:
        """The record as a plain dict (for JSON output)."""
        return asdict(self)


@dataclass(frozen=True)
class VersionRecord:
    """One stored version of a paper: its hash and the metadata it had."""

    version: int
    content_hash: str
    file_name: str
    ingested_at: str
    metadata: dict[str, Any]


@dataclass
class IngestReport:
    """What one ingestion did: paths added, updated, unchanged, and failures with reasons."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    changed_ids: list[str] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when no file failed."""
        return not self.failed


Progress = Callable[[str, str], None]
"""Called after each file with ``(path, outcome)``; outcome is added/updated/unchanged/failed."""


@dataclass(frozen=True)
class LoadTask:
    """One file to parse, with what the parsing needs (picklable for worker processes)."""

    path: str
    row: CatalogueRow | None
    settings: dict[str, Any]


def load_task(task: LoadTask) -> Document:
    """Parse one file (the function worker processes run)."""
    return load_document(task.path, catalogue_row=task.row, settings=Settings(task.settings))


Mapper = Callable[[Callable[[LoadTask], Document], Iterable[LoadTask]], Iterator[tuple[LoadTask, Any, Any]]]
"""Applies a function to tasks, yielding ``(task, document or None, one-line error or None)``."""


def map_inline(
    func: Callable[[LoadTask], Document], tasks: Iterable[LoadTask]
) -> Iterator[tuple[LoadTask, Any, Any]]:
    """The default :data:`Mapper`: one task after another in this process."""
    for task in tasks:
        try:
            yield task, func(task), None
        except CouncilKGError as exc:
            yield task, None, exc.message
        except Exception as exc:  # a bug must not stop the other papers; it is reported as such
            first_line = (str(exc).splitlines() or [""])[0]
            yield task, None, f"internal error: {type(exc).__name__}: {first_line}"


def discover_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Expand folders (recursively, sorted) into supported files; name missing paths as failures.

    Files named on the command line are always taken (an unsupported one then fails with
    a reason); inside folders only supported suffixes are taken, skipping hidden files and
    README/LICENSE-style notes.
    """
    suffixes = set(supported_suffixes())
    files: list[Path] = []
    missing: list[tuple[str, str]] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in suffixes
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and p.stem.lower() not in _NOT_PAPERS
            )
            if not found:  # most likely the wrong folder: say so rather than report nothing
                looked_for = " ".join(sorted(suffixes))
                missing.append((str(path), f"no papers in this folder (looked for {looked_for})"))
                continue
        elif path.exists():
            found = [path]
        else:
            missing.append((str(path), "no such file or folder"))
            continue
        for item in found:
            key = item.resolve()
            if key not in seen:
                seen.add(key)
                files.append(item)
    return files, missing


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _source_key(content: str, row: CatalogueRow | None) -> str:
    """What decides whether a paper must be re-ingested: its bytes and its catalogue row."""
    payload = json.dumps(asdict(row) if row else None, sort_keys=True)
    return hashlib.sha256(f"{content}\n{payload}".encode()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _metadata_dict(meta: Metadata) -> dict[str, Any]:
    return {
        "authority": meta.authority,
        "gss_code": meta.gss_code,
        "date": meta.date,
        "committee": meta.committee,
        "title": meta.title,
        "document_type": meta.document_type,
        # Only when known, so papers without them keep the same stored form as before.
        **{name: getattr(meta, name) for name in ("source_url", "meeting_url") if getattr(meta, name)},
        "sources": dict(meta.sources),
    }


class CorpusStore:
    """Papers, their versions, blocks and tables in one SQLite file or one PostgreSQL schema.

    ``settings.database`` (a ``postgresql://`` URL) selects the server; ``path`` is then unused.
    """

    def __init__(self, path: str | Path, settings: Settings | None = None) -> None:
        self.path = Path(path)
        self.settings = settings or Settings.load()
        url = database_url(self.settings)
        if url:
            self._db = Database.postgres(url, schema=PG_SCHEMA)
            self.where = f"{self._db.where} (schema {PG_SCHEMA})"
        else:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise CouncilKGError(
                    f"{self.path.parent}: cannot use as the data directory ({exc.strerror or exc})"
                ) from None
            self.where = str(self.path)
            try:
                self._db = Database.sqlite(self.path)
                self._db.execute("PRAGMA foreign_keys=ON")
            except sqlite3.DatabaseError as exc:
                raise CouncilKGError(f"{self.path}: not a usable corpus store ({exc})") from None
        try:
            with self._db.transaction(lock="councilkg:corpus-schema"):
                if self._db.dialect == "sqlite" or not self._db.table_exists("stage_failures"):
                    self._db.executescript(_SCHEMA)  # on a server: only once, not per connection
                self._db.execute(
                    "INSERT INTO store_info(key, value) VALUES ('schema_version', ?) "
                    "ON CONFLICT(key) DO NOTHING",
                    (str(SCHEMA_VERSION),),
                )
            self._migrate()
        except self._db.errors() as exc:
            self._db.close()
            raise CouncilKGError(f"{self.where}: not a usable corpus store ({one_line(str(exc))})") from None

    def _migrate(self) -> None:
        """Bring a store written by an older councilkg up to :data:`SCHEMA_VERSION`, in one transaction.

        From version 1, every paper gets its per-source id (:func:`corpus.loading.doc_id_for`,
        from the resolved path the store kept) in every table; each old id is recorded in
        ``id_renames``. The graph and the search index, which still know the papers by their
        old ids, catch up on the next build: it drops their entries for ids the corpus no longer
        has and builds the papers under their new ids.
        """
        row = self._db.execute("SELECT value FROM store_info WHERE key = 'schema_version'").fetchone()
        version = int(row[0]) if row and str(row[0]).isdigit() else SCHEMA_VERSION
        if version >= SCHEMA_VERSION:
            return
        db = self._db
        with self._writing(
            f"corpus store {self.where} needs upgrading to per-source paper ids but is busy or read-only",
            "councilkg:corpus-schema",
        ):
            renames = [
                (old, new)
                for old, path in db.execute("SELECT doc_id, path FROM papers").fetchall()
                if (new := doc_id_for_source(path)) != old
            ]
            # Two passes, so a new id never collides with an old id that is still to be renamed.
            parked = [(f"\x00{old}", old) for old, _ in renames]
            for pairs in (parked, [(new, f"\x00{old}") for old, new in renames]):
                for table in _PAPER_TABLES:
                    db.executemany(f"UPDATE {table} SET doc_id = ? WHERE doc_id = ?", pairs)  # noqa: S608
            now = _now()
            db.executemany(
                "INSERT INTO id_renames(old_id, new_id, renamed_at) VALUES (?, ?, ?) ON CONFLICT(old_id) "
                "DO UPDATE SET new_id = excluded.new_id, renamed_at = excluded.renamed_at",
                [(old, new, now) for old, new in renames],
            )
            db.execute("UPDATE store_info SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))

    @contextlib.contextmanager
    def _writing(self, busy: str, lock: str | None = None) -> Iterator[Database]:
        """One write transaction; a store another writer holds (past the timeout), a full disk
        or a server that went away is one line (``busy``, or "cannot write") naming the store."""
        db = self._db
        started = False
        try:
            with db.transaction(lock=lock):
                started = True
                yield db
        except db.operational_errors() as exc:
            reason = one_line((str(exc).strip().splitlines() or [type(exc).__name__])[0])
            if not started:
                raise CouncilKGError(f"{busy} ({reason})") from None
            raise CouncilKGError(f"cannot write to the corpus store {self.where} ({reason})") from None

    def renamed_ids(self) -> dict[str, str]:
        """Old paper id -> new id, for every paper an upgrade of the store renamed."""
        return dict(self._db.execute("SELECT old_id, new_id FROM id_renames").fetchall())

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgres"``: which engine holds this store."""
        return self._db.dialect

    @classmethod
    def open(cls, settings: Settings) -> CorpusStore:
        """The store in the settings' data directory (created if missing)."""
        return cls(settings.data_path / STORE_FILE, settings)

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    def __enter__(self) -> CorpusStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ------------------------------------------------------------------------

    def current_key(self, doc_id: str) -> tuple[str, str] | None:
        """``(content_hash, source_key)`` of a paper's current version, or None."""
        row = self._db.execute(
            "SELECT content_hash, source_key FROM papers WHERE doc_id = ?", (doc_id,)
        ).fetchone()
        return (row[0], row[1]) if row else None

    def store_document(self, doc: Document, path: str | Path, row: CatalogueRow | None = None) -> str:
        """Store ``doc`` as its paper's current version in one transaction.

        Returns ``"added"``, ``"updated"`` or ``"unchanged"``.
        """
        key = _source_key(doc.content_hash, row)
        current = self.current_key(doc.doc_id)
        if current and current[1] == key:
            return "unchanged"
        meta_json = json.dumps(_metadata_dict(doc.metadata), sort_keys=True)
        now = _now()
        # Another writer (a second build worker) may have stored this paper since the check
        # above: under the paper's lock, look again.
        with self._writing(f"corpus store {self.where} is busy or read-only", f"corpus:{doc.doc_id}") as db:
            current = self.current_key(doc.doc_id)
            if current and current[1] == key:
                return "unchanged"
            last = db.execute("SELECT MAX(version) FROM versions WHERE doc_id = ?", (doc.doc_id,)).fetchone()[
                0
            ]
            version = (last or 0) + 1
            db.execute(
                "INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?, ?)",
                (doc.doc_id, version, doc.content_hash, doc.file_name, str(path), meta_json, now),
            )
            db.execute("DELETE FROM blocks WHERE doc_id = ?", (doc.doc_id,))
            db.execute("DELETE FROM tables WHERE doc_id = ?", (doc.doc_id,))
            meta = doc.metadata
            db.execute(
                "DELETE FROM papers WHERE doc_id = ?",
                (doc.doc_id,),
            )
            db.execute(
                "INSERT INTO papers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    doc.doc_id,
                    doc.file_name,
                    str(path),
                    doc.content_hash,
                    key,
                    version,
                    meta.authority,
                    meta.gss_code,
                    meta.date,
                    meta.year,
                    meta.committee,
                    meta.title,
                    meta.document_type,
                    doc.pages,
                    doc.words,
                    doc.text,
                    meta_json,
                    now,
                ),
            )
            db.executemany(
                "INSERT INTO blocks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        doc.doc_id,
                        seq,
                        b.kind,
                        b.start,
                        b.end,
                        b.text,
                        b.section,
                        b.level,
                        b.page,
                        b.table_id,
                        b.row,
                        json.dumps([[c.header, c.text, c.start, c.end] for c in b.cells]),
                        b.group,
                        json.dumps(list(b.groups)),
                    )
                    for seq, b in enumerate(doc.blocks)
                ],
            )
            db.executemany(
                "INSERT INTO tables VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (doc.doc_id, t.table_id, json.dumps(list(t.header)), t.start, t.end, t.page)
                    for t in doc.tables
                ],
            )
        return "updated" if current else "added"

    def ingest(
        self,
        paths: Iterable[str | Path],
        catalogue: dict[str, CatalogueRow] | None = None,
        progress: Progress | None = None,
        mapper: Mapper | None = None,
    ) -> IngestReport:
        """Load and store every file under ``paths``; see :class:`IngestReport`.

        Unchanged files are recognised by their hash before they are parsed, so a re-run
        over an unchanged corpus only reads bytes. ``mapper`` may spread the parsing over
        worker processes (see :data:`Mapper`); this store stays the only writer.
        """
        report = IngestReport()
        files, missing = discover_files(paths)
        for path, reason in missing:
            report.failed.append((path, reason))
            if progress:
                progress(path, "failed")
        catalogue = catalogue or {}

        def tasks() -> Iterator[LoadTask]:
            claimed: dict[str, str] = {}
            for path in files:
                outcome = self._precheck(path, catalogue, claimed, report)
                if outcome is None:
                    yield LoadTask(str(path), catalogue.get(path.name.lower()), dict(self.settings.values))
                elif progress:
                    progress(str(path), outcome)

        for task, doc, error in (mapper or map_inline)(load_task, tasks()):
            outcome = self._record(Path(task.path), doc, error, task.row, report)
            if progress:
                progress(task.path, outcome)
        return report

    def _precheck(
        self, path: Path, catalogue: dict[str, CatalogueRow], claimed: dict[str, str], report: IngestReport
    ) -> str | None:
        """``"failed"``/``"unchanged"`` when the file needs no parsing, else None."""
        shown = str(path)
        resolved = source_of(path)
        doc_id = doc_id_for_source(resolved)
        if doc_id in claimed and claimed[doc_id] != resolved:  # a hash clash: ~1 in 10^12 per pair
            report.failed.append(
                (shown, f"same paper id '{doc_id}' as {claimed[doc_id]}; rename one of them")
            )
            return "failed"
        claimed[doc_id] = resolved
        row = catalogue.get(path.name.lower())
        try:
            current = self.current_key(doc_id)
            if current and path.is_file() and current[1] == _source_key(file_hash(path), row):
                report.unchanged.append(shown)
                report.ids[shown] = doc_id
                return "unchanged"
        except OSError as exc:
            report.failed.append((shown, f"cannot read file ({exc.strerror or exc})"))
            return "failed"
        return None

    def _record(
        self,
        path: Path,
        doc: Document | None,
        error: str | None,
        row: CatalogueRow | None,
        report: IngestReport,
    ) -> str:
        """Store a loaded document (or note its failure) and count the outcome."""
        shown = str(path)
        if doc is None:
            report.failed.append((shown, _strip_path(error or "cannot read file", path)))
            return "failed"
        try:
            outcome = self.store_document(doc, source_of(path), row)
        except CouncilKGError as exc:
            report.failed.append((shown, _strip_path(exc.message, path)))
            return "failed"
        report.ids[shown] = doc.doc_id
        getattr(report, outcome).append(shown)
        if outcome != "unchanged":
            report.changed_ids.append(doc.doc_id)
        return outcome

    def remove_papers(self, doc_ids: Iterable[str]) -> list[str]:
        """Delete papers with their versions, blocks, tables and stage failures in one transaction.

        Returns the ids that were stored (unknown ids are ignored: resolve them first).
        """
        busy = f"corpus store {self.where} is busy or read-only"
        with self._writing(busy, "councilkg:corpus-remove") as db:
            removed = [
                doc_id
                for doc_id in dict.fromkeys(doc_ids)
                if db.execute("SELECT 1 FROM papers WHERE doc_id = ?", (doc_id,)).fetchone()
            ]
            for table in _PAPER_TABLES:
                db.executemany(f"DELETE FROM {table} WHERE doc_id = ?", [(d,) for d in removed])  # noqa: S608
            db.executemany("DELETE FROM id_renames WHERE new_id = ?", [(d,) for d in removed])
        return removed

    # -- stage failures -----------------------------------------------------------------

    def stage_failures(self, stage: str) -> dict[str, tuple[str, str, str]]:
        """``doc_id -> (content hash, software, reason)`` of the papers whose ``stage`` failed."""
        rows = self._db.execute(
            "SELECT doc_id, content_hash, software, reason FROM stage_failures WHERE stage = ?", (stage,)
        )
        return {doc_id: (digest, software, reason) for doc_id, digest, software, reason in rows}

    def record_stage_failures(
        self, stage: str, failures: Iterable[tuple[str, str, str]], software: str
    ) -> None:
        """Remember that ``stage`` failed on these ``(doc_id, content hash, reason)`` with this software."""
        now = _now()
        with self._writing(f"corpus store {self.where} is busy or read-only"):
            self._db.executemany(
                "INSERT INTO stage_failures VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(stage, doc_id) DO UPDATE "
                "SET content_hash = excluded.content_hash, software = excluded.software, "
                "reason = excluded.reason, failed_at = excluded.failed_at",
                [(stage, doc_id, digest, software, reason, now) for doc_id, digest, reason in failures],
            )

    def clear_stage_failures(self, stage: str, doc_ids: Iterable[str]) -> None:
        """Forget ``stage``'s recorded failures of these papers (they went through)."""
        with self._writing(f"corpus store {self.where} is busy or read-only"):
            self._db.executemany(
                "DELETE FROM stage_failures WHERE stage = ? AND doc_id = ?", [(stage, d) for d in doc_ids]
            )

    # -- reading ------------------------------------------------------------------------

    def ids(self) -> list[str]:
        """Every stored paper id, sorted."""
        return [r[0] for r in self._db.execute("SELECT doc_id FROM papers ORDER BY doc_id")]

    def list(self) -> list[PaperRecord]:
        """One record per stored paper, sorted by id."""
        rows = self._db.execute(
            "SELECT doc_id, file_name, authority, gss_code, date, year, committee, title, document_type, "
            "pages, words, content_hash, version FROM papers ORDER BY doc_id"
        )
        return [PaperRecord(*r) for r in rows]

    def content_hash(self, doc_id: str) -> str | None:
        """The content hash of a paper's current version (None when not stored)."""
        current = self.current_key(doc_id)
        return current[0] if current else None

    def resolve_id(self, ref: str) -> str:
        """A paper id from an id, a file name, a path or the id's readable part; :class:`NotFound` otherwise.

        ``minutes.txt`` or ``minutes`` name a paper when only one stored paper has that file name
        or slug (an id from before per-source ids was the slug alone, so old links still work);
        when several do, the error lists their ids.
        """
        db = self._db
        if db.execute("SELECT 1 FROM papers WHERE doc_id = ?", (ref,)).fetchone():
            return ref
        renamed = db.execute("SELECT new_id FROM id_renames WHERE old_id = ?", (ref,)).fetchone()
        if renamed and db.execute("SELECT 1 FROM papers WHERE doc_id = ?", (renamed[0],)).fetchone():
            return str(renamed[0])
        try:
            as_path = doc_id_for(ref) if ref.strip() else ""
        except (OSError, ValueError):  # not a usable path (a NUL byte, a loop of links)
            as_path = ""
        if as_path and db.execute("SELECT 1 FROM papers WHERE doc_id = ?", (as_path,)).fetchone():
            return as_path
        matches = [r[0] for r in db.execute("SELECT doc_id FROM papers WHERE file_name = ?", (ref,))]
        if not matches and ref == name_slug(ref + ".x") and id_slug(ref) == ref:
            # A slug (an old-style id, or the readable part of an id), but not an id of the new
            # shape: an unknown full id must never pick another paper that shares its slug.
            slug = ref
            matches = [
                doc_id
                for (doc_id,) in db.execute(
                    "SELECT doc_id FROM papers WHERE substr(doc_id, 1, ?) = ?", (len(slug) + 1, slug + "-")
                )
                if id_slug(doc_id) == slug
            ]
        if len(matches) == 1:
            return str(matches[0])
        if matches:
            shown = ", ".join(sorted(matches)[:5]) + (", …" if len(matches) > 5 else "")
            raise NotFound(f"{ref!r} names {len(matches)} papers ({shown}): give the id")
        raise NotFound(f"no paper {ref!r} in {self.where} (see `councilkg docs`)")

    def get(self, doc_id: str) -> Document:
        """The stored :class:`Document` for ``doc_id`` (or its file name)."""
        doc_id = self.resolve_id(doc_id)
        paper = self._db.execute(
            "SELECT file_name, content_hash, text, metadata_json, pages FROM papers WHERE doc_id = ?",
            (doc_id,),
        ).fetchone()
        meta_raw = json.loads(paper[3])
        sources = meta_raw.pop("sources", {})
        metadata = Metadata(**meta_raw, sources=sources)
        rows = self._db.execute(
            'SELECT kind, start, "end", text, section, level, page, table_id, row, cells_json, grp, '
            "groups_json FROM blocks WHERE doc_id = ? ORDER BY seq",
            (doc_id,),
        )
        blocks = [
            Block(
                kind,
                start,
                end,
                text,
                section=section,
                level=level,
                page=page,
                table_id=table_id,
                row=row,
                cells=tuple(Cell(*c) for c in json.loads(cells)),
                group=grp,
                groups=tuple(json.loads(groups)),
            )
            for (kind, start, end, text, section, level, page, table_id, row, cells, grp, groups) in rows
        ]
        tables = [
            Table(tid, tuple(json.loads(header)), start, end, page)
            for tid, header, start, end, page in self._db.execute(
                'SELECT table_id, header_json, start, "end", page FROM tables '
                "WHERE doc_id = ? ORDER BY table_id",
                (doc_id,),
            )
        ]
        return Document(doc_id, paper[0], paper[1], paper[2], blocks, tables, metadata, pages=paper[4])

    def documents(self, doc_ids: Iterable[str] | None = None) -> Iterator[Document]:
        """Stored documents one at a time (all of them when ``doc_ids`` is None)."""
        for doc_id in self.ids() if doc_ids is None else doc_ids:
            yield self.get(doc_id)

    def history(self, doc_id: str) -> list[VersionRecord]:
        """Every stored version of a paper, oldest first."""
        doc_id = self.resolve_id(doc_id)
        return [
            VersionRecord(v, h, f, at, json.loads(m))
            for v, h, f, at, m in self._db.execute(
                "SELECT version, content_hash, file_name, ingested_at, metadata_json FROM versions "
                "WHERE doc_id = ? ORDER BY version",
                (doc_id,),
            )
        ]

    def check_integrity(self) -> list[str]:
        """Problems found in the store (empty when consistent): offsets and orphan rows."""
        problems = []
        if self._db.dialect == "sqlite":
            problems = [r[0] for r in self._db.execute("PRAGMA integrity_check") if r[0] != "ok"]
        for doc_id, text in self._db.execute("SELECT doc_id, text FROM papers").fetchall():
            for start, end, btext in self._db.execute(
                'SELECT start, "end", text FROM blocks WHERE doc_id = ?', (doc_id,)
            ).fetchall():
                if text[start:end] != btext:
                    problems.append(f"{doc_id}: block at {start}-{end} does not quote the text")
                    break
        orphans = self._db.execute(
            "SELECT COUNT(*) FROM blocks WHERE doc_id NOT IN (SELECT doc_id FROM papers)"
        ).fetchone()[0]
        if orphans:
            problems.append(f"{orphans} blocks belong to no paper")
        return problems


def _strip_path(message: str, path: Path) -> str:
    """The reason without the leading ``path:`` (the summary names the file already)."""
    for prefix in (f"{path}: ", f"{path.name}: ", f"{one_line(str(path))}: ", f"{one_line(path.name)}: "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


def corpus_exists(settings: Settings) -> bool:
    """Whether ``settings`` name a corpus store that has been created (nothing is created here).

    A ``database`` URL that does not connect is a one-line :class:`CouncilKGError` naming it.
    """
    url = database_url(settings)
    if not url:
        return (settings.data_path / STORE_FILE).exists()
    db = Database.postgres(url)
    try:
        return db.table_exists(f"{PG_SCHEMA}.papers")
    finally:
        db.close()


def open_store(settings: Settings) -> CorpusStore:
    """Open the corpus store of ``settings``' data directory."""
    return CorpusStore.open(settings)


__all__ = [
    "CorpusStore",
    "corpus_exists",
    "IngestReport",
    "PaperRecord",
    "VersionRecord",
    "discover_files",
    "open_store",
]
