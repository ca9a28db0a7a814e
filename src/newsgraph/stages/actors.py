"""Actors: the people, organisations, states and groups an article refers to, coded.

Each mention becomes part of one canonical :class:`~newsgraph.model.Actor` with a kind,
a country (ISO 3166-1 alpha-3, or IGO/IMG), a PLOVER/CAMEO sector, a role when the text
or the knowledge base gives one, and every mention span. The work, per article:

1. match the knowledge base (:mod:`newsgraph.knowledge`) over the text in one pass;
2. take the named people and organisations spaCy found that the knowledge base does not
   know, and join their short forms to their full names ("Kolesova" -> "Marina Kolesova");
3. read countries, seats of government used for governments ("Tehran said"), demonyms,
   organisations and loaded labels ("the Zionist regime", "the Kyiv regime", "orcs"),
   which are resolved to what they denote and flagged ``loaded``;
4. read people and their titles, resolve titles ("the Supreme Leader", "the head of the
   Hamas political bureau") to the person the article named so;
5. read generic agents ("police", "Israeli soldiers", "the foreign ministry"), their
   country taken from their modifiers ("police of the occupation") or an earlier mention
   ("the ministry"), and offices named without their holder ("Iran's foreign minister");
6. group everything by identity (:mod:`newsgraph.stages.actor_coreference`).

The conventions (sectors, loaded labels) are documented in ``docs/actors.md``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from newsgraph.knowledge.base import (
    KnowledgeBase,
    LoadedLabel,
    Match,
    Organization,
    hit_id,
    load_knowledge_base,
    tokenize,
    written_words,
)
from newsgraph.model import Actor, Analysis
from newsgraph.settings import Settings
from newsgraph.stages.actor_coreference import (
    OFFICIAL_SECTORS,
    ActorTable,
    PeopleReader,
)
from newsgraph.stages.actor_matching import (
    EVENT_NOUNS,
    MODIFIER_DEPS,
    ORG_HEADS,
    PLACE_NOUNS,
    Evidence,
    Key,
    Ref,
    Tok,
    appositions,
    has_determiner,
    honorific,
    is_agentive,
    is_locative,
    is_metonym,
    is_referring,
    left_modifiers,
    modifier_chain_head,
    right_modifiers,
)
from newsgraph.stages.wordsets import words as _words

# The words a generic name of a state organ is made of ("Foreign Office", "Senate",
# "State Department"); a known body named only so may be another country's
GENERIC_BODY_WORDS = frozenset(ORG_HEADS) | _words(
    """foreign home interior state defence defense national federal supreme security
    intelligence affairs justice finance health central public relations electoral house
    representatives commons lords of the and for"""
)
# Words that end names of things that are not organisations ("Al-Aqsa Mosque", "Quds Day").
NOT_ORG_HEADS = PLACE_NOUNS | _words(
    "day war revolution revolt uprising accord accords complex centre center"
)
# "(ELN)" or ", or ELN" right after a name: an abbreviation the text gives for it
ABBREVIATION = re.compile(r"(?:\s*\(|,? or )([A-Z][A-Za-z0-9&]*[A-Z0-9])(?:\)|\b)")
# Words left out of initials ("Revolutionary Armed Forces of Colombia" = RAFC)
_MINOR_WORDS = frozenset({"of", "the", "and", "for", "in", "on", "de", "del", "la", "al", "el"})


def initials(name: str) -> str:
    """The initials of a name's words, minor words left out ("Arakan Army" -> "AA").

    >>> initials("Bangladesh Chhatra League"), initials("People's Defence Force")
    ('BCL', 'PDF')
    """
    words = re.findall(r"[^\W\d_]+(?:['’][sS])?", name)
    return "".join(w[0].upper() for w in words if w.lower() not in _MINOR_WORDS)


# Offices with one holder per country, looked up in people.tsv ("Iran's foreign minister").
OFFICE_ROLES = frozenset(
    {
        "president",
        "vice president",
        "prime minister",
        "foreign minister",
        "defence minister",
        "supreme leader",
        "king",
        "queen",
        "emir",
        "crown prince",
        "sultan",
        "chancellor",
        "ombudsman",
    }
)


class ActorsStage:
    """Find the actors of each parsed article and code them (country, sector, kind)."""

    name: ClassVar[str] = "actors"
    requires: ClassVar[frozenset[str]] = frozenset({"doc", "entities"})
    produces: ClassVar[frozenset[str]] = frozenset({"actors"})

    def __init__(self, settings: Settings) -> None:
        self.kb = load_knowledge_base()
        self.version = self.kb.version

    def __call__(self, batch: Sequence[Analysis]) -> list[Analysis]:
        """Fill ``actors``; articles without a parse pass through unchanged."""
        out = []
        for analysis in batch:
            if analysis.doc is None:
                out.append(analysis)
                continue
            out.append(dataclasses.replace(analysis, actors=extract_actors(analysis, self.kb)))
        return out


def extract_actors(analysis: Analysis, kb: KnowledgeBase) -> tuple[Actor, ...]:
    """Return the actors of one parsed article (see the module docstring for the steps)."""
    return _Reader(analysis, kb).run()


class _Reader(PeopleReader):
    """The actors of one article; one instance per article, used once."""

    def __init__(self, analysis: Analysis, kb: KnowledgeBase) -> None:
        super().__init__(analysis, kb)
        self.table = ActorTable(kb, self.date)

    # --- steps -----------------------------------------------------------------------
    def run(self) -> tuple[Actor, ...]:
        tokens = tokenize(self.text, self.body_start)
        self.matches = [
            (match, span)
            for match in self.kb.iter_matches(self.text, tokens)
            if (span := self.doc.char_span(match.start, match.end, alignment_mode="expand"))
            is not None
        ]
        self._prescan()
        self._unknown_people()
        for match, span in self.matches:
            self._read_name(match, span)
        for match, span in self.matches:
            self._read_label_title_short(match, span)
        self._read_people()
        self._read_descriptions()
        for match, span in self.matches:
            if match.has("agent") and match.start not in self.handled:
                self._read_agent(match, span)
        self._unknown_orgs()
        self._link_abbreviations()
        return self.table.build(self.article_id)

    def _prescan(self) -> None:
        # a name in capitals is a dateline or a heading ("BRUSSELS —"), not running text
        self.matches = [
            (match, span)
            for match, span in self.matches
            if not (
                match.text.isupper()
                and len(match.text) > 3
                and all(hit.case == "title" for hit in match.hits)
            )
        ]
        self.matches = self._evidenced_short_names(self.matches)
        dateline = self.analysis_dateline
        if dateline:
            found = self.kb.find(dateline.place.title())
            for match in found:
                for code in match.refs("country", "seat"):
                    self.counts[code] += 1
                    self.dateline_country = self.dateline_country or code
        for match, span in self.matches:
            tokens = range(span.start, span.end)
            if match.has("agent"):
                self.agent_tokens.update(tokens)
            if match.has("person", "short"):
                self.person_tokens.update(tokens)
            people = match.refs("person")
            if people:
                self.named.update(people[:1] if len(set(people)) == 1 else ())
            for code in match.refs("country", "adjective", "demonym", "seat"):
                self.counts[code] += 1
                self._seen(code, match.start, match.end)
                break
            for label_id in match.refs("label"):
                label = self.kb.labels[label_id]
                if label.resolve == "fixed" and len(label.targets) == 1:
                    self.counts[self._target_country(label.targets[0]) or ""] += 1
        for place in self.places:
            self.counts[place.country] += 1
            if place.start >= self.body_start:
                self._seen(place.country, place.start, place.end)
            elif self.dateline_country is None:
                self.dateline_country = place.country  # "LAGOS, Nigeria (AP) -"
            span = self.doc.char_span(place.start, place.end, alignment_mode="expand")
            for token in span if span is not None else ():
                self.evidence[token.i].append(Evidence(place.country))
        self.counts.pop("", None)

    def _evidenced_short_names(self, matches: list[tuple[Match, Any]]) -> list[tuple[Match, Any]]:
        """Keep a one-word name's link to a known person only on a reader's evidence.

        The article names the person in full elsewhere, or the word is written as one of
        the person's own forms. A spelling skeleton alone ("Sayyed" and Kais Saied) or an
        honorific ("Sayyed", "Sheikh") never binds a person.
        """
        named = {ref for match, _ in matches for ref in match.refs("person")}
        kept = []
        for match, span in matches:
            if match.has("short"):
                written = written_words(match.text)
                hits = tuple(
                    hit
                    for hit in match.hits
                    if hit.type != "short"
                    or (
                        not honorific(match.text)
                        and (
                            hit_id(hit) in named
                            or set(written) <= self.kb.people[hit_id(hit)].written_forms
                        )
                    )
                )
                if not hits:
                    continue
                match = dataclasses.replace(match, hits=hits)
            kept.append((match, span))
        return kept

    def _read_name(self, match: Match, span: Any) -> None:
        """Countries, demonyms, adjectives, seats of government and organisations."""
        root = span.root
        tokens = range(span.start, span.end)
        consumed = root.dep_ in MODIFIER_DEPS and self._absorbed(modifier_chain_head(root))
        if match.has("person", "label", "title"):
            return
        orgs = match.refs("org")
        if orgs:
            org = self.kb.organizations[orgs[0]]
            if self._inside_other_name(span) or (
                root.ent_type_ in ("GPE", "LOC", "FAC") and is_locative(root)
            ):
                return
            if self._read_generic_body(match, span, org):
                return
            for i in tokens:
                self.evidence[i].append(Evidence(org.country, org.id, org.sector))
            key = ("kb", org.id)
            self._add(match, key, org.kind, org.country, org.sector, kb_id=org.id, head=root.lower_)
            return
        seats = match.refs("seat")
        names = match.refs("country")
        demonyms = match.refs("demonym")
        code = next(iter(names or seats or demonyms or match.refs("adjective")), None)
        if code is None:
            return
        if self._inside_other_name(span):
            return
        sector = "GOV" if seats and not names else None
        for i in tokens:
            self.evidence[i].append(Evidence(code, sector=sector))
        if consumed:
            return
        if names:
            self._add(match, ("state", code), "state", country=code, head=root.lower_)
        elif seats:
            if is_metonym(root) and not is_locative(root):
                self._add(match, ("code", code, "GOV", "state"), "state", code, "GOV")
        elif demonyms and root.dep_ not in ("amod", "compound") and root.tag_ not in ("JJ",):
            population: Key = ("code", code, "CVL", "population_group")
            self._add(match, population, "population_group", code, "CVL", head=root.lower_)

    def _read_generic_body(self, match: Match, span: Any, org: Organization) -> bool:
        """Read a state organ named by common words as the organ of its context's state.

        "Foreign Office", "Senate" or "State Department" name one country's body in the
        knowledge base, but the same words name any country's: "Pakistan's Foreign Office
        spokesman", the Senate in a Kenyan story. When its modifiers name another country,
        or the article never names the body's own country and is about another one, the
        body is that country's (coded with the known body's sector).
        """
        if org.country not in self.kb.countries or not all(
            word.casefold() in GENERIC_BODY_WORDS for word in written_words(match.text)
        ):
            return False
        root = span.root
        local = self._modifier_country(root, span)
        if local is not None:
            code, source = local[0], ("modifier", local[1], local[2])
        elif self.counts[org.country or ""] == 0:
            context = self._context_country(root, strict=True)
            if context is None:
                return False
            code, source = context[0], context[1:]
        else:
            return False
        if code == org.country:
            return False
        for i in range(span.start, span.end):
            self.evidence[i].append(Evidence(code, sector=org.sector))
        if root.dep_ in MODIFIER_DEPS and self._absorbed(modifier_chain_head(root)):
            return True  # "Pakistan's Foreign Office spokesman": the spokesman is the actor
        country = self.kb.countries.get(code)
        name = f"{country.adjective} {match.text}" if country else match.text
        key: Key = ("code", code, org.sector or "GOV", org.kind)
        left = left_modifiers(root, span.start)
        self._add_span(left, span, key, org.kind, code, org.sector, name=name, country_from=source)
        return True

    def _modifier_country(self, root: Tok, span: Any) -> tuple[str, int, int] | None:
        """The country a name's own modifiers name ("Pakistan's", "of Pakistan")."""
        around = {t.i for t in left_modifiers(root, span.start) + right_modifiers(root)}
        for match, other in self.matches:
            if any(i in around for i in range(other.start, other.end)):
                for code in match.refs("country", "adjective", "demonym", "seat")[:1]:
                    return code, match.start, match.end
        return None

    def _read_label_title_short(self, match: Match, span: Any) -> None:
        """Loaded labels, titles that name a person, and people's short names."""
        for label_id in match.refs("label"):
            if self._read_label(match, span, self.kb.labels[label_id]):
                self.handled.add(match.start)
                return
        if match.has("person"):
            return
        titles = match.refs("title")
        if titles and self._read_title(match, span, titles):
            self.handled.add(match.start)
            return
        shorts = match.refs("short")
        if shorts and not match.has("org", "country", "seat") and match.start not in self.handled:
            previous = self.doc[span.start - 1] if span.start > 0 else None
            if (
                previous is not None
                and previous.text[:1].isupper()
                and not previous.is_sent_start
                and not honorific(previous.text)
                and not any(e.country for e in self.evidence.get(previous.i, ()))
            ):
                return  # part of a longer name: "Mojtaba Khamenei", "Saif al-Islam Gaddafi"
            self._read_short(match, span, list(dict.fromkeys(shorts)))
            self.person_tokens.update(range(span.start, span.end))

    def _read_label(self, match: Match, span: Any, label: LoadedLabel) -> bool:
        root = span.root
        is_agent = self._is_agent
        if label.use == "modifier":
            if root.dep_ not in ("amod", "compound", "nmod") or not (
                is_agent(root.head) or root.head.lemma_.lower() in EVENT_NOUNS
            ):
                return False
            target = self._resolve_label(label, root, span)
            if target:
                country = self._target_country(target)
                for i in range(span.start, span.end):
                    self.evidence[i].append(Evidence(country, loaded=True))
            return target is not None
        if label.use == "agent" and not is_agentive(root, is_agent):
            return False
        if label.use in ("ref", "any") and not is_referring(root, is_agent):
            return False
        target = self._resolve_label(label, root, span)
        kind = label.kind or "state"
        if target is None and label.targets:
            return False
        if target and target in self.kb.organizations:
            org = self.kb.organizations[target]
            key: Key = ("kb", org.id)
            self._add(match, key, org.kind, org.country, org.sector, kb_id=org.id, loaded=True)
            country, org_id = org.country, org.id
        else:
            country = self._target_country(target) if target else self._local_country(root, span)
            org_id = None
            if country and label.sector:
                key = ("code", country, label.sector, kind)
            elif country:
                key = ("state", country)
            else:
                key = ("label", label.label.casefold())
            left = left_modifiers(root, span.start)
            self._add_span(left, span, key, kind, country, label.sector, loaded=True)
        for i in range(span.start, span.end):
            self.evidence[i].append(Evidence(country, org_id, label.sector, loaded=True))
        return True

    def _resolve_label(self, label: LoadedLabel, root: Tok, span: Any) -> str | None:
        """The target a label denotes here, or ``None`` when the article does not say."""
        if not label.targets:
            return None
        if label.resolve == "fixed":
            return label.targets[0]
        local = self._local_country(root, span)
        if local and (label.targets == ("*",) or local in label.targets):
            return local
        if label.resolve == "local":
            return None
        ranked = [code for code, _ in self.counts.most_common()]
        candidates = [t for t in label.targets if self.counts[self._target_country(t) or ""] > 0]
        if not candidates:
            return None
        best = max(candidates, key=lambda t: self.counts[self._target_country(t) or ""])
        if len(label.targets) == 1 and ranked.index(self._target_country(best) or "") > 1:
            return None  # a one-target label needs its target to be a main country of the article
        return best

    def _read_agent(self, match: Match, span: Any) -> None:
        agent = self.kb.agents[match.refs("agent")[0]]
        root = span.root
        if root.i in self.title_tokens or root.i in self.person_tokens:
            return
        if root.dep_ in ("compound", "amod", "nmod", "npadvmod"):
            head = root.head
            if head.i in self.agent_tokens or head.i in self.person_tokens:
                return  # part of a longer agent or title: "police officers", "army chief"
            if head.lemma_.lower() not in EVENT_NOUNS:
                return  # "police station", "army post"
        left = left_modifiers(root, span.start)
        if agent.kind == "organization" and self._read_named_body(span, left, agent.sector):
            return
        # a population's country is its nationality ("people of Palestine"), not where it is
        preps: tuple[str, ...] = ("of", "throughout", "across")
        if agent.kind != "population_group":
            preps += ("in", "from")
        right = right_modifiers(root, self._is_agent, preps)
        evidence = self._evidence_of(left + right)
        countries = list(dict.fromkeys(e.country for e in evidence if e.country))
        org = next((e.org for e in evidence if e.org), None)
        loaded = any(e.loaded for e in evidence if e.country and not e.org) and any(
            e.loaded for e in self._evidence_of(left)
        )
        sector: str | None = agent.sector
        inner = self._inner_agent_sector(left)
        if inner and (agent.defer or sector is None):
            sector = inner
        if org and not inner:
            known = self.kb.organizations[org]
            if (
                known.country == "IGO"
                and agent.sector in ("MIL", "COP", "CVL", "GOV")
                and not agent.defer
            ):
                # "NATO peacekeeping troops", "UN civilian staff": IGO with the agent's sector
                igo: Key = ("code", "IGO", agent.sector, "organization", org)
                name = f"{known.name} {agent.forms[0]}"
                self._add_span(left, span, igo, "organization", "IGO", agent.sector, name=name)
                return
            if agent.defer or known.sector == agent.sector or known.country in (None, "IGO", "IMG"):
                # "Hamas officials", "RSF fighters", "EU ambassadors": the organisation itself
                key: Key = ("kb", org)
                self._add_span(left, span, key, known.kind, known.country, known.sector, kb_id=org)
                return
        if sector is None and org:
            sector = self.kb.organizations[org].sector
        source: tuple[str, int, int] | None = None
        if countries:
            source = self._evidence_span([*left, *right], countries[0])
        if not countries and agent.default_country:
            countries = [agent.default_country]
        heads = {root.lower_, *self._inner_agent_heads(left)}
        if not countries and (has_determiner(root) or len(heads) > 1):
            earlier = self.table.latest(
                match.start, lambda ref: ref.head in heads and ref.country is not None
            )
            if earlier is not None and earlier.country:
                countries = [earlier.country]  # "the ministry", "regime forces"
                sector = sector or earlier.sector
                source = ("earlier mention", earlier.start, earlier.end)
        if not countries and any(
            t.lower_ in ("country", "nation") and has_determiner(t) for t in left
        ):
            # "the country's Defense Ministry": the state named last
            named = self.table.latest(match.start, lambda ref: ref.key[0] == "state")
            if named is not None and named.country:
                countries = [named.country]
                source = ("earlier mention", named.start, named.end)
        official = agent.kind == "state" and (
            has_determiner(root)
            or match.text[:1].isupper()
            or inner in OFFICIAL_SECTORS
            or agent.sector in OFFICIAL_SECTORS
        )
        # a body, not people: "the army", "police" (a mass noun), not "soldiers"
        singular = (
            root.tag_ in ("NN", "NNP")
            or inner in OFFICIAL_SECTORS
            or root.lemma_.lower() == root.lower_
        )
        if not countries and official and singular:
            # "the army said", "the National Assembly": the organ of the state the sentence,
            # else the article, is clearly about
            context = self._context_country(root, strict=True)
            if context is not None:
                countries, source = [context[0]], context[1:]
        if not countries and (agent.needs_country or root.dep_ in ("compound", "amod", "nmod")):
            return  # "military" in "the special military operation" is no actor
        kind = agent.kind
        if sector == "REB" and any(e.loaded and e.sector in ("GOV", "MIL") for e in evidence):
            # "militants of the Kyiv regime": the state's forces, under a label
            sector, loaded, kind = "MIL", True, "state"
        if agent.kind == "person" and agent.role in OFFICE_ROLES:
            self._read_office(match, span, left, agent.role, countries, loaded)
            return
        if agent.kind == "person":  # "a Jordanian government spokesman": speaks for JOR GOV
            if not countries:
                return
            sector, kind = sector or "GOV", "state"
            for country in countries:
                key = ("code", country, sector, kind)
                self._add_span(left, span, key, kind, country, sector, country_from=source)
            return
        if not countries:
            if sector:  # "officers" with nothing to say whose is no actor worth a record
                key = ("agent", agent.id)
                self._add_span(left, span, key, agent.kind, None, sector, name=agent.forms[0])
            return
        # Kurds, Muslims: a group of its own; "residents" and "settlers" never one group
        identity = agent.forms[0][:1].isupper() or kind == "population_group"
        for country in countries:
            key = ("code", country, agent.id if identity or not sector else sector, kind)
            adjective = (
                self.kb.countries[country].adjective if country in self.kb.countries else country
            )
            display = f"{adjective} {agent.forms[0]}" if identity or not sector else None
            self._add_span(
                left,
                span,
                key,
                kind,
                country,
                sector,
                name=display,
                loaded=loaded,
                country_from=source if country == countries[0] else None,
            )
        for i in range(span.start, span.end):
            self.evidence[i].append(Evidence(countries[0], sector=sector, loaded=loaded))

    def _read_named_body(self, span: Any, left: list[Tok], sector: str | None) -> bool:
        """Read "the Unamos opposition party" as the body named Unamos, if it is one."""
        for token in left:
            ent = next((e for e in self.doc.ents if e.start <= token.i < e.end), None)
            if ent is None or self._name_keys(ent) not in self.org_names:
                continue
            name = " ".join(t.text for t in ent if t.lower_ != "the" and not t.is_punct)
            key: Key = ("org", " ".join(self._name_keys(ent)))
            begin = next(t for t in ent if t.lower_ != "the").idx
            context = self._context_country(span.root)
            country = context[0] if context else None
            text = self.text[begin : span.end_char]
            ref = Ref(begin, span.end_char, text, key, "organization", country, sector, name)
            ref.country_from = context[1:] if context else None
            self.table.add(ref)
            return True
        return False

    def _read_office(
        self,
        match: Match,
        span: Any,
        left: list[Tok],
        role: str | None,
        countries: list[str],
        loaded: bool,
    ) -> None:
        """An office without its holder's name: the holder if the article or the date says who."""
        if role is None or not countries:
            return
        country = countries[0]
        holders = self.kb.holders_of(country, role)
        named = [p for p in holders if p in self.named]
        dated = [
            p
            for p in holders
            if self.date
            and (held := self.kb.people[p].held_at(self.date))
            and held.country == country
            and self.kb.role_key(held.role) == role
        ]
        chosen = named[0] if len(named) == 1 else (dated[0] if len(dated) == 1 else None)
        if chosen:
            self._add_span(left, span, ("kb", chosen), "person", kb_id=chosen, loaded=loaded)
        else:
            key = ("role", country, role)
            self._add_span(left, span, key, "person", country, "GOV", role=role, loaded=loaded)

    def _inner_agent_heads(self, tokens: Iterable[Tok]) -> list[str]:
        return [t.lower_ for t in tokens if t.i in self.agent_tokens]

    def _inner_agent_sector(self, tokens: Iterable[Tok]) -> str | None:
        for token in tokens:
            if token.i in self.agent_tokens:
                for match, span in self.matches:
                    if span.start <= token.i < span.end and match.has("agent"):
                        return self.kb.agents[match.refs("agent")[0]].sector
        return None

    def _unknown_orgs(self) -> None:
        """ORG entities the knowledge base does not know, when they look like organisations."""
        # (start, end, whether it only names a country: "Bangladesh", "Georgian")
        covered = [
            (m.start, m.end, not m.has("org", "person", "short", "label", "title"))
            for m, span in self.matches
            if not m.has("adjective", "agent")
        ]
        covered += [
            (r.start, r.end, r.key[0] == "state")
            for r in self.table.refs
            if r.key[0] not in ("agent", "code")
        ]
        refs: list[Ref] = []
        places: set[Key] = set()
        for ent in self.doc.ents:
            if ent.start_char < self.body_start:
                continue
            if ent.label_ in ("PERSON", "ORG") and self._name_keys(ent) in self.org_names:
                self._body_mention(ent)  # "Unamos, formerly known as ..."
                continue
            if ent.label_ != "ORG":
                continue
            tokens = list(ent)
            opening = next((k for k, t in enumerate(tokens) if t.text == "("), len(tokens))
            words = [
                t for t in tokens[:opening] if t.lower_ not in ("the", "'s") and not t.is_punct
            ]
            if not words or any(t.i in self.person_tokens for t in words):
                continue
            start, end = words[0].idx, words[-1].idx + len(words[-1].text)
            overlaps = [only for s, e, only in covered if s < end and start < e]
            # a name of its own around a country's name or a generic head: "Georgian
            # Dream party", "Bangladesh Chhatra League", "National Unity Government"
            own_name = self._own_name(tokens[:opening])
            if (overlaps and not (own_name and all(overlaps))) or (
                ent.root.i in self.agent_tokens and not own_name
            ):
                continue  # known, or an agent with modifiers: "the Palestinian health ministry"
            last = words[-1].lower_
            if last not in ORG_HEADS and words[0].lower_ in ORG_HEADS:
                last = words[0].lower_  # "Institute for Regional Security Studies"
            if last not in ORG_HEADS and ent.root.lower_ in ORG_HEADS:
                last = ent.root.lower_  # "the Greek Ministry of Shipping"
            acronym = len(words) == 1 and words[0].text.isupper() and len(words[0].text) >= 2
            agentive = ent.root.dep_ in ("nsubj", "nsubjpass", "poss", "agent")
            name = self.text[start:end]
            key = ("org", " ".join(t.key for t in tokenize(name)))
            # a name given with its own abbreviation is a body: "the National Intelligence
            # Center (CNI)"
            abbreviated = len(words) > 1 and ABBREVIATION.match(self.text, end) is not None
            if not abbreviated and (
                last in NOT_ORG_HEADS or (is_locative(ent.root) and last not in ORG_HEADS)
            ):
                places.add(key)  # "from the Ministry of Shipping" is a body, not a place
            if not (last in ORG_HEADS or agentive or abbreviated) or (acronym and not agentive):
                continue
            sector = ORG_HEADS.get(last)
            if name.casefold() == self.agency:
                sector = "MED"
            own = left_modifiers(ent.root, ent.start) + list(ent)
            evidence = self._evidence_of(own)
            country = next((e.country for e in evidence if e.country), None)
            source = self._evidence_span(own, country) if country else None
            if country is None:
                # "Radio Andalus, al-Shabaab's mouthpiece in Somalia": the apposition says
                described = appositions(ent.root)
                country = next((e.country for e in self._evidence_of(described) if e.country), None)
                source = self._evidence_span(described, country) if country else None
            if country is None and (context := self._context_country(ent.root)):
                country, source = context[0], context[1:]
            kind = "state" if sector in OFFICIAL_SECTORS else "organization"
            refs.append(
                Ref(start, end, name, key, kind, country, sector, name, country_from=source)
            )
        for ref in refs:
            if ref.key not in places:
                # the organisation's name swallows generic words inside it ("Free Media")
                self.table.refs = [
                    r
                    for r in self.table.refs
                    if not (
                        r.key[0] in ("agent", "code", "state")
                        and ref.start <= r.start
                        and r.end <= ref.end
                    )
                ]
                self.table.add(ref)

    def _body_mention(self, ent: Any) -> None:
        """A further mention of a body named with its noun elsewhere ("Unamos")."""
        key: Key = ("org", " ".join(self._name_keys(ent)))
        words = [t for t in ent if t.lower_ != "the" and not t.is_punct]
        if not words:
            return
        start, end = words[0].idx, words[-1].idx + len(words[-1].text)
        if any(r.start <= start and end <= r.end for r in self.table.refs if r.key == key):
            return
        first = next((r for r in self.table.refs if r.key == key), None)
        name = first.name if first else self.text[start:end]
        context = self._context_country(ent.root)
        country, source = (context[0], context[1:]) if context else (None, None)
        ref = Ref(start, end, self.text[start:end], key, "organization", country, name=name)
        ref.sector, ref.country_from = first.sector if first else None, source
        self.table.add(ref)

    def _link_abbreviations(self) -> None:
        """Make an abbreviation and its long form one actor, with every use of it.

        The long form is an organisation of two words or more; its abbreviation is
        either written after it in parentheses ("National Liberation Army (ELN)", which
        the text alone vouches for) or, anywhere in the article, made of its initials
        ("BCL" after "Bangladesh Chhatra League"). A knowledge-base identity wins over
        an in-article one; every later use of the abbreviation becomes a mention.
        """
        refs = self.table.refs
        long_forms = [
            r for r in refs if r.key[0] in ("kb", "org") and r.kind != "person" and " " in r.text
        ]
        links: dict[str, Ref] = {}
        for ref in long_forms:
            found = ABBREVIATION.match(self.text, ref.end)
            if found:
                links.setdefault(found.group(1), ref)
        for ref in long_forms:
            letters = initials(ref.text)
            if len(letters) >= 2 and letters not in links:
                known = [r for r in refs if r.text == letters]
                if all(r.key[0] != "kb" or r.key == ref.key for r in known):
                    links[letters] = ref
        for short, long in links.items():
            same = [r for r in self.table.refs if r.text == short and r.key != long.key]
            if long.key[0] == "org" and any(r.key[0] == "kb" for r in same):
                # "National Liberation Army (ELN)": the knowledge base knows the ELN
                kb_key = next(r.key for r in same if r.key[0] == "kb")
                old = long.key
                for ref in self.table.refs:
                    if ref.key == old:
                        ref.key = kb_key
                continue
            for ref in same:
                ref.key = long.key
            taken = [(r.start, r.end) for r in self.table.refs]
            for found in re.finditer(rf"(?<![\w-]){re.escape(short)}(?![\w-])", self.text):
                start, end = found.span()
                if start < long.end or any(s < end and start < e for s, e in taken):
                    continue
                self.table.add(
                    Ref(
                        start,
                        end,
                        short,
                        long.key,
                        long.kind,
                        long.country,
                        long.sector,
                        kb_id=long.kb_id,
                        country_from=long.country_from,
                    )
                )

    def _own_name(self, tokens: list[Tok]) -> bool:
        """Whether an entity's words hold a capitalised word of a name of its own.

        That is a word the knowledge base gives nothing for (no country, agent or
        organisation) and that is no common head ("Dream" in "Georgian Dream party",
        "Unity" in "National Unity Government"); a possessive makes it a description
        ("Venezuela's Interior").
        """
        if any(t.lower_ in ("'s", "’s") for t in tokens):
            return False
        covered = {i for _, span in self.matches for i in range(span.start, span.end)}
        return any(
            t.text[:1].isupper()
            and t.is_alpha
            and t.i not in covered
            and t.lower_ not in ORG_HEADS
            and not t.is_sent_start
            for t in tokens
        )

    # --- small helpers ---------------------------------------------------------------
