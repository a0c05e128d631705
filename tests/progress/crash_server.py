"""What gunicorn serves in the crash-safety test: the application on the test run's database, with the
test's ``probe`` block type, and — only when ``CRASH_TEST_BROKEN`` is set — a deliberately non-idempotent
write path (a replayed completion is counted again), to show that the test detects it. Never used by the
product."""

from __future__ import annotations

import json
import os
from typing import Any

from sqlalchemy import and_, select, update

from app import create_app
from app.core.extensions import db
from app.progress import rollups
from app.progress.models import BlockCompletion, CourseProgress
from app.runtime.registry import get_registry
from tests.progress.conftest import ProbeBlock

_registry = get_registry()
_load = _registry.load_block_class
_registry.load_block_class = lambda name: ProbeBlock if name == "probe" else _load(name)

app = create_app(
    {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "RATELIMIT_STORAGE_URI": "memory://",
        **json.loads(os.environ["CRASH_TEST_SETTINGS"]),
    }
)

# Served with --preload (workers are forked ready, so that a killed one is replaced at once): no connection
# opened while creating the application may be shared by the forked workers.
with app.app_context():
    db.engine.dispose()

if os.environ.get("CRASH_TEST_BROKEN"):
    _apply = rollups.apply

    def _counting_replays(session: Any, events: Any, runtime: Any = None) -> None:
        """The real write path, then one more completion counted for each event already recorded."""
        replayed = [
            e
            for e in events
            if session.scalar(
                select(BlockCompletion.id).where(
                    and_(
                        BlockCompletion.user_id == e.user_id,
                        BlockCompletion.usage_id == e.usage_id,
                        BlockCompletion.completion >= 1.0,
                    )
                )
            )
        ]
        _apply(session, events, runtime)
        for e in replayed:
            session.execute(
                update(CourseProgress)
                .where(CourseProgress.user_id == e.user_id, CourseProgress.course_key == e.course_key)
                .values(completed=CourseProgress.completed + 1)
            )

    rollups.apply = _counting_replays
