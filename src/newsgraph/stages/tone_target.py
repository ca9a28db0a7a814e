"""Sentiment of a sentence toward one of the people or groups it mentions.

A linear model (multinomial logistic regression, trained by ``training/train_tone.py``
on NewsMTSC) reads features of the sentence *relative to the target* from the spaCy
parse, so that "A praised B" and "A attacked B" give A and B different tones. There is
no bag of the whole sentence: every word feature says where the word stands from the
target.

- **words** within four tokens left and right of the target (``l:``/``r:``), within two
  dependency edges of it (``t:``), inside the target's own phrase (``m:`` modifiers,
  appositions, relative clauses: "X, a convicted fraudster") and in the clause of the
  verb that governs it (``c:``); the target's own descriptive words (``in:``, "the
  *disgraced* senator", "the *usurping* Zionists");
- **syntax**: the target's dependency role, the word it depends on (through a
  preposition: ``gov:pobj:of:crime``) and the governing verb with the role the
  target's branch plays there (``v:nsubj:praise``, ``v:nsubjpass:arrest``);
- **lexicon** (:mod:`newsgraph.stages.tone_lexicon`): positive and negative words in
  the sentence, near the target, in its phrase, in its clause and by distance in the
  tree, each turned by a negation before it ("not", "never", a ``neg`` dependent); the
  polarity of the governing verb and of the governing word crossed with the target's
  role (the agent of a harsh act and its victim differ);
- **attribution**: the target is the subject of a reporting verb (a speaker), stands
  inside quote marks, or is a pronoun.

Names never become word features (capitalised proper nouns and named-entity words are
written ``<name>``), so the model cannot learn that a particular politician is liked or
disliked: it scores wording, not people. The target's names are left out too.

Scoring needs only numpy: the weights are a JSON file in ``newsgraph/models``.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from newsgraph.errors import ConfigError
from newsgraph.stages.tone_lexicon import ToneCounts, ToneLexicon, is_name, is_word

MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "tone.json"
LABELS = ("negative", "neutral", "positive")
#: Bumped whenever the features change; the model file records the one it was trained on.
FEATURES_VERSION = 1
WINDOW = 4
REPORTING_VERBS = frozenset(
    {
        *("say", "tell", "add", "state", "claim", "announce", "write", "insist", "argue"),
        *("explain", "note", "warn", "tweet", "declare", "respond", "reply", "assert"),
        *("contend", "maintain", "suggest", "acknowledge", "admit", "deny"),
    }
)
_QUOTE_MARKS = frozenset('"“”')
_KEEP_PUNCT = frozenset("!?")
_SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj", "expl"})


_VERBS = frozenset({"VERB", "AUX"})
_PASS_THROUGH = frozenset({"prep", "pobj", "conj", "cc", "appos", "compound", "poss"})
_NEGATED_THROUGH_HEAD = frozenset({"acomp", "dobj", "attr", "xcomp"})
_NOT_DESCRIPTIVE = frozenset({"DET", "PRON", "ADP"})


@dataclass(frozen=True, slots=True)
class TokenTable:
    """What the tone features need of each token of a parsed ``Doc``, read in one pass.

    Reading spaCy tokens is the slow part of scoring; an article's actors share its
    sentences, so the table is built once per article and every mention reads lists.
    ``polarity`` is negation-aware (for targets); ``counts`` is plain (GDELT's article
    tone). A subtree is the stretch from a token's left edge to its right edge.
    """

    keys: list[str | None]
    polarity: list[int]
    heads: list[int]
    deps: list[str]
    pos: list[str]
    left: list[int]
    right: list[int]
    quote: list[bool]
    sent_start: list[int]
    sent_end: list[int]
    counts: ToneCounts

    @classmethod
    def of(cls, doc: Any, lexicon: ToneLexicon) -> TokenTable:
        """Read every token of ``doc`` once."""
        size = len(doc)
        keys: list[str | None] = [None] * size
        plain = [0] * size
        negator = [False] * size
        # heads from one array (spaCy stores offsets); reading token.head is much slower
        offsets = doc.to_array("HEAD").astype(np.int64) if size else np.zeros(0, np.int64)
        heads: list[int] = (np.arange(size, dtype=np.int64) + offsets).tolist()
        deps, pos, quote = [""] * size, [""] * size, [False] * size
        words = activity = self_group = 0
        for token in doc:
            i, text = token.i, token.text
            deps[i], pos[i] = token.dep_, token.pos_
            quote[i] = text in _QUOTE_MARKS
            if token.is_space or (token.is_punct and text not in _KEEP_PUNCT):
                continue
            lower, lemma = token.lower_, token.lemma_.lower()
            negator[i] = lower in lexicon.negator or lemma in lexicon.negator
            name = is_name(token)
            if name:
                keys[i] = "<name>"
            else:
                keys[i] = "<num>" if token.like_num else lemma
                if lower in lexicon.positive or lemma in lexicon.positive:
                    plain[i] = 1
                elif lower in lexicon.negative or lemma in lexicon.negative:
                    plain[i] = -1
            if is_word(token):
                words += 1
                if not name:
                    activity += lower in lexicon.activity or lemma in lexicon.activity
                    self_group += lower in lexicon.self_group
        # subtree edges: every token widens the stretch of each of its ancestors
        left, right = list(range(size)), list(range(size))
        for i in range(size):
            node, steps = i, 0
            while heads[node] != node and steps < size:
                node, steps = heads[node], steps + 1
                if i < left[node]:
                    left[node] = i
                elif i > right[node]:
                    right[node] = i
        sent_start, sent_end = [0] * size, [0] * size
        for sent in doc.sents:
            for i in range(sent.start, sent.end):
                sent_start[i], sent_end[i] = sent.start, sent.end
        negated = [False] * size
        for i in range(size):
            if deps[i] == "neg":
                negated[heads[i]] = True
        polarity = list(plain)
        for i, value in enumerate(plain):
            if not value:
                continue
            turned = negated[i] or (deps[i] in _NEGATED_THROUGH_HEAD and negated[heads[i]])
            if turned or any(negator[max(sent_start[i], i - 3) : i]):
                polarity[i] = -value
        counts = ToneCounts(
            words=words,
            positive=sum(1 for v in plain if v > 0),
            negative=sum(1 for v in plain if v < 0),
            activity=activity,
            self_group=self_group,
        )
        return cls(
            keys, polarity, heads, deps, pos, left, right, quote, sent_start, sent_end, counts
        )

    def root_of(self, start: int, end: int) -> int:
        """The token of ``start:end`` closest to the root of the tree (first on ties)."""
        best, best_depth = start, -1
        for i in range(start, end):
            depth, node = 0, i
            while self.heads[node] != node and depth <= len(self.heads):
                node, depth = self.heads[node], depth + 1
            if best_depth < 0 or depth < best_depth:
                best, best_depth = i, depth
        return best

    def governing_verb(self, root: int) -> tuple[int, str]:
        """The verb the target hangs on and the role of the branch that leads to it."""
        node, role = root, self.deps[root]
        while self.heads[node] != node:
            head = self.heads[node]
            if self.pos[head] in _VERBS:
                return head, role
            node = head
            if self.deps[node] not in _PASS_THROUGH:
                role = self.deps[node]
        return node, "root"

    def tree_distances(self, root: int) -> dict[int, int]:
        """Edges between ``root`` and each token of its sentence in the dependency tree."""
        lo, hi = self.sent_start[root], self.sent_end[root]
        above = {root: 0}
        node = root
        while self.heads[node] != node:
            node = self.heads[node]
            above[node] = len(above)
        distances = {}
        for i in range(lo, hi):
            node, steps = i, 0
            while node not in above and self.heads[node] != node:
                node, steps = self.heads[node], steps + 1
            distances[i] = steps + above.get(node, hi - lo)
        return distances


def target_features(table: TokenTable, start: int, end: int) -> dict[str, float]:
    """Features of the sentence of tokens ``start:end`` toward that span.

    Returns:
        feature name -> value (1.0 for a present word or role; counts for the lexicon).
    """
    keys, polarity = table.keys, table.polarity
    root = table.root_of(start, end)
    lo, hi = table.sent_start[root], table.sent_end[root]
    features: dict[str, float] = {"bias": 1.0}

    def add(name: str, value: float = 1.0) -> None:
        features[name] = features.get(name, 0.0) + value

    tree = table.tree_distances(root)
    for i in range(lo, hi):
        key = keys[i]
        if key is None or start <= i < end:
            continue
        if tree[i] <= 2:
            features[f"t:{key}"] = 1.0
        if i >= end and i - end + 1 <= WINDOW:
            features[f"r:{key}"] = 1.0
        elif i < start and start - i <= WINDOW:
            features[f"l:{key}"] = 1.0

    # the target's own descriptive words ("the disgraced senator", "usurping Zionists")
    for i in range(start, end):
        key = keys[i]
        if key is None or key == "<name>" or table.pos[i] in _NOT_DESCRIPTIVE:
            continue
        features[f"in:{key}"] = 1.0
        if polarity[i]:
            add(f"lex:{'pos' if polarity[i] > 0 else 'neg'}:in")

    # the target's own phrase: modifiers, appositions, relative clauses
    phrase = [i for i in range(table.left[root], table.right[root] + 1) if not start <= i < end]
    for i in phrase:
        if (key := keys[i]) is not None:
            features[f"m:{key}"] = 1.0

    # syntax: the word the target depends on, through a preposition ("crimes [of] X")
    governor, relation = table.heads[root], table.deps[root]
    if table.deps[governor] == "prep" and table.heads[governor] != governor:
        relation = f"{relation}:{keys[governor]}"
        governor = table.heads[governor]
    features[f"dep:{table.deps[root]}"] = 1.0
    if governor != root:
        features[f"gov:{relation}:{keys[governor]}"] = 1.0
    verb, role = table.governing_verb(root)
    verb_key = keys[verb] or ""
    features[f"role:{role}"] = 1.0
    features[f"v:{role}:{verb_key}"] = 1.0
    clause = range(table.left[verb], table.right[verb] + 1) if verb != root else range(0)
    for i in clause:
        if (key := keys[i]) is not None and not start <= i < end:
            features[f"c:{key}"] = 1.0

    # lexicon, with negation
    phrase_ids = set(phrase)
    for i in range(lo, hi):
        if not polarity[i] or start <= i < end:
            continue
        sign = "pos" if polarity[i] > 0 else "neg"
        add(f"lex:{sign}")
        add(f"lex:{sign}:d{min(tree[i], 4)}")
        if start - 5 <= i < end + 5:
            add(f"lex:{sign}:near")
        if i in phrase_ids:
            add(f"lex:{sign}:phrase")
        if i in clause:
            add(f"lex:{sign}:clause")
            add(f"rl:{role}:{sign}")
    if verb != root and polarity[verb]:
        features[f"vlex:{role}:{'pos' if polarity[verb] > 0 else 'neg'}"] = 1.0
    if governor not in (root, verb) and polarity[governor]:
        sign = "pos" if polarity[governor] > 0 else "neg"
        features[f"hlex:{sign}"] = features[f"hlex:{relation}:{sign}"] = 1.0
    for name in [n for n in features if n.startswith(("lex:", "rl:"))]:
        features[name] = math.log1p(features[name])

    # attribution
    if role in _SUBJECTS and verb_key in REPORTING_VERBS:
        features["speaker"] = 1.0
    if sum(table.quote[lo:start]) % 2 == 1:
        features["in_quotes"] = 1.0
    if table.pos[root] == "PRON":
        features["pronoun"] = 1.0
    return features


def lexicon_label(table: TokenTable, start: int, end: int) -> str:
    """The lexicon-only baseline: the sign of the sentence's negation-aware word polarity.

    The target's own tokens are left out; a sum of zero is ``neutral``.
    """
    root = table.root_of(start, end)
    lo, hi = table.sent_start[root], table.sent_end[root]
    total = sum(table.polarity[i] for i in range(lo, hi) if not start <= i < end)
    return "positive" if total > 0 else "negative" if total < 0 else "neutral"


@dataclass(frozen=True)
class ToneModel:
    """Weights of the linear target-sentiment model: one row of coefficients per label."""

    index: dict[str, int]
    coef: npt.NDArray[np.float64]  # (features, labels)
    intercept: npt.NDArray[np.float64]  # (labels,)
    labels: tuple[str, ...] = LABELS
    version: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ToneModel:
        """Build from the JSON form written by ``training/train_tone.py``."""
        if data.get("features_version") != FEATURES_VERSION:
            raise ConfigError(
                f"tone model was trained on features version {data.get('features_version')}, "
                f"the code computes version {FEATURES_VERSION}",
                hint="retrain it with `python training/train_tone.py`",
            )
        names: list[str] = data["features"]
        coef = np.asarray(data["coef"], dtype=np.float64).reshape(len(names), len(data["labels"]))
        return cls(
            index={name: i for i, name in enumerate(names)},
            coef=coef,
            intercept=np.asarray(data["intercept"], dtype=np.float64),
            labels=tuple(data["labels"]),
            version=str(data.get("version", "")),
        )

    def probabilities(self, features: dict[str, float]) -> npt.NDArray[np.float64]:
        """Probability of each label (in :attr:`labels` order) for one feature dict."""
        result: npt.NDArray[np.float64] = self.probabilities_of([features])[0]
        return result

    def probabilities_of(self, rows: Sequence[dict[str, float]]) -> npt.NDArray[np.float64]:
        """Probabilities for many feature dicts at once: shape ``(len(rows), labels)``.

        One matrix operation for all the mentions of an article is much cheaper than
        one per mention.
        """
        index = self.index
        which: list[int] = []
        ids: list[int] = []
        values: list[float] = []
        for row, features in enumerate(rows):
            for name, value in features.items():
                column = index.get(name)
                if column is not None:
                    which.append(row)
                    ids.append(column)
                    values.append(value)
        scores = np.tile(self.intercept, (len(rows), 1))
        if ids:
            weighted = self.coef[ids] * np.asarray(values)[:, None]
            for label in range(scores.shape[1]):
                scores[:, label] += np.bincount(
                    which, weights=weighted[:, label], minlength=len(rows)
                )
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        result: npt.NDArray[np.float64] = exp / exp.sum(axis=1, keepdims=True)
        return result

    def label(self, features: dict[str, float]) -> str:
        """The most probable label for one feature dict."""
        return self.labels[int(np.argmax(self.probabilities(features)))]


def read_model(path: Path = MODEL_PATH) -> ToneModel:
    """Read model weights from JSON.

    Raises:
        ConfigError: when the file is missing, unreadable or from other features.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"cannot read the tone model {path}: {exc}",
            hint="reinstall newsgraph, or rebuild it with `python training/train_tone.py`",
        ) from exc
    return ToneModel.from_dict(data)


@functools.cache
def load_model() -> ToneModel:
    """The packaged model, read once per process."""
    return read_model()


def token_bounds(doc: Any, start_char: int, end_char: int) -> tuple[int, int] | None:
    """Token indices ``(start, end)`` covering the characters, or None if none is covered."""
    span = doc.char_span(start_char, end_char, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    return span.start, span.end
