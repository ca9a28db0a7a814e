"""Places: toponyms found in the text and resolved to GeoNames ids and coordinates.

Toponyms are the NER model's ``GPE``, ``LOC`` and ``FAC`` spans, the dateline place,
and names of the gazetteer supplement the model missed (neighbourhoods, holy sites,
camps and crossings such as "Sheikh Jarrah" or "Bab al-Amoud", which small models
often label as a person or miss). They are resolved together, with the dateline as the
story's locus, by :class:`~newsgraph.gazetteer.Resolver`; see that module for how.

Names the model labels otherwise (a city tagged ``PERSON`` or ``ORG``, a dateline it
missed) become toponyms when the gazetteer and the context agree: see
:meth:`PlacesStage.promoted_spans`. Names that look like places but are not (a compass
word, a person's name, an outlet's acronym) are dropped: see :func:`is_not_a_place`.

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
from newsgraph.gazetteer.index import Entry
from newsgraph.gazetteer.names import loose_key, name_key
from newsgraph.gazetteer.resolve import ALTERNATE_QUALITY, LOOKUP_CACHE_SIZE, is_prominent
from newsgraph.model import Analysis, Article, Entity, Mention, Place
from newsgraph.settings import Settings

TOPONYM_LABELS = frozenset({"GPE", "LOC", "FAC"})
# Words that may join the capitalised words of a place name ("Sea of Galilee").
_JOINERS = frozenset({"of", "the", "al", "el", "de", "-", "'s", "’s", "and", "'", "’"})
_LEADING = ("the ", "The ")
_DATELINE_PARTS = re.compile(r"[^,/]+")
_ARTICLES = frozenset({"al", "el", "ad", "ar", "as", "ash", "at", "az", "an"})


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Labels a mislabelled place name may carry (spaCy's small model tags "Niamey" PERSON,
# "Bamako" ORG, "Niger" DATE).
_MISLABELS = frozenset({"PERSON", "ORG", "NORP", "PRODUCT", "WORK_OF_ART", "DATE", "EVENT", "LAW"})
# Closed word classes used as context cues (grammar, not a list of places):
# prepositions that put a name in space, nouns that say a name is a place, titles that
# say it is a person, and compass words that are not places on their own.
_LOCATIVE = _word_set("in at near from outside into across towards toward inside around via within")
_PLACE_NOUNS = _word_set(
    """city cities town towns village villages capital province provinces region regions
    district districts state county governorate area areas port island oblast prefecture
    municipality neighbourhood neighborhood suburb sector sectors border camp"""
)
_TITLES = _word_set(
    """mr mrs ms miss dr sheikh president minister prime premier king queen prince princess
    sir lord lady judge justice senator sen rep gov governor mayor chief col colonel lt
    sgt capt captain gen general secretary pope ayatollah imam commander spokesman spokeswoman
    commissioner ambassador envoy director chairman chairwoman councillor councilman sheriff"""
)
_NEIGHBOURING = _word_set("neighbouring neighboring neighbour neighbor adjacent")
# After a bare preposition, a place the article's countries hold needs this many people
# under its own name ("in Congress" in a US story is not Congress, Arizona).
TOWN_POPULATION = 10_000
_COMPASS = _word_set(
    """north south east west northern southern eastern western central northeast
    northwest southeast southwest"""
)
# A dateline written at the start of any line: "BANGKOK -", "NAIROBI, Kenya -",
# "PYONGYANG (Xinhua) --", or the name alone on its line.
_DATELINE_LINE = re.compile(
    r"(?m)^[ \t]*([A-Z][A-Z.'’-]+(?:[ ][A-Z][A-Z.'’-]+){0,2})"
    r"(?=[ \t]*(?:$|,|\(|[-–—]{1,2}\s))"
)


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
        self._named: dict[str, list[tuple[Entry, float]]] = {}
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
        spans, focus, _promoted = self._toponym_spans(analysis)
        return spans, focus

    def _toponym_spans(
        self, analysis: Analysis
    ) -> tuple[list[tuple[int, int]], list[tuple[int, int]], set[tuple[int, int]]]:
        text = analysis.article.text
        entities = _line_pieces(text, analysis.entities)
        # A surname that is also a prominent place's own name ("Rethinking Egypt", which
        # the model calls a person) does not stop that place being one.
        people = frozenset(
            name
            for name in _surnames(text, entities)
            if not any(is_prominent(entry) and q >= 1.0 for entry, q in self._named_places(name))
        )
        named = [
            _trim(text, start, end)
            for start, end, label in entities
            if label in TOPONYM_LABELS
            and not is_not_a_place(analysis.doc, text, start, end, people)
        ]
        others = [(start, end) for start, end, label in entities if label not in TOPONYM_LABELS]
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
        for line in self._dateline_lines(text):
            if not any(_overlaps(line, other) for other in focus):
                spans = [s for s in spans if not _overlaps(s, line)]
                focus.append(line)
        spans = sorted(set(spans) | set(focus))
        promoted = self.promoted_spans(analysis, spans, entities, people)
        return sorted(spans + promoted), focus, set(promoted)

    def _dateline_lines(self, text: str) -> list[tuple[int, int]]:
        """Datelines at the start of any line ("BANGKOK - ...", "MINSK, October 11.")
        that name a place a reader knows without context."""
        found = []
        for match in _DATELINE_LINE.finditer(text):
            name = match.group(1)
            if len(name) < 3 or not any(
                quality >= ALTERNATE_QUALITY and is_prominent(self.gazetteer.entry(row))
                for row, quality in self.gazetteer.candidates(name)
            ):
                continue
            found.append(_trim(text, match.start(1), match.end(1)))
        return found

    def promoted_spans(
        self,
        analysis: Analysis,
        taken: Sequence[tuple[int, int]],
        entities: Sequence[tuple[int, int, str]],
        people: frozenset[str],
    ) -> list[tuple[int, int]]:
        """Place names the NER model labelled otherwise, or missed, that the gazetteer
        and the context agree are places.

        A candidate is a span the model labelled ``PERSON``, ``ORG``, ``DATE`` ... or a
        run of proper nouns it did not tag. It becomes a toponym when the gazetteer holds
        its whole name (as a name or an alternate name; a nationality word such as
        "Polish" never) and the context says it is a place. "Known" below means the
        gazetteer has a reading in a country the article already names (its toponyms
        and nationality words); "prominent" a country, a first-level division or a city
        of 100,000 people:

        - a strong cue: a place noun around it ("the city of Goma", "Rostov region",
          "Rawalakot and Chirikot sectors"), "Lagos-based", or coordination with a
          toponym ("in Khost and Paktika"); the place must be known or prominent;
        - a locative preposition before it ("in Niamey", "from Rafah"): under its own
          name, prominent, or a town of 10,000 people in a known country;
        - no cue, a mislabelled name that is not a person's (``ORG``, ``DATE`` ...):
          its own name must be a country's, or a prominent place in a known country.

        Names that are a person's (a title before or as the name, a surname of a person
        named in full elsewhere) or compass words never become places; a promoted name
        the resolver then cannot place is dropped (see :meth:`places`).
        """
        doc, text = analysis.doc, analysis.article.text
        context = self._context_countries(text, taken, entities)
        candidates = [(s, e, label) for s, e, label in entities if label in _MISLABELS]
        candidates += [(s, e, "") for s, e in _untagged_runs(doc, text, entities)]
        out: list[tuple[int, int]] = []
        for start, end, label in candidates:
            start, end = _trim(text, start, end)
            span = (start, end)
            if end <= start or any(_overlaps(span, other) for other in (*taken, *out)):
                continue
            if is_not_a_place(doc, text, start, end, people):
                continue
            cue = _cue(doc, text, start, end, taken)
            if not label and cue is None:
                continue  # an untagged proper noun needs a cue before a lookup
            found = self._named_places(text[start:end])
            if not found:
                continue
            if label == "NORP" and all(quality < 1.0 for _, quality in found):
                continue  # "Polish" is said of people and things, not a mention of Poland
            exact = [entry for entry, quality in found if quality >= 1.0]
            known = any(entry.country in context for entry, _ in found)
            prominent = any(is_prominent(entry) for entry, _ in found)
            if cue == "strong":
                accept = known or prominent
            elif cue == "locative":  # "in Congress" is no village of 2,000 people
                accept = any(
                    is_prominent(entry)
                    or (entry.country in context and entry.population >= TOWN_POPULATION)
                    for entry in exact
                )
            else:
                accept = label not in ("", "PERSON") and any(
                    (entry.feature or "").startswith("A.PCL")
                    or (is_prominent(entry) and entry.country in context)
                    for entry in exact
                )
            if accept:
                out.append(span)
        return out

    def _named_places(self, name: str) -> list[tuple[Entry, float]]:
        """The places ``name`` is a name or an alternate name of, with the match quality
        (cached: the same names recur from article to article)."""
        found = self._named.get(name)
        if found is None:
            if len(self._named) > LOOKUP_CACHE_SIZE:
                self._named.clear()
            found = self._named[name] = [
                (self.gazetteer.entry(row), quality)
                for row, quality in self.gazetteer.candidates(name)
                if quality >= ALTERNATE_QUALITY
            ]
        return found

    def _context_countries(
        self, text: str, spans: Sequence[tuple[int, int]], entities: Sequence[tuple[int, int, str]]
    ) -> set[str]:
        """Countries of the most likely reading of each toponym found so far, and those
        the article's nationality words name ("Pakistani troops")."""
        countries = set()
        for start, end in spans:
            entries = self.resolver.candidates(text[start:end])
            if entries and entries[0].country:
                countries.add(entries[0].country)
        for start, end, label in entities:
            if label == "NORP":
                countries.update(
                    entry.country
                    for entry in self.resolver.candidates(text[start:end])
                    if entry.country and (entry.feature or "").startswith("A.PCL")
                )
        return countries

    def _phrases(self, doc: Any, text: str) -> list[tuple[int, int]]:
        """Supplement names in the text, longest match first, scanning left to right."""
        from spacy.attrs import IDX

        found: list[tuple[int, int]] = []
        tokens = doc
        # Token starts as one array: most words are skipped on their first letter alone,
        # without making a Token object (a name is capitalised, or "al"/"el" ... before one).
        starts = doc.to_array([IDX]).tolist()
        limit = self.gazetteer.max_phrase_words * 2 + 1
        i = 0
        while i < len(tokens):
            if not (text[starts[i]].isupper() or text[starts[i]] in "ae"):
                i += 1
                continue
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
        spans, focus, promoted = self._toponym_spans(analysis)
        if not spans:
            return ()
        countries = [actor.country for actor in analysis.actors if actor.country]
        text = article.text
        resolutions = self.resolver.resolve(article.text, spans, focus=focus, countries=countries)
        # A name promoted on the gazetteer's word that the resolver cannot place is not one.
        # An acronym the gazetteer does not hold is an outlet or a body ("RT"), not a place.
        resolutions = [
            r
            for r in resolutions
            if r.entry is not None
            or not ((r.start, r.end) in promoted or _ACRONYM.fullmatch(text[r.start : r.end]))
        ]
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


