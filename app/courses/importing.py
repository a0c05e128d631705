"""Course import: an OLX folder or .tar.gz becomes a new published block tree, all or nothing.

Everything is read and checked first (:func:`app.runtime.olx_course.read_course`); only a course without
a single problem is written: a BlockTree with its blocks and assets (bulk inserts), the Course created or
updated, and ``published_tree_id`` pointed at the new tree. A component whose content cannot be read is
no problem: it is kept as a placeholder, exported unchanged, and listed in ``ImportResult.warnings``.
Earlier trees stay (learner state is keyed by usage id, not by tree), so a refused import leaves the
published version as it was. The caller commits.

Course fields read from the course element (attribute in ``course/RUN.xml`` or key of the ``course/RUN``
entry of policy.json, the policy winning as in Open edX):

- ``display_name`` → title; ``language`` → language (default ``fr``);
- ``cybermassif_open_enrolment`` (``true``/``false``) says whether anyone signed in may enrol; without it,
  Open edX's rule: a course accepts self-enrolment unless it is ``invitation_only="true"``;
- ``cybermassif_training_hours`` → training_minutes, the time its certificate attests (see
  ``app.courses.training_hours``); ``cybermassif_vista``, the VISTA dimensions (``app.courses.vista_tags``).

The visibility settings of containers (``start``, ``due``, ``visible_to_staff_only``, ``hide_after_due``,
``group_access``, and the course's ``user_partitions``) must be readable: a malformed one refuses the
import, naming the block (see ``app.courses.visibility``).
"""

from __future__ import annotations

import html
import logging
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bleach
from sqlalchemy import func, insert, select

from app.accounts.models import User
from app.core.author_html import clean_author_html
from app.core.extensions import db
from app.courses import course_info, history, training_hours, visibility, vista_tags
from app.courses.models import Course, CourseAsset
from app.runtime import bridge
from app.runtime.models import BlockTree, StoredBlock
from app.runtime.olx_course import ParsedCourse, course_key_of, read_course, source_digest
from app.runtime.olx_import import ImportFailed, ImportLimits, Problem
from app.runtime.olx_safety import ArchiveError, extract_course_archive
from app.runtime.reasons import _
from app.runtime.tree import access_subset

__all__ = ["ImportFailed", "ImportResult", "Problem", "import_course"]

log = logging.getLogger("cybermassif.courses.import")
_ARCHIVE_SUFFIXES = (".tar.gz", ".tgz")
_LANGUAGE = re.compile(r"^[a-z]{2,3}([_-][A-Za-z]{2,4})?$")


@dataclass(frozen=True)
class ImportResult:
    """What an import did: the course, its published tree, counts, and whether anything changed."""

    course: Course
    tree_id: int
    blocks: int
    assets: int
    changed: bool
    #: components kept as placeholders, their content unreadable here (file, line and reason of each)
    warnings: tuple[Problem, ...] = ()


# The stages ``import_course`` reports: archive unpacked, course read, course stored.
IMPORT_STAGES = 3


