"""Geometry for the hand-drawn SVG charts: bars, lines, map points and a force layout.

Charts are computed here and drawn by the templates as plain SVG (no chart library, no
script needed to see them). Coordinates are in each chart's own view box.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

# One colour per PLOVER event type (16 types), and grey for anything else.
TYPE_COLOURS: dict[str, str] = {
    "AGREE": "#2f9e44",
    "CONSULT": "#66a80f",
    "SUPPORT": "#37b24d",
    "COOPERATE": "#0ca678",
    "AID": "#1098ad",
    "RETREAT": "#1c7ed6",
    "CONCEDE": "#4263eb",
    "REQUEST": "#7048e8",
    "ACCUSE": "#ae3ec9",
    "REJECT": "#d6336c",
    "THREATEN": "#f76707",
    "PROTEST": "#f59f00",
    "SANCTION": "#e8590c",
    "MOBILIZE": "#c92a2a",
    "COERCE": "#a61e4d",
    "ASSAULT": "#862e9c",
}
OTHER_COLOUR = "#868e96"


def colour(plover_type: str | None) -> str:
    """Colour of an event type."""
    return TYPE_COLOURS.get(plover_type or "", OTHER_COLOUR)


def _month_number(month: str) -> int | None:
    """``YYYY-MM`` as a count of months since year 0 (None for anything else)."""
    try:
        year, number = int(month[:4]), int(month[5:7])
    except ValueError:
        return None
    return year * 12 + number - 1 if len(month) >= 7 and 1 <= number <= 12 else None


def _month_text(number: int) -> str:
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def _domain(
    totals: dict[int, int], since: str | None, until: str | None, share: float
) -> tuple[int, int]:
    """The months the axis spans: from ``since`` to ``until`` when given, else the span
    holding the central ``share`` of events, so a few events dated to 1870 (background
    history in an article) do not squeeze 2024 into a sliver."""
    ordered = sorted(totals)
    all_events = sum(totals.values())
    cut = all_events * (1 - share) / 2
    low, high = ordered[0], ordered[-1]
    seen = 0
    for month in ordered:
        seen += totals[month]
        if seen > cut:
            low = month
            break
    seen = 0
    for month in reversed(ordered):
        seen += totals[month]
        if seen > cut:
            high = month
            break
    if since:
        low = _month_number(since[:7] if len(since) >= 7 else f"{since[:4]}-01") or low
    if until:
        high = _month_number(until[:7] if len(until) >= 7 else f"{until[:4]}-12") or high
    return low, max(high, low)


def _ticks(low: int, high: int, width: float) -> list[dict[str, Any]]:
    """Labels at round dates: every year (or every few years) on a long span, every
    month (or few months) on a short one; none is cut at the chart's edges."""
    span = high - low + 1
    step_x = width / span
    if span > 30:
        years = max(1, math.ceil(span / 12 / 10))
        marks = [m for m in range(low, high + 1) if m % 12 == 0 and (m // 12) % years == 0]
        text = [str(m // 12) for m in marks]
    else:
        months = max(1, math.ceil(span / 10))
        marks = [m for m in range(low, high + 1) if (m - low) % months == 0]
        text = [_month_text(m) for m in marks]
    ticks = []
    for mark, label in zip(marks, text, strict=True):
        x = (mark - low) * step_x
        anchor = "start" if x < 30 else "end" if x > width - 30 else "middle"
        ticks.append({"x": round(x, 1), "text": label, "anchor": anchor})
    return ticks


def time_axis(
    rows: Sequence[dict[str, Any]],
    *,
    since: str | None = None,
    until: str | None = None,
    width: float = 800,
    height: float = 200,
    share: float = 0.98,
) -> dict[str, Any]:
    """Stacked bars of events per month and type on a true time axis.

    Every month between the first and the last takes the same width, with or without
    events (``1987-04`` and ``2002-05`` are 181 months apart, not one step). The axis
    spans the central ``share`` of events unless ``since``/``until`` set it; events
    outside are counted in ``outside``. Bars carry their month for the brush.
    """
    totals: dict[int, int] = {}
    for row in rows:
        number = _month_number(str(row["month"]))
        if number is not None:
            totals[number] = totals.get(number, 0) + int(row["events"])
    empty = {"bars": [], "ticks": [], "width": width, "height": height, "max": 0}
    if not totals:
        return {**empty, "first": None, "last": None, "outside": 0, "months": 0}
    low, high = _domain(totals, since, until, share)
    span = high - low + 1
    inside = {m: n for m, n in totals.items() if low <= m <= high}
    top = max(inside.values(), default=0) or 1
    step = width / span
    bar_width = max(step * 0.9, 0.5)
    stacked: dict[int, float] = {}
    bars: list[dict[str, Any]] = []
    for row in rows:
        number = _month_number(str(row["month"]))
        if number is None or not low <= number <= high:
            continue
        h = int(row["events"]) / top * height
        stacked[number] = stacked.get(number, 0.0) + h
        bars.append(
            {
                "x": round((number - low) * step + (step - bar_width) / 2, 2),
                "y": round(height - stacked[number], 2),
                "width": round(bar_width, 2),
                "height": round(h, 2),
                "fill": colour(row["plover_type"]),
                "month": row["month"],
                "title": f"{row['month']}: {row['events']} {row['plover_type']}",
            }
        )
    return {
        "bars": bars,
        "ticks": _ticks(low, high, width),
        "width": width,
        "height": height,
        "max": top,
        "first": _month_text(low),
        "last": _month_text(high),
        "months": span,
        "outside": sum(totals.values()) - sum(inside.values()),
        "data_first": _month_text(min(totals)),
        "data_last": _month_text(max(totals)),
    }


def tone_chart(
    rows: Sequence[dict[str, Any]], key: str = "tone", *, width: float = 600, height: float = 160
) -> dict[str, Any]:
    """Tone per month on its own scale, [-1, 1] (negative below the zero line), on a
    true time axis, with the ticks and labels of both axes."""
    points = [
        (number, max(-1.0, min(1.0, float(row[key] or 0))), row)
        for row in rows
        if (number := _month_number(str(row["month"]))) is not None
    ]
    scale = [
        {"value": v, "y": round(height / 2 - v * height / 2, 1)} for v in (1, 0.5, 0, -0.5, -1)
    ]
    if not points:
        return {
            "points": "",
            "dots": [],
            "width": width,
            "height": height,
            "scale": scale,
            "ticks": [],
        }
    low, high = points[0][0], points[-1][0]
    span = max(high - low, 1)
    dots = [
        {
            "x": round((number - low) / span * width, 1),
            "y": round(height / 2 - value * height / 2, 1),
            "title": f"{row['month']}: tone {row[key]} ({row.get('articles', '?')} articles)",
        }
        for number, value, row in points
    ]
    return {
        "points": " ".join(f"{d['x']},{d['y']}" for d in dots),
        "dots": dots,
        "width": width,
        "height": height,
        "scale": scale,
        "ticks": _ticks(low, high, width)
        if high > low
        else [{"x": 0.0, "text": _month_text(low), "anchor": "start"}],
    }


def map_circles(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Map points in the 360 × 180 equirectangular view box of ``static/world.svg``.

    The area of a circle grows with the number of events.
    """
    if not rows:
        return []
    top = max(int(row["events"]) for row in rows) or 1
    out = []
    for row in rows:
        lat, lon = float(row["latitude"]), float(row["longitude"])
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            continue
        out.append(
            {
                **row,
                "x": round(lon + 180, 2),
                "y": round(90 - lat, 2),
                "r": round(0.6 + 5.4 * math.sqrt(int(row["events"]) / top), 2),
            }
        )
    return out


def force_layout(
    nodes: Sequence[str],
    edges: Sequence[tuple[str, str, float]],
    *,
    width: float = 900,
    height: float = 600,
    seed: int = 7,
    margin: float = 40.0,
    iterations: int = 50,
) -> dict[str, tuple[float, float]]:
    """Positions for a small graph by networkx's Fruchterman–Reingold spring layout
    (deterministic for a given seed), scaled into the view box.

    Heavier links pull harder (weight log(1 + events)); ``k``, the ideal distance,
    grows with the number of nodes so that a crowded graph spreads out instead of
    clumping at the centre.
    """
    import networkx as nx  # type: ignore[import-untyped]  # networkx ships no type hints

    if not nodes:
        return {}
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    for a, b, w in edges:
        if a in graph and b in graph and a != b:
            previous = graph.get_edge_data(a, b, {"weight": 0.0})["weight"]
            graph.add_edge(a, b, weight=previous + math.log1p(w))
    k = 2.2 / math.sqrt(len(nodes))
    pos = nx.spring_layout(graph, k=k, weight="weight", seed=seed, iterations=iterations)
    xy = np.array([pos[name] for name in nodes], dtype=float).reshape(-1, 2)
    low, high = xy.min(axis=0), xy.max(axis=0)
    span = np.where(high - low > 1e-9, high - low, 1.0)
    scaled = (xy - low) / span * np.array([width - 2 * margin, height - 2 * margin]) + margin
    return {
        name: (round(float(x), 1), round(float(y), 1))
        for name, (x, y) in zip(nodes, scaled, strict=True)
    }


CHAR_WIDTH = 7.0  # width of a character of the 11 px label font, generously (capitals are wider)
LABEL_HEIGHT = 13.0


def place_labels(
    nodes: Sequence[dict[str, Any]], *, width: float, height: float, longest: int = 26
) -> list[dict[str, Any] | None]:
    """Label positions that overlap neither another label nor another node's circle.

    Nodes come heaviest first; each label tries above, below, right and left of its
    circle and takes the first free place inside the view box; a node with no free place
    stays unlabelled (its name is still in its tooltip). Returns, per node, ``None`` or
    the label's ``x``, ``y``, ``anchor`` and ``text``.
    """
    boxes: list[tuple[float, float, float, float]] = []
    circles = [(float(n["x"]), float(n["y"]), float(n["r"])) for n in nodes]

    def free(box: tuple[float, float, float, float], own: int) -> bool:
        x0, y0, x1, y1 = box
        if x0 < 0 or y0 < 0 or x1 > width or y1 > height:
            return False
        if any(x0 < b1 and b0 < x1 and y0 < c1 and c0 < y1 for b0, c0, b1, c1 in boxes):
            return False
        for i, (cx, cy, r) in enumerate(circles):
            if i == own:
                continue
            nearest_x, nearest_y = min(max(cx, x0), x1), min(max(cy, y0), y1)
            if (nearest_x - cx) ** 2 + (nearest_y - cy) ** 2 < r * r:
                return False
        return True

    placed: list[dict[str, Any] | None] = []
    for own, node in enumerate(nodes):
        name = str(node["name"])
        text = name if len(name) <= longest else name[: longest - 1] + "…"
        w, h = len(text) * CHAR_WIDTH, LABEL_HEIGHT
        x, y, r = circles[own]
        options = (
            ((x - w / 2, y - r - 2 - h, x + w / 2, y - r - 2), "middle", x, y - r - 4),
            ((x - w / 2, y + r + 2, x + w / 2, y + r + 2 + h), "middle", x, y + r + h),
            ((x + r + 3, y - h / 2, x + r + 3 + w, y + h / 2), "start", x + r + 3, y + 4),
            ((x - r - 3 - w, y - h / 2, x - r - 3, y + h / 2), "end", x - r - 3, y + 4),
        )
        for box, anchor, lx, ly in options:
            if free(box, own):
                boxes.append(box)
                placed.append(
                    {"x": round(lx, 1), "y": round(ly, 1), "anchor": anchor, "text": text}
                )
                break
        else:
            placed.append(None)
    return placed
