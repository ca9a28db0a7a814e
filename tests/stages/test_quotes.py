"""Quotes: quote marks, cues, speakers and addressees, on sentences written for these tests."""

from __future__ import annotations

import importlib.util
from dataclasses import replace
from pathlib import Path

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from newsgraph.model import Actor, Analysis, Article, Mention, Quote
from newsgraph.pipeline import Pipeline, Stage, apply_stages
from newsgraph.settings import Settings
from newsgraph.stages.entities import EntitiesStage
from newsgraph.stages.parse import ParseStage
from newsgraph.stages.quote_cues import CUE_VERBS
from newsgraph.stages.quotes import QuotesStage, find_quoted, read_quotes

HAS_ACTORS = importlib.util.find_spec("newsgraph.stages.actors") is not None
BLANK = spacy.blank("en")


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    s = Settings()  # the packaged defaults: module scope comes before the config isolation
    return Pipeline(stages=(ParseStage(s), EntitiesStage(s), QuotesStage(s)))


def analyse(pipeline: Pipeline, text: str) -> Analysis:
    article = Article.from_text(text, language="en")
    [analysis], rejected = apply_stages(pipeline, [Analysis(article)])
    assert not rejected
    return analysis


def quote_with(analysis: Analysis, words: str) -> Quote:
    """The quote whose content holds ``words``."""
    found = [q for q in analysis.quotes if words in q.text]
    assert found, f"no quote holds {words!r}: {[q.text for q in analysis.quotes]}"
    return found[0]


# --- quote marks, without a parse ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('He said "we stay" today.', ['"we stay"']),
        ("“We stay,” he said.", ["“We stay,”"]),
        ("''We stay,'' he said, ''and fight.''", ["''We stay,''", "''and fight.''"]),
        ('"He told me ‘never’ and “no,” she said.', ['"He told me ‘never’ and “no,” she said.']),
        ('"Outer “inner” outer," she said.', ['"Outer “inner” outer,"']),
        # a quote continued into the next paragraph, which opens with a mark
        ('She said:\n\n"One.\n\n"Two."\n\nThree.', ['"One.\n\n"Two."']),
        ("“One.\n“Two.\n“Three.”\nFour.", ["“One.\n“Two.\n“Three.”"]),
        # an unmatched mark ends with its paragraph
        ('He said "we stay\n\nNext paragraph.', ['"we stay']),
        ('Not a quote: 12" pipes.', []),
        ("A stray ” mark.", []),
        # curly single marks outside double ones, apostrophes are not marks
        ("Trump: ‘I’m the best.’", ["‘I’m the best.’"]),
        ("The group’s leaders’ plans", []),
        ("", []),
    ],
)
def test_quotes_find_quoted_pairs_marks(text: str, expected: list[str]) -> None:
    assert [text[q.start : q.end] for q in find_quoted(text)] == expected


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(['"', "“", "”", "‘", "’", "''", "``", " ", "\n", "\n\n", "word", ",", "."]),
        max_size=40,
    )
)
def test_quotes_find_quoted_spans_are_ordered_and_inside(pieces: list[str]) -> None:
    text = "".join(pieces)
    found = find_quoted(text)
    last_end = 0
    for quote in found:
        assert last_end <= quote.start < quote.end <= len(text)
        last_end = quote.end


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ['"', "“", "”", "‘", "’", " ", "\n", "\n\n", ":", "Smith", "said", "the", "words", "."]
        ),
        max_size=60,
    )
)
def test_quotes_without_a_parse_every_span_lies_in_the_text(pieces: list[str]) -> None:
    # A pipeline without a parser: only quote marks and headline colons are read.
    text = "".join(pieces)
    for found in read_quotes(BLANK(text)):
        assert 0 <= found.start < found.end <= len(text)
        for bounds in (found.speaker, found.cue, found.addressee):
            assert bounds is None or 0 <= bounds[0] < bounds[1] <= len(text)


# --- cues, speakers and addressees -----------------------------------------------------

