"""CLI commands of the `corpus` layer: build, docs, show."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from councilkg.errors import CouncilKGError
from councilkg.settings import Settings


def _open_existing_store(settings: Settings) -> Any:
    from corpus.store import STORE_FILE, CorpusStore, corpus_exists

    if not corpus_exists(settings):
        raise CouncilKGError(f"no papers in {settings.data_path} yet: run `councilkg build PATH`")
    return CorpusStore(settings.data_path / STORE_FILE, settings)


@click.command("build")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--catalogue",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="CSV of metadata per file (file, authority, gss_code, date, committee, title, document_type).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes for per-paper work such as extraction [setting workers; default 1].",
)
@click.option(
    "--cluster",
    default=None,
    metavar="tcp://HOST:PORT|local:N",
    help="Run parsing, extraction and embedding on a Dask cluster: a running scheduler's address, "
    "or local:N to start N worker processes here [setting cluster; replaces --workers].",
)
@click.pass_obj
def build_cmd(
    settings: Settings,
    paths: tuple[Path, ...],
    catalogue: Path | None,
    workers: int | None,
    cluster: str | None,
) -> None:
    """Ingest papers (files or folders, recursed) and bring the stores up to date.

    Reads .txt .md .html .htm .pdf .docx files into the corpus store, then extracts
    entities and relations into the knowledge graph and indexes passages for search.
    Unchanged files are skipped by content hash; a changed file replaces its earlier
    version (kept as history). Without --catalogue, metadata is inferred from the text.
    Ends with a summary of added / updated / unchanged / failed files, one line per
    failure with its reason; exit code 1 if any file failed. On a terminal a progress
    bar shows the ingestion; otherwise only the summary is printed.

    With --cluster the per-paper work runs on Dask workers (each loads the models once) and
    this process writes the stores, one paper at a time, as results arrive; with a remote
    scheduler the workers must see PATHS at the same absolute paths.
    """
    from corpus.store import discover_files
    from councilkg.pipeline import build

    if workers is not None and cluster is not None:
        raise CouncilKGError("give --workers or --cluster, not both (a cluster brings its own workers)")
    if workers is not None:
        settings = settings.with_overrides(workers=workers)
    if cluster is not None:
        from councilkg.cluster import parse_cluster

        parse_cluster(cluster)  # a malformed value is refused before any file is read
        settings = settings.with_overrides(cluster=cluster)
    interactive = sys.stderr.isatty()
    if interactive:
        files, missing = discover_files(paths)
        total = len(files) + len(missing)
        with click.progressbar(length=total, label="ingesting", file=sys.stderr) as bar:

            def progress(_path: str, _outcome: str) -> None:
                bar.update(1)
                if bar.pos >= total:
                    bar.render_finish()
                    # The later stages print nothing until they end; say what is going on.
                    click.echo("bringing the graph and the search index up to date…", err=True)

            report = build(paths, settings, catalogue=catalogue, progress=progress)
    else:
        report = build(paths, settings, catalogue=catalogue)
    for line in report.summary_lines():
        click.echo(line)
    if interactive:
        click.echo(
            f"stored in {settings.data_path}; next: `councilkg docs` to list the papers, "
            "`councilkg show ID` for one paper, `councilkg serve` for the explorer",
            err=True,
        )
    if not report.ok:
        sys.exit(1)


@click.command("docs")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print a JSON list of records (id, file, authority, gss_code, date, year, committee, title, "
    "type, pages, words).",
)
@click.pass_obj
def docs_cmd(settings: Settings, as_json: bool) -> None:
    """List the stored papers, one line each.

    Columns: id (for `councilkg show`), authority (ONS GSS code), date, type, size (pages
    for PDF and DOCX, and words), title. Dates are as precise as known (2019-07-09, 2017-11
    or 2013).
    """
    with _open_existing_store(settings) as store:
        records = store.list()
    fields = (
        "id",
        "file",
        "authority",
        "gss_code",
        "date",
        "year",
        "committee",
        "title",
        "type",
        "pages",
        "words",
    )
    if as_json:
        click.echo(
            json.dumps([{k: r.as_dict()[k] for k in fields} for r in records], indent=2, ensure_ascii=False)
        )
        return
    if records:
        click.echo("id\tauthority (GSS code)\tdate\ttype\tsize\ttitle")
    for r in records:
        # Text and HTML have no pages of their own (unless split by form feeds): words only.
        paged = r.pages > 1 or r.file.lower().endswith((".pdf", ".docx"))
        size = f"{r.pages}p {r.words}w" if paged else f"{r.words}w"
        click.echo(
            f"{r.id}\t{r.authority or '-'} ({r.gss_code or '-'})\t{r.date or '-'}\t{r.type or '-'}\t"
            f"{size}\t{r.title or r.file}"
        )
    click.echo(f"{len(records)} paper(s)", err=True)


def _document_dict(doc: Any) -> dict[str, Any]:
    meta = doc.metadata
    return {
        "id": doc.doc_id,
        "file": doc.file_name,
        "content_hash": doc.content_hash,
        "pages": doc.pages,
        "words": doc.words,
        "metadata": {
            "authority": meta.authority,
            "gss_code": meta.gss_code,
            "date": meta.date,
            "year": meta.year,
            "committee": meta.committee,
            "title": meta.title,
            "type": meta.document_type,
            "sources": meta.sources,
        },
        "tables": [
            {"table_id": t.table_id, "header": list(t.header), "start": t.start, "end": t.end, "page": t.page}
            for t in doc.tables
        ],
        "blocks": [
            {
                "kind": b.kind,
                "start": b.start,
                "end": b.end,
                "text": b.text,
                "section": b.section,
                "level": b.level,
                "page": b.page,
                "table_id": b.table_id,
                "row": b.row,
                "group": b.group,
                "cells": [
                    {"header": c.header, "text": c.text, "start": c.start, "end": c.end} for c in b.cells
                ],
            }
            for b in doc.blocks
        ],
        "text": doc.text,
    }


@click.command("show")
@click.argument("doc")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the whole document (metadata, blocks, text) as JSON."
)
@click.pass_obj
def show_cmd(settings: Settings, doc: str, as_json: bool) -> None:
    """Show one paper's metadata (with how each field was obtained) and its structure.

    DOC is a paper id from `councilkg docs` or its file name. Each metadata field is
    followed by its source: [catalogue], [inferred:<rule>] or [missing]. The outline
    lists headings and tables; --json adds every block with its offsets and the text.
    """
    with _open_existing_store(settings) as store:
        document = store.get(doc)
        history = store.history(document.doc_id)
    if as_json:
        data = _document_dict(document)
        data["versions"] = [
            {
                "version": v.version,
                "content_hash": v.content_hash,
                "file": v.file_name,
                "ingested_at": v.ingested_at,
                "metadata": v.metadata,
            }
            for v in history
        ]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    meta = document.metadata
    paged = document.pages > 1 or document.file_name.lower().endswith((".pdf", ".docx"))
    pages = f"{document.pages} page(s), " if paged else ""
    click.echo(f"{document.doc_id}  ({document.file_name}, {pages}{document.words} words)")
    for label, name, value in (
        ("authority", "authority", meta.authority),
        ("gss_code", "gss_code", meta.gss_code),
        ("date", "date", meta.date),
        ("committee", "committee", meta.committee),
        ("title", "title", meta.title),
        ("type", "document_type", meta.document_type),
    ):
        click.echo(f"  {label:10} {value or '-'}    [{meta.sources.get(name, 'missing')}]")
    click.echo(f"  versions   {len(history)} (current {document.content_hash[:12]})")
    click.echo("structure (headings and tables):")
    row_counts: dict[int, int] = {}
    for block in document.blocks:
        if block.kind == "table_row" and block.table_id is not None:
            row_counts[block.table_id] = row_counts.get(block.table_id, 0) + 1
    indent = "  "
    shown_tables: set[int] = set()
    for block in document.blocks:
        if block.kind == "heading":
            indent = "  " * max(block.level, 1)
            click.echo(f"{indent[2:]}  # {block.text[:100]}")
        elif block.table_id is not None and block.table_id not in shown_tables:
            # A table once, at its first block: its header row, or its first row when it has none.
            shown_tables.add(block.table_id)
            cells = " | ".join(c for c in block.text.split("\t") if c)
            label = "columns" if block.kind == "table_header" else "first row"
            rows = row_counts.get(block.table_id, 0)
            click.echo(f"{indent}  [table {block.table_id}, {rows} row(s); {label}: {cells[:80]}]")
    counts: dict[str, int] = {}
    for block in document.blocks:
        counts[block.kind] = counts.get(block.kind, 0) + 1
    click.echo("blocks: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


COMMANDS: list[click.Command] = [build_cmd, docs_cmd, show_cmd]
