"""The randomised content block (``library_content``): Open edX's OLX read in both forms and exported back,
a draw per learner kept across pages and re-imports (redrawn only for children gone), staff seeing every
child with the undrawn ones marked, handlers of undrawn children refused, progress and grades counting only
what was drawn, a learner's new draw, and settings that cannot be used as written."""

from __future__ import annotations

import re
import tarfile

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.core.extensions import db
from app.courses.exporting import export_course
from app.courses.importing import import_course
from app.progress.models import CourseProgress
from app.runtime.models import FieldValue, StoredBlock
from tests.plugins.conftest import COURSE_KEY
from tests.runtime.olx_helpers import write_course

ITEM = re.compile(r'class="library-content-item( library-content-not-drawn)?" data-id="([^"]+)"')


def html_children(count: int) -> str:
    return "".join(
        f'<html url_name="q{i}" display_name="Question {i}"><p>Texte {i}</p></html>' for i in range(count)
    )


def problem(url_name: str) -> str:
    return (
        f'<problem url_name="{url_name}" display_name="Problème {url_name}">'
        '<stringresponse answer="oui" type="ci"><label>Oui ?</label><textline/></stringresponse></problem>'
    )


def library(children: str, **attributes: str) -> str:
    attributes = {
        "display_name": "Quiz tiré au sort",
        "max_count": "2",
        "mode": "random",
        "source_library_id": "library-v1:Cybermassif+Banque",
        "source_library_version": "65a1b2c3d4e5f60718293a4b",
        "capa_type": "any",
        **attributes,
    }
    written = "".join(f' {name}="{value}"' for name, value in attributes.items() if value is not None)
    return f'<library_content url_name="lc"{written}>{children}</library_content>'


def shown(page: str) -> list[tuple[str, bool]]:
    """(usage id, drawn) of each child the page shows."""
    return [(usage, not undrawn) for undrawn, usage in ITEM.findall(page)]


def stored_draw(app, course, user) -> list:
    with app.app_context():
        return db.session.scalar(
            select(FieldValue.value).where(
                FieldValue.user_id == user.id,
                FieldValue.scope_key == course.usage("library_content", "lc"),
                FieldValue.field_name == "selected",
            )
        )


@pytest.fixture
def course(olx_course):
    return olx_course(library(html_children(4)) + '<html url_name="outside"><p>Hors tirage</p></html>')


# Import ---------------------------------------------------------------------------------------------------


def test_the_inline_form_imports_with_its_attributes(app, course):
    assert course.warnings == ()
    with app.app_context():
        block = db.session.scalars(
            select(StoredBlock).where(
                StoredBlock.tree_id == course.tree_id,
                StoredBlock.usage_id == course.usage("library_content", "lc"),
            )
        ).one()
        children = db.session.scalars(
            select(StoredBlock.usage_id)
            .where(StoredBlock.tree_id == course.tree_id, StoredBlock.parent_usage_id == block.usage_id)
            .order_by(StoredBlock.position)
        ).all()
    assert block.olx is None  # read by the block, not kept as a placeholder
    assert block.settings["max_count"] == 2 and block.settings["mode"] == "random"
    assert block.settings["source_library_id"] == "library-v1:Cybermassif+Banque"
    assert block.settings["source_library_version"] == "65a1b2c3d4e5f60718293a4b"
    assert block.settings["capa_type"] == "any" and block.settings["display_name"] == "Quiz tiré au sort"
    assert children == [course.usage("html", f"q{i}") for i in range(4)]


def test_the_referenced_form_imports_alike(app, olx_course, enrolled, as_user):
    course = olx_course(
        '<library_content url_name="lc"/>',
        {
            "library_content/lc.xml": (
                '<library_content display_name="Banque" max_count="1" source_library_id="library-v1:O+L">'
                '<problem url_name="p1"/><problem url_name="p2"/></library_content>'
            ),
            "problem/p1.xml": problem("p1").replace(' url_name="p1"', ""),
            "problem/p2.xml": problem("p2").replace(' url_name="p2"', ""),
        },
    )
    assert course.warnings == ()
    page = as_user(enrolled(course), course).page()
    items = shown(page)
    assert len(items) == 1 and items[0][0] in {course.usage("problem", "p1"), course.usage("problem", "p2")}
    assert "Oui ?" in page


