"""Settings are declared once and read from defaults, environment and overrides."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from councilkg.cli import cli
from councilkg.errors import CouncilKGError
from councilkg.settings import SETTINGS, Settings


def test_environment_overrides_default_and_explicit_overrides_environment() -> None:
    s = Settings.load({}, environ={"COUNCILKG_QUERY_TIMEOUT_S": "5"})
    assert s.query_timeout_s == 5.0
    s = Settings.load({"query_timeout_s": "2.5"}, environ={"COUNCILKG_QUERY_TIMEOUT_S": "5"})
    assert s.query_timeout_s == 2.5


def test_bad_values_and_unknown_settings_are_clear_errors() -> None:
    with pytest.raises(CouncilKGError, match="workers"):
        Settings.load({"workers": "many"}, environ={})
    with pytest.raises(CouncilKGError, match="unknown setting"):
        Settings.load({"no_such_thing": "1"}, environ={})


def test_cli_set_option_and_data_dir(tmp_path) -> None:
    result = CliRunner().invoke(
        cli, ["--data-dir", str(tmp_path), "--set", "workers=3", "settings"], env={}
    )
    assert result.exit_code == 0, result.output
    assert "workers = 3" in result.output
    assert str(tmp_path) in result.output


def test_every_setting_is_documented() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parent.parent / "docs" / "settings.md").read_text()
    for s in SETTINGS:
        assert f"`{s.name}`" in doc, f"setting {s.name} missing from docs/settings.md"
        assert s.help


def test_settings_command_never_prints_a_password_in_a_url(tmp_path) -> None:
    url = "http://councilkg:s3cret-word@127.0.0.1:8890/sparql-auth"
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "--set", f"graph_store={url}", "settings"],
                                env={})
    assert result.exit_code == 0, result.output
    assert "graph_store = 'http://councilkg:***@127.0.0.1:8890/sparql-auth'" in result.output
    assert "s3cret-word" not in result.output
