"""Claim evaluation: placing events in gold attributions, scoring claimants, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsgraph.cli import cli
from newsgraph.evaluate.brat import Attribution, BratDocument
from newsgraph.evaluate.claims import Gold, _Tally, evaluate_claims, placed, score_document
from newsgraph.model import Actor, Analysis, Article, Event, Mention, Quote, Span

TEXT = "Smith said police shot two men. Police arrested Jones. Lee said he was calm."
# Offsets: Smith 0-5, "police shot two men" 11-30, "shot" 18-22, "arrested" 39-47,
# Lee 55-58, "he was calm" 64-75, "was" 67-70.


def test_claims_sample_offsets_are_right() -> None:
    assert TEXT[0:5] == "Smith" and TEXT[11:30] == "police shot two men"
    assert TEXT[18:22] == "shot" and TEXT[39:47] == "arrested"
    assert TEXT[55:58] == "Lee" and TEXT[64:75] == "he was calm"


def test_placed_takes_the_innermost_content() -> None:
    outer = Gold(content=((0, 100),), source=((0, 1),))
    inner = Gold(content=((10, 20),), source=((2, 3),))
    assert placed([15, 50, 150], [outer, inner]) == [1, 0, None]


def event(number: int, start: int, end: int, status: str, claimed_by: str | None) -> Event:
    return Event(
        id=f"a-v{number}",
        article_id="a",
        start=0,
        end=len(TEXT),
        text=TEXT,
        plover_type="ASSAULT",
        trigger=Span(start, end, TEXT[start:end]),
        status=status,  # type: ignore[arg-type]
        claimed_by=claimed_by,
    )


def document_and_analysis(events: list[Event]) -> tuple[BratDocument, Analysis]:
    smith = Actor("a-a0", "a", 0, 5, "Smith", "Smith", "person", mentions=(Mention(0, 5, "Smith"),))
    lee = Actor("a-a1", "a", 55, 58, "Lee", "Lee", "person", mentions=(Mention(55, 58, "Lee"),))
    quote = Quote("a-q0", "a", 11, 30, TEXT[11:30], "indirect", "a-a0", Span(0, 5, "Smith"))
    analysis = Analysis(
        article=Article.from_text(TEXT),
        actors=(smith, lee),
        quotes=(quote,),
        events=tuple(events),
    )
    gold = (
        Attribution("E1", content=((11, 30),), cue=((6, 10),), source=((0, 5),)),
        Attribution("E2", content=((64, 75),), cue=((59, 63),), source=((55, 58),)),
    )
    return BratDocument("doc", TEXT, gold), analysis


@pytest.mark.parametrize(
    ("status", "claimed_by", "right", "any_status"),
    [
        ("alleged", "a-a0", 1, 1),  # Smith's claim, marked so
        ("asserted", "a-a0", 0, 1),  # the right claimant, but told as fact
        ("alleged", "a-a1", 0, 0),  # someone else's claim
        ("alleged", None, 0, 0),  # nobody's
    ],
)
def test_score_document_inside_needs_status_and_claimant(
    status: str, claimed_by: str | None, right: int, any_status: int
) -> None:
    document, analysis = document_and_analysis([event(0, 18, 22, status, claimed_by)])
    system, baseline = _Tally(), _Tally()
    score_document(document, analysis, system, baseline)
    assert (system.inside, system.judged, system.right) == (1, 1, right)
    assert system.claimant_right == any_status
    # The baseline gives the event to the nearest preceding quote's speaker: Smith.
    assert (baseline.right, baseline.outside) == (1, 0)


def test_score_document_outside_counts_claims_as_wrong() -> None:
    events = [event(0, 39, 47, "alleged", "a-a0"), event(1, 39, 47, "asserted", None)]
    document, analysis = document_and_analysis(events)
    system, baseline = _Tally(), _Tally()
    score_document(document, analysis, system, baseline)
    result = system.result()
    assert (system.outside, system.wrongly_claimed) == (2, 1)
    assert result["outside_marked_as_claim"] == 0.5 and result["inside"] == 0
    assert baseline.wrongly_claimed == 2  # both come after Smith's quote


def test_eval_claims_on_polnear_meets_its_floor(shared_data: Path) -> None:
    data = shared_data / "quotes" / "polnear" / "dev"
    if not data.is_dir():
        pytest.skip("PolNeAR dev not in the shared data")
    result = evaluate_claims(data, limit=6)
    assert result["documents"] == 6 and result["inside"] > 0 and result["outside"] > 0
    assert result["outside_marked_as_claim"] <= 0.15
    assert (
        result["inside_right_claimant_any_status"]
        > result["baseline"]["nearest_preceding_speaker"]["inside_right_claimant"] - 0.2
    )


def test_cli_eval_claims_prints_json(shared_data: Path) -> None:
    data = shared_data / "quotes" / "polnear" / "dev"
    if not data.is_dir():
        pytest.skip("PolNeAR dev not in the shared data")
    result = CliRunner().invoke(
        cli, ["eval", "claims", "--data", str(data), "--limit", "2", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert "inside_right_claimant" in json.loads(result.output)
