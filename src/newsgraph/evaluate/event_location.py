"""Where events happen, measured on sentences with the event verb and its location marked.

The data is Prodigy JSON Lines (``../shared/data/events/event_location_dev.jsonl``): one
sentence a line, ``spans`` labelled ``VERB`` (the event) and ``LOCATION`` (where it
happened; absent when the sentence does not say). Every ``VERB`` span is one item; a
sentence with two verbs gives two items sharing its locations.

Each sentence is analysed as an article by the configured stages up to ``events`` (the
events stage places an event at one of the places the places stage found). For each
item:

- **the event** is the predicted event whose trigger overlaps the gold verb; when
  several do, the one the stage is most confident of (its own ranking, never the gold
  location) is taken;
- **placed right** when that event has a place and one of the place's mentions (or its
  span) overlaps a gold ``LOCATION`` span.

``placed_right`` is the share of located items (a gold location given) placed right;
an item whose verb the stage did not take for an event counts as not placed.
``placed_right_of_detected`` is the same share among items whose verb became an event.
``unlocated_placed`` is the share of items without a gold location whose event was
placed somewhere anyway. The unknowns say what the events stage could not do anything
about: ``verb_not_an_event`` (no event trigger on the gold verb) and
``location_not_a_place`` (no place of the places stage overlaps any gold location).

Baselines from the same run, read from the same places, no gold: ``first_place`` puts
every event at the first place mentioned in its sentence, ``nearest_place`` at the
place mention nearest the verb; both are scored on every located item.

>>> row = {"text": "Troops fired in Gaza.", "spans": [
...     {"start": 7, "end": 12, "label": "VERB"}, {"start": 16, "end": 20, "label": "LOCATION"}]}
>>> items_of([row])
[Item(sentence=0, verb=(7, 12), locations=((16, 20),))]
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsgraph.errors import InputError
from newsgraph.model import Analysis, Article, Event, Place
from newsgraph.pipeline import Pipeline, RunReport, apply_stages
from newsgraph.settings import Settings, load_settings

Bounds = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Item:
    """One gold event: its sentence (index), its verb, and where it happened (maybe nowhere)."""

    sentence: int
    verb: Bounds
    locations: tuple[Bounds, ...]


def read_sentences(path: Path, *, limit: int | None = None) -> tuple[list[dict[str, Any]], int]:
    """The annotated sentences of a Prodigy JSON Lines file, and how many were unreadable.

    Rejected or ignored sentences are left out; so are sentences with a span that points
    outside the text even after mending (:func:`_repaired`), which are counted.

    Raises:
        InputError: when the file cannot be read, a line is not JSON or has no text, or
            no sentence is left.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", source=str(path)) from exc
    rows: list[dict[str, Any]] = []
    skipped = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"not JSON: {exc}", source=str(path), record=f"line {number}") from exc
        text = row.get("text") if isinstance(row, dict) else None
        if not isinstance(text, str):
            raise InputError("a line without 'text'", source=str(path), record=f"line {number}")
        if row.get("answer") in ("reject", "ignore"):
            continue
        row = {**row, "spans": [_repaired(span, row, text) for span in row.get("spans") or ()]}
        if not all(0 <= s.get("start", -1) < s.get("end", -1) <= len(text) for s in row["spans"]):
            skipped += 1  # a span that points nowhere even after mending: not scorable
            continue
        rows.append(row)
        if limit is not None and len(rows) >= limit:
            break
    if not rows:
        raise InputError(
            "no annotated sentences",
            source=str(path),
            hint="expected Prodigy JSON Lines with VERB and LOCATION spans",
        )
    return rows, skipped


def _repaired(span: dict[str, Any], row: dict[str, Any], text: str) -> dict[str, Any]:
    """A span whose character offsets are empty, mended from its tokens or its text.

    About 700 spans of the event-location data have ``start == end``; most have the
    right ``token_start``/``token_end`` (the tokens carry their character offsets),
    a few only a right ``token_start`` and the span's ``text``.
    """
    if span.get("start", -1) < span.get("end", -1) <= len(text):
        return span
    tokens = row.get("tokens") or []
    first, last = span.get("token_start"), span.get("token_end")
    if isinstance(first, int) and isinstance(last, int) and 0 <= first <= last < len(tokens):
        return {**span, "start": tokens[first]["start"], "end": tokens[last]["end"]}
    words = span.get("text")
    if isinstance(words, str) and words and isinstance(first, int) and 0 <= first < len(tokens):
        start = tokens[first]["start"]
        if text.startswith(words, start):
            return {**span, "start": start, "end": start + len(words)}
    return span


def items_of(rows: Iterable[dict[str, Any]]) -> list[Item]:
    """One :class:`Item` per ``VERB`` span, with the ``LOCATION`` spans of its sentence."""
    items = []
    for index, row in enumerate(rows):
        spans = row.get("spans") or ()
        locations = tuple(
            sorted((s["start"], s["end"]) for s in spans if s.get("label") == "LOCATION")
        )
        for span in spans:
            if span.get("label") == "VERB":
                items.append(Item(index, (span["start"], span["end"]), locations))
    return items


def _overlaps(one: Bounds, other: Bounds) -> bool:
    return one[0] < other[1] and other[0] < one[1]


def place_bounds(place: Place) -> list[Bounds]:
    """Where a place is named: its span and every mention."""
    return [(place.start, place.end), *((m.start, m.end) for m in place.mentions)]


def event_at(events: Sequence[Event], verb: Bounds) -> Event | None:
    """The event whose trigger overlaps ``verb``; of several, the most confident (then first)."""
    found = [e for e in events if e.trigger and _overlaps((e.trigger.start, e.trigger.end), verb)]
    return max(found, key=lambda e: e.confidence, default=None)


