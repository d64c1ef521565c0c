"""Cut text too long for one spaCy doc into pieces at sentence ends or spaces, offsets kept.

spaCy refuses a text over ``nlp.max_length`` characters (1,000,000 by default) and needs memory
in proportion to a doc's length; a converted paper can hold a "paragraph" of any length (a
table flattened into one line, a file without line breaks). Such text is processed as several
docs instead. Each piece is an exact slice of the text, so that every offset found in a piece
plus the piece's start is an offset into the paper (provenance stays exact).
"""

from __future__ import annotations

import re

#: The longest piece handed to spaCy. Far above any real paragraph (so ordinary papers are
#: processed exactly as before) and far below spaCy's ``max_length``.
MAX_PIECE_CHARS = 20_000

# The end of a sentence: closing punctuation, any closing quotes or brackets, then spaces.
_SENTENCE_END = re.compile(r"[.!?;][\"'”’)\]]*\s+")
_SPACES = re.compile(r"\s+")


def _last_end(pattern: re.Pattern[str], text: str, lo: int, hi: int) -> int | None:
    """The end of the last match of ``pattern`` inside ``text[lo:hi]``, or None."""
    end = None
    for match in pattern.finditer(text, lo, hi):
        end = match.end()
    return end


def cut_long_text(text: str, max_chars: int = MAX_PIECE_CHARS) -> list[tuple[int, str]]:
    """``(offset, piece)`` pairs covering ``text`` in order, each piece at most ``max_chars`` long.

    A piece ends after the last sentence end in the second half of its window, else after the
    last run of whitespace there, else (one unbroken run of characters) at ``max_chars``. The
    pieces concatenate to ``text``; text no longer than ``max_chars`` is one piece. Linear in
    the length of ``text``.
    """
    if max_chars < 2:
        raise ValueError("max_chars must be at least 2")
    pieces: list[tuple[int, str]] = []
    pos = 0
    while len(text) - pos > max_chars:
        window_end = pos + max_chars
        half = pos + max_chars // 2
        cut = _last_end(_SENTENCE_END, text, half, window_end) or _last_end(_SPACES, text, half, window_end)
        if cut is None or cut <= pos:
            cut = window_end
        pieces.append((pos, text[pos:cut]))
        pos = cut
    if pos < len(text) or not pieces:
        pieces.append((pos, text[pos:]))
    return pieces
