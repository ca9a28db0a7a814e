"""Train the events stage's type model (``src/newsgraph/models/event_types.npz``).

Reads the labelled event data under ``../shared/data`` (never copied into the
repository), finds the events stage's own candidate triggers in every sentence, labels
them, and fits a multinomial logistic regression over the hashed features of
:func:`newsgraph.stages.event_types.trigger_features`. See ``training/README.md``
(data card) for the data, the labelling and the figures.

    .venv/bin/python training/train_events.py --data ../shared/data

Needs the ``train`` extra (scikit-learn).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from newsgraph.evaluate.event_readers import read_case2021, read_plover_gsr, read_zsp
from newsgraph.evaluate.events import CASE_TYPES, PLOVER_TYPES, gsr_type
from newsgraph.settings import load_settings
from newsgraph.stages.event_lexicon import TriggerLexicon, cameo_codes
from newsgraph.stages.event_types import (
    BUCKETS,
    MODEL_PATH,
    NONE,
    bucket,
    is_held_out,
    save_model,
    trigger_features,
)
from newsgraph.stages.events import candidate_triggers
from newsgraph.stages.parse import load_model

LABELS = (*PLOVER_TYPES, NONE)
#: BBC sections whose sentences are negatives (no political event), with their weight:
#: sport is never political here; business, tech and arts news sometimes are.
NEGATIVE_SECTIONS = {"sport": 1.0, "business": 0.5, "entertainment": 0.7, "tech": 0.5}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Example:
    """One candidate trigger: its features, label, weight and where it came from."""

    features: list[str]
    label: str
    weight: float
    source: str
    text: str = ""


@dataclass
class Sentence:
    """A labelled text and how to find its event's trigger (for training only)."""

    text: str
    label: str
    source: str
    weight: float = 1.0
    anchor_spans: tuple[tuple[int, int], ...] = ()  # gold argument spans (ZSP)
    anchor_words: frozenset[str] = frozenset()  # gold event words (GSR)


