"""Blocks learn the NAF code of the learner's company from the ``user`` service
(``opt_attrs["cybermassif.company_naf"]``), read only on pages whose blocks ask for it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from web_fragments.fragment import Fragment
from xblock.core import XBlock

from app.accounts.models import Role
from app.runtime.registry import get_registry
from tests.conftest import sign_in
from tests.learn.conftest import EN
from tests.learn.test_query_budget import fresh_disabled_types

__all__ = ["fresh_disabled_types"]

COURSE_WITH = "course-v1:Cybermassif+NAF+2026"
COURSE_WITHOUT = "course-v1:Cybermassif+NONAF+2026"
# The statement that reads a company (a role grant's, by its id).
COMPANY_READ = re.compile(r"^\s*SELECT\b.*\bFROM company\s+WHERE company\.id = ", re.DOTALL)


@XBlock.wants("user")
class WhoBlock(XBlock):
    """A test block that shows what the ``user`` service tells it."""

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The user's optional attributes, as JSON."""
        user = self.runtime.service(self, "user").get_current_user()
        attributes = {k: v for k, v in user.opt_attrs.items() if not k.endswith("user_preferences")}
        return Fragment(f"<pre class='who'>{json.dumps(attributes, sort_keys=True)}</pre>")


@pytest.fixture(autouse=True)
def who_block_type(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The registry also loads the ``who`` test block (nothing is installed or scanned)."""
    registry = get_registry()
    original = registry.load_block_class
    monkeypatch.setattr(
        registry, "load_block_class", lambda name: WhoBlock if name == "who" else original(name)
    )
    yield


def _course(make_course, course_key: str, with_who: bool) -> Any:
    components = [("html", "h1", {"data": "<p>Bonjour</p>"}, [])]
    if with_who:
        components.append(("who", "who1", {}, []))
    spec = ("course", "c", {}, [("chapter", "ch", {}, [("sequential", "s", {}, [
        ("vertical", "unit1", {}, components)
    ])])])  # fmt: skip
    return make_course(spec, course_key=course_key)


def _who(client, course) -> dict[str, Any]:
    page = client.get(course.unit_url("unit1"), headers=EN).get_data(as_text=True)
    start = page.index("<pre class='who'>") + len("<pre class='who'>")
    return json.loads(page[start : page.index("</pre>", start)])


@pytest.mark.parametrize("role", [Role.LEARNER, Role.COMPANY_MANAGER])
def test_people_of_a_company_get_its_naf_code(client, make_course, make_company, make_user, enrol, role):
    course = _course(make_course, COURSE_WITH, with_who=True)
    user = make_user(roles=[(role, make_company(naf_code="47.11B"))])
    enrol(user, course)
    sign_in(client, user.email)
    attributes = _who(client, course)
    assert attributes["cybermassif.company_naf"] == "47.11B"
    assert attributes["edx-platform.user_id"] == user.id  # the Open edX attributes are there too
    assert attributes["edx-platform.username"] == f"user{user.id}"
    assert attributes["edx-platform.is_authenticated"] is True


def test_the_company_one_learns_in_comes_before_one_managed(
    client, make_course, make_company, make_user, enrol
):
    course = _course(make_course, COURSE_WITH, with_who=True)
    managed, employer = make_company(naf_code="62.01Z"), make_company(naf_code="10.71C")
    user = make_user(roles=[(Role.COMPANY_MANAGER, managed), (Role.LEARNER, employer)])
    enrol(user, course)
    sign_in(client, user.email)
    assert _who(client, course)["cybermassif.company_naf"] == "10.71C"


def test_course_staff_without_a_company_get_none(client, make_course, make_cybersite, make_user):
    course = _course(make_course, COURSE_WITH, with_who=True)
    trainer = make_user(roles=[(Role.TRAINER, make_cybersite())])
    sign_in(client, trainer.email)
    attributes = _who(client, course)
    assert "cybermassif.company_naf" in attributes and attributes["cybermassif.company_naf"] is None
    assert attributes["edx-platform.user_is_staff"] is True


def test_the_company_is_read_only_on_pages_whose_blocks_ask(
    client, make_course, make_company, make_user, enrol, count_statements, fresh_disabled_types
):
    """A page of blocks that never ask for the user costs what it did; one that asks, one statement more."""
    user = make_user(roles=[(Role.LEARNER, make_company(naf_code="55.10Z"))])
    sign_in(client, user.email)
    counts = {}
    for with_who, key in ((False, COURSE_WITHOUT), (True, COURSE_WITH)):
        course = _course(make_course, key, with_who)
        enrol(user, course)
        fresh_disabled_types()
        url = course.unit_url("unit1")
        response, statements = count_statements(lambda url=url: client.get(url, headers=EN))
        assert response.status_code == 200
        counts[with_who] = [s for s in statements if COMPANY_READ.search(s)]
        counts[with_who, "all"] = len(statements)
    assert counts[False] == []
    assert len(counts[True]) == 1
    # (The page's own budget, whatever its blocks, is tests/learn/test_query_budget.py's.)
    assert counts[True, "all"] == counts[False, "all"] + 1
