"""The story tables in the newsgraph DuckDB file, and how state is loaded and saved.

The tables are created on the store's connection with ``CREATE TABLE IF NOT EXISTS``
(:func:`ensure_tables`), so any database gains them on first use and keeps them:

======================== ============================================================
``story_articles``       one row per placed article: its story, its near-duplicate group
                         (``original_id``, why that one), its independent origin, and its
                         fingerprint (MinHash signature, shingle count, figures)
``story_bands``          LSH band keys of every fingerprint (candidate look-up)
``story_duplicates``     near-duplicate links found, with estimated Jaccard/containment
``story_clusters``       one row per story: days, size, label, centroid (top terms)
``story_vocabulary``     document frequency of every clustering term
``story_state``          counters (documents seen) and the layout version
``canonical_events``     deduplicated events with counts, first report and claims
``canonical_event_mentions`` which event mention belongs to which canonical event
======================== ============================================================

Everything a later run needs is here, so ``update_stories`` continues where the last run
stopped without recomputing anything.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal

import duckdb
import numpy as np
import pyarrow as pa

from newsgraph.errors import StorageError
from newsgraph.model import Actor, Analysis, Article, Dateline, Entity, Event, Mention, Place
from newsgraph.stories.canonical_events import ActorKey, CanonicalEvent, MentionRow, PlaceKey
from newsgraph.stories.clusters import StoryCluster, Vocabulary
from newsgraph.stories.near_duplicates import Fingerprint, Member

LAYOUT_VERSION: Final = "1"

DDL: Final[tuple[str, ...]] = (
    """CREATE TABLE IF NOT EXISTS story_articles (
        article_id VARCHAR PRIMARY KEY,
        story_id BIGINT,
        similarity DOUBLE,
        opened BOOLEAN,
        day INTEGER,
        published VARCHAR,
        source_key VARCHAR,
        agency VARCHAR,
        original_id VARCHAR,
        original_reason VARCHAR,
        origin_key VARCHAR,
        shingles INTEGER,
        figures VARCHAR[],
        names VARCHAR[],
        title_words VARCHAR[],
        signature BLOB,
        placed_at TIMESTAMPTZ
    )""",
    "CREATE TABLE IF NOT EXISTS story_bands (band SMALLINT, key BIGINT, article_id VARCHAR)",
    """CREATE TABLE IF NOT EXISTS story_duplicates (
        article_id VARCHAR,
        duplicate_of VARCHAR,
        jaccard DOUBLE,
        containment DOUBLE,
        PRIMARY KEY (article_id, duplicate_of)
    )""",
    """CREATE TABLE IF NOT EXISTS story_clusters (
        id BIGINT PRIMARY KEY,
        first_day INTEGER,
        last_day INTEGER,
        size INTEGER,
        title VARCHAR,
        first_article_id VARCHAR,
        top_terms VARCHAR[],
        centroid JSON,
        updated_at TIMESTAMPTZ
    )""",
    "CREATE TABLE IF NOT EXISTS story_vocabulary (term VARCHAR PRIMARY KEY, df BIGINT)",
    "CREATE TABLE IF NOT EXISTS story_state (key VARCHAR PRIMARY KEY, value VARCHAR)",
    """CREATE TABLE IF NOT EXISTS canonical_events (
        id VARCHAR PRIMARY KEY,
        plover_type VARCHAR,
        cameo_code VARCHAR,
        date VARCHAR,
        date_level VARCHAR,
        first_day INTEGER,
        last_day INTEGER,
        place VARCHAR,
        place_level VARCHAR,
        geonameid BIGINT,
        country VARCHAR,
        place_key JSON,
        actors JSON,
        recipients JSON,
        stories BIGINT[],
        mentions INTEGER,
        articles INTEGER,
        sources INTEGER,
        first_article_id VARCHAR,
        first_published VARCHAR,
        first_outlet VARCHAR,
        claims JSON,
        claims_text VARCHAR,
        updated_at TIMESTAMPTZ
    )""",
    """CREATE TABLE IF NOT EXISTS canonical_event_mentions (
        event_id VARCHAR PRIMARY KEY,
        canonical_id VARCHAR,
        article_id VARCHAR,
        status VARCHAR,
        claimant VARCHAR,
        claimant_key VARCHAR,
        cameo_code VARCHAR
    )""",
)
TABLE_NAMES: Final = (
    "story_articles", "story_bands", "story_duplicates", "story_clusters",
    "story_vocabulary", "story_state", "canonical_events", "canonical_event_mentions",
)  # fmt: skip


def ensure_tables(con: duckdb.DuckDBPyConnection, *, path: str | None = None) -> None:
    """Create the story tables when missing (idempotent).

    Raises:
        StorageError: when the tables were made by a newsgraph with another layout.
    """
    for statement in DDL:
        con.execute(statement)
    con.execute(
        "INSERT OR IGNORE INTO story_state VALUES ('layout_version', ?)", [LAYOUT_VERSION]
    ).fetchall()
    found = _one(con, "SELECT value FROM story_state WHERE key = 'layout_version'")
    if found != LAYOUT_VERSION:
        raise StorageError(
            f"the story tables have layout {found}, this newsgraph uses {LAYOUT_VERSION}",
            path=path,
            hint="drop them with newsgraph.stories.reset_stories(store) and place again",
        )


def drop_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Drop every story table (the next update places every article again)."""
    for name in TABLE_NAMES:
        con.execute(f'DROP TABLE IF EXISTS "{name}"').fetchall()


