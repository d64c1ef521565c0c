"""``load_document``: one file in, one :class:`~corpus.models.Document` out."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from pathlib import Path

from corpus.loaders import get_loader
from corpus.metadata import CatalogueRow, apply_catalogue, infer_metadata
from corpus.models import Document
from corpus.structure import build_structure
from councilkg.errors import InputError, one_line
from councilkg.settings import Settings

ID_HASH_CHARS = 10
"""Hex digits of the source hash in a paper id (40 bits: a clash among 10,000 papers is ~1 in 20,000)."""

SLUG_MAX_CHARS = 60
"""Longest readable part of a paper id (long file names are cut at a word boundary)."""

_ID_SHAPE = re.compile(rf"^(?P<slug>[a-z0-9-]+)-[0-9a-f]{{{ID_HASH_CHARS}}}$")


def name_slug(path: str | Path) -> str:
    """The readable part of a paper id: the file name's stem in lower-case ASCII words joined by ``-``.

    A name with no Latin letters or digits (``会議録.txt``) has no slug and gives ``paper``.
    """
    stem = unicodedata.normalize("NFKD", Path(path).stem).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    if len(slug) > SLUG_MAX_CHARS:
        slug = slug[:SLUG_MAX_CHARS].rsplit("-", 1)[0] or slug[:SLUG_MAX_CHARS]
    return slug or "paper"


def doc_id_for_source(source: str) -> str:
    """The id of the paper read from ``source`` (a resolved path, exactly as stored)."""
    digest = hashlib.sha256(os.fsencode(source)).hexdigest()[:ID_HASH_CHARS]
    return f"{name_slug(source)}-{digest}"


def source_of(path: str | Path) -> str:
    """The source a paper id is derived from: the file's absolute path, symlinks resolved."""
    return str(Path(path).resolve())


def doc_id_for(path: str | Path) -> str:
    """The stable id of a paper: a slug of its file name plus a short hash of its resolved path.

    ``C/2019/minutes.txt`` and ``C/2020/minutes.txt`` are two papers (``minutes-<hash>``),
    rebuilding the same path gives the same id, and ``junk.pdf`` beside ``junk.txt`` are two
    papers too. A file moved elsewhere is a new paper (``councilkg remove`` drops the old one).
    """
    return doc_id_for_source(source_of(path))


def id_slug(doc_id: str) -> str:
    """The readable part of an id made by :func:`doc_id_for` (an older slug-only id as it is)."""
    match = _ID_SHAPE.match(doc_id)
    return match.group("slug") if match else doc_id


def content_hash(data: bytes) -> str:
    """SHA-256 of a file's raw bytes."""
    return hashlib.sha256(data).hexdigest()


def _human_size(size: int) -> str:
    """``205 KB`` or ``61.3 MB``: precise enough to compare with the limit."""
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def load_document(
    path: str | Path, catalogue_row: CatalogueRow | None = None, settings: Settings | None = None
) -> Document:
    """Load, clean and structure one paper.

    Raises :class:`InputError` naming the file with a one-line reason for anything it
    cannot ingest (missing, too big, unsupported, empty, binary, corrupt, encrypted…).
    """
    path = Path(path)
    settings = settings or Settings.load()
    try:
        if not path.is_file():
            raise InputError("no such file")
        loader = get_loader(path.suffix)
        size, limit_mb = path.stat().st_size, float(settings.max_file_mb)
        if size > limit_mb * 1024 * 1024:
            raise InputError(f"file is {_human_size(size)}, over the {limit_mb:g} MB limit (max_file_mb)")
        data = path.read_bytes()
        if not data.strip():
            raise InputError("empty file")
        loaded = loader(data, path.name)
        structure = build_structure(loaded.lines)
        if not structure.text.strip():
            raise InputError("no text found in the file")
    except InputError as exc:
        raise InputError(f"{one_line(str(path))}: {exc.message}") from None
    except Exception as exc:  # noqa: BLE001 - a library choking on bad input is still bad input
        reason = str(exc).splitlines()[0] if str(exc) else ""
        detail = f"{exc.__class__.__name__}{': ' + reason if reason else ''}"
        raise InputError(f"{one_line(str(path))}: cannot read file ({detail})") from None
    metadata = apply_catalogue(
        infer_metadata(structure.text, structure.blocks, source=str(path)), catalogue_row
    )
    return Document(
        doc_id=doc_id_for(path),
        file_name=path.name,
        content_hash=content_hash(data),
        text=structure.text,
        blocks=structure.blocks,
        tables=structure.tables,
        metadata=metadata,
        pages=loaded.pages,
    )
