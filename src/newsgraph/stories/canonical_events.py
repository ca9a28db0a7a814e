"""Event deduplication: event mentions from many articles merged into canonical events.

Each :class:`~newsgraph.model.Event` of an article is a *mention*. A mention joins a
canonical event when all of these hold (:func:`compatible`):

- **type**: the same PLOVER type;
- **date**: their periods, widened by :data:`DAY_TOLERANCE` day on each side, overlap. A
  mention's period is its own date at its resolution (a day, an ISO week, a month); a
  mention without a date — or with only a year, or a background date more than a year
  from its publication (:func:`~newsgraph.stages.dates.is_background`) — gets the
  publication day and the day before (news tells yesterday's events). A mention with no
  date at all (neither its own nor its article's) never matches every date: it can join
  only a canonical event of its own story, on a knowledge-base or name agreement of its
  actors or recipients, or with both roles agreeing;
- **place** at the resolution both know: the same GeoNames id or two points within
  :data:`NEAR_KM` km; a region and anything in it (same country and first-level
  division); a country and anything in it. A mention or event without a resolved place is
  compatible on place;
- **actors**, and separately **recipients**: when both sides have some, one pair agrees —
  the same knowledge-base id, or the same country with the same sector (or a sector known
  on one side only), or the same name. When only one side knows them, the merge needs
  more evidence: another positive agreement (of the place, or of the other role) or the
  same story;
- **evidence**: one happening, not one topic — actors *and* recipients both agreeing, or
  the same point place (a GeoNames id, or points within :data:`NEAR_KM` km) beside an
  agreeing actor or recipient (reports of the same days only); and a merge
  that rests only on country-level agreement (no shared knowledge-base id and no shared
  point place) is allowed within one story cluster only, so that two ASSAULTs in the same
  country on the same day stay apart unless the same story tells them.

Among compatible canonical events the best-matched wins (:func:`match_score`); with none,
the mention founds a canonical event. A canonical event then reports its mentions, its
articles, its *independent sources* (distinct origins: a syndicated copy counts as its
original's agency or outlet), its first report, the most specific place and date among its
mentions, and its claims per claimant (:func:`summarize`), e.g. ``alleged by Hamas (3
outlets), denied by Israel (2 outlets)``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from newsgraph.model import Actor, Analysis, Event, Place
from newsgraph.stages.dates import date_period, is_background
from newsgraph.stories.features import article_day, day_iso

DAY_TOLERANCE: Final = 1
CAPITALS: Final = frozenset({"P.PPLC", "P.PPLA", "P.PPLG"})
NEAR_KM: Final = 15.0
_EPOCH = date(1970, 1, 1)

# How specific a place or a date is (higher is more specific).
PLACE_LEVELS: Final = {"country": 1, "region": 2, "point": 3}
DATE_LEVELS: Final = {"published": 0, "year": 1, "month": 2, "week": 3, "day": 4}


@dataclass(frozen=True, slots=True)
class ActorKey:
    """What event matching compares of an actor."""

    kb_id: str | None
    country: str | None
    sector: str | None
    name: str
    label: str = field(default="", compare=False)

    @classmethod
    def of(cls, actor: Actor) -> ActorKey:
        """The key of an actor record (``name`` folded for matching, ``label`` as written)."""
        name = " ".join(actor.name.split())
        return cls(actor.kb_id, actor.country, actor.sector, name.casefold(), name)

    def agrees(self, other: ActorKey) -> str | None:
        """``"kb"``, ``"country"`` or ``"name"`` when the two can be one actor, else None."""
        if self.kb_id and other.kb_id and self.kb_id == other.kb_id:
            return "kb"
        same_country = bool(self.country) and self.country == other.country
        if same_country and (not self.sector or not other.sector or self.sector == other.sector):
            return "country"
        if self.name and self.name == other.name:
            return "name"
        return None


@dataclass(frozen=True, slots=True)
class PlaceKey:
    """What event matching compares of a resolved place."""

    level: str
    country: str | None
    region: str | None
    geonameid: int | None
    name: str
    latitude: float | None = None
    longitude: float | None = None

    @classmethod
    def of(cls, place: Place) -> PlaceKey | None:
        """The key of a resolved place (None for an unresolved one)."""
        if place.geonameid is None and not place.country:
            return None
        feature = place.feature or ""
        if feature.startswith("A.PCL"):
            level, region = "country", None
        elif feature in ("A.ADM1", "L.RGN") or feature in CAPITALS:
            # A capital or a provincial seat often stands for its territory or government
            # ("strikes on Gaza", "Moscow said"): it locates a happening no better than a
            # region does.
            level, region = "region", _fold(place.name)
        else:
            level, region = "point", _fold(place.admin1)
        return cls(
            level, place.country, region, place.geonameid, place.name,
            place.latitude, place.longitude,
        )  # fmt: skip

    def agrees(self, other: PlaceKey) -> str | None:
        """``"point"``, ``"region"`` or ``"country"`` when one place can hold both, else None."""
        if self.geonameid is not None and self.geonameid == other.geonameid:
            return "point" if self.level == "point" else self.level
        if self.country != other.country:
            return None
        if "country" in (self.level, other.level):
            return "country"
        if "region" in (self.level, other.level):
            return "region" if self.region and self.region == other.region else None
        if _km(self, other) <= NEAR_KM:
            return "point"
        return None


def _fold(text: str | None) -> str | None:
    return " ".join(text.casefold().split()) if text else None


def _km(a: PlaceKey, b: PlaceKey) -> float:
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return math.inf
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))  # type: ignore[arg-type]
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def period(value: str | None, resolution: str | None = None) -> tuple[int, int, str] | None:
    """(first day, last day, level) of an ISO date, week, month or year, as day numbers.

    >>> period("2024-05") == (19844, 19874, "month")
    True
    """
    found = date_period(value)
    if found is None:
        return None
    first, last, level = found
    return (first - _EPOCH).days, (last - _EPOCH).days, level
    return None


@dataclass(frozen=True, slots=True)
class EventMention:
    """One event as told by one article, with what matching and counting need."""

    event_id: str
    article_id: str
    plover_type: str
    cameo_code: str | None
    status: str
    claimant: str | None
    claimant_key: str | None
    actors: tuple[ActorKey, ...]
    recipients: tuple[ActorKey, ...]
    place: PlaceKey | None
    first_day: int | None
    last_day: int | None
    date_level: str
    date: str | None
    story_id: int | None = None


def mentions_of(analysis: Analysis, story_id: int | None = None) -> list[EventMention]:
    """The event mentions of one analysed article."""
    actors = {actor.id: actor for actor in analysis.actors}
    places = {place.id: place for place in analysis.places}
    published = article_day(analysis.article)
    found = []
    for event in analysis.events:
        found.append(
            _mention(event, actors, places, published, story_id, analysis.article.published)
        )
    return found


def _mention(
    event: Event,
    actors: dict[str, Actor],
    places: dict[str, Place],
    published: int | None,
    story_id: int | None,
    published_iso: str | None = None,
) -> EventMention:
    span = period(event.date, event.date_resolution)
    if span is not None and (span[2] == "year" or is_background(event.date, published_iso)):
        span = None  # a year says too little; a background date is not the event's
    first: int | None
    last: int | None
    if span is not None:
        first, last, level = span
        when = event.date
    elif published is not None:
        first, last, level, when = published - 1, published, "published", day_iso(published)
    else:
        first = last = None
        level, when = "published", None
    claimant = actors.get(event.claimed_by or "")
    place = places.get(event.place_id or "")
    return EventMention(
        event_id=event.id,
        article_id=event.article_id,
        plover_type=event.plover_type,
        cameo_code=event.cameo_code,
        status=event.status,
        claimant=claimant.name if claimant else None,
        claimant_key=(claimant.kb_id or _fold(claimant.name)) if claimant else None,
        actors=tuple(ActorKey.of(actors[i]) for i in event.actor_ids if i in actors),
        recipients=tuple(ActorKey.of(actors[i]) for i in event.recipient_ids if i in actors),
        place=PlaceKey.of(place) if place else None,
        first_day=first,
        last_day=last,
        date_level=level,
        date=when,
        story_id=story_id,
    )


@dataclass(slots=True)
class CanonicalEvent:
    """A real-world event as newsgraph counts it: the mentions that tell it, merged."""

    id: str
    plover_type: str
    first_day: int | None
    last_day: int | None
    date_level: str
    date: str | None
    place: PlaceKey | None
    actors: list[ActorKey] = field(default_factory=list)
    recipients: list[ActorKey] = field(default_factory=list)
    stories: set[int] = field(default_factory=set)
    mentions: int = 0

    @classmethod
    def found(cls, mention: EventMention) -> CanonicalEvent:
        """A new canonical event founded by its first mention."""
        event = cls(
            id=f"ce-{mention.event_id}",
            plover_type=mention.plover_type,
            first_day=mention.first_day,
            last_day=mention.last_day,
            date_level=mention.date_level,
            date=mention.date,
            place=mention.place,
        )
        event.absorb(mention)
        return event

    def absorb(self, mention: EventMention) -> None:
        """Take in one more mention: actors, stories, and a more specific place or date."""
        self.mentions += 1
        for key in mention.actors:
            if key not in self.actors:
                self.actors.append(key)
        for key in mention.recipients:
            if key not in self.recipients:
                self.recipients.append(key)
        if mention.story_id is not None:
            self.stories.add(mention.story_id)
        if mention.place and (
            self.place is None or PLACE_LEVELS[mention.place.level] > PLACE_LEVELS[self.place.level]
        ):
            self.place = mention.place
        if mention.first_day is not None and (
            self.first_day is None or DATE_LEVELS[mention.date_level] > DATE_LEVELS[self.date_level]
        ):
            self.first_day, self.last_day = mention.first_day, mention.last_day
            self.date_level, self.date = mention.date_level, mention.date


def _actors_agree(a: Sequence[ActorKey], b: Sequence[ActorKey]) -> str | None:
    """The strongest agreement between two actor lists: ``"open"`` when both are empty,
    ``"one-sided"`` when only one is."""
    if not a and not b:
        return "open"
    if not a or not b:
        return "one-sided"
    found = {x.agrees(y) for x in a for y in b} - {None}
    for level in ("kb", "country", "name"):
        if level in found:
            return level
    return None


def match_score(mention: EventMention, event: CanonicalEvent) -> float | None:
    """How well a mention fits a canonical event, or None when it cannot be that event."""
    if mention.plover_type != event.plover_type:
        return None
    dated = (mention.first_day, mention.last_day, event.first_day, event.last_day)
    if None not in dated and (
        mention.first_day > event.last_day + DAY_TOLERANCE  # type: ignore[operator]
        or event.first_day > mention.last_day + DAY_TOLERANCE  # type: ignore[operator]
    ):
        return None
    place = "open"
    if mention.place is not None and event.place is not None:
        agreed = mention.place.agrees(event.place)
        if agreed is None:
            return None
        place = agreed
    actors = _actors_agree(mention.actors, event.actors)
    recipients = _actors_agree(mention.recipients, event.recipients)
    if actors is None or recipients is None:
        return None
    loose = ("open", "one-sided")
    agreements = (place != "open") + (actors not in loose) + (recipients not in loose)
    if agreements == 0:
        return None  # nothing positively agrees: a bare "ACCUSE" is no one's event
    specific = place == "point" or "kb" in (actors, recipients)
    same_story = mention.story_id is not None and mention.story_id in event.stories
    if not specific and not same_story:
        return None
    # One happening, not one topic: the same point place, or both roles agreeing. Strikes
    # "on Gaza" by Israel on two days of one war, with nobody named on the receiving end,
    # are not one event a reader would merge.
    # A point place is evidence only beside an agreeing actor or recipient ("Gaza" names a
    # city and a territory at war; every strike there shares it).
    roles = actors not in loose and recipients not in loose
    anchored = (
        place == "point"
        and (actors not in loose or recipients not in loose)
        and _same_days(mention, event)
    )
    if not roles and not anchored:
        return None
    if "one-sided" in (actors, recipients) and agreements < 2 and not same_story:
        return None  # one side names no actor: one agreement is not enough
    if None in dated:
        # An undated mention (or event) matches no date: only its own story, on names or on
        # both roles agreeing.
        strong = roles or bool({"kb", "name"} & {actors, recipients})
        if not same_story or not strong:
            return None
    score = {"point": 3.0, "region": 2.0, "country": 1.0, "open": 0.0}[place]
    for level in (actors, recipients):
        score += {"kb": 3.0, "country": 1.5, "name": 1.0, "open": 0.0, "one-sided": 0.0}[level]
    if same_story:
        score += 2.0
    if mention.date and mention.date == event.date:
        score += 1.0
    return score


def _same_days(mention: EventMention, event: CanonicalEvent) -> bool:
    """Whether the two periods overlap without any tolerance (a point place with a single
    role agreeing anchors only reports of the same days)."""
    if None in (mention.first_day, mention.last_day, event.first_day, event.last_day):
        return False
    return not (
        mention.first_day > event.last_day  # type: ignore[operator]
        or event.first_day > mention.last_day  # type: ignore[operator]
    )


def compatible(mention: EventMention, event: CanonicalEvent) -> bool:
    """Whether the mention can be told of the canonical event (see the module docstring)."""
    return match_score(mention, event) is not None


def best_match(mention: EventMention, events: Iterable[CanonicalEvent]) -> CanonicalEvent | None:
    """The compatible canonical event with the highest score (ties: the smaller id)."""
    best: tuple[float, str] | None = None
    chosen = None
    for event in events:
        score = match_score(mention, event)
        if score is None:
            continue
        key = (-score, event.id)
        if best is None or key < best:
            best, chosen = key, event
    return chosen


# -- summaries -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MentionRow:
    """A stored mention with what counting needs of its article."""

    event_id: str
    article_id: str
    status: str
    claimant: str | None
    claimant_key: str | None
    origin: str
    published: str | None
    outlet: str | None
    cameo_code: str | None


def claims_text(claims: Sequence[dict[str, Any]]) -> str:
    """The claims as one phrase: ``alleged by Hamas (3 outlets), denied by Israel (2 outlets)``.

    >>> claims_text([{"status": "alleged", "claimant": "Hamas", "outlets": 3},
    ...              {"status": "asserted", "claimant": None, "outlets": 1}])
    'alleged by Hamas (3 outlets), asserted by 1 outlet'
    """
    parts = []
    for claim in claims:
        outlets = claim["outlets"]
        noun = "outlet" if outlets == 1 else "outlets"
        if claim["claimant"]:
            parts.append(f"{claim['status']} by {claim['claimant']} ({outlets} {noun})")
        else:
            parts.append(f"{claim['status']} by {outlets} {noun}")
    return ", ".join(parts)


def summarize(rows: Sequence[MentionRow]) -> dict[str, Any]:
    """Counts, first report and claims of one canonical event from its mention rows."""
    articles = {row.article_id for row in rows}
    origins = {row.origin for row in rows}
    first = min(rows, key=lambda row: (row.published is None, row.published or "", row.article_id))
    grouped: dict[tuple[str, str | None], dict[str, Any]] = {}
    for row in rows:
        key = (row.status, row.claimant_key)
        claim = grouped.setdefault(
            key,
            {"status": row.status, "claimant": row.claimant, "origins": set(), "articles": set()},
        )
        claim["origins"].add(row.origin)
        claim["articles"].add(row.article_id)
    claims = [
        {
            "status": claim["status"],
            "claimant": claim["claimant"],
            "outlets": len(claim["origins"]),
            "articles": len(claim["articles"]),
        }
        for claim in grouped.values()
    ]
    claims.sort(key=lambda c: (-c["outlets"], -c["articles"], c["status"], c["claimant"] or ""))
    codes = Counter(row.cameo_code for row in rows if row.cameo_code)
    return {
        "mentions": len(rows),
        "articles": len(articles),
        "sources": len(origins),
        "first_article_id": first.article_id,
        "first_published": first.published,
        "first_outlet": first.outlet,
        "cameo_code": codes.most_common(1)[0][0] if codes else None,
        "claims": claims,
        "claims_text": claims_text(claims),
    }
