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

_DATELINE = re.compile(
    r"""^(?P<place>[A-Z][A-Z'’.\-]*(?:\ [A-Z][A-Z'’.\-]*){0,3})     # GAZA CITY, TEHRAN
    (?:,\ (?P<region>[A-Z][a-zA-Z.]+(?:\ [A-Z][a-zA-Z.]+)?))??          # , Ukraine / , D.C.
    (?:,?\ (?P<date>(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\ \d{1,2}))?
    \s*(?:\((?P<agency>[^()\n]{2,50})\))?                            # (Levant Wire)
    \s*(?:[-–—]{1,2}|:)[ \t]*""",
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

_INITIALS = re.compile(r"^[A-Z]{1,4}(?:/[A-Z0-9]{1,4})+\.?$")
_REPORTING = re.compile(
    r"^\(?\s*(?:Reporting|Writing|Additional reporting) by (?P<names>[^;)]+)(?:;[^)]*)?\)?\s*$"
)
_BOILERPLATE = re.compile(
    r"^(?:©|\(c\)|copyright\b|all rights reserved|follow us on|click here|subscribe to|"
    r"sign up for|read more:|share this (?:article|story)|advertisement$|reuter$)",
    re.I,
)
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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
    text = text.replace("\r\n", "\n").replace("\r", "\n")
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
    agency = match.group("agency")
    # A lone capitalised word followed by a dash is usually a headline word, not a
    # dateline, unless an agency or date backs it up.
    if len(place) < 3 or (not agency and not match.group("date") and not place.isupper()):
        return None
    if match.group("region"):
        place = f"{place}, {match.group('region')}"
    written = text[: match.end()].rstrip()
    return Dateline(
        start=0,
        end=len(written),
        text=written,
        place=place,
        agency=agency.strip() if agency else None,
        date_text=match.group("date"),
    )


def _is_license_line(line: str) -> bool:
    lowered = line.lower()
    return license_of(line) is not None and (
        "licen" in lowered or "creative commons" in lowered or len(line) < 80
    )


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
            byline = byline or reporting.group("names").strip()
        elif not (_INITIALS.match(last) or _BOILERPLATE.match(last)):
            break
        removed.insert(0, last)
        kept.pop()
    body = "\n".join(kept).strip()
    return CleanText(
        text=body,
        dateline=find_dateline(body),
        license=license_name,
        byline=byline,
        removed=tuple(removed),
    )
