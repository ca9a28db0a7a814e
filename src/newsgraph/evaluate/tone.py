"""Tone toward a target measured on NewsMTSC-format sentences (JSON Lines).

Each line holds one ``sentence_normalized`` and its ``targets``: the character offsets
``from``/``to`` (end exclusive) of one mention and the ``polarity`` of the sentence
toward it (2 negative, 4 neutral, 6 positive). Each sentence is parsed with the
configured spaCy pipeline and every target is scored by the same code the tone stage
uses for one actor mention (:func:`newsgraph.stages.tone_target.target_features`);
``further_mentions`` are not used (annotators labelled the main mention).

Reported, over negative / neutral / positive: macro-F1 (the NewsMTSC measure), accuracy,
per-class precision/recall/F1, the confusion matrix, and two baselines in the same
output: the majority class *of the evaluated file* (a constant guess that knows the
answer's distribution) and a lexicon-only rule (the sign of the negation-aware sum of
positive and negative words in the sentence, target left out). A target whose offsets
cover no token is counted, predicted neutral.

>>> classification_scores(["positive", "negative"], ["positive", "neutral"])["macro_f1"]
0.3333
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsgraph.errors import InputError
from newsgraph.model import Analysis, Article
from newsgraph.pipeline import Pipeline, RunReport, apply_stages
from newsgraph.settings import Settings, load_settings
from newsgraph.stages.tone_lexicon import load_lexicon
from newsgraph.stages.tone_target import (
    LABELS,
    TokenTable,
    lexicon_label,
    load_model,
    target_features,
    token_bounds,
)

#: NewsMTSC's polarity values.
POLARITY_LABELS = {2.0: "negative", 4.0: "neutral", 6.0: "positive"}


@dataclass(frozen=True, slots=True)
class Target:
    """One target mention of a sentence: character offsets (end exclusive) and its label."""

    start: int
    end: int
    mention: str
    label: str


@dataclass(frozen=True, slots=True)
class TargetSentence:
    """One NewsMTSC sentence with its targets."""

    id: str
    text: str
    targets: tuple[Target, ...]


def read_newsmtsc(path: Path, *, limit: int | None = None) -> Iterator[TargetSentence]:
    """Read NewsMTSC-format JSON Lines (the first ``limit`` sentences when given).

    Raises:
        InputError: for a missing file, a bad line, an unknown polarity or offsets that
            do not hold the mention.
    """
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {exc.strerror or exc}", source=str(path)) from exc
    with handle:
        count = 0
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            if limit is not None and count >= limit:
                return
            where = f"line {number}"
            try:
                row = json.loads(line)
                text = row["sentence_normalized"]
                targets = tuple(
                    Target(t["from"], t["to"], t["mention"], POLARITY_LABELS[float(t["polarity"])])
                    for t in row["targets"]
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise InputError(
                    f"not a NewsMTSC record ({type(exc).__name__}: {exc})",
                    source=str(path),
                    record=where,
                    hint="each line needs sentence_normalized and targets with from, to, "
                    "mention and polarity 2.0, 4.0 or 6.0",
                ) from exc
            for target in targets:
                if text[target.start : target.end] != target.mention:
                    raise InputError(
                        f"target {target.mention!r} is not at {target.start}:{target.end}",
                        source=str(path),
                        record=where,
                    )
            count += 1
            yield TargetSentence(str(row.get("primary_gid", number)), text, targets)


def _ratios(tp: int, gold: int, predicted: int) -> dict[str, float]:
    precision = tp / predicted if predicted else 0.0
    recall = tp / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def classification_scores(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Macro-F1 over :data:`LABELS`, accuracy, per-class figures and the confusion matrix.

    ``confusion[gold][predicted]`` counts targets.
    """
    pairs = list(zip(gold, predicted, strict=True))
    per_class: dict[str, dict[str, float]] = {}
    for label in LABELS:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        gold_n = sum(1 for g, _ in pairs if g == label)
        predicted_n = sum(1 for _, p in pairs if p == label)
        per_class[label] = {**_ratios(tp, gold_n, predicted_n), "support": gold_n}
    right = sum(1 for g, p in pairs if g == p)
    counts = Counter(pairs)
    return {
        "macro_f1": round(sum(per_class[label]["f1"] for label in LABELS) / len(LABELS), 4),
        "accuracy": round(right / len(pairs), 4) if pairs else 0.0,
        "per_class": per_class,
        "confusion": {g: {p: counts[(g, p)] for p in LABELS} for g in LABELS},
    }


