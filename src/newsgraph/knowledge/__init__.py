"""The project's own knowledge base of countries, organisations, people, agents and labels.

See :mod:`newsgraph.knowledge.base` for the loader and ``docs/actors.md`` for the data.
"""

from newsgraph.knowledge.base import (
    Agent,
    Country,
    Hit,
    KnowledgeBase,
    LoadedLabel,
    Match,
    Organization,
    Person,
    Tenure,
    load_knowledge_base,
    skeleton,
    tokenize,
)

__all__ = [
    "Agent",
    "Country",
    "Hit",
    "KnowledgeBase",
    "LoadedLabel",
    "Match",
    "Organization",
    "Person",
    "Tenure",
    "load_knowledge_base",
    "skeleton",
    "tokenize",
]
