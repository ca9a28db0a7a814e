"""The newsgraph record: frozen dataclasses for an article and everything extracted from it.

Every extracted item carries ``start``/``end`` character offsets into
:attr:`Article.text` and the ``text`` found there, so that each fact can be checked
against its evidence: ``article.text[item.start:item.end] == item.text``.

:class:`Analysis` bundles one article with its extractions; it is what
``newsgraph analyze`` prints and what the store writes. Field meanings are documented
in ``docs/schema.md``; a test keeps that document and these classes in step.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

ARTICLE_ID_LENGTH = 16

ActorKind = Literal["person", "organization", "state", "armed_group", "population_group", "unknown"]
QuoteKind = Literal["direct", "indirect", "mixed", "statement"]
EventStatus = Literal["asserted", "alleged", "denied", "planned", "hypothetical", "negated"]

_WHITESPACE = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """Return the form of ``text`` used for identity: NFKC, case-folded, whitespace collapsed.

    >>> normalize_text("  Talks   resume\\n in CAIRO ")
    'talks resume in cairo'
    """
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def article_id_for(text: str) -> str:
    """Return the stable id of an article: a hash of its normalised text.

    Two copies of a story that differ only in whitespace or case share an id, so
    ingesting the same story twice stores it once.

    >>> article_id_for("Talks resume in Cairo.") == article_id_for("talks  resume in CAIRO.")
    True
    """
    digest = hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()
    return digest[:ARTICLE_ID_LENGTH]


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of article text: ``text == article.text[start:end]``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Dateline:
    """The dateline that opens a wire story, e.g. ``GAZA CITY (Levant Wire) -``.

    ``start``/``end`` cover the whole dateline; ``place`` and ``agency`` are the parts
    as written (``"GAZA CITY"``, ``"Levant Wire"``), ``date_text`` a date written in it.
    """

    start: int
    end: int
    text: str
    place: str
    agency: str | None = None
    date_text: str | None = None


@dataclass(frozen=True, slots=True)
class Removed:
    """Text cleaning took out of an article's input, and why (``licence``, ``caption`` ...).

    ``text`` is exactly what was removed, so the analysed text plus its removals holds
    every word of the input; ``reason`` names the rule (see ``docs/ingest.md``).
    """

    text: str
    reason: str


@dataclass(frozen=True, slots=True)
class Article:
    """One news article as ingested: metadata and the text every offset refers to.

    ``text`` is the analysed body: licence lines, trailing editor initials and
    boilerplate are removed from it (and kept in ``license``/``byline``); the dateline
    stays in it and is described by ``dateline``.
    """

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    byline: str | None = None
    published: str | None = None
    dateline: Dateline | None = None
    language: str | None = None
    language_score: float | None = None
    license: str | None = None
    origin: str = ""
    format: str = "text"
    external_id: str | None = None
    #: What cleaning took out of the input (licence, captions, boilerplate), kept.
    removed: tuple[Removed, ...] = ()
    #: Problems found while reading, each ``kind: explanation`` (``bad_date: ...``).
    warnings: tuple[str, ...] = ()
    #: Where ``published`` came from: ``input`` (the record's metadata) or ``text``.
    published_from: str | None = None

    @classmethod
    def from_text(cls, text: str, **metadata: Any) -> Article:
        """Build an article whose id is derived from ``text``.

        >>> article = Article.from_text("Talks resumed in Cairo.", title="Talks")
        >>> article.id == article_id_for("talks resumed in cairo.")
        True
        """
        return cls(id=article_id_for(text), text=text, **metadata)


@dataclass(frozen=True, slots=True)
class Entity:
    """A named-entity mention found by the NER model (spaCy label: PERSON, ORG, GPE ...)."""

    id: str
    article_id: str
    start: int
    end: int
    text: str
    label: str
    model: str = ""


@dataclass(frozen=True, slots=True)
class Mention:
    """One place in the text where an actor is named or referred to."""

    start: int
    end: int
    text: str
    loaded: bool = False


@dataclass(frozen=True, slots=True)
class Actor:
    """A canonical actor of one article: a person, organisation, state or group.

    ``start``/``end``/``text`` are its first mention; ``mentions`` holds all of them.
    ``country`` is ISO 3166-1 alpha-3 or an IGO code; ``sector`` a PLOVER/CAMEO sector
    code (GOV, MIL, REB, ...).
    """

    id: str
    article_id: str
    start: int
    end: int
    text: str
    name: str
    kind: ActorKind = "unknown"
    country: str | None = None
    sector: str | None = None
    role: str | None = None
    aliases: tuple[str, ...] = ()
    mentions: tuple[Mention, ...] = ()
    kb_id: str | None = None
    # where ``country`` came from ("knowledge base", "name", "modifier", "organisation",
    # "sentence", "article", "dateline") and the span of text that gave it, when one did
    country_source: str | None = None
    country_start: int | None = None
    country_end: int | None = None


@dataclass(frozen=True, slots=True)
class Place:
    """A toponym resolved (when possible) to a GeoNames id and coordinates."""

    id: str
    article_id: str
    start: int
    end: int
    text: str
    name: str
    geonameid: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    country: str | None = None
    feature: str | None = None
    admin1: str | None = None
    mentions: tuple[Mention, ...] = ()


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date or time expression in the text, normalised against the publication date.

    ``value`` is ISO 8601 at ``resolution``: ``2024-05-03`` (day), ``2024-05`` (month),
    ``2024`` (year), ``2024-W18`` (week); ``relative`` is true when the value was worked
    out from the publication date ("on Thursday", "last week").
    """

    id: str
    article_id: str
    start: int
    end: int
    text: str
    value: str | None = None
    resolution: str | None = None
    relative: bool = False


