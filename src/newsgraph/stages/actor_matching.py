"""Reading the parse around knowledge-base matches, for the actors stage.

These helpers answer small syntactic questions with the spaCy dependency parse: does a
capital stand for its government here ("Tehran said") or for the city ("rallies in
Tehran")? Which words modify an agent noun ("Israeli soldiers", "police of the
occupation")? Is a label used as an actor ("the occupation stormed") or as a noun of
process ("the occupation of the plant")? What title stands beside a person's name?

They take spaCy tokens and return plain values; they never change the ``Doc``.
:class:`ArticleState` holds what the actors stage knows about one article while it reads
it: the matches, the evidence each word gives (a country, an organisation), the tokens
taken by agents and people, and the refs (:class:`Ref`) proposed so far.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from newsgraph.knowledge.base import HONORIFICS, KnowledgeBase, Match
from newsgraph.model import Analysis
from newsgraph.stages.wordsets import words as _words

if TYPE_CHECKING:
    from newsgraph.stages.actor_coreference import ActorTable

Tok = Any  # a spaCy Token: spaCy ships no type information
Key = tuple[str, ...]


MODIFIER_DEPS = frozenset({"amod", "compound", "nmod", "poss", "npadvmod", "nummod"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "agent"})
CLAUSE_DEPS = frozenset(
    {"relcl", "acl", "advcl", "ccomp", "xcomp", "parataxis", "punct", "cc", "conj", "appos"}
)
LOCATIVE_PREPS = _words(
    """in at near into inside outside across around throughout within toward towards to
    from through over via beyond along onto off outside beside"""
)
# Verbs whose object or passive subject is a government when it is a capital's name:
# "accused Moscow of", "urged Washington to", "Tehran was warned".
METONYM_VERBS = _words(
    """accuse urge warn blame condemn criticise criticize call ask press pressure push tell
    inform sanction support back help drag invite thank praise recognise recognize
    persuade lobby engage reassure threaten force convince notify assure caution implore
    encourage join reject rebuke fault credit trust oppose challenge defy court woo
    punish reward advise demand request"""
)
# Verbs whose subject is a place even when it is a capital: "Tehran lies", "Kyiv sits".
PLACE_VERBS = _words("lie sit border overlook stand shake rock flood sprawl")
# Nouns a government's name may head as their author: "a letter from Tehran".
MESSAGE_NOUNS = _words(
    """letter message statement response demand pressure warning request call offer reply
    note proposal signal"""
)
# Nouns of action and equipment: an agent modifying one is the actor of it ("Israeli
# military raids", "army bulldozers", "police crackdown").
EVENT_NOUNS = _words(
    """raid raids strike strikes airstrike airstrikes attack attacks assault assaults
    operation operations offensive offensives shelling bombardment bombing bombings
    crackdown blockade incursion incursions invasion fire gunfire aggression crime
    crimes massacre massacres violation violations campaign onslaught siege killing
    killings arrests demolition demolitions bulldozer bulldozers tank tanks jet jets
    drone drones warship warships helicopter helicopters statement statements
    announcement claim claims order orders decision spokesman spokeswoman spokesperson"""
)
# Heads of unknown organisations' names, and the sector each suggests.
ORG_HEADS: dict[str, str | None] = {
    **dict.fromkeys(
        _words("agency news times post radio tv television press herald gazette"), "MED"
    ),
    **dict.fromkeys(_words("university institute college school academy"), "EDU"),
    **dict.fromkeys(
        _words(
            """ministry council commission authority office department administration cabinet
            government"""
        ),
        "GOV",
    ),
    **dict.fromkeys(_words("army forces brigade brigades battalion corps command guard"), "MIL"),
    **dict.fromkeys(_words("police gendarmerie"), "COP"),
    **dict.fromkeys(_words("party"), "PTY"),
    **dict.fromkeys(_words("court tribunal"), "JUD"),
    **dict.fromkeys(_words("parliament assembly senate congress"), "LEG"),
    **dict.fromkeys(_words("bank company corporation corp inc ltd group holdings airlines"), "BUS"),
    **dict.fromkeys(
        _words(
            """foundation fund network association society organisation organization committee
            coalition alliance union federation watch forum initiative movement front league"""
        ),
        None,
    ),
    **dict.fromkeys(_words("church diocese synagogue patriarchate"), "REL"),
}
# Nouns that make a proper name before them a place: "Sheikh Jarrah neighbourhood".
PLACE_NOUNS = _words(
    """neighbourhood neighborhood district street camp camps city town village area mosque
    compound square road bridge hospital province region county valley river quarter
    suburb crossing base airport port plant station field strip governorate prison
    market case checkpoint border reservoir dam lake sea gulf island islands mountains
    mountain desert coast capital range forest hills belt"""
)


def climb_conj(token: Tok) -> Tok:
    """The first conjunct of a coordination ("Mashhad" in "Tehran, Mashhad and Qom")."""
    while token.dep_ == "conj" and token.head.i != token.i:
        token = token.head
    return token


def is_locative(token: Tok) -> bool:
    """Whether a name is used as a place: object of "in", "at" ..., or before "neighbourhood"."""
    first = climb_conj(token)
    if first.dep_ == "pobj" and first.head.lower_ in LOCATIVE_PREPS:
        # "according to the Border Committee" names a source, not a place
        return not (first.head.lower_ == "to" and first.head.head.lower_ == "according")
    of_place = first.dep_ == "pobj" and first.head.lower_ == "of"  # "the town of Kfar Kila"
    if of_place and first.head.head.lemma_.lower() in PLACE_NOUNS:
        return True
    head = first
    while head.dep_ in ("compound", "nmod", "amod") and head.head.i != head.i:
        head = head.head
        if head.lemma_.lower() in PLACE_NOUNS:
            return True
    return False


def is_metonym(token: Tok) -> bool:
    """Whether a capital's name stands for its government here ("Moscow rejects")."""
    first = climb_conj(token)
    dep, head = first.dep_, first.head
    verb = head.lemma_.lower()
    if dep in ("nsubj", "csubj"):
        return verb not in PLACE_VERBS
    if dep in ("poss", "agent"):
        return True
    if dep in ("nsubjpass", "dobj", "dative"):
        return verb in METONYM_VERBS
    if dep == "pobj":
        prep = head.lower_
        if prep in ("by", "with", "against", "between"):
            return True
        if prep == "on":
            return head.head.lemma_.lower() in ("pressure", "call", "rely", "sanction", "depend")
        if prep == "from":
            return head.head.lemma_.lower() in MESSAGE_NOUNS
    return False


