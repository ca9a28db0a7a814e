"""Event-location evaluation: the Prodigy reader, choosing the event, scoring, baselines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsgraph.errors import InputError
from newsgraph.evaluate.event_location import (
    Item,
    baseline_places,
    evaluate_event_location,
    event_at,
    items_of,
    read_sentences,
    score,
)
from newsgraph.model import Analysis, Article, Event, Mention, Place, Span
from newsgraph.settings import Settings

TEXT = "Police said troops fired on protesters in Hebron and later met in Ramallah."
# Offsets: "fired" 19:24, "Hebron" 42:48, "met" 59:62, "Ramallah" 66:74
ROW = {
    "text": TEXT,
    "spans": [
        {"start": 19, "end": 24, "label": "VERB"},
        {"start": 42, "end": 48, "label": "LOCATION"},
    ],
    "answer": "accept",
}


def place(pid: str, start: int, end: int) -> Place:
    return Place(
        id=pid,
        article_id="a",
        start=start,
        end=end,
        text=TEXT[start:end],
        name=TEXT[start:end],
        mentions=(Mention(start, end, TEXT[start:end]),),
    )


def event(eid: str, start: int, end: int, place_id: str | None, confidence: float) -> Event:
    return Event(
        id=eid,
        article_id="a",
        start=0,
        end=len(TEXT),
        text=TEXT,
        plover_type="ASSAULT",
        trigger=Span(start, end, TEXT[start:end]),
        place_id=place_id,
        confidence=confidence,
    )


def analysis(*events: Event) -> Analysis:
    return Analysis(
        article=Article.from_text(TEXT),
        places=(place("hebron", 42, 48), place("ramallah", 66, 74)),
        events=events,
    )


def test_event_location_sample_offsets_are_right() -> None:
    assert TEXT[19:24] == "fired" and TEXT[42:48] == "Hebron"
    assert TEXT[59:62] == "met" and TEXT[66:74] == "Ramallah"


def write_rows(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_event_location_reader_mends_empty_spans_from_tokens(tmp_path: Path) -> None:
    tokens = [
        {"text": w, "start": TEXT.index(w), "end": TEXT.index(w) + len(w)} for w in TEXT.split()
    ]
    broken = {
        "text": TEXT,
        "tokens": tokens,
        "spans": [{"start": 42, "end": 42, "token_start": 7, "token_end": 7, "label": "LOCATION"}],
    }
    from_text = {
        **broken,
        "spans": [
            {"start": 42, "end": 42, "token_start": 7, "token_end": 99, "label": "LOCATION"}
            | {"text": "Hebron"}
        ],
    }
    lost = {"text": TEXT, "spans": [{"start": 3, "end": 90, "label": "LOCATION"}]}
    rejected = {**ROW, "answer": "reject"}
    path = write_rows(tmp_path / "d.jsonl", [ROW, broken, from_text, lost, rejected])
    rows, unreadable = read_sentences(path)
    assert len(rows) == 3 and unreadable == 1
    for row in rows[1:]:
        [mended] = row["spans"]
        assert (mended["start"], mended["end"]) == (42, 48)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json\n", "not JSON"),
        ('{"spans": []}\n', "without 'text'"),
        (json.dumps({"text": "x", "spans": [{"start": 3, "end": 90}]}) + "\n", "no annotated"),
        ("\n", "no annotated sentences"),
    ],
)
def test_event_location_reader_errors_name_the_problem(
    tmp_path: Path, content: str, message: str
) -> None:
    (tmp_path / "d.jsonl").write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_sentences(tmp_path / "d.jsonl")


def test_event_location_items_one_per_verb() -> None:
    second = {**ROW, "spans": [*ROW["spans"], {"start": 59, "end": 62, "label": "VERB"}]}  # type: ignore[list-item]
    items = items_of([second, {"text": "x", "spans": []}])
    assert items == [Item(0, (19, 24), ((42, 48),)), Item(0, (59, 62), ((42, 48),))]


def test_event_location_event_is_chosen_by_confidence_not_by_gold() -> None:
    wrong = event("e1", 19, 24, "ramallah", 0.9)
    right = event("e2", 12, 24, "hebron", 0.4)
    assert event_at([right, wrong, event("e3", 59, 62, "hebron", 1.0)], (19, 24)) is wrong
    assert event_at([wrong], (0, 5)) is None


def test_event_location_scores_and_baselines() -> None:
    items = [
        Item(0, (19, 24), ((42, 48),)),  # placed at Hebron: right
        Item(1, (19, 24), ((42, 48),)),  # placed at Ramallah: wrong
        Item(2, (19, 24), ((42, 48),)),  # no event on the verb
        Item(3, (59, 62), ()),  # no gold location, placed anyway
    ]
    analyses = [
        analysis(event("e", 19, 24, "hebron", 0.5)),
        analysis(event("e", 19, 24, "ramallah", 0.5)),
        analysis(),
        analysis(event("e", 59, 62, "ramallah", 0.5)),
    ]
    result = score(items, analyses)
    assert (result["located"], result["unlocated"]) == (3, 1)
    assert result["placed_right"] == round(1 / 3, 4)
    assert result["placed_right_of_detected"] == 0.5
    assert result["unlocated_placed"] == 1.0
    assert result["unknowns"] == {"verb_not_an_event": 1, "location_not_a_place": 0}
    # Hebron is both the first place and the one nearest "fired", on every located item
    assert result["baselines"]["first_place"]["placed_right"] == 1.0
    assert result["baselines"]["nearest_place"]["placed_right"] == 1.0


def test_event_location_nearest_baseline_measures_from_the_verb() -> None:
    places = [place("hebron", 42, 48), place("ramallah", 66, 74)]
    assert baseline_places(places, (59, 62)) == {
        "first_place": (42, 48),
        "nearest_place": (66, 74),
    }
    assert baseline_places([], (59, 62)) == {"first_place": None, "nearest_place": None}


@pytest.mark.slow
def test_event_location_runs_the_pipeline(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "d.jsonl", [ROW, {**ROW, "spans": ROW["spans"][:1]}])  # type: ignore[index]
    result = evaluate_event_location(path, settings=Settings())
    json.dumps(result)  # JSON-ready
    assert result["sentences"] == 2 and (result["located"], result["unlocated"]) == (1, 1)
    assert result["stages"][-1] == "events" and "places" in result["stages"]
    assert result["rejected"] == 0
