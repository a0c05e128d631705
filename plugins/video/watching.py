"""The parts of a video a learner has watched: reports from the player checked, merged and measured.

A report is ``{"duration": seconds, "ranges": [[start, end], …]}``: the media's duration and the time
ranges the player actually played (the browser's ``video.played``). Nothing in it is trusted beyond what
can be checked: numbers must be finite, ranges ordered, inside the duration, and few; the stored ranges are
a union of what was reported, so replaying a report changes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from plugins.video.validation import InvalidVideo, _

MAX_RANGES_PER_REPORT = 100
MAX_STORED_RANGES = 500
MAX_DURATION = 24 * 3600.0
#: players may place the end of the last range a little after the announced duration
END_TOLERANCE = 0.5
#: a report whose duration differs more than this (seconds, or 1 %) is for other media: tracking restarts
DURATION_TOLERANCE = 1.0
COMPLETION_THRESHOLD = 0.9
#: float sums of ranges may fall a hair short of the exact boundary (relative error of a few ulps)
RELATIVE_EPSILON = 1e-9

Range = tuple[float, float]


@dataclass(frozen=True)
class Report:
    """A checked report: a duration and ranges inside it."""

    duration: float
    ranges: list[Range]


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def parse_report(payload: Any) -> Report:
    """Check a report from the player; raise :class:`InvalidVideo` saying what is wrong."""
    if not isinstance(payload, dict):
        raise InvalidVideo(_("The report must be a JSON object with a duration and ranges."))
    duration = _number(payload.get("duration"))
    if duration is None or duration <= 0 or duration > MAX_DURATION:
        raise InvalidVideo(_("The duration must be a number of seconds above 0 and at most 24 hours."))
    raw = payload.get("ranges")
    if not isinstance(raw, list):
        raise InvalidVideo(_("The ranges must be a list of [start, end] pairs."))
    if len(raw) > MAX_RANGES_PER_REPORT:
        raise InvalidVideo(_("A report can hold at most %(max)d ranges."), max=MAX_RANGES_PER_REPORT)
    ranges: list[Range] = []
    for item in raw:
        if not isinstance(item, list) or len(item) != 2:
            raise InvalidVideo(_("The ranges must be a list of [start, end] pairs."))
        start, end = _number(item[0]), _number(item[1])
        if start is None or end is None:
            raise InvalidVideo(_("The start and end of a range must be numbers of seconds."))
        if start < 0 or end < start:
            raise InvalidVideo(_("A range must start at 0 or later and end after it starts."))
        if end > duration + END_TOLERANCE:
            raise InvalidVideo(_("A range cannot end after the end of the video."))
        ranges.append((start, min(end, duration)))
    return Report(duration, ranges)


def same_media(stored_duration: float, duration: float) -> bool:
    """Whether two durations are those of the same media (players round them differently)."""
    return abs(stored_duration - duration) <= max(DURATION_TOLERANCE, 0.01 * stored_duration)


def merge(ranges: Iterable[Sequence[float]]) -> list[Range]:
    """The union of ``ranges`` as sorted, disjoint ranges (empty ones dropped).

    When there are more than :data:`MAX_STORED_RANGES`, the shortest are dropped: less is counted as
    watched, never more.
    """
    merged: list[list[float]] = []
    for start, end in sorted((float(a), float(b)) for a, b in ranges if b > a):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    result = [(a, b) for a, b in merged]
    if len(result) > MAX_STORED_RANGES:
        kept = set(sorted(result, key=lambda r: r[1] - r[0], reverse=True)[:MAX_STORED_RANGES])
        result = [r for r in result if r in kept]
    return result


def window(duration: float, start: int, end: int) -> Range:
    """The part of the media the course asks to watch: from ``start`` to ``end`` (0: the end of the media).

    A window that does not fit the media falls back to the whole media.
    """
    low = float(start)
    high = min(float(end), duration) if end else duration
    return (low, high) if 0 <= low < high else (0.0, duration)


def watched_seconds(ranges: Iterable[Sequence[float]], span: Range) -> float:
    """How much of ``span`` the (merged) ranges cover."""
    low, high = span
    return sum(max(0.0, min(b, high) - max(a, low)) for a, b in ranges)


def is_complete(ranges: Iterable[Sequence[float]], span: Range) -> bool:
    """Whether at least 90 % of ``span`` was watched."""
    length = span[1] - span[0]
    needed = COMPLETION_THRESHOLD * length * (1 - RELATIVE_EPSILON)
    return length > 0 and watched_seconds(ranges, span) >= needed
