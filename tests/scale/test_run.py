"""Parallel ingest on both engines: the same store as a serial run, and fault tolerance.

The fault tests run the ``language`` stage only (plus a test stage); the last ones run
every default stage on the demo corpus and on 200 Reuters records.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from newsgraph.errors import InputError
from newsgraph.pipeline import RunReport
from newsgraph.runner import ingest
from newsgraph.scale import ParallelIngest, Tuning, run_parallel
from newsgraph.settings import Settings, load_settings

# Every test here starts worker processes (seconds each, on a busy machine tens).
pytestmark = pytest.mark.slow

HAS_DASK = importlib.util.find_spec("distributed") is not None
ENGINES = [
    "processes",
    pytest.param(
        "dask", marks=pytest.mark.skipif(not HAS_DASK, reason="dask[distributed] not installed")
    ),
]


def _settings(tmp_path: Path, name: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"stages": "language", "batch_size": 4, **overrides}
    return load_settings(db=str(tmp_path / f"{name}.duckdb"), **values)


def _counts(report: RunReport) -> tuple[int, int, int, int, dict[str, int]]:
    return (
        report.inputs,
        report.ingested,
        report.duplicates,
        report.rejected,
        report.rejected_by_kind,
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_run_equals_serial_run_with_bad_inputs(
    tmp_path: Path, corpus: Path, engine: str, same_rows: Any
) -> None:
    serial = ingest([corpus, tmp_path / "missing"], settings=_settings(tmp_path, "serial"))
    settings = _settings(tmp_path, "parallel")
    runner = ParallelIngest(settings, engine=engine, workers=2, tuning=Tuning(partition_size=3))
    report = runner.run([corpus, tmp_path / "missing"])
    assert report.status == "completed"
    assert report.consistent
    assert _counts(report) == _counts(serial)
    assert report.rejected_by_kind == {"read:bad_json": 1, "read:binary": 1, "read:missing": 1}
    assert report.duplicates == 1
    assert set(report.seconds_by_stage) >= {"read", "language", "store"}
    same_rows(settings.db, tmp_path / "serial.duckdb")
    assert len({stats.partition for stats in runner.worker_stats}) == len(runner.worker_stats)
    assert not Path(f"{settings.db}.shards").exists()


@pytest.mark.parametrize("engine", ENGINES)
def test_run_again_adds_nothing(
    tmp_path: Path, corpus: Path, engine: str, stored_rows: Any
) -> None:
    settings = _settings(tmp_path, "parallel")
    first = run_parallel([corpus], settings, engine=engine, workers=2)
    rows = stored_rows(settings.db)
    again = run_parallel([corpus], settings, engine=engine, workers=2)
    assert (again.ingested, again.duplicates) == (0, first.ingested + first.duplicates)
    assert again.consistent
    now = stored_rows(settings.db)
    # Each run keeps its own rejections: the second run's equal the first's.
    assert sorted(now.pop("rejections")) == sorted(2 * rows.pop("rejections"))
    assert now == rows


@pytest.mark.parametrize("engine", ENGINES)
def test_run_rejects_a_poisoned_article_and_completes(
    tmp_path: Path, corpus: Path, poisoned: Any, engine: str, same_rows: Any
) -> None:
    (corpus / "b_story_03.txt").write_text(f"OSLO — Talks stalled. {poisoned.BREAKS_STAGE}\n")
    pipeline = poisoned.poisoned_pipeline(_settings(tmp_path, "serial"))
    serial = ingest([corpus], settings=_settings(tmp_path, "serial"), pipeline=pipeline)
    settings = _settings(tmp_path, "parallel")
    tuning = Tuning(partition_size=4, pipeline_factory=poisoned.poisoned_pipeline)
    report = run_parallel([corpus], settings, engine=engine, workers=2, tuning=tuning)
    assert report.rejected_by_kind["poison:stage_error"] == 1
    assert _counts(report) == _counts(serial)
    same_rows(settings.db, tmp_path / "serial.duckdb")


@pytest.mark.parametrize("engine", ENGINES)
def test_run_rejects_records_that_kill_their_worker(
    tmp_path: Path, corpus: Path, poisoned: Any, engine: str, stored_rows: Any
) -> None:
    poison = corpus / "b_story_03.txt"
    poison.write_text(f"OSLO — Talks stalled. {poisoned.KILLS_WORKER}\n")
    settings = _settings(tmp_path, "parallel")
    tuning = Tuning(partition_size=1, max_attempts=2, pipeline_factory=poisoned.poisoned_pipeline)
    report = run_parallel([corpus], settings, engine=engine, workers=2, tuning=tuning)
    assert report.status == "completed"
    assert report.rejected_by_kind["worker:crashed"] == 1
    assert report.consistent
    poison.unlink()
    ingest([corpus], settings=_settings(tmp_path, "serial"))
    expected = stored_rows(tmp_path / "serial.duckdb")
    got = stored_rows(settings.db)
    assert got["articles"] == expected["articles"]
    crashed = [row for row in got["rejections"] if row[1] == "worker"]
    assert [row[0] for row in crashed] == [str(poison)]


@pytest.mark.parametrize("engine", ENGINES)
def test_run_survives_a_killed_worker(
    tmp_path: Path, corpus: Path, poisoned: Any, engine: str, same_rows: Any
) -> None:
    settings = _settings(tmp_path, "parallel")
    runner = ParallelIngest(
        settings,
        engine=engine,
        workers=2,
        tuning=Tuning(partition_size=2, pipeline_factory=poisoned.slow_pipeline),
    )
    killed: list[int] = []
    merges_after_kill = []

    def kill_a_worker(report: RunReport) -> None:
        if killed:
            merges_after_kill.append(report.inputs)
        elif runner.worker_stats:
            killed.append(runner.worker_stats[-1].pid)
            os.kill(killed[0], signal.SIGKILL)

    report = runner.run([corpus], progress=kill_a_worker)
    assert killed and merges_after_kill, "the worker was not killed mid-run"
    assert report.status == "completed"
    assert report.consistent
    assert "worker:crashed" not in report.rejected_by_kind
    # A new process took the killed one's place.
    assert {stats.pid for stats in runner.worker_stats} - set(killed)
    serial = ingest([corpus], settings=_settings(tmp_path, "serial"))
    assert _counts(report) == _counts(serial)
    same_rows(settings.db, tmp_path / "serial.duckdb")


@pytest.mark.skipif(not HAS_DASK, reason="dask[distributed] not installed")
def test_run_dask_resumes_an_interrupted_job_from_its_shards(
    tmp_path: Path, corpus: Path, same_rows: Any
) -> None:
    settings = _settings(tmp_path, "parallel")
    tuning = Tuning(partition_size=3)

    def interrupt(report: RunReport) -> None:
        if report.inputs >= 6:
            raise KeyboardInterrupt

    first = ParallelIngest(settings, engine="dask", workers=2, tuning=tuning)
    with pytest.raises(KeyboardInterrupt):
        first.run([corpus], progress=interrupt)
    assert list(Path(f"{settings.db}.shards").glob("job-*/part-*.json"))
    second = ParallelIngest(settings, engine="dask", workers=2, tuning=tuning)
    report = second.run([corpus])
    assert report.status == "completed"
    # Partitions whose shards the first run wrote were merged from them, not analysed again.
    first_workers = {stats.pid for stats in first.worker_stats}
    reused = [stats for stats in second.worker_stats if stats.pid in first_workers]
    assert len(reused) >= len(first.worker_stats) >= 2
    ingest([corpus], settings=_settings(tmp_path, "serial"))
    same_rows(settings.db, tmp_path / "serial.duckdb")


def test_run_refuses_standard_input(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="standard input"):
        run_parallel(["-"], _settings(tmp_path, "parallel"), workers=2)


# -- the whole pipeline ----------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_run_all_stages_equals_serial_run_on_the_demo(
    tmp_path: Path, demo_dir: Path, engine: str, same_rows: Any
) -> None:
    serial = load_settings(db=str(tmp_path / "serial.duckdb"))
    ingest([demo_dir], settings=serial)
    settings = dataclasses.replace(serial, db=str(tmp_path / "parallel.duckdb"))
    report = run_parallel([demo_dir], settings, engine=engine, workers=2)
    assert report.status == "completed"
    assert report.versions
    same_rows(settings.db, serial.db)


@pytest.fixture(scope="module")
def reuters_200(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """The first 200 Reuters-21578 records, and a serial run's store of them."""
    source = shared_data / "news" / "reuters21578.jsonl"
    if not source.is_file():
        pytest.skip(f"{source} not found")
    folder = tmp_path_factory.mktemp("reuters")
    with source.open(encoding="utf-8") as lines:
        head = [next(lines) for _ in range(200)]
    (folder / "reuters-200.jsonl").write_text("".join(head), encoding="utf-8")
    ingest([folder / "reuters-200.jsonl"], settings=load_settings(db=str(folder / "serial.duckdb")))
    return folder


