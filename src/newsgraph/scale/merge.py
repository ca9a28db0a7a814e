"""The parent's side: merge partition results into the store, in input order, once.

DuckDB has one writer, so workers never write to the store: the parent merges each
partition's rows in one transaction, in partition order, deduplicating by article id
exactly as the serial runner does. The first record of an article in input order is
the one stored; a later copy, or an article the store already holds, counts as a
duplicate and its rows (and any stage rejection of it) are left out. Inserts are
only for articles not stored yet, in the transaction that stores the article, so
merging a partition twice adds nothing.
"""

from __future__ import annotations

import contextlib
import copy
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from newsgraph.errors import StorageError
from newsgraph.model import Rejection
from newsgraph.pipeline import RunReport
from newsgraph.scale.worker import PartitionResult, WorkerStats, rows_for
from newsgraph.store import Store
from newsgraph.store.database import resource_failure
from newsgraph.store.tables import ALL_TABLES, ARTICLES, ITEM_TABLES, REJECTIONS, TONES

# The column naming an item's article, by table (articles are their own).
_ARTICLE_KEY = {
    ARTICLES.name: "id",
    TONES.name: "article_id",
    **{table.name: "article_id" for table in ITEM_TABLES.values()},
}
_KEYED = {table.name: bool(table.key) for table in ALL_TABLES}
# Columns the merge sets: the run that stored a row and when, as Store.write sets them.
_STAMPED = {ARTICLES.name: "ingested_at", REJECTIONS.name: "at"}


def table_schemas() -> dict[str, pa.Schema]:
    """The Arrow schema of every table a partition result holds."""
    return {name: table.schema for name, table in rows_for([], [], run_id="").items()}


class Merger:
    """Merges partition results into an open store, counting into ``report``.

    Args:
        store: the store, open for writing.
        report: the run's report; counts, times and status are added to it.
    """

    def __init__(self, store: Store, report: RunReport) -> None:
        self.store = store
        self.report = report
        self.seen: set[str] = set()
        self.workers: list[WorkerStats] = []
        self._committed = False

    def reject(self, rejections: Sequence[Rejection]) -> None:
        """Store inputs rejected before any worker saw them (missing files ...)."""
        if not rejections:
            return
        with self._counted():
            self.report.inputs += len(rejections)
            for rejection in rejections:
                self.report.count_rejection(rejection)
            tables = rows_for([], list(rejections), run_id=self.report.run_id)
            self._write(tables, fresh=[], indexed=[])

    @contextlib.contextmanager
    def _counted(self) -> Iterator[None]:
        """Counts added to the report inside the block are taken back if it raises, so
        that the report (and the runs row) counts only what was stored."""
        saved = copy.deepcopy(self.report)
        self._committed = False
        try:
            yield
        except BaseException:
            if self._committed:  # stored: the counts stand (indexing failed after it)
                raise
            for name in ("inputs", "ingested", "duplicates", "rejected"):
                setattr(self.report, name, getattr(saved, name))
            self.report.rejected_by_kind = saved.rejected_by_kind
            raise

    def merge(self, result: PartitionResult) -> None:
        """Merge one partition's rows in one transaction (the next in input order)."""
        with self._counted():
            self._merge(result)

    def _merge(self, result: PartitionResult) -> None:
        began = time.perf_counter()
        report = self.report
        candidates = [i for i, o in zip(result.ids, result.outcomes, strict=True) if o in _FRESH]
        stored = self.store.existing_ids(candidates)
        fresh: list[str] = []
        ingested: list[str] = []
        for article_id, outcome in zip(result.ids, result.outcomes, strict=True):
            if outcome not in _FRESH or article_id in stored or article_id in self.seen:
                report.duplicates += 1
                continue
            self.seen.add(article_id)
            fresh.append(article_id)
            if outcome == "ok":
                ingested.append(article_id)
        report.inputs += result.inputs
        report.ingested += len(ingested)
        rejections = result.tables[REJECTIONS.name]
        keep = set(fresh)
        for row in rejections.select(["stage", "kind", "article_id"]).to_pylist():
            if row["article_id"] is None or row["article_id"] in keep:
                report.rejected += 1
                key = f"{row['stage']}:{row['kind']}"
                report.rejected_by_kind[key] = report.rejected_by_kind.get(key, 0) + 1
        for stage, seconds in result.seconds_by_stage.items():
            report.add_time(stage, seconds)
        if not report.versions:
            report.versions = dict(result.versions)
        self._write(result.tables, fresh=fresh, indexed=ingested)
        self.workers.append(result.worker)
        report.add_time("store", time.perf_counter() - began)

    def _write(self, tables: dict[str, pa.Table], *, fresh: list[str], indexed: list[str]) -> None:
        con = self.store.con
        now = datetime.now(UTC)
        try:
            con.begin()
            con.register("_fresh", pa.table({"id": pa.array(fresh, type=pa.string())}))
            for name, table in tables.items():
                if table.num_rows:
                    self._insert(name, table, now)
            self.store.record_run(self.report)  # the row counts what this commit stores
            con.commit()
            self._committed = True
        except Exception as exc:  # never leave the transaction open
            with contextlib.suppress(duckdb.Error):
                con.rollback()
            raise resource_failure(exc, self.store.path) or StorageError(
                f"cannot write to {self.store.path}: {exc}", path=str(self.store.path)
            ) from exc
        finally:
            with contextlib.suppress(duckdb.Error):
                con.unregister("_fresh")
        if indexed:
            articles = tables[ARTICLES.name]
            chosen = articles.filter(pc.is_in(articles["id"], value_set=pa.array(indexed)))
            self.store.index_articles([ARTICLES.from_row(row) for row in chosen.to_pylist()])

    def _insert(self, name: str, table: pa.Table, now: datetime) -> None:
        con = self.store.con
        replaced: list[str] = []
        params: dict[str, object] = {}
        if "run_id" in table.column_names:
            replaced.append("CAST($run AS VARCHAR) AS run_id")
            params["run"] = self.report.run_id
        if name == REJECTIONS.name:  # keyed within the run, as Store.write keys them
            replaced.append("substr(sha256(CAST($run AS VARCHAR) || '/' || id), 1, len(id)) AS id")
        if name in _STAMPED:
            replaced.append(f'CAST($now AS TIMESTAMPTZ) AS "{_STAMPED[name]}"')
            params["now"] = now
        select = f"* REPLACE ({', '.join(replaced)})" if replaced else "*"
        if name == REJECTIONS.name:
            # Read rejections have no article; a stage rejection counts when its article does.
            verb = "INSERT OR REPLACE"
            where = "article_id IS NULL OR article_id IN (SELECT id FROM _fresh)"
        else:
            # Item tables have no key (for write speed): only fresh articles' items go in.
            verb = "INSERT OR IGNORE" if _KEYED[name] else "INSERT"
            where = f'"{_ARTICLE_KEY[name]}" IN (SELECT id FROM _fresh)'
        con.register("_part", table)
        try:
            con.execute(
                f'{verb} INTO "{name}" BY NAME SELECT {select} FROM _part WHERE {where}', params
            )
        finally:
            con.unregister("_part")


_FRESH = ("ok", "failed")