def has_tables(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the story tables exist (a read-only store may predate them)."""
    found = _one(
        con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'story_articles'"
    )
    return bool(found)


def insert(
    con: duckdb.DuckDBPyConnection,
    table: str,
    data: pa.Table,
    *,
    on_conflict: Literal["fail", "ignore", "replace"] = "ignore",
) -> None:
    """Insert an Arrow table by column name; rows whose key exists are ignored or replaced.

    Replacing deletes the rows with the batch's keys (the table's first column) and inserts
    the batch: several times faster in DuckDB than ``INSERT OR REPLACE`` for wide rows.
    """
    if data.num_rows == 0:
        return
    con.register("_story_batch", data)
    try:
        if on_conflict == "replace":
            key = data.column_names[0]
            con.execute(
                f'DELETE FROM "{table}" WHERE "{key}" IN (SELECT "{key}" FROM _story_batch)'
            ).fetchall()
        verb = "INSERT OR IGNORE" if on_conflict == "ignore" else "INSERT"
        con.execute(f'{verb} INTO "{table}" BY NAME SELECT * FROM _story_batch').fetchall()
    finally:
        with contextlib.suppress(duckdb.Error):  # an aborted transaction is rolled back later
            con.unregister("_story_batch")


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> Any:
    """The first value of the first row, or None (the result is read to its end: DuckDB
    refuses other work on a connection with a result left unread)."""
    rows = con.execute(sql, list(params)).fetchall()
    return rows[0][0] if rows else None


def _rows(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()
) -> list[dict[str, Any]]:
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def now() -> datetime:
    """The current UTC time (the ``*_at`` columns)."""
    return datetime.now(UTC)


# -- articles and duplicates ------------------------------------------------------------


def pending(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str] | None) -> list[str]:
    """Ids of stored articles not yet placed, in clustering order (by day, undated last)."""
    where = "WHERE s.article_id IS NULL"
    params: list[Any] = []
    if article_ids is not None:
        where += " AND a.id IN (SELECT unnest(?::VARCHAR[]))"
        params.append(list(article_ids))
    rows = con.execute(
        f"""
        SELECT a.id FROM articles a LEFT JOIN story_articles s ON s.article_id = a.id
        {where}
        ORDER BY TRY_CAST(substr(a.published, 1, 10) AS DATE) NULLS LAST, a.id
        """,
        params,
    ).fetchall()
    return [row[0] for row in rows]


def read_analyses(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str]) -> list[Analysis]:
    """The records of these articles with only what stories read (in the order given).

    A narrow, fast read: articles with their metadata, named entities, actors, places and
    events — not quotes, dates, annotations or tone, and not the columns stories never
    look at. (``Store.analyses`` builds every record in full, several times slower.)
    """
    ids = list(article_ids)
    rows = _rows(
        con,
        """
        SELECT id, text, title, url, source, byline, published, dateline_start, dateline_end,
               dateline_text, dateline_place, dateline_agency, dateline_date_text, language
        FROM articles WHERE id IN (SELECT unnest(?::VARCHAR[]))
        """,
        [ids],
    )
    articles = {}
    for row in rows:
        dateline = None
        if row["dateline_start"] is not None:
            dateline = Dateline(
                row["dateline_start"], row["dateline_end"], row["dateline_text"],
                row["dateline_place"], row["dateline_agency"], row["dateline_date_text"],
            )  # fmt: skip
        articles[row["id"]] = Article(
            id=row["id"], text=row["text"], title=row["title"], url=row["url"],
            source=row["source"], byline=row["byline"], published=row["published"],
            dateline=dateline, language=row["language"],
        )  # fmt: skip
    items: dict[str, dict[str, list[Any]]] = {aid: defaultdict(list) for aid in articles}
    where = "WHERE article_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY article_id, start, id"
    for row in _rows(
        con, f'SELECT id, article_id, start, "end", text, label FROM entities {where}', [ids]
    ):
        items[row["article_id"]]["entities"].append(Entity(**row))
    for row in _rows(
        con,
        f'SELECT id, article_id, start, "end", text, name, kind, country, sector, mentions, '
        f"kb_id FROM actors {where}",
        [ids],
    ):
        row["mentions"] = tuple(Mention(**m) for m in row["mentions"] or ())
        items[row["article_id"]]["actors"].append(Actor(**row))
    for row in _rows(
        con,
        f'SELECT id, article_id, start, "end", text, name, geonameid, latitude, longitude, '
        f"country, feature, admin1, mentions FROM places {where}",
        [ids],
    ):
        row["mentions"] = tuple(Mention(**m) for m in row["mentions"] or ())
        items[row["article_id"]]["places"].append(Place(**row))
    for row in _rows(
        con,
        f'SELECT id, article_id, start, "end", text, plover_type, cameo_code, actor_ids, '
        f"recipient_ids, place_id, date, date_resolution, status, claimed_by, reported_by "
        f"FROM events {where}",
        [ids],
    ):
        row["actor_ids"] = tuple(row["actor_ids"] or ())
        row["recipient_ids"] = tuple(row["recipient_ids"] or ())
        items[row["article_id"]]["events"].append(Event(**row))
    return [
        Analysis(
            articles[aid],
            entities=tuple(items[aid]["entities"]),
            actors=tuple(items[aid]["actors"]),
            places=tuple(items[aid]["places"]),
            events=tuple(items[aid]["events"]),
        )
        for aid in ids
        if aid in articles
    ]


def save_bands(
    con: duckdb.DuckDBPyConnection, article_ids: Sequence[str], keys: np.ndarray
) -> None:
    """Store the LSH band keys of articles: ``keys[i, band]`` belongs to ``article_ids[i]``."""
    count, bands = keys.shape
    insert(
        con,
        "story_bands",
        pa.table(
            {
                "band": pa.array(np.tile(np.arange(bands, dtype=np.int16), count)),
                "key": pa.array(keys.reshape(-1)),
                "article_id": pa.array(
                    np.repeat(np.array(article_ids, dtype=object), bands), pa.string()
                ),
            }
        ),
        on_conflict="fail",
    )


#: Most stored articles of one LSH bucket a new article is paired with, and most
#: candidates checked per new article. A template repeated thousands of times puts every
#: copy in the same buckets; pairing each new copy with all of them made placement
#: quadratic (1k / 2k / 4k templated lines took 5.5 / 19.8 / 93.9 s). The bucket's
#: smallest ids are kept (a choice that does not depend on the order of placement), and
#: a copy linked to some of a group joins the whole group.
BUCKET_LIMIT = 32
CANDIDATE_LIMIT = 24
#: Most stored copies of a group read to choose its original again when new copies join:
#: the original itself, then the earliest published. (Reading every copy made each batch
#: cost as much as the group was large.)
GROUP_SAMPLE = 256


def candidate_pairs(
    con: duckdb.DuckDBPyConnection, article_ids: Sequence[str]
) -> set[tuple[str, str]]:
    """Pairs (new, other) that share an LSH band key, for the given (already banded) articles.

    At most :data:`BUCKET_LIMIT` articles of each bucket, and :data:`CANDIDATE_LIMIT`
    candidates per new article (those sharing most bands), are returned.
    """
    rows = con.execute(
        f"""
        WITH fresh AS (
            SELECT band, key, article_id FROM story_bands
            WHERE article_id IN (SELECT unnest(?::VARCHAR[]))
        ),
        buckets AS (
            SELECT o.band, o.key, o.article_id,
                   row_number() OVER (PARTITION BY o.band, o.key ORDER BY o.article_id) AS rank
            FROM story_bands o SEMI JOIN (SELECT DISTINCT band, key FROM fresh) h
                 ON o.band = h.band AND o.key = h.key
        ),
        shared AS (
            SELECT f.article_id AS a, b.article_id AS b, count(*) AS bands
            FROM fresh f JOIN buckets b ON b.band = f.band AND b.key = f.key
            WHERE b.article_id <> f.article_id AND b.rank <= {BUCKET_LIMIT}
            GROUP BY ALL
        )
        SELECT a, b FROM shared
        QUALIFY row_number() OVER (PARTITION BY a ORDER BY bands DESC, b) <= {CANDIDATE_LIMIT}
        """,
        [list(article_ids)],
    ).fetchall()
    return {(a, b) for a, b in rows}


@dataclass(frozen=True, slots=True)
class Placed:
    """A stored placement of an article (a ``story_articles`` row, without the signature)."""

    article_id: str
    story_id: int
    original_id: str
    original_reason: str | None
    origin_key: str | None
    similarity: float | None = None


def load_members(
    con: duckdb.DuckDBPyConnection, *, ids: Sequence[str] = (), originals: Sequence[str] = ()
) -> list[tuple[Member, Placed]]:
    """Stored articles by id, or by the original of their group, with fingerprints.

    A group is read as a sample of at most :data:`GROUP_SAMPLE` copies: its original
    first, then the earliest published (the ones an original is chosen from), by id.
    """
    parts, params = [], []
    if ids:
        parts.append(
            "SELECT * FROM story_articles WHERE article_id IN (SELECT unnest(?::VARCHAR[]))"
        )
        params.append(list(ids))
    if originals:
        parts.append(
            f"""
            SELECT * FROM story_articles WHERE original_id IN (SELECT unnest(?::VARCHAR[]))
            QUALIFY row_number() OVER (
                PARTITION BY original_id
                ORDER BY article_id = original_id DESC, day NULLS LAST,
                         published NULLS LAST, article_id
            ) <= {GROUP_SAMPLE}
            """
        )
        params.append(list(originals))
    if not parts:
        return []
    rows = _rows(con, "SELECT DISTINCT * FROM (" + " UNION ALL ".join(parts) + ")", params)
    rows.sort(key=lambda row: row["article_id"])
    found = []
    for row in rows:
        fingerprint = Fingerprint(
            row["article_id"],
            Fingerprint.signature_from_bytes(row["signature"]),
            row["shingles"],
            tuple(row["figures"] or ()),
            row["day"],
            tuple(row["names"] or ()),
            tuple(row["title_words"] or ()),
        )
        member = Member(
            row["article_id"], row["published"], row["source_key"], row["agency"], fingerprint
        )
        placed = Placed(
            row["article_id"], row["story_id"], row["original_id"], row["original_reason"],
            row["origin_key"], row["similarity"],
        )  # fmt: skip
        found.append((member, placed))
    return found


def group_agencies(
    con: duckdb.DuckDBPyConnection, originals: Sequence[str]
) -> dict[str, Counter[str]]:
    """How many stored copies of each group (keyed by its original) credit each agency."""
    rows = con.execute(
        """
        SELECT original_id, agency, count(*) FROM story_articles
        WHERE original_id IN (SELECT unnest(?::VARCHAR[])) AND agency IS NOT NULL
        GROUP BY ALL
        """,
        [list(originals)],
    ).fetchall()
    found: dict[str, Counter[str]] = defaultdict(Counter)
    for original, agency, count in rows:
        found[original][agency] = count
    return found


def regroup(
    con: duckdb.DuckDBPyConnection, changes: Sequence[tuple[str, str, str | None, str]]
) -> list[str]:
    """Move whole stored groups to a new original: rows ``(old original, original, reason,
    origin key)``. Returns the articles whose placement changed."""
    if not changes:
        return []
    data = pa.table(
        {
            "old_original": pa.array([c[0] for c in changes], pa.string()),
            "original_id": pa.array([c[1] for c in changes], pa.string()),
            "original_reason": pa.array([c[2] for c in changes], pa.string()),
            "origin_key": pa.array([c[3] for c in changes], pa.string()),
        }
    )
    con.register("_story_regroup", data)
    try:
        rows = con.execute(
            """
            UPDATE story_articles SET original_id = g.original_id,
                   original_reason = g.original_reason, origin_key = g.origin_key
            FROM _story_regroup g
            WHERE story_articles.original_id = g.old_original
              AND (story_articles.original_id IS DISTINCT FROM g.original_id
                   OR story_articles.original_reason IS DISTINCT FROM g.original_reason
                   OR story_articles.origin_key IS DISTINCT FROM g.origin_key)
            RETURNING story_articles.article_id
            """
        ).fetchall()
    finally:
        con.unregister("_story_regroup")
    return sorted(row[0] for row in rows)


def save_articles(con: duckdb.DuckDBPyConnection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert new ``story_articles`` rows (dicts keyed by column name)."""
    if not rows:
        return
    at = now()
    data = pa.table(
        {
            "article_id": pa.array([r["article_id"] for r in rows], pa.string()),
            "story_id": pa.array([r["story_id"] for r in rows], pa.int64()),
            "similarity": pa.array([r["similarity"] for r in rows], pa.float64()),
            "opened": pa.array([r["opened"] for r in rows], pa.bool_()),
            "day": pa.array([r["day"] for r in rows], pa.int32()),
            "published": pa.array([r["published"] for r in rows], pa.string()),
            "source_key": pa.array([r["source_key"] for r in rows], pa.string()),
            "agency": pa.array([r["agency"] for r in rows], pa.string()),
            "original_id": pa.array([r["original_id"] for r in rows], pa.string()),
            "original_reason": pa.array([r["original_reason"] for r in rows], pa.string()),
            "origin_key": pa.array([r["origin_key"] for r in rows], pa.string()),
            "shingles": pa.array([r["shingles"] for r in rows], pa.int32()),
            "figures": pa.array([list(r["figures"]) for r in rows], pa.list_(pa.string())),
            "names": pa.array([list(r["names"]) for r in rows], pa.list_(pa.string())),
            "title_words": pa.array([list(r["title_words"]) for r in rows], pa.list_(pa.string())),
            "signature": pa.array([r["signature"] for r in rows], pa.binary()),
            "placed_at": pa.array([at] * len(rows), pa.timestamp("us", tz="UTC")),
        }
    )
    insert(con, "story_articles", data)


