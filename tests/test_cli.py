"""The command line, run in-process: output, exit status and one-line errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from newsgraph.cli import EXIT_FAILURE, EXIT_REJECTIONS, EXIT_USAGE, main

GOLDEN = Path(__file__).parent / "golden"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``newsgraph ARGS`` and return (exit status, stdout, stderr)."""
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "cli.duckdb")


@pytest.fixture
def ingested(capsys: pytest.CaptureFixture[str], db: str, demo_dir: Path) -> str:
    code, _, _ = run(capsys, "ingest", str(demo_dir), "--db", db, "--stages", "language", "-q")
    assert code == 0
    return db


def test_cli_analyze_matches_golden_json(
    capsys: pytest.CaptureFixture[str], update_golden: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(GOLDEN)  # the record's origin is the path as given
    code, out, err = run(capsys, "analyze", "wire_story.txt")
    assert code == 0, err
    record = json.loads(out)
    golden = GOLDEN / "wire_story.json"
    if update_golden:
        golden.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    assert record == json.loads(golden.read_text())
    text = record["article"]["text"]
    for entity in record["entities"]:
        assert text[entity["start"] : entity["end"]] == entity["text"]


def test_cli_analyze_reads_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    story = '{"text": "Talks resumed in Cairo on Tuesday.", "title": "Talks"}\n'
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(story.encode())))
    code, out, _ = run(capsys, "analyze", "-", "--stages", "language")
    assert code == 0
    record = json.loads(out)
    assert record["article"]["title"] == "Talks"
    assert set(record) >= {
        "article",
        "entities",
        "actors",
        "places",
        "quotes",
        "events",
        "annotations",
        "tone",
    }


def test_cli_ingest_then_query_commands(capsys: pytest.CaptureFixture[str], ingested: str) -> None:
    code, out, _ = run(capsys, "stats", "--db", ingested, "--format", "json")
    assert code == 0
    stats = json.loads(out)
    assert stats["counts"]["articles"] == 30
    assert stats["languages"] == {"en": 29, "fr": 1}

    code, out, _ = run(capsys, "articles", "--db", ingested, "--format", "json", "--limit", "5")
    listed = json.loads(out)
    assert code == 0 and len(listed) == 5 and "text" not in listed[0]

    code, out, _ = run(capsys, "search", "Sheikh Jarrah", "--db", ingested, "--format", "json")
    hits = json.loads(out)
    assert code == 0 and "Haniyeh" in hits[0]["title"]

    code, out, _ = run(capsys, "show", hits[0]["article_id"], "--db", ingested)
    assert code == 0 and json.loads(out)["article"]["source"] == "ECNA"

    code, out, _ = run(capsys, "search", "Sheikh Jarrah", "--db", ingested)
    assert code == 0 and "[Sheikh] [Jarrah]" in out

    code, out, _ = run(capsys, "actors", "--db", ingested, "--format", "json", "--limit", "500")
    assert code == 0 and json.loads(out) == []  # the light pipeline finds no actors

    code, out, _ = run(capsys, "reindex", "--db", ingested)
    assert code == 0 and "indexed 30 articles" in out


def test_cli_ingest_twice_adds_nothing(
    capsys: pytest.CaptureFixture[str], ingested: str, demo_dir: Path
) -> None:
    code, out, _ = run(
        capsys,
        "ingest",
        str(demo_dir),
        "--db",
        ingested,
        "--stages",
        "language",
        "--format",
        "json",
    )
    report = json.loads(out)
    assert code == 0
    assert (report["ingested"], report["duplicates"], report["inputs"]) == (0, 30, 30)


def test_cli_ingest_with_rejections_exits_3_and_lists_them(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Talks resumed in Cairo on Tuesday, officials said.")
    code, out, err = run(
        capsys,
        "ingest",
        str(good),
        str(tmp_path / "missing.txt"),
        "--db",
        db,
        "--stages",
        "language",
    )
    assert code == EXIT_REJECTIONS
    assert "1 input(s) rejected" in err
    code, out, _ = run(capsys, "rejections", "--db", db, "--format", "json")
    assert code == 0
    assert [(r["kind"], r["input"]) for r in json.loads(out)] == [
        ("missing", str(tmp_path / "missing.txt"))
    ]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_cli_export(
    capsys: pytest.CaptureFixture[str], ingested: str, tmp_path: Path, fmt: str
) -> None:
    target = tmp_path / f"export.{fmt}"
    code, _out, _ = run(capsys, "export", "--db", ingested, "--format", fmt, "--out", str(target))
    assert code == 0
    if fmt == "jsonl":
        assert len(target.read_text().splitlines()) == 30
    else:
        assert (target / f"articles.{fmt}").stat().st_size > 0


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["stats", "--db", "{tmp}/none.duckdb"], EXIT_FAILURE, "newsgraph: error: no database at"),
        (["show", "nope", "--db", "{ingested}"], EXIT_FAILURE, "no article with id 'nope'"),
        (["analyze", "{tmp}/none.txt"], EXIT_FAILURE, "no such file or directory"),
        (["ingest"], EXIT_USAGE, "Missing argument"),
        (["ingest", "x", "--max-bytes", "-5"], EXIT_USAGE, "--max-bytes"),
        (["export", "--format", "xml", "--out", "x"], EXIT_USAGE, "'xml' is not one of"),
        (["frobnicate"], EXIT_USAGE, "No such command"),
        (["ingest", "x", "--stages", "entities"], EXIT_FAILURE, "add the parse stage before it"),
    ],
)
def test_cli_errors_are_one_line_with_exit_status(
    capsys: pytest.CaptureFixture[str],
    ingested: str,
    tmp_path: Path,
    args: list[str],
    code: int,
    message: str,
) -> None:
    args = [a.format(tmp=tmp_path, ingested=ingested) for a in args]
    found, out, err = run(capsys, *args)
    assert found == code
    assert message in err
    assert "Traceback" not in err + out


