"""Search that finds the word: names are not stemmed into other names, exact words first."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsgraph.model import Analysis, Article
from newsgraph.store import Store
from newsgraph.store.search import parse_query


def _article(text: str, title: str) -> Analysis:
    return Analysis(article=Article.from_text(text, title=title))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "store.duckdb") as opened:
        opened.write(
            [
                _article("Shelling hit Hama overnight. Hama residents fled Hama.", "Hama 1"),
                _article("Government forces entered Hama and its suburbs.", "Hama 2"),
                _article("Hamas said the talks in Cairo would resume.", "Hamas 1"),
                _article("A Hamas official and a Hama council met.", "Both"),
                _article("The troops withdrew; one troop stayed behind.", "Troops"),
                _article("A single troop convoy was seen.", "Troop"),
                _article("Families in Sheikh Jarrah faced eviction.", "Phrase"),
                _article("Sheikh Ahmed visited Jarrah street.", "Apart"),
            ]
        )
        yield opened  # type: ignore[misc]


def _titles(store: Store, query: str) -> list[str | None]:
    return [hit.title for hit in store.search(query, limit=20)]


def test_search_name_is_not_stemmed_into_another_name(store: Store) -> None:
    assert sorted(_titles(store, "Hamas"), key=str) == ["Both", "Hamas 1"]
    assert sorted(_titles(store, '"Hamas"'), key=str) == ["Both", "Hamas 1"]
    assert "Hamas 1" not in _titles(store, "Hama")


def test_search_negated_name_leaves_out_only_that_word(store: Store) -> None:
    assert _titles(store, "Hamas -Hama") == ["Hamas 1"]


def test_search_lowercase_word_ranks_exact_matches_above_stems(store: Store) -> None:
    titles = _titles(store, "troops")
    assert titles[0] == "Troops" and "Troop" in titles  # the stem still finds "troop"
    lowered = _titles(store, "hamas")
    assert set(lowered[:2]) == {"Hamas 1", "Both"} and "Hama 1" in lowered


def test_search_quoted_phrase_matches_exactly(store: Store) -> None:
    assert _titles(store, '"Sheikh Jarrah"') == ["Phrase"]
    assert _titles(store, '"sheikh jarrah" -eviction') == []


def test_parse_query_keeps_operators_and_fields() -> None:
    query = parse_query('title:Gaza OR "West Bank" -Hama')
    assert query.positive == 'title:Gaza OR "West Bank"'
    assert query.any_of
    assert [(t.words, t.field, t.negated) for t in query.terms] == [
        (("Gaza",), "title", False),
        (("West", "Bank"), None, False),
        (("Hama",), None, True),
    ]
