"""Security: loopback and read-only by default, hostile data and parameters stay harmless."""

from __future__ import annotations

import hashlib
import inspect
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from newsgraph.web import app as web_app
from newsgraph.web import create_app, serve
from newsgraph.web.render import csv_text, dumps, safe_url, snippet_markup

# The same strings the hostile articles of conftest.py carry in every field.
SCRIPT = "<script>alert('xss')</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(document.cookie)"
SQL = "'; DROP TABLE articles; --"

HOSTILE_VALUES = [
    SCRIPT,
    IMG,
    JS_URL,
    SQL,
    "' OR 1=1 --",
    '" OR ""="',
    "%' UNION SELECT * FROM articles --",
    "\\x00\u202e",
]

# Every page and its string parameters (each gets every hostile value).
PARAMETERS = {
    "/search": ["q", "source", "language"],
    "/articles": ["source", "language"],
    "/events": ["actor", "recipient", "type", "place"],
    "/events.csv": ["actor", "recipient", "type", "place"],
    "/actors": ["country", "sector", "kind"],
    "/actor": ["name", "country"],
    "/places": ["country"],
    "/place": ["name"],
    "/map": ["type"],
    "/network": ["type", "actor"],
}
CASES = [(page, name) for page, names in PARAMETERS.items() for name in names]


def _no_live_markup(html: str) -> None:
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert 'href="javascript:' not in html.lower()


def test_security_serve_binds_loopback_by_default() -> None:
    assert inspect.signature(serve).parameters["host"].default == "127.0.0.1"


def test_security_serve_passes_host_and_restricts_host_header(
    monkeypatch: pytest.MonkeyPatch, web_db: Path
) -> None:
    seen: dict[str, Any] = {}

    def fake_run(app: Any, **options: Any) -> None:
        seen.update(options, app=app)

    monkeypatch.setattr("uvicorn.run", fake_run)
    serve(web_db)
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8000
    with TestClient(seen["app"], base_url="http://evil.example") as client:
        assert client.get("/").status_code == 400  # DNS rebinding: foreign Host refused
    with TestClient(seen["app"], base_url="http://localhost:8000") as client:
        assert client.get("/").status_code == 200


def test_security_read_only_by_default_never_touches_the_file(web_db: Path) -> None:
    assert inspect.signature(create_app).parameters["read_only"].default is True
    before = hashlib.sha256(web_db.read_bytes()).hexdigest(), web_db.stat().st_mtime_ns
    with TestClient(create_app(web_db), base_url="http://127.0.0.1") as client:
        for path in ("/", "/events", "/network", "/map", "/search?q=Gaza", "/actors"):
            assert client.get(path).status_code == 200
        for method in ("post", "put", "delete", "patch"):
            response = client.request(method.upper(), "/events")
            assert response.status_code == 405
            assert "Traceback" not in response.text
    assert (hashlib.sha256(web_db.read_bytes()).hexdigest(), web_db.stat().st_mtime_ns) == before


def test_security_headers_forbid_inline_script_and_framing(client: TestClient) -> None:
    response = client.get("/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


def test_security_hostile_article_fields_are_escaped_in_html(
    client: TestClient, hostile_ids: list[str]
) -> None:
    for article_id in hostile_ids:
        html = client.get(f"/articles/{article_id}").text
        _no_live_markup(html)
    for article_id in hostile_ids[:2]:  # the two carrying markup
        assert "&lt;script&gt;alert(" in client.get(f"/articles/{article_id}").text
    first = client.get(f"/articles/{hostile_ids[0]}").text
    assert 'class="unsafe-url"' in first  # the javascript: URL is shown, never linked
    second = client.get(f"/articles/{hostile_ids[1]}").text
    assert 'href="https://example.org/ok?a=1&amp;b=' not in second  # "<" in a URL: not linked
    for path in (
        "/",
        "/articles",
        "/events",
        "/actors",
        "/search?q=reject",
        "/search?q=Evil",
        "/network",
        "/map",
        "/actor?name=Hamas",
        "/timeline",
        "/claims",
        f"/events/{hostile_ids[0]}-v0",
    ):
        _no_live_markup(client.get(path).text)


def test_security_hostile_article_fields_are_data_in_json(
    client: TestClient, hostile_ids: list[str]
) -> None:
    response = client.get(f"/articles/{hostile_ids[0]}.json")
    assert response.headers["content-type"].startswith("application/json")
    assert "<" not in response.text and ">" not in response.text  # escaped as \\u003c
    data = response.json()
    assert SCRIPT in data["article"]["title"] and data["article"]["url"] == JS_URL
    hits = client.get("/search.json", params={"q": "reject proposal"}).json()["hits"]
    assert any(SCRIPT in part["text"] for hit in hits for part in hit["snippet_parts"])


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=range(len(HOSTILE_VALUES)))
@pytest.mark.parametrize(("page", "name"), CASES, ids=[f"{p}:{n}" for p, n in CASES])
def test_security_hostile_query_parameters(
    client: TestClient, page: str, name: str, value: str
) -> None:
    response = client.get(page, params={name: value})
    assert response.status_code in (200, 400, 404), response.text[:300]
    assert "Traceback" not in response.text
    if "html" in response.headers["content-type"]:
        _no_live_markup(response.text)
    if page != "/events.csv":
        twin = client.get(f"{page}.json", params={name: value})
        assert twin.status_code == response.status_code
        assert "<" not in twin.text
        json.loads(twin.text)


