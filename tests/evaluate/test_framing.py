"""Framing evaluation: the SemEval-2023 reader, the split, the scoring, and the quality gate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsgraph.errors import InputError
from newsgraph.evaluate.framing import (
    baselines,
    evaluate_framing,
    frame_scores,
    merge_spans,
    paragraph_scores,
    select,
    span_scores,
    strict_span_scores,
    table_view,
    unknowns,
)
from newsgraph.evaluate.semeval import is_heldout, line_bounds, read_semeval, text_hash
from newsgraph.settings import Settings
from newsgraph.stages.framing_features import TECHNIQUES

BASELINE = Path(__file__).with_name("baseline_framing.json")

TEXT = (
    "Traitors Sell Out Our Nation\n"
    "\n"
    "The corrupt elites have betrayed us again, and nobody will stop them.\n"
    "\n"
    "The vote is on Tuesday.\n"
)
# Offsets into TEXT: "corrupt elites" 34:48, "betrayed" 54:62, "nobody will stop them" 77:98
LABELS = (
    "111\t1\tName_Calling-Labeling,Slogans\n"
    "111\t3\tLoaded_Language,Name_Calling-Labeling,Exaggeration-Minimisation\n"
    "111\t5\t\n"
)
SPANS = (
    "111\tName_Calling-Labeling\t0\t8\n"
    "111\tName_Calling-Labeling\t34\t48\n"
    "111\tLoaded_Language\t54\t62\n"
    "111\tExaggeration-Minimisation\t77\t98\n"
)


def write_sample(folder: Path, *, labels: str = LABELS, spans: str | None = SPANS) -> Path:
    (folder / "dev-articles-subtask-3").mkdir(parents=True)
    (folder / "dev-articles-subtask-3" / "article111.txt").write_text(TEXT, encoding="utf-8")
    (folder / "dev-labels-subtask-3.txt").write_text(labels, encoding="utf-8")
    if spans is not None:
        (folder / "dev-labels-subtask-3-spans").mkdir()
        (folder / "dev-labels-subtask-3-spans" / "article111-labels-subtask-3.txt").write_text(
            spans, encoding="utf-8"
        )
    return folder


def test_framing_eval_sample_offsets_are_right() -> None:
    assert TEXT[34:48] == "corrupt elites" and TEXT[54:62] == "betrayed"
    assert TEXT[77:98] == "nobody will stop them"


def test_framing_eval_reads_the_semeval_layout(tmp_path: Path) -> None:
    write_sample(tmp_path)
    (tmp_path / "dev-labels-subtask-2.txt").write_text("111\tPolitical,Morality\n", "utf-8")
    data = read_semeval(tmp_path)
    [article] = data.articles
    assert article.id == "111" and data.has_spans and data.has_frames
    assert article.frames == {"Political", "Morality"}
    assert dict(article.paragraphs)[1] == {"Name_Calling-Labeling", "Slogans"}
    assert dict(article.paragraphs)[5] == frozenset()
    assert ("Loaded_Language", 54, 62) in article.spans
    assert line_bounds(TEXT) == {1: (0, 28), 3: (30, 99), 5: (101, 124)}


def test_framing_eval_corrects_misspelt_techniques(tmp_path: Path) -> None:
    labels = LABELS.replace("Slogans", "Appeal_to_Fear-Prejudi-čce")
    data = read_semeval(write_sample(tmp_path, labels=labels, spans=None))
    assert "Appeal_to_Fear-Prejudice" in dict(data.articles[0].paragraphs)[1]
    assert data.corrected == {"Appeal_to_Fear-Prejudi-čce": "Appeal_to_Fear-Prejudice"}
    assert not data.has_spans


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ("111\t2\tDoubt\n", "blank or missing"),
        ("111\tone\tDoubt\n", "expected ID, line, techniques"),
    ],
)
def test_framing_eval_reader_errors_name_the_problem(
    tmp_path: Path, labels: str, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        read_semeval(write_sample(tmp_path, labels=labels, spans=None))


def test_framing_eval_reader_needs_labels(tmp_path: Path) -> None:
    write_sample(tmp_path)
    (tmp_path / "dev-labels-subtask-3.txt").unlink()
    with pytest.raises(InputError, match="no paragraph labels"):
        read_semeval(tmp_path)
    with pytest.raises(InputError, match="not a folder"):
        read_semeval(tmp_path / "absent")


def test_framing_eval_span_outside_the_text_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="outside the text"):
        read_semeval(write_sample(tmp_path, spans="111\tDoubt\t90\t990\n"))


def test_framing_eval_heldout_split_is_fixed() -> None:
    # pinned: changing the rule would silently move articles between training and test
    ids = ["111111111", "111111112", "700387229", "999001970", "832959523"]
    assert [is_heldout(i) for i in ids] == [True, True, True, False, False]
    assert 0.17 < sum(is_heldout(str(n)) for n in range(10_000)) / 10_000 < 0.23


def test_framing_eval_paragraph_scores_hand_checked() -> None:
    gold = [frozenset({"Doubt", "Slogans"}), frozenset(), frozenset({"Doubt"})]
    predicted = [frozenset({"Doubt"}), frozenset({"Repetition"}), frozenset({"Doubt"})]
    result = paragraph_scores(gold, predicted)
    # tp 2 (Doubt twice), fp 1 (Repetition), fn 1 (Slogans)
    assert (result["micro_precision"], result["micro_recall"], result["micro_f1"]) == (
        0.6667,
        0.6667,
        0.6667,
    )
    # per technique F1: Doubt 1, Slogans 0, Repetition 0; the other 20 score 0 too
    assert result["macro_f1"] == round(1 / len(TECHNIQUES), 4)
    assert result["macro_f1_present"] == 0.5
    assert set(result["by_technique"]) == {"Doubt", "Slogans", "Repetition"}


def test_framing_eval_span_scores_partial_overlap() -> None:
    gold = [[("Loaded_Language", 0, 10), ("Loaded_Language", 20, 30), ("Doubt", 0, 4)]]
    predicted = [
        [("Loaded_Language", 5, 15), ("Loaded_Language", 20, 25), ("Loaded_Language", 25, 30)]
    ]
    result = span_scores(gold, predicted, ["Loaded_Language"])["by_technique"]["Loaded_Language"]
    # predictions merge to (5, 15) and (20, 30): precision (0.5 + 1) / 2, recall (0.5 + 1) / 2
    assert (result["precision"], result["recall"], result["f1"]) == (0.75, 0.75, 0.75)
    assert result["gold"] == 2 and result["predicted"] == 2


def test_framing_eval_frame_scores_are_micro() -> None:
    gold = [frozenset({"Political", "Morality"}), frozenset({"Economic"})]
    predicted = [frozenset({"Political"}), frozenset({"Economic", "Morality"})]
    result = frame_scores(gold, predicted)
    assert (result["precision"], result["recall"], result["f1"]) == (0.6667, 0.6667, 0.6667)


def test_framing_eval_merge_spans_keeps_techniques_apart() -> None:
    merged = merge_spans([("A", 0, 5), ("B", 3, 8), ("A", 2, 9), ("A", 12, 12)])
    assert merged == {"A": [(0, 9)], "B": [(3, 8)]}


def test_framing_eval_select_splits(tmp_path: Path) -> None:
    articles = read_semeval(write_sample(tmp_path)).articles
    trained = frozenset({text_hash(TEXT)})
    assert select(articles, "all", trained) == articles
    assert select(articles, "trained", trained) == articles
    assert select(articles, "unseen", trained) == []
    assert select(articles, "unseen", frozenset()) == articles
    with pytest.raises(InputError, match="unknown split"):
        select(articles, "dev", trained)


def test_framing_eval_text_hash_ignores_line_ends_not_words() -> None:
    assert text_hash(TEXT) == text_hash(TEXT.replace("\n", "\r\n") + "\n\n")
    assert text_hash(TEXT) != text_hash(TEXT.replace("Tuesday", "Monday"))


# A second article, in the subtask-3 folder only (the organisers' subtask-1 folder holds
# fewer articles than subtask 3's).
OTHER = "Facts Matter\n\nExperts say the plan will fail.\n"
OTHER_LABELS = "222\t1\tSlogans\n222\t3\tAppeal_to_Authority\n"


def write_official_dev(folder: Path) -> Path:
    """The official dev layout: three articles folders side by side, labels of subtask 3."""
    for subtask in (1, 2, 3):
        articles = folder / f"dev-articles-subtask-{subtask}"
        articles.mkdir(parents=True)
        (articles / "article111.txt").write_text(TEXT, encoding="utf-8")
    (folder / "dev-articles-subtask-3" / "article222.txt").write_text(OTHER, encoding="utf-8")
    (folder / "dev-labels-subtask-3.txt").write_text(LABELS + OTHER_LABELS, encoding="utf-8")
    (folder / "dev-labels-subtask-3-spans.txt").write_text(
        SPANS + "222\tAppeal_to_Authority\t14\t25\n", encoding="utf-8"
    )
    (folder / "dev-labels-subtask-2.txt").write_text(
        "111\tPolitical,Morality\n222\tPolitical\n", encoding="utf-8"
    )
    return folder


def test_framing_eval_reads_the_official_dev_layout(tmp_path: Path) -> None:
    data = read_semeval(write_official_dev(tmp_path))
    assert [a.id for a in data.articles] == ["111", "222"]
    assert data.has_spans and data.has_frames
    assert data.articles[1].text == OTHER
    assert ("Appeal_to_Authority", 14, 25) in data.articles[1].spans
    assert OTHER[14:25] == "Experts say"


def test_framing_eval_reads_splits_side_by_side(tmp_path: Path) -> None:
    write_sample(tmp_path)
    (tmp_path / "train-articles-subtask-3").mkdir()
    (tmp_path / "train-articles-subtask-3" / "article222.txt").write_text(OTHER, "utf-8")
    (tmp_path / "train-labels-subtask-3.txt").write_text(OTHER_LABELS, "utf-8")
    assert [a.id for a in read_semeval(tmp_path).articles] == ["111", "222"]


def test_framing_eval_missing_article_names_the_folders(tmp_path: Path) -> None:
    write_official_dev(tmp_path)
    (tmp_path / "dev-articles-subtask-3" / "article222.txt").unlink()
    with pytest.raises(InputError, match="article 222 is labelled"):
        read_semeval(tmp_path)


def test_framing_eval_strict_span_scores_need_half_the_span() -> None:
    gold = [[("A", 0, 10), ("A", 20, 30)]]
    predicted = [[("A", 0, 10), ("A", 20, 24), ("B", 0, 10)]]
    strict = strict_span_scores(gold, predicted, ["A", "B"])
    # (0, 10) exact; (20, 24) has Jaccard 0.4 with (20, 30): wrong; B has no gold
    assert strict["exact"]["matched"] == 1 and strict["jaccard"]["matched"] == 1
    assert strict["jaccard"]["precision"] == round(1 / 3, 4)
    assert strict["jaccard"]["recall"] == 0.5


def test_framing_eval_baselines_and_unknowns(tmp_path: Path) -> None:
    articles = read_semeval(write_official_dev(tmp_path)).articles
    paragraphs = [labels for a in articles for _, labels in a.paragraphs]
    spans = [list(a.spans) for a in articles]
    frames = [a.frames or frozenset() for a in articles]
    found = baselines(articles, paragraphs, spans, ["Name_Calling-Labeling"], frames)
    # Name_Calling-Labeling and Slogans tie at 2 of 7 gold pairs: the first by name wins
    assert found["paragraph_majority"]["technique"] == "Name_Calling-Labeling"
    assert found["paragraph_majority"]["micro_precision"] == 0.4
    assert found["spans_whole_paragraph"]["gold"] == 2
    # 1.5 frames an article on average: the two most frequent for every article
    assert found["frames_majority"]["frames"] == ["Morality", "Political"]
    assert found["frames_majority"]["precision"] == 0.75
    missing = unknowns(paragraphs, spans, ["Doubt"], ["Doubt"])
    assert missing["paragraph_pairs"] == missing["paragraph_pairs_all"] == 7
    assert missing["spans"] == missing["spans_all"] == 5


@pytest.mark.slow
def test_framing_eval_runs_the_pipeline_on_a_sample(tmp_path: Path) -> None:
    write_sample(tmp_path)
    (tmp_path / "dev-labels-subtask-2.txt").write_text("111\tPolitical,Morality\n", "utf-8")
    result = evaluate_framing(tmp_path, settings=Settings())
    json.dumps(result)  # JSON-ready
    assert result["articles"] == result["articles_in_data"] == 1
    assert result["trained_on"] == 0
    assert result["stages"] == ["parse", "entities", "actors", "framing"]
    assert result["paragraph"]["paragraphs"] == 3
    assert result["spans"]["micro"]["gold"] == 4
    assert result["frames"]["gold"] == 2 and result["frames"]["articles"] == 1
    assert result["rejected"] == 0
    assert set(result["seconds_by_stage"]) == set(result["stages"])
    table = table_view(result)
    assert table["paragraph_micro_f1"] == result["paragraph"]["micro_f1"]
    assert "Name_Calling-Labeling" in table["techniques"]
    assert all(isinstance(row, dict) for row in table["techniques"].values())
    assert set(result["spans"]["strict"]) == {"jaccard", "exact"}
    assert "span_jaccard_f1" in table and "baseline_paragraph_majority_micro_f1" in table


@pytest.mark.slow
def test_framing_eval_scores_every_article_of_the_official_dev_layout(tmp_path: Path) -> None:
    write_official_dev(tmp_path)
    result = evaluate_framing(tmp_path, settings=Settings())
    assert result["articles_in_data"] == result["articles"] == 2
    assert result["paragraph"]["paragraphs"] == 5
    assert result["spans"]["micro"]["gold"] + result["unknowns"]["spans"] == 5
    assert result["frames"]["articles"] == 2


@pytest.mark.slow
def test_framing_eval_cli_scores_the_official_dev_layout(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from newsgraph.cli import cli

    write_official_dev(tmp_path)
    outcome = CliRunner().invoke(cli, ["eval", "framing", "--data", str(tmp_path), "--json"])
    assert outcome.exit_code == 0, outcome.output
    result = json.loads(outcome.output)
    assert result["articles"] == 2 and result["split"] == "unseen"
    assert "paragraph_majority" in result["baselines"]


@pytest.mark.slow
def test_framing_eval_quality_gate_on_heldout(shared_data: Path, update_golden: bool) -> None:
    """Figures on the held-out SemEval-2023 articles may not drop more than the tolerance.

    Raising the baseline, or lowering it after a reviewed change, is done with
    ``pytest tests/evaluate/test_framing.py --update-golden`` and shows as a diff.
    """
    path = shared_data / "framing" / "semeval2023_en"
    if not path.is_dir():
        pytest.skip(f"SemEval-2023 training data not found at {path}")
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    result = evaluate_framing(path, settings=Settings())
    figures = {
        "paragraph_micro_f1": result["paragraph"]["micro_f1"],
        "paragraph_macro_f1": result["paragraph"]["macro_f1"],
        "span_micro_f1": result["spans"]["micro"]["f1"],
        "span_micro_precision": result["spans"]["micro"]["precision"],
        "loaded_language_span_f1": result["spans"]["by_technique"]["Loaded_Language"]["f1"],
        "name_calling_span_f1": result["spans"]["by_technique"]["Name_Calling-Labeling"]["f1"],
        "frames_micro_f1": result["frames"]["f1"],
    }
    if update_golden:
        baseline.update(
            model=result["model"],
            framing_model=result["framing_model"],
            articles=result["articles"],
            paragraphs=result["paragraph"]["paragraphs"],
            **figures,
        )
        BASELINE.write_text(json.dumps(baseline, indent=2) + "\n", encoding="utf-8")
    assert result["trained_on"] == 0, "the model was trained on held-out articles"
    assert result["model"] == baseline["model"], "another spaCy model: re-record the baseline"
    assert result["articles"] == baseline["articles"], "the data or the split changed"
    assert result["paragraph"]["micro_f1"] >= 0.30, "below the acceptance floor of issue 5"
    for name, found in figures.items():
        floor = round(baseline[name] - baseline["tolerance"], 4)
        assert found >= floor, f"{name} {found} fell below {floor} (baseline)"
