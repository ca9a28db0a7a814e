"""Metadata written into the text: datelines, licences, credits, sign-offs, boilerplate."""

from __future__ import annotations

import pytest

from newsgraph.ingest.cleaning import clean_text, find_dateline, license_of, normalize_body
from newsgraph.model import Removed


def texts(removed: tuple[Removed, ...]) -> list[str]:
    """The removed strings, in order."""
    return [item.text for item in removed]


BODY = "Negotiators met again on Tuesday.\n\nThe union wants guarantees on overtime pay."


@pytest.mark.parametrize(
    ("text", "written", "place", "agency", "date_text"),
    [
        ("TEHRAN— Officials met on Sunday.", "TEHRAN—", "TEHRAN", None, None),
        ("TEHRAN (ECNA) — Officials met on Sunday.", "TEHRAN (ECNA) —", "TEHRAN", "ECNA", None),
        (
            "GAZA CITY (Levant Wire) - Talks resumed.",
            "GAZA CITY (Levant Wire) -",
            "GAZA CITY",
            "Levant Wire",
            None,
        ),
        (
            "KYIV, March 3 (Meridian News) — Shelling damaged a power station.",
            "KYIV, March 3 (Meridian News) —",
            "KYIV",
            "Meridian News",
            "March 3",
        ),
        ("NAIROBI — Heavy rain flooded the market.", "NAIROBI —", "NAIROBI", None, None),
        ("NAIROBI -- Heavy rain flooded the market.", "NAIROBI --", "NAIROBI", None, None),
        ("ISLAMABAD: The cabinet met.", "ISLAMABAD:", "ISLAMABAD", None, None),
        (
            "WASHINGTON, D.C. — Senators voted late on Monday.",
            "WASHINGTON, D.C. —",
            "WASHINGTON, D.C.",
            None,
            None,
        ),
        (
            "KHAN YOUNIS, Gaza (Levant Wire) — Families returned.",
            "KHAN YOUNIS, Gaza (Levant Wire) —",
            "KHAN YOUNIS, Gaza",
            "Levant Wire",
            None,
        ),
        (
            "NOUMÉA — Le gouvernement a décrété l'état d'urgence.",
            "NOUMÉA —",
            "NOUMÉA",
            None,
            None,
        ),
        (
            "SRINAGAR/ISLAMABAD, July 16 (Subcontinent Wire) — Four soldiers were killed.",
            "SRINAGAR/ISLAMABAD, July 16 (Subcontinent Wire) —",
            "SRINAGAR/ISLAMABAD",
            "Subcontinent Wire",
            "July 16",
        ),
        (
            "ŁÓDŹ, Poland, Jan. 9 — The factory reopened.",
            "ŁÓDŹ, Poland, Jan. 9 —",
            "ŁÓDŹ, Poland",
            None,
            "Jan. 9",
        ),
        (
            "Port Ellis (Coastline Courier) — Dockworkers struck.",
            "Port Ellis (Coastline Courier) —",
            "Port Ellis",
            "Coastline Courier",
            None,
        ),
    ],
)
def test_find_dateline_reads_its_parts(
    text: str, written: str, place: str, agency: str | None, date_text: str | None
) -> None:
    dateline = find_dateline(text)
    assert dateline is not None
    assert (dateline.start, dateline.end, dateline.text) == (0, len(written), written)
    assert text[dateline.start : dateline.end] == dateline.text
    assert (dateline.place, dateline.agency, dateline.date_text) == (place, agency, date_text)


@pytest.mark.parametrize(
    "text",
    [
        "The minister said the talks would resume on Tuesday.",
        "The minister said — again — that the talks would resume.",
        "Officials in Tehran said the talks — the first in a year — went well.",
        "COVID-19 cases rose sharply in the capital last week.",
        "X-ray machines were delivered to the hospital.",
        "US — and European — officials declined to comment.",
        "I — like many others — voted early.",
        "BREAKING: The bridge has reopened.",
        "UPDATE - The vote has been postponed.",
        "EXCLUSIVE — Documents seen by the paper show a deal.",
        "Tehran — the capital — was quiet on Sunday.",
        "Ms Lima (pictured) — who chairs the board — resigned.",
        "",
    ],
)
def test_find_dateline_ignores_ordinary_openings(text: str) -> None:
    assert find_dateline(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "TEHRAN (ECNA) — Officials met.\n\nMR/ZH",
        "\n\n  NAIROBI — Rain.\r\n\r\nMore rain.  ",
        "KYIV, March 3 (Meridian News) — Shelling.\n\n(Reporting by Ana Lima; Editing by Bo Chen)",
        "This story is licensed under a Creative Commons Attribution 4.0 International License."
        "\n\nGAZA CITY (Levant Wire) - Talks resumed.",
    ],
)
def test_clean_text_dateline_points_into_the_cleaned_text(text: str) -> None:
    cleaned = clean_text(text)
    dateline = cleaned.dateline
    assert dateline is not None
    assert cleaned.text[dateline.start : dateline.end] == dateline.text


