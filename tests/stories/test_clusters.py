"""Online story clustering: joining, opening, the time window, continuing from stored state."""

from __future__ import annotations

import doctest
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsgraph.stories import clusters
from newsgraph.stories.clusters import (
    ClusterOptions,
    OnlineClusterer,
    StoryCluster,
    Vocabulary,
    term_frequencies,
)

CEASEFIRE = {"ceasefire": 3.0, "@gaza": 2.0, "hostage": 2.0, "@qatar": 1.5, "talk": 1.0}
CEASEFIRE_2 = {"ceasefire": 2.0, "@gaza": 1.0, "hostage": 1.0, "@egypt": 1.5, "release": 1.0}
COCOA = {"cocoa": 3.0, "buffer": 2.0, "stock": 2.0, "@icco": 1.5, "delegate": 1.0}
COFFEE = {"coffee": 3.0, "quota": 2.0, "producer": 1.0, "@brazil": 1.5}


def test_clusters_doctests_pass() -> None:
    assert doctest.testmod(clusters).failed == 0


def test_vocabulary_idf_follows_document_frequency() -> None:
    vocabulary = Vocabulary()
    for _ in range(10):
        vocabulary.add(["common"])
    vocabulary.add(["common", "rare"])
    assert vocabulary.documents == 11
    assert vocabulary.idf("rare") > vocabulary.idf("common")
    assert vocabulary.idf("unseen") == pytest.approx(math.log(12) + 1)


def test_term_frequencies_are_unit_length() -> None:
    vector = term_frequencies({"a": 1.0, "b": 3.0})
    assert math.isclose(sum(v * v for v in vector.values()), 1.0)
    assert vector["b"] > vector["a"]


def clusterer(**options: float) -> OnlineClusterer:
    """A clusterer that has already seen some unrelated documents (a warm vocabulary)."""
    vocabulary = Vocabulary()
    for filler in ("weather rain", "football goal", "election vote", "market share"):
        vocabulary.add(filler.split())
    return OnlineClusterer(vocabulary, options=ClusterOptions(**options))  # type: ignore[arg-type]


def test_similar_articles_join_one_story() -> None:
    online = clusterer()
    first = online.assign("a1", CEASEFIRE, day=100, title="Ceasefire talks")
    second = online.assign("a2", CEASEFIRE_2, day=101)
    assert first.opened
    assert not second.opened
    assert second.cluster_id == first.cluster_id
    assert 0.15 <= second.similarity <= 1.0
    story = online.clusters[first.cluster_id]
    assert (story.size, story.first_day, story.last_day) == (2, 100, 101)
    assert story.title == "Ceasefire talks"


def test_different_stories_stay_apart() -> None:
    online = clusterer()
    ids = {online.assign(f"a{i}", terms, day=100).cluster_id for i, terms in enumerate(
        (CEASEFIRE, COCOA, COFFEE)
    )}  # fmt: skip
    assert len(ids) == 3


@pytest.mark.parametrize(
    ("days", "together"),
    [((100, 101), True), ((100, 118), True), ((100, 125), False), ((None, 400), True)],
)
def test_time_window_and_decay(days: tuple[int | None, int], together: bool) -> None:
    online = clusterer()
    first = online.assign("a1", CEASEFIRE, day=days[0])
    second = online.assign("a2", CEASEFIRE, day=days[1])
    assert (first.cluster_id == second.cluster_id) is together


def test_window_adapts_to_how_a_story_is_reported() -> None:
    # Told once on day 100, a story closes after 21 days; told every ten days, it stays
    # open for 30 days after its last report.
    slow = clusterer()
    story = slow.assign("a1", CEASEFIRE, day=100).cluster_id
    for number, day in enumerate((110, 120, 130), start=2):
        assert slow.assign(f"a{number}", CEASEFIRE, day=day).cluster_id == story
    assert slow.assign("a9", CEASEFIRE, day=157).cluster_id == story
    once = clusterer()
    once.assign("a1", CEASEFIRE, day=100)
    assert once.assign("a2", CEASEFIRE, day=127).opened


def test_a_story_never_spans_more_than_sixty_days() -> None:
    online = clusterer()
    story = online.assign("a0", CEASEFIRE, day=100).cluster_id
    joined = [
        online.assign(f"a{day}", CEASEFIRE, day=day).cluster_id for day in range(110, 200, 10)
    ]
    assert joined[:5] == [story] * 5  # days 110-150
    assert story not in joined[6:]  # day 170 on: past 60 days from day 100
    spans = [c.last_day - c.first_day for c in online.clusters.values()]  # type: ignore[operator]
    assert max(spans) <= ClusterOptions().max_span_days


def test_undated_article_needs_strong_evidence() -> None:
    online = clusterer()
    online.assign("a1", CEASEFIRE, day=100)
    weather = ("weather", "rain", "flood", "river", "storm", "cloud", "wind")
    weak = {"ceasefire": 1.0, "@gaza": 1.0} | dict.fromkeys(weather, 3.0)
    # The same weak match joins when dated (threshold 0.15), not when undated (0.2).
    dated = clusterer()
    dated.assign("a1", CEASEFIRE, day=100)
    joined = dated.assign("a2", weak, day=100)
    assert not joined.opened and joined.similarity < ClusterOptions().undated_threshold
    assert online.assign("a2", weak, day=None).opened
    assert not online.assign("a3", CEASEFIRE_2, day=101).opened


