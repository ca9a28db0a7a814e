"""Places: the gazetteer, the resolver and the places stage."""

from __future__ import annotations

import csv
import dataclasses
import math
import pickle
import time
from pathlib import Path
from typing import Any

import pycountry
import pytest

from newsgraph.gazetteer import Gazetteer, Resolver, gazetteer_version, load_gazetteer
from newsgraph.gazetteer.build import Tables, data_files
from newsgraph.gazetteer.names import loose_key, name_key, skeleton_key
from newsgraph.gazetteer.resolve import distance_km
from newsgraph.ingest.sources import read_path
from newsgraph.model import Analysis, Article, Entity
from newsgraph.pipeline import Pipeline, apply_stages
from newsgraph.settings import Settings, load_settings
from newsgraph.stages.entities import EntitiesStage
from newsgraph.stages.language import LanguageStage
from newsgraph.stages.parse import ParseStage
from newsgraph.stages.places import PlacesStage, dateline_spans

# True locations (WGS84) of the demo story's places.
TEHRAN = (35.6892, 51.3890)
JERUSALEM = (31.7683, 35.2137)
SHEIKH_JARRAH = (31.7925, 35.2300)
AL_AQSA = (31.7761, 35.2358)


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="module")
def gazetteer(settings: Settings) -> Gazetteer:
    return load_gazetteer(settings.cache_path)


@pytest.fixture(scope="module")
def stage(settings: Settings) -> PlacesStage:
    return PlacesStage(settings)


def _names(gazetteer: Gazetteer, text: str) -> list[str]:
    return [gazetteer.entry(row).name for row, _ in gazetteer.candidates(text)]


def _blank_analysis(text: str, entities: list[tuple[str, str]], **article: Any) -> Analysis:
    """An analysis with a tokenised doc and hand-made NER spans (no model needed)."""
    import spacy

    parsed = Article.from_text(text, **article)
    found = []
    for number, (words, label) in enumerate(entities):
        start = text.index(words)
        found.append(
            Entity(f"{parsed.id}-e{number}", parsed.id, start, start + len(words), words, label)
        )
    return Analysis(article=parsed, entities=tuple(found), doc=spacy.blank("en")(text))


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("St. Louis", "saint louis"),
        ("Sana’a", "sanaa"),
        ("The Hague", "hague"),
        ("Kraków", "krakow"),
        ("W. Va.", "wva"),
        ("U.S.", "us"),
        ("Ma'ale Adumim", "maale adumim"),
    ],
)
def test_name_key_folds_spelling(written: str, key: str) -> None:
    assert name_key(written) == key


@pytest.mark.parametrize(
    ("a", "b"), [("al-Quds", "Quds"), ("Bab al-Amoud", "Bab Amoud"), ("ash-Sham", "Sham")]
)
def test_loose_key_ignores_the_arabic_article(a: str, b: str) -> None:
    assert loose_key(a) == loose_key(b)


def test_skeleton_key_ignores_transliteration() -> None:
    assert skeleton_key("Khan Younis") == skeleton_key("Khan Yunis")
    assert skeleton_key("Shujaiyya") == skeleton_key("Shujaiya")


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("al-Quds", "Jerusalem"),
        ("Quds", "Jerusalem"),
        ("Al Quds", "Jerusalem"),
        ("Bab al-Amoud", "Damascus Gate"),
        ("Bab el-Amud", "Damascus Gate"),
        ("Sheikh Jarrah", "Sheikh Jarrah"),
        ("Al-Aqsa Mosque", "Al-Aqsa Mosque"),
        ("Gaza Strip", "Gaza Strip"),
        ("Judea and Samaria", "West Bank"),
        ("Golan", "Golan Heights"),
        ("Khan Younis", "Khān Yūnis"),
        ("Kiev", "Kyiv"),
        ("German", "Germany"),
    ],
)
def test_gazetteer_resolves_alternate_names(gazetteer: Gazetteer, written: str, name: str) -> None:
    assert name in _names(gazetteer, written)