@pytest.mark.parametrize(
    ("licence_line", "name"),
    [
        (
            "This article is licensed under a Creative Commons Attribution 4.0 "
            "International License.",
            "CC BY 4.0",
        ),
        (
            "This work is licensed under a Creative Commons Attribution-ShareAlike 4.0 "
            "International License.",
            "CC BY-SA 4.0",
        ),
        (
            "Licensed under a Creative Commons Attribution-NonCommercial 4.0 International "
            "License.",
            "CC BY-NC 4.0",
        ),
        (
            "This story is published under a Creative Commons Attribution-NonCommercial-"
            "ShareAlike 3.0 licence.",
            "CC BY-NC-SA 3.0",
        ),
        (
            "Creative Commons Attribution-NonCommercial-NoDerivatives 4.0 International License",
            "CC BY-NC-ND 4.0",
        ),
        ("Creative Commons Attribution-NoDerivatives 4.0", "CC BY-ND 4.0"),
        ("Text available under CC BY-SA 4.0.", "CC BY-SA 4.0"),
        ("CC BY 4.0", "CC BY 4.0"),
        ("Licence: CC0", "CC0"),
    ],
)
def test_clean_text_takes_licence_line_out_of_the_body(licence_line: str, name: str) -> None:
    assert license_of(licence_line) == name
    cleaned = clean_text(f"{BODY}\n\n{licence_line}\n\nA final paragraph follows.")
    assert cleaned.license == name
    assert cleaned.text == f"{BODY}\n\nA final paragraph follows."
    assert Removed(licence_line.strip(), "licence") in cleaned.removed


@pytest.mark.parametrize(
    "sentence",
    [
        "The archive will enter the public domain next year, the ministry said.",
        "He wore a CC BY cap.",
        "Copyright law was the main topic of the debate in parliament on Monday.",
        "Subscribers to the old service were refunded.",
    ],
)
def test_clean_text_keeps_story_sentences_that_mention_metadata(sentence: str) -> None:
    text = f"{BODY}\n\n{sentence}"
    cleaned = clean_text(text)
    assert cleaned.text == text
    assert cleaned.license is None
    assert cleaned.removed == ()


@pytest.mark.parametrize(
    ("credit", "byline"),
    [
        ("(Reporting by Ana Lima; Editing by Tom Reed)", "Ana Lima"),
        ("Reporting by Ana Lima; Editing by Tom Reed", "Ana Lima"),
        ("(Reporting by Ana Lima and Bo Chen; Writing by Sam Fox)", "Ana Lima and Bo Chen"),
        (
            "(Reporting by Ana Lima in Nairobi and Bo Chen in New York; Editing by Sam Fox)",
            "Ana Lima and Bo Chen",
        ),
        ("(Writing by Sam Fox; Editing by Tom Reed)", "Sam Fox"),
    ],
)
def test_clean_text_takes_byline_from_reporting_credit(credit: str, byline: str) -> None:
    cleaned = clean_text(f"{BODY}\n\n{credit}")
    assert cleaned.byline == byline
    assert cleaned.text == BODY
    assert cleaned.removed == (Removed(credit, "byline"),)


@pytest.mark.parametrize("initials", ["MR/ZH", "AB/CD.", "JM/KL/PT", "SK/2"])
def test_clean_text_removes_trailing_editor_initials(initials: str) -> None:
    cleaned = clean_text(f"{BODY}\n\n{initials}")
    assert cleaned.text == BODY
    assert cleaned.removed == (Removed(initials, "sign_off"),)


