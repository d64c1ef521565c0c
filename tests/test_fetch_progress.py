"""`councilkg fetch` progress line and Ctrl-C: counts and bytes on a terminal, a clean stop that resumes."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from test_fetch import _Server, _site

from corpus.fetch import PoliteClient
from councilkg.cli import cli
from councilkg.cli.fetch_cmds import INTERRUPTED_EXIT, fetch_papers
from councilkg.settings import Settings


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class _StopAfter(PoliteClient):
    """A client whose user presses Ctrl-C as document number ``n + 1`` is requested."""

    def __init__(self, n: int) -> None:
        super().__init__(delay=0)
        self.n, self.documents = n, 0

    def get(self, url, etag=None, last_modified=None):
        if "/documents/" in url:
            if self.documents == self.n:
                raise KeyboardInterrupt
            self.documents += 1
        return super().get(url, etag, last_modified)


@pytest.fixture
def site():
    server = _Server(_site(3, 2))
    yield server
    server.httpd.shutdown()


def _settings(tmp_path) -> Settings:
    return Settings.load({"data_dir": str(tmp_path / "d"), "fetch_delay": "0"}, environ={})


def test_progress_line_on_a_terminal(site, tmp_path, capsys):
    err = _Terminal()
    code = fetch_papers(_settings(tmp_path), site.url, None, limit=5, err=err)
    assert code == 0
    shown = err.getvalue()
    progress, rest = shown.split("\n", 1)  # the rewritten line is ended before anything else
    assert progress.count("\r") == 5 and rest.startswith("next: `councilkg build")
    lines = [part.strip() for part in progress.split("\r") if part.strip()]
    assert lines[0].startswith("1 documents (1 new, 0 unchanged), 0 failed, ")
    assert lines[-1].startswith("5 documents (5 new, 0 unchanged), 0 failed, ")
    assert lines[-1].endswith(" bytes")
    assert "5 fetched, 0 unchanged, 0 failed" in capsys.readouterr().out


def test_no_progress_line_when_not_a_terminal(site, tmp_path, capsys):
    err = io.StringIO()
    assert fetch_papers(_settings(tmp_path), site.url, None, limit=3, err=err) == 0
    assert "\r" not in err.getvalue() and "documents (" not in err.getvalue()
    assert "3 fetched, 0 unchanged, 0 failed" in capsys.readouterr().out


def test_interrupt_keeps_what_finished_and_resumes(site, tmp_path, capsys):
    settings = _settings(tmp_path)
    err = io.StringIO()
    code = fetch_papers(settings, site.url, None, client=_StopAfter(4), err=err)
    assert code == INTERRUPTED_EXIT == 130
    notes = [line for line in err.getvalue().splitlines() if line.startswith("interrupted:")]
    assert notes == ["interrupted: the 4 documents finished are kept; run the same command to resume"]
    assert "Traceback" not in err.getvalue()
    catalogue = settings.data_path / "sources" / "catalogue.csv"
    with catalogue.open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 4
    capsys.readouterr()
    assert fetch_papers(settings, site.url, None, err=io.StringIO()) == 0
    assert "14 fetched, 4 unchanged, 0 failed" in capsys.readouterr().out
    assert sum(n for k, n in site.hits.items() if k.startswith("/documents/")) == 4 + 18


def test_cli_exit_code_130_on_ctrl_c(site, tmp_path, monkeypatch):
    import corpus.fetch

    monkeypatch.setattr(corpus.fetch, "PoliteClient", lambda **kwargs: _StopAfter(2))
    args = ["--data-dir", str(tmp_path / "d"), "fetch", site.url]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 130, result.output
    assert "2 fetched, 0 unchanged, 0 failed" in result.output
    assert "interrupted: the 2 documents finished are kept" in result.output


def test_sizes_read_as_a_person_would():
    from councilkg.cli.fetch_cmds import _size

    assert [_size(0), _size(1536), _size(5 * 1024 * 1024)] == ["0 bytes", "1.5 KB", "5.0 MB"]