def is_agentive(token: Tok, is_agent: Callable[[Tok], bool]) -> bool:
    """Whether a noun acts as an actor: subject, possessor, "by" or "of" an agent noun.

    A noun with an "of" phrase is a process, not an actor: "the occupation of the plant".
    """
    if any(child.dep_ == "prep" and child.lower_ == "of" for child in token.rights):
        return False
    first = climb_conj(token)
    dep = first.dep_
    if dep in SUBJECT_DEPS or dep == "poss":
        return True
    if dep == "pobj":
        prep = first.head
        if prep.lower_ == "by":
            return True
        if prep.lower_ == "of":
            owner = prep.head
            return is_agent(owner) or owner.lemma_.lower() in EVENT_NOUNS
    if dep in ("compound", "amod", "nmod"):
        return is_agent(first.head) or first.head.lemma_.lower() in EVENT_NOUNS
    return False


def is_referring(token: Tok, is_agent: Callable[[Tok], bool]) -> bool:
    """Whether a noun refers by itself, rather than modifying a noun that is no agent."""
    if token.dep_ in ("compound", "amod", "nmod"):
        return is_agent(token.head) or token.head.lemma_.lower() in EVENT_NOUNS
    return True


def modifier_chain_head(token: Tok) -> Tok:
    """The noun a chain of modifiers ends in: "ministry" for "Iranian" in "Iranian ministry"."""
    while token.dep_ in MODIFIER_DEPS and token.head.i != token.i:
        token = token.head
    return token


def left_modifiers(root: Tok, start: int) -> list[Tok]:
    """Tokens of ``root``'s noun phrase before ``start``: adjectives, compounds, possessors."""
    out: list[Tok] = []
    owners = [root]
    if root.dep_ == "conj":  # "Iranian individuals and companies"
        owners.append(climb_conj(root))
    if root.dep_ in ("compound", "amod", "nmod"):  # "Israeli military raids"
        owners.append(root.head)
    for owner in owners:
        for child in owner.lefts:
            if child.i < start and child.dep_ in MODIFIER_DEPS | {"det", "quantmod"}:
                out.extend(t for t in child.subtree if t.i < start)
    return sorted({t.i: t for t in out}.values(), key=lambda t: t.i)


