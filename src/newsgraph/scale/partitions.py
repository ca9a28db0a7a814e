"""Inputs to partitions: whole files, and record ranges of JSON Lines and WARC files.

A :class:`Partition` is the unit of work a worker gets: a few slices, each a whole
file or a range of records of one file. Planning happens in the parent and reads
only what it must to find record boundaries (the newlines of a JSON Lines file, the
record offsets of a WARC file); workers read the records themselves.

Reading a partition yields exactly the items the serial reader
(:func:`~newsgraph.ingest.read_inputs`) yields for the same records, with the same
origins (``path:line 12``, ``path#record 3``): a slice knows the number of its first
record and renumbers what the format reader reports. A file is split only when that
is safe; a JSON Lines file in a UTF-16/32 encoding, a WARC archive that is not
record-by-record gzip or that cannot be read to its end, and every other format are
read whole, by the serial reader itself.
"""

from __future__ import annotations

import dataclasses
import io
import os
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from warcio.archiveiterator import ArchiveIterator

from newsgraph.errors import InputError
from newsgraph.ingest import detect_format
from newsgraph.ingest.decoding import bom_encoding
from newsgraph.ingest.readers import (
    Draft,
    is_html_response,
    read_json_lines,
    read_to_end,
    read_warc,
)
from newsgraph.ingest.sources import STDIN, iter_files, read_path, to_article
from newsgraph.model import Article, Rejection

SliceKind = Literal["file", "jsonl", "warc"]
# The separator between a file's name and a record number in an origin, by slice kind.
_NUMBERED = {"jsonl": ":line ", "warc": "#record "}
_CHUNK = 1 << 20
MAX_PARTITION = 256
"""The largest default partition, in records (a few minutes of work for one worker)."""


@dataclass(frozen=True, slots=True)
class Slice:
    """A whole file, or a range of records of one file.

    Attributes:
        name: the file as the serial reader names it (the path as given, or as found
            by walking a folder); origins start with it.
        location: the absolute path workers open.
        kind: ``file`` (read whole by the serial reader), ``jsonl`` or ``warc``.
        start: byte offset of the first record.
        stop: byte offset just past the last record (None: to the end of the file).
        first: number of the first record, as the serial reader counts (lines of a
            JSON Lines file, HTML responses of a WARC file).
        records: how many records the slice holds (1 for a whole file).
    """

    name: str
    location: str
    kind: SliceKind = "file"
    start: int = 0
    stop: int | None = None
    first: int = 1
    records: int = 1

    @property
    def label(self) -> str:
        """Where the slice is, for messages: ``news.jsonl:lines 201-400``."""
        if self.kind == "file":
            return self.name
        unit = "lines" if self.kind == "jsonl" else "records"
        return f"{self.name}:{unit} {self.first}-{self.first + self.records - 1}"


@dataclass(frozen=True, slots=True)
class Partition:
    """The unit of work: slices read and analysed together, in order.

    ``index`` orders partitions as the serial reader would meet their records.
    """

    index: int
    slices: tuple[Slice, ...]

    @property
    def records(self) -> int:
        """Records in the partition (a whole file counts as one)."""
        return sum(piece.records for piece in self.slices)

    @property
    def label(self) -> str:
        """Where the partition's records are, for messages."""
        if len(self.slices) == 1:
            return self.slices[0].label
        return f"{self.slices[0].label} … {self.slices[-1].label} ({len(self.slices)} inputs)"


@dataclass(frozen=True, slots=True)
class Plan:
    """Partitions in input order, and inputs rejected before any worker saw them."""

    partitions: tuple[Partition, ...]
    rejections: tuple[Rejection, ...]

    @property
    def records(self) -> int:
        """Records in all partitions."""
        return sum(partition.records for partition in self.partitions)


# -- planning (parent) ---------------------------------------------------------------


