"""Helpers for the scale-out tests: stored rows to compare, inputs with bad records.

Every text here is invented for these tests.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsgraph.store import Store
from newsgraph.store.tables import ALL_TABLES

HERE = Path(__file__).resolve().parent
# Columns that name the run or the moment a row was written: they differ between runs.
RUN_COLUMNS = ("run_id", "ingested_at", "indexed", "at")
CITIES = ("Cairo", "Doha", "Oslo", "Lima", "Nairobi", "Kyiv", "Manila", "Dakar")

Rows = dict[str, list[tuple[Any, ...]]]


def _stored_rows(db: Path | str) -> Rows:
    """Every row of every table, without the run columns, in primary-key order."""
    with Store(db, read_only=True) as store:
        rows: Rows = {}
        for table in ALL_TABLES:
            names = [c.name for c in table.columns] + [e.name for e in table.extras]
            # A rejection's key names its run too (so runs never overwrite each other's).
            skipped = (*RUN_COLUMNS, "id") if table.name == "rejections" else RUN_COLUMNS
            kept = ", ".join(f'"{name}"' for name in names if name not in skipped)
            keys = (
                "ALL"
                if table.name == "rejections"
                else ", ".join(f'"{key}"' for key in table.key) or "ALL"
            )
            rows[table.name] = store.con.execute(
                f'SELECT {kept} FROM "{table.name}" ORDER BY {keys}'
            ).fetchall()
        return rows


@pytest.fixture
def stored_rows() -> Callable[[Path | str], Rows]:
    """Every row of every table of a store, without the run columns, in key order."""
    return _stored_rows


@pytest.fixture
def same_rows() -> Callable[[Path | str, Path | str], None]:
    """Assert that two stores hold the same rows, naming the first table that differs.

    Rejections are compared as distinct rows: each run keeps its own, so a store filled
    by an interrupted run and its resumption holds some twice."""

    def check(got_db: Path | str, expected_db: Path | str) -> None:
        got, expected = _stored_rows(got_db), _stored_rows(expected_db)
        for rows in (got, expected):
            rows["rejections"] = sorted(set(rows["rejections"]))
        for name, rows in expected.items():
            count = len(got[name])
            assert count == len(rows), f"{name}: {count} rows, expected {len(rows)}"
            assert got[name] == rows, f"{name}: rows differ"

    return check


def wire_stories(count: int, *, start: int = 0) -> Iterator[str]:
    """Short wire stories as JSON lines, each with its own text."""
    for n in range(start, start + count):
        city = CITIES[n % len(CITIES)]
        text = (
            f"{city.upper()} (Harbour Wire) — Minister Ana Ruiz met envoys in {city} on "
            f"day {n}, officials said. Talks on trade number {n} will continue next week "
            f"in {CITIES[n % 3]}."
        )
        yield json.dumps({"id": f"w{n}", "title": f"Talks {n}", "text": text})


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A folder with a JSONL file (a broken line, a blank line, a repeated story), text
    files and one binary file: 24 stories, one of them stored twice."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    lines = list(wire_stories(12))
    lines[4:4] = ["{broken json", ""]
    lines.append(lines[0])  # the same story again: a duplicate
    (folder / "a_wire.jsonl").write_text("\n".join(lines) + "\n")
    for n, story in enumerate(wire_stories(11, start=12)):
        (folder / f"b_story_{n:02d}.txt").write_text(json.loads(story)["text"] + "\n")
    (folder / "c_image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    return folder


@pytest.fixture
def poisoned(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The ``poisoned`` helper module, importable by worker processes too."""
    monkeypatch.syspath_prepend(str(HERE))
    monkeypatch.setenv("PYTHONPATH", str(HERE))
    import poisoned as module

    yield module
    sys.modules.pop("poisoned", None)


def warc_bytes(pages: int, *, gzip: bool) -> bytes:
    """An archive of ``pages`` HTML responses, each after a request, with an image between."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzip)
    writer.write_record(writer.create_warcinfo_record("crawl.warc", {"software": "tests"}))

    def write(url: str, kind: str, headers: StatusAndHeaders, body: bytes) -> None:
        writer.write_record(
            writer.create_warc_record(url, kind, payload=io.BytesIO(body), http_headers=headers)
        )

    for n in range(pages):
        url = f"https://news.example/story-{n}"
        request = StatusAndHeaders(
            f"GET /story-{n} HTTP/1.1", [("Host", "news.example")], is_http_request=True
        )
        write(url, "request", request, b"")
        page = (
            f"<html><head><title>Story {n}</title></head><body><article><h1>Story {n}</h1>"
            f"<p>Dockworkers and the port authority resumed talks on day {n}, a week after "
            f"a storm closed the harbour.</p><p>The union wants guarantees on overtime "
            f"pay before the cranes restart at pier {n}.</p></article></body></html>"
        ).encode()
        write(url, "response", _response("text/html; charset=utf-8"), page)
        write(f"{url}/photo.png", "response", _response("image/png"), b"\x89PNG" + bytes(32))
    return buffer.getvalue()


def _response(content_type: str) -> StatusAndHeaders:
    return StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")


@pytest.fixture(name="warc_bytes")
def warc_bytes_fixture() -> Callable[..., bytes]:
    """:func:`warc_bytes`, for tests."""
    return warc_bytes
