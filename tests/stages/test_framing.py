"""Framing: persuasion techniques per paragraph and as spans, loaded labels aimed at actors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import spacy
from spacy.tokens import Doc

from newsgraph.ingest import read_inputs
from newsgraph.knowledge.base import load_countries
from newsgraph.model import Actor, Analysis, Annotation, Article
from newsgraph.pipeline import Pipeline, apply_stages
from newsgraph.settings import Settings
from newsgraph.stages.actors import ActorsStage
from newsgraph.stages.entities import EntitiesStage
from newsgraph.stages.framing import (
    PARAGRAPH_KIND,
    SPAN_FLOOR,
    SPAN_KIND,
    Found,
    FramingStage,
    decode_spans,
    surest_spans,
    target_of,
)
from newsgraph.stages.framing_features import (
    MODEL_PATH,
    TECHNIQUES,
    CueLexicon,
    LinearModel,
    load_cues,
    load_models,
    paragraph_bounds,
)
from newsgraph.stages.language import LanguageStage
from newsgraph.stages.parse import ParseStage, load_model

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo"
NAME_OR_LOADED = {"Name_Calling-Labeling", "Loaded_Language"}


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    settings = Settings()  # the packaged defaults: module scope comes before the config isolation
    return Pipeline(
        stages=(
            LanguageStage(settings),
            ParseStage(settings),
            EntitiesStage(settings),
            ActorsStage(settings),
            FramingStage(settings),
        )
    )


def analyse(pipeline: Pipeline, text: str) -> Analysis:
    article = Article.from_text(text, language="en")
    [done], rejected = apply_stages(pipeline, [Analysis(article)])
    assert rejected == []
    return done


def analyse_file(pipeline: Pipeline, path: Path) -> Analysis:
    [article] = [a for a in read_inputs([path], max_bytes=2_000_000) if isinstance(a, Article)]
    [done], rejected = apply_stages(pipeline, [Analysis(article)])
    assert rejected == []
    return done


def actor(analysis: Analysis, actor_id: str | None) -> Actor | None:
    return next((a for a in analysis.actors if a.id == actor_id), None)


def labelled_span(analysis: Analysis, words: str) -> Annotation:
    """The Name_Calling/Loaded_Language span annotation whose text holds ``words``."""
    found = [
        n
        for n in analysis.annotations
        if n.kind == SPAN_KIND and n.label in NAME_OR_LOADED and words in n.text
    ]
    assert found, f"no span annotation holds {words!r}: {spans_of(analysis)}"
    return found[0]


def spans_of(analysis: Analysis) -> list[tuple[str, str]]:
    return [(n.label, n.text) for n in analysis.annotations if n.kind == SPAN_KIND]


def assert_well_formed(analysis: Analysis) -> None:
    text = analysis.article.text
    bounds = set(paragraph_bounds(text))
    ids = [n.id for n in analysis.annotations]
    assert ids == [f"{analysis.article.id}-n{k}" for k in range(len(ids))]
    for note in analysis.annotations:
        assert text[note.start : note.end] == note.text and note.text
        assert 0.0 <= note.confidence <= 1.0
        if note.kind in (SPAN_KIND, PARAGRAPH_KIND):
            assert note.label in TECHNIQUES
        if note.kind == PARAGRAPH_KIND:
            assert (note.start, note.end) in bounds
        if note.target_actor_id is not None:
            assert actor(analysis, note.target_actor_id) is not None


# --- the shipped model ------------------------------------------------------------------


def test_framing_model_is_small_and_consistent() -> None:
    assert MODEL_PATH.stat().st_size < 5_000_000
    models = load_models()
    assert set(models.paragraph.labels) <= set(TECHNIQUES)
    assert {"Loaded_Language", "Name_Calling-Labeling"} <= set(models.tokens.labels)
    assert set(models.tokens.labels) <= set(models.paragraph.labels)
    for model in (models.paragraph, models.tokens):
        assert model.weights.shape == (len(model.vocabulary), len(model.labels))
        assert np.all((model.thresholds > 0) & (model.thresholds <= 1))
    assert models.meta["version"].startswith("framing-")
    assert len(models.trained_ids) > 300
    assert len(models.trained_texts) == len(models.trained_ids)  # hashes of the texts


def test_framing_linear_model_scores_tf_idf_and_binary_rows() -> None:
    weights = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]], dtype=np.float32)
    common = {
        "labels": ("A", "B"),
        "vocabulary": {"x": 0, "y": 1, "z": 2},
        "weights": weights,
        "bias": np.array([0.0, -1.0], dtype=np.float32),
        "thresholds": np.array([0.5, 0.5], dtype=np.float32),
    }
    binary = LinearModel(**common)  # type: ignore[arg-type]
    got = binary.probabilities([["x", "x", "unknown"], [], ["y", "z"]])
    expected = 1 / (1 + np.exp(-np.array([[1.0, -1.0], [0.0, -1.0], [1.0, 2.0]])))
    assert np.allclose(got, expected)
    tfidf = LinearModel(**common, idf=np.array([1.0, 2.0, 1.0], dtype=np.float32))  # type: ignore[arg-type]
    # row ["x", "x", "y"]: x -> (1 + ln 2) * 1, y -> 1 * 2, scaled to unit length
    x, y = 1 + np.log(2), 2.0
    norm = np.hypot(x, y)
    scores = np.array([x / norm * 1.0, y / norm * 2.0 - 1.0])
    assert np.allclose(tfidf.probabilities([["x", "x", "y"]])[0], 1 / (1 + np.exp(-scores)))


def test_framing_cue_lexicon_matches_words_phrases_and_prefixes() -> None:
    cues = CueLexicon()
    cues.add("loaded", "slaughter*")
    cues.add("flag", "our nation")
    cues.add("doubt", "so-called")
    words = ["they", "slaughtered", "our", "nation", "'s", "so-called", "allies"]
    assert cues.find(words) == [(1, 2, "loaded"), (2, 4, "flag"), (5, 6, "doubt")]
    assert cues.find(["our"]) == [] and cues.find(["slaughte"]) == []


def test_framing_cue_lexicon_names_no_country() -> None:
    """No nation's name is a cue, so no nation's flag-waving weighs more than another's."""
    cues = load_cues()
    forms = {
        form.lower()
        for country in load_countries().values()
        for form in (*country.names, *country.adjectives, *country.demonyms, *country.seats)
    }
    # One-word names: longer ones are masked whole. "us" is the pronoun; the United
    # States written "US" is tagged as a name and masked before cues are matched.
    words = {form for form in forms if len(form.split()) == 1} - {"us"}
    assert sorted(word for word in words if cues.categories(word)) == []


