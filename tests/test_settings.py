"""Settings: defaults, config file, environment and arguments, in that order."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsgraph.errors import ConfigError
from newsgraph.settings import SETTINGS, Settings, load_settings


def test_settings_defaults_come_from_the_declaration() -> None:
    loaded = load_settings()
    for setting in SETTINGS:
        assert getattr(loaded, setting.name) == setting.default
    assert loaded == Settings()


def test_settings_precedence_config_then_env_then_arguments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('batch_size = 7\nmax_bytes = 1000\ndb = "from-config.duckdb"\n')
    monkeypatch.setenv("NEWSGRAPH_CONFIG", str(config))
    monkeypatch.setenv("NEWSGRAPH_MAX_BYTES", "2000")
    loaded = load_settings(db="from-args.duckdb", batch_size=None)
    assert loaded.batch_size == 7  # config; None arguments are ignored
    assert loaded.max_bytes == 2000  # environment beats config
    assert loaded.db == "from-args.duckdb"  # arguments beat everything


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("colour = 'blue'\n", "unknown setting 'colour'"),
        ("batch_size = 'many'\n", "must be int"),
        ("batch_size = [\n", "cannot read config file"),
        ("batch_size = 0\n", "must be positive"),
    ],
)
def test_settings_bad_config_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, message: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(content)
    monkeypatch.setenv("NEWSGRAPH_CONFIG", str(config))
    with pytest.raises(ConfigError, match=message):
        load_settings()


def test_settings_bad_environment_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSGRAPH_BATCH_SIZE", "lots")
    with pytest.raises(ConfigError, match="NEWSGRAPH_BATCH_SIZE"):
        load_settings()


def test_settings_stage_and_language_lists() -> None:
    loaded = load_settings(stages=" language, parse ,entities", languages="en,fr")
    assert loaded.stage_names == ["language", "parse", "entities"]
    assert loaded.language_set == {"en", "fr"}
