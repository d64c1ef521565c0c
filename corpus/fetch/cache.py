"""The source cache: documents under content-hash names plus a JSON manifest keyed by URL."""

from __future__ import annotations

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
