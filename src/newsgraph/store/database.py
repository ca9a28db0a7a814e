"""The embedded store: a DuckDB file holding articles, extractions, rejections and runs.

Writes go in batches, one transaction per batch, so a run killed at any point leaves
whole articles (with all their extractions) or nothing of them; re-running the same
command then adds exactly what is missing. The BM25 search index beside the database
(``<db>.search/``) is updated after each commit and caught up on the next open when a
run died between the two.
"""

from __future__ import annotations

import contextlib
import copy
import errno
import gc
import hashlib
import json
import logging
import re
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import duckdb

from newsgraph.errors import ResourceError, StorageError
from newsgraph.model import Analysis, Article, Rejection
from newsgraph.store.tables import (
    ALL_TABLES,
    ARTICLES,
    ITEM_TABLES,
    REJECTIONS,
    RUNS_DDL,
    TONES,
    assemble,
)

if TYPE_CHECKING:
    from newsgraph.pipeline import RunReport
    from newsgraph.store.search import SearchHit, SearchIndex

# 3: articles gained `removed`, `warnings` and `published_from` (docs/ingest.md, cleaning).
SCHEMA_VERSION = 3
INDEX_COMMIT_SECONDS = 2.0
#: Write-ahead log size at which DuckDB checkpoints. Its default (16 MB) checkpoints every
#: few batches, and each checkpoint rewrites the growing last row group of every table:
#: writing 6,000 analysed articles ran at 893 articles/s with the default and 1,193/s
#: with this value, the closing checkpoint included (docs/performance.md). The log is
#: replayed on the next open after a crash, and the explorer's snapshots copy it.
CHECKPOINT_THRESHOLD = "256MB"
#: How long a reader tries to copy a database that a writer keeps changing.
SNAPSHOT_TIMEOUT_SECONDS = 60.0
SNAPSHOT_RETRY_SECONDS = 0.2
#: How long a writer waits for another process to let the file go before failing.
WRITER_WAIT_SECONDS = 10.0

log = logging.getLogger("newsgraph.store")


def _now() -> datetime:
    return datetime.now(UTC)


#: What a write or an open that failed for lack of a resource says, what it means and
#: what to do. Matched against the message of DuckDB's (or the OS's) error, whose first
#: line otherwise hides the cause under "cannot rollback" or "could not set lock".
_RESOURCE_FAILURES: tuple[tuple[str, str, str], ...] = (
    (
        "no space left on device",
        "No space left on device",
        "free space on that disk or pass --db on another disk, then run the same command "
        "again: it completes what is missing",
    ),
    (
        "disk quota exceeded",
        "Disk quota exceeded",
        "free space within your quota, then run the same command again",
    ),
    (
        "read-only file system",
        "Read-only file system",
        "the folder is on read-only media: write the database elsewhere with --db; "
        "reading commands work on read-only media",
    ),
    (
        "permission denied",
        "Permission denied",
        "you may not write to that folder: pass --db with a folder you can write to",
    ),
)
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


def resource_failure(exc: BaseException, path: Path) -> ResourceError | None:
    """The clear error for a failure caused by the disk, the folder or another process,
    or None when ``exc`` is something else (a bad record, a bug).

    The message names the real cause, the path and what to do, e.g. ``No space left on
    device while writing newsgraph.duckdb``.
    """
    text = str(exc)
    lowered = text.lower()
    if isinstance(exc, ResourceError):
        return exc
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        lowered += " no space left on device"
    for marker, cause, hint in _RESOURCE_FAILURES:
        if marker in lowered:
            return ResourceError(f"{cause} while writing {path}", path=str(path), hint=hint)
    holder = _LOCK_HOLDER.search(text)
    if holder or "could not set lock" in lowered:
        who = f"process {holder['pid']} ({holder['program']})" if holder else "another process"
        return ResourceError(
            f"{path} is in use by {who}",
            path=str(path),
            hint="wait for it to finish (an ingest, or a command reading the file), or "
            "write to another file with --db; reading commands work meanwhile",
        )
    return None


def _file_signature(db: Path) -> tuple[tuple[int, int] | None, ...]:
    """Modification time and size of a database file and of its write-ahead log."""
    signature: list[tuple[int, int] | None] = []
    for path in (db, Path(f"{db}.wal")):
        try:
            st = path.stat()
        except FileNotFoundError:
            signature.append(None)
        else:
            signature.append((st.st_mtime_ns, st.st_size))
    return tuple(signature)


