"""Tone evaluation: the NewsMTSC reader, the scoring, and the quality gate on devtest_mt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsgraph.errors import InputError
from newsgraph.evaluate.tone import classification_scores, evaluate_tone, read_newsmtsc
from newsgraph.settings import Settings

BASELINE = Path(__file__).with_name("baseline_tone.json")

SAMPLE = [
    {
        "primary_gid": "x_1_1_1_Smith_0_5",
        "sentence_normalized": "Smith praised Jones for his brave and generous work.",
        "targets": [
            {"Input.gid": "a", "from": 0, "to": 5, "mention": "Smith", "polarity": 4.0},
            {"Input.gid": "b", "from": 14, "to": 19, "mention": "Jones", "polarity": 6.0},
        ],
    },
    {
        "primary_gid": "x_1_1_2_Lee_0_3",
        "sentence_normalized": "Lee was convicted of fraud and jailed for lying to investigators.",
        "targets": [{"Input.gid": "c", "from": 0, "to": 3, "mention": "Lee", "polarity": 2.0}],
    },
]


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_tone_eval_reads_newsmtsc(tmp_path: Path) -> None:
    first, second = read_newsmtsc(write_jsonl(tmp_path / "s.jsonl", SAMPLE))
    assert [t.label for t in first.targets] == ["neutral", "positive"]
    assert (first.targets[1].start, first.targets[1].end) == (14, 19)
    assert second.targets[0].mention == "Lee" and second.targets[0].label == "negative"
    assert len(list(read_newsmtsc(tmp_path / "s.jsonl", limit=1))) == 1


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"sentence_normalized": "A b."}', "not a NewsMTSC record"),
        ("not json", "not a NewsMTSC record"),
        (
            '{"sentence_normalized": "A b.", "targets": '
            '[{"from": 0, "to": 1, "mention": "A", "polarity": 3.0}]}',
            "not a NewsMTSC record",
        ),
        (
            '{"sentence_normalized": "A b.", "targets": '
            '[{"from": 2, "to": 3, "mention": "A", "polarity": 2.0}]}',
            "is not at 2:3",
        ),
    ],
)
def test_tone_eval_reader_errors_say_where(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(SAMPLE[1]) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=message) as caught:
        list(read_newsmtsc(path))
    assert caught.value.record == "line 2"


def test_tone_eval_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        list(read_newsmtsc(tmp_path / "absent.jsonl"))


def test_tone_eval_scores_hand_checked_example() -> None:
    gold = ["negative", "negative", "neutral", "neutral", "positive", "positive"]
    predicted = ["negative", "neutral", "neutral", "neutral", "negative", "positive"]
    result = classification_scores(gold, predicted)
    # negative P 1/2 R 1/2; neutral P 2/3 R 1; positive P 1 R 1/2
    assert result["per_class"]["negative"] == {
        "precision": 0.5,
        "recall": 0.5,
        "f1": 0.5,
        "support": 2,
    }
    assert result["per_class"]["neutral"]["f1"] == 0.8
    assert result["per_class"]["positive"]["f1"] == 0.6667
    assert result["macro_f1"] == round((0.5 + 0.8 + 0.6667) / 3, 4)
    assert result["accuracy"] == 0.6667
    assert result["confusion"]["positive"] == {"negative": 1, "neutral": 0, "positive": 1}


def test_tone_eval_scores_empty_input_is_zero_not_an_error() -> None:
    result = classification_scores([], [])
    assert result["macro_f1"] == 0.0 and result["accuracy"] == 0.0


@pytest.mark.slow
def test_tone_eval_runs_on_a_sample(tmp_path: Path) -> None:
    result = evaluate_tone(write_jsonl(tmp_path / "s.jsonl", SAMPLE), settings=Settings())
    json.dumps(result)  # JSON-ready
    assert (result["sentences"], result["targets"], result["unaligned"]) == (2, 3, 0)
    assert result["baselines"]["majority"]["label"] in {"negative", "neutral", "positive"}
    assert set(result["baselines"]) == {"majority", "lexicon"}
    assert set(result["seconds_by_stage"]) == {"parse", "tone"}
    # the convicted, jailed liar is negative by any reading
    assert result["confusion"]["negative"]["negative"] == 1


def test_tone_eval_empty_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no sentence"):
        evaluate_tone(write_jsonl(tmp_path / "empty.jsonl", []), settings=Settings())


@pytest.mark.slow
def test_tone_eval_quality_gate_on_newsmtsc_devtest_mt(
    shared_data: Path, update_golden: bool
) -> None:
    """Figures on devtest_mt may not drop more than the tolerance.

    Re-recording the baseline after a reviewed change is done with
    ``pytest tests/evaluate/test_tone.py --update-golden`` and shows as a diff.
    """
    path = shared_data / "tone" / "newsmtsc" / "devtest_mt.jsonl"
    if not path.is_file():
        pytest.skip(f"NewsMTSC devtest_mt not found at {path}")
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    result = evaluate_tone(path, settings=Settings())
    figures = {"macro_f1": result["macro_f1"], "accuracy": result["accuracy"]}
    if update_golden:
        baseline.update(
            model=result["model"],
            tone_model=result["tone_model"],
            targets=result["targets"],
            **figures,
        )
        BASELINE.write_text(json.dumps(baseline, indent=2) + "\n", encoding="utf-8")
    assert result["model"] == baseline["model"], "another spaCy model: re-record the baseline"
    assert result["targets"] == baseline["targets"], "the data changed"
    assert result["macro_f1"] >= 0.55, "below the acceptance floor of issue 5"
    for name, found in figures.items():
        floor = round(baseline[name] - baseline["tolerance"], 4)
        assert found >= floor, f"{name} {found} fell below {floor} (baseline)"
    # the model must beat both baselines it is reported with
    assert result["macro_f1"] > result["baselines"]["lexicon"]["macro_f1"]
    assert result["macro_f1"] > result["baselines"]["majority"]["macro_f1"]
