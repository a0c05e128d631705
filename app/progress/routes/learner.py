"""A learner's progress: "My progress" (with the follow-up pages the user may open), and the same page of a
member of staff for their managers."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from app.accounts.models import Company, Cybersite, Role, User
from app.accounts.policy import (
    Action,
    can,
    is_admin,
    managed_company_ids,
    managed_cybersite_ids,
    trained_cybersite_ids,
)
from app.core.extensions import db
from app.progress.queries import learner as learner_queries
from app.progress.routes.base import actor, blueprint, permitted, require


def _follow_up(user: User) -> dict[str, object]:
    """The dashboards the user may open: their companies, their Cybersites, their courses' figures."""
    admin = is_admin(user)
    company_ids = managed_company_ids(user)
    site_ids = managed_cybersite_ids(user)
    companies = (
        db.session.execute(
            select(Company.id, Company.legal_name)
            .where(Company.id.in_(company_ids))
            .order_by(Company.legal_name)
        ).all()
        if company_ids
        else []
    )
    sites_query = select(Cybersite.id, Cybersite.name).order_by(Cybersite.name)
    sites = (
        db.session.execute(sites_query if admin else sites_query.where(Cybersite.id.in_(site_ids))).all()
        if admin or site_ids
        else []
    )
    return {
        "companies": companies,
        "sites": sites,
        "courses": admin or bool(site_ids | trained_cybersite_ids(user)),
    }


@blueprint.route("/")
def index() -> str:
    """My progress: each course with its chapters, grade and what to do next; and my follow-up pages."""
    user = actor()
    require(Action.VIEW_LEARNER_PROGRESS, user)
    courses = learner_queries.learner_courses(user.id, can(user, Action.STAFF_COURSES))
    follow_up = _follow_up(user)
    # A manager or trainer who follows no course is here for the follow-up: the page is titled for it
    # (not "My progress", with "no course yet" as its news).
    follows_others = bool(follow_up["companies"] or follow_up["sites"] or follow_up["courses"])
    return render_template(
        "progress/learner.html",
        person=user,
        own=True,
        courses=courses,
        follow_up=follow_up,
        follow_up_only=follows_others and not courses and not any(g.role == Role.LEARNER for g in user.roles),
    )


@blueprint.route("/apprenants/<int:user_id>")
def learner(user_id: int) -> str:
    """A learner's progress, for their company's and Cybersite's managers."""
    person = permitted(User, user_id, Action.VIEW_LEARNER_PROGRESS)
    return render_template(
        "progress/learner.html",
        person=person,
        own=person.id == actor().id,
        courses=learner_queries.learner_courses(person.id, can(person, Action.STAFF_COURSES)),
        follow_up=None,
    )
