"""A company's standing among its peers for its report: the network's stored scores read in one query,
the peer group chosen and the statistics computed by :mod:`app.vista.peers`, and the radar drawn by
:mod:`app.vista.radar` with the company, its previous wave and the peers' median and P25–P75 band.

Peer statistics come from ``vista_company_score``, which is kept up to date incrementally (a company's
rows are rewritten when it submits and when its staff's training progresses, in the same transaction), so
they are as fresh as the last such change; the report says when the newest row was computed.

The network's peer groups (:class:`app.vista.peers.PeerIndex`) are gathered once per process and then
followed: every report issues one statement, the newest stored score's time (the end of an index,
whatever the number of companies); when it moved, only the rows written since are read and applied to the
index in place (a company's rows are always rewritten together, at one time). A full gathering happens at
the first report, when the newest rows were removed, and every ``REBUILD_AFTER`` seconds, which bounds how
long a removal the newest rows cannot show (a deleted or deactivated company, rows committed out of time
order) stays counted; a company whose sector, size or département is edited
moves to its new group at its next score recompute.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Company
from app.courses import vista_tags
from app.vista import peers, radar
from app.vista.models import DIMENSIONS, CompanyScore
from app.vista.report import Report

GROUP_NAMES = {
    peers.Group.SECTOR_SIZE_REGION: _l("same sector, same size, same region"),
    peers.Group.SECTOR_SIZE: _l("same sector and size"),
    peers.Group.SECTOR: _l("same sector"),
    peers.Group.REGION: _l("same region"),
    peers.Group.NETWORK: _l("the whole network"),
    peers.Group.NONE: _l("no group: fewer than 10 assessed companies"),
}


def profile(company: Company) -> peers.Profile:
    """What a company is grouped by."""
    return peers.Profile(
        peers.naf_section(company.naf_code), str(company.size_class), peers.region_of(company.departement)
    )


def peer_rows(session: Session) -> tuple[list[peers.Peer], datetime | None]:
    """Every active assessed company's latest dimension scores and profile (one query), and when the
    newest score was computed."""
    found, newest = _peers_of(_score_rows(session, None))
    return [peer for peer in found.values() if peer is not None], newest


# A process gathers its index again from every stored score at least this often (seconds): it follows
# new scores as they are written, and this bounds how long a removal it cannot see from the newest rows
# (a deleted or deactivated company, rows committed out of time order) stays counted.
REBUILD_AFTER = 300.0


@dataclass
class _Held:
    """What a process keeps of one database's stored scores: the index, the companies in it as indexed,
    the newest score's time, and when it was gathered in full."""

    index: peers.PeerIndex
    peers: dict[int, peers.Peer]
    newest: datetime | None
    built: float


# Per database (its address).
_NETWORK: dict[str, _Held] = {}
_LOCK = threading.Lock()


def forget_network() -> None:
    """Drop every process-held index (tests empty the tables between them)."""
    with _LOCK:
        _NETWORK.clear()


def _score_rows(session: Session, since: datetime | None) -> list[Any]:
    query = (
        select(
            CompanyScore.company_id,
            CompanyScore.dimension,
            CompanyScore.score,
            CompanyScore.computed_at,
            Company.naf_code,
            Company.size_class,
            Company.departement,
            Company.active,
        )
        .join(Company, Company.id == CompanyScore.company_id)
        .where(CompanyScore.dimension.is_not(None))
    )
    if since is not None:
        query = query.where(CompanyScore.computed_at >= since)
    return list(session.execute(query).all())


def _peers_of(rows: list[Any]) -> tuple[dict[int, peers.Peer | None], datetime | None]:
    """The companies of these rows (None for an inactive one) and the newest score time among them."""
    scores: dict[int, dict[str, float | None]] = defaultdict(dict)
    profiles: dict[int, peers.Profile | None] = {}
    newest = None
    for company_id, dimension, score, computed_at, naf, size, departement, active in rows:
        scores[company_id][dimension] = score
        if company_id not in profiles:
            profile = peers.Profile(peers.naf_section(naf), str(size), peers.region_of(departement))
            profiles[company_id] = profile if active else None
        if computed_at is not None and (newest is None or computed_at > newest):
            newest = computed_at
    found = {
        cid: (peers.Peer(cid, profile, scores[cid]) if profile is not None else None)
        for cid, profile in profiles.items()
    }
    return found, newest


