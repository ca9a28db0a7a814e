"""Read persuasion-technique data in the SemEval-2023 Task 3 layout, and the held-out split.

A SemEval-2023 subtask 3 folder holds the articles and their labels::

    train-articles-subtask-3/article<ID>.txt      title, blank line, one paragraph a line
    train-labels-subtask-3.txt                    <ID> TAB <line> TAB <technique,...>
    train-labels-subtask-3/article<ID>-...txt     the same, one file per article
    train-labels-subtask-3-spans/article<ID>-...txt  <ID> TAB <technique> TAB <start> TAB <end>
    train-labels-subtask-2.txt                    <ID> TAB <frame,...>   (optional)

(``dev-`` or ``test-`` instead of ``train-`` work too.) Paragraphs are the article's
lines, numbered from 1; every non-blank line is listed in the labels, with an empty
technique list when it has none. Span offsets are characters, end exclusive.

Technique names are checked against the 23 of the task; a misspelt one close to a
known name (the English training labels hold ``Appeal_to_Fear-Prejudi-čce`` once) is
corrected and counted in :attr:`SemEvalData.corrected`.

**The held-out split.** The framing model is trained on the English training articles
except a fixed fifth: an article is held out when the first four bytes of
``sha256("newsgraph-framing:<ID>")``, read as a big-endian integer, are 0 to 19
modulo 100 (:func:`is_heldout`). Neither its paragraph nor its span labels (nor PTC's
labels of the same article) are used in training. 89 of the 446 English training
articles are held out.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from newsgraph.errors import InputError
from newsgraph.stages.framing_features import TECHNIQUES

HELDOUT_SALT = "newsgraph-framing"
HELDOUT_PERCENT = 20


def is_heldout(article_id: str) -> bool:
    """True for the fixed fifth of article ids the framing model never trains on.

    >>> sum(is_heldout(str(n)) for n in range(1000))
    185
    """
    digest = hashlib.sha256(f"{HELDOUT_SALT}:{article_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < HELDOUT_PERCENT


def line_bounds(text: str) -> dict[int, tuple[int, int]]:
    """The ``(start, end)`` of each non-blank line by its number (from 1), stripped.

    >>> line_bounds("Title\\n\\n  Body \\n")
    {1: (0, 5), 3: (9, 13)}
    """
    found = {}
    offset = 0
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if stripped:
            start = offset + len(line) - len(line.lstrip())
            found[number] = (start, start + len(stripped))
        offset += len(line) + 1
    return found


@dataclass(frozen=True, slots=True)
class SemEvalArticle:
    """One article: its text, the techniques of each paragraph, the technique spans."""

    id: str
    text: str
    paragraphs: tuple[tuple[int, frozenset[str]], ...]
    spans: tuple[tuple[str, int, int], ...] = ()
    frames: frozenset[str] | None = None


@dataclass
class SemEvalData:
    """The articles of a folder and what reading them corrected."""

    articles: list[SemEvalArticle]
    has_spans: bool
    corrected: dict[str, str] = field(default_factory=dict)
    has_frames: bool = False


def _technique(name: str, corrected: dict[str, str]) -> str:
    if name in TECHNIQUES:
        return name
    close = difflib.get_close_matches(name, TECHNIQUES, n=1, cutoff=0.85)
    if close:
        corrected[name] = close[0]
        return close[0]
    return name


def _rows(path: Path) -> Iterable[tuple[int, list[str]]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read labels: {exc}", source=str(path)) from exc
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield number, line.rstrip("\r").split("\t")


def _articles_folder(path: Path) -> Path:
    if any(path.glob("article*.txt")):
        return path
    folders = sorted(
        p for p in path.iterdir() if p.is_dir() and "articles" in p.name and any(p.glob("*.txt"))
    )
    if not folders:
        raise InputError(
            "no SemEval-2023 articles folder found",
            source=str(path),
            hint="expected <split>-articles-subtask-3/article<ID>.txt inside it",
        )
    return folders[0]


def _label_files(path: Path, suffix: str) -> list[Path]:
    """``*-labels-<suffix>.txt`` beside the articles, else the files of such a folder."""
    files = sorted(p for p in path.glob(f"*labels-{suffix}.txt") if p.is_file())
    if files:
        return files[:1]
    folders = sorted(p for p in path.glob(f"*labels-{suffix}") if p.is_dir())
    return sorted(folders[0].glob("*.txt")) if folders else []


def read_semeval(path: Path, *, limit: int | None = None) -> SemEvalData:
    """Read a SemEval-2023 subtask 3 folder (articles, paragraph labels, spans if present).

    Only articles with paragraph labels are returned, in id order.

    Raises:
        InputError: when the folder, its articles or its paragraph labels are missing,
            or a label line is malformed or points outside its article.
    """
    if not path.is_dir():
        raise InputError("not a folder", source=str(path))
    folder = _articles_folder(path)
    paragraph_files = _label_files(path, "subtask-3")
    if not paragraph_files:
        raise InputError(
            "no paragraph labels found",
            source=str(path),
            hint="expected <split>-labels-subtask-3.txt (article, line, techniques)",
        )
    corrected: dict[str, str] = {}
    labels: dict[str, dict[int, frozenset[str]]] = {}
    for file in paragraph_files:
        for number, parts in _rows(file):
            if len(parts) not in (2, 3) or not parts[1].isdigit():
                raise InputError(
                    f"expected ID, line, techniques: {parts}",
                    source=str(file),
                    record=f"line {number}",
                )
            names = parts[2].split(",") if len(parts) == 3 else []
            techniques = frozenset(_technique(n.strip(), corrected) for n in names if n.strip())
            labels.setdefault(parts[0], {})[int(parts[1])] = techniques
    span_files = _label_files(path, "subtask-3-spans")
    spans: dict[str, list[tuple[str, int, int]]] = {}
    for file in span_files:
        for number, parts in _rows(file):
            if len(parts) != 4 or not (parts[2].isdigit() and parts[3].isdigit()):
                raise InputError(
                    f"expected ID, technique, start, end: {parts}",
                    source=str(file),
                    record=f"line {number}",
                )
            technique = _technique(parts[1], corrected)
            spans.setdefault(parts[0], []).append((technique, int(parts[2]), int(parts[3])))
    frames: dict[str, frozenset[str]] = {}
    frame_files = sorted(p for p in path.glob("*labels-subtask-2.txt") if p.is_file())
    for file in frame_files[:1]:
        for _, parts in _rows(file):
            names = parts[1].split(",") if len(parts) > 1 else []
            frames[parts[0]] = frozenset(n.strip() for n in names if n.strip())
    articles = []
    for article_id in sorted(labels)[:limit]:
        text_path = folder / f"article{article_id}.txt"
        try:
            text = text_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read the article: {exc}", source=str(text_path)) from exc
        bounds = line_bounds(text)
        for line in labels[article_id]:
            if line not in bounds:
                raise InputError(
                    f"article {article_id}: labelled line {line} is blank or missing",
                    source=str(paragraph_files[0]),
                )
        found = sorted(spans.get(article_id, []), key=lambda s: (s[1], s[2], s[0]))
        if any(not 0 <= start < end <= len(text) for _, start, end in found):
            raise InputError(
                f"article {article_id}: a span lies outside the text", source=str(path)
            )
        articles.append(
            SemEvalArticle(
                id=article_id,
                text=text,
                paragraphs=tuple(sorted(labels[article_id].items())),
                spans=tuple(found),
                frames=frames.get(article_id),
            )
        )
    return SemEvalData(
        articles=articles,
        has_spans=bool(span_files),
        corrected=corrected,
        has_frames=bool(frames),
    )
