"""The build pipeline: ingest papers, then run each later stage on the papers it finds stale.

``build`` ingests files into the corpus store (idempotent, crash-safe; see
:mod:`corpus.store`) and then walks :data:`STAGES` in order. A :class:`Stage` says which
stored papers it must (re)process — typically those whose content hash differs from the
hash its own store recorded — and processes them. Extraction, graph loading and search
indexing plug in here as stages, so a re-run after one changed paper redoes only that
paper downstream, and a stage that crashed half-way simply finds its papers still stale.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from corpus.metadata import read_catalogue
from corpus.models import Document
from corpus.store import CorpusStore, IngestReport, LoadTask, Mapper, Progress
from councilkg.errors import CouncilKGError, NotFound, one_line
from councilkg.settings import Settings
from councilkg.workers import WorkMap, map_in_workers


@dataclass(frozen=True)
class Stage:
    """One downstream step of the build.

    ``stale(doc_id, content_hash, settings)`` answers whether the paper needs this stage
    (e.g. its graph is missing or was built from another hash); ``run(documents,
    settings)`` processes those papers and returns the ids it could not process, each
    with a one-line reason. It is called on batches of at most :data:`BATCH_PAPERS`
    papers, so memory stays bounded and an interrupted build keeps finished batches.

    A stage may instead give ``prepare(doc, settings)`` — pure per-paper work such as
    extraction, a picklable module-level function — and ``commit(doc, prepared, settings)``,
    which writes one paper's result. ``prepare`` then runs in ``settings.workers`` processes
    (see :mod:`councilkg.workers`) while this process stays the stores' single writer.

    ``stale_ids(content_hashes, settings)`` may replace ``stale``: one call answering for every
    paper at once (``doc_id -> content hash``), for stages whose store can say so in one query.
    ``finish(settings)`` runs after the stage, failed or not (e.g. to close the stores it opened).
    ``prune(present_ids, settings)`` runs first and drops from the stage's store every paper the
    corpus no longer has (removed, or renamed by an id migration), returning their ids; so a
    removal or an upgrade that stopped half-way is finished by the next build. ``held(settings)``
    lists the ids the stage's store holds (so ``councilkg remove`` can finish a removal the corpus
    store has already forgotten).
    """

    name: str
    stale: Callable[[str, str, Settings], bool] | None
    run: Callable[[list[Document], Settings], dict[str, str]] | None = None
    prepare: Callable[[Document, Settings], Any] | None = None
    commit: Callable[[Document, Any, Settings], None] | None = None
    stale_ids: Callable[[Mapping[str, str], Settings], Iterable[str]] | None = None
    finish: Callable[[Settings], None] | None = None
    prune: Callable[[set[str], Settings], list[str]] | None = None
    held: Callable[[Settings], set[str]] | None = None

    def stale_papers(self, hashes: Mapping[str, str], settings: Settings) -> list[str]:
        """The ids among ``hashes`` (doc_id -> content hash) this stage must (re)process, sorted."""
        if self.stale_ids is not None:
            wanted = set(self.stale_ids(hashes, settings))
            return [doc_id for doc_id in hashes if doc_id in wanted]
        if self.stale is None:
            raise CouncilKGError(f"build stage {self.name!r} has neither stale nor stale_ids")
        return [doc_id for doc_id, digest in hashes.items() if self.stale(doc_id, digest, settings)]


class BuildStopped(CouncilKGError):
    """A failure that stops the whole build, not one stage or one paper (e.g. its Dask scheduler is gone).

    It goes through the stages' error handling, so the build ends with this one line; every paper
    already written is kept and the next build carries on from there.
    """


BATCH_PAPERS = 32
"""Papers a batch stage's ``run`` receives at once."""


STAGES: list[Stage] = []
"""Stages run after ingestion, in order; :mod:`councilkg.stages` fills it (extract → graph → search)."""