@pytest.mark.parametrize("engine", ENGINES)
def test_run_all_stages_equals_serial_run_on_200_reuters_records(
    reuters_200: Path, engine: str, same_rows: Any
) -> None:
    db = reuters_200 / f"{engine}.duckdb"
    report = run_parallel(
        [reuters_200 / "reuters-200.jsonl"], load_settings(db=str(db)), engine=engine, workers=2
    )
    assert report.status == "completed"
    assert report.inputs == 200
    assert report.consistent
    same_rows(db, reuters_200 / "serial.duckdb")


def test_parent_keeps_to_one_thread_while_local_workers_run(tmp_path: Path) -> None:
    import pyarrow

    from newsgraph.scale.run import _parent_on_one_thread
    from newsgraph.store import Store

    def threads(store: Store) -> int:
        row = store.con.execute("SELECT current_setting('threads')").fetchone()
        assert row is not None
        return int(row[0])

    with Store(tmp_path / "parent.duckdb") as store:
        store.con.execute("SET threads = 2")
        arrow_before = pyarrow.cpu_count()
        with _parent_on_one_thread(store, local=True):
            assert threads(store) == 1 and pyarrow.cpu_count() == 1
        assert threads(store) == 2 and pyarrow.cpu_count() == arrow_before
        with _parent_on_one_thread(store, local=False):  # Dask workers run elsewhere
            assert threads(store) == 2
