"""Fixtures for progress: a probe block (reports any completion or grade it is sent, as a real block
would publish them), courses with chapters, graded sequences and a grading policy imported from OLX, and
people in companies, Cybersites and cohorts."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.fields import Float, Integer, Scope, String

from app.accounts.models import Company, Cybersite, Role, User
from app.cohorts.models import Cohort, CohortCompany, CohortCourse, CohortMember
from app.core.extensions import db
from app.courses.importing import import_course
from app.courses.models import Enrolment
from app.runtime import bridge
from app.runtime.keys import CourseKey, usage_key_for
from app.runtime.registry import get_registry
from tests.conftest import sign_in
from tests.runtime.olx_helpers import write_course

META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
EN = {"Accept-Language": "en"}


class ProbeBlock(XBlock):
    """A scored block with its own completion, reporting what the test sends (as a real block's handler
    publishes what the learner did)."""

    has_custom_completion = True
    has_score = True
    display_name = String(scope=Scope.settings, default="Exercice")
    weight = Float(scope=Scope.settings, default=1.0)
    attempts = Integer(scope=Scope.user_state, default=0)

    def max_score(self) -> float:
        """The points it is worth."""
        return self.weight

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """Nothing to see."""
        return Fragment('<p class="probe">probe</p>')

    @XBlock.json_handler
    def report(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Publish a completion and/or a grade; count the attempt (user state, written in the same batch)."""
        self.attempts += 1
        if "completion" in data:
            self.runtime.publish(self, "completion", {"completion": data["completion"]})
        if "grade" in data:
            self.runtime.publish(
                self, "grade", {"value": data["grade"], "max_value": data.get("max", self.weight)}
            )
        return {"attempts": self.attempts}

    @XBlock.json_handler
    def noop(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Do nothing (the reference for a handler call)."""
        return {}


@pytest.fixture(autouse=True)
def probe_block_type(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The registry also serves the ``probe`` type (nothing installed or scanned)."""
    registry = get_registry()
    original = registry.load_block_class
    monkeypatch.setattr(
        registry, "load_block_class", lambda name: ProbeBlock if name == "probe" else original(name)
    )
    with app.app_context():
        bridge.setup_for(app).refresh_disabled()
    yield


# A course: chapters of sequences of units of blocks. Blocks are ("html"|"probe", url_name, weight).
Spec = list[tuple[str, list[tuple[str, dict[str, str], list[tuple[str, list[tuple[str, str, float]]]]]]]]

DEFAULT_SPEC: Spec = [
    (
        "ch1",
        [
            ("s1", {}, [("u1", [("html", "h1", 0), ("html", "h2", 0)])]),
            ("s2", {"graded": "true", "format": "Quiz"}, [("u2", [("probe", "p1", 2.0)])]),
        ],
    ),
    (
        "ch2",
        [
            ("s3", {"graded": "true", "format": "Quiz"}, [("u3", [("probe", "p2", 1.0)])]),
            ("s4", {"graded": "true", "format": "Exam"}, [("u4", [("probe", "p3", 1.0), ("html", "h3", 0)])]),
        ],
    ),
]
DEFAULT_POLICY = {
    "GRADER": [
        {"type": "Quiz", "min_count": 2, "drop_count": 0, "weight": 0.6, "short_label": "Q"},
        {"type": "Exam", "min_count": 1, "drop_count": 0, "weight": 0.4, "short_label": "E"},
    ],
    "GRADE_CUTOFFS": {"Pass": 0.5},
}


def course_olx(title: str, spec: Spec) -> str:
    """The course element with everything inline."""
    parts = [f'<course display_name="{title}" language="fr" cybermassif_open_enrolment="true">']
    for chapter, sequences in spec:
        parts.append(f'<chapter url_name="{chapter}" display_name="Chapitre {chapter}">')
        for sequence, attributes, units in sequences:
            extra = "".join(f' {name}="{value}"' for name, value in attributes.items())
            parts.append(f'<sequential url_name="{sequence}" display_name="Séquence {sequence}"{extra}>')
            for unit, blocks in units:
                parts.append(f'<vertical url_name="{unit}" display_name="Unité {unit}">')
                for kind, name, weight in blocks:
                    if kind == "probe":
                        parts.append(
                            f'<probe url_name="{name}" display_name="Exercice {name}" weight="{weight}"/>'
                        )
                    elif kind == "problem":
                        parts.append(f'<problem url_name="{name}" display_name="Problème {name}"/>')
                    else:
                        parts.append(
                            f'<html url_name="{name}" display_name="Texte {name}"><p>{name}</p></html>'
                        )
                parts.append("</vertical>")
            parts.append("</sequential>")
        parts.append("</chapter>")
    parts.append("</course>")
    return "".join(parts)


@dataclass
class ProgressCourse:
    """A course imported for a test."""

    course_id: int
    course_key: str
    tree_id: int
    root: Path
    title: str = "Formation"
    spec: Spec = field(default_factory=list)

    def usage(self, block_type: str, url_name: str) -> str:
        """The usage id of a block of this course."""
        return str(usage_key_for(CourseKey.from_string(self.course_key), block_type, url_name))

    def unit_url(self, url_name: str) -> str:
        """The learner's page of a unit."""
        return f"/formations/{self.course_key}/unite/{self.usage('vertical', url_name)}"


@pytest.fixture
def progress_course(app: Flask, tmp_path: Path) -> Callable[..., ProgressCourse]:
    """Import a course (``spec``: chapters, graded sequences, units, blocks) with a grading ``policy``."""
    counter = iter(range(1000))

    def build(
        spec: Spec | None = None,
        policy: dict[str, Any] | None = None,
        number: str = "PRG",
        title: str = "Formation test",
        extra_files: dict[str, str] | None = None,
    ) -> ProgressCourse:
        spec = DEFAULT_SPEC if spec is None else spec
        root = tmp_path / f"course-{next(counter)}"
        write_course(
            root,
            {
                "course.xml": f'<course url_name="2026" org="Cybermassif" course="{number}"/>',
                "course/2026.xml": course_olx(title, spec),
                "policies/2026/grading_policy.json": json.dumps(DEFAULT_POLICY if policy is None else policy),
                **(extra_files or {}),
            },
        )
        with app.app_context():
            result = import_course(root, actor=None)
            db.session.commit()
            return ProgressCourse(
                result.course.id, str(result.course.course_key), result.tree_id, root, title, spec
            )

    return build


def reimport(app: Flask, course: ProgressCourse, spec: Spec, policy: dict[str, Any] | None = None) -> int:
    """Import a new version of ``course`` (same key) from ``spec``; returns the new tree id."""
    write_course(
        course.root,
        {
            "course/2026.xml": course_olx(course.title, spec),
            "policies/2026/grading_policy.json": json.dumps(DEFAULT_POLICY if policy is None else policy),
        },
    )
    with app.app_context():
        result = import_course(course.root, actor=None)
        db.session.commit()
        return result.tree_id


def enrol(app: Flask, user: User, course: ProgressCourse, cohort: Cohort | None = None) -> None:
    """Enrol ``user`` in ``course`` (through ``cohort`` when given)."""
    with app.app_context():
        db.session.add(
            Enrolment(user_id=user.id, course_id=course.course_id, cohort_id=cohort.id if cohort else None)
        )
        db.session.commit()


class Learner:
    """A signed-in learner working through a course as the browser does: unit pages and handler calls."""

    def __init__(self, client: FlaskClient, course: ProgressCourse) -> None:
        self.client = client
        self.course = course
        self.token = ""

    def view(self, unit: str) -> str:
        """Open a unit page (marks its blocks that complete on view)."""
        response = self.client.get(self.course.unit_url(unit))
        assert response.status_code == 200, response.status_code
        html = response.get_data(as_text=True)
        self.token = META_CSRF.search(html).group(1)
        return html

    def report(self, url_name: str, **data: Any) -> Any:
        """POST to the probe's ``report`` handler through the real endpoint."""
        if not self.token:
            self.view(self.course.spec[0][1][0][2][0][0])
        return self.client.post(
            f"/xblock/{self.course.usage('probe', url_name)}/handler/report",
            data=json.dumps(data),
            headers={"X-CSRFToken": self.token, "Content-Type": "application/json"},
        )


@pytest.fixture
def learner_in(app: Flask) -> Callable[[User, ProgressCourse], Learner]:
    """A new client signed in as ``user``, working through ``course``."""

    def build(user: User, course: ProgressCourse) -> Learner:
        client = app.test_client()
        sign_in(client, user.email)
        return Learner(client, course)

    return build


@dataclass
class World:
    """Two Cybersites, each with two companies, their managers, learners and a cohort; a trainer each."""

    sites: list[Cybersite]
    companies: list[Company]  # companies[0], [1] at sites[0]; [2], [3] at sites[1]
    learners: list[User]  # learners[i] works for companies[i]
    managers: list[User]  # managers[i] manages companies[i]
    site_managers: list[User]
    trainers: list[User]
    cohorts: list[Cohort]  # cohorts[i] at sites[i], accepting its site's companies
    admin: User
    outsider: User  # signed in, no role


@pytest.fixture
def world(app: Flask, make_cybersite, make_company, make_user) -> World:
    """People and organisations for access tests (courses are added by each test)."""
    sites = [make_cybersite(), make_cybersite()]
    companies = [make_company(cybersite=sites[i // 2]) for i in range(4)]
    learners = [make_user(roles=[(Role.LEARNER, c)], language="en") for c in companies]
    managers = [make_user(roles=[(Role.COMPANY_MANAGER, c)], language="en") for c in companies]
    site_managers = [make_user(roles=[(Role.CYBERSITE_MANAGER, s)], language="en") for s in sites]
    trainers = [make_user(roles=[(Role.TRAINER, s)], language="en") for s in sites]
    admin = make_user(roles=[(Role.NETWORK_ADMIN, None)], language="en")
    outsider = make_user()
    cohorts = []
    with app.app_context():
        for i, site in enumerate(sites):
            cohort = Cohort(
                cybersite_id=site.id,
                name=f"Promotion {i}",
                starts_on=date(2026, 1, 5),
                ends_on=date(2026, 12, 18),
                capacity=50,
            )
            db.session.add(cohort)
            db.session.flush()
            for company in companies[2 * i : 2 * i + 2]:
                db.session.add(CohortCompany(cohort_id=cohort.id, company_id=company.id))
            for learner, company in zip(
                learners[2 * i : 2 * i + 2], companies[2 * i : 2 * i + 2], strict=True
            ):
                db.session.add(CohortMember(cohort_id=cohort.id, user_id=learner.id, company_id=company.id))
            db.session.commit()
            db.session.refresh(cohort)
            db.session.expunge(cohort)
            cohorts.append(cohort)
    return World(sites, companies, learners, managers, site_managers, trainers, cohorts, admin, outsider)


def follow(app: Flask, world: World, course: ProgressCourse) -> None:
    """Both cohorts follow ``course``; their members are enrolled in it through their cohort."""
    with app.app_context():
        for i, cohort in enumerate(world.cohorts):
            db.session.add(CohortCourse(cohort_id=cohort.id, course_id=course.course_id))
            for learner in world.learners[2 * i : 2 * i + 2]:
                db.session.add(Enrolment(user_id=learner.id, course_id=course.course_id, cohort_id=cohort.id))
        db.session.commit()


@pytest.fixture
def enrolled_learner(
    app: Flask, make_company: Callable[..., Company], make_user: Callable[..., User], learner_in
) -> Callable[..., tuple[User, Learner]]:
    """A learner of a new company (or of ``company``), enrolled in ``course`` and signed in."""

    def build(course: ProgressCourse, company: Company | None = None, **fields: Any) -> tuple[User, Learner]:
        user = make_user(roles=[(Role.LEARNER, company or make_company())], **fields)
        enrol(app, user, course)
        return user, learner_in(user, course)

    return build
