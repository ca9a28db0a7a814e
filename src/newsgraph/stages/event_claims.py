"""Whose claim an event is: its status and claimant, read from the parse and the quotes.

An event found in an article is not a fact because the article mentions it. The status
says in what voice it is told:

- ``negated``: the trigger, or a verb it depends on, is negated ("did not attack");
- ``denied``: it is the content of a denial ("denied shelling the town");
- ``hypothetical``: it hangs on "if"/"unless"/"whether" or on "could", "would", "might";
- ``planned``: it lies in the future ("will visit", "plans to impose", "is to meet");
- ``alleged``: it is said by someone other than the outlet: inside a quote or reported
  speech (the quotes stage's spans), the content of an accusation or claim ("accused
  Israel of expelling ..."), or marked "allegedly"/"reportedly";
- ``asserted``: the outlet tells it in its own voice.

The first that applies wins, in that order. ``claimed_by`` is the speaker of the quote,
the accuser, claimant or denier (an actor id), whatever the status.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from newsgraph.model import EventStatus, Quote
from newsgraph.stages.wordsets import words as _words

#: Verbs whose content is another's claim; the trigger reached below them is alleged.
CLAIM_VERBS = _words(
    "accuse allege claim blame charge say report insist maintain assert contend suggest "
    "describe call brand label tell state write announce"
)
#: Verbs whose content is denied.
DENIAL_VERBS = _words("deny refute dismiss rebut reject disprove")
#: Verbs whose content lies ahead.
PLAN_VERBS = _words(
    "plan intend prepare aim schedule expect decide seek want hope mean propose "
    "threaten vow swear pledge promise agree offer"
)
#: Verbs by which someone states an intention (a promise or a threat) rather than plans.
STATING_VERBS = CLAIM_VERBS | _words("vow swear pledge promise threaten offer warn")
HEDGE_ADVERBS = _words("allegedly reportedly purportedly supposedly apparently")
CONDITION_MARKS = _words("if unless whether lest")
CONDITIONAL_AUX = _words("could might may should")
FUTURE_AUX = _words("will shall 'll wo would")
NEGATIONS = _words("not n't never no")
#: Links by which a claim verb holds its content ("said [that ...]", "accused X [of ...]").
_CONTENT = frozenset({"ccomp", "xcomp", "pcomp", "prep", "dobj", "oprd"})
#: Prepositions by which a claim verb holds its content ("accused X [of]", "blamed X
#: [for]", "spoke [about]"); others set the scene ("said [during] a rally").
CONTENT_PREPS = _words("of for about over with against on")
#: Links followed upward from a trigger to the verbs it depends on.
_UP = frozenset({"xcomp", "ccomp", "pcomp", "pobj", "prep", "dobj", "conj", "acl", "advcl"})


@dataclass(frozen=True, slots=True)
class Claim:
    """An event's status and the actor whose claim it is (``None``: the outlet's voice)."""

    status: EventStatus
    claimed_by: str | None = None
    #: Whether someone states it (a verb of saying, promising or threatening): a future
    #: action someone states is a promise or a threat, not a plan.
    stated: bool = False


def _negated(token: Any) -> bool:
    return any(
        child.dep_ == "neg" or (child.dep_ == "advmod" and child.lower_ in NEGATIONS)
        for child in token.children
    )


def _auxes(token: Any) -> set[str]:
    return {child.lower_ for child in token.children if child.dep_ in ("aux", "auxpass")}


def _chain(trigger: Any, limit: int = 6) -> list[Any]:
    """The trigger and the words it hangs on, up to its clause's governing verbs."""
    chain = [trigger]
    node = trigger
    while node.dep_ in _UP and node.head is not node and len(chain) < limit:
        node = node.head
        chain.append(node)
    return chain


def read_claim(
    trigger: Any,
    quotes: Sequence[Quote],
    actor_at: Callable[[Any], str | None],
) -> Claim:
    """The status and claimant of the event whose trigger is ``trigger``.

    Args:
        trigger: the spaCy token that triggered the event.
        quotes: the article's quotes (their content spans and speakers).
        actor_at: finds the actor id for a token (the subject of a claim verb).
    """
    chain = _chain(trigger)
    start = trigger.idx
    quote = next((q for q in quotes if q.start <= start < q.end), None)
    claimed_by = quote.speaker_id if quote else None
    status: EventStatus | None = None
    alleged = quote is not None
    stated = quote is not None and _cue_lemma(trigger.doc, quote) in STATING_VERBS

    for depth, node in enumerate(chain):
        lemma = node.lemma_.lower()
        is_verb = node.pos_ in ("VERB", "AUX")
        # A coordinated verb is a sibling act, not what frames this one: "refuted the
        # claims and [warned] that ..." is a warning, not a denial.
        sibling = depth > 0 and chain[depth - 1].dep_ == "conj"
        if (depth == 0 or node.dep_ != "conj") and _negated(node) and depth <= 1 and not sibling:
            status = status or "negated"
        if depth > 0 and is_verb and not sibling:
            if lemma in DENIAL_VERBS:
                status = status or "denied"
                claimed_by = claimed_by or _subject_actor(node, actor_at)
                break
            if lemma in CLAIM_VERBS and _holds_content(chain[depth - 1]):
                # The nearest claim verb's subject is the claimant ("sources said,
                # after Hezbollah said it had fired ..."), before an enclosing quote's.
                alleged = stated = True
                claimed_by = _subject_actor(node, actor_at) or claimed_by
                break
            if lemma in PLAN_VERBS and chain[depth - 1].dep_ in ("xcomp", "ccomp", "pobj"):
                status = status or "planned"
                stated = stated or lemma in STATING_VERBS
                claimed_by = claimed_by or _subject_actor(node, actor_at)
        children = list(node.children)
        if any(c.dep_ == "mark" and c.lower_ in CONDITION_MARKS for c in children):
            status = status or "hypothetical"
        auxes = _auxes(node) if is_verb or depth == 0 else set()
        if auxes & CONDITIONAL_AUX:
            status = status or "hypothetical"
        if auxes & FUTURE_AUX or ("going" in auxes and depth == 0):
            status = status or "planned"
        if any(c.lower_ in HEDGE_ADVERBS for c in children):
            alleged = True
        if node.dep_ in ("ccomp", "advcl") and depth > 0:
            break
    if status is None:
        status = "alleged" if alleged else "asserted"
    return Claim(status, claimed_by, stated)


def _holds_content(link: Any) -> bool:
    """Whether ``link`` (a dependent of a claim verb on the trigger's chain) is its content."""
    if link.dep_ == "prep":
        return link.lower_ in CONTENT_PREPS
    return link.dep_ in _CONTENT


def _cue_lemma(doc: Any, quote: Quote) -> str:
    if quote.cue is None:
        return ""
    span = doc.char_span(quote.cue.start, quote.cue.end, alignment_mode="expand")
    return span[0].lemma_.lower() if span is not None and len(span) else ""


def _subject_actor(verb: Any, actor_at: Callable[[Any], str | None]) -> str | None:
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass"):
            return actor_at(child)
        if child.dep_ == "agent":
            for grand in child.children:
                if grand.dep_ == "pobj":
                    return actor_at(grand)
    if verb.dep_ in ("conj", "xcomp", "advcl") and verb.head is not verb:
        return _subject_actor(verb.head, actor_at)
    return None
