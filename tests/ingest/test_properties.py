"""Invariants of ingestion, checked on generated input (hypothesis)."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable, Iterator

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsgraph.errors import InputError
from newsgraph.ingest import read_inputs
from newsgraph.ingest.cleaning import clean_text, normalize_body
from newsgraph.ingest.decoding import decode_bytes
from newsgraph.ingest.readers import (
    Draft,
    read_feed,
    read_html,
    read_json,
    read_json_lines,
    read_text,
    read_warc,
)
from newsgraph.ingest.sources import to_article
from newsgraph.model import Article, Rejection, article_id_for

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- news-like text ----------------------------------------------------------------

PLAIN = "abcdefghijklmnopqrstuvwxyz"
ACCENTED = "éèàçüöñâêîôûëïåøæß"
words = st.text(alphabet=PLAIN + PLAIN.upper() + ACCENTED, min_size=1, max_size=10)
sentences = st.lists(words, min_size=1, max_size=12).map(lambda ws: " ".join(ws).capitalize())
paragraphs = st.lists(sentences, min_size=1, max_size=4).map(lambda ss: ". ".join(ss) + ".")

places = st.sampled_from(
    ["TEHRAN", "GAZA CITY", "KYIV", "NAIROBI", "PORT ELLIS", "NOUMÉA", "WASHINGTON, D.C."]
)
agencies = st.none() | st.sampled_from(["ECNA", "Levant Wire", "Meridian News"])
dates = st.none() | st.sampled_from(["March 3", "Jan. 9", "Sept 30"])
dashes = st.sampled_from(["—", " —", " -", " --", " –", ":"])


@st.composite
def datelines(draw: st.DrawFn) -> str:
    place, agency, date = draw(places), draw(agencies), draw(dates)
    written = place + (f", {date}" if date else "") + (f" ({agency})" if agency else "")
    return written + draw(dashes)


@st.composite
def stories(draw: st.DrawFn) -> tuple[str, dict[str, str | None]]:
    """A wire story with optional inline metadata, and what cleaning should find."""
    body = draw(st.lists(paragraphs, min_size=1, max_size=4))
    dateline = draw(st.none() | datelines())
    if dateline:
        body[0] = f"{dateline} {body[0]}"
    licence = draw(
        st.none()
        | st.sampled_from(
            [
                ("Creative Commons Attribution 4.0 International License", "CC BY 4.0"),
                ("Creative Commons Attribution-ShareAlike 4.0 International", "CC BY-SA 4.0"),
                ("Creative Commons Attribution-NonCommercial 3.0", "CC BY-NC 3.0"),
            ]
        )
    )
    if licence:
        at = draw(st.integers(0, len(body)))
        body.insert(at, f"This article is licensed under a {licence[0]}.")
    reporter = draw(st.none() | st.sampled_from(["Ana Lima", "Bo Chen and Sam Fox"]))
    tail = []
    if reporter:
        tail.append(f"(Reporting by {reporter}; Editing by Tom Reed)")
    tail += draw(st.lists(st.sampled_from(["MR/ZH", "Advertisement", "Share this article"])))
    separator = draw(st.sampled_from(["\n\n", "\n", "\r\n\r\n", "\n \n"]))
    text = separator.join(body + tail)
    return text, {"license": licence[1] if licence else None, "byline": reporter}


def _check_dateline(text: str) -> None:
    cleaned = clean_text(text)
    if cleaned.dateline is not None:
        dateline = cleaned.dateline
        assert 0 <= dateline.start < dateline.end <= len(cleaned.text)
        assert cleaned.text[dateline.start : dateline.end] == dateline.text


@FAST
@given(st.text())
def test_clean_text_any_text_has_consistent_dateline(text: str) -> None:
    _check_dateline(text)


@FAST
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300).map(lambda t: "KYIV — " + t))
def test_clean_text_dateline_then_any_text_is_consistent(text: str) -> None:
    _check_dateline(text)


@FAST
@given(stories())
def test_clean_text_finds_inline_metadata(story: tuple[str, dict[str, str | None]]) -> None:
    text, expected = story
    cleaned = clean_text(text)
    assert cleaned.license == expected["license"]
    assert cleaned.byline == expected["byline"]
    assert "licensed under" not in cleaned.text
    assert "Reporting by" not in cleaned.text
    assert not cleaned.text.endswith(("MR/ZH", "Advertisement", "Share this article"))
    assert "\n\n\n" not in cleaned.text
    if text.lstrip().startswith(("TEHRAN", "GAZA", "KYIV", "NAIROBI", "PORT", "NOUMÉA", "WASH")):
        assert cleaned.dateline is not None
    _check_dateline(text)


@FAST
@given(stories())
def test_clean_text_is_idempotent(story: tuple[str, dict[str, str | None]]) -> None:
    once = clean_text(story[0])
    twice = clean_text(once.text)
    assert twice.text == once.text
    assert twice.dateline == once.dateline


# --- decoding ----------------------------------------------------------------------

# Text as it appears in files: no control characters besides tabs and line breaks, and
# no byte-order mark of its own at the start.
file_text = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=("Cc", "Cs"), include_characters="\t\n\r"
    )
).filter(lambda text: not text.startswith("\ufeff"))


@FAST
@given(file_text)
def test_decode_bytes_round_trips_utf8(text: str) -> None:
    assert decode_bytes(text.encode("utf-8"), source="x.txt")[0] == text


@FAST
@given(file_text, st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"]))
def test_decode_bytes_round_trips_text_with_byte_order_mark(text: str, encoding: str) -> None:
    boms = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}
    data = boms.get(encoding, b"") + text.encode(encoding)
    assert decode_bytes(data, source="x.txt")[0] == text


CP1252_EXTRA = "“”‘’–—…€£°§©«»"


@st.composite
def western_words(draw: st.DrawFn) -> str:
    """A word as Western languages write it: plain letters, at most one accented."""
    word = draw(st.text(alphabet=PLAIN + PLAIN.upper(), min_size=3, max_size=10))
    accent = draw(st.none() | st.sampled_from(ACCENTED))
    at = draw(st.integers(0, len(word)))
    return word[:at] + (accent or "") + word[at:]


western_text = st.lists(
    western_words() | st.sampled_from(list(CP1252_EXTRA)) | st.integers(0, 9999).map(str),
    min_size=1,
    max_size=60,
).map(" ".join)


@FAST
@given(western_text)
def test_decode_bytes_round_trips_cp1252(text: str) -> None:
    assert decode_bytes(text.encode("cp1252"), source="x.txt")[0] == text


@FAST
@given(western_text.filter(lambda text: not text.isascii()))
def test_decode_bytes_round_trips_latin1(text: str) -> None:
    text = text.translate(str.maketrans("“”‘’–—…€", "\"\"''--.$"))
    assert decode_bytes(text.encode("latin-1"), source="x.txt")[0] == text


@FAST
@given(st.binary())
def test_decode_bytes_returns_text_or_input_error(data: bytes) -> None:
    try:
        text, encoding = decode_bytes(data, source="x.bin")
    except InputError:
        return  # refusing the bytes is allowed; any other exception is not
    assert isinstance(text, str)
    assert encoding


# --- identity ----------------------------------------------------------------------


@FAST
@given(
    st.lists(st.text(min_size=1).filter(lambda w: not any(c.isspace() for c in w)), min_size=1),
    st.lists(st.sampled_from([" ", "  ", "\n", "\t", "\r\n", "\u00a0", " \n\n "]), min_size=1),
)
def test_article_id_for_ignores_whitespace(tokens: list[str], gaps: list[str]) -> None:
    spaced = "".join(token + gaps[i % len(gaps)] for i, token in enumerate(tokens))
    assert article_id_for(" ".join(tokens)) == article_id_for(f"\n {spaced}")


@FAST
@given(st.lists(words, min_size=1, max_size=30).map(" ".join))
def test_article_id_for_ignores_case(text: str) -> None:
    ids = {article_id_for(variant) for variant in (text, text.upper(), text.lower(), text.title())}
    assert len(ids) == 1


# --- readers never raise -----------------------------------------------------------

Reader = Callable[[bytes], Iterator[Draft | Rejection]]
READERS: dict[str, Reader] = {
    "text": lambda data: read_text(data, origin="x"),
    "html": lambda data: read_html(data, origin="x"),
    "json": lambda data: read_json(data, origin="x"),
    "feed": lambda data: read_feed(data, origin="x"),
    "jsonl": lambda data: read_json_lines(
        io.BufferedReader(io.BytesIO(data)), origin="x", max_bytes=10_000
    ),
    "warc": lambda data: read_warc(io.BytesIO(data), origin="x", max_bytes=10_000),
}
markup = st.lists(
    st.sampled_from(
        [
            "<p>",
            "</p>",
            "<div>",
            "</div>",
            "<html>",
            "<rss>",
            "<item>",
            "<title>",
            "{",
            "}",
            "[",
            "]",
            '"text": ',
            '"',
            ",",
            "WARC/1.0\r\n",
            "\r\n",
            "Content-Length: 12\r\n",
            "Talks resumed.",
            "TEHRAN — ",
            "\x00",
            "é",
            "<![CDATA[",
            "]]>",
            "<!--",
        ]
    ),
    max_size=40,
).map(lambda parts: "".join(parts).encode("utf-8"))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(READERS)), st.binary(max_size=2000) | markup)
def test_readers_never_raise(fmt: str, data: bytes) -> None:
    for item in READERS[fmt](data):
        assert isinstance(item, Draft | Rejection)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2000) | markup)
def test_read_inputs_stdin_never_raises(data: bytes) -> None:
    items = list(read_inputs(["-"], max_bytes=10_000, stdin=io.BytesIO(data)))
    assert items


# --- nothing of the input is lost: text + removed hold every word -------------------

RULE_SHAPED = st.sampled_from(
    [
        "Read more: Harbour strike enters its second week",
        "Also Read | Port reopens",
        "Share - WeChat",
        "Leave a Reply",
        "2023-05-26 23:46:00",
        "Source: Levant Wire",
        "By Ana Lima in Port Ellis | coastline.example | Updated: 2023-08-24 22:15",
        "© 2024 Coastline Courier. All rights reserved.",
        "Dockworkers march to the port gate. PHOTO: AFP",
        "Dockworkers march. The strike goes on. (Photo: AP)",
        "MR/ZH",
        "(Reporting by Ana Lima; Editing by Tom Reed)",
        "Advertisement",
        "This article is licensed under a Creative Commons Attribution 4.0 License.",
        "SA/PM All Content by Levant Wire is licensed under a Creative Commons Attribution "
        "4.0 International License.",
        "CC BY-SA 4.0",
        "Licence: CC0",
    ]
)
mixed_lines = st.lists(st.one_of(paragraphs, RULE_SHAPED, st.text(max_size=80)), max_size=10)


def _words(text: str) -> Counter[str]:
    return Counter(text.split())


def _check_accounted(text: str, title: str | None = None) -> None:
    cleaned = clean_text(text, title=title)
    found = _words(cleaned.text)
    for item in cleaned.removed:
        assert item.reason
        found += _words(item.text)
    assert found == _words(normalize_body(text))


@FAST
@given(st.text())
def test_clean_text_any_text_keeps_or_records_every_word(text: str) -> None:
    _check_accounted(text)


@FAST
@given(mixed_lines, st.sampled_from(["\n", "\n\n"]), st.none() | sentences)
def test_clean_text_rule_shaped_lines_keep_or_record_every_word(
    lines: list[str], separator: str, title: str | None
) -> None:
    # A licence sentence glued to the end of a story line, as in the issue 13 seed.
    text = separator.join(lines)
    _check_accounted(text, title)
    if lines:
        glued = f"{text} SA/PM All Content by Levant Wire is licensed under a Creative Commons "
        _check_accounted(glued + "Attribution 4.0 International License.", title)


@FAST
@given(mixed_lines, st.sampled_from(["\n", "\n\n"]))
def test_read_text_title_text_and_removed_hold_every_word(lines: list[str], separator: str) -> None:
    data = separator.join(lines).encode("utf-8", "surrogatepass")
    for draft in read_text(data, origin="x.txt"):
        if not isinstance(draft, Draft):
            continue
        article = to_article(draft, max_bytes=1_000_000)
        if not isinstance(article, Article):
            continue
        found = _words(article.text) + _words(article.title or "")
        for item in article.removed:
            found += _words(item.text)
        decoded, _ = decode_bytes(data, source="x.txt")
        assert found == _words(normalize_body(decoded.lstrip("\ufeff")))
