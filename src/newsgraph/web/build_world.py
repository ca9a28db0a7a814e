"""Build the offline world outline the map page draws under event locations.

The outline ships inside the package (``static/world.svg``) so the map needs no tile
server and no network. It is generated once, at development time, from the TopoJSON of
the npm package ``world-atlas`` (Natural Earth 1:110m country shapes, public domain;
package ISC-licensed, see ``static/world-LICENSE.txt``)::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python -m newsgraph.web.build_world package/countries-110m.json

The projection is equirectangular (plate carrée): x = longitude + 180, y = 90 - latitude,
in a 360 × 180 view box, which is the projection :mod:`newsgraph.web.charts` uses for the
event points. Coordinates are rounded to 0.1 degree, which keeps the file near 60 KB.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

OUT = Path(__file__).parent / "static" / "world.svg"


def _decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Absolute longitude/latitude points of every arc (TopoJSON arcs are delta-encoded)."""
    transform = topology.get("transform")
    arcs: list[list[tuple[float, float]]] = []
    for arc in topology["arcs"]:
        points: list[tuple[float, float]] = []
        x = y = 0.0
        for position in arc:
            if transform:
                x += position[0]
                y += position[1]
                sx, sy = transform["scale"]
                tx, ty = transform["translate"]
                points.append((x * sx + tx, y * sy + ty))
            else:
                points.append((float(position[0]), float(position[1])))
        arcs.append(points)
    return arcs


def _ring(
    indices: Sequence[int], arcs: list[list[tuple[float, float]]]
) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indices:
        # A negative index ~i means arc i walked backwards.
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def _number(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _path(ring: list[tuple[float, float]]) -> str:
    """SVG path data of one ring.

    A ring crossing the antimeridian is unwrapped (longitudes made continuous, so some
    fall outside -180..180) and drawn a second time shifted by a full turn; the view box
    clips what lies outside, so both halves show without a stripe across the map.
    """
    xs: list[float] = []
    ys: list[float] = []
    for lon, lat in ring:
        x = lon + 180
        if xs:
            while x - xs[-1] > 180:
                x -= 360
            while xs[-1] - x > 180:
                x += 360
        xs.append(x)
        ys.append(90 - lat)
    shifts = [0.0]
    if max(xs) > 360.05:
        shifts.append(-360.0)
    if min(xs) < -0.05:
        shifts.append(360.0)
    out = []
    for shift in shifts:
        points: list[str] = []
        for x, y in zip(xs, ys, strict=True):
            point = f"{_number(x + shift)} {_number(y)}"
            if not points or points[-1] != point:
                points.append(point)
        if len(points) >= 3:
            out.append("M" + "L".join(points) + "Z")
    return "".join(out)


def outline_svg(topology: dict[str, Any]) -> str:
    """Return an SVG document with one path per country of a world-atlas topology."""
    arcs = _decode_arcs(topology)
    paths: list[str] = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        data = "".join(_path(_ring(ring, arcs)) for polygon in polygons for ring in polygon)
        if data:
            paths.append(f'<path d="{data}"/>')
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 360 180">'
        "<!-- Natural Earth 1:110m (public domain) via world-atlas 2.0.2 (ISC) -->"
        '<g fill="#dfe3e8" stroke="#9aa5b1" stroke-width="0.15" stroke-linejoin="round">'
        + "".join(paths)
        + "</g></svg>\n"
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Write ``static/world.svg`` from a ``countries-110m.json`` path given on the command line."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        raise SystemExit("usage: python -m newsgraph.web.build_world countries-110m.json")
    topology = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    OUT.write_text(outline_svg(topology), encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
