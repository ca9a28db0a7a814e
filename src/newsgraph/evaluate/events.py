"""Event coding measured on Zero-Shot-PLOVER, the PLOVER gold-standard records and CASE 2021.

Each text (a ZSP sentence, a GSR record's one or two sentences, a CASE snippet) is
analysed as an English article by the configured stages plus ``events``, and one *main
event* stands for the text (every data set gives one gold label per text). The main event
is chosen by the system's own ranking, never by the gold: realised status first
(``asserted`` or ``alleged``, before ``planned``, ``hypothetical``, ``denied``,
``negated``), then higher ``confidence``, then the earlier trigger (or evidence) start;
``none`` without events.

For the GSR the figure of the former scorer, which chose among the predicted events the
one whose trigger shares a word with the gold ``eventText``, is kept beside it as
``accuracy_gold_word_choice`` (it lets the gold pick the prediction, so it flatters).

The gold labels are mapped onto the 16 current PLOVER types with the documented tables
below (:data:`ZSP_TYPES`, :data:`GSR_TYPES`, :data:`GSR_MODES`, :data:`CASE_TYPES`; reasons
in ``docs/evaluation.md``). Metrics: accuracy of the main event's type (``none`` is wrong),
precision/recall/F1 per type and their macro average over the types present in the gold,
a majority-class baseline, and:

- ZSP: the quad class accuracy, ZSP's own NLI coder on the same rows (its ``root_L2``
  column), and whether the main event's actors (recipients) hold the marked source
  (target): a mention of one of them overlaps the marked span;
- GSR: mode accuracy and the actors' countries: micro precision/recall/F1 of the set of
  gold ``source`` (``target``) country codes against the countries of the main event's
  actors (recipients). Gold actors without a code and predicted actors without a country
  are left out of the sets; IGO, IMG and NGO count as codes (the GSR codes the UN as IGO,
  so predicted ``UNO``/``EUR`` count as IGO too);
- CASE: the unmappable subtypes are counted apart, with what the stage predicted for them.

The events stage's type model trained on part of these files. When ``--data`` is one of
them (recognised by its SHA-256), only the part held out from training is scored by
default (``split="auto"``); any other file is scored whole.

>>> label_scores(["ASSAULT", "ASSAULT", "PROTEST"], ["ASSAULT", "none", "ASSAULT"])["accuracy"]
0.3333
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from newsgraph.errors import InputError
from newsgraph.evaluate.event_readers import (
    CaseSnippet,
    GsrRecord,
    ZspSentence,
    detect_format,
    read_case2021,
    read_plover_gsr,
    read_zsp,
)
from newsgraph.model import Actor, Analysis, Article, Event
from newsgraph.pipeline import Pipeline, RunReport, apply_stages
from newsgraph.settings import Settings, load_settings
from newsgraph.stages.event_types import EventTypeModel, is_held_out

#: The 16 event types of PLOVER (manual draft 2.0, 2021), in quad order.
PLOVER_TYPES = (
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "CONCEDE",
    "COOPERATE",
    "AID",
    "RETREAT",
    "REQUEST",
    "ACCUSE",
    "REJECT",
    "THREATEN",
    "PROTEST",
    "SANCTION",
    "MOBILIZE",
    "COERCE",
    "ASSAULT",
)
NONE = "none"
UNMAPPABLE = "unmappable"
REALISED = frozenset({"asserted", "alleged"})


class Mapped(NamedTuple):
    """Where a gold label goes in current PLOVER (``None``: nowhere), and why."""

    plover: str | None
    reason: str


_SAME = "same category"
#: The GSR's older 18-category draft → current PLOVER. The manual's "CAMEO to PLOVER
#: translation" table gives each: CAMEO 09 INVESTIGATE and 11 DISAPPROVE are ACCUSE (modes
#: investigate, disapprove/allege), 10 DEMAND is REQUEST, 19 FIGHT is ASSAULT.
GSR_TYPES: dict[str, Mapped] = {
    "AGREE": Mapped("AGREE", _SAME),
    "CONSULT": Mapped("CONSULT", _SAME),
    "SUPPORT": Mapped("SUPPORT", _SAME),
    "CONCEDE": Mapped("CONCEDE", _SAME),
    "COOPERATE": Mapped("COOPERATE", _SAME),
    "AID": Mapped("AID", _SAME),
    "RETREAT": Mapped("RETREAT", _SAME),
    "DEMAND": Mapped("REQUEST", "CAMEO 10 DEMAND is REQUEST: 'all requests, demands and orders'"),
    "DISAPPROVE": Mapped("ACCUSE", "CAMEO 11 DISAPPROVE is ACCUSE, mode disapprove or allege"),
    "INVESTIGATE": Mapped("ACCUSE", "CAMEO 09 INVESTIGATE is ACCUSE, mode investigate"),
    "REJECT": Mapped("REJECT", _SAME),
    "THREATEN": Mapped("THREATEN", _SAME),
    "PROTEST": Mapped("PROTEST", _SAME),
    "SANCTION": Mapped("SANCTION", _SAME),
    "MOBILIZE": Mapped("MOBILIZE", _SAME),
    "COERCE": Mapped("COERCE", _SAME),
    "ASSAULT": Mapped("ASSAULT", _SAME),
    "FIGHT": Mapped("ASSAULT", "CAMEO 19 FIGHT is ASSAULT; the weapon becomes the mode"),
}

#: (GSR event, GSR mode) → the current manual's mode of the mapped type; ``None`` when the
#: current type has no such mode (the record is left out of mode accuracy).
GSR_MODES: dict[tuple[str, str], str | None] = {
    ("ASSAULT", "assassinate"): "targeted",  # "targeted killings, including assassinations"
    ("ASSAULT", "beat"): "beat",
    ("ASSAULT", "explosives"): "explosives",
    ("ASSAULT", "primitive"): "primitive",
    ("ASSAULT", "suicide-attack"): "suicide-attack",
    ("ASSAULT", "torture"): "torture",
    ("COERCE", "arrest"): "arrest",
    ("COERCE", "censor"): "censor",
    ("COERCE", "confiscate"): "seize",  # seize: "confiscate property, raid"
    ("COERCE", "curfew"): "curfew",
    ("COERCE", "destroy"): None,  # destroying property is ASSAULT "destroy" now
    ("COERCE", "detain"): "arrest",  # arrest: "arrest, detain"
    ("CONSULT", "host"): "visit",  # visit: "actor is visiting, recipient is hosting"
    ("CONSULT", "third-party"): "third-party",
    ("CONSULT", "visit"): "visit",
    ("FIGHT", "assassinate"): "targeted",
    ("FIGHT", "deport"): None,  # deportation is a COERCE mode; ASSAULT has none
    ("FIGHT", "explosives"): "explosives",
    ("FIGHT", "firearms"): "firearms",
    ("FIGHT", "heavy-weapons"): "heavy-weapons",
    ("MOBILIZE", "police"): "police",
    ("MOBILIZE", "troops"): "troops",
    ("MOBILIZE", "weapons"): "weapons",
    ("PROTEST", "demo-org"): "demo",
    ("PROTEST", "demo-spon"): "demo",
    ("PROTEST", "obstruct"): "obstruct",
    ("PROTEST", "riot-spon"): "riot",
    ("PROTEST", "strike-gen"): "strike",
    ("PROTEST", "strike-hun"): "hunger",
    ("THREATEN", "curfew"): "restrict",  # CAMEO2PLOVER: 1323 threaten curfew → restrict
    ("THREATEN", "relations"): "relations",
    ("THREATEN", "restrict"): "restrict",
    ("THREATEN", "violence"): "violence",
}

#: Predicted mode names that the manual words differently (CAMEO2PLOVER-2021 still says
#: "assassinate" where the manual's table says "targeted").
MODE_ALIASES = {"assassinate": "targeted"}

#: Codes the GSR writes as IGO: it predates PLOVER's own UN (UNO) and EU (EUR) codes.
COUNTRY_ALIASES = {"UNO": "IGO", "EUR": "IGO"}

#: Zero-Shot-PLOVER roots → the current PLOVER types that code them (the first is the
#: strict reading). The manual: "The CAMEO 08 YIELD category has been split into verbal
#: (CONCEDE) and material (RETREAT) components"; INVESTIGATE is an ACCUSE mode and FIGHT
#: is ASSAULT (neither has a row in PLV_train).
ZSP_TYPES: dict[str, tuple[str, ...]] = {
    **{name: (name,) for name in PLOVER_TYPES},
    "YIELD": ("CONCEDE", "RETREAT"),
    "INVESTIGATE": ("ACCUSE",),
    "FIGHT": ("ASSAULT",),
}
#: PLOVER type → quad class (1 verbal, 2 material cooperation, 3 verbal, 4 material conflict).
QUAD_CLASS = {
    **dict.fromkeys(("AGREE", "CONSULT", "SUPPORT", "CONCEDE"), 1),
    **dict.fromkeys(("COOPERATE", "AID", "RETREAT"), 2),
    **dict.fromkeys(("REQUEST", "ACCUSE", "REJECT", "THREATEN"), 3),
    **dict.fromkeys(("PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"), 4),
}
SPLITS = ("auto", "held-out", "train", "all")

_BATTLE = "an ACLED battle: armed fighting is ASSAULT (CAMEO 19 FIGHT)"
_NO_TYPE = "not an interaction between political actors; PLOVER has a context, no type"
#: CASE 2021 task 2 subtypes (ACLED's sub-event types plus five "unseen" ones) → PLOVER.
CASE_TYPES: dict[str, Mapped] = {
    "ABDUCT_DISSAP": Mapped("ASSAULT", "ASSAULT mode abduct: 'abduct, kidnap, hijack'"),
    "AGREEMENT": Mapped(
        "AGREE",
        "AGREE covers agreements; ACLED's surrenders, prisoner "
        "exchanges and ceasefires would be RETREAT",
    ),
    "AIR_STRIKE": Mapped("ASSAULT", "ASSAULT mode aerial or drone"),
    "ARMED_CLASH": Mapped("ASSAULT", _BATTLE),
    "ARREST": Mapped("COERCE", "COERCE mode arrest: 'arrest, detain'"),
    "ART_MISS_ATTACK": Mapped("ASSAULT", "ASSAULT mode heavy-weapons: artillery, rockets"),
    "ATTACK": Mapped("ASSAULT", "one-sided violence is ASSAULT"),
    "ATTRIB": Mapped(
        None,
        "claims and denials of responsibility are CAMEO 015/016, "
        "statements PLOVER dropped; accusations would be ACCUSE",
    ),
    "CHANGE_TO_GROUP_ACT": Mapped(
        "MOBILIZE",
        "mostly deployments and reinforcements "
        "(MOBILIZE); defections and new groups have no PLOVER type",
    ),
    "CHEM_WEAP": Mapped("ASSAULT", "ASSAULT mode unconventional: chemical weapons"),
    "DIPLO": Mapped(
        None,
        "by CASE's definition spans SANCTION, THREATEN, REQUEST, "
        "SUPPORT and ACCUSE (sanctions, threats, calls, praise, condemnation)",
    ),
    "DISR_WEAP": Mapped(
        "COERCE",
        "COERCE mode seize: 'execute search, confiscate property, raid'; weapons seized or defused",
    ),
    "FORCE_AGAINST_PROTEST": Mapped(
        "ASSAULT", "ASSAULT mode crowd-control: tear gas, water cannons, live fire on protesters"
    ),
    "GOV_REGAINS_TERIT": Mapped("ASSAULT", _BATTLE),
    "GRENADE": Mapped("ASSAULT", "ASSAULT mode explosives"),
    "HQ_ESTABLISHED": Mapped(
        "MOBILIZE",
        "bases and posts set up: MOBILIZE mode troops, 'military moves short of the use of force'",
    ),
    "MAN_MADE_DISASTER": Mapped(None, _NO_TYPE),
    "MOB_VIOL": Mapped(
        "ASSAULT",
        "ACLED separates it from violent demonstrations: "
        "violence without a protest is ASSAULT, not PROTEST riot",
    ),
    "NATURAL_DISASTER": Mapped(None, _NO_TYPE),
    "NON_STATE_ACTOR_OVERTAKES_TER": Mapped("ASSAULT", _BATTLE),
    "NON_VIOL_TERRIT_TRANSFER": Mapped(
        "RETREAT", "RETREAT mode withdraw: 'retreat from, or ceding, territory'"
    ),
    "ORG_CRIME": Mapped(
        None,
        "PLOVER has no CRIME type ('A note on CRIME'): the act is "
        "coded (COERCE, ASSAULT, ACCUSE) with context crime",
    ),
    "OTHER": Mapped(None, "no defined content"),
    "PEACE_PROTEST": Mapped("PROTEST", "PROTEST mode demo"),
    "PROPERTY_DISTRUCT": Mapped(
        "ASSAULT", "ASSAULT mode destroy: 'intentional destruction of property'"
    ),
    "PROTEST_WITH_INTER": Mapped(
        "PROTEST",
        "the protest is the event (PROTEST demo); the intervention would be a second, COERCE event",
    ),
    "REM_EXPLOS": Mapped("ASSAULT", "ASSAULT mode explosives: 'mines, IEDs, car bombs'"),
    "SEX_VIOL": Mapped("ASSAULT", "ASSAULT mode sexual"),
    "SUIC_BOMB": Mapped("ASSAULT", "ASSAULT mode suicide-attack"),
    "VIOL_DEMONSTR": Mapped("PROTEST", "PROTEST mode riot"),
}

# Words of a gold eventText too common to tie a trigger to it ("has sent ... to investigate").
_FUNCTION_WORD_LIST = (
    "a an the to of in on at by for from with into against and or has have had is are was "
    "were be been being will would its their his her it"
)
_FUNCTION_WORDS = frozenset(_FUNCTION_WORD_LIST.split())
_WORD = re.compile(r"\w+")


def gsr_type(event: str) -> str:
    """The current PLOVER type of a GSR event label (e.g. ``FIGHT`` → ``ASSAULT``).

    Raises:
        InputError: for a label the map does not know.
    """
    mapped = GSR_TYPES.get(event.upper())
    if mapped is None or mapped.plover is None:
        raise InputError(
            f"unknown PLOVER GSR event {event!r}", hint="add it to evaluate.events.GSR_TYPES"
        )
    return mapped.plover


def case_type(subtype: str) -> str | None:
    """The PLOVER type of a CASE 2021 subtype, ``None`` when it cannot be mapped.

    Raises:
        InputError: for a subtype the map does not know.
    """
    mapped = CASE_TYPES.get(subtype.upper())
    if mapped is None:
        raise InputError(
            f"unknown CASE 2021 subtype {subtype!r}", hint="add it to evaluate.events.CASE_TYPES"
        )
    return mapped.plover


def zsp_types(root: str) -> tuple[str, ...]:
    """The PLOVER types that code a ZSP root (``YIELD`` → ``CONCEDE``, ``RETREAT``).

    Raises:
        InputError: for a root the map does not know.
    """
    mapped = ZSP_TYPES.get(root.upper())
    if mapped is None:
        raise InputError(f"unknown ZSP root {root!r}", hint="add it to evaluate.events.ZSP_TYPES")
    return mapped


def event_words(text: str) -> frozenset[str]:
    """The case-folded words of ``text`` without function words.

    >>> sorted(event_words("has sent ... to investigate"))
    ['investigate', 'sent']
    """
    return frozenset(w.casefold() for w in _WORD.findall(text)) - _FUNCTION_WORDS


def on_words(event: Event, words: Collection[str]) -> bool:
    """True when the event's trigger holds one of ``words``."""
    return event.trigger is not None and bool(event_words(event.trigger.text) & set(words))