# --- spans and targets, on sentences written for these tests ---------------------------


def test_framing_decode_spans_trims_punctuation_and_stops_at_breaks() -> None:
    doc = spacy.blank("en")("A “vile , evil” act.\n\nbrutal men")
    # tokens: A “ vile , evil ” act . \n\n brutal men
    probabilities = np.zeros((len(doc), 1))
    for i in (1, 2, 3, 4, 5, 8, 9):
        probabilities[i, 0] = 0.9
    spans = decode_spans(doc, probabilities, ["Loaded_Language"], [0.5])
    assert [(doc.text[s.start : s.end], s.confidence) for s in spans] == [
        ("vile , evil", pytest.approx(0.9)),
        ("brutal", pytest.approx(0.9)),
    ]


def test_framing_surest_spans_keep_fewer_surer_ones() -> None:
    words = ["The", "vile", "Beatles", "wrecked", "Deir", "ez", "brutal", "plans"]
    pos = ["DET", "ADJ", "PROPN", "VERB", "PROPN", "PROPN", "ADJ", "NOUN"]
    doc = Doc(spacy.blank("en").vocab, words=words, pos=pos)

    def span(label: str, first: int, last: int, confidence: float) -> Found:
        return Found(SPAN_KIND, label, doc[first].idx, doc[last].idx + len(doc[last]), confidence)

    spans = [
        span("Loaded_Language", 1, 1, 0.6),  # "vile": kept
        span("Name_Calling-Labeling", 1, 2, 0.4),  # "vile Beatles": overlaps a surer span
        span("Name_Calling-Labeling", 2, 2, 0.9),  # "Beatles": a name, no wording
        span("Exaggeration-Minimisation", 3, 3, SPAN_FLOOR - 0.01),  # "wrecked": unsure
        span("Name_Calling-Labeling", 4, 5, 0.9),  # "Deir ez": proper nouns only
        span("Loaded_Language", 6, 7, SPAN_FLOOR),  # "brutal plans": kept
    ]
    kept = surest_spans(doc, spans)
    assert [doc.text[s.start : s.end] for s in kept] == ["vile", "brutal plans"]
    # a lower floor lets "wrecked" through
    assert len(surest_spans(doc, spans, floor=0.1)) == 3


