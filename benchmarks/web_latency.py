"""Latency of every explorer page and its JSON twin, through a real HTTP server.

Run from the project root on a database built by ``newsgraph ingest``::

    .venv/bin/python benchmarks/web_latency.py --db news20k.duckdb --requests 40

The server (``newsgraph.web.serve``: uvicorn, one process, default settings) runs in a
child process on a free loopback port; this process sends the requests one after the
other with httpx over a kept-alive connection and times each from sending to the last
byte of the body. Parameters vary from request to request, drawn (with a fixed seed)
from the database itself: article ids, actor names, GeoNames ids, search words, event
filters, sort keys and pages, so the figures are not those of one cached answer.
Summaries that depend only on the snapshot (dashboard, actor and place lists, map,
network for given filters) are computed once per snapshot by design, and the first
request of each route is sent before the clock starts (``--warmup``).

Reported per route: requests, p50, p95 and max in milliseconds; the run fails (exit 1)
when a p95 exceeds ``--budget-ms`` (150). ``--json OUT`` writes every figure, with the
database's counts, the time the server took to take and prepare its snapshot, and the
machine's CPU count and load average at the start and the end.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import socket
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx


def _serve(db: str, port: int) -> None:
    from newsgraph.web import serve

    serve(db, port=port, log_level="warning")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


Route = tuple[str, Callable[[random.Random], dict[str, Any]]]


def _routes(client: httpx.Client) -> list[Route]:
    """Each page with a generator of varied, realistic parameters."""
    actors = [a["name"] for a in client.get("/actors.json", params={"limit": 200}).json()["actors"]]
    places = [
        p["geonameid"]
        for p in client.get("/places.json", params={"limit": 200}).json()["places"]
        if p["geonameid"] is not None
    ]
    facets = client.get("/index.json").json()["facets"]
    types = [t["value"] for t in facets["types"]]
    statuses = [s["value"] for s in facets["statuses"]]
    article_ids: list[str] = []
    for page in range(1, 11):
        rows = client.get("/articles.json", params={"page": page, "size": 200}).json()
        article_ids += [a["id"] for a in rows["articles"]]
    words = [
        "oil",
        "prices",
        "trade",
        "bank",
        "minister",
        "talks",
        "election",
        "dollar",
        '"interest rates"',
        "strike",
        "government",
        "exports",
        "police",
        "war",
    ]
    sorts = ["date", "type", "status", "actors", "place", "goldstein", "confidence"]

    def events(rng: random.Random) -> dict[str, Any]:
        params: dict[str, Any] = {"page": rng.randint(1, 5)}
        choice = rng.randrange(6)
        if choice == 1:
            params["actor"] = rng.choice(actors)
        elif choice == 2:
            params["type"] = rng.choice(types)
        elif choice == 3:
            params["status"] = rng.choice(statuses)
        elif choice == 4:
            params["recipient"] = rng.choice(actors)
        elif choice == 5:
            params["since"] = f"{rng.randint(1987, 2005)}"
        if rng.random() < 0.5:
            params["sort"] = rng.choice(sorts)
            params["order"] = rng.choice(["asc", "desc"])
        return params

    def network(rng: random.Random) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if rng.random() < 0.3:
            params["type"] = rng.choice(types)
        if rng.random() < 0.3:
            params["actor"] = rng.choice(actors[:40])
        if rng.random() < 0.2:
            params["since"] = rng.choice(months)
        return params

    def listing(names: list[str], sorts: list[str]) -> Callable[[random.Random], dict[str, Any]]:
        def make(rng: random.Random) -> dict[str, Any]:
            params: dict[str, Any] = {"page": rng.randint(1, 3), "size": 50}
            if rng.random() < 0.5 and names:
                params["name"] = rng.choice(names).split()[-1][:6].lower()
            params["sort"] = rng.choice(sorts)
            params["order"] = rng.choice(["asc", "desc"])
            return params

        return make

    def actor(rng: random.Random) -> dict[str, Any]:
        name = rng.choice(actors)  # in any case: found, or offered as choices (HTTP 300)
        return {"name": name.lower() if rng.random() < 0.5 else name}

    def claims(rng: random.Random) -> dict[str, Any]:
        choice = rng.randrange(3)
        if choice == 1 and stories:
            return {"story": rng.choice(stories)}
        if choice == 2:
            return {"actor": rng.choice(actors[:60])}
        return {}

    months = sorted({row["month"] for row in client.get("/timeline.json").json()["months"]})
    event_ids: list[str] = []
    for page in range(1, 6):
        rows = client.get("/events.json", params={"page": page, "size": 200}).json()
        event_ids += [e["id"] for e in rows["events"]]
    place_names = [
        p["name"] for p in client.get("/places.json", params={"limit": 200}).json()["places"]
    ]

    stories: list[int] = []
    found = client.get("/stories.json", params={"size": 200})
    if found.status_code == 200:
        stories = [story["id"] for story in found.json()["stories"]]

    routes: list[Route] = [
        ("/", lambda rng: {}),
        ("/search", lambda rng: {"q": rng.choice(words), "page": rng.randint(1, 3)}),
        ("/articles", lambda rng: {"page": rng.randint(1, 50)}),
        ("/articles/{id}", lambda rng: {"id": rng.choice(article_ids)}),
        ("/events", events),
        ("/events/{id}", lambda rng: {"id": rng.choice(event_ids)}),
        ("/actors", listing(actors, ["articles", "name", "mentions", "country"])),
        ("/actor", actor),
        ("/places", listing(place_names, ["articles", "name", "country"])),
        ("/place", lambda rng: {"geonameid": rng.choice(places)}),
        ("/map", lambda rng: {"type": rng.choice(["", *types[:4]])}),
        ("/network", network),
        ("/timeline", lambda rng: {"type": rng.choice(["", *types[:4]])}),
        ("/claims", claims),
    ]
    if stories:  # only once the stories stage has run on the database
        routes.append(("/stories", lambda rng: {"page": rng.randint(1, 3)}))
        routes.append(("/stories/{id}", lambda rng: {"id": rng.choice(stories)}))
    return routes


def _measure(
    client: httpx.Client,
    route: str,
    make: Callable[[random.Random], dict[str, Any]],
    *,
    twin: bool,
    requests: int,
    warmup: int,
    seed: int,
) -> list[float]:
    rng = random.Random(seed)
    timings: list[float] = []
    for n in range(warmup + requests):
        params = make(rng)
        path = route.replace("{id}", str(params.pop("id", "")))
        if twin:
            path = "/index.json" if path == "/" else f"{path}.json"
        start = time.perf_counter()
        response = client.get(path, params=params)
        _ = response.content
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code not in (200, 300):  # 300: choices for an ambiguous name
            raise SystemExit(f"{path} {params}: HTTP {response.status_code}")
        if n >= warmup:
            timings.append(elapsed)
    return timings


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Start the server, measure every route, return the figures."""
    port = _free_port()
    context = multiprocessing.get_context("spawn")
    started = time.perf_counter()
    server = context.Process(target=_serve, args=(str(args.db), port), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{port}"
    load_start = os.getloadavg()
    try:
        with httpx.Client(base_url=base, timeout=120) as client:
            while True:
                try:
                    if client.get("/status.json").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if not server.is_alive():
                    raise SystemExit("the server stopped; see its output above")
                time.sleep(0.2)
            ready = time.perf_counter() - started
            counts = client.get("/index.json").json()["counts"]
            results = []
            for index, (route, make) in enumerate(_routes(client)):
                for twin in (False, True):
                    timings = _measure(
                        client,
                        route,
                        make,
                        twin=twin,
                        requests=args.requests,
                        warmup=args.warmup,
                        seed=args.seed + index,
                    )
                    name = (
                        route if not twin else ("/index.json" if route == "/" else f"{route}.json")
                    )
                    results.append(
                        {
                            "route": name,
                            "requests": len(timings),
                            "p50_ms": round(statistics.median(timings), 1),
                            "p95_ms": round(_percentile(timings, 0.95), 1),
                            "max_ms": round(max(timings), 1),
                        }
                    )
                    print(
                        f"{name:22s} p50 {results[-1]['p50_ms']:7.1f}  "
                        f"p95 {results[-1]['p95_ms']:7.1f}  max {results[-1]['max_ms']:7.1f} ms",
                        flush=True,
                    )
    finally:
        server.terminate()
        server.join(timeout=10)
    return {
        "database": str(args.db),
        "counts": counts,
        "server_ready_seconds": round(ready, 2),
        "requests_per_route": args.requests,
        "budget_ms": args.budget_ms,
        "results": results,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_start": [round(x, 2) for x in load_start],
            "load_end": [round(x, 2) for x in os.getloadavg()],
        },
    }


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", type=Path, required=True, help="newsgraph DuckDB file")
    parser.add_argument("--requests", type=int, default=40, help="timed requests per route")
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests per route first")
    parser.add_argument("--budget-ms", type=float, default=150.0, help="largest p95 allowed")
    parser.add_argument("--seed", type=int, default=7, help="seed of the parameter choices")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; exit status 1 when a route's p95 is over budget."""
    args = parse_args(argv)
    if not args.db.exists():
        raise SystemExit(f"no database at {args.db}")
    report = run(args)
    print(
        f"\n{report['counts']['articles']:,} articles, {report['counts']['events']:,} events; "
        f"server ready in {report['server_ready_seconds']} s; "
        f"load {report['machine']['load_start']} → {report['machine']['load_end']}"
    )
    over = [r for r in report["results"] if r["p95_ms"] > args.budget_ms]
    for row in over:
        print(f"over budget: {row['route']} p95 {row['p95_ms']} ms > {args.budget_ms} ms")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
