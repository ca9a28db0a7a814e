"""Metadata written into the article text itself: datelines, licences, sign-offs.

Wire copy carries metadata inline. The dateline (``TEHRAN (ECNA) —``) is part of the
story and stays in the text, described by :class:`~newsgraph.model.Dateline`. Licence
lines, trailing editor initials (``MR/ZH``), reporting credits and web boilerplate are
not the story: they are removed from the analysed body and kept as metadata.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from newsgraph.model import Dateline

# Capital letters of the Latin, Greek and Cyrillic blocks: NOUMÉA, BÜRGENSTOCK, ŁÓDŹ.
_UPPER = "".join(ch for ch in map(chr, (*range(0x41, 0x250), *range(0x370, 0x530))) if ch.isupper())
_WORD = rf"[{_UPPER}](?:[^\W\d_]|['’.\-])*"
_PLACE = rf"{_WORD}(?:/{_WORD})*"  # SRINAGAR/ISLAMABAD
_DATELINE = re.compile(
    rf"""^(?P<place>{_PLACE}(?:\ {_PLACE}){{0,3}})                     # GAZA CITY, Port Ellis
    (?:,\ (?P<region>{_WORD}(?:\ {_WORD})?))??                         # , Ukraine / , D.C.
    (?:,?\ (?P<date>(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\ \d{{1,2}}))?
    \s*(?:\((?P<agency>[^()\n]{{2,50}})\))?                            # (Levant Wire)
    \s*(?:[–—][-–—]?|-(?:-|(?=\s))|:)[ \t]*     # a lone "-" needs a space: COVID-19
    """,
    re.VERBOSE,
)

_LICENSES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"Creative Commons\s+Attribution[- ]NonCommercial[- ]NoDerivatives?\s*"
            r"(?P<v>\d\.\d)?",
            re.I,
        ),
        "CC BY-NC-ND",
    ),
    (
        re.compile(
            r"Creative Commons\s+Attribution[- ]NonCommercial[- ]ShareAlike\s*"
            r"(?P<v>\d\.\d)?",
            re.I,
        ),
        "CC BY-NC-SA",
    ),
    (
        re.compile(r"Creative Commons\s+Attribution[- ]NonCommercial\s*(?P<v>\d\.\d)?", re.I),
        "CC BY-NC",
    ),
    (
        re.compile(r"Creative Commons\s+Attribution[- ]ShareAlike\s*(?P<v>\d\.\d)?", re.I),
        "CC BY-SA",
    ),
    (
        re.compile(r"Creative Commons\s+Attribution[- ]NoDerivatives?\s*(?P<v>\d\.\d)?", re.I),
        "CC BY-ND",
    ),
    (re.compile(r"Creative Commons\s+Attribution\s*(?P<v>\d\.\d)?", re.I), "CC BY"),
    (re.compile(r"\bCC[- ](?P<kind>BY(?:-(?:NC|SA|ND)){0,2})\s*(?P<v>\d\.\d)?\b"), ""),
    (re.compile(r"\bCC0\b|Creative Commons Zero|\bpublic domain\b", re.I), "CC0"),
)

# Capitalised kickers that open a story the way a dateline does but name no place.
_KICKERS = frozenset(
    {
        "ALERT",
        "ANALYSIS",
        "BREAKING",
        "COMMENT",
        "CORRECTION",
        "EDITORIAL",
        "EXCLUSIVE",
        "EXPLAINER",
        "FACTBOX",
        "FEATURE",
        "FLASH",
        "INTERVIEW",
        "LIVE",
        "NOTE",
        "OPINION",
        "PHOTOS",
        "REVIEW",
        "UPDATE",
        "UPDATED",
        "URGENT",
        "VIDEO",
        "WATCH",
    }
)

_INITIALS = re.compile(r"^[A-Z]{1,4}(?:/[A-Z0-9]{1,4})+\.?$")
_REPORTING = re.compile(
    r"^\(?\s*(?:Reporting|Writing|Additional reporting) by (?P<names>[^;)]+)(?:;[^)]*)?\)?\s*$"
)
_BOILERPLATE = re.compile(
    # "Copyright" alone may open a sentence of the story ("Copyright law was ...").
    r"^(?:©|\(c\)|copyright\s*(?:©|\(c\)|\d{4})|.{0,80}\ball rights reserved\.?$|follow us on|"
    r"click here|subscribe to|sign up for|read more:|share this (?:article|story)|"
    r"advertisement$|reuter$|&#\d+;$)",  # "&#3;": an SGML end-of-text mark in old wire dumps
    re.I,
)
# "in Nairobi" in "Reporting by Ana Lima in Nairobi": where, not who.
_REPORTED_FROM = re.compile(rf"\s+in\s+{_PLACE}(?:\s+{_PLACE})*")
_BLANK_RUNS = re.compile(r"\n{3,}")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_LICENSING = re.compile(
    r"licen[cs]|creative commons|(?:available|released|published|distributed) under", re.I
)


@dataclass(frozen=True, slots=True)
class CleanText:
    """The analysed body and the metadata taken out of it."""

    text: str
    dateline: Dateline | None
    license: str | None
    byline: str | None
    removed: tuple[str, ...]


def normalize_body(text: str) -> str:
    """Normalise newlines and Unicode, drop control characters, trim the ends."""
    # Form feeds and vertical tabs separate pages and lines: deleting them would glue
    # the words on either side together.
    for newline in ("\r\n", "\r", "\x0c", "\x0b"):
        text = text.replace(newline, "\n")
    text = unicodedata.normalize("NFC", _CONTROL_CHARS.sub("", text))
    return text.strip()


def license_of(line: str) -> str | None:
    """Return the short licence name (``CC BY 4.0``) mentioned in ``line``, if any.

    >>> license_of("This article is licensed under a Creative Commons Attribution 4.0 "
    ...            "International License.")
    'CC BY 4.0'
    """
    for pattern, name in _LICENSES:
        match = pattern.search(line)
        if not match:
            continue
        if not name:
            name = f"CC {match.group('kind')}"
        version = match.groupdict().get("v")
        return f"{name} {version}" if version else name
    return None


def find_dateline(text: str) -> Dateline | None:
    """Return the dateline opening ``text``, if it has one.

    >>> find_dateline("GAZA CITY (Levant Wire) - Talks resumed.").agency
    'Levant Wire'
    """
    match = _DATELINE.match(text)
    if not match:
        return None
    place = match.group("place")
    agency = (match.group("agency") or "").strip() or None
    # Capitalised words followed by a dash usually open a sentence ("Tehran — the
    # capital — was quiet"), not a dateline, unless an agency or a date backs them up.
    if not place.isupper() and not match.group("date") and not (agency and agency[0].isupper()):
        return None
    if len(place) < 3:
        return None
    if place in _KICKERS:
        return None
    if match.group("region"):
        place = f"{place}, {match.group('region')}"
    written = text[: match.end()].rstrip()
    return Dateline(
        start=0,
        end=len(written),
        text=written,
        place=place,
        agency=agency,
        date_text=match.group("date"),
    )


def _is_license_line(line: str) -> bool:
    if license_of(line) is None:
        return False
    if _LICENSING.search(line):
        return True
    # Otherwise only a short line that is mostly the licence ("CC BY-SA 4.0."), not a
    # sentence that mentions one ("The archive enters the public domain next year.").
    mention = sum(len(m.group()) for pattern, _ in _LICENSES for m in pattern.finditer(line))
    return len(line) < 80 and mention * 2 >= len(line.rstrip(". "))


def clean_text(text: str) -> CleanText:
    """Split inline metadata from the story.

    >>> cleaned = clean_text("TEHRAN (ECNA) — The talks ended.\\n\\nMR/ZH")
    >>> cleaned.text, cleaned.dateline.place, cleaned.removed
    ('TEHRAN (ECNA) — The talks ended.', 'TEHRAN', ('MR/ZH',))
    """
    lines = normalize_body(text).split("\n")
    license_name: str | None = None
    byline: str | None = None
    removed: list[str] = []
    kept: list[str] = []
    for line in lines:
        if _is_license_line(line.strip()):
            license_name = license_name or license_of(line)
            removed.append(line.strip())
        else:
            kept.append(line)
    # Sign-offs and boilerplate sit at the end; peel them off from the bottom up.
    while kept:
        last = kept[-1].strip()
        if not last:
            kept.pop()
            continue
        reporting = _REPORTING.match(last)
        if reporting:
            byline = byline or _REPORTED_FROM.sub("", reporting.group("names")).strip()
        elif not (_INITIALS.match(last) or _BOILERPLATE.match(last)):
            break
        removed.insert(0, last)
        kept.pop()
    # A removed licence line leaves the blank lines around it behind.
    body = _BLANK_RUNS.sub("\n\n", "\n".join(kept)).strip()
    return CleanText(
        text=body,
        dateline=find_dateline(body),
        license=license_name,
        byline=byline,
        removed=tuple(removed),
    )
