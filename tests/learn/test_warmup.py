"""A web worker's warm-up (``app.learn.warmup``, run by gunicorn's ``post_worker_init`` hook): after it, a
published course's tree is the worker's shared copy, the block classes it uses are imported and the
templates compiled, and nothing was written."""

from __future__ import annotations

import logging
import types

from app.core.extensions import db
from app.courses.models import Course
from app.jobs import gunicorn_hooks
from app.learn.warmup import WARM_UP
from app.runtime import tree as trees
from app.runtime.registry import get_registry


def test_the_warm_up_loads_trees_block_classes_and_templates_and_writes_nothing(
    app, make_course, count_statements
):
    published = make_course()
    trees.forget_shared_trees()
    app.jinja_env.cache.clear()
    _, statements = count_statements(app.extensions[WARM_UP])
    assert statements and all(s.lstrip().upper().startswith("SELECT") for s in statements), statements
    with app.app_context():
        version = db.session.get(Course, published.course_id).updated_at
        _, again = count_statements(lambda: trees.shared_tree(db.session, published.tree_id, version))
    assert again == []  # the worker's copy: no statement on its first page
    assert any(name == "base.html" for _, name in app.jinja_env.cache)
    assert get_registry()._classes.get(("xblock.v1", "html")) is not None


def test_the_gunicorn_hook_warms_the_worker_up_and_survives_a_failing_warm_up(app, make_course, caplog):
    make_course()
    trees.forget_shared_trees()
    worker = types.SimpleNamespace(wsgi=app, log=logging.getLogger("test.gunicorn"))
    gunicorn_hooks.post_worker_init(worker)
    assert trees._shared  # the published tree is loaded

    def broken() -> None:
        raise RuntimeError("database down")

    original = app.extensions[WARM_UP]
    app.extensions[WARM_UP] = broken
    try:
        with caplog.at_level(logging.ERROR, logger="test.gunicorn"):
            gunicorn_hooks.post_worker_init(worker)  # the worker still starts
    finally:
        app.extensions[WARM_UP] = original
    assert "warm-up failed" in caplog.text
