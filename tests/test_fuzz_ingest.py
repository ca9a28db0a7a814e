"""Hostile inputs beside good ones through the whole ingest path: nothing escapes the run.

The hostile corpus is generated here (no stored data): the inputs the issue lists (a date
offset of +25:00, lone surrogates, an XML declaration that does not fit the bytes, an
Atom entry without a summary, a file name that is not UTF-8, a FIFO, ``[]``, whitespace
only, entity expansion) and random mutations of good files. Each good file must be stored,
each input must be an article, a duplicate or a rejection with a reason, and the exit
status must say "completed with rejections" (3).

``make fuzz`` runs the long variant: ``NEWSGRAPH_FUZZ_CASES`` generated inputs (3,000 by
default there) in runs of 300, timing each run and counting crashes, hangs and inputs
left unaccounted for.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsgraph.model import Article
from newsgraph.runner import contained_reads, ingest
from newsgraph.settings import load_settings
from newsgraph.store import Store

# Read when the module is collected: the tests' autouse fixture clears NEWSGRAPH_* variables.
FUZZ_CASES = int(os.environ.get("NEWSGRAPH_FUZZ_CASES", "0"))
FUZZ_EXAMPLES = int(os.environ.get("NEWSGRAPH_FUZZ_EXAMPLES", "15"))
EXIT_REJECTIONS = 3
NEWSGRAPH = (sys.executable, "-m", "newsgraph")
INGEST_OPTIONS = ("--stages", "language", "--format", "json")
HANG_SECONDS = 60.0

GOOD_TEXTS = [
    "Ministers from Peru and Chile met in Lima on Tuesday to discuss a new trade agreement.",
    "Envoys held talks in Oslo on Wednesday, officials said, and agreed to meet again soon.",
    "The city council of Accra approved a budget for the new bridge on Thursday evening.",
]

RSS_MISMATCH = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
    b"<item><title>Caf\xe9 \xff</title><description>Talks in Caf\xe9 town \xff resumed."
    b"</description></item></channel></rss>"
)
ATOM_NO_SUMMARY = (
    b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
    b"<title>F</title><entry><title>Only a title</title><id>urn:x:1</id></entry></feed>"
)
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b"<rss><channel><item><title>&lol3;</title><description>&lol3;</description></item>"
    b"</channel></rss>"
)


def _jsonl(*records: Any) -> bytes:
    return "".join(json.dumps(record) + "\n" for record in records).encode()


def listed_hostile_inputs() -> dict[str, bytes]:
    """The hostile inputs named in issue 17, as file name -> bytes."""
    return {
        "offset.jsonl": _jsonl(
            {"text": "Talks resumed in Oslo.", "date": "2024-05-03T12:00:00+25:00"}
        ),
        "surrogate_title.jsonl": b'{"text": "Rain in Cairo today.", "title": "x\\ud800"}\n',
        "surrogate_source.jsonl": b'{"text": "Calm in Doha on Sunday.", "source": "s\\udc00"}\n',
        "surrogate_id.jsonl": b'{"text": "Snow in Kyiv on Monday.", "id": "i\\ud800"}\n',
        "mismatch.rss": RSS_MISMATCH,
        "no_summary.atom": ATOM_NO_SUMMARY,
        "laughs.xml": LAUGHS,
        "empty_list.json": b"[]",
        "whitespace.jsonl": b"   \n\t\n  \n",
        "whitespace.txt": b" \n \n",
        "empty.txt": b"",
        "one_byte.bin": b"\xff",
        "random.bin": bytes(random.Random(7).randrange(256) for _ in range(4096)),
        "nulls.json": b'{"text": null, "title": null, "date": null}',
        "wrong_types.jsonl": _jsonl(
            {"text": 5},
            {"text": ["a"]},
            {"text": "ok text", "title": {"a": 1}},
            {"text": "Dated text here.", "date": 12345},
        ),
        "truncated.json": b'{"text": "Talks in Lima',
        "utf16_no_bom.txt": "Talks resumed in Oslo today.".encode("utf-16-le"),
        "fake.warc.gz": b"\x1f\x8b\x08\x00garbage" * 20,
        "deep.html": b"<div>" * 5000 + b"Deep text about Lima." + b"</div>" * 5000,
    }


def _good_files(folder: Path) -> list[Path]:
    paths = []
    for number, text in enumerate(GOOD_TEXTS):
        path = folder / f"good_{number}.txt"
        path.write_text(text)
        paths.append(path)
    return paths


def _write_hostile(folder: Path, inputs: dict[str, bytes]) -> list[Path]:
    paths = []
    for name, data in inputs.items():
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
    odd = os.fsencode(folder) + b"/bad_name_\xff.txt"  # not UTF-8: decodes to a surrogate
    with open(odd, "wb") as handle:
        handle.write(b"A file with an odd name about talks in Dakar on Friday.")
    paths.append(Path(os.fsdecode(odd)))
    if hasattr(os, "mkfifo"):
        fifo = folder / "pipe.txt"
        os.mkfifo(fifo)
        paths.append(fifo)
    return paths


def _accounted(db: Path, paths: list[Path]) -> list[str]:
    """The inputs that left neither an article (stored from this file or, for a duplicate,
    from another), nor a rejection, in the store. What each file holds is read again with
    the runner's own reading."""
    with Store(db, read_only=True) as store:
        stored = {row[0] for row in store.con.execute("SELECT id FROM articles").fetchall()}
        inputs = {row[0] for row in store.con.execute("SELECT input FROM rejections").fetchall()}
    missing = []
    for path in paths:
        for item in contained_reads([path], max_bytes=load_settings().max_bytes):
            # An article is stored, or rejected by a stage or the store under its origin.
            name = (item.origin or item.id) if isinstance(item, Article) else item.input
            found = _valid(name) in inputs or (isinstance(item, Article) and item.id in stored)
            if not found:
                missing.append(f"{path}: {item}"[:300])
    return missing


