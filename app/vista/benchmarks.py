"""A company's standing among its peers for its report: the network's stored scores read in one query,
the peer group chosen and the statistics computed by :mod:`app.vista.peers`, and the radar drawn by
:mod:`app.vista.radar` with the company, its previous wave and the peers' median and P25–P75 band.

Peer statistics come from ``vista_company_score``, which is kept up to date incrementally (a company's
rows are rewritten when it submits and when its staff's training progresses, in the same transaction), so
they are as fresh as the last such change; the report says when the newest row was computed.

The network's peer groups (:class:`app.vista.peers.PeerIndex`) are gathered once per process and kept
while the stored scores do not change: every report issues one statement that returns only the network's
freshness (how many stored scores, the newest one, how many active companies) when it matches what the
process holds, and the stored scores themselves, with their freshness, when it does not. So a report
costs the same statement and a few look-ups whatever the number of companies; a company whose sector,
size or département is edited moves to its new group at its next score recompute.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

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
    """Every assessed company's latest dimension scores and profile (one query), and when the newest
    score was computed."""
    rows = session.execute(
        select(
            CompanyScore.company_id,
            CompanyScore.dimension,
            CompanyScore.score,
            CompanyScore.computed_at,
            Company.naf_code,
            Company.size_class,
            Company.departement,
        )
        .join(Company, Company.id == CompanyScore.company_id)
        .where(CompanyScore.dimension.is_not(None), Company.active.is_(True))
    ).all()
    scores: dict[int, dict[str, float | None]] = defaultdict(dict)
    profiles: dict[int, peers.Profile] = {}
    newest: datetime | None = None
    for company_id, dimension, score, computed_at, naf, size, departement in rows:
        scores[company_id][dimension] = score
        profiles[company_id] = peers.Profile(peers.naf_section(naf), str(size), peers.region_of(departement))
        if computed_at is not None and (newest is None or computed_at > newest):
            newest = computed_at
    return [peers.Peer(cid, profiles[cid], found) for cid, found in scores.items()], newest


# Per database (its address): the freshness of the stored scores and the peer index built from them.
_NETWORK: dict[str, tuple[tuple[int, datetime | None, int], peers.PeerIndex]] = {}


def network(session: Session) -> tuple[peers.PeerIndex, datetime | None]:
    """The network's peer groups and when the newest stored score was computed, in one statement: the
    process's index when the stored scores have not changed since it was built, else rebuilt."""
    bind = session.get_bind()
    address = str(bind.url)
    held = _NETWORK.get(address)
    freshness = select(
        select(func.count()).select_from(CompanyScore).scalar_subquery().label("stored"),
        select(func.max(CompanyScore.computed_at)).scalar_subquery().label("newest"),
        select(func.count())
        .select_from(Company)
        .where(Company.active.is_(True))
        .scalar_subquery()
        .label("active"),
    ).subquery("freshness")
    scored = (
        select(
            CompanyScore.company_id,
            CompanyScore.dimension,
            CompanyScore.score,
            Company.naf_code,
            Company.size_class.label("size_class"),
            Company.departement,
        )
        .join(Company, Company.id == CompanyScore.company_id)
        .where(CompanyScore.dimension.is_not(None), Company.active.is_(True))
        .subquery("scored")
    )
    stale = (
        freshness.c.stored.is_not(None)
        if held is None
        else (freshness.c.stored != held[0][0])
        | freshness.c.newest.is_distinct_from(held[0][1])
        | (freshness.c.active != held[0][2])
    )
    rows = session.execute(
        select(freshness, scored.c.company_id, scored.c.dimension, scored.c.score, scored.c.naf_code,
               scored.c.size_class, scored.c.departement)
        .select_from(freshness)
        .outerjoin(scored, stale)
    ).all()  # fmt: skip
    stamp = (rows[0][0], rows[0][1], rows[0][2])
    if held is not None and rows[0][3] is None and stamp == held[0]:
        return held[1], stamp[1]
    scores: dict[int, dict[str, float | None]] = defaultdict(dict)
    profiles: dict[int, peers.Profile] = {}
    for _stored, _newest, _active, company_id, dimension, score, naf, size, departement in rows:
        if company_id is None:
            continue
        scores[company_id][dimension] = score
        if company_id not in profiles:
            profiles[company_id] = peers.Profile(
                peers.naf_section(naf), str(size), peers.region_of(departement)
            )
    built = peers.index(peers.Peer(cid, profiles[cid], found) for cid, found in scores.items())
    _NETWORK[address] = (stamp, built)
    return built, stamp[1]


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
