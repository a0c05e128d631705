"""The demo cohort for ``demo load``: Clermont-Ferrand's spring cohort following every demo course, with the
demo learners in it, so that a new site shows cohorts, forums and progress at once. Idempotent."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.accounts.models import Cybersite, Role, User
from app.cohorts import services
from app.cohorts.models import Cohort
from app.core.extensions import db
from app.courses.models import Course

NAME = "Promotion printemps 2026"
TOWN = "Clermont-Ferrand"


def load_demo_cohort() -> Cohort | None:
    """Create the demo cohort (as the Cybersite's demo manager) unless it exists; None without the data."""
    site = db.session.scalar(select(Cybersite).where(Cybersite.town == TOWN))
    manager = db.session.scalar(select(User).where(User.email == "responsable.clermont@demo.cybermassif.fr"))
    if site is None or manager is None:
        return None
    found = db.session.scalar(select(Cohort).where(Cohort.cybersite_id == site.id, Cohort.name == NAME))
    if found is not None:
        return found
    course_ids = list(
        db.session.scalars(select(Course.id).where(Course.published_tree_id.is_not(None)).order_by(Course.id))
    )
    details = services.CohortDetails(
        name=NAME,
        starts_on=date(2026, 3, 2),
        ends_on=date(2026, 12, 18),
        capacity=24,
        forum_within_cohort=True,
        course_ids=course_ids,
    )
    cohort = services.create_cohort(manager, site, details)
    learners = db.session.scalars(
        select(User).where(User.email.like("%@demo.cybermassif.fr")).order_by(User.id)
    ).all()
    accepted: set[int] = set()
    for learner in learners:
        grant = next((g for g in learner.roles if g.role == Role.LEARNER and g.company_id), None)
        if grant is None or grant.company_id is None or grant.company.cybersite_id != site.id:
            continue
        if grant.company_id not in accepted:
            services.accept_company(manager, cohort, grant.company_id)
            accepted.add(grant.company_id)
        services.add_member(manager, cohort, learner, grant.company_id)
    return cohort
