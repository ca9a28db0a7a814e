"""Named entities from the parsed document, with offsets into the article text."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import ClassVar

from newsgraph.model import Analysis, Entity
from newsgraph.settings import Settings


class EntitiesStage:
    """Turn the spaCy NER spans of each parsed article into :class:`Entity` records."""

    name: ClassVar[str] = "entities"
    requires: ClassVar[frozenset[str]] = frozenset({"doc"})
    produces: ClassVar[frozenset[str]] = frozenset({"entities"})

    def __init__(self, settings: Settings) -> None:
        self.model = settings.spacy_model

    def __call__(self, batch: Sequence[Analysis]) -> list[Analysis]:
        """Fill ``entities``; articles without a parse (skipped languages) get none."""
        out = []
        for analysis in batch:
            if analysis.doc is None:
                out.append(analysis)
                continue
            article_id = analysis.article.id
            entities = tuple(
                Entity(
                    id=f"{article_id}-e{number}",
                    article_id=article_id,
                    start=span.start_char,
                    end=span.end_char,
                    text=span.text,
                    label=span.label_,
                    model=self.model,
                )
                for number, span in enumerate(analysis.doc.ents)
            )
            out.append(dataclasses.replace(analysis, entities=entities))
        return out
