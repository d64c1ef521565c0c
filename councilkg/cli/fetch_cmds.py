"""``councilkg fetch``: download a Modern.gov site's papers, or a list of URLs, into the source cache."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from councilkg.settings import Settings

if TYPE_CHECKING:
    from corpus.fetch import PoliteClient
    from corpus.fetch.documents import FetchReport

INTERRUPTED_EXIT = 130
"""The shell's exit status for a command stopped by Ctrl-C (128 + SIGINT)."""


def _size(count: int) -> str:
    """``1536`` → ``1.5 KB``."""
    value = float(count)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{count} bytes"  # pragma: no cover - the loop always returns


def progress_line(report: FetchReport) -> str:
    """One line of counts and bytes: ``12 documents (10 new, 2 unchanged), 1 failed, 3.4 MB``."""
    return (
        f"{report.done} documents ({report.fetched} new, {report.unchanged} unchanged), "
        f"{len(report.failures)} failed, {_size(report.bytes)}"
    )


class FetchProgress:
    """A progress line rewritten in place on a terminal; silent otherwise (the summary says it all)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        isatty = getattr(stream, "isatty", None)
        self.live = bool(isatty and isatty())
        self._width = 0

    def __call__(self, report: FetchReport) -> None:
        """Show ``report``'s counts (called after each finished document)."""
        if not self.live:
            return
        line = progress_line(report)
        self.stream.write("\r" + line.ljust(self._width))
        self.stream.flush()
        self._width = len(line)

    def finish(self) -> None:
        """End the rewritten line so the next output starts on its own."""
        if self.live and self._width:
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0


def fetch_papers(
    settings: Settings,
    site: str | None,
    urls: str | None,
    committees: tuple[str, ...] = (),
    date_from: str = "",
    date_to: str = "",
    kinds: str = "",
    limit: int | None = None,
    then_build: bool = False,
    client: PoliteClient | None = None,
    err: TextIO | None = None,
) -> int:
    """Run one fetch (a SITE or a URL list) and return the exit status.

    0 when something was fetched, 1 when nothing could be (or, with ``then_build``, when a
    paper failed to build, as for ``councilkg build``), 130 after Ctrl-C: what finished is
    kept in the cache and the catalogue, so the same command resumes.
    """
    from corpus.fetch import PoliteClient, SourceCache, fetch_site, fetch_urls
    from corpus.fetch.documents import FetchReport, parse_kinds

    err = err if err is not None else sys.stderr
    wanted = parse_kinds(kinds)
    cache = SourceCache(settings.data_path / "sources")
    if client is None:
        client = PoliteClient(
            delay=float(settings.values["fetch_delay"]),
            timeout=float(settings.values["fetch_timeout"]),
            retries=int(settings.values["fetch_retries"]),
        )
    report = FetchReport()
    progress = FetchProgress(err)
    interrupted = False
    try:
        if urls is not None:
            fetch_urls(urls, cache, client, limit, progress, wanted, report)
        else:
            fetch_site(
                site or "", cache, client, committees, date_from, date_to, limit, progress, wanted, report
            )
    except KeyboardInterrupt:
        interrupted = True
    finally:
        progress.finish()
    for line in report.failures:
        click.echo(f"failed: {line}", file=err)
    catalogue = cache.write_catalogue()
    skipped = f", {report.skipped} skipped by --kinds" if report.skipped else ""
    click.echo(
        f"{report.fetched} fetched, {report.unchanged} unchanged, {len(report.failures)} failed{skipped}, "
        f"{report.bytes} bytes, {client.requests} requests"
    )
    if interrupted:
        click.echo(
            f"interrupted: the {report.done} documents finished are kept; run the same command to resume",
            file=err,
        )
        return INTERRUPTED_EXIT
    if not report.paths:
        if not report.failures:
            hint = "check SITE, --committee, --from/--to and --kinds"
            click.echo(f"error: no documents found ({hint})", file=err)
        return 1
    if then_build:
        from councilkg.pipeline import build

        built = build([cache.files], settings, catalogue=catalogue)
        # A failed paper is named by its cache file; say where it came from too.
        sources = {entry["file"]: url for url, entry in cache.entries.items()}
        for line in built.summary_lines():
            head, _, rest = line.partition(": ")
            name = Path(rest.split(": ", 1)[0]).name if head == "failed" else ""
            click.echo(f"{line} (source: {sources[name]})" if name in sources else line)
        if not built.ok:
            return 1
    else:
        click.echo(f"next: `councilkg build {cache.files} --catalogue {catalogue}`", file=err)
    return 0


def _date(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if value:
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            raise click.BadParameter(f"{value!r} is not a date YYYY-MM-DD") from None
    return value


def _kinds(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from corpus.fetch.documents import parse_kinds
    from councilkg.errors import InputError

    try:
        parse_kinds(value)
    except InputError as exc:
        raise click.BadParameter(exc.message) from None
    return value


@click.command("fetch")
@click.argument("site", required=False)
@click.option(
    "--urls",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="A CSV of document URLs (column url; optional authority, gss_code, date, committee, title, "
    "document_type) to fetch instead of a SITE.",
)
@click.option("--committee", "committees", multiple=True, help="Only this committee (repeatable).")
@click.option("--from", "date_from", default="", callback=_date, help="First meeting date, YYYY-MM-DD.")
@click.option("--to", "date_to", default="", callback=_date, help="Last meeting date, YYYY-MM-DD.")
@click.option(
    "--kinds",
    default="",
    callback=_kinds,
    help="Only these kinds of document, comma-separated: agenda,reports,minutes,decisions.",
)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Stop after this many documents.")
@click.option("--build", "then_build", is_flag=True, help="Run `councilkg build` on the fetched papers.")
@click.pass_obj
def fetch_cmd(
    settings: Settings,
    site: str | None,
    urls: str | None,
    committees: tuple[str, ...],
    date_from: str,
    date_to: str,
    kinds: str,
    limit: int | None,
    then_build: bool,
) -> None:
    """Download the papers of a Modern.gov SITE (its base address), or of a --urls list, into the cache.

    Lists committees and meetings through the site's web service (or its public pages),
    downloads each meeting's documents politely (robots.txt, one request at a time, setting
    fetch_delay) and writes a catalogue so that source metadata wins over inference.
    One line per failure on stderr; exit code 1 only if nothing could be fetched (with
    --build, also if a paper failed to build), 130 after Ctrl-C (what finished is kept: the
    same command resumes).
    """
    if (site is None) == (urls is None):
        both = "" if site is None else ", not both"
        raise click.UsageError(f"give either a SITE address or --urls FILE{both}")
    if urls is not None and (committees or date_from or date_to):
        # A URL list carries its own committee and date per row; ignoring the flags would mislead.
        raise click.UsageError("--committee, --from and --to apply to a SITE, not to --urls")
    code = fetch_papers(settings, site, urls, committees, date_from, date_to, kinds, limit, then_build)
    if code:
        sys.exit(code)


COMMANDS = [fetch_cmd]