def update_groups(
    con: duckdb.DuckDBPyConnection, changes: Sequence[tuple[str, str, str, str]]
) -> None:
    """Set the group of stored articles: rows ``(article, original, reason, origin key)``."""
    if not changes:
        return
    data = pa.table(
        {
            "article_id": pa.array([c[0] for c in changes], pa.string()),
            "original_id": pa.array([c[1] for c in changes], pa.string()),
            "original_reason": pa.array([c[2] for c in changes], pa.string()),
            "origin_key": pa.array([c[3] for c in changes], pa.string()),
        }
    )
    con.register("_story_groups", data)
    try:
        con.execute(
            """
            UPDATE story_articles SET original_id = g.original_id,
                   original_reason = g.original_reason, origin_key = g.origin_key
            FROM _story_groups g WHERE story_articles.article_id = g.article_id
            """
        ).fetchall()
    finally:
        con.unregister("_story_groups")


def save_duplicates(
    con: duckdb.DuckDBPyConnection, links: Sequence[tuple[str, str, float, float]]
) -> None:
    """Store near-duplicate links ``(article, duplicate_of, jaccard, containment)``."""
    insert(
        con,
        "story_duplicates",
        pa.table(
            {
                "article_id": pa.array([x[0] for x in links], pa.string()),
                "duplicate_of": pa.array([x[1] for x in links], pa.string()),
                "jaccard": pa.array([x[2] for x in links], pa.float64()),
                "containment": pa.array([x[3] for x in links], pa.float64()),
            }
        ),
    )


