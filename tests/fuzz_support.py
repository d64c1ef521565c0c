"""Pieces the fuzz tests share: a hard wall-clock limit on one input."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def hard_time_limit(seconds: int) -> Iterator[None]:
    """Raise TimeoutError in the main thread if the body runs longer than ``seconds``."""

    def _expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
