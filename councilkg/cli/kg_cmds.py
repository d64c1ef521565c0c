"""CLI commands of the `kg` layer: sparql, export, validate."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from councilkg.errors import CouncilKGError
from councilkg.settings import Settings

QUERY_FORMATS = ("json", "xml", "csv", "tsv", "turtle", "ntriples", "jsonld")
EXPORT_FORMATS = ("trig", "nquads", "turtle", "jsonld", "ntriples")


def _read_query(query: str) -> str:
    if query.startswith("@"):
        path = Path(query[1:])
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CouncilKGError(f"cannot read query file {path}: {exc.__class__.__name__}") from None
    return query


@click.command("sparql")
@click.argument("query")
@click.option("--format", "fmt", type=click.Choice(QUERY_FORMATS), default="json", show_default=True,
              help="Result format: SPARQL 1.1 results (json/xml/csv/tsv) or RDF for CONSTRUCT/DESCRIBE.")
@click.pass_obj
def sparql_cmd(settings: Settings, query: str, fmt: str) -> None:
    """Run a read-only SPARQL QUERY (text, or @file.rq) on the knowledge graph.

    The default graph is the union of all graphs. Queries are stopped at the time limit
    (setting query_timeout_s) and the result cap (query_max_results); SERVICE, LOAD,
    FROM on outside graphs and updates are refused.
    """
    from kg.query import check_query, run_query
    from kg.store import open_existing_graph_store

    text = _read_query(query)
    check_query(text)  # a refused query (SERVICE, LOAD, updates, bad syntax) says so before anything else
    with open_existing_graph_store(settings) as store:
        body, _media = run_query(store, text, fmt, settings)
    sys.stdout.buffer.write(body)
    if not body.endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="trig", show_default=True,
              help="trig, nquads and jsonld keep the named graphs; turtle and ntriples merge them.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (default: standard output).")
@click.pass_obj
def export_cmd(settings: Settings, fmt: str, output: Path | None) -> None:
    """Dump the whole knowledge graph (every paper graph, entities, runs, ontology)."""
    from kg.store import open_existing_graph_store

    with open_existing_graph_store(settings) as store:
        data = store.export(fmt)
    if output is None:
        sys.stdout.buffer.write(data)
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise CouncilKGError(f"cannot write {output}: {exc.strerror or exc}") from None
    click.echo(f"wrote {len(data)} bytes to {output}", err=True)


@click.command("validate")
@click.option("--quiet", "-q", is_flag=True, help="Print only the one-line verdict.")
@click.pass_obj
def validate_cmd(settings: Settings, quiet: bool) -> None:
    """Check the knowledge graph against the SHACL shapes (ontology/shapes.ttl); exit 1 if not."""
    from kg.store import open_existing_graph_store

    with open_existing_graph_store(settings) as store:
        report = store.validate()
    if not quiet and not report.conforms:
        click.echo(report.text)
    verdict = "conforms" if report.conforms else "does NOT conform"
    click.echo(f"knowledge graph ({report.triples} triples) {verdict} to the SHACL shapes")
    if not report.conforms:
        sys.exit(1)


COMMANDS: list[click.Command] = [sparql_cmd, export_cmd, validate_cmd]
