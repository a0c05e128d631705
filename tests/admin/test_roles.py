"""Giving and taking back roles from a person's page, within what the actor may staff."""

from __future__ import annotations

from app.accounts.models import Role, RoleGrant, User
from app.core.extensions import db
from tests.admin.conftest import EN, count, fetch, press
from tests.conftest import sign_in


def _grant(client, user_id, **data):
    return press(client, f"/admin/utilisateurs/{user_id}/roles", data)


def test_site_manager_gives_a_role_in_their_companies(client, app, network):
    sign_in(client, network.site_manager.email)
    page = client.get(f"/admin/utilisateurs/{network.learner.id}", headers=EN).get_data(as_text=True)
    assert "Scierie Martin" in page and "Porcelaine Leroy" not in page  # only what they may assign
    assert "Network administrator" not in page
    response = _grant(client, network.learner.id, role="learner", company_id=str(network.sister_company.id))
    assert response.status_code == 302
    grants = fetch(app, User, network.learner.id).roles
    assert {(g.role, g.company_id) for g in grants} == {
        (Role.LEARNER, network.company.id),
        (Role.LEARNER, network.sister_company.id),
    }
    again = _grant(client, network.learner.id, role="learner", company_id=str(network.sister_company.id))
    assert again.status_code == 400
    assert "This person already holds this role here." in again.get_data(as_text=True)


def test_foreign_company_in_the_post_is_forbidden_and_writes_nothing(client, app, network):
    before = count(app, RoleGrant)
    sign_in(client, network.site_manager.email)
    response = _grant(client, network.learner.id, role="learner", company_id=str(network.other_company.id))
    assert response.status_code == 403
    response = _grant(client, network.learner.id, role="trainer", cybersite_id=str(network.other_site.id))
    assert response.status_code == 403
    response = _grant(client, network.learner.id, role="network_admin")
    assert response.status_code == 403
    assert count(app, RoleGrant) == before


def test_company_manager_gives_only_company_roles_in_their_company(client, app, network):
    before = count(app, RoleGrant)
    sign_in(client, network.company_manager.email)
    foreign = _grant(client, network.learner.id, role="learner", company_id=str(network.sister_company.id))
    assert foreign.status_code == 403
    trainer = _grant(client, network.learner.id, role="trainer", cybersite_id=str(network.site.id))
    assert trainer.status_code == 403
    assert count(app, RoleGrant) == before
    manager = _grant(client, network.learner.id, role="company_manager", company_id=str(network.company.id))
    assert manager.status_code == 302
    assert count(app, RoleGrant) == before + 1


def test_role_without_its_scope_gets_a_message(client, app, network):
    before = count(app, RoleGrant)
    sign_in(client, network.admin.email)
    response = _grant(client, network.learner.id, role="trainer")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Choose the Cybersite this role is held in." in page and 'id="cybersite_id-error"' in page
    unknown = _grant(client, network.learner.id, role="learner", company_id="999999")
    assert unknown.status_code == 400
    assert "This company does not exist." in unknown.get_data(as_text=True)
    bad = _grant(client, network.learner.id, role="emperor")
    assert bad.status_code == 400
    assert count(app, RoleGrant) == before


def test_admin_cannot_take_back_their_own_admin_role(client, app, network):
    sign_in(client, network.admin.email)
    (grant,) = fetch(app, User, network.admin.id).roles
    page = client.get(f"/admin/utilisateurs/{network.admin.id}", headers=EN).get_data(as_text=True)
    assert f"/roles/{grant.id}/retirer" not in page
    response = press(client, f"/admin/utilisateurs/{network.admin.id}/roles/{grant.id}/retirer")
    assert response.status_code == 403
    assert count(app, RoleGrant, RoleGrant.id == grant.id) == 1


def test_taking_back_a_role(client, app, network):
    sign_in(client, network.site_manager.email)
    (grant,) = fetch(app, User, network.learner.id).roles
    wrong_person = press(client, f"/admin/utilisateurs/{network.company_manager.id}/roles/{grant.id}/retirer")
    assert wrong_person.status_code == 404
    response = press(client, f"/admin/utilisateurs/{network.learner.id}/roles/{grant.id}/retirer")
    assert response.status_code == 302
    assert count(app, RoleGrant, RoleGrant.id == grant.id) == 0
    page = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "The role is taken back (Fromagerie Dupont)." in page


def test_user_list_loads_roles_in_a_constant_number_of_queries(client, app, make_user, network):
    from sqlalchemy import event

    sign_in(client, network.admin.email)

    def queries_for_list():
        statements = []

        def record(*_args):
            statements.append(1)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            assert client.get("/admin/utilisateurs", headers=EN).status_code == 200
            assert client.get("/admin/entreprises", headers=EN).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return len(statements)

    few = queries_for_list()
    for _ in range(10):
        make_user(roles=[(Role.LEARNER, network.other_company), (Role.TRAINER, network.site)], language="en")
    assert queries_for_list() == few
