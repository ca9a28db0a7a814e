"""Named-entity recognition measured on CoNLL-2003 with the configured spaCy pipeline.

The spaCy pipeline predicts OntoNotes labels; :data:`LABEL_MAP` maps them to the four
CoNLL labels, and labels absent from it (DATE, TIME, CARDINAL, ORDINAL, QUANTITY,
MONEY, PERCENT) are dropped. The two schemes do not match exactly, and the figures
carry the difference (counts from ``eng.testa``):

- sports clubs named after places ("Somerset", "Derbyshire") are CoNLL ORG but
  spaCy calls them GPE or PERSON: about 220 gold ORG spans are found with another
  label, and some 735 are not found with the same boundaries at all;
- nationalities ("Israeli", "West Indian") are CoNLL MISC and OntoNotes NORP, mapped
  right; but "Czech" as a place name is CoNLL LOC, and NORP always becomes MISC;
- CoNLL MISC also holds competitions and titles ("UEFA Cup") that spaCy calls ORG,
  and FAC (stadiums, "Trent Bridge") becomes LOC where CoNLL sometimes has ORG;
- all-capital headlines ("LEICESTERSHIRE TAKE OVER AT TOP") are mostly missed.

Each document's text is rebuilt from its tokens (one space between tokens, a newline
between sentences; see :mod:`newsgraph.evaluate.conll`) and parsed whole, as
newsgraph parses an article. Sentence by sentence gives the same F1 within 0.001
(spaCy's NER looks a few tokens either side), so documents are used: it is what the
pipeline does. Scoring is conlleval's: a predicted entity counts only when its
character span and its label both match a gold entity exactly.

A trivial baseline is scored beside it in the same run (:func:`capitalised_baseline`):
every run of capitalised tokens (a sentence's first word only when the next is
capitalised too) is an entity of the label most frequent in the scored gold.

>>> scores(gold=[(0, 5, "PER")], predicted=[(0, 5, "PER"), (9, 14, "LOC")])["f1"]
0.6667
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from newsgraph.evaluate.conll import Document, read_conll
from newsgraph.settings import Settings, load_settings
from newsgraph.stages.parse import load_model

#: OntoNotes (spaCy) label → CoNLL-2003 label; labels not listed are not CoNLL entities.
LABEL_MAP: dict[str, str] = {
    "PERSON": "PER",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "NORP": "MISC",
    "EVENT": "MISC",
    "PRODUCT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
}
LABELS = ("PER", "ORG", "LOC", "MISC")

Span = tuple[int, int, str]


def _ratios(tp: int, gold: int, predicted: int) -> dict[str, float | int]:
    precision = tp / predicted if predicted else 0.0
    recall = tp / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "true_positives": tp,
        "gold": gold,
        "predicted": predicted,
    }


def scores(*, gold: Iterable[Span], predicted: Iterable[Span]) -> dict[str, Any]:
    """Return exact-match precision, recall and F1, micro-averaged and per label.

    Spans are ``(start, end, label)``; each must match in all three to count.
    Duplicates count once.
    """
    gold_set, predicted_set = set(gold), set(predicted)
    hits = gold_set & predicted_set
    result: dict[str, Any] = _ratios(len(hits), len(gold_set), len(predicted_set))
    by_gold = Counter(label for _, _, label in gold_set)
    by_predicted = Counter(label for _, _, label in predicted_set)
    by_hit = Counter(label for _, _, label in hits)
    labels = [*LABELS, *sorted((set(by_gold) | set(by_predicted)) - set(LABELS))]
    result["per_label"] = {
        label: _ratios(by_hit[label], by_gold[label], by_predicted[label]) for label in labels
    }
    return result


def predict(nlp: Any, documents: list[Document], *, batch_size: int = 32) -> list[list[Span]]:
    """Run ``nlp`` over each document's text; return its entities in CoNLL labels."""
    found: list[list[Span]] = []
    for doc in nlp.pipe((document.text for document in documents), batch_size=batch_size):
        found.append(
            [
                (ent.start_char, ent.end_char, LABEL_MAP[ent.label_])
                for ent in doc.ents
                if ent.label_ in LABEL_MAP
            ]
        )
    return found


