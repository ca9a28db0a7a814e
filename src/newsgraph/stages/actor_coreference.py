"""Gathering an article's mentions into canonical actors, for the actors stage.

Every place an actor is referred to becomes a :class:`Ref` with an identity ``key``:

- ``("kb", id)``: a person or organisation of the knowledge base;
- ``("state", ISO3)``: a country named as such ("Israel", "the Islamic Republic");
- ``("code", ISO3, sector, kind)``: a country's organ or population, coded as CAMEO does
  (ISR MIL for "Israeli soldiers", "the IDF's troops"; IRN GOV for "Tehran said");
- ``("person", name)`` / ``("org", name)``: a person or organisation the knowledge base
  does not know, after in-article coreference ("Kolesova" joins "Marina Kolesova");
- ``("role", ISO3, role)``: an office named without its holder ("the Ukrainian president");
- ``("agent", id)`` / ``("label", text)``: a generic agent or a label without a country.

:class:`ActorTable` groups refs by key, merges generic codes into a named state organ
when the article names exactly one (ISR MIL into the Israel Defense Forces), names each
actor and returns :class:`~newsgraph.model.Actor` records in text order.

:class:`PeopleReader` reads the people of an article: the names spaCy found that the
knowledge base does not know (joined by surname: "Kolesova" to "Marina Kolesova"), short
names of known people, titles that stand for a person ("the Supreme Leader"), and the
country, sector and role a person's title gives.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from newsgraph.knowledge.base import KnowledgeBase, Match, tokenize, written_words
from newsgraph.model import Actor, ActorKind, Mention
from newsgraph.stages.actor_matching import (
    ORG_HEADS,
    PLACE_NOUNS,
    ArticleState,
    Evidence,
    Key,
    PersonMention,
    Ref,
    Tok,
    clause_free,
    climb_conj,
    has_determiner,
    honorific,
    is_locative,
    phrase_text,
    title_tokens,
)
from newsgraph.stages.wordsets import words as _words

SECTOR_NOUNS = {
    "GOV": "government",
    "MIL": "military",
    "COP": "police",
    "SPY": "intelligence services",
    "JUD": "judiciary",
    "LEG": "legislature",
    "REB": "armed groups",
    "OPP": "opposition",
    "PTY": "parties",
    "CVL": "civilians",
    "REF": "refugees",
    "LAB": "workers",
    "AGR": "farmers",
    "EDU": "education sector",
    "HLH": "health sector",
    "MED": "media",
    "NGO": "non-governmental organisations",
    "BUS": "businesses",
    "REL": "religious figures",
    "UAF": "unidentified armed men",
    "IGO": "international organisations",
}
KINDS: frozenset[str] = frozenset(
    {"person", "organization", "state", "armed_group", "population_group", "unknown"}
)


def _kind(value: str) -> ActorKind:
    if value == "person":
        return "person"
    if value == "organization":
        return "organization"
    if value == "state":
        return "state"
    if value == "armed_group":
        return "armed_group"
    if value == "population_group":
        return "population_group"
    return "unknown"


class ActorTable:
    """The refs of one article, and the actors they make."""

    def __init__(self, kb: KnowledgeBase, date: str | None) -> None:
        self.kb = kb
        self.date = date
        self.refs: list[Ref] = []

    def add(self, ref: Ref) -> None:
        """Record a ref (a mention of some actor)."""
        self.refs.append(ref)

    def latest(self, before: int, wanted: Callable[[Ref], bool]) -> Ref | None:
        """The last ref starting before offset ``before`` that satisfies ``wanted``."""
        best: Ref | None = None
        for ref in self.refs:
            if ref.start < before and wanted(ref) and (best is None or ref.start >= best.start):
                best = ref
        return best

    def build(self, article_id: str) -> tuple[Actor, ...]:
        """Group the refs into actors, in order of first mention, ids ``<article>-a<n>``."""
        groups: dict[Key, list[Ref]] = defaultdict(list)
        for ref in self.refs:
            groups[ref.key].append(ref)
        self._merge_into_state_organs(groups)
        drafts = []
        for key, refs in groups.items():
            mentions = _mentions(refs)
            if mentions:
                drafts.append((mentions, key, refs))
        drafts.sort(key=lambda item: (item[0][0].start, item[0][0].end))
        actors = []
        for number, (mentions, key, refs) in enumerate(drafts):
            name, kind, country, sector, role, kb_id = self._describe(key, refs)
            source, source_start, source_end = self._country_source(key, refs, country)
            first = mentions[0]
            seen = {name.casefold()}
            aliases = []
            for mention in mentions:
                form = " ".join(mention.text.split())
                if form.casefold() not in seen:
                    seen.add(form.casefold())
                    aliases.append(form)
            actors.append(
                Actor(
                    id=f"{article_id}-a{number}",
                    article_id=article_id,
                    start=first.start,
                    end=first.end,
                    text=first.text,
                    name=name,
                    kind=_kind(kind),
                    country=country,
                    sector=sector,
                    role=role,
                    aliases=tuple(aliases),
                    mentions=tuple(mentions),
                    kb_id=kb_id,
                    country_source=source,
                    country_start=source_start,
                    country_end=source_end,
                )
            )
        return tuple(actors)

    def _country_source(
        self, key: Key, refs: list[Ref], country: str | None
    ) -> tuple[str | None, int | None, int | None]:
        """Where an actor's country came from, and the span of text that gave it."""
        if country is None:
            return None, None, None
        if key[0] == "kb":
            return "knowledge base", None, None
        if key[0] == "state":
            first = min(refs, key=lambda ref: ref.start)
            return "name", first.start, first.end
        for ref in sorted(refs, key=lambda ref: ref.start):
            if ref.country == country and ref.country_from is not None:
                return ref.country_from
        return "context", None, None

    def _merge_into_state_organs(self, groups: dict[Key, list[Ref]]) -> None:
        """Fold "Israeli soldiers" (ISR MIL) into the IDF when the article names it.

        Only organs the knowledge base also calls by the country's adjective ("Israeli
        Defense Forces", "Chinese coast guard") stand for all of that country's forces;
        the Quds Force or the Pentagon do not.
        """
        organs: dict[tuple[str | None, str | None], list[Key]] = defaultdict(list)
        for key in groups:
            if key[0] == "kb" and key[1] in self.kb.organizations:
                org = self.kb.organizations[key[1]]
                country = self.kb.countries.get(org.country or "")
                if org.kind != "state" or country is None:
                    continue
                adjectives = tuple(f"{adjective} " for adjective in country.adjectives)
                if any(alias.startswith(adjectives) for alias in (org.name, *org.aliases)):
                    organs[(org.country, org.sector)].append(key)
        for key in list(groups):
            if key[0] == "code" and key[3] == "state":
                targets = organs.get((key[1], key[2]), [])
                if len(targets) == 1:
                    groups[targets[0]].extend(groups.pop(key))

    def _describe(
        self, key: Key, refs: list[Ref]
    ) -> tuple[str, str, str | None, str | None, str | None, str | None]:
        """Name, kind, country, sector, role and kb id of the actor a group of refs makes."""
        kb = self.kb
        roles = [ref.role for ref in refs if ref.role]
        # the longest title the text gives ("Leader of the Islamic Revolution" over "Leader")
        role = max(roles, key=lambda r: (len(r.split()) > 1, -roles.index(r))) if roles else None
        if key[0] == "kb" and key[1] in kb.people:
            person = kb.people[key[1]]
            tenure = person.tenure_at(self.date)
            if role is None:
                held = person.held_at(self.date)
                role = held.role if held else None
            return person.name, "person", tenure.country, tenure.sector, role, person.id
        if key[0] == "kb" and key[1] in kb.organizations:
            org = kb.organizations[key[1]]
            return org.name, org.kind, org.country, org.sector, None, org.id
        if key[0] == "state":
            known = kb.countries.get(key[1])
            return (known.name if known else key[1]), "state", key[1], None, None, None
        if key[0] == "code":
            sector = next((ref.sector for ref in refs if ref.sector), None)
            named = next((ref.name for ref in refs if ref.name), None)
            name = named or self._code_name(key[1], sector, key[3])
            return name, key[3], key[1], sector, None, None
        if key[0] == "role":
            adjective = self._adjective(key[1])
            return f"{adjective} {key[2]}", "person", key[1], "GOV", key[2], None
        first = next((ref for ref in refs if ref.name), refs[0])
        name = first.name or first.text
        # the most direct evidence wins: a mention's own words over its sentence, the
        # sentence over the article ("Unamos ... split from Ortega's Sandinistas")
        placed = sorted(
            (ref for ref in refs if ref.country),
            key=lambda ref: SOURCE_RANK.get(ref.country_from[0] if ref.country_from else "", 1),
        )
        country = placed[0].country if placed else None
        sector = next((ref.sector for ref in refs if ref.sector), None)
        return name, first.kind, country, sector, role, None

    def _adjective(self, code: str) -> str:
        country = self.kb.countries.get(code)
        if country is None:
            return code
        return country.adjective

    def _code_name(self, code: str, sector: str | None, kind: str) -> str:
        country = self.kb.countries.get(code)
        if country is None:
            return f"{code} {SECTOR_NOUNS.get(sector or '', 'actors')}"
        if sector == "CVL" and kind == "population_group" and country.demonyms:
            return country.demonyms[0]
        return f"{country.adjective} {SECTOR_NOUNS.get(sector or '', 'actors')}"


