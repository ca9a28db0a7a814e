"""Features the story machinery reads off an article: shingles, figures, words, names, days."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsgraph.model import Actor, Analysis, Article, Entity, Place
from newsgraph.stories import features
from newsgraph.stories.features import (
    NAME_PREFIX,
    analysis_names,
    article_day,
    content_words,
    day_iso,
    figures,
    shingles,
    stem,
    story_terms,
    text_names,
)


def test_features_doctests_pass() -> None:
    assert doctest.testmod(features).failed == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Troops shelled the town.", {"troops shelled the", "shelled the town"}),
        ("TROOPS   shelled\nthe town!", {"troops shelled the", "shelled the town"}),
        ("Two words", {"two words"}),
        ("", set()),
    ],
)
def test_shingles_ignore_case_spacing_and_punctuation(text: str, expected: set[str]) -> None:
    assert shingles(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Output rose 3.2 pct to 1,250 tonnes in 1986.", ("1250", "1986", "3.2")),
        ("It paid 5 dlrs, not 5.", ("5",)),
        ("No figures here.", ()),
        ("Version A4 and B-52 are names, 7 is a number.", ("7",)),
        ("Funds traded at 6-1/8 pct, the 1986/87 crop at 2.27.", ("1986/87", "2.27", "6-1/8")),
    ],
)
def test_figures_are_the_numbers_written(text: str, expected: tuple[str, ...]) -> None:
    assert figures(text) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [("talks", "talk"), ("companies", "company"), ("crisis", "crisis"), ("press", "press"),
     ("gas", "gas"), ("news", "news"), ("rebels", "rebel")],
)  # fmt: skip
def test_stem_folds_plurals_only(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_content_words_drop_function_and_reporting_words() -> None:
    words = content_words("The minister said on Tuesday that 3 talks had collapsed in Cairo.")
    assert words == ["minister", "talk", "collapsed", "cairo"]


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        ("Talks resumed. The IMF met Banco do Brasil in Rio de Janeiro.",
         ["imf", "banco do brasil", "rio de janeiro"], ["talks", "the imf"]),
        ("Officials in Gaza City said Israel had agreed.", ["gaza city", "israel"], ["officials"]),
    ],
)  # fmt: skip
def test_text_names_are_capitalised_phrases(
    text: str, present: list[str], absent: list[str]
) -> None:
    names = text_names(text)
    for name in present:
        assert name in names
    for name in absent:
        assert name not in names


def test_analysis_names_prefer_knowledge_base_and_geonames_ids() -> None:
    article = Article.from_text("Hamas fighters attacked Sderot, the IDF said.")
    aid = article.id
    analysis = Analysis(
        article,
        entities=(
            Entity("e1", aid, 0, 5, "Hamas", "ORG"),
            Entity("e2", aid, 0, 5, "Hamas", "DATE"),
        ),
        actors=(Actor("a1", aid, 0, 5, "Hamas", "Hamas", kb_id="hamas"),),
        places=(Place("p1", aid, 24, 30, "Sderot", "Sderot", geonameid=293690),),
    )
    names = analysis_names(analysis)
    assert "kb:hamas" in names
    assert "geo:293690" in names
    assert names.count("hamas") == 1  # the ORG entity; the DATE one is no name


def test_analysis_names_fall_back_to_capitalised_phrases() -> None:
    analysis = Analysis(Article.from_text("Talks in Cairo were led by Egypt and Qatar."))
    assert set(analysis_names(analysis)) >= {"cairo", "egypt", "qatar"}


def test_story_terms_weigh_titles_and_names() -> None:
    article = Article.from_text("Ministers met in Cairo for talks.", title="Cairo talks")
    terms = story_terms(Analysis(article))
    assert terms["talk"] == 1 + features.TITLE_WEIGHT
    assert terms[NAME_PREFIX + "cairo"] == features.NAME_WEIGHT
    assert "for" not in terms


@pytest.mark.parametrize(
    ("published", "expected"),
    [("2024-05-03", 19846), ("2024-05-03T23:59:00+02:00", 19846), (None, None), ("soon", None)],
)
def test_article_day_is_the_publication_day(published: str | None, expected: int | None) -> None:
    assert article_day(Article.from_text("x", published=published)) == expected


@given(st.integers(min_value=-20000, max_value=40000))
def test_day_iso_inverts_article_day(day: int) -> None:
    iso = day_iso(day)
    assert iso is not None
    assert article_day(Article.from_text("x", published=iso)) == day
