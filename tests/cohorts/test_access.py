"""Who reaches what: every cohort route, walked by every role with another Cybersite's ids, answers 403 or
404 and changes nothing; lists and exports show each person only their own scope."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa

from app.accounts.models import Invitation, Role
from app.cohorts.models import CohortInvitation, CohortMember, CohortUpload
from app.core.extensions import db
from tests.cohorts.conftest import EN, post, rows, signed_in, snapshot

# Every route of the blueprint, with the ids it takes.
ROUTES = [
    ("GET", "/cohortes/{cohort}"),
    ("GET", "/cohortes/{cohort}/modifier"),
    ("POST", "/cohortes/{cohort}/modifier"),
    ("POST", "/cohortes/{cohort}/entreprises"),
    ("POST", "/cohortes/{cohort}/entreprises/{company}/retirer"),
    ("GET", "/cohortes/{cohort}/membres.csv"),
    ("GET", "/cohortes/{cohort}/import"),
    ("POST", "/cohortes/{cohort}/import"),
    ("POST", "/cohortes/{cohort}/import/{token}"),
    ("POST", "/cohortes/{cohort}/personnes"),
    ("POST", "/cohortes/{cohort}/personnel"),
    ("POST", "/cohortes/{cohort}/membres/{member}/desinscrire"),
    ("POST", "/cohortes/{cohort}/membres/{member}/deplacer"),
    ("POST", "/cohortes/{cohort}/invitations/{seat}/annuler"),
    ("POST", "/cohortes/{cohort}/groupes"),
]
WITHOUT_IDS = ["/cohortes", "/cohortes/nouvelle"]


def test_the_walk_covers_every_route_of_the_blueprint(app):
    declared = {
        re.sub(
            r"<(?:int:)?(\w+)>",
            lambda m: (
                "{"
                + {
                    "cohort_id": "cohort",
                    "company_id": "company",
                    "member_id": "member",
                    "seat_id": "seat",
                }.get(m.group(1), m.group(1))
                + "}"
            ),
            rule.rule,
        )
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("cohorts.")
    }
    assert declared == {path for _method, path in ROUTES} | set(WITHOUT_IDS)


@pytest.fixture
def places(app, world, make_cohort, client):
    """A cohort of each Cybersite, each with a member, an invited seat and a previewed file."""
    own = make_cohort(
        world.site,
        companies=[world.company],
        courses=[world.course],
        members=[(world.learner, world.company)],
    )
    foreign = make_cohort(
        world.other_site,
        companies=[world.foreign_company],
        courses=[world.course],
        members=[(world.foreign_learner, world.foreign_company)],
    )
    ids = {}
    with app.app_context():
        for name, cohort, company, inviter in (
            ("own", own, world.company, world.manager),
            ("foreign", foreign, world.foreign_company, world.foreign_manager),
        ):
            invitation = Invitation(
                email=f"{name}@exemple.fr", role=Role.LEARNER, company_id=company.id, invited_by_id=inviter.id
            )
            db.session.add(invitation)
            db.session.flush()
            seat = CohortInvitation(
                cohort_id=cohort.id,
                invitation_id=invitation.id,
                company_id=company.id,
                email=invitation.email,
                display_name="X",
            )
            upload = CohortUpload(
                id=f"token{name}",
                cohort_id=cohort.id,
                uploaded_by_id=inviter.id,
                filename="f.csv",
                data=b"email",
                sha256="0" * 64,
            )
            db.session.add_all([seat, upload])
            db.session.flush()
            member = db.session.scalar(sa.select(CohortMember.id).where(CohortMember.cohort_id == cohort.id))
            ids[name] = {
                "cohort": cohort.id,
                "company": company.id,
                "member": member,
                "seat": seat.id,
                "token": upload.id,
            }
        db.session.commit()
    return ids


def _body(world, ids):
    """Form data valid enough that only access can stop it."""
    return {
        "name": "Nouvelle",
        "starts_on": "2026-09-01",
        "ends_on": "2026-10-01",
        "capacity": "5",
        "company_id": ids["company"],
        "email": "someone@exemple.fr",
        "first_name": "S",
        "last_name": "O",
        "role": "learner",
        "person": f"{world.learner.id}:{world.company.id}",
        "target_id": ids["cohort"],
        f"group-{world.course}": "1",
        "file": (io.BytesIO(b"email;prenom;nom;siret\r\na@b.fr;A;B;1\r\n"), "f.csv"),
    }


def _walk(client, world, ids):
    statuses = {}
    for method, template in ROUTES:
        path = template.format(**ids)
        if method == "GET":
            response = client.get(path, headers=EN)
        else:
            response = post(client, path, _body(world, ids), content_type="multipart/form-data")
        statuses[(method, path)] = response.status_code
    return statuses


# Each person, and the places that are not theirs: the other Cybersite's.
PEOPLE = [
    ("learner", "foreign"),
    ("colleague", "foreign"),
    ("company_manager", "foreign"),
    ("trainer", "foreign"),
    ("manager", "foreign"),
    ("foreign_manager", "own"),
    ("foreign_learner", "own"),
]


@pytest.mark.parametrize(("person", "place"), PEOPLE)
def test_every_route_with_foreign_ids_is_refused(app, world, places, person, place):
    client = signed_in(app.test_client(), getattr(world, person))
    before = snapshot(app)
    statuses = _walk(client, world, places[place])
    assert {k: v for k, v in statuses.items() if v not in (403, 404)} == {}
    assert snapshot(app) == before


@pytest.mark.parametrize("person", ["manager", "company_manager", "learner"])
def test_foreign_ids_inside_an_own_cohort_are_not_found(app, world, places, person):
    """A member, seat or company of the other Cybersite named under one's own cohort."""
    client = signed_in(app.test_client(), getattr(world, person))
    own, foreign = places["own"], places["foreign"]
    before = snapshot(app)
    for template in (
        "/cohortes/{cohort}/membres/{member}/desinscrire",
        "/cohortes/{cohort}/membres/{member}/deplacer",
        "/cohortes/{cohort}/invitations/{seat}/annuler",
        "/cohortes/{cohort}/entreprises/{company}/retirer",
        "/cohortes/{cohort}/import/{token}",
    ):
        path = template.format(**{**foreign, "cohort": own["cohort"]})
        assert post(client, path, {"target_id": own["cohort"]}).status_code in (403, 404, 410), path
    assert snapshot(app) == before


