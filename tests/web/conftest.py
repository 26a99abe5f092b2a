"""A real node serving the demo zone, and Debian's Chromium driven by Playwright.

The browser tests skip with the reason when Chromium or Playwright is missing; CI sets
ZHIZAO_REQUIRE_BROWSER=1 so that they fail instead (`make test` installs both).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import Server, zhizao_cmd

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("ZHIZAO_TEST_ARTIFACTS", "build/test-artifacts"))


def _unavailable(reason: str) -> None:
    if os.environ.get("ZHIZAO_REQUIRE_BROWSER"):
        pytest.fail(f"browser tests required (ZHIZAO_REQUIRE_BROWSER) but {reason}")
    pytest.skip(f"browser tests skipped: {reason} (`make test` installs it)")


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """`zhizao demo` into a fresh SQLite file, served by `zhizao serve` over plain HTTP."""
    server = Server(tmp_path_factory.mktemp("dashboard"), tls=False)
    loaded = subprocess.run(zhizao_cmd("-d", server.db, "demo"), check=True,
                            capture_output=True, text=True)  # fmt: skip
    lot = re.search(r"zhizao recall (\S+)", loaded.stdout)
    assert lot, loaded.stdout
    server.start()
    yield SimpleNamespace(url=server.url, lot=lot.group(1), db=server.db)
    server.stop()


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser
        browser.close()


class Watched:
    """A page that records console errors, uncaught exceptions and failed requests."""

    def __init__(self, browser: object, base: str) -> None:
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
        self.base = base
        self.problems: list[str] = []
        self.page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
                     if m.type == "error" else None)  # fmt: skip
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("response", lambda r: self.problems.append(f"{r.status} {r.url}")
                     if r.status >= 400 else None)  # fmt: skip

    def open(self, path: str) -> object:
        self.page.goto(self.base + path)
        return self.page


@pytest.fixture
def browse(chromium: object, demo_site: SimpleNamespace) -> Iterator[Watched]:
    watched = Watched(chromium, demo_site.url)
    yield watched
    watched.page.close()