@dataclass
class BuildReport:
    """The outcome of a build: ingestion counts plus, per stage, the papers it processed."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    changed_ids: list[str] = field(default_factory=list)
    stages: dict[str, list[str]] = field(default_factory=dict)
    pruned: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.failed

    @classmethod
    def from_ingest(cls, report: IngestReport) -> BuildReport:
        """Start a build report from the ingestion's report."""
        return cls(
            added=list(report.added),
            updated=list(report.updated),
            unchanged=list(report.unchanged),
            failed=list(report.failed),
            changed_ids=list(report.changed_ids),
        )

    def summary_lines(self) -> list[str]:
        """The closing summary: counts, a ``note:`` per paper skipped for an old failure, then one
        line per failure with its reason."""
        lines = [
            f"added {len(self.added)}, updated {len(self.updated)}, "
            f"unchanged {len(self.unchanged)}, failed {len(self.failed)}"
        ]
        for name, ids in self.stages.items():
            lines.append(f"{name}: {len(ids)} paper(s) processed")
            if self.pruned.get(name):
                lines.append(f"{name}: {len(self.pruned[name])} paper(s) no longer in the corpus dropped")
        lines.extend(f"note: {one_line(note)}" for note in self.notes)
        lines.extend(f"failed: {one_line(path)}: {one_line(reason)}" for path, reason in self.failed)
        return lines


def stage_software(settings: Settings) -> str:
    """What a recorded stage failure is tied to: councilkg's version and the settings that shape output.

    A paper whose stage failed is retried once its text changes or this changes (an upgrade, or
    a setting such as a limit changed); otherwise later builds skip it with a note.
    """
    from councilkg import __version__

    shaping = sorted((k, str(v)) for k, v in settings.values.items() if k not in _NOT_SHAPING)
    digest = hashlib.sha256(repr(shaping).encode("utf-8")).hexdigest()[:12]
    return f"councilkg {__version__} settings {digest}"


_NOT_SHAPING = {"data_dir", "workers", "cluster"}
"""Settings that never change what a stage makes of a paper."""


@dataclass
class StageOutcome:
    """What a stage run did to its stale papers: failures by id, and which of them are the paper's fault.

    ``paper_faults`` failed in the paper's own work (extraction, or what ``run`` reported per
    paper): rerunning on the same text and software fails again, so they are recorded and not
    retried. The other failures (writing to a store, a whole batch refused) may pass next time.
    """

    failures: dict[str, str] = field(default_factory=dict)
    paper_faults: set[str] = field(default_factory=set)


def run_stages(
    store: CorpusStore,
    settings: Settings,
    report: BuildReport,
    stages: Sequence[Stage],
    work_map: WorkMap | None = None,
) -> None:
    """Run each stage over the stored papers it reports stale; failures go into ``report``.

    ``work_map`` runs the stages' ``prepare`` (default: ``settings.workers`` local processes;
    a build on a Dask cluster passes :meth:`councilkg.cluster.Cluster.map`).

    A paper whose stage failed in its own work is reported once: the failure is recorded with
    the paper's content hash and :func:`stage_software`, and later builds skip the paper with a
    ``note:`` line (not a failure) until either changes.
    """
    hashes = {doc_id: store.content_hash(doc_id) or "" for doc_id in store.ids()}
    software = stage_software(settings)
    for stage in stages:
        report.stages[stage.name] = []
        try:
            if stage.prune is not None:
                report.pruned[stage.name] = stage.prune(set(hashes), settings)
            stale = stage.stale_papers(hashes, settings)
            known = store.stage_failures(stage.name)
            skipped = [d for d in stale if d in known and known[d][:2] == (hashes[d], software)]
            report.notes.extend(
                f"{d} ({stage.name}): not retried, it failed on this version of the paper: "
                f"{known[d][2]} (edit the file to retry, or `councilkg remove {d}`)"
                for d in skipped
            )
            stale = [d for d in stale if d not in skipped_ids] if (skipped_ids := set(skipped)) else stale
            if not stale:
                continue
            if stage.prepare is not None:
                outcome = run_prepared_stage(store, stage, stale, settings, work_map)
            else:
                outcome = run_batched_stage(store, stage, stale, settings)
        except BuildStopped:
            raise
        except CouncilKGError as exc:
            # The stage could not run at all (e.g. its store is locked): no paper is lost, each
            # stays stale and the next build retries it.
            report.failed.append((f"stage {stage.name}", exc.message))
            continue
        finally:
            if stage.finish is not None:
                stage.finish(settings)
        failures = outcome.failures
        report.stages[stage.name] = done = [d for d in stale if d not in failures]
        report.failed.extend((f"{doc_id} ({stage.name})", reason) for doc_id, reason in failures.items())
        store.clear_stage_failures(stage.name, [d for d in done + list(failures) if d in known])
        store.record_stage_failures(
            stage.name,
            [(d, hashes[d], failures[d]) for d in failures if d in outcome.paper_faults],
            software,
        )


