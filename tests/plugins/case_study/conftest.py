"""Fixtures of the case study tests: the case's OLX, a course holding it, and its people.

``trainer`` (of the shared plugins fixtures) trains at a Cybersite of their own; ``site_learner`` works for
a company of that same Cybersite, ``foreign_learner`` for a company of another one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app.accounts.models import Company, Cybersite, User
from tests.plugins.conftest import OlxCourse, block_completion, block_user_state

QUESTIONS = (
    '<question id="q1">Quels clients pourraient commander à distance ?</question>'
    '<question id="q2">Quelle contrainte traduire en règle simple ?</question>'
)


def case_xml(
    *,
    url_name: str = "cas",
    attributes: str = 'sector="retail" size="micro" headcount="8" departement="15"',
    body: str | None = None,
    weight: str | None = None,
) -> str:
    """A ``<case_study>`` element in the agreed OLX (a complete case unless ``body`` replaces its inside)."""
    inside = (
        body
        if body is not None
        else (
            "<profile><p>Une boulangerie <strong>familiale</strong> d’Aurillac.</p></profile>"
            "<situation><p>Les commandes arrivaient par téléphone.</p></situation>"
            "<solution><p>Une boutique en ligne hébergée.</p></solution>"
            "<implementation><ol><li>Janvier : atelier au Cybersite.</li></ol></implementation>"
            '<figures><figure label="Coût de mise en place" value="2 400 €" kind="cost"/>'
            '<figure label="Ventes en ligne" value="+18 %" kind="result"/></figures>'
            "<lessons><p>Commencer petit.</p></lessons>"
            '<image src="/static/vidal-boutique.svg" alt="La boutique Vidal" caption="La boutique en 2025"/>'
            + QUESTIONS
        )
    )
    weight_attribute = f' weight="{weight}"' if weight is not None else ""
    return (
        f'<case_study url_name="{url_name}" display_name="Boulangerie Vidal" '
        f'company_name="Boulangerie Vidal" {attributes}{weight_attribute}>{inside}</case_study>'
    )


@pytest.fixture
def case_course(olx_course: Callable[..., OlxCourse]) -> OlxCourse:
    """A course whose unit ``u1`` holds one complete case study ``cas`` (weight 4)."""
    return olx_course(
        case_xml(weight="4"), {"static/vidal-boutique.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>"}
    )


@pytest.fixture
def site_company(make_company: Callable[..., Company], site: Cybersite) -> Company:
    """A company whose home Cybersite is ``site``."""
    return make_company(cybersite=site, legal_name="Boulangerie du Lac")


@pytest.fixture
def site_learner(enrolled: Callable[..., User], case_course: OlxCourse, site_company: Company) -> User:
    """A learner of ``site_company``, enrolled in the case course."""
    return enrolled(case_course, site_company, display_name="Léa Apprenante")


@pytest.fixture
def foreign_learner(
    enrolled: Callable[..., User], case_course: OlxCourse, make_company: Callable[..., Company]
) -> User:
    """A learner of a company of another Cybersite, enrolled in the case course."""
    return enrolled(case_course, make_company(legal_name="Garage d’ailleurs"), display_name="Paul Ailleurs")


ANSWERS = {"q1": "Les touristes de l’été.\nEt les anciens clients.", "q2": "Expédier le mardi seulement."}


def stored_state(app: Any, user: User, course: OlxCourse, url_name: str = "cas") -> dict[str, Any]:
    """The learner's stored user_state fields of a case study, by name (JSON values)."""
    return block_user_state(app, user, course, "case_study", url_name)


def completion_row(app: Any, user: User, course: OlxCourse, url_name: str = "cas") -> tuple | None:
    """The learner's (completion, earned, possible) on a case study, or None."""
    return block_completion(app, user, course, "case_study", url_name)