# -- clusters and vocabulary ------------------------------------------------------------


def load_vocabulary(con: duckdb.DuckDBPyConnection) -> Vocabulary:
    """The stored document frequencies and document count."""
    df = dict(con.execute("SELECT term, df FROM story_vocabulary").fetchall())
    documents = _one(con, "SELECT value FROM story_state WHERE key = 'documents'")
    return Vocabulary(df, int(documents) if documents else 0)


def save_vocabulary(con: duckdb.DuckDBPyConnection, vocabulary: Vocabulary) -> None:
    """Store the changed document frequencies and the document count."""
    terms = sorted(vocabulary.changed)
    insert(
        con,
        "story_vocabulary",
        pa.table(
            {
                "term": pa.array(terms, pa.string()),
                "df": pa.array([vocabulary.df[t] for t in terms], pa.int64()),
            }
        ),
        on_conflict="replace",
    )
    con.execute(
        "INSERT OR REPLACE INTO story_state VALUES ('documents', ?)", [str(vocabulary.documents)]
    ).fetchall()
    vocabulary.changed.clear()


def load_clusters(con: duckdb.DuckDBPyConnection, *, since: int | None) -> list[StoryCluster]:
    """Stories whose last day is ``since`` or later, and undated ones (all with None)."""
    where, params = (
        ("WHERE last_day IS NULL OR last_day >= ?", [since]) if since is not None else ("", [])
    )
    rows = _rows(
        con,
        f"SELECT id, first_day, last_day, size, title, first_article_id, centroid "
        f"FROM story_clusters {where}",
        params,
    )
    return [
        StoryCluster(
            row["id"],
            row["first_day"],
            row["last_day"],
            row["size"],
            json.loads(row["centroid"] or "{}"),
            row["title"],
            row["first_article_id"],
        )
        for row in rows
    ]