@pytest.mark.parametrize(
    ("text", "span", "owner"),
    [
        ("The heinous regime attacked the town.", "heinous", "regime"),
        ("Smith, a notorious liar, spoke on Monday.", "a notorious liar", "Smith"),
        (
            "The minister described the regime as a terrorist garrison.",
            "a terrorist garrison",
            "regime",
        ),
        ("The regime is a terrorist garrison.", "a terrorist garrison", "regime"),
        ("The regime attacked the town.", "regime", "regime"),
    ],
)
def test_framing_target_of_follows_the_parse(text: str, span: str, owner: str) -> None:
    doc = load_model(Settings().spacy_model)(text)
    [token] = [t for t in doc if t.text == owner]
    start = text.index(span)
    assert target_of(doc, start, start + len(span), {token.i: "a0"}) == "a0"


def test_framing_target_of_needs_a_link() -> None:
    doc = load_model(Settings().spacy_model)(
        "The heinous attack shocked residents. The regime spoke."
    )
    [regime] = [t for t in doc if t.text == "regime"]
    assert target_of(doc, 4, 11, {regime.i: "a0"}) is None  # "heinous" modifies "attack"


@pytest.mark.slow
def test_framing_paragraph_techniques_on_clear_cases(pipeline: Pipeline) -> None:
    text = (
        "These disgusting, corrupt traitors have betrayed our great nation and must be stopped!"
        "\n\nThe central bank kept its main interest rate at 4.5 percent on Tuesday."
    )
    analysis = analyse(pipeline, text)
    assert_well_formed(analysis)
    first, second = paragraph_bounds(text)
    first_labels = {n.label for n in analysis.annotations if (n.start, n.end) == first}
    second_labels = {n.label for n in analysis.annotations if (n.start, n.end) == second}
    assert first_labels & NAME_OR_LOADED
    assert second_labels == set()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "label", "country"),
    [
        ("The Zionist regime shelled the camp again overnight.", "Zionist regime", "ISR"),
        ("The Kyiv regime shelled the city again overnight.", "Kyiv regime", "UKR"),
        ("The mullahs' regime shelled the border again overnight.", "mullahs' regime", "IRN"),
        (
            "The Kiev junta shelled the city again overnight, officials in Moscow said.",
            "Kiev junta",
            "UKR",
        ),
    ],
)
def test_framing_loaded_labels_are_flagged_alike_from_every_side(
    pipeline: Pipeline, text: str, label: str, country: str
) -> None:
    analysis = analyse(pipeline, text)
    assert_well_formed(analysis)
    note = labelled_span(analysis, label)
    assert note.label == "Name_Calling-Labeling" and note.confidence >= 0.8
    target = actor(analysis, note.target_actor_id)
    assert target is not None and target.country == country


@pytest.mark.slow
@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            "Russian forces shelled Kharkiv on Monday, killing four civilians, officials said.",
            "Israeli forces shelled Gaza on Monday, killing four civilians, officials said.",
        ),
        (
            "Ukraine said the attack was a brutal crime that the world must not ignore.",
            "Russia said the attack was a brutal crime that the world must not ignore.",
        ),
    ],
)
def test_framing_wording_not_names_decides(pipeline: Pipeline, first: str, second: str) -> None:
    """Names are masked by entity type: counterpart sentences get the same techniques."""
    one, two = analyse(pipeline, first), analyse(pipeline, second)
    labels_one = sorted((n.kind, n.label) for n in one.annotations)
    labels_two = sorted((n.kind, n.label) for n in two.annotations)
    assert labels_one == labels_two


# --- a page a person reads: written for this test, persuasive wording marked by hand ----

SEED_PAGE = (
    "City Council Approves New Water Plan After Heated Debate\n\n"
    "The city council voted 7-2 on Tuesday to approve a plan that will raise water rates by "
    "four percent next year and fund repairs to the northern reservoir.\n\n"
    'Council member Dana Ortiz, who voted against the plan, called it "a shameless cash grab '
    'by a bunch of clueless bureaucrats" and said residents were being robbed in broad '
    "daylight.\n\n"
    "The mayor's office said the increase would cost an average household about three dollars "
    "a month and that the reservoir had not been repaired since 1987.\n\n"
    "Supporters of the plan argued that doing nothing would be a disaster. \"If we don't act "
    'now, our children will be drinking poison," said council member Lee Park.\n\n'
    "Engineers hired by the city found cracks in two of the reservoir's four walls, according "
    "to a report released in March.\n\n"
    "Critics say the council is once again treating ordinary families as an endless piggy "
    "bank, while the real culprits, the greedy contractors who botched the last repair, walk "
    "away scot-free.\n\n"
    "The plan also sets aside money for a study of leaks in older neighbourhoods, which the "
    "utility estimates lose about 12 percent of treated water.\n\n"
    "Residents at the meeting were divided. Some applauded the vote, while others shouted that "
    "the council had betrayed the people who elected it.\n\n"
    "The new rates take effect in January. The council will review the project's costs again "
    "in June.\n"
)
#: The persuasive wording of SEED_PAGE, marked by hand before the stage was run on it.
SEED_MARKED = (
    "shameless cash grab",
    "a bunch of clueless bureaucrats",
    "robbed in broad daylight",
    "would be a disaster",
    "our children will be drinking poison",
    "an endless piggy bank",
    "the real culprits",
    "the greedy contractors",
    "botched",
    "walk away scot-free",
    "betrayed the people who elected it",
)


