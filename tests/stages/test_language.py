"""Offline language identification."""

from __future__ import annotations

import pytest

from newsgraph.model import Analysis, Article
from newsgraph.settings import load_settings
from newsgraph.stages.language import LanguageStage, identify_language


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Negotiators met in Cairo on Tuesday for a new round of talks on the ceasefire.", "en"),
        ("Le gouvernement a déclaré l'état d'urgence en Nouvelle-Calédonie mercredi soir.", "fr"),
        ("El gobierno anunció el martes nuevas medidas contra la inflación en Argentina.", "es"),
        ("Die Regierung hat am Dienstag neue Sanktionen gegen Russland beschlossen.", "de"),
    ],
)
def test_identify_language_common_news_languages(text: str, code: str) -> None:
    found, score = identify_language(text)
    assert found == code
    assert 0.5 < score <= 1.0


def test_language_stage_keeps_the_inputs_own_tag() -> None:
    stage = LanguageStage(load_settings())
    english = "Negotiators met in Cairo on Tuesday for a new round of talks."
    tagged = Article.from_text(english, language="en-GB")
    wrong = Article.from_text(english + " More talks.", language="fr")
    untagged = Article.from_text(english + " Even more talks.")
    out = [a.article for a in stage([Analysis(tagged), Analysis(wrong), Analysis(untagged)])]
    assert [a.language for a in out] == ["en", "fr", "en"]
    assert out[0].language_score is not None
    assert out[1].language_score is None  # kept the tag, but the model disagrees


def test_identify_language_numeric_wire_tables_are_not_exotic_languages() -> None:
    table = "Shr 27 cts vs 29 cts\nNet 1,234,000 vs 1,456,000\nRevs 12.3 mln vs 11.1 mln"
    assert identify_language(table)[0] == "en"
