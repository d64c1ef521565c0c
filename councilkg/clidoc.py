"""Generate the CLI and settings reference pages from the code itself.

``python -m councilkg.clidoc`` rewrites ``docs/cli.md`` and ``docs/settings.md``; a test fails
when the committed pages differ from what the code would generate, so the docs cannot drift.
"""

from __future__ import annotations

from pathlib import Path

import click

from councilkg.settings import settings_markdown

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _walk(command: click.Command, path: list[str]) -> list[tuple[list[str], click.Command]]:
    out = [(path, command)]
    if isinstance(command, click.Group):
        for name in sorted(command.list_commands(click.Context(command))):
            sub = command.get_command(click.Context(command), name)
            if sub is not None and not sub.hidden:
                out.extend(_walk(sub, [*path, name]))
    return out


def cli_reference_markdown() -> str:
    """The ``--help`` text of every command, as one Markdown page."""
    from councilkg.cli import cli

    parts = [
        "# Command reference\n",
        "Generated from `--help` by `python -m councilkg.clidoc`; do not edit by hand.\n",
    ]
    # The group's help option names (-h, --help) hold for every subcommand, as when run; passed
    # explicitly so the page does not depend on whether the CLI already ran in this process.
    help_names = cli.context_settings.get("help_option_names", ["--help"])
    for path, command in _walk(cli, ["councilkg"]):
        ctx = click.Context(command, info_name=" ".join(path), help_option_names=help_names)
        parts.append(f"\n## `{' '.join(path)}`\n\n```text\n{command.get_help(ctx).rstrip()}\n```\n")
    return "".join(parts)


def write_docs(docs_dir: Path = DOCS) -> list[Path]:
    """Regenerate the generated pages; returns the paths written."""
    docs_dir.mkdir(parents=True, exist_ok=True)
    pages = {"cli.md": cli_reference_markdown(), "settings.md": "# Settings\n\n" + settings_markdown()}
    written = []
    for name, text in pages.items():
        path = docs_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for p in write_docs():
        print(p)
