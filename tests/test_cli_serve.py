"""`councilkg serve` on a port that is already taken: one line, exit 1, no traceback."""

from __future__ import annotations

import socket
from pathlib import Path

from click.testing import CliRunner

from councilkg.cli import cli


def test_serve_on_a_busy_port_says_so_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"error: cannot listen on 127.0.0.1:{port}" in result.output
    assert "Traceback" not in result.output