def test_gazetteer_keeps_geonames_ids_and_countries(gazetteer: Gazetteer) -> None:
    [jerusalem] = [
        gazetteer.entry(r)
        for r, _ in gazetteer.candidates("al-Quds")
        if gazetteer.entry(r).geonameid
    ]
    assert (jerusalem.geonameid, jerusalem.country, jerusalem.feature) == (281184, "ISR", "P.PPLC")
    gaza = [gazetteer.entry(r) for r, _ in gazetteer.candidates("Gaza")]
    assert any(e.geonameid == 281133 and e.country == "PSE" for e in gaza)


def test_gazetteer_cache_file_is_versioned_and_loads_fast(settings: Settings) -> None:
    version = gazetteer_version()
    path = settings.cache_path / f"gazetteer-{version}.pickle"
    load_gazetteer(settings.cache_path)
    assert path.is_file()
    began = time.perf_counter()
    with path.open("rb") as handle:
        tables = pickle.load(handle)
    assert isinstance(tables, Tables)
    assert time.perf_counter() - began < 3.0
    assert len(tables.name) > 200_000


def test_supplement_rows_are_well_formed() -> None:
    supplement, _countries = data_files()
    lines = [line for line in supplement.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = list(
        csv.DictReader(
            (line for line in lines if not line.startswith("#")),
            delimiter="\t",
            quoting=csv.QUOTE_NONE,
        )
    )
    assert len(rows) >= 150
    alpha3 = {country.alpha_3 for country in pycountry.countries} | {"XKX"}
    seen = set()
    for row in rows:
        assert None not in row.values(), row
        assert -90 <= float(row["latitude"]) <= 90 and -180 <= float(row["longitude"]) <= 180
        assert not row["country"] or row["country"] in alpha3, row
        assert len(row["feature"].split(".")) == 2, row
        assert not row["geonameid"] or row["geonameid"].isdigit(), row
        key = (row["name"], row["country"])
        assert key not in seen, key
        seen.add(key)


def test_resolver_uses_the_dateline_and_context(gazetteer: Gazetteer) -> None:
    resolver = Resolver(gazetteer)
    text = "ALEXANDRIA, La. - Deputies in Rapides Parish arrested two men in Alexandria."
    spans = [(0, 10), (30, 44), (65, 75)]
    results = resolver.resolve(text, spans, focus=[(0, 10)])
    assert {r.entry.country for r in results if r.entry} == {"USA"}
    assert results[0].entry and results[0].entry.admin1_code == "US.LA"
    assert results[0].entry is results[2].entry


def test_resolver_qualifier_after_comma_decides(gazetteer: Gazetteer) -> None:
    text = "He moved to Paris, Texas, last year."
    [paris] = Resolver(gazetteer).resolve(text, [(12, 17)])
    assert paris.entry is not None and paris.entry.admin1_code == "US.TX"


def test_resolver_places_unknown_names_only_when_asked(gazetteer: Gazetteer) -> None:
    text = "Flooding hit Porto Alegre, where the Xyzzy Quarter was evacuated."
    spans = [(13, 25), (37, 50)]
    located = Resolver(gazetteer).resolve(text, spans)
    assert located[1].entry is None and located[1].estimated and located[1].country == "BRA"
    unlocated = Resolver(gazetteer, locate_unknown=False).resolve(text, spans)
    assert unlocated[1].latitude is None and unlocated[1].country is None


def test_places_stage_keeps_unresolved_toponyms_and_groups_mentions(stage: PlacesStage) -> None:
    text = "Police in al-Quds closed roads. Jerusalem officials said Xyzzyville was calm."
    analysis = _blank_analysis(text, [("Jerusalem", "GPE"), ("Xyzzyville", "GPE")])
    [out] = stage([analysis])
    by_name = {place.name: place for place in out.places}
    jerusalem = by_name["Jerusalem"]
    assert [m.text for m in jerusalem.mentions] == ["al-Quds", "Jerusalem"]
    assert jerusalem.text == "al-Quds" and jerusalem.geonameid == 281184
    unknown = by_name["Xyzzyville"]
    assert unknown.geonameid is None and unknown.latitude is None
    assert [p.id for p in out.places] == [f"{out.article.id}-p0", f"{out.article.id}-p1"]
    for place in out.places:
        assert text[place.start : place.end] == place.text
        assert place.article_id == out.article.id


def test_places_stage_counts_the_dateline_place(stage: PlacesStage) -> None:
    from newsgraph.ingest.cleaning import find_dateline

    text = "KYIV, Ukraine (Levant Wire) - Drones struck the city overnight."
    analysis = _blank_analysis(text, [], dateline=find_dateline(text))
    assert dateline_spans(analysis.article) == [(0, 4), (6, 13)]
    [out] = stage([analysis])
    assert [(p.text, p.name, p.country) for p in out.places] == [
        ("KYIV", "Kyiv", "UKR"),
        ("Ukraine", "Ukraine", "UKR"),
    ]


def test_places_stage_passes_skipped_articles_through(stage: PlacesStage) -> None:
    analysis = Analysis(article=Article.from_text("Le gouvernement à Paris.", language="fr"))
    assert stage([analysis]) == [analysis]
    assert stage.version == gazetteer_version()


def _demo(settings: Settings, demo_dir: Path, name: str, folder: str = "text") -> Analysis:
    [article] = list(read_path(demo_dir / folder / name, max_bytes=settings.max_bytes))
    assert isinstance(article, Article)
    pipeline = Pipeline(
        stages=(
            LanguageStage(settings),
            ParseStage(settings),
            EntitiesStage(settings),
            PlacesStage(settings),
        )
    )
    [out], rejected = apply_stages(pipeline, [Analysis(article=article)])
    assert not rejected
    return out


def _km(place: Any, point: tuple[float, float]) -> float:
    return distance_km(place.latitude, place.longitude, *point)


@pytest.mark.slow
def test_places_demo_story_resolves_tehran_jerusalem_and_holy_sites(
    settings: Settings, demo_dir: Path
) -> None:
    out = _demo(settings, demo_dir, "haniyeh_letter_khamenei.txt")
    by_name = {place.name: place for place in out.places}
    tehran, jerusalem = by_name["Tehran"], by_name["Jerusalem"]
    assert tehran.start == 0 and tehran.text == "TEHRAN"  # the dateline is a mention
    assert _km(tehran, TEHRAN) < 5 and tehran.geonameid == 112931
    assert _km(jerusalem, JERUSALEM) < 5 and jerusalem.geonameid == 281184
    assert {m.text for m in jerusalem.mentions} == {"al-Quds"}
    assert _km(by_name["Sheikh Jarrah"], SHEIKH_JARRAH) < 2
    assert _km(by_name["Al-Aqsa Mosque"], AL_AQSA) < 2


@pytest.mark.slow
def test_places_later_repeats_tagged_otherwise_are_mentions(
    settings: Settings, demo_dir: Path
) -> None:
    out = _demo(settings, demo_dir, "nikopol_shelling_ukraine_accuses_russia.html", "html")
    [nikopol] = [place for place in out.places if place.name == "Nikopol"]
    text = out.article.text.lower()  # the dateline is in capitals
    expected = [i for i in range(len(text)) if text.startswith("nikopol", i)]
    assert len(expected) >= 3
    assert [mention.start for mention in nikopol.mentions] == expected


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        "brazil_floods_porto_alegre.txt",
        "houthi_gulf_of_aden_ship.txt",
        "kashmir_doda_gunfight.txt",
        "sudan_el_fasher_siege.txt",
        "second_thomas_shoal_water_cannon.txt",
    ],
)
def test_places_spans_match_the_text(settings: Settings, demo_dir: Path, name: str) -> None:
    out = _demo(settings, demo_dir, name)
    assert out.places
    text = out.article.text
    starts = [place.start for place in out.places]
    assert starts == sorted(starts)
    for place in out.places:
        assert text[place.start : place.end] == place.text
        assert (place.start, place.end, place.text) == (
            place.mentions[0].start,
            place.mentions[0].end,
            place.mentions[0].text,
        )
        for mention in place.mentions:
            assert text[mention.start : mention.end] == mention.text
        if place.latitude is not None:
            assert not math.isnan(place.latitude)


