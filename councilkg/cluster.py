"""Run a build's per-paper work on a Dask cluster (``councilkg build --cluster``).

``--cluster tcp://HOST:PORT`` connects to a running ``dask.distributed`` scheduler;
``--cluster local:N`` starts a :class:`distributed.LocalCluster` of N worker processes with one
thread each, on loopback, for this build only. Dask schedules, retries and restarts; councilkg
only decides what to send. :func:`map_on_cluster` has the contract of
:func:`councilkg.workers.map_in_workers` (lazy input, one paper in flight per worker thread,
results yielded as they finish, a :class:`~councilkg.workers.WorkResult` per item), so the build
keeps its guarantees unchanged: this process stays the stores' only writer, one paper's write
at a time, and a build stopped at any point has stored every paper it reported.

Workers load the heavy models once each and keep them: extraction goes through
:func:`councilkg.stages.extractor` and embedding through :func:`_worker_encoder`, both cached
per process and loaded on first use. While a build holds a cluster (:func:`active_cluster`),
the search stage embeds through :class:`ClusterEncoder`, which spreads the texts over the
workers in chunks and returns the vectors in order.

A worker that dies (killed, out of memory) costs only the papers it held: Dask runs them again
elsewhere. A paper whose task the scheduler gives up after :data:`ALLOWED_FAILURES` + 1 dead
workers (``distributed.scheduler.allowed-failures``; a remote scheduler uses its own value) is
run once more at the end, alone, since Dask blames every paper a dying worker held; if it kills
workers alone too it is given up with one ``failed:`` line, so a poison paper is never retried
forever and a paper that merely waited beside one is not blamed.

With a remote scheduler the workers read the input files themselves: PATHS must be readable at
the same absolute path on every worker (a shared file system), and they need councilkg and its
models installed in the same versions.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from councilkg.errors import CouncilKGError, one_line
from councilkg.workers import MAX_WORKERS, WorkResult, _call, describe

T = TypeVar("T")
R = TypeVar("R")

ALLOWED_FAILURES = 1
"""Deaths a LocalCluster's scheduler forgives a task: at the second it gives the paper up. Low,
because a paper given up is run once more alone anyway (:func:`map_on_cluster`), and every dead
worker costs a restart and a fresh load of the models."""

CONNECT_TIMEOUT_S = 10.0
"""How long connecting to a ``tcp://`` scheduler may take before the build refuses to start."""

IN_FLIGHT_PER_THREAD = 1
"""Items submitted per worker thread at once. One, so that a worker never holds a second paper:
when a worker dies, Dask counts every task it held against that task's allowed failures, and a
paper queued behind a poison paper would be blamed with it. Between two papers a worker waits
for one round trip to this process, a few milliseconds beside a paper's second or more."""

EMBED_CHUNK = 256
"""Texts one embedding task encodes: large enough that scheduling costs little beside the model."""

_SPEC = re.compile(
    r"^(?:local:(?P<n>\d{1,4})|(?P<address>tcp://(?P<host>[^\s/:]+|\[[0-9a-fA-F:]+\]):(?P<port>\d{1,5})))$"
)

@dataclass(frozen=True)
class ClusterSpec:
    """What ``--cluster`` names: a LocalCluster of ``local_workers`` processes, or a scheduler address."""

    local_workers: int = 0
    address: str = ""

    @property
    def local(self) -> bool:
        """True for ``local:N``."""
        return self.local_workers > 0


def parse_cluster(value: str) -> ClusterSpec:
    """Read a ``--cluster`` value (``local:N`` or ``tcp://HOST:PORT``); anything else is a one-line error."""
    match = _SPEC.match(value.strip())
    if match is None:
        raise CouncilKGError(
            f"--cluster {one_line(value)!r}: give tcp://HOST:PORT (a running Dask scheduler) "
            "or local:N (start N local worker processes)"
        )
    if match["n"] is not None:
        workers = int(match["n"])
        if not 1 <= workers <= MAX_WORKERS:
            raise CouncilKGError(f"--cluster local:{workers}: N must be between 1 and {MAX_WORKERS}")
        return ClusterSpec(local_workers=workers)
    if not 1 <= int(match["port"]) <= 65535:
        raise CouncilKGError(f"--cluster {value!r}: port must be between 1 and 65535")
    return ClusterSpec(address=match["address"])


