"""The pages: each reads the snapshot through library queries and hands a dict to the renderer.

Each page is registered twice, as ``/path`` (HTML, or JSON on ``Accept:
application/json``) and ``/path.json``; both run the same function, so the JSON twin
holds exactly the data the page shows. Parameters are validated and bounded here (page
sizes, string lengths, date shapes, fixed choices); values reach SQL only as bound
parameters.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Annotated, Any, Literal

import duckdb
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from newsgraph.report import first_sentence
from newsgraph.store.database import Store
from newsgraph.store.event_queries import (
    EVENT_COLUMNS,
    date_problem,
    event_type_problem,
    not_analysed,
)
from newsgraph.web import charts, queries
from newsgraph.web.highlight import KINDS, facts_of, segments
from newsgraph.web.render import JSONPage, Renderer, csv_text, snippet_parts
from newsgraph.web.source import DataSource, Snapshot

log = logging.getLogger("newsgraph.web")

MAX_PAGE = 1000
NETWORK_WIDTH, NETWORK_HEIGHT = 1000, 640  # the network's view box
STORIES_UNREADABLE = (
    "the story tables cannot be read: another version of newsgraph wrote them "
    "(run the stories stage again)"
)
CACHE_ENTRIES = 256
ISO_DATE = r"^(\d{4}(-\d{2}(-\d{2})?)?)?$"  # empty: a form field left blank

Text = Annotated[str | None, Query(max_length=200)]
DateParam = Annotated[str | None, Query(max_length=10, pattern=ISO_DATE)]
PageParam = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Status = Literal["asserted", "alleged", "denied", "planned", "hypothetical", "negated"]
Order = Annotated[Literal["asc", "desc"], Query()]
NameFilter = Annotated[str | None, Query(max_length=200)]
SortKey = Literal[
    "date",
    "type",
    "cameo",
    "status",
    "actors",
    "recipients",
    "place",
    "goldstein",
    "confidence",
    "published",
]


def _blank(value: str | None) -> str | None:
    """Empty form fields mean "no filter"."""
    return value.strip() or None if value is not None else None


def _checked(**values: str | None) -> None:
    """400 naming every invalid date (``since=2019-13-45``) or event type (``type=FOO``)."""
    problems = []
    for name, value in values.items():
        if not value:
            continue
        problem = event_type_problem(value) if name == "type" else date_problem(value)
        if problem:
            problems.append(f"{name}: {problem}")
    if problems:
        raise HTTPException(400, "; ".join(problems))


def _event_filters(
    actor: Text = None,
    recipient: Text = None,
    plover_type: Annotated[str | None, Query(alias="type", max_length=40)] = None,
    status: Annotated[Status | Literal[""] | None, Query()] = None,
    place: Text = None,
    since: DateParam = None,
    until: DateParam = None,
) -> queries.EventFilters:
    """The events table's filters, read from the query string (the page and its CSV)."""
    _checked(type=_blank(plover_type), since=_blank(since), until=_blank(until))
    return queries.EventFilters(
        actor=_blank(actor),
        recipient=_blank(recipient),
        plover_type=_blank(plover_type),
        status=_blank(status),
        place=_blank(place),
        since=_blank(since),
        until=_blank(until),
    )


EventFilterParams = Annotated[queries.EventFilters, Depends(_event_filters)]


def _cached(snapshot: Snapshot, key: object, compute: Callable[[], Any]) -> Any:
    """A value computed once per snapshot (the snapshot never changes once taken).

    The cache holds at most :data:`CACHE_ENTRIES` answers besides those :func:`warm`
    computes, so requests with ever-new parameters cannot grow it without bound.
    """
    if key not in snapshot.cache:
        if len(snapshot.cache) >= CACHE_ENTRIES:
            kept = ("dashboard", "dashboard_chart", "sources", ("network", NetworkQuery()))
            for old in [k for k in snapshot.cache if k not in kept]:
                snapshot.cache.pop(old, None)
        snapshot.cache[key] = compute()
    return snapshot.cache[key]


