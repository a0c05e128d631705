"""What the runtime tells the rest of the platform: progress events (one signal) and tracking events.

``grade``, ``completion`` and ``progress`` events from blocks become :class:`ProgressEvent` values with
Open edX's semantics applied; the progress package subscribes to :data:`progress_recorded`. Every other
event goes to the tracking log.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime
from typing import Any, NamedTuple

from blinker import Namespace
from xblock.completable import XBlockCompletionMode

signals = Namespace()
#: Sent with ``events=[ProgressEvent, …]`` (a batch from one request), in the request's transaction.
progress_recorded = signals.signal("runtime.progress-recorded")

tracking_log = logging.getLogger("cybermassif.tracking")

PROGRESS_EVENT_TYPES = frozenset({"grade", "completion", "progress"})
# What a browser may publish through a block's ``publish_event`` handler: tracking names only, never a
# grade or a completion (a learner could otherwise award themselves one, refused before the name is read).
# Open edX takes any name there ("edx.drag_and_drop_v2.loaded", "xblock.image-explorer.hotspot.opened",
# "Video.Loaded"…): a name is one word of letters, digits and . _ - :, so that it stays one log field.
BROWSER_EVENT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.:-]{0,199}$")


class EventRefused(ValueError):
    """An event the runtime does not accept (bad values, or a name not allowed from the browser)."""


class ProgressEvent(NamedTuple):
    """A learner's completion (0..1) and/or grade on one block (a tuple: a request may make thousands)."""

    user_id: int
    course_key: str
    usage_id: str
    block_type: str
    completion: float | None
    earned: float | None = None
    possible: float | None = None
    only_if_higher: bool = False
    at: datetime | None = None


def counts_for_completion(block: Any) -> bool:
    """Whether a block takes part in completion (aggregators and excluded blocks do not)."""
    return XBlockCompletionMode.get_mode(block) == XBlockCompletionMode.COMPLETABLE


def completes_on_view(block: Any) -> bool:
    """Whether the host marks the block complete when a learner is shown it."""
    return (
        counts_for_completion(block)
        and not getattr(block, "has_custom_completion", False)
        and not getattr(block, "has_score", False)
    )


def _number(data: dict[str, Any], name: str) -> float:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise EventRefused(f"{name} must be a number")
    return float(value)


def interpret(
    block: Any, event_type: str, data: dict[str, Any], user_id: int, at: datetime
) -> ProgressEvent | None:
    """Turn a grade/completion/progress event into a ProgressEvent, or None when Open edX would ignore it."""
    keys = block.scope_ids
    base = {
        "user_id": user_id,
        "course_key": str(getattr(keys.usage_id, "course_key", "")),
        "usage_id": str(keys.usage_id),
        "block_type": keys.block_type,
        "at": at,
    }
    if event_type == "grade":
        earned, possible = _number(data, "value"), _number(data, "max_value")
        if possible <= 0 or earned < 0 or earned > possible:
            raise EventRefused("a grade must be between 0 and its maximum, and the maximum above 0")
        # A graded block is complete once graded (unless it reports its own completion).
        completion = (
            None
            if getattr(block, "has_custom_completion", False) or not counts_for_completion(block)
            else 1.0
        )
        return ProgressEvent(
            **base,
            completion=completion,
            earned=earned,
            possible=possible,
            only_if_higher=bool(data.get("only_if_higher", False)),
        )
    if not counts_for_completion(block):
        return None
    if event_type == "completion":
        if not getattr(block, "has_custom_completion", False):
            return (
                None  # Open edX ignores completion events from blocks that do not declare custom completion
            )
        value = _number(data, "completion")
        if not 0.0 <= value <= 1.0:
            raise EventRefused("completion must be between 0 and 1")
        return ProgressEvent(**base, completion=value)
    if event_type == "progress":  # deprecated: means complete
        return ProgressEvent(**base, completion=1.0)
    return None


def track(block: Any, event_type: str, data: Any, user_id: int | None, from_browser: bool) -> None:
    """Write a tracking event to the tracking log; names from the browser must match the allow-list."""
    named = isinstance(event_type, str) and BROWSER_EVENT_NAME.match(event_type)
    if from_browser and (not named or event_type in PROGRESS_EVENT_TYPES):
        raise EventRefused(f"event name {event_type!r} is not accepted from the browser")
    tracking_log.info(
        json.dumps(
            {
                "event_type": event_type,
                "usage_id": str(block.scope_ids.usage_id),
                "block_type": block.scope_ids.block_type,
                "user_id": user_id,
                "data": data,
            },
            default=str,
        )[:10_000]
    )
