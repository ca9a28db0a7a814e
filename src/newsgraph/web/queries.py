"""The web layer's own queries, over summary tables built once per snapshot.

The library's queries (:mod:`newsgraph.store.event_queries`, :class:`Store`) answer one
question each and join names in per row; that is right for a command, but a sortable
events table, a map and a network over 20,000 articles must answer in tens of
milliseconds. :func:`prepare` therefore flattens events once per snapshot into
``web.event_rows`` (the columns of :data:`EVENT_COLUMNS` plus what pages sort and filter
on), and aggregates the map points and the network edges. The filters keep the exact
meaning of :func:`~newsgraph.store.event_queries.find_events` (a test checks both return
the same events). Every value from a request is bound as a parameter; column names
come only from the fixed tables in this module.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from newsgraph.model import Analysis
from newsgraph.report import first_sentence
from newsgraph.store.database import Store, article_filter
from newsgraph.store.event_queries import EVENT_COLUMNS
from newsgraph.store.tables import ITEM_TABLES, TONES, assemble

STATUSES = ("asserted", "alleged", "denied", "planned", "hypothetical", "negated")

# Sort keys a request may name → the SQL they stand for (never the request's own text).
EVENT_SORTS: dict[str, str] = {
    "date": "day",
    "type": "plover_type",
    "cameo": "cameo_code",
    "status": "status",
    "actors": "actors[1]",
    "recipients": "recipients[1]",
    "place": "place",
    "goldstein": "goldstein",
    "confidence": "confidence",
    "published": "published",
}

_ACTOR_STATS = """
    SELECT name, list(DISTINCT kind ORDER BY kind) AS kinds,
           list(DISTINCT country ORDER BY country) FILTER (country IS NOT NULL) AS countries,
           list(DISTINCT sector ORDER BY sector) FILTER (sector IS NOT NULL) AS sectors,
           list(DISTINCT role ORDER BY role) FILTER (role IS NOT NULL) AS roles,
           list(DISTINCT kb_id ORDER BY kb_id) FILTER (kb_id IS NOT NULL) AS kb_ids,
           count(DISTINCT article_id) AS articles, sum(len(mentions)) AS mentions,
           sum(len(list_filter(mentions, lambda m: m.loaded))) AS loaded,
           list_sort(list_distinct(flatten(list(aliases)))) AS aliases
    FROM actors
