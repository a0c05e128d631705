"""Fixtures for the built-in blocks: a course imported from OLX written by the test, enrolled people,
and calls to block handlers through the real endpoint (signed in, CSRF token from the unit page)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.accounts.models import Company, Cybersite, Role, User
from app.core.extensions import db
from app.courses.importing import import_course
from app.courses.models import Enrolment
from app.progress.models import BlockCompletion
from app.runtime.keys import CourseKey, usage_key_for
from app.runtime.models import FieldValue
from tests.conftest import PASSWORD, sign_in
from tests.runtime.olx_helpers import write_course

META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
COURSE_KEY = "course-v1:Cybermassif+PLG+2026"


@dataclass
class OlxCourse:
    """A course imported from OLX written by a test: one chapter, one sequence, one unit ``u1``."""

    course_id: int
    course_key: str
    tree_id: int
    root: Path
    warnings: tuple = ()

    def usage(self, block_type: str, url_name: str) -> str:
        """The usage id of a block of this course."""
        return str(usage_key_for(CourseKey.from_string(self.course_key), block_type, url_name))

    def unit_url(self, url_name: str = "u1") -> str:
        """The learner's page of a unit."""
        return f"/formations/{self.course_key}/unite/{self.usage('vertical', url_name)}"

    def handler_url(self, block_type: str, url_name: str, handler: str, suffix: str = "") -> str:
        """The endpoint of a block handler."""
        url = f"/xblock/{self.usage(block_type, url_name)}/handler/{handler}"
        return f"{url}/{suffix}" if suffix else url


@pytest.fixture
def olx_course(app: Flask, tmp_path: Path) -> Callable[..., OlxCourse]:
    """Import a course whose unit ``u1`` holds ``unit_xml``; ``files`` adds files (``problem/p1.xml``…).

    The course is open for self-enrolment; its key is ``course-v1:Cybermassif+PLG+2026`` unless given.
    """
    counter = iter(range(1000))

    def build(
        unit_xml: str, files: dict[str, str | bytes] | None = None, course_key: str = COURSE_KEY
    ) -> OlxCourse:
        key = CourseKey.from_string(course_key)
        root = tmp_path / f"olx-{next(counter)}"
        write_course(
            root,
            {
                "course.xml": f'<course url_name="{key.run}" org="{key.org}" course="{key.course}"/>',
                f"course/{key.run}.xml": (
                    '<course display_name="Cours de test" language="fr" cybermassif_open_enrolment="true">'
                    '<chapter url_name="ch1" display_name="Chapitre 1">'
                    '<sequential url_name="s1" display_name="Séquence 1">'
                    f'<vertical url_name="u1" display_name="Unité 1">{unit_xml}</vertical>'
                    "</sequential></chapter></course>"
                ),
                **(files or {}),
            },
        )
        with app.app_context():
            result = import_course(root, actor=None)
            db.session.commit()
            return OlxCourse(result.course.id, course_key, result.tree_id, root, result.warnings)

    return build


@pytest.fixture
def enrolled(
    app: Flask, make_company: Callable[..., Company], make_user: Callable[..., User]
) -> Callable[..., User]:
    """A learner of a new company (or of ``company``), enrolled in ``course``."""

    def build(course: OlxCourse, company: Company | None = None, **user_fields: Any) -> User:
        user = make_user(roles=[(Role.LEARNER, company or make_company())], **user_fields)
        with app.app_context():
            db.session.add(Enrolment(user_id=user.id, course_id=course.course_id))
            db.session.commit()
        return user

    return build


