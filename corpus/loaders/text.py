"""Plain text and Markdown: detect the encoding (never assume UTF-8), split pages at form feeds."""

from __future__ import annotations

import codecs

from corpus.source import LoadedSource, SourceLine
from councilkg.errors import InputError

_ALLOWED_CONTROLS = {9, 10, 12, 13}
# Byte-order marks of the wide Unicode encodings (their text is full of NUL bytes, so it
# must be recognised before the binary check); UTF-32 first as its LE mark extends UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


# Formats people save under the wrong name, recognised by their first bytes.
_KNOWN_BINARY = (
    (b"%PDF", "a PDF file"),
    (b"PK\x03\x04", "a ZIP package (a .docx?)"),
    (b"\xd0\xcf\x11\xe0", "an old Office file (.doc/.xls)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)


def looks_binary(data: bytes) -> bool:
    """True for bytes that are not text: NUL bytes or many control characters."""
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in _ALLOWED_CONTROLS)
    return controls > max(2, len(sample) // 50)


def _mostly_utf8(data: bytes) -> str | None:
    """``data`` as UTF-8 with only its bad bytes replaced, when it is UTF-8 with a few bad bytes.

    Text in a single-byte code page almost never holds a valid multi-byte UTF-8 sequence,
    so a file whose valid multi-byte sequences outnumber its invalid ones was written as
    UTF-8 and damaged (or pasted into) here and there; decoding it whole as cp1252 would
    turn every "£" into "Â£". Returns None for anything else.
    """
    text = data.decode("utf-8-sig", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    good = sum(1 for char in text if char > "\x7f" and char != "\ufffd")
    return text if 0 < bad < good else None


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode ``data`` to text, returning ``(text, encoding)``.

    UTF-8 (with or without BOM) is tried first because it is strict; anything else goes
    to charset-normalizer, which tells cp1252 and latin-1 apart from the byte statistics.
    """
    if not data.strip():
        raise InputError("empty file")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec), codec
            except UnicodeDecodeError:
                raise InputError(f"text marked as {codec} does not decode") from None
    if looks_binary(data):
        for magic, what in _KNOWN_BINARY:
            if data.startswith(magic):
                raise InputError(f"binary data, not text: {what} under a text name")
        raise InputError("binary data, not text")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(data)
    if mostly is not None:
        return mostly, "utf-8"
    from charset_normalizer import from_bytes

    # Council papers are English: among single-byte code pages prefer the Western ones
    # (cp1252 reads latin-1 text identically) when they decode the bytes cleanly; only
    # otherwise trust the open detection, which can mistake short cp1252 text for cp1250.
    western = from_bytes(data, cp_isolation=["cp1252", "latin_1", "iso8859_15"]).best()
    if western is not None and western.chaos <= 0.15:
        return str(western), western.encoding
    best = from_bytes(data).best()
    if best is None:
        raise InputError("cannot detect the text encoding")
    return str(best), best.encoding


def load_text(data: bytes, name: str) -> LoadedSource:
    """Load a ``.txt``/``.md`` paper; form feeds mark page breaks."""
    text, encoding = decode_text(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError("empty file")
    pages = text.split("\f")
    lines: list[SourceLine] = []
    for number, page in enumerate(pages, start=1):
        page_no = number if len(pages) > 1 else None
        lines.extend(SourceLine(line, page_no) for line in page.split("\n"))
    return LoadedSource(lines, pages=len(pages), notes={"encoding": encoding})