def merge_stories(con: duckdb.DuckDBPyConnection, merges: dict[int, int]) -> None:
    """Move the articles and canonical events of absorbed stories to their survivors and
    delete the absorbed stories (``merges``: absorbed id → surviving id)."""
    pairs = sorted(merges.items())
    con.executemany(
        "UPDATE story_articles SET story_id = ? WHERE story_id = ?", [(s, a) for a, s in pairs]
    )
    con.executemany("DELETE FROM story_clusters WHERE id = ?", [(a,) for a, _ in pairs])
    for absorbed, survivor in pairs:
        con.execute(
            "UPDATE canonical_events SET stories = list_distinct(list_transform(stories, "
            "lambda x: CASE WHEN x = ? THEN ? ELSE x END)) WHERE list_contains(stories, ?)",
            [absorbed, survivor, absorbed],
        )


def next_story_id(con: duckdb.DuckDBPyConnection) -> int:
    """One more than the largest story id stored."""
    return int(_one(con, "SELECT coalesce(max(id), 0) + 1 FROM story_clusters") or 1)


def save_clusters(
    con: duckdb.DuckDBPyConnection,
    clusters: Iterable[StoryCluster],
    top_terms: Callable[[StoryCluster], list[str]],
) -> None:
    """Store (replace) story rows: the centroid as JSON, and its heaviest terms (``top_terms``)."""
    items = list(clusters)
    insert(
        con,
        "story_clusters",
        pa.table(
            {
                "id": pa.array([c.id for c in items], pa.int64()),
                "first_day": pa.array([c.first_day for c in items], pa.int32()),
                "last_day": pa.array([c.last_day for c in items], pa.int32()),
                "size": pa.array([c.size for c in items], pa.int32()),
                "title": pa.array([c.title for c in items], pa.string()),
                "first_article_id": pa.array([c.first_article_id for c in items], pa.string()),
                "top_terms": pa.array([top_terms(c) for c in items], pa.list_(pa.string())),
                "centroid": pa.array(
                    [json.dumps(c.centroid, separators=(",", ":")) for c in items], pa.string()
                ),
                "updated_at": pa.array([now()] * len(items), pa.timestamp("us", tz="UTC")),
            }
        ),
        on_conflict="replace",
    )


