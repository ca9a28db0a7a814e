"""Stages, the pipeline that orders them, and the runner that distrusts them.

A stage is a class with a ``name``, the capabilities it ``requires`` and those it
``produces``, built from :class:`~newsgraph.settings.Settings`, and called on a batch
of :class:`~newsgraph.model.Analysis` records. Ingestion provides ``article``.

Stages are found through an explicit list of built-ins plus the
``newsgraph.stages`` entry-point group, the same way a third-party package adds one::

    [project.entry-points."newsgraph.stages"]
    mystage = "mypackage.stages:MyStage"

The runner calls each stage on a batch; when a batch fails it retries the articles
one by one, so a single bad article becomes a :class:`~newsgraph.model.Rejection` and
the rest go on.
"""

from __future__ import annotations

import dataclasses
import importlib
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, ClassVar, Protocol, runtime_checkable

from newsgraph.errors import ConfigError
from newsgraph.model import Analysis, Article, Rejection
from newsgraph.settings import Settings

ENTRY_POINT_GROUP = "newsgraph.stages"
PROVIDED_BY_INGEST = frozenset({"article"})

#: Most items of each kind kept per article. A long or repetitive article can yield tens
#: of thousands of events (one 1.5 MB article gave 35,986), and every later step — the
#: store, stories, canonical events — pays for each. The first ones in text order are
#: kept, the article records how many were dropped (``skipped``) and the run counts them.
ITEM_CAPS: dict[str, int] = {"quotes": 2_000, "events": 2_000, "annotations": 5_000}

BUILTIN_STAGES: dict[str, str] = {
    "language": "newsgraph.stages.language:LanguageStage",
    "parse": "newsgraph.stages.parse:ParseStage",
    "entities": "newsgraph.stages.entities:EntitiesStage",
    "dates": "newsgraph.stages.dates:DatesStage",
    "places": "newsgraph.stages.places:PlacesStage",
    "actors": "newsgraph.stages.actors:ActorsStage",
    "quotes": "newsgraph.stages.quotes:QuotesStage",
    "events": "newsgraph.stages.events:EventsStage",
    "tone": "newsgraph.stages.tone:ToneStage",
    "framing": "newsgraph.stages.framing:FramingStage",
}


@runtime_checkable
class Stage(Protocol):
    """What the pipeline needs of a stage."""

    name: ClassVar[str]
    requires: ClassVar[frozenset[str]]
    produces: ClassVar[frozenset[str]]

    def __call__(self, batch: Sequence[Analysis]) -> list[Analysis]:
        """Return the batch enriched, one output per input, in order."""
        ...


StageFactory = Callable[[Settings], Stage]


def _load(target: str) -> StageFactory:
    module_name, _, attribute = target.partition(":")
    try:
        factory: StageFactory = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"cannot load stage {target!r}: {exc}") from exc
    return factory


def available_stages() -> dict[str, str]:
    """Return every known stage name and where it is defined (built-ins first)."""
    found = dict(BUILTIN_STAGES)
    for point in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(point.name, point.value)
    return found


def _declared(target: str) -> tuple[frozenset[str], frozenset[str]]:
    factory = _load(target)
    return getattr(factory, "requires", frozenset()), getattr(factory, "produces", frozenset())


@dataclass(frozen=True)
class Pipeline:
    """An ordered, checked list of stages. Build it with :meth:`from_settings`."""

    stages: tuple[Stage, ...]

    @property
    def names(self) -> list[str]:
        """The stage names, in order."""
        return [stage.name for stage in self.stages]

    @property
    def versions(self) -> dict[str, str]:
        """Versions of the models and data the stages use (a stage may set ``version``)."""
        return {
            stage.name: str(stage.version)  # type: ignore[attr-defined]
            for stage in self.stages
            if getattr(stage, "version", None)
        }

    @classmethod
    def check_order(cls, names: Sequence[str]) -> None:
        """Fail early, naming the fix, when a stage runs before what it needs.

        Raises:
            ConfigError: for an unknown stage or one whose requirements come later.
        """
        known = available_stages()
        provided = set(PROVIDED_BY_INGEST)
        for name in names:
            if name not in known:
                raise ConfigError(
                    f"unknown stage {name!r}", hint=f"available stages: {', '.join(known)}"
                )
            requires, produces = _declared(known[name])
            for need in sorted(requires - provided):
                makers = [other for other, target in known.items() if need in _declared(target)[1]]
                fix = (
                    f"add the {makers[0]} stage before it"
                    if makers
                    else "no installed stage produces it"
                )
                raise ConfigError(f"`{name}` needs `{need}`; {fix}")
            provided |= produces

    @classmethod
    def from_settings(cls, settings: Settings) -> Pipeline:
        """Check the configured stage order, then build each stage once (models load here)."""
        names = settings.stage_names
        cls.check_order(names)
        known = available_stages()
        return cls(stages=tuple(_load(known[name])(settings) for name in names))


