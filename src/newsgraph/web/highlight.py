"""Article text cut into segments, each carrying the facts whose evidence covers it.

Spans of different kinds overlap and cross (an actor inside a quote inside an event's
sentence), so the text is cut at every span boundary; each piece lists the facts that
cover it. The template renders a piece with facts as a ``<span>`` whose classes name the
kinds and whose ``data-facts`` lists fact ids, and the facts themselves in a side list,
so a click on any word shows every fact drawn from it. Text is never marked up here:
the template escapes it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

from newsgraph.model import Analysis

KINDS = (
    "dateline",
    "entity",
    "actor",
    "place",
    "date",
    "quote",
    "speaker",
    "cue",
    "event",
    "trigger",
    "annotation",
)


@dataclass(frozen=True, slots=True)
class Fact:
    """One extracted fact with the stretch of text it came from."""

    id: str
    kind: str
    start: int
    end: int
    label: str
    details: tuple[tuple[str, str], ...] = ()
    loaded: bool = False


@dataclass(slots=True)
class Segment:
    """A piece of text and the facts covering it."""

    text: str
    facts: list[Fact] = field(default_factory=list)

    @property
    def kinds(self) -> list[str]:
        """Kinds of the covering facts, without repeats, in :data:`KINDS` order."""
        present = {fact.kind for fact in self.facts}
        return [kind for kind in KINDS if kind in present]

    @property
    def fact_ids(self) -> str:
        """Space-separated ids of the covering facts (for ``data-facts``)."""
        return " ".join(dict.fromkeys(fact.id for fact in self.facts))

    @property
    def title(self) -> str:
        """A one-line explanation for the hover tooltip."""
        labels = list(dict.fromkeys(fact.label for fact in self.facts))
        more = f" (+{len(labels) - 4} more)" if len(labels) > 4 else ""
        return " · ".join(labels[:4]) + more

    @property
    def loaded(self) -> bool:
        """Whether a loaded (partisan) label covers it."""
        return any(fact.loaded for fact in self.facts)


def facts_of(analysis: Analysis, names: dict[str, str]) -> list[Fact]:
    """Every fact of an analysed article, with a label and details for display.

    Args:
        analysis: the stored record.
        names: actor id → canonical name, for speakers, claimants and event sides.
    """
    found: list[Fact] = []
    details: tuple[tuple[str, str], ...]
    article = analysis.article
    if article.dateline:
        line = article.dateline
        found.append(
            Fact(
                f"dl-{article.id}",
                "dateline",
                line.start,
                line.end,
                f"dateline: {line.place}",
                (
                    ("place", line.place),
                    ("agency", line.agency or ""),
                    ("date", line.date_text or ""),
                ),
            )
        )
    for e in analysis.entities:
        found.append(
            Fact(e.id, "entity", e.start, e.end, f"entity {e.label}", (("label", e.label),))
        )
    for a in analysis.actors:
        where = " ".join(part for part in (a.country, a.sector) if part)
        label = f"actor: {a.name}" + (f" [{where}]" if where else "")
        details = (
            ("name", a.name),
            ("kind", str(a.kind)),
            ("country", a.country or ""),
            ("sector", a.sector or ""),
            ("role", a.role or ""),
            ("aliases", ", ".join(a.aliases)),
        )
        for m in a.mentions or ():
            found.append(
                Fact(
                    a.id,
                    "actor",
                    m.start,
                    m.end,
                    label + (" (loaded label)" if m.loaded else ""),
                    details,
                    m.loaded,
                )
            )
    for p in analysis.places:
        label = f"place: {p.name}" + (f", {p.country}" if p.country else "")
        details = (
            ("name", p.name),
            ("geonameid", str(p.geonameid or "")),
            ("country", p.country or ""),
            ("feature", p.feature or ""),
            ("coordinates", f"{p.latitude}, {p.longitude}" if p.latitude is not None else ""),
        )
        for m in p.mentions or ():
            found.append(Fact(p.id, "place", m.start, m.end, label, details))
    for d in analysis.dates:
        value = d.value or "?"
        found.append(
            Fact(
                d.id,
                "date",
                d.start,
                d.end,
                f"date: {value}",
                (
                    ("value", value),
                    ("resolution", d.resolution or ""),
                    ("relative", "yes" if d.relative else "no"),
                ),
            )
        )
    for q in analysis.quotes:
        speaker = names.get(q.speaker_id or "", q.speaker.text if q.speaker else "unknown speaker")
        details = (
            ("kind", str(q.kind)),
            ("speaker", speaker),
            ("cue", q.cue.text if q.cue else ""),
            ("addressee", names.get(q.addressee_id or "", q.addressee.text if q.addressee else "")),
        )
        found.append(Fact(q.id, "quote", q.start, q.end, f"{q.kind} quote by {speaker}", details))
        if q.speaker:
            found.append(
                Fact(
                    q.id,
                    "speaker",
                    q.speaker.start,
                    q.speaker.end,
                    f"speaker of a quote: {speaker}",
                    details,
                )
            )
        if q.cue:
            found.append(
                Fact(q.id, "cue", q.cue.start, q.cue.end, f"quote cue: {q.cue.text}", details)
            )
    for v in analysis.events:
        actors = ", ".join(names.get(i, i) for i in v.actor_ids) or "?"
        recipients = ", ".join(names.get(i, i) for i in v.recipient_ids) or "?"
        claimed = names.get(v.claimed_by or "", v.claimed_by or "")
        label = f"event {v.plover_type} ({v.status})"
        details = (
            ("type", v.plover_type),
            ("CAMEO", v.cameo_code or ""),
            ("status", str(v.status)),
            ("claimed by", claimed),
            ("reported by", v.reported_by or ""),
            ("actors", actors),
            ("recipients", recipients),
            ("date", v.date or ""),
            ("confidence", f"{v.confidence:.2f}"),
        )
        found.append(Fact(v.id, "event", v.start, v.end, label, details))
        if v.trigger:
            found.append(
                Fact(
                    v.id,
                    "trigger",
                    v.trigger.start,
                    v.trigger.end,
                    f"{label}: {actors} → {recipients}",
                    details,
                )
            )
    for n in analysis.annotations:
        found.append(
            Fact(
                n.id,
                "annotation",
                n.start,
                n.end,
                f"{n.kind}: {n.label}",
                (("kind", n.kind), ("label", n.label), ("confidence", f"{n.confidence:.2f}")),
            )
        )
    return found


def segments(text: str, facts: Iterable[Fact]) -> list[Segment]:
    """Cut ``text`` at every fact boundary; each segment lists the facts covering it.

    Facts whose offsets fall outside the text are ignored rather than trusted.

    >>> cairo = Fact("p", "place", 9, 14, "Cairo")
    >>> [(s.text, s.kinds) for s in segments("Talks in Cairo.", [cairo])]
    [('Talks in ', []), ('Cairo', ['place']), ('.', [])]
    """
    valid = [f for f in facts if 0 <= f.start < f.end <= len(text)]
    cuts = sorted({0, len(text), *(f.start for f in valid), *(f.end for f in valid)})
    starting: dict[int, list[Fact]] = {}
    for fact in valid:
        starting.setdefault(fact.start, []).append(fact)
    out: list[Segment] = []
    active: list[Fact] = []
    for left, right in itertools.pairwise(cuts):
        active = [f for f in active if f.end > left] + starting.get(left, [])
        if left < right:
            out.append(Segment(text[left:right], list(active)))
    return out
