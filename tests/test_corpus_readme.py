"""The README's usage examples name real commands and real options (docs that run)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click

from councilkg.cli import cli

README = Path(__file__).resolve().parent.parent / "README.md"


def usage_command_lines() -> list[list[str]]:
    """Every `councilkg …` line inside the code blocks of the README's Usage section."""
    usage = README.read_text(encoding="utf-8").split("## Usage", 1)[1]
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", usage, flags=re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith("councilkg "):
                lines.append(shlex.split(line)[1:])
    return lines


def _options(command: click.Command) -> set[str]:
    names = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
    return names | {"-h", "--help"}


def test_every_usage_example_names_a_real_command_and_real_options() -> None:
    lines = usage_command_lines()
    ctx = click.Context(cli)
    documented = set()
    for args in lines:
        # Global options come before the command.
        while args and args[0].startswith("--"):
            assert args[0] in _options(cli), args
            args = args[2:]
        command = cli.get_command(ctx, args[0])
        assert command is not None, f"README uses an unknown command: {args[0]}"
        documented.add(args[0])
        for token in args[1:]:
            if token.startswith("-") and not re.fullmatch(r"-\d+", token):
                assert token in _options(command), f"`councilkg {args[0]}` has no option {token}"
    # Every command a user runs has its own usage example.
    assert documented >= set(cli.list_commands(ctx))
