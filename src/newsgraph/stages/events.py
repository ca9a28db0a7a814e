"""Events: who did (or who says who did) what to whom, where and when, coded in PLOVER and CAMEO.

The stage reads the spaCy parse with a lexicon written for the project
(:mod:`newsgraph.stages.event_lexicon`) and a type model trained on labelled sentences
(:mod:`newsgraph.stages.event_types`, numpy only). Per sentence:

1. **Triggers.** Candidates are a verb whose lemma (with its particle, preposition or
   object: "call on", "hold talks", "open fire") is in the lexicon; an event noun
   ("airstrike", "protest", "eviction") that the sentence ties to an actor or target
   ("Israel's strikes on ...", "attacks by ... on ..."), to a light verb ("launched
   strikes", "carried out a raid") or to a verb of happening ("clashes erupted"); and any
   verb heading a clause. The type model gives each its PLOVER type or none ("Nadal beat
   Roddick", "shares fell" are no political events).
2. **One extraction, two codings.** The trigger's CAMEO code gives the PLOVER type, mode
   and context, the QuadClass and the Goldstein value (``cameo.tsv``).
3. **Arguments.** The actor is the subject (through "and", infinitives and participles
   to the clause that has one; a passive's "by" agent; a noun's possessor, "by" phrase or
   national adjective); recipients are the objects and the targets of "on", "against",
   "at", "with", "to". Each becomes the ids of the actors (actors stage) whose mentions
   it holds; "he", "she", "they" and "who" are resolved to the nearest fitting actor
   named before.
4. **Absorbed intentions.** What an appeal, threat, promise or refusal is about ("urged
   Israel [to withdraw]", "threatened [to strike]", "agreed [to release]") is part of
   that event, not an event of its own; a threat of force is coded 138, a promise of aid
   033, and so on. Accusations and denials keep their content as its own event, alleged
   or denied ("accused Israel of [expelling] families": ACCUSE, and COERCE alleged).
5. **Claims** (:mod:`newsgraph.stages.event_claims`): status, ``claimed_by``; the
   outlet (``reported_by``) is the article's source or its dateline agency.
6. **Place and date.** The place is one named inside the trigger's clause (not in its
   subject), nearest the trigger, a town before a country; the date likewise, from the
   dates stage. Neither falls back to the dateline or the publication date: an event
   with no place or date in its sentence has none.

Each event's evidence is its sentence; ``trigger`` is the trigger's own words.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from newsgraph.model import Actor, Analysis, Event, Span
from newsgraph.settings import Settings
from newsgraph.stages.event_claims import read_claim
from newsgraph.stages.event_lexicon import CameoCode, Trigger, TriggerLexicon, cameo_codes
from newsgraph.stages.event_types import NONE as NO_EVENT
from newsgraph.stages.event_types import EventTypeModel
from newsgraph.stages.quote_cues import past_dateline
from newsgraph.stages.wordsets import words as _words

#: Verbs that carry an event noun as their object ("launched strikes").
LIGHT_VERBS = _words(
    "launch carry conduct stage mount hold wage step intensify resume begin start "
    "continue order commit perpetrate unleash escalate announce impose make"
)
#: Verbs that say an event noun happened ("clashes erupted", "the blast killed").
HAPPENING_VERBS = _words(
    "erupt occur happen break take continue kill wound injure hit rock leave destroy "
    "damage target spread flare escalate intensify resume end"
)
#: Verbs whose object is the one who does what they ask ("urged Israel [to withdraw]").
OBJECT_CONTROL = _words(
    "urge ask call order force compel persuade invite tell encourage push press "
    "help allow permit request beg implore"
)
#: Verbs that report a demand when their clause says what someone "must" do.
OBLIGATION_HEADS = _words("say announce insist conclude declare state stress argue add")
#: A bare "strike" with no target is a labour strike (CAMEO 143), not an air strike.
LABOUR_STRIKE = "143"
#: The CAMEO code of a type the model chose where the lexicon codes another (or none).
TYPE_CODES = {
    "AGREE": "030",
    "CONSULT": "040",
    "SUPPORT": "050",
    "CONCEDE": "080",
    "COOPERATE": "060",
    "AID": "070",
    "RETREAT": "084",
    "REQUEST": "020",
    "ACCUSE": "112",
    "REJECT": "120",
    "THREATEN": "130",
    "PROTEST": "140",
    "SANCTION": "160",
    "MOBILIZE": "150",
    "COERCE": "170",
    "ASSAULT": "180",
}
#: Dependencies of a verb that heads a clause: candidates even when the lexicon lacks them.
CLAUSE_HEADS = frozenset({"ROOT", "conj", "ccomp", "xcomp", "advcl", "relcl"})
#: Violence by protesters is a riot (PROTEST, CAMEO 145), not an assault.
RIOT = "145"
PROTESTER_WORDS = _words("protester protestor demonstrator rioter mob crowd marcher")
#: Verbs whose object event is made by saying it ("announced sanctions").
ANNOUNCING = _words("announce declare proclaim")
#: Event types made by saying them: told by their own maker, they are asserted.
SPEECH_ACTS = frozenset({"ACCUSE", "REQUEST", "REJECT", "THREATEN", "AGREE", "SUPPORT"})
#: Event types whose xcomp/ccomp/object event is absorbed into them.
ABSORBING = frozenset({"REQUEST", "THREATEN", "AGREE", "REJECT"})
#: A more specific code for an absorbing event, by the type of what it is about.
INTENT_CODES: dict[tuple[str, str], str] = {
    ("AGREE", "AID"): "033",
    ("AGREE", "CONSULT"): "036",
    ("AGREE", "COOPERATE"): "031",
    ("AGREE", "RETREAT"): "035",
    ("AGREE", "CONCEDE"): "035",
    ("THREATEN", "ASSAULT"): "138",
    ("THREATEN", "COERCE"): "137",
    ("THREATEN", "SANCTION"): "1312",
    ("REQUEST", "CONSULT"): "026",
    ("REQUEST", "AID"): "023",
    ("REQUEST", "RETREAT"): "1053",
    ("REJECT", "CONSULT"): "124",
}
#: "Deny": its content stays an event of its own, with status denied.
DENIAL_CODE = "127"
RECIPIENT_PREPS = _words("on against at with to upon into toward towards over")
#: Verbs whose object is accused of what follows "of"/"for"/"with" ("accused Kiev [of
#: launching]"): the object is the actor of that content, not the accuser.
ACCUSING_VERBS = _words("accuse blame charge suspect indict convict hold condemn")
ACCUSED_OF = _words("of for with over")
#: Prepositions that name the other side for some types only ("withdraw [from Lebanon]",
#: "a meeting [with Obama]", "mediation [between] ...", "an investigation [into] ...").
EXTRA_PREPS: dict[str, tuple[str, ...]] = {
    "RETREAT": ("from",),
    "CONSULT": ("with", "between"),
    "COOPERATE": ("with", "between"),
    "AGREE": ("with", "between"),
    "AID": ("to", "for"),
    "ACCUSE": ("into",),
    "SANCTION": ("from",),
}
#: Types whose event noun names its target with "of" ("the arrest of", "the killing of").
OF_TARGET_TYPES = frozenset({"COERCE", "ASSAULT", "ACCUSE", "SANCTION"})
#: Prepositions that give an event noun its target ("attack on", "sanctions against").
NOUN_TARGET_PREPS = _words("on against at upon")
_CLAUSES = frozenset({"relcl", "acl", "advcl", "ccomp", "parataxis", "punct", "cc", "mark"})
_PRONOUNS = frozenset({"he", "she", "him", "her"})
_GROUP_PRONOUNS = frozenset({"they", "them", "it", "its", "their"})
_PERSON_POSSESSIVES = frozenset({"his", "her"})
_FIRST_PERSON = frozenset({"i", "we", "me", "us", "my", "our"})
_RELATIVE = frozenset({"who", "which", "that", "whom"})


class _ArticleIndex:
    """Where the article's actors, places and dates are mentioned, by character offset."""

    def __init__(self, analysis: Analysis) -> None:
        self.actors: dict[str, Actor] = {actor.id: actor for actor in analysis.actors}
        self.actor_mentions = sorted(
            (mention.start, mention.end, actor.id)
            for actor in analysis.actors
            for mention in (actor.mentions or (actor,))
        )
        self.place_mentions = sorted(
            (mention.start, mention.end, place.id, place.feature or "")
            for place in analysis.places
            if place.latitude is not None
            for mention in (place.mentions or (place,))
        )
        dateline = analysis.article.dateline
        self.dateline_end = dateline.end if dateline else 0
        self.dates = sorted((d.start, d.end, d) for d in analysis.dates if d.value)
        self.quotes = analysis.quotes

    def speaker_at(self, offset: int, *, direct: bool = False) -> str | None:
        """The speaker of the quote holding ``offset`` ("I", "we" inside it are them);
        with ``direct``, only of a quote in the speaker's own words (in reported speech,
        "he said he would ..." — "he" is the speaker)."""
        for quote in self.quotes:
            if quote.start <= offset < quote.end:
                if direct and quote.kind == "indirect":
                    return None
                return quote.speaker_id
        return None

    def actors_in(self, start: int, end: int) -> list[tuple[int, int, str]]:
        return [m for m in self.actor_mentions if m[0] < end and m[1] > start]

    def recent_actor(
        self, before: int, person: bool | None, other_than: str | None = None
    ) -> str | None:
        for start, _end, actor_id in reversed(self.actor_mentions):
            if start >= before or actor_id == other_than:
                continue
            if before - start > 600:
                return None
            kind = self.actors[actor_id].kind
            if person is None or (kind == "person") == person:
                return actor_id
        return None


