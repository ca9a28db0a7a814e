"""Every route and its JSON twin, in process: status, content type and the data shown."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from newsgraph.store import Store
from newsgraph.store.event_queries import EVENT_COLUMNS, find_events
from newsgraph.web import create_app

PAGES = [
    "/",
    "/search?q=ceasefire",
    "/articles",
    "/events",
    "/events?status=alleged&sort=place&order=asc",
    "/actors",
    "/actor?name=Hamas",
    "/places",
    "/place?geonameid=281133",
    "/map",
    "/network",
    "/status",
]


def _twin(path: str) -> str:
    route, _, query = path.partition("?")
    twin = "/index.json" if route == "/" else f"{route}.json"
    return f"{twin}?{query}" if query else twin


@pytest.mark.parametrize("path", PAGES)
def test_pages_html_and_json_twin(client: TestClient, path: str) -> None:
    html = client.get(path)
    assert html.status_code == 200, html.text[:500]
    assert html.headers["content-type"].startswith("text/html")
    assert "<nav>" in html.text
    twin = client.get(_twin(path))
    assert twin.status_code == 200
    assert twin.headers["content-type"].startswith("application/json")
    negotiated = client.get(path, headers={"Accept": "application/json"})
    assert negotiated.headers["content-type"].startswith("application/json")
    if path == "/status":  # the snapshot's age moves between two requests
        assert negotiated.json().keys() == twin.json().keys()
    else:
        assert negotiated.json() == twin.json()


def test_pages_article_and_twin(client: TestClient, hostile_ids: list[str]) -> None:
    article_id = hostile_ids[0]
    html = client.get(f"/articles/{article_id}")
    assert html.status_code == 200
    data = client.get(f"/articles/{article_id}.json").json()
    assert data["article"]["id"] == article_id
    assert {"entities", "actors", "places", "quotes", "events", "annotations"} <= set(data)
    # Each event row says whose claim it is and who reported it.
    assert data["events_table"]
    assert {"status", "claimed_by", "reported_by"} <= set(data["events_table"][0])


def test_pages_article_highlights_every_actor_mention(
    client: TestClient, hostile_ids: list[str]
) -> None:
    article_id = hostile_ids[0]
    data = client.get(f"/articles/{article_id}.json").json()
    html = client.get(f"/articles/{article_id}").text
    hamas = next(a for a in data["actors"] if a["name"] == "Hamas")
    assert f'data-facts="{hamas["id"]}' in html or f" {hamas['id']}" in html
    assert 'class="hl k-entity k-actor' in html
    assert "actor: Hamas" in html  # the hover explanation


def test_pages_unknown_article_is_404(client: TestClient) -> None:
    for path in ("/articles/0000000000000000", "/articles/0000000000000000.json"):
        response = client.get(path)
        assert response.status_code == 404
    assert client.get("/articles/0000000000000000.json").json()["error"]["status"] == 404


def test_pages_dashboard_counts_match_the_store(client: TestClient, web_db: Path) -> None:
    with Store(web_db, read_only=True) as store:
        counts = store.counts()
    data = client.get("/index.json").json()
    assert data["counts"] == counts
    assert data["timeline"] and data["top_actors"] and data["top_places"]


def test_pages_search_highlights_hits_and_filters(client: TestClient) -> None:
    data = client.get("/search.json", params={"q": "ceasefire"}).json()
    assert data["hits"]
    assert any(part["hit"] for part in data["hits"][0]["snippet_parts"])
    html = client.get("/search", params={"q": "ceasefire"}).text
    assert "<mark>" in html
    source = data["hits"][0]["source"]
    filtered = client.get("/search.json", params={"q": "ceasefire", "source": source}).json()
    assert filtered["hits"] and {hit["source"] for hit in filtered["hits"]} == {source}
    none = client.get("/search.json", params={"q": "ceasefire", "since": "2999"}).json()
    assert none["hits"] == []


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"actor": "Hamas"},
        {"recipient": "ISR"},
        {"type": "ACCUSE"},
        {"type": "19"},
        {"status": "alleged"},
        {"place": "Gaza"},
        {"since": "2024-03", "until": "2024-06"},
    ],
    ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()) or "all",
)
def test_pages_events_filters_match_find_events(
    client: TestClient, web_db: Path, params: dict[str, str]
) -> None:
    data = client.get("/events.json", params={**params, "size": 500}).json()
    names = {"type": "plover_type"}
    with Store(web_db, read_only=True) as store:
        expected = find_events(store, limit=500, **{names.get(k, k): v for k, v in params.items()})
    assert data["total"] == len(expected)
    assert {row["id"] for row in data["events"]} == {row["id"] for row in expected}
    by_id = {row["id"]: row for row in expected}
    for row in data["events"]:
        assert {k: row[k] for k in EVENT_COLUMNS} == by_id[row["id"]]


def test_pages_events_sort_and_page(client: TestClient) -> None:
    rows = client.get("/events.json", params={"sort": "type", "order": "asc", "size": 500}).json()
    types = [row["plover_type"] for row in rows["events"]]
    assert types == sorted(types)
    first = client.get("/events.json", params={"size": 5, "page": 1}).json()["events"]
    second = client.get("/events.json", params={"size": 5, "page": 2}).json()["events"]
    assert len(first) == 5 and not {r["id"] for r in first} & {r["id"] for r in second}


def test_pages_events_csv_download(client: TestClient) -> None:
    response = client.get("/events.csv", params={"status": "alleged"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    total = client.get("/events.json", params={"status": "alleged"}).json()["total"]
    assert len(rows) == total
    assert list(rows[0]) == list(EVENT_COLUMNS)
    assert {row["status"] for row in rows} == {"alleged"}


def test_pages_actor_page_lists_events_and_quotes(client: TestClient) -> None:
    data = client.get("/actor.json", params={"name": "Ismail Haniyeh"}).json()
    assert data["profile"]["name"] == "Ismail Haniyeh"
    assert data["events_as_actor_total"] >= 1
    for event in data["events_as_actor"]:
        assert "Ismail Haniyeh" in [name.split(" [")[0] for name in event["actors"]]
    assert data["quotes"]
    assert client.get("/actor", params={"name": "Nobody At All"}).status_code == 404


def test_pages_place_page_by_id_and_by_name(client: TestClient) -> None:
    places = client.get("/places.json").json()["places"]
    resolved = next(p for p in places if p["geonameid"] is not None)
    data = client.get("/place.json", params={"geonameid": resolved["geonameid"]}).json()
    assert data["place"]["name"] == resolved["name"]
    assert data["articles"]
    assert client.get("/place", params={"geonameid": 1}).status_code == 404
    assert client.get("/place").status_code == 400


def test_pages_map_points_link_to_places(client: TestClient) -> None:
    data = client.get("/map.json").json()
    assert data["points"]
    assert all(-90 <= p["latitude"] <= 90 and -180 <= p["longitude"] <= 180 for p in data["points"])
    html = client.get("/map").text
    assert 'href="/static/world.svg"' in html
    assert "/place?geonameid=" in html
    assert len(data["points"]) == html.count('class="point"')


def test_pages_network_edges_and_filters(client: TestClient) -> None:
    data = client.get("/network.json").json()
    assert data["edges"] and data["nodes"]
    names = {node["name"] for node in data["nodes"]}
    assert all(e["source"] in names and e["target"] in names for e in data["edges"])
    accuse = client.get("/network.json", params={"type": "ACCUSE"}).json()
    assert all("ACCUSE" in edge["types"] for edge in accuse["edges"])
    heavy = client.get("/network.json", params={"min_events": 10_000}).json()
    assert heavy["edges"] == [] and "No events" in client.get("/network?min_events=10000").text


def test_pages_stories_appear_only_when_their_tables_exist(web_db: Path, tmp_path: Path) -> None:
    stories = pytest.importorskip("newsgraph.stories", reason="the stories stage is not installed")
    copy = tmp_path / "stories.duckdb"
    copy.write_bytes(web_db.read_bytes())
    with Store(copy) as store:
        stories.reset_stories(store)  # as a database written before stories existed
    with TestClient(create_app(copy), base_url="http://127.0.0.1") as plain:
        assert plain.get("/stories").status_code == 404
        assert 'href="/stories"' not in plain.get("/").text
    with Store(copy) as store:
        stories.update_stories(store)
        expected = stories.find_stories(store, limit=1000)
    assert expected
    with TestClient(create_app(copy), base_url="http://127.0.0.1") as with_stories:
        assert 'href="/stories"' in with_stories.get("/").text
        listing = with_stories.get("/stories.json", params={"size": 200}).json()
        assert [s["id"] for s in listing["stories"]] == [s["id"] for s in expected][:200]
        first = expected[0]
        story = with_stories.get(f"/stories/{first['id']}.json").json()
        assert len(story["articles"]) == first["articles"]
        assert with_stories.get(f"/stories/{first['id']}").status_code == 200
        # Issue 15: story pages leaked internal keys and showed "original ()" for copies.
        for listed in expected[:20]:
            page = with_stories.get(f"/stories/{listed['id']}").text
            assert "@geo:" not in page and "@kb:" not in page and "geo:" not in page
            assert "original ()" not in page and "()</td>" not in page
            twin = with_stories.get(f"/stories/{listed['id']}.json").json()["story"]
            assert twin["title"] and not any(n.startswith(("geo:", "kb:")) for n in twin["names"])
        assert with_stories.get("/stories/999999999").status_code == 404
        assert with_stories.get("/stories/nope").status_code == 400


def test_pages_openapi_lists_every_page_and_twin(client: TestClient) -> None:
    paths = set(client.get("/openapi.json").json()["paths"])
    for page in PAGES:
        route = page.partition("?")[0]
        assert route in paths
        assert _twin(route) in paths
    assert {"/articles/{article_id}", "/articles/{article_id}.json", "/events.csv"} <= paths
    assert client.get("/api").status_code == 200


def test_pages_static_assets_are_served_locally(client: TestClient) -> None:
    for asset, kind in (("app.css", "text/css"), ("app.js", "javascript"), ("world.svg", "svg")):
        response = client.get(f"/static/{asset}")
        assert response.status_code == 200 and kind in response.headers["content-type"]
    html = client.get("/").text
    assert "http://" not in html.split("<main>")[0] and "https://" not in html.split("<main>")[0]
