"""The browser tests' fixtures live in tests/browser_fixtures.py, shared by every folder."""

from tests.browser_fixtures import CHROMIUM, CHROMIUM_ARGS

__all__ = ["CHROMIUM", "CHROMIUM_ARGS"]
