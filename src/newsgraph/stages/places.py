"""Places: toponyms found in the text and resolved to GeoNames ids and coordinates.

Toponyms are the NER model's ``GPE``, ``LOC`` and ``FAC`` spans, the dateline place,
and names of the gazetteer supplement the model missed (neighbourhoods, holy sites,
camps and crossings such as "Sheikh Jarrah" or "Bab al-Amoud", which small models
often label as a person or miss). They are resolved together, with the dateline as the
story's locus, by :class:`~newsgraph.gazetteer.Resolver`; see that module for how.

Each distinct place of an article becomes one :class:`~newsgraph.model.Place`: its
first mention, every mention, and the resolved entry. A toponym the gazetteer does not
know is still a place, with no GeoNames id.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any, ClassVar

from newsgraph.gazetteer import Gazetteer, Resolution, Resolver, load_gazetteer
from newsgraph.gazetteer.names import loose_key, name_key
from newsgraph.model import Analysis, Article, Mention, Place
from newsgraph.settings import Settings

TOPONYM_LABELS = frozenset({"GPE", "LOC", "FAC"})
# Words that may join the capitalised words of a place name ("Sea of Galilee").
_JOINERS = frozenset({"of", "the", "al", "el", "de", "-", "'s", "’s", "and", "'", "’"})
_LEADING = ("the ", "The ")
_DATELINE_PARTS = re.compile(r"[^,/]+")
_ARTICLES = frozenset({"al", "el", "ad", "ar", "as", "ash", "at", "az", "an"})


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop a leading "the", surrounding spaces and a sentence's full stop, so the span
    is the name itself ("East al-Quds." → "East al-Quds"; "D.C." keeps its dots)."""
    for lead in _LEADING:
        if text.startswith(lead, start) and end - start > len(lead):
            start += len(lead)
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
        end -= 1
    if end - start > 1 and text[end - 1] == "." and "." not in text[start : end - 1]:
        end -= 1
    return start, end


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def dateline_spans(article: Article) -> list[tuple[int, int]]:
    """The dateline place as spans: ``KYIV, Ukraine`` gives the city and the country,
    ``SRINAGAR/ISLAMABAD`` two cities."""
    dateline = article.dateline
    if dateline is None or not dateline.place:
        return []
    start = article.text.find(dateline.place, dateline.start, dateline.end)
    if start < 0:
        return []
    spans = []
    for part in _DATELINE_PARTS.finditer(dateline.place):
        s, e = _trim(article.text, start + part.start(), start + part.end())
        if e > s:
            spans.append((s, e))
    return spans


