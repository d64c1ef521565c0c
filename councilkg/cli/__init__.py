"""The ``councilkg`` command: one click group, hyphenated verbs, ``--help`` everywhere.

Each command parses its arguments and calls one plain function of a layer; the commands
are grouped by layer in the modules beside this one.
"""

from __future__ import annotations

import re
import sys
from typing import Any

import click

from councilkg import __version__
from councilkg.errors import CouncilKGError, one_line
from councilkg.settings import SETTINGS, Settings, settings_markdown


class OneLineUsageError(click.ClickException):
    """A usage error (bad option value, missing argument, unknown setting) shown as one line, exit 1.

    click's own usage errors print a three-line block and exit 2; the README promises every
    bad input one ``error: …`` line and exit status 1, so the group converts them here.
    """

    exit_code = 1

    def __init__(self, exc: click.ClickException) -> None:
        message = " ".join(exc.format_message().split())
        ctx = getattr(exc, "ctx", None)
        if isinstance(exc, click.UsageError) and ctx is not None:
            message += f" (see `{ctx.command_path} --help`)"
        super().__init__(message)

    def show(self, file: Any = None) -> None:
        """Print the one ``error:`` line on stderr."""
        click.echo(f"error: {one_line(self.message)}", err=True, file=file)


def _one_line(exc: click.ClickException) -> click.ClickException:
    """``exc`` as a one-line error, except the "no arguments: show the help" case."""
    if isinstance(exc, (click.exceptions.NoArgsIsHelpError, OneLineUsageError)):
        return exc
    return OneLineUsageError(exc)


class _Group(click.Group):
    """A click group that turns :class:`CouncilKGError` and usage errors into one line on stderr, exit 1."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        # The group's own options (--set, --data-dir) are parsed here.
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.ClickException as exc:
            raise _one_line(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        # A command's arguments are parsed inside Group.invoke, so their usage errors land here.
        try:
            return super().invoke(ctx)
        except CouncilKGError as exc:
            click.echo(f"error: {one_line(exc.message)}", err=True)
            ctx.exit(1)
        except click.ClickException as exc:
            raise _one_line(exc) from None


def _parse_set(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        if "=" not in item:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE")
        name, value = item.split("=", 1)
        out[name.strip().replace("-", "_")] = value
    return out


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="councilkg")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder where everything is stored [env COUNCILKG_DATA_DIR; default ./councilkg-data].",
)
@click.option(
    "--set",
    "overrides",
    multiple=True,
    callback=_parse_set,
    metavar="NAME=VALUE",
    help="Override a setting (see `councilkg settings`); repeatable.",
)
@click.pass_context
def cli(ctx: click.Context, data_dir: str | None, overrides: dict[str, str]) -> None:
    """councilkg: text mining and a knowledge graph over UK council papers."""
    if data_dir is not None:
        overrides = {**overrides, "data_dir": data_dir}
    ctx.obj = Settings.load(overrides)  # a bad setting is a CouncilKGError: one line, exit 1


@cli.command("settings")
@click.option("--markdown", is_flag=True, help="Print the table as Markdown (the docs page).")
@click.pass_obj
def settings_cmd(settings: Settings, markdown: bool) -> None:
    """List every setting, its environment variable and its current value."""
    if markdown:
        click.echo(settings_markdown(), nl=False)
        return
    for s in SETTINGS:
        # A password in a URL setting (graph_store, database) is never printed.
        shown = re.sub(r"(//[^/:@]+:)[^/@]*@", r"\1***@", repr(settings.values[s.name]))
        click.echo(f"{s.name} = {shown}    ({s.env_var}) {s.help}")


def _register() -> None:
    # Imported here, not at module top, so that `councilkg --help` stays fast and each
    # module's heavy layer imports happen inside its commands.
    from councilkg.cli import (
        corpus_cmds,
        fetch_cmds,
        heldout_cmds,
        kg_cmds,
        nlp_cmds,
        remove_cmds,
        search_cmds,
        web_cmds,
    )

    for module in (
        corpus_cmds,
        fetch_cmds,
        remove_cmds,
        nlp_cmds,
        heldout_cmds,
        kg_cmds,
        search_cmds,
        web_cmds,
    ):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=argv if argv is not None else sys.argv[1:], prog_name="councilkg")
