"""Roll-ups kept up to date in the transaction of each progress event, one learner at a time.

Design: an event (a batch from one request) is recorded in ``block_completion``; then, for each learner
and course it names, that learner's records in the course are read (one indexed query: their own rows
only, so the cost never grows with the number of learners), their figures worked out from them and the
course's structure (:mod:`app.progress.figures`), and written: the containers above the blocks of the
event (``progress_rollup``) and the course row (``course_progress``: completion, grade, dates), and a
certificate once the course is completed and passed. Recomputing from the learner's rows instead of adding
deltas keeps the guarantees of the records themselves: a replayed event, or events out of order, end in
the same figures. Pages only read these rows; none recomputes a roll-up.

Totals (how many blocks each container counts) come from the course version the learner works on and are
stored with the figures. When a course is re-imported, its totals change: :func:`rebuild_course`
recomputes every learner's figures of that course, in the import's own transaction (the courses package
sets ``Course.published_tree_id``; :func:`init_app` watches that attribute and rebuilds before the
commit). A studio save that may change the figures (a container's settings, a scored block) does the
same in its transaction (``app.courses.authoring.blocks_edited``); ``flask progress rebuild COURSE_KEY``
does it by hand.

What a learner may see (``app.courses.visibility``: not released, staff only, another content group's)
counts neither for nor against them. It is decided when their figures are recomputed: a chapter whose start
date passes counts from the learner's next activity in the course (or the next rebuild), as Open edX's
persisted grades follow the learner's next graded event.

Concurrency: on SQLite every writer holds the database lock (``BEGIN IMMEDIATE``). On PostgreSQL, two
requests of one learner in one course must not both read before either writes, so each event first takes
a transaction lock on (learner, course), and a shared lock on the course, which a rebuild takes
exclusively.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

from blinker import Namespace
from sqlalchemy import and_, bindparam, case, delete, event, exists, func, insert, or_, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, object_session

from app.accounts.models import Company, Cybersite, Role, RoleGrant
from app.cohorts.models import Cohort, CohortCourse, CohortMember
from app.core.database import read_columns
from app.courses import authoring, library_draws, visibility
from app.courses.models import Course, Enrolment
from app.progress.figures import BlockState, LearnerFigures, summarise
from app.progress.grading import read_policy
from app.progress.models import BlockCompletion, Certificate, CourseProgress, ProgressRollup
from app.progress.recording import record
from app.progress.structure import COURSE, CourseStructure, build, structure_for
from app.runtime import bridge
from app.runtime.events import ProgressEvent
from app.runtime.host import HostRuntime, Learner
from app.runtime.tree import LoadedTree, shared_tree

REBUILD_KEY = "cybermassif.progress.rebuild"

_signals = Namespace()
# Sent in the transaction that wrote learners' course rows (their completion, grade or pass may have
# changed), with ``session``, ``course_key``, ``user_ids`` (None: every learner of the course, after a
# rebuild) and ``tree`` (the course version's structure, with its containers' settings). Higher layers
# (VISTA) keep what they derive from completions up to date with it.
course_progress_written = _signals.signal("progress.course-progress-written")
REBUILD_BATCH = 5_000

_b = BlockCompletion.__table__
_STATES = select(
    _b.c.usage_id,
    func.coalesce(_b.c.completion, 0.0),
    _b.c.earned,
    _b.c.possible,
    _b.c.completed_at,
    _b.c.graded_at,
    _b.c.updated_at,
).where(_b.c.user_id == bindparam("user_id"), _b.c.course_key == bindparam("course_key"))
_COURSE = select(Course.published_tree_id, Course.updated_at).where(Course.course_key == bindparam("key"))


def _state(row: Any) -> BlockState:
    return BlockState._make(row[1:7])


def _insert(session: Session) -> Callable[..., Any]:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# Statements -------------------------------------------------------------------------------------------------

_statements: dict[str, Any] = {}


def _rollup_upsert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    key = f"rollup-{dialect}"
    if key not in _statements:
        statement = _insert(session)(ProgressRollup.__table__)
        new = statement.excluded
        _statements[key] = statement.on_conflict_do_update(
            index_elements=["user_id", "usage_id"],
            set_={
                name: getattr(new, name)
                for name in (
                    *("course_key", "block_type", "tree_id", "completed", "total", "earned"),
                    *("possible", "completed_at", "updated_at"),
                )
            },
        )
    return _statements[key]


def _course_upsert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    key = f"course-{dialect}"
    if key not in _statements:
        table = CourseProgress.__table__
        statement = _insert(session)(table)
        new = statement.excluded
        _statements[key] = statement.on_conflict_do_update(
            index_elements=["user_id", "course_key"],
            set_={
                **{
                    name: getattr(new, name)
                    for name in (
                        *("tree_id", "completed", "total", "percent", "grade", "passed"),
                        *("last_activity_at", "completed_at", "updated_at"),
                    )
                },
                # The first activity ever seen stays; passing keeps the moment it was first recorded.
                "started_at": case(
                    (table.c.started_at <= new.started_at, table.c.started_at), else_=new.started_at
                ),
                "passed_at": case((new.passed, func.coalesce(table.c.passed_at, new.passed_at)), else_=None),
            },
        )
    return _statements[key]


def _certificate_insert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    key = f"certificate-{dialect}"
    if key not in _statements:
        # The Cybersite of a cohort the holder is a member of that follows the course (the oldest), even
        # when the enrolment was made through another cohort.
        enrolled_site = (
            select(Cohort.cybersite_id)
            .join(CohortMember, CohortMember.cohort_id == Cohort.id)
            .join(CohortCourse, CohortCourse.cohort_id == Cohort.id)
            .join(Course, Course.id == CohortCourse.course_id)
            .where(CohortMember.user_id == bindparam("holder"), Course.course_key == bindparam("course"))
            .order_by(Cohort.id)
            .limit(1)
            .scalar_subquery()
        )
        company_site = (
            select(Company.cybersite_id)
            .join(RoleGrant, RoleGrant.company_id == Company.id)
            .where(RoleGrant.user_id == bindparam("holder"))
            .order_by(RoleGrant.id)
            .limit(1)
            .scalar_subquery()
        )
        statement = _insert(session)(Certificate.__table__).values(
            user_id=bindparam("holder"),
            course_key=bindparam("course"),
            code=bindparam("verification"),
            grade=bindparam("final_grade"),
            issued_at=bindparam("issued"),
            cybersite_id=func.coalesce(enrolled_site, company_site),
        )
        _statements[key] = statement.on_conflict_do_nothing(index_elements=["user_id", "course_key"])
    return _statements[key]


# Figures of one learner -------------------------------------------------------------------------------------


def _rollup_rows(
    structure: CourseStructure,
    user_id: int,
    figures: LearnerFigures,
    containers: Iterable[str],
    now: datetime,
) -> list[dict[str, Any]]:
    rows = []
    for usage_id in containers:
        found = figures.containers.get(usage_id)
        container = structure.containers.get(usage_id)
        if found is None or container is None or container.block_type == COURSE:
            continue
        rows.append(
            {
                "user_id": user_id,
                "course_key": structure.course_key,
                "usage_id": usage_id,
                "block_type": container.block_type,
                "tree_id": structure.tree_id,
                "completed": found.completed,
                "total": found.total,
                "earned": found.earned,
                "possible": found.possible,
                "completed_at": found.completed_at,
                "updated_at": now,
            }
        )
    return rows


def _course_row(structure: CourseStructure, user_id: int, figures: LearnerFigures, now: datetime) -> dict:
    course = figures.course
    return {
        "user_id": user_id,
        "course_key": structure.course_key,
        "tree_id": structure.tree_id,
        "completed": course.completed,
        "total": course.total,
        "percent": course.percent,
        "grade": course.grade,
        "passed": course.passed,
        "started_at": course.first_activity_at,
        "last_activity_at": course.last_activity_at,
        "completed_at": course.completed_at,
        "passed_at": course.passed_at,
        "updated_at": now,
    }


# SQLite takes times as text, as SQLAlchemy's DATETIME type writes them.
_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"
_driver_statements: dict[tuple[int, tuple[str, ...]], tuple[str, tuple[str, ...]] | None] = {}


def _for_driver(statement: Any, keys: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
    """A cached upsert compiled for SQLite with these keys: its SQL and the keys in its parameters'
    order; None when its parameters are not exactly those keys (then SQLAlchemy runs it)."""
    cache_key = (id(statement), keys)
    if cache_key not in _driver_statements:
        compiled = statement.compile(dialect=sqlite_dialect(), column_keys=list(keys))
        names = tuple(compiled.positiontup or ())
        _driver_statements[cache_key] = (compiled.string, names) if set(names) <= set(keys) else None
    return _driver_statements[cache_key]


def _driver_value(value: Any) -> Any:
    return value.strftime(_SQLITE_TIME) if isinstance(value, datetime) else value


def _write(connection: Any, statement: Any, rows: list[dict[str, Any]]) -> None:
    """Run one of the cached upserts for these rows (all with the same keys). On SQLite, straight to the
    driver's executemany: SQLAlchemy's per-row parameter processing costs as much as the statement here,
    on the path of every progress event."""
    compiled = _for_driver(statement, tuple(rows[0])) if connection.dialect.name == "sqlite" else None
    if compiled is None:
        connection.execute(statement, rows)
        return
    sql, names = compiled
    connection.exec_driver_sql(sql, [tuple(_driver_value(row[name]) for name in names) for row in rows])


def new_certificate_code() -> str:
    """A random, unguessable verification code (100 bits), in groups easy to read out: ``ABCD-EFGH-…``."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
    raw = "".join(secrets.choice(alphabet) for _ in range(20))
    return "-".join(raw[i : i + 4] for i in range(0, 20, 4))