class PlacesStage:
    """Resolve each article's toponyms to :class:`~newsgraph.model.Place` records."""

    name: ClassVar[str] = "places"
    requires: ClassVar[frozenset[str]] = frozenset({"doc", "entities"})
    produces: ClassVar[frozenset[str]] = frozenset({"places"})

    def __init__(self, settings: Settings) -> None:
        self.gazetteer: Gazetteer = load_gazetteer(settings.cache_path)
        # A name the gazetteer lacks is left without a location here: NER's toponyms
        # include people and things ("Hemedti", "Katyusha"), so guessing is worse.
        self.resolver = Resolver(self.gazetteer, locate_unknown=False)
        self.version: str = self.gazetteer.version
        self._first_words = frozenset(key.split(" ", 1)[0] for key in self.gazetteer.tables.phrases)

    def __call__(self, batch: Sequence[Analysis]) -> list[Analysis]:
        """Fill ``places``; articles without a parse (skipped languages) pass unchanged."""
        out = []
        for analysis in batch:
            if analysis.doc is None:
                out.append(analysis)
                continue
            out.append(dataclasses.replace(analysis, places=self.places(analysis)))
        return out

    def toponym_spans(
        self, analysis: Analysis
    ) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """Return the article's toponym spans (sorted, not overlapping) and the dateline's."""
        text = analysis.article.text
        named = [
            _trim(text, e.start, e.end) for e in analysis.entities if e.label in TOPONYM_LABELS
        ]
        others = [(e.start, e.end) for e in analysis.entities if e.label not in TOPONYM_LABELS]
        spans = [s for s in named if s[1] > s[0]]
        for phrase in self._phrases(analysis.doc, text):
            clashing = [s for s in spans if _overlaps(s, phrase)]
            if any(s[1] - s[0] >= phrase[1] - phrase[0] for s in clashing):
                continue
            covered = [o for o in others if _overlaps(o, phrase)]
            if covered and (
                " " not in name_key(text[phrase[0] : phrase[1]])
                or any(not (phrase[0] <= o[0] and o[1] <= phrase[1]) for o in covered)
            ):
                continue
            spans = [s for s in spans if not _overlaps(s, phrase)] + [phrase]
        focus = dateline_spans(analysis.article)
        dateline = analysis.article.dateline
        if dateline is not None:  # the agency ("Levant Wire") is not a place
            spans = [s for s in spans if not _overlaps(s, (dateline.start, dateline.end))]
        return sorted(set(spans) | set(focus)), focus

    def _phrases(self, doc: Any, text: str) -> list[tuple[int, int]]:
        """Supplement names in the text, longest match first, scanning left to right."""
        found: list[tuple[int, int]] = []
        tokens = list(doc)
        limit = self.gazetteer.max_phrase_words * 2 + 1
        i = 0
        while i < len(tokens):
            token = tokens[i]
            first = token.text
            # A name starts capitalised, or with the Arabic article before one: "al-Quds".
            capitalised = first[:1].isupper() or (
                first.lower() in _ARTICLES
                and i + 2 < len(tokens)
                and tokens[i + 2].text[:1].isupper()
            )
            if not capitalised or name_key(first) not in self._first_words:
                i += 1
                continue
            best = None
            for j in range(i, min(len(tokens), i + limit)):
                last = tokens[j]
                if (
                    j > i
                    and not (last.text[:1].isupper() or last.lower_ in _JOINERS or last.is_punct)
                    and last.lower_
                    not in {
                        "mosque",
                        "camp",
                        "crossing",
                        "hospital",
                        "gate",
                        "strip",
                    }
                ):
                    break
                if last.is_punct and last.text not in "-'’":
                    continue
                end = last.idx + len(last.text)
                if self.gazetteer.phrase(name_key(text[token.idx : end])) is not None:
                    best = (token.idx, end, j)
            if best is None:
                i += 1
                continue
            found.append((best[0], best[1]))
            i = best[2] + 1
        return found

    def places(self, analysis: Analysis) -> tuple[Place, ...]:
        """The article's places, in order of first mention."""
        article = analysis.article
        spans, focus = self.toponym_spans(analysis)
        if not spans:
            return ()
        countries = [actor.country for actor in analysis.actors if actor.country]
        resolutions = self.resolver.resolve(article.text, spans, focus=focus, countries=countries)
        grouped: dict[object, list[Resolution]] = {}
        for resolution in resolutions:
            text = article.text[resolution.start : resolution.end]
            key: object = (
                resolution.entry.row if resolution.entry else ("unresolved", loose_key(text))
            )
            grouped.setdefault(key, []).append(resolution)
        places = []
        echoes = _echoes(article.text, grouped, analysis)
        for number, group in enumerate(sorted(grouped.values(), key=lambda g: g[0].start)):
            first, entry = group[0], group[0].entry
            found = [(r.start, r.end) for r in group]
            if entry is not None:
                found = sorted(set(found) | echoes.get(entry.row, set()))
            mentions = tuple(Mention(start, end, article.text[start:end]) for start, end in found)
            places.append(
                Place(
                    id=f"{article.id}-p{number}",
                    article_id=article.id,
                    start=first.start,
                    end=first.end,
                    text=mentions[0].text,
                    name=entry.name if entry else mentions[0].text,
                    geonameid=entry.geonameid if entry else None,
                    latitude=first.latitude,
                    longitude=first.longitude,
                    country=entry.country if entry else None,
                    feature=entry.feature if entry else None,
                    admin1=entry.admin1 if entry else None,
                    mentions=mentions,
                )
            )
        return tuple(places)


_NAME_GOES_ON = re.compile(r"[ \t]+[A-Z]")


def _echoes(
    text: str, grouped: dict[object, list[Resolution]], analysis: Analysis
) -> dict[object, set[tuple[int, int]]]:
    """Later mentions of a resolved place the NER model did not tag as a place.

    "NIKOPOL, Ukraine — Russian forces shelled the city of Nikopol": the model tags the
    second "Nikopol" ORG, but the article has already told which place the name is. A
    word-bounded repeat of a resolved mention (any case) becomes another mention of it,
    unless it lies inside a person's name or another place.
    """
    taken = [(r.start, r.end) for group in grouped.values() for r in group]
    people = [(e.start, e.end) for e in analysis.entities if e.label == "PERSON"]
    blocked = taken + people
    out: dict[object, set[tuple[int, int]]] = {}
    for group in grouped.values():
        entry = group[0].entry
        if entry is None:
            continue
        after = min(r.end for r in group)
        for surface in {text[r.start : r.end] for r in group}:
            if len(surface) < 4:
                continue
            pattern = re.compile(rf"(?<!\w){re.escape(surface)}(?!\w)", re.IGNORECASE)
            for match in pattern.finditer(text):
                span = (match.start(), match.end())
                if any(_overlaps(span, other) for other in blocked):
                    continue
                if match.start() < after or match.group()[:1].islower():
                    continue
                if _NAME_GOES_ON.match(text, match.end()):
                    continue  # "China Coast Guard": a longer name, not the place
                out.setdefault(entry.row, set()).add(span)
    return out
