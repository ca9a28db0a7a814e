"""Each input format, read through :func:`newsgraph.ingest.read_inputs`."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from newsgraph.ingest import read_inputs
from newsgraph.model import Article

MAX = 2_000_000


# --- plain text -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "title", "opening"),
    [
        pytest.param(
            "Ferry service returns to the islands\n\nThe first boat in a month left at dawn.",
            "Ferry service returns to the islands",
            "The first boat",
            id="short-line-then-blank",
        ),
        pytest.param(
            "  \n\nFerry service returns\n\nThe first boat in a month left at dawn.",
            "Ferry service returns",
            "The first boat",
            id="leading-blank-lines",
        ),
        pytest.param(
            "The first boat in a month left at dawn.\nIt carried mail and medicine.",
            None,
            "The first boat",
            id="no-blank-line",
        ),
        pytest.param(
            "NAIROBI — Heavy rain flooded the central market.\n\nTraders counted their losses.",
            None,
            "NAIROBI —",
            id="dateline-lede-is-not-a-headline",
        ),
        pytest.param(
            "The island council met on Tuesday evening and, after a long debate about the "
            "timetable, voted to restore the ferry service for the summer months.\n\n"
            "The first boat left at dawn.",
            None,
            "The island council",
            id="long-sentence-is-not-a-headline",
        ),
        pytest.param(
            'Ministry blames storm and "months of neglect by the previous owners of the '
            'harbour"\n\nThe ministry published its report on Monday.',
            'Ministry blames storm and "months of neglect by the previous owners of the harbour"',
            "The ministry published",
            id="headline-ending-in-a-quotation",
        ),
        pytest.param(
            'The minister told reporters on Monday that the harbour would reopen: "We are '
            'ready."\n\nThe ministry published its report.',
            None,
            "The minister told",
            id="lede-ending-in-a-quoted-sentence",
        ),
        pytest.param(
            "Ferry service returns\n\n",
            None,
            "Ferry service returns",
            id="headline-alone-is-the-text",
        ),
        pytest.param(
            "Ferry service returns to the islands\nThe first boat in a month left at dawn.",
            "Ferry service returns to the islands",
            "The first boat",
            id="headline-line-without-blank-line",
        ),
        pytest.param(
            "Harbour strike: dockworkers reject offer\nPORT ELLIS (Coastline Courier) — "
            "Dockworkers rejected the offer on Tuesday.",
            "Harbour strike: dockworkers reject offer",
            "PORT ELLIS (Coastline Courier) —",
            id="headline-not-glued-to-the-dateline-lead",
        ),
        pytest.param(
            "GAZA: Strikes hit two schools\n\nStrikes hit two schools on Monday, officials said.",
            "GAZA: Strikes hit two schools",
            "Strikes hit two schools on Monday",
            id="headline-shaped-like-a-dateline",
        ),
        pytest.param(
            "Thousands of protesters made their way down the avenue on Saturday,\n"
            "marching to the Capitol to call for legislative action.",
            None,
            "Thousands of protesters",
            id="hard-wrapped-lead-is-not-a-headline",
        ),
        pytest.param(
            "Ferry service returns\nto the islands after a month, the council said.",
            None,
            "Ferry service returns",
            id="next-line-continues-the-sentence",
        ),
    ],
)
def test_read_text_detects_headline(
    read_file: Callable[..., list[Any]], content: str, title: str | None, opening: str
) -> None:
    (article,) = read_file("story.txt", content)
    assert isinstance(article, Article)
    assert article.title == title
    assert article.text.startswith(opening)
    assert article.format == "text"


# --- HTML -------------------------------------------------------------------------


def test_read_html_takes_metadata_and_main_text(
    read_file: Callable[..., list[Any]], news_page: Callable[..., str]
) -> None:
    (article,) = read_file("page.html", news_page())
    assert isinstance(article, Article)
    assert article.title == "Harbour talks resume after storm"
    assert article.published == "2024-03-05"
    assert article.byline == "Mira Solano"
    assert article.source == "Coastline Courier"
    assert article.url == "https://courier.example/news/harbour-talks"
    assert article.text.startswith("PORT ELLIS (Coastline Courier) — Dockworkers")
    assert "overtime pay" in article.text
    assert article.dateline is not None
    assert article.dateline.place == "PORT ELLIS"
    # Navigation, sidebars and the footer are not the story; neither is the repeated <h1>.
    for boilerplate in ("Subscribe", "Most read", "Festival", "All rights reserved", "Privacy"):
        assert boilerplate not in article.text
    assert not article.text.startswith("Harbour talks")


@pytest.mark.parametrize("name", ["page.htm", "page.xhtml", "page.xml", "page"])
def test_read_html_recognised_by_suffix_or_content(
    read_file: Callable[..., list[Any]], news_page: Callable[..., str], name: str
) -> None:
    (article,) = read_file(name, news_page())
    assert isinstance(article, Article)
    assert article.format == "html"
    assert article.title == "Harbour talks resume after storm"


# --- JSON Lines and JSON ----------------------------------------------------------

RECORD = {
    "id": "cc-0042",
    "title": "Harbour talks resume",
    "url": "https://courier.example/harbour",
    "source": "Coastline Courier",
    "date": "March 5, 2024 09:30",
    "language": "en",
    "author": "Mira Solano",
    "text": "PORT ELLIS — Dockworkers and the port authority resumed talks on Tuesday.",
}


def _check_record_fields(article: object) -> None:
    assert isinstance(article, Article)
    assert article.external_id == "cc-0042"
    assert article.title == "Harbour talks resume"
    assert article.url == "https://courier.example/harbour"
    assert article.source == "Coastline Courier"
    assert article.published == "2024-03-05T09:30:00"
    assert article.language == "en"
    assert article.byline == "Mira Solano"
    assert article.text == RECORD["text"]


def test_read_json_lines_maps_fields(read_file: Callable[..., list[Any]]) -> None:
    second = {"text": "NAIROBI — Rain flooded the market.", "id": 7, "date": "2024-03-04"}
    lines = [json.dumps(RECORD), "", json.dumps(second)]
    first, other = read_file("wire.jsonl", "\n".join(lines) + "\n")
    _check_record_fields(first)
    assert first.origin.endswith("wire.jsonl:line 1")
    assert isinstance(other, Article)
    assert (other.external_id, other.published) == ("7", "2024-03-04")
    assert other.origin.endswith(":line 3")
    assert other.format == "jsonl"


@pytest.mark.parametrize(
    "document",
    [pytest.param(RECORD, id="one-object"), pytest.param([RECORD], id="list-of-one")],
)
def test_read_json_maps_fields(read_file: Callable[..., list[Any]], document: object) -> None:
    (article,) = read_file("story.json", json.dumps(document, indent=2))
    _check_record_fields(article)
    assert article.format == "json"


def test_read_json_numbers_records_of_a_list(read_file: Callable[..., list[Any]]) -> None:
    records = [{"text": f"Story number {number} is short."} for number in (1, 2)]
    items = read_file("stories.json", json.dumps(records))
    assert [item.origin.rsplit("#", 1)[1] for item in items] == ["record 1", "record 2"]


# --- WARC -------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "compress"), [("crawl.warc", False), ("crawl.warc.gz", True)])
def test_read_warc_reads_html_responses_only(
    read_file: Callable[..., list[Any]],
    write_warc: Callable[..., Any],
    name: str,
    compress: bool,
) -> None:
    archive = write_warc(3, gzip=compress, extras=True)
    items = read_file(name, archive.data)
    assert all(isinstance(item, Article) for item in items)
    assert [item.url for item in items] == [
        f"https://news.example/story-{number}" for number in (1, 2, 3)
    ]
    assert [item.origin.rsplit("#", 1)[1] for item in items] == [
        "record 1",
        "record 2",
        "record 3",
    ]
    first = items[0]
    assert isinstance(first, Article)
    assert first.format == "warc"
    assert first.title == "Story 1"
    assert "(story 1)" in first.text
    assert first.published is not None  # the WARC-Date, as the page has no date


# --- RSS and Atom -----------------------------------------------------------------

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Harbour Gazette</title>
  <link>https://gazette.example/</link>
  <description>News from the coast</description>
  <item>
    <title>Ferry service returns</title>
    <link>https://gazette.example/ferry</link>
    <guid>gazette-ferry-1</guid>
    <pubDate>Tue, 05 Mar 2024 09:30:00 GMT</pubDate>
    <dc:creator>Ola Berg</dc:creator>
    <description>The ferry is back.</description>
    <content:encoded><![CDATA[<p>PORT ELLIS — The first ferry in a month left at dawn.</p>
      <p>It carried mail, medicine and <b>forty</b> passengers.</p>]]></content:encoded>
  </item>
  <item>
    <title>Lighthouse repaired</title>
    <link>https://gazette.example/lighthouse</link>
    <pubDate>Mon, 04 Mar 2024 18:00:00 GMT</pubDate>
    <description>Engineers finished repairs to the old lighthouse on Monday.</description>
  </item>
</channel>
</rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Valley Times</title>
  <id>tag:valley.example,2024:feed</id>
  <updated>2024-03-04T08:00:00Z</updated>
  <entry>
    <title>Bridge reopens</title>
    <link href="https://valley.example/bridge"/>
    <id>tag:valley.example,2024:bridge</id>
    <published>2024-03-04T08:00:00Z</published>
    <updated>2024-03-04T09:00:00Z</updated>
    <author><name>Lena Park</name></author>
    <content type="html">&lt;p&gt;The river bridge reopened on Monday after repairs.&lt;/p&gt;
    </content>
  </entry>
  <entry>
    <title>School term extended</title>
    <link href="https://valley.example/school"/>
    <id>tag:valley.example,2024:school</id>
    <updated>2024-03-03T12:00:00Z</updated>
    <summary>The school term will run a week longer to make up for snow days.</summary>
  </entry>
</feed>"""


