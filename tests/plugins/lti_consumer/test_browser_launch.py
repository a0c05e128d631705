"""An LTI 1.3 launch in real Chromium: the page that posts the id_token to the tool submits itself (its
own script, allowed by its policy to post to the tool's origin only), the real tool (PyLTI1p3) on loopback
validates the launch and sends a score, and the learner's grade is stored."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.progress.models import BlockCompletion
from tests.conftest import PASSWORD
from tests.plugins.conftest import OlxCourse
from tests.plugins.lti_consumer.conftest import Tool, registration_of, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_launch_page_posts_itself_to_the_tool_and_the_score_is_the_grade(
    page: Any,
    live_server: str,
    browser_app: Any,
    tool: Tool,
    olx_course: Callable[..., OlxCourse],
    lti13_olx: Callable[..., str],
    enrolled: Callable[..., Any],
    trainer: Any,
) -> None:
    # A new window: the site's frames accept https tools only, and this one is on plain loopback http.
    course = olx_course(lti13_olx(launch_target="new_window", button_text="Ouvrir le simulateur"))
    tool.settings.registration = registration_of(signed_in(live_server, trainer.email), live_server, course)
    tool.settings.score = (3, 4)
    learner = enrolled(course, language="fr")
    page.goto("/compte/connexion")
    page.fill("input[name=email]", learner.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/connexion" not in url)
    page.goto(course.unit_url())
    with page.context.expect_page() as opened:
        page.click("text=Ouvrir le simulateur")
    window = opened.value
    window.wait_for_url(f"{tool.url}/launch", timeout=20_000)
    answer = json.loads(window.inner_text("body"))
    assert answer["graded"] is True and answer["launched"]
    with browser_app.app_context():
        earned, possible = db.session.execute(
            select(BlockCompletion.earned, BlockCompletion.possible).where(
                BlockCompletion.user_id == learner.id,
                BlockCompletion.usage_id == course.usage("lti_consumer", "lti1"),
            )
        ).one()
        db.session.remove()
    assert (earned, possible) == (7.5, 10.0)
    assert page.errors == [] and window.url.startswith(tool.url)
