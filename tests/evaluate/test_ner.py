"""NER evaluation: the CoNLL-2003 reader, the scoring, and the quality gate on eng.testa."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import spacy

from newsgraph.errors import InputError
from newsgraph.evaluate.conll import iob_chunks, read_conll, read_conll_text
from newsgraph.evaluate.ner import LABEL_MAP, evaluate_ner, predict, scores
from newsgraph.settings import Settings

BASELINE = Path(__file__).with_name("baseline_ner.json")

# Two stories in the original layout: -DOCSTART- lines, IOB1 tags (I- opens an entity).
SAMPLE = """\
-DOCSTART- -X- -X- O

EU NNP I-NP I-ORG
rejects VBZ I-VP O
German JJ I-NP I-MISC
call NN I-NP O
. . O O

Peter NNP I-NP I-PER
Blackburn NNP I-NP I-PER

-DOCSTART- -X- -X- O

BRUSSELS NNP I-NP I-LOC
1996-08-22 CD I-NP O

The DT I-NP O
European NNP I-NP I-ORG
Commission NNP I-NP I-ORG
met VBD I-VP O
in IN I-PP O
Bonn NNP I-NP I-LOC
Paris NNP I-NP B-LOC
. . O O
"""

# The same layout without -DOCSTART- lines (as in ../shared/data): stories start at the
# headline before each dateline, or before the byline that precedes it.
UNMARKED = """\
Opening NN O O

CRICKET NNP B-NP O
. . O O

LONDON NNP B-NP B-LOC
1996-08-30 CD I-NP O

Simmons NNP B-NP B-PER
took VBD B-VP O

SOCCER NNP B-NP O

Peter NNP B-NP B-PER
Blackburn NNP I-NP I-PER

