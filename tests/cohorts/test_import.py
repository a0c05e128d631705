"""Enrolling a cohort from a CSV file through the real pages: preview of every row, all-or-nothing
confirmation, idempotent re-import, invitations for new people, and every kind of bad file refused with a
clear message, a 4xx status and nothing written."""

from __future__ import annotations

import io
import re
import time

import sqlalchemy as sa

from app.accounts.models import Invitation, Role, RoleGrant, User
from app.cohorts.models import Cohort, CohortCompany, CohortInvitation, CohortMember, CohortUpload
from app.core.extensions import db
from app.courses.models import Enrolment
from tests.cohorts.conftest import EN, count, post, rows, signed_in, snapshot, upload

TOKEN = re.compile(r'/import/([A-Za-z0-9_\-]+)"')


def _csv(world, *lines: str, header: str = "email;prenom;nom;siret;role", encoding: str = "utf-8") -> bytes:
    return (
        "\r\n".join([header, *lines]).format(a1=world.company.siret, a2=world.sister.siret).encode(encoding)
    )


def _preview(client, cohort_id, data, status=200):
    response = upload(client, cohort_id, data)
    page = response.get_data(as_text=True)
    assert response.status_code == status, page[-3000:]
    return page


def _confirm(client, cohort_id, page):
    token = TOKEN.search(page).group(1)
    return post(client, f"/cohortes/{cohort_id}/import/{token}")


def test_preview_then_confirm_enrols_invites_and_accepts_companies(app, client, world, make_cohort, outbox):
    cohort = make_cohort(world.site, companies=[world.company], courses=[world.course], capacity=10)
    data = _csv(
        world,
        f"{world.learner.email};Léo;Learner;{{a1}};apprenant",
        "nina@exemple.fr;Nina;Nouvelle;{a1};",
        "marc@exemple.fr;Marc;Martin;{a2};responsable",
        f"{world.sister_learner.email};Sacha;Sister;{{a2}};learner",
        encoding="cp1252",
    )
    signed_in(client, world.manager)
    before = snapshot(app)
    page = _preview(client, cohort.id, data)
    assert page.count("Will be enrolled") == 2 and page.count("Will be invited") == 2
    assert "The cohort will accept: Scierie Martin." in page
    assert "Import these rows" in page
    # The preview changed nothing but keeping the file.
    assert {**snapshot(app), "cohort_upload": 0} == before
    assert count(app, CohortUpload) == 1
    response = _confirm(client, cohort.id, page)
    assert response.status_code == 302
    done = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "2 people enrolled, 2 people invited." in done
    members = set(rows(app, sa.select(CohortMember.user_id, CohortMember.company_id)))
    assert members == {(world.learner.id, world.company.id), (world.sister_learner.id, world.sister.id)}
    assert set(rows(app, sa.select(CohortInvitation.email, CohortInvitation.company_id))) == {
        ("nina@exemple.fr", world.company.id),
        ("marc@exemple.fr", world.sister.id),
    }
    invited = dict(rows(app, sa.select(Invitation.email, Invitation.role)))
    assert invited == {"nina@exemple.fr": Role.LEARNER, "marc@exemple.fr": Role.COMPANY_MANAGER}
    assert len(outbox("nina@exemple.fr")) == 1 and len(outbox("marc@exemple.fr")) == 1
    assert count(app, CohortCompany) == 2
    assert count(app, Enrolment, Enrolment.cohort_id == cohort.id, Enrolment.active.is_(True)) == 2
    assert count(app, CohortUpload) == 0


def test_importing_the_same_file_again_changes_nothing(app, client, world, make_cohort, outbox):
    cohort = make_cohort(world.site, companies=[world.company], courses=[world.course])
    data = _csv(world, f"{world.learner.email};Léo;Learner;{{a1}};", "nina@exemple.fr;Nina;Nouvelle;{a1};")
    signed_in(client, world.manager)
    first = _preview(client, cohort.id, data)
    second = _preview(client, cohort.id, data)  # previewed twice before confirming: both tokens are valid
    assert _confirm(client, cohort.id, first).status_code == 302
    after_first = snapshot(app)
    # The second preview, confirmed now, finds everything done.
    assert _confirm(client, cohort.id, second).status_code == 302
    # The first one again: already used.
    again = _confirm(client, cohort.id, first)
    assert again.status_code == 410 and "already imported" in again.get_data(as_text=True)
    page = _preview(client, cohort.id, data)
    assert "Already a member: no change" in page and "Already invited: no change" in page
    assert "Nothing to do" in page and "Import these rows" not in page
    assert snapshot(app) == {**after_first, "cohort_upload": 0}  # only the second file, used up, is gone
    assert len(outbox("nina@exemple.fr")) == 1


