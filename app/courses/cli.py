"""Command line for courses and block types: ``flask courses import|export|list`` and ``flask xblocks list``.

Output is English (an operator's tool); import problems are printed one per line as ``file:line: message``.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.core.extensions import db
from app.courses import pruning
from app.courses.exporting import CourseNotFound, export_course
from app.courses.importing import ImportFailed, Problem, import_course
from app.courses.models import Course
from app.runtime.models import BlockTree, BlockTypeSetting, StoredBlock
from app.runtime.registry import get_registry

courses = AppGroup("courses", help="Import, export and list courses (OLX).")
xblocks = AppGroup("xblocks", help="Installed XBlock types.")


def report_failure(error: ImportFailed) -> None:
    """Print every problem of a refused import, one per line, on standard error."""
    click.echo(f"Import refused ({len(error.problems)} problem(s)); nothing was changed:", err=True)
    for problem in error.problems:
        click.echo(f"  {problem}", err=True)


@courses.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def import_command(path: Path) -> None:
    """Import a course folder or .tar.gz archive (Open edX OLX layout) and publish it."""
    try:
        result = import_course(path, actor=None)
    except ImportFailed as error:
        db.session.rollback()
        report_failure(error)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(
        f"Imported {result.course.course_key}: {result.blocks} blocks, {result.assets} assets "
        f"(tree {result.tree_id})."
    )
    report_warnings(result.warnings)


def report_warnings(warnings: tuple[Problem, ...]) -> None:
    """Print what an import kept without reading it (components as placeholders, info pages), one per line
    with file and line, on standard error."""
    if warnings:
        click.echo(f"{len(warnings)} part(s) could not be read, kept as they are (not shown):", err=True)
    for warning in warnings:
        click.echo(f"  warning: {warning}", err=True)


@courses.command("export")
@click.argument("course_key")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_command(course_key: str, file: Path) -> None:
    """Export the published version of COURSE_KEY to FILE (.tar.gz)."""
    try:
        result = export_course(course_key, file, actor=None)
    except CourseNotFound as error:
        raise click.BadParameter(str(error), param_hint="COURSE_KEY") from None
    except OSError as error:
        raise click.FileError(str(file), hint=error.strerror or str(error)) from None
    click.echo(f"Exported {course_key} to {result.path}: {result.blocks} blocks, {result.assets} assets.")


@courses.command("prune")
@click.argument("course_key", required=False)
@click.option(
    "--keep",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="How many earlier versions of each course to keep besides the published one.",
)
@click.option("--dry-run", is_flag=True, help="Only say what would be removed.")
def prune_command(course_key: str | None, keep: int, dry_run: bool) -> None:
    """Remove the earlier versions of COURSE_KEY (or of every course), never the published one."""
    if course_key is not None and not pruning.has_versions(db.session, course_key):
        raise click.BadParameter(f"no course {course_key!r}", param_hint="COURSE_KEY")
    versions = pruning.old_versions(db.session, course_key, keep)
    verb = "Would remove" if dry_run else "Removed"
    for version in versions:
        click.echo(
            f"{verb} {version.course_key} version {version.tree_id} of {version.created_at:%Y-%m-%d %H:%M}: "
            f"{version.blocks} blocks, {version.asset_bytes / 1_000_000:.1f} MB of assets"
        )
    if not dry_run:
        pruning.prune(db.session, versions)
        db.session.commit()
    total = sum(v.asset_bytes for v in versions) / 1_000_000
    click.echo(f"{verb} {len(versions)} version(s), {total:.1f} MB of assets.")


@courses.command("list")
def list_command() -> None:
    """List the courses: key, title, blocks of the published version, and when it was published."""
    blocks = select(StoredBlock.tree_id, func.count().label("n")).group_by(StoredBlock.tree_id).subquery()
    rows = db.session.execute(
        select(Course.course_key, Course.title, blocks.c.n, BlockTree.created_at)
        .outerjoin(BlockTree, BlockTree.id == Course.published_tree_id)
        .outerjoin(blocks, blocks.c.tree_id == Course.published_tree_id)
        .order_by(Course.course_key)
    ).all()
    if not rows:
        click.echo("No courses.")
        return
    for key, title, count, published in rows:
        when = published.strftime("%Y-%m-%d %H:%M") if published else "not published"
        click.echo(f"{key}\t{title}\t{count or 0} blocks\t{when}")


@xblocks.command("list")
def xblocks_list() -> None:
    """List installed block types: name, distribution, version, enabled or disabled."""
    disabled = set(
        db.session.scalars(select(BlockTypeSetting.block_type).where(BlockTypeSetting.enabled.is_(False)))
    )
    for block_type in get_registry().block_types():
        state = "disabled" if block_type.name in disabled else "enabled"
        click.echo(f"{block_type.name}\t{block_type.distribution}\t{block_type.version}\t{state}")


def demo_courses_dir() -> Path:
    """The folder of demo courses: ``DEMO_COURSES_DIR`` if configured, else ``courses/`` of the project."""
    configured = current_app.config.get("DEMO_COURSES_DIR")
    return Path(configured) if configured else Path(current_app.root_path).parent / "courses"


def load_demo_courses() -> tuple[list[str], bool]:
    """Import every course folder of the demo folder, skipping unchanged ones.

    Returns one line per course and whether all were accepted. Each course commits on its own, so that
    one refused course does not hold back the others.
    """
    lines: list[str] = []
    accepted = True
    folder = demo_courses_dir()
    for course_dir in (
        sorted(p for p in folder.iterdir() if (p / "course.xml").is_file()) if folder.is_dir() else []
    ):
        try:
            result = import_course(course_dir, actor=None, skip_unchanged=True)
        except ImportFailed as error:
            db.session.rollback()
            report_failure(error)
            lines.append(f"  {course_dir.name}: refused")
            accepted = False
            continue
        db.session.commit()
        report_warnings(result.warnings)
        state = "imported" if result.changed else "unchanged"
        lines.append(f"  {result.course.course_key} ({course_dir.name}): {state}, {result.blocks} blocks")
    return lines, accepted
