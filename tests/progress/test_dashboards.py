"""The dashboards as each role sees them: what they show, filters, charts drawn by the server."""

from __future__ import annotations

import re
from datetime import date

from app.accounts.models import Role
from tests.conftest import sign_in
from tests.progress.conftest import EN, follow


def _client(app, user):
    client = app.test_client()
    sign_in(client, user.email)
    return client


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_my_progress_shows_each_course_chapter_grade_and_what_to_do_next(
    app, progress_course, enrolled_learner
):
    course = progress_course(title="Vendre en ligne")
    _user, learner = enrolled_learner(course, language="en")
    learner.view("u1")
    learner.report("p1", grade=2.0, completion=1.0)
    page = learner.client.get("/progression/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    text = _text(html)
    assert "Vendre en ligne" in text
    assert "3 of 6 activities done" in text
    assert 'value="50"' in html  # the course's progress bar: 3 of 6
    assert 'value="100"' in html  # chapter 1: 3 of 3
    assert "Grade 30%" in text and "pass mark 50%" in text
    assert "Continue with the chapter “Chapitre ch2”." in text
    assert "Resume where I left off" in text


def test_my_progress_in_french(app, progress_course, enrolled_learner):
    course = progress_course()
    _user, learner = enrolled_learner(course, language="fr")
    learner.view("u1")
    text = _text(learner.client.get("/progression/").get_data(as_text=True))
    assert "Ma progression" in text
    assert "3 activités sur 6 terminées" in text or "2 activités sur 6 terminées" in text


def test_company_manager_sees_staff_by_course_with_filters(app, world, progress_course, learner_in):
    course = progress_course(title="Cybersécurité")
    follow(app, world, course)
    learner = learner_in(world.learners[0], course)
    learner.view("u1")
    client = _client(app, world.managers[0])
    html = client.get(f"/progression/entreprises/{world.companies[0].id}", headers=EN).get_data(as_text=True)
    text = _text(html)
    assert world.learners[0].display_name in text and "Cybersécurité" in text and "In progress" in text
    assert world.learners[1].display_name not in text  # another company's learner
    filtered = client.get(
        f"/progression/entreprises/{world.companies[0].id}?statut=completed", headers=EN
    ).get_data(as_text=True)
    assert world.learners[0].display_name not in _text(filtered)
    assert "Nothing to show." in _text(filtered)
    searched = client.get(
        f"/progression/entreprises/{world.companies[0].id}?recherche={world.learners[0].display_name[-3:]}",
        headers=EN,
    )
    assert world.learners[0].display_name in _text(searched.get_data(as_text=True))


def test_cybersite_manager_drills_down_from_cohorts_to_companies_to_learners(
    app, world, progress_course, learner_in
):
    course = progress_course()
    follow(app, world, course)
    for learner in world.learners[:2]:
        client = learner_in(learner, course)
        for unit in ("u1", "u2", "u3", "u4"):
            client.view(unit)
        for probe in ("p1", "p2", "p3"):
            client.report(probe, grade=1.0, max=1.0, completion=1.0)
    manager = _client(app, world.site_managers[0])
    site_page = manager.get(f"/progression/cybersites/{world.sites[0].id}", headers=EN).get_data(as_text=True)
    text = _text(site_page)
    # Promotion 0: 2 enrolments, 2 started, 2 completed, 2 passed, 100 % on average.
    assert re.search(r"Promotion 0 .*? 2 2 2 2 100%", text), text
    assert "<svg" in site_page and "<title" in site_page and "<desc" in site_page
    assert "Completions so far" in text
    cohort_url = f"/progression/promotions/{world.cohorts[0].id}"
    assert cohort_url in site_page
    cohort_page = manager.get(cohort_url, headers=EN).get_data(as_text=True)
    assert world.companies[0].legal_name in cohort_page
    drill = f"/progression/promotions/{world.cohorts[0].id}/entreprises/{world.companies[0].id}"
    assert drill in cohort_page
    company_page = manager.get(drill, headers=EN).get_data(as_text=True)
    assert world.learners[0].display_name in company_page
    assert world.learners[1].display_name not in company_page
    learner_url = f"/progression/apprenants/{world.learners[0].id}"
    assert learner_url in company_page
    learner_page = manager.get(learner_url, headers=EN)
    assert learner_page.status_code == 200
    assert "Progress of" in learner_page.get_data(as_text=True)


def test_trainer_sees_the_funnel_and_exercise_figures_of_their_sites_learners(
    app, world, progress_course, learner_in
):
    course = progress_course()
    follow(app, world, course)
    first = learner_in(world.learners[0], course)
    for unit in ("u1", "u2"):
        first.view(unit)
    first.report("p1", grade=1.0, max=2.0, completion=1.0)
    first.report("p1", grade=2.0, max=2.0, completion=1.0)  # a second attempt, full marks
    second = learner_in(world.learners[1], course)
    second.view("u2")
    second.report("p1", grade=0.0, max=2.0, completion=1.0)
    # A learner of the other Cybersite is not counted by this trainer.
    learner_in(world.learners[2], course).report("p1", grade=2.0, max=2.0, completion=1.0)
    trainer = _client(app, world.trainers[0])
    assert course.course_key in trainer.get("/progression/formations", headers=EN).get_data(as_text=True)
    html = trainer.get(f"/progression/formations/{course.course_key}", headers=EN).get_data(as_text=True)
    text = _text(html)
    assert re.search(r"Enrolled 2 100%", text), text
    assert re.search(r"Started 2 100%", text)
    assert re.search(r"Completed: Chapitre ch1 1 50%", text)
    assert re.search(r"Completed: Chapitre ch2 0 0%", text)
    # p1: two learners graded, 2 of 4 points, one with full marks, 1.5 attempts on average.
    assert re.search(r"Exercice p1 probe 2 50% 1 1\.5", text), text
    assert "<svg" in html and 'role="img"' in html


def test_a_certificate_is_printable_downloadable_and_verifiable(
    app, progress_course, enrolled_learner, client
):
    course = progress_course(spec=[("ch", [("s", {}, [("u", [("html", "h", 0)])])])], policy={"GRADER": []})
    user, learner = enrolled_learner(course, language="fr", display_name="Élodie Chassang")
    learner.view("u")
    page = learner.client.get(f"/progression/formations/{course.course_key}/certificat")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    code = re.search(r"code ([A-Z2-9]{4}(?:-[A-Z2-9]{4}){4})", html).group(1)
    assert "Élodie Chassang" in html and "Attestation de réussite" in html
    pdf = learner.client.get(f"/progression/formations/{course.course_key}/certificat.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF-")
    # Anyone may verify it, signed in or not; the page shows name, course, date, nothing else.
    verify = client.get(f"/progression/certificat/{code}", headers=EN)
    assert verify.status_code == 200
    text = _text(verify.get_data(as_text=True))
    assert "This certificate is genuine." in text and "Élodie Chassang" in text and "Formation test" in text
    assert user.email not in text
    assert client.get("/progression/certificat/AAAA-AAAA-AAAA-AAAA-AAAA", headers=EN).status_code == 404


def test_no_certificate_before_completion(app, progress_course, enrolled_learner):
    course = progress_course()
    _user, learner = enrolled_learner(course)
    learner.view("u1")
    assert learner.client.get(f"/progression/formations/{course.course_key}/certificat").status_code == 404
    assert (
        learner.client.get(f"/progression/formations/{course.course_key}/certificat.pdf").status_code == 404
    )


def test_the_navigation_offers_progress_to_signed_in_people(app, make_user, make_company):
    user = make_user(roles=[(Role.LEARNER, make_company())], language="en")
    client = _client(app, user)
    assert 'href="/progression/"' in client.get("/").get_data(as_text=True)


def test_a_member_enrolled_through_an_earlier_cohort_counts_in_every_figure_of_the_later_one(
    app, world, progress_course, learner_in
):
    """Issue 18, item 1: a learner who joins a second cohort that follows a course she is already enrolled in
    (through her first cohort) keeps that enrolment; the second cohort's figures count her all the same."""
    import io

    import openpyxl

    from app.cohorts.models import Cohort, CohortCompany, CohortCourse, CohortMember
    from app.core.extensions import db
    from app.courses.models import Enrolment

    course = progress_course()
    follow(app, world, course)
    with app.app_context():
        later = Cohort(
            cybersite_id=world.sites[0].id, name="Promotion tardive", starts_on=date(2026, 3, 2),
            ends_on=date(2026, 12, 18), capacity=10,
        )  # fmt: skip
        db.session.add(later)
        db.session.flush()
        db.session.add(CohortCompany(cohort_id=later.id, company_id=world.companies[0].id))
        db.session.add(CohortCourse(cohort_id=later.id, course_id=course.course_id))
        db.session.add(
            CohortMember(cohort_id=later.id, user_id=world.learners[0].id, company_id=world.companies[0].id)
        )
        db.session.commit()
        later_id = later.id
        # Her enrolment stays the first cohort's.
        assert db.session.scalar(
            db.select(Enrolment.cohort_id).where(Enrolment.user_id == world.learners[0].id)
        ) == (world.cohorts[0].id)
    client = learner_in(world.learners[0], course)
    for unit in ("u1", "u2", "u3", "u4"):
        client.view(unit)
    for probe in ("p1", "p2", "p3"):
        client.report(probe, grade=1.0, max=1.0, completion=1.0)

    manager = _client(app, world.site_managers[0])
    site_text = _text(
        manager.get(f"/progression/cybersites/{world.sites[0].id}", headers=EN).get_data(as_text=True)
    )
    assert re.search(r"Promotion tardive .*? 1 1 1 1 100%", site_text), site_text
    assert re.search(r"Promotion 0 .*? 2 1 1 1 50%", site_text), site_text
    cohort_text = _text(manager.get(f"/progression/promotions/{later_id}", headers=EN).get_data(as_text=True))
    assert re.search(re.escape(world.companies[0].legal_name) + r" 1 1 1 1 100%", cohort_text), cohort_text
    drill = f"/progression/promotions/{later_id}/entreprises/{world.companies[0].id}"
    drill_text = _text(manager.get(drill, headers=EN).get_data(as_text=True))
    assert world.learners[0].display_name in drill_text and "Not enrolled" not in drill_text
    # The weekly completions of the later cohort count her completion once.
    weeks = openpyxl.load_workbook(
        io.BytesIO(manager.get(f"/progression/promotions/{later_id}/export/semaines.xlsx").data)
    ).active
    rows = list(weeks.iter_rows(values_only=True))
    assert rows[-1][-1] == 1, rows
    # The Cybersite's weekly completions count it once, though she is in two of its cohorts.
    site_weeks = openpyxl.load_workbook(
        io.BytesIO(manager.get(f"/progression/cybersites/{world.sites[0].id}/export/semaines.xlsx").data)
    ).active
    assert list(site_weeks.iter_rows(values_only=True))[-1][-1] == 1
