"""Where a click on an image is right: the areas of Open edX's ``<imageinput>``, read and checked with
Open edX's rules (its ``ImageResponse``).

- ``rectangle="(10,10)-(20,30);(100,100)-(200,200)"``: rectangles separated by ``;``, each written with
  round or square brackets, spaces allowed, in whole pixels; a point is in one when
  ``left <= x <= right`` and ``top <= y <= bottom`` (the borders count). Open edX reads the first corner
  as the top left one and does not reorder them: a rectangle written the other way round holds no point
  (the reader warns the author about it).
- ``regions="[[[10,10],[20,10],[20,30]], …]"`` (or one region without the outer list,
  ``"[[10,10],[20,10],[20,30]]"``): each region is the convex hull of its points, in any order; a point is
  in it when strictly inside (its border does not count, as with Open edX's geometry library), and a
  region whose points are all on one line holds no point.

Coordinates are pixels from the image's top left corner, as a click gives them.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from plugins.problem.messages import Message, _

#: Digits of one coordinate: beyond, no image is that large (and Python refuses very long integers).
MAX_DIGITS = 9
MAX_REGION_POINTS = 1000
# Open edX's patterns, on the text with its spaces removed; like its ``re.match``, text after them is ignored.
_RECTANGLE = re.compile(r"[(\[](\d+),(\d+)[)\]]-[(\[](\d+),(\d+)[)\]]", re.ASCII)
_POINT = re.compile(r"\[(\d+),(\d+)]", re.ASCII)


class AreaError(Message):
    """An area an author wrote that cannot be read."""


@dataclass(frozen=True)
class Rectangle:
    """A rectangle as Open edX reads it: first corner (left, top), second (right, bottom)."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def empty(self) -> bool:
        """Written with its corners the other way round: Open edX never finds a point in it."""
        return self.left > self.right or self.top > self.bottom

    def contains(self, x: int, y: int) -> bool:
        """Whether the point is in the rectangle, borders included."""
        return self.left <= x <= self.right and self.top <= y <= self.bottom


@dataclass(frozen=True)
class Polygon:
    """A convex polygon: its corners counter-clockwise (in axes where y goes up), none on a straight
    line between two others. Exact fractions: a point on the border is never taken for inside."""

    corners: tuple[tuple[Fraction, Fraction], ...]

    def contains(self, x: int, y: int) -> bool:
        """Whether the point is strictly inside the polygon."""
        count = len(self.corners)
        for index, (ax, ay) in enumerate(self.corners):
            bx, by = self.corners[(index + 1) % count]
            if (bx - ax) * (y - ay) - (by - ay) * (x - ax) <= 0:
                return False
        return True


def parse_rectangles(text: str | None) -> tuple[Rectangle, ...]:
    """The rectangles of a ``rectangle`` attribute (none when it is absent or empty); AreaError."""
    if not text:
        return ()
    found = []
    for part in text.split(";"):
        match = _RECTANGLE.match(part.strip().replace(" ", ""))
        if match is None:
            raise AreaError(
                _("The rectangle “{rectangle}” cannot be read: write it as (left,top)-(right,bottom)."),
                rectangle=part.strip(),
            )
        if any(len(number) > MAX_DIGITS for number in match.groups()):
            raise AreaError(_("The rectangle “{rectangle}” is too large."), rectangle=part.strip())
        found.append(Rectangle(*(int(number) for number in match.groups())))
    return tuple(found)


def parse_regions(text: str | None) -> tuple[Polygon | None, ...]:
    """The regions of a ``regions`` attribute (none when absent or empty), each as a polygon, or None
    when its points do not enclose any area; AreaError when the attribute cannot be read."""
    if not text:
        return ()
    try:
        parsed = json.loads(text, parse_constant=_refuse_constant)
    except ValueError:
        raise AreaError(_bad_regions(), regions=text) from None
    if not parsed:
        return ()
    try:
        # As Open edX: one region may be written without the list around it.
        regions = [parsed] if not isinstance(parsed[0][0], list) else parsed
        return tuple(_polygon([_point(p) for p in region], text) for region in regions)
    except (TypeError, IndexError, KeyError):
        raise AreaError(_bad_regions(), regions=text) from None


def parse_point(text: Any) -> tuple[int, int] | None:
    """A learner's point as Open edX stores it (``"[x,y]"``), or None when it is not one."""
    if not isinstance(text, str):
        return None
    match = _POINT.match(text.strip().replace(" ", ""))
    if match is None or any(len(number) > MAX_DIGITS for number in match.groups()):
        return None
    x, y = match.groups()
    return int(x), int(y)


def _bad_regions() -> str:
    return _("The regions “{regions}” cannot be read: write a list of regions, each a list of [x, y] points.")


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)


def _point(value: Any) -> tuple[Fraction, Fraction]:
    if not isinstance(value, list) or len(value) != 2:
        raise TypeError("a point")
    for number in value:
        if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
            raise TypeError("a coordinate")
        if abs(number) >= 10**MAX_DIGITS:
            raise TypeError("too large")
    return Fraction(value[0]), Fraction(value[1])


def _polygon(points: list[tuple[Fraction, Fraction]], text: str) -> Polygon | None:
    """The convex hull of ``points`` (Andrew's monotone chain), None when it encloses no area."""
    if len(points) > MAX_REGION_POINTS:
        raise AreaError(_("The regions “{regions}” have too many points."), regions=text[:100])
    ordered = sorted(set(points))
    if len(ordered) < 3:
        return None

    def half(sequence: list[tuple[Fraction, Fraction]]) -> list[tuple[Fraction, Fraction]]:
        chain: list[tuple[Fraction, Fraction]] = []
        for point in sequence:
            # Points on a straight line between two corners are not corners.
            while len(chain) >= 2 and _cross(chain[-2], chain[-1], point) <= 0:
                chain.pop()
            chain.append(point)
        return chain[:-1]

    hull = half(ordered) + half(ordered[::-1])
    return Polygon(tuple(hull)) if len(hull) >= 3 else None


def _cross(
    a: tuple[Fraction, Fraction], b: tuple[Fraction, Fraction], c: tuple[Fraction, Fraction]
) -> Fraction:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
