"""The project's one exception type.

Every failure a user can cause (a bad file, a bad query, a bad setting) is raised as a
:class:`CouncilKGError` with a one-line message; the CLI and the web app print that line
and never a traceback.
"""

from __future__ import annotations


class CouncilKGError(Exception):
    """A user-facing failure with a clear one-line message.

    ``status`` is the HTTP status a web view should answer with.
    """

    status: int = 400

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status

    @property
    def message(self) -> str:
        """The one-line reason, without a traceback."""
        return str(self).splitlines()[0] if str(self) else self.__class__.__name__


class InputError(CouncilKGError):
    """A file that cannot be ingested (corrupt, encrypted, empty, too big, binary…)."""


class QueryError(CouncilKGError):
    """A query refused or failed (syntax, forbidden operation, time limit, too many results)."""


class QueryTimeout(QueryError):
    """A query that ran past the configured time limit."""

    status = 503


class NotFound(CouncilKGError):
    """A paper, entity or resource that does not exist."""

    status = 404


_LINE_BREAKING = {"Cc", "Zl", "Zp"}
"""Unicode categories of characters that end or redraw a line: controls and line/paragraph separators."""
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Direction overrides and isolates, which can make a printed line read as another one."""


def one_line(text: str) -> str:
    """``text`` with every control, line-separator and bidi character escaped (``\\n``, ``\\u2028``).

    File names and library messages end up in one-line reports (``failed: FILE: reason``); a
    name holding a newline or carriage return must not be able to print a line of its own.
    """
    import unicodedata

    out = []
    for ch in text:
        if ch in _BIDI_CONTROLS or unicodedata.category(ch) in _LINE_BREAKING:
            out.append(repr(ch)[1:-1] if ch != "'" else ch)
        else:
            out.append(ch)
    return "".join(out)
