"""The explorer keeps serving while another process writes to the same database file."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from newsgraph.web import create_app
from newsgraph.web import source as web_source

# Holds the database open for writing (DuckDB's exclusive lock) until stdin closes.
WRITER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("CREATE TABLE IF NOT EXISTS writer_was_here (n INTEGER)")
con.execute("INSERT INTO writer_was_here VALUES (1)")
print("holding", flush=True)
sys.stdin.read()
con.close()
"""


def _copy(web_db: Path, tmp_path: Path) -> Path:
    db = tmp_path / "live.duckdb"
    db.write_bytes(web_db.read_bytes())
    return db


def _writer(db: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "holding"
    return process


def _release(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.close()
    assert process.wait(timeout=30) == 0


def test_concurrency_serves_while_another_process_holds_the_write_lock(
    web_db: Path, tmp_path: Path
) -> None:
    db = _copy(web_db, tmp_path)
    with TestClient(create_app(db), base_url="http://127.0.0.1") as client:
        total = client.get("/events.json").json()["total"]
        writer = _writer(db)
        try:
            for path in ("/", "/events.json", "/network", "/map", "/search?q=Gaza"):
                assert client.get(path).status_code == 200
            assert client.get("/events.json").json()["total"] == total
        finally:
            _release(writer)


def test_concurrency_starts_while_a_writer_holds_the_file(web_db: Path, tmp_path: Path) -> None:
    db = _copy(web_db, tmp_path)
    writer = _writer(db)
    try:
        # The copy needs no DuckDB lock, so the server can start during an ingest.
        with TestClient(create_app(db), base_url="http://127.0.0.1") as client:
            assert client.get("/").status_code == 200
            assert client.get("/events.json").json()["total"] > 0
    finally:
        _release(writer)


def test_concurrency_picks_up_new_data_after_the_writer_commits(
    web_db: Path, tmp_path: Path
) -> None:
    db = _copy(web_db, tmp_path)
    app = create_app(db, refresh_seconds=0)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        before = client.get("/index.json").json()["counts"]["articles"]
        record = {"id": "late-1", "title": "Late story", "text": "Officials met in Oslo today."}
        feed = tmp_path / "late.jsonl"
        feed.write_text(json.dumps(record) + "\n")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "newsgraph",
                "ingest",
                str(feed),
                "--db",
                str(db),
                "--stages",
                "language",
                "-q",
            ],
            check=True,
        )
        assert app.state.source.refresh()
        assert client.get("/index.json").json()["counts"]["articles"] == before + 1


@pytest.mark.slow
def test_concurrency_real_ingest_runs_to_the_end_while_pages_are_served(
    web_db: Path, tmp_path: Path
) -> None:
    db = _copy(web_db, tmp_path)
    feed = tmp_path / "many.jsonl"
    with feed.open("w") as handle:
        for n in range(400):
            text = f"Envoys met in Cairo on day {n} to discuss trade number {n}, officials said."
            handle.write(json.dumps({"id": f"m{n}", "title": f"Talks {n}", "text": text}) + "\n")
    app = create_app(db, refresh_seconds=0.2)
    statuses: list[int] = []
    with TestClient(app, base_url="http://127.0.0.1") as client:
        ingest = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "newsgraph",
                "ingest",
                str(feed),
                "--db",
                str(db),
                "--stages",
                "language",
                "--batch-size",
                "20",
                "-q",
            ],
        )
        while ingest.poll() is None:
            for path in ("/index.json", "/events.json", "/search.json?q=envoys", "/"):
                response = client.get(path)
                statuses.append(response.status_code)
                if response.status_code == 503:
                    assert response.headers["retry-after"]
            time.sleep(0.05)
        assert ingest.returncode == 0  # the server never stopped the writer
        deadline = time.monotonic() + 30
        while client.get("/index.json").json()["counts"]["articles"] < 432:
            assert time.monotonic() < deadline, "the new articles never showed up"
            time.sleep(0.3)
    assert statuses and set(statuses) <= {200, 503}
    assert statuses.count(200) >= len(statuses) // 2


def test_concurrency_busy_database_is_a_503_with_retry_after(
    web_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _copy(web_db, tmp_path)
    ticks = iter(range(10**9))
    real = web_source.signature

    def always_changing(path: Path) -> web_source.Signature:
        (main, wal) = real(path)
        return ((main[0] + next(ticks), main[1]), wal)

    monkeypatch.setattr(web_source, "signature", always_changing)
    monkeypatch.setattr(web_source.time, "sleep", lambda _: None)
    with TestClient(
        create_app(db), base_url="http://127.0.0.1", raise_server_exceptions=False
    ) as client:
        page = client.get("/events")
        assert page.status_code == 503
        assert int(page.headers["retry-after"]) > 0
        assert "Database busy, retrying" in page.text and "Traceback" not in page.text
        twin = client.get("/events.json")
        assert twin.status_code == 503 and "database busy" in twin.json()["error"]["message"]
        monkeypatch.setattr(web_source, "signature", real)
        assert client.get("/events").status_code == 200  # recovers once the file settles


def test_concurrency_missing_database_fails_at_start(tmp_path: Path) -> None:
    from newsgraph.errors import StorageError

    with pytest.raises(StorageError, match="no database"):
        create_app(tmp_path / "missing.duckdb")
