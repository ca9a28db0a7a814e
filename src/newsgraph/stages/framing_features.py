"""Features and linear models of the framing stage, shared by its training script.

The framing stage scores wording with linear models trained by
``training/train_framing.py``. Training and the stage featurise text with the same
functions below, so a model scores at run time exactly what it was trained on:

- **Paragraph features** (:func:`paragraph_features`): lower-cased words and word pairs
  (every name the tagger finds reads ``<name>``, numbers ``<num>``), the categories of
  the project's cue lexicon (``knowledge/persuasion_cues.tsv``) found in the paragraph,
  capitalised words, length, whether it is the headline, and how many of its words and
  word pairs recur in other paragraphs (for Repetition). They are weighted as tf-idf
  (sublinear term frequency, idf from training, unit length).
- **Token features** (:func:`token_features`): a spaCy token's word, lemma, part of
  speech, dependency, shape, entity type (names: ``<name>``), its neighbours and head,
  the cue categories around it and, from :func:`paragraph_context`, what the paragraph
  model thinks of its paragraph; binary.

A :class:`LinearModel` holds a vocabulary, a weight per feature and label, a bias and
a probability threshold per label; ``numpy`` is all it needs. Models are stored
together in one ``.npz`` file (:func:`load_models`).
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from newsgraph.errors import ConfigError

MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "framing.npz"
CUES_PATH = Path(__file__).resolve().parent.parent / "knowledge" / "persuasion_cues.tsv"

#: The 23 SemEval-2023 Task 3 techniques, by group, as the task names them.
TECHNIQUE_GROUPS: dict[str, tuple[str, ...]] = {
    "attack_on_reputation": (
        "Name_Calling-Labeling",
        "Guilt_by_Association",
        "Doubt",
        "Appeal_to_Hypocrisy",
        "Questioning_the_Reputation",
    ),
    "justification": (
        "Flag_Waving",
        "Appeal_to_Authority",
        "Appeal_to_Popularity",
        "Appeal_to_Values",
        "Appeal_to_Fear-Prejudice",
    ),
    "distraction": ("Straw_Man", "Red_Herring", "Whataboutism"),
    "simplification": (
        "Causal_Oversimplification",
        "False_Dilemma-No_Choice",
        "Consequential_Oversimplification",
    ),
    "call": ("Slogans", "Conversation_Killer", "Appeal_to_Time"),
    "manipulative_wording": (
        "Loaded_Language",
        "Obfuscation-Vagueness-Confusion",
        "Exaggeration-Minimisation",
        "Repetition",
    ),
}
TECHNIQUES: tuple[str, ...] = tuple(name for group in TECHNIQUE_GROUPS.values() for name in group)

# Names are masked, so that the models learn wording and never whom it is about: "the
# Kyiv regime" and "the Zionist regime" both read "<name> regime", and a name frequent in
# the (US-centred) training data weighs nothing. One mask for every kind of name, because
# the tagger's kinds are not reliable enough to tell counterparts apart (it calls Kharkiv
# a facility and Gaza a country).
NAME = "<name>"
MASKED_ENTITIES = frozenset({"PERSON", "NORP", "ORG", "GPE", "LOC", "FAC", "EVENT"})
_QUOTE_MARKS = frozenset("\"“”«»‘’'`")
_KEPT_PUNCT = frozenset("!?")
_LINE = re.compile(r"[^\n]+")


# --- the cue lexicon -------------------------------------------------------------------


@dataclass
class CueLexicon:
    """Cue words and phrases by category; :meth:`find` matches them over words."""

    words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    prefixes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    phrases: dict[str, list[tuple[tuple[str, ...], bool, str]]] = field(default_factory=dict)
    _memo: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def add(self, category: str, cue: str) -> None:
        """Add one cue (``*`` at the end matches any ending of the last word)."""
        prefix = cue.endswith("*")
        parts = tuple(cue.rstrip("*").lower().split())
        if len(parts) == 1:
            table = self.prefixes if prefix else self.words
            table[parts[0]] = (*table.get(parts[0], ()), category)
        elif parts:
            self.phrases.setdefault(parts[0], []).append((parts[1:], prefix, category))

    def categories(self, word: str) -> tuple[str, ...]:
        """Categories of the single-word cues that match ``word`` (lower-cased)."""
        found = self._memo.get(word)
        if found is None:
            hits = list(self.words.get(word, ()))
            for size in range(3, len(word) + 1):
                hits.extend(self.prefixes.get(word[:size], ()))
            found = self._memo[word] = tuple(dict.fromkeys(hits))
        return found

    def find(self, words: Sequence[str]) -> list[tuple[int, int, str]]:
        """Every cue in ``words`` as ``(first word, end word, category)``."""
        found: list[tuple[int, int, str]] = []
        for i, word in enumerate(words):
            found.extend((i, i + 1, category) for category in self.categories(word))
            for rest, prefix, category in self.phrases.get(word, ()):
                end = i + 1 + len(rest)
                if end > len(words):
                    continue
                tail = words[i + 1 : end]
                if tail[:-1] == list(rest[:-1]) and (
                    tail[-1].startswith(rest[-1]) if prefix else tail[-1] == rest[-1]
                ):
                    found.append((i, end, category))
        return found


@functools.cache
def load_cues(path: Path = CUES_PATH) -> CueLexicon:
    """Read the cue lexicon (``category<TAB>cue`` lines; ``#`` comments; a header).

    Raises:
        ConfigError: when the file cannot be read or a line is malformed.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"cannot read the persuasion cue lexicon {path}: {exc}") from exc
    lexicon = CueLexicon()
    rows = [line for line in lines if line.strip() and not line.startswith("#")]
    for number, line in enumerate(rows[1:], start=2):
        parts = line.split("\t")
        if len(parts) != 2 or not parts[1].strip():
            raise ConfigError(
                f"{path}: data line {number} should be 'category<TAB>cue': {line!r}",
                hint="columns are separated by single tabs; see the header comment",
            )
        lexicon.add(parts[0].strip(), parts[1].strip())
    return lexicon


