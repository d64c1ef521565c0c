"""``councilkg fetch``: download a Modern.gov site's papers into the source cache."""

from __future__ import annotations

import csv
import sys
from dataclasses import asdict

import click

from councilkg.settings import Settings


@click.command("fetch")
@click.argument("site")
@click.option("--committee", "committees", multiple=True, help="Only this committee (repeatable).")
@click.option("--from", "date_from", default="", help="First meeting date, YYYY-MM-DD.")
@click.option("--to", "date_to", default="", help="Last meeting date, YYYY-MM-DD.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Stop after this many documents.")
@click.option("--build", "then_build", is_flag=True, help="Run `councilkg build` on the fetched papers.")
@click.pass_obj
def fetch_cmd(
    settings: Settings,
    site: str,
    committees: tuple[str, ...],
    date_from: str,
    date_to: str,
    limit: int | None,
    then_build: bool,
) -> None:
    """Download the papers of a Modern.gov SITE (its base address) into the source cache.

    Lists committees and meetings through the site's web service, downloads each
    meeting's documents politely (robots.txt, one request at a time, setting
    fetch_delay) and writes a catalogue so that source metadata wins over inference.
    One line per failure on stderr; exit code 1 only if nothing could be fetched.
    """
    from corpus.fetch import PoliteClient, SourceCache, fetch_site

    cache = SourceCache(settings.data_path / "sources")
    client = PoliteClient(
        delay=float(settings.values["fetch_delay"]),
        timeout=float(settings.values["fetch_timeout"]),
        retries=int(settings.values["fetch_retries"]),
    )
    report = fetch_site(site, cache, client, committees, date_from, date_to, limit)
    for line in report.failures:
        click.echo(f"failed: {line}", err=True)
    catalogue = cache.root / "catalogue.csv"
    with catalogue.open("w", newline="", encoding="utf-8") as handle:
        rows = [asdict(r) for r in report.rows.values()]
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["file"])
        writer.writeheader()
        writer.writerows(rows)
    click.echo(
        f"{report.fetched} fetched, {report.unchanged} unchanged, {len(report.failures)} failed, "
        f"{report.bytes} bytes, {client.requests} requests"
    )
    if not report.paths:
        sys.exit(1)
    if then_build:
        from councilkg.pipeline import build

        built = build([cache.files], settings, catalogue=catalogue)
        for line in built.summary_lines():
            click.echo(line)
    else:
        click.echo(f"next: `councilkg build {cache.files} --catalogue {catalogue}`", err=True)


COMMANDS = [fetch_cmd]
