"""CLI commands of the `nlp` layer."""

from __future__ import annotations

import json
from pathlib import Path

import click

from councilkg.settings import Settings


@click.command("eval")
@click.option("--gold", "gold_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder of gold *.json files (format in tests/data/eval/README.md).")
@click.option("--corpus", "corpus_dir", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="Folder holding the papers the gold names [default: the bundled samples].")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@click.option("--no-baseline", is_flag=True, help="Skip the bare-model baseline row.")
@click.pass_obj
def eval_cmd(settings: Settings, gold_dir: Path, corpus_dir: Path | None, as_json: bool,
             no_baseline: bool) -> None:
    """Score extraction against gold entities: per-type precision, recall and F1 beside a baseline."""
    from nlp.evaluate import evaluate, format_report

    result = evaluate(gold_dir, corpus_dir, settings, baseline=not no_baseline)
    click.echo(json.dumps(result, indent=2) if as_json else format_report(result))


@click.command("extract")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print mentions and relations as JSON lines.")
@click.pass_obj
def extract_cmd(settings: Settings, path: Path, as_json: bool) -> None:
    """Extract entities and relations from one paper and print a summary."""
    from nlp.report import extraction_summary

    click.echo(extraction_summary(path, settings, as_json=as_json))


COMMANDS: list[click.Command] = [eval_cmd, extract_cmd]
