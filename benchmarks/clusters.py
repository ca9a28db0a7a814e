"""Stories across outlets: speed and memory of ``update_stories``, and the development sets.

Two commands::

    python benchmarks/clusters.py speed --data ../shared/data/news [--sizes 2000,5000,10000,0]
    python benchmarks/clusters.py dev --data ../shared/data/news [--stages LIST] [--out DIR]

``speed`` ingests Reuters-21578 once with the ``language`` stage only (a light extraction:
story features then come from the text — words, headline, capitalised names — not from
the NER, actor and place stages), into a database in a temporary folder (or ``--db``).
Then, for each size N, a fresh process pinned to one CPU core (DuckDB limited to one
thread) copies that database and places the N earliest articles with ``update_stories``
(0 = all). It reports seconds, articles per second and peak RSS (``ru_maxrss``) against
the RSS after the store is opened, so memory growth can be read against N. Finally the
whole collection is placed in four successive runs, as four ingest runs would, to show
that each run continues from the stored state.

``dev`` builds the development sets of :mod:`newsgraph.evaluate.cluster_sets` (Reuters
stories, BBC stories, synthetic syndication) into ``--out`` (a temporary folder by
default; never the repository) and runs :func:`newsgraph.evaluate.clusters.evaluate_clusters`
on each with the given stages, printing story, baseline and near-duplicate metrics.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "news"
ALL_STAGES = "language,parse,entities,dates,places,actors,quotes,events"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def prepare(data: Path, db: Path) -> dict[str, Any]:
    """Ingest Reuters-21578 with the language stage only into ``db`` (once), and forget the
    placements the ingest made, so that the measurement places every article itself."""
    from newsgraph.runner import ingest
    from newsgraph.settings import load_settings
    from newsgraph.store import Store
    from newsgraph.stories import reset_stories

    if db.exists():
        return {"db": str(db), "prepared": False}
    began = time.perf_counter()
    report = ingest(
        [data / "reuters21578.jsonl"],
        settings=load_settings(db=str(db), stages="language", batch_size=256),
    )
    with Store(db) as store:
        reset_stories(store)
    return {
        "db": str(db),
        "prepared": True,
        "ingested": report.ingested,
        "duplicates": report.duplicates,
        "seconds": round(time.perf_counter() - began, 1),
    }


def _measure(db: str, size: int, runs: int, queue: Any) -> None:
    """In a fresh process on one core: place the ``size`` earliest articles in ``runs`` runs."""
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    from newsgraph.store import Store
    from newsgraph.stories import update_stories
    from newsgraph.stories.store import ensure_tables, pending

    with Store(db) as store:
        store.con.execute("SET threads TO 1")
        ensure_tables(store.con)
        order = pending(store.con, None)
        chosen = order[:size] if size else order
        base = _current_rss_mb()
        timings = []
        reports = []
        began = time.perf_counter()
        cpu = time.process_time()
        step = -(-len(chosen) // runs)
        for start in range(0, len(chosen), step):
            run_began = time.perf_counter()
            report = update_stories(store, chosen[start : start + step])
            timings.append(round(time.perf_counter() - run_began, 2))
            reports.append(report.as_dict())
        seconds = time.perf_counter() - began
        cpu_seconds = time.process_time() - cpu
        counts = store.con.execute(
            "SELECT count(*), count(DISTINCT story_id), "
            "count(*) FILTER (WHERE original_id <> article_id) FROM story_articles"
        ).fetchall()[0]
    queue.put(
        {
            "articles": len(chosen),
            "runs": runs,
            "seconds": round(seconds, 2),
            "cpu_seconds": round(cpu_seconds, 2),
            "seconds_per_run": timings,
            "articles_per_second": round(len(chosen) / seconds, 1),
            "rss_after_open_mb": round(base, 1),
            "peak_rss_mb": round(_peak_rss_mb(), 1),
            "growth_mb": round(_peak_rss_mb() - base, 1),
            "placed": counts[0],
            "stories": counts[1],
            "copies": counts[2],
            "seconds_by_step": _sum_steps(reports),
            "stories_looked_at_per_article": round(
                sum(r["stories_looked_at"] for r in reports) / max(1, len(chosen)), 1
            ),
            "stories_scored_per_article": round(
                sum(r["stories_scored"] for r in reports) / max(1, len(chosen)), 2
            ),
            "load_average": os.getloadavg()[0],
        }
    )


def _sum_steps(reports: list[dict[str, Any]]) -> dict[str, float]:
    total: dict[str, float] = {}
    for report in reports:
        for step, seconds in report["seconds_by_step"].items():
            total[step] = round(total.get(step, 0.0) + seconds, 2)
    return total


def measure(db: Path, size: int, runs: int, scratch: Path) -> dict[str, Any]:
    """Run :func:`_measure` on a fresh copy of ``db`` in a spawned process."""
    copy = scratch / f"copy-{size}-{runs}.duckdb"
    shutil.copy(db, copy)
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_measure, args=(str(copy), size, runs, queue))
    process.start()
    result: dict[str, Any] = queue.get()
    process.join()
    copy.unlink()
    return result


def speed(args: argparse.Namespace) -> dict[str, Any]:
    """The ``speed`` command."""
    sizes = [int(value) for value in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        db = Path(args.db) if args.db else scratch / "reuters.duckdb"
        results: dict[str, Any] = {"prepare": prepare(Path(args.data), db), "sizes": []}
        print(json.dumps(results["prepare"]), flush=True)
        for size in sizes:
            result = measure(db, size, 1, scratch)
            results["sizes"].append(result)
            print(json.dumps(result), flush=True)
        results["incremental"] = measure(db, 0, 4, scratch)
        print(json.dumps(results["incremental"]), flush=True)
    return results


def dev(args: argparse.Namespace) -> dict[str, Any]:
    """The ``dev`` command."""
    from newsgraph.evaluate.cluster_sets import (
        build_bbc_stories,
        build_reuters_heldout,
        build_reuters_stories,
        build_syndication,
    )
    from newsgraph.evaluate.clusters import evaluate_clusters
    from newsgraph.settings import load_settings

    data = Path(args.data)
    settings = load_settings(stages=args.stages)
    results: dict[str, Any] = {"stages": args.stages}
    with tempfile.TemporaryDirectory() as scratch_name:
        out = Path(args.out) if args.out else Path(scratch_name)
        builders: dict[str, Callable[[Path, Path], dict[str, Any]]] = {
            "reuters_stories": build_reuters_stories,
            "bbc_stories": build_bbc_stories,
            "reuters_heldout": build_reuters_heldout,
            "syndication": build_syndication,
        }
        for name, build in builders.items():
            if args.only and name not in args.only.split(","):
                continue
            folder = out / name
            made = build(data, folder)
            scores = evaluate_clusters(folder, settings=settings)
            scores.pop("report", None)
            results[name] = {"set": made, **scores}
            print(json.dumps({name: results[name]}), flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one command."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    speed_parser = commands.add_parser("speed", help="time and memory of update_stories")
    speed_parser.add_argument("--data", default=str(DEFAULT_DATA))
    speed_parser.add_argument("--sizes", default="2000,5000,10000,0", help="0 = all articles")
    speed_parser.add_argument("--db", default=None, help="keep the prepared database here")
    speed_parser.add_argument("--json", default=None, help="also write the figures here")
    dev_parser = commands.add_parser("dev", help="metrics on the development sets")
    dev_parser.add_argument("--data", default=str(DEFAULT_DATA))
    dev_parser.add_argument("--stages", default=ALL_STAGES)
    dev_parser.add_argument("--out", default=None, help="write the sets here (not the repo)")
    dev_parser.add_argument("--only", default=None, help="comma-separated set names")
    dev_parser.add_argument("--json", default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    if not Path(args.data).is_dir():
        print(f"no data folder at {args.data}", file=sys.stderr)
        return 1
    results = speed(args) if args.command == "speed" else dev(args)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
