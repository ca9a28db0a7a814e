"""How the record dataclasses map to tables: one declaration, derived from the dataclasses.

Scalars become columns; a nested span (``Quote.speaker``) becomes prefixed columns
(``speaker_start``, ``speaker_end``, ``speaker_text``); a tuple of strings a
``VARCHAR[]``; a tuple of small records (``Actor.mentions``) a list of structs. Rows are
built column-wise as Arrow tables, so DuckDB inserts a whole batch in one statement.
"""

from __future__ import annotations

import functools
import operator
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import pyarrow as pa

from newsgraph.model import (
    Actor,
    Analysis,
    Annotation,
    Article,
    DateMention,
    Entity,
    Event,
    Place,
    Quote,
    Rejection,
    Tone,
)

_SCALARS: dict[type, tuple[str, pa.DataType]] = {
    str: ("VARCHAR", pa.string()),
    int: ("BIGINT", pa.int64()),
    float: ("DOUBLE", pa.float64()),
    bool: ("BOOLEAN", pa.bool_()),
}


@dataclass(frozen=True)
class Column:
    """One column: its name, DuckDB and Arrow types, and how to read it off a record."""

    name: str
    sql: str
    arrow: pa.DataType
    path: tuple[str, ...]  # attribute path on the record
    shape: Literal["scalar", "list", "records"] = "scalar"
    item: type | None = None  # element class of a "records" column


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        return args[0], True
    return annotation, False


def _scalar(annotation: Any) -> tuple[str, pa.DataType]:
    if get_origin(annotation) is Literal:
        return _SCALARS[str]
    if annotation in _SCALARS:
        return _SCALARS[annotation]
    raise TypeError(f"no column type for {annotation!r}")


@functools.cache
def columns_of(cls: type, *, prefix: str = "", path: tuple[str, ...] = ()) -> list[Column]:
    """Derive the columns of a record class (fields named ``doc`` are never stored)."""
    hints = get_type_hints(cls)
    found: list[Column] = []
    for item in fields(cls):
        if item.name == "doc":
            continue
        annotation, _ = _unwrap(hints[item.name])
        name, here = f"{prefix}{item.name}", (*path, item.name)
        if isinstance(annotation, type) and is_dataclass(annotation):
            found.extend(columns_of(annotation, prefix=f"{name}_", path=here))
        elif get_origin(annotation) is tuple:
            element = get_args(annotation)[0]
            if isinstance(element, type) and is_dataclass(element):
                parts = columns_of(element)
                sql = "STRUCT(" + ", ".join(f'"{c.name}" {c.sql}' for c in parts) + ")[]"
                arrow = pa.list_(pa.struct([pa.field(c.name, c.arrow) for c in parts]))
                found.append(Column(name, sql, arrow, here, "records", element))
            else:
                sql, arrow = _scalar(element)
                found.append(Column(name, f"{sql}[]", pa.list_(arrow), here, "list"))
        else:
            sql, arrow = _scalar(annotation)
            found.append(Column(name, sql, arrow, here))
    return found


def _value(record: Any, column: Column) -> Any:
    return _getter(column)(record)


@functools.cache
def _getter(column: Column) -> Callable[[Any], Any]:
    """A fast reader of ``column`` off a record (writing is a hot path: one call per cell)."""
    path = column.path
    if column.shape == "records":
        names = tuple(f.name for f in fields(column.item)) if column.item else ()
        getter = operator.attrgetter(*names) if len(names) > 1 else None

        def records(record: Any) -> Any:
            value = _follow(record, path)
            if value is None:
                return None
            if getter is None:
                return [{names[0]: getattr(part, names[0])} for part in value]
            return [dict(zip(names, getter(part), strict=True)) for part in value]

        return records
    if column.shape == "list":
        return lambda record: None if (v := _follow(record, path)) is None else list(v)
    if len(path) == 1:
        return operator.attrgetter(path[0])
    return lambda record: _follow(record, path)


@functools.cache
def _read_plan(
    cls: type, skip: tuple[str, ...] = ()
) -> tuple[tuple[str | None, tuple[Column, ...]], ...]:
    """The scalar and list columns of ``cls`` grouped by the attribute they hang on:
    ``None`` for the record's own fields, ``"trigger"`` for ``trigger_start`` ...
    Columns named in ``skip`` are left to the caller."""
    groups: dict[str | None, list[Column]] = {}
    for column in columns_of(cls):
        if column.shape == "records" or len(column.path) > 2 or column.name in skip:
            continue  # read by _records_array, by _getter, or by the caller
        parent = column.path[0] if len(column.path) == 2 else None
        groups.setdefault(parent, []).append(column)
    return tuple((parent, tuple(group)) for parent, group in groups.items())


