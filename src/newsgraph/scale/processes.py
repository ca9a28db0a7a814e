"""The ``processes`` engine: a local pool of worker processes, no dependency beyond Python.

Each worker is a spawned process that builds the pipeline once, in the pool's
initializer, and then analyses partitions as the parent hands them out, returning
each partition's rows through the pool. The parent merges results in partition
order, keeping a bounded number of partitions in flight.

A worker that dies (killed, out of memory, a crash in native code) breaks a
:class:`~concurrent.futures.ProcessPoolExecutor`; the parent then starts a new pool
and runs the partitions that were in flight again, one at a time, so that the one
that killed the worker is found. A partition that kills its worker alone
``max_attempts`` times is rejected whole (``worker:crashed``) and the run goes on.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from newsgraph.errors import ConfigError
from newsgraph.model import Rejection
from newsgraph.scale.partitions import Partition
from newsgraph.scale.worker import (
    Job,
    KnownIds,
    PartitionResult,
    analyse_partition,
    loaded_pipeline,
)

#: Thread pools of the numeric libraries (numpy's OpenBLAS, OpenMP, MKL). Each worker is
#: one process per core, so each keeps one thread: with a BLAS thread per core in every
#: worker, two workers on two cores spent a quarter more CPU time for the same work and
#: scaled 1.6x instead of 2x (see docs/scale.md).
SINGLE_THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@contextlib.contextmanager
def single_threaded_children() -> Iterator[None]:
    """Processes spawned inside the block get one numeric-library thread each (unless
    the user set these variables); the parent's environment is restored afterwards."""
    added = [name for name in SINGLE_THREAD_ENV if name not in os.environ]
    for name in added:
        os.environ[name] = "1"
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


# Set in each worker by _start_worker.
_JOB: Job | None = None
_KNOWN = KnownIds()
_LOAD_ERROR: BaseException | None = None


