"""Exact counters: every dashboard page and export issues the same number of SQL statements whatever the
number of learners, companies or blocks (measured on a small and a large Cybersite side by side)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.accounts.models import Role
from app.cohorts.models import Cohort, CohortCompany, CohortCourse, CohortMember
from app.core.extensions import db
from app.courses.models import Enrolment
from tests.conftest import sign_in

SMALL_SPEC = [
    (
        "ch1",
        [("s1", {"graded": "true", "format": "Quiz"}, [("u1", [("html", "h1", 0), ("probe", "p1", 1.0)])])],
    )
]


def _large_spec():
    chapters = []
    for c in range(4):
        sequences = []
        for s in range(2):
            graded = {"graded": "true", "format": "Quiz"} if s else {}
            units = [
                (
                    f"u{c}{s}{u}",
                    [("html", f"h{c}{s}{u}{b}", 0) for b in range(3)] + [("probe", f"p{c}{s}{u}", 1.0)],
                )
                for u in range(2)
            ]
            sequences.append((f"s{c}{s}", graded, units))
        chapters.append((f"ch{c}", sequences))
    return chapters


@dataclass
class Site:
    site: object
    companies: list
    learners: list
    manager: object
    site_manager: object
    trainer: object
    cohort: Cohort
    course: object


def _build_site(
    app,
    make_cybersite,
    make_company,
    make_user,
    progress_course,
    learner_in,
    *,
    companies,
    staff,
    spec,
    number,
):
    site = make_cybersite()
    made = [make_company(cybersite=site) for _ in range(companies)]
    learners = [make_user(roles=[(Role.LEARNER, c)], language="en") for c in made for _ in range(staff)]
    manager = make_user(roles=[(Role.COMPANY_MANAGER, made[0])], language="en")
    site_manager = make_user(roles=[(Role.CYBERSITE_MANAGER, site)], language="en")
    trainer = make_user(roles=[(Role.TRAINER, site)], language="en")
    course = progress_course(spec=spec, number=number)
    with app.app_context():
        cohort = Cohort(
            cybersite_id=site.id,
            name=f"P-{number}",
            starts_on=date(2026, 1, 5),
            ends_on=date(2026, 12, 1),
            capacity=500,
        )
        db.session.add(cohort)
        db.session.flush()
        db.session.add(CohortCourse(cohort_id=cohort.id, course_id=course.course_id))
        for company in made:
            db.session.add(CohortCompany(cohort_id=cohort.id, company_id=company.id))
        for i, learner in enumerate(learners):
            db.session.add(
                CohortMember(cohort_id=cohort.id, user_id=learner.id, company_id=made[i // staff].id)
            )
            db.session.add(Enrolment(user_id=learner.id, course_id=course.course_id, cohort_id=cohort.id))
        db.session.commit()
        db.session.refresh(cohort)
        db.session.expunge(cohort)
    first_unit = spec[0][1][0][2][0][0]
    first_probe = next(name for kind, name, _w in spec[0][1][0][2][0][1] if kind == "probe")
    for learner in learners:
        client = learner_in(learner, course)
        client.view(first_unit)
        client.report(first_probe, grade=1.0, max=1.0, completion=1.0)
    return Site(site, made, learners, manager, site_manager, trainer, cohort, course)


def _urls(s: Site) -> dict[str, tuple[object, str]]:
    company, cohort, key = s.companies[0].id, s.cohort.id, s.course.course_key
    return {
        "my progress": (s.learners[0], "/progression/"),
        "learner": (s.manager, f"/progression/apprenants/{s.learners[0].id}"),
        "company": (s.manager, f"/progression/entreprises/{company}"),
        "company filtered": (s.manager, f"/progression/entreprises/{company}?statut=in_progress&recherche=e"),
        "company csv": (s.manager, f"/progression/entreprises/{company}/export/personnel.csv"),
        "company xlsx": (s.manager, f"/progression/entreprises/{company}/export/personnel.xlsx"),
        "cybersite": (s.site_manager, f"/progression/cybersites/{s.site.id}"),
        "cybersite learners csv": (
            s.site_manager,
            f"/progression/cybersites/{s.site.id}/export/apprenants.csv",
        ),
        "cohort": (s.site_manager, f"/progression/promotions/{cohort}"),
        "cohort companies xlsx": (
            s.site_manager,
            f"/progression/promotions/{cohort}/export/entreprises.xlsx",
        ),
        "cohort company": (s.site_manager, f"/progression/promotions/{cohort}/entreprises/{company}"),
        "course": (s.trainer, f"/progression/formations/{key}"),
        "course exercises csv": (s.trainer, f"/progression/formations/{key}/export/exercices.csv"),
        "courses": (s.trainer, "/progression/formations"),
    }


def test_every_dashboard_costs_the_same_whatever_the_size(
    app, make_cybersite, make_company, make_user, progress_course, learner_in, count_statements
):
    small = _build_site(app, make_cybersite, make_company, make_user, progress_course, learner_in,
                        companies=1, staff=1, spec=SMALL_SPEC, number="SMALL")  # fmt: skip
    large = _build_site(app, make_cybersite, make_company, make_user, progress_course, learner_in,
                        companies=3, staff=4, spec=_large_spec(), number="LARGE")  # fmt: skip
    clients = {}

    def measure(user, url):
        client = clients.get(user.id)
        if client is None:
            client = clients[user.id] = app.test_client()
            sign_in(client, user.email)
        client.get(url)  # the course structure is worked out once per process: not what is counted
        response, statements = count_statements(lambda: client.get(url))
        assert response.status_code == 200, (url, response.status_code)
        assert len(response.data) > 0
        # Pages only read: no roll-up is recomputed (or anything written) by looking at one.
        assert not [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
        return statements

    budgets = {}
    for name, (user, url) in _urls(small).items():
        small_statements = measure(user, url)
        large_user, large_url = _urls(large)[name]
        large_statements = measure(large_user, large_url)
        assert len(small_statements) == len(large_statements), (name, small_statements, large_statements)
        budgets[name] = len(small_statements)
    # And few: the sign-in's user and roles, the target, the policy's scope, the figures.
    assert max(budgets.values()) <= 8, budgets