def _certificate_rows(
    structure: CourseStructure, user_id: int, figures: LearnerFigures, now: datetime
) -> list:
    course = figures.course
    if course.completed_at is None or not course.passed:
        return []
    return [
        {
            "holder": user_id,
            "course": structure.course_key,
            "verification": new_certificate_code(),
            "final_grade": course.grade,
            "issued": now,
        }
    ]


def refresh_learner(
    session: Session,
    structure: CourseStructure,
    user_id: int,
    blocks: Iterable[str],
    hidden: frozenset[str] = frozenset(),
) -> None:
    """Recompute one learner's figures in a course after events on ``blocks``; write what they change.

    ``hidden``: the blocks the learner may not see, which count neither for nor against them."""
    connection = session.connection()
    rows = read_columns(session, _STATES, {"user_id": user_id, "course_key": structure.course_key})
    states = {row[0]: _state(row) for row in rows.all()}  # one fetch, not one a row
    touched = {c for u in blocks for c in structure.ancestors.get(u, ())}
    figures = summarise(structure, states, only=touched, hidden=hidden)
    now = datetime.now(UTC)
    rollups = _rollup_rows(structure, user_id, figures, sorted(touched), now)
    if rollups:
        _write(connection, _rollup_upsert(session), rollups)
    _write(connection, _course_upsert(session), [_course_row(structure, user_id, figures, now)])
    certificates = _certificate_rows(structure, user_id, figures, now)
    if certificates:
        connection.execute(_certificate_insert(session), certificates)


