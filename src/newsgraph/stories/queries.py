"""Read-side queries over the story tables, for the CLI, the web layer and exports.

Each function returns plain dicts (one per row) ready for a table or JSON, and works on
a read-only store: a database that has never been through ``update_stories`` simply has
no stories (empty results), not an error. Values given by the caller are bound as
parameters, never pasted into SQL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from newsgraph.store.gdelt import MentionCounts
from newsgraph.stories.features import NAME_PREFIX, day_iso
from newsgraph.stories.store import Placed, has_tables

if TYPE_CHECKING:
    from newsgraph.model import Analysis, Event
    from newsgraph.store import Store

STORY_COLUMNS: Final = (
    "id", "title", "summary", "first_date", "last_date", "articles", "sources", "copies",
    "first_published", "first_outlet", "first_article_id", "terms", "names",
)  # fmt: skip
CANONICAL_COLUMNS: Final = (
    "id", "date", "plover_type", "cameo_code", "actors", "recipients", "place",
    "place_level", "mentions", "articles", "sources", "first_published", "first_outlet",
    "claims", "first_article_id", "stories",
)  # fmt: skip


def _rows(store: Store, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    cursor = store.con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def article_stories(store: Store, article_ids: Sequence[str]) -> dict[str, Placed]:
    """Where each of these articles was placed: story, copy group original, origin."""
    if not has_tables(store.con):
        return {}
    rows = _rows(
        store,
        """
        SELECT article_id, story_id, original_id, original_reason, origin_key, similarity
        FROM story_articles WHERE article_id IN (SELECT unnest(?::VARCHAR[]))
        """,
        [list(article_ids)],
    )
    return {row["article_id"]: Placed(**row) for row in rows}


def find_stories(
    store: Store, *, limit: int = 20, offset: int = 0, min_articles: int = 1
) -> list[dict[str, Any]]:
    """Stories, largest first (then most recent): counts, first report, top terms and names.

    ``articles`` counts stored articles; ``sources`` the independent origins among them
    (a syndicated copy counts as its agency or original outlet); ``copies`` the articles
    that are near-duplicates of another.
    """
    if not has_tables(store.con):
        return []
    rows = _rows(
        store,
        f"""
        WITH members AS (
            SELECT s.story_id, s.article_id, s.origin_key, s.original_id, a.published,
                   a.source, a.title
            FROM story_articles s JOIN articles a ON a.id = s.article_id
        ), counted AS (
            SELECT story_id, count(*) AS articles, count(DISTINCT origin_key) AS sources,
                   count(*) FILTER (WHERE original_id <> article_id) AS copies,
                   arg_min(article_id, coalesce(published, '9999')) AS first_article_id,
                   min(published) AS first_published,
                   arg_min(source, coalesce(published, '9999')) AS first_outlet
            FROM members GROUP BY story_id
        )
        SELECT c.id, c.title, c.first_day, c.last_day, n.articles, n.sources, n.copies,
               n.first_published, n.first_outlet, n.first_article_id, c.top_terms AS terms
        FROM story_clusters c JOIN counted n ON n.story_id = c.id
        WHERE n.articles >= ?
        ORDER BY n.articles DESC, c.last_day DESC NULLS LAST, c.id
        LIMIT {int(limit)} OFFSET {int(offset)}
        """,
        [min_articles],
    )
    ids = [row["id"] for row in rows]
    titles = _central_titles(store, ids)
    summaries = _summaries(store, ids)
    keys = [t[len(NAME_PREFIX) :] for row in rows for t in row["terms"] or () if t[:1] == "@"]
    labels = name_labels(store, keys)
    for row in rows:
        words, names = _split_terms(row.pop("terms") or [], labels)
        row["title"] = titles.get(row["id"]) or row["title"]
        row["summary"] = summaries.get(row["id"], "")
        row["first_date"] = day_iso(row.pop("first_day"))
        row["last_date"] = day_iso(row.pop("last_day"))
        row["terms"], row["names"] = words[:6], names[:4]
    return rows


def _split_terms(terms: Sequence[str], labels: dict[str, str]) -> tuple[list[str], list[str]]:
    """A story's terms as (words, names), each name key shown by its label."""
    words = [t for t in terms if not t.startswith(NAME_PREFIX)]
    keys = [t[len(NAME_PREFIX) :] for t in terms if t.startswith(NAME_PREFIX)]
    return words, list(dict.fromkeys(labels.get(key, key) for key in keys))


