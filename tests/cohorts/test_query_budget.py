"""Exact counters: a cohort's page and the cohorts list cost the same few SQL statements whatever the
number of members."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from app.accounts.models import Role
from app.core.extensions import db
from tests.cohorts.conftest import EN, signed_in

BUDGET = 16


class Counter:
    """Counts SQL statements on the engine (transaction control and PRAGMAs excepted)."""

    IGNORED = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(self.IGNORED):
            self.statements.append(statement)


def _count(app, action):
    counter = Counter()
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        response = action()
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return response, counter.statements


@pytest.mark.parametrize("person", ["manager", "company_manager"])
def test_the_cohort_page_costs_the_same_with_1_and_50_members(app, world, make_cohort, make_user, person):
    client = signed_in(app.test_client(), getattr(world, person))
    counts = {}
    for size in (1, 50):
        people = [make_user(roles=[(Role.LEARNER, world.company)], language="en") for _ in range(size)]
        cohort = make_cohort(
            world.site,
            companies=[world.company, world.sister],
            courses=[world.course, world.other_course],
            members=[(p, world.company) for p in people],
            capacity=60,
            name=f"Taille {size}",
        )
        make_cohort(world.site, companies=[world.company], name=f"Autre {size}")  # a cohort to move to
        response, statements = _count(app, lambda c=cohort: client.get(f"/cohortes/{c.id}", headers=EN))
        assert response.status_code == 200
        assert response.get_data(as_text=True).count("<tr>") == size + 1
        counts[size] = len(statements)
    assert counts[1] == counts[50] <= BUDGET, counts


def test_the_cohorts_list_costs_the_same_with_1_and_20_cohorts(app, world, make_cohort):
    client = signed_in(app.test_client(), world.manager)
    counts = {}
    made = 0
    for size in (1, 20):
        while made < size:
            make_cohort(
                world.site,
                companies=[world.company],
                courses=[world.course, world.other_course],
                members=[(world.learner, world.company)] if made == 0 else [],
            )
            made += 1
        response, statements = _count(app, lambda: client.get("/cohortes", headers=EN))
        assert response.status_code == 200
        counts[size] = len(statements)
    assert counts[1] == counts[20] <= 8, counts
