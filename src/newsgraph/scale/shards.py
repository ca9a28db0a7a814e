"""Partition results as files: one Parquet shard per table, and a manifest written last.

A Dask task writes its partition's rows into the run folder rather than sending them
through the scheduler. Every file is written under a temporary name and renamed into
place, and the manifest (``part-000012.json``) goes last, so a partition whose
manifest exists is complete; a task run twice (after its worker died) writes the same
files again. The parent reads shards back with :func:`read_shards` and merges them.
"""

from __future__ import annotations

import dataclasses
import json
import os
import uuid
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from newsgraph.scale.worker import PartitionResult, WorkerStats


def manifest_path(folder: Path, index: int) -> Path:
    """Where the manifest of partition ``index`` lives."""
    return folder / f"part-{index:06d}.json"


def write_shards(result: PartitionResult, folder: Path) -> dict[str, Any]:
    """Write ``result`` into ``folder``; return its manifest (also written, last)."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"part-{result.index:06d}"
    files: dict[str, str] = {}
    for name, table in result.tables.items():
        if table.num_rows:
            target = folder / f"{stem}.{name}.parquet"
            _replace_with(target, lambda path, table=table: pq.write_table(table, path))
            files[name] = target.name
    manifest = {
        "index": result.index,
        "label": result.label,
        "inputs": result.inputs,
        "ids": result.ids,
        "outcomes": result.outcomes,
        "seconds_by_stage": result.seconds_by_stage,
        "versions": result.versions,
        "worker": dataclasses.asdict(result.worker),
        "files": files,
    }
    text = json.dumps(manifest)
    _replace_with(manifest_path(folder, result.index), lambda path: path.write_text(text))
    return manifest


def read_shards(folder: Path, index: int, *, schemas: dict[str, pa.Schema]) -> PartitionResult:
    """Read back the partition ``index`` written by :func:`write_shards`.

    ``schemas`` gives the (empty) tables a partition had no rows for.
    """
    manifest = json.loads(manifest_path(folder, index).read_text())
    tables = {
        name: pq.read_table(folder / manifest["files"][name])
        if name in manifest["files"]
        else schema.empty_table()
        for name, schema in schemas.items()
    }
    return PartitionResult(
        index=manifest["index"],
        label=manifest["label"],
        inputs=manifest["inputs"],
        ids=manifest["ids"],
        outcomes=manifest["outcomes"],
        tables=tables,
        seconds_by_stage=manifest["seconds_by_stage"],
        versions=manifest["versions"],
        worker=WorkerStats(**manifest["worker"]),
    )


def _replace_with(target: Path, write: Any) -> None:
    temporary = target.with_name(f".{target.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        write(temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
