"""The host runtime on a stored tree: rendering, wrapping, field storage, events."""

from __future__ import annotations

from sqlalchemy import event, select

from app.core.extensions import db
from app.progress.models import BlockCompletion
from app.runtime.bridge import make_runtime
from app.runtime.host import Learner
from app.runtime.keys import CourseKey, usage_key_for
from app.runtime.models import BlockTree
from app.runtime.tree import LoadedTree
from tests.runtime.conftest import COURSE, unit

UNIT = str(usage_key_for(CourseKey.from_string(COURSE), "vertical", "unit1"))


def _runtime(tree_id: int, user_id: int | None = None):
    tree_row = db.session.get(BlockTree, tree_id)
    tree = LoadedTree.load_structure(db.session, tree_id, tree_row.root_usage_id)
    return make_runtime(course_key=COURSE, tree=tree, learner=Learner(user_id=user_id, username="u"))


def test_unit_renders_its_components(app, make_tree):
    tree_id = make_tree(unit(3))
    with app.test_request_context("/"):
        runtime = _runtime(tree_id)
        runtime.preload(runtime.tree.subtree(UNIT))
        fragment = runtime.render(runtime.get_block(UNIT), "student_view", {})
    html = fragment.body_html()
    assert html.count("Bonjour") == 3
    assert 'data-block-type="html"' in html
    assert f'data-usage-id="{UNIT}"' in html


def test_view_completion_is_recorded_once(app, make_tree, make_user):
    user = make_user()
    tree_id = make_tree(unit(2))
    for _ in range(2):
        with app.test_request_context("/"):
            runtime = _runtime(tree_id, user.id)
            runtime.preload(runtime.tree.subtree(UNIT))
            runtime.render(runtime.get_block(UNIT), "student_view", {})
            runtime.mark_viewed()
            runtime.finish()
            db.session.commit()
    with app.app_context():
        rows = db.session.scalars(select(BlockCompletion)).all()
    assert sorted(r.block_type for r in rows) == ["html", "html"]
    assert all(r.completion == 1.0 and r.completed_at is not None for r in rows)


def test_prefetch_is_constant_in_queries(app, make_tree):
    counts = []
    for n, course in ((1, COURSE), (40, "course-v1:Cybermassif+BIG+2026")):
        tree_id = make_tree(unit(n), course_key=course)
        unit_id = str(usage_key_for(CourseKey.from_string(course), "vertical", "unit1"))
        with app.test_request_context("/"):
            statements: list[str] = []

            def listener(*args, seen=statements):
                seen.append(args[2])

            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                tree_row = db.session.get(BlockTree, tree_id)
                tree = LoadedTree.load_structure(db.session, tree_id, tree_row.root_usage_id)
                runtime = make_runtime(course_key=course, tree=tree, learner=Learner(user_id=None))
                runtime.preload(tree.subtree(unit_id))
                runtime.render(runtime.get_block(unit_id), "student_view", {})
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
            counts.append(len(statements))
    assert counts[0] == counts[1]


def test_no_field_query_when_no_block_keeps_fields_outside_the_tree(app, make_tree):
    def statements_for(spec, course):
        tree_id = make_tree(spec, course_key=course)
        unit_id = str(usage_key_for(CourseKey.from_string(course), "vertical", "unit1"))
        seen: list[str] = []
        with app.test_request_context("/"):
            tree_row = db.session.get(BlockTree, tree_id)
            tree = LoadedTree.load_structure(db.session, tree_id, tree_row.root_usage_id)
            runtime = make_runtime(course_key=course, tree=tree, learner=Learner(user_id=1))

            def listener(*args, seen=seen):
                seen.append(args[2])

            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                runtime.preload(tree.subtree(unit_id))
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
        return [s for s in seen if "xblock_field" in s]

    assert statements_for(unit(3), COURSE) == []
    with_state = unit(1)
    with_state[3][0][3][0][3][0][3].append(("done", "done1", {}, []))  # done keeps user state
    assert len(statements_for(with_state, "course-v1:Cybermassif+STATE+2026")) == 1
