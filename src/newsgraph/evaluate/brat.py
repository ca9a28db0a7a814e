"""Read attribution relations from brat standoff files (PolNeAR's ``.ann`` beside ``.txt``).

A brat ``.ann`` file holds text-bound annotations (``T`` lines: id, type and
character offsets, several ``;``-separated fragments for a discontinuous span, then
the text) and events (``E`` lines) that tie the parts of one attribution together::

    T1	Source 89 106	The New York Post
    T2	Cue 107 114	reports
    T3	Content 115 290	that Hillary Clinton's team avoided ...
    T4	Attribution 107 114	reports
    E1	Attribution:T4 Content:T3 Cue:T2 Source:T1

Each ``E`` line with a ``Content`` role becomes one :class:`Attribution`; ``Source``
is absent for PolNeAR's ``Attribution-no-source`` events. ``Content2`` (a second
content span of the same attribution, rare) is joined to ``Content`` as more fragments.
Other lines (notes, relations, the text of a multi-line annotation spilling onto the
next line) are ignored.

Files pair up in two layouts: ``name.ann`` beside ``name.txt`` (brat's own), or
PolNeAR's ``attributions/<name>_<annotator>.ann`` with ``text/<name>.txt``. When
several annotators annotated one text (PolNeAR's agreement documents), the ``.ann``
whose name sorts first is used, so every text counts once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from newsgraph.errors import InputError

Fragments = tuple[tuple[int, int], ...]

_TEXT_BOUND = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t?")
_EVENT = re.compile(r"^(E\d+)\t(.*)$")
# PolNeAR names an annotation file after its text plus the annotator's 4-hex-digit id.
_ANNOTATOR = re.compile(r"_[0-9a-f]{4}$")


@dataclass(frozen=True, slots=True)
class Attribution:
    """One attribution relation: where its content, cue and source are (as fragments)."""

    id: str
    content: Fragments
    cue: Fragments = ()
    source: Fragments = ()

    @property
    def content_bounds(self) -> tuple[int, int]:
        """First start and last end of the content (the span that covers every fragment)."""
        return min(s for s, _ in self.content), max(e for _, e in self.content)


@dataclass(frozen=True, slots=True)
class BratDocument:
    """A text and the attributions annotated on it."""

    name: str
    text: str
    attributions: tuple[Attribution, ...]
    ann_path: str = ""


def parse_ann(content: str, *, source: str = "<ann>") -> list[Attribution]:
    """Return the attributions written in the text of one ``.ann`` file.

    Raises:
        InputError: when an event refers to a text-bound annotation that is not there.

    >>> ann = "T1\\tSource 0 2\\tHe\\nT2\\tCue 3 7\\tsaid\\nT3\\tContent 8 10\\tno\\n"
    >>> parse_ann(ann + "E1\\tAttribution:T2 Content:T3 Cue:T2 Source:T1\\n")[0].source
    ((0, 2),)
    """
    bounds: dict[str, Fragments] = {}
    events: list[tuple[str, list[tuple[str, str]], int]] = []
    for number, line in enumerate(content.splitlines(), start=1):
        if found := _TEXT_BOUND.match(line):
            pieces = (piece.split() for piece in found.group(3).split(";"))
            bounds[found.group(1)] = tuple((int(a), int(b)) for a, b in pieces)
        elif found := _EVENT.match(line):
            roles = [tuple(part.split(":", 1)) for part in found.group(2).split() if ":" in part]
            events.append((found.group(1), [(r[0], r[1]) for r in roles], number))
    out: list[Attribution] = []
    for event_id, roles, number in events:
        parts: dict[str, list[tuple[int, int]]] = {"Content": [], "Cue": [], "Source": []}
        for role, target in roles:
            key = role.rstrip("0123456789")
            if key not in parts:
                continue
            if target not in bounds:
                raise InputError(
                    f"{event_id} refers to {target}, which is not annotated",
                    source=source,
                    record=f"line {number}",
                )
            parts[key].extend(bounds[target])
        if parts["Content"]:
            out.append(
                Attribution(
                    id=event_id,
                    content=tuple(sorted(parts["Content"])),
                    cue=tuple(sorted(parts["Cue"])),
                    source=tuple(sorted(parts["Source"])),
                )
            )
    return out


def pair_files(folder: Path) -> list[tuple[Path, Path]]:
    """Return ``(txt, ann)`` pairs under ``folder``, one per text, sorted by text name.

    Raises:
        InputError: when the folder does not exist or holds no pair.
    """
    if not folder.is_dir():
        raise InputError("not a folder", source=str(folder), hint="pass a brat data folder")
    texts = {path.stem: path for path in sorted(folder.rglob("*.txt"))}
    pairs: dict[str, tuple[Path, Path]] = {}
    for ann in sorted(folder.rglob("*.ann")):
        text = _text_for(ann, texts)
        if text is not None and text.stem not in pairs:
            pairs[text.stem] = (text, ann)
    if not pairs:
        raise InputError(
            "no .txt/.ann pairs found",
            source=str(folder),
            hint="expected name.ann beside name.txt, or attributions/ and text/ folders",
        )
    return [pairs[name] for name in sorted(pairs)]


def _text_for(ann: Path, texts: dict[str, Path]) -> Path | None:
    beside = ann.with_suffix(".txt")
    if beside.is_file():
        return beside
    stem = _ANNOTATOR.sub("", ann.stem)
    return texts.get(stem) or texts.get(ann.stem)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", source=str(path)) from exc


def read_brat(folder: Path, *, limit: int | None = None) -> Iterator[BratDocument]:
    """Yield every annotated text under ``folder`` (the first ``limit`` by name).

    Raises:
        InputError: when the folder holds no pair, a file cannot be read, or an
            annotation does not match the text it points into.
    """
    for text_path, ann_path in pair_files(folder)[:limit]:
        text, content = _read(text_path), _read(ann_path)
        attributions = parse_ann(content, source=str(ann_path))
        for attribution in attributions:
            for start, end in (*attribution.content, *attribution.cue, *attribution.source):
                if not 0 <= start <= end <= len(text):
                    raise InputError(
                        f"{attribution.id}: span {start}-{end} lies outside the text",
                        source=str(ann_path),
                        hint=f"is {text_path.name} the text it annotates?",
                    )
        yield BratDocument(text_path.stem, text, tuple(attributions), str(ann_path))
