"""The access matrix's world: two Cybersites, A and B, on one course, each with its trainer, Cybersite
manager, cohort, company (with a company manager), learners, forum threads, case-study answers, progress
an invitation and a report in the forum; A's learner holds a certificate.

Every name, e-mail address and title of A's carries a sentinel (``Alpha``, ``@alpha.example``), so that a
page that shows any of A's data to B's people is caught by looking for the sentinels in its body.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.accounts.models import Company, Cybersite, Invitation, Role, RoleGrant, User
from app.api.tokens import create_token
from app.cohorts.models import Cohort, CohortCompany, CohortCourse, CohortInvitation, CohortMember
from app.core.extensions import db
from app.courses.importing import import_course
from app.courses.models import Enrolment
from app.progress.models import Certificate
from app.runtime.keys import CourseKey, usage_key_for
from tests.conftest import _PASSWORD_HASH, sign_in, valid_siret
from tests.plugins.case_study.conftest import ANSWERS, case_xml
from tests.plugins.discussion.conftest import FORUM
from tests.runtime.olx_helpers import write_course

COURSE_KEY = "course-v1:Cybermassif+MATRIX+2026"
META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
FORM_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

# What no page opened by one of B's people may contain: A's names, e-mail domain, titles and texts.
A_SENTINELS = (
    "Alphaville",  # A's Cybersite and cohort
    "Alphamenuiserie",  # A's company
    "@alpha.example",  # every e-mail address of A's people
    "Aline Alphalearner",
    "Albert Alphalearner",
    "Marc Alphamanager",
    "Tania Alphatrainer",
    "Simon Alphasitemanager",
    "Ines Alphainvitee",
    "Sujet secret Alpha",
    "Texte secret Alpha",
    "Réponse secrète Alpha",
    "Cas secret Alpha",
    "Motif secret Alpha",
)
ROLES = ("visitor", "learner", "company_manager", "trainer", "cybersite_manager", "admin")


@dataclass
class Site:
    """One Cybersite's objects (ids only, so they outlive the sessions that made them)."""

    site_id: int
    company_id: int
    cohort_id: int
    learner_id: int
    other_learner_id: int
    manager_id: int
    trainer_id: int
    site_manager_id: int
    learner_grant_id: int
    member_id: int
    seat_id: int
    invitation_id: int
    thread_id: int = 0
    post_id: int = 0
    emails: dict[str, str] = field(default_factory=dict)


@dataclass
class World:
    """Both Cybersites, the course they share, the administrator, and a certificate code of A's."""

    a: Site
    b: Site
    admin_id: int
    admin_email: str
    course_id: int
    certificate_code: str
    # Personal access tokens (read and write) of B's people and the administrator, by role; one of A's.
    tokens: dict[str, str] = field(default_factory=dict)
    a_token_id: int = 0

    @property
    def course_key(self) -> str:
        """The shared course's key."""
        return COURSE_KEY

    def usage(self, block_type: str, url_name: str) -> str:
        """A usage id of the shared course."""
        return str(usage_key_for(CourseKey.from_string(COURSE_KEY), block_type, url_name))

    def handler(self, block_type: str, url_name: str, handler: str) -> str:
        """The learner endpoint of a block handler of the shared course."""
        return f"/xblock/{self.usage(block_type, url_name)}/handler/{handler}"

    def email_of(self, role: str) -> str | None:
        """The e-mail of the person of B who plays ``role`` (the administrator for ``admin``)."""
        if role == "admin":
            return self.admin_email
        return self.b.emails.get(role)


