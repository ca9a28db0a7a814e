"""Near-duplicates and syndication: copies and light rewrites of one story, and its original.

Each article gets a :class:`Fingerprint`: a MinHash signature (datasketch, 128
permutations) of its word 3-shingles, the number of distinct shingles, the figures it
states, its name and headline words and its publication day. Candidate pairs come from
LSH banding of the signature (:func:`band_keys_of`, stored in DuckDB so that later runs
find old articles without rebuilding an index); each candidate is then checked by
:func:`is_near_duplicate`:

- the estimated Jaccard similarity ``J`` of the two shingle sets, and from it and the set
  sizes the estimated *containment* of the smaller text in the larger one,
  ``|A∩B| / min(|A|, |B|) = J (|A| + |B|) / ((1 + J) min(|A|, |B|))``;
- a pair is a near-duplicate when ``containment >= 0.6`` and ``J >= 0.25`` (a truncated or
  boiler-plated copy keeps a high containment while its Jaccard falls), when the two
  days are at most a day apart (unknown days do not count against), and when the texts
  do not disagree on their figures: if both state at least 2 numbers, at least 60% of the
  smaller set must be shared (a copy keeps its figures; an update changes a few). Daily
  market reports written from one template share their wording but not their figures;
- and when they name the same people and organisations: if both texts have capitalised
  names (:func:`name_words`), at least half of the smaller set of name words must be
  shared. Dividend notices or price postings of two companies share a template but not
  the company. A text under 30 shingles (a dividend notice, a prime rate change) must
  share 90% of its name words and of its headline words: such a body says little more
  than its template.

Copies form groups (the connected components of near-duplicate links); the group's
*original* is chosen by :func:`choose_original` — the earliest published, then the
agency's own copy, then the most complete copy. Thresholds and how they were tuned are
in ``docs/stories.md``.
"""

from __future__ import annotations

import functools
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

import numpy as np
from datasketch import MinHash  # type: ignore[import-untyped]

from newsgraph.model import Article
from newsgraph.stories.features import (
    STOPWORDS,
    article_day,
    content_words,
    figures,
    shingles,
    text_names,
)

NUM_PERM: Final = 128
SEED: Final = 1
BANDS: Final = 42
ROWS: Final = 3
_SIGNATURE_DTYPE: Final = np.dtype("<u4")


@dataclass(frozen=True, slots=True)
class DuplicateOptions:
    """Thresholds of the near-duplicate test (defaults tuned as ``docs/stories.md`` says).

    Attributes:
        containment: least estimated containment of the smaller text in the larger.
        jaccard: least estimated Jaccard similarity of the shingle sets.
        max_days: most days between the two publication days (when both are known).
        figure_overlap: least share of the smaller figure set found in the other.
        min_figures: figures each text must state before they are compared.
        name_overlap: least share of the smaller set of capitalised names found in the
            other (when both texts name someone).
        short_text: shingles under which a text says too little to be told apart from a
            template notice by its wording alone.
        short_name_overlap: for a short text, the least share of name words, and of
            headline words, found in the other.
    """

    containment: float = 0.6
    jaccard: float = 0.25
    max_days: int = 1
    figure_overlap: float = 0.6
    min_figures: int = 2
    name_overlap: float = 0.5
    short_text: int = 30
    short_name_overlap: float = 0.9


@dataclass(frozen=True, slots=True, eq=False)
class Fingerprint:
    """What near-duplicate detection keeps of an article."""

    article_id: str
    signature: np.ndarray = field(repr=False)
    size: int
    figures: tuple[str, ...] = ()
    day: int | None = None
    names: tuple[str, ...] = ()
    title: tuple[str, ...] = ()

    def to_bytes(self) -> bytes:
        """The signature as little-endian uint32 bytes (how it is stored)."""
        return self.signature.astype(_SIGNATURE_DTYPE).tobytes()

    @staticmethod
    def signature_from_bytes(data: bytes) -> np.ndarray:
        """The signature stored by :meth:`to_bytes`."""
        return np.frombuffer(data, dtype=_SIGNATURE_DTYPE).astype(np.uint32)


@dataclass(frozen=True, slots=True)
class Similarity:
    """How alike two fingerprints are."""

    jaccard: float
    containment: float
    figures: float | None = None
    names: float | None = None


@functools.cache
def _permutations() -> np.ndarray:
    permutations: np.ndarray = MinHash(num_perm=NUM_PERM, seed=SEED).permutations
    return permutations


def minhash(items: set[str]) -> MinHash:
    """The MinHash of a set of strings (CRC-32 hashed: stable across processes).

    datasketch's ``affine32`` scheme mixes each input hash with the MurmurHash3
    finaliser before permuting, so CRC-32 is a sound, fast input hash.
    """
    sketch = MinHash(
        num_perm=NUM_PERM,
        seed=SEED,
        hashfunc=zlib.crc32,
        permutations=_permutations(),
        scheme="affine32",
    )
    if items:
        sketch.update_batch([item.encode("utf-8") for item in items])
    return sketch


