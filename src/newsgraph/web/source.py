"""Where the web server reads from: a private snapshot of the database, refreshed when it changes.

DuckDB lets one process hold a database file for writing, and a read-only open fails
while it does; a reader that keeps the file open also stops a writer from starting. So
the server never keeps the user's file open. It copies the file's bytes (the database and
its write-ahead log; no DuckDB lock is taken, so an ingest can start or go on at any
moment) into a private folder, checks that the file did not change during the copy, and
serves every request from that copy:

- **while another process ingests**, pages keep showing the last good snapshot, and a
  newer one is taken in the background once the file has changed (at most every
  ``refresh_seconds``); a page says how old its data is;
- **the copy is prepared for reading**: item tables are rewritten in article order and
  indexed by article (an article page reads its rows, not whole tables), and the web layer's
  own summary tables (:mod:`newsgraph.web.queries`) are built into it, so pages stay fast
  on large databases;
- **when no snapshot can be had yet** (the file changes during every copy), requests get
  :class:`DatabaseBusyError`, which the app turns into a 503 page with ``Retry-After``.

With ``read_only=False`` the server instead opens the live file itself, read-write, for
its whole life (no copy; no other process can write to it meanwhile); the summary tables
then live in an in-memory database attached as ``web``, and the user's tables are left
as they are.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from newsgraph.errors import StorageError
from newsgraph.store.database import SCHEMA_VERSION, Store
from newsgraph.store.search import SearchIndex

log = logging.getLogger("newsgraph.web")

# Tables rewritten in article order in a snapshot (all carry article_id and start).
ITEM_TABLES = ("entities", "actors", "places", "dates", "quotes", "events", "annotations")

Signature = tuple[tuple[int, int], tuple[int, int] | None]


class DatabaseBusyError(StorageError):
    """No consistent snapshot of the database could be taken yet (a writer is busy)."""

    def __init__(self, message: str, *, path: str, retry_after: int) -> None:
        super().__init__(message, path=path, hint=f"retry in {retry_after} s")
        self.retry_after = retry_after


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_size)


def signature(db: Path) -> Signature:
    """Modification time and size of the database file and of its write-ahead log."""
    main = _stat(db)
    if main is None:
        raise StorageError(
            f"no database at {db}", path=str(db), hint="run `newsgraph ingest PATH` first"
        )
    return (main, _stat(Path(f"{db}.wal")))


def store_on(con: duckdb.DuckDBPyConnection, path: Path) -> Store:
    """A :class:`Store` reading through an open connection instead of opening a file.

    The library's queries take a ``Store``; the server hands them a cursor of its snapshot.
    (``Store`` has no constructor for this yet, so the attributes its ``__init__`` sets
    are set here; a ``Store.from_connection`` in the store would replace this.)
    """
    store = object.__new__(Store)
    store.path = path
    store.read_only = True
    store.con = con
    store._index = None
    store._unindexed = []
    store._last_index_commit = time.monotonic()
    return store


@dataclass
class Snapshot:
    """One prepared copy of the database, shared by the requests that read it."""

    con: duckdb.DuckDBPyConnection
    signature: Signature
    taken_at: float
    taken_at_monotonic: float
    version: int
    folder: Path | None  # removed with the snapshot; None for the live file
    index: SearchIndex | None
    tables: frozenset[str]
    users: int = 0
    retired: bool = False
    cache: dict[object, object] = field(default_factory=dict)

    def close(self) -> None:
        """Close the connection and delete the copy."""
        with contextlib.suppress(duckdb.Error):
            self.con.close()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


class DataSource:
    """Hands out read connections to the newest prepared snapshot of ``db``.

    Args:
        db: the newsgraph DuckDB file (its search index is ``<db>.search``).
        read_only: serve from private snapshots (default); ``False`` opens the file itself.
        refresh_seconds: least time between two snapshots while the file keeps changing.
        prepare: builds the web layer's summary tables (in the schema or database ``web``)
            on a fresh connection.
        warm: fills a new snapshot's cache (summaries every dashboard shows) before it is
            served, so the first request after a refresh is as fast as the others.
        copy_attempts: copies tried before giving up for this round when the file changes
            during the copy.

    Raises:
        StorageError: when ``db`` does not exist, is not a newsgraph database or has
            another schema version.
    """

    def __init__(
        self,
        db: str | Path,
        *,
        read_only: bool = True,
        refresh_seconds: float = 30.0,
        prepare: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
        warm: Callable[[Store, Snapshot], None] | None = None,
        copy_attempts: int = 4,
    ) -> None:
        self.db = Path(db)
        self.read_only = read_only
        self.refresh_seconds = refresh_seconds
        self.copy_attempts = copy_attempts
        self._prepare = prepare
        self._warm = warm
        self._lock = threading.Lock()
        self._first = threading.Lock()  # one request at a time takes a missing snapshot
        self._current: Snapshot | None = None
        self._version = 0
        self._checked_at = 0.0
        self._refreshing = False
        self._last_error: str | None = None
        self._workdir = Path(tempfile.mkdtemp(prefix="newsgraph-web-"))
        signature(self.db)  # fails early, with a clear message, on a missing file
        with contextlib.suppress(DatabaseBusyError):  # busy: the first request retries
            self._install(self._take())

    # -- reading ----------------------------------------------------------------

    @contextlib.contextmanager
    def reader(self) -> Iterator[tuple[Store, Snapshot]]:
        """A store on the current snapshot for one request (its own cursor).

        Raises:
            DatabaseBusyError: when no snapshot could be taken yet.
        """
        snapshot = self._acquire()
        cursor = snapshot.con.cursor()
        try:
            yield store_on(cursor, self.db), snapshot
        finally:
            with contextlib.suppress(duckdb.Error):
                cursor.close()
            self._release(snapshot)

    def status(self) -> dict[str, object]:
        """What the server is reading: snapshot age, whether a refresh is under way."""
        current = self._current
        return {
            "database": str(self.db),
            "mode": "snapshot" if self.read_only else "live",
            "version": current.version if current else None,
            "snapshot_age_seconds": round(time.time() - current.taken_at, 1) if current else None,
            "refreshing": self._refreshing,
            "stale": bool(current and self._changed(current)),
            "last_error": self._last_error,
        }

    def _acquire(self) -> Snapshot:
        self._maybe_refresh()
        with self._lock:
            current = self._current
            if current is None:
                raise DatabaseBusyError(
                    f"database busy: no consistent copy of {self.db} yet"
                    + (f" ({self._last_error})" if self._last_error else ""),
                    path=str(self.db),
                    retry_after=2,
                )
            current.users += 1
            return current

    def _release(self, snapshot: Snapshot) -> None:
        with self._lock:
            snapshot.users -= 1
            done = snapshot.retired and snapshot.users == 0
        if done:
            snapshot.close()

    # -- refreshing -------------------------------------------------------------

    def _changed(self, snapshot: Snapshot) -> bool:
        try:
            return signature(self.db) != snapshot.signature
        except StorageError:
            return False

    def _maybe_refresh(self) -> None:
        """Start a background refresh when the file changed (checked once a second at most).

        With nothing to serve yet, the request itself waits for a copy (a bounded number
        of attempts) and fails with :class:`DatabaseBusyError` if none can be had.
        """
        if self._current is None:
            with self._first, contextlib.suppress(DatabaseBusyError):
                if self._current is None:  # another request may have taken it meanwhile
                    self._install(self._take())
            return
        if not self.read_only:
            return
        now = time.monotonic()
        with self._lock:
            current = self._current
            if (
                current is None
                or self._refreshing
                or now - self._checked_at < 1.0
                or now - current.taken_at_monotonic < self.refresh_seconds
            ):
                return
            self._checked_at = now
        if not self._changed(current):
            return
        with self._lock:
            if self._refreshing:
                return
            self._refreshing = True
        threading.Thread(target=self._refresh, name="newsgraph-web-snapshot", daemon=True).start()

    def refresh(self) -> bool:
        """Take a new snapshot now when the file changed; return whether one was installed."""
        current = self._current
        if current is not None and not self._changed(current):
            return False
        self._install(self._take())
        return True

    def _refresh(self) -> None:
        try:
            self._install(self._take())
        except StorageError as exc:
            log.warning("snapshot refresh failed: %s", exc)
        finally:
            with self._lock:
                self._refreshing = False

    def _install(self, snapshot: Snapshot) -> None:
        with self._lock:
            old, self._current = self._current, snapshot
            self._last_error = None
            close_old = old is not None and old.users == 0
            if old is not None:
                old.retired = True
        if old is not None and close_old:
            old.close()

    def _take(self) -> Snapshot:
        snapshot = self._open_live() if not self.read_only else self._copy_with_retries()
        if self._warm is not None:
            cursor = snapshot.con.cursor()
            try:
                self._warm(store_on(cursor, self.db), snapshot)
            except duckdb.Error as exc:
                snapshot.close()
                raise StorageError(f"cannot read {self.db}: {exc}", path=str(self.db)) from exc
            finally:
                with contextlib.suppress(duckdb.Error):
                    cursor.close()
        return snapshot

    def has_table(self, name: str) -> bool:
        """Whether the snapshot being served has a table ``name`` (False before one exists)."""
        current = self._current
        return current is not None and name in current.tables

    def _copy_with_retries(self) -> Snapshot:
        last = "the file kept changing during the copy"
        for attempt in range(self.copy_attempts):
            if attempt:
                time.sleep(0.2 * attempt)
            try:
                return self._copy_and_prepare()
            except _TornCopyError as exc:
                last = str(exc)
            except duckdb.Error as exc:
                last = f"copy unreadable: {exc}"
        self._last_error = last
        raise DatabaseBusyError(
            f"database busy: {last}", path=str(self.db), retry_after=max(2, self.copy_attempts)
        )

    def _copy_and_prepare(self) -> Snapshot:
        before = signature(self.db)
        self._version += 1
        self._workdir.mkdir(parents=True, exist_ok=True)  # again after close()
        folder = Path(tempfile.mkdtemp(prefix=f"v{self._version}-", dir=self._workdir))
        target = folder / "snapshot.duckdb"
        try:
            shutil.copyfile(self.db, target)
            wal = Path(f"{self.db}.wal")
            if before[1] is not None:
                with contextlib.suppress(FileNotFoundError):
                    shutil.copyfile(wal, f"{target}.wal")
            if signature(self.db) != before:
                raise _TornCopyError("the file changed during the copy")
            con = duckdb.connect(str(target))
            try:
                con.execute("SET enable_progress_bar = false")
                _check_newsgraph(con, self.db)
                _sort_by_article(con)
                con.execute("CREATE SCHEMA web")
                tables = self._prepare_tables(con)
                con.execute("CHECKPOINT")
            except BaseException:
                con.close()
                raise
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return self._snapshot(con, before, folder, tables)

    def _open_live(self) -> Snapshot:
        before = signature(self.db)
        try:
            con = duckdb.connect(str(self.db))
            con.execute("SET enable_progress_bar = false")
        except duckdb.Error as exc:
            raise DatabaseBusyError(
                f"database busy: cannot open {self.db}: {exc}", path=str(self.db), retry_after=5
            ) from exc
        _check_newsgraph(con, self.db)
        con.execute("ATTACH ':memory:' AS web")
        tables = self._prepare_tables(con)
        self._version += 1
        return self._snapshot(con, before, None, tables)

    def _prepare_tables(self, con: duckdb.DuckDBPyConnection) -> frozenset[str]:
        """Build the summary tables; return the names of the database's own tables."""
        if self._prepare is not None:
            self._prepare(con)
        rows = con.execute(
            "SELECT table_name FROM duckdb_tables() "
            "WHERE database_name = current_database() AND schema_name = 'main'"
        ).fetchall()
        return frozenset(str(name) for (name,) in rows)

    def _snapshot(
        self,
        con: duckdb.DuckDBPyConnection,
        sig: Signature,
        folder: Path | None,
        tables: frozenset[str],
    ) -> Snapshot:
        index_path = Path(f"{self.db}.search")
        index = SearchIndex(index_path, read_only=True) if index_path.is_dir() else None
        return Snapshot(
            con=con,
            signature=sig,
            taken_at=time.time(),
            taken_at_monotonic=time.monotonic(),
            version=self._version,
            folder=folder,
            index=index,
            tables=tables,
        )

    def close(self) -> None:
        """Close the current snapshot and delete every copy (a later request takes a new one)."""
        with self._lock:
            current, self._current = self._current, None
        if current is not None:
            current.close()
        shutil.rmtree(self._workdir, ignore_errors=True)


class _TornCopyError(Exception):
    """The database changed while it was being copied."""


def _check_newsgraph(con: duckdb.DuckDBPyConnection, db: Path) -> None:
    """The same check as opening a :class:`Store`: a newsgraph database of this version."""
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except duckdb.CatalogException as exc:
        raise StorageError(f"{db} is not a newsgraph database", path=str(db)) from exc
    if row is None or int(row[0]) != SCHEMA_VERSION:
        raise StorageError(
            f"{db} has schema version {row[0] if row else 'none'}, "
            f"this newsgraph uses {SCHEMA_VERSION}",
            path=str(db),
            hint="re-ingest into a new database file",
        )


def _sort_by_article(con: duckdb.DuckDBPyConnection) -> None:
    """Rewrite item tables in article order, indexed by article (an article page reads one)."""
    for table in ITEM_TABLES:
        con.execute(
            f'CREATE OR REPLACE TABLE "{table}" AS SELECT * FROM "{table}" '
            "ORDER BY article_id, start, id"
        )
        con.execute(f'CREATE INDEX "{table}_by_article" ON "{table}" (article_id)')