def _read_group(
    records: Sequence[Any], parent: str | None, group: Sequence[Column]
) -> list[Sequence[Any]]:
    """The values of ``group``'s columns for every record (a missing span gives NULLs)."""
    read = operator.attrgetter(*(column.path[-1] for column in group))
    if parent is None:
        if len(group) == 1:
            return [list(map(read, records))]
        return list(zip(*map(read, records), strict=True))
    owners = list(map(operator.attrgetter(parent), records))
    if len(group) == 1:
        return [[None if owner is None else read(owner) for owner in owners]]
    empty = (None,) * len(group)
    return list(zip(*(empty if owner is None else read(owner) for owner in owners), strict=True))


def _records_array(records: Sequence[Any], column: Column) -> pa.Array:
    """A list-of-structs column built field by field (a missing list is an empty one)."""
    names = [f.name for f in fields(column.item)] if column.item else []
    read = operator.attrgetter(*names)
    offsets = [0]
    rows: list[Any] = []
    for record in records:
        parts = _follow(record, column.path) or ()
        rows.extend(map(read, parts))
        offsets.append(len(rows))
    struct_type = column.arrow.value_type
    if len(names) == 1:
        rows = [(row,) for row in rows]
    values_by_field = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    children = [
        pa.array(values, type=struct_type.field(i).type) for i, values in enumerate(values_by_field)
    ]
    values = pa.StructArray.from_arrays(children, fields=list(struct_type))
    return pa.ListArray.from_arrays(pa.array(offsets, type=pa.int32()), values)


def _follow(record: Any, path: tuple[str, ...]) -> Any:
    value = record
    for name in path:
        value = getattr(value, name, None)
        if value is None:
            return None
    return value


@dataclass(frozen=True)
class Extra:
    """A stored column that is not a field of the record (keys, run ids, bookkeeping)."""

    name: str
    sql: str
    arrow: pa.DataType


@dataclass(frozen=True)
class Table:
    """A table holding one record class, plus extra columns the store fills."""

    name: str
    record: type
    key: tuple[str, ...]
    extras: tuple[Extra, ...] = ()
    #: Record kinds stored without their ``text`` (NULL): their span is a whole
    #: paragraph or the whole article, so the text is the article's own and
    #: :func:`restore_text` reads it back from there.
    text_from_article: frozenset[str] = frozenset()

    @property
    def columns(self) -> list[Column]:
        """The record's columns, in declaration order."""
        return columns_of(self.record)

    def ddl(self) -> str:
        """``CREATE TABLE`` statement for this table."""
        parts = [f'"{c.name}" {c.sql}' for c in self.columns]
        parts += [f'"{e.name}" {e.sql}' for e in self.extras]
        if self.key:
            keys = ", ".join(f'"{k}"' for k in self.key)
            parts.append(f"PRIMARY KEY ({keys})")
        return f'CREATE TABLE IF NOT EXISTS "{self.name}" ({", ".join(parts)})'

    def to_arrow(
        self, records: Sequence[Any], extras: dict[str, Callable[[Any], Any]] | None = None
    ) -> pa.Table:
        """Build an Arrow table of ``records``; ``extras`` compute the extra columns.

        Writing is a hot path (hundreds of thousands of cells per batch), so cells are
        read group by group — one ``attrgetter`` call per record for all the record's
        plain fields, one for all the fields of each nested span — and the rows turned
        into columns with ``zip``.
        """
        data: dict[str, pa.Array] = {}
        columns = self.columns
        if records:
            skip = ("text",) if self.text_from_article else ()
            for parent, group in _read_plan(self.record, skip):
                for column, values in zip(group, _read_group(records, parent, group), strict=True):
                    data[column.name] = pa.array(values, type=column.arrow)
        if self.text_from_article and records:
            kinds = self.text_from_article
            data["text"] = pa.array(
                [None if r.kind in kinds else r.text for r in records], type=pa.string()
            )
        for column in columns:
            if column.name in data:
                continue
            if column.shape == "records" and column.item is not None:
                data[column.name] = _records_array(records, column)
                continue
            read = _getter(column)
            data[column.name] = pa.array([read(r) for r in records], type=column.arrow)
        data = {column.name: data[column.name] for column in columns}
        for extra in self.extras:
            compute = (extras or {})[extra.name]
            data[extra.name] = pa.array([compute(r) for r in records], type=extra.arrow)
        return pa.table(data)

    def from_row(self, row: dict[str, Any]) -> Any:
        """Rebuild a record from a row as DuckDB returns it (column name → value)."""
        return _build(self.record, row, prefix="")


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def _build(cls: type, row: dict[str, Any], *, prefix: str) -> Any:
    hints = _hints(cls)
    values: dict[str, Any] = {}
    for item in fields(cls):
        if item.name == "doc":
            continue
        annotation, _ = _unwrap(hints[item.name])
        name = f"{prefix}{item.name}"
        if isinstance(annotation, type) and is_dataclass(annotation):
            nested = _build(annotation, row, prefix=f"{name}_")
            values[item.name] = (
                nested
                if any(v is not None for v in _flat_values(annotation, row, f"{name}_"))
                else None
            )
        elif get_origin(annotation) is tuple:
            element = get_args(annotation)[0]
            raw: Iterable[Any] = row.get(name) or ()
            if isinstance(element, type) and is_dataclass(element):
                values[item.name] = tuple(element(**part) for part in raw)
            else:
                values[item.name] = tuple(raw)
        else:
            values[item.name] = row.get(name)
    return cls(**values)