def test_cli_module_entry_point_runs() -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "newsgraph", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and "ingest" in result.stdout


def test_cli_analyze_empty_folder_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "analyze", str(tmp_path))
    assert code == EXIT_FAILURE
    assert "no article found" in err


def test_cli_actors_and_places_summaries(capsys: pytest.CaptureFixture[str], db: str) -> None:
    story = (
        Path(__file__).resolve().parent.parent / "examples/demo/text/haniyeh_letter_khamenei.txt"
    )
    code, _, err = run(capsys, "ingest", str(story), "--db", db, "-q")
    assert code == 0, err
    code, out, _ = run(capsys, "actors", "--db", db, "--country", "ISR", "--format", "json")
    israel = {row["name"]: row for row in json.loads(out)}
    assert code == 0
    assert sum(row["loaded"] for row in israel.values()) >= 3  # "the Zionist regime", ...
    code, out, _ = run(capsys, "actors", "--db", db, "--kind", "person", "--format", "json")
    people = {(row["name"], row["country"]) for row in json.loads(out)}
    assert {("Ismail Haniyeh", "PSE"), ("Ali Khamenei", "IRN")} <= people
    code, out, _ = run(capsys, "places", "--db", db, "--format", "json")
    names = {row["name"] for row in json.loads(out)}
    assert {"Tehran", "Jerusalem", "Sheikh Jarrah"} <= names


@pytest.mark.slow
def test_cli_stories_and_canonical_events(
    capsys: pytest.CaptureFixture[str], db: str, demo_dir: Path, tmp_path: Path
) -> None:
    code, _, _ = run(capsys, "ingest", str(demo_dir), "--db", db, "-q")
    assert code == 0

    code, out, _ = run(capsys, "stories", "--db", db, "--format", "json", "--limit", "100")
    stories = json.loads(out)
    assert code == 0 and sum(story["articles"] for story in stories) == 30
    assert any(story["copies"] >= 1 and story["sources"] < story["articles"] for story in stories)

    code, out, _ = run(
        capsys, "events", "--canonical", "--min-sources", "2", "--db", db, "--format", "json"
    )
    canonical = json.loads(out)
    assert code == 0 and canonical
    assert all(row["sources"] >= 2 and row["articles"] >= row["sources"] for row in canonical)

    code, _, err = run(capsys, "events", "--canonical", "--status", "alleged", "--db", db)
    assert code == 2 and "--status" in err

    target = tmp_path / "events.tsv"
    code, _, _ = run(capsys, "export", "--format", "gdelt", "--out", str(target), "--db", db)
    rows = [line.split("\t") for line in target.read_text().splitlines()]
    assert code == 0 and max(int(row[32]) for row in rows) >= 2  # NumSources from stories

    code, out, err = run(capsys, "stories", "--db", db, "--rebuild", "--format", "json")
    assert code == 0 and "placed 30 articles" in err
    assert json.loads(out)[0]["articles"] == stories[0]["articles"]


# -- conventions for a working analyst (issue 16) ----------------------------------


def _hostile_store(path: str) -> None:
    """A store with one event whose sentence a spreadsheet would run as a formula."""
    from newsgraph.model import Analysis, Article, Event
    from newsgraph.store import Store

    text = '=HYPERLINK("http://x.example","click") said the army attacked the town.'
    article = Article.from_text(text, title="@SUM(A1:A9)", source="BBC News")
    event = Event(
        id=f"{article.id}-v0",
        article_id=article.id,
        start=0,
        end=len(text),
        text=text,
        plover_type="ASSAULT",
        cameo_code="190",
    )
    with Store(path) as store:
        store.write([Analysis(article=article, events=(event,))])