@pytest.fixture(scope="module")
def parser(settings: Settings) -> ParseStage:
    return ParseStage(settings)


def _parsed_analysis(
    parser: ParseStage, text: str, entities: list[tuple[str, str]], **article: Any
) -> Analysis:
    """An analysis with the model's parse (tags, dependencies) and hand-made NER spans, so
    that the test pins the places stage, not the NER model's labels."""
    blank = _blank_analysis(text, entities, **article)
    [parsed] = parser([Analysis(article=blank.article)])
    return dataclasses.replace(blank, doc=parsed.doc)


def _places(stage: PlacesStage, analysis: Analysis) -> dict[str, Any]:
    [out] = stage([analysis])
    for place in out.places:
        for mention in place.mentions:
            assert out.article.text[mention.start : mention.end] == mention.text
    return {place.text: place for place in out.places}


@pytest.mark.parametrize(
    ("text", "entities", "name", "country"),
    [
        ("Protesters gathered in Niamey on Sunday.", [("Niamey", "PERSON")], "Niamey", "NER"),
        (
            "Rebels captured the eastern city of Goma in 2012.",
            [("Goma", "PERSON")],
            "Goma",
            "COD",
        ),
        (
            "Air strikes hit Khost and Paktika overnight.",
            [("Khost", "GPE"), ("Paktika", "NORP")],
            "Paktika",
            "AFG",
        ),
        ("Shells fell on the Rostov region.", [("Rostov", "PERSON")], "Rostov", "RUS"),
        ("The junta said Niger would not yield.", [("Niger", "ORG")], "Niger", "NER"),
        ("Shelling hit the towns of Kramatorsk and Slavyansk.", [], "Kramatorsk", "UKR"),
        (
            "France withdrew its troops from Niger and neighbouring Mali.",
            [("France", "GPE"), ("Niger", "GPE"), ("Mali", "PERSON")],
            "Mali",
            "MLI",
        ),
        ("The Bamako-based group denied it.", [("Bamako", "ORG")], "Bamako", "MLI"),
        ("Tourists were stranded in Cusco.", [("Cusco", "PERSON")], "Cusco", "PER"),
    ],
)
def test_places_promotes_mislabelled_names_the_context_calls_places(
    stage: PlacesStage,
    parser: ParseStage,
    text: str,
    entities: list[tuple[str, str]],
    name: str,
    country: str,
) -> None:
    places = _places(stage, _parsed_analysis(parser, text, entities))
    assert name in places and places[name].country == country


