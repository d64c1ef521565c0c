"""``load_document``: one file in, one :class:`~corpus.models.Document` out."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from corpus.loaders import get_loader
from corpus.metadata import CatalogueRow, apply_catalogue, infer_metadata
from corpus.models import Document
from corpus.structure import build_structure
from councilkg.errors import InputError, one_line
from councilkg.settings import Settings


def doc_id_for(path: str | Path) -> str:
    """The stable id of a paper: a slug of its file name (without the suffix)."""
    stem = unicodedata.normalize("NFKD", Path(path).stem).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    return slug or "paper"


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
