"""Quote extraction measured on PolNeAR attributions (brat ``.ann`` beside ``.txt``).

Each text is analysed as an article (parse, entities, actors when that stage is
installed, quotes) and every predicted quote's content span is compared with the gold
``Content`` spans of the attributions annotated on it.

Matching rules:

- **Jaccard match** (the lenient figure). A predicted content span and a gold Content
  span are a candidate pair when their characters' Jaccard index (shared characters
  over the characters of either) is at least :data:`MIN_JACCARD`: half the union,
  never one shared character. A gold span written in several fragments (PolNeAR marks
  ``"A," he said, "B."`` as one content in two pieces) counts the characters of its
  fragments only. Pairs are taken greedily, highest Jaccard first (ties: earlier gold,
  then earlier prediction), each gold and each prediction at most once. Precision is
  matched predictions over predictions, recall matched gold over gold.
- **Exact match.** Both spans are trimmed of whitespace, quote marks and ``.,;:`` at
  their ends; a gold span in fragments counts as the stretch from its first fragment's
  start to its last fragment's end. A prediction matches a gold span when the trimmed
  offsets are equal, each used at most once.
- **Speaker accuracy** is measured on Jaccard-matched pairs whose gold attribution
  has a Source (PolNeAR's ``Attribution-no-source`` ones are left out and counted):
  the pair is right when the predicted speaker span shares a character with a gold
  Source fragment. A matched prediction without a speaker counts as wrong.

- **Baseline** (:func:`quote_mark_baseline`), scored the same way in the same run:
  every stretch between double quote marks is a quote, with no speaker.

Every text counts once: where several annotators annotated one text, the first
annotation file by name is used (see :mod:`newsgraph.evaluate.brat`).

>>> gold = [((0, 10),)]
>>> scores(gold=gold, sources=[()], predicted=[(2, 10, None)])["jaccard"]["f1"]
1.0
>>> scores(gold=gold, sources=[()], predicted=[(6, 20, None)])["jaccard"]["f1"]
0.0
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsgraph.evaluate.brat import BratDocument, Fragments, read_brat
from newsgraph.model import Analysis, Article
from newsgraph.pipeline import Pipeline, RunReport, Stage, apply_stages
from newsgraph.settings import Settings, load_settings

#: A predicted quote: content start, end, and the speaker's ``(start, end)`` or None.
Predicted = tuple[int, int, tuple[int, int] | None]

_TRIM = " \t\n\r\xa0\"'“”‘’`«».,;:"
#: The least Jaccard index of a predicted and a gold content span that pair up.
MIN_JACCARD = 0.5
_QUOTED = re.compile(r'"[^"\n]{2,}?"|“[^”\n]{2,}?”')


def _shared(start: int, end: int, fragments: Fragments) -> int:
    return sum(max(0, min(end, e) - max(start, s)) for s, e in fragments)


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of ``text[start:end]`` without surrounding whitespace, quote marks, ``.,;:``.

    >>> trimmed(' "We stay." ', 0, 12)
    (2, 9)
    """
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


def _ratios(tp: int, gold: int, predicted: int) -> dict[str, float]:
    precision = tp / predicted if predicted else 0.0
    recall = tp / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def jaccard(start: int, end: int, fragments: Fragments) -> float:
    """Characters shared by ``start:end`` and the fragments over the characters of either.

    >>> jaccard(0, 10, ((5, 15),))
    0.3333
    """
    shared = _shared(start, end, fragments)
    union = (end - start) + sum(e - s for s, e in fragments) - shared
    return round(shared / union, 4) if union > 0 else 0.0


def match(gold: Sequence[Fragments], predicted: Sequence[Predicted]) -> list[tuple[int, int]]:
    """Pair gold and predicted spans one to one, greedily by Jaccard (at least 0.5).

    Returns ``(gold index, predicted index)`` pairs.
    """
    candidates = []
    for g, fragments in enumerate(gold):
        for p, (start, end, _) in enumerate(predicted):
            score = jaccard(start, end, fragments)
            if score >= MIN_JACCARD:
                candidates.append((-score, g, p))
    candidates.sort()
    used_gold: set[int] = set()
    used_predicted: set[int] = set()
    pairs = []
    for _, g, p in candidates:
        if g not in used_gold and p not in used_predicted:
            used_gold.add(g)
            used_predicted.add(p)
            pairs.append((g, p))
    return sorted(pairs)


