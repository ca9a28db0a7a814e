"""Toponym resolution: choose, for each place name in a document, one gazetteer entry.

A candidate's score adds up

- how well the name matched (the place's own name, an alternate, an abbreviation),
- its prior importance (log population, with a bonus for countries, continents and
  first-level divisions: a bare "Georgia" is the country or the state, not a village),
- document context: the share of the document's other toponyms (and any hinted actor
  countries) in the candidate's country and first-level division, nearness to the
  other places resolved in the document, and an explicit qualifier written after the
  name ("Alexandria, La." or "Paris, Texas");
- the dateline, which counts as several mentions: a Tehran-datelined story tilts
  ambiguous names toward Iran.

Context is computed twice: first from every candidate weighted by its prior, then from
the first round's choices. All mentions of one name in a document share one resolution.
A chosen place without coordinates in the gazetteer (a US county) is placed at the
document's other places in the same first-level division, else at that division's or
its country's centre; a subdivision of another country without coordinates keeps none.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from newsgraph.gazetteer.build import CITY, CONTINENT, COUNTRY, COUNTY, SUBDIVISION, SUPPLEMENT
from newsgraph.gazetteer.index import Entry, Gazetteer
from newsgraph.gazetteer.names import loose_key

EARTH_RADIUS_KM = 6371.0088
LOOKUP_CACHE_SIZE = 50_000
_QUALIFIER = re.compile(r"\s*,\s*((?:[A-Z][\w.'’-]*\.?)(?:\s+[A-Z][\w.'’-]*){0,3})")
_POSSESSOR = re.compile(r"((?:[A-Z][\w.-]*\s+){0,2}[A-Z][\w.-]*)['’]s\s+$")
_BROAD_FEATURES = ("A.PCL", "L.CONT", "L.RGN", "H.", "A.ADM1")
PART_FACTOR = 0.6


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Places whose names other places share by the thousand (towns, counties): a poor match
# among them may be a place the gazetteer lacks.
_HOMONYM_SOURCES = frozenset({CITY, COUNTY, SUBDIVISION})
# A street named after a place is not in it ("Kurchatov Street", "Paris Avenue").
_STREET_WORDS = _word_set(
    "street st road rd avenue ave drive dr lane boulevard blvd highway way parkway "
)
PART_MIN_QUALITY = 1.0
_ABROAD_WORDS = _word_set("embassy consulate legation")
# Words that do not start the place name inside a longer name.
_NOT_A_PLACE_START = _word_set("the university college school new north south east west central")
# Words that make a name a facility or a street rather than the place in it.
_GENERIC_WORDS = _word_set(
    "street st road rd avenue ave drive dr lane boulevard highway route way parkway tower "
    "court church cathedral mosque temple hospital clinic park centre center hall house "
    "hotel inn college university school academy institute bridge station airport market "
    "complex square metro village city county state river lake beach point bay embassy "
    "office building plaza mall club stadium arena field farm farms estate camp bank "
    "company corporation trust fund theatre theater chapel castle palace house west east "
    "north south western eastern northern southern central upper lower great new old "
    "grand royal national federal international world cup united republic district "
    "council government area local community"
)


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each kind of evidence counts (tuned on development data, see docs)."""

    match: float = 1.5
    prior: float = 0.5
    country: float = 2.0
    admin1: float = 4.0
    qualifier: float = 4.0
    near: float = 0.75
    near_km: float = 150.0
    focus: float = 3.0
    hint: float = 0.5
    unknown: float = 2.5
    stateless: float = 0.5
    country_prior: float = 3.0
    admin1_prior: float = 2.0
    county_prior: float = 3.5
    supplement_prior: float = 5.0
    capital_prior: float = 0.8
    subdivision_prior: float = 3.0
    names: float = 0.5
    max_candidates: int = 60

    def importance(self, entry: Entry) -> float:
        """A place's importance before context (see :func:`newsgraph.gazetteer.build.prior`)."""
        size = math.log10(entry.population + 1)
        feature = entry.feature or ""
        if feature.startswith("A.PCL") or entry.source in (COUNTRY, CONTINENT):
            return self.country_prior + size
        if feature == "A.ADM1":
            return self.admin1_prior + 0.5 * size
        if entry.source == COUNTY:
            return self.county_prior
        if entry.source == SUBDIVISION:
            return self.subdivision_prior
        if entry.source == SUPPLEMENT:
            return max(size, self.supplement_prior)
        # Places known in many languages are the famous ones: Venice, not Venice, CA.
        fame = self.names * math.log10(1 + entry.notability)
        return size + fame + (self.capital_prior if feature == "P.PPLC" else 0.0)


