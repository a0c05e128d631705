"""Fixtures of the forum's own tests: those of the block tests (a course with forums, enrolled learners,
cohorts, trainers, signed-in block clients), so that pages are tested with real posts."""

from tests.plugins.conftest import as_user, enrolled, olx_course  # noqa: F401 (fixtures)
from tests.plugins.discussion.conftest import (  # noqa: F401 (fixtures)
    forum_course,
    forum_site,
    forum_state,
    learner_in,
    make_cohort,
    trainer,
)