class EventsStage:
    """Code events in PLOVER and CAMEO, with arguments, place, date and claim status."""

    name: ClassVar[str] = "events"
    requires: ClassVar[frozenset[str]] = frozenset({"doc", "actors", "places", "dates", "quotes"})
    produces: ClassVar[frozenset[str]] = frozenset({"events"})

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.dateline_end = 0
        self.lexicon = TriggerLexicon.load()
        self.codes = cameo_codes()
        self.types = EventTypeModel.load()

    def __call__(self, batch: Sequence[Analysis]) -> list[Analysis]:
        """Fill ``events``; articles without a parse (skipped languages) pass unchanged."""
        return [self._one(analysis) if analysis.doc is not None else analysis for analysis in batch]

    def _one(self, analysis: Analysis) -> Analysis:
        article = analysis.article
        index = _ArticleIndex(analysis)
        reported_by = article.source or (article.dateline.agency if article.dateline else None)
        found: list[tuple[Any, Trigger, CameoCode]] = []
        self.dateline_end = index.dateline_end
        for sentence in analysis.doc.sents:
            found.extend(self._triggers(sentence))
        by_token = {token.i: (trigger, code) for token, trigger, code in found}
        events: dict[tuple[Any, ...], Event] = {}
        # What an appeal, promise or threat is about lends it its recipients ("offered to
        # hand over [to Britain]", "threatened to strike [Israel]").
        lent: dict[int, list[str]] = {}
        absorbed: set[int] = set()
        for token, _trigger, code in found:
            outer = _absorbed(token, by_token, self.codes)
            if outer is not None:
                absorbed.add(token.i)
                lent.setdefault(outer, []).extend(_arguments(token, index, code)[1])
        for token, trigger, code in found:
            if token.i in absorbed or _restates(token, code, by_token):
                continue
            code = self._refine(token, code, by_token)
            if code.plover_type == "ASSAULT" and _by_protesters(token, index.dateline_end):
                code = self.codes[RIOT]  # "protesters clashed with police": a violent protest
            actors, recipients = _arguments(token, index, code)
            extra = [r for r in lent.get(token.i, ()) if r not in recipients and r not in actors]
            recipients = recipients + tuple(dict.fromkeys(extra))
            claim = read_claim(token, analysis.quotes, lambda t: _actor_of(t, index))
            announced = token.dep_ == "dobj" and token.head.lemma_.lower() in ANNOUNCING
            said = _subject(token, index.dateline_end) if token.pos_ in ("VERB", "AUX") else None
            performed = said is not None and said.lower_ in ("i", "we")
            if (
                claim.status == "alleged"
                and claim.claimed_by in actors
                and ((performed and code.plover_type in SPEECH_ACTS) or announced)
            ):
                # A speech act its maker performs in their own words ("I call on ...", "we
                # accuse ...") or announces ("the US announced sanctions") is made in the
                # telling: asserted. What they report of themselves ("she said she opposes
                # the deal", "we struck the base, the army said") stays alleged.
                claim = dataclasses.replace(claim, status="asserted")
            if claim.status == "planned" and code.plover_type in ("AGREE", "THREATEN"):
                claim = dataclasses.replace(claim, status="asserted")
            elif claim.status == "planned" and claim.stated:
                # An intention someone states is itself the event: a promise (AGREE) or a
                # threat; a plan told in the outlet's voice stays planned.
                intent = self._intent(code)
                if intent is not None:
                    code = intent
                    claim = dataclasses.replace(claim, status="asserted")
            sentence = token.sent
            # The evidence is the sentence, without a dateline the parser took into it.
            first = max(sentence.start_char, min(index.dateline_end, sentence.end_char))
            start, end = _trimmed(article.text, first, sentence.end_char)
            date = _date_of(token, index)
            event = Event(
                id="",
                article_id=article.id,
                start=start,
                end=end,
                text=article.text[start:end],
                plover_type=code.plover_type,
                trigger=_trigger_span(article.text, token),
                plover_mode=code.plover_mode,
                plover_context=code.plover_context,
                cameo_code=code.code,
                quad_class=code.quad_class,
                goldstein=code.goldstein,
                actor_ids=actors,
                recipient_ids=recipients,
                place_id=_place_of(token, index, actors + recipients),
                date=date.value if date else None,
                date_resolution=date.resolution if date else None,
                status=claim.status,
                claimed_by=claim.claimed_by,
                reported_by=reported_by,
                confidence=_confidence(token, trigger, code, actors, recipients),
            )
            key = (sentence.start, event.plover_type, actors, recipients, event.status)
            if key not in events or events[key].confidence < event.confidence:
                events[key] = event
        ordered = sorted(events.values(), key=lambda e: e.trigger.start if e.trigger else e.start)
        numbered = tuple(
            dataclasses.replace(event, id=f"{article.id}-v{number}")
            for number, event in enumerate(ordered)
        )
        return dataclasses.replace(analysis, events=numbered)

    def _triggers(self, sentence: Any) -> Iterable[tuple[Any, Trigger, CameoCode]]:
        """The candidates the type model codes as a political event, with their code: the
        lexicon's when it gives the same type, else the type's general code."""
        for token, trigger in candidate_triggers(sentence, self.lexicon, self.dateline_end):
            listed = self.codes[trigger.code] if trigger is not None else None
            label, probability = self.types.predict(token, listed.plover_type if listed else None)
            if label == NO_EVENT:
                continue
            if listed is None or listed.plover_type != label:
                code = self.codes[TYPE_CODES[label]]
                trigger = Trigger((token.lemma_.lower(),), token.pos_ != "VERB", code.code)
            else:
                code = listed
            assert trigger is not None
            yield token, dataclasses.replace(trigger, probability=probability), code

    def _intent(self, code: CameoCode) -> CameoCode | None:
        """The AGREE or THREATEN code for a future action of type ``code``."""
        if code.plover_type in ("AGREE", "THREATEN", "REQUEST", "REJECT", "ACCUSE"):
            return None
        outer = "AGREE" if code.quad_class in (1, 2) else "THREATEN"
        refined = INTENT_CODES.get((outer, code.plover_type)) or (
            "030" if outer == "AGREE" else "130"
        )
        return self.codes.get(refined)

    def _refine(
        self, token: Any, code: CameoCode, by_token: dict[int, tuple[Trigger, CameoCode]]
    ) -> CameoCode:
        """A promise, threat or appeal takes the code of what it is about."""
        if code.plover_type not in ABSORBING:
            return code
        for child in _content(token):
            inner = by_token.get(child.i)
            if inner:
                refined = INTENT_CODES.get((code.plover_type, inner[1].plover_type))
                if refined and refined in self.codes:
                    return self.codes[refined]
        return code


