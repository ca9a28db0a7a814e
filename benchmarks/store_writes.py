"""Store writes: how many already-analysed articles per second go into DuckDB.

Analyses a sample of real news once with all default stages (``--seeds`` records taken
in rotation from the JSONL files of ``--data``, i.e. Reuters, BBC and Guardian; the demo
articles when the data is absent), then writes copies of them (each with its own article
and item ids, so nothing is skipped as a duplicate) into a fresh store, in batches,
timing ``Store.write`` (DuckDB rows and the search index) and the closing of the store
(the search index's last commit and DuckDB's last checkpoint).

    .venv/bin/python benchmarks/store_writes.py --articles 2000 --batch-size 500
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from newsgraph import Analysis, Store, analyze, load_settings

DEMO = Path(__file__).resolve().parent.parent / "examples" / "demo"
TARGET = 2000.0


def _renamed(item: Any, old: str, new: str) -> Any:
    changes: dict[str, Any] = {}
    for field in dataclasses.fields(item):
        value = getattr(item, field.name)
        if isinstance(value, str) and value.startswith(old):
            changes[field.name] = new + value[len(old) :]
        elif isinstance(value, tuple) and value and isinstance(value[0], str):
            changes[field.name] = tuple(
                new + v[len(old) :] if v.startswith(old) else v for v in value
            )
    return dataclasses.replace(item, **changes) if changes else item


def copy_of(analysis: Analysis, number: int) -> Analysis:
    """``analysis`` with fresh ids (article id and every item id re-prefixed)."""
    old = analysis.article.id
    new = f"{number:06d}{old[6:]}"
    article = dataclasses.replace(analysis.article, id=new)
    items: dict[str, Any] = {
        name: tuple(_renamed(item, old, new) for item in getattr(analysis, name))
        for name in ("entities", "actors", "places", "dates", "quotes", "events", "annotations")
    }
    return dataclasses.replace(analysis, article=article, doc=None, **items)


def seed_analyses(data: Path, count: int) -> list[Analysis]:
    """Analyse ``count`` news records taken in rotation from ``data``'s JSONL files."""
    settings = load_settings()
    files = sorted(data.glob("*.jsonl")) if data.is_dir() else []
    if not files:
        return [a for a in analyze(DEMO, settings=settings) if a.article.language == "en"]
    streams = [path.open(encoding="utf-8") for path in files]
    try:
        lines = [line for line in itertools.islice(_rotation(streams), count) if line.strip()]
    finally:
        for stream in streams:
            stream.close()
    with tempfile.TemporaryDirectory() as folder:
        sample = Path(folder) / "sample.jsonl"
        sample.write_text("".join(lines), encoding="utf-8")
        return [a for a in analyze(sample, settings=settings) if a.article.language == "en"]


def _rotation(streams: list[Any]) -> Any:
    for group in itertools.zip_longest(*streams):
        yield from (line for line in group if line is not None)


def measure(articles: int, batch_size: int, seeds: list[Analysis]) -> dict[str, float]:
    """Write ``articles`` copies of the analysed ``seeds``; return the timing."""
    copies = [copy_of(seeds[i % len(seeds)], i) for i in range(articles)]
    rows = sum(
        len(getattr(a, name))
        for a in copies
        for name in ("entities", "actors", "places", "dates", "quotes", "events", "annotations")
    ) + sum(1 for a in copies if a.tone is not None)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.duckdb"
        store = Store(path)
        began = time.perf_counter()
        for start in range(0, len(copies), batch_size):
            store.write(copies[start : start + batch_size])
        # Closing commits the search index and checkpoints the write-ahead log: counted.
        store.close()
        seconds = time.perf_counter() - began
        with Store(path, read_only=True) as check:
            stored = check.counts()["articles"]
    return {
        "articles": float(stored),
        "item_rows": float(rows),
        "seconds": round(seconds, 3),
        "articles_per_second": round(stored / seconds, 1),
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Run the measurement and print it with the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/news"))
    parser.add_argument("--seeds", type=int, default=150, help="news records analysed")
    parser.add_argument("--repeats", type=int, default=5, help="measurements, each fresh")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    seeds = seed_analyses(args.data, args.seeds)
    runs = [measure(args.articles, args.batch_size, seeds) for _ in range(args.repeats)]
    rates = sorted(run["articles_per_second"] for run in runs)
    result: dict[str, Any] = {
        **runs[0],
        "seed_articles": float(len(seeds)),
        "runs": runs,
        "median_articles_per_second": statistics.median(rates),
        "best_articles_per_second": rates[-1],
    }
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for run in runs:
        print(
            f"wrote {run['articles']:.0f} analysed articles ({run['item_rows']:.0f} item rows) "
            f"in {run['seconds']:.2f} s with batches of {args.batch_size}: "
            f"{run['articles_per_second']:.0f} articles/s"
        )
    print(
        f"median {result['median_articles_per_second']:.0f} articles/s, best "
        f"{result['best_articles_per_second']:.0f} (target {TARGET:.0f})"
    )


if __name__ == "__main__":
    main()