def test_clean_text_peels_every_sign_off_from_the_end() -> None:
    tail = [
        "(Reporting by Ana Lima; Editing by Tom Reed)",
        "MR/ZH",
        "© 2024 Coastline Courier. All rights reserved.",
        "Follow us on social media",
        "Advertisement",
    ]
    cleaned = clean_text(BODY + "\n\n" + "\n".join(tail) + "\n\n")
    assert cleaned.text == BODY
    assert cleaned.byline == "Ana Lima"
    assert texts(cleaned.removed) == tail


@pytest.mark.parametrize(
    "line",
    [
        "© 2024 Coastline Courier",
        "(c) Coastline Courier",
        "Copyright 2024 Coastline Courier",
        "Copyright © Coastline Courier",
        "Coastline Courier. All rights reserved.",
        "Click here to read the full report",
        "Subscribe to our morning newsletter",
        "Sign up for alerts",
        "Read more: Harbour strike enters its second week",
        "Share this article",
        "Advertisement",
    ],
)
def test_clean_text_removes_trailing_boilerplate(line: str) -> None:
    cleaned = clean_text(f"{BODY}\n\n{line}")
    assert cleaned.text == BODY
    assert texts(cleaned.removed) == [line]


def test_clean_text_keeps_boilerplate_words_inside_the_story() -> None:
    text = f"Advertisement\n\n{BODY}\n\nThe talks continue on Friday."
    assert clean_text(text).text == text


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("  Line one.\r\nLine two.\rLine three.  ", "Line one.\nLine two.\nLine three."),
        ("Cafe\u0301 closed.", "Café closed."),  # NFC
        ("Talks\x00 re\x07sumed.\x1b", "Talks resumed."),
        ("Tab\tand\x0cform feed stay.", "Tab\tand\nform feed stay."),
    ],
)
def test_normalize_body_cleans_newlines_unicode_and_controls(raw: str, normal: str) -> None:
    assert normalize_body(raw) == normal


def test_clean_text_drops_the_sgml_end_mark_and_reuter_sign_off() -> None:
    cleaned = clean_text("Profits rose 5 pct, the company said.\n REUTER\n&#3;")
    assert cleaned.text == "Profits rose 5 pct, the company said."
    assert texts(cleaned.removed) == ["REUTER", "&#3;"]


# -- every rule: what it removes, and a story line like it that survives ---------------

STORY_LINE = "Talks between the two delegations resumed in Oslo on Monday, officials said."


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Read more: Harbour strike enters its second week", "related_link"),
        ("Also Read | Port reopens after the storm", "related_link"),
        ("Related news", "related_link"),
        ("Share - WeChat", "boilerplate"),
        ("Leave a Reply", "boilerplate"),
        ("Your email address will not be published. Required fields are marked *", "boilerplate"),
        ("BACK TO THE TOP", "boilerplate"),
        ("2023-05-26 23:46:00", "metadata"),
        ("1573671266000", "metadata"),
        ("harbour-strike.jpeg", "metadata"),
        ("Posted Wednesday, September 18, 2024 11:56 pm", "metadata"),
        ("Editor: bchen", "metadata"),
        ("News Desk October 04, 2017", "metadata"),
        ("Source: Coastline Courier", "credit"),
        ("By Ana Lima in Port Ellis | coastline.example | Updated: 2023-08-24 22:15", "byline"),
        ("Copyright 1995 - . All rights reserved.", "credit"),
        ("Dockworkers march to the port gate on Monday. PHOTO: AFP", "caption"),
        (
            "Dockworkers march to the port gate, 7 May 2024 © HARBOUR PHOTO ANA LIMA / AFP",
            "caption",
        ),
        ("Dockworkers march to the port gate on Monday. (Photo by Reuters)", "caption"),
        ("Dockworkers march to the port gate. (Meridian/Ana Lima)", "caption"),
        ("Dockworkers march to the port gate. PORT ELLIS NEWS/TWITTER", "caption"),
    ],
)
def test_clean_text_removes_a_known_line_shape_anywhere(line: str, reason: str) -> None:
    cleaned = clean_text(f"{BODY}\n\n{line}\n\n{STORY_LINE}")
    assert cleaned.text == f"{BODY}\n\n{STORY_LINE}"
    assert cleaned.removed == (Removed(line, reason),)