@dataclass(frozen=True, slots=True)
class Quote:
    """Reported speech: ``start``/``end``/``text`` is the content of what was said."""

    id: str
    article_id: str
    start: int
    end: int
    text: str
    kind: QuoteKind = "direct"
    speaker_id: str | None = None
    speaker: Span | None = None
    cue: Span | None = None
    addressee_id: str | None = None
    addressee: Span | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """A coded event: ``start``/``end``/``text`` is its evidence (usually the sentence).

    ``status`` says whose claim the event is: ``asserted`` by the outlet in its own
    voice, ``alleged`` by ``claimed_by``, ``denied``, ``planned``, ``hypothetical`` or
    ``negated``; ``reported_by`` is the outlet.
    """

    id: str
    article_id: str
    start: int
    end: int
    text: str
    plover_type: str
    trigger: Span | None = None
    plover_mode: str | None = None
    plover_context: tuple[str, ...] = ()
    cameo_code: str | None = None
    quad_class: int | None = None
    goldstein: float | None = None
    actor_ids: tuple[str, ...] = ()
    recipient_ids: tuple[str, ...] = ()
    place_id: str | None = None
    date: str | None = None
    date_resolution: str | None = None
    status: EventStatus = "asserted"
    claimed_by: str | None = None
    reported_by: str | None = None
    confidence: float = 0.0


@dataclass(frozen=True, slots=True)
class Annotation:
    """A labelled stretch of wording: a persuasion technique or a loaded reference."""

    id: str
    article_id: str
    start: int
    end: int
    text: str
    kind: str
    label: str
    confidence: float = 0.0
    target_actor_id: str | None = None
    target_event_id: str | None = None


@dataclass(frozen=True, slots=True)
class ActorTone:
    """Tone of the sentences that mention one actor."""

    actor_id: str
    score: float
    label: str
    sentences: int


@dataclass(frozen=True, slots=True)
class Tone:
    """Article tone in GDELT's terms, and the tone toward each actor."""

    tone: float
    positive: float
    negative: float
    polarity: float
    activity: float
    self_group: float
    words: int
    toward: tuple[ActorTone, ...] = ()


@dataclass(frozen=True, slots=True)
class Rejection:
    """An input or an article that could not be processed, and why.

    ``input`` locates it (``path``, ``path:line 12``, ``path#record 3``), ``stage`` is
    where it failed (``read`` or a stage name), ``kind`` a short category for counting
    (``missing``, ``binary``, ``too_large``, ``bad_json``, ``stage_error`` ...) and
    ``reason`` the full explanation.
    """

    input: str
    stage: str
    kind: str
    reason: str
    article_id: str | None = None

    @property
    def id(self) -> str:
        """Stable key, so the same failure on a re-run is stored once."""
        key = f"{self.input}\x00{self.stage}"
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:ARTICLE_ID_LENGTH]


@dataclass(frozen=True, slots=True)
class Analysis:
    """One article with everything the pipeline extracted from it."""

    article: Article
    entities: tuple[Entity, ...] = ()
    actors: tuple[Actor, ...] = ()
    places: tuple[Place, ...] = ()
    dates: tuple[DateMention, ...] = ()
    quotes: tuple[Quote, ...] = ()
    events: tuple[Event, ...] = ()
    annotations: tuple[Annotation, ...] = ()
    tone: Tone | None = None
    skipped: tuple[str, ...] = ()
    # The parsed document (a spaCy Doc) shared between stages of one run; never stored.
    doc: Any = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Return the record as JSON-ready data with every top-level key present."""
        return {
            "article": _jsonable(self.article),
            "entities": _jsonable(self.entities),
            "actors": _jsonable(self.actors),
            "places": _jsonable(self.places),
            "dates": _jsonable(self.dates),
            "quotes": _jsonable(self.quotes),
            "events": _jsonable(self.events),
            "annotations": _jsonable(self.annotations),
            "tone": _jsonable(self.tone),
            "skipped": list(self.skipped),
        }

    def spans(self) -> list[tuple[str, int, int, str]]:
        """Return every evidence span as ``(kind, start, end, text)`` for checking."""
        found: list[tuple[str, int, int, str]] = []
        if self.article.dateline:
            d = self.article.dateline
            found.append(("dateline", d.start, d.end, d.text))
        for kind, items in (
            ("entity", self.entities),
            ("actor", self.actors),
            ("place", self.places),
            ("date", self.dates),
            ("quote", self.quotes),
            ("event", self.events),
            ("annotation", self.annotations),
        ):
            for item in items:
                found.append((kind, item.start, item.end, item.text))
                for mention in getattr(item, "mentions", ()):
                    found.append((f"{kind}.mention", mention.start, mention.end, mention.text))
                for name in ("speaker", "cue", "addressee", "trigger"):
                    sub = getattr(item, name, None)
                    if isinstance(sub, Span):
                        found.append((f"{kind}.{name}", sub.start, sub.end, sub.text))
        return found


def _jsonable(value: Any) -> Any:
    """Dataclasses to dicts and tuples to lists, recursively (what JSON would give back)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, tuple | list):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {name: _jsonable(item) for name, item in value.items()}
    return _jsonable(asdict(value))
