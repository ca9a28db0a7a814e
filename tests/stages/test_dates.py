"""Dates: expressions found in the text and normalised against the publication date.

Publication is Thursday 9 May 2024 (ISO week 2024-W19) unless a test says otherwise.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsgraph.model import Analysis, Article, Dateline, DateMention
from newsgraph.pipeline import Pipeline, apply_stages
from newsgraph.settings import Settings
from newsgraph.stages.dates import (
    DatesStage,
    extract_dates,
    hijri_month_length,
    hijri_to_gregorian,
    hijri_year_of,
    normalise,
)
from newsgraph.stages.entities import EntitiesStage
from newsgraph.stages.language import LanguageStage
from newsgraph.stages.parse import ParseStage

PUBLISHED = "2024-05-09"


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    s = Settings()  # the packaged defaults: module scope comes before the config isolation
    return Pipeline(stages=(LanguageStage(s), ParseStage(s), EntitiesStage(s), DatesStage(s)))


def analyse(pipeline: Pipeline, text: str, **metadata: object) -> Analysis:
    # Language given: one-sentence texts are too short to identify reliably.
    article = Article.from_text(text, language="en", **metadata)
    [analysis], rejected = apply_stages(pipeline, [Analysis(article)])
    assert not rejected
    return analysis


def mention_at(analysis: Analysis, expression: str) -> DateMention:
    """The date mention whose span covers ``expression`` (spaCy may take in more words)."""
    start = analysis.article.text.index(expression)
    end = start + len(expression)
    found = [d for d in analysis.dates if d.start <= start and end <= d.end]
    assert found, f"no date covers {expression!r}: {analysis.dates}"
    return found[0]


CASES = [
    # weekdays: past-tense reporting looks back (on or before), future forward
    ("Troops raided the camp on Thursday, officials said.", "Thursday", "2024-05-09", "day"),
    ("Police said the suspect was arrested on Monday.", "Monday", "2024-05-06", "day"),
    ("The two leaders will meet next Thursday in Cairo.", "next Thursday", "2024-05-16", "day"),
    ("Negotiators are expected to meet on Monday in Doha.", "Monday", "2024-05-13", "day"),
    ("The ceasefire collapsed last Thursday.", "last Thursday", "2024-05-02", "day"),
    ("The meeting at 10 a.m. Thursday was cancelled.", "Thursday", "2024-05-09", "day"),
    # days, weeks, months and years named from publication
    ("A strike hit the building yesterday.", "yesterday", "2024-05-08", "day"),
    ("The minister is visiting the border today.", "today", "2024-05-09", "day"),
    ("The cabinet will vote tomorrow on the budget.", "tomorrow", "2024-05-10", "day"),
    ("The minister resigned last week.", "last week", "2024-W18", "week"),
    ("Earlier this week the army withdrew from the town.", "this week", "2024-W19", "week"),
    ("Police arrested 30 people over the weekend.", "the weekend", "2024-W18", "week"),
    ("Prices rose sharply last month.", "last month", "2024-04", "month"),
    ("The talks resume next month.", "next month", "2024-06", "month"),
    ("This year has been the deadliest on record.", "This year", "2024", "year"),
    ("Two days ago a convoy was hit near the crossing.", "Two days ago", "2024-05-07", "day"),
    ("Three weeks ago the truce collapsed.", "Three weeks ago", "2024-W16", "week"),
    ("Five years ago the camp was built.", "Five years ago", "2019", "year"),
    # months and days without a year: the nearest year the tense allows
    ("In March, the UN warned of famine in the north.", "March", "2024-03", "month"),
    ("Aid deliveries stopped in November.", "November", "2023-11", "month"),
    ("Elections will be held in November.", "November", "2024-11", "month"),
    ("The talks were held on May 2 in Doha.", "May 2", "2024-05-02", "day"),
    ("The vote is scheduled for Sept. 3.", "Sept. 3", "2024-09-03", "day"),
    ("Fighting raged from March 3 to 5 in the south.", "March 3", "2024-03-03", "day"),
    # Hijri dates (tabular Islamic calendar)
    ("The attack on the 28th of Ramadan killed 12 people.", "28th of Ramadan", "2024-04-07", "day"),
    ("Families gathered for Eid al-Fitr in the ruins.", "Eid al-Fitr", "2024-04-10", "day"),
]


@pytest.mark.parametrize(("text", "expression", "value", "resolution"), CASES)
def test_dates_relative_expressions_resolve_against_publication(
    pipeline: Pipeline, text: str, expression: str, value: str, resolution: str
) -> None:
    mention = mention_at(analyse(pipeline, text, published=PUBLISHED), expression)
    assert (mention.value, mention.resolution, mention.relative) == (value, resolution, True)


ABSOLUTE = [
    ("The war began on 7 October 2023.", "7 October 2023", "2023-10-07", "day"),
    ("Crowds gathered on April 12, 2024 in the square.", "April 12, 2024", "2024-04-12", "day"),
    ("The report is dated 2024-04-30.", "2024-04-30", "2024-04-30", "day"),
    ("A letter dated 25/04/2024 was leaked.", "25/04/2024", "2024-04-25", "day"),
    ("A letter dated 04/25/2024 was leaked.", "04/25/2024", "2024-04-25", "day"),
    ("A letter dated 5/5/2024 was leaked.", "5/5/2024", "2024-05-05", "day"),
    ("Sanctions were imposed in May 2023.", "May 2023", "2023-05", "month"),
    ("The city was founded in 2019.", "2019", "2019", "year"),
    ("The decree was signed on 1 Shawwal 1445 in Riyadh.", "1 Shawwal 1445", "2024-04-10", "day"),
]


@pytest.mark.parametrize(("text", "expression", "value", "resolution"), ABSOLUTE)
def test_dates_absolute_expressions_need_no_publication(
    pipeline: Pipeline, text: str, expression: str, value: str, resolution: str
) -> None:
    for published in (PUBLISHED, None):
        mention = mention_at(analyse(pipeline, text, published=published), expression)
        assert (mention.value, mention.resolution, mention.relative) == (value, resolution, False)


VAGUE = [
    ("A letter dated 12/05/2024 was leaked.", "12/05/2024"),  # 12 May or 5 December
    ("In recent years the family farmed the valley.", "recent years"),
    ("The family has farmed the land for generations.", "for generations"),
    ("The town grew quickly in the 1990s.", "1990s"),
    ("Markets are closed on Fridays.", "Fridays"),
    ("Officials have met several times in the last month.", "last month"),
]


@pytest.mark.parametrize(("text", "expression"), VAGUE)
def test_dates_vague_or_ambiguous_expressions_keep_no_value(
    pipeline: Pipeline, text: str, expression: str
) -> None:
    mention = mention_at(analyse(pipeline, text, published=PUBLISHED), expression)
    assert (mention.value, mention.resolution, mention.relative) == (None, None, False)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("A 45-year-old man was killed at the checkpoint.", "45-year-old"),
        ("Begum, 19, left the country with two friends.", "19"),
        ("A three-day truce began at dawn.", "three-day"),
        ("Good Friday services were held in the old city.", "Friday"),
    ],
)
def test_dates_ages_durations_and_named_days_get_no_value(
    pipeline: Pipeline, text: str, word: str
) -> None:
    analysis = analyse(pipeline, text, published=PUBLISHED)
    start = text.index(word)
    assert all(d.value is None for d in analysis.dates if d.start <= start < d.end)


def test_dates_spans_match_the_text_and_ids_are_numbered(pipeline: Pipeline) -> None:
    text = (
        "GAZA CITY (Levant Wire) - Israeli strikes on Thursday killed 12 people, a day after "
        "talks in Cairo collapsed. The talks began on 7 October 2023 and resumed last week; "
        "mediators will try again next month, during the holy month that ends on 1 Shawwal."
    )
    analysis = analyse(pipeline, text, published=PUBLISHED)
    assert len(analysis.dates) >= 5
    for number, mention in enumerate(analysis.dates):
        assert mention.id == f"{analysis.article.id}-d{number}"
        assert mention.article_id == analysis.article.id
        assert text[mention.start : mention.end] == mention.text
        assert (mention.value is None) == (mention.resolution is None)
    starts = [d.start for d in analysis.dates]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in itertools.pairwise(analysis.dates))


def test_dates_without_publication_leave_relative_values_none(pipeline: Pipeline) -> None:
    text = "The strike happened on Thursday. Talks resumed yesterday and will go on in March."
    analysis = analyse(pipeline, text)
    assert [d.text for d in analysis.dates] == ["Thursday", "yesterday", "March"]
    assert all(d.value is None and not d.relative for d in analysis.dates)


def test_dates_dateline_without_a_year_is_not_a_reference(pipeline: Pipeline) -> None:
    text = "GAZA CITY, March 3 (Levant Wire) - The strike happened yesterday."
    dateline = Dateline(0, 37, text[:37], "GAZA CITY", "Levant Wire", date_text="March 3")
    analysis = analyse(pipeline, text, dateline=dateline)
    assert mention_at(analysis, "yesterday").value is None


def test_dates_dateline_with_a_full_date_is_the_reference(pipeline: Pipeline) -> None:
    text = "GAZA CITY, March 3, 2024 (Levant Wire) - The strike happened yesterday."
    dateline = Dateline(0, 38, text[:38], "GAZA CITY", "Levant Wire", date_text="March 3, 2024")
    analysis = analyse(pipeline, text, dateline=dateline)
    mention = mention_at(analysis, "yesterday")
    assert (mention.value, mention.relative) == ("2024-03-02", True)


def test_dates_articles_without_a_parse_are_left_alone() -> None:
    analysis = Analysis(Article.from_text("Talks resumed on Thursday.", published=PUBLISHED))
    assert DatesStage(Settings())([analysis]) == [analysis]


# --- the Islamic calendar --------------------------------------------------------------

# First of Ramadan as observed (Saudi Arabia): the tabular calendar is within a day.
OBSERVED_RAMADAN = {
    1441: date(2020, 4, 24),
    1442: date(2021, 4, 13),
    1443: date(2022, 4, 2),
    1444: date(2023, 3, 23),
    1445: date(2024, 3, 11),
    1446: date(2025, 3, 1),
}


@pytest.mark.parametrize(("year", "observed"), sorted(OBSERVED_RAMADAN.items()))
def test_dates_hijri_ramadan_within_a_day_of_observed(year: int, observed: date) -> None:
    assert abs((hijri_to_gregorian(year, 9, 1) - observed).days) <= 1


def test_dates_hijri_known_conversions() -> None:
    assert hijri_to_gregorian(1, 1, 1) == date(622, 7, 19)  # 16 July 622, Julian
    assert hijri_to_gregorian(1445, 9, 1) == date(2024, 3, 11)
    # 1445 is a leap year of the tabular calendar: Umm al-Qura began 1446 a day earlier.
    assert hijri_to_gregorian(1446, 1, 1) == date(2024, 7, 8)
    assert hijri_month_length(1445, 12) == 30


@pytest.mark.parametrize("year", range(1400, 1470))
def test_dates_hijri_months_follow_one_another(year: int) -> None:
    for month in range(1, 13):
        first = hijri_to_gregorian(year, month, 1)
        following = (
            hijri_to_gregorian(year, month + 1, 1)
            if month < 12
            else hijri_to_gregorian(year + 1, 1, 1)
        )
        assert (following - first).days == hijri_month_length(year, month)
        assert hijri_year_of(first) == year
        assert hijri_year_of(first - timedelta(days=1)) == (year if month > 1 else year - 1)


# --- properties ------------------------------------------------------------------------

FRAGMENTS = [
    "on Thursday",
    "last week",
    "12 May 2024",
    "May 12",
    "12/05/2024",
    "in 2019",
    "the 28th of",
    "Ramadan",
    "Shawwal 1445",
    "yesterday",
    "two days ago",
    "next month",
    "the 1990s",
    "March",
    "31 February",
    "30 Dhu al-Hijjah 1445",
    "Sept.",
    "9/11",
    "2024-13-45",
    "recent years",
    "Thursday, May 9",
    "the weekend",
    "5.5.2024",
    "1/2/03",
]
WORDS = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6))
ISO = {
    "day": re.compile(r"\d{4}-\d\d-\d\d"),
    "week": re.compile(r"\d{4}-W\d\d"),
    "month": re.compile(r"\d{4}-\d\d"),
    "year": re.compile(r"\d{4}"),
}


@settings(max_examples=200, deadline=None)
@given(
    words=st.lists(WORDS, max_size=12),
    reference=st.one_of(st.none(), st.dates(date(1950, 1, 1), date(2090, 12, 31))),
)
def test_dates_every_span_lies_in_the_text_and_every_value_is_iso(
    words: list[str], reference: date | None
) -> None:
    text = " ".join(words)
    for start, end, found in extract_dates(text, []):
        assert 0 <= start < end <= len(text)
        if found is None:
            continue
        for tense in (None, "past", "future"):
            result = normalise(found, reference, tense=tense)
            if result.value is not None:
                assert result.resolution in ISO
                assert ISO[result.resolution].fullmatch(result.value)
            if reference is None:
                assert not result.relative


def test_dates_implausible_publication_date_is_ignored(pipeline: Pipeline) -> None:
    analysis = analyse(pipeline, "The strike happened yesterday.", published="0001-01-01")
    assert mention_at(analysis, "yesterday").value is None


@pytest.mark.parametrize(
    ("value", "published", "background"),
    [
        ("1870-05-14", "2024-05-03", True),  # history
        ("2024-05-01", "2024-05-03T10:00:00Z", False),
        ("2023", "2024-05-03", False),  # the year before: may be the event's
        ("2026-W10", "2024-05-03", True),  # far in the future
        ("2024-13", "2024-05-03", False),  # impossible: nothing can be said
        ("1870-05-14", None, False),  # undated article
    ],
)
def test_dates_background_dates_lie_over_a_year_from_publication(
    value: str, published: str | None, background: bool
) -> None:
    from newsgraph.stages.dates import date_period, is_background

    assert is_background(value, published) is background
    assert (date_period(value) is None) is (value == "2024-13")
