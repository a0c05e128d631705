"""Exact counters: a cohort's page and the cohorts list cost the same few SQL statements whatever the
number of members."""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from tests.cohorts.conftest import EN, signed_in

BUDGET = 16


@pytest.mark.parametrize("person", ["manager", "company_manager"])
def test_the_cohort_page_costs_the_same_with_1_and_50_members(
    app, world, make_cohort, make_user, person, count_statements
):
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
        response, statements = count_statements(lambda c=cohort: client.get(f"/cohortes/{c.id}", headers=EN))
        assert response.status_code == 200
        assert response.get_data(as_text=True).count("<tr>") == size + 1
        counts[size] = len(statements)
    assert counts[1] == counts[50] <= BUDGET, counts


def test_the_cohorts_list_costs_the_same_with_1_and_20_cohorts(app, world, make_cohort, count_statements):
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
        response, statements = count_statements(lambda: client.get("/cohortes", headers=EN))
        assert response.status_code == 200
        counts[size] = len(statements)
    assert counts[1] == counts[20] <= 8, counts
