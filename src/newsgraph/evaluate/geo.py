"""Geoparsing evaluation on LGL, GeoWebNews and GeoVirus: the metrics Mordecai3 publishes.

Two modes:

- **End to end** (default): each article goes through the parse, entities and places
  stages. *Detection* compares the places' mention spans with the gold toponyms: a
  predicted span and a gold span match when they overlap (each used at most once,
  greedily in text order); precision, recall and F1 count matched spans, and the
  ``strict_`` variants count only spans that match exactly. Resolution metrics are
  computed over *every* gold toponym: one the system did not detect is a miss
  (``detected_accuracy_161km`` gives the share over the detected ones only, and
  ``strict_accuracy_161km`` counts only exactly detected toponyms).
- **Gold spans** (``gold_spans=True``): the gold toponym spans of each article are
  given to the resolver together with the article text (no spaCy run; the spans are
  the only context), so resolution is measured apart from detection. A name the
  resolver cannot place (not in the gazetteer, or judged a place the gazetteer lacks)
  gets no location and is a miss.

Resolution metrics, over gold toponyms:

- ``accuracy_161km``: share of gold toponyms with coordinates whose prediction lies
  within 161 km (100 miles); an unresolved toponym counts as a miss.
- ``exact_id_accuracy``: share of gold toponyms with a GeoNames id predicted with that id.
- ``median_error_km``, ``mean_error_km``: great-circle error over the toponyms that have
  gold coordinates *and* a predicted location (``located`` counts them). Gold toponyms
  without coordinates are excluded from every distance metric.
- ``country_accuracy``: share of gold toponyms with a known country whose predicted
  country (ISO alpha-3) is the same. The gold country is the one LGL names; otherwise the
  GeoNames country of the gold id when the gazetteer has that id; otherwise the country
  of the nearest populated place within 300 km of the gold coordinates (seas and
  oceans have none and are excluded).

Beside them, from the same run:

- ``not_in_gazetteer``: gold toponyms whose written name has no gazetteer candidate at
  all (they cannot be resolved; every one is a miss).
- ``baseline_*``: the trivial baseline, which gives each toponym (the gold span, or the
  detected mention end to end) its most populous gazetteer candidate, with no context.

Mordecai3 measures resolution on the gold toponyms spaCy also tags as places with a
GeoNames id; the figures here count every gold toponym, which is stricter.
"""

from __future__ import annotations

import math
import statistics
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsgraph.evaluate.geo_readers import GoldDocument, GoldToponym, read_geo_xml
from newsgraph.gazetteer import Gazetteer, Resolver, load_gazetteer
from newsgraph.gazetteer.index import Entry
from newsgraph.gazetteer.resolve import distance_km
from newsgraph.settings import Settings, load_settings

ACCURACY_KM = 161.0
NEAREST_PLACE_KM = 300.0


@dataclass(frozen=True, slots=True)
class Prediction:
    """What the system said about one gold toponym (all None when it said nothing)."""

    geonameid: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class Scored:
    """A gold toponym with its gold country and the prediction for it."""

    gold: GoldToponym
    country: str | None
    prediction: Prediction


def resolution_metrics(items: Sequence[Scored]) -> dict[str, Any]:
    """Return the resolution metrics of the module docstring for scored toponyms.

    >>> gold = GoldToponym(0, 5, "Paris", 2988507, 48.85, 2.35)
    >>> m = resolution_metrics([Scored(gold, "FRA", Prediction(2988507, 48.86, 2.35, "FRA"))])
    >>> m["accuracy_161km"], m["exact_id_accuracy"], m["country_accuracy"]
    (1.0, 1.0, 1.0)
    """
    with_coords = [s for s in items if s.gold.latitude is not None and s.gold.longitude is not None]
    errors = []
    within = 0
    for s in with_coords:
        p = s.prediction
        if p.latitude is None or p.longitude is None:
            continue
        error = distance_km(
            s.gold.latitude or 0.0, s.gold.longitude or 0.0, p.latitude, p.longitude
        )
        errors.append(error)
        within += error <= ACCURACY_KM
    with_id = [s for s in items if s.gold.geonameid]
    with_country = [s for s in items if s.country]

    def share(numerator: int, denominator: int) -> float | None:
        return round(numerator / denominator, 4) if denominator else None

    return {
        "with_coordinates": len(with_coords),
        "located": len(errors),
        "accuracy_161km": share(within, len(with_coords)),
        "exact_id_accuracy": share(
            sum(s.prediction.geonameid == s.gold.geonameid for s in with_id), len(with_id)
        ),
        "median_error_km": round(statistics.median(errors), 1) if errors else None,
        "mean_error_km": round(statistics.fmean(errors), 1) if errors else None,
        "country_accuracy": share(
            sum(s.prediction.country == s.country for s in with_country), len(with_country)
        ),
    }


