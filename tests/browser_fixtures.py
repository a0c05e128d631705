"""Fixtures of the browser tests: the application served on loopback to real headless Chromium, driven by
Playwright. One browser for the whole run, shared by every test folder (Playwright's synchronous API allows
one instance per thread), registered by the root conftest.

They are skipped, with the reason, where Debian's chromium is not installed; ``.ci/run`` installs it.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from app import create_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# Screenshots the browser tests keep for people to look at after a run (CI keeps the folder as artifacts).
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS") or Path(__file__).resolve().parents[1] / "test-artifacts")


def artifact(name: str) -> Path:
    """Where to write the artifact ``name`` (its folder created)."""
    path = ARTIFACTS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's package), or a skip saying how to get it."""
    if not shutil.which("chromium"):
        pytest.skip("browser tests need Debian's chromium: apt-get install -y chromium (.ci/run does it)")
    playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]'")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def site_app(database: dict[str, Any], app: Flask, **settings: Any) -> Flask:
    """Another application on the run's (already migrated) database, as a site runs it (``settings``
    added)."""
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": app.config["SECRET_KEY"],
            "RATELIMIT_STORAGE_URI": "memory://",
            **settings,
            **database,
        }
    )


@contextmanager
def served(application: Flask) -> Iterator[str]:
    """``application`` served by a threaded WSGI server on a free loopback port; yields its address."""
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def browser_app(database: dict[str, Any], app: Flask) -> Flask:
    """A second application on the run's (already migrated) database, with the acid aside allowed."""
    return site_app(database, app, XBLOCK_ASIDES=("acid_aside",))


@pytest.fixture(scope="session")
def live_server(browser_app: Flask) -> Iterator[str]:
    """The browser application served by a threaded WSGI server on a free loopback port."""
    with served(browser_app) as address:
        yield address


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    """A fresh browser context and page; console errors are collected on ``page.errors``."""
    context = browser.new_context(base_url=live_server, locale="fr-FR")
    tab = context.new_page()
    tab.errors = []
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    yield tab
    context.close()