def test_every_row_problem_is_listed_and_nothing_is_imported(app, client, world, make_cohort, make_user):
    cohort = make_cohort(
        world.site, companies=[world.company], capacity=3, members=[(world.colleague, world.company)]
    )
    gone = make_user(roles=[(Role.LEARNER, world.company)], active=False)
    data = _csv(
        world,
        "ok@exemple.fr;Ok;Row;{a1};",  # line 2: fine on its own
        "pas-une-adresse;A;B;{a1};",  # 3
        f"x@exemple.fr;X;Y;{world.foreign_company.siret};",  # 4: another Cybersite's company
        "y@exemple.fr;Y;Z;73282932000075;",  # 5: bad check digit
        "z@exemple.fr;Z;W;12345678901234;",  # 6: unknown... and invalid
        "OK@exemple.fr;Ok;Again;{a1};",  # 7: same address as line 2
        '=cmd@exemple.fr;=HYPERLINK("http://evil");B;{a1};',  # 8: formulas
        "r@exemple.fr;R;S;{a1};patron",  # 9: unknown role
        f"{gone.email};G;O;{{a1}};",  # 10: deactivated account
        "c1@exemple.fr;C;1;{a1};",  # 11
        "c2@exemple.fr;C;2;{a1};",  # 12: over capacity (3 places, 1 taken: lines 2 and 11 fit)
        f"{world.colleague.email};C;C;{{a2}};",  # 13: already a member for another company
    )
    signed_in(client, world.manager)
    before = snapshot(app)
    page = _preview(client, cohort.id, data, status=400)
    for message in (
        "The e-mail address “pas-une-adresse” is not valid.",
        f"No company of this cohort&#39;s Cybersite has the SIRET number {world.foreign_company.siret}.",
        "The SIRET number “73282932000075” is not valid (its check digit does not match).",
        "The same e-mail address is already on line 2.",
        "begins with “=”: a spreadsheet would run it as a formula.",
        "The role “patron” is not known",
        "The account of this address is deactivated.",
        "Over capacity: this would be person number 3 to enrol, and the cohort has 2 seats left "
        "(capacity 3).",
        "This person is already in the cohort for another company.",
    ):
        assert message in page, message
    assert "11 rows have a problem" not in page and "10 rows have a problem." in page
    assert "Import these rows" not in page
    assert snapshot(app) == before


def test_the_file_is_checked_again_on_confirmation(app, client, world, make_cohort):
    cohort = make_cohort(world.site, companies=[world.company], capacity=5)
    data = _csv(world, "a@exemple.fr;A;A;{a1};", "b@exemple.fr;B;B;{a1};")
    signed_in(client, world.manager)
    page = _preview(client, cohort.id, data)
    with app.app_context():
        db.session.execute(sa.update(Cohort).values(capacity=1))
        db.session.commit()
    before = snapshot(app)
    response = _confirm(client, cohort.id, page)
    text = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Something changed since the preview" in text and "Over capacity" in text
    assert snapshot(app) == before


def test_a_file_in_a_wrong_encoding_is_refused_naming_the_line(app, client, world, make_cohort):
    cohort = make_cohort(world.site, companies=[world.company])
    data = b"email;prenom;nom;siret\r\na@exemple.fr;Ren\xc3\xa9;A;1\r\nb@exemple.fr;Ren\xe9;B;1\r\n"
    signed_in(client, world.manager)
    before = snapshot(app)
    page = _preview(client, cohort.id, data, status=400)
    assert "Line 3 is not valid UTF-8" in page and 'aria-invalid="true"' in page
    assert snapshot(app) == before


def test_a_missing_column_is_refused(app, client, world, make_cohort):
    cohort = make_cohort(world.site, companies=[world.company])
    signed_in(client, world.manager)
    before = snapshot(app)
    page = _preview(
        client, cohort.id, _csv(world, "a@exemple.fr;A;{a1}", header="email;prenom;siret"), status=400
    )
    assert "Missing: last name." in page
    assert snapshot(app) == before


def test_commas_semicolons_english_and_french_headers_are_all_read(app, client, world, make_cohort):
    cohort = make_cohort(world.site, companies=[world.company])
    signed_in(client, world.manager)
    for header, line in (
        ("E-mail,First name,Last name,SIRET", "a@exemple.fr,A,B,{a1}"),
        ("Courriel;Prénom;Nom;N° SIRET;Rôle", "a@exemple.fr;A;B;{a1};Apprenant"),
    ):
        page = _preview(client, cohort.id, _csv(world, line, header=header, encoding="cp1252"))
        assert "Will be invited" in page


