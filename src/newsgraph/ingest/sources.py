"""Paths to articles: files, directories, stdin; format detection; drafts to articles."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import re
import signal
import stat
import sys
import threading
import time
import zlib
from collections.abc import Generator, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO

from dateutil import parser as date_parser

from newsgraph.ingest.cleaning import clean_text, normalize_body, publisher_of_url
from newsgraph.ingest.readers import (
    Draft,
    read_feed,
    read_html,
    read_json,
    read_json_lines,
    read_text,
    read_warc,
)
from newsgraph.model import Article, Rejection, Removed, article_id_for

STDIN = "-"
# Container formats (a feed, a JSON array) are parsed whole; this bounds their size.
CONTAINER_LIMIT = 512 * 1024 * 1024

_SUFFIXES = {
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".shtml": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonlines": "jsonl",
    ".json": "json",
    ".warc": "warc",
    ".rss": "feed",
    ".atom": "feed",
    ".rdf": "feed",
    ".xml": "feed",
}
FORMATS = frozenset(_SUFFIXES.values())
# Two defaults that differ in year, month and day, to tell which parts a date leaves out.
_DEFAULTS = (datetime(2000, 1, 1), datetime(2001, 2, 2))
_CLOCK = re.compile(r"\d:\d\d")  # a time of day in a date: 09:30, T15:01:01


def detect_format(name: str, head: bytes) -> str:
    """Return the reader for a file from its name, or from its first bytes when unsure.

    >>> detect_format("story.html", b"")
    'html'
    >>> detect_format("-", b'{"text": "Talks resumed."}')
    'jsonl'
    """
    lowered = name.lower()
    if lowered.endswith((".warc.gz", ".warc")) or _warc_head(head):
        return "warc"
    suffix = Path(lowered).suffix
    sniffed = _sniff(head)
    if suffix in _SUFFIXES:
        fmt = _SUFFIXES[suffix]
        # An .xml file may hold a web page, not a feed.
        return "html" if fmt == "feed" and sniffed == "html" else fmt
    return sniffed


def _warc_head(head: bytes) -> bool:
    """True when ``head`` starts a WARC file, plain or gzip-compressed (as on stdin)."""
    if head.startswith(b"\x1f\x8b"):
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 16)
        except zlib.error:
            return False
    return head.startswith(b"WARC/")


def _sniff(head: bytes) -> str:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(b"<?xml") or start.startswith((b"<rss", b"<feed", b"<rdf")):
        if any(tag in start for tag in (b"<rss", b"<feed", b"<rdf:rdf")):
            return "feed"
        return "html" if b"<html" in start else "feed"
    if start.startswith(b"<"):
        return "html"
    if start.startswith(b"{"):
        return "jsonl"
    if start.startswith(b"["):
        return "json"
    return "text"


def parse_date(value: str | None) -> str | None:
    """Return ``value`` as an ISO 8601 date or date-time, or None when it is not a date.

    A value without a year, month and day ("May 2024", "Tuesday", "12:30") is not a
    date: dateutil would fill the missing parts in from today. Neither is a date-time
    whose offset no clock has (``+25:00``).

    >>> parse_date("26-FEB-1987 15:01:01.79")
    '1987-02-26T15:01:01'
    >>> parse_date("2024-05-03"), parse_date("May 2024"), parse_date("2024-05-03T12:00+25:00")
    ('2024-05-03', None, None)
    """
    if not value:
        return None
    try:
        parsed, other = (date_parser.parse(value, default=default) for default in _DEFAULTS)
        if parsed.date() != other.date():
            return None  # a part of the date changed with the default: it was never written
        if not _CLOCK.search(value):
            return parsed.date().isoformat()
        return parsed.replace(microsecond=0).isoformat()
    # dateutil raises ValueError for impossible dates and offsets, OverflowError for
    # huge numbers, TypeError and others on odd input it half-parses.
    except (ValueError, OverflowError, TypeError, ArithmeticError, LookupError):
        return None


# Markup and character references are not words: "&lol9;" or "<br>" alone is no article.
_NOT_WORDS = re.compile(r"&#?\w+;|<[^<>]*>")
_WORD_LETTERS = re.compile(r"[^\W\d_]{2}")


def has_words(text: str) -> bool:
    """True when ``text`` holds at least one word of two letters or more outside markup.

    >>> has_words("&lol9;"), has_words("\u20ac"), has_words("Talks resumed.")
    (False, False, True)
    """
    return _WORD_LETTERS.search(_NOT_WORDS.sub(" ", text)) is not None


def valid_unicode(value: str) -> tuple[str, int]:
    """Return ``value`` with lone surrogates replaced by U+FFFD, and how many there were.

    JSON escapes (``"\\ud800"``) and undecodable file names (``surrogateescape``) let
    lone surrogates into Python strings; no database or file can store them.

    >>> valid_unicode("x\ud800y")
    ('x\ufffdy', 1)
    """
    try:
        value.encode("utf-8")  # fast, in C: only lone surrogates fail
    except UnicodeEncodeError:
        pass
    else:
        return value, 0
    count = sum(1 for ch in value if "\ud800" <= ch <= "\udfff")
    return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in value), count


def _valid_draft(draft: Draft) -> tuple[Draft, list[str]]:
    """Replace lone surrogates in every text field of ``draft``; one warning per field."""
    changes: dict[str, str] = {}
    warnings = []
    for name in Draft.__slots__:
        value = getattr(draft, name)
        if not isinstance(value, str):
            continue
        fixed, count = valid_unicode(value)
        if count:
            changes[name] = fixed
            warnings.append(f"bad_unicode: {count} lone surrogate(s) in {name} replaced by U+FFFD")
    if not changes:
        return draft, warnings
    return dataclasses.replace(draft, **changes), warnings


#: Share of an input's characters that cleaning may remove before the article is flagged.
REMOVED_WARNING_SHARE = 0.10


def removed_share(text: str, removed: Iterable[Removed]) -> float:
    """Share of the characters (white space aside) that cleaning removed."""
    gone = sum(len("".join(item.text.split())) for item in removed)
    kept = len("".join(text.split()))
    return gone / (gone + kept) if gone + kept else 0.0


def to_article(draft: Draft, *, max_bytes: int) -> Article | Rejection:
    """Clean a draft's text, take out its inline metadata and give it its stable id.

    Every field is validated here, whatever the reader: text and metadata become valid
    Unicode, a date that is not one becomes null, each with a warning on the article.
    """
    draft, warnings = _valid_draft(draft)
    cleaned = clean_text(draft.text, title=draft.title)
    if not cleaned.text and draft.title and draft.format == "text":
        # The plain-text reader took the first line for a headline, and the rest was
        # boilerplate: that line is the story ("Talks resumed.\n\nRead more: ...").
        draft = dataclasses.replace(draft, text=f"{draft.title}\n\n{draft.text}", title=None)
        cleaned = clean_text(draft.text)
    if not cleaned.text:
        reason = "no article text after cleaning"
        if cleaned.removed:
            reasons = sorted({item.reason for item in cleaned.removed})
            reason += f" (it was all {', '.join(reasons)})"
        return Rejection(draft.origin, "read", "empty", reason)
    if not has_words(cleaned.text):
        return Rejection(draft.origin, "read", "no_text", "the text holds no word")
    if len(cleaned.text) > max_bytes:
        return Rejection(
            draft.origin,
            "read",
            "too_large",
            f"article text has {len(cleaned.text):,} characters, over the --max-bytes "
            f"limit of {max_bytes:,}; raise --max-bytes to analyse it",
        )
    published = parse_date(draft.published)
    published_from = "input" if published else None
    if draft.published and published is None:
        shown = draft.published if len(draft.published) <= 60 else draft.published[:60] + "..."
        warnings.append(f"bad_date: {shown!r} is not a valid date; published left empty")
    if published is None and cleaned.date_text:  # "Posted ...", "Updated: ..." in the text
        published = parse_date(cleaned.date_text)
        published_from = "text" if published else None
    share = removed_share(cleaned.text, cleaned.removed)
    if share > REMOVED_WARNING_SHARE:
        rules = ", ".join(sorted({item.reason for item in cleaned.removed}))
        warnings.append(f"removed_over_10pct: cleaning removed {share:.0%} of the text ({rules})")
    source = (
        draft.source
        or cleaned.publisher
        or (cleaned.dateline.agency if cleaned.dateline else None)
        or publisher_of_url(draft.url)
    )
    return Article(
        id=article_id_for(cleaned.text),
        text=cleaned.text,
        title=(" ".join(normalize_body(draft.title).split()) or None) if draft.title else None,
        url=draft.url,
        source=source,
        byline=draft.byline or cleaned.byline,
        published=published,
        dateline=cleaned.dateline,
        language=draft.language,
        license=cleaned.license,
        origin=draft.origin,
        format=draft.format,
        external_id=draft.record_id,
        removed=cleaned.removed,
        warnings=tuple(warnings),
        published_from=published_from,
    )


def read_stream(
    stream: IO[bytes], *, name: str, size: int | None, max_bytes: int
) -> Iterator[Article | Rejection]:
    """Read every article in one open binary stream (a file or stdin).

    Every input yields at least one item: an input that holds nothing an article could
    come from (white space, ``[]``) is a rejection saying so.
    """
    name, _ = valid_unicode(name)
    buffered: io.BufferedReader = (
        stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(stream)  # type: ignore[arg-type]
    )
    head = buffered.peek(4096)[:4096]
    if size == 0 or not head:
        yield Rejection(name, "read", "empty", "the input is empty")
        return
    fmt = detect_format(name, head)
    drafts: Iterable[Draft | Rejection]
    if fmt == "jsonl":
        drafts = read_json_lines(buffered, origin=name, max_bytes=max_bytes)
    elif fmt == "warc":
        drafts = read_warc(buffered, origin=name, max_bytes=max_bytes)
    else:
        limit = CONTAINER_LIMIT if fmt in ("json", "feed") else max_bytes
        data = buffered.read(limit + 1)
        if len(data) > limit:
            yield Rejection(
                name,
                "read",
                "too_large",
                f"input is over the --max-bytes limit of {limit:,} bytes; "
                "raise --max-bytes to analyse it",
            )
            return
        reader = {"text": read_text, "html": read_html, "json": read_json, "feed": read_feed}
        drafts = reader[fmt](data, origin=name)
    found = False
    for item in drafts:
        found = True
        yield to_article(item, max_bytes=max_bytes) if isinstance(item, Draft) else item
    if not found and fmt == "jsonl":  # every non-blank line yields an item
        yield Rejection(name, "read", "whitespace", "the file holds only white space")
    elif not found:
        yield Rejection(name, "read", "no_records", f"no article or record in this {fmt} input")


#: Longest a reader may take to produce the next article or rejection of one input.
READ_TIMEOUT = 60.0


class _ReadTimedOut(BaseException):
    """Raised by the read alarm. A BaseException, so that the ``except Exception`` with
    which readers contain parser failures cannot swallow it."""


def _raise_timeout(signum: int, frame: object) -> None:
    raise _ReadTimedOut


def within_time(
    items: Iterable[Article | Rejection], *, origin: str, seconds: float = READ_TIMEOUT
) -> Iterator[Article | Rejection]:
    """Yield ``items``, giving up on the input when producing one item takes over ``seconds``.

    In the main thread of a POSIX process an interval timer interrupts a reader stuck in
    one call (a pathological HTML page); elsewhere the limit is checked between items.
    The clock runs only while the reader works, not while the caller handles an item.
    """
    iterator = iter(items)
    alarm = (
        seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)
    )
    while True:
        began = time.monotonic()
        previous = signal.signal(signal.SIGALRM, _raise_timeout) if alarm else None
        try:
            if alarm:
                signal.setitimer(signal.ITIMER_REAL, seconds)
            item = next(iterator)
        except StopIteration:
            return
        except _ReadTimedOut:
            item = None
        finally:
            if alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
        if item is None or time.monotonic() - began > seconds:
            if isinstance(iterator, Generator):
                _close_quietly(iterator)
            yield Rejection(
                valid_unicode(origin)[0],
                "read",
                "timeout",
                f"reading took over {seconds:g} s for one article; the rest of the input "
                "was skipped",
            )
            return
        yield item


def _close_quietly(iterator: Generator[Article | Rejection, None, None]) -> None:
    """Close an interrupted reader (its files close); it may be in no state to clean up."""
    # The reader was interrupted mid-call: whatever its cleanup raises is moot.
    with contextlib.suppress(Exception):
        iterator.close()


def read_path(
    path: Path, *, max_bytes: int, timeout: float = READ_TIMEOUT
) -> Iterator[Article | Rejection]:
    """Read one file, refusing it early when it is too large to be an article.

    Only regular files are opened: a FIFO, a device or a socket could block forever or
    never end, so it is a rejection without a read.
    """
    name = valid_unicode(str(path))[0]
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            kind = _special_kind(info.st_mode)
            yield Rejection(name, "read", "not_a_file", f"{kind}, not a regular file: not read")
            return
        size = info.st_size
        # Only a name that says "one article" justifies refusing the file unread; a
        # file without a known suffix may hold many (JSON Lines, WARC).
        fmt_hint = _SUFFIXES.get(path.suffix.lower())
        if fmt_hint in ("text", "html") and size > max_bytes:
            yield Rejection(
                name,
                "read",
                "too_large",
                f"file is {size:,} bytes, over the --max-bytes limit of {max_bytes:,}; "
                "raise --max-bytes to analyse it",
            )
            return
        with path.open("rb") as stream:
            items = read_stream(stream, name=name, size=size, max_bytes=max_bytes)
            yield from within_time(items, origin=name, seconds=timeout)
    except OSError as exc:
        yield Rejection(name, "read", "unreadable", f"cannot read the file: {exc.strerror or exc}")


def _special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a special file"


def iter_files(root: Path) -> Iterator[Path | Rejection]:
    """Walk ``root`` in a stable order, skipping hidden entries.

    Folders that cannot be listed become rejections.
    """
    errors: list[OSError] = []
    for folder, dirs, files in os.walk(root, onerror=errors.append):
        yield from _listing_rejections(errors, root)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        # os.walk does not follow links to folders (they could loop); say so.
        for name in [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            yield Rejection(
                valid_unicode(os.path.join(folder, name))[0],
                "read",
                "not_followed",
                "a symbolic link to a folder is not followed; give its target as an input",
            )
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(folder) / name
    # os.walk reports a folder it cannot list (``root`` itself, or the last one
    # visited) after the last folder it yields.
    yield from _listing_rejections(errors, root)


def _listing_rejections(errors: list[OSError], root: Path) -> Iterator[Rejection]:
    for error in errors:
        yield Rejection(
            valid_unicode(str(error.filename or root))[0],
            "read",
            "unreadable",
            f"cannot list the folder: {error.strerror or error}",
        )
    errors.clear()


def read_inputs(
    paths: Iterable[str | Path], *, max_bytes: int, stdin: IO[bytes] | None = None
) -> Iterator[Article | Rejection]:
    """Read articles from files, folders (recursively) and ``-`` (standard input).

    Every input yields articles or rejections, never an exception, so one bad file
    cannot stop a batch.

    >>> items = list(read_inputs(["does-not-exist.txt"], max_bytes=1000))
    >>> items[0].kind
    'missing'
    """
    for raw in paths:
        if str(raw) == STDIN:
            stream = stdin if stdin is not None else sys.stdin.buffer
            items = read_stream(stream, name="<stdin>", size=None, max_bytes=max_bytes)
            yield from within_time(items, origin="<stdin>")
            continue
        path = Path(raw)
        if path.is_dir():
            for item in iter_files(path):
                if isinstance(item, Rejection):
                    yield item
                else:
                    yield from read_path(item, max_bytes=max_bytes)
        elif path.exists():
            yield from read_path(path, max_bytes=max_bytes)
        else:
            name = valid_unicode(str(path))[0]
            yield Rejection(name, "read", "missing", "no such file or directory")
