"""The DuckDB store: round-trips, idempotent writes, search, exports."""

from __future__ import annotations

import csv
import dataclasses
import json
import shutil
import tempfile
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsgraph.errors import StorageError
from newsgraph.model import (
    Actor,
    ActorTone,
    Analysis,
    Annotation,
    Article,
    Dateline,
    DateMention,
    Entity,
    Event,
    Mention,
    Place,
    Quote,
    Rejection,
    Span,
    Tone,
)
from newsgraph.store import Store, export

words = st.text(alphabet="abcdefghij KLMNOP\n\"'é—", min_size=1, max_size=12)


@st.composite
def analyses(draw: st.DrawFn) -> Analysis:
    """Records with every kind of item, all spans inside the text."""
    text = "".join(draw(st.lists(words, min_size=3, max_size=30)))
    article = Article.from_text(
        text,
        title=draw(st.none() | words),
        published=draw(st.none() | st.just("2024-05-03")),
        language=draw(st.none() | st.sampled_from(["en", "fr"])),
        language_score=draw(st.none() | st.floats(0, 1)),
        dateline=Dateline(0, 1, text[:1], place="X", agency=draw(st.none() | words)),
        origin="mem",
    )
    aid = article.id

    def span() -> Span:
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start, len(text)))
        return Span(start, end, text[start:end])

    def items(make: object, n: int) -> tuple[object, ...]:
        return tuple(make(i) for i in range(draw(st.integers(0, n))))  # type: ignore[operator]

    def entity(i: int) -> Entity:
        s = span()
        return Entity(f"{aid}-e{i}", aid, s.start, s.end, s.text, label="GPE", model="m")

    def actor(i: int) -> Actor:
        s = span()
        mentions = tuple(Mention(m.start, m.end, m.text, loaded=i % 2 == 0) for m in (span(),))
        return Actor(
            f"{aid}-a{i}",
            aid,
            s.start,
            s.end,
            s.text,
            name=s.text,
            kind="state",
            country="ISR",
            sector="GOV",
            aliases=("x", "y"),
            mentions=mentions,
        )

    def place(i: int) -> Place:
        s = span()
        return Place(
            f"{aid}-p{i}",
            aid,
            s.start,
            s.end,
            s.text,
            name="Gaza",
            geonameid=281133,
            latitude=31.5,
            longitude=34.47,
            country="PSE",
        )

    def date(i: int) -> DateMention:
        s = span()
        return DateMention(
            f"{aid}-d{i}",
            aid,
            s.start,
            s.end,
            s.text,
            value="2024-05",
            resolution="month",
            relative=i % 2 == 1,
        )

    def quote(i: int) -> Quote:
        s = span()
        return Quote(
            f"{aid}-q{i}",
            aid,
            s.start,
            s.end,
            s.text,
            kind="direct",
            speaker_id=f"{aid}-a0",
            speaker=span(),
            cue=draw(st.none()) or span(),
        )

    def event(i: int) -> Event:
        s = span()
        return Event(
            f"{aid}-v{i}",
            aid,
            s.start,
            s.end,
            s.text,
            plover_type="ACCUSE",
            trigger=span(),
            cameo_code="112",
            quad_class=3,
            goldstein=-2.0,
            actor_ids=(f"{aid}-a0",),
            status="alleged",
            claimed_by=f"{aid}-a1",
            reported_by="ECNA",
            confidence=0.5,
            plover_context=("human_rights",),
        )

    def annotation(i: int) -> Annotation:
        s = span()
        return Annotation(
            f"{aid}-n{i}",
            aid,
            s.start,
            s.end,
            s.text,
            kind=draw(st.sampled_from(["persuasion", "persuasion_paragraph", "frame"])),
            label="Loaded_Language",
            confidence=0.7,
        )

    tone = draw(
        st.none()
        | st.just(
            Tone(
                -2.5, 1.0, 3.5, 4.5, 10.0, 1.0, 300, (ActorTone(f"{aid}-a0", -0.4, "negative", 2),)
            )
        )
    )
    return Analysis(
        article=article,
        entities=items(entity, 4),  # type: ignore[arg-type]
        actors=items(actor, 3),  # type: ignore[arg-type]
        places=items(place, 2),  # type: ignore[arg-type]
        dates=items(date, 2),  # type: ignore[arg-type]
        quotes=items(quote, 2),  # type: ignore[arg-type]
        events=items(event, 2),  # type: ignore[arg-type]
        annotations=items(annotation, 2),  # type: ignore[arg-type]
        tone=tone,
        skipped=tuple(draw(st.lists(st.sampled_from(["parse: language 'fr'"]), max_size=1))),
    )


