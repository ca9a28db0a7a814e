"""Shared fixtures: paths to the demo corpus and the shared evaluation data, settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsgraph.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "demo"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the golden JSON files from the current output (review the diff!)",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the developer's own config file or NEWSGRAPH_* variables."""
    monkeypatch.setenv("NEWSGRAPH_CONFIG", str(tmp_path / "no-config.toml"))
    for name in list(os.environ):
        if name.startswith("NEWSGRAPH_") and name not in ("NEWSGRAPH_CONFIG", "NEWSGRAPH_DATA"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared evaluation data; tests that need it skip when it is absent."""
    path = Path(os.environ.get("NEWSGRAPH_DATA", ROOT.parent / "shared" / "data"))
    if not path.is_dir():
        pytest.skip(f"shared evaluation data not found at {path} (set NEWSGRAPH_DATA)")
    return path


@pytest.fixture
def demo_dir() -> Path:
    return DEMO


@pytest.fixture
def light_settings(tmp_path: Path) -> Settings:
    """Settings with a fresh database and no spaCy stage (fast)."""
    return load_settings(db=str(tmp_path / "test.duckdb"), stages="language", batch_size=4)


@pytest.fixture
def full_settings(tmp_path: Path) -> Settings:
    """Settings with a fresh database and every default stage."""
    return load_settings(db=str(tmp_path / "test.duckdb"))