def candidate_triggers(
    sentence: Any, lexicon: TriggerLexicon, dateline_end: int = 0
) -> Iterable[tuple[Any, Trigger | None]]:
    """The words of ``sentence`` that may code an event, with their lexicon pattern: the
    lexicon's verbs and told event nouns, and every verb heading a clause (``None``: not
    in the lexicon). The type model decides what each one codes; training reads the same
    candidates."""
    for token in sentence:
        trigger: Trigger | None = None
        if token.idx < dateline_end:
            continue
        if _is_verb(token):
            trigger = lexicon.match_verb(token) or _obligation(token)
            if trigger is None and token.pos_ == "VERB" and token.dep_ in CLAUSE_HEADS:
                yield token, None
                continue
        elif token.pos_ in ("NOUN", "PROPN") and _noun_is_event(token):
            trigger = lexicon.match_noun(token)
        if trigger is not None:
            if (
                trigger.noun
                and trigger.words == ("strike",)
                and not any(
                    child.dep_ == "prep" and child.lower_ in ("on", "against")
                    for child in token.children
                )
            ):
                trigger = Trigger(trigger.words, True, LABOUR_STRIKE)
            yield token, trigger


def _content(token: Any) -> Iterable[Any]:
    """What an appeal or threat is about: its infinitive, clause and objects, below it."""
    for child in token.children:
        if child.dep_ in ("xcomp", "ccomp", "dobj", "prep", "pobj", "pcomp", "advcl"):
            if child.dep_ == "advcl" and not any(g.dep_ == "aux" for g in child.children):
                continue
            yield child
            yield from _content(child)


