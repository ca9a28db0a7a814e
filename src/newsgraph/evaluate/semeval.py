"""Read persuasion-technique data in the SemEval-2023 Task 3 layout, and the held-out split.

A SemEval-2023 subtask 3 folder holds the articles and their labels::

    train-articles-subtask-3/article<ID>.txt      title, blank line, one paragraph a line
    train-labels-subtask-3.txt                    <ID> TAB <line> TAB <technique,...>
    train-labels-subtask-3/article<ID>-...txt     the same, one file per article
    train-labels-subtask-3-spans/article<ID>-...txt  <ID> TAB <technique> TAB <start> TAB <end>
    train-labels-subtask-2.txt                    <ID> TAB <frame,...>   (optional)

(``dev-`` or ``test-`` instead of ``train-`` work too.) The organisers ship the
articles of every subtask in folders side by side (``dev-articles-subtask-1``, ``-2``,
``-3``, which hold different numbers of articles); each article is read from the
articles folder of the labels' own split and subtask (``<split>-articles-subtask-3``),
else from any ``*articles-subtask-3`` folder, else from any other articles folder that
holds it. Span labels may be a folder of per-article files or one
``<split>-labels-subtask-3-spans.txt``. Several splits side by side
(``train-labels-subtask-3.txt`` and ``dev-labels-subtask-3.txt``) are all read.
Paragraphs are the article's
lines, numbered from 1; every non-blank line is listed in the labels, with an empty
technique list when it has none. Span offsets are characters, end exclusive.

Technique names are checked against the 23 of the task; a misspelt one close to a
known name (the English training labels hold ``Appeal_to_Fear-Prejudi-čce`` once) is
corrected and counted in :attr:`SemEvalData.corrected`.

**What the model trained on** is recognised by the article's text, not its file name or
id: :func:`text_hash` (sha256 of the text with line ends and trailing blanks normalised)
of every training article is stored in the model file.

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
from collections.abc import Iterable, Sequence
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


def text_hash(text: str) -> str:
    """The sha256 of an article's text with line ends and trailing blanks normalised.

    What the framing model file records of each article it trained on, so that a copy
    under another name or id is still recognised.

    >>> text_hash("Title\r\n\nBody  \n") == text_hash("Title\n\nBody")
    True
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    normal = "\n".join(line.rstrip() for line in lines).strip("\n")
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


def _split_of(name: str) -> str:
    """``dev`` of ``dev-labels-subtask-3.txt`` (the part before ``-labels``/``-articles``)."""
    for marker in ("-labels", "-articles"):
        if marker in name:
            return name[: name.index(marker)]
    return ""


def _article_folders(path: Path, split: str) -> list[Path]:
    """The folders that may hold a split's articles, the best first.

    The articles folder of the same split and subtask 3, then any subtask-3 articles
    folder, then any other folder named ``*articles*``, then ``path`` itself.
    """
    folders = [p for p in path.iterdir() if p.is_dir() and "articles" in p.name]

    def rank(folder: Path) -> tuple[int, int, str]:
        subtask3 = folder.name.endswith("subtask-3")
        return (_split_of(folder.name) != split, not subtask3, folder.name)

    ranked = sorted(folders, key=rank)
    return [*ranked, path] if any(path.glob("article*.txt")) else ranked


def _label_files(path: Path, suffix: str) -> dict[str, list[Path]]:
    """By split: ``<split>-labels-<suffix>.txt``, else the files of such a folder."""
    found: dict[str, list[Path]] = {}
    for file in sorted(p for p in path.glob(f"*labels-{suffix}.txt") if p.is_file()):
        found.setdefault(_split_of(file.name), [file])
    for folder in sorted(p for p in path.glob(f"*labels-{suffix}") if p.is_dir()):
        found.setdefault(_split_of(folder.name), sorted(folder.glob("*.txt")))
    return found


def _read_article(article_id: str, folders: Sequence[Path], labels: Path) -> str:
    for folder in folders:
        text_path = folder / f"article{article_id}.txt"
        if text_path.is_file():
            try:
                return text_path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"cannot read the article: {exc}", source=str(text_path)) from exc
    raise InputError(
        f"article {article_id} is labelled but no articles folder holds article{article_id}.txt",
        source=str(labels),
        hint="looked in " + ", ".join(f.name for f in folders) if folders else "no folder",
    )


def read_semeval(path: Path, *, limit: int | None = None) -> SemEvalData:
    """Read a SemEval-2023 subtask 3 folder (articles, paragraph labels, spans if present).

    Only articles with paragraph labels are returned, in id order; with labels of
    several splits side by side, the articles of all of them.

    Raises:
        InputError: when the folder, its articles or its paragraph labels are missing,
            or a label line is malformed or points outside its article.
    """
    if not path.is_dir():
        raise InputError("not a folder", source=str(path))
    paragraph_files = _label_files(path, "subtask-3")
    if not paragraph_files:
        raise InputError(
            "no paragraph labels found",
            source=str(path),
            hint="expected <split>-labels-subtask-3.txt (article, line, techniques)",
        )
    corrected: dict[str, str] = {}
    labels: dict[str, dict[int, frozenset[str]]] = {}
    label_file: dict[str, Path] = {}
    split_of: dict[str, str] = {}
    for split, files in paragraph_files.items():
        for file in files:
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
                label_file.setdefault(parts[0], file)
                split_of.setdefault(parts[0], split)
    span_files = _label_files(path, "subtask-3-spans")
    spans: dict[str, list[tuple[str, int, int]]] = {}
    for file in (f for files in span_files.values() for f in files):
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
    for file in (files[0] for files in _label_files(path, "subtask-2").values()):
        if file.name.endswith(".txt") and file.parent == path:
            for _, parts in _rows(file):
                names = parts[1].split(",") if len(parts) > 1 else []
                frames[parts[0]] = frozenset(n.strip() for n in names if n.strip())
    folders = {split: _article_folders(path, split) for split in paragraph_files}
    articles = []
    for article_id in sorted(labels)[:limit]:
        text = _read_article(article_id, folders[split_of[article_id]], label_file[article_id])
        bounds = line_bounds(text)
        for line in labels[article_id]:
            if line not in bounds:
                raise InputError(
                    f"article {article_id}: labelled line {line} is blank or missing",
                    source=str(label_file[article_id]),
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
