"""Bad input never stops a batch: each becomes a rejection with a reason, or is read anyway.

These are acceptance criteria of the project: every case has its own test, and one
folder holding all of them is ingested with every input accounted for.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from newsgraph.ingest import read_inputs
from newsgraph.ingest.sources import within_time
from newsgraph.model import Article, Rejection
from newsgraph.runner import ingest
from newsgraph.settings import Settings, load_settings

DEFAULT_MAX_BYTES = Settings().max_bytes
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256))

# Each encoded story differs, so none is a duplicate of another.
ENCODED = {
    "cp1252.txt": (
        "The minister said “we will not retreat” as the café owners paid €40 in fines.",
        "cp1252",
    ),
    "latin1.txt": ("Señor Muñoz paid 40 francs for the façade of the Zürich hall.", "latin-1"),
    "utf16le.txt": ("The “harbour” deal cost €3m, said André Lefèvre.", "utf-16-le"),
    "utf16be.txt": ("Fishermen in Tromsø said the quota was “unfair”.", "utf-16-be"),
}
MALFORMED_HTML = (
    "<html><head><title>Market flooded</title><body><div class='story'><p>NAIROBI — Heavy "
    "rain flooded the central market on Monday, and traders said they had lost stock worth "
    "thousands of shillings.</div></div></span><p>The council promised to clear the drains "
    "<b>before the next storm<p>More rain is forecast for the week ahead.</td></body>"
)
JSONL_LINES = [
    json.dumps({"id": "w1", "text": "PORT ELLIS — The first ferry in a month left at dawn."}),
    '{"id": "w2", "text": "The quay was crowded',  # cut off
    '["a list", "not an object"]',
    json.dumps({"id": "w4", "title": "No text here"}),
    json.dumps({"id": "w5", "text": "   "}),
    "[" * 50_000,  # nested past Python's recursion limit
    '{"text": "x", "views": ' + "9" * 5_000 + "}",  # past Python's integer digit limit
    "",
    json.dumps({"id": "w9", "text": "The lighthouse on the point was repaired on Monday."}),
]
JSONL_REJECTED = {
    2: "bad_json",
    3: "bad_json",
    4: "no_text",
    5: "no_text",
    6: "bad_json",
    7: "bad_json",
}


def _noise() -> bytes:
    return random.Random(0).randbytes(64 * 1024)


def _encode(text: str, encoding: str) -> bytes:
    boms = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}
    return boms.get(encoding, b"") + text.encode(encoding)


def _truncated(data: bytes, last_record: int, fraction: float = 0.5) -> bytes:
    return data[: last_record + int((len(data) - last_record) * fraction)]


def _huge_article() -> str:
    paragraph = (
        "Negotiators for the dockworkers and the port authority met again on Tuesday and "
        "agreed to continue the talks on overtime pay, crane safety and the new timetable."
    )
    count = 5_000_000 // (len(paragraph) + 2) + 1
    return "\n\n".join(f"{paragraph} ({number})" for number in range(count))


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[Callable[[Path], Path]]:
    """Take all permissions from a path for the test; skip when that does not stop us."""
    paths: list[Path] = []

    def lock(path: Path) -> Path:
        path.chmod(0)
        paths.append(path)
        if os.access(path, os.R_OK):
            pytest.skip("running as root: chmod 000 does not make a file unreadable")
        return path

    yield lock
    for path in paths:
        path.chmod(0o755)


# --- one test per bad input ------------------------------------------------------


def test_read_inputs_rejects_empty_file(read_file: Callable[..., list[Any]]) -> None:
    (rejection,) = read_file("empty.txt", b"")
    assert isinstance(rejection, Rejection)
    assert (rejection.stage, rejection.kind) == ("read", "empty")


@pytest.mark.parametrize(
    ("name", "data", "looks_like"),
    [
        pytest.param("photo.png", PNG, "PNG image", id="png"),
        pytest.param("photo.txt", PNG, "PNG image", id="png-named-txt"),
        pytest.param("noise.bin", _noise(), "binary data", id="random-bytes"),
        pytest.param("noise.html", _noise(), "binary data", id="random-bytes-named-html"),
    ],
)
def test_read_inputs_rejects_binary_file(
    read_file: Callable[..., list[Any]], name: str, data: bytes, looks_like: str
) -> None:
    (rejection,) = read_file(name, data)
    assert isinstance(rejection, Rejection)
    assert rejection.kind == "binary"
    assert looks_like in rejection.reason


@pytest.mark.parametrize(("name", "encoded"), list(ENCODED.items()))
def test_read_inputs_reads_legacy_and_wide_encodings(
    read_file: Callable[..., list[Any]], name: str, encoded: tuple[str, str]
) -> None:
    text, encoding = encoded
    (article,) = read_file(name, _encode(text, encoding))
    assert isinstance(article, Article)
    assert article.text == text


@pytest.mark.parametrize(("name", "encoding"), [("utf16.jsonl", "utf-16"), ("cp.jsonl", "cp1252")])
def test_read_inputs_reads_encoded_json_lines(
    read_file: Callable[..., list[Any]], name: str, encoding: str
) -> None:
    texts = [ENCODED["cp1252.txt"][0], ENCODED["latin1.txt"][0]]
    lines = [json.dumps({"text": text}, ensure_ascii=False) for text in texts]
    articles = read_file(name, "\n".join(lines).encode(encoding))
    assert [article.text for article in articles] == texts


def test_read_inputs_reads_malformed_html(read_file: Callable[..., list[Any]]) -> None:
    (article,) = read_file("broken.html", MALFORMED_HTML)
    assert isinstance(article, Article)
    assert article.text.startswith("NAIROBI — Heavy rain flooded the central market")
    assert "More rain is forecast" in article.text
    assert article.dateline is not None


def test_read_inputs_rejects_each_broken_json_line(
    tmp_path: Path, read_file: Callable[..., list[Any]], split: Callable[..., Any]
) -> None:
    articles, rejections = split(read_file("wire.jsonl", "\n".join(JSONL_LINES) + "\n"))
    path = tmp_path / "wire.jsonl"
    assert [(article.origin, article.external_id) for article in articles] == [
        (f"{path}:line 1", "w1"),
        (f"{path}:line 9", "w9"),
    ]
    assert {rejection.input: rejection.kind for rejection in rejections} == {
        f"{path}:line {number}": kind for number, kind in JSONL_REJECTED.items()
    }
    assert all(rejection.stage == "read" and rejection.reason for rejection in rejections)


@pytest.mark.parametrize("fraction", [0.02, 0.2, 0.5, 0.8])
@pytest.mark.parametrize(("name", "compress"), [("crawl.warc.gz", True), ("crawl.warc", False)])
def test_read_inputs_reads_truncated_warc_up_to_the_damage(
    read_file: Callable[..., list[Any]],
    write_warc: Callable[..., Any],
    name: str,
    compress: bool,
    fraction: float,
) -> None:
    archive = write_warc(3, gzip=compress)
    items = read_file(name, _truncated(archive.data, archive.html_offsets[-1], fraction))
    first, second, damage = items
    assert isinstance(first, Article)
    assert isinstance(second, Article)
    assert [first.url, second.url] == [
        "https://news.example/story-1",
        "https://news.example/story-2",
    ]
    assert isinstance(damage, Rejection)
    assert damage.kind == "truncated"
    assert damage.input.endswith(name)
    assert "after 2 HTML record(s)" in damage.reason


@pytest.mark.parametrize(
    ("name", "wrap"),
    [
        pytest.param("huge.txt", lambda text: text, id="text"),
        pytest.param("huge.jsonl", lambda text: json.dumps({"text": text}) + "\n", id="jsonl"),
        pytest.param("-", lambda text: text, id="stdin"),
    ],
)
def test_read_inputs_refuses_huge_article_unless_limit_raised(
    tmp_path: Path, name: str, wrap: Callable[[str], str]
) -> None:
    data = wrap(_huge_article()).encode("utf-8")
    assert len(data) > 5_000_000

    def read(max_bytes: int) -> list[Article | Rejection]:
        if name == "-":
            return list(read_inputs(["-"], max_bytes=max_bytes, stdin=io.BytesIO(data)))
        path = tmp_path / name
        path.write_bytes(data)
        return list(read_inputs([path], max_bytes=max_bytes))

    began = time.perf_counter()
    (refused,) = read(DEFAULT_MAX_BYTES)
    assert isinstance(refused, Rejection)
    assert refused.kind == "too_large"
    assert "--max-bytes" in refused.reason
    (article,) = read(6_000_000)
    assert isinstance(article, Article)
    assert len(article.text) > 5_000_000 - 1_000
    assert time.perf_counter() - began < 20


def test_read_inputs_rejects_missing_path(tmp_path: Path) -> None:
    (rejection,) = read_inputs([tmp_path / "not-there.jsonl"], max_bytes=DEFAULT_MAX_BYTES)
    assert isinstance(rejection, Rejection)
    assert (rejection.input, rejection.kind) == (str(tmp_path / "not-there.jsonl"), "missing")


def test_read_inputs_rejects_unreadable_file(
    tmp_path: Path, locked: Callable[[Path], Path]
) -> None:
    (tmp_path / "open.txt").write_text("The ferry sailed at dawn.", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("The lighthouse was repaired.", encoding="utf-8")
    secret = locked(tmp_path / "secret.txt")
    story, rejection = read_inputs([tmp_path], max_bytes=DEFAULT_MAX_BYTES)
    assert isinstance(story, Article)
    assert isinstance(rejection, Rejection)
    assert (rejection.input, rejection.kind) == (str(secret), "unreadable")
    assert "Permission denied" in rejection.reason


def test_read_inputs_rejects_unreadable_folder(
    tmp_path: Path, locked: Callable[[Path], Path]
) -> None:
    (tmp_path / "open.txt").write_text("The ferry sailed at dawn.", encoding="utf-8")
    (tmp_path / "zz-private").mkdir()
    (tmp_path / "zz-private" / "story.txt").write_text("A hidden story.", encoding="utf-8")
    private = locked(tmp_path / "zz-private")
    story, rejection = read_inputs([tmp_path], max_bytes=DEFAULT_MAX_BYTES)
    assert isinstance(story, Article)
    assert isinstance(rejection, Rejection)
    assert (rejection.input, rejection.kind) == (str(private), "unreadable")


# --- all of them at once -----------------------------------------------------------


def test_ingest_accounts_for_every_bad_input(
    tmp_path: Path, write_warc: Callable[..., Any], stories: tuple[str, ...]
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    files: dict[str, bytes | str] = {
        "empty.txt": b"",
        "photo.png": PNG,
        "noise.bin": _noise(),
        "broken.html": MALFORMED_HTML,
        "wire.jsonl": "\n".join(JSONL_LINES),
        "huge.txt": _huge_article(),
        "good/one.txt": stories[0],
        "good/two.txt": stories[1],
        "good/three.txt": stories[2],
    }
    archive = write_warc(3, gzip=True)
    files["crawl.warc.gz"] = _truncated(archive.data, archive.html_offsets[-1])
    for name, (text, encoding) in ENCODED.items():
        files[name] = _encode(text, encoding)
    for name, data in files.items():
        path = inbox / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    (inbox / "locked.txt").write_text("The council locked the archive.", encoding="utf-8")
    (inbox / "locked-folder").mkdir()
    (inbox / "locked-folder" / "story.txt").write_text("A story in a locked folder.")
    (inbox / "locked.txt").chmod(0)
    (inbox / "locked-folder").chmod(0)
    # As root, chmod 000 does not stop reading; then the locked stories are articles.
    readable = os.access(inbox / "locked.txt", os.R_OK)
    # good/*, the encoded files, the broken page, 2 JSON lines, 2 records before the damage
    articles = 3 + len(ENCODED) + 1 + 2 + 2 + (2 if readable else 0)
    # empty, png, noise, huge, JSON lines, the damage, locked file and folder, the missing path
    rejections = 4 + len(JSONL_REJECTED) + 1 + (0 if readable else 2) + 1
    settings = load_settings(db=str(tmp_path / "db.duckdb"), stages="language")
    inputs = [inbox, tmp_path / "missing.txt"]
    try:
        first = ingest(inputs, settings=settings)
        second = ingest(inputs, settings=settings)
    finally:
        (inbox / "locked.txt").chmod(0o644)
        (inbox / "locked-folder").chmod(0o755)

    assert first.status == "completed"
    assert first.ingested + first.duplicates + first.rejected == first.inputs
    assert (first.ingested, first.duplicates, first.rejected) == (articles, 0, rejections)
    assert first.rejected_by_kind["read:missing"] == 1
    assert first.rejected_by_kind["read:too_large"] == 1
    assert first.rejected_by_kind["read:truncated"] == 1
    assert first.rejected_by_kind["read:binary"] == 2
    assert second.ingested + second.duplicates + second.rejected == second.inputs
    assert (second.ingested, second.duplicates) == (0, first.ingested)
    assert second.rejected == first.rejected


# --- issue 17: every field validated at the reader, every input accounted for ----------


def test_read_inputs_nulls_an_impossible_date_with_a_warning(
    read_file: Callable[..., list[Any]],
) -> None:
    line = '{"text": "Talks resumed in Oslo on Monday.", "date": "2024-05-03T12:00:00+25:00"}'
    (article,) = read_file("wire.jsonl", line)
    assert isinstance(article, Article)
    assert article.published is None
    assert article.warnings[0].startswith("bad_date: '2024-05-03T12:00:00+25:00'")


@pytest.mark.parametrize("field", ["title", "source", "id", "text", "author", "url"])
def test_read_inputs_replaces_lone_surrogates_and_counts_them(
    read_file: Callable[..., list[Any]], field: str
) -> None:
    record = {"text": "Talks resumed in Oslo on Monday.", field: "x\ud800y\udfff"}
    if field == "text":
        record[field] = "Talks resumed in Oslo\ud800 on Monday."
    (article,) = read_file("wire.jsonl", json.dumps(record))
    assert isinstance(article, Article)
    values = [
        v
        for v in (
            article.title,
            article.source,
            article.external_id,
            article.text,
            article.byline,
            article.url,
        )
        if v
    ]
    assert all(not any("\ud800" <= ch <= "\udfff" for ch in value) for value in values)
    assert "\ufffd" in "".join(values)
    assert any(w.startswith("bad_unicode:") for w in article.warnings)
    for value in values:
        value.encode("utf-8")


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("blank.jsonl", b"  \n\n \t\n", "whitespace"),
        ("blank.txt", b" \n\n  \n", "whitespace"),
        ("blank.html", b"\n  \n", "whitespace"),
        ("list.json", b"[]", "empty"),
        ("list.json", b"  [ ]\n", "empty"),
        ("empty.txt", b"", "empty"),
        ("byte.txt", b"\x80", "no_text"),
        ("letter.txt", b"Q", "no_text"),
        ("entity.txt", b"&lol9;", "no_text"),
        ("entity.jsonl", b'{"text": "&lol9;"}', "no_text"),
        ("tags.html", b"<p>&nbsp;</p>", "no_text"),
    ],
)
def test_read_inputs_accounts_for_inputs_holding_nothing(
    read_file: Callable[..., list[Any]], name: str, data: bytes, kind: str
) -> None:
    (rejection,) = read_file(name, data)
    assert isinstance(rejection, Rejection)
    assert rejection.kind == kind


def test_read_inputs_refuses_a_fifo_without_reading(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this system")
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "story.txt").write_text("Talks resumed in Oslo on Monday.", encoding="utf-8")
    items = list(read_inputs([tmp_path], max_bytes=10_000))  # would block before the fix
    kinds = [item.kind if isinstance(item, Rejection) else "article" for item in items]
    assert kinds == ["not_a_file", "article"]
    assert "named pipe" in items[0].reason


def test_read_inputs_reports_a_symlinked_folder(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "story.txt").write_text("Talks resumed in Oslo on Monday.", encoding="utf-8")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "link").symlink_to(target, target_is_directory=True)
    (rejection,) = list(read_inputs([inbox], max_bytes=10_000))
    assert isinstance(rejection, Rejection)
    assert rejection.kind == "not_followed"


def test_read_inputs_names_a_file_with_an_undecodable_name(tmp_path: Path) -> None:
    raw = os.fsencode(tmp_path) + b"/story\xff.txt"
    try:
        with open(raw, "wb") as handle:
            handle.write(b"Talks resumed in Oslo on Monday.")
    except OSError:
        pytest.skip("the file system refuses non-UTF-8 names")
    (article,) = list(read_inputs([tmp_path], max_bytes=10_000))
    assert isinstance(article, Article)
    article.origin.encode("utf-8")  # no lone surrogate left from surrogateescape
    assert article.origin.endswith("story\ufffd.txt")


RSS_WRONG_ENCODING = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Harbour'
    b" \xff Gazette</title><item><title>Ferry \xff returns</title><description>The ferry "
    b"returned to the islands on Monday \xff after a month.</description></item></channel></rss>"
)
ATOM_WITHOUT_SUMMARY = (
    b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
    b"<title>Valley Times</title><entry><title>Bridge</title><id>1</id></entry>"
    b"<entry><title>School</title><id>2</id><summary>The school term was extended on "
    b"Monday.</summary></entry></feed>"
)


def test_read_inputs_reads_a_feed_whose_encoding_does_not_fit(
    read_file: Callable[..., list[Any]],
) -> None:
    (article,) = read_file("feed.rss", RSS_WRONG_ENCODING)
    assert isinstance(article, Article)
    assert article.text.startswith("The ferry returned to the islands on Monday")


def test_read_inputs_reads_atom_entries_without_summary(
    read_file: Callable[..., list[Any]],
) -> None:
    empty, article = read_file("feed.atom", ATOM_WITHOUT_SUMMARY)
    assert isinstance(empty, Rejection)
    assert empty.kind == "no_text"
    assert isinstance(article, Article)
    assert article.title == "School"


def test_within_time_gives_up_on_a_reader_stuck_in_one_call() -> None:
    def stuck() -> Iterator[Article | Rejection]:
        yield Article.from_text("Talks resumed in Oslo on Monday.")
        time.sleep(30)  # a parser stuck on a pathological page
        yield Article.from_text("Never reached.")

    began = time.monotonic()
    items = list(within_time(stuck(), origin="slow.html", seconds=0.5))
    assert time.monotonic() - began < 10
    assert isinstance(items[0], Article)
    assert isinstance(items[1], Rejection)
    assert (items[1].input, items[1].kind) == ("slow.html", "timeout")
    assert len(items) == 2


def test_ingest_stores_good_files_beside_each_issue_17_input(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "good.txt").write_text("Talks resumed in Oslo on Monday.", encoding="utf-8")
    (inbox / "date.jsonl").write_text(
        '{"text": "Talks resumed in Bergen on Monday.", "date": "2024-05-03T12:00:00+25:00"}\n'
    )
    (inbox / "title.jsonl").write_text(
        '{"text": "Talks resumed in Tromso on Monday.", "title": "x\\ud800", '
        '"source": "s\\udc00", "id": "i\\ud800"}\n'
    )
    (inbox / "feed.rss").write_bytes(RSS_WRONG_ENCODING)
    (inbox / "feed.atom").write_bytes(ATOM_WITHOUT_SUMMARY)
    (inbox / "blank.jsonl").write_text(" \n\n")
    (inbox / "list.json").write_text("[]")
    (inbox / "entity.txt").write_text("&lol9;")
    if hasattr(os, "mkfifo"):
        os.mkfifo(inbox / "pipe.txt")
    settings = load_settings(db=str(tmp_path / "db.duckdb"), stages="language")
    report = ingest([inbox], settings=settings)
    assert report.status == "completed"
    assert report.ingested == 5  # good, date, title, rss, the atom entry with a summary
    assert report.ingested + report.duplicates + report.rejected == report.inputs
    kinds = report.rejected_by_kind
    assert kinds["read:whitespace"] == 1
    assert kinds["read:empty"] == 1
    assert kinds["read:no_text"] == 2  # the entity file and the atom entry without text