def right_modifiers(
    root: Tok,
    is_agent: Callable[[Tok], bool] = lambda token: False,
    preps: Iterable[str] = ("of", "in", "from", "throughout", "across"),
) -> list[Tok]:
    """Tokens of the prepositional phrases after ``root``: "police of the occupation".

    A phrase after a coordinated agent counts for both: "the soldiers and police of the
    occupation".
    """
    wanted = set(preps)
    owners = [root]
    if root.dep_ in ("compound", "amod", "nmod"):
        owners.append(root.head)
    owners.extend(child for child in root.children if child.dep_ == "conj" and is_agent(child))
    if root.dep_ == "conj":
        owners.append(root.head)
    out: list[Tok] = []
    for owner in owners:
        for child in owner.rights:
            if child.dep_ == "prep" and child.lower_ in wanted:
                out.extend(t for t in child.subtree if t.i != child.i)
    return out


def has_determiner(root: Tok) -> bool:
    """Whether ``root`` has "the", "this" or "that" before it ("the ministry")."""
    return any(
        child.dep_ == "det" and child.lower_ in ("the", "this", "that") for child in root.lefts
    )


def clause_free(tokens: Iterable[Tok], root: Tok) -> list[Tok]:
    """``tokens`` without those in clauses, appositions or coordinations off ``root``."""
    tokens = list(tokens)
    drop: set[int] = set()
    for token in tokens:
        if token.i != root.i and token.dep_ in CLAUSE_DEPS:
            drop.update(t.i for t in token.subtree)
    return [t for t in tokens if t.i not in drop]


def title_tokens(root: Tok, name_start: int, name_end: int) -> list[Tok]:
    """The words that give a named person's title or role.

    Premodifiers ("Iranian Foreign Ministry spokesman Saeed Khatibzadeh") and an
    apposition either side of the name ("Vitaly Ostapenko, head of the city
    administration"; "The head of the political bureau ..., Ismail Haniyeh").
    """
    found: list[Tok] = []
    for child in root.lefts:
        if child.i < name_start and child.dep_ in MODIFIER_DEPS:
            found.extend(t for t in child.subtree if t.i < name_start)
    for child in root.rights:
        if child.dep_ == "appos" and child.i >= name_end:
            found.extend(clause_free(child.subtree, child))
    if root.dep_ == "appos" and root.head.i < name_start:
        head = root.head
        kept = clause_free(head.subtree, head)
        found.extend(t for t in kept if t.i < name_start and t.sent.start == root.sent.start)
    return sorted({t.i: t for t in found}.values(), key=lambda t: t.i)


def appositions(root: Tok) -> list[Tok]:
    """The words of the appositions that describe ``root`` ("X, the group's mouthpiece")."""
    found: list[Tok] = []
    for child in root.rights:
        if child.dep_ == "appos":
            found.extend(clause_free(child.subtree, child))
    if root.dep_ == "appos":
        head = root.head
        found.extend(t for t in clause_free(head.subtree, head) if t.i < root.left_edge.i)
    return sorted({t.i: t for t in found}.values(), key=lambda t: t.i)


def phrase_text(tokens: list[Tok], text: str) -> tuple[int, int, str] | None:
    """The stretch of ``text`` the contiguous run of ``tokens`` covers, without a leading article.

    Stops at a parenthesis or a comma, so "head of the bureau of the Movement (Hamas)"
    gives "head of the bureau of the Movement".
    """
    if not tokens:
        return None
    run = [tokens[0]]
    for token in tokens[1:]:
        if token.i != run[-1].i + 1 or token.text in ("(", ",", ";", ":", '"', "“", "”"):
            break
        run.append(token)
    while run and (run[0].dep_ == "det" or run[0].is_punct or run[0].lower_ in ("a", "an", "the")):
        run = run[1:]
    while run and run[-1].is_punct:
        run = run[:-1]
    if not run:
        return None
    start, end = run[0].idx, run[-1].idx + len(run[-1].text)
    return start, end, text[start:end]


