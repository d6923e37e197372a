"""A real browser on the real server: Playwright drives Debian's chromium against waitress on
127.0.0.1 serving the shipped edition, validated and built into a temporary folder.

Without chromium, Playwright, the workbench's assets or axe-core (`make browser assets`), the
browser tests skip, except under CI (CI=true), where they fail: CI installs them all.
Screenshots of the main pages are written to build/screenshots/ (ignored by git).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from carnets.config import PROJECT_ROOT, Settings
from carnets.export import prepare_release
from carnets.store import open_store
from carnets.validation import validate
from carnets.web import create_app, error_pages
from carnets.web.serve import make_server

SCREENSHOTS = PROJECT_ROOT / "build" / "screenshots"
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
STATIC = PROJECT_ROOT / "src" / "carnets" / "web" / "static"

pytestmark = [
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
]


def missing(what: str) -> None:
    """Skip for want of `what`; under CI, where the set-up installs it, fail."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests need {what} (make browser assets)", pytrace=False)
    pytest.skip(f"no {what}: run `make browser assets`")


@pytest.fixture(scope="session")
def chromium() -> str:
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if found is None:
        missing("Debian's chromium")
    return found  # type: ignore[return-value]


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.is_file():
        missing("axe-core in node_modules")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def workbench_assets() -> None:
    if not (STATIC / "yasgui.min.js").is_file():
        missing("the workbench's assets in static/")


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The shipped edition served by waitress on 127.0.0.1, with HTML error pages wired."""
    settings = Settings.from_env({"CARNETS_RATE_LIMIT": "0"}, root=PROJECT_ROOT)
    release = prepare_release(settings, validate=validate, root=tmp_path_factory.mktemp("site"))
    store = open_store(settings, release.store_path, workers=2)
    app = create_app(settings, store, release)
    error_pages.init_app(app)  # until carnets.web.errors wires it (see error_pages)
    server = make_server(app, replace(settings, host="127.0.0.1", port=0, threads=6))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=5)
    store.close()


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright for Python")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, site: str) -> Iterator:
    """A fresh page in a fresh context (no cookies, no stored workbench tabs), in English."""
    context = browser.new_context(
        base_url=site, viewport={"width": 1280, "height": 900}, locale="en-GB"
    )
    context.set_default_timeout(15_000)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.script_errors = errors  # type: ignore[attr-defined]
    yield opened
    context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