# The event path ---------------------------------------------------------------------------------------------


def _lock(session: Session, pairs: Sequence[tuple[str, int]]) -> None:
    """PostgreSQL: serialise the events of one learner in one course (and let rebuilds exclude them).

    Always taken in the same order (course, then learner), so that two batches never wait for each other.
    """
    for course_key, user_id in pairs:
        session.execute(
            text(
                "SELECT pg_advisory_xact_lock_shared(hashtext(:c)::bigint),"
                " pg_advisory_xact_lock(hashtext(:c), :u)"
            ),
            {"c": course_key, "u": user_id},
        )


def _course_lock(session: Session, course_key: str) -> None:
    if _is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:c)::bigint)"), {"c": course_key})


def _runtime_factory(course_key: str, tree: LoadedTree) -> Callable[[], HostRuntime]:
    return lambda: bridge.make_runtime(course_key=course_key, tree=tree, learner=Learner(user_id=None))


def _policy_loader(session: Session, course_key: str) -> Callable[[], Any]:
    def load() -> Any:
        raw = session.scalar(select(Course.grading_policy).where(Course.course_key == course_key))
        return read_policy(raw)

    return load


def structure_of(
    session: Session, course_key: str, runtime: Any = None, course: Course | None = None
) -> CourseStructure | None:
    """The structure of the course version a runtime works on (else the published one: of ``course``
    when the caller has it loaded), or None."""
    found = _tree_and_structure(session, course_key, runtime, course)
    return found[1] if found is not None else None


