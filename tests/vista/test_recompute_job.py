"""VISTA recomputation after a course's rebuild runs on the real queue (a SQLite file) once the rebuild
has committed, not in the import's request: the stored scores move only when a consumer runs it."""

from __future__ import annotations

import pytest

from app.vista import scores
from tests.jobs.harness import consuming, make_queue_app, queue_of, queue_url, wait_for
from tests.progress import conftest as progress_fixtures
from tests.runtime.olx_helpers import write_course
from tests.vista import report_fixtures
from tests.vista.report_fixtures import tagged_policy, worked_example_answers
from tests.vista.test_use_lens import complete, stored

probe_block_type = progress_fixtures.probe_block_type
progress_course = progress_fixtures.progress_course
learner_in = progress_fixtures.learner_in
enrolled_learner = progress_fixtures.enrolled_learner
questionnaire = report_fixtures.questionnaire
submit = report_fixtures.submit


def test_a_rebuild_queues_the_recomputation(
    app, database, tmp_path, progress_course, enrolled_learner, make_company, submit
):
    tagged = progress_course(number="TAG", extra_files=tagged_policy({"D3": 1.0}))
    company = make_company(headcount=20)
    submit(company, worked_example_answers())
    _user, learner = enrolled_learner(tagged, company=company)
    complete(learner)
    before = stored(app, company.id)
    assert before["D3"][1] > 10
    queue_app = make_queue_app(database, tmp_path, queue_url("sqlite", tmp_path))
    huey = queue_of(queue_app).huey
    write_course(tagged.root, tagged_policy({"D4": 1.0}))
    progress_fixtures.reimport(queue_app, tagged, tagged.spec)
    # Committed with the new version's roll-ups; the scores wait for the queue.
    assert huey.pending_count() == 1 and stored(app, company.id) == before
    with consuming(queue_app):
        wait_for(lambda: "D4" in stored(app, company.id) and stored(app, company.id)["D4"][1] > 0)
    rows = stored(app, company.id)
    assert rows["D3"][1] == pytest.approx(0.2 * 50)
    assert rows["D4"][1] == pytest.approx(100 * (0.5 / 20 + 0.3 + 0.2))
    assert scores.RECOMPUTE_COURSE in queue_of(queue_app).tasks