def evaluate_tone(
    path: Path, *, limit: int | None = None, settings: Settings | None = None
) -> dict[str, Any]:
    """Score tone toward targets on a NewsMTSC-format JSONL file.

    Args:
        path: a NewsMTSC split (e.g. ``devtest_mt.jsonl``).
        limit: score only the first ``limit`` sentences.
        settings: which spaCy pipeline to use (default: the resolved settings).

    Returns:
        JSON-ready figures: ``macro_f1``, ``accuracy``, ``per_class``, ``confusion``,
        ``baselines`` (``majority`` and ``lexicon``, same figures), counts of
        ``sentences``, ``targets`` and ``unaligned`` targets, ``seconds`` and
        ``seconds_by_stage`` (``parse``, and ``tone``: reading the parses and scoring
        with the model and the lexicon baseline).

    Raises:
        InputError: when the file cannot be read or a line is not a NewsMTSC record.
        ConfigError: when the spaCy pipeline or the tone model is not installed.

    Example::

        >>> data = Path("../shared/data/tone/newsmtsc/devtest_mt.jsonl")
        >>> evaluate_tone(data, limit=100)["macro_f1"]  # doctest: +SKIP
        0.6
    """
    from newsgraph.stages.parse import ParseStage

    settings = settings or load_settings()
    began = time.perf_counter()
    sentences = list(read_newsmtsc(path, limit=limit))
    if not sentences:
        raise InputError("no sentence to score", source=str(path))
    model, lexicon = load_model(), load_lexicon()
    pipeline = Pipeline(stages=(ParseStage(settings),))
    report = RunReport(run_id="eval-tone")
    gold: list[str] = []
    predicted: list[str] = []
    by_lexicon: list[str] = []
    unaligned = 0
    size = max(1, settings.batch_size)
    for first in range(0, len(sentences), size):
        chunk = sentences[first : first + size]
        batch = [Analysis(article=Article.from_text(s.text, language="en")) for s in chunk]
        done, _ = apply_stages(pipeline, batch, report)
        scoring = time.perf_counter()
        for sentence, analysis in zip(chunk, done, strict=True):
            table = TokenTable.of(analysis.doc, lexicon)
            for target in sentence.targets:
                gold.append(target.label)
                bounds = token_bounds(analysis.doc, target.start, target.end)
                if bounds is None:
                    unaligned += 1
                    predicted.append("neutral")
                    by_lexicon.append("neutral")
                    continue
                predicted.append(model.label(target_features(table, *bounds)))
                by_lexicon.append(lexicon_label(table, *bounds))
        report.add_time("tone", time.perf_counter() - scoring)
    majority = Counter(gold).most_common(1)[0][0]
    baseline = classification_scores(gold, [majority] * len(gold))
    return {
        "dataset": str(path),
        "model": settings.spacy_model,
        "tone_model": model.version,
        "sentences": len(sentences),
        "targets": len(gold),
        "unaligned": unaligned,
        **classification_scores(gold, predicted),
        "baselines": {
            "majority": {"label": majority, **baseline},
            "lexicon": classification_scores(gold, by_lexicon),
        },
        "seconds": round(time.perf_counter() - began, 2),
        "seconds_by_stage": {k: round(v, 3) for k, v in report.seconds_by_stage.items()},
    }
