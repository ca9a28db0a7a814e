"""Online story clustering: each new article joins the closest open story or opens one.

The method is single-pass clustering with centroids, as in the TDT (topic detection and
tracking) systems, made incremental:

- **Features.** An article is a TF-IDF vector over its content words, its headline words
  (counted twice) and its names (actors, places, entities; prefixed ``@``, counted 1.5
  times) — see :func:`newsgraph.stories.features.story_terms`. Document frequencies are
  kept online (:class:`Vocabulary`): each article updates them before it is weighed, so
  nothing is ever recomputed. Weights are ``(1 + ln tf) · (ln((N + 1) / (df + 1)) + 1)``,
  L2-normalised.
- **Stories.** A story keeps the sum of its members' term-frequency vectors, cut to its
  :attr:`ClusterOptions.centroid_terms` heaviest terms, its first and last day, and its
  size. Similarity is the cosine of the article with that centroid, IDF applied to both
  with the document frequencies of the moment.
- **Time.** A story is one happening, so it is bounded in time. An article may only join a
  story whose days come within the story's window of its own: the window adapts to how
  reports of that story arrive — three times the story's mean gap between reporting days,
  at least :attr:`ClusterOptions.min_window_days` and at most
  :attr:`ClusterOptions.window_days` — and no story spans more than
  :attr:`ClusterOptions.max_span_days` from its first to its last day. Similarity is halved
  for every :attr:`ClusterOptions.half_life_days` between the article's day and the story's
  nearest day. An article without a date never matches every date: it joins a story only on
  strong content evidence (:attr:`ClusterOptions.undated_threshold`).
- **Names.** A story is about someone or somewhere: when both the article and the story
  have names (actors, places, entities), an article that shares none of them with the
  story's heaviest terms does not join it, whatever its words — two companies' earnings
  notices share their template, not their story.
- **Candidates.** An inverted index from each story's heaviest terms to the story finds the
  stories worth scoring (those sharing the most weight of the article's heaviest terms,
  looking at the most recently grown stories of each term), so the cost of an article is
  bounded however many stories there are.
- **Decision.** The best-scoring story is joined when its score reaches
  :attr:`ClusterOptions.threshold`; otherwise the article opens a story. A copy of an
  article already placed (a near-duplicate) joins that article's story whatever its score.
- **Consolidation.** Single-pass clustering depends on arrival order: a story's first
  reports may open two stories before the report that links them arrives. After each batch
  the stories that grew are compared with their candidates, centroid to centroid, and two
  stories whose centroids reach :attr:`ClusterOptions.merge_threshold` (and whose days and
  names are compatible) merge into the older one, so a story that survives keeps its id.

How the threshold and window were tuned, and the figures they give, are in
``docs/stories.md``.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice, repeat
from operator import mul
from typing import Final

IDF_REFRESH: Final = 1.25
NAME_PREFIX: Final = "@"


@dataclass(frozen=True, slots=True)
class ClusterOptions:
    """Parameters of the online clusterer (defaults tuned as ``docs/stories.md`` says).

    Attributes:
        threshold: least score (cosine with the centroid, after time decay) to join a story.
        undated_threshold: least score for an article without a date (strong evidence only).
        window_days: most days between an article and the nearest day of a story, however
            slowly the story's reports arrive.
        min_window_days: the window of a story told on one day (or in quick succession).
        max_span_days: most days from a story's first day to its last.
        shared_name: whether an article with names must share one with a story that has names.
        merge_threshold: least cosine between two stories' centroids for
            :meth:`OnlineClusterer.consolidate` to merge them (None: never merge).
        half_life_days: days over which the cosine is halved, counted from the story's
            nearest day (None: no decay).
        centroid_terms: terms a story's centroid keeps.
        index_terms: a story's heaviest terms that point to it in the candidate index.
        query_terms: an article's heaviest terms looked up in the candidate index.
        max_candidates: stories scored in full, those sharing the most weight of the
            article's heaviest terms.
        posting_limit: stories looked at per term, the most recently grown (a common term
            heads thousands of stories; this bounds the cost of an article).
    """

    threshold: float = 0.15
    undated_threshold: float = 0.2
    window_days: int = 30
    min_window_days: int = 21
    max_span_days: int = 60
    shared_name: bool = True
    merge_threshold: float | None = 0.3
    half_life_days: float | None = 21.0
    centroid_terms: int = 120
    index_terms: int = 15
    query_terms: int = 15
    max_candidates: int = 10
    posting_limit: int = 300


class Vocabulary:
    """Document frequencies, updated one document at a time.

    IDF values are cached and the cache is renewed each time the collection has grown by
    25% (:data:`IDF_REFRESH`): weights move slowly, and looking them up is most of the cost
    of comparing an article with its candidate stories.

    >>> vocabulary = Vocabulary()
    >>> vocabulary.add(["talk", "cairo"]); vocabulary.add(["talk"])
    >>> vocabulary.documents, vocabulary.df["talk"], round(vocabulary.idf("cairo"), 3)
    (2, 2, 1.405)
    """

    def __init__(self, df: dict[str, int] | None = None, documents: int = 0) -> None:
        self.df: dict[str, int] = dict(df or {})
        self.documents = documents
        self.changed: set[str] = set()
        self.generation = 0
        self._idf: dict[str, float] = {}
        self._idf_documents = -1

    def add(self, terms: Iterable[str]) -> None:
        """Count one document containing ``terms`` (each counted once)."""
        self.documents += 1
        df = self.df
        for term in set(terms):
            df[term] = df.get(term, 0) + 1
        self.changed.update(terms)

    def _refresh(self) -> None:
        if self.documents > IDF_REFRESH * self._idf_documents + 1:
            self._idf.clear()
            self._idf_documents = self.documents
            self.generation += 1

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency, ``ln((N + 1) / (df + 1)) + 1``."""
        return self.weights((term,))[term]

    def weights(self, terms: Iterable[str]) -> dict[str, float]:
        """The IDF of each of ``terms`` (from the cache, filled on demand)."""
        self._refresh()
        cache, df = self._idf, self.df
        base = math.log(self._idf_documents + 1) + 1.0
        found = {}
        for term in terms:
            value = cache.get(term)
            if value is None:
                value = cache[term] = base - math.log(df.get(term, 0) + 1)
            found[term] = value
        return found

    def weigh(
        self, counts: dict[str, float], idf: dict[str, float] | None = None
    ) -> dict[str, float]:
        """The L2-normalised TF-IDF vector of raw term counts (``idf``: their IDF, if known)."""
        idf = idf if idf is not None else self.weights(counts)
        return _unit({term: (1.0 + math.log(count)) * idf[term] for term, count in counts.items()})


