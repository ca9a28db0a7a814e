"""Shared pieces of the story tests: a wire story, its copies, and records built from them."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsgraph.model import Actor, Analysis, Article, Dateline, Event, Place
from newsgraph.store import Store

WIRE = (
    "GAZA CITY (Levant Wire) - Israeli artillery shelled the Jabalia refugee camp in the "
    "northern Gaza Strip on Tuesday, killing 12 people and wounding 40, the Gaza health "
    "ministry said. Witnesses said shells struck a school sheltering displaced families "
    "near the camp market. The Israeli military said it was checking the report and that "
    "its forces had targeted militants firing rockets from the area. Rescue teams searched "
    "the rubble of two houses late into the night, and the main hospital in Jabalia said "
    "it had run short of fuel for its generators. The United Nations agency for "
    "Palestinian refugees said 3,000 people had taken shelter in the school since March."
)
INDEPENDENT = (
    "Residents of Jabalia described a night of heavy bombardment. Our correspondent in "
    "the northern Gaza Strip saw smoke rising over the refugee camp on Tuesday as "
    "ambulances carried the wounded to a hospital with failing generators. An Israeli "
    "army spokesman denied that a school had been hit, saying the shelling targeted a "
    "rocket launching site used by militants. Local officials put the toll at 12 dead."
)
COCOA = (
    "LONDON - Cocoa producers and consumers narrowed their differences on buffer stock "
    "rules at the International Cocoa Organization council meeting, delegates said on "
    "Thursday. The compromise would let the buffer stock manager buy 75,000 tonnes of "
    "cocoa from member countries at prices set each week, they said, adding that a final "
    "vote was expected before the session ends on Friday afternoon in London."
)


def wire_article(
    text: str = WIRE,
    *,
    source: str | None = "Levant Wire",
    published: str | None = "2024-05-07T08:00:00+00:00",
    title: str | None = "Shelling kills 12 in Jabalia",
    agency: str | None = "Levant Wire",
) -> Article:
    """An article whose text opens with a ``GAZA CITY (Levant Wire) -`` dateline."""
    dateline = None
    if text.startswith("GAZA CITY"):
        end = text.index(" - ") + 3
        dateline = Dateline(0, end, text[:end], "GAZA CITY", agency)
    return Article.from_text(
        text, source=source, published=published, title=title, dateline=dateline
    )


def with_event(
    article: Article,
    *,
    status: str = "alleged",
    claimant: tuple[str, str | None, str | None, str | None] | None = (
        "Gaza health ministry",
        "PSE",
        "GOV",
        "pse_health",
    ),
    plover_type: str = "ASSAULT",
    date: str | None = "2024-05-07",
    place: bool = True,
    actor: tuple[str, str | None, str | None, str | None] = (
        "Israeli military",
        "ISR",
        "MIL",
        "idf",
    ),
) -> Analysis:
    """An analysis of ``article`` telling one event (shelling of Jabalia by Israel)."""
    text = article.text
    aid = article.id
    start = max(0, text.find("shell"))
    trigger_end = start + 5
    actors = [
        Actor(
            f"{aid}-a1", aid, 0, 5, text[0:5], actor[0], "state", actor[1], actor[2], kb_id=actor[3]
        )
    ]
    claimed_by = None
    if claimant is not None:
        actors.append(
            Actor(
                f"{aid}-a2",
                aid,
                5,
                10,
                text[5:10],
                claimant[0],
                "organization",
                claimant[1],
                claimant[2],
                kb_id=claimant[3],
            )
        )
        claimed_by = f"{aid}-a2"
    places = []
    if place:
        places.append(
            Place(
                f"{aid}-p1",
                aid,
                10,
                15,
                text[10:15],
                "Jabalia",
                281124,
                31.528,
                34.483,
                "PSE",
                "P.PPL",
                "Gaza Strip",
            )
        )
    event = Event(
        id=f"{aid}-e1",
        article_id=aid,
        start=start,
        end=trigger_end,
        text=text[start:trigger_end],
        plover_type=plover_type,
        cameo_code="195",
        actor_ids=(f"{aid}-a1",),
        place_id=f"{aid}-p1" if place else None,
        date=date,
        date_resolution="day" if date else None,
        status=status,  # type: ignore[arg-type]
        claimed_by=claimed_by,
        reported_by=article.source,
    )
    return Analysis(article, actors=tuple(actors), places=tuple(places), events=(event,))


def copy_of(article: Article, text: str, **changes: Any) -> Article:
    """A copy of ``article`` with another text (and other metadata changes)."""
    dateline = article.dateline if text.startswith("GAZA CITY") else None
    return Article.from_text(
        text,
        **{
            "source": article.source,
            "published": article.published,
            "title": article.title,
            "dateline": dateline,
            **changes,
        },
    )


class Newsroom:
    """The builders above, handed to tests as one fixture."""

    wire_text = WIRE
    independent_text = INDEPENDENT
    cocoa_text = COCOA
    wire = staticmethod(wire_article)
    analysis = staticmethod(with_event)
    copy = staticmethod(copy_of)

    @staticmethod
    def replace(article: Article, **changes: Any) -> Article:
        return dataclasses.replace(article, **changes)


@pytest.fixture
def newsroom() -> Newsroom:
    return Newsroom()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "stories.duckdb") as opened:
        yield opened
