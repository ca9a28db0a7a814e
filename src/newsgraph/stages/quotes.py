"""Quotes: who said what, to whom, read from quote marks and the dependency parse.

The stage works on the spaCy ``Doc`` of the parse stage and runs no model. Per article:

1. **Quote marks** are paired paragraph by paragraph (:func:`find_quoted`): straight
   and curly double marks, doubled apostrophes and backticks (''...''), and curly
   single marks outside double ones. A mark opens or closes by what stands beside it
   (a curly mark says which it is unless its neighbours disagree). A paragraph that
   opens a quote and does not close it continues into the next paragraph when that
   one opens with a mark (the newspaper convention for long quotes); otherwise the
   quote ends with its paragraph, or where the same mark opens again, so an
   unmatched mark never swallows the article.
2. **Cues** are read from the parse (:mod:`newsgraph.stages.quote_cues`): a reporting
   verb and the dependents holding its content ("said [that ...]", "vowed [to ...]",
   "denied [the report]"), "according to X", a colon that introduces a text ("The text
   of the letter is as follows:", "the statement read:", "he wrote: "...""), and
   headline attributions ("Poll: ..."). Cue verbs inside quotes are not cues.
3. **Quotes meet cues.** A quote overlapping a cue's content becomes (part of) that
   content. A quote with no such cue takes a cue beside it in its paragraph (", he
   said."); a quote interrupted by its cue (``"A," he said. "B."``) is one quote from
   the first mark to the last. Other quotes are kept when they are long (a scare quote
   is not reported speech) and take the speaker of the quote just before them (the
   next paragraph of the same speech), else the nearest person named before them.
4. **Kind**: ``statement`` when a statement or letter is introduced by a cue,
   ``direct`` when the content runs from a quote mark to a quote mark (or follows a
   colon), ``mixed`` when it holds quoted words, ``indirect`` otherwise.
5. **Speakers** are the cue verb's subject (through "and", infinitives, participles and
   relative clauses), a passive's agent, the object of "according to", or the name
   right after an inverted cue ('"...," said Smith'), written as the name inside that
   phrase when it holds one. A statement's author and addressee are found where it was
   mentioned first ("Haniyeh has written a letter to ..."). Pronouns, titles and
   relative pronouns ("he", "the spokesman", "who") stay as written in ``speaker``;
   for ``speaker_id`` they are resolved to the most recent person named as a subject
   (with the same title word nearby, for titles) or to the noun "who" hangs on.
6. **Addressees** are the dependents the lexicon names ("told [reporters]", "wrote [to
   the council]", "in a letter [to ...]").

``speaker_id``/``addressee_id`` are the actors (when the actors stage ran earlier)
with a mention overlapping the speaker/addressee span, or else the resolved span.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from newsgraph.model import Actor, Analysis, Quote, QuoteKind, Span
from newsgraph.settings import Settings
from newsgraph.stages.quote_cues import (
    PERSON_PRONOUNS,
    TITLE_NOUNS,
    Bounds,
    Cue,
    CueReader,
)

#: A quote without a cue is reported only from this many words (shorter: a scare quote).
MIN_UNCUED_WORDS = 8
#: How far (characters) a cue may stand from the quote it takes, within its paragraph.
CUE_REACH = 80
#: How far before an uncued quote the nearest named person may be, to be its speaker.
SPEAKER_REACH = 300

# --- quote marks -----------------------------------------------------------------------

_MARK = re.compile(r"``|''|‘‘|’’|[\"“”„«»‘’]")
_OPENING = frozenset({"“", "„", "«", "``", "‘‘"})
_CLOSING = frozenset({"”", "»", "’’"})
_OPEN_BEFORE = frozenset("([{—–-/:;,“‘")
_CLOSE_AFTER = frozenset(".,;:!?)]}—–-…”’\"'")
_PARAGRAPH = re.compile(r"[^\n]+")


@dataclass(frozen=True, slots=True)
class Quoted:
    """A stretch between quote marks, marks included; ``single`` for ‘...’."""

    start: int
    end: int
    single: bool = False


def _role(text: str, start: int, end: int) -> str:
    """``open``, ``close`` or ``either`` for the mark at ``start:end``, by its neighbours."""
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    left_open = before.isspace() or before in _OPEN_BEFORE
    right_closed = after.isspace() or after in _CLOSE_AFTER
    if left_open and not right_closed:
        return "open"
    if right_closed and not left_open:
        return "close"
    return "either"


def _opens(text: str, start: int) -> bool:
    """True when a quote mark opening a paragraph at ``start`` opens a quote."""
    mark = _MARK.match(text, start)
    if mark is None or mark.group() in _CLOSING or mark.group() == "’":
        return False
    return mark.group() in _OPENING or _role(text, mark.start(), mark.end()) != "close"


def find_quoted(text: str) -> list[Quoted]:
    """Pair the quote marks of ``text`` into top-level quoted stretches, in text order.

    Marks pair within a paragraph (a line). A quote left open at the end of a paragraph
    continues when the next paragraph opens with a mark, else it ends with its
    paragraph. Stray closing marks are ignored; quotes inside quotes are not reported.

    >>> text = 'He said: "We stay.\\n\\n"We will not leave." A "so'
    >>> [text[q.start:q.end] for q in find_quoted(text)]
    ['"We stay.\\n\\n"We will not leave."', '"so']
    """
    found: list[Quoted] = []
    paragraphs = [(m.start(), m.end()) for m in _PARAGRAPH.finditer(text) if m.group().strip()]
    open_at, opener, depth = -1, "", 0
    for number, (p_start, p_end) in enumerate(paragraphs):
        single_at = -1
        continued = depth > 0
        for index, mark in enumerate(_MARK.finditer(text, p_start, p_end)):
            char = mark.group()
            if index == 0 and continued:
                continue  # the mark that reopens a continued quote
            if char in "‘’":
                # Single marks count only outside double ones; "’" is mostly an apostrophe.
                role = _role(text, mark.start(), mark.end())
                if depth == 0 and char == "‘" and single_at < 0 and role != "close":
                    single_at = mark.start()
                elif depth == 0 and char == "’" and single_at >= 0 and role == "close":
                    found.append(Quoted(single_at, mark.end(), single=True))
                    single_at = -1
                continue
            # Curly marks say which they are, unless what stands beside them disagrees
            # (a typo: 'an “expedited review“ of').
            role = _role(text, mark.start(), mark.end())
            if char in _OPENING:
                role = "close" if role == "close" else "open"
            elif char in _CLOSING:
                role = "open" if role == "open" else "close"
            if depth == 0:
                if role != "close":
                    open_at, opener, depth, single_at = mark.start(), char, 1, -1
            elif role == "open" and char != opener:
                depth += 1  # a quote inside the quote, in other marks
            elif role == "open" and depth == 1:
                # The same mark opening again: the last quote was never closed. It ends
                # before this mark, which opens the next one.
                end = mark.start()
                while end > open_at and text[end - 1].isspace():
                    end -= 1
                found.append(Quoted(open_at, end))
                open_at = mark.start()
            else:
                depth -= 1
                if depth == 0:
                    found.append(Quoted(open_at, mark.end()))
        if depth:
            if number + 1 < len(paragraphs) and _opens(text, paragraphs[number + 1][0]):
                depth = 1
                continue
            end = p_end
            while end > open_at and text[end - 1].isspace():
                end -= 1
            found.append(Quoted(open_at, end))
            depth = 0
    return found


# --- quotes and cues -------------------------------------------------------------------


def _overlap(a: Bounds, b: Bounds) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def read_quotes(doc: Any, *, dateline_end: int = 0) -> list[Cue]:
    """Find the quotes of one parsed article (a spaCy ``Doc``), in text order.

    ``dateline_end``: the parser often takes a dateline place ("TEHRAN (ECNA) —") for
    the subject of the first sentence; nothing inside the dateline can be a speaker.
    """
    text = doc.text
    quoted = find_quoted(text)
    reader = CueReader(doc, [(q.start, q.end) for q in quoted], skip_before=dateline_end)
    reader.persons = [p for p in reader.persons if p[0] >= dateline_end]
    parsed = doc.has_annotation("DEP")
    cues = reader.verb_cues() if parsed else []
    taken: set[int] = set()
    for item in cues:
        if item.start == item.end:
            continue
        for number, quote in enumerate(quoted):
            if number not in taken and _overlap((item.start, item.end), (quote.start, quote.end)):
                item.start, item.end = min(item.start, quote.start), max(item.end, quote.end)
                item.quotes.append((quote.start, quote.end))
                taken.add(number)
    for item in reader.colon_cues() if parsed else []:
        taken.update(n for n, q in enumerate(quoted) if (q.start, q.end) in item.quotes)
        cues = [c for c in cues if not _overlap((c.start, c.end), (item.start, item.end))]
        cues.append(item)
    cues.extend(reader.headline_cues())
    for number, quote in enumerate(quoted):
        if number in taken:
            continue
        found = _cue_beside(reader, quote, cues)
        long = len(text[quote.start : quote.end].split()) >= MIN_UNCUED_WORDS
        if found is None and long and not quote.single:
            found = Cue(cue=None, start=quote.start, end=quote.end)
            cues.append(found)
        if found is not None:
            found.quotes.append((quote.start, quote.end))
    out: list[Cue] = []
    for item in sorted((c for c in cues if c.start < c.end), key=lambda c: (c.start, -c.end)):
        if out and item.end <= out[-1].end:
            if out[-1].speaker is None and item.speaker is not None:
                out[-1] = item  # the same content, found twice: keep the one with a speaker
            continue  # an attribution inside another one's content
        out.append(item)
    for item in out:
        if item.speaker is not None and item.speaker[0] < dateline_end:
            item.speaker = item.speaker_token = None
            item.cue_less_speaker = True
    _continue_speakers(reader, out)
    _resolve_speakers(reader, out)
    spans = [(q.start, q.end) for q in quoted]
    for item in out:
        item.kind = kind_of(item, spans)
    return out


def _cue_beside(reader: CueReader, quote: Quoted, cues: list[Cue]) -> Cue | None:
    """The nearest cue in the quote's paragraph that has no other content; it takes the quote."""
    low, high = reader.paragraph(quote.start)
    best: Cue | None = None
    best_distance = CUE_REACH + 1
    for item in cues:
        if item.cue is None or item.cue_token is None or item.cue_token.lower_ == "according":
            continue
        cue_start, cue_end = item.cue
        if not (low <= cue_start and cue_end <= high):
            continue
        if item.start < item.end and not any(
            _overlap((item.start, item.end), q) for q in item.quotes
        ):
            continue  # its content is not a quote: an indirect statement of its own
        if cue_start >= quote.end:
            distance = cue_start - quote.end
        elif cue_end <= quote.start:
            distance = quote.start - cue_end
        else:
            continue
        if distance < best_distance:
            best, best_distance = item, distance
    if best is not None:
        if best.start == best.end:
            best.start, best.end = quote.start, quote.end
        else:  # "A," he said. "B.": one quote from the first mark to the last
            best.start, best.end = min(best.start, quote.start), max(best.end, quote.end)
    return best


