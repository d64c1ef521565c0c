"""Fuzzing the command line: any argument list ends in output or a one-line error, never a traceback.

Arguments are drawn from the real command and option names (read from the click group, so
new commands are fuzzed as they land) mixed with hostile values. Commands that start a
server or a long demo are left out; everything runs in an empty temporary folder with an
empty data directory, so an argument that happens to be valid works on nothing.
"""

from __future__ import annotations

import tempfile
from contextlib import chdir
from datetime import timedelta
from pathlib import Path

import click
from click.testing import CliRunner
from fuzz_support import hard_time_limit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from councilkg.cli import cli
from councilkg.errors import CouncilKGError
from councilkg.settings import SETTINGS, Settings

HARD_LIMIT_S = 60
SKIPPED_COMMANDS = ("serve", "demo", "bench", "watch")
"""Commands that run until stopped (servers) or for minutes (demo); their --help is still fuzzed."""


def _is_long_running(name: str) -> bool:
    return any(word in name for word in SKIPPED_COMMANDS)


def _command_tokens() -> tuple[list[str], dict[str, list[str]]]:
    """Runnable command names and, per command, its option flags."""
    names: list[str] = []
    options: dict[str, list[str]] = {}
    for name, command in sorted(cli.commands.items()):
        flags = [opt for param in command.params if isinstance(param, click.Option) for opt in param.opts]
        options[name] = flags + ["--help"]
        if not _is_long_running(name):
            names.append(name)
    return names, options


COMMANDS, OPTIONS = _command_tokens()
ALL_FLAGS = sorted({flag for flags in OPTIONS.values() for flag in flags})
VALUES = st.one_of(
    st.sampled_from(
        [
            "",
            "-",
            "--",
            "x",
            "0",
            "-1",
            "99999999999999999999",
            "1e309",
            "nan",
            "NAME=VALUE",
            "=",
            "workers=abc",
            "workers=-3",
            "query_timeout_s=nan",
            "max_file_mb=-1",
            "nope=1",
            "missing.pdf",
            "missing.txt",
            ".",
            "paper.docx",
            "SELECT * WHERE { ?s ?p ?o }",
            "DROP ALL",
            "💷",
            "\u202e",
            "a" * 300,
            "--data-dir",
            "--set",
            "--help",
            "--version",
            "-h",
        ]
    ),
    st.sampled_from(ALL_FLAGS),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00/"), max_size=30),
)

ARGUMENTS = st.one_of(
    st.tuples(st.sampled_from(COMMANDS), st.lists(VALUES, max_size=6)).map(lambda t: [t[0], *t[1]]),
    st.lists(VALUES, max_size=6),
    st.tuples(st.sampled_from(sorted(OPTIONS)), st.just("--help")).map(list),
)


def _invoke(args: list[str], folder: Path, env: dict[str, str] | None = None) -> None:
    runner = CliRunner()
    with tempfile.TemporaryDirectory(dir=folder) as empty, chdir(empty), hard_time_limit(HARD_LIMIT_S):
        result = runner.invoke(cli, ["--data-dir", "data", *args], catch_exceptions=True, env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"councilkg {args!r} crashed: {result.exception!r}") from result.exception
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output[-500:])
    assert "Traceback (most recent call last)" not in result.output, args


@settings(
    max_examples=80,
    deadline=timedelta(seconds=60),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(args=ARGUMENTS)
def test_any_argument_list(tmp_path: Path, args: list[str]) -> None:
    _invoke(args, tmp_path)


def test_every_command_has_help_and_a_clean_failure_on_a_missing_file(tmp_path: Path) -> None:
    for name in sorted(OPTIONS):
        _invoke([name, "--help"], tmp_path)
        if not _is_long_running(name):
            _invoke([name, "no-such-file.pdf"], tmp_path)


# ----------------------------------------------------------------------------- settings from the environment

SETTING_VALUES = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30),
    st.sampled_from(["", "0", "-1", "1e309", "nan", "inf", "-inf", "true", "maybe", "99999999999999999999",
                     "http://", "ftp://x", "milvus://", "127.0.0.1:7878", " 2 ", "0x10"]),
)
ENVIRONMENTS = st.dictionaries(
    st.sampled_from([s.env_var for s in SETTINGS if s.name != "data_dir"]), SETTING_VALUES, max_size=4
)


@settings(max_examples=150, deadline=timedelta(seconds=10))
@given(environ=ENVIRONMENTS)
def test_any_environment_gives_settings_or_one_clean_error(environ: dict[str, str]) -> None:
    try:
        resolved = Settings.load(environ=environ)
    except CouncilKGError as exc:
        assert exc.message and "\n" not in exc.message
        return
    for setting in SETTINGS:
        assert isinstance(getattr(resolved, setting.name), type(setting.default))


@settings(
    max_examples=25,
    deadline=timedelta(seconds=60),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(environ=ENVIRONMENTS, command=st.sampled_from([["settings"], ["docs"], ["sparql", "ASK {}"],
                                                      ["search", "home care"], ["build", "."]]))
def test_commands_under_any_environment(tmp_path: Path, environ: dict[str, str], command: list[str]) -> None:
    _invoke(command, tmp_path, env=environ)