def _absorbed(
    token: Any, by_token: dict[int, tuple[Trigger, CameoCode]], codes: dict[str, CameoCode]
) -> int | None:
    """The token index of the event that absorbs ``token``'s, if one does."""
    node = token
    for _ in range(4):
        if node.head is node or node.dep_ not in (
            "xcomp",
            "ccomp",
            "dobj",
            "prep",
            "pobj",
            "pcomp",
            "advcl",
        ):
            return None
        purpose = node.dep_ in ("advcl", "xcomp") and any(
            child.dep_ == "aux" and child.lower_ == "to" for child in node.children
        )
        node = node.head
        candidates = [node, *(child for child in node.children if child.dep_ == "dobj")]
        for candidate in candidates:
            outer = by_token.get(candidate.i)
            if outer is None or outer[1].code == DENIAL_CODE:
                continue
            if outer[1].plover_type in ABSORBING or purpose:
                # "urged [to withdraw]"; "staged protests [to demand reforms]".
                return int(candidate.i)
    return None


def _obligation(token: Any) -> Trigger | None:
    """ "X said Y must do Z": a demand by X of Y (REQUEST), with no verb of asking."""
    if not any(c.dep_ == "aux" and c.lower_ in ("must", "should") for c in token.children):
        return None
    head = token.head
    if token.dep_ == "ccomp" and head.lemma_.lower() in OBLIGATION_HEADS:
        return Trigger((token.lemma_.lower(),), False, "100")
    return None


def _by_protesters(token: Any, after: int) -> bool:
    if token.pos_ in ("VERB", "AUX"):
        subject = _subject(token, after)
    else:
        subject = next((c for c in token.children if c.dep_ in ("poss", "compound")), None)
        if subject is None and token.dep_ in ("nsubj", "dobj"):
            subject = _subject(token.head, after)
    return subject is not None and subject.lemma_.lower() in PROTESTER_WORDS


