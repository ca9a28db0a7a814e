"""Cues of reported speech: the lexicon, and how cues are read from the dependency parse.

A cue verb introduces what someone said, wrote, thought or found. Each lexicon entry
says which of the verb's dependents (spaCy's English dependency labels) hold the
*content* and which name the *addressee*:

- ``ccomp``: a clause ("said [that talks resumed]", "[Talks resumed], he said");
- ``xcomp``: an infinitive ("vowed [to retaliate]", "urged them [to leave]");
- ``dobj``/``oprd``: an object ("denied [the report]", "called it [a crime]");
- ``prep:<word>``: the object of a preposition ("warned [of a crisis]");
- ``need:<label>``: content that must be there for the verb to count ("sees him
  [as a threat]", not "sees him");
- ``addr:<label>``: who was addressed ("told [reporters]", "wrote [to the council]").

The verbs were chosen from how often each is an attribution cue in PolNeAR's training
part (``say`` 85% of its uses, ``note`` 93%, ``warn`` 90%, ``think`` 8%) and kept only
where its rule is right far more often than wrong there. Verbs of thinking and wanting
count only with a clause or an infinitive and a subject; verbs of judging ("praise",
"criticize") take their object as content, as PolNeAR does.

:class:`CueReader` reads one parsed article: cue verbs with their content, subject
and addressee; "according to X"; a colon that introduces a text ("The text of the
letter is as follows:", "he wrote on Twitter: "...""); and headline attributions
("Poll: ...", "Lynch: ..."). Contents stay inside the cue's paragraph (the parser
sometimes runs a sentence on across a paragraph break; indirect speech does not).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from newsgraph.model import QuoteKind
from newsgraph.stages.wordsets import words as _words

Token = Any  # a spaCy Token (spaCy ships no type information for mypy)
Doc = Any
Bounds = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Frame:
    """What a cue verb takes: content dependents, those required, addressee dependents."""

    content: frozenset[str]
    needs: frozenset[str]
    addressee: frozenset[str]


def _frame(labels: str) -> Frame:
    words = labels.split()
    content = frozenset(w.removeprefix("need:") for w in words if not w.startswith("addr:"))
    needs = frozenset(w.removeprefix("need:") for w in words if w.startswith("need:"))
    return Frame(
        content=content,
        needs=needs or content,
        addressee=frozenset(w.removeprefix("addr:") for w in words if w.startswith("addr:")),
    )


# (lemmas, frame), one line per behaviour. spaCy lemmatises "hoped" as "hop" at times.
_ENTRIES: tuple[tuple[str, str], ...] = (
    # Saying: a clause, an addressee after "to".
    (
        "say add state claim insist argue explain note write reply respond remark comment "
        "observe concede suggest stress emphasize emphasise contend maintain assert allege "
        "complain boast joke quip testify imply hint shout yell exclaim proclaim whisper "
        "continue lament concur counter retort muse wonder speculate estimate guess reckon "
        "swear affirm underline underscore signal grumble charge specify clarify elaborate",
        "ccomp addr:prep:to",
    ),
    # Saying, with an object as content too ("announced his resignation").
    (
        "announce report mention confirm reveal disclose acknowledge admit declare predict "
        "recall post tweet repeat reiterate indicate conclude",
        "ccomp dobj addr:prep:to",
    ),
    ("tell inform assure remind notify brief advise convince", "ccomp xcomp addr:dobj addr:dative"),
    ("warn caution", "ccomp xcomp prep:of prep:against prep:about addr:dobj"),
    ("ask", "ccomp xcomp prep:about addr:dobj addr:dative"),
    ("urge implore exhort beg press", "ccomp xcomp dobj addr:dobj"),
    ("promise pledge vow threaten refuse decline offer agree", "ccomp xcomp addr:dative"),
    # Thinking, knowing, wanting: a clause or an infinitive (see WEAK_VERBS).
    (
        "think believe feel fear hope hop expect doubt suspect worry assume know realize "
        "realise understand want wish intend plan seek prefer",
        "ccomp xcomp",
    ),
    # Seeing as: only with "as" or a predicate ("sees Cruz as a uniter").
    ("see view regard consider", "dobj need:ccomp need:prep:as need:oprd"),
    # Finding and showing: polls, reports, studies.
    ("show find demonstrate project forecast", "ccomp"),
    # Speaking of, referring to, voting for.
    ("talk speak", "prep:about prep:of prep:against"),
    ("refer", "prep:to"),
    ("focus", "prep:on"),
    ("vote advocate campaign push", "prep:for prep:against"),
    ("rail", "prep:against"),
    # Judging, with the object as content.
    (
        "criticize criticise praise endorse denounce decry condemn applaud blast slam reject "
        "dismiss deny defend question describe discuss cite propose recommend tout highlight "
        "blame accuse mock hail welcome lambaste rebuke assail berate chide scold dispute "
        "disavow reaffirm echo support back oppose express",
        "ccomp dobj xcomp prep:of prep:for",
    ),
    ("call", "ccomp xcomp dobj oprd prep:for prep:on"),
    ("point", "ccomp prep:to"),
)

#: Cue verb lemma -> its frame.
CUE_VERBS: dict[str, Frame] = {
    lemma: _frame(labels) for lemmas, labels in _ENTRIES for lemma in lemmas.split()
}

#: Verbs that count only with content and a subject ("sources believe that ...").
WEAK_VERBS = _words(
    "think believe feel fear hope hop expect doubt suspect worry assume know realize realise "
    "understand want wish intend plan seek prefer show find"
)

#: Nouns naming a written or spoken text ("the statement read:", "the letter is as follows:").
STATEMENT_NOUNS = _words(
    "statement letter message text communique communiqué declaration note memo email "
    "e-mail post tweet release announcement speech address transcript remarks comments "
    "notice decree fatwa resolution"
)

#: Verbs whose subject wrote a statement noun: "X sent a letter", "X issued a statement".
AUTHORING_VERBS = _words(
    "write send issue release publish post deliver sign pen address give make submit"
)

#: Verbs that say a text follows a colon besides the cue verbs ("read", "is as follows").
INTRODUCING_VERBS = _words("read follow go run")

#: Pronouns resolved to the most recent person named as a subject.
PERSON_PRONOUNS = _words("he she him her")

#: Common nouns naming a person by office ("the minister said"), resolved to the person
#: named with the same word earlier in the article.
TITLE_NOUNS = _words(
    "president minister spokesman spokeswoman spokesperson secretary leader chief "
    "official ambassador envoy governor senator congressman congresswoman candidate "
    "nominee chairman chairwoman chair director commander general mayor premier king "
    "queen prince emir sheikh ayatollah cleric head prosecutor judge attorney lawyer "
    "representative adviser advisor aide manager negotiator mediator diplomat officer "
    "professor analyst economist pollster strategist"
)

#: Headline labels that name no source ("UPDATE: ...").
NOT_SOURCES = _words(
    "update breaking exclusive watch video photos analysis opinion editorial live factbox "
    "explainer timeline q&a correction note latest"
)

_SUBJECTS = frozenset({"nsubj", "csubj"})
_CLIMB = frozenset({"conj", "xcomp", "advcl", "ccomp", "acl", "pcomp"})
_NOT_IN_PHRASE = frozenset({"relcl", "acl", "advcl", "punct", "cc", "parataxis", "prep"})
_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
_TRIM = ".,;:!?-–— \t\n\xa0"
_COLON = re.compile(r":[ \t\xa0]*(\n\s*)?")
_HEADLINE = re.compile(r"(?m)^([^\n:]{2,60}):[ \t]+(\S[^\n]*)$")


def past_dateline(subject: Token, after: int) -> Token | None:
    """The subject itself, or, when the parser took the dateline for it ("TEHRAN (ECNA) -
    Ismail Haniyeh ... has written"), the name it set in apposition after the dateline."""
    if subject.idx >= after:
        return subject
    return next((c for c in subject.children if c.dep_ == "appos" and c.idx >= after), None)


def _indefinite(noun: Token) -> bool:
    """ "A statement": a new one, not the one mentioned before."""
    return any(c.dep_ == "det" and c.lower_ in ("a", "an") for c in noun.children)


def _introduces_text(item: Cue) -> bool:
    """A statement noun with a verb that introduces it ("the letter reads", "as follows")."""
    verb = item.cue_token
    return item.introduced == "statement" and verb is not None and verb.pos_ in ("VERB", "AUX")


def end_of(token: Token) -> int:
    """Character offset just after ``token``."""
    return int(token.idx) + len(token.text)


@dataclass(slots=True)
class Cue:
    """A quote being assembled: its cue, content offsets, speaker and addressee.

    ``start == end`` means a cue verb whose content is not found yet (a quote beside
    it may become its content). ``resolved`` is what a pronoun, title or relative
    pronoun speaker refers to, used to find the speaker's actor.
    """

    cue: Bounds | None
    start: int
    end: int
    cue_token: Token = None
    introduced: QuoteKind | None = None  # set when a colon introduces the content
    kind: QuoteKind = "indirect"
    speaker: Bounds | None = None
    speaker_token: Token = None
    resolved: Bounds | None = None
    cue_less_speaker: bool = False  # the parsed speaker was dropped (inside the dateline)
    addressee: Bounds | None = None
    quotes: list[Bounds] = field(default_factory=list)


class CueReader:
    """Reads the cues of one parsed article; ``quoted`` are its quote-mark spans."""

    def __init__(self, doc: Doc, quoted: list[Bounds], skip_before: int = 0) -> None:
        self.doc = doc
        #: Nothing before this offset (the dateline) is a subject.
        self.skip_before = skip_before
        self.text: str = doc.text
        self.quoted = quoted
        self._quote_starts = [start for start, _ in quoted]
        self._token_starts = [token.idx for token in doc]
        self.entity_of: dict[int, Any] = {}
        for ent in doc.ents:
            if ent.label_ in _NAME_LABELS:
                for token in ent:
                    self.entity_of[token.i] = ent
        #: People named, as (start, end, is a subject), in text order: PERSON entities and
        #: proper-noun subjects outside other entities (the small model misses names).
        self.persons: list[tuple[int, int, bool]] = []
        for token in doc:
            entity = self.entity_of.get(token.i)
            if entity is not None and entity.label_ == "PERSON" and token.i == entity.root.i:
                subject = entity.root.dep_ in ("nsubj", "nsubjpass")
                self.persons.append((entity.start_char, entity.end_char, subject))
            elif entity is None and token.pos_ == "PROPN" and token.dep_ == "nsubj":
                start, end = self._head_phrase(token)
                self.persons.append((start, end, True))

    # --- offsets

    def inside_quote(self, start: int, end: int) -> bool:
        """True when ``start:end`` lies inside a quoted span (after its opening mark)."""
        index = bisect.bisect_right(self._quote_starts, start) - 1
        return index >= 0 and self.quoted[index][0] < start and end <= self.quoted[index][1]

    def paragraph(self, char: int) -> Bounds:
        """The line holding ``char``."""
        start = self.text.rfind("\n", 0, char) + 1
        end = self.text.find("\n", char)
        return start, len(self.text) if end < 0 else end

    def trim(self, start: int, end: int) -> Bounds:
        """Strip spaces and punctuation at both ends, keeping a closing quote mark."""
        text = self.text
        while start < end and (text[start] in _TRIM or text[start] in "”’)"):
            start += 1
        while end > start and text[end - 1] in _TRIM:
            end -= 1
        return start, end

    def token_at(self, char: int) -> Token:
        """The token that starts at or before ``char``."""
        return self.doc[max(bisect.bisect_right(self._token_starts, char) - 1, 0)]

    def span_of(self, tokens: Sequence[Token], cue: Token, exclude: Sequence[Token] = ()) -> Bounds:
        """Characters from the first to the last word of the subtrees of ``tokens`` that is
        in none of the subtrees of ``exclude``, cut to the cue's paragraph."""
        left = min(t.left_edge.i for t in tokens)
        right = max(t.right_edge.i for t in tokens)
        removed = [(other.left_edge.i, other.right_edge.i) for other in exclude]

        def kept(i: int) -> bool:
            token = self.doc[i]
            if token.is_space or (token.is_punct and token.text not in "\"“”''"):
                return False
            if token.dep_ == "cc":
                return False
            return not any(low <= i <= high for low, high in removed)

        while left <= right and not kept(left):
            left += 1
        while right >= left and not kept(right):
            right -= 1
        if left > right:
            return 0, 0
        low, high = self.paragraph(cue.idx)
        start, end = max(self.doc[left].idx, low), min(end_of(self.doc[right]), high)
        return self.trim(start, end) if start < end else (0, 0)

    # --- noun phrases

    def phrase(self, token: Token) -> Bounds:
        """The noun phrase ``token`` heads, as the name inside it when there is one.

        Names joined by "and" are taken together ("the UN and the OIC"); a person named
        right after a comma is taken in ("the Leader, Ayatollah Khamenei").
        """
        start, end = self._head_phrase(token)
        for child in token.children:
            if child.dep_ == "conj" and child.pos_ in ("PROPN", "NOUN") and child.i > token.i:
                end = max(end, self._head_phrase(child)[1])
        return start, end

    def _head_phrase(self, token: Token) -> Bounds:
        entity = self.entity_of.get(token.i)
        if entity is not None:
            return self._with_apposed(entity.start_char, entity.end_char, entity.end)
        for child in token.children:
            named = self.entity_of.get(child.i)
            if child.dep_ == "appos" and named is not None and named.label_ == "PERSON":
                return named.start_char, named.end_char
        right = token.i
        for child in token.children:
            if child.i > token.i:
                if child.dep_ in _NOT_IN_PHRASE:
                    break
                right = max(right, child.right_edge.i)
        if token.dep_ in ("pobj", "dobj") or right == token.i:
            for child in token.children:  # "the head of the bureau"
                if child.i > token.i and child.dep_ == "prep" and child.lower_ == "of":
                    right = max(right, child.right_edge.i)
        start, end = self.trim(token.left_edge.idx, end_of(self.doc[right]))
        if start >= end:
            return token.idx, end_of(token)
        return self._with_apposed(start, end, right + 1)

    def _with_apposed(self, start: int, end: int, after: int) -> Bounds:
        doc = self.doc
        if after + 1 < len(doc) and doc[after].text == ",":
            entity = self.entity_of.get(after + 1)
            if entity is not None and entity.label_ == "PERSON" and entity.start == after + 1:
                return start, entity.end_char
        return start, end

    # --- cue verbs

    def subject(self, verb: Token, depth: int = 0) -> Token | None:
        """The speaker of a cue verb: its subject or agent, else that of the clause it is in."""
        for child in verb.children:
            if child.dep_ in _SUBJECTS and past_dateline(child, self.skip_before) is not None:
                return past_dateline(child, self.skip_before)
            if child.dep_ == "agent":
                return next((g for g in child.children if g.dep_ == "pobj"), None)
        if depth >= 4 or verb.head is verb:
            return None
        if verb.dep_ == "relcl":
            return verb.head
        if verb.dep_ not in _CLIMB:
            return None
        # "X said A and warned B": "warned" hangs on A's verb, but X warned.
        outer = verb.head
        while outer.dep_ == "conj" and outer.head is not outer:
            outer = outer.head
        if verb.dep_ == "conj" and outer.dep_ == "ccomp" and outer.head.lemma_.lower() in CUE_VERBS:
            return self.subject(outer.head, depth + 1)
        return self.subject(verb.head, depth + 1)

    def name_near(self, verb: Token) -> Token | None:
        """The noun phrase right after a cue ('said Smith'), else the word before it."""
        doc = self.doc
        for index in (verb.i + 1, verb.i - 1):
            if not 0 <= index < len(doc):
                continue
            token = doc[index]
            if token.pos_ in ("PROPN", "NOUN") or (token.pos_ == "PRON" and index < verb.i):
                while index > verb.i and token.dep_ in ("compound", "amod", "nmod"):
                    if token.head.i <= token.i:
                        break
                    token = token.head
                return token
            if token.pos_ == "DET" and index > verb.i and token.head.i > token.i:
                return token.head
        return None

    def content_children(self, verb: Token, frame: Frame) -> list[Token]:
        """The dependents of ``verb`` (in its paragraph) that hold its content."""
        chosen: list[tuple[str, Token]] = []
        low, high = self.paragraph(verb.idx)
        for child in verb.children:
            if not low <= child.idx < high:
                continue
            dep = child.dep_
            if dep in frame.content and dep in ("ccomp", "xcomp", "dobj", "oprd"):
                chosen.append((dep, child))
            elif dep == "prep" and f"prep:{child.lower_}" in frame.content:
                label = f"prep:{child.lower_}"
                chosen.extend((label, c) for c in child.children if c.dep_ in ("pobj", "pcomp"))
        if not any(dep in frame.needs for dep, _ in chosen):
            return []
        return [child for _, child in chosen]

    def addressee_of(self, verb: Token, frame: Frame) -> Token | None:
        """Who the cue verb addresses: "told [X]", "wrote [to X]", "said in a letter [to X]"."""
        for child in verb.children:
            dep = child.dep_
            if dep in ("dobj", "dative") and dep in frame.addressee and child.pos_ != "ADP":
                return child
            if dep in ("prep", "dative") and child.lower_ == "to" and "prep:to" in frame.addressee:
                return next((g for g in child.children if g.dep_ == "pobj"), None)
            if dep == "prep" and child.lower_ == "in":
                for noun in child.children:
                    if noun.dep_ == "pobj" and noun.lemma_.lower() in STATEMENT_NOUNS:
                        return self.noun_addressee(noun)
        return None

    def noun_addressee(self, noun: Token) -> Token | None:
        """The object of "to" after a statement noun ("a letter to X")."""
        for child in noun.children:
            if child.dep_ == "prep" and child.lower_ == "to":
                return next((g for g in child.children if g.dep_ == "pobj"), None)
        return None

    def verb_cues(self) -> list[Cue]:
        """Every cue verb and "according to" outside quotes, with what the parse gives."""
        found: list[Cue] = []
        for token in self.doc:
            if token.lower_ == "according":
                item = self.according(token)
            elif token.pos_ in ("VERB", "AUX") and token.lemma_.lower() in CUE_VERBS:
                item = self.verb_cue(token, CUE_VERBS[token.lemma_.lower()])
            else:
                continue
            if item is not None:
                found.append(item)
        return found

    def verb_cue(self, verb: Token, frame: Frame) -> Cue | None:
        if self.inside_quote(verb.idx, end_of(verb)):
            return None  # someone else's words, inside a quote
        if verb.dep_ == "amod":
            return None  # "the so-called plan", "a stated aim"
        children = self.content_children(verb, frame)
        quoted_left = [c for c in children if c.i < verb.i and self.inside_quote(c.idx, end_of(c))]
        if quoted_left:
            # '"...," said Smith, half joking': the quote is the content, nothing after it.
            children = [c for c in children if c.i < verb.i]
        # Cue verbs joined by "and" inside the content are cues of their own.
        nested = [
            t
            for child in children
            for t in child.children
            if t.dep_ == "conj" and t.lemma_.lower() in CUE_VERBS
        ]
        if children:
            start, end = self.span_of(children, verb, exclude=nested)
        elif verb.dep_ == "parataxis" and verb.head is not verb:
            # "The talks, he said, will resume": the content is the clause around the cue.
            start, end = self.span_of([verb.head], verb, exclude=[verb])
        else:
            start = end = verb.idx
        subject = self.subject(verb)
        low, high = self.paragraph(verb.idx)
        if quoted_left and (subject is None or not low <= subject.idx < high):
            subject = self.name_near(verb)
        elif subject is not None and not low <= subject.idx < high:
            subject = None  # a dateline or a time stamp the parser took into the sentence
        if verb.lemma_.lower() in WEAK_VERBS and (not children or subject is None):
            return None
        cue_end = end_of(verb)
        for child in verb.children:
            if child.dep_ == "prt" and child.i == verb.i + 1:
                cue_end = end_of(child)  # "pointed out"
        item = Cue(cue=(verb.idx, cue_end), start=start, end=end, cue_token=verb)
        addressee = self.addressee_of(verb, frame)
        if subject is not None and subject.lemma_.lower() in STATEMENT_NOUNS:
            # "A statement from Spain's foreign minister said ...": the writer speaks.
            item.introduced = "statement"
            author, to = self.author_of(subject)
            subject, addressee = author or subject, addressee or to
        if subject is not None:
            item.speaker_token, item.speaker = subject, self.phrase(subject)
        if addressee is not None:
            item.addressee = self.phrase(addressee)
        return item

    def according(self, token: Token) -> Cue | None:
        """ "According to X, ...": X is the speaker, the clause around it the content."""
        if self.inside_quote(token.idx, end_of(token)):
            return None
        to = next((c for c in token.children if c.lower_ == "to"), None)
        source = next((c for c in to.children if c.dep_ == "pobj"), None) if to else None
        if to is None or source is None:
            return None
        head = token.head if token.head.pos_ in ("VERB", "AUX") else token.sent.root
        if head is token:
            return None
        # A clause with its own subject joined by "as", "while" ... is another's act, told
        # in the outlet's voice ("..., according to reports, as the UN condemned it").
        others = [
            c
            for c in head.children
            if c.dep_ == "advcl" and c.i > token.i and any(g.dep_ == "nsubj" for g in c.children)
        ]
        start, end = self.span_of([head], token, exclude=[token, *others])
        item = Cue(cue=(token.idx, end_of(to)), start=start, end=end, cue_token=token)
        item.speaker_token, item.speaker = source, self.phrase(source)
        return item

    # --- colons and headlines

    def colon_cues(self) -> list[Cue]:
        """A colon ending a paragraph, or standing before a quote, introduces what follows."""
        found: list[Cue] = []
        text = self.text
        starts = dict(self.quoted)
        for match in _COLON.finditer(text):
            after = match.end()
            if after >= len(text):
                continue
            # A colon inside a line introduces the rest of it only after a text named and
            # introduced ("The text of the letter is as follows: Your Eminence ...").
            inline = after not in starts and not match.group(1)
            if after in starts:
                start, end = after, starts[after]
            else:
                line_end = text.find("\n", after)
                start, end = self.trim(after, len(text) if line_end < 0 else line_end)
            if self.inside_quote(match.start(), match.end()):
                continue
            colon = self.token_at(match.start())
            item = self._introduced(colon, start, end)
            if item is not None and inline and not _introduces_text(item):
                continue
            if item is not None:
                if after in starts:
                    item.quotes.append((start, end))
                found.append(item)
        return found

    def _introduced(self, colon: Token, start: int, end: int) -> Cue | None:
        """The cue before a colon: a reporting verb or a statement noun, and who wrote."""
        first = colon.i
        while first > 0 and "\n" not in self.doc[first - 1].text:
            if self.doc[first - 1].is_sent_end:
                break
            first -= 1
        words = list(self.doc[first : colon.i])
        if not words or start >= end:
            return None
        verb = next(
            (
                t
                for t in reversed(words)
                if t.pos_ in ("VERB", "AUX")
                and (t.lemma_.lower() in CUE_VERBS or t.lemma_.lower() in INTRODUCING_VERBS)
            ),
            None,
        )
        nouns = [t for t in words if t.pos_ == "NOUN" and t.lemma_.lower() in STATEMENT_NOUNS]
        if verb is None and not nouns:
            return None
        anchor = verb if verb is not None else nouns[0]
        cue_start = anchor.idx
        if verb is not None and verb.lemma_.lower() == "follow":
            left = verb.i - 1 if verb.i > first and self.doc[verb.i - 1].lower_ == "as" else verb.i
            if left > first and self.doc[left - 1].pos_ == "AUX":
                left -= 1  # "is as follows"
            cue_start = self.doc[left].idx
        item = Cue(cue=(cue_start, end_of(anchor)), start=start, end=end, cue_token=anchor)
        item.introduced = "statement" if nouns else "direct"
        subject = self.subject(verb) if verb is not None else None
        if (
            verb is not None
            and subject is not None
            and not any(
                t.lemma_.lower() in STATEMENT_NOUNS
                for t in self.doc[subject.left_edge.i : subject.i + 1]
            )
        ):
            item.speaker_token, item.speaker = subject, self.phrase(subject)
            frame = CUE_VERBS.get(verb.lemma_.lower())
            addressee = self.addressee_of(verb, frame) if frame is not None else None
            if addressee is not None:
                item.addressee = self.phrase(addressee)
            return item
        for noun in nouns:  # "The text of the letter is as follows:": who wrote the letter?
            author, addressee = self.author_of(noun)
            if author is not None:
                item.speaker_token, item.speaker = author, self.phrase(author)
                if addressee is not None:
                    item.addressee = self.phrase(addressee)
                break
        return item

    def author_of(self, noun: Token) -> tuple[Token | None, Token | None]:
        """Who wrote a statement noun and to whom, here or where it was mentioned before.

        "Haniyeh's letter", "a letter from Haniyeh", "Haniyeh has written a letter to X".
        """
        lemma = noun.lemma_.lower()
        # "A statement" is a new one; "the statement" the one mentioned last, if any.
        earlier = () if _indefinite(noun) else tuple(reversed(self.doc[: noun.i]))
        for candidate in (noun, *earlier):
            if candidate.lemma_.lower() != lemma:
                continue
            author = None
            for child in candidate.children:
                if child.dep_ == "poss":
                    author = child
                elif child.dep_ == "prep" and child.lower_ in ("from", "by"):
                    author = next((g for g in child.children if g.dep_ == "pobj"), author)
            head = candidate.head
            authored = head.lemma_.lower() in AUTHORING_VERBS
            if author is None and authored and candidate.dep_ in ("dobj", "nsubjpass"):
                author = self.subject(head)
            if author is None and candidate is not noun and _indefinite(candidate):
                break  # "a statement" with no writer named: where the text came in
            if author is None:
                continue
            addressee = self.noun_addressee(candidate)
            if addressee is None and authored:
                addressee = next(
                    (
                        g
                        for c in head.children
                        if c.dep_ in ("prep", "dative") and c.lower_ == "to"
                        for g in c.children
                        if g.dep_ == "pobj"
                    ),
                    None,
                )
            return author, addressee
        return None, None

    def headline_cues(self) -> list[Cue]:
        """``Name: words`` opening a line when Name is a person or organisation, and
        ``Source: words`` opening the first line (the headline: "Poll: ...")."""
        found: list[Cue] = []
        for match in _HEADLINE.finditer(self.text):
            label = match.group(1)
            entity = self.entity_of.get(self.token_at(match.start()).i)
            named = (
                entity is not None
                and entity.label_ in ("PERSON", "ORG")
                and entity.start_char == match.start()
                and entity.end_char == match.end(1)
            )
            titled = (
                match.start() == 0
                and len(label.split()) <= 4
                and all(word[:1].isupper() for word in label.split())
                and label.lower().removeprefix("the ") not in NOT_SOURCES
            )
            if not named and not titled:
                continue
            start, end = self.trim(match.start(2), match.end(2))
            item = Cue(cue=(match.end(1), match.end(1) + 1), start=start, end=end)
            item.speaker = (match.start(1), match.end(1))
            item.speaker_token = self.token_at(match.start())
            found.append(item)
        return found