def _tree_and_structure(
    session: Session, course_key: str, runtime: Any = None, course: Course | None = None
) -> tuple[LoadedTree, CourseStructure] | None:
    tree = getattr(runtime, "tree", None)
    if not (
        isinstance(tree, LoadedTree)
        and tree.tree_id is not None
        and str(getattr(runtime, "course_id", "")) == course_key
    ):
        if course is not None:
            published = (course.published_tree_id, course.updated_at)
        else:
            published = session.execute(_COURSE, {"key": course_key}).first()
        if published is None or published[0] is None:
            return None
        tree = shared_tree(session, published[0], published[1])
    config = bridge.setup_for().config()
    return tree, structure_for(
        tree,
        course_key,
        config.disabled_types,
        _policy_loader(session, course_key),
        _runtime_factory(course_key, tree),
    )


# Who counts what: the learners' view of a course ----------------------------------------------------------


def _viewers(session: Session, course_key: str, user_ids: Iterable[int]) -> dict[int, visibility.Viewer]:
    """How the course looks to each of these learners: whether they are course staff (trainers of an
    active Cybersite, administrators: as ``Action.STAFF_COURSES``) and their content group (two queries)."""
    ids = sorted(set(user_ids))
    groups = dict(
        session.execute(
            select(Enrolment.user_id, CohortCourse.content_group_id)
            .join(Course, Course.id == Enrolment.course_id)
            .join(
                CohortCourse,
                and_(CohortCourse.cohort_id == Enrolment.cohort_id, CohortCourse.course_id == Course.id),
            )
            .where(
                Course.course_key == course_key,
                Enrolment.user_id.in_(ids),
                Enrolment.active.is_(True),
                CohortCourse.content_group_id.is_not(None),
            )
        ).all()
    )
    staff = set(
        session.scalars(
            select(RoleGrant.user_id)
            .outerjoin(Cybersite, Cybersite.id == RoleGrant.cybersite_id)
            .where(
                RoleGrant.user_id.in_(ids),
                or_(
                    RoleGrant.role == Role.NETWORK_ADMIN,
                    and_(RoleGrant.role == Role.TRAINER, Cybersite.active.is_(True)),
                ),
            )
        ).all()
    )
    return {
        u: visibility.Viewer(u in staff, frozenset([groups[u]]) if u in groups else frozenset()) for u in ids
    }


def _hidden(tree: LoadedTree, structure: CourseStructure, viewer: visibility.Viewer) -> frozenset[str]:
    """The counted and scored blocks this viewer may not see (progress ignores hide-after-due)."""
    seen = visibility.Visibility(tree, viewer, for_progress=True)
    return seen.hidden_below(structure.ancestors)


def _hidden_for(
    session: Session,
    *,
    tree: LoadedTree,
    structure: CourseStructure,
    course_key: str,
    user_ids: Iterable[int],
    runtime: Any,
) -> dict[int, frozenset[str]]:
    """For each learner, what does not count for them: what they may not see of the course (no query when
    the course restricts nothing, nor for the learner the runtime works for: it knows who they are), and
    the children of randomised content blocks not drawn for them (one query, when the course has any)."""
    ids = set(user_ids)
    found = _with_draws(session, tree, ids, {})
    if not visibility.restricts_anything(tree):
        return found
    learner = getattr(runtime, "learner", None)
    own = getattr(learner, "user_id", None)
    if own in ids and str(getattr(runtime, "course_id", "")) == course_key:
        viewer = visibility.Viewer(bool(learner.is_staff), frozenset(learner.content_groups))
        found[own] = found.get(own, frozenset()) | _hidden(tree, structure, viewer)
        ids.discard(own)
    if ids:
        for user_id, viewer in _viewers(session, course_key, ids).items():
            found[user_id] = found.get(user_id, frozenset()) | _hidden(tree, structure, viewer)
    return found


