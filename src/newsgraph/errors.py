"""Exceptions raised by newsgraph.

Every error a user can cause or fix is a :class:`NewsgraphError`; it carries the
fields that locate the problem and a hint saying how to fix it::

    NewsgraphError
    ├── InputError      an input cannot be read or is not an article (file, record, reason)
    ├── ConfigError     a setting, a pipeline or a stage is wrong (how to fix it)
    ├── StageError      a stage failed on one article (stage, article)
    └── StorageError    the database or the search index cannot be used (path)
        └── ResourceError   ... because of the disk, the folder or another process, not
                            of any record: the run stops (and a re-run completes it)

The CLI turns these into one line on stderr and an exit code; the library lets them
propagate so callers can handle them by type.
"""

from __future__ import annotations


class NewsgraphError(Exception):
    """Base class of every error newsgraph raises on purpose."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InputError(NewsgraphError):
    """An input that cannot be turned into an article.

    Args:
        message: what is wrong with the input.
        source: the file (or ``<stdin>``) the input came from.
        record: where inside the file, e.g. ``line 12`` or ``record 3``.
        hint: how to fix it.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        record: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.source = source
        self.record = record

    def __str__(self) -> str:
        where = ":".join(part for part in (self.source, self.record) if part)
        base = f"{where}: {self.message}" if where else self.message
        return f"{base} ({self.hint})" if self.hint else base


class ConfigError(NewsgraphError):
    """A setting, the pipeline definition or a stage's declaration is wrong."""


class StageError(NewsgraphError):
    """A stage failed on an article; the runner turns it into a rejection."""

    def __init__(self, message: str, *, stage: str, article_id: str | None = None) -> None:
        super().__init__(message)
        self.stage = stage
        self.article_id = article_id


class StorageError(NewsgraphError):
    """The database or its search index cannot be opened, read or written."""

    def __init__(self, message: str, *, path: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.path = path


class ResourceError(StorageError):
    """The store cannot be written because of its surroundings — a full disk, a read-only
    or forbidden folder, a file another process holds — not because of any record.

    Retrying record by record cannot help, so a run stops with this error; its message
    names the cause and the path, its hint what to do.
    """
