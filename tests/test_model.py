"""The record: stable ids, the JSON contract, evidence spans."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsgraph.model import Analysis, Article, Entity, Quote, Span, article_id_for

TOP_LEVEL_KEYS = {
    "article",
    "entities",
    "actors",
    "places",
    "dates",
    "quotes",
    "events",
    "annotations",
    "tone",
}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Talks resume in Cairo.", "talks resume in cairo."),
        ("Talks resume\n\nin Cairo.", "  Talks  resume in Cairo.  "),
        ("Caf\u00e9 reopens.", "Cafe\u0301 reopens."),  # composed vs decomposed accent
    ],
)
def test_article_id_same_for_copies(first: str, second: str) -> None:
    assert article_id_for(first) == article_id_for(second)


def test_article_id_differs_for_different_stories() -> None:
    assert article_id_for("Talks resume in Cairo.") != article_id_for("Talks stall in Cairo.")


@given(st.text(min_size=1))
def test_article_id_is_stable_hex(text: str) -> None:
    found = article_id_for(text)
    assert found == article_id_for(text)
    assert len(found) == 16
    assert int(found, 16) >= 0


def test_analysis_to_dict_has_every_key_even_when_empty() -> None:
    data = Analysis(article=Article.from_text("Talks resumed.")).to_dict()
    assert set(data) >= TOP_LEVEL_KEYS
    assert data["entities"] == [] and data["tone"] is None
    json.dumps(data)  # JSON-ready


def test_analysis_spans_lists_nested_evidence() -> None:
    text = '"We will talk," the minister said.'
    article = Article.from_text(text)

    def span(part: str) -> Span:
        start = text.index(part)
        return Span(start, start + len(part), part)

    content, speaker, cue, name = (
        span("We will talk"),
        span("the minister"),
        span("said"),
        span("minister"),
    )
    quote = Quote(
        id="q0",
        article_id=article.id,
        start=content.start,
        end=content.end,
        text=content.text,
        speaker=speaker,
        cue=cue,
    )
    entity = Entity(
        id="e0", article_id=article.id, start=name.start, end=name.end, text=name.text, label="X"
    )
    spans = Analysis(article=article, quotes=(quote,), entities=(entity,)).spans()
    assert {kind for kind, *_ in spans} == {"quote", "quote.speaker", "quote.cue", "entity"}
    for _, start, end, found in spans:
        assert text[start:end] == found
