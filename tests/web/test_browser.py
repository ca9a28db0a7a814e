"""End to end in a real headless Chromium (Debian ``chromium`` + ``chromium-driver``, Selenium).

Each test loads pages from a uvicorn server on a free loopback port, checks what a
reader sees, saves a screenshot (in this session's pytest temporary folder, printed at
the end), and fails on any error in the browser console. Skips, saying why, when
Chromium, its driver or Selenium is missing.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsgraph.web import create_app

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (CHROMIUM and DRIVER),
        reason="headless browser tests need Debian's chromium and chromium-driver "
        "(apt-get install -y chromium chromium-driver)",
    ),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(web_db: Path) -> Iterator[str]:
    """The explorer over the session database, served by uvicorn in a thread."""
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(create_app(web_db), host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not instance.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go (kept with pytest's temporary folders)."""
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--window-size=1400,1000",
        "--disable-dev-shm-usage",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(DRIVER)), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _open(browser: Any, url: str, shots: Path, name: str) -> None:
    browser.get(url)
    browser.save_screenshot(str(shots / f"{name}.png"))
    errors = [
        entry
        for entry in browser.get_log("browser")
        if entry["level"] == "SEVERE" and "favicon.ico" not in entry["message"]
    ]
    assert not errors, f"console errors on {url}: {errors}"


def test_browser_dashboard_and_search(browser: Any, server: str, shots: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, server + "/", shots, "dashboard")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Dashboard"
    assert browser.find_elements(By.CSS_SELECTOR, "svg.timeline rect")
    box = browser.find_element(By.CSS_SELECTOR, "form.quick input[name=q]")
    box.send_keys("ceasefire")
    box.submit()
    time.sleep(0.5)
    _open(browser, browser.current_url, shots, "search")
    assert browser.find_elements(By.CSS_SELECTOR, ".hit mark")


def test_browser_article_highlights_and_explains(
    browser: Any, server: str, shots: Path, hostile_ids: list[str]
) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, f"{server}/articles/{hostile_ids[0]}", shots, "article")
    actor = next(
        el for el in browser.find_elements(By.CSS_SELECTOR, ".hl.k-actor") if el.text == "Hamas"
    )
    assert "actor: Hamas" in actor.get_attribute("title")
    actor.click()
    explain = browser.find_element(By.ID, "explain")
    assert "Hamas" in explain.text
    assert browser.find_elements(By.CSS_SELECTOR, ".fact.selected")
    # The hostile title is shown as text, and no script from the article ran.
    assert "<script>" in browser.find_element(By.TAG_NAME, "h1").text
    assert browser.execute_script("return typeof window.__pwned") == "undefined"
    browser.save_screenshot(str(shots / "article-explained.png"))