# -- canonical events ---------------------------------------------------------------------


def _actor_json(keys: Sequence[ActorKey]) -> str:
    return json.dumps([[k.kb_id, k.country, k.sector, k.name, k.label] for k in keys])


def _actors(text: str | None) -> list[ActorKey]:
    return [ActorKey(*item) for item in json.loads(text or "[]")]


def _place_json(place: PlaceKey | None) -> str | None:
    if place is None:
        return None
    return json.dumps(
        [place.level, place.country, place.region, place.geonameid, place.name,
         place.latitude, place.longitude]
    )  # fmt: skip


def load_canonical(
    con: duckdb.DuckDBPyConnection,
    *,
    types: Sequence[str] = (),
    first_day: int | None = None,
    last_day: int | None = None,
    ids: Sequence[str] = (),
) -> list[CanonicalEvent]:
    """Canonical events by id, or of these PLOVER types with days near ``first_day..last_day``.

    Undated canonical events of the types are always included; with no day bounds, all.
    """
    if ids:
        clauses = ["id IN (SELECT unnest(?::VARCHAR[]))"]
        params: list[Any] = [list(ids)]
    else:
        clauses = ["plover_type IN (SELECT unnest(?::VARCHAR[]))"]
        params = [list(types)]
        if first_day is not None and last_day is not None:
            clauses.append("(first_day IS NULL OR (last_day >= ? AND first_day <= ?))")
            params += [first_day - 2, last_day + 2]
    rows = _rows(con, "SELECT * FROM canonical_events WHERE " + " AND ".join(clauses), params)
    events = []
    for row in rows:
        place = json.loads(row["place_key"]) if row["place_key"] else None
        events.append(
            CanonicalEvent(
                id=row["id"],
                plover_type=row["plover_type"],
                first_day=row["first_day"],
                last_day=row["last_day"],
                date_level=row["date_level"],
                date=row["date"],
                place=PlaceKey(*place) if place else None,
                actors=_actors(row["actors"]),
                recipients=_actors(row["recipients"]),
                stories=set(row["stories"] or ()),
                mentions=row["mentions"] or 0,
            )
        )
    return events


