"""Library entry points: ingest inputs into the store, or analyse them without storing."""

from __future__ import annotations

import contextlib
import dataclasses
import stat
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, TypeVar

from newsgraph.errors import InputError, ResourceError, StorageError
from newsgraph.ingest import read_inputs
from newsgraph.ingest.sources import STDIN, iter_files
from newsgraph.model import Analysis, Article, Rejection
from newsgraph.pipeline import Pipeline, RunReport, apply_stages, batched
from newsgraph.settings import Settings, load_settings
from newsgraph.store import Store
from newsgraph.store.database import resource_failure

Progress = Callable[[RunReport], None]
T = TypeVar("T")


def timed_reads(
    items: Iterable[Article | Rejection], report: RunReport
) -> Iterator[Article | Rejection]:
    """Yield from ``items``, charging the time spent producing them to the ``read`` stage."""
    iterator = iter(items)
    while True:
        began = time.perf_counter()
        try:
            item = next(iterator)
        except StopIteration:
            report.add_time("read", time.perf_counter() - began)
            return
        report.add_time("read", time.perf_counter() - began)
        yield item


def contained(name: str, items: Iterable[T]) -> Iterator[T | Rejection]:
    """Yield from ``items``; if reading raises, the input ``name`` ends in a rejection
    (what it yielded before stays) and the run goes on with the next input."""
    try:
        yield from items
    except Exception as exc:  # the runner distrusts readers as it distrusts stages
        yield Rejection(
            name,
            "read",
            "reader_error",
            f"reading failed ({type(exc).__name__}: {exc}); the rest of this input was not read",
        )


def contained_reads(
    paths: Iterable[str | Path], *, max_bytes: int, stdin: IO[bytes] | None = None
) -> Iterator[Article | Rejection]:
    """What :func:`~newsgraph.ingest.read_inputs` yields, read one file at a time so that
    an error escaping a reader ends that file only, as a rejection, never the run; a
    path that is not a regular file (a FIFO, a device, a socket) is rejected unread, and
    an input that yields nothing at all is rejected too, so every input is accounted for.
    """
    for raw in paths:
        if str(raw) != STDIN and Path(raw).is_dir():
            for item in contained(str(raw), iter_files(Path(raw))):
                if isinstance(item, Path):
                    yield from _one_input(item, max_bytes=max_bytes, stdin=stdin)
                else:
                    yield item
        else:
            yield from _one_input(raw, max_bytes=max_bytes, stdin=stdin)


def _one_input(
    raw: str | Path, *, max_bytes: int, stdin: IO[bytes] | None
) -> Iterator[Article | Rejection]:
    name = str(raw)
    if name != STDIN:
        try:
            mode = Path(raw).stat().st_mode
        except OSError:
            mode = None  # missing or unreadable: the reader says which
        if mode is not None and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            yield Rejection(
                name,
                "read",
                "not_a_file",
                "not a regular file (a FIFO, a device or a socket); it was not read",
            )
            return
    produced = False
    for item in contained(name, read_inputs([raw], max_bytes=max_bytes, stdin=stdin)):
        produced = True
        yield item
    if not produced:
        yield Rejection(name, "read", "no_records", "the input holds no article or record")


def place_stories(store: Store, report: RunReport) -> None:
    """Place the newly stored articles in stories (near-duplicates, story clusters,
    canonical events), charging the time to the ``stories`` stage.

    Incremental: only articles not yet placed are read, so a run that stopped before this
    step is caught up by the next one."""
    from newsgraph.stories import update_stories

    began = time.perf_counter()
    update_stories(store)
    report.add_time("stories", time.perf_counter() - began)


