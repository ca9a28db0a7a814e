"""The issue 13 seed shape: a wire story as published, licence sentence at the end of a long line.

The text is written for this test (not the published story): a headline line, a
datelined lead line, then one very long line holding a whole letter that ends with the
editors' initials and the outlet's licence sentence.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from newsgraph.cli import cli
from newsgraph.ingest import read_inputs
from newsgraph.model import Article, Removed

LETTER_SENTENCES = [
    "Dear brothers and sisters, I write to you in a week of grief and resolve.",
    "Families in Sheikh Jarrah were told again to leave the homes they have lived in for decades.",
    "The courts have delayed, the bulldozers have waited, and the neighbours have kept watch.",
    "We ask every government that speaks of law to say plainly what it sees in Jerusalem.",
    "We ask the envoys who visited the quarter last spring to return and to report what they find.",
]
LETTER = " ".join(LETTER_SENTENCES * 9)  # one line of about 4,000 characters
LICENCE = (
    "All Content by Levant Courier Agency is licensed under a Creative Commons "
    "Attribution 4.0 International License."
)
SEED = (
    "Envoy publishes letter on eviction cases in East Jerusalem\n"
    "TEHRAN, May 9 (LCA) – The movement's envoy published on Sunday the full text of a "
    "letter sent to the region's foreign ministers.\n"
    f"{LETTER} SA/PM {LICENCE}\n"
)


def test_seed_story_keeps_its_whole_letter(tmp_path: Path) -> None:
    path = tmp_path / "seed.txt"
    path.write_text(SEED, encoding="utf-8")
    [article] = list(read_inputs([path], max_bytes=1_000_000))
    assert isinstance(article, Article)
    assert len(LETTER) > 3_500
    assert LETTER in article.text
    assert article.title == "Envoy publishes letter on eviction cases in East Jerusalem"
    assert article.text.startswith("TEHRAN, May 9 (LCA) –")
    assert article.license == "CC BY 4.0"
    assert article.source == "Levant Courier Agency"
    assert article.removed == (Removed(f"SA/PM {LICENCE}", "licence"),)
    assert not article.warnings  # a licence sentence is far below 10% of the text


def test_seed_story_is_found_by_search_after_ingest(tmp_path: Path) -> None:
    path = tmp_path / "seed.txt"
    path.write_text(SEED, encoding="utf-8")
    db = str(tmp_path / "seed.duckdb")
    runner = CliRunner()
    ingested = runner.invoke(cli, ["ingest", str(path), "--db", db, "--stages", "language"])
    assert ingested.exit_code == 0, ingested.output
    found = runner.invoke(cli, ["search", '"Sheikh Jarrah"', "--db", db, "--format", "json"])
    assert found.exit_code == 0, found.output
    assert "Envoy publishes letter" in found.output


def test_one_line_jsonl_story_mentioning_the_licence_is_kept(tmp_path: Path) -> None:
    story = (
        "The museum said on Monday that 4,000 scans of its manuscripts will be released under "
        "a Creative Commons Attribution licence, so that schools can reuse them freely."
    )
    path = tmp_path / "stories.jsonl"
    path.write_text(f'{{"text": "{story}"}}\n', encoding="utf-8")
    [article] = list(read_inputs([path], max_bytes=1_000_000))
    assert isinstance(article, Article)
    assert article.text == story
    assert article.removed == ()
