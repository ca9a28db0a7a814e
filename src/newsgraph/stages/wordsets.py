"""Word sets written inline in the stages' lexicons: ``words("say tell add")``."""

from __future__ import annotations


def words(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text`` as a frozen set."""
    return frozenset(text.split())
