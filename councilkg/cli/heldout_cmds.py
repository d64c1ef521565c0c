"""CLI command of the held-out evaluation: ``councilkg eval-heldout``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from councilkg.settings import Settings


@click.command("eval-heldout")
@click.option("--dir", "heldout_dir", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="Held-out folder with gold/ and texts/ [default: eval/heldout of the checkout].")
@click.option("--keep", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="Build into this folder and keep it (default: a temporary folder, removed after).")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@click.pass_obj
def eval_heldout_cmd(settings: Settings, heldout_dir: Path | None, keep: Path | None, as_json: bool) -> None:
    """Build the held-out texts with the real pipeline and score the graph against their gold.

    Documents whose text is missing are listed as skipped with how to refetch them; exit 0.
    See docs/heldout.md.
    """
    from councilkg.heldout import DEFAULT_HELDOUT_DIR, evaluate_heldout, format_heldout

    result = evaluate_heldout(heldout_dir or DEFAULT_HELDOUT_DIR, settings, keep=keep)
    click.echo(json.dumps(result, indent=2) if as_json else format_heldout(result))


COMMANDS = [eval_heldout_cmd]
