"""The story tables: created idempotently, versioned, dropped on reset, and documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newsgraph.errors import StorageError
from newsgraph.store import Store
from newsgraph.stories import reset_stories
from newsgraph.stories.store import TABLE_NAMES, ensure_tables, has_tables

DOC = Path(__file__).resolve().parents[2] / "docs" / "stories.md"


def columns(store: Store, table: str) -> list[str]:
    return [row[0] for row in store.con.execute(f'DESCRIBE "{table}"').fetchall()]


def test_tables_are_created_once_and_dropped_on_reset(store: Store) -> None:
    assert not has_tables(store.con)
    ensure_tables(store.con)
    ensure_tables(store.con)
    assert has_tables(store.con)
    reset_stories(store)
    assert not has_tables(store.con)


def test_tables_of_another_layout_are_refused(store: Store) -> None:
    ensure_tables(store.con)
    store.con.execute("UPDATE story_state SET value = '0' WHERE key = 'layout_version'")
    with pytest.raises(StorageError, match="layout 0"):
        ensure_tables(store.con)


@pytest.mark.parametrize("table", TABLE_NAMES)
def test_docs_describe_every_story_table_and_column(store: Store, table: str) -> None:
    ensure_tables(store.con)
    text = DOC.read_text(encoding="utf-8")
    row = re.search(rf"^\| `{table}` \|(.*)$", text, re.M)
    assert row, f"docs/stories.md has no row for {table}"
    for column in columns(store, table):
        assert f"`{column}`" in row.group(1), f"{table}.{column} is not documented"
