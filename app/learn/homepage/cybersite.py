"""The Cybersite manager's part of the home page: for each Cybersite they manage, its cohorts at a glance
(the rows of the Cybersite's progress dashboard, from the same query) with those at risk, those starting
or ending soon, and its companies without any learning activity for 30 days. One statement per Cybersite
for the cohorts, one for all the quiet companies, one for the Cybersites' names."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, bindparam, func, or_, select

from app.accounts.models import Company, Cybersite, RoleGrant
from app.core.database import read_columns
from app.core.extensions import db
from app.progress import dashboards
from app.progress.models import CourseProgress

QUIET_AFTER = timedelta(days=30)
SOON = timedelta(days=14)
# A cohort under way is at risk when its average completion trails the share of its weeks gone by more
# than this (a cohort half-way through its dates with a quarter of the work done is behind).
BEHIND_BY = 0.25


@dataclass(frozen=True)
class CohortGlance:
    """One cohort's line of the Cybersite's dashboard."""

    name: str
    starts_on: date
    ends_on: date
    enrolments: int
    started: int
    completed: int
    passed: int
    average: float
    url: str

    def elapsed(self, today: date) -> float:
        """The share of the cohort's dates gone by (0 before, 1 after)."""
        days = (self.ends_on - self.starts_on).days
        if today <= self.starts_on or days <= 0:
            return 0.0 if today <= self.starts_on else 1.0
        return min(1.0, (today - self.starts_on).days / days)

    def at_risk(self, today: date) -> bool:
        """Under way (or over) with learners enrolled, and behind: see :data:`BEHIND_BY`."""
        if self.enrolments == 0 or today < self.starts_on:
            return False
        if today > self.ends_on:
            return self.completed < self.enrolments
        return self.elapsed(today) - self.average > BEHIND_BY


@dataclass
class CybersiteHome:
    """One Cybersite's glance."""

    site_id: int
    name: str
    cohorts: list[CohortGlance] = field(default_factory=list)
    quiet_companies: list[tuple[int, str, datetime | None]] = field(default_factory=list)
    today: date = field(default_factory=date.today)

    def _running(self) -> list[CohortGlance]:
        return [c for c in self.cohorts if c.starts_on <= self.today <= c.ends_on]

    @property
    def running(self) -> int:
        """How many cohorts are under way today."""
        return len(self._running())

    @property
    def totals(self) -> tuple[int, int, int]:
        """Enrolments, started and completed over all its cohorts (the sums of the dashboard's lines)."""
        return (
            sum(c.enrolments for c in self.cohorts),
            sum(c.started for c in self.cohorts),
            sum(c.completed for c in self.cohorts),
        )

    @property
    def at_risk(self) -> list[CohortGlance]:
        """Its cohorts at risk."""
        return [c for c in self.cohorts if c.at_risk(self.today)]

    @property
    def starting_soon(self) -> list[CohortGlance]:
        """Cohorts starting within two weeks."""
        return [c for c in self.cohorts if self.today <= c.starts_on <= self.today + SOON]

    @property
    def ending_soon(self) -> list[CohortGlance]:
        """Cohorts under way that end within two weeks."""
        return [c for c in self._running() if c.ends_on <= self.today + SOON]


_LAST = func.max(CourseProgress.last_activity_at)
# Built once: building it again at each request cost more than running it.
_QUIET = (
    select(Company.cybersite_id, Company.id, Company.legal_name, _LAST)
    .outerjoin(RoleGrant, RoleGrant.company_id == Company.id)
    .outerjoin(CourseProgress, CourseProgress.user_id == RoleGrant.user_id)
    .where(Company.cybersite_id.in_(bindparam("site_ids", expanding=True)), Company.active.is_(True))
    .group_by(Company.cybersite_id, Company.id, Company.legal_name)
    .having(or_(_LAST.is_(None), bindparam("before", type_=DateTime(timezone=True)) > _LAST))
    .order_by(Company.legal_name, Company.id)
)


def _quiet(site_ids: list[int], now: datetime) -> dict[int, list[tuple[int, str, datetime | None]]]:
    """The active companies of the Cybersites whose people have done nothing in any course for 30 days
    (or ever), with their last activity."""
    rows = read_columns(db.session, _QUIET, {"site_ids": site_ids, "before": now - QUIET_AFTER})
    found: dict[int, list[tuple[int, str, datetime | None]]] = {}
    for site_id, company_id, name, seen in rows:
        found.setdefault(site_id, []).append((company_id, name, seen))
    return found


def _glances(site: Cybersite) -> list[CohortGlance]:
    # The dashboard's rows: name, dates, the five figures, the cohort's page.
    rows: list[Any] = list(dashboards.site_cohorts(site).rows)
    return [CohortGlance(*row) for row in rows]


def cybersite_home(site_ids: set[int], today: date) -> list[CybersiteHome]:
    """The glance of each Cybersite the user manages, by name."""
    if not site_ids:
        return []
    ids = sorted(site_ids)
    sites = db.session.scalars(
        select(Cybersite).where(Cybersite.id.in_(ids)).order_by(Cybersite.name, Cybersite.id)
    ).all()
    quiet = _quiet(ids, datetime.now(UTC))
    return [
        CybersiteHome(site.id, site.name, _glances(site), quiet.get(site.id, []), today) for site in sites
    ]
