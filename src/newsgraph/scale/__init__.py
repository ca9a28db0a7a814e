"""Scale-out: the same ingest on several worker processes, locally or on Dask.

The data flow, module by module::

    partitions.py   inputs → partitions (whole files, record ranges of JSONL/WARC)
    worker.py       partition → rows (in a worker: pipeline loaded once per process)
    processes.py    engine: a local process pool, results returned to the parent
    cluster.py      engine: Dask distributed, results written as Parquet shards
    shards.py       rows ↔ Parquet shards and a manifest, in a run folder
    merge.py        rows → the DuckDB store (the parent; one transaction per partition)
    run.py          ParallelIngest / run_parallel: plan, run an engine, merge, report

Example::

    from newsgraph import load_settings
    from newsgraph.scale import run_parallel

    report = run_parallel(["examples/demo"], load_settings(db="demo.duckdb"), workers=2)
"""

from newsgraph.scale.run import ENGINES, Engine, ParallelIngest, Tuning, run_parallel
from newsgraph.scale.worker import WorkerStats

__all__ = ["ENGINES", "Engine", "ParallelIngest", "Tuning", "WorkerStats", "run_parallel"]
