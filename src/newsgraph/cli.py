"""The ``newsgraph`` command: thin wrappers that parse options, call the library, render.

Exit status: 0 success; 1 failure (a database or input that cannot be used); 2 usage
error; 3 an ingest that completed but rejected some inputs (see ``newsgraph rejections``).
"""

from __future__ import annotations

import html
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from newsgraph.errors import NewsgraphError
from newsgraph.pipeline import RunReport
from newsgraph.settings import Settings, load_settings

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_REJECTIONS = 3
PIPED_WIDTH = 100_000  # columns of a table written to a pipe or file: never folded

out = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, highlight=False)

db_option = click.option(
    "--db", default=None, metavar="FILE", help="DuckDB file [default: newsgraph.duckdb]."
)
format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)

rows_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="Output format.",
)


def _settings(**overrides: Any) -> Settings:
    return load_settings(**overrides)


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _table(title: str | None, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    table = Table(title=title, title_justify="left")
    for header in headers:
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*("" if value is None else str(value) for value in row))
    if out.is_terminal:
        out.print(table)
        return
    # Piped or redirected: no terminal width to fit, so each column gets its full width
    # (a narrow default would fold headers letter by letter).
    Console(width=PIPED_WIDTH, soft_wrap=True, highlight=False).print(table)


def _check(problem: str | None, option: str) -> None:
    """Fail with a usage error naming the option when a filter value is invalid."""
    if problem:
        raise click.BadParameter(problem, param_hint=option)


def _dates(**values: str | None) -> None:
    from newsgraph.store.event_queries import date_problem

    for name, value in values.items():
        if value is not None:
            _check(date_problem(value), f"--{name}")