def _continue_speakers(reader: CueReader, found: list[Cue]) -> None:
    """An uncued quote continues the quote just before it, else the nearest person before it."""
    text = reader.text
    for index, item in enumerate(found):
        if item.speaker is not None or (item.cue is not None and not item.cue_less_speaker):
            continue
        previous = found[index - 1] if index else None
        if previous is not None and previous.speaker is not None:
            between = text[previous.end : item.start]
            if between.count("\n") <= 2 and len(between) < 400:
                item.speaker, item.speaker_token = previous.speaker, previous.speaker_token
                item.resolved = previous.resolved
                continue
        for start, end, _ in reversed(reader.persons):
            if end <= item.start:
                if item.start - end <= SPEAKER_REACH:
                    item.speaker = (start, end)
                break


def _resolve_speakers(reader: CueReader, found: list[Cue]) -> None:
    """Resolve relative pronouns, personal pronouns and titles, for ``speaker_id``."""
    for item in found:
        token = item.speaker_token
        if token is None or item.speaker is None or item.resolved is not None:
            continue
        if token.tag_ in ("WP", "WDT") and token.head.dep_ == "relcl":
            item.resolved = reader.phrase(token.head.head)  # "Smith, who said": Smith
        elif token.lower_ in PERSON_PRONOUNS:
            item.resolved = _recent_person(reader, token.idx, None)
        elif token.pos_ == "NOUN" and token.lower_ in TITLE_NOUNS:
            item.resolved = _recent_person(reader, token.idx, token.lower_)


