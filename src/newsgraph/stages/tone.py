"""Tone: the article's tone in GDELT's terms, and the tone of its sentences toward each actor.

Two measures, both descriptions of wording, neither a verdict on the actor or the outlet:

1. **Article tone** (:mod:`newsgraph.stages.tone_lexicon`): the percentages GDELT
   reports in its GKG ``V2Tone`` field, counted over the article's words with word lists
   written for the project: ``tone`` (positive minus negative), ``positive``,
   ``negative``, ``polarity`` (positive plus negative), ``activity``, ``self_group``
   and the number of ``words``. Pure counting, no negation, as in GDELT.
2. **Tone toward each actor** (:mod:`newsgraph.stages.tone_target`): every sentence
   that mentions the actor (``actor.mentions`` offsets into the parse) is scored by a
   target-dependent linear model trained on NewsMTSC (negative / neutral / positive
   toward the mention). A sentence with several mentions of one actor averages them;
   the actor's probabilities are the mean over its sentences. ``score`` is
   P(positive) - P(negative) in [-1, 1] and ``label`` the most probable class of that
   mean, so one harsh sentence among many neutral ones moves the score, not the label.

Articles without a parse pass through unchanged (``tone`` stays ``None``). The figures
and their reliability are in ``docs/tone.md``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from newsgraph.model import Actor, ActorTone, Analysis, Tone
from newsgraph.settings import Settings
from newsgraph.stages.tone_lexicon import ToneLexicon, load_lexicon
from newsgraph.stages.tone_target import (
    TokenTable,
    ToneModel,
    load_model,
    target_features,
    token_bounds,
)


class ToneStage:
    """Fill ``Analysis.tone``: article tone (GDELT fields) and tone toward each actor."""

    name: ClassVar[str] = "tone"
    requires: ClassVar[frozenset[str]] = frozenset({"doc", "actors"})
    produces: ClassVar[frozenset[str]] = frozenset({"tone"})

    def __init__(self, settings: Settings) -> None:
        del settings  # the word lists and the model ship with the package
        self.lexicon = load_lexicon()
        self.model = load_model()
        self.version = self.model.version

    def __call__(self, batch: Sequence[Analysis]) -> list[Analysis]:
        """Fill ``tone``; articles without a parse pass through unchanged."""
        return [
            analysis
            if analysis.doc is None
            else dataclasses.replace(
                analysis, tone=analyse_tone(analysis, self.model, self.lexicon)
            )
            for analysis in batch
        ]


def analyse_tone(analysis: Analysis, model: ToneModel, lexicon: ToneLexicon) -> Tone:
    """The :class:`~newsgraph.model.Tone` of one parsed article.

    Example::

        >>> analysis = ...  # an Analysis after the parse and actors stages
        >>> analyse_tone(analysis, load_model(), load_lexicon()).toward  # doctest: +SKIP
        (ActorTone(actor_id='...', score=-0.41, label='negative', sentences=2), ...)
    """
    table = TokenTable.of(analysis.doc, lexicon)
    return Tone(
        **table.counts.percentages(),
        words=table.counts.words,
        toward=tuple(actor_tone(analysis.doc, table, actor, model) for actor in analysis.actors),
    )


def _mention_spans(actor: Actor) -> list[tuple[int, int]]:
    if actor.mentions:
        return [(mention.start, mention.end) for mention in actor.mentions]
    return [(actor.start, actor.end)]


def actor_tone(doc: Any, table: TokenTable, actor: Actor, model: ToneModel) -> ActorTone:
    """Tone of the sentences of ``doc`` (read into ``table``) that mention ``actor``.

    An actor none of whose mentions falls on a token gets ``sentences=0``, score 0,
    ``neutral``.
    """
    sentences: list[int] = []
    rows: list[dict[str, float]] = []
    for start_char, end_char in _mention_spans(actor):
        bounds = token_bounds(doc, start_char, end_char)
        if bounds is None:
            continue
        sentences.append(table.sent_start[table.root_of(*bounds)])
        rows.append(target_features(table, *bounds))
    if not rows:
        return ActorTone(actor_id=actor.id, score=0.0, label="neutral", sentences=0)
    found = model.probabilities_of(rows)
    by_sentence: dict[int, list[int]] = {}
    for row, sentence in enumerate(sentences):
        by_sentence.setdefault(sentence, []).append(row)
    # each sentence weighs the same, however many mentions it holds
    mean = np.mean([found[members].mean(axis=0) for members in by_sentence.values()], axis=0)
    labels = model.labels
    score = float(mean[labels.index("positive")] - mean[labels.index("negative")])
    return ActorTone(
        actor_id=actor.id,
        score=round(score, 4),
        label=labels[int(np.argmax(mean))],
        sentences=len(by_sentence),
    )
