"""Shared fixtures: one analysed database (the demo corpus plus hostile articles) per session."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from newsgraph.runner import ingest
from newsgraph.settings import load_settings
from newsgraph.store import Store

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "demo"

SCRIPT = "<script>alert('xss')</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(document.cookie)"
SQL = "'; DROP TABLE articles; --"

# Articles written to attack the explorer: markup and SQL in every field a page shows.
HOSTILE = [
    {
        "id": "hostile-1",
        "title": f"Talks collapse {SCRIPT}",
        "source": f"Evil Wire {IMG}",
        "url": JS_URL,
        "byline": f"By {SCRIPT}",
        "published": "2024-05-02",
        "text": (
            f"Hamas accused Israel of attacking Gaza on Tuesday, officials said {IMG}. "
            f'"We reject {SCRIPT} every proposal," Ismail Haniyeh said in Doha. '
            f"The ministry {SQL} said Israel denied the report."
        ),
    },
    {
        "id": "hostile-2",
        "title": f"{IMG} Egypt hosts envoys",
        "source": SQL,
        "url": "https://example.org/ok?a=1&b=<2>",
        "published": "2024-05-03",
        "text": (
            "Egypt hosted envoys from Qatar and the United States in Cairo on Wednesday to "
            f"discuss a ceasefire. {SCRIPT} Qatar urged Israel to accept the proposal."
        ),
    },
    {
        "id": "hostile-3",
        "title": "Leaked invoice photo\u202egnp.exe",  # a right-to-left override
        "source": "Guardian",
        "published": "2024-05-04",
        "text": "Jordan said on Friday that it had closed the border crossing near Jaber.",
    },
    {
        "id": "hostile-4",
        "source": "Guardian",
        "published": "2024-05-05",
        "text": (
            "Protesters marched through Amman on Saturday against the war. "
            "Police watched from side streets."
        ),
    },
]


@pytest.fixture(scope="session")
def web_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo corpus and the hostile articles, analysed by every default stage."""
    folder = tmp_path_factory.mktemp("webdb")
    hostile = folder / "hostile.jsonl"
    hostile.write_text("\n".join(json.dumps(record) for record in HOSTILE) + "\n")
    db = folder / "web.duckdb"
    ingest([str(DEMO), str(hostile)], settings=load_settings(db=str(db)))
    return db


@pytest.fixture(scope="session")
def hostile_ids(web_db: Path) -> list[str]:
    """Ids of the hostile articles, in the order of :data:`HOSTILE`."""
    with Store(web_db, read_only=True) as store:
        rows = store.con.execute(
            "SELECT external_id, id FROM articles WHERE external_id LIKE 'hostile-%' ORDER BY 1"
        ).fetchall()
    return [article_id for _, article_id in rows]


@pytest.fixture(scope="module")
def client(web_db: Path) -> Iterator[TestClient]:
    """A test client of an app over the session database."""
    from newsgraph.web import create_app

    with TestClient(
        create_app(web_db), base_url="http://127.0.0.1", raise_server_exceptions=False
    ) as test_client:
        yield test_client