def test_too_many_rows_and_too_large_a_file_are_refused(app, client, world, make_cohort):
    cohort = make_cohort(world.site, companies=[world.company])
    signed_in(client, world.manager)
    before = snapshot(app)
    lines = [f"p{i}@exemple.fr;P;N;{{a1}};" for i in range(10_001)]
    assert "more than 10000 rows" in _preview(client, cohort.id, _csv(world, *lines), status=400)
    large = b"email;prenom;nom;siret\r\n" + b"a" * (2 * 1024 * 1024 + 10)
    assert "larger than 2 MB" in _preview(client, cohort.id, large, status=400)
    assert "Choose the CSV file to import." in upload_without_file(client, cohort.id)
    assert snapshot(app) == before


def upload_without_file(client, cohort_id):
    response = post(client, f"/cohortes/{cohort_id}/import", {}, content_type="multipart/form-data")
    assert response.status_code == 400
    return response.get_data(as_text=True)


def test_ten_thousand_rows_are_imported_in_reasonable_time(app, client, world, make_cohort):
    cohort = make_cohort(world.site, companies=[world.company], courses=[world.course], capacity=10_000)
    with app.app_context():
        db.session.execute(
            sa.insert(User),
            [
                {"email": f"p{i}@exemple.fr", "display_name": f"P {i}", "session_token": "t"}
                for i in range(10_000)
            ],
        )
        ids = db.session.scalars(sa.select(User.id).where(User.email.like("p%@exemple.fr"))).all()
        db.session.execute(
            sa.insert(RoleGrant),
            [{"user_id": i, "role": Role.LEARNER, "company_id": world.company.id} for i in ids],
        )
        db.session.commit()
    data = _csv(world, *(f"p{i}@exemple.fr;Prénom;Nom {i};{{a1}};apprenant" for i in range(10_000)))
    signed_in(client, world.manager)
    started = time.perf_counter()
    page = _preview(client, cohort.id, data)
    assert page.count("Will be enrolled") == 10_000
    response = _confirm(client, cohort.id, page)
    assert response.status_code == 302
    # Generous on a slow shared machine (about 25 s there); the work is set-wise, not per row.
    assert time.perf_counter() - started < 180
    assert count(app, CohortMember) == 10_000
    assert count(app, Enrolment, Enrolment.cohort_id == cohort.id) == 10_000


def test_a_preview_token_works_only_for_its_uploader_and_cohort(app, client, world, make_cohort, make_user):
    cohort = make_cohort(world.site, companies=[world.company])
    other = make_cohort(world.site, companies=[world.company])
    colleague = make_user(roles=[(Role.CYBERSITE_MANAGER, world.site)], language="en")
    signed_in(client, world.manager)
    page = _preview(client, cohort.id, _csv(world, "a@exemple.fr;A;B;{a1};"))
    token = TOKEN.search(page).group(1)
    before = snapshot(app)
    assert post(client, f"/cohortes/{other.id}/import/{token}").status_code == 410
    assert post(client, f"/cohortes/{cohort.id}/import/{token[:-2]}xx").status_code == 410
    assert post(client, f"/cohortes/{cohort.id}/import/{'x' * 300}").status_code == 410
    second = signed_in(app.test_client(), colleague)
    assert post(second, f"/cohortes/{cohort.id}/import/{token}").status_code == 410
    foreign = signed_in(app.test_client(), world.foreign_manager)
    assert post(foreign, f"/cohortes/{cohort.id}/import/{token}").status_code == 403
    assert snapshot(app) == before


def test_the_preview_shows_hostile_cells_as_text(app, client, world, make_cohort):
    cohort = make_cohort(world.site, companies=[world.company])
    signed_in(client, world.manager)
    page = _preview(client, cohort.id, _csv(world, "a@exemple.fr;<img src=x onerror=alert(1)>;B;{a1};"))
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_only_the_cohort_managers_may_import(app, world, make_cohort):
    cohort = make_cohort(world.site, companies=[world.company])
    data = _csv(world, "a@exemple.fr;A;B;{a1};")
    for person in (world.company_manager, world.learner, world.foreign_manager, world.trainer):
        client = signed_in(app.test_client(), person)
        assert client.get(f"/cohortes/{cohort.id}/import", headers=EN).status_code == 403
        assert upload(client, cohort.id, data).status_code == 403
    assert count(app, CohortUpload) == 0


