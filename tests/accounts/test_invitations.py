"""Invitations: ``invitations.invite`` sends a link; the invitee creates their account with it, once."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from app.accounts.models import Company, Invitation, Role, RoleGrant, User
from app.accounts.services import invitations
from app.accounts.services.errors import Forbidden, ServiceError
from app.accounts.services.roles import revoke_role
from app.core.extensions import db
from tests.accounts.conftest import link_in
from tests.conftest import PASSWORD, csrf_token, post_form, sign_in

NEW = "my own secret pass"


def _invite(app, actor_id, email, role, **scope):
    """Call the service as a route would (in a request, so links are absolute), and commit."""
    with app.test_request_context():
        actor = db.session.get(User, actor_id)
        result = invitations.invite(actor, email, role, **scope)
        db.session.commit()
        return result.id


def _accept(client, link, **fields):
    data = {"display_name": "Nina Nouvelle", "password": NEW, "confirm": NEW, "language": "en", **fields}
    return post_form(client, link, data, headers={"Accept-Language": "en"})


@pytest.fixture
def manager(make_company, make_user):
    company = make_company()
    return make_user(roles=[(Role.COMPANY_MANAGER, company)], display_name="Marc Manager"), company


def test_the_invitee_creates_their_account_and_is_signed_in_with_the_role(client, app, manager, outbox):
    actor, company = manager
    invitation_id = _invite(app, actor.id, "nina@example.fr", Role.LEARNER, company_id=company.id)
    (message,) = outbox("nina@example.fr")
    assert "Marc Manager" in message.body
    link = link_in(message.body)
    page = client.get(link, headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "nina@example.fr" in page.get_data(as_text=True)
    assert company.legal_name in page.get_data(as_text=True)
    response = _accept(client, link)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "Nina Nouvelle" in home
    assert '<html lang="en">' in home
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "nina@example.fr"))
        assert user.language == "en"
        assert [(g.role, g.company_id, g.granted_by_id) for g in user.roles] == [
            (Role.LEARNER, company.id, actor.id)
        ]
        assert db.session.get(Invitation, invitation_id).accepted_at is not None
    # The link works once.
    again = app.test_client().get(link, headers={"Accept-Language": "en"})
    assert again.status_code == 404
    assert "not valid or has already been used" in again.get_data(as_text=True)


def test_the_invitation_page_renews_the_session(client, app, manager, outbox, make_user):
    actor, company = manager
    other = make_user()
    sign_in(client, other.email)
    _invite(app, actor.id, "nina@example.fr", Role.LEARNER, company_id=company.id)
    with client.session_transaction() as session:
        session["planted"] = "before"
    assert _accept(client, link_in(outbox("nina@example.fr")[0].body)).status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
    assert "Nina Nouvelle" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": "short1", "confirm": "short1"}, "Use at least 10 characters."),
        ({"password": "12345678901234", "confirm": "12345678901234"}, "Use letters as well as digits."),
        ({"confirm": NEW + "?"}, "The two passwords do not match."),
        ({"password": "nina@example.fr", "confirm": "nina@example.fr"}, "must not be your e-mail address"),
        ({"display_name": "   "}, "This field is required."),
        ({"language": "de"}, "Not a valid choice"),
    ],
)
def test_bad_account_details_are_refused(client, app, manager, outbox, fields, message):
    actor, company = manager
    _invite(app, actor.id, "nina@example.fr", Role.LEARNER, company_id=company.id)
    link = link_in(outbox("nina@example.fr")[0].body)
    response = _accept(client, link, **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(User).where(User.email == "nina@example.fr")) is None
    assert _accept(client, link).status_code == 302


def test_a_revoked_invitation_link_is_not_found(client, app, manager, outbox):
    actor, company = manager
    invitation_id = _invite(app, actor.id, "nina@example.fr", Role.LEARNER, company_id=company.id)
    link = link_in(outbox("nina@example.fr")[0].body)
    with app.test_request_context():
        invitations.revoke(db.session.get(User, actor.id), db.session.get(Invitation, invitation_id))
        db.session.commit()
    assert client.get(link).status_code == 404
    form = {"display_name": "Nina", "password": NEW, "confirm": NEW, "language": "fr"}
    assert client.post(link, data={**form, "csrf_token": csrf_token(client)}).status_code == 404


def _old_invitation_token(app, invitation_id, age_seconds):
    class PastSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - age_seconds

    serializer = URLSafeTimedSerializer(
        app.config["SECRET_KEY"], salt="cybermassif.invitation", signer=PastSigner
    )
    return serializer.dumps(invitation_id)


def test_an_expired_invitation_link_is_gone(client, app, manager):
    actor, company = manager
    invitation_id = _invite(app, actor.id, "nina@example.fr", Role.LEARNER, company_id=company.id)
    max_age = app.config["INVITATION_MAX_AGE"]
    assert (
        client.get(f"/compte/invitation/{_old_invitation_token(app, invitation_id, 60)}").status_code == 200
    )
    expired = _old_invitation_token(app, invitation_id, max_age + 60)
    response = client.get(f"/compte/invitation/{expired}", headers={"Accept-Language": "en"})
    assert response.status_code == 410
    assert "This link has expired" in response.get_data(as_text=True)


def test_a_tampered_invitation_link_is_not_found(client, app, manager, outbox):
    actor, company = manager
    _invite(app, actor.id, "nina@example.fr", Role.LEARNER, company_id=company.id)
    link = link_in(outbox("nina@example.fr")[0].body)
    assert client.get(link[:-3] + "abc").status_code == 404
    forged = URLSafeTimedSerializer("k" * 40, salt="cybermassif.invitation").dumps(1)
    assert client.get(f"/compte/invitation/{forged}").status_code == 404


def test_an_existing_account_gets_the_role_at_once_and_a_notice(app, manager, make_user, outbox):
    actor, company = manager
    existing = make_user(email="lea@example.fr", language="en")
    with app.test_request_context():
        result = invitations.invite(
            db.session.get(User, actor.id), "Lea@Example.FR", Role.LEARNER, company_id=company.id
        )
        assert isinstance(result, RoleGrant)
        db.session.commit()
    with app.app_context():
        user = db.session.get(User, existing.id)
        assert [(g.role, g.company_id) for g in user.roles] == [(Role.LEARNER, company.id)]
        assert db.session.scalars(db.select(Invitation)).all() == []
    (notice,) = outbox("lea@example.fr")
    assert notice.subject == "You have a new role on Cybermassif"
    assert "/compte/connexion" in notice.body


def test_a_deactivated_account_is_not_invited(app, manager, make_user, outbox):
    actor, company = manager
    make_user(email="gone@example.fr", active=False)
    with pytest.raises(ServiceError) as refused:
        _invite(app, actor.id, "gone@example.fr", Role.LEARNER, company_id=company.id)
    assert refused.value.field == "email"
    assert outbox() == []


def test_the_address_is_normalised(app, manager):
    actor, company = manager
    invitation_id = _invite(app, actor.id, "  Nina@Example.FR ", Role.LEARNER, company_id=company.id)
    with app.app_context():
        assert db.session.get(Invitation, invitation_id).email == "nina@example.fr"
    with pytest.raises(ServiceError):
        _invite(app, actor.id, "NINA@example.fr", Role.LEARNER, company_id=company.id)
    with pytest.raises(ServiceError) as bad:
        _invite(app, actor.id, "not an address", Role.LEARNER, company_id=company.id)
    assert bad.value.field == "email"


def test_a_company_manager_may_not_invite_to_a_foreign_company(app_ctx, manager, make_company):
    actor, _ = manager
    foreign = make_company()
    with pytest.raises(Forbidden):
        invitations.invite(
            db.session.get(User, actor.id), "x@example.fr", Role.LEARNER, company_id=foreign.id
        )
    assert db.session.scalars(db.select(Invitation)).all() == []


@pytest.mark.parametrize("role", [Role.TRAINER, Role.CYBERSITE_MANAGER, Role.NETWORK_ADMIN])
def test_a_company_manager_may_not_invite_staff(app_ctx, manager, role):
    actor, company = manager
    scope = {} if role == Role.NETWORK_ADMIN else {"cybersite_id": company.cybersite_id}
    with pytest.raises(Forbidden):
        invitations.invite(db.session.get(User, actor.id), "x@example.fr", role, **scope)


def test_a_duplicate_pending_invitation_is_refused(app, manager, outbox):
    actor, company = manager
    _invite(app, actor.id, "nina@example.fr", Role.LEARNER, company_id=company.id)
    with pytest.raises(ServiceError) as duplicate:
        _invite(app, actor.id, "nina@example.fr", Role.LEARNER, company_id=company.id)
    assert duplicate.value.field == "email"
    assert len(outbox("nina@example.fr")) == 1
    # Another role in the same company is another invitation.
    _invite(app, actor.id, "nina@example.fr", Role.COMPANY_MANAGER, company_id=company.id)


def test_an_expired_or_revoked_invitation_may_be_sent_again(app, manager):
    actor, company = manager
    first = _invite(app, actor.id, "nina@example.fr", Role.LEARNER, company_id=company.id)
    with app.app_context():
        invitation = db.session.get(Invitation, first)
        invitation.created_at = datetime.now(UTC) - timedelta(seconds=app.config["INVITATION_MAX_AGE"] + 60)
        db.session.commit()
    second = _invite(app, actor.id, "nina@example.fr", Role.LEARNER, company_id=company.id)
    with app.test_request_context():
        invitations.revoke(db.session.get(User, actor.id), db.session.get(Invitation, second))
        db.session.commit()
    _invite(app, actor.id, "nina@example.fr", Role.LEARNER, company_id=company.id)


def test_the_link_stops_working_when_the_inviter_may_no_longer_invite(
    client, app, make_cybersite, make_user, outbox
):
    site = make_cybersite()
    admin = make_user(roles=[(Role.NETWORK_ADMIN, None)])
    inviter = make_user(roles=[(Role.CYBERSITE_MANAGER, site)])
    _invite(app, inviter.id, "tom@example.fr", Role.TRAINER, cybersite_id=site.id)
    link = link_in(outbox("tom@example.fr")[0].body)
    assert client.get(link).status_code == 200
    with app.app_context():
        revoke_role(db.session.get(User, admin.id), db.session.get(User, inviter.id).roles[0])
        db.session.commit()
    assert client.get(link).status_code == 404


def test_an_account_created_meanwhile_is_told_to_sign_in(client, app, manager, outbox, make_user):
    actor, company = manager
    _invite(app, actor.id, "nina@example.fr", Role.LEARNER, company_id=company.id)
    make_user(email="nina@example.fr")
    response = _accept(client, link_in(outbox("nina@example.fr")[0].body))
    assert response.status_code == 400
    assert "An account already exists for this address. Please sign in." in response.get_data(as_text=True)


def test_invite_refuses_a_language_we_do_not_have(app_ctx, manager):
    actor, company = manager
    with pytest.raises(ServiceError) as refused:
        invitations.invite(
            db.session.get(User, actor.id), "x@example.fr", Role.LEARNER, company_id=company.id, language="de"
        )
    assert refused.value.field == "language"


def test_an_admin_invitation_to_a_missing_company_is_refused_not_a_crash(app_ctx, make_user):
    admin = make_user(roles=[(Role.NETWORK_ADMIN, None)])
    with pytest.raises(ServiceError):
        invitations.invite(db.session.get(User, admin.id), "x@example.fr", Role.LEARNER, company_id=999999)
    assert db.session.get(Company, 999999) is None


def test_the_invitee_can_sign_in_later_with_their_password(client, app, manager, outbox):
    actor, company = manager
    _invite(app, actor.id, "nina@example.fr", Role.LEARNER, company_id=company.id)
    _accept(client, link_in(outbox("nina@example.fr")[0].body))
    sign_in(app.test_client(), "nina@example.fr", NEW)
    wrong = app.test_client()
    response = wrong.post(
        "/compte/connexion",
        data={"email": "nina@example.fr", "password": PASSWORD, "csrf_token": csrf_token(wrong)},
    )
    assert response.status_code == 400
