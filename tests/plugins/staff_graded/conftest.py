"""Fixtures of the staff-graded assignment tests: a course holding both blocks as Open edX exports them,
trainers and learners of two Cybersites, and multipart uploads through the real handler endpoint.

``site_trainer`` trains at ``site``; ``site_learner`` works for a company of ``site``; ``foreign_learner``
for a company of another Cybersite, whose trainer is ``foreign_trainer``.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from app.accounts.models import Company, Cybersite, Role, User
from app.core.extensions import db
from app.courses.models import LearnerFile
from tests.plugins.conftest import BlockClient, OlxCourse, block_completion, block_user_state

SGA = (
    '<edx_sga url_name="sga" xblock-family="xblock.v1" display_name="Plan de sauvegarde" points="20" '
    'weight="2.0" showanswer="finished" '
    'solution="&lt;p&gt;Un plan &lt;strong&gt;3-2-1&lt;/strong&gt;.'
    '&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;"/>'
)
STAFFGRADED = (
    '<staffgradedxblock url_name="sgp" xblock-family="xblock.v1" display_name="Audit du poste" '
    'weight="10" instructions="Réalisez l’audit **avec** votre formateur.&#10;&#10;'
    '&lt;img src=x onerror=alert(1)&gt;"/>'
)


@pytest.fixture
def course(olx_course: Callable[..., OlxCourse]) -> OlxCourse:
    """A course whose unit ``u1`` holds an ``edx_sga`` (``sga``, 20 points) and a ``staffgradedxblock``
    (``sgp``, weight 10)."""
    return olx_course(SGA + STAFFGRADED)


@pytest.fixture
def foreign_trainer(make_user: Callable[..., User], make_cybersite: Callable[..., Cybersite]) -> User:
    """A trainer of another Cybersite."""
    return make_user(roles=[(Role.TRAINER, make_cybersite())], display_name="Marc Ailleurs")


@pytest.fixture
def site_learner(
    enrolled: Callable[..., User], course: OlxCourse, make_company: Callable[..., Company], site: Cybersite
) -> User:
    """A learner of a company of ``site``, enrolled in the course."""
    company = make_company(cybersite=site, legal_name="Boulangerie du Lac")
    return enrolled(course, company, display_name="Léa Apprenante", email="lea@example.fr")


@pytest.fixture
def site_learner_2(
    enrolled: Callable[..., User], course: OlxCourse, make_company: Callable[..., Company], site: Cybersite
) -> User:
    """Another learner of a company of ``site``."""
    company = make_company(cybersite=site, legal_name="Garage du Lac")
    return enrolled(course, company, display_name="Hugo Second", email="hugo@example.fr")


@pytest.fixture
def foreign_learner(
    enrolled: Callable[..., User], course: OlxCourse, make_company: Callable[..., Company]
) -> User:
    """A learner of a company of another Cybersite, enrolled in the course."""
    return enrolled(course, make_company(legal_name="Garage d’ailleurs"), display_name="Paul Ailleurs")


def upload(
    client: BlockClient,
    block_type: str,
    handler: str,
    field: str,
    content: bytes,
    filename: str,
    url_name: str | None = None,
    **fields: Any,
) -> Any:
    """POST a multipart form with one file to a handler, as the block's script does."""
    url_name = url_name or ("sga" if block_type == "edx_sga" else "sgp")
    data: dict[str, Any] = {field: (io.BytesIO(content), filename), **fields}
    return client.client.post(
        client.course.handler_url(block_type, url_name, handler),
        data=data,
        content_type="multipart/form-data",
        headers={"X-CSRFToken": client.token},
    )


def state(
    app: Any, user: User, course: OlxCourse, block_type: str = "edx_sga", url_name: str = "sga"
) -> dict:
    """A learner's stored user_state fields of a block, by name (JSON values)."""
    return block_user_state(app, user, course, block_type, url_name)


def kept_files(app: Any) -> list[tuple]:
    """Every kept learner file: (user id, slot, name, content)."""
    with app.app_context():
        rows = db.session.execute(
            select(LearnerFile.user_id, LearnerFile.slot, LearnerFile.filename, LearnerFile.data).order_by(
                LearnerFile.id
            )
        ).all()
        return [tuple(row) for row in rows]


def grade_row(app: Any, user: User, course: OlxCourse, block_type: str, url_name: str) -> tuple | None:
    """The learner's (completion, earned, possible) on a block, or None."""
    return block_completion(app, user, course, block_type, url_name)