def _recent_person(reader: CueReader, before: int, title: str | None) -> Bounds | None:
    """The most recent person named before ``before``: as a subject first, else any;
    with ``title``, the most recent named with that word beside the name."""
    fallback = None
    for start, end, subject in reversed(reader.persons):
        if end > before:
            continue
        if title is not None:
            window = reader.text[max(0, start - 60) : end + 60].lower()
            if re.search(rf"\b{re.escape(title)}\b", window):
                return start, end
        elif subject:
            return start, end
        elif fallback is None:
            fallback = (start, end)
    return fallback


def kind_of(item: Cue, quoted: Sequence[Bounds]) -> QuoteKind:
    """``statement``, ``direct``, ``mixed`` or ``indirect`` (see the module docstring)."""
    if item.introduced == "statement":
        return "statement"
    inside = [q for q in quoted if _overlap(q, (item.start, item.end))]
    if not inside:
        return "direct" if item.introduced else "indirect"
    if any(q[0] == item.start for q in inside) and any(q[1] == item.end for q in inside):
        return "direct"
    return "mixed"


# --- the stage -------------------------------------------------------------------------


_OPEN_MARKS = '"“„«‘'
_CLOSE_MARKS = '"”»’'


def _inside_marks(text: str, start: int, end: int) -> Bounds:
    """A content that is all one quotation, without its outer marks: what was said.

    ``"We are ready," he said`` has the content ``We are ready,``; a content that only
    holds quoted words ("said it would 'act'") keeps its marks where they are.
    """
    if end - start >= 2 and text[start] in _OPEN_MARKS and text[end - 1] in _CLOSE_MARKS:
        inner = text[start + 1 : end - 1]
        if not any(mark in inner for mark in '"“”'):
            return start + 1, end - 1
    return start, end