def in_fold(text: str) -> bool:
    """Whether a training text is in the fold that chooses C (a fifth, by its own hash)."""
    digest = hashlib.sha256(f"newsgraph-events-fold:{text.strip()}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < 20


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def zsp_sentences(path: Path, weight: float = 1.0) -> list[Sentence]:
    """PLV_train rows outside the held-out part; the label is the gold root (YIELD: see
    :func:`yield_label`), the anchors the marked target and source."""
    found = []
    for row in read_zsp(path):
        if is_held_out(row.text):
            continue
        spans = tuple(span for span in (row.target_span, row.source_span) if span)
        found.append(Sentence(row.text, row.root, "zsp", weight, anchor_spans=spans))
    return found


def gsr_sentences(path: Path) -> list[Sentence]:
    found = []
    for record in read_plover_gsr(path):
        if is_held_out(record.text):
            continue
        words = frozenset(w.lower() for w in re.findall(r"\w+", record.event_text))
        found.append(Sentence(record.text, gsr_type(record.event), "gsr", 1.0, anchor_words=words))
    return found


def case_sentences(path: Path) -> list[Sentence]:
    """CASE 2021 snippets outside the held-out part; disasters are ``none``, the other
    unmappable subtypes are left out."""
    found = []
    for snippet in read_case2021(path):
        if is_held_out(snippet.text):
            continue
        mapped = CASE_TYPES[snippet.subtype]
        if mapped.plover is not None:
            found.append(Sentence(snippet.text, mapped.plover, "case", 0.7))
        elif snippet.subtype in ("NATURAL_DISASTER", "MAN_MADE_DISASTER"):
            found.append(Sentence(snippet.text, NONE, "case", 0.7))
    return found


def synthetic_sentences(folder: Path, limit: int) -> list[Sentence]:
    """The first sentence of machine-written stories (pseudo-labels: lower weight)."""
    found = []
    with (folder / "gpt_synthetic_events_2023-10-19_19.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    random.Random(14).shuffle(rows)
    for row in rows[:limit]:
        first = re.split(r"(?<=[.!?])\s+", row["text"].strip(), maxsplit=1)[0]
        found.append(Sentence(first, row["label"].upper(), "synthetic", 0.4))
    return found


def negative_sentences(path: Path, articles: int) -> list[Sentence]:
    """Sentences of BBC sport, business, arts and tech stories, all ``none``."""
    by_section: dict[str, list[dict[str, Any]]] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            by_section.setdefault(item["section"], []).append(item)
    found = []
    for section, weight in NEGATIVE_SECTIONS.items():
        items = sorted(by_section.get(section, []), key=lambda item: item["id"])
        random.Random(18).shuffle(items)
        for item in items[:articles]:
            if is_held_out(item["id"]):
                continue
            text = "\n\n".join(p for p in item["text"].split("\n") if p.strip())[:3000]
            found.append(Sentence(text, NONE, f"bbc-{section}", weight))
    return found


def _anchor(sentence: Sentence, doc: Any, candidates: dict[int, Any]) -> Any | None:
    """The candidate that carries a labelled sentence's event (training only: gold
    arguments and event words may point at it here, never at run time)."""
    for start, end in sentence.anchor_spans:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or not len(span):
            continue
        node = span.root
        for _ in range(8):
            if node.i in candidates and node.i not in range(span.start, span.end):
                return candidates[node.i]
            if node.head is node:
                break
            node = node.head
    if sentence.anchor_words:
        for token, _trigger, _lexicon in candidates.values():
            if (
                token.lower_ in sentence.anchor_words
                or token.lemma_.lower() in sentence.anchor_words
            ):
                return candidates[token.i]
    # The candidate the lexicon already codes with the gold type, nearest the root.
    same = [c for c in candidates.values() if c[2] == sentence.label]
    if same:
        return min(same, key=lambda c: _depth(c[0]))
    # No fallback to the main verb: a story's first sentence often reports its event with
    # a verb of saying or asking ("urged ... to ease"), which would learn the story's type.
    return None


def _depth(token: Any) -> int:
    depth = 0
    while token.head is not token and depth < 50:
        token, depth = token.head, depth + 1
    return depth


def yield_label(label: str, lexicon_type: str | None) -> str:
    """ZSP's YIELD is PLOVER's CONCEDE (verbal) or RETREAT (material): RETREAT when the
    lexicon codes the trigger as one, else CONCEDE."""
    if label != "YIELD":
        return label
    return "RETREAT" if lexicon_type == "RETREAT" else "CONCEDE"


def parse_all(sentences: Sequence[Sentence], nlp: Any, cache: Path | None) -> list[Any]:
    """spaCy docs of the texts, parsed once and kept in ``cache`` (keyed by model and texts)."""
    from spacy.tokens import DocBin

    texts = [s.text for s in sentences]
    key = hashlib.sha256("\x00".join([nlp.meta["name"], *texts]).encode()).hexdigest()[:16]
    path = cache / f"event-docs-{key}.spacy" if cache else None
    if path is not None and path.is_file():
        log(f"reading parses from {path}")
        return list(DocBin().from_disk(path).get_docs(nlp.vocab))
    docs = list(nlp.pipe(texts, batch_size=32))
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        DocBin(store_user_data=False, docs=docs).to_disk(path)
    return docs


def examples_of(sentences: Sequence[Sentence], nlp: Any, cache: Path | None) -> list[Example]:
    """Label the stage's candidates in every sentence.

    A sentence with a type: its anchor candidate takes the type; verbs the lexicon does
    not list take ``none`` (0.3 of its weight); other lexicon candidates are left out (they
    may be events the gold does not label). A ``none`` text: every candidate is ``none``.
    """
    examples: list[Example] = []
    table, codes = TriggerLexicon.load(), cameo_codes()
    missed = Counter[str]()
    for sentence, doc in zip(sentences, parse_all(sentences, nlp, cache), strict=True):
        candidates: dict[int, tuple[Any, Any, str | None]] = {}
        for sent in doc.sents:
            for token, trigger in candidate_triggers(sent, table):
                listed = codes[trigger.code].plover_type if trigger else None
                candidates[token.i] = (token, trigger, listed)
        if sentence.label == NONE:
            for token, _trigger, lexicon in candidates.values():
                examples.append(
                    Example(
                        trigger_features(token, lexicon),
                        NONE,
                        sentence.weight,
                        sentence.source,
                        sentence.text,
                    )
                )
            continue
        anchor = _anchor(sentence, doc, candidates)
        if anchor is None:
            missed[sentence.source] += 1
            continue
        for token, trigger, lexicon in candidates.values():
            if token.i == anchor[0].i:
                label = yield_label(sentence.label, lexicon)
                examples.append(
                    Example(
                        trigger_features(token, lexicon),
                        label,
                        sentence.weight,
                        sentence.source,
                        sentence.text,
                    )
                )
            elif trigger is None and token.sent == anchor[0].sent:
                examples.append(
                    Example(
                        trigger_features(token, lexicon),
                        NONE,
                        0.3 * sentence.weight,
                        sentence.source,
                        sentence.text,
                    )
                )
    log(f"sentences without an anchor (left out): {dict(missed)}")
    return examples


def matrix(examples: Sequence[Example]) -> sparse.csr_matrix:
    rows, cols = [], []
    for number, example in enumerate(examples):
        found = sorted({bucket(f) for f in example.features})
        rows += [number] * len(found)
        cols += found
    data = np.ones(len(rows), dtype=np.float32)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(examples), BUCKETS))


def fit(examples: Sequence[Example], c: float) -> LogisticRegression:
    labels = np.array([LABELS.index(e.label) for e in examples])
    weights = np.array([e.weight for e in examples])
    # The none class is as heavy in total as all the types together.
    none = labels == LABELS.index(NONE)
    if none.any() and (~none).any():
        weights[none] *= weights[~none].sum() / weights[none].sum()
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit(matrix(examples), labels, sample_weight=weights)
    return model


