"""Read CoNLL-2003 NER files into documents of tagged sentences.

The layout is one token per line, four space-separated columns (word, POS tag, chunk
tag, NER tag), a blank line after each sentence, and ``-DOCSTART- -X- -X- O`` lines
between documents. NER tags are IOB2 (``B-PER``, ``I-PER``, ``O``) or the original
IOB1, where ``I-`` may open an entity; both are read the same way.

Some copies (the one in ``../shared/data/ner/conll2003/``) have the ``-DOCSTART-``
lines removed. Documents are then recovered from the Reuters story layout: a short
sentence ending with an ISO date (``LONDON 1996-08-30``) is the dateline, and the
story starts with the headline just before it (two before when the sentence before
the dateline is a byline, every token tagged ``PER``). This finds 214 of the 216
stories of ``eng.testa``; the few missed are counted as part of the story before.

>>> sample = "-DOCSTART- -X- -X- O\\n\\nPeter NNP B-NP B-PER\\nsaid VBD B-VP O\\n"
>>> [doc.entities() for doc in read_conll_text(sample)]
[[(0, 5, 'PER')]]
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from newsgraph.errors import InputError

DOCSTART = "-DOCSTART-"
_ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_DATELINE_MAX_TOKENS = 10


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: its tokens and their NER tags, as read."""

    tokens: tuple[str, ...]
    tags: tuple[str, ...]
    line: int = 0


@dataclass(frozen=True, slots=True)
class Document:
    """Sentences of one story, and the text rebuilt from them.

    The text joins tokens with one space and sentences with a newline; ``offsets``
    gives each token's ``(start, end)`` in it, sentence by sentence.
    """

    sentences: tuple[Sentence, ...]
    text: str
    offsets: tuple[tuple[tuple[int, int], ...], ...]

    @classmethod
    def build(cls, sentences: Iterable[Sentence]) -> Document:
        """Rebuild the text of ``sentences`` and record where each token lies in it."""
        kept = tuple(sentences)
        parts: list[str] = []
        offsets: list[tuple[tuple[int, int], ...]] = []
        position = 0
        for number, sentence in enumerate(kept):
            if number:
                parts.append("\n")
                position += 1
            spans = []
            for index, token in enumerate(sentence.tokens):
                if index:
                    parts.append(" ")
                    position += 1
                parts.append(token)
                spans.append((position, position + len(token)))
                position += len(token)
            offsets.append(tuple(spans))
        return cls(sentences=kept, text="".join(parts), offsets=tuple(offsets))

    def entities(self) -> list[tuple[int, int, str]]:
        """Return the gold entities as ``(start, end, label)`` character spans."""
        found: list[tuple[int, int, str]] = []
        for sentence, spans in zip(self.sentences, self.offsets, strict=True):
            for first, last, label in iob_chunks(sentence.tags):
                found.append((spans[first][0], spans[last][1], label))
        return found


def iob_chunks(tags: Iterable[str]) -> Iterator[tuple[int, int, str]]:
    """Yield ``(first, last, label)`` token indexes of each entity in IOB1/IOB2 ``tags``.

    An entity opens at ``B-X``, or at ``I-X`` after a tag of another type (IOB1, and
    what conlleval does with a stray ``I-``), and closes before the next tag that does
    not continue it.

    >>> list(iob_chunks(["B-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-ORG"]))
    [(0, 1, 'PER'), (3, 3, 'LOC'), (4, 4, 'LOC'), (5, 5, 'ORG')]
    """
    start: int | None = None
    label = ""
    index = -1
    for index, tag in enumerate(tags):
        prefix, _, kind = tag.partition("-")
        continues = prefix == "I" and start is not None and kind == label
        if start is not None and not continues:
            yield start, index - 1, label
            start = None
        if prefix in ("B", "I") and start is None:
            start, label = index, kind
    if start is not None:
        yield start, index, label


def _sentences(lines: Iterable[str], origin: str) -> Iterator[Sentence | None]:
    """Yield sentences, and None at each ``-DOCSTART-``."""
    tokens: list[str] = []
    tags: list[str] = []
    first_line = 0
    for number, raw in enumerate(lines, start=1):
        columns = raw.split()
        if columns and columns[0] == DOCSTART:
            columns = []
            boundary = True
        else:
            boundary = False
        if not columns:
            if tokens:
                yield Sentence(tuple(tokens), tuple(tags), first_line)
                tokens, tags = [], []
            if boundary:
                yield None
            continue
        if len(columns) < 2:
            raise InputError(
                f"expected a token and its tags, got {raw.strip()!r}",
                source=origin,
                record=f"line {number}",
                hint="CoNLL-2003 lines are 'word POS chunk NER', one token per line",
            )
        if not tokens:
            first_line = number
        tokens.append(columns[0])
        tags.append(columns[-1])
    if tokens:
        yield Sentence(tuple(tokens), tuple(tags), first_line)


def _is_dateline(sentence: Sentence) -> bool:
    return len(sentence.tokens) <= _DATELINE_MAX_TOKENS and bool(
        _ISO_DATE.fullmatch(sentence.tokens[-1])
    )


def _is_byline(sentence: Sentence) -> bool:
    return all(tag.endswith("-PER") for tag in sentence.tags)


def _split_stories(sentences: list[Sentence]) -> list[list[Sentence]]:
    """Split sentences without ``-DOCSTART-`` markers at each story's headline."""
    starts = {0}
    for index, sentence in enumerate(sentences):
        if index and _is_dateline(sentence):
            before = index - 1
            if before > 0 and _is_byline(sentences[before]):
                before -= 1
            starts.add(before)
    cuts = [*sorted(starts), len(sentences)]
    return [sentences[a:b] for a, b in itertools.pairwise(cuts) if b > a]


def read_conll_text(text: str, origin: str = "<text>") -> list[Document]:
    """Parse CoNLL-2003 ``text`` into documents (see the module docstring).

    Raises:
        InputError: on a line that is not a token with tags.
    """
    groups: list[list[Sentence]] = [[]]
    marked = False
    for item in _sentences(text.splitlines(), origin):
        if item is None:
            marked = True
            groups.append([])
        else:
            groups[-1].append(item)
    if not marked:
        groups = _split_stories(groups[0])
    return [Document.build(group) for group in groups if group]


def read_conll(path: Path) -> list[Document]:
    """Read a CoNLL-2003 file into documents.

    Raises:
        InputError: when the file cannot be read or a line is malformed.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"cannot read the CoNLL file: {exc}",
            source=str(path),
            hint="pass a CoNLL-2003 file such as ../shared/data/ner/conll2003/eng.testa",
        ) from exc
    return read_conll_text(text, origin=str(path))
