"""Story clustering and near-duplicate detection measured on a folder of labelled articles.

The folder holds one article per file (any format ``newsgraph ingest`` reads); the part of
a file's name before the first dot is its gold cluster (``paris.attacks.12.txt`` belongs
to ``paris``). :func:`evaluate_clusters` ingests the folder into a fresh temporary
database with the configured stages, runs :func:`~newsgraph.stories.update_stories`, and
compares the stories found with the gold clusters:

- **ARI** (adjusted Rand index, Hubert and Arabie), **NMI** (normalised mutual information,
  arithmetic-mean normalisation) and **pairwise precision/recall/F1** (over all pairs of
  articles: a pair is positive when both are in one cluster);
- the same metrics for a **baseline** run in the same call: single-pass clustering by
  TF-IDF cosine of the whole text (headline included) with a fixed threshold
  (:data:`BASELINE_THRESHOLD`), each article joining the most similar cluster centroid or
  opening a cluster, in the same order, with IDF from the whole folder;
- **near-duplicates**: the same pairwise metrics for the near-duplicate groups (articles
  linked as copies), against the gold clusters. These figures are meaningful when the gold
  clusters are copy families, as in the synthetic syndication set
  (:mod:`newsgraph.evaluate.cluster_sets`); on a story set they only show how much of a
  story is syndicated copy. When the folder has a ``.manifest.json`` naming each family's
  original, the share of families whose original was identified is reported too, per
  rule that chose it (``earliest``, ``agency``, ``complete``; see
  :func:`~newsgraph.stories.near_duplicates.choose_original`).

Two files with the same text are one article in the store; both get that article's
cluster. Pairwise scores follow the usual convention: precision is 1 when nothing is
predicted together, recall is 1 when nothing is gold together.

>>> scores = cluster_scores(["a", "a", "b", "b"], [1, 1, 1, 2])
>>> scores["pairwise_precision"], scores["pairwise_recall"], scores["ari"]
(0.3333, 0.5, 0.0)
"""

from __future__ import annotations

import dataclasses
import json
import math
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np

from newsgraph.errors import InputError
from newsgraph.ingest import read_inputs
from newsgraph.model import Article
from newsgraph.settings import Settings, load_settings
from newsgraph.stories.features import article_day, content_words

BASELINE_THRESHOLD: Final = 0.3


