"""The PLOVER export: one JSON record per event, with offsets that point at the evidence."""

from __future__ import annotations

import doctest
import json
from pathlib import Path
from typing import Any

import pytest

from newsgraph.errors import StorageError
from newsgraph.model import Actor, Analysis, Article, Event, Mention, Place, Span
from newsgraph.store import plover
from newsgraph.store.plover import EXTENSION_KEY, plover_country, plover_record, write_plover

TEXT = (
    "KYIV (Dnipro Daily) - Russian forces struck a power plant near Kharkiv on Monday, "
    "the Ukrainian military said.\n\n"
    'The UN\'s nuclear watchdog said "no radiation" was found.\tInspectors\nwill return.\n\n'
    "The EU condemned the attack, and Moscow denied it."
)


def at(needle: str, *, after: int = 0) -> tuple[int, int, str]:
    start = TEXT.index(needle, after)
    return start, start + len(needle), needle


def actor(aid: str, needle: str, name: str, **fields: Any) -> Actor:
    start, end, text = at(needle)
    return Actor(aid, "art", start, end, text, name, **fields)


RUSSIA = actor(
    "a0", "Russian forces", "Russian Armed Forces", kind="state", country="RUS", sector="MIL",
    # Named again later as "Moscow": that later mention is the one in the denial.
    mentions=(Mention(*at("Russian forces")), Mention(*at("Moscow"))),
)  # fmt: skip
UKRAINE = actor("a1", "Ukrainian military", "Armed Forces of Ukraine", country="UKR", sector="MIL")
IAEA = actor(
    "a2", "UN's nuclear watchdog", "International Atomic Energy Agency", kind="organization",
    country="IGO", sector="IGO", kb_id="iaea",
)  # fmt: skip
EU = actor("a3", "EU", "European Union", kind="organization", country="IGO", kb_id="eu")
KHARKIV = Place(
    "p0", "art", *at("Kharkiv"), name="Kharkiv", geonameid=706483, latitude=49.98081,
    longitude=36.25272, country="UKR", feature="P.PPL", admin1="Kharkiv",
)  # fmt: skip
STRIKE = Event(
    "art-v0", "art",
    *at("Russian forces struck a power plant near Kharkiv on Monday, the Ukrainian military said."),
    plover_type="ASSAULT", trigger=Span(*at("struck")), plover_mode="aerial",
    plover_context=("military",), cameo_code="195", quad_class=4, goldstein=-10.0,
    actor_ids=("a0",), place_id="p0", date="2024-03-04", date_resolution="day",
    status="alleged", claimed_by="a1", reported_by="Dnipro Daily", confidence=0.8,
)  # fmt: skip
STATEMENT = Event(
    "art-v1", "art", *at('The UN\'s nuclear watchdog said "no radiation" was found.'),
    plover_type="", cameo_code="010", actor_ids=("a2",),
)  # fmt: skip
INSPECTION = Event(
    "art-v2", "art", *at("Inspectors\nwill return."), plover_type="COOPERATE", actor_ids=("a2",),
)  # fmt: skip
CONDEMNATION = Event(
    "art-v3", "art", *at("The EU condemned the attack, and Moscow denied it."),
    plover_type="ACCUSE", trigger=Span(*at("condemned")), cameo_code="111",
    actor_ids=("a3",), recipient_ids=("a0", "a9"),
)  # fmt: skip
ANALYSIS = Analysis(
    Article(
        "art", TEXT, title="Strike near Kharkiv", url="https://dnipro.test/strike",
        source="Dnipro Daily", published="2024-03-05T08:00:00+00:00", language="en",
        license="CC BY 4.0",
    ),
    actors=(RUSSIA, UKRAINE, IAEA, EU),
    places=(KHARKIV,),
    events=(STRIKE, STATEMENT, INSPECTION, CONDEMNATION),
)  # fmt: skip


def record(event: Event) -> dict[str, Any]:
    return plover_record(ANALYSIS, event)


def test_plover_sample_record_spans_are_evidence() -> None:
    for kind, start, end, text in ANALYSIS.spans():
        assert TEXT[start:end] == text, kind


@pytest.mark.parametrize("event", [STRIKE, STATEMENT, INSPECTION, CONDEMNATION])
def test_plover_event_text_is_the_evidence_at_its_offsets(event: Event) -> None:
    found = record(event)
    info = found["text_info"]
    assert found["event_text"] == TEXT[info["start"] : info["end"]]
    if info["trigger"]:
        trigger = info["trigger"]
        assert TEXT[trigger["start"] : trigger["end"]] == trigger["text"]
    for entity in found["actor"] + found["recipient"]:
        assert TEXT[entity["start"] : entity["end"]] == entity["entity_text"]