def save_mentions(
    con: duckdb.DuckDBPyConnection,
    rows: Sequence[tuple[str, str, str, str, str | None, str | None, str | None]],
) -> None:
    """Store mention rows ``(event, canonical, article, status, claimant, claimant key, cameo)``."""
    names = (
        "event_id",
        "canonical_id",
        "article_id",
        "status",
        "claimant",
        "claimant_key",
        "cameo_code",
    )
    insert(
        con,
        "canonical_event_mentions",
        pa.table(
            {name: pa.array([r[i] for r in rows], pa.string()) for i, name in enumerate(names)}
        ),
        on_conflict="replace",
    )


def mention_rows(
    con: duckdb.DuckDBPyConnection, canonical_ids: Sequence[str]
) -> dict[str, list[MentionRow]]:
    """The stored mentions of canonical events, with their articles' origin, day and outlet."""
    rows = con.execute(
        """
        SELECT m.canonical_id, m.event_id, m.article_id, m.status, m.claimant, m.claimant_key,
               coalesce(s.origin_key, 'article:' || m.article_id), a.published, a.source,
               m.cameo_code
        FROM canonical_event_mentions m
        JOIN articles a ON a.id = m.article_id
        LEFT JOIN story_articles s ON s.article_id = m.article_id
        WHERE m.canonical_id IN (SELECT unnest(?::VARCHAR[]))
        """,
        [list(canonical_ids)],
    ).fetchall()
    found: dict[str, list[MentionRow]] = {}
    for canonical_id, *values in rows:
        found.setdefault(canonical_id, []).append(MentionRow(*values))
    return found


