"""Readers for the geoparsing evaluation sets in GeoNames-annotated XML.

Three layouts are read, told apart by their elements:

- **LGL** (Lieberman et al., in Gritta et al.'s collection): ``<article docid>`` with
  ``<text>`` and ``<toponyms><toponym>`` holding ``start``, ``end``, ``phrase`` and a
  ``<gaztag geonameid>`` with ``lat``, ``lon`` and ``country`` (a country name).
  Toponyms without a ``gaztag`` are kept (they are toponyms) without coordinates.
- **GeoWebNews** (Gritta et al. 2019): ``<toponym>`` with ``extractedName``, ``type``,
  ``start``, ``end``, ``geonamesID``, ``latitude``, ``longitude``. Only annotations
  with coordinates are toponyms; the rest (``Literal_Expression`` "the church",
  ``Non_Lit_Expression``, ``Non_Toponym``, ``Demonym``, ``Homonym``, ``Language``)
  name no point and are left out.
- **GeoVirus** (Gritta et al. 2018): ``<article>`` with ``<locations><location>`` holding
  ``name``, ``start``, ``end``, ``lat``, ``lon`` (no GeoNames id).

A span whose text differs from the annotated name is moved to the nearest occurrence of
the name within :data:`REANCHOR_CHARS` characters (GeoVirus counts offsets from 1, so
all its spans are one character late); a span that cannot be re-anchored is dropped.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from pathlib import Path

from newsgraph.errors import InputError

REANCHOR_CHARS = 10


@dataclass(frozen=True, slots=True)
class GoldToponym:
    """One annotated toponym: its span and, when the annotation gives them, its place."""

    start: int
    end: int
    text: str
    geonameid: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    country_name: str | None = None


@dataclass(frozen=True, slots=True)
class GoldDocument:
    """One annotated article."""

    id: str
    text: str
    toponyms: tuple[GoldToponym, ...]


def _number(element: ET.Element | None, name: str) -> float | None:
    value = element.findtext(name) if element is not None else None
    if value is None or not value.strip():
        return None
    return float(value)


def _integer(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def _lgl(article: ET.Element) -> list[GoldToponym]:
    found = []
    for top in article.iter("toponym"):
        tag = top.find("gaztag")
        found.append(
            GoldToponym(
                start=int(top.findtext("start") or 0),
                end=int(top.findtext("end") or 0),
                text=top.findtext("phrase") or "",
                geonameid=_integer(tag.get("geonameid")) if tag is not None else None,
                latitude=_number(tag, "lat"),
                longitude=_number(tag, "lon"),
                country_name=(tag.findtext("country") or None) if tag is not None else None,
            )
        )
    return found


def _geowebnews(article: ET.Element) -> list[GoldToponym]:
    found = []
    for top in article.iter("toponym"):
        lat, lon = _number(top, "latitude"), _number(top, "longitude")
        if lat is None or lon is None:
            continue
        found.append(
            GoldToponym(
                start=int(top.findtext("start") or 0),
                end=int(top.findtext("end") or 0),
                text=top.findtext("extractedName") or "",
                geonameid=_integer(top.findtext("geonamesID")),
                latitude=lat,
                longitude=lon,
            )
        )
    return found


def _geovirus(article: ET.Element) -> list[GoldToponym]:
    return [
        GoldToponym(
            start=int(loc.findtext("start") or 0),
            end=int(loc.findtext("end") or 0),
            text=loc.findtext("name") or "",
            latitude=_number(loc, "lat"),
            longitude=_number(loc, "lon"),
        )
        for loc in article.iter("location")
    ]


def _anchor(text: str, toponym: GoldToponym) -> GoldToponym | None:
    """The toponym with a span that holds its name (see the module docstring)."""
    if text[toponym.start : toponym.end] == toponym.text or not toponym.text:
        return toponym if 0 <= toponym.start < toponym.end <= len(text) else None
    size = len(toponym.text)
    for delta in sorted(range(-REANCHOR_CHARS, REANCHOR_CHARS + 1), key=abs):
        start = toponym.start + delta
        if start >= 0 and text[start : start + size] == toponym.text:
            return replace(toponym, start=start, end=start + size)
    return None


def detect_format(root: ET.Element) -> str:
    """Return ``lgl``, ``geowebnews`` or ``geovirus`` for a parsed file's root."""
    if root.find(".//location") is not None:
        return "geovirus"
    if root.find(".//toponym/extractedName") is not None:
        return "geowebnews"
    if root.find(".//toponym/phrase") is not None or root.find(".//article/toponyms") is not None:
        return "lgl"
    raise InputError(
        "unrecognised geoparsing XML: expected LGL, GeoWebNews or GeoVirus layout",
        hint="see newsgraph.evaluate.geo_readers for the layouts read",
    )


def read_geo_xml(path: Path, *, limit: int | None = None) -> tuple[str, list[GoldDocument]]:
    """Read an evaluation file; return its format name and its documents, in file order.

    Raises:
        InputError: when the file is missing, not XML, or in no known layout.
    """
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise InputError(f"cannot read geoparsing data: {exc}", source=str(path)) from exc
    layout = detect_format(root)
    reader = {"lgl": _lgl, "geowebnews": _geowebnews, "geovirus": _geovirus}[layout]
    documents: list[GoldDocument] = []
    for number, article in enumerate(root.iter("article")):
        if limit is not None and len(documents) >= limit:
            break
        text = article.findtext("text") or ""
        doc_id = article.get("docid") or article.get("file") or str(number)
        anchored = (_anchor(text, t) for t in reader(article))
        toponyms = tuple(sorted((t for t in anchored if t), key=lambda t: (t.start, t.end)))
        documents.append(GoldDocument(doc_id, text, toponyms))
    return layout, documents
