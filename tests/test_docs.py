"""The generated docs match the code, and every documented command runs."""

from __future__ import annotations

import re

from click.testing import CliRunner

from councilkg.cli import cli
from councilkg.clidoc import DOCS, cli_reference_markdown
from councilkg.settings import settings_markdown


def test_cli_reference_is_up_to_date() -> None:
    assert (DOCS / "cli.md").read_text(encoding="utf-8") == cli_reference_markdown(), (
        "docs/cli.md is stale: run `python -m councilkg.clidoc`"
    )


def test_settings_page_is_up_to_date() -> None:
    assert (DOCS / "settings.md").read_text(encoding="utf-8") == "# Settings\n\n" + settings_markdown()


def test_every_documented_command_answers_help() -> None:
    commands = re.findall(r"^## `councilkg ?([^`]*)`", (DOCS / "cli.md").read_text(), flags=re.M)
    assert commands, "no commands documented"
    runner = CliRunner()
    for command in commands:
        result = runner.invoke(cli, [*command.split(), "--help"])
        assert result.exit_code == 0, f"`councilkg {command} --help` failed: {result.output}"
        assert "Usage:" in result.output
