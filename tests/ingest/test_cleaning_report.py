"""What cleaning removed is kept and reported: the record, the run report, stats, the web."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient

from newsgraph.cli import cli
from newsgraph.model import Removed
from newsgraph.runner import ingest
from newsgraph.settings import load_settings
from newsgraph.store import Store

STORY = "Dockworkers and the port authority resumed talks in Port Ellis on Tuesday."
# Web chrome around a short story: far over 10% of the characters.
CHROME = [
    "Read more: Harbour strike enters its second week as talks stall again",
    "Also Read | Ferry service returns to the islands after a month",
    "Leave a Reply",
    "Your email address will not be published. Required fields are marked *",
]


def _ingest(tmp_path: Path) -> tuple[str, Path]:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "chrome.txt").write_text("\n\n".join([STORY, *CHROME]), encoding="utf-8")
    (inbox / "clean.txt").write_text("The council reopened the ferry pier on Monday.")
    (inbox / "dated.jsonl").write_text(
        json.dumps({"text": "The harbour reopened on Friday.", "date": "2024-05-03T12:00+25:00"})
    )
    db = str(tmp_path / "db.duckdb")
    return db, inbox


def test_run_report_stats_and_store_keep_what_cleaning_removed(tmp_path: Path) -> None:
    db, inbox = _ingest(tmp_path)
    report = ingest([inbox], settings=load_settings(db=db, stages="language"))
    assert report.ingested == 3
    assert report.warned_by_kind == {"removed_over_10pct": 1, "bad_date": 1}
    assert any(
        line.startswith(f"{inbox / 'chrome.txt'}: removed_over_10pct") for line in report.warned
    )

    with Store(db, read_only=True) as store:
        [article] = [a for a in store.articles(limit=10) if a.origin.endswith("chrome.txt")]
        stats = store.stats()
        [run] = store.runs(limit=1)
    assert article.text == STORY
    assert [item.text for item in article.removed] == CHROME
    assert article.removed[0] == Removed(CHROME[0], "related_link")
    assert article.warnings[0].startswith("removed_over_10pct: cleaning removed")
    assert stats["warnings"] == {"removed_over_10pct": 1, "bad_date": 1}
    assert [row["origin"] for row in stats["heavily_cleaned"]] == [str(inbox / "chrome.txt")]
    assert json.loads(run["report"])["warned_by_kind"]["removed_over_10pct"] == 1

    shown = CliRunner().invoke(cli, ["stats", "--db", db])
    assert shown.exit_code == 0, shown.output
    assert "removed_over_10pct" in shown.output
    assert "cleaning removed over 10% of the text" in shown.output
    as_json = CliRunner().invoke(cli, ["stats", "--db", db, "--format", "json"])
    assert json.loads(as_json.output)["heavily_cleaned"][0]["origin"].endswith("chrome.txt")


def test_web_shows_removed_text_and_warnings(tmp_path: Path) -> None:
    from newsgraph.web import create_app

    db, inbox = _ingest(tmp_path)
    ingest([inbox], settings=load_settings(db=db, stages="language"))
    with Store(db, read_only=True) as store:
        [article] = [a for a in store.articles(limit=10) if a.origin.endswith("chrome.txt")]
    with TestClient(create_app(Path(db)), base_url="http://127.0.0.1") as client:
        dashboard = client.get("/")
        page = client.get(f"/articles/{article.id}")
    assert dashboard.status_code == 200
    assert "Warnings from reading" in dashboard.text
    assert "removed_over_10pct" in dashboard.text
    assert page.status_code == 200
    assert "Leave a Reply" in page.text
    assert "related_link" in page.text
