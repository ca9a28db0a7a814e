"""What the story machinery reads off an article: words, shingles, figures, names, day.

Everything here is a pure function of a stored :class:`~newsgraph.model.Analysis`, so
features can be recomputed at any time and never need to be stored beside the text:

- :func:`shingles` — the word 3-grams MinHash fingerprints are made of (near-duplicates);
- :func:`figures` — the numbers a text states; two reports that share most of their
  wording but not their figures (daily market templates) are not copies;
- :func:`story_terms` — weighted content words and names for story clustering. Names come
  from the extraction stages when they ran (actors by knowledge-base id, places by
  GeoNames id, named entities by text), otherwise from capitalised phrases in the text;
- :func:`article_day` — the publication day as a day number, the clock of the time window.

>>> sorted(shingles("Troops shelled the town."))
['shelled the town', 'troops shelled the']
>>> figures("Output rose 3.2 pct to 1,250 tonnes in 1986.")
('1250', '1986', '3.2')
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from datetime import date
from typing import Final

from newsgraph.model import Analysis, Article

SHINGLE_SIZE: Final = 3
TITLE_WEIGHT: Final = 2.0
NAME_WEIGHT: Final = 1.5
NAME_PREFIX: Final = "@"
_EPOCH: Final = date(1970, 1, 1)

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
# A number, with thousands separators, decimals and wire-style fractions ("6-1/8").
_NUMBER = re.compile(r"(?<![\w.,/\-])\d[\d,]*(?:\.\d+)?(?:[-/]\d+(?:/\d+)?)?(?![\w/])")
_LETTER = re.compile(r"[^\W\d_]")
# A run of capitalised words (with "of", "de", "al" ... inside): a name when no NER ran.
_NAME = re.compile(
    r"(?<![\w.])(?:[A-Z][\w'’\-]*\.?)(?:\s+(?:(?:of|de|do|da|dos|du|del|di|la|le|el|al|bin|van|von|der|the)\s+)?"
    r"[A-Z][\w'’\-]*\.?)*"
)
_SENTENCE_START = re.compile(r"(?:^\s*|[.!?:;\"“”]\s+|\n\s*)$")
# Entity labels that name a participant or a place of a story (not dates, amounts ...).
NAME_LABELS: Final = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART"}
)

# Function words and the reporting vocabulary every story shares; written for the project
# (a word list reads better as text than as 250 quoted strings).
_STOPWORD_TEXT: Final = """
    a about above after again against ago all almost along already also although am among an
    and another any anyone anything are around as at back be became because been before being
    below between both but by can cannot could did do does doing done down during each either
    else enough even ever every few for from further had has have having he her here hers
    herself him himself his how however i if in including into is it its itself just last
    least less like made make many may me might more most mostly much must my myself near
    neither never no nor not now of off on once one only or other others our ours ourselves
    out over own per perhaps rather same several shall she should since so some such than
    that the their theirs them themselves then there these they this those though three
    through thus to too two under until up upon us very via was we were what whatever when
    where whether which while who whom whose why will with within without would yet you your
    yours yourself mr mrs ms dr
    said says say saying told tell tells according added adding reported reporting report
    reports statement spokesman spokeswoman spokesperson official officials news agency
    monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow week
    weeks month months year years day days time times
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    reuter reuters ap afp inc corp co ltd plc
"""
STOPWORDS: Final = frozenset(_STOPWORD_TEXT.split())


@functools.lru_cache(maxsize=2048)
def words(text: str) -> tuple[str, ...]:
    """Lower-cased word tokens (letters and digits; an apostrophe may join two parts).

    Cached for the last texts seen: fingerprints and story features read the same texts.
    """
    return tuple(_WORD.findall(text.casefold().replace("’", "'")))


def shingles(text: str, *, size: int = SHINGLE_SIZE) -> set[str]:
    """The word n-grams of ``text`` (``size`` words each); short texts give one shingle.

    Word shingles survive re-wrapping, re-punctuation and changes of case, which is what
    republication does to a wire story; they change where words are replaced or cut.
    """
    tokens = words(text)
    if len(tokens) <= size:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(gram) for gram in zip(*(tokens[i:] for i in range(size)), strict=False)}


def figures(text: str) -> tuple[str, ...]:
    """The distinct numbers written in ``text`` (thousands separators dropped), sorted."""
    return tuple(sorted({match.group().replace(",", "") for match in _NUMBER.finditer(text)}))


def stem(word: str) -> str:
    """A deliberately light plural folding: ``talks`` → ``talk``, ``companies`` → ``company``.

    >>> [stem(w) for w in ("talks", "companies", "business", "bus", "news")]
    ['talk', 'company', 'business', 'bus', 'news']
    """
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is", "ws")):
        return word[:-1]
    return word


_CONTENT: dict[str, str] = {}  # word -> its stem, or "" when it is no content word
_CONTENT_LIMIT: Final = 1 << 18


def _content(word: str) -> str:
    if len(word) <= 2 or word in STOPWORDS or not _LETTER.search(word):
        return ""
    return stem(word)


def content_words(text: str) -> list[str]:
    """Words that say what a story is about: no function words, numbers or one-letter bits."""
    cache = _CONTENT
    if len(cache) > _CONTENT_LIMIT:
        cache.clear()  # a bound on memory; the cache refills with the words in use
    found = []
    for word in words(text):
        kept = cache.get(word)
        if kept is None:
            kept = cache[word] = _content(word)
        if kept:
            found.append(kept)
    return found


@functools.lru_cache(maxsize=2048)
def text_names(text: str) -> tuple[str, ...]:
    """Capitalised phrases that are not just a sentence's first word (a cheap stand-in for NER).

    Cached for the last texts seen, as :func:`words`.

    >>> text_names("Talks resumed. The IMF and Banco do Brasil met in Rio de Janeiro.")
    ('imf', 'banco do brasil', 'rio de janeiro')
    """
    found = []
    for match in _NAME.finditer(text):
        phrase = match.group().strip(" .")
        tokens = phrase.split()
        before = text[max(0, match.start() - 3) : match.start()]
        at_start = _SENTENCE_START.search(before) is not None
        if at_start:
            tokens = tokens[1:]  # "The", "Talks" at a sentence start say nothing
        if not tokens or (len(tokens) == 1 and tokens[0].casefold() in STOPWORDS):
            continue
        name = " ".join(tokens).casefold()
        if len(name) < 2 or name in STOPWORDS:
            continue
        found.append(name)
    return tuple(found)


def _normal_name(text: str) -> str:
    return " ".join(words(text))


def analysis_names(analysis: Analysis) -> list[str]:
    """Name keys of an analysed article: actors, places and named entities.

    Actors count by knowledge-base id (so "U.S." and "Washington" as the US government
    agree), places by GeoNames id, other entities by their normalised text. Without any
    extraction, capitalised phrases of the text stand in.
    """
    names: list[str] = []
    for actor in analysis.actors:
        key = f"kb:{actor.kb_id}" if actor.kb_id else _normal_name(actor.name)
        names.extend([key] * max(1, len(actor.mentions)))
    for place in analysis.places:
        key = f"geo:{place.geonameid}" if place.geonameid else _normal_name(place.name)
        names.extend([key] * max(1, len(place.mentions)))
    for entity in analysis.entities:
        if entity.label in NAME_LABELS:
            names.append(_normal_name(entity.text))
    if not (analysis.actors or analysis.places or analysis.entities):
        names = list(text_names(analysis.article.text))
    return [name for name in names if name]


def story_terms(analysis: Analysis) -> dict[str, float]:
    """Raw term counts for clustering: content words, title words, and names (prefixed ``@``).

    Title words count :data:`TITLE_WEIGHT` times, names :data:`NAME_WEIGHT` times; the
    clusterer turns these counts into TF-IDF weights.
    """
    counts: dict[str, float] = defaultdict(float)
    article = analysis.article
    for word in content_words(article.text):
        counts[word] += 1.0
    if article.title:
        for word in content_words(article.title):
            counts[word] += TITLE_WEIGHT
    for name in analysis_names(analysis):
        counts[NAME_PREFIX + name] += NAME_WEIGHT
    return dict(counts)


def article_day(article: Article) -> int | None:
    """The publication day as days since 1970-01-01, or None when unknown."""
    if not article.published:
        return None
    try:
        return (date.fromisoformat(article.published.strip()[:10]) - _EPOCH).days
    except ValueError:
        return None


def day_iso(day: int | None) -> str | None:
    """The ISO date of a day number (the inverse of :func:`article_day`).

    >>> day_iso(19846)
    '2024-05-03'
    """
    if day is None:
        return None
    return date.fromordinal(_EPOCH.toordinal() + day).isoformat()
