"""The block types page: network administrators list installed types and enable or disable them."""

from __future__ import annotations

import pytest

from app.core.extensions import db
from app.runtime import bridge
from app.runtime.models import BlockTypeSetting
from tests.admin.conftest import EN, fetch, press
from tests.conftest import csrf_token, sign_in
from tests.learn import conftest as learn_fixtures

# The courseware's fixtures, to see a disabled type in a unit.
make_course, enrol, make_tree = learn_fixtures.make_course, learn_fixtures.enrol, learn_fixtures.make_tree


@pytest.fixture(autouse=True)
def _enable_every_type_afterwards(app):
    yield
    learn_fixtures.forget_disabled_types(app)


def test_administrators_see_installed_block_types(client, network):
    sign_in(client, network.admin.email)
    response = client.get("/admin/composants", headers=EN)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for name in ("html", "vertical", "sequential", "chapter", "course"):
        assert f"<code>{name}</code>" in page
    assert "cybermassif" in page  # the distribution providing the built-in blocks
    assert "/admin/composants/html/desactiver" in page
    assert "/admin/composants" in client.get("/admin/", headers=EN).get_data(as_text=True)


def test_only_network_administrators_reach_the_page(client, network):
    for person in (network.site_manager, network.company_manager):
        client.get("/")  # a fresh session for each
        sign_in(client, person.email)
        assert client.get("/admin/composants", headers=EN).status_code == 403
        assert press(client, "/admin/composants/html/desactiver").status_code == 403
        client.post("/compte/deconnexion", data={"csrf_token": csrf_token(client, "/")})
    assert fetch(client.application, BlockTypeSetting, "html") is None


def test_disabling_and_enabling_a_type(client, app, network, make_course, enrol):
    sign_in(client, network.admin.email)
    response = press(client, "/admin/composants/html/desactiver")
    assert response.status_code == 302
    assert fetch(app, BlockTypeSetting, "html").enabled is False
    with app.app_context():
        assert "html" in bridge.setup_for(app).disabled_types()
    page = client.get("/admin/composants", headers=EN).get_data(as_text=True)
    assert "/admin/composants/html/activer" in page

    course = make_course()
    enrol(network.admin, course)
    unit = client.get(course.unit_url("unit1"), headers=EN)
    assert unit.status_code == 200
    assert "This component has been disabled by the administrators." in unit.get_data(as_text=True)

    press(client, "/admin/composants/html/activer")
    assert fetch(app, BlockTypeSetting, "html").enabled is True
    assert "Bonjour" in client.get(course.unit_url("unit1"), headers=EN).get_data(as_text=True)


def test_a_type_that_is_not_installed_cannot_be_set(client, app, network):
    sign_in(client, network.admin.email)
    assert press(client, "/admin/composants/nosuchtype/desactiver").status_code == 404
    assert press(client, "/admin/composants/html/supprimer").status_code == 404
    with app.app_context():
        assert db.session.get(BlockTypeSetting, "nosuchtype") is None


def test_changes_need_the_csrf_token(client, app, network):
    sign_in(client, network.admin.email)
    assert client.post("/admin/composants/html/desactiver", headers=EN).status_code == 400
    assert fetch(app, BlockTypeSetting, "html") is None