def test_read_feed_rss_entries(read_file: Callable[..., list[Any]]) -> None:
    ferry, lighthouse = read_file("gazette.rss", RSS)
    assert isinstance(ferry, Article)
    assert ferry.text == (
        "PORT ELLIS — The first ferry in a month left at dawn.\n\n"
        "It carried mail, medicine and forty passengers."
    )
    assert ferry.title == "Ferry service returns"
    assert ferry.url == "https://gazette.example/ferry"
    assert ferry.published == "2024-03-05T09:30:00+00:00"
    assert ferry.byline == "Ola Berg"
    assert ferry.source == "Harbour Gazette"
    assert ferry.external_id == "gazette-ferry-1"
    assert ferry.format == "feed"
    assert ferry.origin.endswith("gazette.rss#entry 1")
    assert isinstance(lighthouse, Article)
    assert lighthouse.text == "Engineers finished repairs to the old lighthouse on Monday."
    assert lighthouse.published == "2024-03-04T18:00:00+00:00"


def test_read_feed_atom_entries(read_file: Callable[..., list[Any]]) -> None:
    bridge, school = read_file("valley.atom", ATOM)
    assert isinstance(bridge, Article)
    assert bridge.text == "The river bridge reopened on Monday after repairs."
    assert (bridge.title, bridge.url, bridge.byline, bridge.source) == (
        "Bridge reopens",
        "https://valley.example/bridge",
        "Lena Park",
        "Valley Times",
    )
    assert bridge.published == "2024-03-04T08:00:00+00:00"
    assert isinstance(school, Article)
    assert school.text.startswith("The school term will run")
    assert school.published == "2024-03-03T12:00:00+00:00"  # from <updated>