def plan_partitions(paths: Iterable[str | Path], *, size: int | None, workers: int) -> Plan:
    """Split ``paths`` into partitions of about ``size`` records, in input order.

    Args:
        paths: files and folders, as :func:`~newsgraph.ingest.read_inputs` takes them.
        size: records per partition; None chooses about four partitions per worker,
            between 1 and :data:`MAX_PARTITION` records each.
        workers: how many workers will share the partitions (sizes the default).

    Raises:
        InputError: for ``-`` (standard input cannot be shared between workers).
    """
    sources: list[_Source] = []
    rejections: list[Rejection] = []
    for item in _files(paths):
        if isinstance(item, Rejection):
            rejections.append(item)
        else:
            sources.append(_source(item))
    if size is None:
        total = sum(source.records for source in sources)
        size = max(1, min(MAX_PARTITION, -(-total // (max(1, workers) * 4))))
    return Plan(tuple(_group(sources, size)), tuple(rejections))


def _files(paths: Iterable[str | Path]) -> Iterator[Path | Rejection]:
    """The files the serial reader would read, in its order (see ``read_inputs``)."""
    for raw in paths:
        if str(raw) == STDIN:
            raise InputError(
                "standard input cannot be split between workers",
                source="<stdin>",
                hint="save it to a file first, or ingest it without --workers",
            )
        path = Path(raw)
        if path.is_dir():
            yield from iter_files(path)
        elif path.exists():
            yield path
        else:
            yield Rejection(str(path), "read", "missing", "no such file or directory")


@dataclass(frozen=True, slots=True)
class _Source:
    """A file to plan: read whole, or split at ``bounds`` (record starts, then the end)."""

    whole: Slice
    kind: SliceKind = "file"
    bounds: array[int] = field(default_factory=lambda: array("q"))

    @property
    def records(self) -> int:
        return len(self.bounds) - 1 if self.kind != "file" else 1


def _source(path: Path) -> _Source:
    whole = Slice(name=str(path), location=os.path.abspath(path))
    try:
        with path.open("rb") as stream:
            head = stream.read(4096)
            fmt = detect_format(whole.name, head) if head else "text"
            if fmt == "jsonl" and bom_encoding(head) not in ("utf-16", "utf-32"):
                return _Source(whole, "jsonl", _line_starts(stream))
            if fmt == "warc":
                bounds = _warc_bounds(stream)
                if bounds is not None:
                    return _Source(whole, "warc", bounds)
    except OSError:
        pass  # the serial reader reports it when a worker reads the file whole
    return _Source(whole)


def _line_starts(stream: IO[bytes]) -> array[int]:
    """Byte offsets where each line starts, then the file's size."""
    stream.seek(0)
    bounds = array("q", [0])
    offset = 0
    last = b"\n"
    while chunk := stream.read(_CHUNK):
        at = 0
        while (found := chunk.find(b"\n", at)) >= 0:
            at = found + 1
            bounds.append(offset + at)
        offset += len(chunk)
        last = chunk[-1:]
    if last != b"\n":
        bounds.append(offset)  # a last line without a newline
    return bounds


def _warc_bounds(stream: IO[bytes]) -> array[int] | None:
    """Where each HTML response's slice starts, then the end; None to read it whole.

    A slice runs from the start of one HTML response to the start of the next, so
    the requests and metadata records after it ride along and are skipped as the
    serial reader skips them (the first slice also holds what precedes the first).
    Archives that do not read cleanly to the end, or whose gzip members are not one
    per record, are read whole.
    """
    stream.seek(0)
    gzipped = stream.read(2) == b"\x1f\x8b"
    stream.seek(0)
    starts: list[int] = []
    try:
        archive = ArchiveIterator(stream)
        for record in archive:
            html = is_html_response(record)
            if not read_to_end(record):
                return None
            offset = archive.get_record_offset()
            if html:
                starts.append(offset)
        end = stream.tell()
        if archive.offset < end:
            return None  # it ends with an incomplete record
    except Exception:  # warcio raises assorted errors on damaged archives
        return None
    magic = b"\x1f\x8b" if gzipped else b"WARC/"
    for offset in starts:
        stream.seek(offset)
        if stream.read(len(magic)) != magic:
            return None
    if len(starts) < 2:
        return None
    return array("q", [0, *starts[1:], end])


def _group(sources: list[_Source], size: int) -> Iterator[Partition]:
    """Fill partitions of ``size`` records from the sources, in order."""
    current: list[Slice] = []
    count = index = 0
    for source in sources:
        taken = 0
        while taken < source.records:
            take = min(size - count, source.records - taken)
            if source.kind == "file":
                current.append(source.whole)
            else:
                current.append(
                    dataclasses.replace(
                        source.whole,
                        kind=source.kind,
                        start=source.bounds[taken],
                        stop=source.bounds[taken + take],
                        first=taken + 1,
                        records=take,
                    )
                )
            taken += take
            count += take
            if count >= size:
                yield Partition(index, tuple(current))
                current, count, index = [], 0, index + 1
    if current:
        yield Partition(index, tuple(current))


# -- reading (worker) ----------------------------------------------------------------


def read_partition(partition: Partition, *, max_bytes: int) -> Iterator[Article | Rejection]:
    """Read a partition's records: the items the serial reader yields for them, in order."""
    for piece in partition.slices:
        yield from read_slice(piece, max_bytes=max_bytes)


def read_slice(piece: Slice, *, max_bytes: int) -> Iterator[Article | Rejection]:
    """Read one slice, naming every item as the serial reader names it."""
    if piece.kind == "file":
        for item in read_path(Path(piece.location), max_bytes=max_bytes):
            yield _renamed(item, piece)
        return
    try:
        with open(piece.location, "rb") as raw:
            raw.seek(piece.start)
            stream = io.BufferedReader(_Window(raw, piece.start, piece.stop))
            drafts: Iterable[Draft | Rejection]
            if piece.kind == "jsonl":
                drafts = read_json_lines(stream, origin=piece.location, max_bytes=max_bytes)
            else:
                drafts = read_warc(stream, origin=piece.location, max_bytes=max_bytes)
            for draft in drafts:
                item = _renamed(draft, piece)
                yield to_article(item, max_bytes=max_bytes) if isinstance(item, Draft) else item
    except OSError as exc:
        yield Rejection(
            piece.name, "read", "unreadable", f"cannot read the file: {exc.strerror or exc}"
        )


def _renamed(item: Any, piece: Slice) -> Any:
    """``item`` with its origin given as the serial reader gives it.

    The reader named it after ``piece.location`` and counted records from the slice's
    start; the serial reader names it after ``piece.name`` and counts from the file's.
    """
    field = "input" if isinstance(item, Rejection) else "origin"
    origin: str = getattr(item, field)
    if not origin.startswith(piece.location):
        return item
    rest = origin[len(piece.location) :]
    marker = _NUMBERED.get(piece.kind)
    if marker and rest.startswith(marker) and rest[len(marker) :].isdigit():
        rest = f"{marker}{int(rest[len(marker) :]) + piece.first - 1}"
    return dataclasses.replace(item, **{field: piece.name + rest})


class _Window(io.RawIOBase):
    """The bytes of an open file from ``start`` to ``stop``, as a stream of their own."""

    def __init__(self, raw: IO[bytes], start: int, stop: int | None) -> None:
        super().__init__()
        self._raw = raw
        self._start = start
        self._left = None if stop is None else stop - start

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        if self._left is not None:
            view = view[: self._left]
        data = self._raw.read(len(view))
        view[: len(data)] = data
        if self._left is not None:
            self._left -= len(data)
        return len(data)

    def tell(self) -> int:
        return self._raw.tell() - self._start

    def seekable(self) -> bool:
        return False