def _with_draws(
    session: Session, tree: LoadedTree, user_ids: Iterable[int], hidden: dict[int, frozenset[str]]
) -> dict[int, frozenset[str]]:
    """``hidden`` with, for each learner, the children of randomised content blocks not drawn for them."""
    for user_id, undrawn in library_draws.not_counted_for(session, tree, user_ids).items():
        hidden[user_id] = hidden.get(user_id, frozenset()) | undrawn
    return hidden


def apply(session: Session, events: Sequence[ProgressEvent], runtime: Any = None) -> None:
    """Record a batch of events and bring the roll-ups of every learner and course it names up to date."""
    if not events:
        return
    pairs = sorted({(e.course_key, e.user_id) for e in events})
    if _is_postgres(session):
        _lock(session, pairs)
    record(session, events)
    for course_key, group in groupby(pairs, key=lambda pair: pair[0]):
        found = _tree_and_structure(session, course_key, runtime)
        if found is None:
            continue
        tree, structure = found
        user_ids = [user_id for _, user_id in group]
        hidden = _hidden_for(
            session, tree=tree, structure=structure, course_key=course_key, user_ids=user_ids, runtime=runtime
        )
        for user_id in user_ids:
            blocks = {e.usage_id for e in events if e.user_id == user_id and e.course_key == course_key}
            refresh_learner(session, structure, user_id, blocks, hidden.get(user_id, frozenset()))
        course_progress_written.send(
            None, session=session, course_key=course_key, user_ids=user_ids, tree=tree
        )


def refresh_draw(
    session: Session, course_key: str, user_id: int, usage_ids: Iterable[str], runtime: Any = None
) -> None:
    """Recompute one learner's figures above these blocks when no new record names them: their draw of a
    randomised content block changed (the children that count for them are others now)."""
    if _is_postgres(session):
        _lock(session, [(course_key, user_id)])
    found = _tree_and_structure(session, course_key, runtime)
    if found is None:
        return
    tree, structure = found
    hidden = _hidden_for(
        session, tree=tree, structure=structure, course_key=course_key, user_ids=[user_id], runtime=runtime
    )
    refresh_learner(session, structure, user_id, set(usage_ids), hidden.get(user_id, frozenset()))
    course_progress_written.send(None, session=session, course_key=course_key, user_ids=[user_id], tree=tree)


# Rebuilding a whole course ----------------------------------------------------------------------------------


def rebuild_course(session: Session, course_key: str) -> int:
    """Recompute every learner's figures of a course from their records (after a new version is
    published); returns how many learners it rebuilt. Flushes, never commits."""
    course = session.scalar(select(Course).where(Course.course_key == course_key))
    if course is None or course.published_tree_id is None:
        return 0
    session.flush()
    _course_lock(session, course_key)
    if not session.scalar(select(exists().where(_b.c.course_key == course_key))):
        session.execute(delete(ProgressRollup).where(ProgressRollup.course_key == course_key))
        return 0
    tree = LoadedTree.load_structure(session, course.published_tree_id)
    structure = build(
        tree, course_key, read_policy(course.grading_policy), _runtime_factory(course_key, tree)
    )
    connection = session.connection()
    hidden = _hidden_in_course(session, tree, structure, course_key)
    connection.execute(delete(ProgressRollup.__table__).where(ProgressRollup.course_key == course_key))
    now = datetime.now(UTC)
    rows = connection.execute(
        select(_b.c.user_id, *_STATES.selected_columns)
        .where(_b.c.course_key == course_key)
        .order_by(_b.c.user_id),
        execution_options={"yield_per": REBUILD_BATCH},
    )
    learners = 0
    rollups: list[dict[str, Any]] = []
    courses: list[dict[str, Any]] = []
    certificates: list[dict[str, Any]] = []
    for user_id, group in groupby(rows, key=lambda row: row[0]):
        states = {row[1]: _state(row[1:]) for row in group}
        figures = summarise(structure, states, hidden=hidden.get(user_id, frozenset()))
        rollups += _rollup_rows(structure, user_id, figures, figures.containers, now)
        courses.append(_course_row(structure, user_id, figures, now))
        certificates += _certificate_rows(structure, user_id, figures, now)
        learners += 1
        if len(rollups) >= REBUILD_BATCH:
            connection.execute(insert(ProgressRollup.__table__), rollups)
            rollups = []
        if len(courses) >= REBUILD_BATCH:
            connection.execute(_course_upsert(session), courses)
            courses = []
    if rollups:
        connection.execute(insert(ProgressRollup.__table__), rollups)
    if courses:
        connection.execute(_course_upsert(session), courses)
    if certificates:
        connection.execute(_certificate_insert(session), certificates)
    course_progress_written.send(None, session=session, course_key=course_key, user_ids=None, tree=tree)
    return learners