class Cluster:
    """A connected Dask client, and the map and encoder a build uses through it."""

    THREADS_TTL_S = 2.0
    """How long a count of the workers' threads is used before the scheduler is asked again."""

    def __init__(self, client: Any, described: str) -> None:
        self.client = client
        self.described = described
        self._threads = (0, -1e9)

    def threads(self) -> int:
        """Worker threads the scheduler has (at least 1, so a build waits for a late worker).

        Asked again at most every :attr:`THREADS_TTL_S` seconds: a round trip per paper would
        cost more than it tells, and the count changes only when a worker comes or goes.
        """
        count, asked = self._threads
        if time.monotonic() - asked >= self.THREADS_TTL_S:
            try:
                count = sum(self.client.nthreads().values())
            except Exception:  # noqa: BLE001 - a lost scheduler shows up on the next submit instead
                count = 0
            self._threads = (count, time.monotonic())
        return max(1, count)

    def map(self, func: Callable[[T], R], items: Iterable[T]) -> Iterator[WorkResult[T, R]]:
        """:func:`map_on_cluster` on this cluster."""
        return map_on_cluster(self, func, items)


_ACTIVE: ContextVar[Cluster | None] = ContextVar("councilkg_cluster", default=None)


def active_cluster() -> Cluster | None:
    """The cluster the build running in this context uses, or None."""
    return _ACTIVE.get()


@contextlib.contextmanager
def open_cluster(value: str) -> Iterator[Cluster]:
    """Connect to (``tcp://``) or start (``local:N``) the cluster ``value`` names, for one build.

    Raises a one-line :class:`CouncilKGError` for a malformed value or an unreachable scheduler,
    before the build has touched anything. While open, :func:`active_cluster` returns it.
    """
    spec = parse_cluster(value)
    import dask
    from distributed import Client

    with contextlib.ExitStack() as stack:
        if spec.local:
            from distributed import LocalCluster

            # The scheduler runs in this process, so these settings are the ones it uses.
            stack.enter_context(dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}))
            try:
                local = stack.enter_context(
                    LocalCluster(
                        n_workers=spec.local_workers,
                        threads_per_worker=1,
                        processes=True,
                        host="127.0.0.1",
                        dashboard_address=None,
                        # No dashboard, and the scheduler's health page on a free loopback port
                        # (by default it takes 8787, and warns on stderr when that is in use).
                        scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
                        # What matters reaches the user as one line; Dask's own log (a task
                        # "marked as failed because 2 workers died") would be a second one.
                        silence_logs=logging.CRITICAL,
                    )
                )
                client = stack.enter_context(Client(local))
            except Exception as exc:  # noqa: BLE001 - any start-up failure is one line
                raise CouncilKGError(
                    f"--cluster {value}: cannot start local workers ({one_line(str(exc))})"
                ) from None
            described = f"a local Dask cluster of {spec.local_workers} worker(s)"
        else:
            try:
                client = stack.enter_context(Client(spec.address, timeout=CONNECT_TIMEOUT_S))
            except Exception as exc:  # noqa: BLE001 - refused, timed out, bad handshake: one line
                first = (str(exc).splitlines() or [type(exc).__name__])[0]
                raise CouncilKGError(
                    f"--cluster {spec.address}: cannot reach a Dask scheduler there ({one_line(first)[:200]})"
                ) from None
            described = f"the Dask scheduler at {spec.address}"
            try:  # a scheduler with no worker would leave the build waiting without a word
                client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
            except Exception:  # noqa: BLE001 - TimeoutError, or the scheduler went away meanwhile
                raise CouncilKGError(
                    f"--cluster {spec.address}: the Dask scheduler there has no workers "
                    f"(none joined within {CONNECT_TIMEOUT_S:.0f} s); start some with "
                    f"`dask worker {spec.address} --nthreads 1`"
                ) from None
        cluster = Cluster(client, described)
        token = _ACTIVE.set(cluster)
        try:
            yield cluster
        finally:
            _ACTIVE.reset(token)


def _lost(cluster: Cluster, item: object) -> CouncilKGError:
    from councilkg.pipeline import BuildStopped

    return BuildStopped(
        f"lost {cluster.described} while processing {describe(item)}; papers already finished are "
        "kept: rerun the build to go on"
    )


