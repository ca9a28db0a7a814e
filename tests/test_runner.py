"""The runner contains every failure where it occurs and accounts for every input.

Every text here is invented for these tests.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsgraph import runner
from newsgraph.model import Article, Rejection
from newsgraph.pipeline import ITEM_CAPS
from newsgraph.runner import ingest
from newsgraph.settings import Settings
from newsgraph.store import Store

GOOD = [
    "Ministers met in Lima on Tuesday to discuss a trade agreement.",
    "Envoys from both sides held talks in Oslo on Wednesday.",
]
HOSTILE_RECORDS = [
    # An offset no datetime accepts (+25:00): raised out of the JSON Lines reader.
    {"text": "Talks resumed in Oslo on Monday.", "date": "2024-05-03T12:00:00+25:00"},
    # Lone surrogates in the title, the source and the id: not storable as UTF-8.
    {"text": "A quiet day in Cairo, officials said.", "title": "x\ud800"},
    {"text": "Markets were calm in Doha on Sunday.", "source": "s\udc00"},
    {"text": "Rain fell on Nairobi all week, residents said.", "id": "i\ud800"},
]


def _jsonl(path: Path, records: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return path


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    folder.mkdir()
    _jsonl(folder / "a_good.jsonl", [{"text": text} for text in GOOD])
    for number, record in enumerate(HOSTILE_RECORDS):
        _jsonl(folder / f"b_bad{number}.jsonl", [record])
    (folder / "c_good.txt").write_text("Officials in Accra said the new bridge opened today.")
    return folder


def _run_row(db: str) -> dict[str, Any]:
    with Store(db, read_only=True) as store:
        return store.runs(limit=1)[0]


def _stored(db: str) -> tuple[int, int]:
    with Store(db, read_only=True) as store:
        counts = store.counts()
    return counts["articles"], counts["rejections"]


def test_runner_hostile_records_beside_good_files_are_rejected_and_the_run_completes(
    tmp_path: Path, light_settings: Settings
) -> None:
    report = ingest([_folder(tmp_path)], settings=light_settings)
    assert report.status == "completed"
    assert report.consistent
    assert report.inputs == len(GOOD) + 1 + len(HOSTILE_RECORDS)
    articles, rejections = _stored(light_settings.db)
    # The readers mend what they can (an impossible offset becomes no date, lone surrogates
    # are replaced), each with a warning kept on the article; anything else is a rejection.
    assert articles == report.ingested >= len(GOOD) + 1
    assert rejections == report.rejected
    assert articles + rejections == report.inputs
    assert {"bad_date", "bad_unicode"} <= set(report.warned_by_kind)
    row = _run_row(light_settings.db)
    assert (row["inputs"], row["ingested"], row["rejected"]) == (
        report.inputs,
        articles,
        rejections,
    )
    with Store(light_settings.db, read_only=True) as store:
        for rejection, _ in store.rejections():
            assert rejection.reason and rejection.stage and rejection.kind


def test_runner_a_reader_that_raises_ends_its_file_only(
    tmp_path: Path, light_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "inputs"
    folder.mkdir()
    _jsonl(folder / "a_good.jsonl", [{"text": text} for text in GOOD])
    (folder / "c_good.txt").write_text("Officials in Accra said the new bridge opened today.")
    real = runner.read_inputs

    def flaky(paths: list[Any], **options: Any) -> Iterator[Article | Rejection]:
        for item in real(paths, **options):
            yield item
            if str(paths[0]).endswith("a_good.jsonl"):
                raise RuntimeError("the reader broke")

    monkeypatch.setattr(runner, "read_inputs", flaky)
    report = ingest([folder], settings=light_settings)
    assert report.status == "completed" and report.consistent
    assert report.rejected_by_kind.get("read:reader_error") == 1
    with Store(light_settings.db, read_only=True) as store:
        reasons = [r.reason for r, _ in store.rejections() if r.kind == "reader_error"]
    assert reasons == [
        "reading failed (RuntimeError: the reader broke); the rest of this input was not read"
    ]
    assert _stored(light_settings.db)[0] == report.ingested == 2  # the first line, c_good.txt


def test_runner_an_unstorable_article_is_isolated_and_the_batch_stored(
    tmp_path: Path, light_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record the store cannot write is found by writing its batch record by record."""
    real = runner.read_inputs

    def with_surrogate(paths: list[Any], **options: Any) -> Iterator[Article | Rejection]:
        for item in real(paths, **options):
            if isinstance(item, Article) and "Oslo" in item.text:
                item = Article(id=item.id, text=item.text, title="bad \udc80 title")
            yield item

    monkeypatch.setattr(runner, "read_inputs", with_surrogate)
    path = _jsonl(tmp_path / "wire.jsonl", [{"text": text} for text in GOOD])
    report = ingest([path], settings=light_settings)
    assert report.consistent and report.status == "completed"
    assert (report.ingested, report.rejected) == (1, 1)
    assert report.rejected_by_kind == {"store:unstorable": 1}
    assert _stored(light_settings.db) == (1, 1)
    assert _run_row(light_settings.db)["ingested"] == 1


