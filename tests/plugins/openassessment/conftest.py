"""Fixtures of the openassessment tests: ORA's own OLX, a course holding it, and two Cybersites' people.

``site`` has a trainer and a cohort of learners (``cohort_learners``) of one of its companies; ``other_site``
has its own trainer and a learner in a cohort of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from app.accounts.models import Company, Cybersite, Role, User
from app.cohorts.models import Cohort
from app.core.extensions import db
from app.courses.models import Enrolment
from tests.plugins.conftest import OlxCourse, block_completion, block_user_state

RUBRIC = (
    "<rubric>"
    '<criterion feedback="optional"><name>idees</name><label>Idées</label>'
    "<prompt>La réponse propose-t-elle des idées concrètes ?</prompt>"
    '<option points="0"><name>aucune</name><label>Aucune</label>'
    "<explanation>Pas d’idée.</explanation></option>"
    '<option points="3"><name>quelques</name><label>Quelques-unes</label>'
    "<explanation>Une ou deux.</explanation></option>"
    '<option points="5"><name>riches</name><label>Riches</label>'
    "<explanation>Plusieurs, chiffrées.</explanation></option>"
    "</criterion>"
    "<criterion><name>clarte</name><label>Clarté</label><prompt>Est-ce clair ?</prompt>"
    '<option points="0"><name>confus</name><label>Confus</label><explanation/></option>'
    '<option points="2"><name>clair</name><label>Clair</label><explanation/></option>'
    "</criterion>"
    "<feedbackprompt>Un conseil pour l’auteur ?</feedbackprompt>"
    "<feedback_default_text>Je pense que…</feedback_default_text>"
    "</rubric>"
)
PROMPTS = (
    "<prompts>"
    "<prompt><description>Quel outil numérique proposeriez-vous à la boulangerie ?</description></prompt>"
    "<prompt><description>Comment mesurer son effet ?</description></prompt>"
    "</prompts>"
)
STEPS = {
    "self": '<assessment name="self-assessment"/>',
    "peer": '<assessment name="peer-assessment" must_grade="2" must_be_graded_by="2"/>',
    "staff": '<assessment name="staff-assessment" required="True"/>',
    "staff-optional": '<assessment name="staff-assessment" required="False"/>',
}


def ora_xml(
    *steps: str,
    url_name: str = "ora",
    attributes: str = 'submission_start="2020-01-01T00:00" submission_due="2099-12-31T23:59"',
    rubric: str = RUBRIC,
    prompts: str = PROMPTS,
    assessments: str | None = None,
) -> str:
    """An ``<openassessment>`` as ORA writes it, with the given steps (``self``, ``peer``, ``staff``)."""
    inside = assessments if assessments is not None else "".join(STEPS[s] for s in steps or ("self",))
    return (
        f'<openassessment url_name="{url_name}" {attributes} text_response="required" '
        'file_upload_response="" allow_latex="False" prompts_type="text">'
        f"<title>Un outil pour la boulangerie</title><assessments>{inside}</assessments>"
        f"{prompts}{rubric}</openassessment>"
    )


@pytest.fixture
def other_site(make_cybersite: Callable[..., Cybersite]) -> Cybersite:
    """Another Cybersite."""
    return make_cybersite()


@pytest.fixture
def other_trainer(make_user: Callable[..., User], other_site: Cybersite) -> User:
    """A trainer of ``other_site``."""
    return make_user(roles=[(Role.TRAINER, other_site)], display_name="Olivier Ailleurs")


def make_cohort(app: Any, site: Cybersite, name: str) -> int:
    """A cohort of ``site`` (saved directly); its id."""
    with app.app_context():
        cohort = Cohort(
            cybersite_id=site.id,
            name=name,
            starts_on=date(2026, 9, 1),
            ends_on=date(2026, 12, 18),
            capacity=20,
        )
        db.session.add(cohort)
        db.session.commit()
        return cohort.id


@pytest.fixture
def cohort_member(
    app: Any, make_user: Callable[..., User], make_company: Callable[..., Company]
) -> Callable[..., User]:
    """A learner of a company of ``site``, enrolled in ``course`` through cohort ``cohort_id``."""

    def build(course: OlxCourse, site: Cybersite, cohort_id: int | None, name: str) -> User:
        company = make_company(cybersite=site)
        user = make_user(roles=[(Role.LEARNER, company)], display_name=name)
        with app.app_context():
            db.session.add(Enrolment(user_id=user.id, course_id=course.course_id, cohort_id=cohort_id))
            db.session.commit()
        return user

    return build


def stored_state(app: Any, user: User, course: OlxCourse, url_name: str = "ora") -> dict[str, Any]:
    """The learner's stored user_state fields of the block, by name (JSON values)."""
    return block_user_state(app, user, course, "openassessment", url_name)


def completion_row(app: Any, user: User, course: OlxCourse, url_name: str = "ora") -> tuple | None:
    """The learner's (completion, earned, possible) on the block, or None."""
    return block_completion(app, user, course, "openassessment", url_name)