# The draw -------------------------------------------------------------------------------------------------


def test_a_learner_sees_max_count_children_and_the_same_ones_on_every_page(app, course, enrolled, as_user):
    learner = enrolled(course)
    client = as_user(learner, course)
    first = shown(client.page())
    assert len(first) == 2 and all(drawn for _, drawn in first)
    order = [course.usage("html", f"q{i}") for i in range(4)]
    assert [u for u, _ in first] == sorted((u for u, _ in first), key=order.index)  # course order
    for _ in range(3):
        assert shown(client.page()) == first
    assert "Hors tirage" in client.page()
    draw = stored_draw(app, course, learner)
    assert sorted(tuple(p) for p in draw) == sorted(("html", u.rsplit("block@", 1)[-1]) for u, _ in first)


def test_the_draw_survives_a_reimport_and_only_gone_children_are_replaced(app, course, enrolled, as_user):
    learner = enrolled(course)
    client = as_user(learner, course)
    first = [u for u, _ in shown(client.page())]
    with app.app_context():
        import_course(course.root, actor=None)
        db.session.commit()
    assert [u for u, _ in shown(client.page())] == first
    # The author removes one of the learner's two children and adds two new ones.
    gone, kept = first
    names = [f"q{i}" for i in range(4) if course.usage("html", f"q{i}") != gone] + ["q8", "q9"]
    children = "".join(f'<html url_name="{n}"><p>{n}</p></html>' for n in names)
    unit = library(children) + '<html url_name="outside"><p>Hors tirage</p></html>'
    source = (course.root / "course/2026.xml").read_text()
    start, end = source.index("<library_content"), source.index("</vertical>")
    write_course(course.root, {"course/2026.xml": source[:start] + unit + source[end:]})
    with app.app_context():
        import_course(course.root, actor=None)
        db.session.commit()
    after = [u for u, _ in shown(client.page())]
    assert len(after) == 2 and kept in after and gone not in after


def test_learners_get_different_draws(app, olx_course, enrolled, as_user):
    course = olx_course(library(html_children(4), max_count="1"))
    draws = {shown(as_user(enrolled(course), course).page())[0][0] for _ in range(16)}
    # All sixteen alike would happen once in 4**15 courses.
    assert len(draws) > 1


def test_max_count_minus_one_shows_every_child(olx_course, enrolled, as_user):
    course = olx_course(library(html_children(3), max_count="-1"))
    assert len(shown(as_user(enrolled(course), course).page())) == 3


# Staff ------------------------------------------------------------------------------------------------------


def test_staff_see_every_child_with_the_undrawn_ones_marked(course, trainer, as_user):
    page = as_user(trainer, course).page()
    items = shown(page)
    assert len(items) == 4
    assert sum(drawn for _, drawn in items) == 2
    assert page.count('data-mark="not_drawn"') == 2


# Handlers ---------------------------------------------------------------------------------------------------


def test_handlers_of_children_not_drawn_for_the_learner_are_refused(
    app, olx_course, enrolled, as_user, trainer
):
    course = olx_course(library("".join(problem(f"p{i}") for i in range(3)), max_count="1"))
    learner = enrolled(course)
    client = as_user(learner, course)
    drawn = shown(client.page())[0][0].rsplit("block@", 1)[-1]
    others = [f"p{i}" for i in range(3) if f"p{i}" != drawn]
    assert client.call("problem", drawn, "submit", {f"block-problem-{drawn}_2_1": "oui"}).status_code == 200
    for other in others:
        response = client.call("problem", other, "submit", {f"block-problem-{other}_2_1": "oui"})
        assert response.status_code == 404
    with app.app_context():
        answered = db.session.scalars(
            select(FieldValue.scope_key).where(
                FieldValue.user_id == learner.id, FieldValue.scope == "user_state"
            )
        ).all()
    assert not {course.usage("problem", o) for o in others} & set(answered)
    # Course staff may use every child.
    staff = as_user(trainer, course)
    staff.page()
    assert (
        staff.call("problem", others[0], "submit", {f"block-problem-{others[0]}_2_1": "oui"}).status_code
        == 200
    )


