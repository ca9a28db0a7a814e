"""Events: triggers, PLOVER/CAMEO coding, arguments, claim status, place and date.

The sentences are written for these tests; each checks one rule of the stage.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newsgraph.model import Analysis, Article, Event
from newsgraph.pipeline import Pipeline, apply_stages
from newsgraph.settings import Settings
from newsgraph.stages.event_lexicon import TriggerLexicon, cameo_codes

PLOVER_TYPES = {
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
}  # fmt: skip


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    # The packaged defaults: module scope comes before the config isolation.
    return Pipeline.from_settings(Settings())


def analyse(pipeline: Pipeline, text: str, **metadata: str) -> Analysis:
    article = Article.from_text(text, language="en", **metadata)
    [analysis], rejected = apply_stages(pipeline, [Analysis(article)])
    assert not rejected
    return analysis


def only(analysis: Analysis, plover_type: str) -> Event:
    found = [e for e in analysis.events if e.plover_type == plover_type]
    assert len(found) == 1, [(e.plover_type, e.trigger) for e in analysis.events]
    return found[0]


def actor_names(analysis: Analysis, ids: tuple[str, ...]) -> set[str]:
    by_id = {actor.id: actor for actor in analysis.actors}
    return {by_id[i].name for i in ids}


def test_cameo_table_is_complete_and_consistent() -> None:
    codes = cameo_codes()
    assert len(codes) > 250
    for code in codes.values():
        assert code.quad_class == {1: 1, 2: 1, 3: 1, 4: 1, 5: 1}.get(int(code.code[:2]), 0) or (
            code.quad_class in (2, 3, 4)
        )
        assert -10.0 <= code.goldstein <= 10.0
        assert code.plover_type in PLOVER_TYPES or (
            code.plover_type == "" and code.code[:2] == "01"
        )
    assert codes["190"].plover_type == "ASSAULT" and codes["190"].quad_class == 4
    assert codes["0871"].plover_mode == "ceasefire"
    assert {c.plover_type for c in codes.values()} - {""} == PLOVER_TYPES


def test_every_trigger_names_a_coded_cameo_code() -> None:
    lexicon = TriggerLexicon.load()
    assert len(lexicon.verbs) > 150 and len(lexicon.nouns) > 100
    codes = cameo_codes()
    for table in (lexicon.verbs, lexicon.nouns):
        for options in table.values():
            assert all(codes[t.code].plover_type for t in options)


def test_verb_event_with_actor_recipient_place_and_date(pipeline: Pipeline) -> None:
    analysis = analyse(
        pipeline,
        "Russian troops shelled the Ukrainian army in Kharkiv on 3 March 2024.",
        published="2024-03-05",
    )
    event = only(analysis, "ASSAULT")
    assert event.cameo_code == "194" and event.quad_class == 4 and event.goldstein == -10.0
    assert event.trigger is not None and event.trigger.text == "shelled"
    assert event.text == analysis.article.text[event.start : event.end]
    by_id = {a.id: a for a in analysis.actors}
    assert [by_id[i].country for i in event.actor_ids] == ["RUS"]
    assert [by_id[i].country for i in event.recipient_ids] == ["UKR"]
    places = {p.id: p for p in analysis.places}
    assert event.place_id is not None and places[event.place_id].name == "Kharkiv"
    assert event.date == "2024-03-03" and event.date_resolution == "day"
    assert event.status == "asserted" and event.claimed_by is None


def test_request_absorbs_what_is_asked(pipeline: Pipeline) -> None:
    analysis = analyse(pipeline, "The United Nations urged Israel to withdraw its forces.")
    event = only(analysis, "REQUEST")
    assert actor_names(analysis, event.actor_ids) == {"United Nations"}
    assert not [e for e in analysis.events if e.plover_type == "RETREAT"]


def test_accusation_is_asserted_and_its_content_alleged(pipeline: Pipeline) -> None:
    text = "Hamas accused Israel of expelling Palestinian families from Sheikh Jarrah."
    analysis = analyse(pipeline, text, source="Test Wire")
    accuse = only(analysis, "ACCUSE")
    assert accuse.status == "asserted" and accuse.reported_by == "Test Wire"
    coerce = only(analysis, "COERCE")
    assert coerce.status == "alleged"
    assert actor_names(analysis, (coerce.claimed_by,) if coerce.claimed_by else ()) == {"Hamas"}


def test_quoted_event_is_alleged_by_its_speaker(pipeline: Pipeline) -> None:
    text = (
        'Army spokesman John Carter said: "The rebels attacked our checkpoint near Goma '
        'last night and killed two soldiers."'
    )
    analysis = analyse(pipeline, text)
    assaults = [e for e in analysis.events if e.plover_type == "ASSAULT"]
    assert assaults and all(e.status == "alleged" for e in assaults)
    assert any(
        actor_names(analysis, (e.claimed_by,)) == {"John Carter"} for e in assaults if e.claimed_by
    )


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("The government denied that police had arrested the journalists.", "denied"),
        ("Police did not arrest the protesters.", "negated"),
        ("If talks fail, police could arrest the strikers.", "hypothetical"),
        ("The court plans to sentence the two men next week.", "planned"),
        ("Police reportedly arrested three activists in Minsk.", "alleged"),
        ("Police arrested three activists in Minsk on Sunday.", "asserted"),
    ],
)
def test_claim_status(pipeline: Pipeline, text: str, status: str) -> None:
    analysis = analyse(pipeline, text)
    assert only(analysis, "COERCE").status == status


def test_stated_intentions_are_promises_and_threats(pipeline: Pipeline) -> None:
    promise = analyse(pipeline, "Syria said it will withdraw its troops from Lebanon.")
    assert only(promise, "AGREE").status == "asserted"
    threat = analyse(pipeline, "The rebels said they would blockade the capital.")
    assert only(threat, "THREATEN").status == "asserted"


def test_noun_events_need_an_argument_or_a_verb(pipeline: Pipeline) -> None:
    told = analyse(pipeline, "Israeli strikes on Rafah killed 20 people, medics said.")
    assert [e.plover_type for e in told.events].count("ASSAULT") >= 1
    named = analyse(pipeline, "The history of protest is long.")
    assert not named.events


def test_labour_strike_is_a_protest(pipeline: Pipeline) -> None:
    analysis = analyse(pipeline, "Dock workers began a strike over pay on Monday.")
    assert only(analysis, "PROTEST").cameo_code == "143"


def test_an_obligation_is_a_request_to_the_obliged(pipeline: Pipeline) -> None:
    analysis = analyse(pipeline, "Germany said Russia must pay for the damage.")
    request = only(analysis, "REQUEST")
    assert actor_names(analysis, request.actor_ids) == {"Germany"}
    assert actor_names(analysis, request.recipient_ids) == {"Russia"}


def test_protesters_clashing_with_police_is_a_riot(pipeline: Pipeline) -> None:
    analysis = analyse(pipeline, "Protesters clashed with police in Nairobi on Tuesday.")
    assert only(analysis, "PROTEST").cameo_code == "145"


def test_participles_used_as_adjectives_are_not_events(pipeline: Pipeline) -> None:
    analysis = analyse(pipeline, "The occupying power has built new roads.")
    assert not [e for e in analysis.events if e.plover_type == "COERCE"]


def test_the_mission_story(pipeline: Pipeline, demo_dir: Path) -> None:
    """The letter story: Haniyeh's appeal and accusation, and what his letter alleges."""
    text = (demo_dir / "text" / "haniyeh_letter_khamenei.txt").read_text("utf-8")
    analysis = analyse(pipeline, text)
    names = {a.id: a.name for a in analysis.actors}
    places = {p.id: p.name for p in analysis.places}
    haniyeh = next(i for i, n in names.items() if n == "Ismail Haniyeh")
    asserted_by_him = {
        e.plover_type for e in analysis.events if haniyeh in e.actor_ids and e.status == "asserted"
    }
    assert {"REQUEST", "ACCUSE"} <= asserted_by_him
    alleged = [e for e in analysis.events if e.status == "alleged" and e.claimed_by == haniyeh]
    assert {"ASSAULT", "COERCE"} <= {e.plover_type for e in alleged}
    assert any(
        e.plover_type == "COERCE" and places.get(e.place_id or "") == "Sheikh Jarrah"
        for e in alleged
    )
    assert any(
        e.plover_type == "ASSAULT" and places.get(e.place_id or "") == "Al-Aqsa Mosque"
        for e in alleged
    )
    israel = {a.id for a in analysis.actors if a.country == "ISR"}
    for plover_type, place in (("ASSAULT", "Al-Aqsa Mosque"), ("COERCE", "Sheikh Jarrah")):
        assert any(
            e.plover_type == plover_type
            and places.get(e.place_id or "") == place
            and set(e.actor_ids) & israel
            for e in alleged
        )
    # The letter: a statement by Haniyeh addressed to Khamenei.
    khamenei = next(i for i, n in names.items() if n == "Ali Khamenei")
    assert any(
        q.kind == "statement" and q.speaker_id == haniyeh and q.addressee_id == khamenei
        for q in analysis.quotes
    )
    for event in analysis.events:
        assert event.text == text[event.start : event.end]
        assert event.trigger is not None
        assert event.trigger.text == text[event.trigger.start : event.trigger.end]