def _course(root: Path) -> None:
    key = CourseKey.from_string(COURSE_KEY)
    write_course(
        root,
        {
            "course.xml": f'<course url_name="{key.run}" org="{key.org}" course="{key.course}"/>',
            f"course/{key.run}.xml": (
                '<course display_name="Cours de la matrice" language="fr" cybermassif_open_enrolment="true">'
                '<chapter url_name="ch1" display_name="Chapitre 1">'
                '<sequential url_name="s1" display_name="Séquence 1">'
                f'<vertical url_name="u1" display_name="Unité 1">{FORUM}{case_xml(weight="4")}</vertical>'
                "</sequential></chapter></course>"
            ),
            "static/vidal-boutique.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        },
    )


def _user(email: str, name: str, role: Role, scope_company: int | None, scope_site: int | None) -> User:
    user = User(email=email, display_name=name, password_hash=_PASSWORD_HASH)
    user.roles.append(RoleGrant(role=role, company_id=scope_company, cybersite_id=scope_site))
    db.session.add(user)
    return user


def _site(tag: str, seed: int, course_id: int) -> Site:
    """Build one Cybersite's people and objects (``tag``: ``Alpha`` or ``Beta``)."""
    low = tag.lower()
    site = Cybersite(name=f"Cybersite {tag}ville", town=f"{tag}ville", departement="63")
    db.session.add(site)
    db.session.flush()
    company = Company(
        legal_name=f"{tag}menuiserie SARL",
        siret=valid_siret(seed),
        naf_code="16.23Z",
        headcount=9,
        departement="63",
        cybersite_id=site.id,
    )
    cohort = Cohort(
        cybersite_id=site.id,
        name=f"Promo {tag}ville",
        starts_on=date(2026, 1, 5),
        ends_on=date(2026, 12, 18),
        capacity=12,
        forum_within_cohort=True,
    )
    db.session.add_all([company, cohort])
    db.session.flush()
    emails = {
        "learner": f"aline@{low}.example",
        "company_manager": f"marc@{low}.example",
        "trainer": f"tania@{low}.example",
        "cybersite_manager": f"simon@{low}.example",
    }
    first = "Aline" if tag == "Alpha" else "Bea"
    learner = _user(emails["learner"], f"{first} {tag}learner", Role.LEARNER, company.id, None)
    other = _user(f"albert@{low}.example", f"Albert {tag}learner", Role.LEARNER, company.id, None)
    manager = _user(emails["company_manager"], f"Marc {tag}manager", Role.COMPANY_MANAGER, company.id, None)
    trainer = _user(emails["trainer"], f"Tania {tag}trainer", Role.TRAINER, None, site.id)
    site_manager = _user(
        emails["cybersite_manager"], f"Simon {tag}sitemanager", Role.CYBERSITE_MANAGER, None, site.id
    )
    db.session.flush()
    db.session.add_all(
        [
            CohortCourse(cohort_id=cohort.id, course_id=course_id),
            CohortCompany(cohort_id=cohort.id, company_id=company.id),
        ]
    )
    members = []
    for person in (learner, other):
        db.session.add(Enrolment(user_id=person.id, course_id=course_id, cohort_id=cohort.id))
        member = CohortMember(cohort_id=cohort.id, user_id=person.id, company_id=company.id)
        db.session.add(member)
        members.append(member)
    invitation = Invitation(
        email=f"ines@{low}.example", role=Role.LEARNER, company_id=company.id, invited_by_id=site_manager.id
    )
    db.session.add(invitation)
    db.session.flush()
    seat = CohortInvitation(
        cohort_id=cohort.id,
        invitation_id=invitation.id,
        company_id=company.id,
        email=invitation.email,
        display_name=f"Ines {tag}invitee",
    )
    db.session.add(seat)
    db.session.flush()
    return Site(
        site_id=site.id,
        company_id=company.id,
        cohort_id=cohort.id,
        learner_id=learner.id,
        other_learner_id=other.id,
        manager_id=manager.id,
        trainer_id=trainer.id,
        site_manager_id=site_manager.id,
        learner_grant_id=learner.roles[0].id,
        member_id=members[0].id,
        seat_id=seat.id,
        invitation_id=invitation.id,
        emails=emails,
    )


def signed_in(app: Flask, email: str) -> FlaskClient:
    """A new client signed in through the real form."""
    client = app.test_client()
    sign_in(client, email)
    return client


def page_token(client: FlaskClient, path: str) -> str:
    """The CSRF token of the client's session, read from a page (meta tag or form field)."""
    html = client.get(path).get_data(as_text=True)
    match = META_CSRF.search(html) or FORM_CSRF.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def _call(world: World, client: FlaskClient, block: str, url_name: str, handler: str, data: Any) -> Any:
    token = page_token(client, f"/formations/{COURSE_KEY}/unite/{world.usage('vertical', 'u1')}")
    response = client.post(
        world.handler(block, url_name, handler),
        data=json.dumps(data).encode(),
        headers={"X-CSRFToken": token, "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _tokens(app: Flask, world: World) -> None:
    """A read-and-write token for each of B's people and the administrator, and one of A's manager."""
    with app.app_context():
        people = {
            "learner": world.b.learner_id,
            "company_manager": world.b.manager_id,
            "trainer": world.b.trainer_id,
            "cybersite_manager": world.b.site_manager_id,
            "admin": world.admin_id,
        }
        for role, user_id in people.items():
            _token, world.tokens[role] = create_token(
                db.session.get(User, user_id), role, ["read", "write"], 30
            )
        a_token, _secret = create_token(db.session.get(User, world.a.site_manager_id), "A", ["read"], 30)
        world.a_token_id = a_token.id
        db.session.commit()


def build_world(app: Flask, root: Path) -> World:
    """Create both Cybersites and their work through the real handlers (threads, replies, answers)."""
    _course(root)
    with app.app_context():
        course = import_course(root, actor=None).course
        db.session.commit()
        a = _site("Alpha", 424242, course.id)
        b = _site("Beta", 515151, course.id)
        admin = User(email="root@network.example", display_name="Root Admin", password_hash=_PASSWORD_HASH)
        admin.roles.append(RoleGrant(role=Role.NETWORK_ADMIN))
        db.session.add(admin)
        code = "ALPH-A2B3-C4D5-E6F7-G8H9"
        db.session.add(
            Certificate(
                user_id=a.learner_id,
                course_key=COURSE_KEY,
                code=code,
                cybersite_id=a.site_id,
                grade=0.9,
                issued_at=datetime(2026, 6, 1, tzinfo=UTC),
            )
        )
        db.session.commit()
        admin_id = admin.id
        a.learner_grant_id = db.session.scalar(select(RoleGrant.id).where(RoleGrant.user_id == a.learner_id))
        b.learner_grant_id = db.session.scalar(select(RoleGrant.id).where(RoleGrant.user_id == b.learner_id))
        course_id = course.id
    world = World(a, b, admin_id, "root@network.example", course_id, code)
    _tokens(app, world)
    for site, tag in ((a, "Alpha"), (b, "Beta")):
        author = signed_in(app, site.emails["learner"])
        secret = "secret" if tag == "Alpha" else "ouvert"
        created = _call(
            world,
            author,
            "discussion",
            "f1",
            "create_thread",
            {"title": f"Sujet {secret} {tag}", "body": f"Texte {secret} {tag}"},
        )
        site.thread_id = int(created["thread_id"])
        replied = _call(
            world,
            author,
            "discussion",
            "f1",
            "reply",
            {
                "thread_id": site.thread_id,
                "body": f"Réponse {'secrète' if tag == 'Alpha' else 'publique'} {tag}",
            },
        )
        site.post_id = int(replied["post_id"])
        reporter = signed_in(app, f"albert@{tag.lower()}.example")
        flag = {
            "kind": "post",
            "id": site.post_id,
            "thread_id": site.thread_id,
            "reason": f"Motif {secret} {tag}",
        }
        _call(world, reporter, "discussion", "f1", "flag", flag)
        answers = {**ANSWERS, "q1": f"Cas {secret} {tag}"}
        _call(world, author, "case_study", "cas", "submit", {"answers": answers})
    return world
