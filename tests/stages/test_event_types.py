"""Event types: the trained type model and how the events stage uses it.

The sentences are written for these tests. Each checks a behaviour of the type decision
(a sense that is no political event is left out; a political one keeps its type), not a
figure: the figures come from ``newsgraph eval events``.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pytest

from newsgraph.model import Analysis, Article
from newsgraph.pipeline import Pipeline, apply_stages
from newsgraph.settings import Settings
from newsgraph.stages.event_types import (
    BUCKETS,
    NONE,
    EventTypeModel,
    bucket,
    is_held_out,
    save_model,
)

PLOVER_TYPES = {
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
}  # fmt: skip


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline.from_settings(Settings())


def types_in(pipeline: Pipeline, text: str) -> list[tuple[str, str]]:
    article = Article.from_text(text, language="en")
    [analysis], rejected = apply_stages(pipeline, [Analysis(article)])
    assert not rejected
    for found in analysis.events:
        assert found.trigger is not None
        assert text[found.trigger.start : found.trigger.end] == found.trigger.text
        assert text[found.start : found.end] == found.text
    return [(e.plover_type, e.trigger.text if e.trigger else "") for e in analysis.events]


def test_event_types_model_ships_every_type_and_none() -> None:
    model = EventTypeModel.load()
    assert set(model.labels) == PLOVER_TYPES | {NONE}
    assert model.weights.shape == (BUCKETS, len(model.labels))
    assert model.training_files  # the files it trained on, by hash, for eval's split
    probabilities = model.probabilities(["l=attack", "lex=ASSAULT"])
    assert probabilities.shape == (len(model.labels),)
    assert abs(float(probabilities.sum()) - 1.0) < 1e-6


def test_event_types_buckets_are_stable_across_runs() -> None:
    # CRC-32, not Python's salted hash(): the shipped weights depend on it.
    assert bucket("l=attack") == zlib.crc32(b"l=attack") & (BUCKETS - 1)
    assert 0 <= bucket("anything") < BUCKETS


def test_event_types_held_out_part_is_about_a_quarter_and_fixed() -> None:
    texts = [f"Sentence number {n} of the test." for n in range(1000)]
    held = [t for t in texts if is_held_out(t)]
    assert 200 < len(held) < 300
    assert held == [t for t in texts if is_held_out(f"  {t}\n")]  # by the stripped text


def test_event_types_model_round_trips_through_its_file(tmp_path: Path) -> None:
    labels = ["ASSAULT", NONE]
    weights = np.zeros((BUCKETS, 2), dtype=np.float32)
    weights[bucket("l=shell"), 0] = 2.0
    path = tmp_path / "m.npz"
    save_model(path, labels, weights, np.array([0.0, 0.5]), {"name": "t", "training_files": {}})
    model = EventTypeModel.load(path)
    assert model.labels == ("ASSAULT", NONE) and model.meta["name"] == "t"
    assert model.probabilities(["l=shell"])[0] > 0.8
    assert model.probabilities(["l=other"])[1] > 0.6


@pytest.mark.parametrize(
    "text",
    [
        "Nadal beat Roddick in straight sets at Wimbledon on Sunday.",
        "Shares in the carmaker fell sharply after it missed its profit forecast.",
        "The striker rose to meet the cross and scored the winning goal.",
    ],
)
def test_event_types_senses_that_are_no_political_event_are_left_out(
    pipeline: Pipeline, text: str
) -> None:
    assert types_in(pipeline, text) == []


@pytest.mark.parametrize(
    ("text", "plover_type", "trigger"),
    [
        ("Israeli troops attacked a refugee camp in Gaza on Monday.", "ASSAULT", "attacked"),
        ("The president accused the opposition of rigging the vote.", "ACCUSE", "accused"),
        ("Police arrested dozens of protesters in the capital.", "COERCE", "arrested"),
        ("Thousands of people protested in Tbilisi against the law.", "PROTEST", "protested"),
    ],
)
def test_event_types_political_events_keep_their_type(
    pipeline: Pipeline, text: str, plover_type: str, trigger: str
) -> None:
    assert (plover_type, trigger) in types_in(pipeline, text)