"""

_DISPLAY = "x.name || coalesce(' [' || x.country || coalesce(' ' || x.sector, '') || ']', '')"


def title_sql(alias: str = "") -> str:
    """SQL for an article's title, or its first sentence (up to 120 characters) when it
    has none: feeds and archives (the Guardian's among them) carry untitled items."""
    prefix = f"{alias}." if alias else ""
    first = f"regexp_extract(ltrim({prefix}text), '^([^\\n]{{1,120}}?[.!?])(\\s|$)', 1)"
    return (
        f"coalesce(nullif(trim({prefix}title), ''), nullif({first}, ''), "
        f"left(ltrim({prefix}text), 100) || '…')"
    )


def _normal(sql: str) -> str:
    """SQL folding a value's case and accents, for matching names as a person types them."""
    return f"lower(strip_accents({sql}))"


# Network edges per type and status; ``where`` narrows the events (``WHERE ...`` on r).
_EDGES_SQL = """
    SELECT s.name AS source, t.name AS target, any_value(s.country) AS source_country,
           any_value(t.country) AS target_country, r.plover_type, r.status,
           count(DISTINCT r.id) AS events, count(DISTINCT r.article_id) AS articles
    FROM (SELECT * FROM web.event_rows {where}) r
    JOIN web.event_actors s ON s.event_id = r.id AND s.side = 'actor'
    JOIN web.event_actors t ON t.event_id = r.id AND t.side = 'recipient'
    WHERE s.name <> t.name
    GROUP BY s.name, t.name, r.plover_type, r.status
"""


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    """Build the summary tables of one snapshot in the schema (or database) ``web``."""
    con.execute(
        f"""
        CREATE OR REPLACE TABLE web.event_actors AS
        SELECT e.id AS event_id, side, pos, x.id AS actor_id, x.name, x.country,
               x.aliases, {_DISPLAY} AS display
        FROM (
            SELECT id, 'actor' AS side, unnest(actor_ids) AS actor_id,
                   generate_subscripts(actor_ids, 1) AS pos FROM events
            UNION ALL
            SELECT id, 'recipient', unnest(recipient_ids), generate_subscripts(recipient_ids, 1)
            FROM events
        ) e JOIN actors x ON x.id = e.actor_id
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TABLE web.event_rows AS
        WITH sides AS (
            SELECT event_id,
                   list(display ORDER BY pos) FILTER (side = 'actor') AS actors,
                   list(display ORDER BY pos) FILTER (side = 'recipient') AS recipients,
                   list(name) FILTER (side = 'actor') AS actor_names,
                   list(name) FILTER (side = 'recipient') AS recipient_names,
                   list(country) FILTER (side = 'actor' AND country IS NOT NULL)
                       AS actor_countries,
                   list(country) FILTER (side = 'recipient' AND country IS NOT NULL)
                       AS recipient_countries,
                   flatten(list(aliases) FILTER (side = 'actor')) AS actor_aliases,
                   flatten(list(aliases) FILTER (side = 'recipient')) AS recipient_aliases
            FROM web.event_actors GROUP BY event_id
        )
        SELECT e.id, e.article_id, e.date, e.plover_type, e.plover_mode, e.cameo_code,
               e.quad_class, e.goldstein, e.status,
               s.actors, s.recipients,
               c.name AS claimed_by, e.reported_by, p.name AS place, p.geonameid,
               p.latitude, p.longitude, e.trigger_text AS trigger, e.confidence, e.text,
               a.published, a.url,
               coalesce(e.date, substr(a.published, 1, 10)) AS day, e.start,
               {title_sql("a")} AS title, a.source,
               coalesce(s.actor_names, []) AS actor_names,
               coalesce(s.recipient_names, []) AS recipient_names,
               coalesce(s.actor_countries, []) AS actor_countries,
               coalesce(s.recipient_countries, []) AS recipient_countries,
               coalesce(s.actor_aliases, []) AS actor_aliases,
               coalesce(s.recipient_aliases, []) AS recipient_aliases,
               e.actor_ids, e.recipient_ids
        FROM events e
        JOIN articles a ON a.id = e.article_id
        LEFT JOIN sides s ON s.event_id = e.id
        LEFT JOIN places p ON p.id = e.place_id AND p.article_id = e.article_id
        LEFT JOIN actors c ON c.id = e.claimed_by AND c.article_id = e.article_id
        ORDER BY day DESC NULLS LAST, e.article_id, e.start
        """
    )
    con.execute(f"CREATE OR REPLACE TABLE web.edges AS {_EDGES_SQL.format(where='')}")
    con.execute(
        f"""
        CREATE OR REPLACE TABLE web.actor_stats AS
        SELECT *, {_normal("name")} AS folded_name,
               {_normal("name || chr(31) || array_to_string(aliases, chr(31))")} AS folded_all
        FROM ({_ACTOR_STATS} GROUP BY name) ORDER BY name
        """
    )
    columns = ", ".join(f"r.{c}" for c in (*EVENT_COLUMNS, "day", "title", "source", "start"))
    con.execute(
        f"""
        CREATE OR REPLACE TABLE web.actor_event_rows AS
        SELECT DISTINCT s.name, s.side, {columns}
        FROM web.event_actors s JOIN web.event_rows r ON r.id = s.event_id
        ORDER BY s.name, s.side, r.day DESC NULLS LAST, r.article_id, r.start
        """
    )
    con.execute(
        "CREATE OR REPLACE TABLE web.actor_sides AS SELECT name, side, count(*) AS events "
        "FROM web.actor_event_rows GROUP BY name, side ORDER BY name"
    )
    con.execute(
        f"""
        CREATE OR REPLACE TABLE web.quote_rows AS
        SELECT s.name AS speaker_name, q.id, q.article_id, q.kind, s.name AS speaker,
               q.cue_text AS cue, coalesce(r.name, q.addressee_text) AS addressee, q.text,
               a.published, a.source, {title_sql("a")} AS title, q.start
        FROM quotes q
        JOIN actors s ON s.id = q.speaker_id AND s.article_id = q.article_id
        JOIN articles a ON a.id = q.article_id
        LEFT JOIN actors r ON r.id = q.addressee_id AND r.article_id = q.article_id
        ORDER BY speaker_name, a.published DESC NULLS LAST, q.article_id, q.start
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TABLE web.actor_list AS
        SELECT name, kind, country, sector, count(DISTINCT article_id) AS articles,
               sum(len(mentions)) AS mentions,
               sum(len(list_filter(mentions, lambda m: m.loaded))) AS loaded,
               list_sort(list_distinct(flatten(list(aliases)))) AS aliases,
               {_normal("name || chr(31) || array_to_string(flatten(list(aliases)), chr(31))")}
                   AS search_key
        FROM actors GROUP BY name, kind, country, sector
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TABLE web.place_list AS
        SELECT any_value(name) AS name, geonameid, country, any_value(feature) AS feature,
               round(any_value(latitude), 4) AS latitude,
               round(any_value(longitude), 4) AS longitude,
               count(DISTINCT article_id) AS articles, sum(len(mentions)) AS mentions,
               {_normal("string_agg(DISTINCT name || chr(31) || text, chr(31))")} AS search_key
        FROM places GROUP BY geonameid, country, CASE WHEN geonameid IS NULL THEN name END
        """
    )
    con.execute(
        "CREATE OR REPLACE TABLE web.event_index AS SELECT id, article_id, start, "
        '"end", trigger_start, trigger_end FROM events'
    )
    for table, column in (
        ("event_index", "id"),
        ("event_rows", "id"),
        ("event_rows", "article_id"),
        ("event_rows", "geonameid"),
        ("actor_stats", "name"),
        ("actor_event_rows", "name"),
        ("actor_sides", "name"),
        ("quote_rows", "speaker_name"),
    ):
        con.execute(f"CREATE INDEX {table}_{column} ON web.{table} ({column})")
    con.execute(f"CREATE OR REPLACE TABLE web.points AS {_points_sql('')}")


def _points_sql(condition: str) -> str:
    """Event locations with their counts, most events first; ``condition`` narrows the
    events (``AND ...``). A place without a GeoNames id is grouped by its name."""
    return f"""
        SELECT any_value(place) AS name, geonameid, round(avg(latitude), 3) AS latitude,
               round(avg(longitude), 3) AS longitude, count(*) AS events,
               count(DISTINCT article_id) AS articles,
               list(DISTINCT plover_type ORDER BY plover_type) AS types
        FROM web.event_rows
        WHERE latitude IS NOT NULL AND longitude IS NOT NULL {condition}
        GROUP BY geonameid, CASE WHEN geonameid IS NULL THEN place END
        ORDER BY events DESC
        """


def _rows(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@dataclass(frozen=True, slots=True)
class EventFilters:
    """The filters of the events table; the meaning of each is that of ``find_events``."""

    actor: str | None = None
    recipient: str | None = None
    plover_type: str | None = None
    status: str | None = None
    place: str | None = None
    since: str | None = None
    until: str | None = None
    article_id: str | None = None
    geonameid: int | None = None

    def where(self) -> tuple[str, list[Any]]:
        """SQL conditions and their parameters."""
        clauses: list[str] = []
        params: list[Any] = []
        for side, value in (("actor", self.actor), ("recipient", self.recipient)):
            if value:
                clauses.append(
                    f"(array_to_string({side}_names, chr(31)) ILIKE ? "
                    f"OR list_contains({side}_countries, upper(?)) "
                    f"OR list_contains({side}_ids, ?) OR list_contains({side}_aliases, ?))"
                )
                params += [f"%{value}%", value, value, value]
        if self.plover_type:
            clauses.append("(plover_type = upper(?) OR starts_with(cameo_code, ?))")
            params += [self.plover_type, self.plover_type]
        if self.status:
            clauses.append("status = ?")
            params.append(self.status)
        if self.place:
            clauses.append("(place ILIKE ? OR CAST(geonameid AS VARCHAR) = ?)")
            params += [f"%{self.place}%", self.place]
        if self.since:
            clauses.append("day >= ?")
            params.append(self.since)
        if self.until:
            clauses.append("substr(day, 1, length(?)) <= ?")
            params += [self.until, self.until]
        if self.article_id:
            clauses.append("article_id = ?")
            params.append(self.article_id)
        if self.geonameid is not None:
            clauses.append("geonameid = ?")
            params.append(self.geonameid)
        return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def find_event_rows(
    store: Store,
    filters: EventFilters,
    *,
    sort: str | None = None,
    descending: bool = True,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """Events matching ``filters`` (the keys of ``find_events`` plus title, source, day).

    Returns:
        The page of rows and the number of matching events.
    """
    where, params = filters.where()
    if sort in EVENT_SORTS:
        direction = "DESC" if descending else "ASC"
        order = (
            f"{EVENT_SORTS[sort]} {direction} NULLS LAST, day DESC NULLS LAST, article_id, start"
        )
    else:
        order = "day DESC NULLS LAST, article_id, start"
    columns = ", ".join([*EVENT_COLUMNS, "day", "title", "source"])
    rows = _rows(
        store.con.execute(
            f"SELECT {columns} FROM web.event_rows {where} ORDER BY {order} "
            f"LIMIT {int(limit)} OFFSET {int(offset)}",
            params,
        )
    )
    total = store.con.execute(f"SELECT count(*) FROM web.event_rows {where}", params).fetchone()
    return rows, int(total[0]) if total else 0


def event_timeline(store: Store) -> list[dict[str, Any]]:
    """Events per month and PLOVER type (by the event's date, else the article's).

    Events dated only to a year or a week are left out: they belong to no month.
    """
    return _rows(
        store.con.execute(
            "SELECT substr(day, 1, 7) AS month, plover_type, count(*) AS events "
            "FROM web.event_rows WHERE regexp_matches(day, '^[0-9]{4}-[0-9]{2}') "
            "GROUP BY ALL ORDER BY month, plover_type"
        )
    )


def event_facets(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Counts by type and by status, for filter menus and the dashboard."""
    return {
        "types": _rows(
            store.con.execute(
                "SELECT plover_type AS value, count(*) AS events FROM web.event_rows "
                "GROUP BY 1 ORDER BY 2 DESC, 1"
            )
        ),
        "statuses": _rows(
            store.con.execute(
                "SELECT status AS value, count(*) AS events FROM web.event_rows "
                "GROUP BY 1 ORDER BY 2 DESC, 1"
            )
        ),
    }


def map_points(
    store: Store, *, plover_type: str | None = None, limit: int = 2000
) -> list[dict[str, Any]]:
    """Event locations with their event counts, most events first."""
    if plover_type:
        condition = "AND (plover_type = upper(?) OR starts_with(cameo_code, ?))"
        return _rows(
            store.con.execute(
                f"{_points_sql(condition)} LIMIT {int(limit)}", [plover_type, plover_type]
            )
        )
    return _rows(store.con.execute(f"SELECT * FROM web.points LIMIT {int(limit)}"))


def network_edges(
    store: Store,
    *,
    plover_type: str | None = None,
    status: str | None = None,
    actor: str | None = None,
    since: str | None = None,
    until: str | None = None,
    min_events: int = 1,
    limit: int = 150,
) -> list[dict[str, Any]]:
    """Who acts on whom: directed edges (source → target) weighted by events, heaviest first.

    ``since`` and ``until`` keep events by their day (the event's date, else the article's),
    as the events table does; the edges are then counted from the events themselves.
    """
    clauses = ["1 = 1"]
    params: list[Any] = []
    edges = "web.edges"
    if since or until:
        dated = EventFilters(since=since, until=until).where()
        edges = f"({_EDGES_SQL.format(where=dated[0])})"
        params += dated[1]
    if plover_type:
        clauses.append("plover_type = upper(?)")
        params.append(plover_type)
    if status:
        clauses.append("status = ?")
        params.append(status)
    if actor:
        clauses.append("(source ILIKE ? OR target ILIKE ?)")
        params += [f"%{actor}%", f"%{actor}%"]
    params.append(min_events)
    return _rows(
        store.con.execute(
            f"""
            SELECT source, target, any_value(source_country) AS source_country,
                   any_value(target_country) AS target_country, sum(events) AS events,
                   sum(articles) AS articles,
                   arg_max(plover_type, events) AS main_type,
                   list(DISTINCT plover_type ORDER BY plover_type) AS types
            FROM {edges} WHERE {" AND ".join(clauses)}
            GROUP BY source, target HAVING sum(events) >= ?
            ORDER BY events DESC, source, target LIMIT {int(limit)}
            """,
            params,
        )
    )


def actor_profile(store: Store, name: str, *, country: str | None = None) -> dict[str, Any] | None:
    """One actor across articles, by canonical name (and country): identity and counts."""
    if country:
        rows = _rows(
            store.con.execute(
                f"{_ACTOR_STATS} WHERE name = ? AND country = ? GROUP BY name", [name, country]
            )
        )
    else:
        rows = _rows(
            store.con.execute(
                "SELECT * EXCLUDE (folded_name, folded_all) FROM web.actor_stats WHERE name = ?",
                [name],
            )
        )
    if not rows:
        return None
    profile = rows[0]
    profile["loaded_labels"] = []
    if profile["loaded"]:
        profile["loaded_labels"] = [
            str(text)
            for (text, _n) in store.con.execute(
                """
                SELECT m.text, count(*) FROM (SELECT unnest(mentions) AS m FROM actors
                WHERE name = ?) WHERE m.loaded GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20
                """,
                [name],
            ).fetchall()
        ]
    return profile


def actor_events(
    store: Store, name: str, *, limit: int = 50
) -> dict[str, tuple[list[dict[str, Any]], int]]:
    """Events in which the actor named exactly ``name`` is an actor, and is a recipient.

    Returns:
        For ``"actor"`` and ``"recipient"``: the newest ``limit`` events and how many
        there are in all.
    """
    totals = {"actor": 0, "recipient": 0}
    for side, events in store.con.execute(
        "SELECT side, events FROM web.actor_sides WHERE name = ?", [name]
    ).fetchall():
        totals[str(side)] = int(events)
    columns = ", ".join([*EVENT_COLUMNS, "day", "title", "source"])
    out: dict[str, tuple[list[dict[str, Any]], int]] = {}
    for side, total in totals.items():
        rows = (
            _rows(
                store.con.execute(
                    f"SELECT {columns} FROM web.actor_event_rows WHERE name = ? AND side = ? "
                    f"ORDER BY day DESC NULLS LAST, article_id, start LIMIT {int(limit)}",
                    [name, side],
                )
            )
            if total
            else []
        )
        out[side] = (rows, total)
    return out


def actor_quotes(store: Store, name: str, *, limit: int = 30) -> list[dict[str, Any]]:
    """What the actor named exactly ``name`` is reported to have said, newest first."""
    return _rows(
        store.con.execute(
            "SELECT id, article_id, kind, speaker, cue, addressee, text, published, source, "
            "title FROM web.quote_rows WHERE speaker_name = ? "
            f"ORDER BY published DESC NULLS LAST, article_id, start LIMIT {int(limit)}",
            [name],
        )
    )


def actor_tone(store: Store, name: str) -> list[dict[str, Any]]:
    """Average tone toward the actor per month of publication (empty before the tone stage)."""
    return _rows(
        store.con.execute(
            """
            SELECT substr(a.published, 1, 7) AS month, round(avg(tt.t.score), 3) AS tone,
                   count(*) AS articles
            FROM (SELECT article_id, unnest(toward) AS t FROM tones) tt
            JOIN actors x ON x.id = tt.t.actor_id AND x.name = ?
            JOIN articles a ON a.id = tt.article_id
            WHERE a.published IS NOT NULL
            GROUP BY 1 ORDER BY 1
            """,
            [name],
        )
    )


def place_profile(
    store: Store, *, geonameid: int | None = None, name: str | None = None
) -> dict[str, Any] | None:
    """One place across articles, by GeoNames id (or by name when it is unresolved)."""
    params: list[Any]
    if geonameid is not None:
        where, params = "geonameid = ?", [geonameid]
    elif name:
        where, params = "name = ? AND geonameid IS NULL", [name]
    else:
        return None
    rows = _rows(
        store.con.execute(
            f"""
            SELECT any_value(name) AS name, any_value(geonameid) AS geonameid,
                   any_value(country) AS country, any_value(feature) AS feature,
                   any_value(admin1) AS admin1, round(any_value(latitude), 4) AS latitude,
                   round(any_value(longitude), 4) AS longitude,
                   count(DISTINCT article_id) AS articles, sum(len(mentions)) AS mentions,
                   list(DISTINCT text ORDER BY text)[1:20] AS written_as
            FROM places WHERE {where} HAVING count(*) > 0
            """,
            params,
        )
    )
    return rows[0] if rows else None


def place_articles(
    store: Store, *, geonameid: int | None = None, name: str | None = None, limit: int = 30
) -> list[dict[str, Any]]:
    """Articles that mention the place, newest first."""
    params: list[Any]
    if geonameid is not None:
        where, params = "p.geonameid = ?", [geonameid]
    else:
        where, params = "p.name = ? AND p.geonameid IS NULL", [name]
    rows = _rows(
        store.con.execute(
            f"""
            SELECT a.id, a.title, a.source, a.published, count(*) AS mentions
            FROM places p JOIN articles a ON a.id = p.article_id
            WHERE {where}
            GROUP BY a.id, a.title, a.source, a.published
            ORDER BY a.published DESC NULLS LAST, a.id LIMIT {int(limit)}
            """,
            params,
        )
    )
    return fill_titles(store, rows)


def load_analysis(store: Store, article_id: str) -> Analysis | None:
    """The full record of one article, equal to what :meth:`Store.analysis` returns.

    The items of every table come back in one query (each row as JSON), which the
    snapshot's article indexes answer directly: one round trip instead of nine.
    """
    cursor = store.con.execute("SELECT * FROM articles WHERE id = ?", [article_id])
    names = [d[0] for d in cursor.description or ()]
    row = cursor.fetchone()
    if row is None:
        return None
    article_row = dict(zip(names, row, strict=True))
    parts = [
        f"SELECT '{attribute}' AS kind, start, id, to_json(x) AS item "
        f'FROM "{table.name}" x WHERE article_id = $1'
        for attribute, table in ITEM_TABLES.items()
    ]
    parts.append("SELECT 'tone', 0, '', to_json(x) FROM tones x WHERE article_id = $1")
    found: dict[str, list[Any]] = {attribute: [] for attribute in ITEM_TABLES}
    tone = None
    sql = " UNION ALL ".join(parts) + " ORDER BY kind, start, id"
    for kind, _start, _id, item in store.con.execute(sql, [article_id]).fetchall():
        values = json.loads(item)
        if kind == "tone":
            tone = TONES.from_row(values)
        else:
            found[kind].append(ITEM_TABLES[kind].from_row(values))
    return assemble(article_row, found, tone)


def article_list(
    store: Store,
    *,
    limit: int,
    offset: int = 0,
    source: str | None = None,
    language: str | None = None,
) -> list[dict[str, Any]]:
    """Articles newest first, as ``Store.articles`` orders them, without their texts."""
    where, params = article_filter(source, language)
    rows = _rows(
        store.con.execute(
            f"SELECT id, title, title IS NULL AS untitled, source, published, "
            f"language, license FROM articles {where} "
            f"ORDER BY published DESC NULLS LAST, id LIMIT {int(limit)} OFFSET {int(offset)}",
            params,
        )
    )
    return fill_titles(store, rows)


def fill_titles(store: Store, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows (with ``id`` and ``title``) where an untitled article gets its first sentence
    as title: feeds and archives (the Guardian's among them) carry untitled items. Only
    the untitled rows' texts are read."""
    untitled = [row["id"] for row in rows if not (row.get("title") or "").strip()]
    if untitled:
        found = dict(
            store.con.execute(
                "SELECT id, left(text, 400) FROM articles WHERE id IN "
                "(SELECT unnest(?::VARCHAR[]))",
                [untitled],
            ).fetchall()
        )
        for row in rows:
            if row["id"] in found:
                row["title"] = first_sentence(str(found[row["id"]]))
    return rows


def actor_names(store: Store, ids: Sequence[str]) -> dict[str, str]:
    """Canonical names of the given actor ids."""
    if not ids:
        return {}
    rows = store.con.execute(
        "SELECT id, name FROM actors WHERE id IN (SELECT unnest(?::VARCHAR[]))", [list(ids)]
    ).fetchall()
    return {str(i): str(n) for i, n in rows}


def articles_by_id(store: Store, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Title, source, language and publication date of the given articles."""
    if not ids:
        return {}
    rows = _rows(
        store.con.execute(
            "SELECT id, title, source, language, published FROM articles "
            "WHERE id IN (SELECT unnest(?::VARCHAR[]))",
            [list(ids)],
        )
    )
    fill_titles(store, rows)
    return {row["id"]: row for row in rows}


def sources(store: Store, *, limit: int = 200) -> list[str]:
    """Source names, most articles first (for the search filter menu)."""
    rows = store.con.execute(
        "SELECT source FROM articles WHERE source IS NOT NULL "
        f"GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT {int(limit)}"
    ).fetchall()
    return [str(source) for (source,) in rows]


# -- stories (tables written by newsgraph.stories at the end of each ingest) --------

STORY_TABLES = frozenset({"story_clusters", "story_articles"})


def _stories(module: str) -> Any:
    """A module of ``newsgraph.stories``, imported when a story page is asked for (the
    stories package is optional for the explorer: without it, story pages are absent)."""
    return importlib.import_module(f"newsgraph.stories.{module}")


def has_stories(tables: frozenset[str]) -> bool:
    """Whether the database holds story clusters."""
    return tables >= STORY_TABLES


def story_list(store: Store, *, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """Stories, largest first (``newsgraph.stories.find_stories``)."""
    found: list[dict[str, Any]] = _stories("queries").find_stories(
        store, limit=limit, offset=offset
    )
    return found


def story_detail(store: Store, story_id: int) -> dict[str, Any] | None:
    """One story: its cluster row, its articles and the canonical events it holds."""
    day_iso = _stories("features").day_iso
    story_members = _stories("queries").story_members

    # The cluster row as stored (its columns are the stories stage's to change).
    found = _rows(store.con.execute("SELECT * FROM story_clusters WHERE id = ?", [story_id]))
    if not found:
        return None
    row = found[0]
    terms = row.get("top_terms", row.get("terms")) or []
    queries = _stories("queries")
    words, names = queries.readable_terms(store, [str(term) for term in terms])
    described = queries.describe_stories(store, [story_id]).get(story_id, {})
    story = {
        "id": row["id"],
        "title": described.get("title") or row.get("title"),
        "summary": described.get("summary", ""),
        "size": row.get("size"),
        "first_date": day_iso(row.get("first_day")),
        "last_date": day_iso(row.get("last_day")),
        "terms": words[:12],
        "names": names[:8],
    }
    events: list[dict[str, Any]] = []
    if "canonical_events" in {
        str(name)
        for (name,) in store.con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'"
        ).fetchall()
    }:
        events = _rows(
            store.con.execute(
                """
                SELECT id, date, plover_type, cameo_code, place, mentions, articles, sources,
                       first_published, first_outlet, claims_text AS claims, first_article_id
                FROM canonical_events WHERE list_contains(stories, ?)
                ORDER BY sources DESC, date DESC NULLS LAST, id LIMIT 200
                """,
                [story_id],
            )
        )
    return {"story": story, "articles": story_members(store, story_id), "events": events}


# -- lists an analyst browses: paged, filtered by name (any case, any accents), sorted --

# Sort keys of the actor and place lists → their SQL (never the request's own text).
ACTOR_SORTS: dict[str, str] = {
    "articles": "articles",
    "mentions": "mentions",
    "name": "lower(strip_accents(name))",
    "country": "country",
    "loaded": "loaded",
}
PLACE_SORTS: dict[str, str] = {
    "articles": "articles",
    "mentions": "mentions",
    "name": "lower(strip_accents(name))",
    "country": "country",
}


@dataclass(frozen=True, slots=True)
class ListQuery:
    """Paging, sorting and a name filter shared by the actor and place lists."""

    name: str | None = None
    sort: str = "articles"
    descending: bool = True
    page: int = 1
    size: int = 50

    def order(self, sorts: dict[str, str]) -> str:
        """The ORDER BY clause (ties broken by name, so pages never overlap)."""
        direction = "DESC" if self.descending else "ASC"
        return f"{sorts.get(self.sort, 'articles')} {direction} NULLS LAST, name, 1"


def _listed(
    store: Store,
    table: str,
    query: ListQuery,
    sorts: dict[str, str],
    clauses: list[str],
    params: list[Any],
) -> tuple[list[dict[str, Any]], int]:
    clauses, params = list(clauses), list(params)
    if query.name:
        clauses.append("contains(search_key, lower(strip_accents(?)))")
        params.append(query.name)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    rows = _rows(
        store.con.execute(
            f"SELECT * EXCLUDE (search_key) FROM web.{table} {where} "
            f"ORDER BY {query.order(sorts)} "
            f"LIMIT {int(query.size)} OFFSET {int((query.page - 1) * query.size)}",
            params,
        )
    )
    total = store.con.execute(f"SELECT count(*) FROM web.{table} {where}", params).fetchone()
    return rows, int(total[0]) if total else 0


def actor_list(
    store: Store,
    query: ListQuery,
    *,
    country: str | None = None,
    sector: str | None = None,
    kind: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Actors grouped as ``newsgraph actors`` groups them (name, kind, country, sector);
    ``query.name`` matches the name or any alias, ignoring case and accents.

    Returns:
        The page of rows and how many rows match in all.
    """
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (("country", country), ("sector", sector), ("kind", kind)):
        if value:
            clauses.append(f"{column} = upper(?)" if column != "kind" else "kind = lower(?)")
            params.append(value)
    return _listed(store, "actor_list", query, ACTOR_SORTS, clauses, params)


def place_list(
    store: Store, query: ListQuery, *, country: str | None = None
) -> tuple[list[dict[str, Any]], int]:
    """Places grouped by GeoNames id (or name); ``query.name`` matches the place's name or
    any way an article wrote it, ignoring case and accents."""
    clauses, params = (["country = upper(?)"], [country]) if country else ([], [])
    return _listed(store, "place_list", query, PLACE_SORTS, clauses, params)


def actor_choices(store: Store, name: str, *, limit: int = 20) -> list[dict[str, Any]]:
    """Canonical actor names a person may mean by ``name``, best first.

    An exact match (ignoring case and accents) of the name or an alias comes first; then
    names holding ``name`` as whole words (``Assad`` → ``Bashar al-Assad``), then as a
    part of a word. Each choice carries its article count.
    """
    rows = store.con.execute(
        f"""
        SELECT name, articles, aliases,
               CASE WHEN folded_name = {_normal("?")}
                         OR list_contains(list_transform(aliases, lambda a: {_normal("a")}),
                                          {_normal("?")}) THEN 0
                    WHEN regexp_matches(folded_name,
                                        '(^|[^[:alnum:]])' || ? || '($|[^[:alnum:]])') THEN 1
                    ELSE 2 END AS rank
        FROM web.actor_stats
        WHERE contains(folded_all, {_normal("?")})
        ORDER BY rank, articles DESC, name LIMIT {int(limit)}
        """,
        [name, name, _regex_literal(name), name],
    ).fetchall()
    return [
        {"name": str(n), "articles": int(articles), "aliases": list(aliases or []), "rank": rank}
        for n, articles, aliases, rank in rows
    ]


def _regex_literal(text: str) -> str:
    """``text`` folded like :func:`_normal` and escaped for a RE2 pattern."""
    import re
    import unicodedata

    folded = "".join(
        c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c)
    )
    return re.escape(folded)


# -- one event, and the claims about events -----------------------------------------


def event_detail(store: Store, event_id: str) -> dict[str, Any] | None:
    """One event mention: its row (the keys of ``find_events``), the sentence split at the
    trigger for highlighting, and its canonical event with the other reports of it."""
    columns = ", ".join([*EVENT_COLUMNS, "day", "title", "source"])
    rows = _rows(
        store.con.execute(f"SELECT {columns} FROM web.event_rows WHERE id = ?", [event_id])
    )
    if not rows:
        return None
    event = rows[0]
    # Two point lookups (each answered by an index) rather than a join over the articles.
    span = store.con.execute(
        'SELECT start, "end", trigger_start, trigger_end FROM web.event_index WHERE id = ?',
        [event_id],
    ).fetchone()
    start, end, t_start, t_end = span if span else (0, 0, None, None)
    text = store.con.execute(
        "SELECT substr(text, ?, ?) FROM articles WHERE id = ?",
        [int(start) + 1, int(end) - int(start), event["article_id"]],
    ).fetchone()
    sentence = str(text[0]) if text and text[0] is not None else ""
    parts = [{"text": sentence, "trigger": False}]
    if t_start is not None and t_end is not None and start <= t_start <= t_end:
        a, b = t_start - start, t_end - start
        parts = [
            {"text": sentence[:a], "trigger": False},
            {"text": sentence[a:b], "trigger": True},
            {"text": sentence[b:], "trigger": False},
        ]
    event["sentence_parts"] = [part for part in parts if part["text"]]
    event["canonical"] = None
    event["other_reports"] = []
    if _has_canonical(store):
        canonical = _rows(
            store.con.execute(
                """
                SELECT c.id, c.date, c.plover_type, c.place, c.mentions, c.articles, c.sources,
                       c.first_outlet, c.first_published, c.first_article_id, c.claims_text
                FROM canonical_event_mentions m JOIN canonical_events c ON c.id = m.canonical_id
                WHERE m.event_id = ?
                """,
                [event_id],
            )
        )
        if canonical:
            event["canonical"] = canonical[0]
            event["other_reports"] = [
                row
                for row in _stories("queries").canonical_mentions(store, canonical[0]["id"])
                if row["event_id"] != event_id
            ]
    return event


def _has_canonical(store: Store) -> bool:
    names = {
        str(name)
        for (name,) in store.con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
            "AND table_name IN ('canonical_events', 'canonical_event_mentions')"
        ).fetchall()
    }
    return len(names) == 2


@dataclass(frozen=True, slots=True)
class ClaimScope:
    """Which claims to show: those of a story, of an actor (as actor, recipient or
    claimant, by canonical name) or of a place (GeoNames id, or name when unresolved)."""

    story: int | None = None
    actor: str | None = None
    geonameid: int | None = None
    place: str | None = None

    def mentions(self) -> tuple[str, list[Any]]:
        """SQL selecting the canonical ids in scope, and its parameters."""
        if self.story is not None:
            return "SELECT id FROM canonical_events WHERE list_contains(stories, ?)", [self.story]
        if self.actor:
            return (
                "SELECT m.canonical_id FROM canonical_event_mentions m "
                "JOIN web.event_rows r ON r.id = m.event_id "
                "WHERE list_contains(r.actor_names, ?) OR list_contains(r.recipient_names, ?) "
                "OR r.claimed_by = ?",
                [self.actor] * 3,
            )
        if self.geonameid is not None:
            return (
                "SELECT m.canonical_id FROM canonical_event_mentions m "
                "JOIN web.event_rows r ON r.id = m.event_id WHERE r.geonameid = ?",
                [self.geonameid],
            )
        if self.place:
            return (
                "SELECT m.canonical_id FROM canonical_event_mentions m "
                "JOIN web.event_rows r ON r.id = m.event_id "
                "WHERE r.place = ? AND r.geonameid IS NULL",
                [self.place],
            )
        return "SELECT id FROM canonical_events", []


def claims(store: Store, scope: ClaimScope, *, limit: int = 100) -> list[dict[str, Any]]:
    """Who claims what against whom: canonical events in ``scope``, each with its claims
    per status and claimant, the outlets carrying each claim and the sentences behind it.

    Contested events (one side says it happened, another denies it) come first, then
    those with the most distinct claims, then the most independent sources. Empty when
    the stories stage has not written its tables.
    """
    if not _has_canonical(store):
        return []
    selection, params = scope.mentions()
    events = _rows(
        store.con.execute(
            f"""
            SELECT c.id, c.date, c.plover_type, c.cameo_code, c.place, c.geonameid,
                   c.mentions, c.articles, c.sources, c.first_outlet, c.first_published,
                   c.first_article_id, c.claims_text,
                   k.contested, k.claims AS claim_count
            FROM canonical_events c
            JOIN (
                SELECT canonical_id,
                       bool_or(status IN ('denied', 'negated'))
                           AND bool_or(status IN ('asserted', 'alleged')) AS contested,
                       count(DISTINCT (status, claimant)) AS claims
                FROM canonical_event_mentions GROUP BY canonical_id
            ) k ON k.canonical_id = c.id
            WHERE c.id IN ({selection})
            ORDER BY k.contested DESC, k.claims DESC, c.sources DESC, c.articles DESC,
                     c.date DESC NULLS LAST, c.id
            LIMIT {int(limit)}
            """,
            params,
        )
    )
    if not events:
        return []
    mentions = _rows(
        store.con.execute(
            """
            SELECT m.canonical_id, m.event_id, m.status, m.claimant, r.article_id, r.source,
                   r.published, r.title, r.text, r.actors, r.recipients, r.trigger
            FROM canonical_event_mentions m JOIN web.event_rows r ON r.id = m.event_id
            WHERE m.canonical_id IN (SELECT unnest(?::VARCHAR[]))
            ORDER BY r.published NULLS LAST, r.article_id, r.start
            """,
            [[event["id"] for event in events]],
        )
    )
    by_event: dict[str, dict[tuple[str, str | None], dict[str, Any]]] = {}
    sides: dict[str, tuple[list[str], list[str]]] = {}
    for row in mentions:
        claims_of = by_event.setdefault(row["canonical_id"], {})
        claim = claims_of.setdefault(
            (row["status"], row["claimant"]),
            {"status": row["status"], "claimant": row["claimant"], "outlets": [], "reports": []},
        )
        if row["source"] and row["source"] not in claim["outlets"]:
            claim["outlets"].append(row["source"])
        claim["reports"].append(
            {k: row[k] for k in ("event_id", "article_id", "source", "published", "title", "text")}
        )
        actors, recipients = sides.setdefault(row["canonical_id"], ([], []))
        for name in row["actors"] or []:
            if name not in actors:
                actors.append(name)
        for name in row["recipients"] or []:
            if name not in recipients:
                recipients.append(name)
    for event in events:
        found = by_event.get(event["id"], {})
        event["claims"] = sorted(
            found.values(), key=lambda c: (-len(c["outlets"]), c["status"], c["claimant"] or "")
        )
        event["actors"], event["recipients"] = sides.get(event["id"], ([], []))
        event["contested"] = bool(event["contested"])
    return events
