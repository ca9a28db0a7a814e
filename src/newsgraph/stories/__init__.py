"""Stories across outlets: near-duplicates, story clusters and canonical events.

Everything is computed from the stored records and kept in the store's own DuckDB file
(tables described in :mod:`newsgraph.stories.store`), incrementally: each call of
:func:`update_stories` places only the articles not yet placed.

- :mod:`~newsgraph.stories.near_duplicates` — copies and light rewrites (MinHash/LSH), and
  each copy group's original;
- :mod:`~newsgraph.stories.clusters` — online story clustering over text, names and time;
- :mod:`~newsgraph.stories.canonical_events` — event mentions merged into canonical events
  with independent-source counts and claims per claimant;
- :mod:`~newsgraph.stories.queries` — what the CLI and exports read.

Example::

    from newsgraph import Store
    from newsgraph.stories import update_stories, find_stories

    with Store("newsgraph.duckdb") as store:
        update_stories(store)
        for story in find_stories(store, limit=5):
            print(story["articles"], story["sources"], story["title"])
"""

from newsgraph.stories.queries import (
    CanonicalCounts,
    article_stories,
    canonical_mentions,
    find_canonical_events,
    find_stories,
    story_members,
)
from newsgraph.stories.update import StoryOptions, StoryReport, reset_stories, update_stories

__all__ = [
    "CanonicalCounts",
    "StoryOptions",
    "StoryReport",
    "article_stories",
    "canonical_mentions",
    "find_canonical_events",
    "find_stories",
    "reset_stories",
    "story_members",
    "update_stories",
]