def test_unknown_ids_are_not_found(app, world, places):
    client = signed_in(app.test_client(), world.manager)
    unknown = {"cohort": 999999, "company": 999999, "member": 999999, "seat": 999999, "token": "nope"}
    statuses = _walk(client, world, unknown)
    assert set(statuses.values()) == {404}
    own = {**places["own"], "company": 999999, "member": 999999, "seat": 999999}
    for template in ROUTES[4:5] + ROUTES[11:14]:
        assert post(client, template[1].format(**own)).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, places):
    for path in [
        "/cohortes",
        f"/cohortes/{places['own']['cohort']}",
        f"/cohortes/{places['own']['cohort']}/membres.csv",
    ]:
        response = client.get(path)
        assert response.status_code == 302 and "/compte/connexion" in response.headers["Location"]


def test_the_administrator_reaches_every_cohort(app, world, places):
    client = signed_in(app.test_client(), world.admin)
    for ids in places.values():
        for template in ("/cohortes/{cohort}", "/cohortes/{cohort}/modifier", "/cohortes/{cohort}/import"):
            assert client.get(template.format(**ids), headers=EN).status_code == 200


def _listed(app, world, person):
    client = signed_in(app.test_client(), getattr(world, person))
    page = client.get("/cohortes", headers=EN).get_data(as_text=True)
    return set(re.findall(r'href="/cohortes/(\d+)"', page))


def test_each_person_lists_only_their_cohorts(app, world, places, make_cohort):
    sister_only = make_cohort(world.site, companies=[world.sister])
    own, foreign = str(places["own"]["cohort"]), str(places["foreign"]["cohort"])
    assert _listed(app, world, "manager") == {own, str(sister_only.id)}
    assert _listed(app, world, "foreign_manager") == {foreign}
    assert _listed(app, world, "company_manager") == {own}  # the cohort accepting their company
    assert _listed(app, world, "learner") == {own}  # a member
    assert _listed(app, world, "colleague") == set()  # not a member
    assert _listed(app, world, "trainer") == set()
    assert _listed(app, world, "admin") == {own, foreign, str(sister_only.id)}


def test_members_see_only_themselves_and_company_managers_only_their_company(app, world, places, make_cohort):
    cohort = make_cohort(
        world.site,
        companies=[world.company, world.sister],
        members=[(world.learner, world.company), (world.sister_learner, world.sister)],
    )
    learner = signed_in(app.test_client(), world.learner).get(f"/cohortes/{cohort.id}", headers=EN)
    page = learner.get_data(as_text=True)
    assert learner.status_code == 200 and "You are a member" in page
    assert "Sacha Sister" not in page and world.sister_learner.email not in page
    assert (
        signed_in(app.test_client(), world.colleague).get(f"/cohortes/{cohort.id}", headers=EN).status_code
        == 403
    )
    assert (
        signed_in(app.test_client(), world.learner).get(f"/cohortes/{cohort.id}/membres.csv").status_code
        == 403
    )
    manager = signed_in(app.test_client(), world.company_manager)
    page = manager.get(f"/cohortes/{cohort.id}", headers=EN).get_data(as_text=True)
    assert "Léo Learner" in page and "Sacha Sister" not in page
    exported = manager.get(f"/cohortes/{cohort.id}/membres.csv").data.decode("utf-8-sig")
    names = [row[1] for row in csv.reader(io.StringIO(exported), delimiter=";")][1:]
    assert names == ["Léo Learner"]


def test_the_export_neutralises_formulas_and_lists_members_and_invited(app, world, make_cohort, make_user):
    hostile = make_user(roles=[(Role.LEARNER, world.company)], display_name='=HYPERLINK("http://evil","x")')
    cohort = make_cohort(
        world.site,
        companies=[world.company],
        members=[(hostile, world.company), (world.learner, world.company)],
    )
    client = signed_in(app.test_client(), world.manager)
    response = client.get(f"/cohortes/{cohort.id}/membres.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert table[0][:3] == ["E-mail address", "Name", "Company"]
    assert [row[1] for row in table[1:] if "HYPERLINK" in row[1]] == ['\'=HYPERLINK("http://evil","x")']
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in table for cell in row)
    # Read as a French spreadsheet reads it: the "Since" column holds dates it takes as dates.
    assert response.data.startswith(b"\xef\xbb\xbf") and b"\r\n" in response.data
    assert table[0][5] == "Since"
    assert all(re.fullmatch(r"\d{2}/\d{2}/\d{4}", row[5]) for row in table[1:]), table
    assert rows(app, sa.select(sa.func.count()).select_from(CohortMember)) == [(2,)]


def test_changes_without_the_csrf_token_are_refused(app, world, places):
    client = signed_in(app.test_client(), world.manager)
    before = snapshot(app)
    for method, template in ROUTES:
        if method == "POST":
            response = client.post(
                template.format(**places["own"]), data=_body(world, places["own"]), headers=EN
            )
            assert response.status_code == 400, template
            assert "This form has expired or was not sent from this site." in response.get_data(as_text=True)
    assert snapshot(app) == before