def in_text_order(record: Analysis) -> Analysis:
    """The store returns each kind of item ordered by position, then id."""
    names = ("entities", "actors", "places", "dates", "quotes", "events", "annotations")
    return dataclasses.replace(
        record,
        **{n: tuple(sorted(getattr(record, n), key=lambda i: (i.start, i.id))) for n in names},
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "store.duckdb") as opened:
        yield opened  # type: ignore[misc]


@settings(max_examples=30, deadline=None)
@given(record=analyses())
def test_store_round_trip_returns_the_same_record(record: Analysis) -> None:
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "s.duckdb") as store:
        store.write([record])
        assert store.analysis(record.article.id) == in_text_order(record)
    for _, start, end, text in record.spans():
        assert record.article.text[start:end] == text


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(record=analyses())
def test_store_write_twice_adds_nothing(store: Store, record: Analysis) -> None:
    store.write([record])
    before = store.counts()
    store.write([record])
    assert store.counts() == before


def test_store_write_repeated_in_one_batch_stores_it_once(store: Store) -> None:
    record = _article("Talks on Gaza resumed in Cairo on Tuesday.", title="Cairo talks")
    store.write([record, record])
    assert store.counts()["articles"] == 1
    assert store.analysis(record.article.id) == record


def test_store_keeps_paragraph_and_frame_texts_only_in_the_article(
    store: Store, tmp_path: Path
) -> None:
    text = "Officials met.\nThe usurping regime attacked."
    record = _article(text)
    article_id = record.article.id
    notes = (
        Annotation(f"{article_id}-n0", article_id, 0, len(text), text, "frame", "Political"),
        Annotation(f"{article_id}-n1", article_id, 15, len(text), text[15:], "persuasion_paragraph",
                   "Loaded_Language"),
        Annotation(f"{article_id}-n2", article_id, 19, 27, "usurping", "persuasion",
                   "Loaded_Language"),
    )  # fmt: skip
    record = dataclasses.replace(record, annotations=notes)
    store.write([record])
    stored = store.con.execute("SELECT id, text FROM annotations ORDER BY id").fetchall()
    assert [row[1] for row in stored] == [None, None, "usurping"]
    assert store.analysis(article_id) == record
    export(store, "csv", tmp_path / "csv")
    with (tmp_path / "csv" / "annotations.csv").open(encoding="utf-8") as handle:
        rows = {row["id"]: row["text"] for row in csv.DictReader(handle)}
    assert rows == {note.id: note.text for note in notes}


def test_store_checkpoints_at_a_large_write_ahead_log(store: Store, tmp_path: Path) -> None:
    # Frequent checkpoints rewrote each table's growing last row group on every batch.
    setting = store.con.execute("SELECT current_setting('checkpoint_threshold')").fetchone()
    assert setting is not None and setting[0] == "244.1 MiB"  # 256 MB
    with Store(tmp_path / "other.duckdb") as other:
        other.write([_article("Talks resumed in Cairo.")])
    with Store(tmp_path / "other.duckdb", read_only=True) as reopened:  # the log is replayed
        assert reopened.counts()["articles"] == 1


def test_store_rejections_are_keyed_by_input_and_stage(store: Store) -> None:
    rejection = Rejection("a.jsonl:line 3", "read", "bad_json", "invalid JSON")
    store.write([], [rejection])
    store.write([], [Rejection("a.jsonl:line 3", "read", "bad_json", "invalid JSON again")])
    stored = store.rejections()
    assert len(stored) == 1
    assert stored[0][0].reason == "invalid JSON again"