# Progress and grades --------------------------------------------------------------------------------------


def _progress(app, user, course) -> CourseProgress:
    with app.app_context():
        row = db.session.scalars(
            select(CourseProgress).where(
                CourseProgress.user_id == user.id, CourseProgress.course_key == course.course_key
            )
        ).one()
        db.session.expunge(row)
        return row


def test_completion_counts_only_the_drawn_children(app, course, enrolled, as_user):
    learner = enrolled(course)
    as_user(learner, course).page()
    row = _progress(app, learner, course)
    # Two drawn of four, and the block outside the draw.
    assert (row.completed, row.total) == (3, 3)
    assert row.completed_at is not None


def test_before_the_draw_the_block_counts_as_many_children_as_it_shows(
    app, olx_course, enrolled, as_user, tmp_path
):
    course = olx_course(library(html_children(4)))
    # A second unit the learner opens first: the library's unit is not opened yet.
    source = (course.root / "course/2026.xml").read_text()
    write_course(
        course.root,
        {
            "course/2026.xml": source.replace(
                "</sequential>",
                '<vertical url_name="u2"><html url_name="h2"><p>Avant</p></html></vertical></sequential>',
            )
        },
    )
    with app.app_context():
        import_course(course.root, actor=None)
        db.session.commit()
    learner = enrolled(course)
    as_user(learner, course).page("u2")
    row = _progress(app, learner, course)
    assert (row.completed, row.total) == (1, 3)
    assert stored_draw(app, course, learner) is None


def test_the_grade_counts_only_the_drawn_problem(app, olx_course, enrolled, as_user):
    course = olx_course(library("".join(problem(f"p{i}") for i in range(3)), max_count="1"))
    course_file = course.root / "course/2026.xml"
    write_course(
        course.root,
        {
            "course/2026.xml": course_file.read_text().replace(
                'display_name="Séquence 1"', 'display_name="Séquence 1" graded="true" format="Quiz"'
            ),
            "policies/2026/grading_policy.json": (
                '{"GRADER": [{"type": "Quiz", "min_count": 1, "drop_count": 0, "weight": 1.0}],'
                ' "GRADE_CUTOFFS": {"Pass": 0.5}}'
            ),
        },
    )
    with app.app_context():
        import_course(course.root, actor=None)
        db.session.commit()
    learner = enrolled(course)
    client = as_user(learner, course)
    drawn = shown(client.page())[0][0].rsplit("block@", 1)[-1]
    assert client.call("problem", drawn, "submit", {f"block-problem-{drawn}_2_1": "oui"}).status_code == 200
    row = _progress(app, learner, course)
    # One problem of three answered right: the whole grade, as the other two were not drawn.
    assert row.grade == pytest.approx(1.0) and row.passed
    assert (row.completed, row.total) == (1, 1)


def test_a_rebuild_counts_each_learners_own_draw(app, course, enrolled, as_user):
    learners = [enrolled(course) for _ in range(3)]
    for learner in learners:
        as_user(learner, course).page()
    with app.app_context():
        import_course(course.root, actor=None)  # a new version: every learner's figures rebuilt
        db.session.commit()
    for learner in learners:
        row = _progress(app, learner, course)
        assert (row.completed, row.total) == (3, 3)


def test_an_event_in_a_library_course_costs_a_fixed_number_of_statements(
    app, olx_course, enrolled, as_user, count_statements
):
    def statements_for(children: int, learners: int) -> int:
        course = olx_course(
            library("".join(problem(f"p{i}") for i in range(children)), max_count="1"),
            course_key=f"course-v1:Cybermassif+C{children}x{learners}+2026",
        )
        for _ in range(learners - 1):
            as_user(enrolled(course), course).page()
        client = as_user(enrolled(course), course)
        drawn = shown(client.page())[0][0].rsplit("block@", 1)[-1]
        client.call("problem", drawn, "submit", {f"block-problem-{drawn}_2_1": "non"})

        def post():
            return client.call("problem", drawn, "submit", {f"block-problem-{drawn}_2_1": "oui"})

        response, statements = count_statements(post)
        assert response.status_code == 200, response.get_data(as_text=True)
        selections = [s for s in statements if "xblock_field.field_name = " in s]
        assert len(selections) == 2, "\n\n".join(statements)  # the handler's check, and the roll-up's read
        return len(statements)

    assert statements_for(2, 1) == statements_for(6, 4)