@pytest.mark.parametrize(("name", "feed"), [("news.xml", RSS), ("feed", ATOM)])
def test_read_feed_recognised_by_content(
    read_file: Callable[..., list[Any]], name: str, feed: str
) -> None:
    items = read_file(name, feed)
    assert len(items) == 2
    assert all(isinstance(item, Article) and item.format == "feed" for item in items)


# --- folders and stdin ------------------------------------------------------------


def test_read_inputs_walks_folders_in_stable_order(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    files = {
        "b.txt": "Story B is about the harbour.",
        "a.txt": "Story A is about the market.",
        "sub/c.txt": "Story C is about the bridge.",
        "sub/deeper/d.txt": "Story D is about the ferry.",
        ".hidden.txt": "A hidden story is skipped.",
        ".cache/e.txt": "A story in a hidden folder is skipped.",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    first = list(read_inputs([root], max_bytes=MAX))
    assert [Path(item.origin).relative_to(root).as_posix() for item in first] == [
        "a.txt",
        "b.txt",
        "sub/c.txt",
        "sub/deeper/d.txt",
    ]
    assert list(read_inputs([root], max_bytes=MAX)) == first


@pytest.mark.parametrize(
    ("data", "fmt", "count"),
    [
        pytest.param(b"Talks resume\n\nNegotiators met on Tuesday.", "text", 1, id="text"),
        pytest.param(
            b'{"text": "Talks resumed."}\n{"text": "Talks ended."}\n', "jsonl", 2, id="jsonl"
        ),
        pytest.param(b'[{"text": "Talks resumed."}]', "json", 1, id="json"),
        pytest.param(RSS.encode(), "feed", 2, id="rss"),
        pytest.param(
            b"<html><body><article><p>Negotiators met in the port city on Tuesday to "
            b"discuss overtime pay and a new timetable.</p></article></body></html>",
            "html",
            1,
            id="html",
        ),
    ],
)
def test_read_inputs_reads_stdin(data: bytes, fmt: str, count: int) -> None:
    items = list(read_inputs(["-"], max_bytes=MAX, stdin=io.BytesIO(data)))
    assert len(items) == count
    assert all(isinstance(item, Article) and item.format == fmt for item in items)
    assert all(item.origin.startswith("<stdin>") for item in items)


@pytest.mark.parametrize("compress", [False, True], ids=["warc", "warc.gz"])
def test_read_inputs_reads_warc_from_stdin(write_warc: Callable[..., Any], compress: bool) -> None:
    archive = write_warc(2, gzip=compress)
    stdin = io.BytesIO(archive.data)
    items = list(read_inputs(["-"], max_bytes=MAX, stdin=stdin))
    assert [item.url for item in items] == [
        "https://news.example/story-1",
        "https://news.example/story-2",
    ]


def test_read_inputs_plain_gzip_on_stdin_is_not_a_warc() -> None:
    data = gzip.compress(b"Just some compressed text, not an archive.")
    (rejection,) = read_inputs(["-"], max_bytes=MAX, stdin=io.BytesIO(data))
    assert rejection.kind == "binary"