def test_cli_events_csv_neutralises_formula_cells(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    _hostile_store(db)
    code, out, err = run(capsys, "events", "--db", db, "--format", "csv")
    assert code == 0, err
    assert "'=HYPERLINK(" in out and "\n=HYPERLINK" not in out and ",=HYPERLINK" not in out


def test_cli_export_csv_neutralises_formula_cells(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    import csv

    _hostile_store(db)
    target = tmp_path / "csv"
    code, _, err = run(capsys, "export", "--db", db, "--format", "csv", "--out", str(target))
    assert code == 0, err
    with (target / "articles.csv").open(newline="") as handle:
        article = next(csv.DictReader(handle))
    assert article["title"] == "'@SUM(A1:A9)"
    assert article["text"].startswith("'=HYPERLINK(")
    with (target / "events.csv").open(newline="") as handle:
        event = next(csv.DictReader(handle))
    assert event["text"].startswith("'=") and event["plover_type"] == "ASSAULT"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["events", "--type", "FOO"], "'FOO' is not a PLOVER type or a CAMEO prefix"),
        (["events", "--type", "99"], "'99' is not the start of any CAMEO code"),
        (["events", "--since", "2019-02-30"], "2019-02-30 is not a date"),
        (["events", "--until", "May 2019"], "write YYYY, YYYY-MM or YYYY-MM-DD"),
        (["events", "--canonical", "--since", "2019-13"], "month must be in 1..12"),
        (["articles", "--source", "Reuters"], "no articles from 'Reuters'; sources: BBC News"),
    ],
)
def test_cli_invalid_filters_are_usage_errors(
    capsys: pytest.CaptureFixture[str], db: str, args: list[str], message: str
) -> None:
    _hostile_store(db)
    code, out, err = run(capsys, *args, "--db", db)
    assert code == EXIT_USAGE
    assert message in " ".join(err.split())
    assert "Traceback" not in err + out


def test_cli_filters_accept_valid_values_and_any_case_source(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    _hostile_store(db)
    code, out, _ = run(capsys, "events", "--db", db, "--type", "assault", "--format", "json")
    assert code == 0 and len(json.loads(out)) == 1
    code, out, _ = run(capsys, "events", "--db", db, "--type", "19", "--since", "2019")
    assert code == 0
    code, out, _ = run(capsys, "articles", "--db", db, "--source", "bbc news", "--format", "json")
    assert code == 0 and [a["source"] for a in json.loads(out)] == ["BBC News"]


def test_cli_tables_keep_full_width_when_piped(capsys: pytest.CaptureFixture[str], db: str) -> None:
    _hostile_store(db)
    code, out, _ = run(capsys, "events", "--db", db)
    assert code == 0
    header = next(line for line in out.splitlines() if "plover_type" in line)
    assert "cameo_code" in header and "article_id" in header  # not folded letter by letter


def test_cli_list_commands_write_csv(capsys: pytest.CaptureFixture[str], db: str) -> None:
    _hostile_store(db)
    code, out, _ = run(capsys, "articles", "--db", db, "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("id,") and "'@SUM(A1:A9)" in out


def test_cli_analyze_text_format_reads_as_a_report(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(GOLDEN)
    code, out, err = run(capsys, "analyze", "wire_story.txt", "--format", "text")
    assert code == 0, err
    golden = json.loads((GOLDEN / "wire_story.json").read_text())
    assert out.splitlines()[0] == (golden["article"]["title"] or out.splitlines()[0])
    assert f"events ({len(golden['events'])})" in out
    assert f"actors ({len(golden['actors'])})" in out
    first = golden["events"][0]
    assert first["plover_type"] in out and first["status"] in out
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)
    code, out, _ = run(capsys, "analyze", "wire_story.txt")  # piped (not a terminal): JSON
    assert json.loads(out)["article"]["id"] == golden["article"]["id"]


def test_cli_stats_reports_articles_not_analysed(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    from newsgraph.model import Analysis, Article
    from newsgraph.store import Store

    table = Article.from_text("Shr 75 cts vs 52 cts\nNet 1,699,124 vs 1,177,786\n", language="da")
    reason = "parse: language 'da' is not analysed (languages: en)"
    with Store(db) as store:
        store.write([Analysis(article=table, skipped=(reason,))])
    code, out, _ = run(capsys, "stats", "--db", db, "--format", "json")
    assert code == 0 and json.loads(out)["not_analysed"] == {"da": 1}
    code, out, _ = run(capsys, "stats", "--db", db)
    assert code == 0 and "stored, not analysed (language)" in out


def test_cli_articles_shows_an_untitled_article_by_its_first_sentence(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    from newsgraph.model import Analysis, Article
    from newsgraph.store import Store

    with Store(db) as store:
        store.write([Analysis(article=Article.from_text("Talks resumed in Cairo. More later."))])
    code, out, _ = run(capsys, "articles", "--db", db)
    assert code == 0 and "(Talks resumed in Cairo.)" in out
