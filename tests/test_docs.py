"""Docs that cannot go stale: every command, setting, stage and record field is documented."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import click
import pytest

import newsgraph
from newsgraph import model
from newsgraph.cli import cli
from newsgraph.pipeline import BUILTIN_STAGES
from newsgraph.settings import SETTINGS
from newsgraph.store.tables import ALL_TABLES

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

RECORDS = [
    model.Article,
    model.Dateline,
    model.Entity,
    model.Actor,
    model.Mention,
    model.Place,
    model.DateMention,
    model.Quote,
    model.Span,
    model.Event,
    model.Annotation,
    model.Tone,
    model.ActorTone,
    model.Rejection,
    model.Removed,
]


def _section(text: str, heading: str) -> str:
    match = re.search(rf"^### {re.escape(heading)}\n(.*?)(?=^##|\Z)", text, re.M | re.S)
    assert match, f"docs/schema.md has no '### {heading}' section"
    return match.group(1)


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.__name__)
def test_docs_schema_documents_every_field(record: type) -> None:
    section = _section((DOCS / "schema.md").read_text(), record.__name__)
    documented = set(re.findall(r"^\| `(\w+)` \|", section, re.M))
    declared = {f.name for f in fields(record) if f.name != "doc"}
    assert declared == documented


def test_docs_schema_documents_every_table() -> None:
    text = (DOCS / "schema.md").read_text()
    for table in ALL_TABLES:
        assert f"| `{table.name}` |" in text
        for extra in table.extras:
            assert f"`{extra.name}" in text, f"extra column {table.name}.{extra.name}"


def _commands(group: click.Group, prefix: str = "") -> dict[str, click.Command]:
    found: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        found[f"{prefix}{name}"] = command
        if isinstance(command, click.Group):
            found.update(_commands(command, prefix=f"{prefix}{name} "))
    return found


COMMANDS = _commands(cli)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_docs_cli_documents_every_command_and_option(command: str) -> None:
    text = (DOCS / "cli.md").read_text()
    match = re.search(rf"^### `newsgraph {command}(?: (.*))?`$", text, re.M)
    assert match, f"docs/cli.md has no heading for `newsgraph {command}`"
    for param in COMMANDS[command].params:
        for flag in getattr(param, "opts", []):
            if flag.startswith("--") and flag != "--help":
                assert flag in (match.group(1) or ""), f"{command} {flag} is undocumented"


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_docs_settings_documents_every_setting(setting: object) -> None:
    name = setting.name  # type: ignore[attr-defined]
    default = setting.default  # type: ignore[attr-defined]
    text = (DOCS / "settings.md").read_text()
    assert f"| `{name}` | `{default}` |" in text


@pytest.mark.parametrize("stage", sorted(BUILTIN_STAGES))
def test_docs_stages_documents_every_builtin_stage(stage: str) -> None:
    assert f"| `{stage}` |" in (DOCS / "stages.md").read_text()


def test_readme_first_screen_has_the_two_setup_commands() -> None:
    first_screen = "\n".join((ROOT / "README.md").read_text().splitlines()[:25])
    assert "make demo" in first_screen
    assert "make test" in first_screen


def test_public_api_is_pinned() -> None:
    assert sorted(newsgraph.__all__) == [
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
    for name in newsgraph.__all__:
        assert hasattr(newsgraph, name)