def _gather(session: Session) -> _Held:
    found, newest = _peers_of(_score_rows(session, None))
    everyone = {cid: peer for cid, peer in found.items() if peer is not None}
    return _Held(peers.index(everyone.values()), everyone, newest, time.monotonic())


def _follow(held: _Held, session: Session) -> None:
    """Apply the score rows written since ``held`` was read. A company's rows are always rewritten
    together, at one time (``scores.recompute``), so its new rows are all of its current scores; rows of
    the newest time already held are read again (applying a company twice changes nothing)."""
    found, newest = _peers_of(_score_rows(session, held.newest))
    for company_id, peer in found.items():
        old = held.peers.pop(company_id, None)
        if old is not None:
            held.index.remove(old)
        if peer is not None:
            held.index.add(peer)
            held.peers[company_id] = peer
    if newest is not None and (held.newest is None or newest > held.newest):
        held.newest = newest


def network(session: Session) -> tuple[peers.PeerIndex, datetime | None]:
    """The network's peer groups and when the newest stored score was computed.

    One look-up of the newest score time (an index's end) per report; when scores were written since, only
    the new rows are read and applied to the process's index; every ``REBUILD_AFTER`` seconds, and when the
    newest rows were taken away, it is gathered again in full."""
    address = str(session.get_bind().url)
    top = session.scalar(select(func.max(CompanyScore.computed_at)))
    with _LOCK:
        held = _NETWORK.get(address)
        if (
            held is None
            or (top is None) != (held.newest is None)
            or (top is not None and held.newest is not None and top < held.newest)
            or time.monotonic() - held.built > REBUILD_AFTER
        ):
            held = _NETWORK[address] = _gather(session)
        elif top is not None and held.newest is not None and top > held.newest:
            _follow(held, session)
        return held.index, held.newest


@dataclass(frozen=True)
class Standing:
    """The report's peer part: the benchmark, the radar and its table, and the scores' freshness."""

    benchmark: peers.Benchmark
    chart: Markup
    rows: list[dict[str, object]]
    computed_at: datetime | None

    @property
    def group_name(self) -> str:
        """The group used, in the reader's language."""
        return str(GROUP_NAMES[self.benchmark.group])


def standing(session: Session, report: Report) -> Standing | None:
    """The company's standing among its peers and its radar (None before its first submission)."""
    if report.result is None:
        return None
    index, newest = network(session)
    current = {
        d: (report.result.dimensions[d].score if d in report.result.dimensions else None) for d in DIMENSIONS
    }
    previous = (
        {d: line.previous_score for d in DIMENSIONS for line in report.dimensions if line.dimension == d}
        if report.previous_result is not None
        else {}
    )
    found = index.benchmark(profile(report.company), current)
    bands = {d: (s.median, s.p25, s.p75) for d, s in found.standings.items()}
    labels = {d: f"{d} {vista_tags.DIMENSIONS[d]}" for d in DIMENSIONS}
    axes = radar.axes_from(labels, current, previous, bands)
    missing = [labels[d] for d in DIMENSIONS if current[d] is None]
    description = _(
        "The company's scores on the six dimensions, its previous wave and its peers' median and middle half "
        "(group: %(group)s, %(n)d companies).",
        group=str(GROUP_NAMES[found.group]),
        n=found.size,
    )
    if missing:
        description += " " + _(
            "No score (insufficient data) for: %(dimensions)s.", dimensions=", ".join(missing)
        )
    chart = radar.radar(axes, _("VISTA radar"), description, f"vista-radar-{report.company.id}")
    return Standing(found, chart, radar.rows(axes), newest)