#: How often a worker checks that the process that started it is alive.
PARENT_CHECK_SECONDS = 1.0
_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """End this process when ``parent`` dies, even by SIGKILL (which lets the parent clean
    nothing up): pool workers would otherwise live on, holding memory, after the run.

    On Linux the kernel sends SIGKILL at the parent's death (``prctl(PR_SET_PDEATHSIG)``);
    everywhere, a daemon thread also checks every :data:`PARENT_CHECK_SECONDS` that the
    parent is still this process's parent, and exits when it is not.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    if os.getppid() != parent:  # the parent died before this process got here
        os._exit(1)
    threading.Thread(target=watch, name="newsgraph-parent-watch", daemon=True).start()


def _start_worker(job: Job, known: KnownIds, parent: int) -> None:
    """Pool initializer: die with the parent, keep the run's job and build its pipeline
    (models load here)."""
    global _JOB, _KNOWN, _LOAD_ERROR
    die_with_parent(parent)
    _JOB, _KNOWN = job, known
    try:
        loaded_pipeline(job.settings, job.factory)
    except Exception as exc:  # raised again by the first task, where the parent sees it
        _LOAD_ERROR = exc


def _ready() -> None:
    """Raise what went wrong while the worker started, if anything did."""
    if _LOAD_ERROR is not None:
        raise _LOAD_ERROR


def _run_partition(partition: Partition) -> PartitionResult:
    _ready()
    assert _JOB is not None, "the pool initializer did not run"
    return analyse_partition(partition, _JOB, _KNOWN)


def run_processes(
    partitions: list[Partition],
    job: Job,
    known: KnownIds,
    *,
    workers: int,
    max_attempts: int,
    deliver: Callable[[PartitionResult | Rejection, Partition], None],
) -> None:
    """Analyse ``partitions`` on ``workers`` processes; ``deliver`` each outcome in order.

    ``deliver`` gets each partition's result, or a rejection when the partition
    killed its worker ``max_attempts`` times, in partition order.

    Raises:
        ConfigError: when worker processes keep dying before they are ready.
    """
    dispatch = _Dispatch(partitions, window=max(1, workers), max_attempts=max_attempts)
    dispatch.deliver = deliver
    context = multiprocessing.get_context("spawn")
    with single_threaded_children():
        _run_pools(dispatch, context, job, known, max_attempts)


def _run_pools(
    dispatch: _Dispatch,
    context: multiprocessing.context.SpawnContext,
    job: Job,
    known: KnownIds,
    max_attempts: int,
) -> None:
    """Start pools until every partition is delivered (a broken pool is replaced)."""
    failed_starts = 0
    while dispatch.pending:
        with ProcessPoolExecutor(
            max_workers=dispatch.window,
            mp_context=context,
            initializer=_start_worker,
            initargs=(job, known, os.getpid()),
        ) as pool:
            try:
                # Start every worker now, so that all load the models at once; a worker
                # that cannot start (or load them) is not a partition's fault.
                for ping in [pool.submit(_ready) for _ in range(dispatch.window)]:
                    ping.result()
            except BrokenProcessPool as exc:
                failed_starts += 1
                if failed_starts >= max_attempts:
                    raise ConfigError(
                        f"worker processes died {failed_starts} times while starting",
                        hint="see the errors above; a script that starts a parallel run "
                        "must guard it with `if __name__ == '__main__':`",
                    ) from exc
                continue
            failed_starts = 0
            _drain(pool, dispatch)


def _drain(pool: ProcessPoolExecutor, dispatch: _Dispatch) -> None:
    """Run partitions on ``pool`` until none is left, or a worker dies and breaks it."""
    running: dict[Future[PartitionResult], Partition] = {}
    while True:
        while (partition := dispatch.next_partition(len(running))) is not None:
            try:
                running[pool.submit(_run_partition, partition)] = partition
            except BrokenProcessPool:  # a worker died while none of its tasks ran
                dispatch.lost([partition, *running.values()], blame=False)
                return
        if not running:
            return
        finished, _ = wait(running, return_when=FIRST_COMPLETED)
        lost: list[Partition] = []
        for future in finished:
            partition = running.pop(future)
            try:
                result = future.result()
            except BrokenProcessPool:
                lost.append(partition)
            except Exception as exc:  # raised by a task, not a crash: this partition only
                dispatch.finished(partition, _failed(partition, exc))
            else:
                dispatch.finished(partition, result)
        if lost:
            dispatch.lost([*lost, *running.values()], blame=True)
            return


class _Dispatch:
    """Which partition runs next, which to run again after a crash, and in-order delivery.

    When a worker dies, every partition in flight is a suspect. Suspects then run
    one at a time, so that a crash points at the partition that caused it; that one
    is rejected after ``max_attempts`` crashes, and the others are cleared.
    """

    def __init__(self, partitions: list[Partition], *, window: int, max_attempts: int) -> None:
        self.window = window
        self.max_attempts = max_attempts
        self.queue = deque(partitions)
        self.suspects: deque[Partition] = deque()
        self.crashes: dict[int, int] = {}
        self.done: dict[int, PartitionResult | Rejection] = {}
        self.order = [partition.index for partition in partitions]
        self.by_index = {partition.index: partition for partition in partitions}
        self.delivered = 0
        self.deliver: Callable[[PartitionResult | Rejection, Partition], None] = _ignore

    @property
    def pending(self) -> bool:
        """Whether partitions remain to be run."""
        return bool(self.queue or self.suspects)

    def next_partition(self, running: int) -> Partition | None:
        """The partition to submit now, or None to wait for one in flight."""
        if self.suspects:
            return self.suspects.popleft() if running == 0 else None
        if not self.queue or running >= self.window:
            return None
        # Results waiting for an earlier partition are bounded in number.
        first = self.queue[0].index == self.order[self.delivered]
        if len(self.done) >= 4 * self.window and not first:
            return None
        return self.queue.popleft()

    def finished(self, partition: Partition, result: PartitionResult | Rejection) -> None:
        """Record an outcome; deliver every outcome now in order."""
        self.done[partition.index] = result
        while self.delivered < len(self.order) and self.order[self.delivered] in self.done:
            index = self.order[self.delivered]
            self.deliver(self.done.pop(index), self.by_index[index])
            self.delivered += 1

    def lost(self, partitions: list[Partition], *, blame: bool) -> None:
        """A worker died with ``partitions`` in flight; blame one when it ran alone."""
        if blame and len(partitions) == 1:
            (partition,) = partitions
            self.crashes[partition.index] = self.crashes.get(partition.index, 0) + 1
            if self.crashes[partition.index] >= self.max_attempts:
                self.finished(partition, _crashed(partition, self.max_attempts))
                return
        self.suspects.extend(sorted(partitions, key=lambda p: p.index))


def _ignore(outcome: PartitionResult | Rejection, partition: Partition) -> None:
    pass


def _crashed(partition: Partition, attempts: int) -> Rejection:
    return Rejection(
        input=partition.label,
        stage="worker",
        kind="crashed",
        reason=f"the worker process died {attempts} times while analysing these records "
        "(out of memory, or a crash in native code); they were not analysed",
    )


def _failed(partition: Partition, exc: Exception) -> Rejection:
    return Rejection(
        input=partition.label,
        stage="worker",
        kind="failed",
        reason=f"analysing these records failed ({type(exc).__name__}: {exc}); "
        "they were not analysed",
    )