def run_batched_stage(store: CorpusStore, stage: Stage, stale: list[str], settings: Settings) -> StageOutcome:
    """Call ``stage.run`` on the stale papers in batches; return the failures by paper id."""
    if stage.run is None:
        raise CouncilKGError(f"build stage {stage.name!r} has neither run nor prepare")
    outcome = StageOutcome()
    for at in range(0, len(stale), BATCH_PAPERS):
        batch = stale[at : at + BATCH_PAPERS]
        try:
            reported = stage.run([store.get(doc_id) for doc_id in batch], settings) or {}
        except BuildStopped:
            raise
        except CouncilKGError as exc:
            outcome.failures.update({doc_id: exc.message for doc_id in batch})
            continue
        outcome.failures.update(reported)
        outcome.paper_faults.update(reported)
    return outcome


def run_prepared_stage(
    store: CorpusStore,
    stage: Stage,
    stale: list[str],
    settings: Settings,
    work_map: WorkMap | None = None,
) -> StageOutcome:
    """``prepare`` the stale papers in worker processes (or ``work_map``), ``commit`` each as it arrives."""
    if stage.commit is None or stage.prepare is None:
        raise CouncilKGError(f"build stage {stage.name!r} has prepare but no commit")
    if work_map is None:
        work_map = partial(map_in_workers, workers=max(1, min(int(settings.workers), len(stale))))
    documents = (store.get(doc_id) for doc_id in stale)  # read lazily: a few papers in flight
    outcome = StageOutcome()
    for result in work_map(partial(_prepare_paper, stage.prepare, settings), documents):
        doc = result.item
        if not result.ok:
            outcome.failures[doc.doc_id] = result.error or "failed"
            outcome.paper_faults.add(doc.doc_id)
            continue
        try:
            stage.commit(doc, result.value, settings)
        except CouncilKGError as exc:
            outcome.failures[doc.doc_id] = exc.message
    return outcome


def _prepare_paper(prepare: Callable[[Document, Settings], Any], settings: Settings, doc: Document) -> Any:
    # Module level, so that it pickles into a worker process together with ``prepare``.
    return prepare(doc, settings)


def worker_mapper(workers: int) -> Mapper | None:
    """A :data:`corpus.store.Mapper` spreading parsing over ``workers`` processes (None for one)."""
    if workers <= 1:
        return None
    return work_mapper(partial(map_in_workers, workers=workers))


def work_mapper(work_map: WorkMap) -> Mapper:
    """A :data:`corpus.store.Mapper` parsing through ``work_map`` (local processes or a cluster)."""

    def mapper(
        func: Callable[[LoadTask], Document], tasks: Iterable[LoadTask]
    ) -> Iterator[tuple[Any, Any, Any]]:
        for result in work_map(func, tasks):
            yield result.item, result.value, result.error

    return mapper


LOCK_FILE = "build.lock"
"""The file in the data directory a build (or removal) holds an exclusive lock on while it runs."""


@contextmanager
def build_lock(settings: Settings) -> Iterator[Path]:
    """Hold the data directory's build lock, or refuse at once with a one-line :class:`CouncilKGError`.

    Taken before ingestion and held through every stage, so two builds never interleave: a
    second build's search stage could otherwise mark papers indexed whose graph stage it had
    skipped on the first build's store lock. The lock is ``flock`` on ``build.lock``: the
    kernel releases it when the process ends, however it ends, so a killed build leaves no
    stale lock behind. Build workers start from a clean server process and do not hold it.
    """
    folder = settings.data_path
    path = folder / LOCK_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held until the build ends
    except OSError as exc:
        raise CouncilKGError(f"{folder}: cannot use as the data directory ({exc.strerror or exc})") from None
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CouncilKGError(
                f"another councilkg build or remove is running on {folder} (it holds {path}); "
                "wait for it to finish, then run this again"
            ) from None
        except OSError as exc:
            raise CouncilKGError(f"cannot lock {path} ({exc.strerror or exc})") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")  # who holds it, for a person looking
        handle.flush()
        yield path
    finally:
        handle.close()  # closing the file releases the lock


