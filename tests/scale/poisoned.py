"""Pipelines with a poison stage or a slow one, importable by worker processes.

Tests put this folder on ``sys.path``; spawned workers inherit it.

Not a test module: ``conftest.py`` imports it. Every text here is invented.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import ClassVar

from newsgraph.model import Analysis
from newsgraph.pipeline import Pipeline
from newsgraph.settings import Settings

BREAKS_STAGE = "POISON-STAGE"  # an article holding this breaks the poison stage
KILLS_WORKER = "POISON-EXIT"  # an article holding this kills the process analysing it


class PoisonStage:
    """Passes articles through, except poisoned ones."""

    name: ClassVar[str] = "poison"
    requires: ClassVar[frozenset[str]] = frozenset({"article"})
    produces: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def __call__(self, batch: Sequence[Analysis]) -> list[Analysis]:
        for analysis in batch:
            if KILLS_WORKER in analysis.article.text:
                os._exit(70)  # as a crash in native code would: no exception, no cleanup
            if BREAKS_STAGE in analysis.article.text:
                raise ValueError("poisoned article")
        return list(batch)


def poisoned_pipeline(settings: Settings) -> Pipeline:
    """The configured pipeline with the poison stage after it."""
    base = Pipeline.from_settings(settings)
    return Pipeline(stages=(*base.stages, PoisonStage(settings)))


class SlowStage:
    """Passes articles through after a pause, so that a run lasts long enough to interrupt."""

    name: ClassVar[str] = "slow"
    requires: ClassVar[frozenset[str]] = frozenset({"article"})
    produces: ClassVar[frozenset[str]] = frozenset()
    seconds_per_article: ClassVar[float] = 0.15

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def __call__(self, batch: Sequence[Analysis]) -> list[Analysis]:
        time.sleep(self.seconds_per_article * len(batch))
        return list(batch)


def slow_pipeline(settings: Settings) -> Pipeline:
    """The configured pipeline with the slow stage after it."""
    base = Pipeline.from_settings(settings)
    return Pipeline(stages=(*base.stages, SlowStage(settings)))