def test_plover_record_with_actor_place_and_date() -> None:
    found = record(STRIKE)
    assert found["id"] == "art-v0"
    assert found["date"] == "2024-03-04"
    assert found["event"] == ["ASSAULT"]
    assert found["mode"] == ["aerial"]
    assert found["context"] == ["military"]
    assert found["quad_code"] == 4
    assert found["actor"] == [
        {
            "entity_text": "Russian forces",
            "code": "RUS",
            "sector": "MIL",
            "identifier_id": "a0",
            "identifier_text": "Russian Armed Forces",
            "kb_id": None,
            "start": RUSSIA.start,
            "end": RUSSIA.end,
        }
    ]
    assert found["recipient"] == []
    assert found["event_loc"] == {
        "geonameid": 706483,
        "lat": 49.98081,
        "lon": 36.25272,
        "country_code": "UKR",
        "resolution": 4,
        "name": "Kharkiv",
        "extracted_place": "Kharkiv",
        "province": "Kharkiv",
        "feature_class": "P",
        "feature_code": "PPL",
        "start": KHARKIV.start,
        "end": KHARKIV.end,
    }
    assert found["cite_info"] == {
        "publication": "Dnipro Daily",
        "url": "https://dnipro.test/strike",
        "title": "Strike near Kharkiv",
        "date": "2024-03-05T08:00:00+00:00",
        "language": "en",
        "license": "CC BY 4.0",
        "article_id": "art",
        "coder": found["cite_info"]["coder"],
    }
    assert found["cite_info"]["coder"].startswith("newsgraph ")


def test_plover_extension_fields() -> None:
    assert record(STRIKE)[EXTENSION_KEY] == {
        "status": "alleged",
        "claimed_by": {"id": "a1", "name": "Armed Forces of Ukraine"},
        "reported_by": "Dnipro Daily",
        "cameo_code": "195",
        "quad_class": 4,
        "goldstein": -10.0,
        "confidence": 0.8,
        "date": "2024-03-04",
        "date_resolution": "day",
        "place_id": "p0",
    }
    assert record(CONDEMNATION)[EXTENSION_KEY]["claimed_by"] is None


def test_plover_record_without_recipient_place_or_date() -> None:
    found = record(INSPECTION)
    assert found["recipient"] == []
    assert found["event_loc"] is None
    assert found["date"] == "2024-03-05"  # the publication day
    assert found["mode"] == []
    assert found["quad_code"] is None
    assert found["text_info"]["trigger"] is None
    assert found["event_text"] == "Inspectors\nwill return."
    undated = plover_record(Analysis(Article("x", TEXT), events=(INSPECTION,)), INSPECTION)
    assert undated["date"] is None
    assert undated["actor"] == []  # its actor is not in this record: left out


def test_plover_entity_text_is_the_mention_inside_the_evidence() -> None:
    (recipient,) = record(CONDEMNATION)["recipient"]  # "a9" is unknown: left out
    assert recipient["entity_text"] == "Moscow"
    assert recipient["identifier_text"] == "Russian Armed Forces"


@pytest.mark.parametrize(
    ("found", "code"),
    [
        (IAEA, "UNO"),
        (EU, "EUR"),
        (Actor("x", "art", 0, 4, "NATO", "NATO", country="IGO", kb_id="nato"), "IGO"),
        (Actor("x", "art", 0, 3, "MSF", "MSF", sector="NGO", kb_id="msf"), "NGO"),
        (Actor("x", "art", 0, 5, "ISIS", "Islamic State", country="IMG", sector="REB"), "IMG"),
        (Actor("x", "art", 0, 6, "Kosovo", "Kosovo", country="XKX", sector="GOV"), "KOS"),
        (UKRAINE, "UKR"),
        (Actor("x", "art", 0, 6, "people", "people"), None),
    ],
)
def test_plover_country(found: Actor, code: str | None) -> None:
    assert plover_country(found) == code


def test_plover_write_is_json_lines(tmp_path: Path) -> None:
    out = tmp_path / "events.plover.jsonl"
    written = write_plover([ANALYSIS, Analysis(Article("b", "Nothing."))], out)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert written == len(lines) == 3  # the 01x statement has no PLOVER type: left out
    records = [json.loads(line) for line in lines]
    assert [r["id"] for r in records] == ["art-v0", "art-v2", "art-v3"]
    assert all("\n" not in line for line in lines)
    assert records[1]["event_text"] == "Inspectors\nwill return."


def test_plover_write_unwritable_destination(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="cannot write"):
        write_plover([ANALYSIS], tmp_path / "missing" / "events.jsonl")


def test_plover_docstring_examples() -> None:
    assert doctest.testmod(plover).failed == 0


@pytest.mark.parametrize(
    ("feature", "resolution"),
    [
        ("A.PCLI", 1),
        ("A.ADM1", 2),
        ("L.RGN", 2),
        ("A.ADM2", 3),
        ("P.PPLC", 4),
        ("P.PPLX", 5),
        ("S.HSP", 5),
        ("H.SEA", None),
        (None, None),
    ],
)
def test_plover_location_resolution(feature: str | None, resolution: int | None) -> None:
    place = Place("p", "art", 0, 4, "KYIV", "Kyiv", country="UKR", feature=feature)
    event = Event("e", "art", 0, 4, "KYIV", "PROTEST", place_id="p")
    found = plover_record(Analysis(ANALYSIS.article, places=(place,)), event)
    assert found["event_loc"]["resolution"] == resolution
