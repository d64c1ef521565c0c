"""Spread per-paper work over worker processes with bounded memory; the parent keeps writing.

``councilkg build --workers N`` parses and extracts papers in N processes while the parent
process stays the only writer of the stores (SQLite, Oxigraph and the vector index are
single-writer). :func:`map_in_workers` takes items lazily from an iterable, keeps at most
``max_in_flight`` of them submitted at once (so memory is bounded by a few papers per worker,
not by the corpus), and yields each :class:`WorkResult` as soon as it is ready, so the parent
can write it and a build interrupted at any point has stored every paper it reported.

With one worker (or one item) the work runs inline in the parent: same results, no process
start-up, which keeps a one-paper incremental rebuild cheap.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from councilkg.errors import CouncilKGError

T = TypeVar("T")
R = TypeVar("R")

IN_FLIGHT_PER_WORKER = 2
MAX_WORKERS = 256  # beyond this the OS runs out of semaphores and file handles long before CPUs
"""Items submitted per worker at once: one running, one queued so no worker waits for the parent."""


WorkMap = Callable[[Callable[[Any], Any], Iterable[Any]], Iterator["WorkResult[Any, Any]"]]
"""Applies a function to items, yielding a :class:`WorkResult` per item as each finishes:
:func:`map_in_workers` bound to a number of processes, or a Dask cluster's map
(:meth:`councilkg.cluster.Cluster.map`)."""


@dataclass(frozen=True)
class WorkResult(Generic[T, R]):
    """The outcome of one item: its value, or a one-line error.

    ``internal`` is True when the error was not a :class:`CouncilKGError` (a bug, not bad
    input); the caller should report it as such rather than blame the paper.
    """

    item: T
    value: R | None = None
    error: str | None = None
    internal: bool = False

    @property
    def ok(self) -> bool:
        """True when the item produced a value."""
        return self.error is None


def describe(item: object) -> str:
    """A short name for an item in messages: its path or paper id when it has one."""
    for attribute in ("path", "doc_id", "file_name"):
        value = getattr(item, attribute, None)
        if value:
            return str(value)
    return f"{item!s:.200}"


def run_one(func: Callable[[T], R], item: T) -> WorkResult[T, R]:
    """Call ``func(item)`` and turn any exception into a one-line error on the result."""
    value, error, internal = _call(func, item)
    return WorkResult(item, value, error, internal)


def _call(func: Callable[[T], R], item: T) -> tuple[R | None, str | None, bool]:
    # What a worker sends back: the value or the error, never the (possibly large) item again.
    try:
        return func(item), None, False
    except CouncilKGError as exc:
        return None, exc.message, False
    except Exception as exc:  # a bug must not stop the other papers; it is reported as internal
        first_line = (str(exc).splitlines() or [""])[0]
        return None, f"internal error: {type(exc).__name__}: {first_line}", True


def map_in_workers(
    func: Callable[[T], R],
    items: Iterable[T],
    workers: int = 1,
    *,
    max_in_flight: int | None = None,
    initializer: Callable[..., Any] | None = None,
    initargs: tuple[Any, ...] = (),
) -> Iterator[WorkResult[T, R]]:
    """Apply ``func`` to every item in up to ``workers`` processes, yielding results as they finish.

    ``func`` (and ``initializer``) must be importable module-level functions, and items and
    values picklable. Results arrive in completion order, not input order. At most
    ``max_in_flight`` items (default ``2 * workers``) are submitted at a time and ``items`` is
    read lazily. ``initializer(*initargs)`` runs once in each worker (e.g. to load a model),
    or once in the parent when running inline.
    """
    if workers < 1 or workers > MAX_WORKERS:
        raise CouncilKGError(f"workers must be between 1 and {MAX_WORKERS}, not {workers}")
    iterator = iter(items)
    if workers == 1:
        if initializer is not None:
            initializer(*initargs)
        for item in iterator:
            yield run_one(func, item)
        return
    limit = max(max_in_flight or IN_FLIGHT_PER_WORKER * workers, 1)
    # forkserver: workers start from a clean process, never from a parent that may hold
    # model threads or open database handles (fork would copy those mid-state).
    context = multiprocessing.get_context("forkserver")
    executor = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=initializer, initargs=initargs
    )
    pending: dict[Future[tuple[R | None, str | None, bool]], T] = {}
    exhausted = False
    try:
        while True:
            while not exhausted and len(pending) < limit:
                try:
                    item = next(iterator)
                except StopIteration:
                    exhausted = True
                    break
                pending[executor.submit(_call, func, item)] = item
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                item = pending.pop(future)
                try:
                    value, error, internal = future.result()
                except BrokenProcessPool:
                    raise CouncilKGError(
                        f"a build worker died while processing {describe(item)}; it may have run out of "
                        "memory: rerun with fewer --workers (papers already finished are kept)"
                    ) from None
                yield WorkResult(item, value, error, internal)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