@pytest.mark.parametrize(
    ("text", "entities", "name"),
    [
        (
            "Prime Minister Sheikh Hasina spoke on Monday. Hasina said the curfew would stay.",
            [("Sheikh Hasina", "PERSON"), ("Hasina", "GPE")],
            "Hasina",
        ),
        ("Mr Goma said he would resign.", [("Goma", "PERSON")], "Goma"),
        ("Moscow accused the West of escalating.", [("Moscow", "GPE"), ("West", "LOC")], "West"),
        ("The plan was criticised by Georgia Smith.", [("Georgia Smith", "PERSON")], "Georgia"),
        (
            "Polish border guards pushed refugees back to Belarus.",
            [("Polish", "NORP"), ("Belarus", "GPE")],
            "Polish",
        ),
        (
            "A statement from Secretary of State Anthony Blinken in Washington.",
            [("Anthony Blinken", "PERSON"), ("Washington", "GPE")],
            "Secretary",
        ),
        ("The strike in Gaza was denied, RT reported.", [("Gaza", "GPE"), ("RT", "GPE")], "RT"),
        (
            "Militants from Hamas' air defence unit were killed in Gaza.",
            [("Hamas", "ORG"), ("Gaza", "GPE")],
            "Hamas",
        ),
        (
            "In Washington, the bill stalled in Congress as senators at Google watched.",
            [("Washington", "GPE")],
            "Congress",
        ),
        (
            "In Washington, the bill stalled in Congress as senators at Google watched.",
            [("Washington", "GPE")],
            "Google",
        ),
    ],
)
def test_places_keeps_people_and_common_words_out(
    stage: PlacesStage, parser: ParseStage, text: str, entities: list[tuple[str, str]], name: str
) -> None:
    places = _places(stage, _parsed_analysis(parser, text, entities))
    assert name not in places


