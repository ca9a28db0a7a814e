"""Library entry points: ingest inputs into the store, or analyse them without storing."""

from __future__ import annotations

import contextlib
import dataclasses
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from newsgraph.errors import InputError
from newsgraph.ingest import read_inputs
from newsgraph.model import Analysis, Article, Rejection
from newsgraph.pipeline import Pipeline, RunReport, apply_stages, batched
from newsgraph.settings import Settings, load_settings
from newsgraph.store import Store

Progress = Callable[[RunReport], None]


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
    the run ``completed`` — or ``interrupted`` if the block raised."""
    store.catch_up_index()
    store.save_run(report)
    try:
        yield
        place_stories(store, report)
        report.status = "completed"
    finally:
        if report.status == "running":
            report.status = "interrupted"
        report.finished = time.time()
        store.save_run(report)


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
        inputs = timed_reads(read_inputs(paths, max_bytes=settings.max_bytes, stdin=stdin), report)
        for chunk in batched(inputs, settings.batch_size):
            articles = [item for item in chunk if isinstance(item, Article)]
            rejections = [item for item in chunk if isinstance(item, Rejection)]
            report.inputs += len(chunk)
            stored = store.existing_ids([article.id for article in articles])
            fresh = []
            for article in articles:
                if article.id in stored or article.id in seen:
                    report.duplicates += 1
                else:
                    seen.add(article.id)
                    fresh.append(article)
            analyses, failed = apply_stages(pipeline, [Analysis(article=a) for a in fresh], report)
            rejections += failed
            for rejection in rejections:
                report.count_rejection(rejection)
            report.ingested += len(analyses)
            for analysis in analyses:  # reading's warnings: bad dates, heavy cleaning ...
                report.count_warnings(analysis.article)
            began = time.perf_counter()
            store.write(analyses, rejections, run=report)
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