# A wire story shaped like the published letter story: a datelined lead, then one long line
# holding the whole letter, introduced inline, salutation and signature run into the text.
SEED_SHAPE = (
    "TEHRAN, May 10 (ECNA) - Ismail Haniyeh, head of the political bureau of the Palestinian "
    "resistance movement Hamas, has written a letter to the Leader of the Islamic Revolution "
    "Ayatollah Sayyed Ali Khamenei, describing the crimes of the Zionist regime in Al-Quds and "
    "calling on the Islamic world to act. The text of the letter is as follows: His Eminence "
    "Ayatollah Sayyed Ali Khamenei Supreme Leader of the Islamic Revolution of Iran Peace and "
    "the mercy of God be upon you It is a source of honour to write to you while our people in "
    "Al-Quds stand firm. In recent days the Zionist regime has displaced dozens of Palestinian "
    "families from their homes in the Sheikh Jarrah neighbourhood, and its soldiers have "
    "attacked worshippers at the Al-Aqsa Mosque with stun grenades and rubber bullets. We "
    "accuse the Zionist regime of carrying out ethnic cleansing in Al-Quds before the eyes of "
    "the world. I call on the Islamic world, its scholars, its governments and its peoples to "
    "take practical steps to defend Al-Quds and the Al-Aqsa Mosque. Your brother Ismail "
    "Haniyeh Head of the Political Bureau of Hamas\n"
)


