"""Views every learner sees alike (``cybermassif_shared_views``) are rendered once per course version and
language, and a page served from them behaves as a rendered one: completion on view, resources, wrapper."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.courses.models import Course
from app.progress.models import BlockCompletion
from tests.conftest import sign_in
from tests.learn.conftest import EN, SharedBlock
from tests.runtime.conftest import unit


def _course_with_shared_blocks(make_course, n=3, only_shared=False, **fields):
    spec = unit(1)
    components = spec[3][0][3][0][3][0][3]
    components[:] = [("sharedblock", f"s{i}", {"data": "", "text": f"texte {i}"}, []) for i in range(n)]
    if not only_shared:
        components.append(("testblock", "echo", {}, []))  # a block that is not shared, on the same page
    return make_course(spec, **fields)


@pytest.fixture
def unit_renders(monkeypatch):
    """Counts the renders of units (the structure plugin's vertical), calling the real view."""
    from plugins.structure.blocks import VerticalBlock

    counted = {"renders": 0}
    view = VerticalBlock.student_view

    def counting(self, context=None):
        counted["renders"] += 1
        return view(self, context)

    monkeypatch.setattr(VerticalBlock, "student_view", counting)
    return counted


def _two_learners(make_user, make_company, enrol, course):
    from app.accounts.models import Role

    company = make_company()
    people = [make_user(roles=[(Role.LEARNER, company)], language="en") for _ in range(2)]
    for person in people:
        enrol(person, course)
    return people


def _completed(app, user_id):
    with app.app_context():
        return set(
            db.session.scalars(
                select(BlockCompletion.usage_id).where(
                    BlockCompletion.user_id == user_id, BlockCompletion.completion == 1.0
                )
            )
        )


def _page(client, course, headers=EN):
    response = client.get(course.unit_url("unit1"), headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_shared_view_is_rendered_once_for_every_learner_of_a_course_version(
    app, client, make_course, make_user, make_company, enrol
):
    from app.accounts.models import Role

    course = _course_with_shared_blocks(make_course)
    company = make_company()
    first, second = (make_user(roles=[(Role.LEARNER, company)], language="en") for _ in range(2))
    for person in (first, second):
        enrol(person, course)
    SharedBlock.renders = 0

    sign_in(client, first.email)
    page = _page(client, course)
    assert SharedBlock.renders == 3
    client.post("/compte/deconnexion", data={"csrf_token": _csrf(page)})
    sign_in(client, second.email)
    again = _page(client, course)
    assert SharedBlock.renders == 3  # served from what the first page rendered

    # The same page all the same: texts, wrappers with their attributes, the blocks' resources.
    for i in range(3):
        assert f"texte {i} [en]" in again
    assert again.count('data-block-type="sharedblock"') == 3
    assert "p.shared { color: navy; }" in again
    assert 'class="echo"' in again  # the learner's own block is rendered for them

    # Shown to the second learner: their completions are recorded though nothing was rendered anew.
    with app.app_context():
        done = db.session.scalars(
            select(BlockCompletion.usage_id).where(
                BlockCompletion.user_id == second.id, BlockCompletion.completion == 1.0
            )
        ).all()
    assert {course.usage("sharedblock", f"s{i}") for i in range(3)} <= set(done)


def test_each_language_has_its_own_rendering(client, make_course, make_user, make_company, enrol):
    from app.accounts.models import Role

    course = _course_with_shared_blocks(make_course, n=2)
    company = make_company()
    english, french = (make_user(roles=[(Role.LEARNER, company)], language=lang) for lang in ("en", "fr"))
    for person in (english, french):
        enrol(person, course)
    SharedBlock.renders = 0
    sign_in(client, english.email)
    assert "texte 0 [en]" in _page(client, course)
    client.post("/compte/deconnexion", data={"csrf_token": _csrf(_page(client, course))})
    sign_in(client, french.email)
    assert "texte 0 [fr]" in _page(client, course, headers={})
    assert SharedBlock.renders == 4


def test_a_new_version_of_the_course_is_rendered_anew(app, client, make_course, learner, enrol):
    course = _course_with_shared_blocks(make_course, n=2)
    enrol(learner, course)
    sign_in(client, learner.email)
    _page(client, course)
    SharedBlock.renders = 0
    _page(client, course)
    assert SharedBlock.renders == 0
    with app.app_context():  # what an author's save does: the course's version moves on
        stored = db.session.get(Course, course.course_id)
        stored.updated_at = stored.updated_at.replace(year=stored.updated_at.year + 1)
        db.session.commit()
    _page(client, course)
    assert SharedBlock.renders == 2


def test_with_asides_allowed_nothing_is_shared(app, client, make_course, learner, enrol, monkeypatch):
    from app.runtime import bridge

    monkeypatch.setattr(bridge.setup_for(app), "aside_types", ("acid_aside",))
    course = _course_with_shared_blocks(make_course, n=2)
    enrol(learner, course)
    sign_in(client, learner.email)
    SharedBlock.renders = 0
    _page(client, course)
    _page(client, course)
    assert SharedBlock.renders == 4


def test_a_unit_of_shared_blocks_is_rendered_once_as_a_whole(
    app, client, make_course, make_user, make_company, enrol, unit_renders
):
    course = _course_with_shared_blocks(make_course, only_shared=True)
    first, second = _two_learners(make_user, make_company, enrol, course)
    SharedBlock.renders = 0

    sign_in(client, first.email)
    page = _page(client, course)
    assert (unit_renders["renders"], SharedBlock.renders) == (1, 3)
    client.post("/compte/deconnexion", data={"csrf_token": _csrf(page)})
    sign_in(client, second.email)
    again = _page(client, course)
    assert (unit_renders["renders"], SharedBlock.renders) == (1, 3)  # neither the unit nor its blocks

    for i in range(3):
        assert f"texte {i} [en]" in again
    assert again.count('data-block-type="sharedblock"') == 3
    assert again.count('data-block-type="vertical"') == 1
    assert "p.shared { color: navy; }" in again
    # Each learner's page still marks the blocks they were shown.
    shown = {course.usage("sharedblock", f"s{i}") for i in range(3)}
    assert shown <= _completed(app, first.id)
    assert shown <= _completed(app, second.id)


def test_a_unit_with_a_block_of_the_learner_is_rendered_for_each_learner(
    client, make_course, make_user, make_company, enrol, unit_renders
):
    course = _course_with_shared_blocks(make_course)  # with a block that is not shared
    first, second = _two_learners(make_user, make_company, enrol, course)
    SharedBlock.renders = 0
    sign_in(client, first.email)
    page = _page(client, course)
    client.post("/compte/deconnexion", data={"csrf_token": _csrf(page)})
    sign_in(client, second.email)
    _page(client, course)
    assert (unit_renders["renders"], SharedBlock.renders) == (2, 3)  # the unit anew, its shared blocks not


def test_a_component_that_failed_is_not_kept_and_is_tried_again(
    app, client, make_course, learner, enrol, unit_renders
):
    course = _course_with_shared_blocks(make_course, n=2, only_shared=True)
    enrol(learner, course)
    sign_in(client, learner.email)
    SharedBlock.failing = True
    try:
        failed = _page(client, course)
    finally:
        SharedBlock.failing = False
    assert failed.count("This component could not be shown.") == 2
    assert not _completed(app, learner.id)  # a notice is not a view
    recovered = _page(client, course)
    assert "could not be shown" not in recovered
    assert "texte 1 [en]" in recovered
    assert unit_renders["renders"] == 2
    assert {course.usage("sharedblock", f"s{i}") for i in range(2)} <= _completed(app, learner.id)


def test_a_type_disabled_after_a_unit_was_shared_shows_its_placeholder(
    app, client, make_course, learner, enrol
):
    from app.runtime import bridge
    from app.runtime.models import BlockTypeSetting

    course = _course_with_shared_blocks(make_course, n=2, only_shared=True)
    enrol(learner, course)
    sign_in(client, learner.email)
    assert "texte 0 [en]" in _page(client, course)
    with app.app_context():
        db.session.add(BlockTypeSetting(block_type="sharedblock", enabled=False))
        db.session.commit()
        bridge.setup_for(app).refresh_disabled()
    page = _page(client, course)
    assert "texte 0" not in page
    assert page.count("This component has been disabled by the administrators.") == 2


def _csrf(page: str) -> str:
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
