"""Bytes to text: encoding detection and refusal of binary content.

A byte-order mark decides first; then UTF-8 is tried (it is strict, so success is
strong evidence); then cp1252, when its reading looks like a Western language; then
charset-normalizer's guess; latin-1 is the last resort because every byte sequence
decodes in it. Binary files (images, archives, random bytes) are refused with a
reason instead of being decoded into garbage.
"""

from __future__ import annotations

import codecs

import charset_normalizer

from newsgraph.errors import InputError

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Leading bytes of formats that are never news text.
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or a DOCX/XLSX file)"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\x7fELF", "an executable"),
    (b"BZh", "bzip2-compressed data"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
)

_WESTERN_SINGLE_BYTE = frozenset(
    {
        "ascii",
        "latin_1",
        "iso8859_1",
        "iso8859_15",
        "iso8859_2",
        "cp1250",
        "cp1252",
        "cp850",
        "cp437",
        "mac_roman",
        "mac_latin2",
        "iso8859_9",
        "cp1254",
        "iso8859_10",
    }
)

_CONTROL = frozenset(range(0, 32)) - {9, 10, 12, 13}
# charset-normalizer needs no more than this to make its guess.
_SAMPLE = 65536


def bom_encoding(data: bytes) -> str | None:
    """Return the encoding named by a byte-order mark at the start of ``data``."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def binary_kind(data: bytes) -> str | None:
    """Return a description of ``data`` when it is binary rather than text, else None."""
    for magic, kind in _BINARY_MAGIC:
        if data.startswith(magic):
            return kind
    if bom_encoding(data):
        return None
    sample = data[:8192]
    if b"\x00" in sample:
        return "binary data (it contains NUL bytes)"
    controls = sum(1 for byte in sample if byte in _CONTROL)
    if sample and controls / len(sample) > 0.05:
        return "binary data (it is mostly control characters)"
    return None


def reads_as_western(text: str) -> bool:
    """True when ``text``, a cp1252 reading of some bytes, looks like a Western language.

    Accented letters are a small share of the letters of Western languages (café,
    Größe, año); Cyrillic, Greek, Arabic or CJK bytes read as cp1252 are all accented
    letters and symbols (Ìèíèñòð). A handful of accented letters is no evidence
    either way, and cp1252 is the likelier reading of it.

    >>> reads_as_western("Le café était fermé."), reads_as_western("Ìèíèñòð çàÿâèë")
    (True, False)
    """
    letters = [ch for ch in text if ch.isalpha()]
    accented = sum(1 for ch in letters if not ch.isascii())
    return accented <= 3 or accented * 10 <= len(letters) * 3


def decode_bytes(data: bytes, *, source: str, record: str | None = None) -> tuple[str, str]:
    """Decode ``data`` to text, returning ``(text, encoding)``.

    Raises:
        InputError: when ``data`` is binary or cannot be decoded as text.

    >>> decode_bytes("café".encode("cp1252"), source="x.txt")
    ('café', 'cp1252')
    """
    kind = binary_kind(data)
    if kind:
        raise InputError(
            f"not text: looks like {kind}",
            source=source,
            record=record,
            hint="newsgraph reads text, HTML, JSON Lines, WARC and RSS/Atom files",
        )
    encoding = bom_encoding(data)
    if encoding:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            raise InputError(
                f"has a {encoding} byte-order mark but does not decode as {encoding}: {exc.reason}",
                source=source,
                record=record,
            ) from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Western news in a legacy encoding is far more often cp1252 than latin-1; the two
    # agree except in 0x80-0x9f, where latin-1 has control characters nobody writes.
    # charset-normalizer is not asked first: on a few accented letters it guesses
    # DOS, EBCDIC or CJK code pages ("café" as Shift-JIS), so its guess is kept for
    # text that cp1252 cannot plausibly be.
    try:
        western: str | None = data.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is not None and reads_as_western(western[:_SAMPLE]):
        return western, "cp1252"
    best = charset_normalizer.from_bytes(data[:_SAMPLE]).best()
    guess = best.encoding if best is not None else None
    # The detector also confuses the single-byte Western code pages with one another,
    # and without a byte-order mark (and so with no NUL bytes) UTF-16 is not plausible.
    if guess is None or guess in _WESTERN_SINGLE_BYTE or guess.startswith(("utf_16", "utf_32")):
        guess = "cp1252"
    for encoding in (guess, "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        return text, codecs.lookup(encoding).name
    raise InputError("cannot be decoded as text", source=source, record=record)