@dataclass
class Ref:
    """One mention proposed for an actor, with what the mention says about it."""

    start: int
    end: int
    text: str
    key: Key
    kind: str
    country: str | None = None
    sector: str | None = None
    name: str | None = None
    kb_id: str | None = None
    role: str | None = None
    loaded: bool = False
    head: str = ""
    # where the country came from: (source, start, end); see ``Actor.country_source``
    country_from: tuple[str, int, int] | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a modifier word says about the actor it modifies."""

    country: str | None
    org: str | None = None
    sector: str | None = None
    loaded: bool = False


@dataclass
class _Person:
    """A person mention before its attributes are worked out."""

    start: int
    end: int
    key: Key
    kb_id: str | None
    name: str


@dataclass
class PersonMention:
    """A person mention before its attributes are worked out."""

    start: int
    end: int
    key: Key
    kb_id: str | None
    name: str


def honorific(word: str) -> bool:
    """Whether ``word`` is an honorific or title that may stand before a name."""
    return word.lower().rstrip(".") in HONORIFICS


class ArticleState:
    """What the actors stage knows about one article while reading it."""

    table: ActorTable

    def __init__(self, analysis: Analysis, kb: KnowledgeBase) -> None:
        self.matches: list[tuple[Match, Any]] = []
        article = analysis.article
        self.kb = kb
        self.doc = analysis.doc
        self.text = article.text
        self.article_id = article.id
        self.date = article.published[:10] if article.published else None
        self.body_start = article.dateline.end if article.dateline else 0
        self.analysis_dateline = article.dateline
        self.agency = (article.dateline.agency or "").casefold() if article.dateline else ""
        self.places = [p for p in getattr(analysis, "places", ()) or () if p.country]
        self.evidence: dict[int, list[Evidence]] = defaultdict(list)
        self.counts: Counter[str] = Counter()
        self.agent_tokens: set[int] = set()
        self.person_tokens: set[int] = set()
        self.title_tokens: set[int] = set()
        self.handled: set[int] = set()  # match starts already read as something else
        self.named: set[str] = set()  # knowledge-base people named in full
        self.people: list[PersonMention] = []
        self.surnames: dict[tuple[str, ...], Key] = {}
        self.first_seen: dict[str, tuple[int, int]] = {}  # each country's first mention
        self.dateline_country: str | None = None
        self.org_names: set[tuple[str, ...]] = set()  # names read with a body's noun

    def _evidence_of(self, tokens: Iterable[Tok]) -> list[Evidence]:
        return [e for t in tokens for e in self.evidence.get(t.i, ())]

    def _add(
        self,
        match: Match,
        key: Key,
        kind: str,
        country: str | None = None,
        sector: str | None = None,
        *,
        kb_id: str | None = None,
        loaded: bool = False,
        head: str = "",
    ) -> None:
        self.table.add(
            Ref(
                match.start,
                match.end,
                match.text,
                key,
                kind,
                country,
                sector,
                None,
                kb_id,
                None,
                loaded,
                head,
            )
        )

    def _add_span(
        self,
        left: list[Tok],
        span: Any,
        key: Key,
        kind: str,
        country: str | None = None,
        sector: str | None = None,
        *,
        kb_id: str | None = None,
        name: str | None = None,
        role: str | None = None,
        loaded: bool = False,
        country_from: tuple[str, int, int] | None = None,
    ) -> None:
        """Add an agent mention, widened left over the modifiers that named its country."""
        if country and country_from is None:
            country_from = self._evidence_span([*left, *span], country)
        start = span.start
        for token in reversed(left):
            if token.i != start - 1 or token.dep_ == "det" or token.tag_ == "PRP$":
                break
            if (
                not self.evidence.get(token.i)
                and token.i not in self.agent_tokens
                and token.lower_ not in ("'s", "’s")
            ):
                break
            start = token.i
        while start < span.start and self.doc[start].lower_ in ("'s", "’s"):
            start += 1
        begin = self.doc[start].idx
        end = span.end_char
        head = span.root.lower_
        self.table.add(
            Ref(
                begin,
                end,
                self.text[begin:end],
                key,
                kind,
                country,
                sector,
                name,
                kb_id,
                role,
                loaded,
                head,
                country_from,
            )
        )

    def _local_country(self, root: Tok, span: Any) -> str | None:
        for evidence in self._evidence_of(
            left_modifiers(root, span.start) + right_modifiers(root, self._is_agent)
        ):
            if evidence.country:
                return evidence.country
        return None

    def _inside_other_name(self, span: Any) -> bool:
        """Whether a match lies inside a longer PERSON name ("Jordan" in "Michael Jordan")."""
        for token in span:
            if token.ent_type_ == "PERSON":
                ent = next((e for e in self.doc.ents if e.start <= token.i < e.end), None)
                if ent is not None and (ent.start < span.start or ent.end > span.end):
                    return True
        return False

    def _is_agent(self, token: Tok) -> bool:
        return token.i in self.agent_tokens or token.i in self.person_tokens

    def _absorbed(self, token: Tok) -> bool:
        return token.i in self.agent_tokens or token.i in self.person_tokens

    def _evidence_span(
        self, tokens: list[Tok], country: str | None, *, org: str | None = None
    ) -> tuple[str, int, int] | None:
        """Where among ``tokens`` (a title, modifiers) ``country`` or ``org`` was read."""
        for token in tokens:
            for evidence in self.evidence.get(token.i, ()):
                if (org and evidence.org == org) or (country and evidence.country == country):
                    kind = "organisation" if evidence.org else "modifier"
                    return kind, token.idx, token.idx + len(token.text)
        return None

    def _seen(self, code: str | None, start: int, end: int) -> None:
        """Note a mention of country ``code``, keeping the first one as its evidence."""
        if code and (code not in self.first_seen or start < self.first_seen[code][0]):
            self.first_seen[code] = (start, end)

    def _article_country(self, *, strict: bool = False) -> tuple[str, str, int, int] | None:
        """The country the article is about, with its source and evidence span.

        The country named most often, when no other is named as often; on a tie, the
        dateline's country when it is one of the tied. ``strict`` asks for a country named
        at least twice and half as often again as the next (:meth:`_main_country`).
        ``None`` when the article names no country, or leaves a tie the dateline does not
        break.
        """
        ranked = self.counts.most_common()
        if not ranked:
            return None
        top = ranked[0][1]
        tied = [code for code, count in ranked if count == top]
        if strict:
            main = self._main_country()
            if main is None:
                return None
            code, source = main, "article"
        elif len(tied) == 1:
            code, source = tied[0], "article"
        elif self.dateline_country in tied:
            code, source = self.dateline_country, "dateline"
        else:
            return None
        if code not in self.first_seen:
            dateline = self.analysis_dateline
            if dateline is None:
                return None
            return code, "dateline", dateline.start, dateline.end
        start, end = self.first_seen[code]
        return code, source, start, end

    def _context_country(
        self, root: Tok, *, strict: bool = False
    ) -> tuple[str, str, int, int] | None:
        """A country for an actor its own words do not place, read from its context.

        In order: the one country its sentence names outside reported speech and
        outside place phrases ("flew to Moscow" says nothing of who flew), then the
        article's country (:meth:`_article_country`).
        """
        sentence = root.sent
        reported: set[int] = set()
        for token in sentence:
            if token.dep_ in ("ccomp", "parataxis") and not (
                token.left_edge.i <= root.i <= token.right_edge.i
            ):
                reported.update(range(token.left_edge.i, token.right_edge.i + 1))
        found: dict[str, tuple[int, int]] = {}
        for match, span in self.matches:
            if not sentence.start <= span.start < sentence.end or span.start in reported:
                continue
            if is_locative(span.root) or span.root.i == root.i:
                continue
            codes = match.refs("country", "adjective", "demonym", "seat")[:1]
            for org in match.refs("org")[:1]:
                # a news outlet reports on anyone ("told Reuters"): it places nobody
                known = self.kb.organizations[org]
                if known.country in self.kb.countries and known.sector != "MED":
                    codes.append(known.country or "")
            for code in codes:
                found.setdefault(code, (match.start, match.end))
        if len(found) == 1:
            [(code, (start, end))] = found.items()
            return code, "sentence", start, end
        if found:
            return None  # the sentence names several countries: do not guess
        return self._article_country(strict=strict)

    def _main_country(self) -> str | None:
        """The country an article is clearly about, if one is named well ahead of the others."""
        ranked = self.counts.most_common(2)
        if not ranked or ranked[0][1] < 2:
            return None
        if len(ranked) > 1 and ranked[0][1] < 1.5 * ranked[1][1]:
            return None
        return ranked[0][0]

    def _target_country(self, target: str) -> str | None:
        if target in self.kb.organizations:
            return self.kb.organizations[target].country
        return target if target in self.kb.countries else None