def describe_stories(store: Store, story_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """Each story's readable ``title`` (:func:`readable_title` of its most central member)
    and its ``summary`` (who did what to whom, where and when, from its canonical events)."""
    titles = _central_titles(store, story_ids)
    summaries = _summaries(store, story_ids)
    return {
        story: {"title": titles.get(story, ""), "summary": summaries.get(story, "")}
        for story in story_ids
    }


def readable_terms(store: Store, terms: Sequence[str]) -> tuple[list[str], list[str]]:
    """A story's stored top terms as (words, names), names shown by name, not by key."""
    keys = [t[len(NAME_PREFIX) :] for t in terms if t.startswith(NAME_PREFIX)]
    return _split_terms(terms, name_labels(store, keys))


_LETTERS = re.compile(r"[^\W\d_]{2,}")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“(]?[A-Z])")


def readable_title(title: str | None, text: str | None, *, limit: int = 140) -> str | None:
    """A title a person can read: the headline when it has words, else the lead sentence.

    >>> readable_title("209", "Troops shelled Jabalia on Monday. Residents fled.")
    'Troops shelled Jabalia on Monday.'
    >>> readable_title("Ceasefire talks resume in Cairo", "...")
    'Ceasefire talks resume in Cairo'
    """
    if title and len(_LETTERS.findall(title)) >= 2:
        return " ".join(title.split())
    lead = " ".join((text or "").split())
    if not lead:
        return title
    sentence = _SENTENCE_END.split(lead, maxsplit=1)[0]
    if len(sentence) > limit:
        sentence = sentence[:limit].rsplit(" ", 1)[0] + " …"
    return sentence


def _central_titles(store: Store, story_ids: Sequence[int]) -> dict[int, str]:
    """Each story's most central readable title: of the member that matched its story best
    (an opener counts only when nothing joined it), else that member's lead sentence."""
    if not story_ids:
        return {}
    rows = _rows(
        store,
        """
        SELECT s.story_id, a.title, left(a.text, 600) AS lead
        FROM story_articles s JOIN articles a ON a.id = s.article_id
        WHERE s.story_id IN (SELECT unnest(?::BIGINT[]))
        ORDER BY s.story_id, s.opened, s.similarity DESC, a.published NULLS LAST, s.article_id
        """,
        [list(story_ids)],
    )
    found: dict[int, str] = {}
    for row in rows:
        if row["story_id"] in found:
            continue
        title = readable_title(row["title"], row["lead"])
        if title:
            found[row["story_id"]] = title
    return found


def name_labels(store: Store, keys: Sequence[str]) -> dict[str, str]:
    """Readable names for story name keys (``kb:<id>`` → the actor's name, ``geo:<id>`` →
    the place's name); other keys are names already."""
    kb = sorted({key[3:] for key in keys if key.startswith("kb:")})
    geo = sorted({int(key[4:]) for key in keys if key.startswith("geo:") and key[4:].isdigit()})
    labels: dict[str, str] = {}
    if kb:
        for row in _rows(
            store,
            "SELECT kb_id, mode(name) AS name FROM actors "
            "WHERE kb_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY kb_id",
            [kb],
        ):
            labels[f"kb:{row['kb_id']}"] = row["name"]
    if geo:
        for row in _rows(
            store,
            "SELECT geonameid, mode(name) AS name FROM places "
            "WHERE geonameid IN (SELECT unnest(?::BIGINT[])) GROUP BY geonameid",
            [geo],
        ):
            labels[f"geo:{row['geonameid']}"] = row["name"]
    return labels