def build(
    paths: Iterable[str | Path],
    settings: Settings,
    catalogue: str | Path | None = None,
    progress: Progress | None = None,
    stages: Sequence[Stage] | None = None,
) -> BuildReport:
    """Ingest ``paths`` (files or folders) and bring every later stage up to date.

    ``catalogue`` is an optional catalogue CSV whose rows give metadata per file name. Refused
    up front (:func:`build_lock`) while another build runs on the same data directory.

    With the ``cluster`` setting (``local:N`` or ``tcp://HOST:PORT``) parsing, extraction and
    embedding run on that Dask cluster (:mod:`councilkg.cluster`) instead of ``workers``
    local processes; it is connected (or started) before anything is touched, so a bad value or
    an unreachable scheduler is a one-line :class:`CouncilKGError` with the stores unchanged.
    """
    rows = read_catalogue(catalogue) if catalogue else None
    with contextlib.ExitStack() as held:
        mapper = worker_mapper(int(settings.workers))
        work_map: WorkMap | None = None
        if settings.cluster:
            from councilkg.cluster import open_cluster, parse_cluster

            if not parse_cluster(settings.cluster).local:
                # Remote workers do not share this directory: they read the files by absolute path.
                paths = [Path(p).resolve() for p in paths]
            work_map = held.enter_context(open_cluster(settings.cluster)).map
            mapper = work_mapper(work_map)
        held.enter_context(build_lock(settings))
        store = held.enter_context(CorpusStore.open(settings))
        ingested = store.ingest(paths, catalogue=rows, progress=progress, mapper=mapper)
        report = BuildReport.from_ingest(ingested)
        if stages is None:
            from councilkg.stages import default_stages

            stages = STAGES or default_stages()
        run_stages(store, settings, report, stages, work_map)
    return report


@dataclass
class RemoveReport:
    """What :func:`remove` did: the papers removed (``(id, file name)``) and stages it could not finish."""

    removed: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every stage dropped the papers."""
        return not self.failed


def remove(refs: Iterable[str], settings: Settings, stages: Sequence[Stage] | None = None) -> RemoveReport:
    """Remove papers (ids, file names or paths) from the corpus store, the graph and the search index.

    Every reference is resolved first; an unknown one stops the removal before anything is
    touched (:class:`NotFound`, one line naming every unknown reference). The papers then leave
    the corpus store in one transaction, and each stage drops every paper the corpus no longer
    has (``Stage.prune``). Interrupted between the two, the rest is finished by the next build,
    or by running the same removal again: an id the corpus has forgotten but a stage still holds
    is accepted and dropped there. Runs under the build lock, like a build.
    """
    from corpus.store import corpus_exists

    refs = list(dict.fromkeys(refs))
    if not refs:
        raise CouncilKGError("name at least one paper to remove (an id from `councilkg docs`, or a file)")
    if not corpus_exists(settings):  # the SQLite file, or the corpus schema on PostgreSQL
        raise CouncilKGError(f"no papers in {settings.data_path}: run `councilkg build PATH` first")
    if stages is None:
        from councilkg.stages import default_stages

        stages = STAGES or default_stages()
    report = RemoveReport()
    with build_lock(settings), CorpusStore.open(settings) as store:
        ids: list[str] = []
        unknown: list[str] = []
        for ref in refs:
            try:
                ids.append(store.resolve_id(ref))
            except NotFound:
                unknown.append(ref)
        if unknown:
            held = _held_by_stages(stages, settings)
            leftovers = [ref for ref in unknown if ref in held]
            unknown = [ref for ref in unknown if ref not in held]
            if unknown:
                names = ", ".join(repr(ref) for ref in unknown)
                raise NotFound(
                    f"no paper {names} in {settings.data_path} (see `councilkg docs`); nothing removed"
                )
            report.removed.extend((ref, "") for ref in leftovers)
        files = {r.id: r.file for r in store.list() if r.id in set(ids)}
        store.remove_papers(ids)
        report.removed[:0] = [(doc_id, files.get(doc_id, "")) for doc_id in dict.fromkeys(ids)]
        present = set(store.ids())
        for stage in stages:
            if stage.prune is None:
                continue
            try:
                stage.prune(present, settings)
            except CouncilKGError as exc:
                report.failed.append((f"stage {stage.name}", exc.message))
            finally:
                if stage.finish is not None:
                    stage.finish(settings)
    return report


def _held_by_stages(stages: Sequence[Stage], settings: Settings) -> set[str]:
    """Every paper id some stage's store holds."""
    held: set[str] = set()
    for stage in stages:
        if stage.held is None:
            continue
        try:
            held |= stage.held(settings)
        finally:
            if stage.finish is not None:
                stage.finish(settings)
    return held