# (text, words in the content, kind, speaker, cue, addressee)
CASES = [
    (
        '"We will not leave," said the minister.',
        "We will not leave",
        "direct",
        "the minister",
        "said",
        None,
    ),
    (
        "“The ceasefire is over,” Ahmed Saleh told reporters on Sunday.",
        "ceasefire is over",
        "direct",
        "Ahmed Saleh",
        "told",
        "reporters",
    ),
    (
        'Mayor Jane Porter said: "We have enough water."',
        "enough water",
        "direct",
        "Jane Porter",
        "said",
        None,
    ),
    (
        "Porter said that the dam would hold.",
        "that the dam would hold",
        "indirect",
        "Porter",
        "said",
        None,
    ),
    (
        "Khan told reporters the talks had failed.",
        "the talks had failed",
        "indirect",
        "Khan",
        "told",
        "reporters",
    ),
    (
        "The minister warned that food prices would rise sharply.",
        "that food prices would rise",
        "indirect",
        "The minister",
        "warned",
        None,
    ),
    (
        "The army warned residents to leave the area before nightfall.",
        "to leave the area",
        "indirect",
        "The army",
        "warned",
        "residents",
    ),
    (
        "According to the health ministry, 30 people were killed.",
        "30 people were killed",
        "indirect",
        "the health ministry",
        "According to",
        None,
    ),
    (
        "Thirty people were killed, according to the health ministry.",
        "Thirty people were killed",
        "indirect",
        "the health ministry",
        "according to",
        None,
    ),
    (
        "The ambassador told the UN Security Council that the siege must end.",
        "that the siege must end",
        "indirect",
        "The ambassador",
        "told",
        "the UN Security Council",
    ),
    (
        'Karimi said the regime "will bear full responsibility" for the attacks.',
        '"will bear full responsibility"',
        "mixed",
        "Karimi",
        "said",
        None,
    ),
    (
        "The group accused the government of breaking the truce.",
        "breaking the truce",
        "indirect",
        "The group",
        "accused",
        None,
    ),
    (
        "The president urged both sides to return to the talks.",
        "to return to the talks",
        "indirect",
        "The president",
        "urged",
        "both sides",
    ),
    (
        'Porter wrote in a letter to the governor: "The levees will not hold another week."',
        "The levees will not hold",
        "statement",  # words from a letter
        "Porter",
        "wrote",
        "the governor",
    ),
    (
        "Police Chief Mark Dunn: Nobody was hurt in the blast.",
        "Nobody was hurt",
        "indirect",
        "Police Chief Mark Dunn",
        ":",
        None,
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(("text", "content", "kind", "speaker", "cue", "addressee"), CASES)
def test_quotes_forms(
    pipeline: Pipeline,
    text: str,
    content: str,
    kind: str,
    speaker: str,
    cue: str,
    addressee: str | None,
) -> None:
    analysis = analyse(pipeline, text)
    quote = quote_with(analysis, content)
    assert quote.kind == kind
    assert quote.speaker is not None and quote.speaker.text == speaker
    assert quote.cue is not None and quote.cue.text == cue
    assert (quote.addressee.text if quote.addressee else None) == addressee


@pytest.mark.slow
def test_quotes_interrupted_quote_is_one_quote(pipeline: Pipeline) -> None:
    text = '"We are ready," Porter said. "The city will not flood."'
    analysis = analyse(pipeline, text)
    [quote] = analysis.quotes
    assert quote.text == text[: text.rindex('"') + 1]
    assert quote.speaker is not None and quote.speaker.text == "Porter"


@pytest.mark.slow
def test_quotes_multi_paragraph_quote_after_a_colon(pipeline: Pipeline) -> None:
    text = (
        "Mayor Jane Porter spoke to residents on Tuesday.\n\nPorter said:\n\n"
        '"The first pumps arrived this morning.\n\n'
        '"More will come tomorrow, and the levees will hold."\n\n'
        "Officials declined to comment further."
    )
    quote = quote_with(analyse(pipeline, text), "first pumps")
    assert quote.text.startswith('"The first pumps') and quote.text.endswith('will hold."')
    assert quote.kind == "direct"
    assert quote.speaker is not None and quote.speaker.text == "Porter"


@pytest.mark.slow
def test_quotes_unmatched_mark_ends_with_its_paragraph(pipeline: Pipeline) -> None:
    text = 'Porter said "the river is rising fast.\n\nTraffic was diverted on Tuesday.'
    quote = quote_with(analyse(pipeline, text), "river is rising")
    assert "Traffic" not in quote.text


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    [
        'The "peace plan" has collapsed.',  # a scare quote, not speech
        '"I think we will win," Porter said.',  # "think" inside the quote is no cue of its own
    ],
)
def test_quotes_scare_quotes_and_cues_inside_quotes(pipeline: Pipeline, text: str) -> None:
    quotes = analyse(pipeline, text).quotes
    assert len(quotes) == (0 if "peace plan" in text else 1)


@pytest.mark.slow
def test_quotes_statement_read_is_attributed_to_its_issuer(pipeline: Pipeline) -> None:
    text = (
        "The Rafah Relief Committee issued a statement on Monday.\n\n"
        'The statement read: "We condemn the attack on the convoy and demand an inquiry."'
    )
    quote = quote_with(analyse(pipeline, text), "We condemn")
    assert quote.kind == "statement"
    assert quote.speaker is not None and quote.speaker.text == "The Rafah Relief Committee"


@pytest.mark.slow
def test_quotes_letter_as_follows_with_author_and_addressee(pipeline: Pipeline) -> None:
    text = (
        "Foreign Minister Ana Ruiz sent a letter to the UN Security Council on Friday.\n\n"
        "The text of the letter is as follows:\n\n"
        '"We ask the council to act now.\n\n"We will cooperate fully with any inquiry."\n\n'
        "The council is expected to meet next week."
    )
    quote = quote_with(analyse(pipeline, text), "We ask the council")
    assert quote.kind == "statement"
    assert quote.text.endswith('any inquiry."')
    assert quote.cue is not None and quote.cue.text == "is as follows"
    assert quote.speaker is not None and quote.speaker.text == "Ana Ruiz"
    assert quote.addressee is not None and quote.addressee.text == "the UN Security Council"


@pytest.mark.parametrize(
    ("text", "speaker", "resolved"),
    [
        (
            'Ana Ruiz arrived in Geneva on Monday.\n\n"We will not give up," she said.',
            "she",
            "Ana Ruiz",
        ),
        (
            "Foreign Ministry spokesman Saeed Karimi spoke on Monday. "
            "The spokesman said the talks would resume.",
            "The spokesman",
            "Saeed Karimi",
        ),
        ("Porter, who said the dam would hold, left the city.", "who", "Porter"),
    ],
)
@pytest.mark.slow
def test_quotes_pronoun_and_title_speakers_resolve(
    pipeline: Pipeline, text: str, speaker: str, resolved: str
) -> None:
    doc = analyse(pipeline, text).doc
    [found] = read_quotes(doc)
    assert found.speaker is not None and text[slice(*found.speaker)] == speaker
    assert found.resolved is not None and text[slice(*found.resolved)] == resolved


@pytest.mark.slow
def test_quotes_speaker_and_addressee_link_to_actors(pipeline: Pipeline) -> None:
    text = (
        "Foreign Ministry spokesman Saeed Karimi arrived on Monday.\n\n"
        '"We will not give up," he told the council.'
    )
    parsed = analyse(pipeline, text)
    karimi = text.index("Saeed Karimi")
    council = text.index("the council")
    actors = (
        Actor(
            id="a0", article_id=parsed.article.id, start=karimi, end=karimi + 12,
            text="Saeed Karimi", name="Saeed Karimi", kind="person",
            mentions=(Mention(karimi, karimi + 12, "Saeed Karimi"),),
        ),
        Actor(
            id="a1", article_id=parsed.article.id, start=council, end=council + 11,
            text="the council", name="UN Security Council", kind="organization",
        ),
    )  # fmt: skip
    [analysis] = QuotesStage(Settings())([replace(parsed, actors=actors)])
    [quote] = analysis.quotes
    assert quote.speaker is not None and quote.speaker.text == "he"
    assert (quote.speaker_id, quote.addressee_id) == ("a0", "a1")


@pytest.mark.slow
def test_quotes_spans_match_the_text_and_ids_are_numbered(pipeline: Pipeline) -> None:
    text = (
        "“We are ready,” the mayor said on Monday. Officials said the dam would hold.\n\n"
        'According to the ministry, 30 people were hurt. "It was chaos," a witness said.'
    )
    analysis = analyse(pipeline, text)
    assert [q.id for q in analysis.quotes] == [
        f"{analysis.article.id}-q{n}" for n in range(len(analysis.quotes))
    ]
    assert [q.start for q in analysis.quotes] == sorted(q.start for q in analysis.quotes)
    for kind, start, end, words in analysis.spans():
        assert text[start:end] == words, kind


def test_quotes_articles_without_a_parse_are_left_alone() -> None:
    analysis = Analysis(Article.from_text('"We stay," he said.', language="fr"))
    assert QuotesStage(Settings())([analysis]) == [analysis]


def test_quotes_stage_declares_what_it_needs() -> None:
    assert QuotesStage.name == "quotes"
    assert QuotesStage.requires == frozenset({"doc", "entities"})
    assert QuotesStage.produces == frozenset({"quotes"})
    assert isinstance(QuotesStage(Settings()), Stage)
    assert {"say", "tell", "warn", "accuse", "claim", "deny", "insist", "add"} <= set(CUE_VERBS)


# --- the demo story --------------------------------------------------------------------


@pytest.fixture(scope="module")
def haniyeh() -> Analysis:
    s = Settings()
    stages: list[Stage] = [ParseStage(s), EntitiesStage(s)]
    if HAS_ACTORS:
        from newsgraph.stages.actors import ActorsStage

        stages.append(ActorsStage(s))
    stages.append(QuotesStage(s))
    path = Path(__file__).resolve().parents[2] / "examples/demo/text/haniyeh_letter_khamenei.txt"
    article = Article.from_text(path.read_text(encoding="utf-8"), language="en")
    [analysis], rejected = apply_stages(Pipeline(stages=tuple(stages)), [Analysis(article)])
    assert not rejected
    return analysis


@pytest.mark.slow
def test_quotes_demo_letter_is_one_statement_by_haniyeh_to_khamenei(haniyeh: Analysis) -> None:
    letter = quote_with(haniyeh, "In the name of God")
    assert letter.kind == "statement"
    assert "I write to you while the blessed Al-Aqsa Mosque is bleeding" in letter.text
    assert letter.text.endswith('the eternal capital of Palestine."')
    assert letter.cue is not None and letter.cue.text == "is as follows"
    assert letter.speaker is not None and "Haniyeh" in letter.speaker.text
    assert letter.addressee is not None and "Khamenei" in letter.addressee.text
    if haniyeh.actors:
        names = {actor.id: actor.name for actor in haniyeh.actors}
        assert "Haniyeh" in names[letter.speaker_id or ""]
        assert "Khamenei" in names[letter.addressee_id or ""]
    assert sum("Al-Aqsa Mosque is bleeding" in q.text for q in haniyeh.quotes) == 1


@pytest.mark.slow
def test_quotes_demo_khatibzadeh_statements_are_his(haniyeh: Analysis) -> None:
    for words, cue in (
        ("would raise the issue in every international forum", "said"),
        ('"will bear full responsibility', "warned"),
        ("to take immediate action", "urged"),
    ):
        quote = quote_with(haniyeh, words)
        assert quote.speaker is not None and "Khatibzadeh" in quote.speaker.text
        assert quote.cue is not None and quote.cue.text == cue
    urged = quote_with(haniyeh, "to take immediate action")
    assert urged.addressee is not None and "United Nations" in urged.addressee.text


def test_quotes_dateline_place_is_never_the_speaker() -> None:
    """With every default stage the parser takes "TEHRAN" for the first subject."""
    from pathlib import Path

    from newsgraph.runner import analyze

    story = Path(__file__).resolve().parents[2] / "examples/demo/text/haniyeh_letter_khamenei.txt"
    [record] = analyze(story)
    names = {actor.id: actor.name for actor in record.actors}
    assert all(q.speaker is None or q.speaker.text != "TEHRAN" for q in record.quotes)
    [letter] = [q for q in record.quotes if q.kind == "statement"]
    assert names.get(letter.speaker_id or "") == "Ismail Haniyeh"
    assert names.get(letter.addressee_id or "") == "Ali Khamenei"


def test_a_letter_introduced_inside_a_line_is_a_statement(pipeline: Pipeline) -> None:
    text = (
        "Ismail Haniyeh has written a letter to Ali Khamenei. The text of the letter is as "
        "follows: Your Eminence Ali Khamenei Peace be upon you The occupation forces stormed "
        "the mosque. Your brother Ismail Haniyeh\n"
    )
    letter = quote_with(analyse(pipeline, text), "stormed the mosque")
    assert letter.kind == "statement"
    assert letter.text.startswith("Your Eminence") and letter.text.endswith("Ismail Haniyeh")
    assert letter.speaker is not None and "Haniyeh" in letter.speaker.text
    assert letter.addressee is not None and "Khamenei" in letter.addressee.text


def test_a_colon_inside_a_line_is_not_always_a_quote(pipeline: Pipeline) -> None:
    analysis = analyse(pipeline, "The plan has three parts: a ceasefire, talks and aid.\n")
    assert not any("ceasefire" in q.text for q in analysis.quotes)


def test_a_statement_speaks_for_its_writer(pipeline: Pipeline) -> None:
    text = "A statement from Foreign Minister Jose Albares said Spain rejects the accusation.\n"
    quote = quote_with(analyse(pipeline, text), "Spain rejects")
    assert quote.kind == "statement"
    assert quote.speaker is not None and "Albares" in quote.speaker.text


def test_the_latest_is_not_a_source(pipeline: Pipeline) -> None:
    analysis = analyse(pipeline, "The Latest: Trump urges supporters to watch polling places\n")
    assert not any(q.speaker and q.speaker.text == "The Latest" for q in analysis.quotes)
