"""Export events as PLOVER records: one JSON object per line (JSON Lines).

Field names follow the PLOVER manual's data-field tables (the event record, the entity,
text, citation and location objects). What newsgraph knows beyond them — whose claim
the event is, the CAMEO code, the Goldstein value, the coder's confidence — is kept
under one extension key, ``newsgraph``, as the manual allows ("providers should feel
free to include named fields beyond those provided here"). ``docs/exports.md``
describes each field.

>>> from newsgraph.model import Analysis, Article, Event
>>> article = Article.from_text("Troops shelled the town.", published="2024-05-03")
>>> text = "Troops shelled the town."
>>> event = Event("e1", article.id, 0, 24, text, "ASSAULT", plover_mode="aerial")
>>> record = plover_record(Analysis(article, events=(event,)), event)
>>> record["date"], record["event"], record["mode"], record["text_info"]["end"]
('2024-05-03', ['ASSAULT'], ['aerial'], 24)
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from newsgraph.errors import StorageError
from newsgraph.model import Actor, Analysis, Event, Mention, Place
from newsgraph.store.gdelt import event_day, known_group_code

EXTENSION_KEY = "newsgraph"

# PLOVER's country field for actors of no single state (manual, "Country names"): the
# UN and the EU have codes of their own (UNO, EUR), every other IGO is IGO; Kosovo is
# KOS. Membership of the UN system or the EU is read from the actor's CAMEO code.
_PLOVER_IGO = (("IGOUNO", "UNO"), ("IGOEUREEC", "EUR"))
_INTERNATIONAL = frozenset({"IGO", "IMG", "NGO", "NGM", "MNC"})
_PLOVER_COUNTRY = {"XKX": "KOS"}


def write_plover(analyses: Iterable[Analysis], out: str | Path) -> int:
    """Write the events of ``analyses`` to ``out`` as PLOVER records, one per line.

    Events without a PLOVER event type (``plover_type`` empty, as for CAMEO 01x
    statements) are left out.

    Args:
        analyses: the records, e.g. ``Store.iter_analyses()``.
        out: the JSON Lines file to write (UTF-8).

    Returns:
        The number of records written.

    Raises:
        StorageError: when ``out`` cannot be written.
    """
    written = 0
    try:
        with Path(out).open("w", encoding="utf-8", newline="\n") as handle:
            for analysis in analyses:
                for event in analysis.events:
                    if not event.plover_type:
                        continue
                    record = plover_record(analysis, event)
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                    written += 1
    except OSError as exc:
        raise StorageError(f"cannot write {out}: {exc.strerror}", path=str(out)) from exc
    return written


def plover_record(analysis: Analysis, event: Event) -> dict[str, Any]:
    """The PLOVER record of one event, as JSON-ready data.

    ``event``, ``mode`` and ``context`` are lists, as the manual has them (a record may
    carry several); ``event_text`` is the evidence sentence and ``text_info`` its
    offsets in the article text, so ``article.text[start:end] == event_text``.
    """
    article = analysis.article
    actors = {actor.id: actor for actor in analysis.actors}
    place = next((p for p in analysis.places if p.id == event.place_id), None)
    day = event_day(article, event)
    return {
        "id": event.id,
        "date": day.isoformat() if day else None,
        "actor": [_entity(actors[i], event) for i in event.actor_ids if i in actors],
        "recipient": [_entity(actors[i], event) for i in event.recipient_ids if i in actors],
        "event": [event.plover_type],
        "mode": [event.plover_mode] if event.plover_mode else [],
        "context": list(event.plover_context),
        "event_text": event.text,
        "quad_code": event.quad_class,
        "event_loc": _location(place),
        "text_info": {
            "start": event.start,
            "end": event.end,
            "trigger": _span(event.trigger.start, event.trigger.end, event.trigger.text)
            if event.trigger
            else None,
        },
        "cite_info": {
            "publication": article.source,
            "url": article.url,
            "title": article.title,
            "date": article.published,
            "language": article.language,
            "license": article.license,
            "article_id": article.id,
            "coder": f"newsgraph {_version()}",
        },
        EXTENSION_KEY: {
            "status": event.status,
            "claimed_by": (
                {"id": event.claimed_by, "name": _name(actors, event.claimed_by)}
                if event.claimed_by
                else None
            ),
            "reported_by": event.reported_by,
            "cameo_code": event.cameo_code,
            "quad_class": event.quad_class,
            "goldstein": event.goldstein,
            "confidence": event.confidence,
            "date": event.date,
            "date_resolution": event.date_resolution,
            "place_id": event.place_id,
        },
    }


def plover_country(actor: Actor) -> str | None:
    """The PLOVER country field of an actor: ISO 3166-1 alpha-3, or a non-state code.

    >>> from newsgraph.model import Actor
    >>> plover_country(Actor("a", "x", 0, 2, "UN", "United Nations", country="IGO", kb_id="un"))
    'UNO'
    >>> plover_country(Actor("a", "x", 0, 3, "MSF", "MSF", sector="NGO"))
    'NGO'
    """
    country = actor.country
    if country == "IGO":
        cameo = known_group_code(actor.kb_id) or ""
        return next((code for prefix, code in _PLOVER_IGO if cameo.startswith(prefix)), "IGO")
    if not country and actor.sector in _INTERNATIONAL:
        return actor.sector
    return _PLOVER_COUNTRY.get(country, country) if country else None


def _entity(actor: Actor, event: Event) -> dict[str, Any]:
    """The manual's entity object; ``entity_text`` is the mention inside the evidence."""
    first = Mention(actor.start, actor.end, actor.text)
    mention = next(
        (m for m in (first, *actor.mentions) if event.start <= m.start and m.end <= event.end),
        first,
    )
    return {
        "entity_text": mention.text,
        "code": plover_country(actor),
        "sector": actor.sector,
        "identifier_id": actor.id,
        "identifier_text": actor.name,
        "kb_id": actor.kb_id,
        "start": mention.start,
        "end": mention.end,
    }


def _location(place: Place | None) -> dict[str, Any] | None:
    """The manual's location object (Mordecai-style), or None without a place."""
    if place is None:
        return None
    feature_class, _, feature_code = (place.feature or "").partition(".")
    country = _PLOVER_COUNTRY.get(place.country, place.country) if place.country else None
    return {
        "geonameid": place.geonameid,
        "lat": place.latitude,
        "lon": place.longitude,
        "country_code": country,
        "resolution": _resolution(place.feature),
        "name": place.name,
        "extracted_place": place.text,
        "province": place.admin1,
        "feature_class": feature_class or None,
        "feature_code": feature_code or None,
        "start": place.start,
        "end": place.end,
    }


def _resolution(feature: str | None) -> int | None:
    """The manual's resolution: 1 country, 2 province, 3 district, 4 city, 5 sub-city.

    Regions, seas, mountains and other natural features fit none of these: None.
    """
    if not feature:
        return None
    if feature.startswith("A.PCL"):
        return 1
    if feature in ("A.ADM1", "L.RGN"):
        return 2
    if feature.startswith("A.ADM"):
        return 3
    if feature == "P.PPLX" or feature.startswith("S."):
        return 5
    if feature.startswith("P."):
        return 4
    return None


def _name(actors: dict[str, Actor], actor_id: str) -> str | None:
    actor = actors.get(actor_id)
    return actor.name if actor else None


def _span(start: int, end: int, text: str) -> dict[str, Any]:
    return {"start": start, "end": end, "text": text}


@functools.cache
def _version() -> str:
    try:
        return version("newsgraph")
    except PackageNotFoundError:
        return "unknown"
