"""BM25 full-text search over articles with tantivy (official Python bindings).

The index lives in a folder beside the database (``newsgraph.duckdb.search/``). The
database is the source of truth: articles are added to the index after their batch
commits and flagged ``indexed``; :meth:`Store.catch_up_index` re-adds whatever a killed
run left out, and ``newsgraph reindex`` rebuilds the index from the database.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from newsgraph.errors import StorageError
from newsgraph.model import Article

SEARCH_FIELDS = ["title", "text"]
WRITER_HEAP_BYTES = 64 * 1024 * 1024


def _lock_files(folder: str, names: list[str]) -> list[str]:
    return [name for name in names if name.endswith(".lock")]


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result: the article, its BM25 score and a snippet (``<b>`` marks hits)."""

    article_id: str
    score: float
    title: str | None
    source: str | None
    published: str | None
    snippet: str


def _schema() -> Any:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("text", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("source", stored=True, tokenizer_name="raw")
    builder.add_text_field("published", stored=True, tokenizer_name="raw")
    return builder.build()


class SearchIndex:
    """A tantivy index of article titles and texts."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self.schema = _schema()
        self._writer: Any = None
        self._copy: Path | None = None  # a private copy read when the folder is read-only
        self.index = self._open()

    def _open(self) -> Any:
        try:
            if self.read_only and not self.path.exists():
                return None
            self.path.mkdir(parents=True, exist_ok=True)
            return tantivy.Index(self.schema, path=str(self.path))
        except (ValueError, OSError) as exc:
            if self.read_only:
                # tantivy takes a lock file even to read: on read-only media (or in a
                # folder this user may not write) a private copy is read instead.
                with contextlib.suppress(ValueError, OSError):
                    return self._open_copy()
            raise StorageError(
                f"cannot open the search index at {self.path}: {exc}",
                path=str(self.path),
                hint="rebuild it with `newsgraph reindex`",
            ) from exc

    def _open_copy(self) -> Any:
        folder = Path(tempfile.mkdtemp(prefix="newsgraph-search-"))
        try:
            shutil.copytree(self.path, folder / "index", ignore=_lock_files)
            index = tantivy.Index(self.schema, path=str(folder / "index"))
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        self._copy = folder
        return index

    def _writer_for_update(self) -> Any:
        if self.read_only:
            raise StorageError("the search index is open read-only", path=str(self.path))
        if self._writer is None:
            self._writer = self.index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1)
        return self._writer

    def upsert(self, articles: Sequence[Article]) -> None:
        """Add or replace articles, keyed by id; they become searchable at :meth:`commit`."""
        writer = self._writer_for_update()
        for article in articles:
            writer.delete_documents_by_term("id", article.id)
            writer.add_document(
                tantivy.Document(
                    id=article.id,
                    title=article.title or "",
                    text=article.text,
                    source=article.source or "",
                    published=article.published or "",
                )
            )

    def commit(self) -> None:
        """Make added documents searchable and durable."""
        if self._writer is not None:
            self._writer.commit()

    def clear(self) -> None:
        """Delete every document (used before a rebuild)."""
        self.close()
        shutil.rmtree(self.path, ignore_errors=True)
        self.index = self._open()

    def close(self) -> None:
        """Release the writer (and its lock); uncommitted documents are dropped."""
        if self._writer is not None:
            self._writer.rollback()
            self._writer.wait_merging_threads()
            self._writer = None
        if self._copy is not None:
            self.index = None
            shutil.rmtree(self._copy, ignore_errors=True)
            self._copy = None

    @property
    def size(self) -> int:
        """Number of indexed documents."""
        if self.index is None:
            return 0
        self.index.reload()
        return int(self.index.searcher().num_docs)

    def search(self, query: str, *, limit: int = 10) -> list[SearchHit]:
        """Run ``query`` (tantivy syntax: words, "phrases", AND/OR, title:word, -word).

        Syntax errors do not fail: the parseable part of the query is used.
        """
        if self.index is None or not query.strip():
            return []
        self.index.reload()
        searcher = self.index.searcher()
        parsed, _errors = self.index.parse_query_lenient(query, SEARCH_FIELDS)
        result = searcher.search(parsed, limit)
        snippets = tantivy.SnippetGenerator.create(searcher, parsed, self.schema, "text")
        snippets.set_max_num_chars(240)
        hits = []
        for score, address in result.hits:
            doc = searcher.doc(address)

            def first(name: str, doc: Any = doc) -> str | None:
                values = doc.get_all(name)
                return str(values[0]) if values and values[0] else None

            hits.append(
                SearchHit(
                    article_id=str(first("id")),
                    score=round(float(score), 4),
                    title=first("title"),
                    source=first("source"),
                    published=first("published"),
                    snippet=snippets.snippet_from_doc(doc).to_html(),
                )
            )
        return hits
