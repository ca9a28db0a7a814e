"""Event deduplication: when two mentions are one event, and what a canonical event reports."""

from __future__ import annotations

import dataclasses
import doctest
from typing import Any

import pytest

from newsgraph.stories import canonical_events
from newsgraph.stories.canonical_events import (
    ActorKey,
    CanonicalEvent,
    EventMention,
    MentionRow,
    PlaceKey,
    best_match,
    claims_text,
    compatible,
    mentions_of,
    period,
    summarize,
)

ISRAEL = ActorKey("idf", "ISR", "MIL", "israeli military")
ISRAEL_GOV = ActorKey("netanyahu", "ISR", "GOV", "benjamin netanyahu")
ISRAEL_ARMY = ActorKey(None, "ISR", "MIL", "israeli troops")
HAMAS = ActorKey("hamas", "PSE", "REB", "hamas")
JABALIA = PlaceKey("point", "PSE", "gaza strip", 281124, "Jabalia", 31.528, 34.483)
JABALIA_CAMP = PlaceKey("point", "PSE", "gaza strip", 281125, "Jabalia camp", 31.532, 34.484)
RAFAH = PlaceKey("point", "PSE", "gaza strip", 281129, "Rafah", 31.297, 34.245)
GAZA_STRIP = PlaceKey("region", "PSE", "gaza strip", 7303944, "Gaza Strip")
PALESTINE = PlaceKey("country", "PSE", None, 6254930, "Palestine")
DAY = 19850  # 2024-05-07


def mention(**changes: Any) -> EventMention:
    base = EventMention(
        event_id="e1", article_id="a1", plover_type="ASSAULT", cameo_code="195",
        status="asserted", claimant=None, claimant_key=None, actors=(ISRAEL,), recipients=(),
        place=JABALIA, first_day=DAY, last_day=DAY, date_level="day", date="2024-05-07",
        story_id=1,
    )  # fmt: skip
    return dataclasses.replace(base, **changes)


def test_canonical_events_doctests_pass() -> None:
    assert doctest.testmod(canonical_events).failed == 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2024-05-07", (DAY, DAY, "day")), ("2024-W19", (DAY - 1, DAY + 5, "week")),
     ("2024", (19723, 20088, "year")), ("2024-13", None), ("soon", None), (None, None)],
)  # fmt: skip
def test_period(value: str | None, expected: tuple[int, int, str] | None) -> None:
    assert period(value) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [(ISRAEL, ISRAEL_ARMY, "country"), (ISRAEL, ISRAEL_GOV, None), (ISRAEL, HAMAS, None),
     (ISRAEL, ActorKey("idf", None, None, "idf"), "kb"),
     (ActorKey(None, "ISR", None, "israel"), ISRAEL_GOV, "country"),
     (ActorKey(None, None, None, "gunmen"), ActorKey(None, None, None, "gunmen"), "name")],
)  # fmt: skip
def test_actor_agreement(a: ActorKey, b: ActorKey, expected: str | None) -> None:
    assert a.agrees(b) == expected
    assert b.agrees(a) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [(JABALIA, JABALIA, "point"), (JABALIA, JABALIA_CAMP, "point"), (JABALIA, RAFAH, None),
     (JABALIA, GAZA_STRIP, "region"), (RAFAH, PALESTINE, "country"),
     (JABALIA, PlaceKey("point", "ISR", None, 293690, "Sderot", 31.525, 34.597), None)],
)  # fmt: skip
def test_place_agreement(a: PlaceKey, b: PlaceKey, expected: str | None) -> None:
    assert a.agrees(b) == expected
    assert b.agrees(a) == expected


