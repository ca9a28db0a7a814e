"""Readers for the event evaluation data: PLOVER gold-standard records and CASE 2021 task 2.

Both readers return the gold labels exactly as the files write them; mapping them onto
the current PLOVER types is :mod:`newsgraph.evaluate.events`' job.

- **PLOVER GSR** (``.json``): a JSON list of records; the first documents the file (event
  ``DOCUMENT``, no text) and is skipped. Each record has a ``text``, an ``event`` in the
  older 18-category draft, sometimes a ``mode``, the ``eventText`` words that name the
  event, and ``source``/``target`` lists of actors with a country ``code``. Countries are
  normalised as :mod:`newsgraph.evaluate.actors` does (``JAP`` → ``JPN``).
- **CASE 2021 task 2** (``.tsv``): a header ``id, EventSnippet, SubType`` and one snippet
  per line; quoted fields follow CSV rules (a snippet may hold ``""``).
- **Zero-Shot-PLOVER** (``.tsv``, Hu et al. 2024): one sentence per row with its gold
  PLOVER root (``gold_root``) and the source and target marked ``<s>...</s>`` and
  ``<t>...</t>`` in ``marked_sentence``; the reader keeps the markers as character spans
  of the plain sentence (the first occurrence of each that does not lie inside the other:
  the markers were made by string replacement, so "<s><t>Serbia</t>n President</s>" has a
  stray ``<t>`` inside the source).

>>> detect_format(Path("plover_gsr_dev.json")), detect_format(Path("case2021_task2_dev.tsv"))
('plover_gsr', 'case2021')
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from newsgraph.errors import InputError
from newsgraph.evaluate.actors import gold_actors

DatasetName = Literal["plover_gsr", "case2021", "zsp"]

CASE_COLUMNS = ("EventSnippet", "SubType")
ZSP_COLUMNS = ("marked_sentence", "gold_root")
_MARKER = re.compile(r"</?[st]>")


@dataclass(frozen=True, slots=True)
class GsrRecord:
    """One PLOVER gold-standard record, its labels as written in the file.

    ``sources`` and ``targets`` are the distinct country codes of the gold actors (ISO
    3166-1 alpha-3, or IGO/IMG/NGO), in file order; actors without a code are left out.
    """

    id: str
    text: str
    event: str
    event_text: str = ""
    mode: str | None = None
    sources: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CaseSnippet:
    """One CASE 2021 task 2 snippet and its ACLED-style subtype."""

    id: str
    text: str
    subtype: str


@dataclass(frozen=True, slots=True)
class ZspSentence:
    """One Zero-Shot-PLOVER row: the sentence, its gold root and the marked arguments.

    ``source_span``/``target_span`` are character offsets into ``text`` (``None`` when
    the row marks none, e.g. the target "a recipient")."""

    id: str
    text: str
    root: str
    source: str
    target: str
    source_span: tuple[int, int] | None = None
    target_span: tuple[int, int] | None = None
    nli_root: str = ""  # ZSP's own NLI coder's root (``root_L2``), a baseline, not gold


def detect_format(path: Path) -> DatasetName:
    """Tell the PLOVER GSR, CASE 2021 and ZSP apart by the file's first bytes.

    Raises:
        InputError: when the file is none of them (or cannot be read to tell).
    """
    if path.suffix.lower() == ".json":
        return "plover_gsr"
    try:
        with path.open(encoding="utf-8-sig") as handle:
            head = handle.read(4096)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", source=str(path)) from exc
    header = head.partition("\n")[0]
    if head.lstrip().startswith("["):
        return "plover_gsr"
    if all(column in header for column in ZSP_COLUMNS):
        return "zsp"
    if all(column in header for column in CASE_COLUMNS) or path.suffix.lower() == ".tsv":
        return "case2021"
    raise InputError(
        "neither PLOVER gold-standard JSON, a CASE 2021 task 2 TSV nor a Zero-Shot-PLOVER TSV",
        source=str(path),
        hint="give plover_gsr_dev.json, case2021_task2_dev.tsv or PLV_train.tsv",
    )


def unmark(marked: str) -> tuple[str, dict[str, list[tuple[int, int]]]]:
    """The plain sentence of a ZSP ``marked_sentence`` and the spans of each marker.

    >>> unmark("<s>Iran </s>condemned <t>Israel</t>.")
    ('Iran condemned Israel.', {'s': [(0, 4)], 't': [(15, 21)]})
    """
    plain: list[str] = []
    length = 0
    opened: dict[str, int] = {}
    spans: dict[str, list[tuple[int, int]]] = {"s": [], "t": []}
    position = 0
    for match in _MARKER.finditer(marked):
        piece = marked[position : match.start()]
        plain.append(piece)
        length += len(piece)
        tag = match.group()
        name = tag.strip("</>")
        if tag.startswith("</"):
            if name in opened:
                start = opened.pop(name)
                text = "".join(plain)
                end = length
                while start < end and text[start].isspace():
                    start += 1
                while end > start and text[end - 1].isspace():
                    end -= 1
                spans[name].append((start, end))
        else:
            opened[name] = length
        position = match.end()
    plain.append(marked[position:])
    return "".join(plain), spans


def _outside(spans: list[tuple[int, int]], other: list[tuple[int, int]]) -> tuple[int, int] | None:
    for start, end in spans:
        if not any(
            o_start <= start and end <= o_end and (o_start, o_end) != (start, end)
            for o_start, o_end in other
        ):
            return start, end
    return spans[0] if spans else None


def read_zsp(path: Path, *, limit: int | None = None) -> list[ZspSentence]:
    """The rows of a Zero-Shot-PLOVER TSV (``PLV_train.tsv`` or ``PLV_test.tsv``).

    Raises:
        InputError: when the file cannot be read, lacks a column, or a row has no root.
    """
    rows: list[ZspSentence] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            missing = [name for name in ZSP_COLUMNS if name not in (reader.fieldnames or ())]
            if missing:
                raise InputError(
                    f"no {', '.join(missing)} column", source=str(path), record="line 1"
                )
            for row in reader:
                marked = (row.get("marked_sentence") or "").strip("\r\n")
                root = (row.get("gold_root") or "").strip().upper()
                if not marked and not root:
                    continue
                if not marked or not root:
                    raise InputError(
                        "row has no marked sentence or no gold root",
                        source=str(path),
                        record=f"line {reader.line_num}",
                    )
                text, spans = unmark(marked)
                rows.append(
                    ZspSentence(
                        id=(row.get("sentence_id") or "").strip() or f"line {reader.line_num}",
                        text=text,
                        root=root,
                        source=(row.get("source") or "").strip(),
                        target=(row.get("target") or "").strip(),
                        source_span=_outside(spans["s"], spans["t"]),
                        target_span=_outside(spans["t"], spans["s"]),
                        nli_root=(row.get("root_L2") or "").strip().upper(),
                    )
                )
                if limit is not None and len(rows) >= limit:
                    break
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"cannot read: {exc}", source=str(path)) from exc
    return rows


def _codes(record: dict[str, Any], side: str) -> tuple[str, ...]:
    codes = [actor.country for actor in gold_actors(record) if actor.side == side]
    return tuple(dict.fromkeys(code for code in codes if code))


def read_plover_gsr(path: Path, *, limit: int | None = None) -> list[GsrRecord]:
    """The records of a PLOVER GSR file that have a text (the documentation record is not).

    Args:
        path: the JSON file, e.g. ``plover/plover_gsr_dev.json``.
        limit: keep only the first ``limit`` records with a text.

    Raises:
        InputError: when the file cannot be read, is not a JSON list of objects, or a
            record with a text has no ``event``.
    """
    # evaluate.actors.load_plover_records reads the same file, but lets a bad file
    # surface as a bare JSONDecodeError or AttributeError; here it names file and record.
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", source=str(path)) from exc
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not JSON: {exc.msg}", source=str(path), record=f"line {exc.lineno}"
        ) from exc
    if not isinstance(data, list):
        raise InputError("expected a JSON list of records", source=str(path))
    records: list[GsrRecord] = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise InputError(
                "a record is not a JSON object", source=str(path), record=f"record {number}"
            )
        if not item.get("text") or item.get("event") == "DOCUMENT":
            continue
        event = item.get("event")
        if not isinstance(event, str) or not event.strip():
            raise InputError(
                "record has a text but no event", source=str(path), record=f"record {number}"
            )
        mode = item.get("mode")
        records.append(
            GsrRecord(
                id=str(item.get("id") or f"record {number}"),
                text=str(item["text"]),
                event=event.strip().upper(),
                event_text=str(item.get("eventText") or ""),
                mode=mode.strip().lower() if isinstance(mode, str) and mode.strip() else None,
                sources=_codes(item, "source"),
                targets=_codes(item, "target"),
            )
        )
        if limit is not None and len(records) >= limit:
            break
    return records


def read_case2021(path: Path, *, limit: int | None = None) -> list[CaseSnippet]:
    """The snippets of a CASE 2021 task 2 TSV file (``id``, ``EventSnippet``, ``SubType``).

    Args:
        path: the TSV file, e.g. ``case2021/case2021_task2_dev.tsv``.
        limit: keep only the first ``limit`` snippets.

    Raises:
        InputError: when the file cannot be read, lacks a column, or a line has no
            snippet or no subtype.
    """
    snippets: list[CaseSnippet] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t")
            missing = [name for name in CASE_COLUMNS if name not in (reader.fieldnames or ())]
            if missing:
                raise InputError(
                    f"no {', '.join(missing)} column",
                    source=str(path),
                    record="line 1",
                    hint="expected the header id, EventSnippet, SubType",
                )
            for row in reader:
                text = (row.get("EventSnippet") or "").strip()
                subtype = (row.get("SubType") or "").strip().upper()
                if not text and not subtype:
                    continue  # a blank line
                if not text or not subtype:
                    raise InputError(
                        "line has no snippet or no subtype",
                        source=str(path),
                        record=f"line {reader.line_num}",
                    )
                identifier = (row.get("id") or "").strip() or f"line {reader.line_num}"
                snippets.append(CaseSnippet(id=identifier, text=text, subtype=subtype))
                if limit is not None and len(snippets) >= limit:
                    break
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"cannot read: {exc}", source=str(path)) from exc
    return snippets
