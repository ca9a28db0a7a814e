"""Framing: persuasion techniques and loaded labels, annotated on the wording that carries them.

These are annotations of wording, never verdicts: a ``Name_Calling-Labeling`` span says
that the words label someone in a way the SemEval-2023 annotators would mark, not that
the outlet is wrong or that the label is unfair. The stage runs on the spaCy ``Doc`` of
the parse stage and the actors of the actors stage, with linear models trained by
``training/train_framing.py`` on SemEval-2023 Task 3 (see ``docs/framing.md``):

1. **Paragraphs.** Every non-blank line is a paragraph (SemEval-2023's unit). A one-vs-rest
   logistic model scores each of the techniques the English training data holds from
   the paragraph's words and word pairs (names masked as ``<name>``), the
   project's cue lexicon and a few layout features; a technique whose probability
   reaches its threshold (tuned on out-of-fold predictions of the training part) becomes
   an annotation of kind ``persuasion_paragraph`` whose span is the whole paragraph.
2. **Spans.** A token-level logistic model gives each token the probability that it lies
   inside a span of each span technique (``Loaded_Language``, ``Name_Calling-Labeling``
   ...). Runs of tokens at or above the technique's threshold (tuned for span F1) are
   candidate spans. Only the surer ones become annotations of kind ``persuasion``, whose
   span is exactly those words (:func:`surest_spans`): a span's confidence (its mean
   token probability) must reach :data:`SPAN_FLOOR`, it needs a word that is not a
   proper noun, and where spans of several techniques overlap only the most confident
   stays. Every candidate still counts for the paragraph (step 3), as in training.
3. **Loaded labels.** Every actor mention the actors stage flagged ``loaded`` ("the
   Zionist regime", "the Kyiv regime", "Hamas-ISIS", "orcs") becomes a
   ``Name_Calling-Labeling`` span annotation targeting that actor, whichever side uses
   the label; model spans of Name_Calling or Loaded_Language over it are dropped. Its
   confidence is the model's, but at least :data:`LOADED_LABEL_CONFIDENCE`. When the
   training showed it helps (``spans_mark_paragraphs`` in the model file), a paragraph
   holding a candidate span of a technique is annotated with that technique too.
4. **Targets.** A span over an actor mention targets that actor; otherwise a span whose
   syntactic head modifies an actor mention ("the *heinous* regime", "Netanyahu, *a war
   criminal*"), or says what it is ("the regime is *a terrorist garrison*", "described
   the regime as *a terrorist garrison*", "called the regime *...*"), targets that
   actor. Paragraph annotations have no target.
5. **Frames.** When the model file has an article model, the SemEval-2023 subtask 2
   frames (``Political``, ``Security_and_defense`` ...) whose probability reaches their
   threshold are annotated as kind ``frame`` from the first paragraph's start to the
   last one's end.

Annotation ids are ``<article id>-n<n>``, numbered in text order after any
annotations already on the record.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from newsgraph.model import Actor, Analysis, Annotation
from newsgraph.settings import Settings
from newsgraph.stages.framing_features import (
    MASKED_ENTITIES,
    Columns,
    FramingModels,
    doc_columns,
    load_cues,
    load_models,
    paragraph_bounds,
    paragraph_context,
    paragraph_features,
    token_features,
)

SPAN_KIND = "persuasion"
PARAGRAPH_KIND = "persuasion_paragraph"
FRAME_KIND = "frame"
#: The least confidence of a span found through the loaded-labels list.
LOADED_LABEL_CONFIDENCE = 0.8
LOADED_LABEL = "Name_Calling-Labeling"
#: The least confidence of a model span shown to a reader. The thresholds that make
#: candidate spans (0.10-0.14) were tuned for span F1, which favours recall; on three
#: Guardian articles judged by hand (development, not the figures reported), about half
#: of the spans at or above 0.25 were persuasive wording and few below it were.
SPAN_FLOOR = 0.25
#: Dependencies by which a span's head modifies or renames the word it hangs on.
_MODIFIES = frozenset({"amod", "compound", "appos", "nmod", "acl", "relcl", "poss", "advmod"})
#: The techniques a loaded actor mention stands for; model spans of these over it go.
_LABELLING = frozenset({"Name_Calling-Labeling", "Loaded_Language"})


@dataclass(frozen=True, slots=True)
class Found:
    """One annotation before it gets its id."""

    kind: str
    label: str
    start: int
    end: int
    confidence: float
    target_actor_id: str | None = None


def decode_spans(
    doc: Any, probabilities: NDArray[np.float64], labels: Sequence[str], thresholds: Any
) -> list[Found]:
    """Runs of tokens at or above each label's threshold, as spans (no targets yet).

    A run stops at whitespace tokens (paragraph breaks); punctuation at either end of a
    run is left out, and a run with no word of its own (only stop words, punctuation and
    named entities: "the", "Iran") is dropped. The confidence is the run's mean
    probability.
    """
    if not len(doc):
        return []
    from spacy.attrs import ENT_TYPE, IS_ALPHA, IS_PUNCT, IS_SPACE, IS_STOP

    array = doc.to_array([IS_SPACE, IS_PUNCT, IS_ALPHA, IS_STOP, ENT_TYPE])
    space, punct = array[:, 0].astype(bool), array[:, 1].astype(bool)
    masked = np.isin(array[:, 4], [doc.vocab.strings[name] for name in MASKED_ENTITIES])
    # A span needs a word of its own: not only stop words, punctuation or a name.
    content = array[:, 2].astype(bool) & ~array[:, 3].astype(bool) & ~masked
    found: list[Found] = []
    for column, label in enumerate(labels):
        inside = (probabilities[:, column] >= thresholds[column]) & ~space
        if not inside.any():
            continue
        edges = np.diff(np.concatenate(([0], inside.view(np.int8), [0])))
        for first, end in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
            while first < end and punct[first]:
                first += 1
            while end > first and punct[end - 1]:
                end -= 1
            if first < end and content[first:end].any():
                last = doc[int(end) - 1]
                found.append(
                    Found(
                        kind=SPAN_KIND,
                        label=label,
                        start=doc[int(first)].idx,
                        end=last.idx + len(last.text),
                        confidence=float(probabilities[first:end, column].mean()),
                    )
                )
    return found


def surest_spans(doc: Any, spans: Sequence[Found], floor: float = SPAN_FLOOR) -> list[Found]:
    """The spans worth showing a reader: fewer and surer (see the module docstring).

    A span is kept when its confidence reaches ``floor`` and it holds a word of its own
    that is not a proper noun (a bare "Beatles" or "ez" of "Deir ez-Zor" is not
    wording); then, most confident first, a span is dropped when it overlaps one of
    another technique already kept.
    """
    from spacy.attrs import IS_ALPHA, IS_STOP, POS

    if not len(doc):
        return []
    array = doc.to_array([IS_ALPHA, IS_STOP, POS])
    worded = array[:, 0].astype(bool) & ~array[:, 1].astype(bool)
    worded &= array[:, 2] != doc.vocab.strings["PROPN"]
    starts = np.asarray([token.idx for token in doc])
    kept: list[Found] = []
    for span in sorted(spans, key=lambda s: (-s.confidence, s.start, s.label)):
        if span.confidence < floor:
            continue
        inside = (starts >= span.start) & (starts < span.end)
        if not worded[inside].any():
            continue
        if any(_overlap(span, other) and other.label != span.label for other in kept):
            continue
        kept.append(span)
    return sorted(kept, key=_order)


def _mention_owners(doc: Any, actors: Sequence[Actor]) -> dict[int, str]:
    """Token index -> the actor whose mention covers that token."""
    owners: dict[int, str] = {}
    for actor in actors:
        for mention in actor.mentions:
            span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
            if span is not None:
                for token in span:
                    owners.setdefault(token.i, actor.id)
    return owners


def target_of(doc: Any, start: int, end: int, owners: dict[int, str]) -> str | None:
    """The actor a span at ``start:end`` is about (see the module docstring), or None."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    for token in span:
        if token.i in owners:
            return owners[token.i]
    root = span.root
    head = root.head
    if root.dep_ in _MODIFIES and head.i in owners:
        return owners[head.i]
    if root.dep_ == "pobj" and head.lower_ == "as":
        # "described X as [Y]", "X was described as [Y]": Y says what X is
        arguments: tuple[str, ...] = ("dobj", "nsubjpass")
        head = head.head
    elif root.dep_ in ("attr", "acomp"):
        arguments = ("nsubj", "nsubjpass")  # "X is [Y]"
    elif root.dep_ == "oprd":
        arguments = ("dobj", "nsubjpass")  # "called X [Y]"
    else:
        return None
    for dep in arguments:
        for child in head.children:
            if child.dep_ == dep:
                for token in child.subtree:
                    if token.i in owners:
                        return owners[token.i]
    return None


