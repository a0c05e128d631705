"""Fixtures for the courseware: published courses built from stored trees, enrolled learners, and a
test-only XBlock type (``testblock``) served by the registry alongside the installed ones."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete
from web_fragments.fragment import Fragment
from xblock.completable import XBlockCompletionMode
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError
from xblock.fields import Integer, Scope, String

from app.accounts.models import Company, Role, User
from app.core.extensions import db
from app.courses.models import Course, CourseAsset, Enrolment
from app.runtime import bridge
from app.runtime.keys import CourseKey, usage_key_for
from app.runtime.models import BlockTypeSetting
from app.runtime.registry import get_registry
from tests.runtime import conftest as runtime_fixtures
from tests.runtime.conftest import COURSE, unit

# The stored-tree factory of the runtime tests, offered here too.
make_tree = runtime_fixtures.make_tree
__all__ = ["COURSE", "make_tree", "unit"]

META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
EN = {"Accept-Language": "en"}


class EchoBlock(XBlock):
    """A test block: shows its fields in its wrapper and init arguments, answers handlers."""

    display_name = String(scope=Scope.settings, default="Echo")
    name = String(scope=Scope.settings, default="echo")
    note = String(scope=Scope.settings, default="")
    count = Integer(scope=Scope.user_state, default=0)
    last = String(scope=Scope.user_state, default="")
    favourite = String(scope=Scope.preferences, default="")
    noauth_handlers = ("callback", "anonymous_write")

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The block's name, and its note as JSON init arguments."""
        fragment = Fragment('<p class="echo">echo block</p>')
        fragment.add_javascript_url("/static/js/echo-test.js")
        fragment.add_css("p.echo { color: teal; }")
        fragment.initialize_js("EchoBlock", {"note": self.note, "name": self.display_name})
        return fragment

    @XBlock.json_handler
    def echo(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Count calls (a user_state write) and answer with what was sent."""
        if data.get("fail"):
            raise JsonHandlerError(409, "conflict")
        self.count += 1
        if "last" in data:
            self.last = str(data["last"])
            self.favourite = str(data["last"])
        return {"data": data, "suffix": suffix, "count": self.count}

    @XBlock.json_handler
    def rename(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Change a settings field: read-only for learners."""
        self.note = str(data.get("note", ""))
        return {"note": self.note}

    @XBlock.handler
    def callback(self, request: Any, suffix: str = "") -> Any:
        """A third-party callback."""
        from webob import Response

        return Response(text=f"called {suffix}", content_type="text/plain")

    @XBlock.handler
    def secret(self, request: Any, suffix: str = "") -> Any:
        """A handler not listed for third parties."""
        from webob import Response

        return Response(text="secret", content_type="text/plain")

    @XBlock.json_handler
    def publish_event(self, data: dict[str, Any], suffix: str = "") -> dict[str, str]:
        """Publish an event from the browser, as Open edX's blocks do."""
        event_type = data.pop("event_type")
        self.runtime.publish(self, event_type, data)
        return {"result": "success"}

    @XBlock.handler
    def anonymous_write(self, request: Any, suffix: str = "") -> Any:
        """A third-party handler that tries to store learner state (there is no learner)."""
        from webob import Response

        self.count += 1
        return Response(text="stored", content_type="text/plain")


class ExcludedBlock(XBlock):
    """A test block that does not count for completion."""

    completion_mode = XBlockCompletionMode.EXCLUDED

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """Nothing much."""
        return Fragment("<p>excluded</p>")


class BrokenBlock(XBlock):
    """A test block whose view fails."""

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """Fails, as a buggy third-party block would."""
        raise RuntimeError("broken block")


class SharedBlock(XBlock):
    """A test block whose view every learner sees alike (``cybermassif_shared_views``); counts its renders."""

    cybermassif_shared_views = ("student_view",)
    text = String(scope=Scope.settings, default="shared text")
    renders = 0
    failing = False  # set by a test: the view fails, as a transient fault would

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """Its text and the language it was rendered in, with a style sheet."""
        SharedBlock.renders += 1
        if SharedBlock.failing:
            raise RuntimeError("shared block failed")
        fragment = Fragment(f'<p class="shared">{self.text} [{self.runtime.learner.language}]</p>')
        fragment.add_css("p.shared { color: navy; }")
        return fragment


class OpaqueKeysBlock(XBlock):
    """Parses its keys with edx-opaque-keys, as many PyPI blocks do (imported when shown: an extra)."""

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """Its usage key and course key as edx-opaque-keys reads them."""
        from opaque_keys.edx.keys import CourseKey as EdxCourseKey
        from opaque_keys.edx.keys import UsageKey as EdxUsageKey

        usage = EdxUsageKey.from_string(str(self.scope_ids.usage_id))
        course = EdxCourseKey.from_string(str(self.runtime.course_id))
        made = course.make_usage_key("html", "h")
        return Fragment(
            f'<p class="opaque">{usage.block_type}|{usage.block_id}|{usage.course_key == course}|'
            f"{course.org}/{course.course}/{course.run}|{made}</p>"
        )


class BundledBlock(EchoBlock):
    """A block whose public files are in ``static/`` (XBlock's ``public_dir``), as a branching block's."""

    public_dir = "static"


class StrayBlock(EchoBlock):
    """A block whose public folder would climb out of its package."""

    public_dir = "../learn"


TEST_TYPES = {
    "testblock": EchoBlock,
    "bundledblock": BundledBlock,
    "opaqueblock": OpaqueKeysBlock,
    "strayblock": StrayBlock,
    "excludedblock": ExcludedBlock,
    "brokenblock": BrokenBlock,
    "sharedblock": SharedBlock,
}


@pytest.fixture(autouse=True)
def test_block_types(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The registry also loads the test-only block types (nothing is installed or scanned)."""
    registry = get_registry()
    original = registry.load_block_class
    monkeypatch.setattr(
        registry, "load_block_class", lambda name: TEST_TYPES.get(name) or original(name), raising=True
    )
    with app.app_context():
        bridge.setup_for(app).refresh_disabled()
    yield
    forget_disabled_types(app)


def forget_disabled_types(app: Flask) -> None:
    """Enable every block type again, in the database and in this process's cache (read for 10 s)."""
    with app.app_context():
        db.session.execute(delete(BlockTypeSetting))
        db.session.commit()
        bridge.setup_for(app).refresh_disabled()


@dataclass
class Published:
    """A published course."""

    course_id: int
    course_key: str
    tree_id: int

    def usage(self, block_type: str, url_name: str) -> str:
        """The usage id of a block of this course."""
        return str(usage_key_for(CourseKey.from_string(self.course_key), block_type, url_name))

    def unit_url(self, url_name: str) -> str:
        """The unit page of a vertical."""
        return f"/formations/{self.course_key}/unite/{self.usage('vertical', url_name)}"

    @property
    def home_url(self) -> str:
        """The course home."""
        return f"/formations/{self.course_key}"


@pytest.fixture
def make_course(app: Flask, make_tree: Callable[..., int]) -> Callable[..., Published]:
    """Store a tree and publish it as a course."""

    def build(spec: Any = None, course_key: str = COURSE, **fields: Any) -> Published:
        tree_id = make_tree(spec or unit(2), course_key=course_key)
        key = CourseKey.from_string(course_key)
        with app.app_context():
            course = Course(
                course_key=course_key,
                org=key.org,
                number=key.course,
                run=key.run,
                title=fields.pop("title", "Formation test"),
                published_tree_id=tree_id,
                **fields,
            )
            db.session.add(course)
            db.session.commit()
            return Published(course.id, course_key, tree_id)

    return build


@pytest.fixture
def enrol(app: Flask) -> Callable[[User, Published], None]:
    """Enrol a user in a course directly."""

    def build(user: User, course: Published) -> None:
        with app.app_context():
            db.session.add(Enrolment(user_id=user.id, course_id=course.course_id))
            db.session.commit()

    return build


@pytest.fixture
def add_asset(app: Flask) -> Callable[..., None]:
    """Store a course asset of a published tree."""

    def build(course: Published, path: str, data: bytes, content_type: str) -> None:
        import hashlib

        with app.app_context():
            db.session.add(
                CourseAsset(
                    tree_id=course.tree_id,
                    path=path,
                    content_type=content_type,
                    size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                    data=data,
                )
            )
            db.session.commit()

    return build


@pytest.fixture
def learner(make_company: Callable[..., Company], make_user: Callable[..., User]) -> User:
    """A learner of a company, reading English."""
    return make_user(roles=[(Role.LEARNER, make_company())], language="en")


def page_token(client: FlaskClient, path: str) -> str:
    """The CSRF token a unit page gives its browser runtime."""
    match = META_CSRF.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF meta tag on {path}"
    return match.group(1)