def test_messages_are_in_french_for_french_readers(app, world, make_cohort, make_user):
    cohort = make_cohort(world.site, companies=[world.company], capacity=1)
    french = make_user(roles=[(Role.CYBERSITE_MANAGER, world.site)], language="fr")
    client = signed_in(app.test_client(), french)
    broken = b"email;prenom;nom;siret\r\na@exemple.fr;Ren\xc3\xa9;A;1\r\nb@exemple.fr;Ren\xe9;B;1\r\n"
    page = upload(client, cohort.id, broken).get_data(as_text=True)
    assert "La ligne 3 n&#39;est pas en UTF-8 valide" in page
    data = _csv(world, "a@exemple.fr;A;B;{a1};", "b@exemple.fr;B;C;{a1};", "=c@exemple.fr;C;D;{a1};")
    page = upload(client, cohort.id, data).get_data(as_text=True)
    assert "2 lignes posent un problème." in page
    assert "Capacité dépassée : ce serait la 2e personne à inscrire, et il reste 1 place dans" in page
    assert "commence par « = » : un tableur l&#39;exécuterait comme une formule." in page
    assert "1 ligne invitera une nouvelle personne." in page


def test_inviting_many_new_people_reads_nothing_more_per_person(
    app, client, world, make_cohort, count_statements, outbox
):
    """New people are invited in one go: whatever their number, the confirmation reads the same few things;
    only the rows of each invitation and each message are written one by one (SQLite's RETURNING)."""
    signed_in(client, world.manager)
    counts = {}
    per_row = ("INSERT INTO invitation ", "INSERT INTO outbox_message ")
    for size in (2, 40):
        cohort = make_cohort(
            world.site, companies=[world.company], courses=[world.course], capacity=50, name=f"Lot {size}"
        )
        data = _csv(world, *(f"n{size}-{i}@exemple.fr;Nouvelle;Personne {i};{{a1}};" for i in range(size)))
        page = _preview(client, cohort.id, data)
        assert page.count("Will be invited") == size
        response, statements = count_statements(lambda c=cohort, p=page: _confirm(client, c.id, p))
        assert response.status_code == 302
        rows_written = [s for s in statements if s.startswith(per_row)]
        assert len(rows_written) <= 2 * size
        counts[size] = len(statements) - len(rows_written)
        assert count(app, CohortInvitation, CohortInvitation.cohort_id == cohort.id) == size
        assert all(len(outbox(f"n{size}-{i}@exemple.fr")) == 1 for i in range(size))
    assert counts[2] == counts[40], counts


def _page_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_learner_already_in_another_cohort_counts_in_the_new_cohorts_figures(
    app, client, world, make_cohort
):
    """Issue 18, item 1: a person imported into a second cohort that shares a course with her first one keeps
    the first cohort's enrolment; the new cohort's dashboard, drill-down and exports still count her."""
    import openpyxl

    make_cohort(
        world.site,
        companies=[world.company],
        courses=[world.course],
        members=[(world.learner, world.company)],
    )
    cohort = make_cohort(world.site, companies=[world.company], courses=[world.course, world.other_course])
    signed_in(client, world.manager)
    page = _preview(client, cohort.id, _csv(world, f"{world.learner.email};Léo;Learner;{{a1}};apprenant"))
    assert _confirm(client, cohort.id, page).status_code == 302
    assert count(app, CohortMember, CohortMember.cohort_id == cohort.id) == 1

    # The cohort's dashboard: one company, 2 enrolments (both courses), none started.
    dashboard = _page_text(
        client.get(f"/progression/promotions/{cohort.id}", headers=EN).get_data(as_text=True)
    )
    assert re.search(r"Fromagerie Dupont 2 0 0 0 0\s?%", dashboard), dashboard
    # The Cybersite's list of cohorts counts her in both.
    site_page = _page_text(
        client.get(f"/progression/cybersites/{world.site.id}", headers=EN).get_data(as_text=True)
    )
    assert re.search(re.escape(cohort.name) + r" .*? 2 0 0 0 0\s?%", site_page), site_page
    # The drill-down lists both courses as enrolled, not started.
    drill = client.get(f"/progression/promotions/{cohort.id}/entreprises/{world.company.id}", headers=EN)
    text = _page_text(drill.get_data(as_text=True))
    assert "Not enrolled" not in text and text.count("Not started") >= 2, text
    # The Cybersite's Excel export marks her enrolled in both courses of the new cohort.
    export = client.get(f"/progression/cybersites/{world.site.id}/export/apprenants.xlsx", headers=EN)
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(export.data)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    mine = [row for row in values[1:] if row[0] == cohort.name]
    assert len(mine) == 2, values
    assert all("Not enrolled" not in row for row in mine), mine
    assert {row[values[0].index("Course")] for row in mine} == {"Bureautique", "Sécurité informatique"}
