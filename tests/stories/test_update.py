"""update_stories on a real store: copies, stories and canonical events, incrementally."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from newsgraph.errors import StorageError
from newsgraph.model import Analysis, Article
from newsgraph.store import Store
from newsgraph.store.gdelt import COLUMNS, write_gdelt
from newsgraph.stories import (
    CanonicalCounts,
    StoryOptions,
    article_stories,
    canonical_mentions,
    find_canonical_events,
    find_stories,
    story_members,
    update_stories,
)
from newsgraph.stories.store import TABLE_NAMES, read_analyses

FOOTER = "\n\nSign up for our morning briefing. Follow the Harbor Times for the latest news."


def first_sentences(text: str, count: int) -> str:
    return ". ".join(text.split(". ")[:count]) + "."


@pytest.fixture
def coverage(newsroom: Any) -> dict[str, Analysis]:
    """One shelling told by a wire, two copies of it, an independent report; and a cocoa story."""
    wire = newsroom.wire()
    harbor = newsroom.copy(
        wire, wire.text + FOOTER, source="Harbor Times", published="2024-05-07T10:00:00+00:00"
    )
    valley = newsroom.copy(
        wire, first_sentences(wire.text, 5), source="Valley Courier",
        published="2024-05-07T11:00:00+00:00", title="Twelve dead in Jabalia",
    )  # fmt: skip
    herald = Article.from_text(
        newsroom.independent_text, source="Capital Herald", published="2024-05-07T12:00:00+00:00",
        title="Night of bombardment in Jabalia",
    )  # fmt: skip
    cocoa = Article.from_text(
        newsroom.cocoa_text, source="Commodity Wire", published="2024-05-07T09:00:00+00:00"
    )
    military = ("Israeli military", "ISR", "MIL", "idf")
    return {
        "wire": newsroom.analysis(wire),
        "harbor": newsroom.analysis(harbor),
        "valley": newsroom.analysis(valley),
        "herald": newsroom.analysis(herald, status="denied", claimant=military),
        "cocoa": Analysis(cocoa),
    }


def counts(store: Store) -> dict[str, int]:
    return {
        name: store.con.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0]
        for name in TABLE_NAMES
    }


def test_update_stories_links_copies_groups_stories_and_merges_events(
    store: Store, coverage: dict[str, Analysis]
) -> None:
    store.write(list(coverage.values()))
    report = update_stories(store)
    assert (report.articles, report.copies) == (5, 2)
    assert report.duplicate_links >= 2
    ids = {name: analysis.article.id for name, analysis in coverage.items()}
    placed = article_stories(store, list(ids.values()))
    for copy in ("harbor", "valley"):
        assert placed[ids[copy]].original_id == ids["wire"]
        assert placed[ids[copy]].origin_key == "levant wire"
    assert placed[ids["wire"]].original_reason == "earliest"
    assert placed[ids["herald"]].original_id == ids["herald"]
    shelling = {placed[ids[name]].story_id for name in ("wire", "harbor", "valley", "herald")}
    assert len(shelling) == 1
    assert placed[ids["cocoa"]].story_id not in shelling

    (event,) = find_canonical_events(store)
    assert (event["mentions"], event["articles"], event["sources"]) == (4, 4, 2)
    assert event["first_article_id"] == ids["wire"]
    assert event["first_outlet"] == "Levant Wire"
    assert event["place"] == "Jabalia"
    assert event["claims"] == (
        "alleged by Gaza health ministry (1 outlet), denied by Israeli military (1 outlet)"
    )
    assert any("Israeli military" in name for name in event["actors"])
    evidence = canonical_mentions(store, event["id"])
    assert evidence[0]["article_id"] == ids["wire"]
    assert sum(bool(m["copy"]) for m in evidence) == 2


def test_update_stories_is_idempotent(store: Store, coverage: dict[str, Analysis]) -> None:
    store.write(list(coverage.values()))
    update_stories(store)
    before = counts(store)
    again = update_stories(store)
    assert again.articles == 0
    assert counts(store) == before


def test_update_stories_continues_and_moves_the_original(
    store: Store, coverage: dict[str, Analysis]
) -> None:
    store.write([coverage["harbor"], coverage["herald"]])
    first = update_stories(store)
    assert (first.articles, first.copies) == (2, 0)
    (event,) = find_canonical_events(store)
    assert (event["mentions"], event["sources"]) == (2, 2)

    store.write([coverage["wire"], coverage["valley"], coverage["cocoa"]])
    second = update_stories(store)
    assert second.articles == 3
    assert second.originals_changed == 1
    wire, harbor = coverage["wire"].article.id, coverage["harbor"].article.id
    assert article_stories(store, [harbor])[harbor].original_id == wire
    (event,) = find_canonical_events(store)
    assert (event["mentions"], event["articles"], event["sources"]) == (4, 4, 2)
    assert event["first_article_id"] == wire


def test_update_stories_only_places_the_articles_asked_for(
    store: Store, coverage: dict[str, Analysis]
) -> None:
    store.write(list(coverage.values()))
    cocoa = coverage["cocoa"].article.id
    assert update_stories(store, [cocoa]).articles == 1
    assert set(article_stories(store, [a.article.id for a in coverage.values()])) == {cocoa}
    assert update_stories(store).articles == 4


def test_small_batches_give_the_same_result(tmp_path: Path, coverage: dict[str, Analysis]) -> None:
    results = []
    for batch_size in (1, 500):
        with Store(tmp_path / f"batch{batch_size}.duckdb") as store:
            store.write(list(coverage.values()))
            update_stories(store, options=StoryOptions(batch_size=batch_size))
            placed = article_stories(store, [a.article.id for a in coverage.values()])
            stories = [placed[a.article.id].story_id for a in coverage.values()]
            events = find_canonical_events(store)
            results.append(([s == stories[0] for s in stories], events[0]["sources"]))
    assert results[0] == results[1]


def test_an_undated_article_can_join_a_closed_story(
    store: Store, coverage: dict[str, Analysis], newsroom: Any
) -> None:
    later = Article.from_text(
        newsroom.cocoa_text + " Prices rose.", published="2024-09-01", source="Commodity Wire"
    )
    undated = newsroom.copy(
        coverage["herald"].article, newsroom.independent_text + " More later.", published=None
    )
    store.write([coverage["herald"], Analysis(later), Analysis(undated)])
    update_stories(store, options=StoryOptions(batch_size=1))
    placed = article_stories(store, [coverage["herald"].article.id, undated.id])
    assert placed[undated.id].story_id == placed[coverage["herald"].article.id].story_id


def test_find_stories_reports_counts_and_first_report(
    store: Store, coverage: dict[str, Analysis]
) -> None:
    store.write(list(coverage.values()))
    update_stories(store)
    top, *rest = find_stories(store)
    assert (top["articles"], top["sources"], top["copies"]) == (4, 2, 2)
    assert top["first_outlet"] == "Levant Wire"
    assert top["first_date"] == top["last_date"] == "2024-05-07"
    assert "jabalia" in top["terms"] or "Jabalia" in top["names"]
    # Issue 15: story pages showed internal keys (@geo:163843, @kb:bassad).
    assert not any(name.startswith(("geo:", "kb:")) for name in top["names"])
    assert top["title"] and any(ch.isalpha() for ch in top["title"])
    assert top["summary"].startswith("ASSAULT") and "source" in top["summary"]
    assert [r["articles"] for r in rest] == [1]
    assert find_stories(store, min_articles=2) == [top]
    members = story_members(store, top["id"])
    assert members[0]["source"] == "Levant Wire"
    assert sum(bool(m["copy"]) for m in members) == 2


def test_canonical_counts_fill_the_gdelt_export(
    store: Store, coverage: dict[str, Analysis], tmp_path: Path
) -> None:
    store.write(list(coverage.values()))
    update_stories(store)
    hook = CanonicalCounts(store)
    out = tmp_path / "events.tsv"
    assert write_gdelt(store.iter_analyses(), out, counts=hook) == 4
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    for row in rows:
        figures = [row[COLUMNS.index(c)] for c in ("NumMentions", "NumSources", "NumArticles")]
        assert figures == ["4", "2", "4"]
    firsts = [a for a in coverage.values() for e in a.events if hook.is_first_mention(e)]
    assert [a.article.id for a in firsts] == [coverage["wire"].article.id]


def test_queries_on_a_store_without_story_tables_are_empty(
    tmp_path: Path, coverage: dict[str, Analysis]
) -> None:
    path = tmp_path / "plain.duckdb"
    with Store(path) as writable:
        writable.write(list(coverage.values()))
    with Store(path, read_only=True) as store:
        assert find_stories(store) == []
        assert find_canonical_events(store) == []
        assert article_stories(store, ["x"]) == {}
        assert CanonicalCounts(store)(coverage["wire"], coverage["wire"].events[0]).sources == 1
        with pytest.raises(StorageError, match="read-only"):
            update_stories(store)


def test_read_analyses_reads_what_stories_need(store: Store, coverage: dict[str, Analysis]) -> None:
    store.write(list(coverage.values()))
    ids = [a.article.id for a in coverage.values()]
    narrow = read_analyses(store.con, ids)
    full = store.analyses(ids)
    assert [a.article.id for a in narrow] == ids
    for mine, theirs in zip(narrow, full, strict=True):
        assert mine.article.text == theirs.article.text
        assert mine.article.dateline == theirs.article.dateline
        assert (mine.article.source, mine.article.published) == (
            theirs.article.source, theirs.article.published,
        )  # fmt: skip
        assert mine.places == theirs.places
        assert mine.events == theirs.events
        assert [(a.id, a.name, a.kb_id, a.country, a.sector, a.mentions) for a in mine.actors] == [
            (a.id, a.name, a.kb_id, a.country, a.sector, a.mentions) for a in theirs.actors
        ]


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        (
            "209",
            "Troops shelled Jabalia on Monday. Residents fled.",
            "Troops shelled Jabalia on Monday.",
        ),
        (None, "Talks resumed in Cairo. Delegates met.", "Talks resumed in Cairo."),
        ("Ceasefire  talks resume", "Text.", "Ceasefire talks resume"),
        ("", "", ""),
    ],
)
def test_story_titles_are_readable(title: str | None, text: str, expected: str) -> None:
    # Issue 15: stories were titled with bare numbers ("209").
    from newsgraph.stories.queries import readable_title

    assert (readable_title(title, text) or "") == expected


def _placement(store: Store) -> tuple[set[frozenset[str]], dict[str, str]]:
    """The stories as sets of articles, and each article's original."""
    rows = store.con.execute(
        "SELECT article_id, story_id, original_id FROM story_articles"
    ).fetchall()
    stories: dict[int, set[str]] = {}
    for article_id, story_id, _ in rows:
        stories.setdefault(story_id, set()).add(article_id)
    return {frozenset(members) for members in stories.values()}, {r[0]: r[2] for r in rows}


def test_update_stories_rebuild_after_a_resumed_ingest_equals_one_run(
    tmp_path: Path, coverage: dict[str, Analysis]
) -> None:
    """Placement is online, in publication order within a run: a second run places its
    articles after the first run's, even when they were published earlier. Rebuilding
    places every article in publication order, as one run does (docs/ingest.md)."""
    from newsgraph.stories.update import reset_stories

    later = [coverage[name] for name in ("herald", "cocoa", "valley")]
    earlier = [coverage[name] for name in ("wire", "harbor")]
    with Store(tmp_path / "one.duckdb") as store:
        store.write(later + earlier)
        update_stories(store)
        expected = _placement(store)
    with Store(tmp_path / "two.duckdb") as store:
        for step in (later, earlier):
            store.write(step)
            update_stories(store)
        reset_stories(store)
        update_stories(store)
        assert _placement(store) == expected