def _hidden_in_course(
    session: Session, tree: LoadedTree, structure: CourseStructure, course_key: str
) -> dict[int, frozenset[str]]:
    """What does not count for each learner with records in the course: what they may not see of it
    (nothing to read when the course restricts nothing), worked out once per kind of viewer (staff or not,
    content group), and the children of randomised content blocks not drawn for them."""
    restricts = visibility.restricts_anything(tree)
    if not restricts and not library_draws.library_blocks(tree):
        return {}
    user_ids = session.scalars(select(_b.c.user_id).where(_b.c.course_key == course_key).distinct()).all()
    found: dict[int, frozenset[str]] = {}
    if not restricts:
        for start in range(0, len(user_ids), REBUILD_BATCH):
            _with_draws(session, tree, user_ids[start : start + REBUILD_BATCH], found)
        return found
    by_kind: dict[tuple[bool, frozenset[int]], frozenset[str]] = {}
    for start in range(0, len(user_ids), REBUILD_BATCH):
        for user_id, viewer in _viewers(session, course_key, user_ids[start : start + REBUILD_BATCH]).items():
            kind = (viewer.is_staff, viewer.groups)
            if kind not in by_kind:
                by_kind[kind] = _hidden(tree, structure, viewer)
            found[user_id] = by_kind[kind]
        _with_draws(session, tree, user_ids[start : start + REBUILD_BATCH], found)
    return found


def _on_published(target: Course, value: Any, oldvalue: Any, _initiator: Any) -> None:
    from sqlalchemy.orm import object_session

    session = object_session(target)
    if session is not None and value is not None and value != oldvalue and target.course_key:
        session.info.setdefault(REBUILD_KEY, set()).add(target.course_key)


def _before_commit(session: Session) -> None:
    for course_key in sorted(session.info.pop(REBUILD_KEY, set())):
        rebuild_course(session, course_key)


# Edits to these change what a course counts or how it grades: a container's settings (graded, format,
# the units it holds) or a scored block (its weight, its questions).
_STRUCTURE_TYPES = frozenset({"course", "chapter", "sequential", "vertical"})


def _on_blocks_edited(sender: object, course: Course, block_types: set[str] = frozenset(), **_: Any) -> None:
    """An author's save: rebuild the course's roll-ups in its transaction when it may change the figures
    (editing a text or a video changes none, and rebuilding a large course takes a while)."""
    registry = bridge.setup_for().registry
    scored = any(getattr(registry.load_block_class(t), "has_score", False) for t in block_types)
    if scored or block_types & _STRUCTURE_TYPES:
        session = object_session(course)
        if session is not None:
            session.info.setdefault(REBUILD_KEY, set()).add(course.course_key)


def init_app() -> None:
    """Rebuild a course's roll-ups in the transaction that publishes a new version of it, or that saves an
    author's edit which may change its figures."""
    if not event.contains(Course.published_tree_id, "set", _on_published):
        event.listen(Course.published_tree_id, "set", _on_published, active_history=True)
        event.listen(Session, "before_commit", _before_commit)
    authoring.blocks_edited.connect(_on_blocks_edited)


def on_progress(sender: object, events: Sequence[ProgressEvent] = ()) -> None:
    """Receiver of the runtime's ``progress_recorded`` signal: record and roll up in the request's session."""
    from app.core.extensions import db

    apply(db.session, events, runtime=sender)
