"""``flask progress rebuild COURSE_KEY…``: recompute every learner's roll-ups of courses by hand (a new import
and a studio edit that may change the figures do it by themselves; after restoring a database, for
example)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.core.extensions import db
from app.courses.models import Course
from app.progress.rollups import rebuild_course

progress = AppGroup("progress", help="Learners' progress roll-ups.")


@progress.command("rebuild")
@click.argument("course_keys", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every published course.")
def rebuild(course_keys: tuple[str, ...], every: bool) -> None:
    """Rebuild the roll-ups of the named courses (or of every published course with --all)."""
    if every:
        course_keys = tuple(
            db.session.scalars(select(Course.course_key).where(Course.published_tree_id.is_not(None)))
        )
    if not course_keys:
        raise click.UsageError("name at least one course key, or give --all")
    for key in course_keys:
        if db.session.scalar(select(Course.id).where(Course.course_key == key)) is None:
            raise click.BadParameter(f"no course {key!r}", param_hint="COURSE_KEYS")
    for key in course_keys:
        learners = rebuild_course(db.session, key)
        db.session.commit()
        click.echo(f"{key}: {learners} learner(s) rebuilt")
