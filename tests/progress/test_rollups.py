"""Roll-ups through the real endpoints: unit pages and block handlers update the learner's figures per
unit, sequence, chapter and course in the same transaction; re-imports rebuild them."""

from __future__ import annotations

from sqlalchemy import func, select

from app.core.extensions import db
from app.progress.models import BlockCompletion, Certificate, CourseProgress, ProgressRollup
from tests.progress.conftest import DEFAULT_SPEC, reimport


def _course_row(app, user_id: int, course_key: str) -> CourseProgress | None:
    with app.app_context():
        row = db.session.scalar(
            select(CourseProgress).where(
                CourseProgress.user_id == user_id, CourseProgress.course_key == course_key
            )
        )
        if row is not None:
            db.session.expunge(row)
        return row


def _rollups(app, user_id: int) -> dict[str, tuple[int, int, float, float, bool]]:
    with app.app_context():
        rows = db.session.scalars(select(ProgressRollup).where(ProgressRollup.user_id == user_id)).all()
        return {
            r.usage_id.rsplit("@", 1)[-1]: (
                r.completed,
                r.total,
                r.earned,
                r.possible,
                r.completed_at is not None,
            )
            for r in rows
        }


def test_a_unit_view_rolls_up_to_unit_sequence_chapter_and_course(app, progress_course, enrolled_learner):
    course = progress_course()
    user, learner = enrolled_learner(course)
    learner.view("u1")
    assert _rollups(app, user.id) == {
        "u1": (2, 2, 0.0, 0.0, True),
        "s1": (2, 2, 0.0, 0.0, True),
        "ch1": (2, 3, 0.0, 2.0, False),
    }
    row = _course_row(app, user.id, course.course_key)
    assert (row.completed, row.total, round(row.percent, 4)) == (2, 6, round(2 / 6, 4))
    assert row.grade == 0.0 and not row.passed and row.completed_at is None


def test_grades_roll_up_to_the_course_grade_and_pass(app, progress_course, enrolled_learner):
    course = progress_course()
    user, learner = enrolled_learner(course)
    assert learner.report("p1", grade=2.0, completion=1.0).status_code == 200
    # Quiz: s2 100 %, s3 0 % → 50 % × 0.6; Exam 0 → 0.30
    assert _course_row(app, user.id, course.course_key).grade == 0.3
    assert learner.report("p3", grade=0.5, max=1.0, completion=1.0).status_code == 200
    row = _course_row(app, user.id, course.course_key)
    assert row.grade == 0.5 and row.passed and row.passed_at is not None  # 0.30 + 0.4 × 0.5
    assert row.completed_at is None
    assert _rollups(app, user.id)["s4"] == (1, 2, 0.5, 1.0, False)


def test_completing_and_passing_dates_the_course_and_issues_a_certificate(
    app, progress_course, enrolled_learner
):
    course = progress_course()
    user, learner = enrolled_learner(course)
    for unit in ("u1", "u2", "u3", "u4"):
        learner.view(unit)
    for probe in ("p1", "p2", "p3"):
        learner.report(probe, grade=1.0, max=1.0, completion=1.0)
    row = _course_row(app, user.id, course.course_key)
    assert (row.completed, row.total, row.percent, row.grade, row.passed) == (6, 6, 1.0, 1.0, True)
    assert row.completed_at is not None
    with app.app_context():
        certificate = db.session.scalar(select(Certificate).where(Certificate.user_id == user.id))
        assert certificate is not None and certificate.grade == 1.0
        code = certificate.code
    # A later event changes nothing of the certificate (issued once).
    learner.report("p1", grade=1.0, max=1.0, completion=1.0)
    with app.app_context():
        assert db.session.scalars(select(Certificate.code)).all() == [code]


def test_completion_going_down_takes_the_completed_date_back(app, progress_course, enrolled_learner):
    course = progress_course(
        spec=[("ch", [("s", {}, [("u", [("probe", "p", 1.0)])])])], policy={"GRADER": []}
    )
    user, learner = enrolled_learner(course)
    learner.report("p", completion=1.0)
    row = _course_row(app, user.id, course.course_key)
    assert row.completed_at is not None and row.passed  # nothing graded: completing is passing
    learner.report("p", completion=0.5)
    row = _course_row(app, user.id, course.course_key)
    assert (row.completed, row.completed_at, row.passed, row.passed_at) == (0, None, False, None)


def test_an_event_touches_only_its_learners_rows(app, progress_course, enrolled_learner, count_statements):
    course = progress_course()
    _first, first_client = enrolled_learner(course)
    others = [enrolled_learner(course) for _ in range(5)]
    for _, other in others:
        other.view("u1")
    first_client.view("u1")

    def post():
        return first_client.report("p1", grade=1.0, completion=1.0)

    response, statements = count_statements(post)
    assert response.status_code == 200
    touching = [s for s in statements if "progress_rollup" in s or "course_progress" in s]
    # One upsert of the containers above the block, one of the course row; no statement reads other
    # learners (every statement on these tables is keyed by this learner).
    assert len(touching) == 2, touching
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "block_completion" in s]
    assert len(reads) == 1 and "block_completion.user_id = ?" in reads[0].replace("%(user_id)s", "?")


