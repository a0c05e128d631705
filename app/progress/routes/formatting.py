"""How the progress pages write figures: percentages, grades, dates in the Cybersites' time, statuses —
in the reader's language (offered to the blueprint's templates as ``cell`` and ``moment``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import format_date, format_datetime, format_decimal, format_percent, ngettext
from flask_babel import gettext as _

from app.accounts.labels import cybersite_place
from app.progress.routes.base import blueprint
from app.progress.tables import STATUS_LABELS, Kind, Status, local


def moment(value: datetime | date | None, style: str = "medium") -> str:
    """The day of a date, or of a moment in the Cybersites' time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_date(local(value).date(), style)
    return format_date(value, style)


def cell(value: Any, kind: Kind) -> str:  # noqa: PLR0911 (one return per kind)
    """A table cell's text."""
    if value is None:
        return "—"
    if kind == Kind.PERCENT:
        return format_percent(value)
    if kind == Kind.NUMBER:
        return format_decimal(value, "#,##0.##")
    if kind == Kind.DATE and isinstance(value, datetime):
        return format_datetime(local(value), "short", rebase=False)
    if kind == Kind.DATE:
        return moment(value, "medium")
    if kind == Kind.STATUS:
        return str(STATUS_LABELS.get(Status(value), value))
    if kind == Kind.YESNO:
        return _("Yes") if value else _("No")
    return str(value)


def training_time(minutes: int) -> str:
    """A training time as funders read it: "7 hours", "3 h 30"."""
    hours, rest = divmod(minutes, 60)
    if rest:
        return _("%(hours)d h %(minutes)02d", hours=hours, minutes=rest)
    return ngettext("%(num)d hour", "%(num)d hours", hours)


def period(start: datetime, end: datetime) -> str:
    """The days a training ran: "on 3 March 2026", "from 3 March 2026 to 12 April 2026"."""
    first, last = moment(start, "long"), moment(end, "long")
    if first == last:
        return _("on %(date)s", date=first)
    return _("from %(start)s to %(end)s", start=first, end=last)


def status_label(value: str) -> str:
    """The label of a status filter (a status, or "passed")."""
    return _("Passed") if value == "passed" else cell(value, Kind.STATUS)


@blueprint.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "cell": cell,
        "moment": moment,
        "Kind": Kind,
        "status_label": status_label,
        "cybersite_place": cybersite_place,
    }
