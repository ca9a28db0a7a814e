"""Format readers: bytes of one file (or stream) to article drafts.

Each reader yields :class:`Draft` for every article it finds and
:class:`~newsgraph.model.Rejection` for every part it cannot use, so that one broken
record never hides the good ones next to it. Readers never raise for bad content.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

import feedparser
import lxml.html
import trafilatura
from warcio.archiveiterator import ArchiveIterator

from newsgraph.errors import InputError
from newsgraph.ingest.cleaning import find_dateline
from newsgraph.ingest.decoding import bom_encoding, decode_bytes
from newsgraph.model import Rejection


@dataclass(frozen=True, slots=True)
class Draft:
    """Article fields as a reader found them, before cleaning and identification."""

    text: str
    origin: str
    format: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    byline: str | None = None
    published: str | None = None
    language: str | None = None
    record_id: str | None = None


def _reject(origin: str, kind: str, reason: str) -> Rejection:
    return Rejection(input=origin, stage="read", kind=kind, reason=reason)


def _from_input_error(origin: str, exc: InputError, kind: str) -> Rejection:
    return _reject(origin, kind, exc.message)


def _binary_or_decode_kind(exc: InputError) -> str:
    return "binary" if exc.message.startswith("not text") else "encoding"


def read_text(data: bytes, *, origin: str) -> Iterator[Draft | Rejection]:
    """Read a plain-text article; a headline on its first line becomes the title."""
    try:
        text, _ = decode_bytes(data, source=origin)
    except InputError as exc:
        yield _from_input_error(origin, exc, _binary_or_decode_kind(exc))
        return
    if not text.strip():
        yield _reject(origin, "whitespace", "the file holds only white space")
        return
    title, text = split_headline(text)
    yield Draft(text=text, origin=origin, format="text", title=title)


_CONTINUES = re.compile(r"[,;:(\[–—-]$")


def split_headline(text: str) -> tuple[str | None, str]:
    """Return ``(headline, rest)`` when ``text`` opens with a headline line, else ``(None, text)``.

    A headline is one short line that does not read as the lead: it ends no long
    sentence (a headline may end in a quoted word: Beijing blames "intrusion"), and a
    dateline in it is not followed by a sentence ("GAZA: Strikes kill 12" is a headline,
    "GAZA — Strikes killed 12 people on Monday." a lead). Without a blank line after
    it, the next line must start a new sentence, so that hard-wrapped text is not cut.

    >>> split_headline("Talks resume in Oslo\nNegotiators met on Monday.")
    ('Talks resume in Oslo', 'Negotiators met on Monday.')
    >>> split_headline("OSLO — Talks resumed on Monday.\n\nNegotiators met.")[0] is None
    True
    """
    body = text.lstrip("\ufeff").lstrip()
    first, newline, rest = body.partition("\n")
    head = first.strip()
    if not newline or not rest.strip() or not head or len(head) > 200:
        return None, text
    words = len(head.split())
    ends_sentence = head.rstrip("\"”’'").endswith((".", "!", "?"))
    if ends_sentence and words > 12:
        return None, text
    dateline = find_dateline(head)
    if dateline is not None:
        after = head[dateline.end :].strip()
        if not after or after.rstrip("\"”’'").endswith((".", "!", "?")) or words > 16:
            return None, text  # "TEHRAN (ECNA) — The talks ...", or a dateline on its own
    following = rest.lstrip(" \t")
    # Without a blank line, hard-wrapped text may continue on the next line.
    continues = following[:1].islower() or _CONTINUES.search(head) or head.endswith(".")
    if continues and not following.startswith("\n"):
        return None, text
    return head, rest


def html_to_draft(
    html: str, *, origin: str, fmt: str = "html", url: str | None = None
) -> Draft | Rejection:
    """Extract the main text and metadata of a web page with trafilatura."""
    try:
        document = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=False
        )
    except Exception as exc:  # trafilatura raises assorted parser errors on broken markup
        document = None
        failure = f"{type(exc).__name__}: {exc}"
    else:
        failure = "trafilatura found no main text"
    meta: dict[str, Any] = {}
    if isinstance(document, dict):
        meta = document
    elif document is not None:
        meta = document.as_dict()
    text = (meta.get("text") or "").strip()
    if not text:
        text = _markup_text(html)
    if not text:
        return _reject(origin, "no_text", f"no article text in the HTML ({failure})")
    title = meta.get("title")
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if title and lines and lines[0] == title.strip():
        lines = lines[1:]  # trafilatura repeats the <h1> as the first line
    return Draft(
        text="\n\n".join(lines),
        origin=origin,
        format=fmt,
        title=title,
        url=meta.get("url") or url,
        source=meta.get("sitename") or meta.get("hostname"),
        byline=meta.get("author"),
        published=meta.get("date"),
    )


def _markup_text(markup: str) -> str:
    """Paragraph text of an HTML fragment (feed content, pages trafilatura rejects)."""
    try:
        root = lxml.html.fromstring(markup)
    except (lxml.etree.ParserError, ValueError):
        return ""
    for bad in root.xpath("//script|//style|//nav|//footer|//header"):
        bad.drop_tree()
    blocks = root.xpath("//p|//h2|//h3|//li|//blockquote")
    parts = [" ".join(block.text_content().split()) for block in blocks]
    text = "\n\n".join(part for part in parts if part)
    return text or " ".join(root.text_content().split())


def read_html(data: bytes, *, origin: str) -> Iterator[Draft | Rejection]:
    """Read one HTML page."""
    try:
        html, _ = decode_bytes(data, source=origin)
    except InputError as exc:
        yield _from_input_error(origin, exc, _binary_or_decode_kind(exc))
        return
    if not html.strip():
        yield _reject(origin, "whitespace", "the file holds only white space")
        return
    yield html_to_draft(html, origin=origin)


_JSON_FIELDS = {"text", "id", "title", "url", "source", "date", "language", "author", "byline"}


def _record_to_draft(record: Any, *, origin: str, fmt: str) -> Draft | Rejection:
    if not isinstance(record, dict):
        return _reject(origin, "bad_json", f"expected a JSON object, got {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return _reject(origin, "no_text", "the record has no 'text' field (or it is empty)")

    def field(name: str) -> str | None:
        value = record.get(name)
        return str(value) if value not in (None, "") else None

    return Draft(
        text=text,
        origin=origin,
        format=fmt,
        title=field("title"),
        url=field("url"),
        source=field("source"),
        byline=field("byline") or field("author"),
        published=field("date"),
        language=field("language"),
        record_id=field("id"),
    )


def _parse_json(text: str) -> Any:
    """Parse JSON; every failure is a ValueError, never a RecursionError.

    Besides :class:`json.JSONDecodeError`, ``json.loads`` raises ValueError for
    integers over Python's digit limit and RecursionError for deeply nested arrays.
    """
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise ValueError("it is nested too deeply") from exc


def read_json_lines(
    stream: IO[bytes], *, origin: str, max_bytes: int
) -> Iterator[Draft | Rejection]:
    """Read JSON Lines: one article object per line; bad lines become rejections."""
    head = stream.peek(4) if hasattr(stream, "peek") else b""
    if bom_encoding(head) in ("utf-16", "utf-32"):
        # Wide encodings cannot be split on b"\n"; decode the whole file first.
        try:
            text, _ = decode_bytes(stream.read(), source=origin)
        except InputError as exc:
            yield _from_input_error(origin, exc, "encoding")
            return
        stream = io.BytesIO(text.encode("utf-8"))
    number = 0
    while True:
        line = stream.readline(max_bytes + 1)
        if not line:
            return
        number += 1
        where = f"{origin}:line {number}"
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # skip the rest without holding it
                line = stream.readline(1 << 20)
            yield _reject(where, "too_large", f"line is over the --max-bytes limit of {max_bytes}")
            continue
        if not line.strip():
            continue
        try:
            decoded, _ = decode_bytes(line, source=origin, record=f"line {number}")
            record = _parse_json(decoded)
        except InputError as exc:
            yield _reject(where, "encoding", exc.message)
            continue
        except json.JSONDecodeError as exc:
            yield _reject(where, "bad_json", f"invalid JSON: {exc.msg} at column {exc.colno}")
            continue
        except ValueError as exc:
            yield _reject(where, "bad_json", f"invalid JSON: {exc}")
            continue
        yield _record_to_draft(record, origin=where, fmt="jsonl")


def read_json(data: bytes, *, origin: str) -> Iterator[Draft | Rejection]:
    """Read a JSON file holding one article object or a list of them."""
    try:
        text, _ = decode_bytes(data, source=origin)
        document = _parse_json(text)
    except InputError as exc:
        yield _from_input_error(origin, exc, _binary_or_decode_kind(exc))
        return
    except json.JSONDecodeError as exc:
        if data.count(b"\n") > 1:  # most "JSON" news dumps are really JSON Lines
            yield from read_json_lines(
                io.BufferedReader(io.BytesIO(data)), origin=origin, max_bytes=len(data)
            )
            return
        yield _reject(origin, "bad_json", f"invalid JSON: {exc.msg} at line {exc.lineno}")
        return
    except ValueError as exc:
        yield _reject(origin, "bad_json", f"invalid JSON: {exc}")
        return
    records = document if isinstance(document, list) else [document]
    if not records:
        yield _reject(origin, "empty", "the JSON list holds no record")
        return
    for number, record in enumerate(records, start=1):
        where = origin if len(records) == 1 else f"{origin}#record {number}"
        yield _record_to_draft(record, origin=where, fmt="json")


_CHARSET = re.compile(r"charset=([\w.-]+)", re.I)


def read_warc(stream: IO[bytes], *, origin: str, max_bytes: int) -> Iterator[Draft | Rejection]:
    """Read the HTML responses of a WARC or WARC.gz file.

    A truncated or corrupt archive yields the records before the damage and one
    rejection describing it; a record cut short is never read as a shorter article.
    """
    archive = ArchiveIterator(stream)
    records = iter(archive)
    number = 0
    while True:
        try:
            record = next(records, None)
            if record is None:
                break
            html = is_html_response(record)
            payload = record.content_stream().read(max_bytes + 1) if html else b""
            complete = read_to_end(record)
        # warcio raises assorted errors on damaged archives (even AttributeError when a
        # header is cut off), and a record it cannot parse ends what can be read.
        except Exception as exc:
            yield _truncated(origin, number, f"{type(exc).__name__}: {exc}")
            return
        if not complete:
            yield _truncated(origin, number, "the next record is cut short")
            return
        if not html:
            continue
        number += 1
        yield _warc_response(
            record, payload, origin=f"{origin}#record {number}", max_bytes=max_bytes
        )
    if archive.offset < archive.fh.tell():
        # warcio stops quietly at a record whose header is cut off (a partial gzip
        # member decompresses to nothing); bytes past the last whole record betray it.
        yield _truncated(origin, number, "it ends with an incomplete record")


def _truncated(origin: str, number: int, detail: str) -> Rejection:
    return _reject(
        origin,
        "truncated",
        f"archive is truncated or corrupt after {number} HTML record(s): {detail}",
    )


def is_html_response(record: Any) -> bool:
    """Whether a WARC record is taken for an article: an HTTP response with HTML."""
    if record.rec_type != "response" or not record.http_headers:
        return False
    content_type = record.http_headers.get_header("Content-Type") or ""
    return "html" in content_type.lower()


def read_to_end(record: Any) -> bool:
    """Consume the rest of ``record``; return False when the archive ends inside it."""
    declared = record.rec_headers.get_header("Content-Length") or ""
    if not declared.strip().isdigit():
        return False  # no usable Content-Length: the WARC header itself is cut off
    raw = record.raw_stream
    while raw.read(1 << 16):
        pass
    # The block is read through a LimitReader; a limit left over means EOF came first.
    return int(getattr(raw, "limit", 0)) == 0


def _warc_response(
    record: Any, payload: bytes, *, origin: str, max_bytes: int
) -> Draft | Rejection:
    if len(payload) > max_bytes:
        return _reject(origin, "too_large", f"response is over --max-bytes ({max_bytes})")
    content_type = record.http_headers.get_header("Content-Type") or ""
    charset = _CHARSET.search(content_type)
    html: str | None = None
    if charset:
        try:
            html = payload.decode(charset.group(1))
        except (UnicodeDecodeError, LookupError):
            html = None
    if html is None:
        try:
            html, _ = decode_bytes(payload, source=origin)
        except InputError as exc:
            return _from_input_error(origin, exc, _binary_or_decode_kind(exc))
    url = record.rec_headers.get_header("WARC-Target-URI")
    draft = html_to_draft(html, origin=origin, fmt="warc", url=url)
    if isinstance(draft, Draft) and not draft.published:
        warc_date = record.rec_headers.get_header("WARC-Date")
        draft = Draft(**{**_as_dict(draft), "published": warc_date})
    return draft


def _as_dict(draft: Draft) -> dict[str, Any]:
    return {name: getattr(draft, name) for name in Draft.__slots__}


def _entry_date(entry: Any) -> str | None:
    for key in ("published_parsed", "updated_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                year, month, day, hour, minute, second = parsed[:6]
                moment = datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)
            except (TypeError, ValueError, OverflowError):
                continue  # a date feedparser half-parsed; the next one may do
            return moment.isoformat()
    return None


_XML_ENCODING = re.compile(rb"^(\s*<\?xml[^>]*?)\s+encoding=[\"'][^\"']*[\"']", re.I)


def _parse_feed(data: bytes, *, origin: str) -> Any:
    """Parse a feed; when its declared encoding does not fit its bytes, decode it as text does.

    Raises:
        InputError: when the bytes cannot be read as a feed at all.
    """
    try:
        parsed = feedparser.parse(data)
        if parsed.entries or not isinstance(parsed.get("bozo_exception"), UnicodeError):
            return parsed
    except Exception as exc:  # feedparser's parsers raise assorted errors on hostile bytes
        failure: Exception = exc
    else:
        failure = parsed.get("bozo_exception")
    # Read the bytes as any text input (byte-order mark, UTF-8, cp1252 ...) and parse
    # the text with its now wrong encoding declaration dropped.
    text, _ = decode_bytes(_XML_ENCODING.sub(rb"\1", data, count=1), source=origin)
    try:
        return feedparser.parse(text)
    except Exception as exc:  # as above
        raise InputError(
            f"not a readable RSS/Atom feed: {type(exc).__name__}: {exc} (first: {failure})",
            source=origin,
        ) from exc


def _text_field(entry: Any, key: str) -> str | None:
    value = entry.get(key)
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)


def read_feed(data: bytes, *, origin: str) -> Iterator[Draft | Rejection]:
    """Read every entry of an RSS or Atom feed file (its content, else its summary)."""
    try:
        parsed = _parse_feed(data, origin=origin)
    except InputError as exc:
        yield _from_input_error(origin, exc, "bad_feed")
        return
    if not parsed.entries:
        reason = str(parsed.get("bozo_exception") or "no entries")
        yield _reject(origin, "bad_feed", f"not a readable RSS/Atom feed: {reason}")
        return
    feed_title = _text_field(parsed.feed, "title")
    for number, entry in enumerate(parsed.entries, start=1):
        where = f"{origin}#entry {number}"
        contents = entry.get("content") or []
        markup = (contents[0].get("value") if contents else None) or entry.get("summary") or ""
        markup = markup if isinstance(markup, str) else str(markup)
        text = _markup_text(markup) if "<" in markup else markup.strip()
        if not text:
            yield _reject(where, "no_text", "feed entry has neither content nor summary")
            continue
        yield Draft(
            text=text,
            origin=where,
            format="feed",
            title=_text_field(entry, "title"),
            url=_text_field(entry, "link"),
            source=feed_title,
            byline=_text_field(entry, "author"),
            published=_entry_date(entry),
            record_id=_text_field(entry, "id"),
        )