def quote_mark_baseline(text: str) -> list[Predicted]:
    """Every stretch between double quote marks (straight or curly) as a quote, no speaker.

    >>> quote_mark_baseline('He said "We stay." and left.')
    [(8, 18, None)]
    """
    return [(m.start(), m.end(), None) for m in _QUOTED.finditer(text)]


@dataclass
class _Counts:
    """What scoring counts, summed over documents."""

    gold: int = 0
    predicted: int = 0
    matched: int = 0
    exact: int = 0
    right: int = 0
    judged: int = 0
    matched_gold: list[int] = field(default_factory=list)

    def add(
        self,
        gold: Sequence[Fragments],
        sources: Sequence[Fragments],
        predicted: Sequence[Predicted],
        text: str,
    ) -> None:
        pairs = match(gold, predicted)
        self.gold += len(gold)
        self.predicted += len(predicted)
        self.matched += len(pairs)
        self.matched_gold = [g for g, _ in pairs]
        for g, p in pairs:
            if sources[g]:
                self.judged += 1
                speaker = predicted[p][2]
                if speaker is not None and _shared(speaker[0], speaker[1], sources[g]):
                    self.right += 1

        def cut(start: int, end: int) -> tuple[int, int]:
            return trimmed(text, start, end) if text else (start, end)

        remaining = Counter(cut(start, end) for start, end, _ in predicted)
        for fragments in gold:
            span = cut(min(s for s, _ in fragments), max(e for _, e in fragments))
            if remaining[span] > 0:
                remaining[span] -= 1
                self.exact += 1

    def result(self) -> dict[str, Any]:
        return {
            "jaccard": _ratios(self.matched, self.gold, self.predicted),
            "exact": _ratios(self.exact, self.gold, self.predicted),
            "speaker": {
                "accuracy": round(self.right / self.judged, 4) if self.judged else 0.0,
                "right": self.right,
                "judged": self.judged,
                "without_gold_source": self.matched - self.judged,
            },
            "gold": self.gold,
            "predicted": self.predicted,
            "matched": self.matched,
            "exact_matched": self.exact,
        }


def scores(
    *,
    gold: Sequence[Fragments],
    sources: Sequence[Fragments],
    predicted: Sequence[Predicted],
    text: str = "",
) -> dict[str, Any]:
    """Score one document's predictions.

    Args:
        gold: each gold content as its fragments.
        sources: each gold attribution's Source fragments (empty when it has none).
        predicted: each predicted ``(start, end, speaker)``.
        text: the text, for the exact match (without it, offsets are compared as given).

    Returns:
        ``jaccard`` and ``exact`` precision/recall/F1, ``speaker`` accuracy, and counts.
    """
    counts = _Counts()
    counts.add(gold, sources, predicted, text)
    return counts.result()


def _quoted(text: str, fragments: Fragments) -> bool:
    return any(mark in text[s:e] for s, e in fragments for mark in '"“”')


def score_documents(
    documents: Sequence[BratDocument], predictions: Sequence[Sequence[Predicted]]
) -> dict[str, Any]:
    """Scores summed over documents (micro-averaged), with recall split by quote marks in gold.

    ``recall_by_form`` separates gold contents that hold a double quote mark
    (``quoted``: direct and mixed speech) from the rest (``unquoted``).
    """
    counts = _Counts()
    form_gold = {True: 0, False: 0}
    form_hits = {True: 0, False: 0}
    for document, found in zip(documents, predictions, strict=True):
        attributions = document.attributions
        counts.add(
            [a.content for a in attributions],
            [a.source for a in attributions],
            found,
            document.text,
        )
        hits = set(counts.matched_gold)
        for index, attribution in enumerate(attributions):
            quoted = _quoted(document.text, attribution.content)
            form_gold[quoted] += 1
            form_hits[quoted] += index in hits
    result = counts.result()
    result["recall_by_form"] = {
        name: {
            "gold": form_gold[flag],
            "recall": round(form_hits[flag] / form_gold[flag], 4) if form_gold[flag] else 0.0,
        }
        for name, flag in (("quoted", True), ("unquoted", False))
    }
    return result