def _summaries(store: Store, story_ids: Sequence[int], per_story: int = 3) -> dict[int, str]:
    """Who did what to whom, where and when: the story's best-supported canonical events."""
    if not story_ids:
        return {}
    rows = _rows(
        store,
        """
        WITH told AS (
            SELECT unnest(stories) AS story_id, id, plover_type, actors, recipients, place,
                   date, sources, mentions
            FROM canonical_events WHERE list_has_any(stories, ?::BIGINT[])
        ), ranked AS (
            SELECT *, row_number() OVER (
                PARTITION BY story_id ORDER BY sources DESC, mentions DESC, id
            ) AS rank
            FROM told WHERE story_id IN (SELECT unnest(?::BIGINT[]))
        )
        SELECT story_id, plover_type, actors, recipients, place, date, sources
        FROM ranked WHERE rank <= ? ORDER BY story_id, rank
        """,
        [list(story_ids), list(story_ids), per_story],
    )
    parts: dict[int, list[str]] = {}
    for row in rows:
        who = ", ".join(_plain_names(row["actors"]))
        whom = ", ".join(_plain_names(row["recipients"]))
        phrase = row["plover_type"] + (f" by {who}" if who else "") + (f" → {whom}" if whom else "")
        if row["place"]:
            phrase += f" in {row['place']}"
        if row["date"]:
            phrase += f", {row['date']}"
        sources = row["sources"] or 0
        phrase += f" ({sources} source{'s' if sources != 1 else ''})"
        parts.setdefault(row["story_id"], []).append(phrase)
    return {story: "; ".join(items) for story, items in parts.items()}


def _plain_names(text: str | None) -> list[str]:
    return [
        (label[0] if label else "") or name for _k, _c, _s, name, *label in json.loads(text or "[]")
    ]


def story_members(store: Store, story_id: int) -> list[dict[str, Any]]:
    """The articles of one story, oldest first, with their copy group and similarity."""
    if not has_tables(store.con):
        return []
    return _rows(
        store,
        """
        SELECT s.article_id, a.published, a.source, a.title, s.similarity, s.original_id,
               s.original_reason, s.origin_key, s.original_id <> s.article_id AS copy
        FROM story_articles s JOIN articles a ON a.id = s.article_id
        WHERE s.story_id = ?
        ORDER BY a.published NULLS LAST, s.article_id
        """,
        [story_id],
    )


def _actor_names(text: str | None) -> list[str]:
    names = []
    for _kb_id, country, sector, name, *label in json.loads(text or "[]"):
        shown = (label[0] if label else "") or name
        code = " ".join(part for part in (country, sector) if part)
        names.append(f"{shown} [{code}]" if code else shown)
    return names


