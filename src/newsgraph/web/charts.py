"""Geometry for the hand-drawn SVG charts: bars, lines, map points and a force layout.

Charts are computed here and drawn by the templates as plain SVG (no chart library, no
script needed to see them). Coordinates are in each chart's own view box.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Bar:
    """One stacked bar piece: a rectangle with its colour and tooltip."""

    x: float
    y: float
    width: float
    height: float
    fill: str
    title: str


def timeline_bars(
    rows: Sequence[dict[str, Any]], *, width: float = 800, height: float = 200
) -> dict[str, Any]:
    """Stacked bars of events per month and type, from ``event_timeline`` rows.

    Months without events are left out (the axis labels say which months are shown);
    at most the latest 120 months are drawn.
    """
    months = sorted({str(row["month"]) for row in rows})[-120:]
    if not months:
        return {"bars": [], "labels": [], "width": width, "height": height, "max": 0}
    totals = dict.fromkeys(months, 0)
    for row in rows:
        if row["month"] in totals:
            totals[row["month"]] += int(row["events"])
    top = max(totals.values()) or 1
    step = width / len(months)
    bar_width = max(step * 0.8, 1.0)
    stacked = dict.fromkeys(months, 0.0)
    bars: list[Bar] = []
    index = {month: i for i, month in enumerate(months)}
    for row in rows:
        month = str(row["month"])
        if month not in index:
            continue
        h = int(row["events"]) / top * (height - 20)
        stacked[month] += h
        bars.append(
            Bar(
                x=round(index[month] * step + (step - bar_width) / 2, 2),
                y=round(height - stacked[month], 2),
                width=round(bar_width, 2),
                height=round(h, 2),
                fill=colour(row["plover_type"]),
                title=f"{month}: {row['events']} {row['plover_type']}",
            )
        )
    every = max(1, math.ceil(len(months) / 12))
    labels = [
        {"x": round(i * step + step / 2, 1), "text": month}
        for i, month in enumerate(months)
        if i % every == 0
    ]
    return {"bars": bars, "labels": labels, "width": width, "height": height, "max": top}


def line_points(
    rows: Sequence[dict[str, Any]], key: str, *, width: float = 600, height: float = 160
) -> dict[str, Any]:
    """A polyline of ``key`` per month (values from -10 to 10 mapped to the height)."""
    if not rows:
        return {"points": "", "dots": [], "width": width, "height": height}
    step = width / max(len(rows) - 1, 1)
    dots = []
    for i, row in enumerate(rows):
        value = max(-10.0, min(10.0, float(row[key] or 0)))
        dots.append(
            {
                "x": round(i * step, 1),
                "y": round(height / 2 - value / 10 * (height / 2 - 5), 1),
                "title": f"{row['month']}: {row[key]} ({row.get('articles', '?')} articles)",
            }
        )
    return {
        "points": " ".join(f"{d['x']},{d['y']}" for d in dots),
        "dots": dots,
        "width": width,
        "height": height,
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
    iterations: int | None = None,
    seed: int = 7,
) -> dict[str, tuple[float, float]]:
    """Fruchterman–Reingold positions for a small graph (deterministic for a given seed).

    Each step costs n² work, so larger graphs get fewer steps (120 up to 100 nodes, down
    to 40): a page with the largest network allowed still renders in a fraction of a second.
    """
    n = len(nodes)
    if n == 0:
        return {}
    if iterations is None:
        iterations = max(40, min(120, 12_000 // n))
    index = {name: i for i, name in enumerate(nodes)}
    rng = np.random.default_rng(seed)
    pos = rng.uniform(-1.0, 1.0, size=(n, 2))
    src = np.array([index[a] for a, b, _ in edges if a in index and b in index], dtype=int)
    dst = np.array([index[b] for a, b, _ in edges if a in index and b in index], dtype=int)
    weight = np.array(
        [math.log1p(w) for a, b, w in edges if a in index and b in index], dtype=float
    )
    k = 1.6 * math.sqrt(4.0 / n)  # ideal edge length: nodes share a 2 × 2 square
    temperature = 0.3
    cooling = 0.02 ** (1 / iterations)  # the last steps move nodes 2 % as far as the first
    for _ in range(iterations):
        dx = pos[:, 0:1] - pos[:, 0]
        dy = pos[:, 1:2] - pos[:, 1]
        d2 = np.maximum(dx * dx + dy * dy, 1e-6)
        push = k * k / d2  # repulsion k²/d along the unit vector: (k²/d²) · delta
        move_x = (push * dx).sum(axis=1)
        move_y = (push * dy).sum(axis=1)
        if len(src):
            ex = pos[src, 0] - pos[dst, 0]
            ey = pos[src, 1] - pos[dst, 1]
            pull = np.sqrt(ex * ex + ey * ey) / k * (1 + weight)  # attraction d²/k
            move_x += np.bincount(dst, pull * ex, n) - np.bincount(src, pull * ex, n)
            move_y += np.bincount(dst, pull * ey, n) - np.bincount(src, pull * ey, n)
        # Gravity keeps separate components near the middle.
        move_x -= pos[:, 0] * 0.01 * n
        move_y -= pos[:, 1] * 0.01 * n
        length = np.maximum(np.sqrt(move_x * move_x + move_y * move_y), 1e-9)
        step = np.minimum(length, temperature) / length
        pos[:, 0] += move_x * step
        pos[:, 1] += move_y * step
        temperature *= cooling
    low, high = pos.min(axis=0), pos.max(axis=0)
    span = np.where(high - low > 1e-9, high - low, 1.0)
    margin = 40.0
    scaled = (pos - low) / span * np.array([width - 2 * margin, height - 2 * margin]) + margin
    return {
        name: (round(float(x), 1), round(float(y), 1))
        for name, (x, y) in zip(nodes, scaled, strict=True)
    }