def _span(text: str, bounds: Bounds | None) -> Span | None:
    if bounds is None or bounds[0] >= bounds[1]:
        return None
    return Span(bounds[0], bounds[1], text[bounds[0] : bounds[1]])


class _Actors:
    """Finds the actor whose mention overlaps a span the most."""

    def __init__(self, actors: Sequence[Actor], text: str = "") -> None:
        self.text = text
        self.mentions = [
            (mention.start, mention.end, actor.id)
            for actor in actors
            for mention in (actor.mentions or (actor,))
        ]
        #: Each word of a person's name -> the people named with it.
        self.name_words: dict[str, list[str]] = {}
        for actor in actors:
            if actor.kind == "person":
                for word in actor.name.lower().split():
                    self.name_words.setdefault(word, []).append(actor.id)

    def at(self, *spans: Bounds | None) -> str | None:
        """The actor for the first of ``spans`` that any mention overlaps."""
        for bounds in spans:
            if bounds is None:
                continue
            best = max(
                ((_overlap((start, end), bounds), actor) for start, end, actor in self.mentions),
                default=(0, None),
            )
            if best[0] > 0:
                return best[1]
            # "Usman said": one person named in full elsewhere, called by one name.
            words = self.text[bounds[0] : bounds[1]].split()
            named = bool(words) and all(w[:1].isupper() for w in words)  # "Mr. Clarke"
            people = self.name_words.get(words[-1].lower(), []) if named else []
            if len(people) == 1:
                return people[0]
        return None


class QuotesStage:
    """Find direct, indirect and mixed quotes and statements, with speaker and addressee."""

    name: ClassVar[str] = "quotes"
    requires: ClassVar[frozenset[str]] = frozenset({"doc", "entities"})
    produces: ClassVar[frozenset[str]] = frozenset({"quotes"})

    def __init__(self, settings: Settings) -> None:
        # Nothing to load: the lexicon and patterns are built at import.
        self.settings = settings

    def __call__(self, batch: Sequence[Analysis]) -> list[Analysis]:
        """Fill ``quotes``; articles without a parse (skipped languages) pass unchanged."""
        return [self._one(analysis) if analysis.doc is not None else analysis for analysis in batch]

    def _one(self, analysis: Analysis) -> Analysis:
        article = analysis.article
        text = article.text
        actors = _Actors(analysis.actors, text)
        quotes = tuple(
            Quote(
                id=f"{article.id}-q{number}",
                article_id=article.id,
                start=(bounds := _inside_marks(text, item.start, item.end))[0],
                end=bounds[1],
                text=text[bounds[0] : bounds[1]],
                kind=item.kind,
                speaker_id=actors.at(item.speaker, item.resolved),
                speaker=_span(text, item.speaker),
                cue=_span(text, item.cue),
                addressee_id=actors.at(item.addressee),
                addressee=_span(text, item.addressee),
            )
            for number, item in enumerate(
                read_quotes(
                    analysis.doc,
                    dateline_end=article.dateline.end if article.dateline else 0,
                )
            )
        )
        return dataclasses.replace(analysis, quotes=quotes)
