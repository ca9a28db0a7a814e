"""Builders for ingestion inputs: stories, web pages, WARC archives, written to tmp_path.

Every text here is invented for these tests.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsgraph.ingest import read_inputs
from newsgraph.model import Article, Rejection
from newsgraph.settings import Settings

DEFAULT_MAX_BYTES = Settings().max_bytes

STORIES = (
    "PORT ELLIS (Coastline Courier) — Dockworkers and the port authority resumed talks "
    "on Tuesday, a week after a storm closed the harbour.\n\n"
    "The union wants guarantees on overtime pay before the cranes restart.",
    "NAIROBI — Heavy rain flooded the central market on Monday, and traders said they "
    "had lost stock worth thousands of shillings.\n\n"
    "The county council promised to clear the blocked drains before the next storm.",
    "KYIV, March 3 (Meridian News) — Shelling damaged a power station east of the city "
    "overnight, the regional governor said.\n\n"
    "Repair crews expected to restore electricity to most homes by the evening.",
)

Items = list[Article | Rejection]
Splitter = Callable[[Iterable[Article | Rejection]], tuple[list[Article], list[Rejection]]]


def split(items: Iterable[Article | Rejection]) -> tuple[list[Article], list[Rejection]]:
    """Separate what a read produced into articles and rejections."""
    articles: list[Article] = []
    rejections: list[Rejection] = []
    for item in items:
        if isinstance(item, Article):
            articles.append(item)
        else:
            rejections.append(item)
    return articles, rejections


@pytest.fixture
def read_file(tmp_path: Path) -> Callable[..., Items]:
    """Write ``data`` to ``tmp_path/name`` and read it with :func:`read_inputs`."""

    def read(name: str, data: bytes | str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Items:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return list(read_inputs([path], max_bytes=max_bytes))

    return read


def news_page(
    *,
    title: str = "Harbour talks resume after storm",
    paragraphs: Iterable[str] = STORIES[0].split("\n\n"),
    site: str = "Coastline Courier",
    author: str = "Mira Solano",
    published: str = "2024-03-05T09:30:00Z",
    canonical: str = "https://courier.example/news/harbour-talks",
) -> str:
    """A realistic article page: metadata, navigation, the story, a footer."""
    body = "\n".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{title} | {site}</title>
<meta property="og:title" content="{title}">
<meta property="og:site_name" content="{site}">
<meta name="author" content="{author}">
<meta property="article:published_time" content="{published}">
<link rel="canonical" href="{canonical}">
</head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a>
<a href="/subscribe">Subscribe for unlimited access</a></nav></header>
<main><article>
<h1>{title}</h1>
{body}
</article>
<aside><h2>Most read</h2><ul><li><a href="/a">Festival tickets sell out in an hour</a></li>
<li><a href="/b">Council approves new cycle lanes</a></li></ul></aside>
</main>
<footer><p>© 2024 {site}. All rights reserved.</p><a href="/privacy">Privacy policy</a></footer>
</body></html>"""


def story_page(number: int) -> bytes:
    """A small page for archive records, without a date of its own."""
    lede = STORIES[number % 3].partition("\n")[0]
    return (
        f"<html><head><title>Story {number}</title></head><body><article>"
        f"<h1>Story {number}</h1><p>{lede} (story {number})</p>"
        f"<p>Officials said a full account of story {number} would follow within the week, "
        f"once the inspectors had visited every site.</p></article></body></html>"
    ).encode()


@dataclass(frozen=True)
class Warc:
    """A written archive and where each of its HTML responses starts."""

    data: bytes
    html_offsets: tuple[int, ...]


def write_warc(html: int, *, gzip: bool, extras: bool = False) -> Warc:
    """Write ``html`` article responses with warcio.

    With ``extras``, the archive opens with a warcinfo record, and each response comes
    with the request for it and with an image and a JSON response from the same site,
    all of which a reader must pass over.
    """
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzip)
    if extras:
        writer.write_record(writer.create_warcinfo_record("crawl.warc", {"software": "tests"}))

    def write(url: str, kind: str, headers: StatusAndHeaders, body: bytes) -> None:
        record = writer.create_warc_record(
            url, kind, payload=io.BytesIO(body), http_headers=headers
        )
        writer.write_record(record)

    offsets = []
    for number in range(1, html + 1):
        url = f"https://news.example/story-{number}"
        if extras:
            request = StatusAndHeaders(
                f"GET /story-{number} HTTP/1.1", [("Host", "news.example")], is_http_request=True
            )
            write(url, "request", request, b"")
        offsets.append(buffer.tell())
        write(url, "response", _response("text/html; charset=utf-8"), story_page(number))
        if extras:
            png = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
            write(f"{url}/photo.png", "response", _response("image/png"), png)
            data = b'{"text": "not a page", "views": 12}'
            write(f"{url}/stats", "response", _response("application/json"), data)
    return Warc(buffer.getvalue(), tuple(offsets))


def _response(content_type: str) -> StatusAndHeaders:
    return StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")


@pytest.fixture(name="split")
def split_fixture() -> Splitter:
    """:func:`split`, for tests."""
    return split


@pytest.fixture(name="news_page")
def news_page_fixture() -> Callable[..., str]:
    """:func:`news_page`, for tests."""
    return news_page


@pytest.fixture(name="write_warc")
def write_warc_fixture() -> Callable[..., Warc]:
    """:func:`write_warc`, for tests."""
    return write_warc


@pytest.fixture(name="stories")
def stories_fixture() -> tuple[str, ...]:
    """Three short wire stories, each opening with a dateline."""
    return STORIES