def test_security_sql_metacharacters_are_values_not_sql(client: TestClient) -> None:
    everything = client.get("/events.json").json()["total"]
    assert everything > 0
    for value in ("' OR 1=1 --", "x' OR 'a'='a", "%' OR '1'='1"):
        assert client.get("/events.json", params={"actor": value}).json()["total"] == 0
    assert client.get("/events.json").json()["total"] == everything  # nothing was dropped


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/events.json", {"size": 100_000}),
        ("/events.json", {"page": 10**9}),
        ("/events.json", {"size": 0}),
        ("/events.csv", {"limit": 10**7}),
        ("/search.json", {"q": "x", "size": 10_000}),
        ("/network.json", {"limit": 100_000}),
        ("/map.json", {"limit": 10**6}),
        ("/actors.json", {"limit": 10**6}),
        ("/events.json", {"since": "yesterday"}),
        ("/events.json", {"status": "everything"}),
        ("/events.json", {"sort": "id; DROP TABLE events"}),
        ("/search.json", {"q": "x" * 5000}),
    ],
)
def test_security_parameters_are_bounded(
    client: TestClient, path: str, params: dict[str, Any]
) -> None:
    response = client.get(path, params=params, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["problems"]


@pytest.mark.parametrize(
    "path",
    [
        "/static/../app.py",
        "/static/%2e%2e/app.py",
        "/static/..%2fapp.py",
        "/static/%2e%2e%2f%2e%2e%2fmodel.py",
        "/static/....//app.py",
        "/static//etc/passwd",
        "/static/%2fetc%2fpasswd",
        "/articles/..%2f..%2fetc%2fpasswd",
        "/articles/%2e%2e%2f%2e%2e%2fmodel.py",
        "/stories/..%2f..%2fetc%2fpasswd",
        "/..%2f..%2fetc%2fpasswd",
        "/static/templates/base.html",
        "/templates/base.html",
    ],
)
def test_security_no_path_traversal(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (400, 404)
    for secret in ("root:x:0:0", "def create_app", "import ", "{% block"):
        assert secret not in response.text


def test_security_errors_are_clean_pages(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and "no page at" in missing.text
    assert "Traceback" not in missing.text

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr("newsgraph.web.queries.find_event_rows", broken)
    for path in ("/events", "/events.json"):
        response = client.get(path)
        assert response.status_code == 500
        assert "secret internal detail" not in response.text
        assert "Traceback" not in response.text and "internal error" in response.text


def test_security_render_helpers() -> None:
    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    for bad in (
        JS_URL,
        " javascript:alert(1)",
        "JaVaScRiPt:x",
        "data:text/html,<b>",
        "//evil",
        "http://x/<script>",
        "vbscript:x",
        "",
        None,
        42,
    ):
        assert safe_url(bad) is None
    marked = str(snippet_markup("a <b>hit</b> &lt;script&gt; <script>x</script>"))
    assert "<mark>hit</mark>" in marked and "<script>" not in marked
    assert "<" not in dumps({"x": SCRIPT}) and json.loads(dumps({"x": SCRIPT})) == {"x": SCRIPT}
    text = csv_text([{"a": "=HYPERLINK(1)", "b": -3.5, "c": ["+1", "x"]}], ["a", "b", "c"])
    assert "'=HYPERLINK(1)" in text and ",-3.5," in text


def test_security_is_loopback() -> None:
    assert web_app.is_loopback("127.0.0.1") and web_app.is_loopback("localhost")
    assert web_app.is_loopback("::1") and not web_app.is_loopback("0.0.0.0")
    assert not web_app.is_loopback("192.168.1.4")


def test_security_live_mode_leaves_the_users_tables_alone(web_db: Path, tmp_path: Path) -> None:
    import duckdb

    db = tmp_path / "live.duckdb"
    db.write_bytes(web_db.read_bytes())
    with TestClient(create_app(db, read_only=False), base_url="http://127.0.0.1") as client:
        assert client.get("/events.json").json()["total"] > 0
        assert client.get("/status.json").json()["mode"] == "live"
    con = duckdb.connect(str(db), read_only=True)
    schemas = {row[0] for row in con.execute("SELECT schema_name FROM duckdb_schemas()").fetchall()}
    con.close()
    assert "web" not in schemas
