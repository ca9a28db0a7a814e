"""Ingestion: bytes in the formats news comes in, to :class:`~newsgraph.model.Article`."""

from newsgraph.ingest.sources import FORMATS, detect_format, read_inputs, read_stream

__all__ = ["FORMATS", "detect_format", "read_inputs", "read_stream"]