# --- paragraphs ------------------------------------------------------------------------


def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` of each non-blank line, without surrounding whitespace.

    SemEval-2023 numbers an article's lines as its paragraphs; news text stored by
    newsgraph keeps one paragraph per line too.

    >>> paragraph_bounds("Title\\n\\n  First para. \\nSecond")
    [(0, 5), (9, 20), (22, 28)]
    """
    found = []
    for line in _LINE.finditer(text):
        raw = line.group()
        stripped = raw.strip()
        if stripped:
            start = line.start() + len(raw) - len(raw.lstrip())
            found.append((start, start + len(stripped)))
    return found


def _form(text: str, lower: str, ent: str, space: bool, punct: bool, number: bool) -> str | None:
    if ent in MASKED_ENTITIES:
        return NAME
    if space:
        return None
    if text in _QUOTE_MARKS or text in ("``", "''"):
        return '"'
    if punct or not any(ch.isalnum() for ch in text):
        return text if text in _KEPT_PUNCT else None
    if number:
        return "<num>"
    return lower


def word_form(token: Any) -> str | None:
    """What the models see of a spaCy token: lower-cased, names masked as ``<name>``.

    Numbers read ``<num>``, quote marks ``"``; other punctuation and spaces are
    dropped (``None``), except ``!`` and ``?``.
    """
    return _form(
        token.text, token.lower_, token.ent_type_, token.is_space, token.is_punct, token.like_num
    )


def _bucket(count: int) -> str:
    return str(min(count, 4))


def _content(word: str) -> bool:
    return len(word) > 3 and word.isalpha()


def paragraph_words(
    doc: Any, bounds: Sequence[tuple[int, int]], columns: Columns | None = None
) -> list[list[str]]:
    """The :func:`word_form` of the tokens of each paragraph ``(start, end)`` of ``doc``."""
    c = columns or doc_columns(doc)
    found: list[list[str]] = [[] for _ in bounds]
    for number, form in zip(_paragraph_of(c.starts, bounds), c.forms, strict=True):
        if number >= 0 and form is not None:
            found[number].append(form)
    return found


def _paragraph_of(starts: Sequence[int], bounds: Sequence[tuple[int, int]]) -> list[int]:
    """The paragraph each token starts in (its index in ``bounds``), or -1 between them."""
    found = []
    number = 0
    for start in starts:
        while number + 1 < len(bounds) and start >= bounds[number + 1][0]:
            number += 1
        inside = bool(bounds) and bounds[number][0] <= start < bounds[number][1]
        found.append(number if inside else -1)
    return found


def paragraph_features(
    doc: Any,
    bounds: Sequence[tuple[int, int]],
    cues: CueLexicon,
    columns: Columns | None = None,
) -> list[list[str]]:
    """The feature strings of each paragraph of ``doc`` (repeated features count).

    ``columns`` is :func:`doc_columns` of ``doc`` when the caller already has it.
    """
    text: str = doc.text
    words = paragraph_words(doc, bounds, columns)
    # In how many paragraphs each content word and word pair occurs, for Repetition.
    spread: Counter[str] = Counter()
    pairs = [{" ".join(p) for p in itertools.pairwise(ws) if _content(p[1])} for ws in words]
    for ws, ps in zip(words, pairs, strict=True):
        spread.update({w for w in ws if _content(w)} | ps)
    rows = []
    for number, ((start, end), ws, ps) in enumerate(zip(bounds, words, pairs, strict=True)):
        features = [f"w:{w}" for w in ws]
        features.extend(f"b:{a} {b}" for a, b in itertools.pairwise(ws))
        features.extend(f"x:{category}" for _, _, category in cues.find(ws))
        raw = text[start:end]
        caps = sum(1 for w in raw.split() if len(w) > 2 and w.isupper() and w.isalpha())
        features.append(f"caps:{_bucket(caps)}")
        features.append(f"len:{min(7, int(math.log2(len(ws) + 1)))}")
        if number == 0:
            features.append("headline")
        repeated = {w for w in ws if _content(w) and spread[w] >= 3}
        features.append(f"rep:{_bucket(len(repeated))}")
        features.append(f"repb:{_bucket(sum(1 for p in ps if spread[p] >= 2))}")
        if '"' in ws:
            features.append("quoted")
        rows.append(features)
    return rows


# --- tokens ----------------------------------------------------------------------------


def _shape(text: str) -> str:
    if text.isupper() and len(text) > 1:
        return "X"
    if text[:1].isupper():
        return "Xx"
    if text.isdigit():
        return "d"
    return "x" if text.isalpha() else "o"


def paragraph_context(
    doc: Any,
    bounds: Sequence[tuple[int, int]],
    probabilities: NDArray[np.float64],
    labels: Sequence[str],
    columns: Columns | None = None,
) -> list[list[str]]:
    """Per token, the paragraph model's probabilities of its paragraph, in fifths.

    A span of a technique lies in a paragraph of that technique, so the token model
    reads what the paragraph model thinks of the paragraph around each token.
    """
    c = columns or doc_columns(doc)
    buckets = np.minimum((probabilities * 5).astype(int), 4).tolist()
    # One list per paragraph, shared by its tokens (read only).
    shared = [[f"pp:{label}={b}" for label, b in zip(labels, row, strict=True)] for row in buckets]
    empty: list[str] = []
    return [shared[n] if n >= 0 else empty for n in _paragraph_of(c.starts, bounds)]


@dataclass(frozen=True)
class Columns:
    """What the features read of each token of a ``Doc``, fetched in one ``to_array`` call.

    Reading ``token.lemma_``, ``token.head`` ... one by one costs more than the rest of
    the stage, so the attributes come as arrays and their strings through one memo.
    ``forms`` are the :func:`word_form` of each token, ``heads`` absolute indices.
    """

    forms: list[str | None]
    texts: list[str]
    lemmas: list[str]
    pos: list[str]
    deps: list[str]
    ents: list[str]
    heads: list[int]
    spaces: list[bool]
    starts: list[int]


def doc_columns(doc: Any) -> Columns:
    """Read the token attributes the features need from a spaCy ``Doc``, once."""
    from spacy.attrs import (
        DEP,
        ENT_TYPE,
        HEAD,
        IDX,
        IS_PUNCT,
        IS_SPACE,
        LEMMA,
        LIKE_NUM,
        LOWER,
        ORTH,
        POS,
    )

    fields = [ORTH, LOWER, LEMMA, POS, DEP, ENT_TYPE, HEAD, IS_SPACE, IS_PUNCT, LIKE_NUM, IDX]
    array = np.asarray(doc.to_array(fields)).reshape(len(doc), len(fields))
    strings = doc.vocab.strings
    memo: dict[int, str] = {}

    def name(key: int) -> str:
        found = memo.get(key)
        if found is None:
            found = memo[key] = strings[key] if key else ""
        return found

    rows = array.tolist()
    texts = [name(r[0]) for r in rows]
    lowers = [name(r[1]) for r in rows]
    ents = [name(r[5]) for r in rows]
    forms = [
        _form(text, lower, ent, bool(r[7]), bool(r[8]), bool(r[9]))
        for text, lower, ent, r in zip(texts, lowers, ents, rows, strict=True)
    ]
    heads = array[:, 6].astype(np.int64)  # relative offsets, stored unsigned
    return Columns(
        forms=forms,
        texts=texts,
        lemmas=[name(r[2]).lower() for r in rows],
        pos=[name(r[3]) for r in rows],
        deps=[name(r[4]) for r in rows],
        ents=ents,
        heads=(heads + np.arange(len(rows))).tolist(),
        spaces=[bool(r[7]) for r in rows],
        starts=array[:, 10].astype(np.int64).tolist(),
    )


def token_features(
    doc: Any,
    cues: CueLexicon,
    context: Sequence[Sequence[str]] | None = None,
    columns: Columns | None = None,
) -> list[list[str]]:
    """The binary feature strings of each token of a spaCy ``Doc`` (spaces get none).

    ``context`` adds features per token (see :func:`paragraph_context`); ``columns``
    is :func:`doc_columns` of ``doc`` when the caller already has it.
    """
    c = columns or doc_columns(doc)
    # Dropped tokens read as themselves, whitespace as a break (a paragraph's edge).
    forms = [
        form or ("<br>" if text.isspace() else text)
        for form, text in zip(c.forms, c.texts, strict=True)
    ]
    # Cue categories covering each token, matched on what the models see (names masked,
    # so that "US" is not the pronoun "us" and no nation's name is a cue).
    covering: list[set[str]] = [set() for _ in forms]
    for first, end, category in cues.find(forms):
        for index in range(first, end):
            covering[index].add(category)
    lemmas = [
        form if ent in MASKED_ENTITIES else lemma
        for form, ent, lemma in zip(forms, c.ents, c.lemmas, strict=True)
    ]
    rows: list[list[str]] = []
    last = len(forms) - 1
    for i, form in enumerate(forms):
        if c.spaces[i]:
            rows.append([])
            continue
        before = forms[i - 1] if i > 0 else "<s>"
        after = forms[i + 1] if i < last else "</s>"
        head = c.heads[i]
        row = [
            f"w={form}",
            f"l={lemmas[i]}",
            f"p={c.pos[i]}",
            f"d={c.deps[i]}",
            f"s={_shape(c.texts[i])}",
            f"w-1={before}",
            f"w+1={after}",
            f"b={before}|{form}",
            f"p-1={c.pos[i - 1] if i > 0 else '<s>'}",
            f"p+1={c.pos[i + 1] if i < last else '</s>'}",
            f"h={lemmas[head]}",
            f"hp={c.pos[head]}|{c.deps[i]}",
        ]
        if c.ents[i]:
            row.append(f"e={NAME if c.ents[i] in MASKED_ENTITIES else c.ents[i]}")
        row.extend(f"x={category}" for category in covering[i])
        if i > 0:
            row.extend(f"x-1={category}" for category in covering[i - 1])
        if i < last:
            row.extend(f"x+1={category}" for category in covering[i + 1])
        if context is not None:
            row.extend(context[i])
        rows.append(row)
    return rows


# --- models ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LinearModel:
    """One-vs-rest logistic models over a shared vocabulary; numpy only.

    With ``idf`` the features of a row are weighted as tf-idf (``1 + log(count)``
    times idf, scaled to unit length), otherwise each feature present counts 1.
    """

    labels: tuple[str, ...]
    vocabulary: dict[str, int]
    weights: NDArray[np.float32]
    bias: NDArray[np.float32]
    thresholds: NDArray[np.float32]
    idf: NDArray[np.float32] | None = None

    def probabilities(self, rows: Sequence[Sequence[str]]) -> NDArray[np.float64]:
        """The probability of each label for each row of features: ``(rows, labels)``."""
        indices: list[int] = []
        values: list[float] = []
        starts: list[int] = []
        vocabulary = self.vocabulary
        get = vocabulary.get
        for row in rows:
            starts.append(len(indices))
            if self.idf is None:  # binary: each feature present counts once
                found = {get(f, -1) for f in row}
                found.discard(-1)
                indices.extend(found)
                continue
            counts = Counter(index for index in map(get, row) if index is not None)
            indices.extend(counts)
            values.extend(1.0 + math.log(c) for c in counts.values())
        scores = np.tile(self.bias.astype(np.float64), (len(rows), 1))
        if not indices:
            return _sigmoid(scores)
        index = np.asarray(indices, dtype=np.int64)
        first = np.asarray(starts, dtype=np.int64)
        sizes = np.diff(np.append(first, len(indices)))
        contributions = self.weights[index].astype(np.float64)
        if self.idf is not None:
            owner = np.repeat(np.arange(len(rows)), sizes)
            value = np.asarray(values, dtype=np.float64) * self.idf[index]
            norms = np.sqrt(np.bincount(owner, weights=value * value, minlength=len(rows)))
            contributions *= (value / np.where(norms > 0, norms, 1.0)[owner])[:, None]
        # Rows are contiguous runs of ``indices``: sum each run (empty rows keep the bias).
        filled = sizes > 0
        scores[filled] += np.add.reduceat(contributions, first[filled], axis=0)
        return _sigmoid(scores)


def _sigmoid(scores: NDArray[np.float64]) -> NDArray[np.float64]:
    result: NDArray[np.float64] = 1.0 / (1.0 + np.exp(-np.clip(scores, -30, 30)))
    return result


def _joined(items: Iterable[str]) -> NDArray[np.uint8]:
    names = list(items)
    broken = [name for name in names if "\n" in name]
    if broken:
        raise ValueError(f"feature names may not hold a line break: {broken[:3]}")
    return np.frombuffer("\n".join(names).encode("utf-8"), dtype=np.uint8)


def _split(array: NDArray[Any]) -> list[str]:
    return bytes(array.tobytes()).decode("utf-8").split("\n")


def model_arrays(prefix: str, model: LinearModel) -> dict[str, NDArray[Any]]:
    """The arrays that store ``model`` under ``prefix`` in an ``.npz`` file (compact)."""
    names = sorted(model.vocabulary, key=model.vocabulary.__getitem__)
    arrays: dict[str, NDArray[Any]] = {
        f"{prefix}.labels": _joined(model.labels),
        f"{prefix}.vocabulary": _joined(names),
        f"{prefix}.weights": model.weights.astype(np.float16),
        f"{prefix}.bias": model.bias.astype(np.float32),
        f"{prefix}.thresholds": model.thresholds.astype(np.float32),
    }
    if model.idf is not None:
        arrays[f"{prefix}.idf"] = model.idf.astype(np.float16)
    return arrays


@dataclass(frozen=True)
class FramingModels:
    """The models of the framing stage and what the training script recorded about them."""

    paragraph: LinearModel
    tokens: LinearModel
    meta: dict[str, Any]
    trained_ids: frozenset[str]
    article: LinearModel | None = None
    #: :func:`~newsgraph.evaluate.semeval.text_hash` of every article trained on
    #: (empty in model files older than that record).
    trained_texts: frozenset[str] = frozenset()


def _read_model(data: Any, prefix: str) -> LinearModel:
    names = _split(data[f"{prefix}.vocabulary"])
    idf = data[f"{prefix}.idf"].astype(np.float32) if f"{prefix}.idf" in data else None
    return LinearModel(
        labels=tuple(_split(data[f"{prefix}.labels"])),
        vocabulary={name: index for index, name in enumerate(names)},
        weights=data[f"{prefix}.weights"].astype(np.float32),
        bias=data[f"{prefix}.bias"].astype(np.float32),
        thresholds=data[f"{prefix}.thresholds"].astype(np.float32),
        idf=idf,
    )


@functools.cache
def load_models(path: Path = MODEL_PATH) -> FramingModels:
    """Load the framing models once per process.

    Raises:
        ConfigError: when the model file is missing or unreadable.
    """
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"].tobytes()).decode("utf-8"))
            return FramingModels(
                paragraph=_read_model(data, "paragraph"),
                tokens=_read_model(data, "tokens"),
                article=_read_model(data, "article") if "article.labels" in data else None,
                meta=meta,
                trained_ids=frozenset(_split(data["trained_ids"])),
                trained_texts=(
                    frozenset(_split(data["trained_sha256"]))
                    if "trained_sha256" in data
                    else frozenset()
                ),
            )
    except (OSError, KeyError, ValueError) as exc:
        raise ConfigError(
            f"cannot load the framing model {path}: {exc}",
            hint="reinstall newsgraph, or rebuild the model with training/train_framing.py",
        ) from exc
