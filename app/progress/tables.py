"""The tables dashboards show and export: named columns of a kind (text, count, percentage, grade, date,
status), rows of plain values. A page renders a table and its export writes the same one, so that both
always say the same thing."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

# Dates are shown and exported in the Cybersites' time (they are all in France).
LOCAL_TIME = ZoneInfo("Europe/Paris")


class Kind(enum.StrEnum):
    """How a column's values are shown and exported."""

    TEXT = "text"
    COUNT = "count"
    NUMBER = "number"
    PERCENT = "percent"  # a share 0..1
    DATE = "date"
    STATUS = "status"
    YESNO = "yesno"


class Status(enum.StrEnum):
    """Where a learner stands in a course."""

    NOT_ENROLLED = "not_enrolled"
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


STATUS_LABELS = {
    Status.NOT_ENROLLED: _l("Not enrolled"),
    Status.NOT_STARTED: _l("Not started"),
    Status.IN_PROGRESS: _l("In progress"),
    Status.COMPLETED: _l("Completed"),
}


def status_of(enrolled: bool, started: bool, completed_at: datetime | None) -> Status:
    """A learner's status in a course from what is recorded."""
    if not enrolled:
        return Status.NOT_ENROLLED
    if not started:
        return Status.NOT_STARTED
    return Status.COMPLETED if completed_at is not None else Status.IN_PROGRESS


@dataclass(frozen=True)
class Column:
    """A column: its label and kind; ``link`` names the row field holding a URL for its cells."""

    label: Any
    kind: Kind = Kind.TEXT
    link: int | None = None


@dataclass
class Table:
    """A titled table. Each row holds one value per column, then any extra values (links) columns name."""

    title: Any
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]] = field(default_factory=list)
    caption: Any = None

    def width(self) -> int:
        """How many columns are shown."""
        return len(self.columns)


def labels() -> dict[Any, str]:
    """The statuses' and yes/no labels in the current language: translated once for a whole table
    (one translation a cell cost more than the rest of a Cybersite's export)."""
    found: dict[Any, str] = {status: str(label) for status, label in STATUS_LABELS.items()}
    found.update({True: str(_l("Yes")), False: str(_l("No"))})
    return found


def plain(value: Any, kind: Kind, translated: dict[Any, str] | None = None) -> Any:  # noqa: PLR0911
    """A cell's value for a spreadsheet: numbers stay numbers, dates dates, labels translated text
    (from ``translated``, made by :func:`labels`, when given)."""
    if value is None:
        return ""
    if kind == Kind.STATUS:
        status = Status(value)
        if translated is not None and status in translated:
            return translated[status]
        return str(STATUS_LABELS.get(status, value))
    if kind == Kind.YESNO:
        if translated is not None:
            return translated[bool(value)]
        return str(_l("Yes")) if value else str(_l("No"))
    if kind == Kind.PERCENT:
        return round(float(value), 4)
    if kind == Kind.DATE and isinstance(value, datetime):
        return local(value).replace(tzinfo=None, microsecond=0)
    if kind == Kind.DATE and isinstance(value, date):
        return value
    return value


def local(moment: datetime) -> datetime:
    """A stored moment (UTC; naive from SQLite) in the Cybersites' time."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone(LOCAL_TIME)