def import_course(
    source: Path,
    *,
    actor: User | None,
    limits: ImportLimits | None = None,
    skip_unchanged: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import the course folder or archive at ``source``; raise ImportFailed with every problem found.

    With ``skip_unchanged``, a source identical to the one last imported for that course (same digest)
    changes nothing. ``actor`` is who imports (None from the command line). ``progress(done, total)`` is
    told as each of the import's stages ends (unpacked, read, stored).
    """
    limits = limits or ImportLimits()
    source = Path(source)
    told = progress or (lambda _done, _total: None)
    with tempfile.TemporaryDirectory(prefix="cybermassif-import-") as work:
        root = _course_root(source, Path(work), limits)
        told(1, IMPORT_STAGES)
        digest = source_digest(root)
        if skip_unchanged and (unchanged := _unchanged(root, digest)) is not None:
            return unchanged
        parsed = read_course(root, config=bridge.setup_for().config(), limits=limits)
    told(2, IMPORT_STAGES)
    _check_course_settings(parsed)
    _check_visibility(parsed)
    result = _store(parsed, actor)
    told(3, IMPORT_STAGES)
    log.info(
        "course %s imported by %s: tree %s",
        parsed.course_key,
        actor.email if actor else "CLI",
        result.tree_id,
    )
    return result


def _course_root(source: Path, work: Path, limits: ImportLimits) -> Path:
    if source.is_dir():
        return source
    if source.is_file() and source.name.endswith(_ARCHIVE_SUFFIXES):
        try:
            return extract_course_archive(
                source,
                work / "course",
                max_total_bytes=limits.max_total_bytes,
                max_files=limits.max_files,
                max_member_bytes=max(limits.max_asset_bytes, limits.max_xml_bytes),
            )
        except ArchiveError as error:
            file = f"{source.name}:{error.member}" if error.member is not None else source.name
            raise ImportFailed([Problem(file, None, error.message, "archive", error.params)]) from None
    raise ImportFailed(
        [Problem(str(source), None, _("expected a course folder or a .tar.gz archive"), "source")]
    )


def _unchanged(root: Path, digest: str) -> ImportResult | None:
    # The course key is in course.xml; reading it costs one small parse, the digest saved the rest.
    key = course_key_of(root)
    if key is None:
        return None
    course = db.session.scalar(select(Course).where(Course.course_key == str(key)))
    if course is None or course.source_sha256 != digest or course.published_tree_id is None:
        return None
    tree_id = course.published_tree_id
    blocks = db.session.scalar(select(func.count()).where(StoredBlock.tree_id == tree_id))
    assets = db.session.scalar(select(func.count()).where(CourseAsset.tree_id == tree_id))
    return ImportResult(course, tree_id, blocks or 0, assets or 0, changed=False)


def _store(parsed: ParsedCourse, actor: User | None) -> ImportResult:
    key = str(parsed.course_key)
    tree = BlockTree(course_key=key, root_usage_id=parsed.root_usage_id)
    db.session.add(tree)
    db.session.flush()
    db.session.execute(
        insert(StoredBlock),
        [
            {
                "tree_id": tree.id,
                "usage_id": r.usage_id,
                "definition_id": r.definition_id,
                "block_type": r.block_type,
                "parent_usage_id": r.parent_usage_id,
                "position": r.position,
                "display_name": (r.display_name or None) and r.display_name[:255],
                "url_name": parsed.url_names.get(r.usage_id),
                "content": r.content or {},
                "settings": r.settings or {},
                "olx": r.olx,
            }
            for r in parsed.records
        ],
    )
    if parsed.assets:
        db.session.execute(
            insert(CourseAsset),
            [
                {
                    "tree_id": tree.id,
                    "path": a.path,
                    "openedx_name": a.openedx_name,
                    "content_type": a.content_type,
                    "size": a.size,
                    "sha256": a.sha256,
                    "data": a.data,
                }
                for a in parsed.assets
            ],
        )
    course = db.session.scalar(select(Course).where(Course.course_key == key))
    if course is None:
        course = Course(course_key=key)
        db.session.add(course)
    _describe(course, parsed)
    course.published_tree_id = tree.id
    db.session.flush()
    history.record_import(course, actor, len(parsed.records))
    return ImportResult(
        course,
        tree.id,
        len(parsed.records),
        len(parsed.assets),
        changed=True,
        warnings=_warnings(parsed),
    )


def _warnings(parsed: ParsedCourse) -> tuple[Problem, ...]:
    """What the import kept without reading it: components (as placeholders), components' visibility
    settings (the component then hidden from learners) and the updates page."""
    updates = [
        Problem(course_info.UPDATE_ITEMS, None, r.message, "info", r.params)
        for r in course_info.problems(parsed.kept_files)
    ]
    unreadable = [
        Problem(
            f"{record.block_type}/{parsed.url_names.get(record.usage_id, record.usage_id)}",
            None,
            reason.message,
            "visibility",
            reason.params,
        )
        for record in parsed.records
        if record.block_type not in visibility.STRUCTURE_TYPES
        for reason in visibility.component_problems(access_subset(record.settings) or {})
    ]
    return (*parsed.warnings, *unreadable, *updates)


def _check_course_settings(parsed: ParsedCourse) -> None:
    settings = {**parsed.course_settings, **parsed.policy}
    policy_file = f"policies/{parsed.course_key.run}/policy.json"
    found = [
        Problem(policy_file, None, r.message, "vista", r.params) for r in vista_tags.read_tags(settings)[1]
    ]
    found += [
        Problem(policy_file, None, r.message, "training_hours", r.params)
        for r in training_hours.read_minutes(settings)[1]
    ]
    if found:
        raise ImportFailed(found)


def _check_visibility(parsed: ParsedCourse) -> None:
    found = []
    for record in parsed.records:
        if record.block_type not in visibility.STRUCTURE_TYPES:
            continue
        is_course = record.usage_id == parsed.root_usage_id
        settings = dict(record.settings or {})
        if is_course:
            # The course's policy.json entry is applied to its block too; read as the import stores it.
            settings["xml_attributes"] = {**settings.get("xml_attributes", {}), **parsed.policy}
        url_name = parsed.url_names.get(record.usage_id, record.usage_id)
        for reason in visibility.problems(settings, is_course=is_course):
            found.append(
                Problem(f"{record.block_type}/{url_name}", None, reason.message, "visibility", reason.params)
            )
    if found:
        raise ImportFailed(found)


def _describe(course: Course, parsed: ParsedCourse) -> None:
    settings = {**parsed.course_settings, **parsed.policy}
    key = parsed.course_key
    course.org, course.number, course.run = key.org, key.course, key.run
    course.title = str(settings.get("display_name") or key.course)[:255]
    language = str(settings.get("language") or "fr")
    course.language = language if _LANGUAGE.match(language) else "fr"
    course.open_enrolment = open_enrolment(settings)
    course.training_minutes = training_hours.read_minutes(settings)[0]
    course.policy = parsed.policy
    course.grading_policy = parsed.grading_policy
    # Written by the course's authors (Open edX lays the overview out in <section>s): their policy.
    course.about = {name: clean_author_html(text) for name, text in parsed.about.items()}
    course.kept_files = dict(parsed.kept_files)
    course.has_info = course_info.has_info(parsed.kept_files)
    course.short_description = plain_text(parsed.about.get("short_description", ""))
    course.source_sha256 = parsed.source_sha256


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    return None


def open_enrolment(settings: dict[str, Any]) -> bool:
    """Whether anyone signed in may enrol: our own flag first, then Open edX's rule (open unless
    ``invitation_only`` is true)."""
    own = _flag(settings.get("cybermassif_open_enrolment"))
    if own is not None:
        return own
    return _flag(settings.get("invitation_only")) is not True


def plain_text(fragment: str) -> str:
    """An HTML fragment as plain text (for the catalogue's short description)."""
    text = html.unescape(bleach.clean(fragment or "", tags=set(), strip=True, strip_comments=True))
    return " ".join(text.split())
