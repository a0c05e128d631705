"""Fixtures for the video block: a course with videos and their files, what a learner's state holds, the
completion events the runtime announced, and the studio's pages and handler endpoint for the editors."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.accounts.models import Role, User
from app.core.extensions import db
from app.progress.models import BlockCompletion
from app.runtime import events
from app.runtime.models import FieldValue, StoredBlock
from tests.browser_fixtures import CHROMIUM, CHROMIUM_ARGS, served, site_app
from tests.conftest import PASSWORD
from tests.plugins.conftest import BlockClient, OlxCourse

VTT = "WEBVTT\n\n00:00.000 --> 00:01.000\nBonjour <b>à tous</b> &amp; bienvenue\n"
FILES: dict[str, str | bytes] = {
    "static/intro.mp4": b"not really a video",
    "static/intro-fr.vtt": VTT,
    "static/intro-en.vtt": VTT.replace("Bonjour", "Hello"),
}
HTML5 = (
    '<video url_name="v1" display_name="Présentation" html5_sources=\'["/static/intro.mp4"]\'>'
    '<transcript language="fr" src="intro-fr.vtt"/></video>'
)
YOUTUBE = '<video url_name="yt" display_name="Sur YouTube" youtube_id_1_0="dQw4w9WgXcQ"/>'
PEERTUBE = (
    '<video url_name="pt" display_name="Sur PeerTube" '
    'embed_url="https://video.example.org/videos/embed/9c9de5e8-0a1e-484a-b099-e80766180a6d"/>'
)


def user_state(app: Flask, user_id: int, course: OlxCourse, url_name: str = "v1") -> dict[str, Any]:
    """The learner's stored fields of a video (user_state scope), by name."""
    with app.app_context():
        rows = db.session.execute(
            select(FieldValue.field_name, FieldValue.value).where(
                FieldValue.scope == "user_state",
                FieldValue.user_id == user_id,
                FieldValue.scope_key == course.usage("video", url_name),
            )
        ).all()
    return dict(rows)


def completion(app: Flask, user_id: int, course: OlxCourse, url_name: str = "v1") -> float | None:
    """The learner's recorded completion of a video (None when nothing was recorded)."""
    with app.app_context():
        return db.session.scalar(
            select(BlockCompletion.completion).where(
                BlockCompletion.user_id == user_id,
                BlockCompletion.usage_id == course.usage("video", url_name),
            )
        )


@pytest.fixture
def announced() -> Iterator[list[events.ProgressEvent]]:
    """Every progress event the runtime announces during the test (what blocks published)."""
    seen: list[events.ProgressEvent] = []

    def listen(sender: Any, **kwargs: Any) -> None:
        seen.extend(kwargs["events"])

    with events.progress_recorded.connected_to(listen):
        yield seen


@dataclass
class Authoring:
    """The answer of an editor's handler called through the studio, and the block as it is stored after."""

    app: Flask
    course: OlxCourse
    status: int
    body: Any

    def _stored(self, usage_id: str) -> StoredBlock:
        with self.app.app_context():
            block = db.session.scalar(
                select(StoredBlock).where(
                    StoredBlock.tree_id == self.course.tree_id, StoredBlock.usage_id == usage_id
                )
            )
            assert block is not None
            db.session.expunge(block)
            return block

    def settings(self, usage_id: str) -> dict[str, Any]:
        """The block's stored settings."""
        return dict(self._stored(usage_id).settings or {})

    def content(self, usage_id: str) -> dict[str, Any]:
        """The block's stored content."""
        return dict(self._stored(usage_id).content or {})


@pytest.fixture
def studio_client(
    as_user: Callable[..., BlockClient], make_user: Callable[..., User], make_cybersite: Callable[..., Any]
) -> Callable[..., BlockClient]:
    """A trainer (course staff) signed in, reading the studio in ``language``; one per language."""
    clients: dict[tuple[int, str], BlockClient] = {}

    def build(course: OlxCourse, language: str = "en") -> BlockClient:
        if (course.course_id, language) not in clients:
            trainer = make_user(roles=[(Role.TRAINER, make_cybersite())], language=language)
            client = as_user(trainer, course)
            client.studio_page()  # the CSRF token of the studio's pages
            clients[course.course_id, language] = client
        return clients[course.course_id, language]

    return build


@pytest.fixture
def studio_call(app: Flask, studio_client: Callable[..., BlockClient]) -> Callable[..., Authoring]:
    """Call a block's handler through the studio's endpoint (authoring: content and settings writable)."""

    def call(
        course: OlxCourse,
        block_type: str,
        url_name: str,
        handler: str,
        data: Any = None,
        *,
        raw: bytes | None = None,
        language: str = "en",
    ) -> Authoring:
        client = studio_client(course, language)
        body = raw if raw is not None else json.dumps(data if data is not None else {}).encode()
        response = client.client.post(
            f"/studio/xblock/{course.usage(block_type, url_name)}/handler/{handler}",
            data=body,
            headers={"X-CSRFToken": client.token, "Content-Type": "application/json"},
        )
        return Authoring(app, course, response.status_code, response.get_json(silent=True))

    return call


@pytest.fixture
def studio_view(studio_client: Callable[..., BlockClient]) -> Callable[..., str]:
    """The studio page of unit ``u1``, which shows each block's editor (``studio_view``)."""

    def render(course: OlxCourse, block_type: str, url_name: str, language: str = "en") -> str:
        html = studio_client(course, language).studio_page()
        assert f"type@{block_type}+block@{url_name}" in html
        return html

    return render


@pytest.fixture(scope="session")
def live_site(database: dict[str, Any], app: Flask) -> Iterator[str]:
    """The application served on a free loopback port (threads), for browser tests; skipped without
    Debian's chromium or Playwright."""
    if not shutil.which("chromium"):
        pytest.skip("browser tests need Debian's chromium: apt-get install -y chromium (.ci/run does it)")
    pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]'")
    with served(site_app(database, app)) as address:
        yield address


@pytest.fixture
def in_browser(live_site: str) -> Callable[[Callable[[Any], Any]], Any]:
    """Run ``scenario(page)`` in a fresh headless Chromium (French locale) and return what it returns.

    Playwright's sync API allows one instance per thread, and the suite's other browser tests keep theirs
    open for the whole session: each scenario gets a thread, a Playwright and a Chromium of its own.
    Errors the page throws are collected on ``page.errors``.
    """

    def run(scenario: Callable[[Any], Any]) -> Any:
        def work() -> Any:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as playwright:
                chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    context = chromium.new_context(base_url=live_site, locale="fr-FR")
                    page = context.new_page()
                    page.errors = []
                    page.on("pageerror", lambda error: page.errors.append(str(error)))
                    return scenario(page)
                finally:
                    chromium.close()

        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(work).result()

    return run


def sign_in_page(page: Any, email: str) -> None:
    """Sign in through the sign-in form, as a person would."""
    page.goto("/compte/connexion")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/connexion" not in url)
