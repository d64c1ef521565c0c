"""A fetched PDF with no text layer (an image scan) is one clear failure at build, not an empty paper."""

from __future__ import annotations

import io

from click.testing import CliRunner
from test_fetch import _Server

from councilkg.cli import cli


def _image_only_pdf() -> bytes:
    """One page on which only a filled rectangle is drawn: no text layer at all."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.rect(100, 100, 300, 400, fill=1)
    page.showPage()
    page.save()
    return out.getvalue()


def test_fetch_build_names_a_scan_without_text_layer(tmp_path):
    server = _Server({"/robots.txt": b"User-agent: *\n", "/papers/scan.pdf": _image_only_pdf()})
    listing = tmp_path / "urls.csv"
    listing.write_text(f"url,title\n{server.url}papers/scan.pdf,Scanned minutes\n", "utf-8")
    args = ["--data-dir", str(tmp_path / "d"), "--set", "fetch_delay=0"]
    args += ["fetch", "--urls", str(listing), "--build"]
    try:
        result = CliRunner().invoke(cli, args)
    finally:
        server.httpd.shutdown()
    assert result.exit_code == 1, result.output
    assert "1 fetched, 0 unchanged, 0 failed" in result.output
    assert "added 0, updated 0, unchanged 0, failed 1" in result.output
    failed = [line for line in result.output.splitlines() if line.startswith("failed: ")]
    assert len(failed) == 1 and "no extractable text in the PDF (a scanned image?)" in failed[0]
    assert failed[0].endswith(f"(source: {server.url}papers/scan.pdf)")
    assert "Traceback" not in result.output
