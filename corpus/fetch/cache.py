"""The source cache: documents under content-hash names plus a JSON manifest keyed by URL."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any


class SourceCache:
    """``<root>/files/<sha256><ext>`` and ``<root>/manifest.json`` (URL → etag, hash, metadata, status)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.files = self.root / "files"
        self.files.mkdir(parents=True, exist_ok=True)
        self.manifest_path = self.root / "manifest.json"
        self.entries: dict[str, dict[str, Any]] = (
            json.loads(self.manifest_path.read_text("utf-8")) if self.manifest_path.exists() else {}
        )

    def get(self, url: str) -> dict[str, Any] | None:
        """The manifest entry of ``url``, if recorded."""
        return self.entries.get(url)

    def put(self, url: str, body: bytes, ext: str, headers: dict[str, str], metadata: dict[str, str]) -> Path:
        """Store ``body`` under its hash, record it and save the manifest now (Ctrl-C loses nothing)."""
        digest = hashlib.sha256(body).hexdigest()
        path = self.files / f"{digest}{ext}"
        if not path.exists():
            path.write_bytes(body)
        self.entries[url] = {
            "file": path.name,
            "sha256": digest,
            "etag": headers.get("ETag"),
            "last_modified": headers.get("Last-Modified"),
            "metadata": metadata,
            "status": "ok",
        }
        self.save()
        return path

    def save(self) -> None:
        """Write the manifest atomically."""
        tmp = self.manifest_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.entries, indent=1, sort_keys=True), "utf-8")
        tmp.replace(self.manifest_path)

    def write_catalogue(self, path: str | Path | None = None) -> Path:
        """Write a catalogue CSV (``<root>/catalogue.csv`` by default) of every cached document.

        Built from the whole manifest, not one run, so fetching a second site or a URL list
        into the same folder keeps the first one's source metadata for ``councilkg build``.
        """
        from corpus.metadata import CATALOGUE_COLUMNS

        path = Path(path) if path is not None else self.root / "catalogue.csv"
        rows: dict[str, dict[str, str]] = {}
        for entry in self.entries.values():
            if entry.get("status") == "ok" and (self.files / entry["file"]).exists():
                meta = entry.get("metadata") or {}
                values = {c: meta.get(c, "") for c in CATALOGUE_COLUMNS[1:]}
                rows[entry["file"]] = {"file": entry["file"], **values}
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(CATALOGUE_COLUMNS))
            writer.writeheader()
            writer.writerows(rows[name] for name in sorted(rows))
        tmp.replace(path)
        return path