def baseline_places(places: Sequence[Place], verb: Bounds) -> dict[str, Bounds | None]:
    """Where the baselines put an event: the first place mention, the one nearest the verb."""
    mentions = sorted({b for place in places for b in place_bounds(place)})
    if not mentions:
        return {"first_place": None, "nearest_place": None}
    nearest = min(mentions, key=lambda b: (min(abs(b[0] - verb[1]), abs(verb[0] - b[1])), b))
    return {"first_place": mentions[0], "nearest_place": nearest}


@dataclass
class _Tally:
    located: int = 0
    unlocated: int = 0
    detected_located: int = 0
    placed_right: int = 0
    placed_wrong: int = 0
    unplaced: int = 0
    unlocated_placed: int = 0
    verb_not_an_event: int = 0
    location_not_a_place: int = 0
    baseline_right: dict[str, int] = dataclasses.field(
        default_factory=lambda: {"first_place": 0, "nearest_place": 0}
    )

    def add(self, item: Item, analysis: Analysis) -> None:
        event = event_at(analysis.events, item.verb)
        places = {place.id: place for place in analysis.places}
        place = places.get(event.place_id) if event and event.place_id else None
        if event is None:
            self.verb_not_an_event += 1
        if not item.locations:
            self.unlocated += 1
            self.unlocated_placed += place is not None
            return
        self.located += 1
        if not any(
            _overlaps(b, gold)
            for p in places.values()
            for b in place_bounds(p)
            for gold in item.locations
        ):
            self.location_not_a_place += 1
        for name, bounds in baseline_places(list(places.values()), item.verb).items():
            right = bounds is not None and any(_overlaps(bounds, g) for g in item.locations)
            self.baseline_right[name] += right
        if event is None:
            return
        self.detected_located += 1
        if place is None:
            self.unplaced += 1
        elif any(_overlaps(b, g) for b in place_bounds(place) for g in item.locations):
            self.placed_right += 1
        else:
            self.placed_wrong += 1

    def result(self) -> dict[str, Any]:
        def share(part: int, whole: int) -> float:
            return round(part / whole, 4) if whole else 0.0

        return {
            "items": self.located + self.unlocated,
            "located": self.located,
            "unlocated": self.unlocated,
            "placed_right": share(self.placed_right, self.located),
            "placed_right_of_detected": share(self.placed_right, self.detected_located),
            "unlocated_placed": share(self.unlocated_placed, self.unlocated),
            "counts": {
                "detected_located": self.detected_located,
                "placed_right": self.placed_right,
                "placed_wrong": self.placed_wrong,
                "unplaced": self.unplaced,
            },
            "unknowns": {
                "verb_not_an_event": self.verb_not_an_event,
                "location_not_a_place": self.location_not_a_place,
            },
            "baselines": {
                name: {"placed_right": share(right, self.located)}
                for name, right in self.baseline_right.items()
            },
        }


def score(items: Sequence[Item], analyses: Sequence[Analysis]) -> dict[str, Any]:
    """The figures of the module docstring for items over their sentences' analyses."""
    tally = _Tally()
    for item in items:
        tally.add(item, analyses[item.sentence])
    return tally.result()


def build_pipeline(settings: Settings) -> Pipeline:
    """The configured stages up to ``events`` (the ones after it do not move events)."""
    names = settings.stage_names
    if "events" not in names:
        raise InputError(
            "the events stage is not configured",
            hint="add 'events' to the stages setting (NEWSGRAPH_STAGES)",
        )
    wanted = names[: names.index("events") + 1]
    return Pipeline.from_settings(dataclasses.replace(settings, stages=",".join(wanted)))


def evaluate_event_location(
    path: Path, *, limit: int | None = None, settings: Settings | None = None
) -> dict[str, Any]:
    """Score where the events stage places events, on Prodigy VERB/LOCATION sentences.

    Args:
        path: the JSON Lines file.
        limit: only the first ``limit`` sentences.
        settings: the stages and spaCy pipeline (default: the resolved settings).

    Returns:
        JSON-ready figures (see the module docstring) with ``sentences``, ``stages``,
        ``rejected``, ``seconds`` and ``seconds_by_stage``.

    Raises:
        InputError: when the file is not in that format, or no events stage is configured.

    Example::

        >>> data = Path("../shared/data/events/event_location_dev.jsonl")
        >>> evaluate_event_location(data, limit=1000)["placed_right"]  # doctest: +SKIP
        0.3
    """
    settings = settings or load_settings()
    began = time.perf_counter()
    rows, skipped = read_sentences(path, limit=limit)
    pipeline = build_pipeline(settings)
    report = RunReport(run_id="eval-event-location")
    analyses: list[Analysis] = []
    rejected = 0
    size = max(1, settings.batch_size)
    for first in range(0, len(rows), size):
        batch = [
            Analysis(
                article=Article.from_text(
                    row["text"], origin=f"sentence {first + i}", language="en"
                )
            )
            for i, row in enumerate(rows[first : first + size])
        ]
        done, failed = apply_stages(pipeline, batch, report)
        rejected += len(failed)
        by_origin = {analysis.article.origin: analysis for analysis in done}
        analyses.extend(by_origin.get(b.article.origin, b) for b in batch)
    return {
        "dataset": str(path),
        "sentences": len(rows),
        "sentences_unreadable": skipped,
        "model": settings.spacy_model,
        "stages": pipeline.names,
        **score(items_of(rows), analyses),
        "rejected": rejected,
        "seconds": round(time.perf_counter() - began, 2),
        "seconds_by_stage": {k: round(v, 3) for k, v in report.seconds_by_stage.items()},
    }