def _overlap(one: Found, other: Found) -> bool:
    return one.start < other.end and other.start < one.end


class FramingStage:
    """Annotate persuasion techniques per paragraph and as spans, with the actors targeted."""

    name: ClassVar[str] = "framing"
    requires: ClassVar[frozenset[str]] = frozenset({"doc", "actors"})
    produces: ClassVar[frozenset[str]] = frozenset({"annotations"})

    def __init__(self, settings: Settings) -> None:
        del settings  # the models ship with the package; nothing is configurable yet
        self.models: FramingModels = load_models()
        self.cues = load_cues()
        self.version = str(self.models.meta.get("version", ""))

    def __call__(self, batch: Sequence[Analysis]) -> list[Analysis]:
        """Return the batch with persuasion annotations appended (articles not parsed: as is)."""
        return [
            self.annotate(analysis) if analysis.doc is not None else analysis for analysis in batch
        ]

    def paragraph_annotations(
        self, bounds: Sequence[tuple[int, int]], scores: NDArray[np.float64]
    ) -> list[Found]:
        """The techniques each paragraph reaches the threshold for (span: the paragraph)."""
        model = self.models.paragraph
        rows, columns = np.nonzero(scores >= model.thresholds[None, :])
        return [
            Found(PARAGRAPH_KIND, model.labels[c], *bounds[r], float(scores[r, c]))
            for r, c in zip(rows.tolist(), columns.tolist(), strict=True)
        ]

    def span_annotations(
        self,
        doc: Any,
        actors: Sequence[Actor],
        bounds: Sequence[tuple[int, int]],
        scores: NDArray[np.float64],
        columns: Columns,
    ) -> tuple[list[Found], list[Found]]:
        """Technique spans from the token model and loaded actor mentions, with targets.

        Returns the spans to annotate and every candidate span of the token model (for
        the paragraphs, see the module docstring).
        """
        model = self.models.tokens
        wanted = [self.models.paragraph.labels.index(label) for label in model.labels]
        context = paragraph_context(doc, bounds, scores[:, wanted], model.labels, columns)
        features = token_features(doc, self.cues, context, columns)
        probabilities = model.probabilities(features)
        candidates = decode_spans(doc, probabilities, model.labels, model.thresholds)
        spans = surest_spans(doc, candidates)
        owners = _mention_owners(doc, actors)
        column = model.labels.index(LOADED_LABEL) if LOADED_LABEL in model.labels else None
        loaded: list[Found] = []
        for actor in actors:
            for mention in actor.mentions:
                if not mention.loaded:
                    continue
                confidence = LOADED_LABEL_CONFIDENCE
                span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
                if column is not None and span is not None and len(span):
                    found = float(probabilities[span.start : span.end, column].max())
                    confidence = max(confidence, found)
                loaded.append(
                    Found(SPAN_KIND, LOADED_LABEL, mention.start, mention.end, confidence, actor.id)
                )
        kept = [
            s
            for s in spans
            if not (s.label in _LABELLING and any(_overlap(s, label) for label in loaded))
        ]
        targeted = [
            dataclasses.replace(s, target_actor_id=target_of(doc, s.start, s.end, owners))
            for s in kept
        ]
        unique = {(s.start, s.end, s.label): s for s in [*targeted, *loaded]}
        return sorted(unique.values(), key=_order), [*candidates, *loaded]

    def article_annotations(
        self, bounds: Sequence[tuple[int, int]], rows: Sequence[Sequence[str]]
    ) -> list[Found]:
        """The frames of the whole article whose probability reaches their threshold.

        ``rows`` are the paragraph features; the article model reads them all at once.
        """
        model = self.models.article
        if model is None or not bounds:
            return []
        start, end = bounds[0][0], bounds[-1][1]
        [scores] = model.probabilities([[f for row in rows for f in row]])
        return [
            Found(FRAME_KIND, label, start, end, float(scores[i]))
            for i, label in enumerate(model.labels)
            if scores[i] >= model.thresholds[i]
        ]

    def annotate(self, analysis: Analysis) -> Analysis:
        """Annotate one parsed article."""
        doc = analysis.doc
        bounds = paragraph_bounds(doc.text)
        found: list[Found] = []
        if bounds:
            columns = doc_columns(doc)
            rows = paragraph_features(doc, bounds, self.cues, columns)
            scores = self.models.paragraph.probabilities(rows)
            paragraphs = self.paragraph_annotations(bounds, scores)
            spans, candidates = self.span_annotations(doc, analysis.actors, bounds, scores, columns)
            found += [*self.article_annotations(bounds, rows), *paragraphs, *spans]
            if self.models.meta.get("spans_mark_paragraphs"):
                found += _paragraphs_of_spans(bounds, paragraphs, candidates)
        text = analysis.article.text
        first = len(analysis.annotations)
        annotations = tuple(
            Annotation(
                id=f"{analysis.article.id}-n{first + n}",
                article_id=analysis.article.id,
                start=item.start,
                end=item.end,
                text=text[item.start : item.end],
                kind=item.kind,
                label=item.label,
                confidence=round(item.confidence, 4),
                target_actor_id=item.target_actor_id,
            )
            for n, item in enumerate(sorted(found, key=_order))
        )
        return dataclasses.replace(analysis, annotations=(*analysis.annotations, *annotations))


def _order(item: Found) -> tuple[int, int, str, str]:
    return (item.start, -item.end, item.kind, item.label)


def _paragraphs_of_spans(
    bounds: Sequence[tuple[int, int]], paragraphs: Sequence[Found], spans: Sequence[Found]
) -> list[Found]:
    """A paragraph annotation for each span technique a paragraph holds but was not given.

    Its confidence is that of the most confident span of the technique in the paragraph.
    """
    have = {(f.start, f.end, f.label) for f in paragraphs}
    added: dict[tuple[int, int, str], Found] = {}
    for span in spans:
        for start, end in bounds:
            key = (start, end, span.label)
            if start <= span.start < end and key not in have:
                best = added.get(key)
                if best is None or best.confidence < span.confidence:
                    added[key] = Found(PARAGRAPH_KIND, span.label, start, end, span.confidence)
    return list(added.values())