@dataclass(frozen=True, slots=True)
class Resolution:
    """The place chosen for one toponym span (``entry`` None when nothing matched).

    ``latitude``/``longitude``/``country`` are the entry's; for an entry without
    coordinates, and for a toponym the gazetteer does not know, they are an estimate
    from the document (``estimated`` is then true): an unknown toponym ("Royal Street")
    is taken to lie in the document's main place, the most mentioned specific place.
    """

    start: int
    end: int
    entry: Entry | None
    latitude: float | None = None
    longitude: float | None = None
    country: str | None = None
    estimated: bool = False
    score: float = 0.0


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres.

    >>> round(distance_km(31.7683, 35.2137, 35.6892, 51.3890))
    1556
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


PROMINENT_POPULATION = 100_000


def is_prominent(entry: Entry) -> bool:
    """A place a reader knows without context: a country, a first-level division or a
    city of :data:`PROMINENT_POPULATION` people."""
    feature = entry.feature or ""
    return (
        feature.startswith("A.PCL")
        or feature == "A.ADM1"
        or (feature.startswith("P.") and entry.population >= PROMINENT_POPULATION)
    )


@dataclass
class _Group:
    """All mentions of one name in a document."""

    key: str
    spans: list[tuple[int, int]]
    candidates: list[Entry]
    base: list[float]
    qualifiers: set[str]
    partial: bool = False
    weight: float = 1.0
    pick: int = -1


ALTERNATE_QUALITY = 0.7  # a place's own or alternate name, not a loose or partial match


def _is_country(entry: Entry) -> bool:
    return (entry.feature or "").startswith("A.PCL") or entry.source == COUNTRY


def _keep_prominent(group: _Group) -> None:
    """A dateline without a qualifier names a place a reader knows ("WASHINGTON" is the
    capital, not a Missouri town, whatever the story is about): keep only the prominent
    candidates when there are any."""
    keep = [i for i, entry in enumerate(group.candidates) if is_prominent(entry)]
    if keep:
        group.candidates = [group.candidates[i] for i in keep]
        group.base = [group.base[i] for i in keep]


