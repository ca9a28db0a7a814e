"""spaCy parse: batches, skipped languages, long articles in chunks with exact offsets."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsgraph.errors import ConfigError
from newsgraph.model import Analysis, Article
from newsgraph.pipeline import Pipeline, apply_stages
from newsgraph.settings import load_settings
from newsgraph.stages import parse
from newsgraph.stages.parse import ParseStage, chunk_bounds, load_model


@given(st.text(alphabet="ab \n.", max_size=300), st.integers(4, 50))
def test_chunk_bounds_cover_the_text_exactly(text: str, size: int) -> None:
    bounds = list(chunk_bounds(text, size))
    assert bounds[0][0] == 0 and bounds[-1][1] == len(text)
    for (_, end), (start, _) in itertools.pairwise(bounds):
        assert end == start
    assert "".join(text[s:e] for s, e in bounds) == text


def test_parse_skips_languages_not_configured_with_a_reason() -> None:
    pipeline = Pipeline.from_settings(load_settings(stages="language,parse,entities"))
    french = Article.from_text("Le gouvernement a déclaré l'état d'urgence à Nouméa mercredi.")
    english = Article.from_text("The government declared a state of emergency in Noumea.")
    out, rejected = apply_stages(pipeline, [Analysis(french), Analysis(english)])
    assert rejected == []
    assert out[0].doc is None and out[0].entities == ()
    assert out[0].skipped == ("parse: language 'fr' is not analysed (languages: en)",)
    assert out[1].doc is not None and out[1].skipped == ()
    assert "Noumea" in [e.text for e in out[1].entities]


def test_parse_long_article_in_chunks_keeps_offsets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse, "CHUNK_CHARS", 400)
    paragraph = "Minister Ana Ruiz met envoys from Peru in Lima on Tuesday, officials said."
    text = "\n\n".join(f"{paragraph} Round {n}." for n in range(30))
    stage = ParseStage(load_settings())
    [analysis] = stage([Analysis(Article.from_text(text, language="en"))])
    assert analysis.doc.text == text
    ents = list(analysis.doc.ents)
    assert len([e for e in ents if e.text == "Lima"]) == 30
    for ent in ents:
        assert text[ent.start_char : ent.end_char] == ent.text
    # Windows are parsed one at a time and their tensors (read by no stage) are dropped:
    # memory grows with the article's tokens, not with the network's features for them.
    assert analysis.doc.tensor.size == 0
    assert next(sent.text for sent in analysis.doc.sents).startswith("Minister Ana Ruiz")


def test_parse_unknown_model_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="is not installed"):
        load_model("xx_no_such_pipeline")
