"""Exports of the store: JSON Lines records, and CSV or Parquet files per table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from newsgraph.errors import StorageError
from newsgraph.store.database import Store
from newsgraph.store.tables import ALL_TABLES, ITEM_TABLES

ExportFormat = Literal["jsonl", "csv", "parquet", "gdelt", "plover"]
EXPORT_FORMATS: tuple[str, ...] = ("jsonl", "csv", "parquet", "gdelt", "plover")
TABLE_NAMES: tuple[str, ...] = tuple(table.name for table in ALL_TABLES)
# Text a spreadsheet runs as a formula, as a SQL regular expression: = + @ tab CR or -.
FORMULA_START = r"^[=+@\t\r-]"


def export(store: Store, fmt: str, out: str | Path) -> dict[str, int]:
    """Write the store to ``out``.

    ``jsonl`` writes one full record (the ``newsgraph analyze`` shape) per line to the
    file ``out``; ``gdelt`` the GDELT 2.0 event table and ``plover`` PLOVER JSON records
    (one per event, see ``docs/exports.md``) to the file ``out``; ``csv`` and ``parquet``
    write one file per table into the folder ``out`` (list and struct columns become JSON
    text in CSV).

    Returns:
        Rows written per file.

    Raises:
        StorageError: for an unknown format or an unwritable destination.
    """
    target = Path(out)
    if fmt == "jsonl":
        return {str(target): _export_jsonl(store, target)}
    if fmt in ("gdelt", "plover"):
        from newsgraph.store.gdelt import write_gdelt
        from newsgraph.store.plover import write_plover

        try:
            if fmt == "gdelt":
                from collections import Counter

                from newsgraph.stories import CanonicalCounts

                dating: Counter[str] = Counter()
                rows = write_gdelt(
                    store.iter_analyses(), target, counts=CanonicalCounts(store), report=dating
                )
                # How each row got its SQLDATE, and the events left out for want of one.
                return {str(target): rows} | {
                    f"{target} ({how})": count for how, count in sorted(dating.items())
                }
            rows = write_plover(store.iter_analyses(), target)
            return {str(target): rows}
        except OSError as exc:
            raise StorageError(f"cannot write {target}: {exc.strerror}", path=str(target)) from exc
    if fmt not in EXPORT_FORMATS:
        raise StorageError(
            f"unknown export format {fmt!r}", hint=f"choose one of {', '.join(EXPORT_FORMATS)}"
        )
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"cannot create {target}: {exc.strerror}", path=str(target)) from exc
    written: dict[str, int] = {}
    for name in (*TABLE_NAMES, "runs"):
        file = target / f"{name}.{fmt}"
        columns = store.con.execute(f'DESCRIBE "{name}"').fetchall()
        if fmt == "csv":
            select = ", ".join(_csv_column(col, typ) for col, typ, *_ in columns)
            options = "FORMAT CSV, HEADER"
        else:
            select, options = "*", "FORMAT PARQUET"
        path_literal = str(file).replace("'", "''")
        source = _with_text(name)
        store.con.execute(f"COPY (SELECT {select} FROM {source}) TO '{path_literal}' ({options})")
        row = store.con.execute(f'SELECT count(*) FROM "{name}"').fetchone()
        written[str(file)] = int(row[0]) if row else 0
    return written


def _csv_column(column: str, typ: str) -> str:
    """The SQL writing one column to CSV: lists and structs as JSON text, and text a
    spreadsheet would run as a formula (starting with = + - @, tab or carriage return)
    behind a leading ``'``, as the explorer's CSV writes it."""
    if "[]" in typ or "STRUCT" in typ:
        return f'to_json("{column}") AS "{column}"'
    if typ == "VARCHAR":
        quoted = f'"{column}"'
        return (
            f"CASE WHEN regexp_matches({quoted}, '{FORMULA_START}') "
            f"THEN chr(39) || {quoted} ELSE {quoted} END AS {quoted}"
        )
    return f'"{column}"'


def _with_text(name: str) -> str:
    """The table ``name`` as a SQL source, with texts the store keeps only in the article
    (:attr:`~newsgraph.store.tables.Table.text_from_article`) filled in."""
    table = next((t for t in ITEM_TABLES.values() if t.name == name), None)
    if table is None or not table.text_from_article:
        return f'"{name}"'
    return (
        f'(SELECT x.* REPLACE (coalesce(x.text, substr(a.text, x.start + 1, x."end" - x.start)) '
        f'AS text) FROM "{name}" x JOIN articles a ON a.id = x.article_id) AS "{name}"'
    )


def _export_jsonl(store: Store, target: Path) -> int:
    count = 0
    try:
        with target.open("w", encoding="utf-8") as handle:
            for analysis in store.iter_analyses():
                handle.write(json.dumps(analysis.to_dict(), ensure_ascii=False) + "\n")
                count += 1
    except OSError as exc:
        raise StorageError(f"cannot write {target}: {exc.strerror}", path=str(target)) from exc
    return count