def _flat_values(cls: type, row: dict[str, Any], prefix: str) -> list[Any]:
    return [row.get(f"{prefix}{c.name}") for c in columns_of(cls)]


_TEXT = pa.string()
_RUN = Extra("run_id", "VARCHAR", _TEXT)

ARTICLES = Table(
    "articles",
    Article,
    ("id",),
    (
        Extra("skipped", "VARCHAR[]", pa.list_(_TEXT)),
        _RUN,
        Extra("ingested_at", "TIMESTAMPTZ", pa.timestamp("us", tz="UTC")),
        Extra("indexed", "BOOLEAN", pa.bool_()),
    ),
)
# Item tables have no primary key: their ids ("<article id>-e3") are unique by
# construction, and the store writes an article's items only in the transaction that
# first stores the article. Leaving out the key index makes bulk writes twice as fast.
ENTITIES = Table("entities", Entity, ())
ACTORS = Table("actors", Actor, ())
PLACES = Table("places", Place, ())
DATES = Table("dates", DateMention, ())
QUOTES = Table("quotes", Quote, ())
EVENTS = Table("events", Event, ())
# Paragraph and frame annotations span whole paragraphs or the article: storing their
# text would store most articles several times over.
ANNOTATIONS = Table(
    "annotations",
    Annotation,
    (),
    text_from_article=frozenset({"persuasion_paragraph", "frame"}),
)
TONES = Table("tones", Tone, ("article_id",), (Extra("article_id", "VARCHAR", _TEXT),))
REJECTIONS = Table(
    "rejections",
    Rejection,
    ("id",),
    (
        Extra("id", "VARCHAR", _TEXT),
        _RUN,
        Extra("at", "TIMESTAMPTZ", pa.timestamp("us", tz="UTC")),
    ),
)


def restore_text(items: Iterable[Any], article_text: str) -> list[Any]:
    """``items`` read from a table, with a text stored as NULL read back from the article."""
    return [
        item if item.text is not None else replace(item, text=article_text[item.start : item.end])
        for item in items
    ]


# Tables holding items extracted from articles, keyed by the Analysis attribute.
ITEM_TABLES: dict[str, Table] = {
    "entities": ENTITIES,
    "actors": ACTORS,
    "places": PLACES,
    "dates": DATES,
    "quotes": QUOTES,
    "events": EVENTS,
    "annotations": ANNOTATIONS,
}
ALL_TABLES: tuple[Table, ...] = (ARTICLES, *ITEM_TABLES.values(), TONES, REJECTIONS)


def assemble(
    article_row: dict[str, Any], items: Mapping[str, Sequence[Any]], tone: Tone | None
) -> Analysis:
    """One record from its stored rows: the article's row, its items by ``Analysis``
    attribute (records already built, in text order) and its tone."""
    article = ARTICLES.from_row(article_row)
    return Analysis(
        article=article,
        tone=tone,
        skipped=tuple(article_row.get("skipped") or ()),
        **{name: tuple(restore_text(items.get(name, ()), article.text)) for name in ITEM_TABLES},
    )


RUNS_DDL = """
CREATE TABLE IF NOT EXISTS runs (
    id VARCHAR PRIMARY KEY,
    started TIMESTAMPTZ,
    finished TIMESTAMPTZ,
    status VARCHAR,
    inputs BIGINT,
    ingested BIGINT,
    duplicates BIGINT,
    rejected BIGINT,
    report JSON
)
"""

__all__ = ["ALL_TABLES", "ARTICLES", "ITEM_TABLES", "REJECTIONS", "RUNS_DDL", "TONES", "Table"]
