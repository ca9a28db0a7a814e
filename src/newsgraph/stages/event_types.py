"""Event types learnt from labelled sentences: which PLOVER type a candidate trigger codes.

The events stage finds candidate triggers for recall: the verbs and event nouns of the
lexicon (:mod:`newsgraph.stages.event_lexicon`) and the verbs that head a clause. This
module decides, for precision, what each candidate codes: one of the 16 PLOVER types, or
``none`` when the word is not a political event here ("Nadal beat Roddick", "shares
fell", "offered $5 a share", "said").

The decision is a multinomial logistic regression trained by
``training/train_events.py`` on real sentences with gold PLOVER types (Zero-Shot-PLOVER,
the PLOVER gold-standard records, CASE 2021) and on sentences from non-political news
sections as ``none``. Training and the stage featurise a trigger with the same
function, :func:`trigger_features`: the trigger's lemma and word, its particle,
prepositions and object, its dependency and head, negation and modal verbs, the words
around it, what the lexicon codes it as, and the sentence's content words. Features are
hashed (CRC-32) into :data:`BUCKETS` rows; run time needs numpy only.

>>> model = EventTypeModel.load()  # doctest: +SKIP
>>> model.labels[-1]  # doctest: +SKIP
'none'
"""

from __future__ import annotations

import functools
import hashlib
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from newsgraph.errors import ConfigError

MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "event_types.npz"
#: The label for a candidate that codes no political event.
NONE = "none"
#: Hashed feature rows (a power of two).
BUCKETS = 1 << 18
#: Parts of speech whose lemmas stand for the sentence's content.
_CONTENT = frozenset({"NOUN", "VERB", "ADJ", "PROPN", "ADV"})
#: Dependencies that carry a clause's modality ("will", "not", "refused to").
_MODAL = frozenset({"will", "would", "shall", "may", "might", "could", "can", "should", "must"})
#: The probability of ``none`` from which a word the lexicon lists is no event. The two
#: thresholds were chosen on realnews_dev (docs/events.md); on the training fold 0.7 to 0.9
#: balance kept events and dropped non-political ones alike (``training/train_events.py``).
LISTED_NONE_THRESHOLD = 0.95
#: The same for a verb the lexicon lacks: it must be a surer event.
UNLISTED_NONE_THRESHOLD = 0.3
#: How many words on each side of the trigger are features.
WINDOW = 3


def _norm(token: Any) -> str:
    """A token as a feature word: names by entity type, numbers as ``<num>``."""
    if token.like_num:
        return "<num>"
    if token.ent_type_ in ("PERSON", "GPE", "NORP", "ORG", "LOC", "FAC"):
        return f"<{token.ent_type_.lower()}>"
    return str(token.lemma_.lower())


def trigger_features(token: Any, lexicon_type: str | None) -> list[str]:
    """The features of a candidate trigger ``token`` (a spaCy token) in its sentence.

    Args:
        token: the trigger's head word.
        lexicon_type: the PLOVER type the lexicon gives it, ``None`` when it is not listed.
    """
    lemma = token.lemma_.lower()
    features = [
        f"l={lemma}",
        f"w={token.lower_}",
        f"pos={token.pos_}",
        f"dep={token.dep_}",
        f"tag={token.tag_}",
        f"lex={lexicon_type or '-'}",
        f"lex+l={lexicon_type or '-'}|{lemma}",
        f"head={token.head.lemma_.lower()}",
        f"dep+head={token.dep_}|{token.head.lemma_.lower()}",
        f"l+dep={lemma}|{token.dep_}",
    ]
    for child in token.children:
        dep = child.dep_
        word = _norm(child)
        if dep in ("neg",):
            features += ["neg", f"neg+l={lemma}"]
        elif dep in ("aux", "auxpass") and child.lower_ in _MODAL:
            features += [f"modal={child.lower_}", f"modal+l={lemma}"]
        elif dep == "prt":
            features.append(f"l+prt={lemma}_{word}")
        elif dep == "prep":
            features.append(f"l+prep={lemma}_{word}")
            for grand in child.children:
                if grand.dep_ == "pobj":
                    features.append(f"l+prep+obj={lemma}_{word}_{_norm(grand)}")
        elif dep in ("dobj", "attr", "nsubjpass"):
            features += [f"l+obj={lemma}_{word}", f"obj={word}"]
        elif dep in ("nsubj", "poss"):
            features += [f"subj={word}", f"l+subj={lemma}_{word}"]
        elif dep in ("xcomp", "ccomp"):
            features += [f"l+comp={lemma}_{word}", f"comp={word}"]
        elif dep in ("amod", "compound"):
            features.append(f"mod={word}")
    if token.dep_ in ("xcomp", "ccomp", "dobj", "pobj"):
        features.append(f"under={token.head.lemma_.lower()}")
        if any(c.dep_ == "neg" for c in token.head.children):
            features.append("head_neg")
    sentence = token.sent
    for offset in range(1, WINDOW + 1):
        for sign, position in (("-", token.i - offset), ("+", token.i + offset)):
            if sentence.start <= position < sentence.end:
                features.append(f"w{sign}{offset}={_norm(token.doc[position])}")
    for word in sentence:
        if word.pos_ in _CONTENT and word.i != token.i and not word.is_stop:
            features.append(f"s={_norm(word)}")
    return features


