"""Whether a tool's score still counts: Open edX's ``accept_grades_past_due`` against the component's due
date (its own ``due``, else the nearest one above it: the sequence's, as Open edX inherits it)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.courses.visibility import BadValue, parse_date
from app.lti.errors import LtiRefused


def due_date(runtime: Any, block: Any) -> datetime | None:
    """The component's due date, or None when nothing above it sets one (or its value cannot be read)."""
    candidates: list[Any] = [getattr(block, "xml_attributes", {}).get("due")]
    tree = runtime.tree
    for record in tree.ancestors(str(block.scope_ids.usage_id)):  # nearest first
        settings = tree.container_settings(record.usage_id)
        kept = settings.get("xml_attributes")
        candidates.append(settings.get("due", kept.get("due") if isinstance(kept, dict) else None))
    for value in candidates:
        try:
            due = parse_date(value)
        except BadValue:
            due = None
        if due is not None:
            return due
    return None


def check_accepts_scores(runtime: Any, block: Any) -> None:
    """LtiRefused (403) for a score that comes after the due date of a component refusing late ones."""
    if getattr(block, "accept_grades_past_due", True):
        return
    due = due_date(runtime, block)
    if due is not None and datetime.now(UTC) > due:
        raise LtiRefused(f"the component was due on {due.isoformat()} and takes no late score", 403)