@contextlib.contextmanager
def recorded_run(store: Store, report: RunReport) -> Iterator[None]:
    """The life of an ingest run in the store: recorded as ``running`` (after bringing the
    search index up to date), and when the block ends, its articles placed in stories and
    the run ``completed`` — or ``interrupted`` if the block raised.

    Runs an earlier, killed writer left ``running`` are marked ``interrupted`` first. A
    failure of the disk, the folder or the lock is raised as a
    :class:`~newsgraph.errors.ResourceError` that names it; the runs row then keeps the
    counts of the last batch stored (the row is written with each batch)."""
    try:
        store.close_stale_runs()
        store.catch_up_index()
        store.save_run(report)
    except Exception as exc:
        failure = resource_failure(exc, store.path)
        if failure is None or failure is exc:
            raise
        raise failure from exc
    try:
        yield
        place_stories(store, report)
        report.status = "completed"
    except Exception as exc:
        failure = resource_failure(exc, store.path)
        if failure is not None and failure is not exc:
            raise failure from exc
        raise
    finally:
        if report.status == "running":
            report.status = "interrupted"
        report.finished = time.time()
        try:
            store.save_run(report)
        except StorageError:
            if report.status == "completed":
                raise
            # The disk that stopped the run may refuse this row too; the error that
            # stopped the run is the one to report.


def ingest(
    paths: Iterable[str | Path],
    *,
    settings: Settings | None = None,
    pipeline: Pipeline | None = None,
    progress: Progress | None = None,
    stdin: IO[bytes] | None = None,
) -> RunReport:
    """Read, analyse and store articles; return the run's report (also stored).

    Articles already in the store are counted as duplicates and left alone, so
    re-running an interrupted or finished ingest adds only what is missing.

    Example::

        report = ingest(["examples/demo"], settings=load_settings(db="demo.duckdb"))
        assert report.consistent
    """
    settings = settings or load_settings()
    pipeline = pipeline or Pipeline.from_settings(settings)
    report = RunReport(run_id=uuid.uuid4().hex[:12], versions=pipeline.versions)
    seen: set[str] = set()
    with Store(settings.db) as store, recorded_run(store, report):
        inputs = timed_reads(
            contained_reads(paths, max_bytes=settings.max_bytes, stdin=stdin), report
        )
        for chunk in batched(inputs, settings.batch_size):
            articles = [item for item in chunk if isinstance(item, Article)]
            rejections = [item for item in chunk if isinstance(item, Rejection)]
            stored = store.existing_ids([article.id for article in articles])
            fresh = []
            for article in articles:
                if article.id not in stored and article.id not in seen:
                    seen.add(article.id)
                    fresh.append(article)
            analyses, failed = apply_stages(pipeline, [Analysis(article=a) for a in fresh], report)
            rejections += failed
            for analysis in analyses:  # reading's warnings: bad dates, heavy cleaning ...
                report.count_warnings(analysis.article)
            began = time.perf_counter()
            counts = {"inputs": len(chunk), "duplicates": len(articles) - len(fresh)}
            try:
                store.write(analyses, rejections, run=report, **counts)
            except ResourceError:
                raise
            except StorageError:  # one record may be to blame: find it, store the rest
                store.write_each(analyses, rejections, run=report, **counts)
            report.add_time("store", time.perf_counter() - began)
            if progress:
                progress(report)
    return report


def analyze(
    path: str | Path,
    *,
    settings: Settings | None = None,
    pipeline: Pipeline | None = None,
    stdin: IO[bytes] | None = None,
) -> list[Analysis]:
    """Analyse the articles in one input without storing them.

    Raises:
        InputError: when the input holds no article, or an article fails a stage.

    Example::

        record = analyze("examples/demo/text/haniyeh_letter_khamenei.txt")[0]
        print(record.to_dict()["entities"][:3])
    """
    settings = settings or load_settings()
    pipeline = pipeline or Pipeline.from_settings(settings)
    items = list(read_inputs([path], max_bytes=settings.max_bytes, stdin=stdin))
    articles = [item for item in items if isinstance(item, Article)]
    if not articles:
        rejections = [item for item in items if isinstance(item, Rejection)]
        if not rejections:
            raise InputError("no article found", source=str(path), hint="is the folder empty?")
        raise InputError(rejections[0].reason, source=rejections[0].input)
    analyses, failed = apply_stages(pipeline, [Analysis(article=a) for a in articles])
    if failed:
        raise InputError(
            f"stage {failed[0].stage} failed: {failed[0].reason}", source=failed[0].input
        )
    return [dataclasses.replace(analysis, doc=None) for analysis in analyses]
