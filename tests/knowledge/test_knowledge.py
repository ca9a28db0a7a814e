"""The actor knowledge base: its data files load, are complete and consistent."""

from __future__ import annotations

import re
from collections import Counter

import pycountry
import pytest

from newsgraph.knowledge import KnowledgeBase, load_knowledge_base, skeleton, tokenize
from newsgraph.knowledge.base import DATA_DIR, FILES, HitType, phrase_keys
from newsgraph.knowledge.build_countries import build_rows

SECTORS = {
    *("GOV", "MIL", "COP", "REB", "OPP", "PTY", "JUD", "LEG", "REL", "CVL", "MED"),
    *("IGO", "NGO", "BUS", "SPY", "REF", "LAB", "AGR", "EDU", "HLH", "UAF", "ELI", "CRM"),
}
KINDS = {"person", "organization", "state", "armed_group", "population_group"}
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


def test_knowledge_files_have_a_header_saying_what_they_are() -> None:
    for name in FILES:
        head = (DATA_DIR / name).read_text(encoding="utf-8").splitlines()[:8]
        comments = " ".join(line for line in head if line.startswith("#"))
        assert name in comments, name
        assert "newsgraph" in comments and "Columns" in " ".join(
            line
            for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
            if line.startswith("#")
        ), name


def test_knowledge_sizes(kb: KnowledgeBase) -> None:
    assert len(kb.countries) == len(pycountry.countries) + 1  # + XKX (Kosovo)
    assert len(kb.organizations) >= 250
    assert len(kb.people) >= 300
    assert sum(len(p.tenures) for p in kb.people.values()) >= 350
    assert len(kb.agents) >= 60
    assert len(kb.labels) >= 80


def test_knowledge_every_country_present_with_forms(kb: KnowledgeBase) -> None:
    for country in pycountry.countries:
        assert country.alpha_3 in kb.countries, country.name
    for code in ("ISR", "IRN", "PSE", "UKR", "RUS", "USA", "GBR", "CHN"):
        assert kb.countries[code].adjectives and kb.countries[code].demonyms
        assert kb.countries[code].seats
    assert "Palestinian" in kb.countries["PSE"].adjectives
    assert "Tehran" in kb.countries["IRN"].seats


def test_knowledge_countries_file_is_up_to_date() -> None:
    lines = [
        line.split("\t")
        for line in (DATA_DIR / "countries.tsv").read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    ]
    assert lines[1:] == build_rows(), "run python -m newsgraph.knowledge.build_countries"


def test_knowledge_no_duplicate_keys(kb: KnowledgeBase) -> None:
    tenures = Counter(
        (person.id, tenure.role, tenure.start)
        for person in kb.people.values()
        for tenure in person.tenures
    )
    assert [key for key, n in tenures.items() if n > 1] == []
    labels = Counter((label.label, label.use) for label in kb.labels.values())
    assert [key for key, n in labels.items() if n > 1] == []
    names = Counter(person.name for person in kb.people.values())
    assert [name for name, n in names.items() if n > 1] == []
    org_names = Counter(org.name for org in kb.organizations.values())
    assert [name for name, n in org_names.items() if n > 1] == []


def test_knowledge_dates_are_valid(kb: KnowledgeBase) -> None:
    for person in kb.people.values():
        for tenure in person.tenures:
            for value in (tenure.start, tenure.end):
                assert value is None or DATE.match(value), (person.id, value)
                assert value is None or "1900" <= value[:4] <= "2026", (person.id, value)
            if tenure.start and tenure.end:
                assert tenure.start <= tenure.end, (person.id, tenure.role)


def test_knowledge_codes_and_references_resolve(kb: KnowledgeBase) -> None:
    codes = set(kb.countries) | {"IGO", "IMG"}
    for org in kb.organizations.values():
        assert org.kind in KINDS, org.id
        assert org.country is None or org.country in codes, org.id
        assert org.sector is None or org.sector in SECTORS, org.id
    for person in kb.people.values():
        for tenure in person.tenures:
            assert tenure.country in codes, person.id
            assert tenure.sector in SECTORS, person.id
            assert tenure.affiliation is None or tenure.affiliation in kb.organizations
    for agent in kb.agents.values():
        assert agent.kind in KINDS, agent.id
        assert agent.sector is None or agent.sector in SECTORS, agent.id
    for label in kb.labels.values():
        assert label.resolve in ("fixed", "context", "local"), label.label
        assert label.use in ("any", "agent", "ref", "modifier"), label.label
        assert label.sector is None or label.sector in SECTORS, label.label
        for target in label.targets:
            assert target == "*" or target in codes or target in kb.organizations, target


def test_knowledge_labels_cover_every_side(kb: KnowledgeBase) -> None:
    """Loaded labels are kept for all sides of a conflict, not for one."""
    targets = Counter(t for label in kb.labels.values() for t in label.targets)
    for side in ("ISR", "IRN", "hamas", "hezbollah", "UKR", "RUS", "USA", "CHN", "TWN"):
        assert targets[side] >= 1, side


@pytest.mark.parametrize(
    "variants",
    [
        ("Haniyeh", "Haniya", "Haniyya", "Haniyah"),
        ("Qaddafi", "Kadhafi", "Qadhafi"),
        ("Gaddafi", "Gadhafi"),
        ("Khamenei", "Khamenei'i", "Khamene'i"),
        ("Zelensky", "Zelenskyy", "Zelenskiy"),
        ("Erdogan", "Erdoğan"),
    ],
)
def test_knowledge_skeleton_folds_transliterations(variants: tuple[str, ...]) -> None:
    assert len({skeleton(word) for word in variants}) == 1


@pytest.mark.parametrize(
    ("text", "kind", "ref"),
    [
        ("Ismail Haniya spoke.", "person", "haniyeh"),
        ("Bashar Assad spoke.", "person", "bassad"),
        ("Muammar Qaddafi spoke.", "person", "gaddafi"),
        ("the Islamic Republic of Iran", "country", "IRN"),
        ("Hamas-ISIS", "label", None),
        ("the U.S. military", "country", "USA"),
        ("Iran's Revolutionary Guards", "org", "irgc"),
    ],
)
def test_knowledge_find_matches_names(
    kb: KnowledgeBase, text: str, kind: HitType, ref: str | None
) -> None:
    found = [r for match in kb.find(text) for r in match.refs(kind)]
    assert found, text
    assert ref is None or ref in found


def test_knowledge_names_need_their_capital_letter(kb: KnowledgeBase) -> None:
    assert not [
        m for m in kb.find("they will chad the page and turkey is served") if m.has("country")
    ]
    assert not [m for m in kb.find("take us with you") if m.has("country")]


def test_knowledge_tokenize_keeps_offsets() -> None:
    text = "Iran's U.S.-backed al-Quds mullahs' regime"
    for token in tokenize(text):
        assert text[token.start : token.end] == token.text
    assert phrase_keys("al-Quds") == phrase_keys("al Quds")


def test_knowledge_people_short_forms_are_not_place_or_group_names(kb: KnowledgeBase) -> None:
    taken = {
        phrase_keys(form)
        for country in kb.countries.values()
        for form in (*country.names, *country.seats)
    }
    for person in kb.people.values():
        for form in person.short:
            hits = kb.index.get(phrase_keys(form), ())
            if phrase_keys(form) in taken:
                assert not any(hit.type == "short" and hit.ref == person.id for hit in hits), form