def map_on_cluster(
    cluster: Cluster, func: Callable[[T], R], items: Iterable[T]
) -> Iterator[WorkResult[T, R]]:
    """Apply ``func`` to every item on the cluster's workers, yielding results as they finish.

    The contract of :func:`councilkg.workers.map_in_workers`: ``items`` is read lazily, at most
    :data:`IN_FLIGHT_PER_THREAD` items per worker thread are submitted at once (counted again
    as workers come and go), an exception becomes a one-line error on the item's result, and a
    lost scheduler stops the map with a one-line :class:`CouncilKGError`.

    An item whose task the scheduler gave up (:class:`distributed.KilledWorker`: more workers
    died holding it than ``allowed-failures``) may only have been waiting on a worker that
    another item killed, so it is run once more at the end, alone on the cluster; only when it
    kills workers by itself too is it a failed result.
    """
    from distributed import KilledWorker, as_completed

    client = cluster.client
    iterator = iter(items)
    pending: dict[Any, T] = {}
    stream = as_completed()
    suspects: list[T] = []
    exhausted = alone = False

    def submit(item: T) -> None:
        if client.status not in ("running", "newly-created"):  # gone, or reconnecting after a loss
            raise _lost(cluster, item)
        try:
            # pure=False: the same paper sent twice (a retry) is computed again, not looked up.
            future = client.submit(_call, func, item, pure=False)
        except Exception:  # noqa: BLE001 - the scheduler went away
            raise _lost(cluster, item) from None
        pending[future] = item
        stream.add(future)

    def submit_more() -> None:
        nonlocal exhausted, alone
        if not alone:
            limit = IN_FLIGHT_PER_THREAD * cluster.threads()
            while not exhausted and len(pending) < limit:
                try:
                    item = next(iterator)
                except StopIteration:
                    exhausted = True
                    break
                submit(item)
            alone = exhausted and not pending
        if alone and not pending and suspects:
            submit(suspects.pop(0))

    submit_more()
    try:
        while pending:
            try:
                future = next(stream)
            except StopIteration:  # pragma: no cover - as_completed ends only when pending is empty
                break
            item = pending.pop(future)
            suspected = False
            try:
                value, error, internal = future.result()
            except KilledWorker as exc:
                value, internal = None, False
                if alone:
                    dead = getattr(exc, "allowed_failures", ALLOWED_FAILURES) + 1
                    error = (
                        f"its work killed {dead} Dask workers, also when run alone (out of memory, "
                        "or a crash); not retried again"
                    )
                else:
                    suspects.append(item)
                    suspected, error = True, None
            except (CancelledError, OSError) as exc:
                raise _lost(cluster, item) from exc
            except Exception as exc:  # noqa: BLE001 - a result that would not come back (e.g. unpicklable)
                first = (str(exc).splitlines() or [""])[0]
                value, error, internal = None, f"internal error: {type(exc).__name__}: {first}", True
            finally:
                future.release()
            # The next item goes out before this result is handed over: the caller writes it to
            # the stores (hundreds of milliseconds) while the worker gets on with the next paper.
            submit_more()
            if not suspected:
                yield WorkResult(item, value, error, internal)
    finally:
        for future in pending:
            with contextlib.suppress(Exception):
                future.cancel()


# -- embedding on the workers ------------------------------------------------------------------


@functools.lru_cache(maxsize=2)
def _worker_encoder(model_name: str) -> Any:
    """This worker's encoder for ``model_name`` (its model loads on the first texts, then stays).

    One intra-op thread: each Dask worker thread runs one task, so a second thread per task only
    competes with the other workers on the same machine.
    """
    from search.encoder import Encoder

    return Encoder(model_name, threads=1)


def encode_on_worker(model_name: str, chunk: tuple[int, list[str]]) -> np.ndarray:
    """Vectors of one ``(position, texts)`` chunk with this worker's cached encoder (an embedding task)."""
    return _worker_encoder(model_name).encode(chunk[1])


class ClusterEncoder:
    """An encoder with the interface of :class:`search.encoder.Encoder` whose ``encode`` runs on the workers.

    ``encode`` splits the texts into chunks of :data:`EMBED_CHUNK`, encodes them on the cluster
    and returns the vectors in the texts' order, so the search index stores exactly what a local
    encoder would (same model, same code, on the workers). Anything else (the model's name,
    ``dimension``) is answered by the local encoder it wraps, which loads no model for a name.
    """

    def __init__(self, cluster: Cluster, local: Any, chunk: int = EMBED_CHUNK) -> None:
        self.cluster = cluster
        self.local = local
        self.chunk = max(1, chunk)
        self.model_name: str = local.model_name

    def __getattr__(self, name: str) -> Any:
        return getattr(self.local, name)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Vectors of ``texts`` as an (n, dimension) float32 array, unit length, encoded on the workers."""
        if not texts:
            return self.local.encode(texts)
        chunks = [list(texts[at : at + self.chunk]) for at in range(0, len(texts), self.chunk)]
        encoded: dict[int, np.ndarray] = {}
        for result in map_on_cluster(
            self.cluster, functools.partial(encode_on_worker, self.model_name), enumerate(chunks)
        ):
            if not result.ok or result.value is None:
                raise CouncilKGError(f"embedding on {self.cluster.described} failed: {result.error}")
            encoded[result.item[0]] = result.value
        self.local.texts_encoded += len(texts)
        return np.concatenate([encoded[i] for i in range(len(chunks))]).astype(np.float32, copy=False)


def on_cluster(encoder: Any) -> Any:
    """``encoder``, or a :class:`ClusterEncoder` around it while a build holds a cluster."""
    cluster = active_cluster()
    if cluster is None or isinstance(encoder, ClusterEncoder):
        return encoder
    return ClusterEncoder(cluster, encoder)