def _mentions(refs: list[Ref]) -> list[Mention]:
    """The mentions of one actor: in text order, without one nested inside another."""
    ordered = sorted(refs, key=lambda ref: (ref.start, -(ref.end - ref.start)))
    kept: list[Ref] = []
    for ref in ordered:
        if any(other.start <= ref.start and ref.end <= other.end for other in kept):
            continue
        kept.append(ref)
    return [Mention(ref.start, ref.end, ref.text, ref.loaded) for ref in kept]


# Nouns that head a definite description of a person ("the head of the ... bureau").
TITLE_HEADS = _words(
    """head leader chief president minister spokesman spokeswoman spokesperson commander
    director secretary envoy ambassador governor mayor chairman chairwoman"""
)
# Words that make a title a role worth keeping even when it is one word long.
ROLE_WORDS = _words(
    """spokesman spokeswoman spokesperson minister president premier king queen emir
    general colonel commander envoy ambassador governor mayor director secretary
    chairman adviser advisor official officer researcher analyst activist protester
    organiser organizer ruler economist expert scholar professor lawyer correspondent
    editor writer author founder candidate member deputy aide negotiator prosecutor
    judge leader chief head"""
)
# Honorifics that are no part of a role ("Ayatollah", "His Eminence"), and ranks that
# end a title before the name ("Government spokesman Colonel Amadou Abdramane").
PURE_HONORIFICS = _words(
    """ayatollah grand hojatoleslam sayyed seyyed sayyid sayed syed sheikh shaikh sheik his
    her excellency eminence highness majesty mr mrs ms miss dr sir dame lord lady
    mawlawi maulana"""
)
MILITARY_RANKS = _words(
    """general gen lt lieutenant colonel col major maj captain capt commodore admiral adm
    brigadier sergeant sgt marshal"""
)
SPEECH_VERBS = _words("say tell add state claim deny insist write tweet recall explain")
# Titles that say the name after them is a person's ("Secretary of State Anthony Blinken")
PERSON_TITLES = (
    TITLE_HEADS
    | ROLE_WORDS
    | MILITARY_RANKS
    | _words("mr mrs ms dr prof rev sen rep senator representative")
)
GENERAL_OFFICES = _words("director secretary attorney inspector surgeon consul solicitor auditor")
OFFICIAL_SECTORS = frozenset({"GOV", "MIL", "COP", "SPY", "JUD", "LEG"})
# How directly a country source speaks of an actor (lower is more direct); see
# ``Actor.country_source``
SOURCE_RANK = {"sentence": 2, "earlier mention": 2, "article": 3, "dateline": 3}
STOP_WORDS = _words("the a an of for in on at to and 's ' his her its their")