def test_places_reads_datelines_on_any_line(stage: PlacesStage, parser: ParseStage) -> None:
    text = (
        "Army accused of fresh drone attacks in Tigray\n"
        "NAIROBI, Kenya - The air force struck targets.\n"
        "Photo: a crowd\n"
        "PYONGYANG (Wire) -- The government warned against drills."
    )
    places = _places(stage, _parsed_analysis(parser, text, [("Tigray\nNAIROBI", "ORG")]))
    assert places["NAIROBI"].country == "KEN" and places["PYONGYANG"].country == "PRK"
    assert places["Tigray"].country == "ETH"


def test_resolver_reads_a_possessive_qualifier(gazetteer: Gazetteer) -> None:
    text = "Storms hit Texas's Paris overnight."
    [paris] = Resolver(gazetteer).resolve(text, [(19, 24)])
    assert paris.entry is not None and paris.entry.admin1_code == "US.TX"


def test_resolver_reads_a_bare_dateline_as_a_prominent_place(gazetteer: Gazetteer) -> None:
    text = "WASHINGTON - Marchers from St. Louis and Ferguson, Missouri, rallied."
    spans = [(0, 10), (27, 36), (41, 49), (51, 59)]
    washington = Resolver(gazetteer).resolve(text, spans, focus=[(0, 10)])[0]
    assert washington.entry is not None and washington.entry.feature == "P.PPLC"


def test_resolver_leaves_a_partial_match_abroad_unresolved(gazetteer: Gazetteer) -> None:
    text = "A truck exploded in Puerto Jordan, a town in Arauca, Colombia, near Bogota."
    spans = [(20, 33), (45, 51), (53, 61), (68, 74)]
    puerto = Resolver(gazetteer, locate_unknown=False).resolve(text, spans)[0]
    assert puerto.entry is None and puerto.latitude is None


def test_resolver_does_not_guess_where_a_subdivision_lies(gazetteer: Gazetteer) -> None:
    text = "Air strikes hit Paktika, Afghanistan."
    paktika = Resolver(gazetteer).resolve(text, [(16, 23), (25, 36)])[0]
    assert paktika.entry is not None and paktika.entry.country == "AFG"
    assert paktika.latitude is None  # not the country's centre, 270 km away


def test_resolver_reads_a_country_name_as_the_country(gazetteer: Gazetteer) -> None:
    # "Palestine" is an alternate name of a village in Iran: a Tehran story is no reason
    # to put the State of Palestine there.
    text = "TEHRAN - The Leader said the people of Palestine will win, and Qom agreed."
    spans = [(0, 6), (39, 48), (63, 66)]
    palestine = Resolver(gazetteer).resolve(text, spans, focus=[(0, 6)])[1]
    assert palestine.entry is not None and palestine.entry.country == "PSE"


def test_places_a_prominent_place_survives_a_person_of_its_name(
    stage: PlacesStage, parser: ParseStage
) -> None:
    # The model reads the headline "Rethinking Egypt" as a person: Egypt stays a place.
    text = "Rethinking Egypt-US relations. Egypt has long courted Washington."
    entities = [("Rethinking Egypt", "PERSON"), ("Egypt", "GPE"), ("Washington", "GPE")]
    places = _places(stage, _parsed_analysis(parser, text, entities))
    assert places["Egypt"].country == "EGY"