def _source(store: Any, name: str | None) -> str | None:
    """The stored source name matching ``name`` ignoring case and accents; a usage error
    naming the stored sources when none does."""
    from newsgraph.store.event_queries import match_source, source_names

    if name is None:
        return None
    found = match_source(store, name)
    if found is None:
        known = ", ".join(source_names(store)) or "none stored yet"
        message = f"no articles from {name!r}; sources: {known}"
        raise click.BadParameter(message, param_hint="--source")
    return found


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsgraph")
def cli() -> None:
    """Turn news articles into evidence-linked event data."""


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@db_option
@click.option("--max-bytes", type=click.IntRange(min=1), default=None, help="Largest input record.")
@click.option("--batch-size", type=click.IntRange(min=1), default=None, help="Articles per batch.")
@click.option("--stages", default=None, help="Comma-separated analysis stages.")
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="Run on this machine, or on Dask distributed (pip install 'newsgraph[dask]').",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (local: more than 1 runs in parallel; dask: local cluster size).",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Address of a running Dask scheduler (tcp://host:8786); needs --engine dask.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary.")
@format_option
def ingest(
    paths: tuple[str, ...],
    db: str | None,
    max_bytes: int | None,
    batch_size: int | None,
    stages: str | None,
    engine: str,
    workers: int | None,
    scheduler: str | None,
    quiet: bool,
    fmt: str,
) -> None:
    """Read files, folders or - (stdin), analyse the articles and store them."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from newsgraph.runner import ingest as run_ingest

    if scheduler and engine != "dask":
        raise click.UsageError("--scheduler needs --engine dask")
    settings = _settings(db=db, max_bytes=max_bytes, batch_size=batch_size, stages=stages)
    show = not quiet and err.is_terminal
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err,
        disable=not show,
        transient=True,
    ) as bar:
        task = bar.add_task("reading", total=None)

        def progress(report: RunReport) -> None:
            bar.update(
                task,
                description=f"{report.inputs} inputs: {report.ingested} ingested, "
                f"{report.duplicates} duplicates, {report.rejected} rejected",
            )

        if engine == "dask" or (workers or 1) > 1:
            from newsgraph.scale import run_parallel

            report = run_parallel(
                paths,
                settings,
                engine="dask" if engine == "dask" else "processes",
                workers=workers,
                scheduler=scheduler,
                progress=progress,
            )
        else:
            report = run_ingest(paths, settings=settings, progress=progress)
    if fmt == "json":
        _print_json(asdict(report))
    elif not quiet:
        _print_report(report, settings.db)
    if report.rejected:
        sys.exit(EXIT_REJECTIONS)


def _print_report(report: RunReport, db: str) -> None:
    rows: list[tuple[str, Any]] = [
        ("inputs", report.inputs),
        ("ingested", report.ingested),
        ("duplicates", report.duplicates),
        ("rejected", report.rejected),
    ]
    rows += [(f"  {kind}", n) for kind, n in sorted(report.rejected_by_kind.items())]
    _table(f"Run {report.run_id} into {db}", ["", "count"], rows)
    seconds = report.seconds_by_stage
    _table(None, ["stage", "seconds"], [(k, f"{v:.2f}") for k, v in seconds.items()])
    if report.warned_by_kind:
        rows = [(kind, n) for kind, n in sorted(report.warned_by_kind.items())]
        _table("Warnings on ingested articles", ["warning", "articles"], rows)
        for line in report.warned[:10]:
            err.print(f"  {line}")
    if report.capped:
        dropped = ", ".join(f"{n:,} {kind}" for kind, n in sorted(report.capped.items()))
        err.print(f"dropped over the per-article item caps: {dropped} (noted on each article)")
    if report.rejected:
        err.print(
            f"completed with rejections: {report.rejected} input(s) rejected, "
            f"see `newsgraph rejections --db {db}`"
        )


@cli.command()
@click.argument("path")
@click.option("--stages", default=None, help="Comma-separated analysis stages.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=None, help="Largest input.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default=None,
    help="text: a summary for a person; json: the full record. "
    "[default: text on a terminal, json when piped]",
)
def analyze(path: str, stages: str | None, max_bytes: int | None, fmt: str | None) -> None:
    """Print what was found in the article(s) in PATH (or - for stdin)."""
    from newsgraph.runner import analyze as run_analyze

    records = run_analyze(path, settings=_settings(stages=stages, max_bytes=max_bytes))
    if (fmt or ("text" if sys.stdout.isatty() else "json")) == "json":
        data = [record.to_dict() for record in records]
        _print_json(data[0] if len(data) == 1 else data)
        return
    from newsgraph.report import analysis_text

    click.echo("\n\n".join(analysis_text(record) for record in records))


@cli.command()
@db_option
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--source", default=None, help="Only articles from this source (any case).")
@click.option("--language", default=None, help="Only articles in this language (ISO 639-1).")
@rows_format_option
def articles(
    db: str | None, limit: int, offset: int, source: str | None, language: str | None, fmt: str
) -> None:
    """List stored articles, newest first."""
    from newsgraph.store import Store

    with Store(_settings(db=db).db, read_only=True) as store:
        source = _source(store, source)
        language = language.lower() if language else None
        found = store.articles(limit=limit, offset=offset, source=source, language=language)
    rows = [{k: v for k, v in asdict(a).items() if k != "text"} for a in found]
    if fmt == "table":
        from newsgraph.report import first_sentence

        # An untitled article (feed items, some archives) is shown by its first sentence.
        shown = [
            {**row, "lang": a.language, "title": a.title or f"({first_sentence(a.text)})"}
            for row, a in zip(rows, found, strict=True)
        ]
        _print_rows(shown, fmt, ("id", "published", "source", "lang", "title"))
        return
    _print_rows(rows, fmt, tuple(rows[0]) if rows else ("id",))


@cli.command()
@click.argument("article_id")
@db_option
def show(article_id: str, db: str | None) -> None:
    """Print the stored record of one article as JSON."""
    from newsgraph.store import Store

    with Store(_settings(db=db).db, read_only=True) as store:
        record = store.analysis(article_id)
    if record is None:
        raise NewsgraphError(f"no article with id {article_id!r}", hint="see `newsgraph articles`")
    _print_json(record.to_dict())


@cli.command()
@click.argument("query")
@db_option
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@rows_format_option
def search(query: str, db: str | None, limit: int, fmt: str) -> None:
    """Full-text search (BM25) over article titles and texts: names and "phrases" match
    as written, other words also by their stem; -word leaves articles out."""
    from newsgraph.store import Store

    with Store(_settings(db=db).db, read_only=True) as store:
        hits = store.search(query, limit=limit)
    if fmt != "table":
        found = [asdict(hit) for hit in hits]
        _print_rows(found, fmt, tuple(found[0]) if found else ("article_id",))
        return
    rows = [(h.article_id, f"{h.score:.2f}", h.title, _plain_snippet(h.snippet)) for h in hits]
    _table(None, ["id", "score", "title", "snippet"], rows)


def _plain_snippet(snippet: str) -> str:
    """Terminal form of an HTML snippet: matches in [brackets], entities decoded."""
    return html.unescape(snippet.replace("<b>", "[").replace("</b>", "]"))


@cli.command()
@db_option
@format_option
def stats(db: str | None, fmt: str) -> None:
    """Counts of what the store holds."""
    from newsgraph.store import Store
    from newsgraph.store.event_queries import not_analysed

    with Store(_settings(db=db).db, read_only=True) as store:
        data = store.stats()
        data["last_run"] = next(iter(store.runs(limit=1)), None)
        data["not_analysed"] = not_analysed(store)
    if fmt == "json":
        _print_json(data)
        return
    counts = data["counts"]
    names = ["articles", "entities", "actors", "places", "dates", "quotes", "events"]
    names += ["annotations"]
    _table("Store", ["table", "rows"], [(n, counts[n]) for n in [*names, "rejections", "runs"]])
    if data["not_analysed"]:
        rows = list(data["not_analysed"].items())
        _table("stored, not analysed (language)", ["language", "articles"], rows)
    for key in ("languages", "sources", "entity_labels", "rejections", "warnings"):
        if data[key]:
            _table(key.replace("_", " "), [key, "count"], list(data[key].items()))
    if data["heavily_cleaned"]:
        rows = [
            (row["origin"], row["warning"].partition(": ")[2]) for row in data["heavily_cleaned"]
        ]
        _table("cleaning removed over 10% of the text", ["article", "warning"], rows)


@cli.command()
@db_option
@click.option("--limit", type=click.IntRange(1, 10_000), default=30, show_default=True)
@click.option("--country", default=None, help="ISO 3166-1 alpha-3 or IGO code.")
@click.option("--sector", default=None, help="PLOVER/CAMEO sector code (GOV, MIL, REB, ...).")
@click.option("--kind", default=None, help="person, organization, state, armed_group, ...")
@rows_format_option
def actors(
    db: str | None, limit: int, country: str | None, sector: str | None, kind: str | None, fmt: str
) -> None:
    """Actors across the stored articles, most frequent first."""
    from newsgraph.store import Store

    with Store(_settings(db=db).db, read_only=True) as store:
        rows = store.actor_summary(limit=limit, country=country, sector=sector, kind=kind)
    _print_rows(rows, fmt, tuple(rows[0]) if rows else ("name",))


@cli.command()
@db_option
@click.option("--limit", type=click.IntRange(1, 10_000), default=30, show_default=True)
@click.option("--country", default=None, help="ISO 3166-1 alpha-3 code.")
@rows_format_option
def places(db: str | None, limit: int, country: str | None, fmt: str) -> None:
    """Places across the stored articles, with GeoNames ids and coordinates."""
    from newsgraph.store import Store

    with Store(_settings(db=db).db, read_only=True) as store:
        rows = store.place_summary(limit=limit, country=country)
    _print_rows(rows, fmt, tuple(rows[0]) if rows else ("name",))


STATUSES = ("asserted", "alleged", "denied", "planned", "hypothetical", "negated")


def _print_rows(rows: list[dict[str, Any]], fmt: str, columns: Sequence[str]) -> None:
    if fmt == "json":
        _print_json(rows)
        return
    if fmt == "csv":
        import csv

        from newsgraph.store.event_queries import neutralise_cell

        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(
                neutralise_cell(
                    "; ".join(map(str, v)) if isinstance(v, list) else ("" if v is None else v)
                )
                for v in (row.get(column) for column in columns)
            )
        return
    _table(None, columns, [[_cell(row.get(column)) for column in columns] for row in rows])


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(map(str, value))
    if isinstance(value, str) and len(value) > 160:
        return value[:157] + "..."
    return value


@cli.command()
@db_option
@click.option("--actor", default=None, help="Actor name, country code or id among the actors.")
@click.option("--recipient", default=None, help="The same, among the recipients.")
@click.option("--type", "plover_type", default=None, help="PLOVER type or CAMEO code prefix.")
@click.option("--status", type=click.Choice(STATUSES), default=None, help="Claim status.")
@click.option("--place", default=None, help="Place name or GeoNames id.")
@click.option("--since", default=None, metavar="DATE", help="Earliest date (ISO).")
@click.option("--until", default=None, metavar="DATE", help="Latest date (ISO).")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@click.option(
    "--canonical",
    is_flag=True,
    help="Deduplicated events across articles, with article and independent-source counts.",
)
@click.option(
    "--min-sources",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="With --canonical: fewest independent sources.",
)
@rows_format_option
def events(
    db: str | None,
    actor: str | None,
    recipient: str | None,
    plover_type: str | None,
    status: str | None,
    place: str | None,
    since: str | None,
    until: str | None,
    limit: int,
    canonical: bool,
    min_sources: int,
    fmt: str,
) -> None:
    """Coded events, with actors, recipients, status, claimant, place and date.

    With --canonical, the events deduplicated across articles: each with its mentions,
    articles, independent sources, first report and claims per claimant."""
    from newsgraph.store import Store
    from newsgraph.store.event_queries import EVENT_COLUMNS, event_type_problem, find_events

    if plover_type is not None:
        _check(event_type_problem(plover_type), "--type")
    _dates(since=since, until=until)
    if canonical:
        if recipient or status:
            raise click.UsageError(
                "--recipient and --status apply to event mentions; canonical events keep "
                "actors and recipients together (--actor) and claims per claimant"
            )
        _canonical_events(db, plover_type, actor, place, since, until, min_sources, limit, fmt)
        return
    with Store(_settings(db=db).db, read_only=True) as store:
        rows = find_events(
            store,
            actor=actor,
            recipient=recipient,
            plover_type=plover_type,
            status=status,
            place=place,
            since=since,
            until=until,
            limit=limit,
        )
    brief: tuple[str, ...] = ("date", "plover_type", "cameo_code", "status", "actors")
    brief = (*brief, "recipients", "claimed_by", "place", "trigger", "article_id")
    columns = EVENT_COLUMNS if fmt != "table" else brief
    _print_rows(rows, fmt, columns)


def _canonical_events(
    db: str | None,
    plover_type: str | None,
    actor: str | None,
    place: str | None,
    since: str | None,
    until: str | None,
    min_sources: int,
    limit: int,
    fmt: str,
) -> None:
    from newsgraph.store import Store
    from newsgraph.stories.queries import CANONICAL_COLUMNS, find_canonical_events

    with Store(_settings(db=db).db, read_only=True) as store:
        rows = find_canonical_events(
            store,
            plover_type=plover_type,
            actor=actor,
            place=place,
            since=since,
            until=until,
            min_sources=min_sources,
            limit=limit,
        )
    brief: tuple[str, ...] = ("date", "plover_type", "actors", "recipients", "place")
    brief = (*brief, "articles", "sources", "first_outlet", "claims")
    _print_rows(rows, fmt, CANONICAL_COLUMNS if fmt != "table" else brief)


@cli.command()
@db_option
@click.option("--limit", type=click.IntRange(1, 100_000), default=20, show_default=True)
@click.option(
    "--min-articles",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Only stories with at least this many articles.",
)
@click.option(
    "--update",
    "update",
    is_flag=True,
    help="First place the stored articles not yet placed (ingest does this itself).",
)
@click.option(
    "--rebuild", is_flag=True, help="Forget every placement and place all articles again."
)
@rows_format_option
def stories(
    db: str | None, limit: int, min_articles: int, update: bool, rebuild: bool, fmt: str
) -> None:
    """Stories across outlets, largest first: articles, independent sources, copies, first
    report."""
    from newsgraph.store import Store
    from newsgraph.stories import find_stories, reset_stories, update_stories
    from newsgraph.stories.queries import STORY_COLUMNS

    path = _settings(db=db).db
    if update or rebuild:
        with Store(path) as store:
            if rebuild:
                reset_stories(store)
            report = update_stories(store)
        err.print(
            f"placed {report.articles} articles: {report.stories_opened} stories opened, "
            f"{report.copies} copies, {report.canonical_events_created} canonical events"
        )
    with Store(path, read_only=True) as store:
        rows = find_stories(store, limit=limit, min_articles=min_articles)
    brief = ("id", "first_date", "articles", "sources", "copies", "first_outlet", "title")
    columns = brief if fmt == "table" else STORY_COLUMNS
    _print_rows(rows, fmt, columns)


@cli.command()
@db_option
@click.option("--speaker", default=None, help="Speaker name, country code, id or words.")
@click.option(
    "--kind", type=click.Choice(["direct", "indirect", "mixed", "statement"]), default=None
)
@click.option("--text", "contains", default=None, help="Words the quote contains.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@rows_format_option
def quotes(
    db: str | None,
    speaker: str | None,
    kind: str | None,
    contains: str | None,
    limit: int,
    fmt: str,
) -> None:
    """Quotes with their speaker, cue and addressee."""
    from newsgraph.store import Store
    from newsgraph.store.event_queries import find_quotes

    with Store(_settings(db=db).db, read_only=True) as store:
        rows = find_quotes(store, speaker=speaker, kind=kind, text=contains, limit=limit)
    columns = ("kind", "speaker", "cue", "addressee", "text", "article_id")
    _print_rows(rows, fmt, columns if fmt == "table" else tuple(rows[0]) if rows else columns)


@cli.command()
@db_option
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@format_option
def rejections(db: str | None, limit: int, fmt: str) -> None:
    """Inputs and articles that could not be processed, and why."""
    from newsgraph.store import Store

    with Store(_settings(db=db).db, read_only=True) as store:
        found = store.rejections(limit=limit)
    if fmt == "json":
        _print_json([{**asdict(r), "run_id": run} for r, run in found])
        return
    _table(
        None,
        ["input", "stage", "kind", "reason"],
        [(r.input, r.stage, r.kind, r.reason) for r, _ in found],
    )


@cli.command()
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "parquet", "gdelt", "plover"]),
    required=True,
    help="jsonl: one record per line in file OUT; csv/parquet: one file per table in folder "
    "OUT; gdelt: the GDELT 2.0 event table (61 columns, tab-separated) in file OUT; "
    "plover: PLOVER JSON records, one per line, in file OUT.",
)
@click.option("--out", required=True, metavar="PATH", help="Destination file or folder.")
def export(db: str | None, fmt: str, out: str) -> None:
    """Export the store as JSON Lines, CSV, Parquet, GDELT events or PLOVER records."""
    from newsgraph.store import Store
    from newsgraph.store import export as run_export

    with Store(_settings(db=db).db, read_only=True) as store:
        written = run_export(store, fmt, out)
    _table(None, ["file", "rows"], list(written.items()))


@cli.command()
@db_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind (loopback: only this machine).",
)
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port."
)
def serve(db: str | None, host: str, port: int) -> None:
    """Explore the database in a browser: a read-only web UI with a JSON API."""
    from newsgraph.web import serve as run_server

    run_server(_settings(db=db).db, host=host, port=port)


@cli.command()
@db_option
def reindex(db: str | None) -> None:
    """Rebuild the full-text search index from the database."""
    from newsgraph.store import Store

    with Store(_settings(db=db).db) as store:
        count = store.catch_up_index(rebuild=True)
    out.print(f"indexed {count} articles")


@cli.group(name="eval")
def evaluate() -> None:
    """Measure extraction quality on public evaluation data (see docs/evaluation.md)."""


def _print_metrics(data: dict[str, Any], fmt: str) -> None:
    if fmt == "json":
        _print_json(data)
        return
    rows = [(key, value) for key, value in data.items() if not isinstance(value, dict | list)]
    _table(
        None, ["metric", "value"], [(k, f"{v:.4f}" if isinstance(v, float) else v) for k, v in rows]
    )
    for key, value in data.items():
        if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            headers = sorted({name for row in value.values() for name in row})
            _table(
                key,
                [key, *headers],
                [(k, *(row.get(h) for h in headers)) for k, row in value.items()],
            )


eval_format_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
data_file_option = click.option(
    "--data", "data", required=True, type=click.Path(exists=True, dir_okay=False)
)
data_dir_option = click.option(
    "--data", "data", required=True, type=click.Path(exists=True, file_okay=False)
)
limit_option = click.option(
    "--limit", type=click.IntRange(min=1), default=None, help="Only the first N documents."
)


@evaluate.command(name="geo")
@data_file_option
@click.option("--gold-spans", is_flag=True, help="Resolve the gold toponym spans.")
@limit_option
@eval_format_option
def evaluate_geo(data: str, gold_spans: bool, limit: int | None, as_json: bool) -> None:
    """Geoparsing on LGL, GeoWebNews or GeoVirus XML: detection and resolution."""
    from pathlib import Path

    from newsgraph.evaluate.geo import evaluate_geo as run

    _print_metrics(
        run(Path(data), gold_spans=gold_spans, limit=limit), "json" if as_json else "table"
    )


@evaluate.command(name="ner")
@data_file_option
@limit_option
@eval_format_option
def evaluate_ner(data: str, limit: int | None, as_json: bool) -> None:
    """Named-entity recognition on a CoNLL-2003 file (PER/ORG/LOC/MISC, exact spans)."""
    from pathlib import Path

    from newsgraph.evaluate.ner import evaluate_ner as run

    _print_metrics(run(Path(data), limit=limit), "json" if as_json else "table")


@evaluate.command(name="quotes")
@data_dir_option
@limit_option
@eval_format_option
def evaluate_quotes(data: str, limit: int | None, as_json: bool) -> None:
    """Quotes and speakers on PolNeAR (brat .ann beside .txt): Jaccard >= 0.5 and exact F1,
    beside a quote-marks baseline."""
    from pathlib import Path

    from newsgraph.evaluate.quotes import evaluate_quotes as run

    _print_metrics(run(Path(data), limit=limit), "json" if as_json else "table")


@evaluate.command(name="actors")
@data_file_option
@eval_format_option
def evaluate_actors(data: str, as_json: bool) -> None:
    """Actor country and sector on PLOVER gold-standard JSON records."""
    from pathlib import Path

    from newsgraph.evaluate.actors import evaluate_plover

    scores = evaluate_plover(Path(data)).as_dict()
    _print_metrics(dict(scores), "json" if as_json else "table")


@evaluate.command(name="events")
@data_file_option
@click.option(
    "--split",
    type=click.Choice(["auto", "held-out", "train", "all"]),
    default="auto",
    show_default=True,
    help="Which texts: auto scores the held-out part of a file the type model trained on "
    "(known by its hash) and all of any other file.",
)
@limit_option
@eval_format_option
def evaluate_events(data: str, split: str, limit: int | None, as_json: bool) -> None:
    """Event types (main event by the stage's own ranking) and arguments on Zero-Shot-PLOVER
    TSV, PLOVER gold JSON or CASE 2021 TSV, beside a majority baseline."""
    from pathlib import Path

    from newsgraph.evaluate.events import evaluate_events as run

    _print_metrics(run(Path(data), split=split, limit=limit), "json" if as_json else "table")


@evaluate.command(name="event-location")
@data_file_option
@limit_option
@eval_format_option
def evaluate_event_location(data: str, limit: int | None, as_json: bool) -> None:
    """Event places on Prodigy VERB/LOCATION sentences: share placed at the gold location,
    beside first-place and nearest-place baselines."""
    from pathlib import Path

    from newsgraph.evaluate.event_location import evaluate_event_location as run

    _print_metrics(run(Path(data), limit=limit), "json" if as_json else "table")


@evaluate.command(name="claims")
@data_dir_option
@limit_option
@eval_format_option
def evaluate_claims(data: str, limit: int | None, as_json: bool) -> None:
    """Event claims on PolNeAR: claimant inside attributions, false claims outside."""
    from pathlib import Path

    from newsgraph.evaluate.claims import evaluate_claims as run

    _print_metrics(run(Path(data), limit=limit), "json" if as_json else "table")


@evaluate.command(name="tone")
@data_file_option
@limit_option
@eval_format_option
def evaluate_tone(data: str, limit: int | None, as_json: bool) -> None:
    """Tone toward targets on NewsMTSC JSON Lines: macro-F1 over negative/neutral/positive."""
    from pathlib import Path

    from newsgraph.evaluate.tone import evaluate_tone as run

    _print_metrics(run(Path(data), limit=limit), "json" if as_json else "table")


@evaluate.command(name="framing")
@data_dir_option
@click.option(
    "--split",
    type=click.Choice(["unseen", "trained", "all"]),
    default="unseen",
    show_default=True,
    help="Which articles: those the model never trained on (by text hash), those it "
    "trained on, or all.",
)
@limit_option
@eval_format_option
def evaluate_framing(data: str, split: str, limit: int | None, as_json: bool) -> None:
    """Persuasion techniques on SemEval-2023 Task 3 (paragraph micro/macro-F1, span F1)."""
    from pathlib import Path

    from newsgraph.evaluate.framing import evaluate_framing as run
    from newsgraph.evaluate.framing import table_view

    result = run(Path(data), split=split, limit=limit)
    _print_metrics(result if as_json else table_view(result), "json" if as_json else "table")


@evaluate.command(name="clusters")
@data_dir_option
@eval_format_option
def evaluate_clusters(data: str, as_json: bool) -> None:
    """Story clusters on a folder whose file-name prefix (before the first dot) is the gold
    cluster: ARI, NMI, pairwise P/R/F1, beside a TF-IDF baseline; near-duplicate groups."""
    from pathlib import Path

    from newsgraph.evaluate.clusters import evaluate_clusters as run

    _print_metrics(run(Path(data)), "json" if as_json else "table")


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI, turning library errors into one line and an exit status."""
    run: Callable[..., Any] = cli.main
    try:
        run(args=argv, prog_name="newsgraph", standalone_mode=False)
    except click.exceptions.Abort:
        err.print("newsgraph: interrupted")
        sys.exit(130)
    except click.UsageError as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except NewsgraphError as exc:
        click.echo(f"newsgraph: error: {exc}", err=True)
        sys.exit(EXIT_FAILURE)
    except KeyboardInterrupt:
        click.echo("newsgraph: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("NEWSGRAPH_DEBUG"):
            raise
        click.echo(
            f"newsgraph: internal error: {type(exc).__name__}: {exc} "
            "(set NEWSGRAPH_DEBUG=1 for the traceback and please report it)",
            err=True,
        )
        sys.exit(EXIT_FAILURE)
