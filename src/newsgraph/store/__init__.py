"""The store: DuckDB tables, the BM25 search index and exports."""

from newsgraph.store.database import Store
from newsgraph.store.exports import EXPORT_FORMATS, export
from newsgraph.store.search import SearchHit

__all__ = ["EXPORT_FORMATS", "SearchHit", "Store", "export"]
