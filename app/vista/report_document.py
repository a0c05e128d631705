"""A company's VISTA report as one JSON document: its scores and, when there are peers, its standing."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.accounts.models import Company
from app.vista import benchmarks
from app.vista import report as reports


def document(session: Session, company: Company, locale: str) -> dict[str, Any]:
    """The report of ``company`` in ``locale``, with its peer standing (None without peers)."""
    found = reports.build(session, company, locale)
    data = found.as_json()
    standing = benchmarks.standing(session, found)
    data["peers"] = (
        None
        if standing is None
        else {
            "group": standing.benchmark.group.value,
            "group_size": standing.benchmark.size,
            "computed_at": standing.computed_at.isoformat() if standing.computed_at else None,
            "dimensions": {
                d: {
                    "count": s.count,
                    "median": s.median,
                    "p25": s.p25,
                    "p75": s.p75,
                    "percentile": s.percentile,
                }
                for d, s in standing.benchmark.standings.items()
            },
        }
    )
    return data
