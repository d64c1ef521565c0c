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