def fingerprint(article: Article) -> Fingerprint:
    """The fingerprint of an article's text (the headline is left out: outlets rewrite it).

    >>> from newsgraph.model import Article
    >>> a = Article.from_text("Troops shelled the town on Tuesday, killing 3 people.")
    >>> b = Article.from_text("Troops shelled the town on Tuesday, killing 3 people, AP said.")
    >>> compare(fingerprint(a), fingerprint(b)).containment > 0.7
    True
    """
    return fingerprints([article])[0]


def fingerprints(articles: Sequence[Article]) -> list[Fingerprint]:
    """The fingerprints of many articles (their signatures computed together)."""
    item_sets = [shingles(article.text) for article in articles]
    computed = signatures(item_sets)
    return [
        Fingerprint(
            article_id=article.id,
            signature=computed[number],
            size=len(items),
            figures=figures(article.text),
            day=article_day(article),
            names=name_words(article.text),
            title=tuple(sorted(set(content_words(article.title or "")))),
        )
        for number, (article, items) in enumerate(zip(articles, item_sets, strict=True))
    ]


def signatures(item_sets: Sequence[set[str]]) -> np.ndarray:
    """MinHash signatures of many sets: an ``(n, NUM_PERM)`` uint32 array.

    One datasketch MinHash per set: small per-set arrays stay in the CPU cache, which
    measured faster than permuting a whole batch's shingles in one large array.
    """
    found = np.empty((len(item_sets), NUM_PERM), dtype=np.uint32)
    for number, items in enumerate(item_sets):
        found[number] = minhash(items).hashvalues
    return found


_SALT: Final = np.uint64(0x9E3779B97F4A7C15)
_MIX1: Final = np.uint64(0xFF51AFD7ED558CCD)
_MIX2: Final = np.uint64(0xC4CEB9FE1A85EC53)
_SHIFT: Final = np.uint64(33)


