"""Cluster evaluation: the metrics (against hand-computed values), the baseline, the set
builders, and the quality gate on the development sets made from ../shared/data/news."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from newsgraph.errors import InputError
from newsgraph.evaluate.cluster_sets import (
    BBC_STORIES,
    REUTERS_STORIES,
    build_bbc_stories,
    build_reuters_stories,
    build_syndication,
    match_stories,
    sentences,
)
from newsgraph.evaluate.clusters import (
    cluster_scores,
    evaluate_clusters,
    gold_label,
    read_labelled,
    tfidf_baseline,
)
from newsgraph.settings import Settings, load_settings

BASELINE = Path(__file__).with_name("baseline_clusters.json")
LIGHT = "language"  # the gate measures the clustering's own text features (fast)


@pytest.mark.parametrize(
    ("gold", "predicted", "expected"),
    [
        pytest.param(
            ["a", "a", "b", "b"], [1, 1, 1, 2],
            {"ari": 0.0, "nmi": 0.3438, "pairwise_precision": 0.3333, "pairwise_recall": 0.5,
             "pairwise_f1": 0.4},
            id="hand-computed",
        ),
        pytest.param(
            ["a", "a", "b"], ["x", "x", "y"],
            {"ari": 1.0, "nmi": 1.0, "pairwise_precision": 1.0, "pairwise_recall": 1.0,
             "pairwise_f1": 1.0},
            id="perfect-with-other-names",
        ),
        pytest.param(
            ["a", "a", "a"], [1, 2, 3],
            {"ari": 0.0, "nmi": 0.0, "pairwise_precision": 1.0, "pairwise_recall": 0.0,
             "pairwise_f1": 0.0},
            id="all-split",
        ),
        pytest.param(
            ["a", "b", "c", "d"], [1, 1, 1, 1],
            {"ari": 0.0, "nmi": 0.0, "pairwise_precision": 0.0, "pairwise_recall": 1.0,
             "pairwise_f1": 0.0},
            id="all-merged",
        ),
        pytest.param(
            ["a", "a", "a", "b", "b", "c"], [1, 1, 2, 2, 2, 2],
            {"ari": 0.0367, "nmi": 0.3863, "pairwise_precision": 0.2857, "pairwise_recall": 0.5},
            id="six-items",
        ),
    ],
)  # fmt: skip
def test_cluster_scores(gold: list[Any], predicted: list[Any], expected: dict[str, float]) -> None:
    scores = cluster_scores(gold, predicted)
    for name, value in expected.items():
        assert scores[name] == pytest.approx(value, abs=1e-4), name


def test_cluster_scores_hand_computed_nmi() -> None:
    # gold {a: 0,1; b: 2,3}, predicted {1: 0,1,2; 2: 3}: MI = .5 ln(4/3) + .25 ln(2/3) + .25 ln 2
    mutual = 0.5 * math.log(4 / 3) + 0.25 * math.log(2 / 3) + 0.25 * math.log(2)
    h_gold = math.log(2)
    h_pred = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    nmi = cluster_scores(["a", "a", "b", "b"], [1, 1, 1, 2])["nmi"]
    assert nmi == pytest.approx(mutual / ((h_gold + h_pred) / 2), abs=1e-4)


def test_cluster_scores_need_aligned_labels() -> None:
    with pytest.raises(ValueError, match="2 gold labels but 1"):
        cluster_scores(["a", "b"], [1])


def test_tfidf_baseline_threshold_decides() -> None:
    texts = ["cocoa buffer stock talks", "cocoa buffer stock rules agreed", "oil prices fell"]
    assert tfidf_baseline(texts) == [0, 0, 1]
    assert tfidf_baseline(texts, threshold=0.99) == [0, 1, 2]
    # A text sharing no word with a cluster never joins it, whatever the threshold.
    assert tfidf_baseline(texts, threshold=0.0) == [0, 0, 1]
    assert tfidf_baseline([*texts[:2], "cocoa prices fell"], threshold=0.01) == [0, 0, 0]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("paris.attacks.12.txt", "paris"), ("gaza-truce.3.json", "gaza-truce"), ("solo", "solo")],
)
def test_gold_label_is_the_name_before_the_first_dot(name: str, expected: str) -> None:
    assert gold_label(Path(name)) == expected


def test_read_labelled_errors_name_the_fix(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a folder"):
        read_labelled(tmp_path / "missing")
    with pytest.raises(InputError, match="no article"):
        read_labelled(tmp_path)


CEASEFIRE = (
    "Negotiators in Cairo said on {day} that Hamas and Israel were close to a ceasefire "
    "deal that would free hostages held in Gaza, with Qatar and Egypt pressing both sides "
    "to accept the truce proposal before the holiday. {extra}"
)
COCOA = (
    "Cocoa producers and consumers at the International Cocoa Organization in London "
    "argued over buffer stock rules on {day}, delegates said, as prices slid. {extra}"
)


def write_folder(folder: Path) -> None:
    """A tiny labelled folder: two stories in different words, and a copy family."""
    folder.mkdir()
    extras = [
        "Mediators expected an answer within days.",
        "Families of the hostages rallied in Tel Aviv to urge a deal.",
        "Egyptian officials said a delegation would travel to Doha.",
    ]
    for number, (day, extra) in enumerate(
        zip(("Monday", "Tuesday", "Wednesday"), extras, strict=True)
    ):
        (folder / f"truce.{number}.txt").write_text(
            f"Truce talks\n\n{CEASEFIRE.format(day=day, extra=extra)}", encoding="utf-8"
        )
    for number, day in enumerate(("Thursday", "Friday")):
        (folder / f"cocoa.{number}.txt").write_text(
            COCOA.format(day=day, extra="Trading was thin in New York."), encoding="utf-8"
        )


def test_evaluate_clusters_on_a_small_folder(tmp_path: Path) -> None:
    folder = tmp_path / "labelled"
    write_folder(folder)
    settings = load_settings(stages=LIGHT, cache_dir=str(tmp_path / "cache"))
    result = evaluate_clusters(folder, settings=settings)
    assert result["files"] == 5 and result["unplaced"] == 0
    scores = result["scores"]
    assert scores["stories"]["gold_clusters"] == 2
    assert scores["stories"]["ari"] == 1.0
    assert set(scores["baseline"]) >= {"ari", "nmi", "pairwise_f1"}
    assert scores["near_duplicates"]["pairwise_precision"] == 1.0
    assert "original_found" not in result


def test_story_rules_take_the_headlines_they_name() -> None:
    headlines = [
        ("r1", "TEXACO TX> FILES FOR CHAPTER 11", "13-APR-1987"),
        ("r2", "TEXACO TX> FILES FOR CHAPTER 11", "13-MAY-1987"),
        ("r3", "PENNZOIL PZL> SEES LOWER FIRST QTR", "31-MAR-1987"),
        ("r4", "TWA TWA> MAKES MERGER OFFER FOR USAIR U>", "4-MAR-1987"),
        ("r5", "LOTUS LOTS> SHIPS SOFTWARE", "4-MAR-1987"),
    ]
    records = [{"id": i, "title": t, "date": f"{d} 10:00:00.00"} for i, t, d in headlines]
    found = match_stories(records, REUTERS_STORIES)
    assert [r["id"] for r in found["texaco-bankruptcy"]] == ["r1"]
    assert [r["id"] for r in found["usair-twa-piedmont"]] == ["r4"]
    assert all(r["id"] != "r5" for items in found.values() for r in items)
    bbc = match_stories([{"id": "b1", "title": "Yukos loses US bankruptcy battle"}], BBC_STORIES)
    assert list(bbc) == ["yukos"]


def test_sentences_split_at_sentence_ends() -> None:
    assert sentences("One. Two! Three? \"Four.\" 5 more.") == [
        "One.", "Two!", "Three?", '"Four."', "5 more.",
    ]  # fmt: skip


def _figures(name: str, result: dict[str, Any]) -> dict[str, float]:
    """The gated figures of one set: near-duplicates on copy families, stories on stories."""
    scores = result["scores"]
    if name == "syndication":
        return {
            "near_duplicates_precision": scores["near_duplicates"]["pairwise_precision"],
            "near_duplicates_recall": scores["near_duplicates"]["pairwise_recall"],
            "original_found": result["original_found"],
        }
    return {"stories_ari": scores["stories"]["ari"], "stories_nmi": scores["stories"]["nmi"]}


@pytest.mark.slow
def test_syndication_set_is_reproducible(shared_data: Path, tmp_path: Path) -> None:
    news = shared_data / "news"
    first = build_syndication(news, tmp_path / "one", originals=30, seed=5)
    second = build_syndication(news, tmp_path / "two", originals=30, seed=5)
    assert first == second
    names = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "two").iterdir())
    assert all(
        (tmp_path / "one" / n).read_bytes() == (tmp_path / "two" / n).read_bytes() for n in names
    )
    manifest = json.loads((tmp_path / "one" / ".manifest.json").read_text())
    assert sum(entry["role"] == "original" for entry in manifest.values()) == 30


@pytest.mark.slow
@pytest.mark.parametrize("name", ["syndication", "reuters_stories", "bbc_stories"])
def test_clusters_quality_gate(
    name: str, shared_data: Path, tmp_path: Path, update_golden: bool
) -> None:
    """Figures on the development sets may not drop more than the tolerance.

    The near-duplicate floors of the issue (precision 0.95, recall 0.9 on the synthetic
    syndication set) hold whatever the baseline file says. Re-record with
    ``pytest tests/evaluate/test_clusters.py --update-golden`` (a reviewed diff).
    """
    news = shared_data / "news"
    if not news.is_dir():
        pytest.skip(f"news data not found at {news}")
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    sizes = baseline["sets"][name]["sizes"]
    folder = tmp_path / name
    builder = {
        "syndication": build_syndication,
        "reuters_stories": build_reuters_stories,
        "bbc_stories": build_bbc_stories,
    }[name]
    made = builder(news, folder, **sizes)
    settings = Settings(stages=LIGHT, cache_dir=str(tmp_path / "cache"))
    result = evaluate_clusters(folder, settings=settings)
    figures = _figures(name, result)
    scores = result["scores"]
    recorded = baseline["sets"][name]
    if update_golden:
        recorded.clear()
        recorded.update(sizes=sizes, files=result["files"], **figures)
        BASELINE.write_text(json.dumps(baseline, indent=2) + "\n", encoding="utf-8")
    assert result["files"] == recorded["files"], f"the {name} set changed: {made}"
    for metric, found in figures.items():
        floor = round(recorded[metric] - baseline["tolerance"], 4)
        assert found >= floor, f"{name} {metric} {found} fell below {floor} (baseline)"
    if name == "syndication":
        assert figures["near_duplicates_precision"] >= 0.95
        assert figures["near_duplicates_recall"] >= 0.9
    else:
        # The baseline runs in the same call; on the syndication set the gold clusters are
        # copy families, not stories, so story figures there measure something else.
        assert scores["stories"]["ari"] >= scores["baseline"]["ari"], "the baseline did better"
