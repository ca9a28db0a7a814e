"""Time of the framing stage against spaCy's own parse, on the same news articles.

Run from the project root::

    .venv/bin/python benchmarks/framing_speed.py ../shared/data/news/reuters21578.jsonl \\
        ../shared/data/news/guardian_middle_east.jsonl --articles 200

For each JSON Lines file, the first ``--articles`` records with a ``text`` are analysed
in batches of 16 by language, parse, entities, actors and framing (what framing needs).
Each stage is timed around its call, in wall seconds and in CPU seconds of this process
(``time.process_time``, less disturbed by other work on a shared machine); the ratio
reported is framing over parse, which the issue requires to stay below 0.2.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

from newsgraph.model import Analysis, Article
from newsgraph.pipeline import Stage
from newsgraph.settings import Settings
from newsgraph.stages.actors import ActorsStage
from newsgraph.stages.entities import EntitiesStage
from newsgraph.stages.framing import FramingStage
from newsgraph.stages.language import LanguageStage
from newsgraph.stages.parse import ParseStage

BATCH = 16


def measure(path: Path, articles: int, stages: list[Stage]) -> dict[str, Any]:
    """Wall and CPU seconds per stage over the first ``articles`` texts of ``path``."""
    texts = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            text = json.loads(line).get("text")
            if text:
                texts.append(text)
            if len(texts) == articles:
                break
    wall: dict[str, float] = {}
    cpu: dict[str, float] = {}
    annotations = 0
    for first in range(0, len(texts), BATCH):
        batch = [Analysis(Article.from_text(t)) for t in texts[first : first + BATCH]]
        for stage in stages:
            began, began_cpu = time.perf_counter(), time.process_time()
            batch = stage(batch)
            wall[stage.name] = wall.get(stage.name, 0.0) + time.perf_counter() - began
            cpu[stage.name] = cpu.get(stage.name, 0.0) + time.process_time() - began_cpu
        annotations += sum(len(a.annotations) for a in batch)
    return {
        "data": path.name,
        "articles": len(texts),
        "characters": sum(map(len, texts)),
        "annotations": annotations,
        "wall_seconds": {k: round(v, 2) for k, v in wall.items()},
        "cpu_seconds": {k: round(v, 2) for k, v in cpu.items()},
        "framing_over_parse_wall": round(wall["framing"] / wall["parse"], 3),
        "framing_over_parse_cpu": round(cpu["framing"] / cpu["parse"], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", type=Path, nargs="+", help="JSON Lines files with a text field")
    parser.add_argument("--articles", type=int, default=200)
    args = parser.parse_args()
    settings = Settings()
    stages: list[Stage] = [
        LanguageStage(settings),
        ParseStage(settings),
        EntitiesStage(settings),
        ActorsStage(settings),
        FramingStage(settings),
    ]
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs"
    print(json.dumps({"machine": machine, "load_average": os.getloadavg()}))
    for path in args.files:
        print(json.dumps(measure(path, args.articles, stages)))
    print(json.dumps({"load_average": os.getloadavg()}))


if __name__ == "__main__":
    main()