class Resolver:
    """Resolve the toponyms of a document against a :class:`Gazetteer`.

    With ``locate_unknown`` (the default, right when the spans are known to be
    toponyms) a name the gazetteer lacks is placed at the document's main place; without
    it such a name gets no location.
    """

    def __init__(
        self, gazetteer: Gazetteer, weights: Weights | None = None, *, locate_unknown: bool = True
    ) -> None:
        self.gazetteer = gazetteer
        self.weights = weights or Weights()
        self.locate_unknown = locate_unknown
        self._entries: dict[int, Entry] = {}
        self._admin_rows: dict[str, Entry] | None = None
        self._country_rows: dict[str, Entry] | None = None
        self._lookups: dict[str, tuple[list[Entry], list[float], bool]] = {}

    def _entry(self, row: int) -> Entry:
        entry = self._entries.get(row)
        if entry is None:
            entry = self._entries[row] = self.gazetteer.entry(row)
        return entry

    def _lookup(self, name: str) -> tuple[list[tuple[int, float]], bool]:
        """Candidates for a name, and whether they are for a part of it only: for a name
        not found, those of its longest part that is a place name ("Colorado State
        University" → "Colorado")."""
        found = self.gazetteer.candidates(name)
        if found:
            return found, False
        words = name.split()
        if any(word.lower().strip(".,") in _STREET_WORDS for word in words[1:]):
            return [], False
        if any(word.lower() in _ABROAD_WORDS for word in words):
            return [], False  # "Russian Embassy": named after one country, standing in another
        for size in range(len(words) - 1, 0, -1):
            for first in range(len(words) - size + 1):
                part = words[first : first + size]
                if (
                    not part[0][:1].isupper()
                    or part[0].lower() in _NOT_A_PLACE_START
                    or any(word.lower().strip(".,'’") in _GENERIC_WORDS for word in part)
                    or len(" ".join(part)) < 4
                ):
                    continue
                found = [
                    (row, quality)
                    for row, quality in self.gazetteer.candidates(" ".join(part))
                    if quality >= PART_MIN_QUALITY
                ]
                if found:
                    return [(row, quality * PART_FACTOR) for row, quality in found], True
        return [], False

    def candidates(self, name: str) -> list[Entry]:
        """The places a name may refer to, most likely first before context (none for a
        name matched only in part)."""
        entries, _scores, partial = self._candidates(name)
        return [] if partial else entries

    def _candidates(self, name: str) -> tuple[list[Entry], list[float], bool]:
        cached = self._lookups.get(name)
        if cached is None:
            if len(self._lookups) > LOOKUP_CACHE_SIZE:
                self._lookups.clear()
            cached = self._lookups[name] = self._score_candidates(name)
        return cached

    def _score_candidates(self, name: str) -> tuple[list[Entry], list[float], bool]:
        w = self.weights
        scored = []
        found, partial = self._lookup(name)
        # A country's name is the country: "Palestine" in a Tehran story is the State of
        # Palestine, not Fīlestān, a village in Iran whose alternate name it is.
        if any(
            quality >= ALTERNATE_QUALITY and _is_country(self._entry(row)) for row, quality in found
        ):
            found = [
                (row, quality)
                for row, quality in found
                if quality >= 1.0 or _is_country(self._entry(row))
            ]
        for row, quality in found:
            entry = self._entry(row)
            scored.append((w.match * quality + w.prior * w.importance(entry), entry))
        scored.sort(key=lambda item: -item[0])
        scored = scored[: w.max_candidates]
        return [entry for _, entry in scored], [score for score, _ in scored], partial

    def _qualifiers(self, text: str, start: int, end: int) -> set[str]:
        """Countries and divisions named right after a toponym ("Paris, Texas") or as a
        possessive right before it ("Ukraine's Donetsk region")."""
        before = _POSSESSOR.search(text, max(0, start - 40), start)
        if before:
            found = self._qualifier_codes(before.group(1).split(), last=True)
            if found:
                return found
        match = _QUALIFIER.match(text, end, min(len(text), end + 60))
        if not match:
            return set()
        return self._qualifier_codes(match.group(1).split())

    def _qualifier_codes(self, words: list[str], *, last: bool = False) -> set[str]:
        """The countries or first-level divisions the longest leading (or, with
        ``last``, trailing) run of ``words`` names."""
        for size in range(len(words), 0, -1):
            found = set()
            part = words[-size:] if last else words[:size]
            for row, _quality in self.gazetteer.candidates(" ".join(part)):
                entry = self._entry(row)
                if entry.feature == "A.ADM1" and entry.admin1_code:
                    found.add(entry.admin1_code)
                elif entry.feature and entry.feature.startswith("A.PCL") and entry.country:
                    found.add(entry.country)
            if found:
                return found
        return set()

    def resolve(
        self,
        text: str,
        spans: Sequence[tuple[int, int]],
        *,
        focus: Iterable[tuple[int, int]] = (),
        countries: Iterable[str] = (),
    ) -> list[Resolution]:
        """Resolve each ``(start, end)`` span of ``text``; one result per span, in order.

        Args:
            text: the whole document (context comes from all of it).
            spans: the toponyms.
            focus: spans that say where the story is (the dateline place); they must
                also be in ``spans`` and count as several mentions.
            countries: alpha-3 codes of the document's actors, as weak context.
        """
        w = self.weights
        focus_set = set(focus)
        groups: dict[str, _Group] = {}
        keys = []
        for start, end in spans:
            name = text[start:end]
            key = loose_key(name)
            keys.append(key)
            group = groups.get(key)
            if group is None:
                candidates, base, partial = self._candidates(name)
                group = groups[key] = _Group(key, [], candidates, base, set(), partial)
            group.spans.append((start, end))
            group.qualifiers |= self._qualifiers(text, start, end)
            if (start, end) in focus_set:
                group.weight += w.focus
        for group in groups.values():
            if group.weight > 1 and not group.qualifiers:
                _keep_prominent(group)
        hints = list(countries)
        self._choose(list(groups.values()), hints)
        return self._results(spans, keys, groups)

    def _choose(self, groups: list[_Group], hints: list[str]) -> None:
        w = self.weights
        live = [g for g in groups if g.candidates]
        # Round 1: soft context from every candidate, weighted by its prior.
        country_mass: defaultdict[str, float] = defaultdict(float)
        admin_mass: defaultdict[str, float] = defaultdict(float)
        own: list[tuple[dict[str, float], dict[str, float]]] = []
        for g in live:
            top = max(g.base)
            weights = [math.exp(b - top) for b in g.base]
            total = sum(weights)
            mine_c: defaultdict[str, float] = defaultdict(float)
            mine_a: defaultdict[str, float] = defaultdict(float)
            for entry, weight in zip(g.candidates, weights, strict=True):
                share = g.weight * weight / total
                if entry.country:
                    mine_c[entry.country] += share
                if entry.admin1_code:
                    mine_a[entry.admin1_code] += share
            if g.partial:  # a facility named after a place says little about the rest
                mine_c.clear()
                mine_a.clear()
            for code, value in mine_c.items():
                country_mass[code] += value
            for code, value in mine_a.items():
                admin_mass[code] += value
            own.append((mine_c, mine_a))
        for code in hints:
            country_mass[code] += w.hint
        total_mass = sum(g.weight for g in live if not g.partial) + w.hint * len(hints)
        for g, (own_c, own_a) in zip(live, own, strict=True):
            rest = max(total_mass - (0 if g.partial else g.weight), 1e-9)
            scores = [
                base
                + w.country * (country_mass[e.country or ""] - own_c.get(e.country or "", 0)) / rest
                + w.admin1
                * (admin_mass[e.admin1_code or ""] - own_a.get(e.admin1_code or "", 0))
                / rest
                + self._qualified(e, g)
                for e, base in zip(g.candidates, g.base, strict=True)
            ]
            g.pick = max(range(len(scores)), key=scores.__getitem__)
        # Round 2: context from the first round's choices.
        picks = [(g, g.candidates[g.pick]) for g in live]
        for g in live:
            others = [(o, e) for o, e in picks if o is not g and not o.partial]
            rest = sum(o.weight for o, _ in others) + w.hint * len(hints)
            if rest <= 0:
                g.pick = max(
                    range(len(g.candidates)),
                    key=lambda i, g=g: g.base[i] + self._qualified(g.candidates[i], g),  # type: ignore[misc]
                )
                continue
            countries: dict[str, float] = defaultdict(float)
            admins: dict[str, float] = defaultdict(float)
            points = []
            for other, entry in others:
                if entry.country:
                    countries[entry.country] += other.weight
                if entry.admin1_code:
                    admins[entry.admin1_code] += other.weight
                if entry.latitude is not None and not (entry.feature or "").startswith(
                    _BROAD_FEATURES
                ):
                    points.append((entry.latitude, entry.longitude or 0.0))
            for code in hints:
                countries[code] += w.hint
            main_share = max(countries.values(), default=0.0) / rest
            best, best_score = 0, -math.inf
            for i, (entry, base) in enumerate(zip(g.candidates, g.base, strict=True)):
                share = (
                    countries.get(entry.country, 0.0) / rest
                    if entry.country
                    else w.stateless * main_share
                )
                score = (
                    base
                    + w.country * share
                    + w.admin1 * admins.get(entry.admin1_code or "", 0.0) / rest
                    + self._qualified(entry, g)
                )
                if points and entry.latitude is not None and entry.longitude is not None:
                    nearest = min(
                        distance_km(entry.latitude, entry.longitude, lat, lon)
                        for lat, lon in points
                    )
                    score += w.near * math.exp(-nearest / w.near_km)
                if score > best_score:
                    best, best_score = i, score
            # A name matched in part names a place of the document's countries ("Kabul
            # airport"), not one abroad ("Puerto Jordan" in a Colombian story is no Jordan).
            if g.partial and countries and not countries.get(g.candidates[best].country or ""):
                best = -1
            # The name may be a place the gazetteer lacks, in the document's main country:
            # "Heathrow" in a London story is not the Florida town of that name.
            if (
                main_share > 0
                and g.candidates[best].source in _HOMONYM_SOURCES
                and w.unknown + w.country * main_share > best_score
            ):
                best = -1
            g.pick = best

    def _qualified(self, entry: Entry, group: _Group) -> float:
        if not group.qualifiers:
            return 0.0
        if entry.admin1_code in group.qualifiers or entry.country in group.qualifiers:
            return self.weights.qualifier
        return 0.0

    def _admin_entry(self, code: str) -> Entry | None:
        if self._admin_rows is None:
            t = self.gazetteer.tables
            adm1 = t.feature_codes.index("A.ADM1") if "A.ADM1" in t.feature_codes else -1
            rows: dict[str, Entry] = {}
            for row, feature in enumerate(t.feature):
                if feature == adm1 and t.admin1[row] and not math.isnan(t.latitude[row]):
                    rows.setdefault(t.admin1_codes[t.admin1[row]], self.gazetteer.entry(row))
            self._admin_rows = rows
        return self._admin_rows.get(code)

    def _country_entry(self, code: str) -> Entry | None:
        if self._country_rows is None:
            t = self.gazetteer.tables
            pcli = t.feature_codes.index("A.PCLI") if "A.PCLI" in t.feature_codes else -1
            self._country_rows = {
                t.country_codes[t.country[row]]: self.gazetteer.entry(row)
                for row, feature in enumerate(t.feature)
                if feature == pcli and not math.isnan(t.latitude[row])
            }
        return self._country_rows.get(code)

    def _results(
        self, spans: Sequence[tuple[int, int]], keys: list[str], groups: dict[str, _Group]
    ) -> list[Resolution]:
        located = [
            g.candidates[g.pick]
            for g in groups.values()
            if g.pick >= 0 and g.candidates[g.pick].latitude is not None
        ]
        chosen: dict[str, Resolution] = {}
        for key, g in groups.items():
            if g.pick < 0:
                continue
            entry = g.candidates[g.pick]
            lat, lon, estimated = entry.latitude, entry.longitude, False
            if lat is None:
                lat, lon = self._estimate(entry, located)
                estimated = lat is not None
            chosen[key] = Resolution(
                0, 0, entry, lat, lon, entry.country, estimated, g.base[g.pick]
            )
        locus = self._locus(groups) if self.locate_unknown else None
        out = []
        for (start, end), key in zip(spans, keys, strict=True):
            found = chosen.get(key)
            if found is None:
                if locus is None:
                    out.append(Resolution(start, end, None))
                else:
                    out.append(
                        Resolution(
                            start, end, None, locus.latitude, locus.longitude, locus.country, True
                        )
                    )
            else:
                out.append(dataclasses.replace(found, start=start, end=end))
        return out

    def _locus(self, groups: dict[str, _Group]) -> Entry | None:
        """The document's main place: in the country mentioned most, its most mentioned
        specific place, else the country itself (first mention breaks ties)."""
        weight: defaultdict[str, float] = defaultdict(float)
        for g in groups.values():
            if g.pick >= 0 and g.candidates[g.pick].country:
                weight[g.candidates[g.pick].country or ""] += len(g.spans) + g.weight - 1
        if not weight:
            return None
        country = max(weight, key=weight.__getitem__)
        best: tuple[float, int] | None = None
        locus = None
        for order, g in enumerate(groups.values()):
            if g.pick < 0:
                continue
            entry = g.candidates[g.pick]
            if entry.country != country or entry.latitude is None:
                continue
            if (entry.feature or "").startswith(_BROAD_FEATURES):
                continue
            rank = (len(g.spans) + g.weight - 1, -order)
            if best is None or rank > best:
                best, locus = rank, entry
        return locus or self._country_entry(country)

    def _estimate(self, entry: Entry, located: list[Entry]) -> tuple[float | None, float | None]:
        if entry.source == SUBDIVISION:
            # A division outside the US with no coordinates ("Paktika", "Cumilla") may lie
            # hundreds of kilometres from its country's or parent's centre: no estimate.
            return None, None
        if entry.admin1_code:
            near = [
                e
                for e in located
                if e.admin1_code == entry.admin1_code
                and not (e.feature or "").startswith(_BROAD_FEATURES)
            ]
            if near:
                return (
                    sum(e.latitude or 0.0 for e in near) / len(near),
                    sum(e.longitude or 0.0 for e in near) / len(near),
                )
            admin = self._admin_entry(entry.admin1_code)
            if admin is not None:
                return admin.latitude, admin.longitude
        if entry.country:
            country = self._country_entry(entry.country)
            if country is not None:
                return country.latitude, country.longitude
        return None, None