def warm(store: Store, snapshot: Snapshot) -> None:
    """Compute what the dashboard and the unfiltered network show before a new snapshot
    is served (the network's layout is the costliest answer of the explorer)."""
    _dashboard_summary(store, snapshot)
    _network(store, snapshot, NetworkQuery())


@dataclass(frozen=True, slots=True)
class NetworkQuery:
    """The network page's filters (their defaults are the page's)."""

    plover_type: str | None = None
    status: str | None = None
    actor: str | None = None
    since: str | None = None
    until: str | None = None
    min_events: int = 1
    limit: int = 80


def _network(store: Store, snapshot: Snapshot, wanted: NetworkQuery) -> dict[str, Any]:
    """Nodes and edges of the network page, laid out once per snapshot and filter."""

    def compute() -> dict[str, Any]:
        edges = queries.network_edges(
            store,
            plover_type=wanted.plover_type,
            status=wanted.status,
            actor=wanted.actor,
            since=wanted.since,
            until=wanted.until,
            min_events=wanted.min_events,
            limit=wanted.limit,
        )
        return _graph(edges)

    graph: dict[str, Any] = _cached(snapshot, ("network", wanted), compute)
    return graph


def _dashboard_summary(store: Store, snapshot: Snapshot) -> dict[str, Any]:
    def compute() -> dict[str, Any]:
        stats = store.stats()
        return {
            "counts": stats["counts"],
            "languages": stats["languages"],
            "sources": stats["sources"],
            "warnings": stats["warnings"],
            "timeline": queries.event_timeline(store),
            "facets": queries.event_facets(store),
            "top_actors": store.actor_summary(limit=12),
            "top_places": store.place_summary(limit=12),
            "not_analysed": not_analysed(store),
        }

    summary: dict[str, Any] = _cached(snapshot, "dashboard", compute)
    return summary


