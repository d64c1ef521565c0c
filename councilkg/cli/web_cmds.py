"""CLI commands of the `web` layer: serve and demo."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from councilkg.errors import CouncilKGError
from councilkg.settings import Settings


@contextmanager
def _listening(host: str, port: int) -> Iterator[None]:
    """Turn a socket that cannot be opened (port in use, unknown host) into a one-line error."""
    try:
        yield
    except OSError as exc:
        raise CouncilKGError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None

_host = click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
_port = click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
                     help="TCP port to listen on.")


@click.command("serve")
@_host
@_port
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Worker threads of the WSGI server (per process) for cheap pages; the limits on "
                   "expensive routes add their own.")
@click.option("--processes", default=1, show_default=True, type=click.IntRange(1, 32),
              help="Worker processes sharing the port (POSIX); about one per CPU core for heavy search "
                   "traffic. Each keeps its own rate-limit window.")
@click.pass_obj
def serve_cmd(settings: Settings, host: str, port: int, threads: int, processes: int) -> None:
    """Serve the explorer, the JSON API and the SPARQL endpoint (waitress)."""
    from web.server import serve

    with _listening(host, port):
        serve(settings, host, port, threads, announce=click.echo, processes=processes)


@click.command("demo")
@_host
@_port
@click.pass_obj
def demo_cmd(settings: Settings, host: str, port: int) -> None:
    """Build the bundled sample corpus (if not built yet) and serve it."""
    from web.server import demo

    with _listening(host, port):
        demo(settings, host, port, announce=click.echo)


COMMANDS: list[click.Command] = [serve_cmd, demo_cmd]
