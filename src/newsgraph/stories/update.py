"""``update_stories``: place every stored article not yet placed, one transaction per batch.

For each batch of new articles, in publication order (undated ones last):

1. **Near-duplicates**: fingerprints and LSH band keys are stored; articles sharing a band
   key with a new one are checked; links are stored and copy groups re-formed, with their
   original and their independent origin (:mod:`newsgraph.stories.near_duplicates`).
2. **Stories**: each article joins or opens a story (:mod:`newsgraph.stories.clusters`); a
   copy follows the article it copies.
3. **Canonical events**: each event mention joins or founds a canonical event
   (:mod:`newsgraph.stories.canonical_events`); the counts and claims of every canonical
   event touched — by a new mention, or by a change of a copy group's origin — are
   recomputed from the stored mentions.

Running it again places nothing twice; a run killed mid-way leaves whole batches, and the
next run continues with the articles still unplaced.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import duckdb
import numpy as np

from newsgraph.errors import StorageError
from newsgraph.model import Analysis
from newsgraph.stories import store as tables
from newsgraph.stories.canonical_events import (
    CanonicalEvent,
    EventMention,
    best_match,
    mentions_of,
    summarize,
)
from newsgraph.stories.clusters import ClusterOptions, OnlineClusterer
from newsgraph.stories.features import story_terms
from newsgraph.stories.near_duplicates import (
    DuplicateOptions,
    Fingerprint,
    Member,
    agency_of,
    band_keys_of,
    choose_original,
    fingerprints,
    is_near_duplicate,
    outlet_key,
)

if TYPE_CHECKING:
    from newsgraph.store import Store


@dataclass(frozen=True, slots=True)
class StoryOptions:
    """Options of :func:`update_stories`.

    Attributes:
        duplicates: thresholds of the near-duplicate test.
        clusters: parameters of the story clusterer.
        batch_size: articles per transaction.
    """

    duplicates: DuplicateOptions = field(default_factory=DuplicateOptions)
    clusters: ClusterOptions = field(default_factory=ClusterOptions)
    batch_size: int = 500


@dataclass
class StoryReport:
    """What one :func:`update_stories` run did."""

    articles: int = 0
    copies: int = 0
    duplicate_links: int = 0
    originals_changed: int = 0
    stories_opened: int = 0
    stories_joined: int = 0
    stories_merged: int = 0
    event_mentions: int = 0
    canonical_events_created: int = 0
    mentions_merged: int = 0
    canonical_events_updated: int = 0
    stories_looked_at: int = 0
    stories_scored: int = 0
    seconds_by_step: dict[str, float] = field(default_factory=dict)

    def add_time(self, step: str, seconds: float) -> None:
        """Charge ``seconds`` to ``step``."""
        self.seconds_by_step[step] = self.seconds_by_step.get(step, 0.0) + seconds

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "articles": self.articles,
            "copies": self.copies,
            "duplicate_links": self.duplicate_links,
            "originals_changed": self.originals_changed,
            "stories_opened": self.stories_opened,
            "stories_joined": self.stories_joined,
            "stories_merged": self.stories_merged,
            "event_mentions": self.event_mentions,
            "canonical_events_created": self.canonical_events_created,
            "mentions_merged": self.mentions_merged,
            "canonical_events_updated": self.canonical_events_updated,
            "stories_looked_at": self.stories_looked_at,
            "stories_scored": self.stories_scored,
            "seconds_by_step": {k: round(v, 3) for k, v in self.seconds_by_step.items()},
        }


Progress = Callable[[StoryReport], None]


def update_stories(
    store: Store,
    article_ids: Sequence[str] | None = None,
    *,
    options: StoryOptions | None = None,
    progress: Progress | None = None,
) -> StoryReport:
    """Place the stored articles not yet placed: near-duplicates, stories, canonical events.

    Args:
        store: a writable store.
        article_ids: only these articles (those already placed are skipped); all when None.
        options: thresholds and batch size.
        progress: called with the report after each batch.

    Returns:
        The run's report.

    Raises:
        StorageError: when the store is read-only or a write fails (the failed batch is
            rolled back; the batches before it stay).

    Example::

        with Store("newsgraph.duckdb") as store:
            report = update_stories(store)
            print(report.stories_opened, report.copies)
    """
    options = options or StoryOptions()
    report = StoryReport()
    if store.read_only:
        raise StorageError(
            "cannot place stories in a read-only store",
            path=str(store.path),
            hint="open the store for writing",
        )
    con = store.con
    began = time.perf_counter()
    tables.ensure_tables(con, path=str(store.path))
    todo = tables.pending(con, article_ids)
    report.add_time("select", time.perf_counter() - began)
    if not todo:
        return report
    run = _Run(store, options, report)
    for start in range(0, len(todo), options.batch_size):
        run.batch(todo[start : start + options.batch_size])
        if progress:
            progress(report)
    return report


def reset_stories(store: Store) -> None:
    """Forget every placement: drop the story tables (``update_stories`` then starts over).

    Use it after changing thresholds, or when the tables come from another version.

    Raises:
        StorageError: when the store is read-only.
    """
    if store.read_only:
        raise StorageError(
            "cannot reset stories in a read-only store", path=str(store.path),
            hint="open the store for writing",
        )  # fmt: skip
    tables.drop_tables(store.con)


class _Run:
    """The state one update run carries from batch to batch."""

    def __init__(self, store: Store, options: StoryOptions, report: StoryReport) -> None:
        self.store = store
        self.con = store.con
        self.options = options
        self.report = report
        self.clusterer: OnlineClusterer | None = None
        self.all_loaded = False

    def _clusterer(self, first_day: int | None) -> OnlineClusterer:
        window = self.options.clusters.window_days
        if self.clusterer is None:
            since = None if first_day is None else first_day - window
            self.clusterer = OnlineClusterer(
                tables.load_vocabulary(self.con),
                tables.load_clusters(self.con, since=since),
                next_id=tables.next_story_id(self.con),
                options=self.options.clusters,
            )
            self.all_loaded = since is None
        elif first_day is None and not self.all_loaded:
            # Undated articles may join any story: bring back the ones closed earlier.
            self.clusterer.restore(tables.load_clusters(self.con, since=None))
            self.all_loaded = True
        return self.clusterer

    def batch(self, ids: list[str]) -> None:
        report = self.report
        began = time.perf_counter()
        analyses = tables.read_analyses(self.con, ids)
        report.add_time("read", time.perf_counter() - began)
        if not analyses:
            return
        began = time.perf_counter()
        prints = {
            fp.article_id: fp for fp in fingerprints([analysis.article for analysis in analyses])
        }
        report.add_time("fingerprints", time.perf_counter() - began)
        try:
            self.con.begin()
            self._place(analyses, prints)
            self.con.commit()
        except duckdb.Error as exc:
            self.con.rollback()
            raise StorageError(f"cannot store stories: {exc}", path=str(self.store.path)) from exc
        clusterer = self.clusterer
        last_day = next((p.day for p in reversed(list(prints.values())) if p.day is not None), None)
        if clusterer is not None and last_day is not None:
            clusterer.close_before(last_day)

    def _place(self, analyses: list[Analysis], prints: dict[str, Fingerprint]) -> None:
        report = self.report
        began = time.perf_counter()
        links, partners, old = self._duplicates(prints)
        groups, changed_articles = self._groups(analyses, prints, links, old)
        report.add_time("duplicates", time.perf_counter() - began)

        began = time.perf_counter()
        first_day = next(iter(prints.values())).day
        clusterer = self._clusterer(first_day)
        looked_at, scored = clusterer.looked_at, clusterer.scored
        rows = []
        placed: dict[str, int] = {}
        for analysis in analyses:
            article = analysis.article
            fp = prints[article.id]
            follow = None
            for partner in partners.get(article.id, []):
                follow = placed.get(partner) or (old[partner].story_id if partner in old else None)
                if follow is not None:
                    break
            assignment = clusterer.assign(
                article.id, story_terms(analysis), day=fp.day, title=article.title, follow=follow
            )
            placed[article.id] = assignment.cluster_id
            if assignment.opened:
                report.stories_opened += 1
            else:
                report.stories_joined += 1
            original, reason, origin = groups[article.id]
            report.copies += original != article.id
            rows.append(
                {
                    "article_id": article.id,
                    "story_id": assignment.cluster_id,
                    "similarity": round(assignment.similarity, 6),
                    "opened": assignment.opened,
                    "day": fp.day,
                    "published": article.published,
                    "source_key": outlet_key(article.source),
                    "agency": agency_of(article),
                    "original_id": original,
                    "original_reason": reason,
                    "origin_key": origin,
                    "shingles": fp.size,
                    "figures": fp.figures,
                    "names": fp.names,
                    "title_words": fp.title,
                    "signature": fp.to_bytes(),
                }
            )
        merges = clusterer.consolidate(clusterer.changed)
        if merges:
            report.stories_merged += len(merges)
            for row in rows:
                story_id = cast(int, row["story_id"])
                row["story_id"] = merges.get(story_id, story_id)
            placed = {key: merges.get(value, value) for key, value in placed.items()}
            tables.merge_stories(self.con, merges)
        clusterer.absorbed.clear()
        report.stories_looked_at += clusterer.looked_at - looked_at
        report.stories_scored += clusterer.scored - scored
        report.add_time("clusters", time.perf_counter() - began)

        began = time.perf_counter()
        tables.save_articles(self.con, rows)
        tables.save_clusters(
            self.con,
            (clusterer.clusters[c] for c in sorted(clusterer.changed)),
            lambda story: clusterer.heaviest(story.id),
        )
        clusterer.changed.clear()
        tables.save_vocabulary(self.con, clusterer.vocabulary)
        report.articles += len(rows)
        report.add_time("write", time.perf_counter() - began)

        began = time.perf_counter()
        self._events(analyses, placed, changed_articles)
        report.add_time("events", time.perf_counter() - began)

    def _duplicates(
        self, prints: dict[str, Fingerprint]
    ) -> tuple[list[tuple[str, str, float, float]], dict[str, list[str]], dict[str, tables.Placed]]:
        """Store band keys, find and store the near-duplicate links of the new articles."""
        ids = list(prints)
        keys = band_keys_of(np.stack([prints[i].signature for i in ids]))
        tables.save_bands(self.con, ids, keys)
        pairs = tables.candidate_pairs(self.con, list(prints))
        others = sorted({b for _, b in pairs if b not in prints})
        loaded = tables.load_members(self.con, ids=others)
        old_prints = {m.article_id: m.fingerprint for m, _ in loaded if m.fingerprint}
        old = {p.article_id: p for _, p in loaded}
        links = []
        for a, b in sorted(pairs):
            if b in prints and b < a:
                continue  # two new articles: each pair once
            other = prints.get(b) or old_prints.get(b)
            if other is None:
                continue
            similarity = is_near_duplicate(prints[a], other, options=self.options.duplicates)
            if similarity is not None:
                links.append((a, b, round(similarity.jaccard, 4), round(similarity.containment, 4)))
        tables.save_duplicates(self.con, links)
        self.report.duplicate_links += len(links)
        partners: dict[str, list[str]] = defaultdict(list)
        for a, b, _, _ in sorted(links, key=lambda link: -link[2]):
            partners[a].append(b)
            if b in prints:
                partners[b].append(a)
        return links, partners, old

    def _groups(
        self,
        analyses: list[Analysis],
        prints: dict[str, Fingerprint],
        links: list[tuple[str, str, float, float]],
        old: dict[str, tables.Placed],
    ) -> tuple[dict[str, tuple[str, str | None, str]], list[str]]:
        """Re-form the copy groups touched by the new links.

        Returns:
            (original, reason, origin) of every new article, and the stored articles whose
            group's original or origin changed.
        """
        parent: dict[str, str] = {}

        def find(node: str) -> str:
            while parent.setdefault(node, node) != node:
                parent[node] = parent[parent[node]]
                node = parent[node]
            return node

        for a, b, _, _ in links:
            target = b if b in prints else "group:" + old[b].original_id
            parent[find(a)] = find(target)
        components: dict[str, list[str]] = defaultdict(list)
        for article_id in prints:
            components[find(article_id)].append(article_id)
        for node in list(parent):
            if node.startswith("group:"):
                components[find(node)].append(node)
        new_members = {a.article.id: Member.of(a.article, prints[a.article.id]) for a in analyses}
        old_originals = sorted(n.removeprefix("group:") for n in parent if n.startswith("group:"))
        stored_by_group: dict[str, list[Member]] = defaultdict(list)
        agencies_by_group: dict[str, Counter[str]] = {}
        if old_originals:
            # A sample of each group (its original and earliest copies) and the agencies
            # all its copies credit: the cost of a batch does not grow with group sizes.
            for member, placed in tables.load_members(self.con, originals=old_originals):
                stored_by_group[placed.original_id].append(member)
            agencies_by_group = tables.group_agencies(self.con, old_originals)
        groups: dict[str, tuple[str, str | None, str]] = {}
        moves: list[tuple[str, str, str | None, str]] = []
        for nodes in components.values():
            fresh = [n for n in nodes if not n.startswith("group:")]
            originals = [n.removeprefix("group:") for n in nodes if n.startswith("group:")]
            members = [new_members[n] for n in fresh]
            agencies = Counter(m.agency for m in members if m.agency)
            for o in originals:
                members += stored_by_group[o]
                agencies.update(agencies_by_group.get(o, Counter()))
            if len(members) == 1:
                member = members[0]
                groups[member.article_id] = (member.article_id, None, _origin(agencies, member))
                continue
            original_id, reason = choose_original(members)
            original = next(m for m in members if m.article_id == original_id)
            origin = _origin(agencies, original)
            for article_id in fresh:
                groups[article_id] = (original_id, reason, origin)
            moves.extend((o, original_id, reason, origin) for o in originals)
            self.report.originals_changed += sum(1 for o in originals if o != original_id)
        return groups, tables.regroup(self.con, moves)

    def _events(
        self, analyses: list[Analysis], placed: dict[str, int], changed_articles: list[str]
    ) -> None:
        report = self.report
        mentions: list[EventMention] = []
        for analysis in analyses:
            mentions.extend(mentions_of(analysis, placed.get(analysis.article.id)))
        touched: dict[str, CanonicalEvent] = {}
        rows = []
        if mentions:
            days = [d for m in mentions for d in (m.first_day, m.last_day) if d is not None]
            candidates: dict[str, list[CanonicalEvent]] = defaultdict(list)
            for event in tables.load_canonical(
                self.con,
                types=sorted({m.plover_type for m in mentions}),
                first_day=min(days) if days else None,
                last_day=max(days) if days else None,
            ):
                candidates[event.plover_type].append(event)
            for mention in mentions:
                match = best_match(mention, candidates[mention.plover_type])
                if match is None:
                    event = CanonicalEvent.found(mention)
                    candidates[mention.plover_type].append(event)
                    report.canonical_events_created += 1
                else:
                    event = match
                    event.absorb(mention)
                    report.mentions_merged += 1
                touched[event.id] = event
                rows.append(
                    (
                        mention.event_id, event.id, mention.article_id, mention.status,
                        mention.claimant, mention.claimant_key, mention.cameo_code,
                    )
                )  # fmt: skip
            report.event_mentions += len(mentions)
            tables.save_mentions(self.con, rows)
        if changed_articles:
            affected = tables.canonical_of_articles(self.con, changed_articles) - set(touched)
            for event in tables.load_canonical(self.con, ids=sorted(affected)):
                touched[event.id] = event
        if not touched:
            return
        found = tables.mention_rows(self.con, sorted(touched))
        summaries = {cid: summarize(found[cid]) for cid in touched if found.get(cid)}
        tables.save_canonical(self.con, list(touched.values()), summaries)
        report.canonical_events_updated += len(touched)


def _origin(agencies: Counter[str], original: Member) -> str:
    """The independent source a group counts as: the agency its copies credit most (the
    first by name on a tie), else its original's outlet."""
    if agencies:
        return min(agencies.items(), key=lambda item: (-item[1], item[0]))[0]
    return original.source or f"article:{original.article_id}"