class BlockClient:
    """A signed-in person's view of one course: unit pages and handler calls, as the browser makes them."""

    def __init__(self, client: FlaskClient, course: OlxCourse) -> None:
        self.client = client
        self.course = course
        self._token: str | None = None

    def page(self, url_name: str = "u1") -> str:
        """The unit page's HTML (and keeps its CSRF token for later calls)."""
        response = self.client.get(self.course.unit_url(url_name))
        assert response.status_code == 200, response.status_code
        html = response.get_data(as_text=True)
        match = META_CSRF.search(html)
        assert match, "no CSRF meta tag on the unit page"
        self._token = match.group(1)
        return html

    @property
    def token(self) -> str:
        """The CSRF token of the last unit page (fetching one if needed)."""
        if self._token is None:
            self.page()
        assert self._token is not None
        return self._token

    def studio_page(self, url_name: str = "u1") -> str:
        """The studio page of a unit (course staff only), keeping its CSRF token for studio calls."""
        usage = self.course.usage("vertical", url_name)
        response = self.client.get(f"/studio/formations/{self.course.course_key}/unite/{usage}")
        assert response.status_code == 200, response.status_code
        html = response.get_data(as_text=True)
        match = META_CSRF.search(html)
        assert match, "no CSRF meta tag on the studio page"
        self._token = match.group(1)
        return html

    def studio_call(self, block_type: str, url_name: str, handler: str, data: Any = None) -> Any:
        """POST JSON to a handler through the studio's endpoint (authoring: content and settings writable)."""
        return self.client.post(
            f"/studio/xblock/{self.course.usage(block_type, url_name)}/handler/{handler}",
            data=json.dumps(data if data is not None else {}).encode(),
            headers={"X-CSRFToken": self.token, "Content-Type": "application/json"},
        )

    def call(
        self,
        block_type: str,
        url_name: str,
        handler: str,
        data: Any = None,
        *,
        suffix: str = "",
        raw: bytes | None = None,
    ) -> Any:
        """POST to a handler (JSON body unless ``raw``); returns the Flask response."""
        body = raw if raw is not None else json.dumps(data if data is not None else {}).encode()
        return self.client.post(
            self.course.handler_url(block_type, url_name, handler, suffix),
            data=body,
            headers={"X-CSRFToken": self.token, "Content-Type": "application/json"},
        )


@pytest.fixture
def trainer(make_cybersite: Callable[..., Any], make_user: Callable[..., User]) -> User:
    """A trainer of a Cybersite: course staff, who may open and edit every course."""
    return make_user(roles=[(Role.TRAINER, make_cybersite())])


@pytest.fixture
def site(make_cybersite: Callable[..., Cybersite]) -> Cybersite:
    """The trainer's Cybersite (of the graded blocks' tests)."""
    return make_cybersite()


@pytest.fixture
def site_trainer(make_user: Callable[..., User], site: Cybersite) -> User:
    """A trainer of ``site``."""
    return make_user(roles=[(Role.TRAINER, site)], display_name="Claire Formatrice")


def block_user_state(
    app: Any, user: User, course: OlxCourse, block_type: str, url_name: str
) -> dict[str, Any]:
    """A learner's stored user_state fields of a block, by name (JSON values)."""
    with app.app_context():
        rows = db.session.execute(
            select(FieldValue.field_name, FieldValue.value).where(
                FieldValue.scope == "user_state",
                FieldValue.user_id == user.id,
                FieldValue.scope_key == course.usage(block_type, url_name),
            )
        ).all()
        return dict(rows)


def block_completion(app: Any, user: User, course: OlxCourse, block_type: str, url_name: str) -> tuple | None:
    """A learner's (completion, earned, possible) on a block, or None."""
    with app.app_context():
        row = db.session.execute(
            select(BlockCompletion.completion, BlockCompletion.earned, BlockCompletion.possible).where(
                BlockCompletion.user_id == user.id,
                BlockCompletion.usage_id == course.usage(block_type, url_name),
            )
        ).first()
        return None if row is None else tuple(row)


def sign_in_tab(tab: Any, user: User) -> None:
    """Sign ``user`` in through the sign-in form of a browser tab (Playwright), as a person does."""
    tab.goto("/compte/connexion")
    tab.fill("input[name=email]", user.email)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("form button[type=submit]")
    tab.wait_for_url(lambda url: "/connexion" not in url)


@pytest.fixture
def as_user(app: Flask) -> Callable[[User, OlxCourse], BlockClient]:
    """A new test client signed in as ``user``, looking at ``course``."""

    def build(user: User, course: OlxCourse, language: str | None = None) -> BlockClient:
        client = app.test_client()
        if language:
            client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        sign_in(client, user.email)
        return BlockClient(client, course)

    return build
