"""Actor coding measured on the PLOVER gold-standard records (country and sector).

Each PLOVER GSR record has a short news text and its source and target actors, coded
with a country (ISO3, or IGO/IMG/NGO) and often a sector (GOV, MIL, REB, CVL, ...). For
every gold actor we ask whether the actors newsgraph finds in the record's text include
one with the same country, and, where the gold names a sector, one with the same country
*and* sector. The record set uses a few codes of its own (JAP for Japan, ITL for Italy,
VTN for Vietnam), mapped here to ISO; sector codes are compared on their first three
letters ("REBsna" counts as REB) and "***" (uncoded) sectors are skipped.

>>> normalise_country("JAP"), normalise_sector("REBsna"), normalise_sector("***")
('JPN', 'REB', None)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsgraph.model import Actor

# PLOVER GSR codes that are not ISO 3166-1 alpha-3.
GSR_COUNTRIES = {"JAP": "JPN", "ITL": "ITA", "VTN": "VNM"}


def normalise_country(code: str | None) -> str | None:
    """A gold country code as ISO 3166-1 alpha-3 (or IGO/IMG/NGO)."""
    if not code:
        return None
    code = code.strip().upper()
    return GSR_COUNTRIES.get(code, code)


def normalise_sector(code: str | None) -> str | None:
    """A gold sector's primary code ("REBsna" -> "REB"); ``None`` when uncoded."""
    if not code or not code[:3].isalpha():
        return None
    return code[:3].upper()


@dataclass(frozen=True, slots=True)
class GoldActor:
    """One source or target actor of a PLOVER record."""

    record: str
    side: str
    text: str
    country: str | None
    sector: str | None


@dataclass
class ActorScores:
    """Counts and rates of gold actors found with their country and sector."""

    records: int = 0
    actors: int = 0
    country_found: int = 0
    with_sector: int = 0
    sector_found: int = 0
    misses: list[tuple[GoldActor, list[tuple[str | None, str | None]]]] = field(
        default_factory=list
    )

    @property
    def country_recall(self) -> float:
        """Share of gold actors whose country is among the found actors' countries."""
        return self.country_found / self.actors if self.actors else 0.0

    @property
    def sector_recall(self) -> float:
        """Share of sector-coded gold actors found with both country and sector."""
        return self.sector_found / self.with_sector if self.with_sector else 0.0

    def as_dict(self) -> dict[str, float | int]:
        """The figures, for a report or a baseline file."""
        return {
            "records": self.records,
            "gold_actors": self.actors,
            "country_recall": round(self.country_recall, 4),
            "sector_coded_actors": self.with_sector,
            "country_sector_recall": round(self.sector_recall, 4),
        }


def load_plover_records(path: Path) -> list[dict[str, Any]]:
    """The PLOVER GSR records with a text (the documentation record is left out)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [record for record in data if record.get("text")]


def gold_actors(record: dict[str, Any]) -> list[GoldActor]:
    """The coded source and target actors of one record."""
    out = []
    for side in ("source", "target"):
        value = record.get(side)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict) and item.get("code"):
                out.append(
                    GoldActor(
                        record=str(record.get("id", "")),
                        side=side,
                        text=str(item.get("actorText", "")),
                        country=normalise_country(item.get("code")),
                        sector=normalise_sector(item.get("sector")),
                    )
                )
    return out


def score_actors(
    records: Iterable[dict[str, Any]],
    find_actors: Callable[[Sequence[str]], list[Sequence[Actor]]],
) -> ActorScores:
    """Score the actors ``find_actors`` gives for each record's text against the gold.

    Args:
        records: PLOVER GSR records (see :func:`load_plover_records`).
        find_actors: called once with every record text, returns the actors of each.
    """
    records = list(records)
    found = find_actors([str(record["text"]) for record in records])
    scores = ActorScores(records=len(records))
    for record, actors in zip(records, found, strict=True):
        coded = [(actor.country, actor.sector) for actor in actors]
        for gold in gold_actors(record):
            scores.actors += 1
            country_hit = any(country == gold.country for country, _ in coded)
            scores.country_found += country_hit
            sector_hit = True
            if gold.sector:
                scores.with_sector += 1
                sector_hit = (gold.country, gold.sector) in coded
                scores.sector_found += sector_hit
            if not (country_hit and sector_hit):
                scores.misses.append((gold, coded))
    return scores


def evaluate_plover(path: Path, *, settings: Any = None) -> ActorScores:
    """Run the actors stage (with language, parse and entities) over the PLOVER records.

    >>> # evaluate_plover(Path("../shared/data/events/plover/plover_gsr_dev.json")).as_dict()
    """
    from newsgraph.model import Analysis, Article
    from newsgraph.pipeline import Pipeline, apply_stages
    from newsgraph.settings import load_settings
    from newsgraph.stages.actors import ActorsStage
    from newsgraph.stages.entities import EntitiesStage
    from newsgraph.stages.language import LanguageStage
    from newsgraph.stages.parse import ParseStage

    settings = settings or load_settings()
    pipeline = Pipeline(
        stages=(
            LanguageStage(settings),
            ParseStage(settings),
            EntitiesStage(settings),
            ActorsStage(settings),
        )
    )

    def find_actors(texts: Sequence[str]) -> list[Sequence[Actor]]:
        batch = [Analysis(article=Article.from_text(text, language="en")) for text in texts]
        done, _ = apply_stages(pipeline, batch)
        by_id = {analysis.article.id: analysis.actors for analysis in done}
        return [by_id.get(analysis.article.id, ()) for analysis in batch]

    return score_actors(load_plover_records(path), find_actors)
