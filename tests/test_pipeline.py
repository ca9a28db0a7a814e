"""Pipeline: order checked at build time, registration, a runner that distrusts stages."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import pytest

from newsgraph import pipeline as pipeline_module
from newsgraph.errors import ConfigError
from newsgraph.model import Analysis, Article, Rejection
from newsgraph.pipeline import Pipeline, RunReport, apply_stages, available_stages, batched
from newsgraph.runner import ingest
from newsgraph.settings import Settings, load_settings


class ExplodingStage:
    """A third-party style stage that fails on articles mentioning 'explode'."""

    name: ClassVar[str] = "exploding"
    requires: ClassVar[frozenset[str]] = frozenset({"language"})
    produces: ClassVar[frozenset[str]] = frozenset({"boom"})

    def __init__(self, settings: Settings) -> None:
        self.calls = 0

    def __call__(self, batch: Sequence[Analysis]) -> list[Analysis]:
        self.calls += 1
        for analysis in batch:
            if "explode" in analysis.article.text:
                raise RuntimeError("this article makes the stage explode")
        return [dataclasses.replace(a, skipped=(*a.skipped, "seen")) for a in batch]


@pytest.fixture
def with_exploding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(pipeline_module.BUILTIN_STAGES, "exploding", f"{__name__}:ExplodingStage")


def test_available_stages_lists_builtins_and_entry_points() -> None:
    stages = available_stages()
    assert {"language", "parse", "entities"} <= set(stages)


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["entities"], "`entities` needs `doc`; add the parse stage before it"),
        (["parse", "language"], "`parse` needs `language`; add the language stage before it"),
        (["language", "spelling"], "unknown stage 'spelling'"),
    ],
)
def test_pipeline_order_fails_early_naming_the_fix(names: list[str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Pipeline.check_order(names)
    assert message in str(caught.value)


def test_pipeline_third_party_stage_needing_unknown_capability(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Needy(ExplodingStage):
        requires: ClassVar[frozenset[str]] = frozenset({"telepathy"})

    monkeypatch.setattr(f"{__name__}.Needy", Needy, raising=False)
    monkeypatch.setitem(pipeline_module.BUILTIN_STAGES, "needy", f"{__name__}:Needy")
    with pytest.raises(ConfigError, match="no installed stage produces it"):
        Pipeline.check_order(["needy"])


def test_apply_stages_isolates_the_article_that_breaks_a_stage(with_exploding: None) -> None:
    pipeline = Pipeline.from_settings(load_settings(stages="language,exploding"))
    batch = [
        Analysis(article=Article.from_text(text, origin=f"in-{n}"))
        for n, text in enumerate(["Calm talks.", "Talks explode.", "More calm talks."])
    ]
    report = RunReport(run_id="t")
    kept, rejected = apply_stages(pipeline, batch, report)
    assert [a.article.origin for a in kept] == ["in-0", "in-2"]
    assert all(a.skipped == ("seen",) for a in kept)
    assert len(rejected) == 1
    failure = rejected[0]
    assert (failure.input, failure.stage, failure.kind) == ("in-1", "exploding", "stage_error")
    assert "RuntimeError" in failure.reason
    assert set(report.seconds_by_stage) == {"language", "exploding"}


def test_ingest_counts_stage_failures_and_goes_on(tmp_path: Path, with_exploding: None) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for n, text in enumerate(["Calm talks in Cairo.", "Talks explode in Doha.", "Calm in Oslo."]):
        (folder / f"{n}.txt").write_text(text)
    settings = load_settings(db=str(tmp_path / "db.duckdb"), stages="language,exploding")
    report = ingest([folder], settings=settings)
    assert (report.inputs, report.ingested, report.rejected) == (3, 2, 1)
    assert report.rejected_by_kind == {"exploding:stage_error": 1}
    assert report.consistent and report.status == "completed"
    # The failed article was not stored, so a re-run retries it (and only it).
    again = ingest([folder], settings=settings)
    assert (again.ingested, again.duplicates, again.rejected) == (0, 2, 1)


def test_batched_groups_articles_and_carries_rejections() -> None:
    items: list[Article | Rejection] = [
        Article.from_text("one"),
        Rejection("x", "read", "missing", "gone"),
        Article.from_text("two"),
        Article.from_text("three"),
    ]
    groups = list(batched(items, 2))
    assert [len(g) for g in groups] == [3, 1]
    assert sum(len(g) for g in groups) == len(items)