def canonical_of_articles(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str]) -> set[str]:
    """Canonical events told by any of these articles."""
    rows = con.execute(
        "SELECT DISTINCT canonical_id FROM canonical_event_mentions "
        "WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
        [list(article_ids)],
    ).fetchall()
    return {row[0] for row in rows}


def save_canonical(
    con: duckdb.DuckDBPyConnection,
    events: Sequence[CanonicalEvent],
    summaries: dict[str, dict[str, Any]],
) -> None:
    """Store (replace) canonical events with their summaries."""
    rows = []
    for event in events:
        summary = summaries.get(event.id, {})
        place = event.place
        rows.append(
            {
                "id": event.id,
                "plover_type": event.plover_type,
                "cameo_code": summary.get("cameo_code"),
                "date": event.date,
                "date_level": event.date_level,
                "first_day": event.first_day,
                "last_day": event.last_day,
                "place": place.name if place else None,
                "place_level": place.level if place else None,
                "geonameid": place.geonameid if place else None,
                "country": place.country if place else None,
                "place_key": _place_json(place),
                "actors": _actor_json(event.actors),
                "recipients": _actor_json(event.recipients),
                "stories": sorted(event.stories),
                "mentions": summary.get("mentions", event.mentions),
                "articles": summary.get("articles"),
                "sources": summary.get("sources"),
                "first_article_id": summary.get("first_article_id"),
                "first_published": summary.get("first_published"),
                "first_outlet": summary.get("first_outlet"),
                "claims": json.dumps(summary.get("claims", [])),
                "claims_text": summary.get("claims_text"),
                "updated_at": now(),
            }
        )
    if not rows:
        return
    types = {
        "first_day": pa.int32(), "last_day": pa.int32(), "geonameid": pa.int64(),
        "stories": pa.list_(pa.int64()), "mentions": pa.int32(), "articles": pa.int32(),
        "sources": pa.int32(), "updated_at": pa.timestamp("us", tz="UTC"),
    }  # fmt: skip
    data = pa.table(
        {name: pa.array([r[name] for r in rows], types.get(name, pa.string())) for name in rows[0]}
    )
    insert(con, "canonical_events", data, on_conflict="replace")