@pytest.mark.parametrize(
    "line",
    [
        # Each mentions what a rule looks for, as a story line would.
        "Read more about the strike in the union's report, published on Monday.",
        "Related talks in Geneva ended without a deal.",
        "Share prices fell 3% after the port closed.",
        "Published reports in Canada, quoting government sources, said the deal was near.",
        "Editors at the paper said they had not been told.",
        "Source of the leak remains unknown, the ministry said.",
        "By Monday, the harbour had reopened to ships.",
        "Copyright law was the main topic of the debate in parliament on Monday.",
        "The photographer said she took the photo: nobody stopped her.",
        "Prices in the EU/UK trade zone rose, the agency said.",
        "The union's deputy desk officer said the strike would go on.",
        "The photos are released under a Creative Commons Attribution licence, the museum said.",
        "Subscribers to the old service were refunded.",
        "NON-DEL GRADES/UNGRADED    77       78    581",
    ],
)
def test_clean_text_keeps_a_story_line_shaped_like_a_rule(line: str) -> None:
    text = f"{BODY}\n\n{line}\n\n{STORY_LINE}"
    cleaned = clean_text(text)
    assert cleaned.text == text
    assert cleaned.removed == ()


def test_clean_text_removes_only_the_licence_sentence_of_a_long_line() -> None:
    story = " ".join([STORY_LINE] * 60)  # one line of several thousand characters
    licence = (
        "All Content by Coastline Courier is licensed under a Creative Commons "
        "Attribution 4.0 International License."
    )
    cleaned = clean_text(f"PORT ELLIS (CC) — Talks resumed.\n{story} MR/ZH {licence}")
    assert cleaned.text == f"PORT ELLIS (CC) — Talks resumed.\n{story}"
    assert cleaned.removed == (Removed(f"MR/ZH {licence}", "licence"),)
    assert cleaned.license == "CC BY 4.0"
    assert cleaned.publisher == "Coastline Courier"


def test_clean_text_removes_a_licence_sentence_opening_a_line() -> None:
    licence = "This article is licensed under a Creative Commons Attribution 4.0 License."
    cleaned = clean_text(f"{licence} {STORY_LINE}")
    assert cleaned.text == STORY_LINE
    assert texts(cleaned.removed) == [licence]


@pytest.mark.parametrize(
    ("line", "publisher"),
    [
        ("© 2024 Coastline Courier. All rights reserved.", "Coastline Courier"),
        ("Copyright © Meridian News", "Meridian News"),
        ("Source: Levant Wire", "Levant Wire"),
        ("By Ana Lima | coastline.example | Updated: 2023-08-24 22:15", "coastline.example"),
        (
            "All Content by Levant Wire Agency is licensed under a Creative Commons "
            "Attribution 4.0 International License.",
            "Levant Wire Agency",
        ),
    ],
)
def test_clean_text_takes_the_publisher_from_credit_lines(line: str, publisher: str) -> None:
    assert clean_text(f"{BODY}\n\n{line}").publisher == publisher


def test_clean_text_drops_a_line_repeating_the_headline() -> None:
    title = "Harbour talks resume after storm-Meridian"
    cleaned = clean_text(f"Harbour talks resume after storm\n\n{BODY}", title=title)
    assert cleaned.text == BODY
    assert cleaned.removed == (Removed("Harbour talks resume after storm", "title"),)
    # A short line that only starts the same way is story.
    kept = clean_text(f"Harbour talks\n\n{BODY}", title=title)
    assert kept.text == f"Harbour talks\n\n{BODY}"


def test_clean_text_keeps_advertisement_and_sign_off_shapes_inside_the_story() -> None:
    text = f"Advertisement\n\nMR/ZH\n\n{BODY}"
    assert clean_text(text).text == text


def test_find_dateline_reads_a_slashed_agency() -> None:
    dateline = find_dateline("MINSK, October 11. /TASS/. Border guards said on Monday.")
    assert dateline is not None
    assert (dateline.place, dateline.agency, dateline.date_text) == ("MINSK", "TASS", "October 11")
    assert dateline.text == "MINSK, October 11. /TASS/."


def test_clean_text_keeps_a_caption_of_several_sentences_without_its_credit() -> None:
    caption = (
        "Dockworkers march to the port gate on Monday. The union said on Tuesday that the "
        "strike would go on until the port authority improves its offer."
    )
    cleaned = clean_text(f"{BODY}\n\n{caption} (Photo: AP)\n\n{STORY_LINE}")
    assert cleaned.text == f"{BODY}\n\n{caption}\n\n{STORY_LINE}"
    assert cleaned.removed == (Removed("(Photo: AP)", "credit"),)