def full_weights(model: LogisticRegression) -> tuple[np.ndarray, np.ndarray]:
    """Weights and bias over all labels (a label absent from training scores -inf)."""
    weights = np.zeros((BUCKETS, len(LABELS)), dtype=np.float32)
    bias = np.full(len(LABELS), -30.0, dtype=np.float32)
    for column, label in enumerate(model.classes_):
        weights[:, label] = model.coef_[column]
        bias[label] = model.intercept_[column]
    return weights, bias


def accuracy(model: LogisticRegression, examples: Sequence[Example], source: str) -> float:
    """The share of ``source``'s typed candidates whose most probable type (none aside)
    is the gold one."""
    chosen = [e for e in examples if e.source == source and e.label != NONE]
    if not chosen:
        return 0.0
    probabilities = model.predict_proba(matrix(chosen))
    classes = list(model.classes_)
    probabilities[:, classes.index(LABELS.index(NONE))] = -1.0
    best = [LABELS[classes[i]] for i in probabilities.argmax(axis=1)]
    return float(np.mean([b == e.label for b, e in zip(best, chosen, strict=True)]))


def choose_threshold(model: LogisticRegression, examples: Sequence[Example]) -> float:
    """The ``none`` probability from which a candidate is dropped: the one that best
    balances keeping typed candidates and dropping those of non-political news."""
    events = [e for e in examples if e.label != NONE]
    others = [e for e in examples if e.label == NONE and e.source.startswith("bbc")]
    column = list(model.classes_).index(LABELS.index(NONE))
    kept = model.predict_proba(matrix(events))[:, column]
    dropped = model.predict_proba(matrix(others))[:, column]
    best, best_score = 0.5, -1.0
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        score = float(np.mean(kept < threshold) + np.mean(dropped >= threshold)) / 2
        log(f"none threshold {threshold}: balanced accuracy {score:.3f}")
        if score > best_score:
            best, best_score = threshold, score
    return best


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument(
        "--cache", type=Path, default=Path("/tmp/newsgraph-train"), help="where parses are kept"
    )
    parser.add_argument("--c", type=float, nargs="+", default=[1.0])
    parser.add_argument("--zsp-weight", type=float, default=2.5, help="weight of ZSP rows")
    parser.add_argument("--synthetic", type=int, default=3000, help="synthetic stories used")
    parser.add_argument("--negatives", type=int, default=120, help="BBC articles per section")
    args = parser.parse_args(list(argv) if argv is not None else None)
    events = args.data / "events"
    files = {
        "zsp": events / "zsp" / "PLV_train.tsv",
        "gsr": events / "plover" / "plover_gsr_dev.json",
        "case": events / "case2021" / "case2021_task2_dev.tsv",
        "bbc": args.data / "news" / "bbc.jsonl",
    }
    settings = load_settings()
    nlp = load_model(settings.spacy_model)
    sentences = (
        zsp_sentences(files["zsp"], args.zsp_weight)
        + gsr_sentences(files["gsr"])
        + case_sentences(files["case"])
        + synthetic_sentences(events / "synthetic", args.synthetic)
        + negative_sentences(files["bbc"], args.negatives)
    )
    log(f"{len(sentences)} texts: {dict(Counter(s.source for s in sentences))}")
    examples = examples_of(sentences, nlp, args.cache)
    log(f"{len(examples)} candidates: {dict(Counter(e.label for e in examples))}")
    # C is chosen on a fold of the training part (by text hash, never the held-out part).
    fold = [in_fold(e.text) for e in examples]
    inner = [e for e, f in zip(examples, fold, strict=True) if not f]
    check = [e for e, f in zip(examples, fold, strict=True) if f]
    scores, models = {}, {}
    for c in args.c:
        model = models[c] = fit(inner, c)
        scores[c] = accuracy(model, check, "zsp")
        log(f"C={c}: ZSP anchor accuracy on the inner fold {scores[c]:.3f}")
    best = max(scores, key=lambda c: scores[c])
    threshold = choose_threshold(models[best], check)
    model = fit(examples, best)
    weights, bias = full_weights(model)
    meta = {
        "name": f"event-types-{time.strftime('%Y-%m-%d')}",
        "c": best,
        "zsp_weight": args.zsp_weight,
        "synthetic": args.synthetic,
        "negatives": args.negatives,
        "none_threshold": threshold,
        "inner_fold_zsp_anchor_accuracy": {str(c): round(s, 4) for c, s in scores.items()},
        "examples": dict(Counter(e.label for e in examples)),
        "texts": dict(Counter(s.source for s in sentences)),
        "held_out": "sha256('newsgraph-events:' + text)[:4] % 100 < 25 (is_held_out)",
        "training_files": {sha256(path): name for name, path in files.items()},
        "spacy_model": settings.spacy_model,
    }
    save_model(args.out, LABELS, weights, bias, meta)
    log(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB), C={best}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