def _fmix64(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, element-wise (multiplication wraps, as intended)."""
    values = values ^ (values >> _SHIFT)
    values = values * _MIX1
    values = values ^ (values >> _SHIFT)
    values = values * _MIX2
    mixed: np.ndarray = values ^ (values >> _SHIFT)
    return mixed


def name_words(text: str) -> tuple[str, ...]:
    """The words of the capitalised names in ``text`` (single words survive edits better).

    >>> name_words("Talks resumed. The IMF met Banco do Brasil in Rio de Janeiro.")
    ('banco', 'brasil', 'imf', 'janeiro', 'rio')
    """
    found = {
        word
        for name in text_names(text)
        for word in name.split()
        if len(word) > 2 and word not in STOPWORDS
    }
    return tuple(sorted(found))


def band_keys_of(signatures: np.ndarray, *, bands: int = BANDS, rows: int = ROWS) -> np.ndarray:
    """LSH band keys of many signatures at once: an ``(n, bands)`` array of signed 64-bit keys.

    A band's key mixes its ``rows`` values and the band's number, so two signatures share
    a key (but for a 2**-64 chance) only when the band's values are all equal, which
    happens with probability ``J ** rows``. With 42 bands of 3 rows a pair with Jaccard
    0.5 shares at least one key with probability 0.996, a pair with 0.3 with 0.68, and a
    pair of unrelated texts (J = 0.02) with 0.0003 (see ``docs/stories.md``).
    """
    block = np.atleast_2d(signatures)[:, : bands * rows].astype(np.uint64)
    block = block.reshape(len(block), bands, rows)
    keys = np.broadcast_to(
        (np.arange(1, bands + 1, dtype=np.uint64) * _SALT), (len(block), bands)
    ).copy()
    for row in range(rows):
        keys = _fmix64(keys ^ block[:, :, row])
    return keys.view(np.int64)


def band_keys(signature: np.ndarray, *, bands: int = BANDS, rows: int = ROWS) -> list[int]:
    """The LSH band keys of one signature (see :func:`band_keys_of`)."""
    return [int(key) for key in band_keys_of(signature, bands=bands, rows=rows)[0]]


def compare(a: Fingerprint, b: Fingerprint) -> Similarity:
    """Estimated Jaccard, containment and figure agreement of two fingerprints."""
    jaccard = float(np.count_nonzero(a.signature == b.signature)) / NUM_PERM
    smaller = min(a.size, b.size)
    if smaller == 0:
        containment = 0.0
    else:
        shared = jaccard * (a.size + b.size) / (1.0 + jaccard)
        containment = min(1.0, shared / smaller)
    return Similarity(
        jaccard, containment, _overlap(a.figures, b.figures), _overlap(a.names, b.names)
    )


def _overlap(a: tuple[str, ...], b: tuple[str, ...]) -> float | None:
    if not a or not b:
        return None
    return len(set(a) & set(b)) / min(len(a), len(b))


def is_near_duplicate(
    a: Fingerprint, b: Fingerprint, *, options: DuplicateOptions | None = None
) -> Similarity | None:
    """The similarity of ``a`` and ``b`` when they are near-duplicates, else None."""
    options = options or DuplicateOptions()
    if a.day is not None and b.day is not None and abs(a.day - b.day) > options.max_days:
        return None
    similarity = compare(a, b)
    if similarity.jaccard < options.jaccard or similarity.containment < options.containment:
        return None
    if (
        min(len(a.figures), len(b.figures)) >= options.min_figures
        and similarity.figures is not None
        and similarity.figures < options.figure_overlap
    ):
        return None
    short = min(a.size, b.size) < options.short_text
    names_needed = options.short_name_overlap if short else options.name_overlap
    if similarity.names is not None and similarity.names < names_needed:
        return None
    if short:
        titles = _overlap(a.title, b.title)
        if titles is not None and titles < options.short_name_overlap:
            return None
    return similarity


# -- originals -------------------------------------------------------------------------

# News agencies under the names outlets print, folded to one key each.
_AGENCIES: Final = {
    "reuters": "reuters",
    "reuter": "reuters",
    "associated press": "associated press",
    "ap": "associated press",
    "agence france presse": "afp",
    "agence france-presse": "afp",
    "afp": "afp",
    "bloomberg": "bloomberg",
    "xinhua": "xinhua",
    "tass": "tass",
    "itar-tass": "tass",
    "ria novosti": "ria novosti",
    "interfax": "interfax",
    "dpa": "dpa",
    "deutsche presse-agentur": "dpa",
    "ansa": "ansa",
    "efe": "efe",
    "kyodo": "kyodo",
    "jiji": "jiji",
    "yonhap": "yonhap",
    "pti": "pti",
    "press trust of india": "pti",
    "anadolu": "anadolu",
    "anadolu agency": "anadolu",
    "upi": "upi",
    "united press international": "upi",
    "wafa": "wafa",
    "irna": "irna",
    "mena": "mena",
    "sana": "sana",
    "aap": "aap",
    "canadian press": "canadian press",
    "pa media": "pa",
    "press association": "pa",
}
_BYLINE_AGENCY = re.compile(
    r"\b(" + "|".join(sorted((re.escape(k) for k in _AGENCIES), key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
_PUNCTUATION = re.compile(r"[^\w\s-]+")


def outlet_key(name: str | None) -> str | None:
    """The key an outlet or agency name is counted under: folded case, agencies by one name.

    >>> outlet_key("The Associated Press"), outlet_key("AFP"), outlet_key("Al Jazeera")
    ('associated press', 'afp', 'al jazeera')
    """
    if not name:
        return None
    key = " ".join(_PUNCTUATION.sub(" ", name).casefold().split())
    key = key.removeprefix("the ")
    return _AGENCIES.get(key, key) or None


def agency_of(article: Article) -> str | None:
    """The news agency an article credits: its dateline's agency, else one named in its byline."""
    if article.dateline and article.dateline.agency:
        return outlet_key(article.dateline.agency)
    if article.byline and (match := _BYLINE_AGENCY.search(article.byline)):
        return _AGENCIES[match.group(1).casefold()]
    return None


@dataclass(frozen=True, slots=True)
class Member:
    """What choosing an original needs to know of one copy."""

    article_id: str
    published: str | None
    source: str | None
    agency: str | None
    fingerprint: Fingerprint | None = None

    @classmethod
    def of(cls, article: Article, fingerprint: Fingerprint | None = None) -> Member:
        """The member record of an article."""
        return cls(
            article.id, article.published, outlet_key(article.source), agency_of(article),
            fingerprint,
        )  # fmt: skip


def _moment(published: str | None) -> tuple[str, datetime | None] | None:
    """(day, exact time or None) of an ISO date or date-time."""
    if not published:
        return None
    day = published.strip()[:10]
    if len(published.strip()) <= 10:
        return day, None
    try:
        moment = datetime.fromisoformat(published.strip())
    except ValueError:
        return day, None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return day, moment


def choose_original(members: Sequence[Member]) -> tuple[str, str]:
    """The original of a group of copies, and the rule that chose it (the reason).

    The rules, in order (the reason returned names the last one that narrowed the choice):

    1. ``earliest``: the one published first. Days decide first; times only break a tie
       when every copy of that day has a time.
    2. ``agency``: among copies still tied, the agency's own copy — the one whose source
       is the agency that the copies' datelines or bylines credit.
    3. ``complete``: among those still tied, the most complete version: the copy that
       holds most of the other copies' text (a truncated copy holds less), the shortest
       of those within 5% (a copy with web boilerplate or a new lead is longer). This is
       the weakest rule: text alone cannot tell an original from a copy with additions.
    4. ``first``: the smallest article id, so the choice never depends on input order.

    >>> members = [Member("b", "2024-05-03", "al jazeera", "reuters"),
    ...            Member("a", "2024-05-03", "reuters", "reuters"),
    ...            Member("c", "2024-05-04", "reuters", "reuters")]
    >>> choose_original(members)
    ('a', 'agency')
    """
    if not members:
        raise ValueError("choose_original needs at least one member")
    ordered = sorted(members, key=lambda m: m.article_id)
    tied = list(ordered)
    reason = "first"
    moments = {m.article_id: _moment(m.published) for m in tied}
    dated = [m for m in tied if moments[m.article_id] is not None]
    if dated:
        first_day = min(moments[m.article_id][0] for m in dated)  # type: ignore[index]
        same_day = [m for m in dated if moments[m.article_id][0] == first_day]  # type: ignore[index]
        times = [moments[m.article_id][1] for m in same_day]  # type: ignore[index]
        if len(same_day) > 1 and all(t is not None for t in times):
            earliest = min(t for t in times if t is not None)
            same_day = [m for m, t in zip(same_day, times, strict=True) if t == earliest]
        if len(same_day) < len(tied):
            reason = "earliest"
        tied = same_day
    if len(tied) > 1:
        agencies = {m.agency for m in members if m.agency}
        own = [m for m in tied if m.source and m.source in agencies]
        if own and len(own) < len(tied):
            tied, reason = own, "agency"
    if len(tied) > 1 and all(m.fingerprint is not None for m in members):
        covering = _coverings(tied, members)
        # Coverage estimates are noisy (MinHash): within 5% counts as a tie, broken by size.
        best = max(covering.values())
        margin = 0.05 * (len(members) - 1)
        complete = [m for m in tied if m.article_id in covering]
        complete = [m for m in complete if covering[m.article_id] >= best - margin]
        sizes = {m.article_id: m.fingerprint.size for m in complete if m.fingerprint}
        smallest = min(sizes.values())
        complete = [m for m in complete if sizes[m.article_id] == smallest]
        if len(complete) < len(tied):
            tied, reason = complete, "complete"
    return tied[0].article_id, reason


#: Most copies compared when choosing the most complete one: in a larger group (a template
#: repeated thousands of times) the candidates are the largest copies and the coverage is
#: estimated against a sample of the group (the smallest ids), so choosing an original
#: costs the same for any group size instead of growing with its square.
COVERING_SAMPLE: Final = 64


def _coverings(tied: Sequence[Member], members: Sequence[Member]) -> dict[str, float]:
    """How much of the other copies' text each candidate in ``tied`` holds: the sum of
    their containments (estimated from a sample of :data:`COVERING_SAMPLE` copies in a
    larger group, scaled to the group's size)."""
    candidates = sorted(tied, key=lambda m: (-_size(m), m.article_id))[:COVERING_SAMPLE]
    sample = sorted(members, key=lambda m: m.article_id)[: COVERING_SAMPLE + 1]
    mine = np.stack([_signature(m) for m in candidates])
    theirs = np.stack([_signature(m) for m in sample])
    my_sizes = np.array([_size(m) for m in candidates], dtype=np.float64)[:, None]
    their_sizes = np.array([_size(m) for m in sample], dtype=np.float64)[None, :]
    jaccard = (mine[:, None, :] == theirs[None, :, :]).sum(axis=2) / NUM_PERM
    shared = jaccard * (my_sizes + their_sizes) / (1.0 + jaccard)
    with np.errstate(divide="ignore", invalid="ignore"):
        contained = np.minimum(1.0, shared / their_sizes)
    usable = np.broadcast_to(their_sizes > 0, contained.shape).copy()
    for row, member in enumerate(candidates):
        for column, other in enumerate(sample):
            if other.article_id == member.article_id:
                usable[row, column] = False
    contained = np.where(usable, contained, 0.0)
    totals = contained.sum(axis=1)
    if len(sample) < len(members):  # a sample: scale its mean to the whole group
        compared = np.maximum(usable.sum(axis=1), 1)
        totals = totals / compared * (len(members) - 1)
    return {m.article_id: float(total) for m, total in zip(candidates, totals, strict=True)}


def _size(member: Member) -> int:
    return member.fingerprint.size if member.fingerprint is not None else 0


def _signature(member: Member) -> np.ndarray:
    assert member.fingerprint is not None
    return member.fingerprint.signature
