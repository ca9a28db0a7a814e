"""Persuasion techniques measured on SemEval-2023 Task 3 subtask 3 data (English).

Each article is analysed as a newsgraph article (parse, entities, actors, framing) and
its annotations are compared with the gold labels:

- **Paragraph level** (the task's official measure). Each labelled line is one item
  with a set of techniques; a predicted set is read from the ``persuasion_paragraph``
  annotations whose span is that line. Micro-F1 counts every (paragraph, technique)
  pair over the 23 techniques of the task; macro-F1 averages the per-technique F1 over
  the 23, a technique with neither gold nor predicted pairs scoring 0 (the official
  scorer's sklearn default). ``macro_f1_present`` averages over the techniques that
  occur in the gold data only, which is fairer to a 19-technique English training set.
- **Frames** (when the folder has ``*-labels-subtask-2.txt``): micro-F1 of the
  article's set of frames, SemEval-2023 subtask 2's measure.
- **Span level**, for the techniques the stage marks as spans. The SemEval-2020 Task
  11 / SemEval-2021 Task 6 partial-overlap measure, per technique: overlapping or
  touching spans of one technique are first merged (in gold and in predictions, per
  article); then precision is the mean, over predicted spans ``s``, of the share of
  ``s`` covered by gold spans of the same technique (``|s ∩ t| / |s|`` summed over
  ``t``), and recall the mean, over gold spans ``t``, of the share of ``t`` covered by
  predicted spans. Micro figures sum these shares and counts over the span techniques.

Strict variants sit beside the partial-overlap span figures: ``jaccard`` counts a
merged predicted span as right when it pairs one to one with a merged gold span of its
technique whose character Jaccard is at least 0.5, ``exact`` when both ends are equal.
Beside the model's figures, in the same run: trivial ``baselines`` that read no model
(every paragraph given the technique most frequent in the scored gold; every
paragraph as one span of the most frequent span technique; every article given the
most frequent gold frames), and the ``unknowns``: gold pairs and spans of techniques
the model has no label for (it can never find them).

By default every article is scored except the ones the model trained on, recognised by
the hash of their text (:func:`~newsgraph.evaluate.semeval.text_hash`): on the official
development set all of it, on the English training folder the held-out fifth
(:func:`~newsgraph.evaluate.semeval.is_heldout`). ``split="trained"`` scores only the
articles trained on (a fit check, flattering by design), ``split="all"`` every article;
``trained_on`` counts the scored articles the model trained on.

>>> gold = [[("Loaded_Language", 0, 10)]]
>>> span_scores(gold, [[("Loaded_Language", 5, 10)]], ["Loaded_Language"])["micro"]["f1"]
0.6667
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from newsgraph.errors import InputError
from newsgraph.evaluate.semeval import (
    HELDOUT_PERCENT,
    HELDOUT_SALT,
    SemEvalArticle,
    line_bounds,
    read_semeval,
    text_hash,
)
from newsgraph.model import Analysis, Article
from newsgraph.pipeline import Pipeline, RunReport, apply_stages
from newsgraph.settings import Settings, load_settings
from newsgraph.stages.framing_features import TECHNIQUES

#: The article selections :func:`evaluate_framing` knows.
SPLITS = ("unseen", "trained", "all")
LabelledSpan = tuple[str, int, int]

SPLIT_RULE = (
    f'held out: first 4 bytes of sha256("{HELDOUT_SALT}:<article id>") as a big-endian '
    f"integer, modulo 100, below {HELDOUT_PERCENT}"
)


def _ratios(tp: float, gold: float, predicted: float) -> dict[str, float]:
    precision = tp / predicted if predicted else 0.0
    recall = tp / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def paragraph_scores(
    gold: Sequence[frozenset[str]],
    predicted: Sequence[frozenset[str]],
    techniques: Sequence[str] = TECHNIQUES,
) -> dict[str, Any]:
    """Micro- and macro-F1 of multi-label paragraph predictions, as the official scorer.

    >>> gold = [frozenset({"Doubt"}), frozenset()]
    >>> paragraph_scores(gold, [frozenset({"Doubt", "Slogans"}), frozenset()])["micro_f1"]
    0.6667
    """
    known = set(techniques)
    tp = dict.fromkeys(techniques, 0)
    n_gold = dict.fromkeys(techniques, 0)
    n_predicted = dict.fromkeys(techniques, 0)
    for right, guess in zip(gold, predicted, strict=True):
        for t in right & known:
            n_gold[t] += 1
        for t in guess & known:
            n_predicted[t] += 1
            tp[t] += t in right
    micro = _ratios(sum(tp.values()), sum(n_gold.values()), sum(n_predicted.values()))
    by_technique = {
        t: {
            **_ratios(tp[t], n_gold[t], n_predicted[t]),
            "gold": n_gold[t],
            "predicted": n_predicted[t],
        }
        for t in techniques
    }
    present = [t for t in techniques if n_gold[t]]
    return {
        "micro_f1": micro["f1"],
        "micro_precision": micro["precision"],
        "micro_recall": micro["recall"],
        "macro_f1": round(sum(by_technique[t]["f1"] for t in techniques) / len(techniques), 4),
        "macro_f1_present": round(
            sum(by_technique[t]["f1"] for t in present) / len(present) if present else 0.0, 4
        ),
        "paragraphs": len(gold),
        "by_technique": {t: v for t, v in by_technique.items() if v["gold"] or v["predicted"]},
    }


def merge_spans(spans: Iterable[LabelledSpan]) -> dict[str, list[tuple[int, int]]]:
    """Overlapping or touching spans of each technique merged, sorted.

    >>> merge_spans([("A", 0, 4), ("A", 4, 6), ("A", 9, 10), ("B", 1, 2)])
    {'A': [(0, 6), (9, 10)], 'B': [(1, 2)]}
    """
    by_label: dict[str, list[tuple[int, int]]] = {}
    for label, start, end in sorted(spans, key=lambda s: (s[0], s[1], s[2])):
        merged = by_label.setdefault(label, [])
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        elif end > start:
            merged.append((start, end))
    return by_label


def _covered(span: tuple[int, int], others: Sequence[tuple[int, int]]) -> float:
    start, end = span
    shared = sum(max(0, min(end, e) - max(start, s)) for s, e in others)
    return shared / (end - start)


def span_scores(
    gold: Sequence[Sequence[LabelledSpan]],
    predicted: Sequence[Sequence[LabelledSpan]],
    techniques: Sequence[str],
) -> dict[str, Any]:
    """Partial-overlap span precision, recall and F1 per technique and micro over them.

    ``gold`` and ``predicted`` hold each article's ``(technique, start, end)`` spans.
    """
    sums = {t: [0.0, 0.0, 0, 0] for t in techniques}  # precision share, recall share, |S|, |T|
    for right, guess in zip(gold, predicted, strict=True):
        gold_by = merge_spans(right)
        guess_by = merge_spans(guess)
        for t in techniques:
            g, p = gold_by.get(t, []), guess_by.get(t, [])
            sums[t][0] += sum(_covered(s, g) for s in p)
            sums[t][1] += sum(_covered(s, p) for s in g)
            sums[t][2] += len(p)
            sums[t][3] += len(g)

    def ratios(p_share: float, r_share: float, n_pred: float, n_gold: float) -> dict[str, float]:
        precision = p_share / n_pred if n_pred else 0.0
        recall = r_share / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}

    totals = [sum(v[i] for v in sums.values()) for i in range(4)]
    return {
        "micro": {**ratios(*totals), "gold": int(totals[3]), "predicted": int(totals[2])},
        "by_technique": {
            t: {**ratios(*v), "gold": int(v[3]), "predicted": int(v[2])} for t, v in sums.items()
        },
    }


def _jaccard(one: tuple[int, int], other: tuple[int, int]) -> float:
    shared = max(0, min(one[1], other[1]) - max(one[0], other[0]))
    return shared / (max(one[1], other[1]) - min(one[0], other[0]))


def strict_span_scores(
    gold: Sequence[Sequence[LabelledSpan]],
    predicted: Sequence[Sequence[LabelledSpan]],
    techniques: Sequence[str],
) -> dict[str, dict[str, Any]]:
    """Span precision, recall and F1 counting whole spans: ``jaccard`` and ``exact``.

    Spans are merged per technique as in :func:`span_scores`; a predicted span is
    right under ``jaccard`` when it pairs (one to one, greedily by Jaccard) with a gold
    span of its technique whose character Jaccard is at least 0.5, under ``exact`` when
    a gold span of its technique has the same start and end.

    >>> strict_span_scores([[("A", 0, 10)]], [[("A", 0, 6)]], ["A"])["jaccard"]["f1"]
    1.0
    """
    matched = {"jaccard": 0, "exact": 0}
    n_gold = n_predicted = 0
    for right, guess in zip(gold, predicted, strict=True):
        gold_by, guess_by = merge_spans(right), merge_spans(guess)
        for t in techniques:
            g, p = gold_by.get(t, []), guess_by.get(t, [])
            n_gold += len(g)
            n_predicted += len(p)
            matched["exact"] += len(set(g) & set(p))
            pairs = sorted(
                ((-_jaccard(a, b), i, j) for i, a in enumerate(g) for j, b in enumerate(p)),
            )
            used_g: set[int] = set()
            used_p: set[int] = set()
            for score, i, j in pairs:
                if -score >= 0.5 and i not in used_g and j not in used_p:
                    used_g.add(i)
                    used_p.add(j)
            matched["jaccard"] += len(used_g)
    return {
        name: {**_ratios(count, n_gold, n_predicted), "matched": count}
        for name, count in matched.items()
    }


def _most_common(counts: Counter[str], n: int) -> list[str]:
    """The ``n`` most frequent names, ties broken by name (so runs agree)."""
    return sorted(counts, key=lambda name: (-counts[name], name))[:n]


def baselines(
    articles: Sequence[SemEvalArticle],
    gold_paragraphs: Sequence[frozenset[str]],
    gold_spans: Sequence[Sequence[LabelledSpan]],
    span_techniques: Sequence[str],
    gold_frames: Sequence[frozenset[str]],
) -> dict[str, Any]:
    """Trivial predictions scored like the model's: what a figure must beat.

    ``paragraph_majority``: every paragraph given the one technique most frequent in
    the scored gold. ``spans_whole_paragraph``: every paragraph as one span of the most
    frequent span technique. ``frames_majority``: every article given the gold's most
    frequent frames, as many as an article has on average. They read the scored gold's
    label counts, never a text's own labels.
    """
    found: dict[str, Any] = {}
    counts = Counter(t for labels in gold_paragraphs for t in labels)
    if counts:
        top = _most_common(counts, 1)[0]
        guess = [frozenset({top}) for _ in gold_paragraphs]
        scores = paragraph_scores(gold_paragraphs, guess)
        found["paragraph_majority"] = {
            "technique": top,
            **{k: scores[k] for k in ("micro_f1", "micro_precision", "micro_recall", "macro_f1")},
        }
    span_counts = Counter(t for spans in gold_spans for t, _, _ in spans if t in span_techniques)
    if span_counts:
        top = _most_common(span_counts, 1)[0]
        guess_spans = [
            [(top, start, end) for start, end in line_bounds(a.text).values()] for a in articles
        ]
        found["spans_whole_paragraph"] = {
            "technique": top,
            **span_scores(gold_spans, guess_spans, span_techniques)["micro"],
            "strict": strict_span_scores(gold_spans, guess_spans, span_techniques),
        }
    frame_counts = Counter(f for frames in gold_frames for f in frames)
    if frame_counts:
        size = max(1, round(sum(map(len, gold_frames)) / len(gold_frames)))
        top_frames = frozenset(_most_common(frame_counts, size))
        found["frames_majority"] = {
            "frames": sorted(top_frames),
            **frame_scores(gold_frames, [top_frames for _ in gold_frames]),
        }
    return found


def unknowns(
    gold_paragraphs: Sequence[frozenset[str]],
    gold_spans: Sequence[Sequence[LabelledSpan]],
    paragraph_labels: Sequence[str],
    span_labels: Sequence[str],
) -> dict[str, Any]:
    """Gold the model cannot find: paragraph pairs and spans of techniques it has no label for."""
    pairs = Counter(t for labels in gold_paragraphs for t in labels if t not in paragraph_labels)
    spans = Counter(t for found in gold_spans for t, _, _ in found if t not in span_labels)
    return {
        "paragraph_pairs": sum(pairs.values()),
        "paragraph_pairs_all": sum(map(len, gold_paragraphs)),
        "paragraph_techniques": dict(pairs.most_common()),
        "spans": sum(spans.values()),
        "spans_all": sum(map(len, gold_spans)),
    }


def table_view(result: dict[str, Any]) -> dict[str, Any]:
    """The figures of :func:`evaluate_framing` as scalars plus one row per technique.

    What ``newsgraph eval framing`` prints as tables (``--json`` prints the full result).
    """
    paragraph = result["paragraph"]
    spans = result.get("spans", {})
    flat: dict[str, Any] = {
        key: value for key, value in result.items() if not isinstance(value, dict | list)
    }
    for key in ("micro_f1", "micro_precision", "micro_recall", "macro_f1", "macro_f1_present"):
        flat[f"paragraph_{key}"] = paragraph[key]
    if spans:
        for key in ("precision", "recall", "f1"):
            flat[f"span_micro_{key}"] = spans["micro"][key]
        for variant, figures in spans["strict"].items():
            flat[f"span_{variant}_f1"] = figures["f1"]
    if "frames" in result:
        flat["frames_micro_f1"] = result["frames"]["f1"]
    found = result.get("baselines", {})
    if "paragraph_majority" in found:
        flat["baseline_paragraph_majority_micro_f1"] = found["paragraph_majority"]["micro_f1"]
    if "spans_whole_paragraph" in found:
        flat["baseline_spans_whole_paragraph_f1"] = found["spans_whole_paragraph"]["f1"]
    if "frames_majority" in found:
        flat["baseline_frames_majority_f1"] = found["frames_majority"]["f1"]
    if "unknowns" in result:
        flat["unknown_paragraph_pairs"] = result["unknowns"]["paragraph_pairs"]
        flat["unknown_spans"] = result["unknowns"]["spans"]
    rows: dict[str, dict[str, Any]] = {}
    for technique, row in paragraph["by_technique"].items():
        rows[technique] = {"paragraph_f1": row["f1"], "paragraphs_gold": row["gold"]}
    for technique, row in spans.get("by_technique", {}).items():
        rows.setdefault(technique, {}).update(span_f1=row["f1"], spans_gold=row["gold"])
    flat["techniques"] = rows
    flat["seconds_by_stage"] = {
        name: {"seconds": s} for name, s in result["seconds_by_stage"].items()
    }
    return flat


def build_pipeline(settings: Settings) -> Pipeline:
    """Parse, entities, actors and framing: what the framing stage needs, no more."""
    from newsgraph.stages.actors import ActorsStage
    from newsgraph.stages.entities import EntitiesStage
    from newsgraph.stages.framing import FramingStage
    from newsgraph.stages.parse import ParseStage

    return Pipeline(
        stages=(
            ParseStage(settings),
            EntitiesStage(settings),
            ActorsStage(settings),
            FramingStage(settings),
        )
    )


def predictions_of(
    analysis: Analysis, article: SemEvalArticle
) -> tuple[list[frozenset[str]], list[LabelledSpan], frozenset[str]]:
    """The predicted techniques of each gold paragraph, the predicted spans and frames."""
    from newsgraph.stages.framing import FRAME_KIND, PARAGRAPH_KIND, SPAN_KIND

    by_bounds: dict[tuple[int, int], set[str]] = {}
    spans: list[LabelledSpan] = []
    frames: set[str] = set()
    for note in analysis.annotations:
        if note.kind == PARAGRAPH_KIND:
            by_bounds.setdefault((note.start, note.end), set()).add(note.label)
        elif note.kind == SPAN_KIND:
            spans.append((note.label, note.start, note.end))
        elif note.kind == FRAME_KIND:
            frames.add(note.label)
    bounds = line_bounds(article.text)
    paragraphs = [frozenset(by_bounds.get(bounds[line], ())) for line, _ in article.paragraphs]
    return paragraphs, spans, frozenset(frames)


def frame_scores(
    gold: Sequence[frozenset[str]], predicted: Sequence[frozenset[str]]
) -> dict[str, Any]:
    """Micro-F1 of the article frames (SemEval-2023 subtask 2's measure), with counts."""
    tp = sum(len(g & p) for g, p in zip(gold, predicted, strict=True))
    n_gold, n_predicted = sum(map(len, gold)), sum(map(len, predicted))
    return {
        **_ratios(tp, n_gold, n_predicted),
        "articles": len(gold),
        "gold": n_gold,
        "predicted": n_predicted,
    }


def select(
    articles: Sequence[SemEvalArticle], split: str, trained: frozenset[str]
) -> list[SemEvalArticle]:
    """The articles of ``split``: ``unseen`` (whose text hash is not in ``trained``),
    ``trained`` (the others) or ``all``."""
    if split == "all":
        return list(articles)
    if split not in SPLITS:
        raise InputError(f"unknown split {split!r}", hint=f"use one of {', '.join(SPLITS)}")
    return [a for a in articles if (text_hash(a.text) in trained) == (split == "trained")]


def evaluate_framing(
    path: Path,
    *,
    limit: int | None = None,
    settings: Settings | None = None,
    split: str = "unseen",
) -> dict[str, Any]:
    """Score the framing stage on a folder in the SemEval-2023 subtask 3 layout.

    Args:
        path: the folder (``<split>-articles-subtask-3/``, ``<split>-labels-subtask-3.txt``
            and, for span scores, ``<split>-labels-subtask-3-spans``), as the organisers
            ship it (other subtasks' folders beside it are fine).
        limit: score only the first ``limit`` selected articles by id.
        settings: which spaCy pipeline to use (default: the resolved settings).
        split: ``unseen`` (default: every article whose text the model never trained
            on), ``trained`` or ``all``.

    Returns:
        JSON-ready figures: ``paragraph`` (``micro_f1``, ``macro_f1``,
        ``macro_f1_present``, per technique), ``spans`` (partial-overlap F1, micro and
        per span technique, and the ``strict`` Jaccard/exact variants; absent without
        span labels), ``frames`` (micro-F1 of the article frames, when the folder has
        subtask 2 labels), ``baselines`` and ``unknowns`` (see the module docstring),
        counts of ``articles_in_data``, ``articles`` and ``trained_on``, the ``split``
        and its rule, ``stages``, ``seconds`` and ``seconds_by_stage``.

    Raises:
        InputError: when the folder is not in the SemEval-2023 layout, or for an unknown
            split.
        ConfigError: when the spaCy pipeline or the framing model cannot be loaded.

    Example::

        >>> data = Path("../shared/data/framing/semeval2023_en")
        >>> evaluate_framing(data)["paragraph"]["micro_f1"]  # doctest: +SKIP
        0.33
    """
    settings = settings or load_settings()
    began = time.perf_counter()
    data = read_semeval(path)
    pipeline = build_pipeline(settings)
    framing = pipeline.stages[-1]
    models = framing.models  # type: ignore[attr-defined]
    trained: frozenset[str] = models.trained_texts or frozenset(
        text_hash(a.text) for a in data.articles if a.id in models.trained_ids
    )
    articles = select(data.articles, split, trained)[:limit]
    report = RunReport(run_id="eval-framing")
    gold_paragraphs: list[frozenset[str]] = []
    predicted_paragraphs: list[frozenset[str]] = []
    gold_spans: list[list[LabelledSpan]] = []
    predicted_spans: list[list[LabelledSpan]] = []
    gold_frames: list[frozenset[str]] = []
    predicted_frames: list[frozenset[str]] = []
    rejected = 0
    size = max(1, settings.batch_size)
    for first in range(0, len(articles), size):
        chunk = articles[first : first + size]
        batch = [
            Analysis(article=Article.from_text(a.text, external_id=a.id, origin=f"article{a.id}"))
            for a in chunk
        ]
        done, failed = apply_stages(pipeline, batch, report)
        rejected += len(failed)
        by_id = {analysis.article.external_id: analysis for analysis in done}
        for article, empty in zip(chunk, batch, strict=True):
            analysis = by_id.get(article.id, empty)
            paragraphs, spans, frames = predictions_of(analysis, article)
            gold_paragraphs.extend(labels for _, labels in article.paragraphs)
            predicted_paragraphs.extend(paragraphs)
            gold_spans.append(list(article.spans))
            predicted_spans.append(spans)
            if article.frames is not None:
                gold_frames.append(article.frames)
                predicted_frames.append(frames)
    span_labels = models.tokens.labels
    result: dict[str, Any] = {
        "dataset": str(path),
        "split": split,
        "split_rule": "unseen: articles whose text hash the model file does not list as "
        "trained on (the training folder's held-out part is " + SPLIT_RULE + ")",
        "model": settings.spacy_model,
        "framing_model": models.meta.get("version", ""),
        "stages": pipeline.names,
        "articles_in_data": len(data.articles),
        "articles": len(articles),
        "trained_on": sum(1 for a in articles if text_hash(a.text) in trained),
        "corrected_labels": data.corrected,
        "paragraph": paragraph_scores(gold_paragraphs, predicted_paragraphs),
    }
    if data.has_spans:
        result["spans"] = {
            **span_scores(gold_spans, predicted_spans, span_labels),
            "strict": strict_span_scores(gold_spans, predicted_spans, span_labels),
        }
    if gold_frames:
        result["frames"] = frame_scores(gold_frames, predicted_frames)
    result["baselines"] = baselines(articles, gold_paragraphs, gold_spans, span_labels, gold_frames)
    result["unknowns"] = unknowns(gold_paragraphs, gold_spans, models.paragraph.labels, span_labels)
    result.update(
        rejected=rejected,
        seconds=round(time.perf_counter() - began, 2),
        seconds_by_stage={k: round(v, 3) for k, v in report.seconds_by_stage.items()},
    )
    return result