def _line_pieces(text: str, entities: Sequence[Entity]) -> list[tuple[int, int, str]]:
    """Entity spans cut at line breaks: "Tigray\nNAIROBI" is a headline's last word and
    a dateline, not one name."""
    pieces = []
    for entity in entities:
        start = entity.start
        for part in text[entity.start : entity.end].split("\n"):
            if part.strip():
                pieces.append((start, start + len(part), entity.label))
            start += len(part) + 1
    return pieces


def _surnames(text: str, entities: Sequence[tuple[int, int, str]]) -> frozenset[str]:
    """Last words of people named in full ("Sheikh Hasina" gives "hasina")."""
    names = set()
    for start, end, label in entities:
        words = text[start:end].split()
        if label == "PERSON" and 2 <= len(words) <= 4 and all(w[:1].isupper() for w in words):
            names.add(words[-1].strip(".,'’").lower())
    return frozenset(names)


def is_not_a_place(doc: Any, text: str, start: int, end: int, people: frozenset[str]) -> bool:
    """Whether a place-like name is something else: a compass word ("the West"), a
    person (a title before it, or the surname of a person named in full in the
    article), or an outlet's acronym the gazetteer does not hold is decided later."""
    start, end = _trim(text, start, end)
    words = text[start:end].split()
    if len(words) == 1:
        word = words[0].strip(".,'’").lower()
        if word in _COMPASS or word in people or word in _TITLES:
            return True
    span = doc.char_span(start, end, alignment_mode="expand") if doc is not None else None
    if span is not None and span.start > 0:
        before = doc[span.start - 1].lower_.strip(".")
        if before in _TITLES:
            return True
    return False