def test_browser_events_filter(browser: Any, server: str, shots: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    _open(browser, server + "/events", shots, "events")
    every = len(browser.find_elements(By.CSS_SELECTOR, "tr.event-row"))
    Select(browser.find_element(By.NAME, "status")).select_by_value("alleged")
    browser.find_element(By.CSS_SELECTOR, "#event-filters button").click()
    time.sleep(0.5)
    _open(browser, browser.current_url, shots, "events-alleged")
    statuses = {el.text for el in browser.find_elements(By.CSS_SELECTOR, "tr.event-row .status")}
    assert statuses == {"alleged"}
    assert "status=alleged" in browser.current_url
    assert every >= len(browser.find_elements(By.CSS_SELECTOR, "tr.event-row"))


def test_browser_map_and_network(browser: Any, server: str, shots: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, server + "/map", shots, "map")
    points = browser.find_elements(By.CSS_SELECTOR, "#world-map circle.point")
    assert points
    loaded = browser.execute_script(
        "var img = new Image(); img.src = '/static/world.svg';"
        "return img.decode().then(function () { return img.naturalWidth; });"
    )
    assert loaded > 0
    _open(browser, server + "/network", shots, "network")
    assert browser.find_elements(By.CSS_SELECTOR, "#network .node")
    assert browser.find_elements(By.CSS_SELECTOR, "#network line.edge")
    print(f"\nscreenshots: {shots}")


def _load_seconds(browser: Any) -> float:
    """Navigation start to the end of the load event of the current page, loaded again
    (the first load of a page also waits for the server's first computation of it)."""
    browser.refresh()
    return float(
        browser.execute_script(
            "var t = performance.getEntriesByType('navigation')[0];"
            "return (t.loadEventEnd - t.startTime) / 1000;"
        )
    )


def test_browser_event_trigger_opens_the_event_not_an_entity(
    browser: Any, server: str, shots: Path, hostile_ids: list[str]
) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, f"{server}/articles/{hostile_ids[0]}", shots, "article-event")
    trigger = browser.find_elements(By.CSS_SELECTOR, "#article-text .hl.k-event")[0]
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", trigger)
    trigger.click()
    selected = browser.find_elements(By.CSS_SELECTOR, ".fact.selected")
    assert any("k-event" in el.get_attribute("class") for el in selected)
    link = browser.find_elements(By.CSS_SELECTOR, "a.event-link")[0]
    link.click()
    time.sleep(0.3)
    _open(browser, browser.current_url, shots, "event")
    assert "/events/" in browser.current_url
    assert browser.find_elements(By.CSS_SELECTOR, "#event-sentence mark.trigger")


def test_browser_network_is_readable_and_opens_the_evidence(
    browser: Any, server: str, shots: Path
) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, server + "/network", shots, "network-labels")
    assert _load_seconds(browser) < 1.0
    overlaps = browser.execute_script(
        """
        var boxes = Array.from(document.querySelectorAll('#network text')).map(function (t) {
          return t.getBBox();
        });
        var found = 0;
        for (var i = 0; i < boxes.length; i++) {
          for (var j = i + 1; j < boxes.length; j++) {
            var a = boxes[i], b = boxes[j];
            if (a.x < b.x + b.width - 1 && b.x < a.x + a.width - 1 &&
                a.y < b.y + b.height - 1 && b.y < a.y + a.height - 1) { found++; }
          }
        }
        return [boxes.length, found];
        """
    )
    assert overlaps[0] >= 5 and overlaps[1] == 0
    edge = browser.find_elements(By.CSS_SELECTOR, "#network a.edge-link")[0]
    href = browser.execute_script("return arguments[0].getAttribute('href');", edge)
    browser.get(server + href)
    assert "/events?" in browser.current_url
    assert browser.find_elements(By.CSS_SELECTOR, "tr.event-row")


def test_browser_timeline_brush_selects_months(browser: Any, server: str, shots: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    _open(browser, server + "/timeline", shots, "timeline")
    assert _load_seconds(browser) < 1.0
    chart = browser.find_element(By.ID, "timeline")
    width = chart.size["width"]
    drag = ActionChains(browser).move_to_element_with_offset(chart, -width // 4, 0)
    drag.click_and_hold().move_by_offset(width // 3, 0).release().perform()
    zoom = browser.find_element(By.ID, "brush-zoom")
    assert zoom.is_displayed() and "since=" in zoom.get_attribute("href")
    browser.get(zoom.get_attribute("href"))
    _open(browser, browser.current_url, shots, "timeline-zoomed")
    assert browser.find_elements(By.CSS_SELECTOR, "#timeline rect[data-month]")


def test_browser_claims_view_opens_the_sentences(browser: Any, server: str, shots: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, server + "/claims", shots, "claims")
    summary = browser.find_elements(By.CSS_SELECTOR, "#claims details summary")[0]
    summary.click()
    report = browser.find_elements(By.CSS_SELECTOR, "#claims details[open] a.report")[0]
    assert report.is_displayed()
    report.click()
    time.sleep(0.3)
    _open(browser, browser.current_url, shots, "claims-event")
    assert "/events/" in browser.current_url
