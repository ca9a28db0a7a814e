"""The explorer's building blocks: highlighting, chart geometry, the world outline, snapshots."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from newsgraph.web import charts
from newsgraph.web.build_world import outline_svg
from newsgraph.web.highlight import Fact, segments
from newsgraph.web.source import DataSource

STATIC = Path(__file__).resolve().parents[2] / "src" / "newsgraph" / "web" / "static"


@st.composite
def text_and_facts(draw: st.DrawFn) -> tuple[str, list[Fact]]:
    text = draw(st.text(min_size=0, max_size=60))
    facts = []
    for n in range(draw(st.integers(0, 8))):
        start = draw(st.integers(-2, len(text) + 2))
        end = draw(st.integers(-2, len(text) + 2))
        facts.append(
            Fact(
                f"f{n}", draw(st.sampled_from(["actor", "place", "event"])), start, end, f"fact {n}"
            )
        )
    return text, facts


@given(text_and_facts())
def test_highlight_segments_cover_the_text_and_each_fact_exactly(
    case: tuple[str, list[Fact]],
) -> None:
    text, facts = case
    pieces = segments(text, facts)
    assert "".join(piece.text for piece in pieces) == text
    position = 0
    covered: dict[str, list[tuple[int, int]]] = {}
    for piece in pieces:
        for fact in piece.facts:
            covered.setdefault(fact.id, []).append((position, position + len(piece.text)))
        position += len(piece.text)
    for fact in facts:
        valid = 0 <= fact.start < fact.end <= len(text)
        if not valid:
            assert fact.id not in covered  # offsets outside the text are not trusted
            continue
        spans = sorted(covered[fact.id])
        assert spans[0][0] <= fact.start and spans[-1][1] >= fact.end


def test_highlight_segment_title_and_kinds() -> None:
    pieces = segments(
        "Hamas said",
        [Fact("a", "actor", 0, 5, "actor: Hamas"), Fact("e", "entity", 0, 5, "entity ORG")],
    )
    assert pieces[0].kinds == ["entity", "actor"]
    assert pieces[0].title == "actor: Hamas · entity ORG"
    assert pieces[1].facts == []


def test_charts_map_projection_and_sizes() -> None:
    circles = charts.map_circles(
        [
            {"latitude": 0.0, "longitude": 0.0, "events": 1},
            {"latitude": 90.0, "longitude": -180.0, "events": 100},
            {"latitude": 91.0, "longitude": 0.0, "events": 5},
        ]
    )
    assert [(c["x"], c["y"]) for c in circles] == [(180.0, 90.0), (0.0, 0.0)]
    assert circles[1]["r"] > circles[0]["r"]


def test_charts_force_layout_is_deterministic_and_inside_the_box() -> None:
    nodes = [f"n{i}" for i in range(30)]
    edges = [(f"n{i}", f"n{(i * 7) % 30}", float(i % 4 + 1)) for i in range(30)]
    first = charts.force_layout(nodes, edges, width=900, height=600)
    assert first == charts.force_layout(nodes, edges, width=900, height=600)
    assert all(0 <= x <= 900 and 0 <= y <= 600 for x, y in first.values())
    assert len(set(first.values())) == len(nodes)
    assert charts.force_layout([], []) == {}


def test_charts_time_axis_stacks_to_the_monthly_total() -> None:
    rows = [
        {"month": "2024-01", "plover_type": "ASSAULT", "events": 3},
        {"month": "2024-01", "plover_type": "AGREE", "events": 1},
        {"month": "2024-02", "plover_type": "AGREE", "events": 2},
    ]
    chart = charts.time_axis(rows, height=120)
    january = [bar for bar in chart["bars"] if bar["month"] == "2024-01"]
    assert round(sum(bar["height"] for bar in january), 1) == 120.0  # the tallest month fills it
    assert chart["max"] == 4


def test_charts_time_axis_spaces_months_by_time_not_by_data() -> None:
    rows = [
        {"month": "1987-04", "plover_type": "AGREE", "events": 5},
        {"month": "1987-05", "plover_type": "AGREE", "events": 5},
        {"month": "2002-05", "plover_type": "AGREE", "events": 5},
    ]
    chart = charts.time_axis(rows, width=1810, share=1.0)
    x = {bar["month"]: bar["x"] for bar in chart["bars"]}
    assert chart["months"] == 15 * 12 + 2  # every month from 1987-04 to 2002-05 has a place
    assert round((x["2002-05"] - x["1987-05"]) / (x["1987-05"] - x["1987-04"])) == 180


def test_charts_time_axis_background_dates_do_not_stretch_it() -> None:
    rows = [{"month": "1870-05", "plover_type": "AGREE", "events": 1}] + [
        {"month": f"2024-{m:02d}", "plover_type": "ASSAULT", "events": 20} for m in range(1, 13)
    ]
    chart = charts.time_axis(rows, width=800)
    assert chart["first"] == "2024-01" and chart["last"] == "2024-12"
    assert chart["outside"] == 1
    assert charts.time_axis(rows, since="1870", width=800)["first"] == "1870-01"


def test_charts_time_axis_first_label_is_not_clipped() -> None:
    rows = [{"month": f"20{y:02d}-06", "plover_type": "AGREE", "events": 1} for y in range(10, 24)]
    ticks = charts.time_axis(rows, width=800, share=1.0)["ticks"]
    assert ticks[0]["anchor"] == "start" or ticks[0]["x"] >= 30
    assert ticks[-1]["anchor"] == "end" or ticks[-1]["x"] <= 770
    assert all(len(t["text"]) in (4, 7) for t in ticks)  # years or whole months, never "70-05"


def test_charts_tone_chart_uses_its_own_scale_with_axes() -> None:
    rows = [{"month": "2024-01", "tone": -1.0}, {"month": "2024-03", "tone": 0.5}]
    chart = charts.tone_chart(rows, height=160)
    assert [g["value"] for g in chart["scale"]] == [1, 0.5, 0, -0.5, -1]
    low, high = chart["dots"]
    assert low["y"] == 160.0 and high["y"] == 40.0  # -1 at the bottom, 0.5 a quarter down
    assert high["x"] == chart["width"] and low["x"] == 0
    assert chart["ticks"]


def test_charts_place_labels_never_overlap() -> None:
    nodes = [
        {"name": f"Actor number {i}", "x": 450 + (i % 3) * 4, "y": 300 + i * 3, "r": 6}
        for i in range(30)
    ]
    labels = charts.place_labels(nodes, width=900, height=600)
    boxes = []
    for label in labels:
        if label is None:
            continue
        w = len(label["text"]) * charts.CHAR_WIDTH
        x0 = {"middle": label["x"] - w / 2, "start": label["x"], "end": label["x"] - w}
        boxes.append((x0[label["anchor"]], label["y"] - 10, x0[label["anchor"]] + w, label["y"]))
    assert 2 <= len(boxes) < len(nodes)  # a crowded centre: some labels are left out
    for i, (a0, b0, a1, b1) in enumerate(boxes):
        for c0, d0, c1, d1 in boxes[i + 1 :]:
            assert not (a0 < c1 - 0.5 and c0 < a1 - 0.5 and b0 < d1 - 0.5 and d0 < b1 - 0.5)


def test_world_outline_is_packaged_and_well_formed() -> None:
    svg = (STATIC / "world.svg").read_text()
    assert svg.startswith("<svg") and 'viewBox="0 0 360 180"' in svg
    assert svg.count("<path") > 150  # one per country
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    assert (STATIC / "world-LICENSE.txt").exists()


def test_world_outline_builder_decodes_topojson() -> None:
    topology = {
        "type": "Topology",
        "transform": {"scale": [1, 1], "translate": [-180, -90]},
        "arcs": [[[170, 80], [10, 0], [0, 10], [-10, 0], [0, -10]]],
        "objects": {
            "countries": {
                "type": "GeometryCollection",
                "geometries": [{"type": "Polygon", "arcs": [[0]]}],
            }
        },
    }
    svg = outline_svg(topology)
    path = re.search(r'd="([^"]+)"', svg)
    assert path and path.group(1) == "M170 100L180 100L180 90L170 90L170 100Z"


def test_source_snapshot_is_a_private_copy(web_db: Path) -> None:
    source = DataSource(web_db)
    with source.reader() as (store, snapshot):
        assert snapshot.folder is not None and snapshot.folder.exists()
        assert web_db.parent not in snapshot.folder.parents
        assert store.counts()["articles"] > 0
    folder = snapshot.folder
    source.close()
    assert not folder.exists()


def test_queries_load_analysis_equals_the_store_analysis(web_db: Path) -> None:
    from newsgraph.web import queries

    source = DataSource(web_db, prepare=queries.prepare)
    try:
        with source.reader() as (store, _):
            ids = [row[0] for row in store.con.execute("SELECT id FROM articles").fetchall()]
            for article_id in ids:
                assert queries.load_analysis(store, article_id) == store.analysis(article_id)
            assert queries.load_analysis(store, "0" * 16) is None
    finally:
        source.close()