def _rank(event: Event) -> tuple[bool, float, int]:
    start = event.trigger.start if event.trigger else event.start
    return (event.status not in REALISED, -event.confidence, start)


def main_event(events: Sequence[Event], *, gold_words: Collection[str] = ()) -> Event | None:
    """The event that stands for a text, by the system's ranking (module docstring);
    ``None`` without events. ``gold_words`` (only for the labelled, flattering variant of
    the GSR score) first narrows the events to those whose trigger holds one."""
    if not events:
        return None
    pool = [event for event in events if on_words(event, gold_words)] or list(events)
    return min(pool, key=_rank)


def label_of(event: Event | None) -> str:
    """The PLOVER type of a main event, ``none`` when there is none."""
    return event.plover_type.strip().upper() if event and event.plover_type else NONE


def _prf(correct: int, gold: int, predicted: int) -> tuple[float, float, float]:
    precision = correct / predicted if predicted else 0.0
    recall = correct / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def label_scores(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro-F1 over the gold types, and precision/recall/F1 of every type seen.

    ``none`` predictions are wrong and belong to no type. Types predicted but absent from
    the gold get a row (their precision is 0) but do not enter the macro average.
    """
    pairs = list(zip(gold, predicted, strict=True))
    correct = Counter(g for g, p in pairs if g == p)
    gold_count, predicted_count = Counter(gold), Counter(predicted)
    seen = (set(gold_count) | set(predicted_count)) - {NONE}
    order = [t for t in PLOVER_TYPES if t in seen] + sorted(seen - set(PLOVER_TYPES))
    per_type: dict[str, dict[str, Any]] = {}
    f1s = {}
    for label in order:
        precision, recall, f1 = _prf(correct[label], gold_count[label], predicted_count[label])
        f1s[label] = f1
        per_type[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "gold": gold_count[label],
            "predicted": predicted_count[label],
        }
    return {
        "accuracy": round(sum(correct.values()) / len(pairs), 4) if pairs else 0.0,
        "macro_f1": round(sum(f1s[t] for t in gold_count) / len(gold_count), 4)
        if gold_count
        else 0.0,
        "correct": sum(correct.values()),
        "none_predicted": predicted_count[NONE],
        "per_type": per_type,
    }


def majority_baseline(gold: Sequence[str]) -> dict[str, Any]:
    """What always answering the most frequent gold type scores (ties: first by name).

    >>> majority_baseline(["PROTEST", "ASSAULT", "ASSAULT"])
    {'majority_label': 'ASSAULT', 'majority_accuracy': 0.6667, 'majority_macro_f1': 0.4}
    """
    if not gold:
        return {"majority_label": NONE, "majority_accuracy": 0.0, "majority_macro_f1": 0.0}
    counts = Counter(gold)
    label = min(counts, key=lambda name: (-counts[name], name))
    scores = label_scores(gold, [label] * len(gold))
    return {
        "majority_label": label,
        "majority_accuracy": scores["accuracy"],
        "majority_macro_f1": scores["macro_f1"],
    }


def set_scores(pairs: Iterable[tuple[Collection[str], Collection[str]]]) -> dict[str, Any]:
    """Micro precision/recall/F1 of ``(gold set, predicted set)`` pairs summed over records.

    >>> set_scores([({"USA", "IRQ"}, {"USA"}), ({"ISR"}, {"PSE"})])["f1"]
    0.4
    """
    matched = gold = predicted = 0
    for gold_codes, predicted_codes in pairs:
        matched += len(set(gold_codes) & set(predicted_codes))
        gold += len(set(gold_codes))
        predicted += len(set(predicted_codes))
    precision, recall, f1 = _prf(matched, gold, predicted)
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "gold": gold,
        "predicted": predicted,
        "matched": matched,
    }


def event_countries(
    event: Event | None, actors: Sequence[Actor]
) -> tuple[frozenset[str], frozenset[str]]:
    """The countries of an event's actors and of its recipients (UNO/EUR read as IGO)."""
    if event is None:
        return frozenset(), frozenset()
    by_id = {actor.id: actor for actor in actors}

    def countries(ids: Sequence[str]) -> frozenset[str]:
        codes = (by_id[i].country for i in ids if i in by_id)
        return frozenset(COUNTRY_ALIASES.get(c.upper(), c.upper()) for c in codes if c)

    return countries(event.actor_ids), countries(event.recipient_ids)


def score_plover_gsr(records: Sequence[GsrRecord], analyses: Sequence[Analysis]) -> dict[str, Any]:
    """Score the analyses of GSR records (same order): types, modes and countries."""
    gold: list[str] = []
    predicted: list[str] = []
    by_gold_words: list[str] = []
    on_gold = 0
    modes = Counter[str]()
    sides: dict[str, list[tuple[Collection[str], Collection[str]]]] = defaultdict(list)
    for record, analysis in zip(records, analyses, strict=True):
        gold_type = gsr_type(record.event)
        words = event_words(record.event_text)
        event = main_event(analysis.events)
        on_gold += event is not None and on_words(event, words)
        by_gold_words.append(label_of(main_event(analysis.events, gold_words=words)))
        gold.append(gold_type)
        predicted.append(label_of(event))
        if record.mode:
            gold_mode = GSR_MODES.get((record.event, record.mode))
            if gold_mode is None:
                modes["unmapped"] += 1
            else:
                modes["judged"] += 1
                if predicted[-1] == gold_type:
                    modes["type_right"] += 1
                    found = (event.plover_mode or "").lower() if event else ""
                    modes["right"] += MODE_ALIASES.get(found, found) == gold_mode
        actors, recipients = event_countries(event, analysis.actors)
        sides["source"].append((record.sources, actors))
        sides["target"].append((record.targets, recipients))
        sides["either"].append((set(record.sources) | set(record.targets), actors | recipients))
    scores = label_scores(gold, predicted)
    return {
        "records": len(records),
        "accuracy": scores["accuracy"],
        "macro_f1": scores["macro_f1"],
        **majority_baseline(gold),
        "correct": scores["correct"],
        "none_predicted": scores["none_predicted"],
        "main_event_on_gold_words": on_gold,
        "accuracy_gold_word_choice": label_scores(gold, by_gold_words)["accuracy"],
        "mode_accuracy": round(modes["right"] / modes["judged"], 4) if modes["judged"] else 0.0,
        "mode_accuracy_given_type": round(modes["right"] / modes["type_right"], 4)
        if modes["type_right"]
        else 0.0,
        "mode_judged": modes["judged"],
        "mode_unmapped": modes["unmapped"],
        "per_type": scores["per_type"],
        "countries": {side: set_scores(pairs) for side, pairs in sides.items()},
        "label_map": {name: mapped.plover or UNMAPPABLE for name, mapped in GSR_TYPES.items()},
        "mode_map": {f"{e}/{m}": new or UNMAPPABLE for (e, m), new in GSR_MODES.items()},
    }


def score_case2021(snippets: Sequence[CaseSnippet], analyses: Sequence[Analysis]) -> dict[str, Any]:
    """Score the analyses of CASE snippets (same order); unmappable subtypes are counted apart."""
    gold: list[str] = []
    predicted: list[str] = []
    excluded = Counter[str]()
    unmapped_predicted = Counter[str]()
    excluded_none = 0
    by_subtype: dict[str, Counter[str]] = defaultdict(Counter)
    for snippet, analysis in zip(snippets, analyses, strict=True):
        target = case_type(snippet.subtype)
        label = label_of(main_event(analysis.events))
        by_subtype[snippet.subtype][label] += 1
        if target is None:
            excluded[snippet.subtype] += 1
            excluded_none += label == NONE
            unmapped_predicted[label] += 1
            continue
        gold.append(target)
        predicted.append(label)
    scores = label_scores(gold, predicted)
    subtypes: dict[str, dict[str, Any]] = {}
    for subtype in sorted(by_subtype):
        labels = by_subtype[subtype]
        target = case_type(subtype)
        total = sum(labels.values())
        subtypes[subtype] = {
            "plover": target or UNMAPPABLE,
            "snippets": total,
            "accuracy": round(labels[target] / total, 4) if target else None,
            "top_prediction": min(labels, key=lambda name: (-labels[name], name)),
        }
    return {
        "snippets": len(snippets),
        "evaluated": len(gold),
        "excluded_unmappable": sum(excluded.values()),
        "excluded_predicted_none": excluded_none,
        "accuracy": scores["accuracy"],
        "macro_f1": scores["macro_f1"],
        **majority_baseline(gold),
        "correct": scores["correct"],
        "none_predicted": scores["none_predicted"],
        "per_type": scores["per_type"],
        "by_subtype": subtypes,
        "excluded_by_subtype": dict(sorted(excluded.items())),
        "unmappable_predicted_as": dict(unmapped_predicted.most_common()),
        "label_map": {name: mapped.plover or UNMAPPABLE for name, mapped in CASE_TYPES.items()},
    }


def _holds(analysis: Analysis, actor_ids: Sequence[str], span: tuple[int, int] | None) -> bool:
    """Whether a mention of one of ``actor_ids`` overlaps ``span``."""
    if span is None:
        return False
    wanted = set(actor_ids)
    for actor in analysis.actors:
        if actor.id not in wanted:
            continue
        for mention in actor.mentions or (actor,):
            if mention.start < span[1] and mention.end > span[0]:
                return True
    return False


def score_zsp(rows: Sequence[ZspSentence], analyses: Sequence[Analysis]) -> dict[str, Any]:
    """Score the analyses of ZSP rows (same order): types, quad classes, source and target.

    ``accuracy`` reads YIELD as CONCEDE or RETREAT (PLOVER split it so);
    ``accuracy_strict`` as CONCEDE only."""
    gold: list[str] = []
    predicted: list[str] = []
    strict = quads = nli = 0
    nli_rows = 0
    sides = Counter[str]()
    for row, analysis in zip(rows, analyses, strict=True):
        accepted = zsp_types(row.root)
        event = main_event(analysis.events)
        label = label_of(event)
        gold.append(label if label in accepted else accepted[0])
        predicted.append(label)
        strict += label == accepted[0]
        quads += label != NONE and QUAD_CLASS.get(label) in {QUAD_CLASS[t] for t in accepted}
        if row.nli_root:
            nli_rows += 1
            nli += row.nli_root == row.root
        for side, span, ids in (
            ("source", row.source_span, event.actor_ids if event else ()),
            ("target", row.target_span, event.recipient_ids if event else ()),
        ):
            if span is None:
                continue
            sides[f"{side}_gold"] += 1
            found = _holds(analysis, ids, span)
            sides[f"{side}_matched"] += found
            if label in accepted:
                sides[f"{side}_gold_type_right"] += 1
                sides[f"{side}_matched_type_right"] += found
    scores = label_scores(gold, predicted)

    def share(part: int, whole: int) -> float:
        return round(part / whole, 4) if whole else 0.0

    return {
        "rows": len(rows),
        "accuracy": scores["accuracy"],
        "accuracy_strict": share(strict, len(rows)),
        "macro_f1": scores["macro_f1"],
        **majority_baseline(gold),
        "quad_class_accuracy": share(quads, len(rows)),
        "zsp_nli_accuracy": share(nli, nli_rows),
        "correct": scores["correct"],
        "none_predicted": scores["none_predicted"],
        "source_matched": share(sides["source_matched"], sides["source_gold"]),
        "target_matched": share(sides["target_matched"], sides["target_gold"]),
        "source_matched_type_right": share(
            sides["source_matched_type_right"], sides["source_gold_type_right"]
        ),
        "target_matched_type_right": share(
            sides["target_matched_type_right"], sides["target_gold_type_right"]
        ),
        "per_type": scores["per_type"],
        "label_map": {name: "|".join(types) for name, types in ZSP_TYPES.items()},
    }


def choose_split(path: Path, split: str) -> str:
    """The split to score: ``auto`` is ``held-out`` for a file the type model trained on
    (by SHA-256), ``all`` for any other.

    Raises:
        InputError: for an unknown split name.
    """
    if split not in SPLITS:
        raise InputError(f"unknown split {split!r}", hint=f"one of {', '.join(SPLITS)}")
    if split != "auto":
        return split
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return "held-out" if digest in EventTypeModel.load().training_files else "all"


def in_split(text: str, split: str) -> bool:
    """Whether a text is scored under ``split`` (``held-out``, ``train`` or ``all``)."""
    if split == "all":
        return True
    return is_held_out(text) == (split == "held-out")


def build_pipeline(settings: Settings) -> Pipeline:
    """The configured stages, with ``events`` appended when they lack it.

    Raises:
        ConfigError: when the events stage is not installed or its needs come later.
    """
    names = settings.stage_names
    if "events" not in names:
        names = [*names, "events"]
    return Pipeline.from_settings(dataclasses.replace(settings, stages=",".join(names)))


def analyse(
    pipeline: Pipeline, texts: Sequence[str], *, batch_size: int, report: RunReport
) -> tuple[list[Analysis], int]:
    """Run ``pipeline`` over English ``texts``: one analysis per text, and how many failed.

    A text a stage rejects keeps an analysis with no events (so it scores as ``none``).
    """
    analyses: list[Analysis] = []
    rejected = 0
    size = max(1, batch_size)
    for first in range(0, len(texts), size):
        batch = [
            Analysis(article=Article.from_text(text, origin=f"text {first + i}", language="en"))
            for i, text in enumerate(texts[first : first + size])
        ]
        done, failed = apply_stages(pipeline, batch, report)
        rejected += len(failed)
        by_origin = {analysis.article.origin: analysis for analysis in done}
        analyses.extend(by_origin.get(b.article.origin, b) for b in batch)
    return analyses, rejected


def evaluate_events(
    path: Path,
    *,
    limit: int | None = None,
    split: str = "auto",
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Score the events stage on ZSP (``PLV_*.tsv``), PLOVER GSR records (``.json``) or
    CASE 2021 task 2 (``.tsv``).

    Args:
        path: ``zsp/PLV_train.tsv``, ``plover/plover_gsr_dev.json`` or
            ``case2021/case2021_task2_dev.tsv``.
        limit: score only the first ``limit`` records, rows or snippets (of the split).
        split: ``auto`` (the held-out part of a file the type model trained on, all of
            any other), ``held-out``, ``train`` or ``all``.
        settings: the stages and spaCy pipeline to use (default: the resolved settings);
            ``events`` is appended to the stages when missing.

    Returns:
        JSON-ready figures: ``dataset`` (``zsp``, ``plover_gsr`` or ``case2021``), the
        ``split`` scored, ``accuracy``,
        ``macro_f1``, the ``majority_*`` baseline, ``per_type`` precision/recall/F1, the
        counts, for the GSR ``mode_accuracy`` and ``countries``, for CASE the
        ``excluded_unmappable`` count and ``by_subtype``; the ``label_map`` (and GSR
        ``mode_map``) used, ``stages``, ``seconds`` and ``seconds_by_stage``.

    Raises:
        InputError: when the file cannot be read or holds a label the maps do not know.
        ConfigError: when the events stage (or the spaCy pipeline) is not installed.

    Example::

        >>> data = Path("../shared/data/events/plover/plover_gsr_dev.json")
        >>> evaluate_events(data)["accuracy"]  # doctest: +SKIP
        0.5
    """
    settings = settings or load_settings()
    began = time.perf_counter()
    dataset = detect_format(path)
    chosen = choose_split(path, split)
    score: Callable[[Sequence[Analysis]], dict[str, Any]]
    if dataset == "plover_gsr":
        records = [r for r in read_plover_gsr(path) if in_split(r.text, chosen)][:limit]
        texts = [record.text for record in records]
        score = functools.partial(score_plover_gsr, records)
    elif dataset == "zsp":
        rows = [r for r in read_zsp(path) if in_split(r.text, chosen)][:limit]
        texts = [row.text for row in rows]
        score = functools.partial(score_zsp, rows)
    else:
        snippets = [s for s in read_case2021(path) if in_split(s.text, chosen)][:limit]
        texts = [snippet.text for snippet in snippets]
        score = functools.partial(score_case2021, snippets)
    if not texts:
        raise InputError("no records to score", source=str(path))
    pipeline = build_pipeline(settings)
    report = RunReport(run_id="eval-events")
    analyses, rejected = analyse(pipeline, texts, batch_size=settings.batch_size, report=report)
    return {
        "dataset": dataset,
        "data": str(path),
        "split": chosen,
        "type_model": EventTypeModel.load().meta.get("name", ""),
        "model": settings.spacy_model,
        "stages": pipeline.names,
        **score(analyses),
        "rejected": rejected,
        "seconds": round(time.perf_counter() - began, 2),
        "seconds_by_stage": {k: round(v, 3) for k, v in report.seconds_by_stage.items()},
    }
