"""Tone: GDELT-style article tone from the project's word lists, and tone toward actors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsgraph.errors import ConfigError
from newsgraph.ingest import read_inputs
from newsgraph.model import Actor, Analysis, Article, Mention
from newsgraph.pipeline import Pipeline, apply_stages
from newsgraph.settings import Settings
from newsgraph.stages.actors import ActorsStage
from newsgraph.stages.entities import EntitiesStage
from newsgraph.stages.language import LanguageStage
from newsgraph.stages.parse import ParseStage
from newsgraph.stages.tone import ToneStage
from newsgraph.stages.tone_lexicon import (
    CATEGORIES,
    ToneCounts,
    count_tone,
    is_word,
    load_lexicon,
    read_lexicon,
)
from newsgraph.stages.tone_target import (
    FEATURES_VERSION,
    LABELS,
    MODEL_PATH,
    TokenTable,
    ToneModel,
    load_model,
    read_model,
)

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo"


@pytest.fixture(scope="module")
def parse() -> ParseStage:
    return ParseStage(Settings())  # packaged defaults: module scope precedes config isolation


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    settings = Settings()
    return Pipeline(
        stages=(
            LanguageStage(settings),
            ParseStage(settings),
            EntitiesStage(settings),
            ActorsStage(settings),
            ToneStage(settings),
        )
    )


def parsed(parse: ParseStage, text: str) -> Analysis:
    [analysis] = parse([Analysis(Article.from_text(text, language="en"))])
    return analysis


def with_actor(parse: ParseStage, text: str, *mentions: str) -> Analysis:
    """``text`` parsed, with one hand-made actor mentioned as each of ``mentions``."""
    analysis = parsed(parse, text)
    spans = []
    for mention in mentions:
        start = text.index(mention)
        spans.append(Mention(start, start + len(mention), mention))
    actor = Actor(
        id="a1",
        article_id=analysis.article.id,
        start=spans[0].start,
        end=spans[0].end,
        text=spans[0].text,
        name=spans[0].text,
        mentions=tuple(spans),
    )
    return Analysis(analysis.article, actors=(actor,), doc=analysis.doc)


def tone_of(analysis: Analysis) -> Analysis:
    [done] = ToneStage(Settings())([analysis])
    return done


# --- word lists -------------------------------------------------------------------------


def test_tone_lexicon_packaged_lists_are_disjoint_and_filled() -> None:
    lexicon = load_lexicon()
    for name in CATEGORIES:
        assert getattr(lexicon, name), f"the {name} list is empty"
    assert not lexicon.positive & lexicon.negative
    assert {"we", "our", "i"} <= lexicon.self_group
    assert len(lexicon.positive) > 300 and len(lexicon.negative) > 500


def test_tone_lexicon_unknown_category_names_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "words.tsv"
    path.write_text("# lists\npositive\tgood\nhappy\tglad\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"words\.tsv:3: unknown tone category 'happy'"):
        read_lexicon(path)
    with pytest.raises(ConfigError, match="cannot read"):
        read_lexicon(tmp_path / "absent.tsv")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Don't go.", ["Do", "go"]),  # "n't" is a clitic, "." no word
        ("Israel's 12 well-known sites", ["Israel", "12", "well", "known", "sites"]),
        ("“Yes” — 3.5%", ["Yes", "3.5"]),
    ],
)
def test_tone_words_are_counted_without_clitics_and_punctuation(
    parse: ParseStage, text: str, words: list[str]
) -> None:
    doc = parsed(parse, text).doc
    assert [t.text for t in doc if is_word(t)] == words


def test_tone_gdelt_arithmetic_on_a_hand_counted_text(parse: ParseStage) -> None:
    # 20 words. positive: hopes, peace, strong (3); negative: condemned, brutal, attack,
    # killed (4); activity: attack, killed (2); self/group: We, our, us (3).
    text = (
        "We condemned the brutal attack that killed three farmers, "
        "but our hopes for peace remain strong, she told us today."
    )
    tone = tone_of(parsed(parse, text)).tone
    assert tone is not None
    assert tone.words == 20
    assert (tone.positive, tone.negative) == (15.0, 20.0)
    assert tone.tone == -5.0 and tone.polarity == 35.0
    assert (tone.activity, tone.self_group) == (10.0, 15.0)
    assert tone.toward == ()


def test_tone_proper_nouns_never_match_the_lists(parse: ParseStage) -> None:
    counts = count_tone(
        parsed(parse, "The United Nations and the US met Hope Hicks.").doc, load_lexicon()
    )
    assert (counts.positive, counts.negative, counts.self_group) == (0, 0, 0)


def test_tone_token_table_counts_as_count_tone_does(parse: ParseStage) -> None:
    text = "We welcomed the deal. Critics called it a shameful, dangerous surrender by us."
    doc = parsed(parse, text).doc
    lexicon = load_lexicon()
    assert TokenTable.of(doc, lexicon).counts == count_tone(doc, lexicon)


def test_tone_negation_turns_polarity_toward_targets(parse: ParseStage) -> None:
    doc = parsed(parse, "He is not corrupt and never cruel, but dishonest.").doc
    table = TokenTable.of(doc, load_lexicon())
    polarity = {token.text: table.polarity[token.i] for token in doc}
    assert (polarity["corrupt"], polarity["cruel"], polarity["dishonest"]) == (1, 1, -1)
    assert table.counts.negative == 3  # article tone counts words as written, as GDELT does


@given(
    words=st.integers(0, 10_000),
    positive=st.integers(0, 10_000),
    negative=st.integers(0, 10_000),
)
def test_tone_percentages_keep_gdelt_identities(words: int, positive: int, negative: int) -> None:
    words = max(words, positive + negative)
    figures = ToneCounts(words=words, positive=positive, negative=negative).percentages()
    assert figures["polarity"] == pytest.approx(figures["positive"] + figures["negative"], abs=2e-4)
    assert figures["tone"] == pytest.approx(figures["positive"] - figures["negative"], abs=2e-4)
    assert -100 <= figures["tone"] <= 100 and 0 <= figures["polarity"] <= 100


# --- the model --------------------------------------------------------------------------


def test_tone_model_file_matches_the_code() -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert data["features_version"] == FEATURES_VERSION
    assert data["labels"] == list(LABELS)
    assert len(data["coef"]) == len(data["features"]) * len(LABELS)
    model = load_model()
    assert model.version == data["version"] and "bias" in model.index


def test_tone_model_of_other_features_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tone.json"
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**data, "features_version": FEATURES_VERSION + 1}), "utf-8")
    with pytest.raises(ConfigError, match="retrain"):
        read_model(path)
    with pytest.raises(ConfigError, match="cannot read"):
        read_model(tmp_path / "absent.json")


def test_tone_model_probabilities_sum_to_one() -> None:
    model = ToneModel.from_dict(
        {
            "features_version": FEATURES_VERSION,
            "labels": list(LABELS),
            "intercept": [0.0, 1.0, 0.0],
            "features": ["bias", "c:praise"],
            "coef": [0.0, 0.0, 0.0, -1.0, 0.0, 3.0],
        }
    )
    assert model.label({"bias": 1.0}) == "neutral"
    assert model.label({"bias": 1.0, "c:praise": 1.0, "unknown": 5.0}) == "positive"
    assert float(model.probabilities({"c:praise": 1.0}).sum()) == pytest.approx(1.0)


# --- tone toward actors -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "mention", "label"),
    [
        (
            "Critics said the senator was a corrupt liar who betrayed his voters and "
            "should be jailed.",
            "the senator",
            "negative",
        ),
        (
            "The mayor was widely praised for her courageous and compassionate leadership "
            "during the floods.",
            "The mayor",
            "positive",
        ),
        (
            "The minister will travel to Paris on Tuesday for the meeting.",
            "The minister",
            "neutral",
        ),
    ],
)
def test_tone_toward_an_actor_follows_the_wording(
    parse: ParseStage, text: str, mention: str, label: str
) -> None:
    tone = tone_of(with_actor(parse, text, mention)).tone
    assert tone is not None
    [toward] = tone.toward
    assert (toward.actor_id, toward.label, toward.sentences) == ("a1", label, 1)
    assert -1.0 <= toward.score <= 1.0
    if label == "negative":
        assert toward.score < -0.2
    if label == "positive":
        assert toward.score > 0.2


def test_tone_toward_depends_on_the_target(parse: ParseStage) -> None:
    text = (
        "The governor thanked the brave firefighters, while the opposition leader was "
        "condemned as a reckless liar and a disgrace."
    )
    governor = tone_of(with_actor(parse, text, "The governor")).tone
    leader = tone_of(with_actor(parse, text, "the opposition leader")).tone
    assert governor is not None and leader is not None
    assert leader.toward[0].label == "negative"
    assert governor.toward[0].score > leader.toward[0].score + 0.3


def test_tone_toward_counts_sentences_not_mentions(parse: ParseStage) -> None:
    text = "The mayor met the mayor's staff. Later the mayor spoke. Rain fell."
    analysis = parsed(parse, text)
    starts = [i for i in range(len(text)) if text.startswith("mayor", i)]
    mentions = tuple(Mention(s, s + 5, "mayor") for s in starts)
    actor = Actor(
        "a1", analysis.article.id, starts[0], starts[0] + 5, "mayor", "mayor", mentions=mentions
    )
    outside = Actor("a2", analysis.article.id, 0, 0, "", "nobody")  # offsets on no token
    done = tone_of(Analysis(analysis.article, actors=(actor, outside), doc=analysis.doc))
    assert done.tone is not None
    first, second = done.tone.toward
    assert first.sentences == 2
    assert (second.actor_id, second.sentences, second.score, second.label) == (
        "a2",
        0,
        0.0,
        "neutral",
    )


def test_tone_stage_passes_unparsed_articles_through() -> None:
    analysis = Analysis(Article.from_text("Ceci n'est pas analysé.", language="fr"))
    assert tone_of(analysis) == analysis and analysis.tone is None


def test_tone_stage_declares_its_place() -> None:
    assert ToneStage.name == "tone"
    assert ToneStage.requires == frozenset({"doc", "actors"})
    assert ToneStage.produces == frozenset({"tone"})
    assert ToneStage(Settings()).version == load_model().version


@pytest.mark.slow
def test_tone_every_actor_of_the_demo_story_gets_a_tone(pipeline: Pipeline) -> None:
    path = DEMO / "text" / "haniyeh_letter_khamenei.txt"
    [article] = [a for a in read_inputs([path], max_bytes=2_000_000) if isinstance(a, Article)]
    [done], rejected = apply_stages(pipeline, [Analysis(article)])
    assert rejected == [] and done.tone is not None and done.actors
    by_actor = {t.actor_id: t for t in done.tone.toward}
    assert set(by_actor) == {actor.id for actor in done.actors}
    assert len(done.tone.toward) == len(done.actors)
    for actor in done.actors:
        toward = by_actor[actor.id]
        assert toward.label in LABELS and -1.0 <= toward.score <= 1.0
        assert toward.sentences >= 1, f"{actor.name}: no sentence found for its mentions"

    # The story's wording about Israel's forces ("stormed its courtyards, fired stun
    # grenades ... at men and women at prayer") is hostile, about Iran grateful.
    def mean_score(country: str) -> float:
        scores = [by_actor[a.id].score for a in done.actors if a.country == country]
        assert scores, f"no actor of {country}"
        return sum(scores) / len(scores)

    assert mean_score("ISR") < 0 < mean_score("IRN")
    forces = [a for a in done.actors if a.country == "ISR" and a.sector in ("MIL", "COP")]
    assert any(by_actor[a.id].label == "negative" for a in forces)
    assert done.tone.tone < 0 and done.tone.words > 100
