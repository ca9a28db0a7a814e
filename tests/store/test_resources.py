"""The store under a full disk, read-only media and a busy writer.

Every text here is invented for these tests. The disk tests mount a small tmpfs and skip
where that is not permitted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsgraph.errors import ResourceError, StorageError
from newsgraph.runner import ingest
from newsgraph.settings import load_settings
from newsgraph.store import Store
from newsgraph.store.database import resource_failure

CITIES = ["Cairo", "Doha", "Oslo", "Lima", "Nairobi", "Kyiv", "Manila", "Dakar"]


def _corpus(path: Path, count: int, *, words: int = 60) -> Path:
    with path.open("w") as handle:
        for n in range(count):
            filler = " ".join(f"w{n}x{k}" for k in range(words))
            text = f"Minister {n} met envoys in {CITIES[n % len(CITIES)]} on day {n}. {filler}."
            handle.write(json.dumps({"id": f"r{n}", "text": text}) + "\n")
    return path


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MB tmpfs (skips without the permission to mount one)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace')}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _remount(mount: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(mount)], check=True)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("IO Error: No space left on device (os error 28)", "No space left on device"),
        ('IO Error: Cannot open file "x": Read-only file system', "Read-only file system"),
        ("IO Error: Cannot open file: Permission denied", "Permission denied"),
        (
            'IO Error: Could not set lock on file "x": Conflicting lock is held in '
            "/usr/bin/python3 (PID 4242). See also https://duckdb.org",
            "in use by process 4242 (/usr/bin/python3)",
        ),
    ],
)
def test_resource_failure_names_the_real_cause_and_the_path(message: str, expected: str) -> None:
    failure = resource_failure(RuntimeError(message), Path("news.duckdb"))
    assert isinstance(failure, ResourceError)
    assert expected in failure.message and "news.duckdb" in failure.message
    assert failure.hint


def test_resource_failure_leaves_other_errors_to_the_record_retry() -> None:
    assert resource_failure(UnicodeEncodeError("utf-8", "x", 0, 1, "bad"), Path("x")) is None


def test_store_full_disk_stops_with_a_clear_message_and_a_rerun_completes(
    small_disk: Path, tmp_path: Path
) -> None:
    corpus = _corpus(tmp_path / "many.jsonl", 3000)
    settings = load_settings(db=str(small_disk / "news.duckdb"), stages="language", batch_size=50)
    with pytest.raises(ResourceError) as caught:
        ingest([corpus], settings=settings)
    assert str(caught.value).startswith(f"No space left on device while writing {settings.db}")
    assert "free space" in str(caught.value)
    _remount(small_disk, "size=200m")
    with Store(settings.db, read_only=True) as store:
        stored = store.counts()["articles"]
        run = store.runs(limit=1)[0]
    assert 0 < stored < 3000
    assert run["status"] == "interrupted"
    assert run["ingested"] == run["inputs"] == stored  # counted after the write, not before
    resumed = ingest([corpus], settings=settings)
    assert resumed.consistent and resumed.status == "completed"
    assert (resumed.ingested, resumed.duplicates) == (3000 - stored, stored)
    with Store(settings.db, read_only=True) as store:
        assert store.counts()["articles"] == 3000
        assert len(store.search("Minister", limit=5)) == 5


def test_store_reads_and_searches_on_read_only_media(small_disk: Path, tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "few.jsonl", 5, words=5)
    db = small_disk / "news.duckdb"
    ingest([corpus], settings=load_settings(db=str(db), stages="language"))
    _remount(small_disk, "ro")
    with Store(db, read_only=True) as store:
        assert store.counts()["articles"] == 5
        hits = store.search("Oslo")
    assert [hit.snippet for hit in hits] and "<b>Oslo</b>" in hits[0].snippet
    with pytest.raises(ResourceError, match="Read-only file system while writing"):
        ingest([corpus], settings=load_settings(db=str(db), stages="language"))
    with pytest.raises(ResourceError, match="Read-only file system"):
        Store(small_disk / "other.duckdb")


HOLDER = """
import sys, time
from newsgraph.store import Store
store = Store(sys.argv[1])
store.con.execute("UPDATE meta SET value = value WHERE key = 'schema_version'")
print("holding", flush=True)
time.sleep(60)
"""


@pytest.mark.slow
def test_store_reads_a_copy_while_another_process_writes(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "few.jsonl", 5, words=5)
    db = tmp_path / "news.duckdb"
    ingest([corpus], settings=load_settings(db=str(db), stages="language"))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        began = time.monotonic()
        with Store(db, read_only=True) as store:
            assert store.snapshot is not None and store.snapshot != db
            assert store.counts()["articles"] == 5
            assert store.search("Oslo")
            copy = store.snapshot
        assert not copy.exists()  # the private copy goes with the store
        assert time.monotonic() - began < 30
        with pytest.raises(StorageError) as caught:
            Store(db)
        message = str(caught.value)
        assert f"in use by process {holder.pid}" in message
        assert "wait for it to finish" in message
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.slow
def test_cli_reads_never_fail_while_an_ingest_writes(tmp_path: Path) -> None:
    """Concurrent CLI reads (stats, search, articles, events, export) during an ingest of
    about a hundred articles: no read fails."""
    db = tmp_path / "news.duckdb"
    ingest([_corpus(tmp_path / "seed.jsonl", 3, words=5)], settings=load_settings(db=str(db)))
    corpus = tmp_path / "more.jsonl"
    with corpus.open("w") as handle:
        for n in range(120):
            city = CITIES[n % len(CITIES)]
            text = (
                f"Officials in {city} said on day {n} that talks on trade would resume. "
                f"The minister of {CITIES[(n + 3) % len(CITIES)]} accused rebels of an attack."
            )
            handle.write(json.dumps({"id": f"m{n}", "text": text}) + "\n")
    command = [sys.executable, "-m", "newsgraph"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    writer = subprocess.Popen(
        [*command, "ingest", str(corpus), "--db", str(db), "--batch-size", "8", "-q"], env=env
    )
    reads = [
        ["stats", "--format", "json"],
        ["search", "talks", "--format", "json"],
        ["articles", "--format", "json"],
        ["events", "--format", "json"],
        ["export", "--format", "jsonl", "--out", str(tmp_path / "out.jsonl")],
    ]
    failures, done = [], 0
    try:
        while writer.poll() is None or done < len(reads):
            args = reads[done % len(reads)]
            result = subprocess.run(
                [*command, *args, "--db", str(db)], capture_output=True, text=True, env=env
            )
            if result.returncode != 0:
                failures.append((args[0], result.stderr.strip()))
            done += 1
    finally:
        writer.wait(timeout=600)
    assert writer.returncode == 0
    assert done >= len(reads)
    assert failures == []
