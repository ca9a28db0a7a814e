"""The ``dask`` engine: the same partitions as tasks on a Dask distributed cluster.

A :class:`distributed.LocalCluster` (processes, one thread each) is started unless a
scheduler address is given. Each task analyses one partition in a worker process,
where the pipeline is built once and kept (:func:`~newsgraph.scale.worker.loaded_pipeline`),
and writes the partition's rows as Parquet shards into the run folder
(:mod:`newsgraph.scale.shards`); only the partition number travels back. The parent
merges shards in partition order as they complete.

Dask reruns the tasks of a worker that dies on another worker. A task whose workers
die ``max_attempts`` times is rejected whole (``worker:crashed``); any other task
error stops the run. These two scheduler settings (``allowed-failures``, and a
``worker-saturation`` of 1.0 so that a dying worker holds no queued task) apply to the
local cluster; an existing scheduler keeps its own configuration. Workers must see
the input files and the run folder at the same paths as the parent (a shared file
system on a cluster).
"""

from __future__ import annotations

import functools
import importlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from newsgraph.errors import ConfigError
from newsgraph.model import Rejection
from newsgraph.scale.partitions import Partition
from newsgraph.scale.shards import write_shards
from newsgraph.scale.worker import Job, KnownIds, analyse_partition

Delivered = Callable[[int | Rejection, Partition], None]


def save_known(known: KnownIds, path: Path) -> None:
    """Write the known article ids where workers can load them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, known.keys)


@functools.lru_cache(maxsize=1)
def _load_known(path: str) -> KnownIds:
    return KnownIds(np.load(path))


def shard_task(partition: Partition, job: Job, known_path: str, folder: str) -> int:
    """The Dask task: analyse one partition and write its shards; return its index."""
    result = analyse_partition(partition, job, _load_known(known_path))
    write_shards(result, Path(folder))
    return partition.index


def run_dask(
    partitions: list[Partition],
    job: Job,
    known_path: Path,
    folder: Path,
    *,
    ready: set[int],
    scheduler: str | None,
    workers: int,
    max_attempts: int,
    deliver: Delivered,
) -> None:
    """Run ``partitions`` on Dask; ``deliver`` each partition's index (shards written) in order.

    Partitions in ``ready`` already have their shards and are not run again.
    ``deliver`` gets a rejection instead for a partition whose workers kept dying.

    Raises:
        ConfigError: when Dask is not installed or the scheduler cannot be reached.
    """
    try:
        # Typed as Any: Dask is an optional dependency, absent where it is not installed.
        dask: Any = importlib.import_module("dask")
        distributed: Any = importlib.import_module("distributed")
    except ImportError as exc:
        raise ConfigError(
            "the dask engine needs Dask distributed",
            hint="pip install 'newsgraph[dask]', or use --engine local",
        ) from exc
    cluster: Any = None
    config = {
        # A task may be on this many workers that die before it is given up (KilledWorker).
        "distributed.scheduler.allowed-failures": max(0, max_attempts - 1),
        # A worker holds only the task it runs: a worker that dies then takes no queued
        # (innocent) task down with it, and long tasks spread evenly.
        "distributed.scheduler.worker-saturation": 1.0,
    }
    with dask.config.set(config):
        try:
            if scheduler:
                client = distributed.Client(scheduler, timeout="30s")
            else:
                cluster = distributed.LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",  # any free port: never clash with another cluster
                    silence_logs=logging.ERROR,
                )
                client = distributed.Client(cluster)
        except OSError as exc:
            raise ConfigError(
                f"cannot reach the Dask scheduler at {scheduler}: {exc}",
                hint="check the address (tcp://HOST:8786) and that the scheduler is running",
            ) from exc
        try:
            _collect(distributed, client, partitions, job, known_path, folder, ready, deliver)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def _collect(
    distributed: Any,
    client: Any,
    partitions: list[Partition],
    job: Job,
    known_path: Path,
    folder: Path,
    ready: set[int],
    deliver: Delivered,
) -> None:
    futures: dict[Any, Partition] = {
        client.submit(
            shard_task,
            partition,
            job,
            str(known_path),
            str(folder),
            key=f"newsgraph-{job.run_id}-{partition.index:06d}",
            pure=False,
            retries=1,
        ): partition
        for partition in partitions
        if partition.index not in ready
    }
    by_index = {partition.index: partition for partition in partitions}
    order = [partition.index for partition in partitions]
    done: dict[int, int | Rejection] = {index: index for index in ready}
    delivered = 0

    def deliver_in_order() -> None:
        nonlocal delivered
        while delivered < len(order) and order[delivered] in done:
            index = order[delivered]
            deliver(done.pop(index), by_index[index])
            delivered += 1

    try:
        deliver_in_order()
        for future in distributed.as_completed(futures):
            partition = futures[future]
            try:
                done[partition.index] = future.result()
            except distributed.scheduler.KilledWorker:
                done[partition.index] = _crashed(partition)
            future.release()
            deliver_in_order()
    except BaseException:
        client.cancel(list(futures))
        raise


def _crashed(partition: Partition) -> Rejection:
    return Rejection(
        input=partition.label,
        stage="worker",
        kind="crashed",
        reason="every Dask worker that analysed these records died (out of memory, or a "
        "crash in native code); they were not analysed",
    )
