"""Queries over stored events and quotes, with their actors, places and articles joined in.

Used by ``newsgraph events`` and ``newsgraph quotes`` (and meant for any front end):
each function returns plain dicts, one per event or quote, ready for a table or JSON.
All values given by the caller are bound as parameters, never pasted into SQL.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from newsgraph.store.database import Store

EVENT_COLUMNS = (
    "id",
    "article_id",
    "date",
    "plover_type",
    "plover_mode",
    "cameo_code",
    "quad_class",
    "goldstein",
    "status",
    "actors",
    "recipients",
    "claimed_by",
    "reported_by",
    "place",
    "geonameid",
    "latitude",
    "longitude",
    "trigger",
    "confidence",
    "text",
    "published",
    "url",
)

_DATE_SHAPE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
# Spreadsheets run a cell starting with one of these as a formula (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def date_problem(value: str) -> str | None:
    """Why ``value`` is not a date filter (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` on
    the calendar), or None when it is one.

    >>> date_problem("2019-02-30")
    '2019-02-30 is not a date: day is out of range for month'
    >>> date_problem("2024-05") is None
    True
    """
    if not _DATE_SHAPE.match(value):
        return f"{value!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD"
    year, month, day = [*value.split("-"), "01", "01"][:3]
    try:
        dt.date(int(year), int(month), int(day))
    except ValueError as exc:
        return f"{value} is not a date: {exc}"
    return None


def event_type_problem(value: str) -> str | None:
    """Why ``value`` is neither a PLOVER event type nor a CAMEO code prefix (None when
    it is one), naming the types to choose from.

    >>> event_type_problem("assault") is None, event_type_problem("19") is None
    (True, True)
    >>> event_type_problem("FOO")[:44]
    "'FOO' is not a PLOVER type or a CAMEO prefix"
    """
    from newsgraph.stages.event_lexicon import cameo_codes

    codes = cameo_codes()
    if value.isdigit():
        if any(code.startswith(value) for code in codes):
            return None
        return f"{value!r} is not the start of any CAMEO code"
    types = sorted({code.plover_type for code in codes.values() if code.plover_type})
    if value.upper() in types:
        return None
    return f"{value!r} is not a PLOVER type or a CAMEO prefix; choose one of {', '.join(types)}"


def neutralise_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet would run as a formula, with a leading ``'``; other
    values unchanged (the explorer's CSV does the same)."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def match_source(store: Store, name: str) -> str | None:
    """The stored source name equal to ``name`` ignoring case and accents, if any."""
    row = store.con.execute(
        "SELECT source FROM articles WHERE source IS NOT NULL "
        "AND lower(strip_accents(source)) = lower(strip_accents(?)) "
        "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
        [name],
    ).fetchone()
    return str(row[0]) if row else None


def source_names(store: Store, *, limit: int = 12) -> list[str]:
    """Source names, most articles first."""
    rows = store.con.execute(
        "SELECT source FROM articles WHERE source IS NOT NULL "
        f"GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT {int(limit)}"
    ).fetchall()
    return [str(source) for (source,) in rows]


_ACTOR_MATCH = (
    "EXISTS (SELECT 1 FROM actors x WHERE x.article_id = e.article_id "
    "AND list_contains(e.{column}, x.id) "
    "AND (x.name ILIKE ? OR x.country = upper(?) OR x.id = ? "
    "OR list_contains(x.aliases, ?)))"
)


def _names(column: str) -> str:
    return (
        "(SELECT list(x.name || coalesce(' [' || x.country || coalesce(' ' || x.sector, '') "
        f"|| ']', '') ORDER BY list_position(e.{column}, x.id)) FROM actors x "
        f"WHERE x.article_id = e.article_id AND list_contains(e.{column}, x.id))"
    )


def find_events(
    store: Store,
    *,
    actor: str | None = None,
    recipient: str | None = None,
    plover_type: str | None = None,
    status: str | None = None,
    place: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Events matching every filter given, newest first.

    Args:
        actor: an actor name (substring, any case), ISO3/IGO country code, actor id or
            alias that must be among the event's actors.
        recipient: the same, among its recipients.
        plover_type: a PLOVER type (``ASSAULT``) or a CAMEO code prefix (``19``).
        status: ``asserted``, ``alleged``, ``denied``, ``planned``, ``hypothetical`` or
            ``negated``.
        place: a place name (substring, any case) or GeoNames id.
        since: earliest date (ISO, inclusive), compared with the event's date, or the
            article's publication date when the event has none.
        until: latest date (ISO, inclusive; "2024-05" covers all of May).
        limit: most rows returned.
        offset: rows skipped first (paging).
    """
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (("actor_ids", actor), ("recipient_ids", recipient)):
        if value:
            clauses.append(_ACTOR_MATCH.format(column=column))
            params += [f"%{value}%", value, value, value]
    if plover_type:
        clauses.append("(e.plover_type = upper(?) OR starts_with(e.cameo_code, ?))")
        params += [plover_type, plover_type]
    if status:
        clauses.append("e.status = ?")
        params.append(status)
    if place:
        clauses.append("(p.name ILIKE ? OR CAST(p.geonameid AS VARCHAR) = ?)")
        params += [f"%{place}%", place]
    day = "coalesce(e.date, substr(a.published, 1, 10))"
    if since:
        clauses.append(f"{day} >= ?")
        params.append(since)
    if until:
        clauses.append(f"substr({day}, 1, length(?)) <= ?")
        params += [until, until]
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    cursor = store.con.execute(
        f"""
        SELECT e.id, e.article_id, e.date, e.plover_type, e.plover_mode, e.cameo_code,
               e.quad_class, e.goldstein, e.status,
               {_names("actor_ids")} AS actors, {_names("recipient_ids")} AS recipients,
               (SELECT any_value(x.name) FROM actors x
                WHERE x.article_id = e.article_id AND x.id = e.claimed_by) AS claimed_by,
               e.reported_by, p.name AS place, p.geonameid, p.latitude, p.longitude,
               e.trigger_text AS trigger, e.confidence, e.text, a.published, a.url
        FROM events e
        JOIN articles a ON a.id = e.article_id
        LEFT JOIN places p ON p.id = e.place_id AND p.article_id = e.article_id
        {where}
        ORDER BY {day} DESC NULLS LAST, e.article_id, e.start
        LIMIT {int(limit)} OFFSET {int(offset)}
        """,
        params,
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def find_quotes(
    store: Store,
    *,
    speaker: str | None = None,
    kind: str | None = None,
    text: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Quotes with their speaker and addressee, newest article first.

    Args:
        speaker: an actor name (substring, any case), country code or actor id of the
            speaker, or words of the speaker's own text ("a spokesman").
        kind: ``direct``, ``indirect``, ``mixed`` or ``statement``.
        text: words the quote must contain (substring, any case).
        limit: most rows returned.
        offset: rows skipped first.
    """
    clauses: list[str] = []
    params: list[Any] = []
    if speaker:
        clauses.append(
            "(s.name ILIKE ? OR s.country = upper(?) OR s.id = ? OR q.speaker_text ILIKE ?)"
        )
        params += [f"%{speaker}%", speaker, speaker, f"%{speaker}%"]
    if kind:
        clauses.append("q.kind = ?")
        params.append(kind)
    if text:
        clauses.append("q.text ILIKE ?")
        params.append(f"%{text}%")
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    cursor = store.con.execute(
        f"""
        SELECT q.id, q.article_id, q.kind,
               coalesce(s.name, q.speaker_text) AS speaker, s.country AS speaker_country,
               q.cue_text AS cue, coalesce(r.name, q.addressee_text) AS addressee,
               q.text, a.published, a.source
        FROM quotes q
        JOIN articles a ON a.id = q.article_id
        LEFT JOIN actors s ON s.id = q.speaker_id AND s.article_id = q.article_id
        LEFT JOIN actors r ON r.id = q.addressee_id AND r.article_id = q.article_id
        {where}
        ORDER BY a.published DESC NULLS LAST, q.article_id, q.start
        LIMIT {int(limit)} OFFSET {int(offset)}
        """,
        params,
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def not_analysed(store: Store) -> dict[str, int]:
    """Stored articles that the NLP stages skipped, by language (a language the pipeline
    does not analyse, often a misidentified one: a table of figures has little prose to
    identify). Empty when every article was analysed."""
    rows = store.con.execute(
        "SELECT coalesce(language, 'unknown'), count(*) FROM articles "
        "WHERE len(coalesce(skipped, [])) > 0 GROUP BY 1 ORDER BY 2 DESC, 1"
    ).fetchall()
    return {str(language): int(count) for language, count in rows}
