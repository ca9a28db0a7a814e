"""Offline language identification (py3langid, a compact n-gram model shipped in its wheel)."""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Sequence
from typing import Any, ClassVar

from newsgraph.model import Analysis
from newsgraph.settings import Settings

# Enough text for a confident guess; classifying whole long articles only costs time.
SAMPLE_CHARS = 2000

# Codes the model knows that news is almost never written in, but that short or numeric
# texts get mistaken for (Reuters earnings tables came out as "pcm" and "zxx"): classical
# and constructed languages, "no linguistic content", pidgins, dialect codes whose main
# language is also in the model, and small regional languages.
_NOT_NEWS_LANGUAGES = frozenset(
    {
        "ace",
        "an",
        "ary",
        "arz",
        "bcl",
        "crh",
        "eo",
        "ext",
        "fuv",
        "gcf",
        "gcr",
        "gom",
        "grc",
        "gug",
        "guw",
        "hbo",
        "kik",
        "la",
        "lij",
        "ltg",
        "nso",
        "pcm",
        "sa",
        "sdh",
        "se",
        "sn",
        "st",
        "uzs",
        "vec",
        "vo",
        "wa",
        "wuu",
        "zxx",
    }
)


@functools.cache
def _identifier() -> Any:
    import py3langid.langid as langid_module
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    model = os.path.join(os.path.dirname(langid_module.__file__), MODEL_FILE)
    identifier = LanguageIdentifier.from_modelpath(model, norm_probs=True)
    known = dict.fromkeys(str(code) for code in identifier.nb_classes)
    identifier.set_languages([code for code in known if code not in _NOT_NEWS_LANGUAGES])
    return identifier


def identify_language(text: str) -> tuple[str, float]:
    """Return the ISO 639-1 code of ``text``'s language and the model's probability.

    >>> identify_language("Negotiators met in Cairo on Tuesday for a new round of talks.")[0]
    'en'
    """
    code, score = _identifier().classify(text[:SAMPLE_CHARS])
    return str(code), round(float(score), 4)


class LanguageStage:
    """Record the language of each article; a language given by the input is kept."""

    name: ClassVar[str] = "language"
    requires: ClassVar[frozenset[str]] = frozenset({"article"})
    produces: ClassVar[frozenset[str]] = frozenset({"language"})

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        _identifier()  # load the model once, at build time

    def __call__(self, batch: Sequence[Analysis]) -> list[Analysis]:
        """Fill ``article.language`` and ``article.language_score``."""
        out = []
        for analysis in batch:
            article = analysis.article
            code, found_score = identify_language(article.text)
            score: float | None = found_score
            if article.language:
                # The input's own language tag wins; the score is kept only if we agree.
                given = article.language.split("-")[0].lower()
                score = found_score if given == code else None
                code = given
            article = dataclasses.replace(article, language=code, language_score=score)
            out.append(dataclasses.replace(analysis, article=article))
        return out
