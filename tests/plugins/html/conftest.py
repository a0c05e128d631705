"""The html editor's tests use the video tests' fixtures: the studio's pages and handler endpoint, and a
headless Chromium on a live server."""

from __future__ import annotations

from tests.plugins.video.conftest import in_browser, live_site, studio_call, studio_client, studio_view

__all__ = ["in_browser", "live_site", "studio_call", "studio_client", "studio_view"]