def test_template_notices_of_different_companies_stay_apart() -> None:
    # Earnings notices share their template words, not their story.
    online = clusterer()
    acme = {"net": 2.0, "shr": 2.0, "revs": 2.0, "qtr": 2.0, "@acme": 1.5}
    zenith = {"net": 2.0, "shr": 2.0, "revs": 2.0, "qtr": 2.0, "@zenith": 1.5}
    assert (
        online.assign("a1", acme, day=100).cluster_id
        != online.assign("a2", zenith, day=100).cluster_id
    )
    assert not online.assign("a3", acme, day=101).opened


def test_consolidation_merges_a_split_story_into_the_older() -> None:
    online = clusterer(threshold=1.01, merge_threshold=0.5)  # every article opens a story
    first = online.assign("a1", CEASEFIRE, day=100).cluster_id
    second = online.assign("a2", CEASEFIRE, day=101).cluster_id
    other = online.assign("a3", COCOA, day=101).cluster_id
    merges = online.consolidate({second, other})
    assert merges == {second: first}
    assert online.clusters[first].size == 2 and second not in online.clusters
    assert other in online.clusters


def test_decay_lowers_scores_with_distance() -> None:
    near, far = clusterer(), clusterer()
    near.assign("a1", CEASEFIRE, day=100)
    far.assign("a1", CEASEFIRE, day=100)
    close = near.assign("a2", CEASEFIRE_2, day=100).similarity
    distant = far.assign("a2", CEASEFIRE_2, day=120).similarity
    assert distant == pytest.approx(close * 0.5 ** (20 / ClusterOptions().half_life_days))


def test_follow_forces_the_copy_into_its_original_story() -> None:
    online = clusterer()
    story = online.assign("a1", CEASEFIRE, day=100).cluster_id
    copy = online.assign("a2", COCOA, day=100, follow=story)
    assert copy.cluster_id == story
    assert not copy.opened


def test_threshold_one_opens_a_story_per_article() -> None:
    online = clusterer(threshold=1.01)
    ids = {online.assign(f"a{i}", CEASEFIRE, day=100).cluster_id for i in range(3)}
    assert len(ids) == 3


def test_closed_stories_leave_memory_and_come_back() -> None:
    online = clusterer()
    old = online.assign("a1", CEASEFIRE, day=100).cluster_id
    online.changed.clear()  # stored by the caller
    online.assign("a2", COCOA, day=200)
    assert online.close_before(200) == [old]
    assert old not in online.clusters
    assert online.candidates({"ceasefire": 1.0}, None) == []
    kept = StoryCluster(old, 100, 100, 1, dict(term_frequencies(CEASEFIRE)))
    online.restore([kept])
    assert online.assign("a3", CEASEFIRE_2, day=None).cluster_id == old


def test_continuing_from_stored_state_matches_one_run() -> None:
    stream = [CEASEFIRE, COCOA, CEASEFIRE_2, COFFEE, COCOA, CEASEFIRE]
    whole = clusterer()
    labels = [whole.assign(f"a{i}", t, day=100 + i).cluster_id for i, t in enumerate(stream)]
    first = clusterer()
    split = [first.assign(f"a{i}", t, day=100 + i).cluster_id for i, t in enumerate(stream[:3])]
    stored = [
        StoryCluster(c.id, c.first_day, c.last_day, c.size, dict(c.centroid), c.title)
        for c in first.clusters.values()
    ]
    second = OnlineClusterer(
        Vocabulary(first.vocabulary.df, first.vocabulary.documents),
        stored,
        next_id=first.next_id,
    )
    split += [
        second.assign(f"a{i}", t, day=100 + i).cluster_id for i, t in enumerate(stream[3:], start=3)
    ]
    assert split == labels


TERMS = st.dictionaries(
    st.sampled_from([f"w{i}" for i in range(30)]), st.floats(1, 5), min_size=1, max_size=8
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(TERMS, st.one_of(st.none(), st.integers(0, 90))), max_size=25))
def test_index_always_points_to_each_story_heaviest_terms(
    stream: list[tuple[dict[str, float], int | None]],
) -> None:
    online = OnlineClusterer(Vocabulary())
    for number, (terms, day) in enumerate(stream):
        online.assign(f"a{number}", terms, day=day)
    for cid, story in online.clusters.items():
        indexed = online._indexed[cid]
        assert set(indexed) <= set(story.centroid)
        for term in indexed:
            assert cid in online._postings[term]
    for term, postings in online._postings.items():
        assert all(term in online._indexed[cid] for cid in postings)
        weighted = story.weighted(online.vocabulary)
        assert math.isclose(
            story.norm, math.sqrt(sum(v * v for v in weighted.values())), rel_tol=1e-9
        )
    assert sum(story.size for story in online.clusters.values()) == len(stream)