def _one_edit(a: str, b: str) -> bool:
    """Whether two words differ by at most one inserted, deleted or changed letter."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1 or not a or not b or a[0] != b[0]:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


class PeopleReader(ArticleState):
    """The people of an article (see the module docstring)."""

    def _unknown_people(self) -> None:
        """Cluster the PERSON entities the knowledge base does not know, by name."""
        covered = [
            (m.start, m.end)
            for m, _ in self.matches
            if m.has("person", "org", "country", "seat", "label", "title", "demonym", "adjective")
        ]
        shorts = [(m.start, m.end) for m, _ in self.matches if m.has("short")]
        short_ids = {m.start: m.refs("short") for m, _ in self.matches if m.has("short")}
        places: set[tuple[str, ...]] = set()
        found: list[tuple[Any, tuple[str, ...], str, int, int]] = []
        # names the NER labelled otherwise that their context shows to be people
        person_ents = {ent.start for ent in self.doc.ents if ent.label_ == "PERSON"}
        person_ents.update(
            ent.start for ent in self.doc.ents if self._mislabelled_person(ent, covered)
        )
        for ent in self.doc.ents:
            if ent.label_ in ("GPE", "LOC", "FAC") and ent.start not in person_ents:
                # a name the parser also reads as a place
                places.add(tuple(t.key for t in tokenize(self.text, ent.start_char, ent.end_char)))
            elif ent.label_ in ("PERSON", "ORG") and self._names_a_body(ent):
                self.org_names.add(self._name_keys(ent) or ("",))
        for ent in self.doc.ents:
            if ent.start_char < self.body_start or not (
                ent.label_ == "ORG" or ent.start in person_ents
            ):
                continue
            words = [t for t in ent if not t.is_punct and t.lower_ not in ("the", "'s", "’s")]
            while len(words) > 1 and (honorific(words[0].text) or words[0].pos_ in ("VERB", "ADJ")):
                words = words[1:]
            while words and words[0].i > 0:  # "Spokesman Taras Melnyk": take "Taras" too
                before = self.doc[words[0].i - 1]
                if not (
                    before.pos_ == "PROPN"
                    and before.text[:1].isupper()
                    and before.dep_ == "compound"
                    and not honorific(before.text)
                    and before.i not in self.agent_tokens
                ):
                    break
                words.insert(0, before)
            if not words or not any(w.text[:1].isupper() for w in words):
                continue
            start, end = words[0].idx, words[-1].idx + len(words[-1].text)
            if any(s < end and start < e for s, e in covered):
                continue
            inner = [(s, e) for s, e in shorts if start <= s and e <= end]
            variant = self._spelling_variant(self.text[start:end], inner, short_ids)
            if variant is not None:
                # "Anthony Blinken" is Antony Blinken: his name, spelt another way
                self.people.append(PersonMention(start, end, ("kb", variant), variant, ""))
                self.person_tokens.update(range(ent.start, ent.end))
                self.handled.update(s for s, _ in inner)
                continue
            if inner and (start, end) not in inner:
                # "Mubarak al-Tayeb" is not Hosni Mubarak: the longer name wins
                self.handled.update(s for s, _ in inner)
            elif inner:
                continue
            keys = tuple(t.key for t in tokenize(self.text, start, end))
            if self._name_keys(ent) in self.org_names:
                continue  # "the Unamos opposition party": a body's name, read with its noun
            if ent.label_ == "PERSON" and (
                self._place_like(ent) or any(ch.isdigit() for ch in ent.text)
            ):
                places.add(keys)
                continue
            found.append((ent, keys, self.text[start:end], start, end))
        full = [
            (keys, name)
            for ent, keys, name, _, _ in found
            if len(keys) > 1 and ent.start in person_ents
        ]
        for (
            match,
            _,
        ) in self.matches:  # "Lai" after "Lai Ching-te", "Kolesova" after "Marina Kolesova"
            people = match.refs("person")
            if people and len(set(people)) == 1:
                keys = tuple(t.key for t in tokenize(self.text, match.start, match.end))
                for part in (keys[-1:], keys[:1]):
                    self.surnames.setdefault(part, ("kb", people[0]))
        for ent, keys, name, start, end in found:
            if keys in places:
                continue
            if len(keys) == 1 and keys in self.surnames and self.surnames[keys][0] == "kb":
                known = self.surnames[keys]
                self.people.append(PersonMention(start, end, known, known[1], ""))
                self.person_tokens.update(range(ent.start, ent.end))
                continue
            owner = next(
                (k for k, _ in full if len(k) >= len(keys) and k[-len(keys) :] == keys), None
            )
            if owner is None and len(keys) == 1:
                owner = next((k for k, _ in full if k[:1] == keys), None)
            if owner is None and ent.start not in person_ents:
                continue  # an organisation; read later
            cluster = owner or keys
            if cluster in places or any(
                cluster[-len(p) :] == p for p in places if len(p) < len(cluster)
            ):
                continue
            display = next((n for k, n in full if k == cluster), name)
            key: Key = ("person", " ".join(cluster))
            self.surnames.setdefault(cluster[-1:], key)
            self.surnames.setdefault(cluster[:1], key)
            self.people.append(PersonMention(start, end, key, None, display))
            self.person_tokens.update(range(ent.start, ent.end))

    def _name_keys(self, ent: Any) -> tuple[str, ...]:
        """The matching keys of an entity's name, without a leading "the"."""
        words = [t for t in ent if t.lower_ != "the" and not t.is_punct]
        if not words:
            return ()
        return tuple(
            t.key for t in tokenize(self.text, words[0].idx, words[-1].idx + len(words[-1].text))
        )

    def _names_a_body(self, ent: Any) -> bool:
        """Whether a name modifies a singular noun for a body: "the Unamos opposition party"."""
        root = ent.root
        head = root.head
        if root.dep_ != "compound" or head.i not in self.agent_tokens or head.tag_ != "NN":
            return False
        for match, span in self.matches:
            if span.start <= head.i < span.end and match.has("agent"):
                return self.kb.agents[match.refs("agent")[0]].kind == "organization"
        return False

    def _spelling_variant(
        self, name: str, inner: list[tuple[int, int]], short_ids: dict[int, list[str]]
    ) -> str | None:
        """The known person a full name spells another way, if exactly one.

        The family name is the person's own; every other word differs from the
        person's by at most one letter ("Anthony"/"Antony", "Mohamed"/"Mohammed").
        """
        written = written_words(name)
        found = set()
        for start, _ in inner:
            for person_id in short_ids.get(start, ()):
                known = written_words(self.kb.people[person_id].name)
                if (
                    len(known) == len(written) > 1
                    and known[-1] == written[-1]
                    and all(_one_edit(a, b) for a, b in zip(known[:-1], written[:-1], strict=True))
                ):
                    found.add(person_id)
        return found.pop() if len(found) == 1 else None

    def _mislabelled_person(self, ent: Any, covered: list[tuple[int, int]]) -> bool:
        """Whether a name the NER labelled a place, an organisation or a title is a person.

        Its words are all capitalised names the knowledge base does not know, and its
        context says so: a title or a role beside it ("Mumuza Muhindo, head of the
        mission"), or, for a full name, a speech verb with it or its last word as
        subject ("Elzie said"). A speech verb does not outweigh the places stage.
        """
        if ent.label_ not in ("ORG", "GPE", "LOC", "FAC", "NORP", "WORK_OF_ART", "PRODUCT"):
            return False
        words = [t for t in ent if t.lower_ != "the"]
        if not 1 <= len(words) <= 4 or not all(
            t.is_alpha and t.text[:1].isupper() and not t.is_upper for t in words
        ):
            return False
        if any(t.i in self.agent_tokens for t in words) or any(
            s < ent.end_char and ent.start_char < e for s, e in covered
        ):
            return False
        if any(t.lower_ in PLACE_NOUNS or t.lower_ in ORG_HEADS for t in words):
            return False  # "Horizon Relief Foundation said"
        if self._person_cue(ent):
            return True
        if len(words) < 2 or any(
            p.start < ent.end_char and ent.start_char < p.end for p in self.places
        ):
            return False
        last = words[-1].text
        return any(
            t.text in (last, words[0].text)
            and t.dep_ == "nsubj"
            and t.head.lemma_.lower() in SPEECH_VERBS
            and (t.i >= ent.end or t.i == ent.root.i)
            for t in self.doc
        )

    def _person_cue(self, ent: Any) -> bool:
        """Whether the words around a name say it is a person.

        A title before it ("Secretary of State Anthony Blinken", "Minister Iván
        Velásquez") or an apposition giving an age or a role ("Abu Sayeed, 25, a
        student").
        """
        root = ent.root
        before = [child for child in root.lefts if child.i < ent.start]
        if ent.start > 0:
            before.append(self.doc[ent.start - 1])
        if any(t.lower_.rstrip(".") in PERSON_TITLES for t in before):
            return True
        return any(
            child.dep_ == "appos"
            and (
                child.like_num
                or child.lemma_.lower() in TITLE_HEADS | ROLE_WORDS
                or child.i in self.agent_tokens
            )
            for child in root.rights
        )

    def _place_like(self, ent: Any) -> bool:
        root = ent.root
        first = climb_conj(root)
        if self._person_cue(ent) and (
            root.dep_ == "conj" or (first.dep_ == "pobj" and first.head.lower_ in ("from", "to"))
        ):
            # "a statement from Secretary of State Anthony Blinken", "Shajahan, 24, ...;
            # Abu Sayeed, 25, a student": people, unless the places stage holds the name
            return any(p.start < ent.end_char and ent.start_char < p.end for p in self.places)
        if is_locative(root) or (
            root.dep_ == "compound" and root.head.lemma_.lower() in PLACE_NOUNS
        ):
            return True
        for other in (*root.children, root.head):
            related = other.dep_ in ("appos", "conj") or root.dep_ in ("appos", "conj")
            if (
                related
                and other.i != root.i
                and (
                    other.lemma_.lower() in PLACE_NOUNS or other.ent_type_ in ("GPE", "LOC", "FAC")
                )
            ):
                return True
        return any(p.start < ent.end_char and ent.start_char < p.end for p in self.places)

    def _read_title(self, match: Match, span: Any, titles: list[str]) -> bool:
        candidates = list(dict.fromkeys(t.split("#")[0] for t in titles))
        named = [p for p in candidates if p in self.named]
        chosen: str | None = named[0] if len(named) == 1 else None
        if chosen is None and len(match.text.split()) > 1:
            local = self._local_country(span.root, span)
            holders = []
            for ref in titles:
                person_id, number = ref.split("#")
                tenure = self.kb.people[person_id].tenures[int(number)]
                held = self.kb.people[person_id].held_at(self.date)
                if held == tenure and (local is None or tenure.country == local):
                    holders.append(person_id)
            chosen = holders[0] if len(set(holders)) == 1 else None
        if chosen is None:
            return False
        following = self.doc[span.end] if span.end < len(self.doc) else None
        if following is not None and following.i in self.person_tokens:
            return True  # a premodifying title: "Supreme Leader Ali Khamenei" is one mention
        self._add(match, ("kb", chosen), "person", kb_id=chosen)
        self.person_tokens.update(range(span.start, span.end))
        return True

    def _read_short(self, match: Match, span: Any, ids: list[str]) -> None:
        named = [p for p in ids if p in self.named]
        keys = tuple(t.key for t in tokenize(self.text, match.start, match.end))
        if len(named) == 1:
            chosen: str | None = named[0]
        elif keys[-1:] in self.surnames:
            key = self.surnames[keys[-1:]]
            kb_id = key[1] if key[0] == "kb" else None
            self.people.append(
                PersonMention(match.start, match.end, key, kb_id, "" if kb_id else match.text)
            )
            return
        elif len(ids) == 1:
            chosen = ids[0]
        else:
            held = [p for p in ids if self.kb.people[p].held_at(self.date)]
            chosen = held[0] if len(held) == 1 and self.date else None
        if chosen is not None:
            self.people.append(PersonMention(match.start, match.end, ("kb", chosen), chosen, ""))
            return
        tenures = [self.kb.people[p].tenure_at(self.date) for p in ids]
        country = tenures[0].country if len({t.country for t in tenures}) == 1 else None
        sector = tenures[0].sector if len({t.sector for t in tenures}) == 1 else None
        key = ("person", " ".join(keys))
        self.table.add(
            Ref(match.start, match.end, match.text, key, "person", country, sector, match.text)
        )

    def _read_people(self) -> None:
        """Every person mention, with country, sector and role from its title."""
        for match, _span in self.matches:
            people = match.refs("person")
            if people and match.start not in self.handled:
                chosen = people[0]
                self.people.append(
                    PersonMention(match.start, match.end, ("kb", chosen), chosen, "")
                )
        for person in sorted(self.people, key=lambda p: p.start):
            span = self.doc.char_span(person.start, person.end, alignment_mode="expand")
            if span is None:
                continue
            root = span.root
            title = title_tokens(root, span.start, span.end)
            self.title_tokens.update(t.i for t in title)
            evidence = self._evidence_of(title)
            country = next((e.country for e in evidence if e.country), None)
            org = next((e.org for e in evidence if e.org), None)
            head_sector = self._title_sector(title)
            org_sector = next((e.sector for e in evidence if e.org and e.sector), None)
            # "Serbian Labour Minister": the office decides; "Houthi military spokesman": the group
            sector = head_sector if head_sector and self._title_head_is_office(title) else None
            sector = sector or org_sector or head_sector
            if org and country == "IGO" and self._role_text(title):
                sector = (
                    "GOV"  # heads and officials of intergovernmental bodies, as PLOVER codes them
                )
            role = self._role_text(title)
            text = self.text[person.start : person.end]
            source = self._evidence_span(title, country) if country else None
            if person.kb_id:
                tenure = self.kb.people[person.kb_id].tenure_at(self.date)
                country, sector = tenure.country, tenure.sector
                source = ("knowledge base", person.start, person.end) if country else None
            elif org and country is None:
                country = self.kb.organizations[org].country
                source = self._evidence_span(title, None, org=org) if country else None
            elif (
                country is None
                and sector in OFFICIAL_SECTORS
                and (found := self._sentence_place(root))
            ):
                country, source = found[0], ("sentence", found[1], found[2])
            elif country is None and (context := self._context_country(root)):
                # "A paramedic, Vivian Achista, said": a person of the story's country
                country, source = context[0], context[1:]
            ref = Ref(
                person.start,
                person.end,
                text,
                person.key,
                "person",
                country,
                sector,
                name=person.name or None,
                kb_id=person.kb_id,
                role=role,
                head=root.lower_,
                country_from=source,
            )
            self.table.add(ref)
            for i in range(span.start, span.end):
                self.evidence[i].append(Evidence(country, sector=sector))

    def _sentence_place(self, root: Tok) -> tuple[str, int, int] | None:
        """The country an official's sentence puts them in ("told reporters in Jerusalem")."""
        sentence = root.sent
        for match, span in self.matches:
            inside = sentence.start <= span.start < sentence.end
            if inside and match.has("seat", "country") and is_locative(span.root):
                return match.refs("seat", "country")[0], match.start, match.end
        return None

    def _title_head_is_office(self, title: list[Tok]) -> bool:
        """Whether the last word of a premodifying title is an office with its own sector."""
        for token in reversed(title):
            if token.is_punct or token.dep_ == "det":
                continue
            for match, span in self.matches:
                if span.start <= token.i < span.end and match.has("agent"):
                    agent = self.kb.agents[match.refs("agent")[0]]
                    return agent.kind == "person" and agent.sector is not None and not agent.defer
            return False
        return False

    def _title_sector(self, title: list[Tok]) -> str | None:
        best: tuple[int, int, str] | None = None
        for token in title:
            if token.i not in self.agent_tokens:
                continue
            for match, span in self.matches:
                if span.start <= token.i < span.end:
                    agent = self.kb.agents[match.refs("agent")[0]] if match.has("agent") else None
                    if agent and agent.sector:
                        rank = (0 if token.dep_ in ("compound", "amod") else 1, token.i)
                        if best is None or rank > best[:2]:
                            best = (*rank, agent.sector)
                    break
        return best[2] if best else None

    def _role_text(self, title: list[Tok]) -> str | None:
        words = list(title)
        while words and (
            words[0].lower_ in ("'s", "’s", "the", "a", "an")
            or words[0].tag_ == "PRP$"
            or any(
                e.country and not e.org and e.sector is None
                for e in self.evidence.get(words[0].i, ())
            )
            or words[0].lower_.rstrip(".") in PURE_HONORIFICS
        ):
            words = words[1:]
        while words and (
            words[-1].lower_.rstrip(".") in PURE_HONORIFICS
            or (
                words[-1].lower_.rstrip(".") in MILITARY_RANKS
                and words[-1].text[:1].isupper()
                # "Director General", "Secretary General" are offices, not ranks
                and not (len(words) > 1 and words[-2].lower_ in GENERAL_OFFICES)
            )
        ):
            words = words[:-1]
        found = phrase_text(words, self.text)
        if found is None:
            return None
        named_role = any(
            w.lower().strip("’'s") in TITLE_HEADS | ROLE_WORDS for w in found[2].split()
        )
        if named_role or any(t.i in self.agent_tokens for t in words):
            return found[2]
        return None

    def _read_descriptions(self) -> None:
        """Definite descriptions that repeat a person's title ("the head of the bureau")."""
        described: list[tuple[int, set[str], Key]] = []
        for ref in self.table.refs:
            if ref.kind == "person" and ref.role:
                words = {
                    w for w in ref.role.casefold().replace("'s", "").split() if w not in STOP_WORDS
                }
                if len(words) >= 2:
                    described.append((ref.start, words, ref.key))
        if not described:
            return
        for token in self.doc:
            if (
                token.lemma_.lower() not in TITLE_HEADS
                or token.i in self.title_tokens
                or token.i in self.person_tokens
                or not has_determiner(token)
                or token.idx < self.body_start
            ):
                continue
            phrase = [
                t for t in clause_free(token.subtree, token) if t.dep_ != "det" or t.i > token.i
            ]
            found = phrase_text(phrase, self.text)
            if found is None:
                continue
            words = {
                w for w in found[2].casefold().replace("'s", "").split() if w not in STOP_WORDS
            }
            owners = [
                key for start, title, key in described if start < token.idx and words <= title
            ]
            if len(words) >= 2 and owners:
                start, end, text = found
                self.table.add(Ref(start, end, text, owners[-1], "person", head=token.lower_))
                self.title_tokens.update(t.i for t in phrase)
