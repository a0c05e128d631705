"""Enrolment one person at a time: accepted companies, existing accounts, invitations of new people (their
seat becomes a membership when they accept), capacity, unenrolment, moves, and company managers enrolling
their own staff. Every refusal is a clear message with a 4xx status and nothing written."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Invitation, Role, RoleGrant, User
from app.cohorts.models import CohortCompany, CohortInvitation, CohortMember
from app.core.extensions import db
from app.courses.models import Enrolment
from tests.cohorts.conftest import EN, count, link_in, post, rows, signed_in, snapshot
from tests.conftest import post_form


def _enrolments(app, user_id):
    return {
        course_id: (active, cohort_id)
        for course_id, active, cohort_id in rows(
            app,
            sa.select(Enrolment.course_id, Enrolment.active, Enrolment.cohort_id).where(
                Enrolment.user_id == user_id
            ),
        )
    }


def _person(world, email, company=None, **extra):
    return {
        "email": email,
        "first_name": "Nina",
        "last_name": "Nouvelle",
        "company_id": (company or world.company).id,
        "role": "learner",
        **extra,
    }


def _refused(app, response, message, status=400):
    page = response.get_data(as_text=True)
    assert response.status_code == status, page
    assert message in page, page


# Accepted companies


def test_a_company_of_the_cybersite_is_accepted_then_removed(app, client, world, make_cohort):
    cohort = make_cohort(world.site)
    signed_in(client, world.manager)
    response = post(client, f"/cohortes/{cohort.id}/entreprises", {"company_id": world.company.id})
    assert response.status_code == 302
    page = client.get(f"/cohortes/{cohort.id}", headers=EN).get_data(as_text=True)
    assert "The cohort now accepts Fromagerie Dupont." in page
    assert count(app, CohortCompany) == 1
    response = post(client, f"/cohortes/{cohort.id}/entreprises/{world.company.id}/retirer")
    assert response.status_code == 302
    assert count(app, CohortCompany) == 0


def test_companies_that_cannot_be_accepted_are_refused(app, client, world, make_cohort):
    cohort = make_cohort(world.site, companies=[world.company])
    signed_in(client, world.manager)
    before = snapshot(app)
    path = f"/cohortes/{cohort.id}/entreprises"
    _refused(
        app, post(client, path, {"company_id": world.foreign_company.id}), "Choose a company followed by this"
    )
    _refused(app, post(client, path, {"company_id": 999999}), "Choose a company followed by this cohort")
    _refused(app, post(client, path, {"company_id": "abc"}), "Choose a company.")
    _refused(
        app, post(client, path, {"company_id": world.company.id}), "The cohort already accepts this company."
    )
    assert snapshot(app) == before


def test_a_company_with_staff_enrolled_cannot_be_removed(app, client, world, make_cohort):
    cohort = make_cohort(world.site, companies=[world.company], members=[(world.learner, world.company)])
    signed_in(client, world.manager)
    before = snapshot(app)
    response = post(client, f"/cohortes/{cohort.id}/entreprises/{world.company.id}/retirer")
    _refused(app, response, "Unenrol this company&#39;s staff from the cohort")
    assert snapshot(app) == before


# Enrolling one person


def test_an_existing_account_is_enrolled_in_every_course_of_the_cohort(app, client, world, make_cohort):
    cohort = make_cohort(world.site, companies=[world.company], courses=[world.course, world.other_course])
    signed_in(client, world.manager)
    response = post(client, f"/cohortes/{cohort.id}/personnes", _person(world, world.learner.email.upper()))
    assert response.status_code == 302
    assert rows(app, sa.select(CohortMember.user_id, CohortMember.company_id)) == [
        (world.learner.id, world.company.id)
    ]
    assert _enrolments(app, world.learner.id) == {
        world.course: (True, cohort.id),
        world.other_course: (True, cohort.id),
    }
    page = client.get(f"/cohortes/{cohort.id}", headers=EN).get_data(as_text=True)
    assert "Léo Learner is enrolled." in page and world.learner.email in page


def test_an_earlier_self_enrolment_is_taken_over_by_the_cohort(app, client, world, make_cohort):
    with app.app_context():
        db.session.add(Enrolment(user_id=world.learner.id, course_id=world.course, active=False))
        db.session.commit()
    cohort = make_cohort(world.site, companies=[world.company], courses=[world.course])
    signed_in(client, world.manager)
    assert (
        post(client, f"/cohortes/{cohort.id}/personnes", _person(world, world.learner.email)).status_code
        == 302
    )
    assert _enrolments(app, world.learner.id) == {world.course: (True, cohort.id)}
    assert count(app, Enrolment) == 1


def test_an_account_without_a_role_in_the_company_gets_the_learner_role_and_a_notice(
    app, client, world, make_cohort, outbox
):
    cohort = make_cohort(world.site, companies=[world.company], courses=[world.course])
    signed_in(client, world.manager)
    response = post(client, f"/cohortes/{cohort.id}/personnes", _person(world, world.sister_learner.email))
    assert response.status_code == 302
    grants = rows(
        app,
        sa.select(RoleGrant.role, RoleGrant.company_id).where(RoleGrant.user_id == world.sister_learner.id),
    )
    assert sorted(grants) == sorted([(Role.LEARNER, world.sister.id), (Role.LEARNER, world.company.id)])
    (notice,) = outbox(world.sister_learner.email)
    assert "You have a new role" in notice.subject
    assert _enrolments(app, world.sister_learner.id) == {world.course: (True, cohort.id)}


def test_a_new_person_is_invited_and_joins_when_they_accept(app, client, world, make_cohort, outbox):
    cohort = make_cohort(world.site, companies=[world.company], courses=[world.course], capacity=2)
    signed_in(client, world.manager)
    response = post(client, f"/cohortes/{cohort.id}/personnes", _person(world, "Nina@Exemple.fr"))
    assert response.status_code == 302
    (invitation,) = outbox("nina@exemple.fr")
    assert "Invitation to Cybermassif" in invitation.subject or "Invitation" in invitation.subject
    assert rows(app, sa.select(CohortInvitation.email, CohortInvitation.display_name)) == [
        ("nina@exemple.fr", "Nina Nouvelle")
    ]
    page = client.get(f"/cohortes/{cohort.id}", headers=EN).get_data(as_text=True)
    assert "Nina Nouvelle" in page and "Pending" in page and "1 taken of 2" in page
    # She accepts, in her own browser.
    visitor = app.test_client()
    link = link_in(invitation.body)
    data = {"display_name": "Nina N.", "password": "my own secret pass", "confirm": "my own secret pass"}
    accepted = post_form(visitor, link, {**data, "language": "en"}, headers=EN)
    assert accepted.status_code == 302, accepted.get_data(as_text=True)
    with app.app_context():
        nina = db.session.scalar(sa.select(User).where(User.email == "nina@exemple.fr"))
        nina_id = nina.id
    assert rows(app, sa.select(CohortMember.user_id, CohortMember.company_id)) == [
        (nina_id, world.company.id)
    ]
    assert count(app, CohortInvitation) == 0
    assert _enrolments(app, nina_id) == {world.course: (True, cohort.id)}
    home = visitor.get(f"/cohortes/{cohort.id}", headers=EN)
    assert home.status_code == 200 and "You are a member of this cohort" in home.get_data(as_text=True)


def test_inviting_the_same_person_twice_is_refused(app, client, world, make_cohort, outbox):
    cohort = make_cohort(world.site, companies=[world.company])
    signed_in(client, world.manager)
    assert (
        post(client, f"/cohortes/{cohort.id}/personnes", _person(world, "nina@exemple.fr")).status_code == 302
    )
    before = snapshot(app)
    response = post(client, f"/cohortes/{cohort.id}/personnes", _person(world, "nina@exemple.fr"))
    _refused(app, response, "This person has already been invited into this cohort.")
    assert snapshot(app) == before


def test_a_person_invited_in_two_cohorts_gets_one_invitation_and_joins_both(
    app, client, world, make_cohort, outbox
):
    first = make_cohort(world.site, companies=[world.company], courses=[world.course])
    second = make_cohort(world.site, companies=[world.company], courses=[world.other_course])
    signed_in(client, world.manager)
    for cohort in (first, second):
        assert (
            post(client, f"/cohortes/{cohort.id}/personnes", _person(world, "nina@exemple.fr")).status_code
            == 302
        )
    (invitation,) = outbox("nina@exemple.fr")
    visitor = app.test_client()
    data = {"display_name": "Nina", "password": "my own secret pass", "confirm": "my own secret pass"}
    assert post_form(visitor, link_in(invitation.body), {**data, "language": "fr"}).status_code == 302
    with app.app_context():
        nina_id = db.session.scalar(sa.select(User.id).where(User.email == "nina@exemple.fr"))
    assert count(app, CohortMember, CohortMember.user_id == nina_id) == 2
    assert _enrolments(app, nina_id) == {
        world.course: (True, first.id),
        world.other_course: (True, second.id),
    }


def test_bad_person_details_are_refused(app, client, world, make_cohort, make_user):
    cohort = make_cohort(world.site, companies=[world.company], members=[(world.colleague, world.company)])
    gone = make_user(roles=[(Role.LEARNER, world.company)], active=False)
    signed_in(client, world.manager)
    path = f"/cohortes/{cohort.id}/personnes"
    before = snapshot(app)
    cases = [
        (_person(world, "not-an-address"), "Enter a valid e-mail address."),
        (_person(world, ""), "This field is required."),
        (_person(world, "a@" + "x" * 260 + ".fr"), "Field cannot be longer than 254 characters."),
        (
            _person(world, "nina@exemple.fr", first_name="", last_name=""),
            "Enter the person&#39;s first and last name.",
        ),
        (_person(world, "nina@exemple.fr", role="network_admin"), "Not a valid choice"),
        (_person(world, "nina@exemple.fr", company=world.sister), "The cohort does not accept this company."),
        (
            _person(world, "nina@exemple.fr", company=world.foreign_company),
            "The cohort does not accept this company.",
        ),
        (
            {**_person(world, "nina@exemple.fr"), "company_id": ""},
            "Choose the company this person works for.",
        ),
        (_person(world, gone.email), "This account is deactivated."),
        (_person(world, world.colleague.email), "Colette Colleague is already in this cohort."),
    ]
    for data, message in cases:
        _refused(app, post(client, path, data), message)
    assert snapshot(app) == before


def test_hostile_names_are_shown_as_text(app, client, world, make_cohort):
    cohort = make_cohort(world.site, companies=[world.company])
    signed_in(client, world.manager)
    data = _person(world, "x@exemple.fr", first_name="<script>alert(1)</script>", last_name="=1+1")
    assert post(client, f"/cohortes/{cohort.id}/personnes", data).status_code == 302
    page = client.get(f"/cohortes/{cohort.id}", headers=EN).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# Capacity


def test_enrolment_beyond_capacity_is_refused_and_writes_nothing(app, client, world, make_cohort, outbox):
    cohort = make_cohort(
        world.site, companies=[world.company], capacity=2, members=[(world.learner, world.company)]
    )
    signed_in(client, world.manager)
    assert (
        post(client, f"/cohortes/{cohort.id}/personnes", _person(world, "nina@exemple.fr")).status_code == 302
    )
    before = snapshot(app)
    for email in ("zoe@exemple.fr", world.colleague.email):
        response = post(client, f"/cohortes/{cohort.id}/personnes", _person(world, email))
        _refused(app, response, "Not enough room: the cohort has 0 seats left (capacity 2).")
    assert snapshot(app) == before


def test_an_expired_invitation_frees_its_seat_and_can_be_sent_again(app, client, world, make_cohort, outbox):
    from datetime import UTC, datetime, timedelta

    cohort = make_cohort(world.site, companies=[world.company], capacity=1)
    signed_in(client, world.manager)
    assert (
        post(client, f"/cohortes/{cohort.id}/personnes", _person(world, "nina@exemple.fr")).status_code == 302
    )
    with app.app_context():
        db.session.execute(sa.update(Invitation).values(created_at=datetime.now(UTC) - timedelta(days=30)))
        db.session.commit()
    page = client.get(f"/cohortes/{cohort.id}", headers=EN).get_data(as_text=True)
    assert "Expired" in page and "0 taken of 1" in page
    assert (
        post(client, f"/cohortes/{cohort.id}/personnes", _person(world, "nina@exemple.fr")).status_code == 302
    )
    assert len(outbox("nina@exemple.fr")) == 2
    assert count(app, CohortInvitation) == 1 and count(app, Invitation) == 2


# Unenrolment and moves


def test_unenrolling_suspends_the_cohort_enrolments_and_keeps_others(app, client, world, make_cohort):
    first = make_cohort(world.site, companies=[world.company], courses=[world.course, world.other_course])
    second = make_cohort(world.site, companies=[world.company], courses=[world.course])
    signed_in(client, world.manager)
    for cohort in (first, second):
        assert (
            post(client, f"/cohortes/{cohort.id}/personnes", _person(world, world.learner.email)).status_code
            == 302
        )
    assert _enrolments(app, world.learner.id) == {
        world.course: (True, first.id),
        world.other_course: (True, first.id),
    }
    (member_id,) = rows(app, sa.select(CohortMember.id).where(CohortMember.cohort_id == first.id))
    response = post(client, f"/cohortes/{first.id}/membres/{member_id[0]}/desinscrire")
    assert response.status_code == 302
    # The shared course is handed over to the other cohort; the other is suspended.
    assert _enrolments(app, world.learner.id) == {
        world.course: (True, second.id),
        world.other_course: (False, None),
    }


def test_a_member_moves_to_another_cohort_of_the_site(app, client, world, make_cohort):
    source = make_cohort(
        world.site,
        companies=[world.company],
        courses=[world.course],
        members=[(world.learner, world.company)],
    )
    target = make_cohort(world.site, companies=[world.company], courses=[world.other_course], name="Hiver")
    (member_id,) = rows(app, sa.select(CohortMember.id))
    signed_in(client, world.manager)
    page = client.get(f"/cohortes/{source.id}", headers=EN).get_data(as_text=True)
    assert f'<option value="{target.id}">Hiver</option>' in page
    response = post(
        client, f"/cohortes/{source.id}/membres/{member_id[0]}/deplacer", {"target_id": target.id}
    )
    assert response.status_code == 302
    assert rows(app, sa.select(CohortMember.cohort_id)) == [(target.id,)]
    assert _enrolments(app, world.learner.id) == {
        world.course: (False, None),
        world.other_course: (True, target.id),
    }


def test_moves_that_break_a_rule_are_refused(app, client, world, make_cohort):
    source = make_cohort(world.site, companies=[world.company], members=[(world.learner, world.company)])
    full = make_cohort(
        world.site, companies=[world.company], capacity=1, members=[(world.colleague, world.company)]
    )
    closed = make_cohort(world.site, companies=[world.sister])
    foreign = make_cohort(world.other_site, companies=[world.company])
    (member_id,) = rows(app, sa.select(CohortMember.id).where(CohortMember.user_id == world.learner.id))
    path = f"/cohortes/{source.id}/membres/{member_id[0]}/deplacer"
    signed_in(client, world.manager)
    before = snapshot(app)
    _refused(
        app,
        post(client, path, {"target_id": full.id}),
        "Not enough room: the cohort has 0 seats left (capacity 1).",
    )
    _refused(app, post(client, path, {"target_id": closed.id}), "does not accept this person&#39;s company.")
    _refused(
        app, post(client, path, {"target_id": source.id}), "Choose another cohort of the same Cybersite."
    )
    _refused(app, post(client, path, {"target_id": 999999}), "Choose the cohort to move this person to.")
    assert post(client, path, {"target_id": foreign.id}).status_code == 403
    assert snapshot(app) == before


# Company managers


def test_a_company_manager_enrols_and_unenrols_their_own_learners(app, client, world, make_cohort):
    cohort = make_cohort(
        world.site,
        companies=[world.company, world.sister],
        courses=[world.course],
        members=[(world.sister_learner, world.sister)],
    )
    signed_in(client, world.company_manager)
    page = client.get(f"/cohortes/{cohort.id}", headers=EN).get_data(as_text=True)
    assert "Léo Learner" in page and "Colette Colleague" in page  # offered
    assert "Sacha Sister" not in page  # another company's member is not shown
    assert "Enrol a person" not in page and "Companies accepted" not in page
    response = post(
        client, f"/cohortes/{cohort.id}/personnel", {"person": f"{world.learner.id}:{world.company.id}"}
    )
    assert response.status_code == 302
    assert _enrolments(app, world.learner.id) == {world.course: (True, cohort.id)}
    (member_id,) = rows(app, sa.select(CohortMember.id).where(CohortMember.user_id == world.learner.id))
    assert post(client, f"/cohortes/{cohort.id}/membres/{member_id[0]}/desinscrire").status_code == 302
    assert count(app, CohortMember, CohortMember.user_id == world.learner.id) == 0


def test_a_company_manager_cannot_enrol_other_people(app, client, world, make_cohort):
    cohort = make_cohort(
        world.site, companies=[world.company, world.sister], members=[(world.sister_learner, world.sister)]
    )
    not_accepting = make_cohort(world.site, companies=[world.sister])
    signed_in(client, world.company_manager)
    before = snapshot(app)
    path = f"/cohortes/{cohort.id}/personnel"
    # Another company's learner, declared as of the manager's company: refused, they do not work there.
    _refused(
        app,
        post(client, path, {"person": f"{world.sister_learner.id}:{world.company.id}"}),
        "This person does not work for this company.",
    )
    _refused(
        app,
        post(client, path, {"person": f"{world.foreign_learner.id}:{world.company.id}"}),
        "does not work for this company",
    )
    assert post(client, path, {"person": f"{world.sister_learner.id}:{world.sister.id}"}).status_code == 403
    _refused(app, post(client, path, {"person": "x:y"}), "Choose a person.")
    assert post(client, path, {"person": f"999999:{world.company.id}"}).status_code == 404
    assert (
        post(
            client,
            f"/cohortes/{not_accepting.id}/personnel",
            {"person": f"{world.learner.id}:{world.company.id}"},
        ).status_code
        == 403
    )
    (sister_member,) = rows(
        app, sa.select(CohortMember.id).where(CohortMember.user_id == world.sister_learner.id)
    )
    assert post(client, f"/cohortes/{cohort.id}/membres/{sister_member[0]}/desinscrire").status_code == 403
    assert (
        post(client, f"/cohortes/{cohort.id}/personnes", _person(world, "nina@exemple.fr")).status_code == 403
    )
    assert snapshot(app) == before


# Self-enrolment


def test_self_enrolment_in_an_open_course_sets_no_cohort(app, client, world, make_published, make_cohort):
    make_cohort(world.site, companies=[world.company], members=[(world.learner, world.company)])
    with app.app_context():
        from app.courses.models import Course

        course = db.session.get(Course, make_published("Ouverte", open_enrolment=True))
        key = course.course_key
    signed_in(client, world.learner)
    response = post(client, f"/formations/{key}/inscription")
    assert response.status_code == 302
    ((active, cohort_id),) = rows(
        app, sa.select(Enrolment.active, Enrolment.cohort_id).where(Enrolment.user_id == world.learner.id)
    )
    assert (active, cohort_id) == (True, None)


def test_a_seat_is_cancelled(app, client, world, make_cohort):
    cohort = make_cohort(world.site, companies=[world.company])
    signed_in(client, world.manager)
    assert (
        post(client, f"/cohortes/{cohort.id}/personnes", _person(world, "nina@exemple.fr")).status_code == 302
    )
    (seat_id,) = rows(app, sa.select(CohortInvitation.id))
    assert post(client, f"/cohortes/{cohort.id}/invitations/{seat_id[0]}/annuler").status_code == 302
    assert count(app, CohortInvitation) == 0
    assert count(app, Invitation) == 1  # the invitation to the platform stays


def test_two_managers_filling_the_last_seat_at_once_cannot_overfill_it(app, world, make_cohort, make_user):
    import threading

    other_manager = make_user(roles=[(Role.CYBERSITE_MANAGER, world.site)], language="en")
    clients = [signed_in(app.test_client(), person) for person in (world.manager, other_manager)]
    for round_number in range(4):
        cohort = make_cohort(
            world.site, companies=[world.company], capacity=1, name=f"Course au siège {round_number}"
        )
        barrier = threading.Barrier(2)
        statuses: list[int] = []

        def enrol(client, email, cohort_id=cohort.id, barrier=barrier, statuses=statuses):
            from tests.conftest import csrf_token

            token = csrf_token(client, "/cohortes")
            barrier.wait()
            response = client.post(
                f"/cohortes/{cohort_id}/personnes",
                data={"csrf_token": token, **_person(world, email)},
                headers=EN,
            )
            statuses.append(response.status_code)

        threads = [
            threading.Thread(target=enrol, args=(client, f"p{round_number}-{n}@exemple.fr"))
            for n, client in enumerate(clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(statuses) == [302, 400]
        assert count(app, CohortInvitation, CohortInvitation.cohort_id == cohort.id) == 1