def _rank(item: tuple[int, float]) -> tuple[float, int]:
    """Candidates by shared weight, then by id (so ties never depend on dict order)."""
    return -item[1], item[0]


def term_frequencies(counts: dict[str, float]) -> dict[str, float]:
    """The unit-length ``1 + ln tf`` vector of raw term counts (what a centroid sums)."""
    return _unit({term: 1.0 + math.log(count) for term, count in counts.items() if count > 0})


def _unit(vector: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(value * value for value in vector.values()))
    if norm == 0.0:
        return {}
    return {term: value / norm for term, value in vector.items()}


@dataclass(slots=True)
class StoryCluster:
    """One story as the clusterer keeps it (and as ``story_clusters`` stores it).

    ``centroid`` sums the members' term-frequency vectors (``1 + ln tf``, each of unit
    length); IDF is applied when comparing, with the document frequencies of that moment,
    so the first stories of a young collection are not frozen with its flat early IDF.
    """

    id: int
    first_day: int | None
    last_day: int | None
    size: int
    centroid: dict[str, float]
    title: str | None = None
    first_article_id: str | None = None
    norm: float = 0.0
    _scored: dict[str, float] = field(default_factory=dict, repr=False)
    _norm_sq: float = 0.0
    _generation: int = -1

    def weighted(self, vocabulary: Vocabulary) -> dict[str, float]:
        """The centroid under the current IDF (its length is kept as :attr:`norm`).

        Recomputed in full only when the IDF has changed; :meth:`add` keeps it up to date
        term by term in between.
        """
        if self._generation != vocabulary.generation:
            idf = vocabulary.weights(self.centroid)
            self._scored = {term: value * idf[term] for term, value in self.centroid.items()}
            self._norm_sq = sum(value * value for value in self._scored.values())
            self.norm = math.sqrt(self._norm_sq)
            self._generation = vocabulary.generation
        return self._scored

    def weighted_norm(self, vocabulary: Vocabulary) -> float:
        """Length of the centroid under the current IDF."""
        self.weighted(vocabulary)
        return self.norm

    def add(
        self,
        frequencies: dict[str, float],
        vocabulary: Vocabulary,
        idf: dict[str, float] | None = None,
    ) -> None:
        """Add a member's term-frequency vector to the centroid (``idf``: its terms' IDF)."""
        scored = self.weighted(vocabulary)
        centroid = self.centroid
        idf = idf if idf is not None else vocabulary.weights(frequencies)
        norm_sq = self._norm_sq
        for term, value in frequencies.items():
            total = centroid.get(term, 0.0) + value
            centroid[term] = total
            old = scored.get(term, 0.0)
            new = scored[term] = total * idf[term]
            norm_sq += new * new - old * old
        self._norm_sq = max(norm_sq, 0.0)
        self.norm = math.sqrt(self._norm_sq)

    def keep(self, terms: Iterable[str]) -> None:
        """Cut the centroid back to ``terms``."""
        self.centroid = {term: self.centroid[term] for term in terms}
        self._generation = -1

    def similarity(self, weighted: dict[str, float], vocabulary: Vocabulary) -> float:
        """Cosine with an article, given as its TF-IDF vector already multiplied by IDF."""
        norm = self.weighted_norm(vocabulary)
        if norm == 0.0:
            return 0.0
        # map() over C callables: this dot product is the innermost loop of clustering.
        shared = map(self.centroid.get, weighted.keys(), repeat(0.0))
        dot: float = sum(map(mul, weighted.values(), shared))
        return dot / norm

    def gap(self, day: int | None) -> int:
        """Days between ``day`` and the story's span (0 inside it or when undated)."""
        if day is None or self.first_day is None or self.last_day is None:
            return 0
        return max(0, day - self.last_day, self.first_day - day)

    def window(self, options: ClusterOptions) -> int:
        """Days an article may lie outside the story's span and still join it.

        Three times the mean gap between the story's reports (a story told hour by hour
        closes within days, one told week by week stays open for weeks), bounded by
        :attr:`ClusterOptions.min_window_days` and :attr:`ClusterOptions.window_days`.

        >>> options = ClusterOptions()
        >>> StoryCluster(1, 100, 100, 5, {}).window(options)
        21
        >>> StoryCluster(1, 100, 130, 4, {}).window(options)
        30
        """
        if self.first_day is None or self.last_day is None or self.size < 2:
            return options.min_window_days
        mean_gap = (self.last_day - self.first_day) / (self.size - 1)
        return int(min(options.window_days, max(options.min_window_days, 3 * mean_gap)))

    def admits(self, day: int | None, options: ClusterOptions) -> bool:
        """Whether an article of ``day`` may join: within the window, and the span bounded."""
        if day is None or self.first_day is None or self.last_day is None:
            return True
        if self.gap(day) > self.window(options):
            return False
        return max(self.last_day, day) - min(self.first_day, day) <= options.max_span_days

    def top_terms(self, count: int, vocabulary: Vocabulary) -> list[str]:
        """The ``count`` heaviest centroid terms under the current IDF."""
        scored = self.weighted(vocabulary)
        return heapq.nlargest(count, scored, key=scored.__getitem__)


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where one article went."""

    article_id: str
    cluster_id: int
    similarity: float
    opened: bool


class OnlineClusterer:
    """Single-pass story clustering over a growing collection (see the module docstring).

    Args:
        vocabulary: document frequencies so far.
        clusters: the open stories to continue (e.g. loaded from the store).
        next_id: the id the next new story gets.
        options: thresholds and sizes.

    Example::

        clusterer = OnlineClusterer(Vocabulary())
        first = clusterer.assign("a1", {"ceasefire": 2, "gaza": 1}, day=19846)
        second = clusterer.assign("a2", {"ceasefire": 1, "gaza": 2}, day=19847)
        assert second.cluster_id == first.cluster_id
    """

    def __init__(
        self,
        vocabulary: Vocabulary,
        clusters: Iterable[StoryCluster] = (),
        *,
        next_id: int = 1,
        options: ClusterOptions | None = None,
    ) -> None:
        self.vocabulary = vocabulary
        self.options = options or ClusterOptions()
        self.clusters: dict[int, StoryCluster] = {}
        # term -> story ids, most recently grown last (dicts keep insertion order).
        self._postings: dict[str, dict[int, None]] = defaultdict(dict)
        self._indexed: dict[int, list[str]] = {}
        self.changed: set[int] = set()
        # Stories merged into others since the caller last cleared this (to delete).
        self.absorbed: set[int] = set()
        self.next_id = next_id
        # Work counters (posting entries looked at, stories scored), for benchmarks.
        self.looked_at = 0
        self.scored = 0
        for cluster in clusters:
            self._add_cluster(cluster)
            self.next_id = max(self.next_id, cluster.id + 1)

    def restore(self, clusters: Iterable[StoryCluster]) -> None:
        """Bring back stories closed earlier (those already open are left as they are)."""
        for cluster in clusters:
            if cluster.id not in self.clusters:
                self._add_cluster(cluster)
                self.next_id = max(self.next_id, cluster.id + 1)

    def _add_cluster(self, cluster: StoryCluster) -> None:
        self.clusters[cluster.id] = cluster
        self._index(cluster)

    def _index(self, cluster: StoryCluster, new: list[str] | None = None) -> None:
        old = self._indexed.get(cluster.id, [])
        if new is None:
            new = cluster.top_terms(self.options.index_terms, self.vocabulary)
        for term in set(old) - set(new):
            postings = self._postings.get(term)
            if postings is not None:
                postings.pop(cluster.id, None)
                if not postings:
                    del self._postings[term]
        for term in new:
            postings = self._postings[term]
            postings.pop(cluster.id, None)  # move to the end: the most recent
            postings[cluster.id] = None
        self._indexed[cluster.id] = new

    def heaviest(self, cluster_id: int) -> list[str]:
        """A story's heaviest terms as last indexed (when it last grew), heaviest first."""
        return list(self._indexed.get(cluster_id, ()))

    def candidates(self, vector: dict[str, float], day: int | None) -> list[int]:
        """Stories open at ``day`` sharing the most weight of ``vector``'s heaviest terms."""
        options = self.options
        heavy = heapq.nlargest(options.query_terms, vector.items(), key=lambda x: x[1])
        shared: dict[int, float] = defaultdict(float)
        for term, weight in heavy:
            postings = self._postings.get(term)
            if not postings:
                continue
            # A common term points to many stories: the most recently grown ones suffice.
            for cid in islice(reversed(postings), options.posting_limit):
                shared[cid] += weight
                self.looked_at += 1
        clusters = self.clusters
        ranked = heapq.nsmallest(4 * options.max_candidates, shared.items(), key=_rank)
        if len(ranked) < len(shared) and any(
            not clusters[c].admits(day, options) for c, _ in ranked
        ):
            ranked = sorted(shared.items(), key=_rank)  # too many closed: look further
        found = []
        for cid, _ in ranked:
            if clusters[cid].admits(day, options):
                found.append(cid)
                if len(found) == options.max_candidates:
                    break
        return found

    def assign(
        self,
        article_id: str,
        counts: dict[str, float],
        *,
        day: int | None = None,
        title: str | None = None,
        follow: int | None = None,
    ) -> Assignment:
        """Place one article: join the best open story above the threshold, or open one.

        Args:
            article_id: the article.
            counts: its raw term counts (:func:`~newsgraph.stories.features.story_terms`).
            day: its publication day number, when known.
            title: its headline (a new story is labelled with it).
            follow: a story the article must join (that of the article it copies).
        """
        vocabulary = self.vocabulary
        vocabulary.add(counts)
        idf = vocabulary.weights(counts)
        vector = vocabulary.weigh(counts, idf)
        weighted = {term: value * idf[term] for term, value in vector.items()}
        best_id, best = None, 0.0
        if follow is not None and follow in self.clusters:
            best_id, best = follow, self.clusters[follow].similarity(weighted, vocabulary)
        else:
            half_life = self.options.half_life_days
            names = [term for term in weighted if term.startswith(NAME_PREFIX)]
            if not self.options.shared_name:
                names = []
            for cid in self.candidates(vector, day):
                cluster = self.clusters[cid]
                if names and not self._shares_a_name(cluster, names):
                    continue
                score = cluster.similarity(weighted, vocabulary)
                self.scored += 1
                if half_life:
                    score *= 0.5 ** (cluster.gap(day) / half_life)
                if score > best or (score == best and best_id is not None and cid < best_id):
                    best_id, best = cid, score
            least = self.options.threshold if day is not None else self.options.undated_threshold
            if best < least:
                best_id = None
        if best_id is None:
            cluster = StoryCluster(
                self.next_id, day, day, 0, {}, title=title, first_article_id=article_id
            )
            self.next_id += 1
            self.clusters[cluster.id] = cluster
            opened = True
        else:
            cluster = self.clusters[best_id]
            opened = False
        self._grow(cluster, term_frequencies(counts), day, idf)
        if cluster.title is None and title:
            cluster.title = title
        self.changed.add(cluster.id)
        return Assignment(article_id, cluster.id, 1.0 if opened else best, opened)

    def _shares_a_name(self, cluster: StoryCluster, names: list[str]) -> bool:
        """Whether a story with names has one of ``names`` in its centroid."""
        centroid = cluster.centroid
        if any(name in centroid for name in names):
            return True
        return not any(term.startswith(NAME_PREFIX) for term in centroid)

    def _grow(
        self,
        cluster: StoryCluster,
        frequencies: dict[str, float],
        day: int | None,
        idf: dict[str, float],
    ) -> None:
        vocabulary = self.vocabulary
        cluster.add(frequencies, vocabulary, idf)
        scored = cluster.weighted(vocabulary)
        limit = self.options.centroid_terms
        if len(scored) > 2 * limit:
            # Cut back to the heaviest terms only now and then: the cut is the costly part.
            cluster.keep(heapq.nlargest(limit, scored, key=scored.__getitem__))
            scored = cluster.weighted(vocabulary)
        cluster.size += 1
        if day is not None:
            first, last = cluster.first_day, cluster.last_day
            cluster.first_day = day if first is None else min(first, day)
            cluster.last_day = day if last is None else max(last, day)
        self._index(
            cluster, heapq.nlargest(self.options.index_terms, scored, key=scored.__getitem__)
        )

    def _compatible(self, a: StoryCluster, b: StoryCluster) -> bool:
        """Whether two stories may be one: days within a window, span bounded, a shared name."""
        options = self.options
        if None not in (a.first_day, a.last_day, b.first_day, b.last_day):
            gap = max(0, a.first_day - b.last_day, b.first_day - a.last_day)  # type: ignore[operator]
            if gap > max(a.window(options), b.window(options)):
                return False
            span = max(a.last_day, b.last_day) - min(a.first_day, b.first_day)  # type: ignore[type-var,operator]
            if span > options.max_span_days:
                return False
        if options.shared_name:
            names_a = {t for t in a.centroid if t.startswith(NAME_PREFIX)}
            names_b = {t for t in b.centroid if t.startswith(NAME_PREFIX)}
            if names_a and names_b and names_a.isdisjoint(names_b):
                return False
        return True

    def consolidate(self, ids: Iterable[int]) -> dict[int, int]:
        """Merge each of the stories ``ids`` with a candidate that is the same happening.

        Two stories merge when their centroids' cosine (current IDF) reaches
        :attr:`ClusterOptions.merge_threshold` and :meth:`_compatible` holds; the younger
        story is absorbed into the older (smaller id), which keeps its id.

        Returns:
            ``{absorbed id: surviving id}`` (chains resolved to the final survivor).
        """
        threshold = self.options.merge_threshold
        merged: dict[int, int] = {}
        if threshold is None:
            return merged
        vocabulary, options = self.vocabulary, self.options
        for cid in sorted(set(ids)):
            cluster = self.clusters.get(cid)
            if cluster is None or cid in merged:
                continue
            weighted = cluster.weighted(vocabulary)
            norm = cluster.norm
            shared: dict[int, float] = defaultdict(float)
            for term in self._indexed.get(cid, ()):
                postings = self._postings.get(term)
                if not postings:
                    continue
                for neighbour in islice(reversed(postings), options.posting_limit):
                    if neighbour != cid:
                        shared[neighbour] += weighted.get(term, 0.0)
            best_id, best = None, threshold
            for other_id, _ in heapq.nsmallest(options.max_candidates, shared.items(), key=_rank):
                other = self.clusters[other_id]
                other_weighted = other.weighted(vocabulary)
                if norm == 0.0 or other.norm == 0.0:
                    continue
                small, large = sorted((weighted, other_weighted), key=len)
                dot = sum(value * large.get(term, 0.0) for term, value in small.items())
                score = dot / (norm * other.norm)
                if score >= best and self._compatible(cluster, other):
                    best_id, best = other_id, score
            if best_id is not None:
                survivor, absorbed = sorted((cid, best_id))
                self._merge(self.clusters[survivor], self.clusters[absorbed])
                merged[absorbed] = survivor
        for absorbed, survivor in list(merged.items()):
            while survivor in merged:
                survivor = merged[survivor]
            merged[absorbed] = survivor
        return merged

    def _merge(self, survivor: StoryCluster, absorbed: StoryCluster) -> None:
        """Fold ``absorbed`` into ``survivor`` and forget it."""
        for term, value in absorbed.centroid.items():
            survivor.centroid[term] = survivor.centroid.get(term, 0.0) + value
        survivor._generation = -1
        survivor.size += absorbed.size
        days = [d for d in (survivor.first_day, absorbed.first_day) if d is not None]
        survivor.first_day = min(days) if days else None
        days = [d for d in (survivor.last_day, absorbed.last_day) if d is not None]
        survivor.last_day = max(days) if days else None
        if absorbed.first_article_id and (
            survivor.first_article_id is None or absorbed.id < survivor.id
        ):
            survivor.first_article_id = absorbed.first_article_id
        scored = survivor.weighted(self.vocabulary)
        limit = self.options.centroid_terms
        if len(scored) > 2 * limit:
            survivor.keep(heapq.nlargest(limit, scored, key=scored.__getitem__))
        self._index(survivor)
        self._forget(absorbed.id)
        self.changed.add(survivor.id)
        self.changed.discard(absorbed.id)
        self.absorbed.add(absorbed.id)

    def _forget(self, cid: int) -> None:
        for term in self._indexed.pop(cid, []):
            postings = self._postings.get(term)
            if postings is not None:
                postings.pop(cid, None)
                if not postings:
                    del self._postings[term]
        del self.clusters[cid]

    def close_before(self, day: int) -> list[int]:
        """Drop from memory the stories that no article from ``day`` on can join.

        Returns:
            The ids dropped (the caller has stored them already).
        """
        window = self.options.window_days
        closed = [
            cid
            for cid, cluster in self.clusters.items()
            if cluster.last_day is not None
            and cluster.last_day < day - window
            and cid not in self.changed
        ]
        for cid in closed:
            self._forget(cid)
        return closed
