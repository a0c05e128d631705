"""A web worker's warm-up before it takes its first request: what every worker would otherwise do on its
first pages, at a cost of tens to hundreds of milliseconds each (profiled under the peak load, issue 16):
importing the block classes the published courses use (entry points load them lazily), compiling the
application's templates and those of the blocks, reading the translations, loading the published course
trees into the worker's shared copies. Called by gunicorn's ``post_worker_init`` hook
(``app.jobs.gunicorn_hooks``) through ``app.extensions[WARM_UP]``; nothing is written.
"""

from __future__ import annotations

import logging
import sys
import time

from flask import Flask
from flask_babel import force_locale, gettext
from jinja2 import Environment
from sqlalchemy import select

from app.core import database
from app.core.extensions import db
from app.courses.models import Course
from app.runtime.models import StoredBlock
from app.runtime.registry import get_registry
from app.runtime.tree import shared_tree

log = logging.getLogger("cybermassif.warmup")

WARM_UP = "cybermassif.warm-up"
LANGUAGES = ("fr", "en")


def warm_up(app: Flask) -> None:
    """Warm this process for ``app``'s pages (its first requests then cost what later ones do)."""
    started = time.perf_counter()
    _compile(app.jinja_env)
    with app.test_request_context("/"):
        for language in LANGUAGES:
            with force_locale(language):
                gettext("Sign in")
        token = database.set_write_intent(False)
        try:
            published = db.session.execute(
                select(Course.published_tree_id, Course.updated_at).where(
                    Course.published_tree_id.is_not(None)
                )
            ).all()
            types = db.session.scalars(
                select(StoredBlock.block_type)
                .where(StoredBlock.tree_id.in_([tree_id for tree_id, _ in published]))
                .distinct()
            ).all()
            for tree_id, version in published:
                shared_tree(db.session, tree_id, version)
        finally:
            db.session.rollback()
            database.reset_write_intent(token)
        registry = get_registry()
        packages = set()
        for block_type in types:
            cls = registry.load_block_class(block_type)
            if cls is not None:
                packages.add(cls.__module__.split(".")[0])
    for environment in _block_environments(packages):
        _compile(environment)
    log.info(
        "warmed up in %.2f s: %d course tree(s), %d block type(s)",
        time.perf_counter() - started,
        len(published),
        len(types),
    )


def _block_environments(packages: set[str]) -> list[Environment]:
    """The template environments the block classes' modules keep (module-level, as blocks do)."""
    found: dict[int, Environment] = {}
    for name, module in list(sys.modules.items()):
        if module is None or name.split(".")[0] not in packages:
            continue
        for value in list(vars(module).values()):
            if isinstance(value, Environment) and value.loader is not None:
                found[id(value)] = value
    return list(found.values())


def _compile(environment: Environment) -> None:
    for name in environment.list_templates(filter_func=lambda n: n.endswith((".html", ".txt", ".xml"))):
        try:
            environment.get_template(name)
        except Exception:  # a template that does not compile fails on its page, where it is reported
            log.warning("template %s does not compile", name, exc_info=True)