def test_the_seed_shape_letter_is_haniyehs_claim(pipeline: Pipeline) -> None:
    """The letter is Haniyeh's statement to Khamenei; his appeal and accusation are his acts
    (asserted); what the letter says Israel did is alleged, claimed by him, reported by ECNA."""
    text = SEED_SHAPE
    analysis = analyse(pipeline, text, source="ECNA")
    names = {a.id: a.name for a in analysis.actors}
    haniyeh = {i for i, n in names.items() if "Haniyeh" in n or n == "Hamas"}
    khamenei = {i for i, n in names.items() if "Khamenei" in n}
    israel = {a.id for a in analysis.actors if a.country == "ISR"}
    [letter] = [q for q in analysis.quotes if "Sheikh Jarrah" in q.text]
    assert letter.kind == "statement" and letter.speaker_id in haniyeh
    assert letter.addressee_id in khamenei
    assert letter.text.startswith("His Eminence") and letter.text.endswith("Hamas")
    inside = [e for e in analysis.events if letter.start <= e.trigger.start < letter.end]
    for plover_type in ("REQUEST", "ACCUSE"):
        assert any(
            e.plover_type == plover_type and set(e.actor_ids) & haniyeh and e.status == "asserted"
            for e in inside
        ), plover_type
    for trigger in ("displaced", "attacked"):
        [event] = [e for e in inside if e.trigger.text == trigger]
        assert event.status == "alleged" and event.claimed_by in haniyeh
        assert set(event.actor_ids) & israel, trigger
    assert all(e.reported_by == "ECNA" for e in analysis.events)


@pytest.mark.parametrize(
    ("text", "accuser", "actor"),
    [
        ("The Russian defense ministry accused Kyiv of launching a drone attack on Moscow.",
         "RUS", "UKR"),
        ("The envoys met officials from Algeria, which they accuse of shooting down a drone.",
         None, "DZA"),
    ],
)  # fmt: skip
def test_the_accused_is_the_actor_of_what_they_are_accused_of(
    pipeline: Pipeline, text: str, accuser: str | None, actor: str
) -> None:
    analysis = analyse(pipeline, text)
    countries = {a.id: a.country for a in analysis.actors}
    content = [e for e in analysis.events if e.plover_type == "ASSAULT"]
    assert content and all(e.status == "alleged" for e in content)
    assert all([countries[i] for i in e.actor_ids] == [actor] for e in content)
    accuse = only(analysis, "ACCUSE")
    assert actor in [countries[i] for i in accuse.recipient_ids]
    if accuser is not None:
        assert [countries[i] for i in accuse.actor_ids] == [accuser]


