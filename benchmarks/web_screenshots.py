"""Screenshots of the explorer's pages in headless Chromium, with their render times.

Serves ``--db`` with uvicorn in a thread, opens each page in Debian's ``chromium`` through
``chromedriver`` (Selenium), saves a PNG per page into ``--out`` and prints, per page, the
time from navigation start to the end of the load event and any browser console error::

    .venv/bin/python benchmarks/web_screenshots.py --db newsgraph.duckdb --out docs/img

The images in ``docs/img/`` were made this way from the demo store (``make demo``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

WIDTH, HEIGHT = 1280, 900


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(db: Path) -> tuple[str, Any]:
    import uvicorn

    from newsgraph.web import create_app

    port = _free_port()
    config = uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline:
            raise SystemExit("uvicorn did not start")
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def _browser() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not (chromium and driver):
        raise SystemExit("needs Debian's chromium and chromium-driver")
    options = Options()
    options.binary_location = chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        f"--window-size={WIDTH},{HEIGHT}",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


def _pages(base: str) -> list[tuple[str, str]]:
    """The pages to show: fixed ones, plus an event with other reports and a busy actor."""
    import urllib.request

    def get(path: str) -> Any:
        request = urllib.request.Request(base + path, headers={"Accept": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    pages = [
        ("dashboard", "/"),
        ("timeline", "/timeline"),
        ("network", "/network"),
        ("claims", "/claims"),
        ("actors", "/actors?name=israel"),
    ]
    claims = get("/claims.json")["events"]
    multi = [e for e in claims if e["articles"] > 1] or claims
    if multi:
        pages.append(("event", f"/events/{quote(multi[0]['claims'][0]['reports'][0]['event_id'])}"))
    top = get("/actors.json?size=1")["actors"]
    if top:
        pages.append(("actor", f"/actor?name={quote(top[0]['name'])}"))
    return pages


def main(argv: list[str] | None = None) -> int:
    """Take the screenshots; exit 1 when a page logs a console error."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    base, server = _serve(args.db)
    browser = _browser()
    failures = 0
    try:
        browser.get(base + "/")  # the first request takes the snapshot: not timed
        for name, path in _pages(base):
            browser.get(base + path)
            seconds = browser.execute_script(
                "var t = performance.getEntriesByType('navigation')[0];"
                "return (t.loadEventEnd - t.startTime) / 1000;"
            )
            browser.save_screenshot(str(args.out / f"web-{name}.png"))
            errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
            failures += bool(errors)
            print(f"{name:10} {path[:60]:60} {seconds:6.3f} s  console errors: {len(errors)}")
            for error in errors:
                print(f"    {error['message']}")
    finally:
        browser.quit()
        server.should_exit = True
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
