"""The access policy as a table: every action, for every kind of person, on their own and a foreign target.

"Own" is inside the actor's scope (their company A1, their Cybersite A); "foreign" is Cybersite B and its
company B1. Each row says who may: anyone not named may not.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from flask_login import AnonymousUserMixin

from app.accounts.models import Company, Cybersite, Invitation, Role, RoleGrant, User
from app.accounts.policy import Action, can
from app.core.extensions import db

L, CM, T, SM, ADMIN, ANON, OFF = (
    "learner",
    "company_manager",
    "trainer",
    "cybersite_manager",
    "admin",
    "anonymous",
    "deactivated",
)
ACTORS = (L, CM, T, SM, ADMIN, ANON, OFF)
STAFF = {L, CM, T, SM, ADMIN}

# action -> target -> who may.
GRANTS = {
    "learner_own": {CM, SM, ADMIN},
    "learner_foreign": {ADMIN},
    "company_manager_own": {CM, SM, ADMIN},
    "company_manager_foreign": {ADMIN},
    "trainer_own": {SM, ADMIN},
    "trainer_foreign": {ADMIN},
    "cybersite_manager_own": {SM, ADMIN},
    "cybersite_manager_foreign": {ADMIN},
    "network_admin": {ADMIN},
    # A learner role held over a Cybersite does not exist: nobody may give it, not even the admin.
    "mismatched_scope": set(),
}
TABLE: dict[Action, dict[str, set[str]]] = {
    Action.ADMINISTER_NETWORK: {"none": {ADMIN}},
    Action.VIEW_ADMIN: {"none": {CM, SM, ADMIN}},
    Action.CREATE_CYBERSITE: {"none": {ADMIN}},
    Action.VIEW_CYBERSITE: {"site_own": {T, SM, ADMIN}, "site_foreign": {ADMIN}},
    Action.EDIT_CYBERSITE: {"site_own": {SM, ADMIN}, "site_foreign": {ADMIN}},
    Action.DEACTIVATE_CYBERSITE: {"site_own": {ADMIN}, "site_foreign": {ADMIN}},
    Action.CREATE_COMPANY: {"site_own": {SM, ADMIN}, "site_foreign": {ADMIN}},
    Action.VIEW_COMPANY: {"company_own": {L, CM, T, SM, ADMIN}, "company_foreign": {ADMIN}},
    Action.EDIT_COMPANY: {"company_own": {SM, ADMIN}, "company_foreign": {ADMIN}},
    Action.DEACTIVATE_COMPANY: {"company_own": {SM, ADMIN}, "company_foreign": {ADMIN}},
    Action.CREATE_USER: {"none": {ADMIN}},
    Action.VIEW_USER: {
        "self": STAFF,
        "learner_own": {CM, SM, ADMIN},
        "trainer_own": {SM, ADMIN},
        "learner_foreign": {ADMIN},
    },
    Action.EDIT_USER: {"self": STAFF, "learner_own": {ADMIN}, "learner_foreign": {ADMIN}},
    # Nobody deactivates themselves: the administrator would lock the network out.
    Action.DEACTIVATE_USER: {"self": set(), "learner_own": {ADMIN}, "learner_foreign": {ADMIN}},
    Action.GRANT_ROLE: GRANTS,
    Action.INVITE: GRANTS,
    # (An invitation whose scope does not fit its role cannot be saved, so there is none to withdraw.)
    Action.REVOKE_INVITATION: {k: v for k, v in GRANTS.items() if k != "mismatched_scope"},
    Action.REVOKE_ROLE: {
        "grant_learner_own": {CM, SM, ADMIN},
        "grant_trainer_own": {SM, ADMIN},
        "grant_learner_foreign": {ADMIN},
        "grant_other_admin": {ADMIN},
        # Nobody takes back their own role: the admin would lose the network, a manager their site.
        "grant_self": set(),
    },
    Action.STAFF_COURSES: {"none": {T, ADMIN}},
    Action.EDIT_COURSE: {"course_open": {T, ADMIN}, "course_closed": {T, ADMIN}},
    Action.ENROL: {"course_open": STAFF, "course_closed": {ADMIN}},
    Action.CREATE_COHORT: {"site_own": {SM, ADMIN}, "site_foreign": {ADMIN}},
    # A cohort of Cybersite A accepting company A1, and one of B accepting B1.
    Action.VIEW_COHORT: {"cohort_own": {CM, SM, ADMIN}, "cohort_foreign": {ADMIN}},
    Action.EDIT_COHORT: {"cohort_own": {SM, ADMIN}, "cohort_foreign": {ADMIN}},
    # A seat of another learner of A1 in the own cohort; of a company A1 is not (the cohort does not accept
    # it: its company manager may not enrol there); of B1's learner in the foreign cohort.
    Action.ENROL_IN_COHORT: {
        "seat_own": {CM, SM, ADMIN},
        "seat_not_accepted": {SM, ADMIN},
        "seat_foreign": {ADMIN},
    },
    Action.VIEW_COHORT_MEMBER: {
        "seat_self": STAFF,
        "seat_own": {CM, SM, ADMIN},
        "seat_not_accepted": {SM, ADMIN},
        "seat_foreign": {ADMIN},
    },
    Action.VIEW_LEARNER_PROGRESS: {
        "self": STAFF,
        "learner_own": {CM, SM, ADMIN},
        "trainer_own": {SM, ADMIN},
        "learner_foreign": {ADMIN},
    },
    Action.VIEW_COMPANY_PROGRESS: {"company_own": {CM, SM, ADMIN}, "company_foreign": {ADMIN}},
    Action.READ_VISTA_REPORT: {"company_own": {CM, SM, ADMIN}, "company_foreign": {ADMIN}},
    # A company's self-assessment is its managers' word: administrators and Cybersite managers read it.
    Action.ANSWER_VISTA: {"company_own": {CM}, "company_foreign": set()},
    Action.DELEGATE_VISTA: {"company_own": {CM}, "company_foreign": set()},
    # Its managers ask their Cybersite for training; that Cybersite's managers (and admins) close it.
    Action.REQUEST_VISTA_TRAINING: {"company_own": {CM}, "company_foreign": set()},
    Action.HANDLE_VISTA_TRAINING: {"company_own": {SM, ADMIN}, "company_foreign": {ADMIN}},
    Action.VIEW_CYBERSITE_PROGRESS: {"site_own": {SM, ADMIN}, "site_foreign": {ADMIN}},
    Action.VIEW_COHORT_PROGRESS: {"cohort_own": {SM, ADMIN}, "cohort_foreign": {ADMIN}},
    # A course followed by cohorts of Cybersite A, and one followed only by B's.
    Action.VIEW_COURSE_PROGRESS: {"audience_own": {T, SM, ADMIN}, "audience_foreign": {ADMIN}},
    # Course staff follow the people of their Cybersite's companies (case answers, forum messages and
    # reports), not those of another Cybersite, nor staff who work for no company.
    Action.FOLLOW_LEARNER: {
        "learner_own": {T, ADMIN},
        "company_manager_own": {T, ADMIN},
        "trainer_own": {ADMIN},
        "learner_foreign": {ADMIN},
    },
}

ROWS = [
    pytest.param(actor, action, target, actor in allowed, id=f"{actor}-{action.value}-{target}")
    for action, targets in TABLE.items()
    for target, allowed in targets.items()
    for actor in ACTORS
]


def test_the_table_covers_every_action():
    assert set(TABLE) == set(Action)


@pytest.fixture
def world(make_cybersite, make_company, make_user) -> dict[str, int]:
    """Cybersites A (own) and B (foreign), company A1 and B1, one account per actor and some others."""
    site_a, site_b = make_cybersite(), make_cybersite()
    a1, b1 = make_company(cybersite=site_a), make_company(cybersite=site_b)
    ids = {"site_a": site_a.id, "site_b": site_b.id, "a1": a1.id, "b1": b1.id}
    ids[L] = make_user(roles=[(Role.LEARNER, a1)]).id
    ids[CM] = make_user(roles=[(Role.COMPANY_MANAGER, a1)]).id
    ids[T] = make_user(roles=[(Role.TRAINER, site_a)]).id
    ids[SM] = make_user(roles=[(Role.CYBERSITE_MANAGER, site_a)]).id
    ids[ADMIN] = make_user(roles=[(Role.NETWORK_ADMIN, None)]).id
    ids[OFF] = make_user(roles=[(Role.NETWORK_ADMIN, None)], active=False).id
    ids["other_learner_a1"] = make_user(roles=[(Role.LEARNER, a1)]).id
    ids["other_trainer_a"] = make_user(roles=[(Role.TRAINER, site_a)]).id
    ids["learner_b1"] = make_user(roles=[(Role.LEARNER, b1)]).id
    ids["other_admin"] = make_user(roles=[(Role.NETWORK_ADMIN, None)]).id
    return ids


def _actor(world: dict[str, int], name: str) -> Any:
    if name == ANON:
        return AnonymousUserMixin()
    return db.session.get(User, world[name])


def _proposal(kind: type, role: Role, company: int | None = None, site: int | None = None) -> Any:
    extra = {"email": "new@example.fr"} if kind is Invitation else {}
    return kind(role=role, company_id=company, cybersite_id=site, **extra)


def _target(world: dict[str, int], action: Action, key: str, actor: Any) -> Any:
    get = db.session.get
    if key == "none":
        return None
    if key.startswith("course_"):
        return SimpleNamespace(open_enrolment=key == "course_open", published_tree_id=1)
    if key.startswith(("cohort_", "seat_")):
        return _cohort_target(world, key, actor)
    if key.startswith("site_"):
        return get(Cybersite, world["site_a" if key == "site_own" else "site_b"])
    if key in ("company_own", "company_foreign"):
        return get(Company, world["a1" if key == "company_own" else "b1"])
    if key.startswith("audience_"):
        return SimpleNamespace(cybersite_ids={world["site_a" if key == "audience_own" else "site_b"]})
    if action == Action.FOLLOW_LEARNER and key == "company_manager_own":
        return get(User, world[CM])
    if action in (
        Action.VIEW_USER,
        Action.EDIT_USER,
        Action.DEACTIVATE_USER,
        Action.VIEW_LEARNER_PROGRESS,
        Action.FOLLOW_LEARNER,
    ):
        if key == "self":
            return actor if isinstance(actor, User) else get(User, world[L])
        return get(
            User,
            {
                "learner_own": world["other_learner_a1"],
                "trainer_own": world["other_trainer_a"],
                "learner_foreign": world["learner_b1"],
            }[key],
        )
    if action == Action.REVOKE_ROLE:
        if key == "grant_self":
            holder = actor if isinstance(actor, User) else get(User, world[L])
        else:
            holder = get(
                User,
                {
                    "grant_learner_own": world["other_learner_a1"],
                    "grant_trainer_own": world["other_trainer_a"],
                    "grant_learner_foreign": world["learner_b1"],
                    "grant_other_admin": world["other_admin"],
                }[key],
            )
        return holder.roles[0]
    kind = RoleGrant if action == Action.GRANT_ROLE else Invitation
    a1, b1, site_a, site_b = world["a1"], world["b1"], world["site_a"], world["site_b"]
    return {
        "learner_own": lambda: _proposal(kind, Role.LEARNER, company=a1),
        "learner_foreign": lambda: _proposal(kind, Role.LEARNER, company=b1),
        "company_manager_own": lambda: _proposal(kind, Role.COMPANY_MANAGER, company=a1),
        "company_manager_foreign": lambda: _proposal(kind, Role.COMPANY_MANAGER, company=b1),
        "trainer_own": lambda: _proposal(kind, Role.TRAINER, site=site_a),
        "trainer_foreign": lambda: _proposal(kind, Role.TRAINER, site=site_b),
        "cybersite_manager_own": lambda: _proposal(kind, Role.CYBERSITE_MANAGER, site=site_a),
        "cybersite_manager_foreign": lambda: _proposal(kind, Role.CYBERSITE_MANAGER, site=site_b),
        "network_admin": lambda: _proposal(kind, Role.NETWORK_ADMIN),
        "mismatched_scope": lambda: _proposal(kind, Role.LEARNER, site=site_a),
    }[key]()


def _cohort_target(world: dict[str, int], key: str, actor: Any) -> Any:
    """Cohorts and seats as the policy reads them (its Cybersite, accepted companies, company, person)."""
    own = SimpleNamespace(cybersite_id=world["site_a"], companies=[SimpleNamespace(id=world["a1"])])
    foreign = SimpleNamespace(cybersite_id=world["site_b"], companies=[SimpleNamespace(id=world["b1"])])
    if key == "cohort_own":
        return own
    if key == "cohort_foreign":
        return foreign
    if key == "seat_self":
        user_id = actor.id if isinstance(actor, User) else world[L]
        return SimpleNamespace(cohort=own, company_id=world["a1"], user_id=user_id)
    if key == "seat_own":
        return SimpleNamespace(cohort=own, company_id=world["a1"], user_id=world["other_learner_a1"])
    if key == "seat_not_accepted":
        elsewhere = SimpleNamespace(cybersite_id=world["site_a"], companies=[])
        return SimpleNamespace(cohort=elsewhere, company_id=world["a1"], user_id=world["other_learner_a1"])
    return SimpleNamespace(cohort=foreign, company_id=world["b1"], user_id=world["learner_b1"])


@pytest.mark.parametrize(("actor_name", "action", "target_key", "expected"), ROWS)
def test_policy(app_ctx, world, actor_name, action, target_key, expected):
    actor = _actor(world, actor_name)
    target = _target(world, action, target_key, actor)
    assert can(actor, action, target) is expected


def test_nobody_is_allowed_anything_without_an_account(app_ctx):
    assert not any(can(None, action, None) for action in Action)


def test_a_company_role_given_with_a_cybersite_is_refused_to_its_cybersite_manager(app_ctx, world):
    manager = db.session.get(User, world[SM])
    both = RoleGrant(role=Role.LEARNER, company_id=world["a1"], cybersite_id=world["site_a"])
    trainer_in_company = RoleGrant(role=Role.TRAINER, company_id=world["a1"])
    assert not can(manager, Action.GRANT_ROLE, both)
    assert not can(manager, Action.GRANT_ROLE, trainer_in_company)


def test_the_admin_may_take_back_their_own_other_roles_but_not_administration(app_ctx, world):
    admin = db.session.get(User, world[ADMIN])
    admin.roles.append(RoleGrant(role=Role.TRAINER, cybersite_id=world["site_a"]))
    db.session.flush()
    admin_grant, trainer_grant = sorted(admin.roles, key=lambda g: g.role != Role.NETWORK_ADMIN)
    assert not can(admin, Action.REVOKE_ROLE, admin_grant)
    assert can(admin, Action.REVOKE_ROLE, trainer_grant)


def test_the_admin_grant_id_equal_to_a_user_id_does_not_confuse_the_policy(app_ctx, world):
    # The rule compared a grant's own id with the admin's id: a coincidence of numbers refused the revocation.
    admin = db.session.get(User, world[ADMIN])
    other = db.session.get(User, world["other_learner_a1"])
    grant = other.roles[0]
    grant_with_admins_number = RoleGrant(
        id=admin.id, user_id=other.id, role=Role.LEARNER, company_id=world["a1"]
    )
    assert grant.user_id != admin.id
    assert can(admin, Action.REVOKE_ROLE, grant_with_admins_number)


@pytest.mark.parametrize(
    ("actor_name", "action", "target_key"),
    [
        (SM, Action.EDIT_CYBERSITE, "site_own"),
        (SM, Action.CREATE_COMPANY, "site_own"),
        (SM, Action.EDIT_COMPANY, "company_own"),
        (SM, Action.INVITE, "learner_own"),
        (SM, Action.INVITE, "trainer_own"),
        (T, Action.VIEW_CYBERSITE, "site_own"),
        (SM, Action.CREATE_COHORT, "site_own"),
        (SM, Action.EDIT_COHORT, "cohort_own"),
    ],
)
def test_roles_over_a_deactivated_cybersite_give_no_power(app_ctx, world, actor_name, action, target_key):
    actor = _actor(world, actor_name)
    target = _target(world, action, target_key, actor)
    assert can(actor, action, target)
    db.session.get(Cybersite, world["site_a"]).active = False
    db.session.flush()
    assert not can(actor, action, target)


def test_a_manager_of_a_deactivated_company_gives_no_role_but_members_still_see_it(app_ctx, world):
    manager = db.session.get(User, world[CM])
    learner = db.session.get(User, world[L])
    company = db.session.get(Company, world["a1"])
    proposal = Invitation(email="new@example.fr", role=Role.LEARNER, company_id=company.id)
    assert can(manager, Action.INVITE, proposal)
    company.active = False
    db.session.flush()
    assert not can(manager, Action.INVITE, proposal)
    assert not can(manager, Action.VIEW_ADMIN)
    assert can(learner, Action.VIEW_COMPANY, company)
    # Its Cybersite's manager can still edit (and so reactivate) it.
    assert can(db.session.get(User, world[SM]), Action.EDIT_COMPANY, company)


@pytest.mark.parametrize("action", list(Action))
def test_a_missing_target_is_refused_not_a_crash(app_ctx, world, action):
    manager = db.session.get(User, world[SM])
    allowed_without_target = {Action.VIEW_ADMIN}
    assert can(manager, action, None) is (action in allowed_without_target)


def test_the_sql_form_of_following_agrees_with_the_rule_for_everyone(app_ctx, world):
    """``following(actor).people`` selects exactly the accounts ``can(actor, FOLLOW_LEARNER, …)`` allows,
    and ``sites`` exactly the Cybersites whose people are followed: queries and checks tell one story."""
    from sqlalchemy import select

    from app.accounts.policy import following

    manager_b1 = User(email="manager-b1@example.fr", display_name="Gérante B1", password_hash="x")
    manager_b1.roles.append(RoleGrant(role=Role.COMPANY_MANAGER, company_id=world["b1"]))
    db.session.add(manager_b1)
    db.session.flush()
    world["manager_b1"] = manager_b1.id
    people = [db.session.get(User, ident) for name, ident in world.items() if name not in ("a1", "b1")]
    people = [person for person in people if isinstance(person, User)]
    for name in ACTORS:
        actor = _actor(world, name)
        follows = following(actor)
        selected = set(db.session.scalars(select(User.id).where(follows.people(User.id))))
        expected = {person.id for person in people if can(actor, Action.FOLLOW_LEARNER, person)}
        assert selected & {p.id for p in people} == expected, name
        sites = set(db.session.scalars(select(Cybersite.id).where(follows.sites(Cybersite.id))))
        assert sites == {s for s in (world["site_a"], world["site_b"]) if follows.covers_site(s)}, name
    assert following(_actor(world, T)).cybersite_ids == {world["site_a"]}
    db.session.get(Cybersite, world["site_a"]).active = False
    db.session.flush()
    # A trainer of a deactivated Cybersite follows nobody any more.
    assert not following(_actor(world, T)).cybersite_ids