def _is_verb(token: Any) -> bool:
    """A verb that tells an action: not a participle used as an adjective ("occupying regime",
    "the lands occupied in 1948")."""
    if token.dep_ in ("amod", "compound"):
        return False
    if token.dep_ == "acl" and token.tag_ in ("VBN", "VBG") and token.i > token.head.i:
        return not any(child.dep_ in ("agent", "dobj") for child in token.children)
    if token.pos_ == "VERB" or (token.pos_ == "AUX" and token.dep_ == "ROOT"):
        return True
    return token.tag_ in ("VB", "VBD", "VBZ", "VBP") and token.pos_ == "ADJ"


def _restates(token: Any, code: CameoCode, by_token: dict[int, tuple[Trigger, CameoCode]]) -> bool:
    """An event noun that is the object of a verb coding the same type ("condemned the
    attack" is not a second ACCUSE; "describing the crimes" not a second accusation)."""
    if token.pos_ not in ("NOUN", "PROPN"):
        return False
    outer = by_token.get(token.head.i)
    if outer is None or token.dep_ not in ("dobj", "nsubjpass"):
        return False
    # "lifted the ban", "ended the siege": the noun is what the verb undoes.
    return outer[1].plover_type in (code.plover_type, "RETREAT", "CONCEDE")


def _noun_is_event(token: Any) -> bool:
    """Whether an event noun is told as an event here, not merely named."""
    head = token.head
    if token.dep_ in ("dobj", "nsubjpass") and head.lemma_.lower() in LIGHT_VERBS:
        return True
    if token.dep_ == "nsubj" and head.lemma_.lower() in HAPPENING_VERBS:
        return True
    if token.dep_ == "ROOT":
        return True
    for child in token.children:
        if child.dep_ == "poss" or (child.dep_ == "amod" and child.ent_type_ in ("NORP", "GPE")):
            return True
        if child.dep_ == "prep" and child.lower_ in ("on", "against", "by"):
            return True
    return token.dep_ == "pobj" and head.lower_ in ("after", "during", "amid", "in", "under")


def _subject(verb: Any, after: int = 0) -> Any | None:
    """The subject token of ``verb`` (climbing to the clause that has one); ``None`` for a
    passive clause (its agent is read separately).

    Words before ``after`` (the dateline, which the parser often makes a subject) are not
    subjects."""
    node = verb
    for _ in range(5):
        accused = _accused(node)
        if accused is not None:
            return accused
        for child in node.children:
            if child.dep_ in ("nsubj", "csubj") and past_dateline(child, after) is not None:
                return past_dateline(child, after)
            if child.dep_ == "nsubjpass":
                return None
        if node.dep_ == "xcomp" and node.head.lemma_.lower() in OBJECT_CONTROL:
            for child in node.head.children:
                if child.dep_ == "dobj":
                    return child
        if node.dep_ in ("xcomp", "conj", "advcl", "pcomp") and node.head is not node:
            node = node.head
            if node.dep_ == "prep":
                node = node.head
            continue
        if node.dep_ == "acl" and node.head is not node:
            noun = node.head
            infinitive = any(c.dep_ == "aux" and c.lower_ == "to" for c in node.children)
            if not infinitive:
                return noun
            # "Russia's plan [to invade]": the owner; "denied any plan [to invade]": the
            # one who has (or denies) the plan.
            owner = next((c for c in noun.children if c.dep_ == "poss"), None)
            if owner is not None:
                return owner
            if noun.dep_ not in ("dobj", "nsubjpass") or noun.head is noun:
                return None
            node = noun.head
            continue
        break
    return None


def _accused(node: Any) -> Any | None:
    """The one accused when ``node`` is what they are accused of: "accused [Kiev] of
    launching", "[Algeria], which they accuse of having shot down", "[Kiev] was blamed
    for the attack" — the accused did it, not the accuser."""
    prep = node.head
    if node.dep_ not in ("pcomp", "pobj") or prep.dep_ != "prep" or prep.lower_ not in ACCUSED_OF:
        return None
    verb = prep.head
    if verb.pos_ in ("NOUN", "PROPN") and verb.dep_ in ("dobj", "nsubjpass"):
        accused, verb = verb, verb.head  # "accused Kiev [of ...]" with "of" under Kiev
        return accused if verb.lemma_.lower() in ACCUSING_VERBS else None
    if verb.lemma_.lower() not in ACCUSING_VERBS:
        return None
    return next((c for c in verb.children if c.dep_ in ("dobj", "nsubjpass")), None)


def _instrument_owner(verb: Any, index: _ArticleIndex) -> list[str]:
    """The owner of the event a passive verb was done in: "civilians were killed [in the
    US' latest airstrikes]", "wounded [by Israeli shelling]" — the US, Israel."""
    nouns = TriggerLexicon.load().nouns
    for child in verb.children:
        if child.dep_ != "prep" or child.lower_ not in ("in", "by", "during", "after"):
            continue
        for noun in child.children:
            if noun.dep_ != "pobj" or noun.lemma_.lower() not in nouns:
                continue
            owners = [
                a
                for owner in noun.children
                if owner.dep_ in ("poss", "nmod", "compound", "amod")
                for a in _actors_of(owner, index)
            ]
            if owners:
                return owners
    return []