@pytest.mark.slow
def test_framing_spans_on_a_seed_page_are_mostly_right(pipeline: Pipeline) -> None:
    """Fewer, surer spans: at least 0.4 of the spans shown lie on hand-marked wording."""
    analysis = analyse(pipeline, SEED_PAGE)
    assert_well_formed(analysis)
    marked = [(SEED_PAGE.index(m), SEED_PAGE.index(m) + len(m)) for m in SEED_MARKED]
    spans = [n for n in analysis.annotations if n.kind == SPAN_KIND]
    right = [n for n in spans if any(n.start < end and start < n.end for start, end in marked)]
    assert spans, "no span at all on a page full of loaded wording"
    assert len(right) / len(spans) >= 0.4, spans_of(analysis)


# --- the demo stories -------------------------------------------------------------------


@pytest.mark.slow
def test_framing_demo_haniyeh_loaded_labels_target_israel(pipeline: Pipeline) -> None:
    analysis = analyse_file(pipeline, DEMO / "text" / "haniyeh_letter_khamenei.txt")
    assert_well_formed(analysis)
    for words in ("Zionist regime", "usurping Zionists", "occupying regime"):
        note = labelled_span(analysis, words)
        target = actor(analysis, note.target_actor_id)
        assert target is not None and target.country == "ISR", (words, target)
    # every "Zionist regime" is annotated, not only the first
    text = analysis.article.text
    assert len(
        [n for n in analysis.annotations if "Zionist regime" in n.text and n.kind == SPAN_KIND]
    ) == text.count("Zionist regime")
    assert {n.kind for n in analysis.annotations} >= {SPAN_KIND, PARAGRAPH_KIND}


@pytest.mark.slow
def test_framing_demo_kyiv_regime_targets_ukraine(pipeline: Pipeline) -> None:
    analysis = analyse_file(pipeline, DEMO / "text" / "zaporizhzhia_kyiv_regime_drones.txt")
    assert_well_formed(analysis)
    for words in ("Kyiv regime", "neo-Nazis"):
        note = labelled_span(analysis, words)
        target = actor(analysis, note.target_actor_id)
        assert target is not None and target.country == "UKR", (words, target)
    targets = {
        actor(analysis, n.target_actor_id).country  # type: ignore[union-attr]
        for n in analysis.annotations
        if n.label == "Name_Calling-Labeling" and n.target_actor_id
    }
    assert "RUS" not in targets


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "labels", "country"),
    [
        ("nikopol_shelling_ukraine_accuses_russia.html", ("orcs", "ruscists"), "RUS"),
        ("israel_accuses_iran_west_bank_arms.html", ("terror regime",), "IRN"),
    ],
)
def test_framing_demo_counterpart_stories(
    pipeline: Pipeline, name: str, labels: tuple[str, ...], country: str
) -> None:
    analysis = analyse_file(pipeline, DEMO / "html" / name)
    assert_well_formed(analysis)
    for words in labels:
        note = labelled_span(analysis, words)
        target = actor(analysis, note.target_actor_id)
        assert target is not None and target.country == country, (words, target)


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(DEMO.glob("*/*.*")), ids=lambda p: p.name)
def test_framing_demo_annotations_are_well_formed(pipeline: Pipeline, path: Path) -> None:
    articles = [a for a in read_inputs([path], max_bytes=2_000_000) if isinstance(a, Article)]
    done, rejected = apply_stages(pipeline, [Analysis(article) for article in articles])
    assert rejected == []
    for analysis in done:
        assert_well_formed(analysis)


def test_framing_skips_articles_without_a_parse() -> None:
    analysis = Analysis(article=Article.from_text("Bonjour tout le monde.", language="fr"))
    assert FramingStage(Settings())([analysis]) == [analysis]


def test_framing_stage_declares_what_it_needs() -> None:
    assert FramingStage.name == "framing"
    assert FramingStage.requires == frozenset({"doc", "actors"})
    assert FramingStage.produces == frozenset({"annotations"})
    assert FramingStage(Settings()).version == load_models().meta["version"]