def match_spans(
    gold: Sequence[tuple[int, int]], predicted: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Pair gold and predicted spans that overlap, each used once, in text order.

    Returns ``(gold index, predicted index)`` pairs.

    >>> match_spans([(0, 5), (10, 15)], [(2, 5), (3, 4), (20, 25)])
    [(0, 0)]
    """
    pairs = []
    used: set[int] = set()
    for gi, (gs, ge) in enumerate(gold):
        for pi, (ps, pe) in enumerate(predicted):
            if pi not in used and ps < ge and gs < pe:
                pairs.append((gi, pi))
                used.add(pi)
                break
    return pairs


def detection_metrics(true_positive: int, predicted: int, gold: int) -> dict[str, Any]:
    """Precision, recall and F1 from counts.

    >>> detection_metrics(8, 10, 16)
    {'precision': 0.8, 'recall': 0.5, 'f1': 0.6154}
    """
    precision = true_positive / predicted if predicted else 0.0
    recall = true_positive / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


class _GoldCountries:
    """Gold countries: named (LGL), by GeoNames id, or by the nearest populated place."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        t = gazetteer.tables
        self.gazetteer = gazetteer
        self.by_id: dict[int, int] = {}
        self.grid: defaultdict[tuple[int, int], list[int]] = defaultdict(list)
        for row, geonameid in enumerate(t.geonameid):
            if geonameid:
                self.by_id.setdefault(geonameid, row)
            feature = t.feature_codes[t.feature[row]]
            if feature.startswith("P.") and not math.isnan(t.latitude[row]):
                self.grid[(math.floor(t.latitude[row]), math.floor(t.longitude[row]))].append(row)
        self.named: dict[str, str | None] = {}

    def __call__(self, gold: GoldToponym) -> str | None:
        t = self.gazetteer.tables
        if gold.country_name:
            if gold.country_name not in self.named:
                self.named[gold.country_name] = next(
                    (
                        t.country_codes[t.country[row]]
                        for row, _ in self.gazetteer.candidates(gold.country_name)
                        if t.feature_codes[t.feature[row]].startswith("A.PCL")
                    ),
                    None,
                )
            return self.named[gold.country_name]
        if gold.geonameid and gold.geonameid in self.by_id:
            return t.country_codes[t.country[self.by_id[gold.geonameid]]] or None
        if gold.latitude is None or gold.longitude is None:
            return None
        best, best_km = None, NEAREST_PLACE_KM
        lat0, lon0 = math.floor(gold.latitude), math.floor(gold.longitude)
        for dlat in range(-3, 4):
            for dlon in range(-4, 5):
                cell = (lat0 + dlat, (lon0 + dlon + 180) % 360 - 180)
                for row in self.grid.get(cell, ()):
                    km = distance_km(
                        gold.latitude, gold.longitude, t.latitude[row], t.longitude[row]
                    )
                    if km < best_km:
                        best, best_km = row, km
        return t.country_codes[t.country[best]] or None if best is not None else None


def _prediction(entry: Entry | None, latitude: float | None, longitude: float | None) -> Prediction:
    if entry is None and latitude is None:
        return Prediction()
    return Prediction(
        entry.geonameid if entry else None, latitude, longitude, entry.country if entry else None
    )


class MostPopulous:
    """The trivial baseline: a name's most populous gazetteer candidate, no context."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._cache: dict[str, Entry | None] = {}

    def known(self, name: str) -> bool:
        """Whether the gazetteer has any candidate for ``name``."""
        return bool(self.gazetteer.candidates(name))

    def __call__(self, name: str) -> Prediction:
        """The prediction for ``name`` (empty when the gazetteer does not know it)."""
        if name not in self._cache:
            entries = [self.gazetteer.entry(row) for row, _ in self.gazetteer.candidates(name)]
            self._cache[name] = max(
                entries, key=lambda e: (e.population, e.latitude is not None), default=None
            )
        entry = self._cache[name]
        return _prediction(entry, entry.latitude, entry.longitude) if entry else Prediction()


@dataclass(frozen=True, slots=True)
class _Outcome:
    """Predictions for one gold toponym: the system's, the strict variant's, the baseline's."""

    gold: GoldToponym
    system: Prediction
    strict: Prediction
    baseline: Prediction
    detected: bool = True


def _gold_span_predictions(
    resolver: Resolver, baseline: MostPopulous, documents: Iterable[GoldDocument]
) -> Iterable[_Outcome]:
    for document in documents:
        spans = [(t.start, t.end) for t in document.toponyms]
        for gold, result in zip(
            document.toponyms, resolver.resolve(document.text, spans), strict=True
        ):
            system = _prediction(result.entry, result.latitude, result.longitude)
            yield _Outcome(gold, system, system, baseline(gold.text))


def _end_to_end(
    settings: Settings, documents: Sequence[GoldDocument], baseline: MostPopulous
) -> tuple[list[_Outcome], dict[str, Any]]:
    from newsgraph.model import Analysis, Article
    from newsgraph.pipeline import Pipeline, apply_stages
    from newsgraph.stages.entities import EntitiesStage
    from newsgraph.stages.parse import ParseStage
    from newsgraph.stages.places import PlacesStage

    pipeline = Pipeline(
        stages=(ParseStage(settings), EntitiesStage(settings), PlacesStage(settings))
    )
    outcomes: list[_Outcome] = []
    matched = exact = predicted = gold_total = 0
    for start in range(0, len(documents), settings.batch_size):
        chunk = documents[start : start + settings.batch_size]
        batch = [Analysis(article=Article.from_text(d.text, language="en")) for d in chunk]
        analysed, _rejected = apply_stages(pipeline, batch)
        by_id = {a.article.id: a for a in analysed}
        for document, analysis in zip(chunk, batch, strict=True):
            done = by_id.get(analysis.article.id)
            mentions = [
                (m.start, m.end, place)
                for place in (done.places if done else ())
                for m in place.mentions
            ]
            mentions.sort(key=lambda item: item[:2])
            gold_spans = [(t.start, t.end) for t in document.toponyms]
            pairs_here = dict(match_spans(gold_spans, [(s, e) for s, e, _ in mentions]))
            matched += len(pairs_here)
            predicted += len(mentions)
            gold_total += len(gold_spans)
            for gi, gold in enumerate(document.toponyms):
                pi = pairs_here.get(gi)
                if pi is None:
                    outcomes.append(_Outcome(gold, Prediction(), Prediction(), Prediction(), False))
                    continue
                s, e, place = mentions[pi]
                system = Prediction(place.geonameid, place.latitude, place.longitude, place.country)
                is_exact = (s, e) == (gold.start, gold.end)
                exact += is_exact
                strict = system if is_exact else Prediction()
                outcomes.append(_Outcome(gold, system, strict, baseline(document.text[s:e])))
    detection = {
        "matched": matched,
        "predicted": predicted,
        **detection_metrics(matched, predicted, gold_total),
        "strict_matched": exact,
        **{
            f"strict_{key}": value
            for key, value in detection_metrics(exact, predicted, gold_total).items()
        },
    }
    return outcomes, detection


def evaluate_geo(
    path: Path,
    *,
    gold_spans: bool,
    limit: int | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Evaluate geoparsing on an LGL, GeoWebNews or GeoVirus XML file.

    Args:
        path: the evaluation file.
        gold_spans: resolve the gold toponym spans instead of detecting toponyms.
        limit: evaluate only the first ``limit`` articles.
        settings: settings (spaCy model, cache folder); defaults to :func:`load_settings`.

    Returns:
        JSON-ready metrics: ``dataset``, ``format``, ``mode``, ``articles``, ``toponyms``,
        detection ``precision``/``recall``/``f1`` and their ``strict_`` variants (end to
        end only), the resolution metrics of the module docstring over every gold
        toponym, ``not_in_gazetteer``, the ``baseline_`` metrics, ``gazetteer`` (its
        version) and ``seconds``.

    Raises:
        InputError: when the file cannot be read or is in no known layout.

    >>> from pathlib import Path
    >>> result = evaluate_geo(Path("lgl.xml"), gold_spans=True)  # doctest: +SKIP
    >>> result["accuracy_161km"]  # doctest: +SKIP
    0.85
    """
    settings = settings or load_settings()
    began = time.perf_counter()
    layout, documents = read_geo_xml(path, limit=limit)
    gazetteer = load_gazetteer(settings.cache_path)
    countries = _GoldCountries(gazetteer)
    result: dict[str, Any] = {
        "dataset": path.stem,
        "format": layout,
        "mode": "gold_spans" if gold_spans else "end_to_end",
        "articles": len(documents),
        "toponyms": sum(len(d.toponyms) for d in documents),
    }
    baseline = MostPopulous(gazetteer)
    if gold_spans:
        resolver = Resolver(gazetteer, locate_unknown=False)
        outcomes = list(_gold_span_predictions(resolver, baseline, documents))
    else:
        outcomes, detection = _end_to_end(settings, documents, baseline)
        result.update(detection)
    gold_country = {id(o): countries(o.gold) for o in outcomes}

    def scored(kind: str, only_detected: bool = False) -> list[Scored]:
        return [
            Scored(o.gold, gold_country[id(o)], getattr(o, kind))
            for o in outcomes
            if o.detected or not only_detected
        ]

    result.update(resolution_metrics(scored("system")))
    result["not_in_gazetteer"] = sum(not baseline.known(o.gold.text) for o in outcomes)
    if not gold_spans:
        detected = resolution_metrics(scored("system", only_detected=True))
        result["detected_accuracy_161km"] = detected["accuracy_161km"]
        result["detected_country_accuracy"] = detected["country_accuracy"]
        strict = resolution_metrics(scored("strict"))
        result["strict_accuracy_161km"] = strict["accuracy_161km"]
        result["strict_country_accuracy"] = strict["country_accuracy"]
    trivial = resolution_metrics(scored("baseline"))
    for key in ("accuracy_161km", "exact_id_accuracy", "country_accuracy"):
        result[f"baseline_{key}"] = trivial[key]
    result["gazetteer"] = gazetteer.version
    result["seconds"] = round(time.perf_counter() - began, 2)
    return result
