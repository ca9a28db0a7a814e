"""Worker processes of a local parallel run die with their parent.

Every text here is invented for these tests.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsgraph.scale.processes import die_with_parent


def _children(pid: int) -> set[int]:
    """Live processes whose parent is ``pid`` (Linux /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_processes_workers_die_within_10_s_of_a_sigkilled_parent(tmp_path: Path) -> None:
    corpus = tmp_path / "wire.jsonl"
    with corpus.open("w") as handle:
        for n in range(400):
            text = f"Officials in Lima said on day {n} that talks on trade number {n} resumed."
            handle.write(json.dumps({"id": f"w{n}", "text": text}) + "\n")
    db = tmp_path / "news.duckdb"
    parent = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "newsgraph",
            "ingest",
            str(corpus),
            "--workers",
            "2",
            "--db",
            str(db),
        ]
    )
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while len(workers) < 2 and time.monotonic() < deadline and parent.poll() is None:
            workers = _children(parent.pid)
            time.sleep(0.2)
        assert len(workers) >= 2, "the pool did not start"
        time.sleep(1.0)
        workers |= _children(parent.pid)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=30)
        time.sleep(10)
        assert _alive(workers) == set()
    finally:
        if parent.poll() is None:
            parent.kill()
        for pid in _alive(workers | _children(parent.pid)):  # a failed test leaves none
            os.kill(pid, signal.SIGKILL)


def test_die_with_parent_exits_when_the_parent_is_already_gone() -> None:
    code = (
        "import os\n"
        "from newsgraph.scale.processes import die_with_parent\n"
        "die_with_parent(os.getppid() + 10**7)\n"
        "print('still alive')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 1 and "still alive" not in done.stdout
    assert callable(die_with_parent)
