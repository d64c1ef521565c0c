"""CLI command that takes papers out of every store: remove."""

from __future__ import annotations

import sys

import click

from councilkg.errors import one_line
from councilkg.settings import Settings


@click.command("remove")
@click.argument("papers", nargs=-1, required=True, metavar="PAPER...")
@click.pass_obj
def remove_cmd(settings: Settings, papers: tuple[str, ...]) -> None:
    """Remove papers from the corpus store, the knowledge graph and the search index.

    PAPER is an id from `councilkg docs`, a stored file name or the file's path. Every
    PAPER is checked first: if one is unknown, nothing is removed. The paper's versions go
    too. A removal that was interrupted is finished by running it again or by the next
    `councilkg build`. Refused while a build runs on the same data directory.
    """
    from councilkg.pipeline import remove

    report = remove(papers, settings)
    for doc_id, file_name in report.removed:
        click.echo(f"removed {doc_id}" + (f" ({one_line(file_name)})" if file_name else ""))
    for where, reason in report.failed:
        click.echo(f"failed: {where}: {one_line(reason)} (run `councilkg remove` again to finish)")
    click.echo(f"removed {len(report.removed)} paper(s)", err=True)
    if not report.ok:
        sys.exit(1)


COMMANDS: list[click.Command] = [remove_cmd]
