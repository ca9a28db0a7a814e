"""Bytes to text: encodings are recognised, binary content is refused."""

from __future__ import annotations

import codecs
import gzip
import random

import pytest

from newsgraph.errors import InputError
from newsgraph.ingest.decoding import binary_kind, bom_encoding, decode_bytes, reads_as_western

WESTERN = "The minister said “we will not retreat” and the café closed. Fuel cost €2 a litre."
LATIN = "São Paulo’s mayor met the Zürich delegation; the señor paid 40 francs. Größe: 5°."


@pytest.mark.parametrize(
    ("text", "data", "encoding"),
    [
        pytest.param(WESTERN, WESTERN.encode("cp1252"), "cp1252", id="cp1252"),
        pytest.param(
            "“Yes,” she said — and paid €5.",
            "“Yes,” she said — and paid €5.".encode("cp1252"),
            "cp1252",
            id="cp1252-short",
        ),
        pytest.param("café", "café".encode("cp1252"), "cp1252", id="cp1252-one-word"),
        pytest.param(
            "Le ministre a déclaré que l’accord était « équilibré ».",
            "Le ministre a déclaré que l’accord était « équilibré ».".encode("cp1252"),
            "cp1252",
            id="cp1252-french",
        ),
        pytest.param(
            LATIN.replace("’", "'"),
            LATIN.replace("’", "'").encode("latin-1"),
            "cp1252",
            id="latin-1",
        ),
        pytest.param(
            "Noël à Orléans: ÉTÉ chaud",
            "Noël à Orléans: ÉTÉ chaud".encode("latin-1"),
            "cp1252",
            id="latin-1-caps",
        ),
        pytest.param(
            WESTERN, codecs.BOM_UTF16_LE + WESTERN.encode("utf-16-le"), "utf-16", id="utf-16-le"
        ),
        pytest.param(
            WESTERN, codecs.BOM_UTF16_BE + WESTERN.encode("utf-16-be"), "utf-16", id="utf-16-be"
        ),
        pytest.param(WESTERN, WESTERN.encode("utf-8-sig"), "utf-8-sig", id="utf-8-bom"),
        pytest.param(WESTERN, WESTERN.encode("utf-8"), "utf-8", id="utf-8"),
        pytest.param(
            WESTERN, codecs.BOM_UTF32_LE + WESTERN.encode("utf-32-le"), "utf-32", id="utf-32"
        ),
        pytest.param(
            "Министр заявил, что переговоры возобновятся во вторник.",
            "Министр заявил, что переговоры возобновятся во вторник.".encode("cp1251"),
            "cp1251",
            id="cp1251-is-not-read-as-cp1252",
        ),
        pytest.param(
            "Ο υπουργός δήλωσε ότι οι συνομιλίες θα συνεχιστούν την Τρίτη.",
            "Ο υπουργός δήλωσε ότι οι συνομιλίες θα συνεχιστούν την Τρίτη.".encode("cp1253"),
            "cp1253",
            id="cp1253",
        ),
        pytest.param(
            "外交部长表示，会谈将于星期二在开罗恢复。",
            "外交部长表示，会谈将于星期二在开罗恢复。".encode("gb18030"),
            "gb18030",
            id="gb18030",
        ),
    ],
)
def test_decode_bytes_recovers_original_text(text: str, data: bytes, encoding: str) -> None:
    assert decode_bytes(data, source="story.txt") == (text, encoding)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG", id="png"),
        pytest.param(b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG", id="jpeg"),
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "PDF", id="pdf"),
        pytest.param(b"PK\x03\x04\x14\x00\x06\x00", "ZIP", id="zip"),
        pytest.param(gzip.compress(b"a story"), "gzip", id="gzip"),
        pytest.param(random.Random(0).randbytes(4096), "binary data", id="random-bytes"),
        pytest.param(b"Talks\x00resumed\x00", "NUL", id="nul-bytes"),
        pytest.param(bytes(range(1, 9)) * 20 + b"text", "control characters", id="controls"),
    ],
)
def test_decode_bytes_refuses_binary(data: bytes, kind: str) -> None:
    with pytest.raises(InputError, match=kind) as raised:
        decode_bytes(data, source="photo.bin", record="line 4")
    assert raised.value.message.startswith("not text")
    assert str(raised.value).startswith("photo.bin:line 4: not text")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(WESTERN.encode("utf-16"), id="utf-16-with-nul-bytes"),
        pytest.param(b"Line one.\tTabbed.\r\nLine two.\x0c", id="whitespace-controls"),
        pytest.param(b"", id="empty"),
    ],
)
def test_binary_kind_accepts_text(data: bytes) -> None:
    assert binary_kind(data) is None


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF8 + b"x", "utf-8-sig"),
        (codecs.BOM_UTF16_LE + b"x\x00", "utf-16"),
        (codecs.BOM_UTF16_BE + b"\x00x", "utf-16"),
        (codecs.BOM_UTF32_LE + b"x\x00\x00\x00", "utf-32"),
        (codecs.BOM_UTF32_BE + b"\x00\x00\x00x", "utf-32"),
        (b"no mark", None),
    ],
)
def test_bom_encoding_names_the_mark(data: bytes, encoding: str | None) -> None:
    assert bom_encoding(data) == encoding


def test_decode_bytes_refuses_a_false_byte_order_mark() -> None:
    with pytest.raises(InputError, match="byte-order mark"):
        decode_bytes(codecs.BOM_UTF16_LE + b"odd", source="story.txt")


@pytest.mark.parametrize(
    ("reading", "western"),
    [
        ("Le café était fermé.", True),
        ("Die Größe der Straße.", True),
        ("ÉTÉ", True),  # too few letters to tell; cp1252 is the likelier reading
        ("Ìèíèñòð çàÿâèë, ÷òî ïåðåãîâîðû", False),  # Cyrillic bytes read as cp1252
    ],
)
def test_reads_as_western_tells_accents_from_other_scripts(reading: str, western: bool) -> None:
    assert reads_as_western(reading) is western
