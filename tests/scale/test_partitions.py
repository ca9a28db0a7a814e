"""Partitions read exactly what the serial reader reads, with the same origins."""

from __future__ import annotations

import gzip
import os
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from newsgraph.errors import InputError
from newsgraph.ingest import read_inputs
from newsgraph.model import Article, Rejection
from newsgraph.scale.partitions import MAX_PARTITION, plan_partitions, read_partition
from newsgraph.settings import Settings

MAX_BYTES = Settings().max_bytes


def _serial(paths: list[Path | str]) -> list[Article | Rejection]:
    return list(read_inputs(paths, max_bytes=MAX_BYTES))


def _parallel(paths: list[Path | str], size: int | None) -> list[Article | Rejection]:
    plan = plan_partitions(paths, size=size, workers=2)
    items: list[Article | Rejection] = list(plan.rejections)
    for partition in plan.partitions:
        items.extend(read_partition(partition, max_bytes=MAX_BYTES))
    return items


def _articles(items: Iterable[Article | Rejection]) -> list[Article]:
    return [item for item in items if isinstance(item, Article)]


def _rejections(items: Iterable[Article | Rejection]) -> Counter[Rejection]:
    return Counter(item for item in items if isinstance(item, Rejection))


@pytest.mark.parametrize("size", [1, 2, 5, 64, None])
def test_partitions_read_what_the_serial_reader_reads(
    tmp_path: Path, corpus: Path, demo_dir: Path, warc_bytes: Callable[..., bytes], size: int | None
) -> None:
    (tmp_path / "crawl.warc").write_bytes(warc_bytes(5, gzip=False))
    (tmp_path / "crawl.warc.gz").write_bytes(warc_bytes(4, gzip=True))
    (tmp_path / "tail.jsonl").write_text('{"text": "NAIROBI — Rain flooded the market."}')
    paths: list[Path | str] = [
        corpus,
        demo_dir,
        tmp_path / "crawl.warc",
        tmp_path / "crawl.warc.gz",
        tmp_path / "tail.jsonl",
        tmp_path / "missing.txt",
    ]
    serial, parallel = _serial(paths), _parallel(paths, size)
    # Articles in the same order with the same origins (line and record numbers).
    assert _articles(parallel) == _articles(serial)
    # Rejections found while planning come first; the same ones all the same.
    assert _rejections(parallel) == _rejections(serial)
    assert any(a.origin.endswith("crawl.warc.gz#record 4") for a in _articles(parallel))


@pytest.mark.parametrize(
    ("name", "data", "pieces"),
    [
        ("wire.jsonl", "\n".join(['{"text": "Talks resumed in Oslo."}'] * 6), 6),
        ("wide.jsonl", '{"text": "Talks resumed in Oslo."}\n'.encode("utf-16") * 1, 1),
        ("story.txt", "Talks resumed in Oslo.\n", 1),
        ("crawl.warc.gz", b"\x1f\x8b\x08\x00broken", 1),
    ],
)
def test_partitions_split_only_what_splits_safely(
    tmp_path: Path, name: str, data: str | bytes, pieces: int
) -> None:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    plan = plan_partitions([path], size=1, workers=2)
    assert len(plan.partitions) == pieces
    assert _articles(_parallel([path], 1)) == _articles(_serial([path]))
    assert _rejections(_parallel([path], 1)) == _rejections(_serial([path]))


def test_partitions_of_a_truncated_archive_keep_the_serial_rejection(
    tmp_path: Path, warc_bytes: Callable[..., bytes]
) -> None:
    data = warc_bytes(4, gzip=True)
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(data[: len(data) - 40])
    assert plan_partitions([path], size=1, workers=2).partitions[0].slices[0].kind == "file"
    assert _rejections(_parallel([path], 1)) == _rejections(_serial([path]))
    assert _articles(_parallel([path], 1)) == _articles(_serial([path]))


def test_partitions_default_size_gives_each_worker_about_four(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    path.write_text("".join(f'{{"text": "Story {n} of the day."}}\n' for n in range(300)))
    plan = plan_partitions([path], size=None, workers=2)
    assert [p.records for p in plan.partitions] == [38] * 7 + [34]
    assert plan.partitions[1].label == f"{path}:lines 39-76"
    big = plan_partitions([path], size=None, workers=1)
    assert max(p.records for p in big.partitions) <= MAX_PARTITION


def test_partitions_refuse_standard_input() -> None:
    with pytest.raises(InputError, match="standard input"):
        plan_partitions(["-"], size=None, workers=2)


def test_partitions_of_gzip_text_are_not_split(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(gzip.compress(b"Talks resumed."))
    assert len(plan_partitions([path], size=1, workers=2).partitions) == 1


def test_worker_processes_get_one_numeric_thread_each(monkeypatch: pytest.MonkeyPatch) -> None:
    from newsgraph.scale.processes import SINGLE_THREAD_ENV, single_threaded_children

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.delenv("MKL_NUM_THREADS", raising=False)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "4")  # the user's choice wins
    with single_threaded_children():
        assert os.environ["OMP_NUM_THREADS"] == "1" and os.environ["MKL_NUM_THREADS"] == "1"
        assert os.environ["OPENBLAS_NUM_THREADS"] == "4"
    assert "OMP_NUM_THREADS" not in os.environ and "MKL_NUM_THREADS" not in os.environ
    assert set(SINGLE_THREAD_ENV) >= {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"}
