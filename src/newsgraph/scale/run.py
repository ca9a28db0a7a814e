"""Parallel ingest: plan partitions, run them on an engine, merge results into the store.

The run is the serial :func:`~newsgraph.runner.ingest` spread over processes: the
same reading, the same stages in the same batches, the same deduplication by article
id, the same rows, and the same :class:`~newsgraph.pipeline.RunReport` (seconds per
stage are summed over workers; ``store`` is the parent's merging).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Literal

from newsgraph.errors import ConfigError
from newsgraph.model import Rejection
from newsgraph.pipeline import Pipeline, RunReport
from newsgraph.runner import recorded_run
from newsgraph.scale.cluster import run_dask, save_known
from newsgraph.scale.merge import Merger, table_schemas
from newsgraph.scale.partitions import Partition, Plan, plan_partitions
from newsgraph.scale.processes import run_processes
from newsgraph.scale.shards import manifest_path, read_shards
from newsgraph.scale.worker import (
    Job,
    KnownIds,
    PartitionResult,
    PipelineFactory,
    WorkerStats,
    build_pipeline,
)
from newsgraph.settings import Settings, load_settings
from newsgraph.store import Store

Engine = Literal["processes", "dask"]
ENGINES: tuple[Engine, ...] = ("processes", "dask")
Progress = Callable[[RunReport], None]


@dataclass(frozen=True)
class Tuning:
    """The less common knobs of a parallel run.

    Attributes:
        partition_size: records per partition (a whole file counts as one); None
            chooses about four partitions per worker, at most 256 records each.
        shards_dir: Dask only: where run folders go (default ``<db>.shards`` beside
            the database; on a cluster, a folder every worker can write to).
        keep_shards: Dask only: keep the run folder after a completed merge.
        max_attempts: times a partition may kill its worker before it is rejected.
        pipeline_factory: builds the pipeline in each worker; a module-level function
            importable there (default: ``Pipeline.from_settings``).
    """

    partition_size: int | None = None
    shards_dir: str | None = None
    keep_shards: bool = False
    max_attempts: int = 3
    pipeline_factory: PipelineFactory = build_pipeline


class ParallelIngest:
    """An ingest spread over worker processes; :meth:`run` it on paths.

    Args:
        settings: as for :func:`~newsgraph.runner.ingest` (default: loaded settings).
        engine: ``processes`` (a local pool, no extra dependency) or ``dask``.
        workers: worker processes (default: the machine's CPUs). With a Dask
            ``scheduler`` the cluster has its own workers, and this only sizes partitions.
        scheduler: Dask only: the address of a running scheduler (``tcp://host:8786``);
            None starts a local cluster of ``workers`` processes.
        tuning: less common knobs (see :class:`Tuning`).

    Raises:
        ConfigError: for an unknown engine, a bad worker count or stage order.

    Example::

        runner = ParallelIngest(load_settings(db="news.duckdb"), workers=2)
        report = runner.run(["archive/"])
        print(report.ingested, runner.peak_rss_by_worker())
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        engine: Engine = "processes",
        workers: int | None = None,
        scheduler: str | None = None,
        tuning: Tuning | None = None,
    ) -> None:
        if engine not in ENGINES:
            raise ConfigError(f"unknown engine {engine!r}", hint=f"use one of {', '.join(ENGINES)}")
        if workers is not None and workers < 1:
            raise ConfigError(f"--workers must be at least 1, got {workers}")
        if scheduler and engine != "dask":
            raise ConfigError("a scheduler address needs the dask engine", hint="add --engine dask")
        self.settings = settings or load_settings()
        self.engine = engine
        self.workers = workers or _cpus()
        self.scheduler = scheduler
        self.tuning = tuning or Tuning()
        if self.tuning.max_attempts < 1:
            raise ConfigError("max_attempts must be at least 1")
        self.worker_stats: list[WorkerStats] = []
        """One entry per partition analysed in the last run."""

    def run(self, paths: Iterable[str | Path], *, progress: Progress | None = None) -> RunReport:
        """Ingest ``paths``; return the run's report (also stored), as ``ingest`` does.

        Raises:
            InputError: for ``-`` (standard input cannot be split between workers).
            ConfigError: for a bad stage order, or a Dask set-up that cannot start.
            StorageError: when the store cannot be opened or written.
        """
        settings, tuning = self.settings, self.tuning
        if tuning.pipeline_factory is build_pipeline:
            Pipeline.check_order(settings.stage_names)  # fail before starting any worker
        began = time.perf_counter()
        plan = plan_partitions(paths, size=tuning.partition_size, workers=self.workers)
        planning = time.perf_counter() - began
        report = RunReport(run_id=uuid.uuid4().hex[:12])
        report.add_time("read", planning)
        job = Job(settings, report.run_id, tuning.pipeline_factory)
        folder = self._run_folder(plan)
        with Store(settings.db) as store, recorded_run(store, report):
            merger = Merger(store, report)
            self.worker_stats = merger.workers
            merger.reject(plan.rejections)
            known = _stored_ids(store)
            partitions = list(plan.partitions)
            with _parent_on_one_thread(store, self.engine == "processes"):
                if self.engine == "processes":
                    run_processes(
                        partitions,
                        job,
                        known,
                        workers=self.workers,
                        max_attempts=tuning.max_attempts,
                        deliver=lambda outcome, _: self._merge(merger, outcome, progress),
                    )
                else:
                    self._run_dask(partitions, job, known, folder, merger, progress)
        if report.status == "completed" and not tuning.keep_shards:
            shutil.rmtree(folder, ignore_errors=True)
            with contextlib.suppress(OSError):
                folder.parent.rmdir()  # only when no other job's folder is there
        return report

    def peak_rss_by_worker(self) -> dict[str, float]:
        """The highest peak RSS (MiB) each worker process reported in the last run."""
        peaks: dict[str, float] = {}
        for stats in self.worker_stats:
            peaks[stats.worker] = max(peaks.get(stats.worker, 0.0), stats.peak_rss_mib)
        return peaks

    def _merge(
        self, merger: Merger, outcome: PartitionResult | Rejection, progress: Progress | None
    ) -> None:
        if isinstance(outcome, Rejection):
            merger.reject([outcome])
        else:
            merger.merge(outcome)
        if progress:
            progress(merger.report)

    def _run_dask(
        self,
        partitions: list[Partition],
        job: Job,
        known: KnownIds,
        folder: Path,
        merger: Merger,
        progress: Progress | None,
    ) -> None:
        schemas = table_schemas()
        known_path = folder / f"known-{job.run_id}.npy"
        save_known(known, known_path)
        # Partitions a previous, interrupted run of the same job finished are not redone.
        ready = {p.index for p in partitions if manifest_path(folder, p.index).is_file()}

        def deliver(outcome: int | Rejection, _: Partition) -> None:
            if isinstance(outcome, int):
                self._merge(merger, read_shards(folder, outcome, schemas=schemas), progress)
            else:
                self._merge(merger, outcome, progress)

        try:
            run_dask(
                partitions,
                job,
                known_path,
                folder,
                ready=ready,
                scheduler=self.scheduler,
                workers=self.workers,
                max_attempts=self.tuning.max_attempts,
                deliver=deliver,
            )
        finally:
            known_path.unlink(missing_ok=True)

    def _run_folder(self, plan: Plan) -> Path:
        """The Dask run folder, named after the job, so an interrupted job resumes there.

        The name hashes the inputs (paths, sizes, modification times, slices), the
        settings that shape the analysis and the pipeline factory.
        """
        root = Path(self.tuning.shards_dir or f"{self.settings.db}.shards")
        analysis = {
            f.name: getattr(self.settings, f.name)
            for f in fields(self.settings)
            if f.name not in ("db", "cache_dir")
        }
        factory = self.tuning.pipeline_factory
        inputs = []
        for partition in plan.partitions:
            for piece in partition.slices:
                try:
                    stat = os.stat(piece.location)
                    changed = [stat.st_size, stat.st_mtime_ns]
                except OSError:
                    changed = []
                inputs.append([piece.location, piece.start, piece.stop, *changed])
        key = json.dumps(
            [analysis, f"{factory.__module__}.{factory.__qualname__}", inputs], sort_keys=True
        )
        return root / f"job-{hashlib.sha256(key.encode()).hexdigest()[:16]}"


@contextlib.contextmanager
def _parent_on_one_thread(store: Store, local: bool) -> Iterator[None]:
    """While local workers run, the merging parent uses one DuckDB and one Arrow thread,
    leaving the cores to the workers (its default thread pools, one thread per core,
    competed with them)."""
    if not local:
        yield
        return
    import pyarrow

    threads = store.con.execute("SELECT current_setting('threads')").fetchone()
    arrow_threads = pyarrow.cpu_count()
    store.con.execute("SET threads = 1")
    pyarrow.set_cpu_count(1)
    try:
        yield
    finally:
        pyarrow.set_cpu_count(arrow_threads)
        if threads is not None:
            store.con.execute(f"SET threads = {int(threads[0])}")


def run_parallel(
    paths: Iterable[str | Path],
    settings: Settings | None = None,
    *,
    engine: Engine = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
    tuning: Tuning | None = None,
) -> RunReport:
    """Ingest ``paths`` with ``workers`` processes; the result equals a serial ``ingest``.

    See :class:`ParallelIngest` for the arguments.

    Example::

        report = run_parallel(["examples/demo"], load_settings(db="demo.duckdb"), workers=2)
        assert report.consistent
    """
    runner = ParallelIngest(
        settings, engine=engine, workers=workers, scheduler=scheduler, tuning=tuning
    )
    return runner.run(paths, progress=progress)


def _stored_ids(store: Store) -> KnownIds:
    rows = store.con.execute("SELECT id FROM articles").fetchnumpy()
    return KnownIds.from_ids(rows["id"].tolist())


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
