"""newsgraph: news articles to evidence-linked event data.

The public API::

    from newsgraph import analyze, ingest, load_settings, Store

    report = ingest(["examples/demo"], settings=load_settings(db="demo.duckdb"))
    with Store("demo.duckdb", read_only=True) as store:
        print(store.counts())
"""

from newsgraph.errors import ConfigError, InputError, NewsgraphError, StageError, StorageError
from newsgraph.ingest import read_inputs
from newsgraph.model import (
    Actor,
    ActorTone,
    Analysis,
    Annotation,
    Article,
    Dateline,
    DateMention,
    Entity,
    Event,
    Mention,
    Place,
    Quote,
    Rejection,
    Span,
    Tone,
    article_id_for,
)
from newsgraph.pipeline import Pipeline, RunReport, Stage, available_stages
from newsgraph.runner import analyze, ingest
from newsgraph.settings import Settings, load_settings
from newsgraph.store import Store, export

__version__ = "0.1.0"

__all__ = [
    "Actor",
    "ActorTone",
    "Analysis",
    "Annotation",
    "Article",
    "ConfigError",
    "DateMention",
    "Dateline",
    "Entity",
    "Event",
    "InputError",
    "Mention",
    "NewsgraphError",
    "Pipeline",
    "Place",
    "Quote",
    "Rejection",
    "RunReport",
    "Settings",
    "Span",
    "Stage",
    "StageError",
    "StorageError",
    "Store",
    "Tone",
    "__version__",
    "analyze",
    "article_id_for",
    "available_stages",
    "export",
    "ingest",
    "load_settings",
    "read_inputs",
]
