"""The tone word lists and the article tone GDELT reports, counted over a parsed text.

The lists live in ``knowledge/tone_words.tsv`` and were written for the project (see
its header). A token *matches* a list when its lowercase form or its lemma is on it.
Names never match: "United" in "United Nations" is a name, not praise, and "US" is a
country, not a pronoun. A name is a capitalised proper noun or a capitalised word of a
named entity; a lowercase word is never one (the small parser tags "usurping" in "the
usurping Zionists" as a proper noun).

GDELT's tone fields (its GKG ``V2Tone`` codebook) are all percentages of the words of
the text:

- ``positive`` / ``negative``: words on the positive / negative list;
- ``tone = positive - negative`` (-100 to +100, news mostly between -10 and +10);
- ``polarity = positive + negative``: how charged the wording is, whatever its sign;
- ``activity``: words on the activity list (action and motion);
- ``self_group``: first-person pronouns, singular and plural.

A *word* is a token holding a letter or a digit that is not a clitic: "don't" is one
word ("do" + "n't"), "Israel's" one, "12" one, "well-known" two. No negation is applied
here, as in GDELT: "not good" counts one positive word.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsgraph.errors import ConfigError

LEXICON_PATH = Path(__file__).resolve().parent.parent / "knowledge" / "tone_words.tsv"
CATEGORIES = ("positive", "negative", "activity", "self_group", "negator")
_CLITIC_STARTS = ("'", "’")
_CLITICS = frozenset({"n't", "n’t"})
_NAME_ENTITIES = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"})


def is_name(token: Any) -> bool:
    """True for a capitalised proper noun or a capitalised word of a named entity."""
    return bool(token.text[:1].isupper()) and (
        token.pos_ == "PROPN" or token.ent_type_ in _NAME_ENTITIES
    )


@dataclass(frozen=True, slots=True)
class ToneLexicon:
    """The word lists, one frozenset of lowercase words per category."""

    positive: frozenset[str]
    negative: frozenset[str]
    activity: frozenset[str]
    self_group: frozenset[str]
    negator: frozenset[str]

    def polarity_of(self, token: Any) -> int:
        """+1 for a positive word, -1 for a negative one, 0 otherwise (names: 0)."""
        if is_name(token):
            return 0
        lower, lemma = token.lower_, token.lemma_.lower()
        if lower in self.positive or lemma in self.positive:
            return 1
        if lower in self.negative or lemma in self.negative:
            return -1
        return 0

    def is_activity(self, token: Any) -> bool:
        """True for a word of action or motion."""
        return not is_name(token) and (
            token.lower_ in self.activity or token.lemma_.lower() in self.activity
        )

    def is_self_group(self, token: Any) -> bool:
        """True for a first-person pronoun ("US" the country is a proper noun: no)."""
        return not is_name(token) and token.lower_ in self.self_group

    def is_negator(self, token: Any) -> bool:
        """True for a word that turns the polarity of what follows ("not", "never")."""
        return token.lower_ in self.negator or token.lemma_.lower() in self.negator


def read_lexicon(path: Path = LEXICON_PATH) -> ToneLexicon:
    """Read a tone word list file: ``category<TAB>words separated by spaces`` per line.

    Raises:
        ConfigError: when the file cannot be read or names an unknown category.
    """
    words: dict[str, set[str]] = {name: set() for name in CATEGORIES}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"cannot read the tone word lists {path}: {exc}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#") or line.startswith("category\t"):
            continue
        category, _, listed = line.partition("\t")
        if category not in words:
            raise ConfigError(
                f"{path}:{number}: unknown tone category {category!r}",
                hint=f"categories are {', '.join(CATEGORIES)}, then a tab, then the words",
            )
        words[category].update(word.lower() for word in listed.split())
    return ToneLexicon(**{name: frozenset(found) for name, found in words.items()})


@functools.cache
def load_lexicon() -> ToneLexicon:
    """The packaged word lists, read once per process."""
    return read_lexicon()


def is_word(token: Any) -> bool:
    """True for a token counted as a word (a letter or digit, and not a clitic)."""
    text: str = token.text
    if text.isalpha():  # the common case, and never a clitic
        return True
    if text.startswith(_CLITIC_STARTS) or text.lower() in _CLITICS:
        return False
    return any(char.isalnum() for char in text)


@dataclass(frozen=True, slots=True)
class ToneCounts:
    """Word counts behind the GDELT tone fields."""

    words: int = 0
    positive: int = 0
    negative: int = 0
    activity: int = 0
    self_group: int = 0

    def percentages(self) -> dict[str, float]:
        """The GDELT fields: ``tone``, ``positive``, ``negative``, ``polarity``, ... (rounded).

        >>> ToneCounts(words=50, positive=2, negative=5, activity=1).percentages()["tone"]
        -6.0
        """
        share = 100.0 / self.words if self.words else 0.0
        positive, negative = self.positive * share, self.negative * share
        return {
            "tone": round(positive - negative, 4),
            "positive": round(positive, 4),
            "negative": round(negative, 4),
            "polarity": round(positive + negative, 4),
            "activity": round(self.activity * share, 4),
            "self_group": round(self.self_group * share, 4),
        }


def count_tone(tokens: Iterable[Any], lexicon: ToneLexicon) -> ToneCounts:
    """Count words and the words of each list over spaCy tokens (a ``Doc`` or a ``Span``)."""
    words = positive = negative = activity = self_group = 0
    for token in tokens:
        if not is_word(token):
            continue
        words += 1
        polarity = lexicon.polarity_of(token)
        positive += polarity > 0
        negative += polarity < 0
        activity += lexicon.is_activity(token)
        self_group += lexicon.is_self_group(token)
    return ToneCounts(words, positive, negative, activity, self_group)