@pytest.mark.parametrize(
    ("changes", "same"),
    [
        pytest.param({}, True, id="identical"),
        pytest.param({"plover_type": "PROTEST"}, False, id="other-type"),
        pytest.param(
            {"first_day": DAY + 1, "last_day": DAY + 1, "recipients": (HAMAS,),
             "base_recipients": (HAMAS,)}, True, id="next-day-both-roles",
        ),
        # A point place with one role agreeing anchors reports of the same days only.
        pytest.param({"first_day": DAY + 1, "last_day": DAY + 1}, False, id="next-day-point-only"),
        pytest.param({"first_day": DAY + 3, "last_day": DAY + 3}, False, id="days-apart"),
        pytest.param({"place": RAFAH}, False, id="other-town"),
        # Issue 15: without a shared point place, both roles must agree (one war's strikes
        # "on Gaza" by Israel on two days were one canonical event).
        pytest.param({"place": GAZA_STRIP}, False, id="coarser-place-no-recipient"),
        pytest.param({"place": None}, False, id="no-place-no-recipient"),
        pytest.param(
            {"place": GAZA_STRIP, "recipients": (HAMAS,), "base_recipients": (HAMAS,)}, True,
            id="coarser-place-both-roles",
        ),
        pytest.param({"actors": (ISRAEL_ARMY,)}, True, id="same-country-sector"),
        pytest.param({"actors": (HAMAS,)}, False, id="other-actor"),
        pytest.param({"actors": ()}, False, id="no-actor-point-place-only"),
        pytest.param({"actors": (), "place": None}, False, id="nothing-agrees"),
        pytest.param({"recipients": (HAMAS,)}, True, id="recipient-on-one-side"),
        pytest.param({"story_id": 2}, True, id="other-story-specific-match"),
        pytest.param(
            {"story_id": 2, "place": GAZA_STRIP, "actors": (ISRAEL_ARMY,)}, False,
            id="other-story-country-level-only",
        ),
        pytest.param(
            {"place": GAZA_STRIP, "actors": (ISRAEL_ARMY,), "recipients": (HAMAS,),
             "base_recipients": (HAMAS,)}, True, id="same-story-coarse",
        ),
    ],
)  # fmt: skip
def test_compatible(changes: dict[str, Any], same: bool) -> None:
    event = CanonicalEvent.found(mention(recipients=changes.pop("base_recipients", ())))
    assert compatible(mention(event_id="e2", article_id="a2", **changes), event) is same


def test_best_match_prefers_the_more_specific_event() -> None:
    coarse = CanonicalEvent.found(mention(event_id="c", place=GAZA_STRIP, actors=(ISRAEL_ARMY,)))
    precise = CanonicalEvent.found(mention(event_id="p"))
    assert best_match(mention(event_id="m"), [coarse, precise]) is precise
    assert best_match(mention(event_id="m", plover_type="PROTEST"), [coarse, precise]) is None


def test_absorb_keeps_the_most_specific_place_and_date() -> None:
    event = CanonicalEvent.found(
        mention(
            place=PALESTINE, date="2024-05", date_level="month", first_day=19844, last_day=19874
        )
    )
    event.absorb(mention(event_id="e2", place=JABALIA, actors=(ISRAEL_ARMY,)))
    event.absorb(mention(event_id="e3", place=GAZA_STRIP, date=None, date_level="published",
                         first_day=DAY - 1, last_day=DAY))  # fmt: skip
    assert event.place == JABALIA
    assert (event.date, event.date_level, event.first_day) == ("2024-05-07", "day", DAY)
    assert event.actors == [ISRAEL, ISRAEL_ARMY]
    assert event.mentions == 3


def test_mentions_of_an_analysis(newsroom: Any) -> None:
    analysis = newsroom.analysis(newsroom.wire())
    (found,) = mentions_of(analysis, story_id=7)
    assert found.plover_type == "ASSAULT"
    assert found.actors[0].kb_id == "idf"
    assert found.place is not None and found.place.geonameid == 281124
    assert (found.claimant, found.claimant_key, found.status) == (
        "Gaza health ministry", "pse_health", "alleged",
    )  # fmt: skip
    assert (found.first_day, found.date_level, found.story_id) == (DAY, "day", 7)


def test_mention_without_a_date_takes_the_publication_day(newsroom: Any) -> None:
    analysis = newsroom.analysis(newsroom.wire(), date=None)
    (found,) = mentions_of(analysis)
    assert (found.first_day, found.last_day, found.date_level) == (DAY - 1, DAY, "published")