def _contingency(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> np.ndarray:
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predicted labels")
    gold_index = {label: i for i, label in enumerate(dict.fromkeys(gold))}
    predicted_index = {label: i for i, label in enumerate(dict.fromkeys(predicted))}
    table = np.zeros((len(gold_index), len(predicted_index)), dtype=np.int64)
    for g, p in zip(gold, predicted, strict=True):
        table[gold_index[g], predicted_index[p]] += 1
    return table


def _pairs(counts: np.ndarray) -> float:
    return float((counts * (counts - 1) // 2).sum())


def _entropy(counts: np.ndarray, total: int) -> float:
    shares = counts[counts > 0] / total
    return float(-(shares * np.log(shares)).sum())


def cluster_scores(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> dict[str, Any]:
    """ARI, NMI and pairwise precision/recall/F1 of a predicted clustering against gold.

    Args:
        gold: the gold cluster of each item.
        predicted: the predicted cluster of each item, in the same order.

    Returns:
        ``items``, ``gold_clusters``, ``predicted_clusters``, ``ari``, ``nmi``,
        ``pairwise_precision``, ``pairwise_recall``, ``pairwise_f1`` (rounded to 4 places).

    >>> cluster_scores(["a", "a", "b"], ["x", "x", "y"])["nmi"]
    1.0
    """
    table = _contingency(gold, predicted)
    total = int(table.sum())
    rows, columns = table.sum(axis=1), table.sum(axis=0)
    together = _pairs(table)
    gold_pairs, predicted_pairs = _pairs(rows), _pairs(columns)
    all_pairs = total * (total - 1) / 2
    if all_pairs == 0:
        ari = 1.0
    else:
        expected = gold_pairs * predicted_pairs / all_pairs
        maximum = (gold_pairs + predicted_pairs) / 2
        ari = 1.0 if maximum == expected else (together - expected) / (maximum - expected)
    h_gold, h_predicted = _entropy(rows, total), _entropy(columns, total)
    if h_gold == 0.0 and h_predicted == 0.0:
        nmi = 1.0
    else:
        nonzero = table > 0
        joint = table[nonzero] / total
        outer = np.outer(rows, columns)[nonzero] / (total * total)
        mutual = float((joint * np.log(joint / outer)).sum())
        nmi = mutual / ((h_gold + h_predicted) / 2)
    precision = together / predicted_pairs if predicted_pairs else 1.0
    recall = together / gold_pairs if gold_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "items": total,
        "gold_clusters": len(rows),
        "predicted_clusters": len(columns),
        "ari": round(float(ari), 4),
        "nmi": round(max(0.0, min(1.0, nmi)), 4),
        "pairwise_precision": round(precision, 4),
        "pairwise_recall": round(recall, 4),
        "pairwise_f1": round(f1, 4),
    }


def tfidf_baseline(texts: Sequence[str], *, threshold: float = BASELINE_THRESHOLD) -> list[int]:
    """Single-pass TF-IDF clustering with a fixed cosine threshold (the baseline).

    IDF comes from all of ``texts``; each text, in order, joins the cluster whose mean
    vector is most similar when the cosine reaches ``threshold``, else opens a cluster.

    >>> tfidf_baseline(["cocoa buffer stock talks", "cocoa buffer stock rules", "oil prices"])
    [0, 0, 1]
    """
    documents = [Counter(content_words(text)) for text in texts]
    df: Counter[str] = Counter()
    for counts in documents:
        df.update(counts.keys())
    total = len(documents)
    centroids: list[dict[str, float]] = []
    sizes: list[int] = []
    postings: dict[str, set[int]] = defaultdict(set)
    labels: list[int] = []
    for counts in documents:
        vector = {
            term: (1 + math.log(n)) * (math.log((total + 1) / (df[term] + 1)) + 1)
            for term, n in counts.items()
        }
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        vector = {term: value / norm for term, value in vector.items()}
        best, best_score = -1, threshold
        for index in {i for term in vector for i in postings.get(term, ())}:
            centroid = centroids[index]
            length = math.sqrt(sum(v * v for v in centroid.values())) or 1.0
            score = sum(v * centroid.get(t, 0.0) for t, v in vector.items()) / length
            if score >= best_score:
                best, best_score = index, score
        if best < 0:
            best = len(centroids)
            centroids.append({})
            sizes.append(0)
        centroid = centroids[best]
        for term, value in vector.items():
            centroid[term] = centroid.get(term, 0.0) + value
            postings[term].add(best)
        sizes[best] += 1
        labels.append(best)
    return labels


def gold_label(path: Path) -> str:
    """The gold cluster of a file: its name up to the first dot."""
    return path.name.split(".", 1)[0]


def read_labelled(path: Path, *, max_bytes: int = 2_000_000) -> list[tuple[str, Article]]:
    """(gold cluster, article) for every article in the folder, in file order.

    Raises:
        InputError: when the folder is missing or holds no article.
    """
    if not path.is_dir():
        raise InputError("not a folder", source=str(path), hint="pass a folder of article files")
    found = []
    for item in read_inputs([path], max_bytes=max_bytes):
        if isinstance(item, Article):
            origin = Path(item.origin.split("#", 1)[0].split(":line", 1)[0])
            found.append((gold_label(origin), item))
    if not found:
        raise InputError("no article found", source=str(path), hint="is the folder empty?")
    return found


def _order(items: list[tuple[str, Article]]) -> list[tuple[str, Article]]:
    """The order articles are clustered in: by day (undated last), then id."""
    return sorted(
        items,
        key=lambda pair: (article_day(pair[1]) is None, article_day(pair[1]) or 0, pair[1].id),
    )


def evaluate_clusters(
    path: Path,
    *,
    settings: Settings | None = None,
    baseline_threshold: float = BASELINE_THRESHOLD,
    keep_db: Path | None = None,
) -> dict[str, Any]:
    """Score story clusters, the TF-IDF baseline and near-duplicate groups on a labelled folder.

    Args:
        path: the folder of article files (gold cluster = file name before the first dot).
        settings: the analysis settings (stages); the database setting is replaced by a
            temporary file.
        baseline_threshold: the baseline's cosine threshold.
        keep_db: write the database here instead of a temporary file (for inspection).

    Returns:
        ``scores``: the metrics of ``stories``, ``baseline`` and ``near_duplicates`` (see
        the module docstring); ``original_found`` and ``originals_by_rule`` when the
        folder has a manifest; ``seconds`` (ingest and placement) and the placement's
        ``report``.

    Raises:
        InputError: when the folder is missing or holds no article.
    """
    from newsgraph.runner import ingest
    from newsgraph.store import Store
    from newsgraph.stories import article_stories, update_stories

    settings = settings or load_settings()
    labelled = _order(read_labelled(path, max_bytes=settings.max_bytes))
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        db = keep_db or Path(scratch) / "clusters.duckdb"
        run_settings = dataclasses.replace(settings, db=str(db))
        ingest([path], settings=run_settings)
        with Store(run_settings.db) as store:
            report = update_stories(store)
            placed = article_stories(store, [article.id for _, article in labelled])
    seconds = time.perf_counter() - began
    missing = [article.id for _, article in labelled if article.id not in placed]
    scored = [(gold, article) for gold, article in labelled if article.id in placed]
    gold = [label for label, _ in scored]
    stories = [placed[article.id].story_id for _, article in scored]
    groups = [placed[article.id].original_id for _, article in scored]
    texts = [f"{article.title or ''}\n{article.text}" for _, article in scored]
    result: dict[str, Any] = {
        "data": str(path),
        "files": len(labelled),
        "unplaced": len(missing),
        "seconds": round(seconds, 2),
        "baseline_method": f"single-pass TF-IDF cosine, threshold {baseline_threshold}",
        # One row per method, the shape the CLI prints as a table.
        "scores": {
            "stories": cluster_scores(gold, stories),
            "baseline": cluster_scores(gold, tfidf_baseline(texts, threshold=baseline_threshold)),
            "near_duplicates": cluster_scores(gold, groups),
        },
    }
    manifest = path / ".manifest.json"
    if manifest.is_file():
        found = _originals(json.loads(manifest.read_text("utf-8")), labelled, placed)
        result["original_families"] = found["families"]
        result["original_found"] = found["original_found"]
        result["originals_by_rule"] = found["by_reason"]
    if report.articles:
        # (Empty when ingest itself placed the articles: then its run report has it.)
        result["report"] = report.as_dict()
    return result


def _originals(
    manifest: dict[str, dict[str, Any]],
    labelled: list[tuple[str, Article]],
    placed: dict[str, Any],
) -> dict[str, Any]:
    """How often the original a family's copies point to is the family's original file."""
    by_file = {Path(article.origin).name: article for _, article in labelled}
    families: dict[str, list[str]] = defaultdict(list)
    original_of: dict[str, str] = {}
    for name, entry in manifest.items():
        article = by_file.get(name)
        if article is None or article.id not in placed:
            continue
        families[entry["family"]].append(article.id)
        if entry["role"] == "original":
            original_of[entry["family"]] = article.id
    right = judged = 0
    by_reason: dict[str, Counter[str]] = defaultdict(Counter)
    for family, members in families.items():
        truth = original_of.get(family)
        copies = [m for m in members if m != truth]
        if truth is None or not copies:
            continue
        chosen = Counter(placed[m].original_id for m in members).most_common(1)[0][0]
        judged += 1
        right += chosen == truth
        reason = placed[chosen].original_reason or "not linked"
        by_reason[reason]["families"] += 1
        by_reason[reason]["found"] += chosen == truth
    return {
        "families": judged,
        "original_found": round(right / judged, 4) if judged else None,
        "by_reason": {reason: dict(counts) for reason, counts in sorted(by_reason.items())},
    }