def _valid(name: str) -> str:
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _cli_ingest(folder: Path, db: Path, *, timeout: float) -> tuple[int, dict[str, Any], float]:
    began = time.monotonic()
    done = subprocess.run(
        [*NEWSGRAPH, "ingest", str(folder), "--db", str(db), *INGEST_OPTIONS],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    seconds = time.monotonic() - began
    report = json.loads(done.stdout) if done.stdout.strip().startswith("{") else {}
    assert "internal error" not in done.stderr, done.stderr
    return done.returncode, report, seconds


@pytest.mark.slow
def test_fuzz_listed_hostile_inputs_beside_good_files(tmp_path: Path) -> None:
    folder = tmp_path / "inputs"
    folder.mkdir()
    good = _good_files(folder)
    hostile = _write_hostile(folder, listed_hostile_inputs())
    db = tmp_path / "news.duckdb"
    status, report, _ = _cli_ingest(folder, db, timeout=300)
    assert status == EXIT_REJECTIONS, report
    assert report["inputs"] == report["ingested"] + report["duplicates"] + report["rejected"]
    assert report["rejected"] >= 5
    with Store(db, read_only=True) as store:
        origins = {row[0] for row in store.con.execute("SELECT origin FROM articles").fetchall()}
        reasons = store.con.execute("SELECT count(*) FROM rejections WHERE reason = ''").fetchone()
        run = store.runs(limit=1)[0]
    assert {str(path) for path in good} <= origins
    assert reasons == (0,)
    assert run["status"] == "completed" and run["inputs"] == report["inputs"]
    assert _accounted(db, good + hostile) == []


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One random corruption of ``data``: truncation, flipped or inserted bytes, a hostile
    value spliced in, another encoding, or repetition."""
    choice = rng.randrange(7)
    if choice == 0 and data:
        return data[: rng.randrange(len(data))]
    if choice == 1 and data:
        flipped = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            flipped[rng.randrange(len(flipped))] = rng.randrange(256)
        return bytes(flipped)
    if choice == 2:
        at = rng.randrange(len(data) + 1)
        return data[:at] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 64))) + data[at:]
    if choice == 3:
        hostile = rng.choice(
            [b"\\ud800", b"+25:00", b"\x00", b"&lol3;", b"\xef\xbb\xbf", b"null", b"[]", b"\r"]
        )
        at = rng.randrange(len(data) + 1)
        return data[:at] + hostile + data[at:]
    if choice == 4:
        try:
            return data.decode("utf-8").encode(rng.choice(["utf-16", "latin-1", "cp1252"]))
        except (UnicodeDecodeError, UnicodeEncodeError):
            return data[::-1]
    if choice == 5:
        return data * rng.randint(2, 50)
    return bytes(rng.randrange(256) for _ in range(rng.randint(0, 512)))


TEMPLATES = {
    ".txt": GOOD_TEXTS[0].encode(),
    ".html": f"<html><title>T</title><body><p>{GOOD_TEXTS[1]}</p></body></html>".encode(),
    ".json": json.dumps([{"text": GOOD_TEXTS[2], "title": "T", "date": "2024-05-03"}]).encode(),
    ".jsonl": _jsonl({"text": GOOD_TEXTS[0], "date": "2024-05-03T12:00:00+02:00"}),
    ".rss": RSS_MISMATCH.replace(b"\xff", b"x").replace(b"\xe9", b"e"),
    ".atom": ATOM_NO_SUMMARY,
    "": b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n",
}


def generate(folder: Path, count: int, *, seed: int) -> list[Path]:
    """``count`` mutated inputs of every format in ``folder`` (reproducible by seed)."""
    rng = random.Random(seed)
    listed = list(listed_hostile_inputs().items())
    paths = []
    for number in range(count):
        if number < len(listed):
            name, data = listed[number]
        else:
            suffix = rng.choice(list(TEMPLATES))
            name, data = f"case_{seed}_{number}{suffix}", mutate(TEMPLATES[suffix], rng)
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
    return paths


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    records=st.lists(
        st.one_of(
            st.binary(max_size=300),
            st.text(max_size=200).map(lambda text: text.encode("utf-8", "surrogatepass")),
            st.dictionaries(
                st.sampled_from(["text", "title", "date", "source", "id", "url", "language"]),
                st.one_of(st.none(), st.integers(), st.text(max_size=80), st.lists(st.text())),
            ).map(lambda record: json.dumps(record).encode()),
        ),
        min_size=1,
        max_size=6,
    ),
    suffix=st.sampled_from([".txt", ".jsonl", ".json", ".html", ".rss", ""]),
)
def test_fuzz_ingest_never_raises_and_accounts_for_every_input(
    tmp_path_factory: pytest.TempPathFactory, records: list[bytes], suffix: str
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / f"input{suffix}"
    path.write_bytes(b"\n".join(records))
    db = folder / "news.duckdb"
    report = ingest([path], settings=load_settings(db=str(db), stages="language"))
    assert report.consistent and report.status == "completed"
    assert report.inputs >= 1
    assert _accounted(db, [path]) == []


@pytest.mark.skipif(not FUZZ_CASES, reason="long fuzzing: run `make fuzz`")
def test_fuzz_many_generated_inputs(tmp_path: Path) -> None:
    """The long variant (``make fuzz``): crashes, hangs and unaccounted inputs all 0."""
    total = FUZZ_CASES
    per_run = 300
    crashes, hangs, unaccounted, inputs, slowest = [], [], [], 0, 0.0
    for run in range(0, total, per_run):
        folder = tmp_path / f"run{run}"
        folder.mkdir()
        paths = generate(folder, min(per_run, total - run), seed=run)
        db = tmp_path / f"run{run}.duckdb"
        try:
            status, report, seconds = _cli_ingest(folder, db, timeout=HANG_SECONDS * len(paths))
        except subprocess.TimeoutExpired:
            hangs.append(run)
            continue
        except AssertionError as exc:
            crashes.append(f"run {run}: {exc}")
            continue
        slowest = max(slowest, seconds / max(len(paths), 1))
        if status not in (0, EXIT_REJECTIONS) or not report:
            crashes.append(f"run {run}: exit {status}")
            continue
        inputs += report["inputs"]
        unaccounted += _accounted(db, paths)
    print(
        f"fuzz: {total} generated inputs in {len(range(0, total, per_run))} runs, "
        f"{inputs} inputs counted; crashes {len(crashes)}, hangs {len(hangs)}, "
        f"unaccounted {len(unaccounted)}; slowest run {slowest:.2f} s per input"
    )
    assert (crashes, hangs, unaccounted) == ([], [], [])
