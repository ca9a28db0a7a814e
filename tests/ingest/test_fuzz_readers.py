"""Fuzzing every reader: no bytes make a reader raise, and what comes out is storable.

Each reader yields articles and rejections; for any input, nothing else may escape but
the project's :class:`~newsgraph.errors.InputError` family, and every article that comes
out is valid Unicode with a date that is a real date. ``NEWSGRAPH_FUZZ_EXAMPLES`` raises
the number of generated cases (the long run of ``make fuzz``).
"""

from __future__ import annotations

import io
import json
import os
from datetime import date, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsgraph.errors import InputError
from newsgraph.ingest.sources import detect_format, read_stream
from newsgraph.model import Article, Rejection

EXAMPLES = int(os.environ.get("NEWSGRAPH_FUZZ_EXAMPLES", "80"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
NAMES = ["a.txt", "a.html", "a.jsonl", "a.json", "a.rss", "a.atom", "a.xml", "a.warc", "-"]

# Strings that break naive readers: lone surrogates, controls, entities, odd dates.
hostile_strings = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "x\ud800",
            "\udfff",
            "&lol9;",
            "\x00\x01",
            "2024-05-03T12:00:00+25:00",
            "2024-02-30",
            "9999999999999999999999",
            "0000-00-00",
            "Tuesday",
            "-1",
            "",
            " ",
            "\u202e",
            "<script>x</script>",
        ]
    ),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | hostile_strings,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(hostile_strings, children),
    max_leaves=6,
)
FIELDS = ["text", "id", "title", "url", "source", "date", "language", "author", "byline"]


@st.composite
def json_records(draw: st.DrawFn) -> bytes:
    """A JSON Lines file whose records hold any value in any field."""
    lines = []
    for _ in range(draw(st.integers(0, 4))):
        keys = draw(st.lists(st.sampled_from(FIELDS), max_size=len(FIELDS), unique=True))
        record = {key: draw(json_values) for key in keys}
        if draw(st.booleans()):
            record["text"] = draw(hostile_strings) + " Talks resumed in Oslo on Monday."
        lines.append(json.dumps(record))
    return "\n".join(lines).encode("utf-8", "surrogatepass")


@st.composite
def feeds(draw: st.DrawFn) -> bytes:
    """An RSS or Atom feed with a declared encoding that may not fit its bytes."""
    declared = draw(st.sampled_from(["utf-8", "utf-16", "iso-8859-1", "shift_jis", "bogus"]))
    junk = draw(st.binary(max_size=8))
    summary = draw(st.none() | hostile_strings)
    if draw(st.booleans()):
        entry = f"<item><title>{draw(hostile_strings)}</title>"
        entry += f"<description>{summary}</description>" if summary is not None else ""
        body = f'<rss version="2.0"><channel><title>T</title>{entry}</item></channel></rss>'
    else:
        entry = f"<entry><title>{draw(hostile_strings)}</title><id>1</id>"
        entry += f"<summary>{summary}</summary>" if summary is not None else ""
        body = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title>{entry}</entry></feed>'
    head = f'<?xml version="1.0" encoding="{declared}"?>'.encode("ascii")
    return head + body.encode("utf-8", "surrogatepass").replace(b"Talks", junk)


inputs = st.one_of(
    st.binary(max_size=3000),
    json_records(),
    feeds(),
    st.text(max_size=500).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from([b"[]", b" \n\t\n", b"\x80", b"&lol9;", b"{}", b"null", b"[1, 2]"]),
)


def _check(item: Any) -> None:
    assert isinstance(item, Article | Rejection)
    if isinstance(item, Rejection):
        assert item.kind and item.reason
        item.input.encode("utf-8")
        return
    for value in (item.text, item.title, item.source, item.byline, item.url, item.origin):
        if value is not None:
            value.encode("utf-8")  # no lone surrogate left
    assert item.text.strip()
    if item.published is not None:
        if "T" in item.published:
            datetime.fromisoformat(item.published)
        else:
            date.fromisoformat(item.published)


@FUZZ
@given(st.sampled_from(NAMES), inputs)
def test_every_reader_yields_only_storable_articles_and_rejections(name: str, data: bytes) -> None:
    try:
        items = list(read_stream(io.BytesIO(data), name=name, size=len(data), max_bytes=10_000))
    except InputError:
        return  # the project's own, typed refusal is allowed
    assert items, f"{detect_format(name, data[:4096])} input left unaccounted for"
    for item in items:
        _check(item)