def _untagged_runs(
    doc: Any, text: str, entities: Sequence[tuple[int, int, str]]
) -> list[tuple[int, int]]:
    """Runs of up to three proper nouns outside every entity."""
    covered: set[int] = set()
    for start, end, _label in entities:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None:
            covered.update(range(span.start, span.end))
    from spacy.attrs import IDX, POS
    from spacy.parts_of_speech import PROPN

    # Read the tags as one array: making a Token object per word costs more than the rest.
    table = doc.to_array([IDX, POS])
    rows = (table[:, 1] == PROPN).nonzero()[0].tolist()
    starts = table[rows, 0].tolist()
    proper = [
        i for i, idx in zip(rows, starts, strict=True) if text[idx].isupper() and i not in covered
    ]
    runs: list[tuple[int, int]] = []
    first = 0
    for k, i in enumerate(proper):
        last = k + 1 == len(proper) or proper[k + 1] != i + 1
        if not last:
            continue
        if k - first < 3:
            start, end = doc[proper[first]], doc[i]
            runs.append((start.idx, end.idx + len(end)))
        first = k + 1
    return runs


def _cue(
    doc: Any, text: str, start: int, end: int, toponyms: Sequence[tuple[int, int]]
) -> str | None:
    """What the words around a name say about it: "strong" (a place noun next to it,
    "-based", coordinated with a toponym), "locative" (a preposition of place before
    it) or None."""
    if text.startswith("-based", end):
        return "strong"
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return None
    after = doc[span.end : span.end + 4]
    for token in after:
        if token.lower_ in _PLACE_NOUNS:
            return "strong"
        if not (token.pos_ == "PROPN" or token.pos_ == "CCONJ" or token.text == ","):
            break
    before = [t.lower_ for t in doc[max(0, span.start - 3) : span.start]]
    if before and (before[-1] in _PLACE_NOUNS or before[-1] in _NEIGHBOURING):
        return "strong"  # "the capital Niamey", "neighbouring Mali"
    if len(before) >= 2 and before[-1] == "of" and before[-2] in _PLACE_NOUNS:
        return "strong"  # "the city of Goma", "the towns of Kramatorsk"
    root = span.root
    linked = [root.head] if root.dep_ == "conj" else []
    linked += [child for child in root.children if child.dep_ == "conj"]
    for token in linked:
        if any(s <= token.idx < e for s, e in toponyms):
            return "strong"
    if before and before[-1] in _LOCATIVE:
        return "locative"
    return None


_ACRONYM = re.compile(r"[A-Z][A-Z.&]{0,4}")
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