def capitalised_baseline(document: Document, label: str) -> list[Span]:
    """Runs of capitalised tokens as entities of ``label``; no model.

    A sentence's first token joins a run only when the token after it is capitalised.

    >>> from newsgraph.evaluate.conll import Sentence
    >>> words = ("Officials", "met", "Ann", "Lee", "in", "Paris")
    >>> capitalised_baseline(Document.build([Sentence(words, ("O",) * 6)]), "PER")
    [(14, 21, 'PER'), (25, 30, 'PER')]
    """
    found: list[Span] = []
    for sentence, spans in zip(document.sentences, document.offsets, strict=True):
        capital = [token[:1].isupper() for token in sentence.tokens]
        if capital and len(capital) > 1 and not capital[1]:
            capital[0] = False
        first: int | None = None
        for index, on in enumerate([*capital, False]):
            if on and first is None:
                first = index
            elif not on and first is not None:
                found.append((spans[first][0], spans[index - 1][1], label))
                first = None
    return found


def _corpus_spans(documents: list[Document], spans: list[list[Span]]) -> list[Span]:
    """Shift each document's spans by the length of the texts before it, so none collide."""
    shifted: list[Span] = []
    base = 0
    for document, found in zip(documents, spans, strict=True):
        shifted.extend((base + start, base + end, label) for start, end, label in found)
        base += len(document.text) + 1
    return shifted


def evaluate_ner(
    path: Path, *, limit: int | None = None, settings: Settings | None = None
) -> dict[str, Any]:
    """Score the configured spaCy pipeline's NER on a CoNLL-2003 file.

    Args:
        path: a CoNLL-2003 file (IOB1 or IOB2, with or without ``-DOCSTART-``).
        limit: score only the first ``limit`` documents.
        settings: which spaCy pipeline to use (default: the resolved settings).

    Returns:
        JSON-ready figures: ``precision``, ``recall``, ``f1`` (micro), ``per_label``,
        counts of ``documents``, ``sentences``, ``tokens``, ``gold_entities`` and
        ``predicted_entities``, ``baseline_capitalised`` (:func:`capitalised_baseline`
        scored alike), the ``model``, ``label_map`` and ``seconds`` taken.

    Raises:
        InputError: when the file cannot be read or is not CoNLL.
        ConfigError: when the spaCy pipeline is not installed.

    Example::

        >>> data = Path("../shared/data/ner/conll2003/eng.testa")
        >>> evaluate_ner(data, limit=5)["f1"]  # doctest: +SKIP
        0.71
    """
    settings = settings or load_settings()
    began = time.perf_counter()
    documents = read_conll(path)
    if limit is not None:
        documents = documents[:limit]
    nlp = load_model(settings.spacy_model)
    predicted = predict(nlp, documents, batch_size=settings.batch_size)
    gold = [document.entities() for document in documents]
    result = scores(
        gold=_corpus_spans(documents, gold), predicted=_corpus_spans(documents, predicted)
    )
    del result["gold"], result["predicted"]  # reported as gold_ and predicted_entities
    labels = Counter(label for found in gold for _, _, label in found)
    majority = min(labels, key=lambda name: (-labels[name], name)) if labels else "PER"
    guessed = [capitalised_baseline(document, majority) for document in documents]
    baseline = scores(
        gold=_corpus_spans(documents, gold), predicted=_corpus_spans(documents, guessed)
    )
    return {
        "dataset": str(path),
        "model": settings.spacy_model,
        "documents": len(documents),
        "sentences": sum(len(document.sentences) for document in documents),
        "tokens": sum(len(s.tokens) for document in documents for s in document.sentences),
        "gold_entities": sum(map(len, gold)),
        "predicted_entities": sum(map(len, predicted)),
        **result,
        "baseline_capitalised": {
            "label": majority,
            **{k: baseline[k] for k in ("precision", "recall", "f1")},
        },
        "label_map": dict(LABEL_MAP),
        "seconds": round(time.perf_counter() - began, 2),
    }