def test_a_coordinated_verb_does_not_lend_its_denial(pipeline: Pipeline) -> None:
    text = "The Taliban refuted the claims and warned Pakistan that more strikes would be met."
    analysis = analyse(pipeline, text)
    warned = [e for e in analysis.events if e.trigger and e.trigger.text == "warned"]
    assert warned and all(e.status != "denied" for e in warned)


def test_a_clause_of_its_own_is_not_inside_according_to(pipeline: Pipeline) -> None:
    text = (
        "At least 50 people were killed in the air strike, according to media reports, "
        "as the United Nations condemned the attack.\n\nThe army gave no figures.\n"
    )
    analysis = analyse(pipeline, text)
    condemned = only(analysis, "ACCUSE")
    assert condemned.status == "asserted" and condemned.claimed_by is None
    assert actor_names(analysis, condemned.actor_ids) == {"United Nations"}


@pytest.mark.parametrize(
    ("text", "trigger", "country"),
    [
        # the owner of the event a passive verb was done in
        ("At least 12 civilians were killed in the US latest airstrikes on Syria.", "killed",
         "USA"),
        # the one who denies a plan is the one who would carry it out
        ("Moscow has denied any plan to invade Ukraine.", "invade", "RUS"),
        # a group with no country owned by one that has one
        ("Israel said its soldiers attacked the camp.", "attacked", "ISR"),
    ],
)  # fmt: skip
def test_actor_found_through_the_structure(
    pipeline: Pipeline, text: str, trigger: str, country: str
) -> None:
    analysis = analyse(pipeline, text)
    countries = {a.id: a.country for a in analysis.actors}
    [event] = [e for e in analysis.events if e.trigger and e.trigger.text == trigger]
    assert [countries[i] for i in event.actor_ids] == [country]


def test_witnesses_are_the_claimants_not_the_actors(pipeline: Pipeline) -> None:
    text = "Police fired tear gas at the protesters on Sunday, AFP journalists on site said.\n"
    analysis = analyse(pipeline, text, source="Test Wire")
    afp = {a.id for a in analysis.actors if "AFP" in a.text or "Agence" in a.name}
    [fired] = [e for e in analysis.events if e.trigger and e.trigger.text == "fired"]
    assert not set(fired.actor_ids) & afp and fired.actor_ids
    assert fired.status == "alleged" and fired.claimed_by in afp
    assert fired.reported_by == "Test Wire"


def test_a_person_called_by_one_name_is_the_person_named_before(pipeline: Pipeline) -> None:
    text = (
        "Army spokesman Sani Kukasheka Usman spoke on Monday. "
        "Usman accused the separatists of attacking police stations.\n"
    )
    analysis = analyse(pipeline, text)
    accuse = only(analysis, "ACCUSE")
    assert actor_names(analysis, accuse.actor_ids) == {"Sani Kukasheka Usman"}
    [quote] = [q for q in analysis.quotes if "separatists" in q.text]
    assert quote.speaker_id == accuse.actor_ids[0]


def test_announcing_sanctions_is_imposing_them(pipeline: Pipeline) -> None:
    analysis = analyse(pipeline, "The US announced sanctions against 16 Venezuelan officials.\n")
    sanction = only(analysis, "SANCTION")
    assert sanction.status == "asserted"
    assert [a.country for a in analysis.actors if a.id in sanction.actor_ids] == ["USA"]


def test_he_inside_a_quote_is_not_its_speaker(pipeline: Pipeline) -> None:
    text = (
        'Mark Clarke bought the mine. "I have taken responsibility," Hillary Clinton said. '
        '"He refuses to apologise to the families."\n'
    )
    analysis = analyse(pipeline, text)
    reject = only(analysis, "REJECT")
    assert actor_names(analysis, reject.actor_ids) == {"Mark Clarke"}
    assert reject.status == "alleged"
    assert actor_names(analysis, (reject.claimed_by,) if reject.claimed_by else ()) == {
        "Hillary Clinton"
    }


def test_he_in_reported_speech_is_the_speaker(pipeline: Pipeline) -> None:
    text = (
        "Gang leader Jimmy Cherizier warned that he will keep trying to oust Ariel Henry "
        "from office.\n"
    )
    analysis = analyse(pipeline, text)
    threat = only(analysis, "THREATEN")
    assert actor_names(analysis, threat.actor_ids) == {"Jimmy Cherizier"}
    assert actor_names(analysis, threat.recipient_ids) == {"Ariel Henry"}