def test_a_replayed_event_changes_no_figure(app, progress_course, enrolled_learner):
    course = progress_course()
    user, learner = enrolled_learner(course)
    learner.report("p1", grade=1.0, completion=1.0)
    before = (_rollups(app, user.id), _course_row(app, user.id, course.course_key))
    learner.report("p1", grade=1.0, completion=1.0)
    after = (_rollups(app, user.id), _course_row(app, user.id, course.course_key))
    assert before[0] == after[0]
    fields = ("completed", "total", "percent", "grade", "passed", "completed_at", "passed_at", "started_at")
    assert [getattr(before[1], f) for f in fields] == [getattr(after[1], f) for f in fields]


def test_a_reimport_rebuilds_the_totals_in_the_same_transaction(app, progress_course, enrolled_learner):
    course = progress_course()
    user, learner = enrolled_learner(course)
    learner.view("u1")
    assert _rollups(app, user.id)["ch1"][:2] == (2, 3)
    # The new version adds a text to unit u1 and removes chapter 2.
    spec = [
        (
            "ch1",
            [
                ("s1", {}, [("u1", [("html", "h1", 0), ("html", "h2", 0), ("html", "h9", 0)])]),
                ("s2", {"graded": "true", "format": "Quiz"}, [("u2", [("probe", "p1", 2.0)])]),
            ],
        )
    ]
    new_tree = reimport(app, course, spec)
    rollups = _rollups(app, user.id)
    assert rollups["u1"][:2] == (2, 3) and not rollups["u1"][4]
    assert rollups["ch1"][:2] == (2, 4)
    row = _course_row(app, user.id, course.course_key)
    assert (row.completed, row.total, row.tree_id) == (2, 4, new_tree)


def test_the_demo_course_spec_counts_every_completable_block(app, progress_course, enrolled_learner):
    course = progress_course()
    user, learner = enrolled_learner(course)
    learner.view("u4")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BlockCompletion)) == 1  # h3 only
    row = _course_row(app, user.id, course.course_key)
    blocks = sum(len(b) for _, seqs in DEFAULT_SPEC for _, _, units in seqs for _, b in units)
    assert row.total == blocks == 6


def test_enrolment_is_not_needed_for_staff_but_they_get_figures_too(
    app, progress_course, learner_in, make_user, make_cybersite
):
    from app.accounts.models import Role

    course = progress_course()
    trainer = make_user(roles=[(Role.TRAINER, make_cybersite())])
    client = learner_in(trainer, course)
    client.view("u1")
    assert _course_row(app, trainer.id, course.course_key).completed == 2


def test_the_rebuild_command_recomputes_the_same_figures(app, progress_course, enrolled_learner):
    course = progress_course()
    user, learner = enrolled_learner(course)
    learner.view("u1")
    learner.report("p1", grade=2.0, completion=1.0)
    before = (_rollups(app, user.id), _course_row(app, user.id, course.course_key).grade)
    with app.app_context():
        db.session.execute(ProgressRollup.__table__.delete())
        db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["progress", "rebuild", course.course_key])
    assert result.exit_code == 0, result.output
    assert "1 learner(s) rebuilt" in result.output
    assert (_rollups(app, user.id), _course_row(app, user.id, course.course_key).grade) == before
    assert runner.invoke(args=["progress", "rebuild", "--all"]).exit_code == 0


def test_the_rebuild_command_refuses_unknown_courses(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["progress", "rebuild", "course-v1:Nope+X+1"])
    assert result.exit_code != 0 and "no course" in result.output
    assert runner.invoke(args=["progress", "rebuild"]).exit_code != 0


def test_the_structure_of_a_demo_course_counts_its_real_problems_and_case_study(app):
    from pathlib import Path

    from app.courses.importing import import_course
    from app.progress.rollups import structure_of

    with app.test_request_context():
        result = import_course(
            Path(__file__).resolve().parents[2] / "courses" / "cybersecurite-pme", actor=None
        )
        db.session.commit()
        structure = structure_of(db.session, str(result.course.course_key))
        kinds = {structure.block_types[u] for u in structure.points}
        assert kinds == {"problem", "case_study"}
        assert all(points == 1.0 for points in structure.points.values())
        formats = sorted(g.format for g in structure.graded)
        assert formats == ["Quiz", "Quiz", "Quiz", "Quiz", "Étude de cas"]
        assert structure.policy.pass_mark == 0.6
        assert len(structure.of_type("chapter")) == 4
        assert structure.total >= len(structure.points)