def test_store_read_only_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="no database at") as caught:
        Store(tmp_path / "nothing.duckdb", read_only=True)
    assert "newsgraph ingest" in str(caught.value)


def test_store_rejects_a_foreign_duckdb_file(tmp_path: Path) -> None:
    path = tmp_path / "other.duckdb"
    duckdb.connect(str(path)).execute("CREATE TABLE x (a INT)").close()
    with pytest.raises(StorageError, match="not a newsgraph database"):
        Store(path, read_only=True)


def _article(text: str, **metadata: object) -> Analysis:
    return Analysis(article=Article.from_text(text, **metadata))  # type: ignore[arg-type]


def test_store_search_ranks_by_bm25_and_updates_incrementally(store: Store) -> None:
    store.write([_article("Talks on Gaza resumed in Cairo on Tuesday.", title="Cairo talks")])
    store.write([_article("Cocoa showers fell in Bahia this week.", title="Cocoa")])
    assert [hit.title for hit in store.search("cairo")] == ["Cairo talks"]
    store.write([_article("Gaza aid convoys crossed at Rafah; Gaza talks continue.", title="Aid")])
    hits = store.search("gaza")
    assert [hit.title for hit in hits] == ["Aid", "Cairo talks"]  # two mentions rank first
    assert "<b>Gaza</b>" in hits[0].snippet
    assert store.search('title:cocoa AND "bahia') != []  # lenient parsing of broken syntax
    assert store.search("   ") == []


def test_store_search_escapes_article_markup_in_snippets(store: Store) -> None:
    store.write([_article('Officials said <script>alert("x")</script> the vote was held.')])
    snippet = store.search("vote")[0].snippet
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet


def test_store_catch_up_index_restores_a_lost_index(tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    with Store(path) as store:
        store.write([_article(f"Story number {n} about harbour cranes.") for n in range(5)])
    shutil.rmtree(f"{path}.search")
    with Store(path) as store:
        store.con.execute("UPDATE articles SET indexed = false")
        assert store.catch_up_index() == 5
        assert len(store.search("cranes", limit=20)) == 5
        assert store.catch_up_index(rebuild=True) == 5
        assert store.index.size == 5


def test_store_articles_filters_and_orders(store: Store) -> None:
    store.write(
        [
            _article("Old story about rain.", published="2020-01-01", source="A", language="en"),
            _article("New story about sun.", published="2024-01-01", source="B", language="en"),
            _article("Histoire sans date.", source="B", language="fr"),
        ]
    )
    assert [a.published for a in store.articles()] == ["2024-01-01", "2020-01-01", None]
    assert [a.source for a in store.articles(source="B", language="fr")] == ["B"]
    assert len(store.articles(limit=1, offset=1)) == 1


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_store_export_writes_every_record(store: Store, tmp_path: Path, fmt: str) -> None:
    record = Analysis(
        article=Article.from_text("Minister Ana Ruiz met envoys in Lima."),
        entities=(),
    )
    aid = record.article.id
    record = Analysis(
        article=record.article,
        entities=(Entity(f"{aid}-e0", aid, 9, 17, "Ana Ruiz", "PERSON"),),
        actors=(
            Actor(
                f"{aid}-a0",
                aid,
                9,
                17,
                "Ana Ruiz",
                "Ana Ruiz",
                mentions=(Mention(9, 17, "Ana Ruiz"),),
            ),
        ),
    )
    store.write([record])
    written = export(store, fmt, tmp_path / ("all.jsonl" if fmt == "jsonl" else "out"))
    if fmt == "jsonl":
        lines = (tmp_path / "all.jsonl").read_text().splitlines()
        assert [json.loads(line) for line in lines] == [record.to_dict()]
        return
    assert written[str(tmp_path / "out" / f"entities.{fmt}")] == 1
    read = duckdb.sql(
        f"SELECT text FROM read_{fmt}('{tmp_path / 'out' / f'actors.{fmt}'}')"
    ).fetchall()
    assert read == [("Ana Ruiz",)]


def test_store_export_unknown_format_is_an_error(store: Store, tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="unknown export format"):
        export(store, "xml", tmp_path / "x")