# Drawing again ----------------------------------------------------------------------------------------------


def test_a_learner_may_draw_again_when_the_block_allows_it(app, olx_course, enrolled, as_user):
    course = olx_course(library("".join(problem(f"p{i}") for i in range(6)), allow_resetting_children="true"))
    learner = enrolled(course)
    client = as_user(learner, course)
    page = client.page()
    assert "library-content-reset" in page and "public/library_content.js" in page
    drawn = [u.rsplit("block@", 1)[-1] for u, _ in shown(page)]
    for name in drawn:
        client.call("problem", name, "submit", {f"block-problem-{name}_2_1": "non"})
    response = client.call("library_content", "lc", "reset_selected_children")
    assert response.status_code == 200
    assert len(response.get_json()["selected"]) == 2
    with app.app_context():
        left = db.session.scalars(
            select(FieldValue.scope_key).where(
                FieldValue.user_id == learner.id,
                FieldValue.scope == "user_state",
                FieldValue.scope_key.in_([course.usage("problem", n) for n in drawn]),
            )
        ).all()
    assert left == []  # the drawn problems' answers and attempts are forgotten
    assert sorted(map(tuple, stored_draw(app, course, learner))) == sorted(
        map(tuple, response.get_json()["selected"])
    )
    assert len(shown(client.page())) == 2


def test_drawing_again_is_refused_when_the_block_does_not_allow_it(app, course, enrolled, as_user):
    learner = enrolled(course)
    client = as_user(learner, course)
    first = shown(client.page())
    assert "library-content-reset" not in client.page()
    response = client.call("library_content", "lc", "reset_selected_children")
    assert response.status_code == 400 and response.get_json()["error"]
    assert shown(client.page()) == first


# Settings that cannot be used as written -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attributes", "children", "learners_see", "staff_note"),
    [
        ({"max_count": "beaucoup"}, 3, 1, "max_count 'beaucoup' is not a number"),
        ({"max_count": "0"}, 3, 1, "max_count 0 must be at least 1"),
        ({"max_count": "-5"}, 3, 1, "max_count -5 must be at least 1"),
        ({"max_count": "10"}, 3, 3, "max_count 10 is more than the 3 components"),
        ({"mode": "first"}, 3, 2, "The mode 'first' is not known"),
        ({"allow_resetting_children": "peut-être"}, 3, 2, "is not true or false"),
        ({}, 0, 0, "This block has no components"),
    ],
)
def test_settings_that_cannot_be_used_still_show_the_block(
    app,
    olx_course,
    enrolled,
    as_user,
    make_user,
    make_cybersite,
    tmp_path,
    attributes,
    children,
    learners_see,
    staff_note,
):
    course = olx_course(library(html_children(children), **attributes))
    # The import report says it, where the block is written.
    (warning,) = course.warnings
    assert (warning.code, warning.file, warning.params["tag"]) == (
        "validation",
        "course/2026.xml",
        "library_content",
    )
    assert warning.line and warning.params["message"]
    for value in attributes.values():
        assert value in warning.params["message"]
    page = as_user(enrolled(course, language="en"), course, "en").page()
    assert len(shown(page)) == learners_see
    assert staff_note not in page  # notes are for course staff
    if not children:
        assert "There is nothing to show here yet." in page
    trainer = make_user(roles=[(Role.TRAINER, make_cybersite())], language="en")
    staff_page = as_user(trainer, course, "en").page()
    assert staff_note in staff_page.replace("&#39;", "'")
    # The attribute is exported as it was written.
    archive = tmp_path / "export.tar.gz"
    with app.app_context():
        export_course(course.course_key, archive, actor=None)
    with tarfile.open(archive) as tar:
        exported = tar.extractfile("PLG-2026/library_content/lc.xml").read().decode()
    for name, value in attributes.items():
        assert f'{name}="{value}"' in exported