def build_router(source: DataSource, renderer: Renderer) -> APIRouter:
    """All page routes, bound to one data source and renderer."""
    router = APIRouter()

    def pair(path: str, endpoint: Callable[..., Response], *, summary: str) -> None:
        name = endpoint.__name__
        twin = "/index.json" if path == "/" else f"{path}.json"
        router.add_api_route(
            twin,
            endpoint,
            methods=["GET"],
            name=f"{name}_json",
            summary=f"{summary} (JSON)",
            response_class=JSONPage,
        )
        router.add_api_route(
            path,
            endpoint,
            methods=["GET"],
            name=name,
            summary=summary,
            response_class=HTMLResponse,
        )

    # -- dashboard ----------------------------------------------------------------

    def dashboard(request: Request) -> Response:
        """Counts, events over time by type, top actors and places, latest stories."""
        with source.reader() as (store, snapshot):
            data = dict(_dashboard_summary(store, snapshot))
            data["latest_articles"] = queries.article_list(store, limit=8)
            data["stories"] = []
            if queries.has_stories(snapshot.tables):
                try:
                    data["stories"] = _cached(
                        snapshot, ("stories", 8, 0), lambda: queries.story_list(store, limit=8)
                    )
                except duckdb.Error as exc:  # story tables of another layout: leave them out
                    log.warning("cannot read the story tables: %s", exc)
            chart = _cached(
                snapshot,
                "dashboard_chart",
                lambda: charts.time_axis(data["timeline"], width=800, height=160),
            )
        extra = {"timeline": chart}
        return renderer.page(request, "dashboard.html", data, extra=extra)

    pair("/", dashboard, summary="Dashboard")

    # -- search -------------------------------------------------------------------

    def search(
        request: Request,
        q: Annotated[str, Query(max_length=200)] = "",
        source_name: Annotated[str | None, Query(alias="source", max_length=200)] = None,
        language: Annotated[str | None, Query(max_length=8)] = None,
        since: DateParam = None,
        until: DateParam = None,
        page: Annotated[int, Query(ge=1, le=20)] = 1,
        size: Annotated[int, Query(ge=1, le=50)] = 20,
    ) -> Response:
        """BM25 search over titles and texts, with highlighted snippets and filters."""
        source_name, language = _blank(source_name), _blank(language)
        since, until = _blank(since), _blank(until)
        _checked(since=since, until=until)
        filtered = bool(source_name or language or since or until)
        hits_out: list[dict[str, Any]] = []
        with source.reader() as (store, snapshot):
            sources = _cached(snapshot, "sources", lambda: queries.sources(store))
            if q.strip() and snapshot.index is not None:
                # Filters apply to the hits, so ask the index for more when filtering.
                wanted = page * size * (5 if filtered else 1) + 1
                hits = snapshot.index.search(q, limit=min(wanted, 1000))
                meta = queries.articles_by_id(store, [h.article_id for h in hits])
                for hit in hits:
                    row = meta.get(hit.article_id)
                    if row is None:  # indexed after this snapshot was taken
                        continue
                    published = row["published"] or ""
                    if source_name and row["source"] != source_name:
                        continue
                    if language and row["language"] != language:
                        continue
                    if since and published[: len(since)] < since:
                        continue
                    if until and (not published or published[: len(until)] > until):
                        continue
                    hits_out.append(
                        {
                            "article_id": hit.article_id,
                            "score": hit.score,
                            "title": row["title"],
                            "source": row["source"],
                            "language": row["language"],
                            "published": row["published"],
                            "snippet": hit.snippet,
                            "snippet_parts": snippet_parts(hit.snippet),
                        }
                    )
        start = (page - 1) * size
        data = {
            "query": q,
            "filters": {
                "source": source_name,
                "language": language,
                "since": since,
                "until": until,
            },
            "page": page,
            "size": size,
            "more": len(hits_out) > start + size,
            "hits": hits_out[start : start + size],
            "sources": sources,
        }
        return renderer.page(request, "search.html", data)

    pair("/search", search, summary="Search articles")

    # -- articles -----------------------------------------------------------------

    def articles(
        request: Request,
        source_name: Annotated[str | None, Query(alias="source", max_length=200)] = None,
        language: Annotated[str | None, Query(max_length=8)] = None,
        page: PageParam = 1,
        size: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> Response:
        """Stored articles, newest first."""
        with source.reader() as (store, _):
            rows = queries.article_list(
                store,
                limit=size + 1,
                offset=(page - 1) * size,
                source=_blank(source_name),
                language=_blank(language),
            )
        data = {"page": page, "size": size, "more": len(rows) > size, "articles": rows[:size]}
        return renderer.page(request, "articles.html", data)

    pair("/articles", articles, summary="List articles")

    def article(
        request: Request,
        article_id: Annotated[str, PathParam(max_length=64)],
    ) -> Response:
        """One article with every fact highlighted on its text."""
        with source.reader() as (store, _):
            record = queries.load_analysis(store, article_id)
            if record is None:
                raise HTTPException(404, f"no article with id {article_id!r}")
            ids = {i for a in record.actors for i in [a.id]}
            names = {a.id: a.name for a in record.actors}
            missing = {
                i
                for e in record.events
                for i in (*e.actor_ids, *e.recipient_ids, e.claimed_by or "")
                if i and i not in names
            } - ids
            names.update(queries.actor_names(store, sorted(missing)))
            events, _total = queries.find_event_rows(
                store, queries.EventFilters(article_id=article_id), limit=500
            )
        data = record.to_dict()
        data["events_table"] = events
        facts = facts_of(record, names)
        by_kind: dict[str, list[Any]] = {}
        seen: set[tuple[str, str]] = set()
        for fact in facts:
            base = {"speaker": "quote", "cue": "quote", "trigger": "event"}.get(
                fact.kind, fact.kind
            )
            if (base, fact.id) in seen or fact.kind != base:
                continue
            seen.add((base, fact.id))
            by_kind.setdefault(base, []).append(fact)
        extra = {
            "heading": first_sentence(record.article.text),
            "segments": segments(record.article.text, facts),
            "facts_by_kind": [(kind, by_kind[kind]) for kind in KINDS if kind in by_kind],
        }
        return renderer.page(request, "article.html", data, extra=extra)

    pair("/articles/{article_id}", article, summary="Article with highlighted evidence")

    # -- events -------------------------------------------------------------------

    def events(
        request: Request,
        filters: EventFilterParams,
        sort: Annotated[SortKey | None, Query()] = None,
        order: Annotated[Literal["asc", "desc"], Query()] = "desc",
        page: PageParam = 1,
        size: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> Response:
        """Coded events with filters, sorting and paging (download as CSV or JSON)."""
        with source.reader() as (store, snapshot):
            rows, total = queries.find_event_rows(
                store,
                filters,
                sort=sort,
                descending=order == "desc",
                limit=size,
                offset=(page - 1) * size,
            )
            facets = _dashboard_summary(store, snapshot)["facets"]
        data = {
            "filters": {
                k: v
                for k, v in asdict(filters).items()
                if k in ("actor", "recipient", "plover_type", "status", "place", "since", "until")
            },
            "sort": sort,
            "order": order,
            "page": page,
            "size": size,
            "total": total,
            "events": rows,
            "facets": facets,
        }
        return renderer.page(request, "events.html", data)

    pair("/events", events, summary="Events table")

    @router.get("/events.csv", summary="Events table as CSV", response_class=Response)
    def events_csv(
        filters: EventFilterParams,
        sort: Annotated[SortKey | None, Query()] = None,
        order: Annotated[Literal["asc", "desc"], Query()] = "desc",
        limit: Annotated[int, Query(ge=1, le=10_000)] = 10_000,
    ) -> Response:
        """The filtered events (up to 10,000) as CSV, with the columns of ``newsgraph events``."""
        with source.reader() as (store, _):
            rows, _total = queries.find_event_rows(
                store, filters, sort=sort, descending=order == "desc", limit=limit
            )
        return Response(
            csv_text(rows, EVENT_COLUMNS),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="events.csv"'},
        )

    def event(request: Request, event_id: Annotated[str, PathParam(max_length=80)]) -> Response:
        """One event: who did what to whom, where, when, its claim, its sentence highlighted,
        its canonical event and the other reports of it."""
        with source.reader() as (store, _):
            found = queries.event_detail(store, event_id)
        if found is None:
            raise HTTPException(404, f"no event with id {event_id!r}")
        return renderer.page(request, "event.html", found)

    pair("/events/{event_id}", event, summary="Event page")

    # -- claims -------------------------------------------------------------------

    def claims(
        request: Request,
        story: Annotated[str | None, Query(max_length=18, pattern=r"^\d*$")] = None,
        actor: Text = None,
        geonameid: Annotated[str | None, Query(max_length=12, pattern=r"^\d*$")] = None,
        place: Text = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 40,
    ) -> Response:
        """Who alleges what against whom, who denies it, which outlets carry each claim and
        how many independent sources stand behind it (for a story, an actor or a place).

        ``story`` and ``geonameid`` are digits; empty (a form field left blank) means none.
        """
        story_id, place_id = _blank(story), _blank(geonameid)
        scope = queries.ClaimScope(
            int(story_id) if story_id else None,
            _blank(actor),
            int(place_id) if place_id else None,
            _blank(place),
        )
        with source.reader() as (store, snapshot):
            found = _cached(
                snapshot,
                ("claims", scope, limit),
                lambda: queries.claims(store, scope, limit=limit),
            )
            ready = queries.has_stories(snapshot.tables)
        data = {"scope": asdict(scope), "limit": limit, "ready": ready, "events": found}
        return renderer.page(request, "claims.html", data)

    pair("/claims", claims, summary="Claims view")

    # -- timeline -----------------------------------------------------------------

    def timeline(
        request: Request,
        plover_type: Annotated[str | None, Query(alias="type", max_length=40)] = None,
        since: DateParam = None,
        until: DateParam = None,
    ) -> Response:
        """Events per month on a true time axis; brush a span to list its events."""
        plover_type, since, until = _blank(plover_type), _blank(since), _blank(until)
        _checked(type=plover_type, since=since, until=until)
        with source.reader() as (store, snapshot):
            summary = _dashboard_summary(store, snapshot)
            months = [
                row
                for row in summary["timeline"]
                if not plover_type or row["plover_type"] == plover_type.upper()
            ]
        axis = charts.time_axis(months, since=since, until=until, width=900, height=220)
        data = {
            "filters": {"type": plover_type, "since": since, "until": until},
            "months": months,
            "span": {"first": axis["first"], "last": axis["last"]},
            "facets": summary["facets"],
        }
        return renderer.page(request, "timeline.html", data, extra={"axis": axis})

    pair("/timeline", timeline, summary="Timeline of events")

    # -- actors -------------------------------------------------------------------

    def actors(
        request: Request,
        name: NameFilter = None,
        country: Annotated[str | None, Query(max_length=8)] = None,
        sector: Annotated[str | None, Query(max_length=8)] = None,
        kind: Annotated[str | None, Query(max_length=20)] = None,
        sort: Annotated[Literal["articles", "mentions", "name", "country", "loaded"], Query()] = (
            "articles"
        ),
        order: Order = "desc",
        page: PageParam = 1,
        size: Annotated[int, Query(ge=1, le=500)] = 100,
        limit: Annotated[int | None, Query(ge=1, le=500)] = None,
    ) -> Response:
        """Actors across articles: filter by name or alias (any case, any accents), sort, page."""
        size = limit or size  # ``limit``: the name of ``size`` before lists were paged
        wanted = queries.ListQuery(_blank(name), sort, order == "desc", page, size)
        country, sector, kind = _blank(country), _blank(sector), _blank(kind)
        with source.reader() as (store, snapshot):
            rows, total = _cached(
                snapshot,
                ("actors", wanted, country, sector, kind),
                lambda: queries.actor_list(
                    store, wanted, country=country, sector=sector, kind=kind
                ),
            )
        data = {
            "filters": {"name": wanted.name, "country": country, "sector": sector, "kind": kind},
            "sort": sort,
            "order": order,
            "page": page,
            "size": size,
            "total": total,
            "actors": rows,
        }
        return renderer.page(request, "actors.html", data)

    pair("/actors", actors, summary="Actors")

    def actor(
        request: Request,
        name: Annotated[str, Query(min_length=1, max_length=200)],
        country: Annotated[str | None, Query(max_length=8)] = None,
    ) -> Response:
        """One actor: identity, events as actor and as recipient, quotes, tone over time."""
        with source.reader() as (store, snapshot):
            profile = queries.actor_profile(store, name, country=_blank(country))
            if profile is None:
                # Not a canonical name as written: find what the person may mean.
                choices = queries.actor_choices(store, name)
                best = [c for c in choices if c["rank"] == choices[0]["rank"]] if choices else []
                if len(best) == 1 and best[0]["rank"] < 2:
                    profile = queries.actor_profile(store, best[0]["name"], country=_blank(country))
                elif choices:
                    offer = {"query": name, "choices": choices}
                    return renderer.page(request, "actor_choices.html", offer, status_code=300)
            if profile is None:
                raise HTTPException(404, f"no actor named {name!r}")
            name = profile["name"]
            sides = queries.actor_events(store, name, limit=30)
            (as_actor, n_actor), (as_recipient, n_recipient) = sides["actor"], sides["recipient"]
            quotes = queries.actor_quotes(store, name)
            has_tone = _dashboard_summary(store, snapshot)["counts"].get("tones", 0) > 0
            tone = queries.actor_tone(store, name) if has_tone else []
        data = {
            "profile": profile,
            "events_as_actor": as_actor,
            "events_as_actor_total": n_actor,
            "events_as_recipient": as_recipient,
            "events_as_recipient_total": n_recipient,
            "quotes": quotes,
            "tone": tone,
        }
        return renderer.page(
            request, "actor.html", data, extra={"tone_chart": charts.tone_chart(tone)}
        )

    pair("/actor", actor, summary="Actor page")

    # -- places -------------------------------------------------------------------

    def places(
        request: Request,
        name: NameFilter = None,
        country: Annotated[str | None, Query(max_length=8)] = None,
        sort: Annotated[Literal["articles", "mentions", "name", "country"], Query()] = "articles",
        order: Order = "desc",
        page: PageParam = 1,
        size: Annotated[int, Query(ge=1, le=500)] = 100,
        limit: Annotated[int | None, Query(ge=1, le=500)] = None,
    ) -> Response:
        """Places across articles: filter by name or written form, sort, page."""
        size = limit or size  # ``limit``: the name of ``size`` before lists were paged
        wanted = queries.ListQuery(_blank(name), sort, order == "desc", page, size)
        country = _blank(country)
        with source.reader() as (store, snapshot):
            rows, total = _cached(
                snapshot,
                ("places", wanted, country),
                lambda: queries.place_list(store, wanted, country=country),
            )
        data = {
            "filters": {"name": wanted.name, "country": country},
            "sort": sort,
            "order": order,
            "page": page,
            "size": size,
            "total": total,
            "places": rows,
        }
        return renderer.page(request, "places.html", data)

    pair("/places", places, summary="Places")

    def place(
        request: Request,
        geonameid: Annotated[int | None, Query(ge=0, le=2**40)] = None,
        name: Annotated[str | None, Query(max_length=200)] = None,
    ) -> Response:
        """One place: where it is, the events located there, the articles naming it."""
        name = _blank(name)
        if geonameid is None and not name:
            raise HTTPException(400, "give a geonameid or a name")
        with source.reader() as (store, _):
            profile = queries.place_profile(store, geonameid=geonameid, name=name)
            if profile is None:
                raise HTTPException(404, "no such place in the database")
            if geonameid is not None:
                filters = queries.EventFilters(geonameid=geonameid)
            else:
                filters = queries.EventFilters(place=name)
            rows, total = queries.find_event_rows(store, filters, limit=100)
            mentioned = queries.place_articles(store, geonameid=geonameid, name=name)
        data = {"place": profile, "events": rows, "events_total": total, "articles": mentioned}
        point = (
            charts.map_circles([{**profile, "events": 1}])
            if profile["latitude"] is not None
            else []
        )
        return renderer.page(request, "place.html", data, extra={"point": point})

    pair("/place", place, summary="Place page")

    # -- map and network ----------------------------------------------------------

    def event_map(
        request: Request,
        plover_type: Annotated[str | None, Query(alias="type", max_length=40)] = None,
        limit: Annotated[int, Query(ge=1, le=5000)] = 2000,
    ) -> Response:
        """Event locations, sized by the number of events there."""
        plover_type = _blank(plover_type)
        with source.reader() as (store, snapshot):
            points = _cached(
                snapshot,
                ("map", plover_type, limit),
                lambda: queries.map_points(store, plover_type=plover_type, limit=limit),
            )
            facets = _dashboard_summary(store, snapshot)["facets"]
        data = {"filters": {"type": plover_type}, "points": points, "facets": facets}
        return renderer.page(
            request, "map.html", data, extra={"circles": charts.map_circles(points)}
        )

    pair("/map", event_map, summary="Map of event locations")

    def network(
        request: Request,
        plover_type: Annotated[str | None, Query(alias="type", max_length=40)] = None,
        status: Annotated[Status | Literal[""] | None, Query()] = None,
        actor: Text = None,
        since: DateParam = None,
        until: DateParam = None,
        min_events: Annotated[int, Query(ge=1, le=10_000)] = 1,
        limit: Annotated[int, Query(ge=1, le=300)] = 80,
    ) -> Response:
        """Who acts on whom: actors as nodes, events between them as weighted edges."""
        plover_type, status_value, actor = _blank(plover_type), _blank(status), _blank(actor)
        since, until = _blank(since), _blank(until)
        _checked(type=plover_type, since=since, until=until)
        wanted = NetworkQuery(plover_type, status_value, actor, since, until, min_events, limit)
        with source.reader() as (store, snapshot):
            graph = _network(store, snapshot, wanted)
            facets = _dashboard_summary(store, snapshot)["facets"]
        data = {
            "filters": {
                "type": plover_type,
                "status": status_value,
                "actor": actor,
                "since": since,
                "until": until,
                "min_events": min_events,
                "limit": limit,
            },
            "nodes": graph["nodes"],
            "edges": graph["edges"],
            "facets": facets,
        }
        return renderer.page(request, "network.html", data)

    pair("/network", network, summary="Actor network")

    # -- stories (only once the stories stage has written its tables) -------------

    def stories(
        request: Request,
        page: PageParam = 1,
        size: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> Response:
        """Story clusters."""
        with source.reader() as (store, snapshot):
            if not queries.has_stories(snapshot.tables):
                raise HTTPException(404, "this database has no stories yet")
            try:
                rows = _cached(
                    snapshot,
                    ("stories", size + 1, (page - 1) * size),
                    lambda: queries.story_list(store, limit=size + 1, offset=(page - 1) * size),
                )
            except duckdb.Error as exc:
                raise HTTPException(503, STORIES_UNREADABLE) from exc
        data = {"page": page, "size": size, "more": len(rows) > size, "stories": rows[:size]}
        return renderer.page(request, "stories.html", data)

    pair("/stories", stories, summary="Stories")

    def story(request: Request, story_id: Annotated[int, PathParam(ge=0, le=2**62)]) -> Response:
        """One story cluster: its articles (copies marked) and its canonical events."""
        with source.reader() as (store, snapshot):
            if not queries.has_stories(snapshot.tables):
                raise HTTPException(404, "this database has no stories yet")
            try:
                found = queries.story_detail(store, story_id)
            except duckdb.Error as exc:
                raise HTTPException(503, STORIES_UNREADABLE) from exc
        if found is None:
            raise HTTPException(404, f"no story with id {story_id}")
        return renderer.page(request, "story.html", found)

    pair("/stories/{story_id}", story, summary="Story page")

    # -- about the server ---------------------------------------------------------

    def status(request: Request) -> Response:
        """What the server reads: the snapshot's age and whether newer data is loading."""
        return renderer.page(request, "status.html", source.status())

    pair("/status", status, summary="Server status")

    return router


def _graph(edges: list[dict[str, Any]]) -> dict[str, Any]:
    """Nodes with positions and edges with coordinates for the network page."""
    weight: dict[str, int] = {}
    country: dict[str, str | None] = {}
    for edge in edges:
        for side in ("source", "target"):
            weight[edge[side]] = weight.get(edge[side], 0) + int(edge["events"])
            country.setdefault(edge[side], edge[f"{side}_country"])
    names = sorted(weight, key=lambda n: (-weight[n], n))
    layout = charts.force_layout(
        names,
        [(e["source"], e["target"], float(e["events"])) for e in edges],
        width=NETWORK_WIDTH,
        height=NETWORK_HEIGHT,
    )
    top = max(weight.values(), default=1)
    nodes = [
        {
            "name": n,
            "country": country[n],
            "events": weight[n],
            "x": layout[n][0],
            "y": layout[n][1],
            "r": round(4 + 10 * (weight[n] / top) ** 0.5, 1),
        }
        for n in names
    ]
    for node, label in zip(
        nodes, charts.place_labels(nodes, width=NETWORK_WIDTH, height=NETWORK_HEIGHT), strict=True
    ):
        node["label"] = label
    heaviest = max((int(e["events"]) for e in edges), default=1)
    radius = {node["name"]: float(node["r"]) for node in nodes}
    out_edges = []
    for e in edges:
        (x1, y1), (x2, y2) = layout[e["source"]], layout[e["target"]]
        # End the line at the target's rim, so the arrowhead shows.
        length = max(((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5, 1e-6)
        cut = min(radius[e["target"]] + 1.5, length / 2) / length
        out_edges.append(
            {
                **e,
                "x1": x1,
                "y1": y1,
                "x2": round(x2 - (x2 - x1) * cut, 1),
                "y2": round(y2 - (y2 - y1) * cut, 1),
                "stroke": charts.colour(e["main_type"]),
                "width": round(0.8 + 4 * (int(e["events"]) / heaviest) ** 0.5, 2),
            }
        )
    return {"nodes": nodes, "edges": out_edges}