def _restore(run: RunReport, saved: RunReport) -> None:
    """Put back the counts of ``run`` as they were in ``saved`` (a failed write counted
    nothing)."""
    for name in ("inputs", "ingested", "duplicates", "rejected"):
        setattr(run, name, getattr(saved, name))
    run.rejected_by_kind = dict(saved.rejected_by_kind)


def unstorable(article: Article, problem: str) -> Rejection:
    """The rejection of an analysed article that cannot be written (``store:unstorable``)."""
    return Rejection(
        input=_valid_text(article.origin or article.id),
        stage="store",
        kind="unstorable",
        reason=_valid_text(
            f"the analysed article could not be written to the database ({problem}); "
            "it was left out"
        ),
        article_id=article.id,
    )


def rejection_key(run_id: str | None, rejection: Rejection) -> str:
    """The stored key of a rejection: its input and stage, within its run.

    A later run's rejection of the same input is a row of its own, never a replacement
    of an earlier run's (and ``<stdin>`` of two runs are two inputs).
    """
    if run_id is None:
        return rejection.id
    return hashlib.sha256(f"{run_id}/{rejection.id}".encode()).hexdigest()[: len(rejection.id)]


_SURROGATE = re.compile("[\ud800-\udfff]")


def _valid_text(value: str) -> str:
    """``value`` with lone surrogates (a file name with a non-UTF-8 byte decodes to them)
    replaced by U+FFFD, so that it can be encoded and stored."""
    return _SURROGATE.sub("\ufffd", value)


def storable_rejection(rejection: Rejection) -> Rejection:
    """``rejection`` with every text field valid Unicode."""
    fields = {
        name: _valid_text(getattr(rejection, name)) for name in ("input", "stage", "kind", "reason")
    }
    if rejection.article_id is not None:
        fields["article_id"] = _valid_text(rejection.article_id)
    return Rejection(**fields)


def article_filter(source: str | None, language: str | None) -> tuple[str, list[str]]:
    """The ``WHERE`` clause (or nothing) and parameters selecting articles by source and
    language, as ``newsgraph articles`` and the explorer filter them."""
    clauses, params = [], []
    if source:
        clauses.append("source = ?")
        params.append(source)
    if language:
        clauses.append("language = ?")
        params.append(language)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