def test_runner_rejections_of_later_runs_never_replace_earlier_ones(
    light_settings: Settings,
) -> None:
    for _ in range(2):
        report = ingest(["-"], settings=light_settings, stdin=io.BytesIO(b""))
        assert report.rejected == 1
    assert _stored(light_settings.db) == (0, 2)


def test_runner_counts_only_what_the_store_holds_when_a_write_fails(
    tmp_path: Path, light_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The runs row is written with each batch, so a run stopped by the store counts
    exactly what it stored; the next run marks it interrupted."""
    path = _jsonl(
        tmp_path / "wire.jsonl", [{"text": f"{t} Day {n}."} for n, t in enumerate(GOOD * 4)]
    )
    from newsgraph.errors import ResourceError
    from newsgraph.store import database

    writes = 0
    real_write = database.Store.write

    def failing(self: Store, *args: Any, **kwargs: Any) -> int:
        nonlocal writes
        writes += 1
        if writes == 2:
            raise ResourceError("No space left on device while writing x", path="x")
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(database.Store, "write", failing)
    with pytest.raises(ResourceError, match="No space left on device"):
        ingest([path], settings=light_settings)
    row = _run_row(light_settings.db)
    assert row["status"] == "interrupted"
    assert row["ingested"] == _stored(light_settings.db)[0] == light_settings.batch_size
    assert row["inputs"] == light_settings.batch_size
    monkeypatch.setattr(database.Store, "write", real_write)
    resumed = ingest([path], settings=light_settings)
    assert resumed.consistent
    assert resumed.ingested + resumed.duplicates == len(GOOD) * 4
    assert _stored(light_settings.db)[0] == len(GOOD) * 4


class _Flood:
    """A stage that finds far more annotations than any article holds."""

    name = "flood"
    requires: frozenset[str] = frozenset()
    produces: frozenset[str] = frozenset({"annotations"})

    def __call__(self, batch: Any) -> list[Any]:
        from dataclasses import replace

        from newsgraph.model import Annotation

        out = []
        for analysis in batch:
            article = analysis.article
            found = tuple(
                Annotation(f"{article.id}-a{n}", article.id, n % 5, n % 5 + 1, "x", "loaded", "x")
                for n in range(ITEM_CAPS["annotations"] + 7, 0, -1)
            )
            out.append(replace(analysis, annotations=found))
        return out


def test_pipeline_caps_items_per_article_with_a_counted_note() -> None:
    from newsgraph.model import Analysis
    from newsgraph.pipeline import Pipeline, RunReport, apply_stages

    report = RunReport(run_id="cap")
    article = Article.from_text("xxxxx and more text")
    done, failed = apply_stages(Pipeline(stages=(_Flood(),)), [Analysis(article)], report)
    assert failed == []
    (analysis,) = done
    assert len(analysis.annotations) == ITEM_CAPS["annotations"]
    starts = [a.start for a in analysis.annotations]
    assert starts == sorted(starts)
    assert report.capped == {"annotations": 7}
    assert analysis.skipped == (
        f"annotations: kept the first {ITEM_CAPS['annotations']:,} of "
        f"{ITEM_CAPS['annotations'] + 7:,} (the per-article cap)",
    )