def test_french_learners_and_staff_read_french(olx_course, enrolled, as_user, trainer):
    course = olx_course(library("", max_count="0", allow_resetting_children="true"))
    assert "Il n’y a rien à afficher ici pour le moment." in as_user(enrolled(course), course, "fr").page()
    staff = as_user(trainer, course, "fr").page()
    assert "Ce bloc n’a aucun composant parmi lesquels tirer." in staff


# Export -----------------------------------------------------------------------------------------------------


def _blocks(app, tree_id: int) -> list[tuple]:
    with app.app_context():
        return [
            (r.usage_id, r.block_type, r.parent_usage_id, r.position, r.content, r.settings, r.olx)
            for r in db.session.scalars(select(StoredBlock).where(StoredBlock.tree_id == tree_id))
        ]


def test_export_imports_again_to_the_same_blocks(app, olx_course, tmp_path):
    course = olx_course(
        library(html_children(2) + problem("p1"), allow_resetting_children="true", max_count="-1")
    )
    archive = tmp_path / "export.tar.gz"
    with app.app_context():
        export_course(course.course_key, archive, actor=None)
    with tarfile.open(archive) as tar:
        exported = tar.extractfile("PLG-2026/library_content/lc.xml").read().decode()
        tar.extractall(tmp_path / "again", filter="data")
    for text in (
        'max_count="-1"',
        'source_library_id="library-v1:Cybermassif+Banque"',
        'mode="random"',
        'allow_resetting_children="true"',
        'capa_type="any"',
        '<problem url_name="p1"/>',
    ):
        assert text in exported
    assert "selected" not in exported
    before = _blocks(app, course.tree_id)
    with app.app_context():
        result = import_course(tmp_path / "again" / "PLG-2026", actor=None)
        db.session.commit()
        assert str(result.course.course_key) == COURSE_KEY
    assert result.warnings == ()
    assert sorted(before) == sorted(_blocks(app, result.tree_id))


def test_a_new_draw_counts_at_once(app, olx_course, enrolled, as_user):
    course = olx_course(library(html_children(6), allow_resetting_children="true"))
    learner = enrolled(course)
    client = as_user(learner, course)
    first = {u for u, _ in shown(client.page())}
    assert (_progress(app, learner, course).completed, _progress(app, learner, course).total) == (2, 2)
    new = first
    for _ in range(20):  # until the draw differs (the same two again: once in 15 draws)
        response = client.call("library_content", "lc", "reset_selected_children")
        assert response.status_code == 200
        new = {course.usage(kind, name) for kind, name in response.get_json()["selected"]}
        row = _progress(app, learner, course)
        # The children seen before keep their records; only those drawn again count.
        assert (row.completed, row.total) == (len(first & new), 2)
        if new != first:
            break
    assert new != first
    client.page()
    row = _progress(app, learner, course)
    assert (row.completed, row.total) == (2, 2)


def test_the_unit_shows_as_done_once_the_drawn_children_are(course, enrolled, as_user):
    client = as_user(enrolled(course), course)
    outline = client.client.get(f"/formations/{course.course_key}").get_data(as_text=True)
    assert '<li class="complete">' not in outline
    client.page()
    outline = client.client.get(f"/formations/{course.course_key}").get_data(as_text=True)
    assert '<li class="complete">' in outline


def test_the_sequence_navigation_marks_the_unit_done_on_the_first_view(app, course, enrolled, as_user):
    source = (course.root / "course/2026.xml").read_text()
    write_course(
        course.root,
        {
            "course/2026.xml": source.replace(
                "</sequential>",
                '<vertical url_name="u2"><html url_name="h2"><p>Après</p></html></vertical></sequential>',
            )
        },
    )
    with app.app_context():
        import_course(course.root, actor=None)
        db.session.commit()
    page = as_user(enrolled(course), course).page()
    # The draw made by this very page counts: its two children and the block outside are done.
    assert page.count('<li class="complete">') == 1


def test_the_studio_lists_the_block_without_an_editor(course, trainer, as_user):
    page = as_user(trainer, course).studio_page()  # 200: the block is edited in its OLX
    assert "Quiz tiré au sort" in page