class Store:
    """A newsgraph database. Use as a context manager.

    Args:
        path: the DuckDB file (created when missing, unless ``read_only``).
        read_only: open for reading only; several readers may share the file.

    Raises:
        StorageError: when the file is missing (read-only), locked by a writer, or not
            a newsgraph database.

    Example::

        with Store("newsgraph.duckdb", read_only=True) as store:
            print(store.counts())
    """

    #: When a writer held the file, the private copy this store reads (else None).
    snapshot: Path | None = None
    _snapshot_folder: Path | None = None

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        if read_only and not self.path.exists():
            raise StorageError(
                f"no database at {self.path}",
                path=str(self.path),
                hint="run `newsgraph ingest PATH` first, or pass --db",
            )
        self.con = self._connect()
        self._index: SearchIndex | None = None
        self._unindexed: list[str] = []  # stored, added to the index, not yet committed there
        self._last_index_commit = time.monotonic()
        if not read_only:
            self.con.execute(f"SET checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
            try:
                self._create_schema()
            except duckdb.Error as exc:
                self.con.close()
                raise resource_failure(exc, self.path) or StorageError(
                    f"cannot write to {self.path}: {exc}", path=str(self.path)
                ) from exc
        self._check_schema()

    def _connect(self) -> duckdb.DuckDBPyConnection:
        """Open the file: a reader reads a copy while a writer holds it; a writer waits up
        to :data:`WRITER_WAIT_SECONDS` for another process (a reader, often, which is
        brief) to let the file go, then fails naming that process.

        Raises:
            ResourceError: when the file stays locked, or the disk or folder refuses it.
            StorageError: when it cannot be opened for another reason.
        """
        deadline = time.monotonic() + WRITER_WAIT_SECONDS
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=self.read_only)
            except duckdb.Error as exc:
                failure = resource_failure(exc, self.path)
                if failure is None or "is in use by" not in failure.message:
                    raise failure or StorageError(
                        f"cannot open {self.path}: {exc}", path=str(self.path)
                    ) from exc
                if self.read_only:
                    return self._open_snapshot(failure)
                if time.monotonic() > deadline:
                    raise failure from exc
            time.sleep(SNAPSHOT_RETRY_SECONDS)

    def _open_snapshot(self, busy: StorageError) -> duckdb.DuckDBPyConnection:
        """Read a private copy of the file while another process writes to it.

        DuckDB lets no one open a file another process holds for writing, not even to
        read. The file and its write-ahead log are copied (taking no lock) and the copy is
        used when neither changed during the copy; a writer that keeps changing them is
        waited for at most :data:`SNAPSHOT_TIMEOUT_SECONDS`.

        Raises:
            StorageError: ``busy`` (naming the writer), when no stable copy could be had.
        """
        folder = Path(tempfile.mkdtemp(prefix="newsgraph-snapshot-"))
        self._snapshot_folder = folder
        copy_path = folder / self.path.name
        deadline = time.monotonic() + SNAPSHOT_TIMEOUT_SECONDS
        while True:
            before = _file_signature(self.path)
            try:
                for suffix in ("", ".wal"):
                    source = Path(f"{self.path}{suffix}")
                    target = Path(f"{copy_path}{suffix}")
                    target.unlink(missing_ok=True)
                    if source.exists():
                        shutil.copyfile(source, target)
                stable = _file_signature(self.path) == before
            except FileNotFoundError:  # the log was checkpointed away meanwhile
                stable = False
            if stable:
                try:
                    con = duckdb.connect(str(copy_path))
                except duckdb.Error:
                    stable = False
                else:
                    self.snapshot = copy_path
                    log.info("%s is being written by another process; reading a copy", self.path)
                    return con
            if time.monotonic() > deadline:
                shutil.rmtree(folder, ignore_errors=True)
                raise StorageError(
                    f"{busy.message}, and it changed during every copy for "
                    f"{SNAPSHOT_TIMEOUT_SECONDS:.0f} s",
                    path=str(self.path),
                    hint="run the command again in a moment",
                )
            time.sleep(SNAPSHOT_RETRY_SECONDS)

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            self.close()
            return
        try:  # the error in flight is the one to report, not a second one while closing
            self.close()
        except Exception as closing:
            log.warning("closing %s after an error failed too: %s", self.path, closing)

    def close(self) -> None:
        """Commit the search index, then close it and the database (and delete the copy
        read while a writer was busy)."""
        try:
            if self._index is not None:
                self.flush_index()
        finally:
            if self._index is not None:
                self._index.close()
                self._index = None
            try:
                self.con.close()
            finally:
                if self._snapshot_folder is not None:
                    shutil.rmtree(self._snapshot_folder, ignore_errors=True)

    # -- schema -----------------------------------------------------------------

    def _create_schema(self) -> None:
        self.con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        for table in ALL_TABLES:
            self.con.execute(table.ddl())
        self.con.execute(RUNS_DDL)
        self.con.execute("CREATE SEQUENCE IF NOT EXISTS article_seq")
        self.con.execute(
            "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
        )

    def _check_schema(self) -> None:
        try:
            row = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except duckdb.CatalogException as exc:
            raise StorageError(
                f"{self.path} is not a newsgraph database", path=str(self.path)
            ) from exc
        if row is None or int(row[0]) != SCHEMA_VERSION:
            raise StorageError(
                f"{self.path} has schema version {row[0] if row else 'none'}, "
                f"this newsgraph uses {SCHEMA_VERSION}",
                path=str(self.path),
                hint="re-ingest into a new database file",
            )

    # -- writing ----------------------------------------------------------------

    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        """Return which of ``ids`` are already stored."""
        if not ids:
            return set()
        rows = self.con.execute(
            "SELECT id FROM articles WHERE id IN (SELECT unnest(?::VARCHAR[]))", [list(ids)]
        ).fetchall()
        return {row[0] for row in rows}

    def write(
        self,
        analyses: Sequence[Analysis],
        rejections: Sequence[Rejection] = (),
        *,
        run: RunReport | None = None,
        inputs: int = 0,
        duplicates: int = 0,
    ) -> int:
        """Write analysed articles and rejections in one transaction, then index them.

        Articles already stored (or repeated in ``analyses``) are left as they are, with
        their items, so writing is idempotent. With ``run``, the batch is counted into it
        (``inputs`` read, ``duplicates`` found before the write, articles stored, articles
        found already stored, rejections) and the run's row saved in the same transaction:
        the row always counts what the store holds.

        Returns:
            How many articles were stored.

        Raises:
            StorageError: when the write failed. The transaction is rolled back and
                ``run`` left as it was. A failure of the disk, the folder or the lock
                says so (``No space left on device while writing ...``) and
                :func:`resource_failure` recognises it; any other failure may come from
                one bad record (see :meth:`write_each`).
        """
        run_id = run.run_id if run else None
        counted = copy.deepcopy(run) if run is not None else None
        now = _now()
        collecting = gc.isenabled()
        # Building the Arrow batches allocates millions of small objects; the cyclic
        # collector would walk the whole heap again and again meanwhile (it was a third
        # of the writing time). Nothing written here forms cycles.
        gc.disable()
        try:
            self.con.begin()
            fresh = self._new_only(analyses) if analyses else []
            if fresh:
                articles = [analysis.article for analysis in fresh]
                skipped = {a.article.id: list(a.skipped) for a in fresh}
                self._insert(
                    ARTICLES.name,
                    ARTICLES.to_arrow(
                        articles,
                        {
                            "skipped": lambda article: skipped[article.id],
                            "run_id": lambda _: run_id,
                            "ingested_at": lambda _: now,
                            "indexed": lambda _: False,
                        },
                    ),
                )
                for attribute, table in ITEM_TABLES.items():
                    items = [item for a in fresh for item in getattr(a, attribute)]
                    if items:
                        self._insert(table.name, table.to_arrow(items), keyed=False)
                tones = [(a.article.id, a.tone) for a in fresh if a.tone is not None]
                if tones:
                    owner = {id(tone): article_id for article_id, tone in tones}
                    self._insert(
                        TONES.name,
                        TONES.to_arrow(
                            [tone for _, tone in tones], {"article_id": lambda t: owner[id(t)]}
                        ),
                    )
            if rejections:
                storable = [storable_rejection(r) for r in rejections]
                self._insert(
                    REJECTIONS.name,
                    REJECTIONS.to_arrow(
                        storable,
                        {
                            "id": lambda r: rejection_key(run_id, r),
                            "run_id": lambda _: run_id,
                            "at": lambda _: now,
                        },
                    ),
                    replace=True,
                )
            if run is not None:
                run.inputs += inputs
                run.duplicates += duplicates + len(analyses) - len(fresh)
                run.ingested += len(fresh)
                for rejection in rejections:
                    run.count_rejection(rejection)
                self._save_run(run)
            self.con.commit()
        except Exception as exc:  # a bad record raises in Arrow or in Python, not only here
            self._rollback()
            if run is not None and counted is not None:
                _restore(run, counted)
            failure = resource_failure(exc, self.path)
            raise failure or StorageError(
                f"cannot write to {self.path}: {type(exc).__name__}: {exc}", path=str(self.path)
            ) from exc
        finally:
            if collecting:
                gc.enable()
        if fresh:
            self.index_articles([a.article for a in fresh])
        return len(fresh)

    def write_each(
        self,
        analyses: Sequence[Analysis],
        rejections: Sequence[Rejection] = (),
        *,
        run: RunReport | None = None,
        inputs: int = 0,
        duplicates: int = 0,
    ) -> list[Rejection]:
        """Write a batch whose :meth:`write` failed record by record, so that the records
        that cannot be stored are found; each becomes a ``store`` rejection (stored, and
        returned) and the rest are stored.

        Raises:
            StorageError: for a failure of the disk, the folder or the lock (no record is
                to blame; the run cannot go on), or when not even a rejection can be stored.
        """
        failed: list[Rejection] = []
        # The batch's own counts go with its first successful write.
        pending = {"inputs": inputs, "duplicates": duplicates}

        def attempt(items: Sequence[Analysis], refused: Sequence[Rejection]) -> str | None:
            """Write; return None, or why the records could not be written."""
            try:
                self.write(items, refused, run=run, **pending)
            except ResourceError:
                raise
            except StorageError as exc:
                return str(exc.__cause__ or exc)
            pending.update(inputs=0, duplicates=0)
            return None

        for analysis in analyses:
            problem = attempt([analysis], [])
            if problem is not None:
                failed.append(unstorable(analysis.article, problem))
        for rejection in [*rejections, *failed]:
            problem = attempt([], [rejection])
            if problem is not None:
                raise StorageError(
                    f"cannot store the rejection of {rejection.input!r} in {self.path}: {problem}",
                    path=str(self.path),
                )
        if pending["inputs"] or pending["duplicates"]:  # the batch held nothing to write
            self.write([], [], run=run, **pending)
        return failed

    def _rollback(self) -> None:
        """End the open transaction, if any: never leave one open after a failure."""
        with contextlib.suppress(duckdb.Error):
            self.con.rollback()

    def _new_only(self, analyses: Sequence[Analysis]) -> list[Analysis]:
        """The analyses whose article is not stored yet (first of any repeats)."""
        stored = self.existing_ids([a.article.id for a in analyses])
        fresh: list[Analysis] = []
        for analysis in analyses:
            if analysis.article.id not in stored:
                stored.add(analysis.article.id)
                fresh.append(analysis)
        return fresh

    def _insert(self, table: str, batch: Any, *, replace: bool = False, keyed: bool = True) -> None:
        verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE" if keyed else "INSERT"
        self.con.register("_batch", batch)
        try:
            self.con.execute(f'{verb} INTO "{table}" BY NAME SELECT * FROM _batch')
        finally:
            self.con.unregister("_batch")

    def _save_run(self, run: RunReport) -> None:
        report = {
            "inputs": run.inputs,
            "ingested": run.ingested,
            "duplicates": run.duplicates,
            "rejected": run.rejected,
            "rejected_by_kind": run.rejected_by_kind,
            "capped": run.capped,
            "seconds_by_stage": {k: round(v, 4) for k, v in run.seconds_by_stage.items()},
            "versions": run.versions,
            "warned_by_kind": run.warned_by_kind,
            "warned": run.warned,
        }
        self.con.execute(
            "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run.run_id,
                datetime.fromtimestamp(run.started, UTC),
                datetime.fromtimestamp(run.finished, UTC) if run.finished else None,
                run.status,
                run.inputs,
                run.ingested,
                run.duplicates,
                run.rejected,
                json.dumps(report),
            ],
        )

    def record_run(self, run: RunReport) -> None:
        """Write the run's row inside the caller's open transaction (so that it commits
        with the rows it counts)."""
        self._save_run(run)

    def save_run(self, run: RunReport) -> None:
        """Record the state of a run (called at its start and its end).

        Raises:
            StorageError: when the row cannot be written (the disk is full ...).
        """
        try:
            self.con.begin()
            self._save_run(run)
            self.con.commit()
        except duckdb.Error as exc:
            self._rollback()
            raise resource_failure(exc, self.path) or StorageError(
                f"cannot record the run in {self.path}: {exc}", path=str(self.path)
            ) from exc

    def close_stale_runs(self) -> int:
        """Mark ``interrupted`` the runs still recorded as ``running``: called by a writer,
        which holds the file alone, so no process is running them any more.

        Returns:
            How many runs were marked.
        """
        row = self.con.execute(
            "UPDATE runs SET status = 'interrupted' WHERE status = 'running' RETURNING id"
        ).fetchall()
        return len(row)

    # -- search -----------------------------------------------------------------

    @property
    def index(self) -> SearchIndex:
        """The BM25 search index beside the database (opened on first use)."""
        if self._index is None:
            from newsgraph.store.search import SearchIndex

            self._index = SearchIndex(Path(f"{self.path}.search"), read_only=self.read_only)
        return self._index

    def index_articles(self, articles: Sequence[Article], *, flush: bool = False) -> None:
        """Add articles to the search index.

        Index commits are costly, so they happen at most every
        :data:`INDEX_COMMIT_SECONDS` (and on :meth:`close`); only then are the articles
        marked ``indexed`` in the database. A run killed before that leaves them
        unmarked, and the next writer re-adds them (adding replaces by id).
        """
        self.index.upsert(articles)
        self._unindexed.extend(article.id for article in articles)
        due = time.monotonic() - self._last_index_commit >= INDEX_COMMIT_SECONDS
        if flush or due:
            self.flush_index()

    def flush_index(self) -> None:
        """Commit the search index and record which articles it now holds."""
        if self._index is None or self.read_only:
            return
        self._index.commit()
        self._last_index_commit = time.monotonic()
        if self._unindexed:
            self.con.execute(
                "UPDATE articles SET indexed = true WHERE id IN (SELECT unnest(?::VARCHAR[]))",
                [self._unindexed],
            )
            self._unindexed = []

    def catch_up_index(self, *, rebuild: bool = False, batch: int = 1000) -> int:
        """Index every article the index is missing (all of them with ``rebuild``).

        Returns:
            How many articles were (re)indexed.
        """
        if rebuild:
            self.index.clear()
            self.con.execute("UPDATE articles SET indexed = false")
        done = 0
        while True:
            rows = self._article_rows("WHERE NOT indexed ORDER BY id", [], limit=batch)
            if not rows:
                return done
            self.index_articles([ARTICLES.from_row(row) for row in rows], flush=True)
            done += len(rows)

    def search(self, query: str, *, limit: int = 10) -> list[SearchHit]:
        """Return the articles best matching ``query`` by BM25, with highlighted snippets."""
        self.flush_index()
        return self.index.search(query, limit=limit)

    # -- reading ----------------------------------------------------------------

    def _article_rows(
        self, where: str, params: list[Any], *, limit: int | None = None, offset: int = 0
    ) -> list[dict[str, Any]]:
        sql = f"SELECT * FROM articles {where}"
        if limit is not None:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        cursor = self.con.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def counts(self) -> dict[str, int]:
        """Number of rows in each table."""
        tables = [table.name for table in ALL_TABLES] + ["runs"]
        return {
            name: int(self.con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])  # type: ignore[index]
            for name in tables
        }

    def stats(self) -> dict[str, Any]:
        """Counts per table and the breakdowns a user checks first."""

        def breakdown(sql: str) -> dict[str, int]:
            return {str(key): int(n) for key, n in self.con.execute(sql).fetchall()}

        return {
            "counts": self.counts(),
            "languages": breakdown(
                "SELECT coalesce(language, '?'), count(*) FROM articles GROUP BY 1 ORDER BY 2 DESC"
            ),
            "formats": breakdown(
                "SELECT format, count(*) FROM articles GROUP BY 1 ORDER BY 2 DESC"
            ),
            "sources": breakdown(
                "SELECT coalesce(source, '?'), count(*) FROM articles "
                "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10"
            ),
            "entity_labels": breakdown(
                "SELECT label, count(*) FROM entities GROUP BY 1 ORDER BY 2 DESC"
            ),
            "rejections": breakdown(
                "SELECT stage || ':' || kind, count(*) FROM rejections GROUP BY 1 ORDER BY 2 DESC"
            ),
            # Reading's warnings kept on articles: kind -> articles.
            "warnings": breakdown(
                "SELECT split_part(w, ':', 1), count(DISTINCT id) "
                "FROM (SELECT id, unnest(warnings) AS w FROM articles) GROUP BY 1 ORDER BY 2 DESC"
            ),
            "heavily_cleaned": [
                {"id": id_, "origin": origin, "warning": warning}
                for id_, origin, warning in self.con.execute(
                    "SELECT id, origin, w FROM (SELECT id, origin, unnest(warnings) AS w "
                    "FROM articles) WHERE w LIKE 'removed_over_10pct:%' ORDER BY origin LIMIT 50"
                ).fetchall()
            ],
        }

    def articles(
        self,
        *,
        limit: int = 20,
        offset: int = 0,
        source: str | None = None,
        language: str | None = None,
    ) -> list[Article]:
        """Stored articles, newest first, optionally filtered by source and language."""
        where, params = article_filter(source, language)
        rows = self._article_rows(
            f"{where} ORDER BY published DESC NULLS LAST, id", params, limit=limit, offset=offset
        )
        return [ARTICLES.from_row(row) for row in rows]

    def analyses(self, ids: Sequence[str]) -> list[Analysis]:
        """Full records of the given articles (in the order given; unknown ids left out)."""
        rows = self._article_rows("WHERE id IN (SELECT unnest(?::VARCHAR[]))", [list(ids)])
        by_id = {row["id"]: row for row in rows}
        items: dict[str, dict[str, list[Any]]] = {i: {} for i in by_id}
        for attribute, table in ITEM_TABLES.items():
            cursor = self.con.execute(
                f'SELECT * FROM "{table.name}" WHERE article_id IN '
                "(SELECT unnest(?::VARCHAR[])) ORDER BY article_id, start, id",
                [list(by_id)],
            )
            names = [d[0] for d in cursor.description]
            for values in cursor.fetchall():
                record = table.from_row(dict(zip(names, values, strict=True)))
                items[record.article_id].setdefault(attribute, []).append(record)
        cursor = self.con.execute(
            "SELECT * FROM tones WHERE article_id IN (SELECT unnest(?::VARCHAR[]))", [list(by_id)]
        )
        names = [d[0] for d in cursor.description]
        tones = {}
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            tones[row["article_id"]] = TONES.from_row(row)
        return [
            assemble(by_id[article_id], items[article_id], tones.get(article_id))
            for article_id in ids
            if article_id in by_id
        ]

    def analysis(self, article_id: str) -> Analysis | None:
        """The full record of one article, or None."""
        found = self.analyses([article_id])
        return found[0] if found else None

    def iter_analyses(self, *, batch: int = 500) -> Iterator[Analysis]:
        """Every stored record, in id order, read in batches."""
        last = ""
        while True:
            ids = [
                row[0]
                for row in self.con.execute(
                    f"SELECT id FROM articles WHERE id > ? ORDER BY id LIMIT {int(batch)}", [last]
                ).fetchall()
            ]
            if not ids:
                return
            yield from self.analyses(ids)
            last = ids[-1]

    def actor_summary(
        self,
        *,
        limit: int = 50,
        country: str | None = None,
        sector: str | None = None,
        kind: str | None = None,
    ) -> list[dict[str, Any]]:
        """Actors across articles, grouped by name, kind, country and sector, most frequent first.

        ``loaded`` counts mentions made with a loaded label.
        """
        clauses, params = [], []
        for column, value in (("country", country), ("sector", sector), ("kind", kind)):
            if value:
                clauses.append(f'"{column}" = ?')
                params.append(value)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        cursor = self.con.execute(
            f"""
            SELECT name, kind, country, sector,
                   count(DISTINCT article_id) AS articles,
                   sum(len(mentions)) AS mentions,
                   sum(len(list_filter(mentions, lambda m: m.loaded))) AS loaded
            FROM actors {where}
            GROUP BY ALL ORDER BY articles DESC, mentions DESC, name LIMIT {int(limit)}
            """,
            params,
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def place_summary(self, *, limit: int = 50, country: str | None = None) -> list[dict[str, Any]]:
        """Places across articles, grouped by GeoNames id (or name), most frequent first."""
        where, params = ("WHERE country = ?", [country]) if country else ("", [])
        cursor = self.con.execute(
            f"""
            SELECT any_value(name) AS name, geonameid, country, any_value(feature) AS feature,
                   round(any_value(latitude), 4) AS latitude,
                   round(any_value(longitude), 4) AS longitude,
                   count(DISTINCT article_id) AS articles, sum(len(mentions)) AS mentions
            FROM places {where}
            GROUP BY geonameid, country, CASE WHEN geonameid IS NULL THEN name END
            ORDER BY articles DESC, mentions DESC, name LIMIT {int(limit)}
            """,
            params,
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def rejections(self, *, limit: int = 50) -> list[tuple[Rejection, str | None]]:
        """Most recent rejections with the run that produced them."""
        cursor = self.con.execute(
            f'SELECT * FROM rejections ORDER BY "at" DESC, "input" LIMIT {int(limit)}'
        )
        names = [d[0] for d in cursor.description]
        out = []
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            out.append((REJECTIONS.from_row(row), row["run_id"]))
        return out

    def runs(self, *, limit: int = 20) -> list[dict[str, Any]]:
        """Most recent runs with their reports."""
        cursor = self.con.execute(f"SELECT * FROM runs ORDER BY started DESC LIMIT {int(limit)}")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
