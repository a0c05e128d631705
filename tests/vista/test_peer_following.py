"""The peer index a process holds follows the stored scores: after any change (a new wave, a company
moved to another group, one deactivated), it equals an index gathered afresh from every stored score, and
a report that finds nothing changed costs one statement whatever the number of companies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.accounts.models import Company
from app.core.extensions import db
from app.vista import benchmarks, peers, scores
from tests.vista import report_fixtures

questionnaire = report_fixtures.questionnaire
submit = report_fixtures.submit


def _answers(n: int) -> dict[str, int]:
    return {f"D{d}A{i + 1}": 1 if i <= (n + d) % 4 else 0 for d in range(1, 7) for i in range(4)}


def _fresh(session) -> peers.PeerIndex:
    everyone, _newest = benchmarks.peer_rows(session)
    return peers.index(everyone)


def _same(held: peers.PeerIndex, fresh: peers.PeerIndex) -> None:
    assert held.sizes == fresh.sizes
    assert {w: {d: list(v) for d, v in found.items()} for w, found in held.values.items()} == {
        w: {d: list(v) for d, v in found.items()} for w, found in fresh.values.items()
    }


@pytest.fixture
def network(app, make_cybersite, make_company, submit):
    site = make_cybersite()
    companies = [
        make_company(cybersite=site, naf_code="10.71C", headcount=5, departement="63") for _ in range(8)
    ] + [make_company(cybersite=site, naf_code="47.11B", headcount=30, departement="15") for _ in range(6)]
    earlier = datetime.now(UTC) - timedelta(days=40)
    for n, company in enumerate(companies):
        submit(company, _answers(n), submitted_at=earlier)
    with app.app_context():
        scores.recompute(db.session, [c.id for c in companies])
        db.session.commit()
    return companies


def test_the_held_index_follows_new_waves_and_moves(app, network, submit):
    with app.app_context():
        benchmarks.network(db.session)
        _same(benchmarks.network(db.session)[0], _fresh(db.session))
    submit(network[0], _answers(3), wave="T1")
    with app.app_context():
        moved = db.session.get(Company, network[1].id)
        moved.naf_code, moved.departement = "47.11B", "15"
        db.session.commit()
        scores.recompute(db.session, [network[0].id, network[1].id], datetime.now(UTC) + timedelta(seconds=1))
        db.session.commit()
        index, newest = benchmarks.network(db.session)
        _same(index, _fresh(db.session))
        assert index.sizes[(peers.Group.SECTOR, ("C",))] == 7
        assert index.sizes[(peers.Group.SECTOR, ("G",))] == 7
        assert newest is not None and newest.replace(tzinfo=UTC) > datetime.now(UTC)


def test_a_removal_is_seen_at_the_next_full_gathering(app, network, monkeypatch):
    with app.app_context():
        benchmarks.network(db.session)
        db.session.get(Company, network[2].id).active = False
        db.session.commit()
        # Nothing newer was written: the process still counts it until its next full gathering.
        assert benchmarks.network(db.session)[0].sizes[(peers.Group.NETWORK, ())] == 14
        monkeypatch.setattr(benchmarks, "REBUILD_AFTER", 0.0)
        index = benchmarks.network(db.session)[0]
        assert index.sizes[(peers.Group.NETWORK, ())] == 13
        _same(index, _fresh(db.session))


def test_an_emptied_network_is_gathered_again(app, network):
    from app.vista.models import CompanyScore

    with app.app_context():
        benchmarks.network(db.session)
        db.session.query(CompanyScore).delete()
        db.session.commit()
        index = benchmarks.network(db.session)[0]
        assert index.sizes == {} and index.values == {}


def test_nothing_changed_costs_one_statement_and_a_change_two(app, network, count_statements):
    with app.app_context():
        benchmarks.network(db.session)
    with app.app_context():
        _, unchanged = count_statements(lambda: benchmarks.network(db.session))
        scores.recompute(db.session, [network[4].id], datetime.now(UTC) + timedelta(seconds=1))
        db.session.commit()
        _, changed = count_statements(lambda: benchmarks.network(db.session))
    assert len(unchanged) == 1 and "max(vista_company_score.computed_at)" in unchanged[0]
    assert len(changed) == 2