ROME NNP B-NP B-LOC
1996-08-30 CD I-NP O
"""


def test_ner_reader_splits_documents_and_rebuilds_text() -> None:
    first, second = read_conll_text(SAMPLE)
    assert first.text == "EU rejects German call .\nPeter Blackburn"
    assert first.entities() == [(0, 2, "ORG"), (11, 17, "MISC"), (25, 40, "PER")]
    assert [first.text[s:e] for s, e, _ in first.entities()] == ["EU", "German", "Peter Blackburn"]
    assert len(second.sentences) == 2
    assert [(second.text[s:e], label) for s, e, label in second.entities()] == [
        ("BRUSSELS", "LOC"),
        ("European Commission", "ORG"),
        ("Bonn", "LOC"),
        ("Paris", "LOC"),
    ]
    for document in (first, second):
        for sentence, spans in zip(document.sentences, document.offsets, strict=True):
            assert [document.text[s:e] for s, e in spans] == list(sentence.tokens)


def test_ner_reader_finds_stories_without_docstart() -> None:
    documents = read_conll_text(UNMARKED)
    assert [doc.text.splitlines()[0] for doc in documents] == ["Opening", "CRICKET .", "SOCCER"]
    assert [len(doc.sentences) for doc in documents] == [1, 3, 3]


def test_ner_reader_rejects_a_line_without_tags(tmp_path: Path) -> None:
    path = tmp_path / "bad.conll"
    path.write_text("EU NNP B-NP B-ORG\nrejects\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_conll(path)
    assert caught.value.source == str(path)
    assert caught.value.record == "line 2"


def test_ner_reader_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_conll(tmp_path / "absent.conll")


@pytest.mark.parametrize(
    ("tags", "chunks"),
    [
        (["B-PER", "I-PER", "O"], [(0, 1, "PER")]),
        (["I-PER", "I-PER", "O"], [(0, 1, "PER")]),  # IOB1
        (["B-LOC", "B-LOC"], [(0, 0, "LOC"), (1, 1, "LOC")]),
        (["I-LOC", "B-LOC", "I-LOC"], [(0, 0, "LOC"), (1, 2, "LOC")]),
        (["B-ORG", "I-PER"], [(0, 0, "ORG"), (1, 1, "PER")]),  # stray I- opens, as conlleval
        (["O", "O"], []),
        ([], []),
    ],
)
def test_ner_iob_chunks(tags: list[str], chunks: list[tuple[int, int, str]]) -> None:
    assert list(iob_chunks(tags)) == chunks


def test_ner_scores_hand_checked_example() -> None:
    gold = [(0, 5, "PER"), (10, 15, "PER"), (20, 25, "LOC"), (30, 35, "ORG")]
    predicted = [
        (0, 5, "PER"),  # hit
        (10, 15, "PER"),  # hit
        (20, 25, "LOC"),  # hit
        (30, 35, "MISC"),  # right span, wrong label: a miss and a false alarm
        (40, 44, "LOC"),  # not in gold
    ]
    result = scores(gold=gold, predicted=predicted)
    # P = 3/5, R = 3/4, F1 = 2PR/(P+R) = 0.9/1.35
    assert (result["precision"], result["recall"], result["f1"]) == (0.6, 0.75, 0.6667)
    assert result["true_positives"] == 3
    per = result["per_label"]
    assert (per["PER"]["precision"], per["PER"]["recall"], per["PER"]["f1"]) == (1.0, 1.0, 1.0)
    assert (per["LOC"]["precision"], per["LOC"]["recall"], per["LOC"]["f1"]) == (0.5, 1.0, 0.6667)
    assert (per["ORG"]["recall"], per["ORG"]["predicted"], per["ORG"]["f1"]) == (0.0, 0, 0.0)
    assert (per["MISC"]["precision"], per["MISC"]["gold"]) == (0.0, 0)


def test_ner_scores_empty_inputs_are_zero_not_an_error() -> None:
    result = scores(gold=[], predicted=[])
    assert (result["precision"], result["recall"], result["f1"]) == (0.0, 0.0, 0.0)


def test_ner_predict_maps_ontonotes_labels_and_drops_the_rest() -> None:
    nlp = spacy.blank("en")
    ruler: Any = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(
        [
            {"label": "GPE", "pattern": "Bonn"},
            {"label": "NORP", "pattern": "German"},
            {"label": "DATE", "pattern": "Friday"},
            {"label": "FAC", "pattern": [{"LOWER": "trent"}, {"LOWER": "bridge"}]},
        ]
    )
    [document] = read_conll_text("German JJ O B-MISC\nfans NNS O O\nin IN O O\nBonn NNP O B-LOC\n")
    assert predict(nlp, [document]) == [[(0, 6, "MISC"), (15, 19, "LOC")]]
    assert LABEL_MAP["PERSON"] == "PER" and "DATE" not in LABEL_MAP


def test_ner_evaluate_reports_counts(tmp_path: Path) -> None:
    path = tmp_path / "sample.conll"
    path.write_text(SAMPLE, encoding="utf-8")
    result = evaluate_ner(path, settings=Settings())
    assert result["documents"] == 2
    assert result["sentences"] == 4
    assert result["gold_entities"] == 7
    assert result["predicted_entities"] == result["per_label"]["PER"]["predicted"] + sum(
        result["per_label"][label]["predicted"] for label in ("ORG", "LOC", "MISC")
    )
    assert 0.0 <= result["f1"] <= 1.0
    json.dumps(result)  # JSON-ready
    assert evaluate_ner(path, limit=1, settings=Settings())["documents"] == 1


@pytest.mark.slow
def test_ner_quality_gate_on_conll2003_testa(shared_data: Path, update_golden: bool) -> None:
    """F1 on the first documents of eng.testa may not drop more than the tolerance.

    Raising the baseline, or lowering it after a reviewed change, is done with
    ``pytest tests/evaluate/test_ner.py --update-golden`` and shows as a diff.
    """
    path = shared_data / "ner" / "conll2003" / "eng.testa"
    if not path.is_file():
        pytest.skip(f"CoNLL-2003 development file not found at {path}")
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    result = evaluate_ner(path, limit=baseline["documents"], settings=Settings())
    if update_golden:
        baseline.update(
            model=result["model"],
            sentences=result["sentences"],
            gold_entities=result["gold_entities"],
            f1=result["f1"],
            per_label={label: v["f1"] for label, v in result["per_label"].items()},
        )
        BASELINE.write_text(json.dumps(baseline, indent=2) + "\n", encoding="utf-8")
    assert result["model"] == baseline["model"], "another spaCy model: re-record the baseline"
    assert result["gold_entities"] == baseline["gold_entities"], "the data changed"
    floor = baseline["f1"] - baseline["tolerance"]
    assert result["f1"] >= floor, f"NER F1 {result['f1']} fell below {floor} (baseline)"
    for label, recorded in baseline["per_label"].items():
        label_floor = recorded - baseline["label_tolerance"]
        found = result["per_label"][label]["f1"]
        assert found >= label_floor, f"{label} F1 {found} fell below {label_floor} (baseline)"
