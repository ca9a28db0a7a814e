"""BM25 full-text search over articles with tantivy (official Python bindings).

The index lives in a folder beside the database (``newsgraph.duckdb.search/``). The
database is the source of truth: articles are added to the index after their batch
commits and flagged ``indexed``; :meth:`Store.catch_up_index` re-adds whatever a killed
run left out, and ``newsgraph reindex`` rebuilds the index from the database.
"""

from __future__ import annotations

import contextlib
import re
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
# Stemmed candidates checked for the words as written: ``limit`` times this, bounded.
CANDIDATE_FACTOR = 10
MIN_CANDIDATES = 100
MAX_CANDIDATES = 2000


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
        """Run ``query``: words, "phrases", AND/OR, title:word, -word.

        The index stems words (``troops`` finds ``troop``), so on their own BM25 scores
        would let a stem stand for a name (``Hamas`` → ``hama`` → the city Hama). The
        query is therefore read by :func:`parse_query` and the stemmed hits are checked
        against the stored words: a "quoted phrase" and a capitalised word (a name) must
        occur as written (case-insensitively); a lowercase word may match by its stem,
        but hits with the word as written rank first; ``-word`` leaves out the articles
        holding the word as written. Syntax errors do not fail: the parseable part of the
        query is used.
        """
        if self.index is None or not query.strip():
            return []
        parsed_query = parse_query(query)
        if not parsed_query.positive:
            return []
        self.index.reload()
        searcher = self.index.searcher()
        parsed, _errors = self.index.parse_query_lenient(parsed_query.positive, SEARCH_FIELDS)
        # Candidates beyond ``limit``: the exact-word checks may drop or demote some.
        wanted = min(max(limit * CANDIDATE_FACTOR, MIN_CANDIDATES), MAX_CANDIDATES)
        result = searcher.search(parsed, wanted)
        snippets = tantivy.SnippetGenerator.create(searcher, parsed, self.schema, "text")
        snippets.set_max_num_chars(240)
        exact: list[SearchHit] = []
        stemmed: list[SearchHit] = []
        for score, address in result.hits:
            doc = searcher.doc(address)

            def first(name: str, doc: Any = doc) -> str | None:
                values = doc.get_all(name)
                return str(values[0]) if values and values[0] else None

            fields = {"title": first("title") or "", "text": first("text") or ""}
            verdict = parsed_query.judge(fields)
            if verdict is None:
                continue
            hit = SearchHit(
                article_id=str(first("id")),
                score=round(float(score), 4),
                title=first("title"),
                source=first("source"),
                published=first("published"),
                snippet=snippets.snippet_from_doc(doc).to_html(),
            )
            (exact if verdict else stemmed).append(hit)
            if len(exact) >= limit:
                break
        return (exact + stemmed)[:limit]


@dataclass(frozen=True, slots=True)
class Term:
    """One word or phrase of a query, as written: what an exact match must contain."""

    words: tuple[str, ...]
    field: str | None = None  # "title" or "text" when the query named one
    required: bool = False  # a phrase or a name: must occur as written
    negated: bool = False

    def found_in(self, fields: dict[str, str]) -> bool:
        """Whether the words occur, in this order, as whole words (ignoring case)."""
        pattern = _words_pattern(self.words)
        texts = [fields[self.field]] if self.field in fields else list(fields.values())
        return any(pattern.search(text) for text in texts)


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A query split into what the index is asked (``positive``) and the exact checks."""

    positive: str
    terms: tuple[Term, ...]
    any_of: bool  # the query joins its parts with OR

    def judge(self, fields: dict[str, str]) -> bool | None:
        """None: leave the hit out; True: it holds the words as written; False: only
        their stems."""
        if any(t.negated and t.found_in(fields) for t in self.terms):
            return None
        positive = [t for t in self.terms if not t.negated]
        found = [t.found_in(fields) for t in positive]
        required = [ok for t, ok in zip(positive, found, strict=True) if t.required]
        if required and not (any(required) if self.any_of else all(required)):
            return None
        return bool(found) and (any(found) if self.any_of else all(found))


_TOKEN = re.compile(
    r'(?P<neg>-)?(?:(?P<field>[A-Za-z_]+):)?(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))'
)
_WORD = re.compile(r"\w+(?:['’]\w+)*")
_OPERATORS = frozenset({"AND", "OR", "NOT"})


def parse_query(query: str) -> ParsedQuery:
    """Split a search query into the part the index runs and the exact-word checks.

    Negated parts (``-word``, ``-"a phrase"``) are checked on the stored words only: on
    the stemmed index ``-Hama`` would also remove every article saying ``Hamas``.

    >>> q = parse_query('Hamas -Hama "West Bank"')
    >>> q.positive
    'Hamas "West Bank"'
    >>> [(t.words, t.required, t.negated) for t in q.terms]
    [(('Hamas',), True, False), (('Hama',), True, True), (('West', 'Bank'), True, False)]
    """
    positive: list[str] = []
    terms: list[Term] = []
    any_of = False
    for match in _TOKEN.finditer(query):
        raw = match.group(0)
        if raw in _OPERATORS:
            any_of = any_of or raw == "OR"
            positive.append(raw)
            continue
        field = match.group("field")
        if field is not None and field not in SEARCH_FIELDS:
            field = None
        phrase, word = match.group("phrase"), match.group("word")
        words = tuple(_WORD.findall(phrase if phrase is not None else word or ""))
        if not words:
            continue
        # A name is written with a capital; a lowercase word may stand for its stem.
        required = phrase is not None or any(w[:1].isupper() for w in words)
        negated = match.group("neg") is not None
        terms.append(Term(words, field, required, negated))
        if not negated:
            positive.append(raw)
    while positive and positive[-1] in _OPERATORS:
        positive.pop()
    while positive and positive[0] in _OPERATORS:
        positive.pop(0)
    return ParsedQuery(" ".join(positive), tuple(terms), any_of)


def _words_pattern(words: Sequence[str]) -> re.Pattern[str]:
    """The words in order, separated by anything but a letter or digit, as whole words."""
    body = r"\W+".join(re.escape(w) for w in words)
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)