def build_pipeline(settings: Settings) -> Pipeline:
    """Parse, entities, actors (when that stage is installed) and quotes."""
    from newsgraph.stages.entities import EntitiesStage
    from newsgraph.stages.parse import ParseStage
    from newsgraph.stages.quotes import QuotesStage

    stages: list[Stage] = [ParseStage(settings), EntitiesStage(settings)]
    try:
        from newsgraph.stages.actors import ActorsStage
    except ImportError:
        pass
    else:
        stages.append(ActorsStage(settings))
    stages.append(QuotesStage(settings))
    return Pipeline(stages=tuple(stages))


def predictions_of(analysis: Analysis) -> list[Predicted]:
    """The ``(start, end, speaker)`` of each quote of an analysed article."""
    return [
        (
            quote.start,
            quote.end,
            (quote.speaker.start, quote.speaker.end) if quote.speaker else None,
        )
        for quote in analysis.quotes
    ]


def evaluate_quotes(
    path: Path, *, limit: int | None = None, settings: Settings | None = None
) -> dict[str, Any]:
    """Score the quotes stage on a folder of brat-annotated attributions (PolNeAR).

    Args:
        path: a folder of ``.txt``/``.ann`` pairs (PolNeAR's ``text/`` and
            ``attributions/`` layout or brat's own, side by side).
        limit: score only the first ``limit`` texts by name.
        settings: which spaCy pipeline to use (default: the resolved settings).

    Returns:
        JSON-ready figures: ``jaccard`` (lenient) and ``exact`` (strict)
        precision/recall/F1, ``speaker`` accuracy on Jaccard-matched pairs,
        ``baseline_quote_marks`` (:func:`quote_mark_baseline` scored alike),
        ``annotation_files`` (more than ``documents`` when several annotators annotated
        a text: the first file by name counts), ``recall_by_form`` (gold contents with and
        without quote marks), counts of ``documents``, ``gold``, ``predicted``,
        ``matched``, the ``stages`` run, ``seconds`` and ``seconds_by_stage``.

    Raises:
        InputError: when the folder holds no pair or a file cannot be read.
        ConfigError: when the spaCy pipeline is not installed.

    Example::

        >>> data = Path("../shared/data/quotes/polnear/dev")
        >>> evaluate_quotes(data, limit=10)["jaccard"]["f1"]  # doctest: +SKIP
        0.66
    """
    settings = settings or load_settings()
    began = time.perf_counter()
    documents = list(read_brat(path, limit=limit))
    # PolNeAR's agreement texts carry one .ann per annotator; the first by name is scored.
    annotation_files = sum(1 for _ in path.rglob("*.ann"))
    pipeline = build_pipeline(settings)
    report = RunReport(run_id="eval-quotes")
    analyses: list[Analysis] = []
    rejected = 0
    size = max(1, settings.batch_size)
    for first in range(0, len(documents), size):
        batch = [
            Analysis(article=Article.from_text(document.text, origin=document.ann_path))
            for document in documents[first : first + size]
        ]
        done, failed = apply_stages(pipeline, batch, report)
        by_id = {analysis.article.origin: analysis for analysis in done}
        rejected += len(failed)
        analyses.extend(by_id.get(b.article.origin, Analysis(article=b.article)) for b in batch)
    predictions = [predictions_of(analysis) for analysis in analyses]
    result = score_documents(documents, predictions)
    baseline = score_documents(documents, [quote_mark_baseline(d.text) for d in documents])
    return {
        "dataset": str(path),
        "model": settings.spacy_model,
        "stages": pipeline.names,
        "documents": len(documents),
        "annotation_files": annotation_files,
        **result,
        "baseline_quote_marks": {key: baseline[key] for key in ("jaccard", "exact")},
        "baseline_predicted": baseline["predicted"],
        "rejected": rejected,
        "seconds": round(time.perf_counter() - began, 2),
        "seconds_by_stage": {k: round(v, 3) for k, v in report.seconds_by_stage.items()},
    }
