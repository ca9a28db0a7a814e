"""A record as text a person reads: what ``newsgraph analyze --format text`` prints.

The JSON form (:meth:`Analysis.to_dict`) holds everything; this form shows what an
analyst looks at first — who did or says who did what to whom, where, when, according to
whom, who said what, and the actors and places named — each line with the words it came
from.
"""

from __future__ import annotations

from collections.abc import Iterable

from newsgraph.model import Analysis, Event

MAX_EVIDENCE = 160


def analysis_text(record: Analysis) -> str:
    """The record as a short report (plain text, one item per line).

    >>> from newsgraph.model import Article
    >>> print(analysis_text(Analysis(article=Article.from_text("Rain.", title="Weather"))))
    Weather
    id ... · source unknown · published unknown · language unknown
    <BLANKLINE>
    events (0)
    quotes (0)
    actors (0)
    places (0)
    """
    article = record.article
    names = {actor.id: actor.name for actor in record.actors}
    places = {place.id: place.name for place in record.places}
    lines = [
        article.title or first_sentence(article.text),
        f"id {article.id} · source {article.source or 'unknown'} · "
        f"published {article.published or 'unknown'} · language {article.language or 'unknown'}",
    ]
    if record.skipped:
        lines.append(f"stages skipped: {', '.join(record.skipped)}")
    lines.append("")
    lines.append(_count("events", record.events))
    for event in record.events:
        lines.append(f"  {_event_line(event, names, places)}")
        lines.append(f"      “{_short(event.text)}”")
    lines.append(_count("quotes", record.quotes))
    for quote in record.quotes:
        speaker = names.get(quote.speaker_id or "") or (
            quote.speaker.text if quote.speaker else "unattributed"
        )
        cue = f" ({quote.cue.text})" if quote.cue else ""
        lines.append(f"  {speaker}{cue}, {quote.kind}: “{_short(quote.text)}”")
    lines.append(_count("actors", record.actors))
    for actor in record.actors:
        code = " ".join(part for part in (actor.country, actor.sector) if part)
        mentions = len(actor.mentions) or 1
        lines.append(
            f"  {actor.name}{f' [{code}]' if code else ''} · {actor.kind}"
            f" · {mentions} mention{'' if mentions == 1 else 's'}"
        )
    lines.append(_count("places", record.places))
    for place in record.places:
        where = f"GeoNames {place.geonameid}" if place.geonameid is not None else "unresolved"
        lines.append(f"  {place.name}{f' ({place.country})' if place.country else ''} · {where}")
    return "\n".join(lines)


def _event_line(event: Event, names: dict[str, str], places: dict[str, str]) -> str:
    actors = ", ".join(names.get(i, i) for i in event.actor_ids) or "?"
    recipients = ", ".join(names.get(i, i) for i in event.recipient_ids) or "?"
    parts = [f"{event.plover_type}", f"{actors} → {recipients}", event.status]
    if event.claimed_by:
        parts.append(f"claimed by {names.get(event.claimed_by, event.claimed_by)}")
    if event.reported_by:
        parts.append(f"reported by {event.reported_by}")
    if event.place_id:
        parts.append(f"in {places.get(event.place_id, event.place_id)}")
    if event.date:
        parts.append(event.date)
    if event.cameo_code:
        parts.append(f"CAMEO {event.cameo_code}")
    return " · ".join(parts)


def _count(name: str, items: Iterable[object]) -> str:
    return f"{name} ({len(list(items))})"


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_EVIDENCE else flat[: MAX_EVIDENCE - 1] + "…"


def first_sentence(text: str) -> str:
    """A title for an untitled article: its first sentence, shortened."""
    flat = " ".join(text.split())
    for end in (". ", "? ", "! "):
        cut = flat.find(end)
        if 0 < cut < MAX_EVIDENCE:
            return flat[: cut + 1]
    return _short(flat)