#: How many article warnings a run report lists one by one (all are counted).
WARNED_LISTED = 100


@dataclass
class RunReport:
    """What one run did: counts, rejections by kind, seconds per stage."""

    run_id: str
    inputs: int = 0
    ingested: int = 0
    duplicates: int = 0
    rejected: int = 0
    rejected_by_kind: dict[str, int] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    seconds_by_stage: dict[str, float] = field(default_factory=dict)
    started: float = field(default_factory=time.time)
    finished: float | None = None
    status: str = "running"
    #: Items dropped by the per-article caps (:data:`ITEM_CAPS`), by kind.
    capped: dict[str, int] = field(default_factory=dict)
    #: Warnings kept on ingested articles, by kind (``removed_over_10pct``, ``bad_date`` ...).
    warned_by_kind: dict[str, int] = field(default_factory=dict)
    #: The first :data:`WARNED_LISTED` of them, as ``origin: warning``.
    warned: list[str] = field(default_factory=list)

    def count_warnings(self, article: Article) -> None:
        """Add the warnings an ingested article carries to the counts."""
        for warning in article.warnings:
            kind = warning.partition(":")[0]
            self.warned_by_kind[kind] = self.warned_by_kind.get(kind, 0) + 1
            if len(self.warned) < WARNED_LISTED:
                self.warned.append(f"{article.origin or article.id}: {warning}")

    def count_rejection(self, rejection: Rejection) -> None:
        """Add one rejection to the counts."""
        self.rejected += 1
        key = f"{rejection.stage}:{rejection.kind}"
        self.rejected_by_kind[key] = self.rejected_by_kind.get(key, 0) + 1

    def add_time(self, stage: str, seconds: float) -> None:
        """Add time spent in a stage."""
        self.seconds_by_stage[stage] = self.seconds_by_stage.get(stage, 0.0) + seconds

    @property
    def consistent(self) -> bool:
        """True when every input is accounted for exactly once."""
        return self.ingested + self.duplicates + self.rejected == self.inputs


def _failure(stage: Stage, analysis: Analysis, exc: Exception) -> Rejection:
    return Rejection(
        input=analysis.article.origin or analysis.article.id,
        stage=stage.name,
        kind="stage_error",
        reason=f"{type(exc).__name__}: {exc}",
        article_id=analysis.article.id,
    )


def cap_items(analysis: Analysis, report: RunReport | None = None) -> Analysis:
    """``analysis`` with at most :data:`ITEM_CAPS` items of each kind (the first in text
    order); what was dropped is noted in ``skipped`` and counted in ``report``."""
    changes: dict[str, Any] = {}
    notes: list[str] = []
    for attribute, cap in ITEM_CAPS.items():
        items = getattr(analysis, attribute)
        if len(items) <= cap:
            continue
        kept = sorted(items, key=lambda item: (item.start, item.end))[:cap]
        changes[attribute] = tuple(kept)
        notes.append(f"{attribute}: kept the first {cap:,} of {len(items):,} (the per-article cap)")
        if report is not None:
            report.capped[attribute] = report.capped.get(attribute, 0) + len(items) - cap
    if not changes:
        return analysis
    return dataclasses.replace(analysis, skipped=(*analysis.skipped, *notes), **changes)


def apply_stages(
    pipeline: Pipeline, batch: Sequence[Analysis], report: RunReport | None = None
) -> tuple[list[Analysis], list[Rejection]]:
    """Run every stage over ``batch``; articles that break a stage become rejections."""
    rejected: list[Rejection] = []
    current = list(batch)
    for stage in pipeline.stages:
        began = time.perf_counter()
        try:
            current = stage(current)
        except Exception:  # the runner distrusts stages: isolate the article that broke it
            survivors: list[Analysis] = []
            for analysis in current:
                try:
                    survivors.extend(stage([analysis]))
                except Exception as exc:
                    rejected.append(_failure(stage, analysis, exc))
            current = survivors
        current = [cap_items(analysis, report) for analysis in current]
        if report is not None:
            report.add_time(stage.name, time.perf_counter() - began)
    return current, rejected


def batched(items: Iterable[Article | Rejection], size: int) -> Iterator[list[Article | Rejection]]:
    """Group ``items`` into lists of at most ``size`` articles (rejections ride along)."""
    batch: list[Article | Rejection] = []
    articles = 0
    for item in items:
        batch.append(item)
        if isinstance(item, Article):
            articles += 1
            if articles >= size:
                yield batch
                batch, articles = [], 0
    if batch:
        yield batch
