"""The event lexicon: CAMEO codes with their PLOVER coding, and the words that trigger them.

Two tables written for the project, in ``newsgraph/knowledge/``:

- ``cameo.tsv``: every CAMEO code (GDELT numbering) with its QuadClass, Goldstein value
  and PLOVER type, mode and context, so one extraction yields both codings;
- ``event_triggers.tsv``: verbs ("attack", "call on", "hold talks") and event nouns
  ("n:airstrike", "n:protest") with the CAMEO code each one codes.

:class:`TriggerLexicon` matches a spaCy token against the triggers. A verb pattern's
further words must appear among the verb's particles, prepositions and objects (down
four levels: "called for the release of" holds ``release``); a noun pattern's further
words are the noun's modifiers ("air strike", "car bomb"). The longest match wins.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

from newsgraph.errors import ConfigError

#: Dependency labels followed from a verb when looking for a pattern's further words.
_PATTERN_DEPS = frozenset(
    {
        "prt",
        "prep",
        "dobj",
        "pobj",
        "xcomp",
        "attr",
        "compound",
        "amod",
        "acomp",
        "dative",
        "advmod",
    }
)
#: Modifiers of an event noun that may complete a noun pattern.
_NOUN_MODIFIERS = frozenset({"compound", "amod", "nmod", "npadvmod"})


@dataclass(frozen=True, slots=True)
class CameoCode:
    """One CAMEO code and its PLOVER coding."""

    code: str
    quad_class: int
    goldstein: float
    plover_type: str
    plover_mode: str | None
    plover_context: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Trigger:
    """A lexicon pattern: ``words[0]`` is the verb or noun lemma, the rest complete it.

    ``probability`` is the type model's for the type the trigger codes in its sentence
    (1.0 for a pattern not yet read in a sentence)."""

    words: tuple[str, ...]
    noun: bool
    code: str
    probability: float = 1.0


def _lines(name: str) -> list[list[str]]:
    text = resources.files("newsgraph.knowledge").joinpath(name).read_text("utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@functools.cache
def cameo_codes() -> dict[str, CameoCode]:
    """All CAMEO codes of ``cameo.tsv`` by code."""
    codes: dict[str, CameoCode] = {}
    for fields in _lines("cameo.tsv"):
        code, quad, goldstein, plover, mode, context = (fields + [""] * 6)[:6]
        codes[code] = CameoCode(
            code=code,
            quad_class=int(quad),
            goldstein=float(goldstein),
            plover_type=plover,
            plover_mode=mode or None,
            plover_context=tuple(part for part in context.split(";") if part),
        )
    return codes


class TriggerLexicon:
    """Verb and noun triggers, looked up by lemma."""

    def __init__(self, triggers: list[Trigger]) -> None:
        self.verbs: dict[str, list[Trigger]] = {}
        self.nouns: dict[str, list[Trigger]] = {}
        for trigger in triggers:
            table = self.nouns if trigger.noun else self.verbs
            table.setdefault(trigger.words[-1] if trigger.noun else trigger.words[0], []).append(
                trigger
            )
        for table in (self.verbs, self.nouns):
            for options in table.values():
                options.sort(key=lambda trigger: -len(trigger.words))

    @classmethod
    @functools.cache
    def load(cls) -> TriggerLexicon:
        """The lexicon of ``event_triggers.tsv``.

        Raises:
            ConfigError: when a trigger names a code ``cameo.tsv`` lacks.
        """
        codes = cameo_codes()
        triggers: list[Trigger] = []
        for fields in _lines("event_triggers.tsv"):
            code = fields[0]
            if code not in codes or not codes[code].plover_type:
                raise ConfigError(f"event_triggers.tsv: {code} is not a PLOVER-coded CAMEO code")
            for item in fields[1].split(";"):
                item = item.strip().lower()
                noun = item.startswith("n:")
                words = tuple((item[2:] if noun else item).split())
                if words:
                    triggers.append(Trigger(words, noun, code))
        return cls(triggers)

    def match_verb(self, token: Any) -> Trigger | None:
        """The most specific verb trigger for ``token`` (a verb), or ``None``."""
        options = self.verbs.get(token.lemma_.lower())
        if not options:
            return None
        around: set[str] | None = None
        for trigger in options:
            if len(trigger.words) == 1:
                return trigger
            if around is None:
                around = _lemmas_below(token)
            if all(word in around for word in trigger.words[1:]):
                return trigger
        return None

    def match_noun(self, token: Any) -> Trigger | None:
        """The most specific noun trigger headed by ``token`` (a noun), or ``None``."""
        options = self.nouns.get(token.lemma_.lower()) or self.nouns.get(token.lower_)
        if not options:
            return None
        modifiers = [
            child.lower_
            for child in token.children
            if child.dep_ in _NOUN_MODIFIERS and child.i < token.i
        ]
        for trigger in options:
            if len(trigger.words) == 1 or all(word in modifiers for word in trigger.words[:-1]):
                return trigger
        return None


def _lemmas_below(token: Any, depth: int = 4) -> set[str]:
    found: set[str] = set()
    frontier = [token]
    for _ in range(depth):
        nxt = []
        for node in frontier:
            for child in node.children:
                if child.dep_ in _PATTERN_DEPS:
                    found.add(child.lemma_.lower())
                    found.add(child.lower_)
                    nxt.append(child)
        frontier = nxt
    return found
