"""SIGKILL mid-ingest leaves a consistent database; re-running completes without duplicates."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from newsgraph.runner import ingest
from newsgraph.settings import load_settings
from newsgraph.store import Store

CITIES = ["Cairo", "Doha", "Oslo", "Lima", "Nairobi", "Kyiv", "Manila", "Dakar"]
STAGES = "language,parse,entities"

DRIVER = """
import sys
from newsgraph.runner import ingest
from newsgraph.settings import load_settings

settings = load_settings(db=sys.argv[2], stages=sys.argv[3], batch_size=10)
def progress(report):
    print("batch", report.inputs, flush=True)
ingest([sys.argv[1]], settings=settings, progress=progress)
print("done", flush=True)
"""


def _corpus(path: Path, count: int) -> Path:
    with path.open("w") as handle:
        for n in range(count):
            city = CITIES[n % len(CITIES)]
            text = (
                f"Minister Ana Ruiz met envoys in {city} on day {n}, officials said. "
                f"Talks on trade number {n} will continue next week in {CITIES[n % 3]}."
            )
            handle.write(json.dumps({"id": f"r{n}", "text": text}) + "\n")
        handle.write("{broken json\n")  # one rejection, stored with the run
    return path


def _snapshot(db: Path) -> dict[str, object]:
    with Store(db, read_only=True) as store:
        con = store.con
        return {
            "articles": con.execute("SELECT id FROM articles ORDER BY id").fetchall(),
            "entities": con.execute(
                'SELECT article_id, start, "end", label FROM entities ORDER BY ALL'
            ).fetchall(),
            # Each run keeps its own rejections (keyed by run): compare what was rejected.
            "rejections": con.execute(
                "SELECT DISTINCT input, stage, kind FROM rejections ORDER BY ALL"
            ).fetchall(),
        }


@pytest.mark.slow
@pytest.mark.parametrize("kill_after_batches", [1, 4])
def test_sigkill_mid_ingest_then_rerun_equals_uninterrupted_run(
    tmp_path: Path, kill_after_batches: int
) -> None:
    corpus = _corpus(tmp_path / "corpus.jsonl", 150)
    killed_db = tmp_path / "killed.duckdb"
    process = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(corpus), str(killed_db), STAGES],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    seen = 0
    for line in process.stdout:
        if line.startswith("batch"):
            seen += 1
            if seen == kill_after_batches:
                os.kill(process.pid, signal.SIGKILL)
                break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, "the run finished before it could be killed"

    # The killed database opens, and every stored article has all its entities.
    partial = _snapshot(killed_db)
    stored = {row[0] for row in partial["articles"]}  # type: ignore[union-attr]
    assert 10 * kill_after_batches <= len(stored) < 150
    with Store(killed_db, read_only=True) as store:
        statuses = [run["status"] for run in store.runs()]
    assert statuses == ["running"]  # the killed run is visible as such

    settings = load_settings(db=str(killed_db), stages=STAGES, batch_size=10)
    resumed = ingest([corpus], settings=settings)
    assert resumed.duplicates == len(stored)
    assert resumed.ingested == 150 - len(stored)
    assert resumed.consistent

    clean_db = tmp_path / "clean.duckdb"
    ingest([corpus], settings=load_settings(db=str(clean_db), stages=STAGES, batch_size=10))
    assert _snapshot(killed_db) == _snapshot(clean_db)
    with Store(killed_db) as store:
        assert store.index.size == 150
        assert store.catch_up_index() == 0
