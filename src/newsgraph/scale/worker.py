"""The worker's side: load the pipeline once per process, turn a partition into table rows.

Both engines run :func:`analyse_partition` in their worker processes. It reads the
partition's records, leaves out articles the store already held when the run began
and repeats within the partition, runs the stages batch by batch exactly as the
serial runner does (an article that breaks a stage becomes a rejection), and returns
the rows as Arrow tables in the store's own schemas, ready for the parent to merge.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import os
import resource
import socket
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

import numpy as np
import pyarrow as pa

from newsgraph.model import Analysis, Article, Rejection
from newsgraph.pipeline import Pipeline, RunReport, apply_stages, batched
from newsgraph.runner import contained, timed_reads
from newsgraph.scale.partitions import Partition, read_partition
from newsgraph.settings import Settings
from newsgraph.store.database import storable_rejection, unstorable
from newsgraph.store.tables import ARTICLES, ITEM_TABLES, REJECTIONS, TONES

PipelineFactory = Callable[[Settings], Pipeline]
"""Builds the pipeline in each worker; must be importable there (a module-level function)."""

Outcome = Literal["ok", "failed", "repeat", "stored"]
"""What became of one article a worker read.

``ok``: analysed; ``failed``: a stage rejected it; ``repeat``: an earlier record of the
same partition had the same id; ``stored``: the store held it when the run began.
"""

MIB = 1024 * 1024


def build_pipeline(settings: Settings) -> Pipeline:
    """The default :data:`PipelineFactory`: :meth:`Pipeline.from_settings`."""
    return Pipeline.from_settings(settings)


@functools.lru_cache(maxsize=2)
def _cached_pipeline(settings: Settings, factory: PipelineFactory) -> tuple[Pipeline, float]:
    began = time.perf_counter()
    pipeline = factory(settings)
    return pipeline, time.perf_counter() - began


def loaded_pipeline(settings: Settings, factory: PipelineFactory) -> tuple[Pipeline, float]:
    """The pipeline for ``settings``, built once per process; and how long building took.

    The load time is returned on every call; callers count it once per process.
    """
    return _cached_pipeline(settings, factory)


@dataclass(frozen=True)
class KnownIds:
    """Article ids the store held when the run began, compact enough to give every worker.

    Ids are 16 hex digits (see :func:`~newsgraph.model.article_id_for`), kept as a
    sorted array of 64-bit integers: 8 bytes an article. An id of another shape is
    never "known" here; the parent's merge still finds it stored.
    """

    keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))

    @classmethod
    def from_ids(cls, ids: Iterable[str]) -> KnownIds:
        """Build the set from article ids."""
        keys = [key for key in map(_key, ids) if key is not None]
        return cls(np.unique(np.array(keys, dtype=np.uint64)))

    def __contains__(self, article_id: object) -> bool:
        key = _key(article_id) if isinstance(article_id, str) else None
        if key is None or not len(self.keys):
            return False
        at = int(np.searchsorted(self.keys, np.uint64(key)))
        return at < len(self.keys) and int(self.keys[at]) == key

    def __len__(self) -> int:
        return len(self.keys)


def _key(article_id: str) -> int | None:
    if len(article_id) != 16:
        return None
    try:
        return int(article_id, 16)
    except ValueError:
        return None


@dataclass(frozen=True)
class WorkerStats:
    """Who analysed a partition, how long it took, and the worker's memory peak so far.

    ``seconds`` (wall) and ``cpu_seconds`` (the process's CPU time) cover the
    partition's reading and analysis; ``load_seconds`` is the model load a process
    made before its first partition (0 for its other partitions).
    """

    partition: int
    host: str
    pid: int
    articles: int
    seconds: float
    cpu_seconds: float
    load_seconds: float
    peak_rss_mib: float

    @property
    def worker(self) -> str:
        """The worker process: ``host:pid``."""
        return f"{self.host}:{self.pid}"


@dataclass
class PartitionResult:
    """A partition's rows, and what the parent needs to count and deduplicate them.

    ``ids`` and ``outcomes`` list every article read, in input order; ``tables`` hold
    the rows of the ``ok`` articles and all rejections, keyed by table name.
    """

    index: int
    label: str
    inputs: int
    ids: list[str]
    outcomes: list[Outcome]
    tables: dict[str, pa.Table]
    seconds_by_stage: dict[str, float]
    versions: dict[str, str]
    worker: WorkerStats


@dataclass(frozen=True)
class Job:
    """What every task of a run shares (small: it travels with each task)."""

    settings: Settings
    run_id: str
    factory: PipelineFactory = build_pipeline


def analyse_partition(partition: Partition, job: Job, known: KnownIds) -> PartitionResult:
    """Read and analyse one partition; return its rows (nothing is written here).

    Example::

        job = Job(load_settings(), run_id="test")
        result = analyse_partition(plan.partitions[0], job, KnownIds())
    """
    pipeline, load_seconds = loaded_pipeline(job.settings, job.factory)
    fresh_process = _first_use(job)
    began, cpu_began = time.perf_counter(), time.process_time()  # after any model load
    report = RunReport(run_id=job.run_id)
    seen: set[str] = set()
    ids: list[str] = []
    outcomes: list[Outcome] = []
    analysed: list[Analysis] = []
    rejections: list[Rejection] = []
    items = timed_reads(
        contained(partition.label, read_partition(partition, max_bytes=job.settings.max_bytes)),
        report,
    )
    for chunk in batched(items, job.settings.batch_size):
        report.inputs += len(chunk)
        fresh: list[Article] = []
        positions: list[int] = []  # where each fresh article's outcome is
        for item in chunk:
            if isinstance(item, Rejection):
                rejections.append(item)
                continue
            ids.append(item.id)
            if item.id in seen:
                outcomes.append("repeat")
            elif item.id in known:
                outcomes.append("stored")
            else:
                seen.add(item.id)
                positions.append(len(outcomes))
                outcomes.append("ok")
                fresh.append(item)
        done, failed = apply_stages(pipeline, [Analysis(article=a) for a in fresh], report)
        # Docs are large and never stored: drop each batch's as the serial runner does.
        analysed.extend(dataclasses.replace(analysis, doc=None) for analysis in done)
        rejections.extend(failed)
        broken = {rejection.article_id for rejection in failed}
        for at in positions:
            if ids[at] in broken:
                outcomes[at] = "failed"
    try:
        tables = rows_for(analysed, rejections, run_id=job.run_id)
    except Exception:  # a record that cannot be stored: reject it, keep the others
        analysed, refused = storable_only(analysed, run_id=job.run_id)
        rejections.extend(refused)
        refused_ids = {rejection.article_id for rejection in refused}
        outcomes = [
            "failed" if outcome == "ok" and article_id in refused_ids else outcome
            for article_id, outcome in zip(ids, outcomes, strict=True)
        ]
        tables = rows_for(analysed, rejections, run_id=job.run_id)
    stats = WorkerStats(
        partition=partition.index,
        host=socket.gethostname(),
        pid=os.getpid(),
        articles=len(analysed),
        seconds=time.perf_counter() - began,
        cpu_seconds=time.process_time() - cpu_began,
        load_seconds=load_seconds if fresh_process else 0.0,
        peak_rss_mib=peak_rss_mib(),
    )
    return PartitionResult(
        index=partition.index,
        label=partition.label,
        inputs=report.inputs,
        ids=ids,
        outcomes=outcomes,
        tables=tables,
        seconds_by_stage=report.seconds_by_stage,
        versions=pipeline.versions,
        worker=stats,
    )


_USED: set[tuple[Settings, PipelineFactory]] = set()


def _first_use(job: Job) -> bool:
    """True the first time this process analyses with ``job``'s pipeline."""
    key = (job.settings, job.factory)
    first = key not in _USED
    _USED.add(key)
    return first


def rows_for(
    analyses: Sequence[Analysis], rejections: Sequence[Rejection], *, run_id: str
) -> dict[str, pa.Table]:
    """The rows :meth:`Store.write <newsgraph.store.Store.write>` would insert, as Arrow tables.

    Built with the store's own table declarations; ``ingested_at``/``at`` hold the
    time of analysis here and are set again when the parent merges.
    """
    now = datetime.now(UTC)
    collecting = gc.isenabled()
    gc.disable()  # as Store.write does: building the batches makes no cycles
    try:
        return _tables(analyses, rejections, run_id=run_id, now=now)
    finally:
        if collecting:
            gc.enable()


def _tables(
    analyses: Sequence[Analysis], rejections: Sequence[Rejection], *, run_id: str, now: datetime
) -> dict[str, pa.Table]:
    skipped = {a.article.id: list(a.skipped) for a in analyses}
    tables = {
        ARTICLES.name: ARTICLES.to_arrow(
            [a.article for a in analyses],
            {
                "skipped": lambda article: skipped[article.id],
                "run_id": lambda _: run_id,
                "ingested_at": lambda _: now,
                "indexed": lambda _: False,
            },
        )
    }
    for attribute, table in ITEM_TABLES.items():
        tables[table.name] = table.to_arrow([i for a in analyses for i in getattr(a, attribute)])
    tones = [(a.article.id, a.tone) for a in analyses if a.tone is not None]
    owner = {id(tone): article_id for article_id, tone in tones}
    tables[TONES.name] = TONES.to_arrow(
        [tone for _, tone in tones], {"article_id": lambda t: owner[id(t)]}
    )
    tables[REJECTIONS.name] = REJECTIONS.to_arrow(
        [storable_rejection(r) for r in rejections],
        {"id": lambda r: r.id, "run_id": lambda _: run_id, "at": lambda _: now},
    )
    return tables


def storable_only(
    analyses: Sequence[Analysis], *, run_id: str
) -> tuple[list[Analysis], list[Rejection]]:
    """The analyses whose rows can be built, and a ``store:unstorable`` rejection for each
    of the others (a field that is not valid Unicode ...), as ``Store.write_each`` finds
    them in a serial run."""
    now = datetime.now(UTC)
    try:
        _tables(analyses, [], run_id=run_id, now=now)
    except Exception:  # one record may be to blame: find which
        good: list[Analysis] = []
        bad: list[Rejection] = []
        for analysis in analyses:
            try:
                _tables([analysis], [], run_id=run_id, now=now)
            except Exception as exc:
                bad.append(unstorable(analysis.article, f"{type(exc).__name__}: {exc}"))
            else:
                good.append(analysis)
        return good, bad
    return list(analyses), []


def peak_rss_mib() -> float:
    """This process's peak resident set size, in MiB.

    On Linux this is ``VmHWM``, which (unlike ``ru_maxrss``) a spawned process does
    not inherit from its parent through ``exec``.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MIB if sys.platform == "darwin" else peak / 1024