def bucket(feature: str) -> int:
    """The weight row of a feature (stable across runs and machines)."""
    return zlib.crc32(feature.encode("utf-8")) & (BUCKETS - 1)


def feature_rows(features: Sequence[str]) -> list[int]:
    """The distinct weight rows of ``features``."""
    return sorted({bucket(feature) for feature in features})


@dataclass(frozen=True)
class EventTypeModel:
    """A linear model over hashed trigger features: a probability per PLOVER type and none."""

    labels: tuple[str, ...]
    weights: NDArray[np.float32]  # BUCKETS × labels
    bias: NDArray[np.float32]
    meta: dict[str, Any] = field(default_factory=dict)

    def probabilities(self, features: Sequence[str]) -> NDArray[np.float64]:
        """The probability of every label (in :attr:`labels` order) for ``features``."""
        rows = feature_rows(features)
        scores = self.weights[rows].sum(axis=0, dtype=np.float64) + self.bias
        scores -= scores.max()
        exp = np.exp(scores)
        result: NDArray[np.float64] = exp / exp.sum()
        return result

    def predict(self, token: Any, lexicon_type: str | None) -> tuple[str, float]:
        """The label of a candidate trigger and the probability that it is an event.

        Whether it is an event and which type it is are two decisions: ``none`` when its
        probability reaches :data:`LISTED_NONE_THRESHOLD` for a word the lexicon lists,
        :data:`UNLISTED_NONE_THRESHOLD` for one it lacks. Else the type: the model's
        probabilities of the types, scaled by its probability that this is an event, plus
        the rest (the probability of ``none``) for the lexicon's type — so the model
        overrides the lexicon only as far as it is sure of an event."""
        probabilities = self.probabilities(trigger_features(token, lexicon_type))
        no_event = self.labels.index(NONE)
        event = float(1.0 - probabilities[no_event])
        threshold = LISTED_NONE_THRESHOLD if lexicon_type else UNLISTED_NONE_THRESHOLD
        if 1.0 - event >= threshold:
            return NONE, event
        # The model's type weighs as much as its belief that this is an event; the rest
        # goes to the lexicon's type.
        scores = probabilities.copy()
        scores[no_event] = 0.0
        scores *= event / max(float(scores.sum()), 1e-12)
        if lexicon_type in self.labels:
            scores[self.labels.index(lexicon_type)] += 1.0 - event
        return self.labels[int(scores.argmax())], event

    @property
    def training_files(self) -> dict[str, str]:
        """SHA-256 → name of the data files the model was trained on (a held-out part of
        each excepted, see :func:`is_held_out`)."""
        return dict(self.meta.get("training_files", {}))

    @classmethod
    @functools.cache
    def load(cls, path: Path = MODEL_PATH) -> EventTypeModel:
        """Load the shipped model once per process.

        Raises:
            ConfigError: when the model file is missing or unreadable.
        """
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(bytes(data["meta"].tobytes()).decode("utf-8"))
                weights = np.zeros((BUCKETS, len(meta["labels"])), dtype=np.float32)
                weights[data["rows"]] = data["weights"].astype(np.float32)
                return cls(
                    labels=tuple(meta["labels"]),
                    weights=weights,
                    bias=data["bias"].astype(np.float32),
                    meta=meta,
                )
        except (OSError, KeyError, ValueError) as exc:
            raise ConfigError(
                f"cannot load the event type model {path}: {exc}",
                hint="reinstall newsgraph, or rebuild it with training/train_events.py",
            ) from exc


def save_model(
    path: Path, labels: Sequence[str], weights: Any, bias: Any, meta: dict[str, Any]
) -> None:
    """Store a trained model compactly: only the rows with a weight, as float16."""
    dense = np.asarray(weights, dtype=np.float32)
    rows = np.flatnonzero(np.abs(dense).max(axis=1) >= 1e-3).astype(np.int32)
    blob = json.dumps({**meta, "labels": list(labels)}, sort_keys=True).encode("utf-8")
    np.savez_compressed(
        path,
        rows=rows,
        weights=dense[rows].astype(np.float16),
        bias=np.asarray(bias, dtype=np.float32),
        meta=np.frombuffer(blob, dtype=np.uint8),
    )


def is_held_out(text: str, share: int = 25) -> bool:
    """Whether a training text belongs to the part never trained on (``share`` in 100).

    The part is fixed by the text itself: the first 4 bytes of
    ``sha256("newsgraph-events:" + text)``, big-endian, modulo 100, below ``share``.

    >>> is_held_out("Iran condemned the decision.") in (True, False)
    True
    """
    digest = hashlib.sha256(f"newsgraph-events:{text.strip()}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < share
