"""Paths to articles: format detection, dates, drafts to articles, walking folders."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from newsgraph.ingest import detect_format, read_inputs
from newsgraph.ingest.readers import Draft
from newsgraph.ingest.sources import iter_files, parse_date, to_article
from newsgraph.model import Article, Rejection, article_id_for

MAX = 2_000_000


@pytest.mark.parametrize(
    ("name", "head", "fmt"),
    [
        ("story.txt", b"", "text"),
        ("notes.md", b"", "text"),
        ("page.HTML", b"", "html"),
        ("page.shtml", b"", "html"),
        ("wire.jsonl", b"", "jsonl"),
        ("wire.ndjson", b"", "jsonl"),
        ("dump.json", b"", "json"),
        ("crawl.warc", b"", "warc"),
        ("crawl.warc.gz", b"\x1f\x8b", "warc"),
        ("feed.rss", b"", "feed"),
        ("feed.atom", b"", "feed"),
        ("page.xml", b"<?xml version='1.0'?><html><body>", "html"),
        ("feed.xml", b"<?xml version='1.0'?><rss version='2.0'>", "feed"),
        ("-", b"WARC/1.0\r\nWARC-Type: warcinfo", "warc"),
        pytest.param(
            "-", gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\n"), "warc", id="-gz-warc"
        ),
        pytest.param("-", gzip.compress(b"just text"), "text", id="-gz-text"),
        ("-", b"\xef\xbb\xbf<!DOCTYPE html><html>", "html"),
        ("-", b"  \n<feed xmlns='http://www.w3.org/2005/Atom'>", "feed"),
        ("-", b'{"text": "Talks resumed."}', "jsonl"),
        ("-", b'[{"text": "Talks resumed."}]', "json"),
        ("-", b"Talks resumed in the port city.", "text"),
        ("README", b"", "text"),
    ],
)
def test_detect_format_uses_name_then_content(name: str, head: bytes, fmt: str) -> None:
    assert detect_format(name, head) == fmt


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2024-05-03", "2024-05-03"),
        ("March 5, 2024", "2024-03-05"),
        ("March 5, 2024 09:30", "2024-03-05T09:30:00"),
        ("2024-03-05T09:30:00Z", "2024-03-05T09:30:00+00:00"),
        ("Tue, 05 Mar 2024 09:30:00 GMT", "2024-03-05T09:30:00+00:00"),
        ("26-FEB-1987 15:01:01.79", "1987-02-26T15:01:01"),
        ("not a date", None),
        ("May 2024", None),
        ("2024", None),
        ("March 5", None),
        ("Tuesday", None),
        ("12:30", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date_returns_iso(value: str | None, iso: str | None) -> None:
    assert parse_date(value) == iso


def test_to_article_fills_metadata_from_the_text() -> None:
    draft = Draft(
        text="KYIV, March 3 (Meridian News) — Shelling hit a power station.\n\n"
        "Repairs began at dawn.\n\n(Reporting by Ana Lima; Editing by Bo Chen)\n\nMR/ZH",
        origin="wire.txt",
        format="text",
        title="  Power  station\nhit ",
    )
    article = to_article(draft, max_bytes=MAX)
    assert isinstance(article, Article)
    assert article.text == (
        "KYIV, March 3 (Meridian News) — Shelling hit a power station.\n\nRepairs began at dawn."
    )
    assert article.id == article_id_for(article.text)
    assert article.title == "Power station hit"
    assert article.source == "Meridian News"  # from the dateline, as the draft has none
    assert article.byline == "Ana Lima"
    assert article.dateline is not None
    assert article.dateline.date_text == "March 3"


@pytest.mark.parametrize(
    ("text", "kind"),
    [("x" * 101, "too_large"), ("\n\nMR/ZH\n\nAdvertisement", "empty")],
)
def test_to_article_rejects_drafts_it_cannot_use(text: str, kind: str) -> None:
    rejection = to_article(Draft(text=text, origin="wire.txt", format="text"), max_bytes=100)
    assert isinstance(rejection, Rejection)
    assert (rejection.input, rejection.stage, rejection.kind) == ("wire.txt", "read", kind)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Talks resume in Cairo.", "talks  resume\nin CAIRO."),
        ("Talks resume in Cairo.", "  Talks resume in Cairo.  "),
        ("Café talks", "CAFE\u0301 TALKS"),
    ],
)
def test_article_id_for_ignores_case_and_spacing(first: str, second: str) -> None:
    assert article_id_for(first) == article_id_for(second)


def test_read_inputs_reports_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "story.txt"
    assert list(read_inputs([missing], max_bytes=MAX)) == [
        Rejection(str(missing), "read", "missing", "no such file or directory")
    ]


def test_read_inputs_reports_broken_symlink_in_folder(tmp_path: Path) -> None:
    (tmp_path / "story.txt").write_text("The ferry sailed at dawn.", encoding="utf-8")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "deleted.txt")
    gone, story = read_inputs([tmp_path], max_bytes=MAX)
    assert isinstance(gone, Rejection)
    assert (gone.input, gone.kind) == (str(tmp_path / "gone.txt"), "unreadable")
    assert isinstance(story, Article)


def test_read_inputs_large_jsonl_without_suffix_is_read_by_line(tmp_path: Path) -> None:
    # Over max_bytes as a whole, but every line is a small article.
    lines = [json.dumps({"text": f"Story {n} about the harbour talks."}) for n in range(400)]
    path = tmp_path / "wire-dump"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size > 10_000
    items = list(read_inputs([path], max_bytes=10_000))
    assert len(items) == 400
    assert all(isinstance(item, Article) for item in items)


def test_read_inputs_refuses_large_text_file_unread(
    read_file: Callable[..., list[Any]],
) -> None:
    (rejection,) = read_file("long.txt", "word " * 100, max_bytes=100)
    assert rejection.kind == "too_large"
    assert rejection.reason == (
        "file is 500 bytes, over the --max-bytes limit of 100; raise --max-bytes to analyse it"
    )


def _failing_scandir(monkeypatch: pytest.MonkeyPatch, unlistable: Path) -> None:
    """Make ``unlistable`` fail to list as it would without read permission."""
    scandir = os.scandir

    def fake(path: Any = ".") -> Any:
        if Path(path) == unlistable:
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", fake)


@pytest.mark.parametrize("folder", ["a-first", "z-last"])
def test_iter_files_reports_folder_it_cannot_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: str
) -> None:
    # Simulated, so that the test also runs as root (which may list any folder).
    (tmp_path / "m-middle").mkdir()
    (tmp_path / "m-middle" / "story.txt").write_text("A story.", encoding="utf-8")
    (tmp_path / folder).mkdir()
    _failing_scandir(monkeypatch, tmp_path / folder)
    items = list(iter_files(tmp_path))
    rejections = [item for item in items if isinstance(item, Rejection)]
    assert [(r.input, r.kind) for r in rejections] == [(str(tmp_path / folder), "unreadable")]
    assert "Permission denied" in rejections[0].reason
    assert tmp_path / "m-middle" / "story.txt" in items


def test_iter_files_reports_root_it_cannot_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _failing_scandir(monkeypatch, tmp_path)
    (rejection,) = iter_files(tmp_path)
    assert isinstance(rejection, Rejection)
    assert (rejection.input, rejection.kind) == (str(tmp_path), "unreadable")


@pytest.mark.parametrize(
    ("draft", "source"),
    [
        # The input's own metadata first ...
        (
            Draft(text="PORT ELLIS (Meridian) — Talks.", origin="x", format="json", source="Own"),
            "Own",
        ),
        # ... then a credit line in the text ...
        (
            Draft(
                text="PORT ELLIS (Meridian) — Talks resumed.\n\n© 2024 Coastline Courier",
                origin="x",
                format="text",
                url="https://www.example.org/a",
            ),
            "Coastline Courier",
        ),
        # ... then the dateline's agency ...
        (
            Draft(
                text="MINSK, May 3. /TASS/. Talks.", origin="x", format="text", url="https://a.b/c"
            ),
            "TASS",
        ),
        # ... then the URL's domain.
        (
            Draft(
                text="Talks resumed.",
                origin="x",
                format="text",
                url="https://www.harbour.example/a",
            ),
            "harbour.example",
        ),
        (Draft(text="Talks resumed.", origin="x", format="text", url="not a url"), None),
    ],
)
def test_to_article_takes_the_publisher_from_the_first_that_names_it(
    draft: Draft, source: str | None
) -> None:
    article = to_article(draft, max_bytes=10_000)
    assert isinstance(article, Article)
    assert article.source == source


def test_to_article_keeps_a_headline_line_when_the_rest_is_boilerplate(
    read_file: Callable[..., list[Any]],
) -> None:
    (article,) = read_file("short.txt", "Talks resumed in Oslo.\n\nRead more: Talks in Bergen")
    assert isinstance(article, Article)
    assert (article.title, article.text) == (None, "Talks resumed in Oslo.")
    assert [item.reason for item in article.removed] == ["related_link"]


@pytest.mark.parametrize(
    ("text", "date", "published", "published_from"),
    [
        (
            "Posted Wednesday, September 18, 2024 11:56 pm\n\nTalks resumed.",
            None,
            "2024-09-18T23:56:00",
            "text",
        ),
        (
            "By Ana Lima | Updated: 2023-08-24 22:15\n\nTalks resumed.",
            None,
            "2023-08-24T22:15:00",
            "text",
        ),
        ("2023-05-26 23:46:00\n\nTalks resumed.", None, "2023-05-26T23:46:00", "text"),
        ("2023-05-26 23:46:00\n\nTalks resumed.", "2024-01-02", "2024-01-02", "input"),
        (
            "2023-05-26 23:46:00\n\nTalks resumed.",
            "2024-01-02T00:00+25:00",
            "2023-05-26T23:46:00",
            "text",
        ),
        ("harbour2.jpg\n\nTalks resumed.", None, None, None),
        ("1573671266000\n\nTalks resumed.", None, None, None),
        ("Talks resumed on 2023-05-26.", None, None, None),
    ],
)
def test_to_article_dates_from_the_input_else_a_removed_dated_line(
    text: str, date: str | None, published: str | None, published_from: str | None
) -> None:
    draft = Draft(text=text, origin="x", format="json", published=date)
    article = to_article(draft, max_bytes=10_000)
    assert isinstance(article, Article)
    assert (article.published, article.published_from) == (published, published_from)
