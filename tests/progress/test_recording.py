"""Block-level progress records: idempotent upserts, order-independent, Open edX grade semantics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.core.extensions import db
from app.progress.models import BlockCompletion
from app.progress.recording import record
from app.runtime.events import ProgressEvent

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
COURSE = "course-v1:Cybermassif+TEST+2026"


def _event(user_id: int, minutes: int, **fields) -> ProgressEvent:
    base = {
        "user_id": user_id,
        "course_key": COURSE,
        "usage_id": f"block-v1:Cybermassif+TEST+2026+type@problem+block@{fields.pop('block', 'q1')}",
        "block_type": "problem",
        "completion": None,
        "at": T0 + timedelta(minutes=minutes),
    }
    return ProgressEvent(**{**base, **fields})


def _rows(user_id: int) -> list[tuple]:
    return [
        (r.completion, r.earned, r.possible, r.completed_at is not None)
        for r in db.session.scalars(select(BlockCompletion).where(BlockCompletion.user_id == user_id))
    ]


def test_replay_changes_nothing(app_ctx, make_user):
    user = make_user()
    events = [_event(user.id, 1, completion=1.0, earned=2.0, possible=3.0)]
    record(db.session, events)
    db.session.commit()
    first = db.session.scalar(select(BlockCompletion))
    stamp = (first.updated_at, first.completed_at, first.graded_at)
    record(db.session, events)
    db.session.commit()
    db.session.expire_all()
    again = db.session.scalar(select(BlockCompletion))
    assert db.session.scalar(select(func.count()).select_from(BlockCompletion)) == 1
    assert (again.updated_at, again.completed_at, again.graded_at) == stamp
    assert _rows(user.id) == [(1.0, 2.0, 3.0, True)]


def test_events_out_of_order_end_in_the_same_state(app_ctx, make_user):
    first, second = make_user(), make_user()
    older = _event(first.id, 1, completion=1.0)
    newer = _event(first.id, 5, completion=0.4)
    record(db.session, [older])
    record(db.session, [newer])
    record(db.session, [_event(second.id, 5, completion=0.4)])
    record(db.session, [_event(second.id, 1, completion=1.0)])
    db.session.commit()
    assert _rows(first.id) == _rows(second.id) == [(0.4, None, None, False)]


def test_only_if_higher_keeps_the_best_grade(app_ctx, make_user):
    user = make_user()
    record(db.session, [_event(user.id, 1, earned=3.0, possible=4.0, completion=1.0)])
    record(db.session, [_event(user.id, 2, earned=1.0, possible=4.0, only_if_higher=True)])
    db.session.commit()
    assert _rows(user.id) == [(1.0, 3.0, 4.0, True)]
    record(db.session, [_event(user.id, 3, earned=1.0, possible=4.0)])
    db.session.commit()
    db.session.expire_all()
    assert _rows(user.id) == [(1.0, 1.0, 4.0, True)]


def test_a_batch_with_the_same_block_twice_is_merged(app_ctx, make_user):
    user = make_user()
    record(db.session, [_event(user.id, 1, completion=0.5), _event(user.id, 2, completion=1.0)])
    db.session.commit()
    assert _rows(user.id) == [(1.0, None, None, True)]


def test_a_grade_without_completion_keeps_the_completion(app_ctx, make_user):
    user = make_user()
    record(db.session, [_event(user.id, 1, completion=0.7)])
    record(db.session, [_event(user.id, 2, earned=1.0, possible=1.0)])
    db.session.commit()
    assert _rows(user.id) == [(0.7, 1.0, 1.0, False)]