def row(article: str, origin: str, status: str, claimant: str | None, **more: Any) -> MentionRow:
    return MentionRow(
        event_id=f"{article}-e", article_id=article, status=status, claimant=claimant,
        claimant_key=claimant.lower() if claimant else None, origin=origin,
        published=more.get("published"), outlet=more.get("outlet"), cameo_code="195",
    )  # fmt: skip


def test_summarize_counts_independent_sources_and_claims() -> None:
    day = "2024-05-07T"
    rows = [
        row("a1", "levant wire", "alleged", "Hamas", published=day + "08:00", outlet="Levant Wire"),
        row("a2", "levant wire", "alleged", "Hamas", published=day + "09:00", outlet="Harbor"),
        row("a3", "levant wire", "alleged", "Hamas", published=day + "10:00", outlet="Valley"),
        row("a4", "capital herald", "alleged", "Hamas", published=day + "11:00"),
        row("a5", "capital herald", "denied", "Israel", published=day + "11:00"),
        row("a6", "prairie post", "denied", "Israel"),
    ]
    summary = summarize(rows)
    assert (summary["mentions"], summary["articles"], summary["sources"]) == (6, 6, 3)
    assert (summary["first_article_id"], summary["first_outlet"]) == ("a1", "Levant Wire")
    assert summary["claims"][0] == {
        "status": "alleged",
        "claimant": "Hamas",
        "outlets": 2,
        "articles": 4,
    }
    assert summary["claims_text"] == "alleged by Hamas (2 outlets), denied by Israel (2 outlets)"


def test_claims_text_for_outlets_own_voice() -> None:
    text = claims_text([{"status": "asserted", "claimant": None, "outlets": 3, "articles": 5}])
    assert text == "asserted by 3 outlets"


BBC = ActorKey("bbc", "GBR", "MED", "bbc")
MUSIC_RIGHTS = ActorKey(None, "GBR", "BUS", "british music rights")


def test_undated_mentions_never_match_every_date() -> None:
    # Issue 15: undated BBC items joined a 1987 Reuters dividend item through one actor.
    dated = CanonicalEvent.found(
        mention(actors=(BBC,), recipients=(MUSIC_RIGHTS,), place=None, story_id=1,
                plover_type="AGREE")
    )  # fmt: skip
    undated = mention(
        event_id="e2", article_id="a2", actors=(BBC,), recipients=(MUSIC_RIGHTS,), place=None,
        story_id=2,
        plover_type="AGREE", first_day=None, last_day=None, date_level="published", date=None,
    )  # fmt: skip
    assert not compatible(undated, dated)
    # Within its own story and on a knowledge-base agreement, an undated report may join.
    assert compatible(dataclasses.replace(undated, story_id=1), dated)
    # Two undated mentions of different stories stay apart too.
    assert not compatible(undated, CanonicalEvent.found(dataclasses.replace(undated, story_id=3)))


def test_one_sided_actors_need_more_evidence() -> None:
    # One side names the actor, the other names none: a shared place alone is not enough,
    # even within the story; with the recipient agreeing as well, it is.
    event = CanonicalEvent.found(mention(actors=(ISRAEL,), recipients=(), story_id=1))
    bare = mention(event_id="e2", article_id="a2", actors=(), story_id=2)
    assert not compatible(bare, event)
    assert not compatible(dataclasses.replace(bare, story_id=1), event)
    event = CanonicalEvent.found(mention(actors=(ISRAEL,), recipients=(HAMAS,), story_id=1))
    assert compatible(dataclasses.replace(bare, recipients=(HAMAS,)), event)


@pytest.mark.parametrize(
    ("event_date", "used"), [("1870-05-14", "2024-05-07"), ("2024", "2024-05-07"),
                             ("2024-05-05", "2024-05-05")],
)  # fmt: skip
def test_background_and_year_dates_are_not_event_dates(event_date: str, used: str) -> None:
    from newsgraph.model import Analysis, Article, Event

    article = Article("a1", "Troops shelled Jabalia.", published="2024-05-07")
    event = Event("a1-v1", "a1", 0, 22, "Troops shelled Jabalia.", "ASSAULT", date=event_date)
    found = mentions_of(Analysis(article, events=(event,)))[0]
    assert found.date == used