def _doer_of(noun: Any, index: _ArticleIndex) -> list[str]:
    """Who did what a noun names: "crimes [committed by X]", "attacks [by X]"."""
    for child in noun.children:
        if child.dep_ == "acl":
            for agent in child.children:
                if agent.dep_ == "agent":
                    return [
                        a for g in agent.children if g.dep_ == "pobj" for a in _actors_of(g, index)
                    ]
        if child.dep_ == "prep" and child.lower_ == "by":
            return [a for g in child.children if g.dep_ == "pobj" for a in _actors_of(g, index)]
    return []


def _arguments(
    token: Any, index: _ArticleIndex, code: CameoCode
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    actors: list[str] = []
    recipients: list[str] = []
    if token.pos_ in ("VERB", "AUX"):
        subject = _subject(token, index.dateline_end)
        for child in token.children:
            if child.dep_ == "nsubjpass":
                recipients += _actors_of(child, index)
            elif child.dep_ == "agent":
                for grand in child.children:
                    if grand.dep_ == "pobj":
                        actors += _actors_of(grand, index)
            elif child.dep_ in ("dobj", "dative", "iobj"):
                found = _actors_of(child, index)
                if not found and code.plover_type in ("ACCUSE", "REJECT", "SANCTION"):
                    found = _doer_of(child, index)  # "condemns crimes committed by X"
                recipients += found
            elif child.dep_ == "ccomp" and code.plover_type in ("REQUEST", "ACCUSE"):
                # "demanded [that the US cancel ...]": who is to act is the recipient.
                recipients += [
                    a
                    for grand in child.children
                    if grand.dep_ in ("nsubj", "nsubjpass")
                    for a in _actors_of(grand, index)
                ]
            elif child.dep_ in ("prep", "prt") and (
                child.lower_ in RECIPIENT_PREPS
                or child.lower_ in EXTRA_PREPS.get(code.plover_type, ())
            ):
                recipients += [
                    a
                    for grand in child.children
                    if grand.dep_ == "pobj"
                    for a in _actors_of(grand, index)
                ]
        if subject is not None and not actors:
            actors += _actors_of(subject, index)
        if not actors and any(c.dep_ == "nsubjpass" for c in token.children):
            actors += _instrument_owner(token, index)
        if code.plover_type == "REQUEST" and _obligation(token) is not None:
            # "X said Y must do Z": X demands, Y is asked.
            recipients = actors + recipients
            speaker = _subject(token.head, index.dateline_end)
            actors = _actors_of(speaker, index) if speaker is not None else []
        for child in token.children:
            # "held talks [with X]", "suspended talks [with X]": the object's partner.
            if child.dep_ == "dobj":
                for prep in child.children:
                    if prep.dep_ == "prep" and (
                        prep.lower_ in NOUN_TARGET_PREPS
                        or prep.lower_ == "with"
                        or prep.lower_ in EXTRA_PREPS.get(code.plover_type, ())
                    ):
                        recipients += [
                            a
                            for grand in prep.children
                            if grand.dep_ == "pobj"
                            for a in _actors_of(grand, index)
                        ]
    else:
        for child in token.children:
            if child.dep_ == "poss" or (
                child.dep_ in ("amod", "compound", "nmod") and child.ent_type_
            ):
                actors += _actors_of(child, index)
            elif child.dep_ == "prep":
                for grand in child.children:
                    if grand.dep_ != "pobj":
                        continue
                    if child.lower_ == "by":
                        actors += _actors_of(grand, index)
                    elif (
                        child.lower_ in NOUN_TARGET_PREPS
                        or child.lower_ in EXTRA_PREPS.get(code.plover_type, ())
                        or (child.lower_ == "of" and code.plover_type in OF_TARGET_TYPES)
                    ):
                        recipients += _actors_of(grand, index)
        accused = _accused(token)
        if not actors and accused is not None:
            actors += _actors_of(accused, index)
        head = token.head
        if not actors and token.dep_ == "dobj" and head.lemma_.lower() in LIGHT_VERBS:
            subject = _subject(head, index.dateline_end)
            if subject is not None:
                actors += _actors_of(subject, index)
    actor_ids = tuple(dict.fromkeys(actors))
    return actor_ids, tuple(a for a in dict.fromkeys(recipients) if a not in actor_ids)


def _phrase(token: Any) -> tuple[int, int]:
    """The character range of a noun phrase, without its clauses and prepositions."""
    left = token.left_edge
    right = token
    for child in token.children:
        if child.dep_ in _CLAUSES or (child.dep_ == "prep" and child.lower_ != "of"):
            continue
        if child.i > right.i:
            right = child.right_edge
    for child in token.children:
        if child.dep_ in _CLAUSES and child.i < token.i and child.right_edge.i >= left.i:
            left = child.right_edge.nbor(1) if child.right_edge.i + 1 <= token.i else token
    return left.idx, right.idx + len(right.text)


def _actor_of(token: Any, index: _ArticleIndex) -> str | None:
    found = _actors_of(token, index)
    return found[0] if found else None


def _actors_of(token: Any, index: _ArticleIndex) -> list[str]:
    """The actors a noun phrase names: its head's actor first, then its conjuncts'."""
    found: list[str] = []
    for node in [token, *[c for c in token.subtree if c.dep_ == "conj" and c.head.i == token.i]]:
        actor = _one_actor(node, index)
        if actor and actor not in found:
            found.append(actor)
    return found


def _one_actor(token: Any, index: _ArticleIndex) -> str | None:
    low = token.lower_
    head_hits = index.actors_in(token.idx, token.idx + len(token.text))
    owner = next((c for c in token.children if c.dep_ == "poss"), None)
    if head_hits:
        return _owner_for_group(head_hits[0][2], owner, index)
    if low in _RELATIVE and token.head.dep_ == "relcl":
        return _one_actor(token.head.head, index)
    if low in _FIRST_PERSON:
        return index.speaker_at(token.idx)
    if low in _PRONOUNS or low in _PERSON_POSSESSIVES:
        found = _subject_before(token, index, person=True) or index.recent_actor(
            token.idx, person=True
        )
        if found is not None and found == index.speaker_at(token.idx, direct=True):
            # Inside a quote "he" is someone else: the speaker would say "I".
            found = index.recent_actor(token.idx, person=True, other_than=found)
        return found
    if low in _GROUP_PRONOUNS:
        return _subject_before(token, index, person=False) or index.recent_actor(
            token.idx, person=False
        )
    start, end = _phrase(token)
    hits = index.actors_in(start, end)
    if not hits:
        # "its aircraft", "their fighters": the owner stands for the actor.
        if owner is not None and owner.i != token.i and token.dep_ in ("nsubj", "csubj"):
            return _one_actor(owner, index)
        for child in token.children:
            # "terrorists [from Hamas]", "fighters [from] the group": who they belong to.
            if child.dep_ == "prep" and child.lower_ == "from" and token.pos_ == "NOUN":
                for member_of in child.children:
                    if member_of.dep_ == "pobj":
                        found = _one_actor(member_of, index)
                        if found is not None:
                            return found
        return _named_before(token, index) or _by_surname(token, index)
    # Prefer an apposition ("the head of the bureau, Ismail Haniyeh"), then the nearest.
    for child in token.children:
        if child.dep_ == "appos":
            inner = index.actors_in(child.left_edge.idx, child.right_edge.idx + 1)
            if inner:
                return inner[0][2]
    return _owner_for_group(min(hits, key=lambda hit: abs(hit[0] - token.idx))[2], owner, index)


def _by_surname(token: Any, index: _ArticleIndex) -> str | None:
    """ "Usman accused ...": a person named in full before, called by one of their names."""
    if token.pos_ != "PROPN" or not token.text[:1].isupper():
        return None
    word = token.text.lower()
    found = [
        actor.id
        for actor in index.actors.values()
        if actor.kind == "person" and actor.start < token.idx and word in actor.name.lower().split()
    ]
    return found[0] if len(found) == 1 else None


#: How far back (characters) "the ministry" may find the actor it names.
DEFINITE_REACH = 1500


def _named_before(token: Any, index: _ArticleIndex) -> str | None:
    """ "The ministry", "the group", "the president": the latest actor named before with
    that word in a mention ("Russia's Defence Ministry said ... the ministry added")."""
    if token.pos_ != "NOUN" or not any(c.lower_ == "the" for c in token.children):
        return None
    word = token.lemma_.lower()
    for start, _end, actor_id in reversed(index.actor_mentions):
        if start >= token.idx:
            continue
        if token.idx - start > DEFINITE_REACH:
            return None
        actor = index.actors[actor_id]
        names = [actor.name, *(m.text for m in actor.mentions)]
        if any(
            word in name.lower().split() or f"{word}s" in name.lower().split() for name in names
        ):
            return actor_id
    return None


def _owner_for_group(actor: str, owner: Any | None, index: _ArticleIndex) -> str:
    """A group with no country owned by one that has one stands for its owner ("its
    soldiers", "Israel's forces")."""
    if owner is None or index.actors[actor].country is not None:
        return actor
    owned = _one_actor(owner, index)
    if owned is not None and index.actors[owned].country is not None:
        return owned
    return actor


def _subject_before(token: Any, index: _ArticleIndex, *, person: bool) -> str | None:
    """The actor of the nearest subject before a pronoun in its sentence ("the regime has
    displaced families ..., and its soldiers ...": "its" is the regime, not the families)."""
    for other in reversed(token.sent[: token.i - token.sent.start]):
        if other.dep_ not in ("nsubj", "nsubjpass") or other.lower_ in _PRONOUNS:
            continue
        if other.lower_ in _GROUP_PRONOUNS or other.lower_ in _FIRST_PERSON:
            continue
        start, end = _phrase(other)
        hits = index.actors_in(start, end)
        if hits:
            actor = min(hits, key=lambda hit: abs(hit[0] - other.idx))[2]
            if (index.actors[actor].kind == "person") == person:
                return actor
    return None


def _place_of(token: Any, index: _ArticleIndex, argument_ids: tuple[str, ...]) -> str | None:
    sentence = token.sent
    clause_start, clause_end = _clause_range(token)
    best: tuple[float, str] | None = None
    for start, end, place_id, feature in index.place_mentions:
        if start < sentence.start_char or end > sentence.end_char:
            continue
        if not (clause_start <= start and end <= clause_end):
            continue
        if any(a_start == start for a_start, _end, _ in index.actors_in(start, end)):
            # "Tehran said": a place standing for an actor is not the scene.
            continue
        distance = abs(start - token.idx) + (200 if "PCL" in feature else 0)
        if best is None or distance < best[0]:
            best = (distance, place_id)
    if best is None and _owned_by_it(token):
        # "stormed its courtyards": "its" is the place named just before.
        before = [m for m in index.place_mentions if m[1] <= token.idx and "PCL" not in m[3]]
        near = [m for m in before if token.idx - m[0] <= PLACE_REACH]
        return near[-1][2] if near else None
    return best[1] if best else None


#: How far back (characters) "its" may find the place it stands for.
PLACE_REACH = 400


def _owned_by_it(token: Any) -> bool:
    """Whether the trigger's object or target is owned by "its" ("its courtyards")."""
    for child in token.children:
        targets = [child] if child.dep_ == "dobj" else []
        if child.dep_ == "prep":
            targets = [g for g in child.children if g.dep_ == "pobj"]
        for target in targets:
            if any(g.dep_ == "poss" and g.lower_ == "its" for g in target.children):
                return True
    return False


def _clause_range(token: Any) -> tuple[int, int]:
    """The trigger's clause, without its subject: where its place and date are told.

    An event noun that is the subject or object of a light verb or a verb of happening
    takes that verb's clause ("Rallies ... were held [in Tehran]")."""
    if token.pos_ in ("NOUN", "PROPN") and token.dep_ in ("nsubj", "nsubjpass", "dobj"):
        lemma = token.head.lemma_.lower()
        if lemma in LIGHT_VERBS or lemma in HAPPENING_VERBS:
            start, end = _clause_range(token.head)
            return min(start, token.left_edge.idx), end
    tokens = [token]
    for child in token.children:
        if child.dep_ in ("nsubj", "nsubjpass", "csubj", "ccomp", "parataxis", "relcl"):
            continue
        tokens.extend(child.subtree)
    start = min(t.idx for t in tokens)
    last = max(tokens, key=lambda t: t.i)
    return start, last.idx + len(last.text)


def _date_of(token: Any, index: _ArticleIndex) -> Any:
    """The date told with the event: a date phrase that modifies the trigger (or its light
    or happening verb) — "on Sunday", "last month", "in 1988" — not a date inside one of
    its noun phrases ("the 1948 war", "settlements built since 1967")."""
    clause_start, clause_end = _clause_range(token)
    anchors = {token.i}
    if token.pos_ in ("NOUN", "PROPN") and token.dep_ in ("nsubj", "nsubjpass", "dobj"):
        anchors.add(token.head.i)
    doc = token.doc
    inside = []
    for start, end, date in index.dates:
        if not (clause_start <= start and end <= clause_end):
            continue
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or not len(span):
            continue
        node = span.root
        if node.dep_ == "pobj" and node.head.dep_ == "prep":
            node = node.head
        if node.head.i in anchors and node.dep_ in _DATE_LINKS:
            inside.append(date)
    if not inside:
        return None
    return min(inside, key=lambda d: abs(d.start - token.idx))


#: How a date phrase hangs on the verb it dates ("on [Sunday]", "[last week]", "[today]").
_DATE_LINKS = frozenset({"prep", "npadvmod", "advmod", "tmod", "obl", "nmod", "dep", "pobj"})


def _trigger_span(text: str, token: Any) -> Span:
    start = token.idx
    end = token.idx + len(token.text)
    for child in token.children:
        if child.dep_ == "prt" and child.i == token.i + 1:
            end = child.idx + len(child.text)
        if child.dep_ == "compound" and child.i == token.i - 1 and token.pos_ != "VERB":
            start = child.idx
    return Span(start, end, text[start:end])


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _confidence(
    token: Any,
    trigger: Trigger,
    code: CameoCode,
    actors: tuple[str, ...],
    recipients: tuple[str, ...],
) -> float:
    """How sure the stage is of an event: the type model's probability for its type,
    raised when the sentence gives it an actor and a recipient."""
    score = 0.25 + 0.5 * trigger.probability
    score += 0.1 if actors else 0.0
    score += 0.05 if recipients else 0.0
    score += 0.05 if token.pos_ == "VERB" else 0.0
    return round(min(score, 0.95), 2)