def find_canonical_events(
    store: Store,
    *,
    plover_type: str | None = None,
    actor: str | None = None,
    place: str | None = None,
    since: str | None = None,
    until: str | None = None,
    min_sources: int = 1,
    limit: int = 50,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Canonical (deduplicated) events: most independent sources first, then most articles.

    Args:
        plover_type: a PLOVER type (``ASSAULT``) or a CAMEO code prefix (``19``).
        actor: words of an actor's or recipient's name, a country code or a knowledge-base id.
        place: words of the place name, or a GeoNames id.
        since: earliest date (ISO, inclusive), compared with the event's date.
        until: latest date (ISO, inclusive; "2024-05" covers all of May).
        min_sources: fewest independent sources.
        limit: most rows returned.
        offset: rows skipped first.
    """
    if not has_tables(store.con):
        return []
    clauses = ["sources >= ?"]
    params: list[Any] = [min_sources]
    if plover_type:
        clauses.append("(plover_type = upper(?) OR starts_with(cameo_code, ?))")
        params += [plover_type, plover_type]
    if actor:
        clauses.append("(CAST(actors AS VARCHAR) ILIKE ? OR CAST(recipients AS VARCHAR) ILIKE ?)")
        params += [f"%{actor}%", f"%{actor}%"]
    if place:
        clauses.append("(place ILIKE ? OR CAST(geonameid AS VARCHAR) = ?)")
        params += [f"%{place}%", place]
    if since:
        clauses.append("date >= ?")
        params.append(since)
    if until:
        clauses.append("substr(date, 1, length(?)) <= ?")
        params += [until, until]
    rows = _rows(
        store,
        f"""
        SELECT id, date, plover_type, cameo_code, actors, recipients, place, place_level,
               mentions, articles, sources, first_published, first_outlet,
               claims_text AS claims, first_article_id, stories
        FROM canonical_events WHERE {" AND ".join(clauses)}
        ORDER BY sources DESC, articles DESC, last_day DESC NULLS LAST, id
        LIMIT {int(limit)} OFFSET {int(offset)}
        """,
        params,
    )
    for row in rows:
        row["actors"] = _actor_names(row["actors"])
        row["recipients"] = _actor_names(row["recipients"])
    return rows


def canonical_mentions(store: Store, canonical_id: str) -> list[dict[str, Any]]:
    """The mentions of one canonical event with their articles (its evidence)."""
    if not has_tables(store.con):
        return []
    return _rows(
        store,
        """
        SELECT m.event_id, m.article_id, m.status, m.claimant, a.source, a.published,
               s.origin_key, s.original_id <> s.article_id AS copy, e.text
        FROM canonical_event_mentions m
        JOIN articles a ON a.id = m.article_id
        LEFT JOIN story_articles s ON s.article_id = m.article_id
        LEFT JOIN events e ON e.id = m.event_id
        WHERE m.canonical_id = ?
        ORDER BY a.published NULLS LAST, m.article_id, m.event_id
        """,
        [canonical_id],
    )


class CanonicalCounts:
    """GDELT's NumMentions/NumSources/NumArticles for each stored event, from its canonical event.

    Use it as the ``counts`` hook of :func:`newsgraph.store.gdelt.write_gdelt`; an event
    not (yet) deduplicated counts once. :meth:`is_first_mention` tells whether an event is
    its canonical event's first mention, for exports that want one row per real event.

    Example::

        with Store("newsgraph.duckdb", read_only=True) as store:
            write_gdelt(store.iter_analyses(), "events.tsv", counts=CanonicalCounts(store))
    """

    def __init__(self, store: Store) -> None:
        self._counts: dict[str, MentionCounts] = {}
        self._first: set[str] = set()
        if not has_tables(store.con):
            return
        rows = store.con.execute(
            """
            SELECT m.event_id, c.mentions, c.sources, c.articles,
                   m.event_id = first_value(m.event_id) OVER (
                       PARTITION BY m.canonical_id
                       ORDER BY a.published NULLS LAST, m.article_id, m.event_id) AS first
            FROM canonical_event_mentions m
            JOIN canonical_events c ON c.id = m.canonical_id
            JOIN articles a ON a.id = m.article_id
            """
        ).fetchall()
        for event_id, mentions, sources, articles, first in rows:
            self._counts[event_id] = MentionCounts(
                int(mentions or 1), int(sources or 1), int(articles or 1)
            )
            if first:
                self._first.add(event_id)

    def __call__(self, analysis: Analysis, event: Event) -> MentionCounts:
        """The counts of ``event`` (one of each when it has no canonical event)."""
        return self._counts.get(event.id, MentionCounts())

    def is_first_mention(self, event: Event) -> bool:
        """Whether ``event`` is the earliest mention of its canonical event (or has none)."""
        return event.id in self._first or event.id not in self._counts
