"""The VISTA radar chart, drawn by the server as SVG: the six dimensions as axes, the company's scores,
its previous wave (dashed), the peers' median and their P25–P75 band, with scale rings at 25, 50, 75 and
100. A dimension without a score ("insufficient data") leaves a gap in the company's outline and is named
in the chart's description. Readable without JavaScript, with ``role="img"``, a ``<title>`` and a
``<desc>``; :func:`rows` gives the same figures for the table shown beside it.

Everything the chart holds is escaped; colours and sizes are attributes (the site's CSP allows no inline
style), as in :mod:`app.progress.charts`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

SIZE = 420
CENTRE = SIZE / 2
RADIUS = 140
#: Room left and right of the square for the labels of the side axes, which run outwards.
MARGIN = 110
LABEL_FONT = 12
#: Characters of a label's line: longer labels are wrapped at spaces onto more lines.
LABEL_LINE = 16
#: A generous average glyph width, as a share of the font size, to check that labels fit.
GLYPH_WIDTH = 0.62
RINGS = (25, 50, 75, 100)
INK, GRID, COMPANY, PREVIOUS, MEDIAN, BAND = "#1f2a37", "#c9d3dd", "#1d5d90", "#6b7785", "#b2532a", "#f3dccf"


@dataclass(frozen=True)
class Axis:
    """One dimension of the chart: its code, its label, and each series' value there (0–100; None when
    there is none)."""

    code: str
    label: str
    company: float | None
    previous: float | None = None
    median: float | None = None
    p25: float | None = None
    p75: float | None = None


def point(index: int, count: int, value: float) -> tuple[float, float]:
    """Where ``value`` (0–100) lies on axis ``index`` of ``count``; the first axis points up, then
    clockwise."""
    return _at(index, count, RADIUS * max(0.0, min(100.0, value)) / 100)


def _at(index: int, count: int, distance: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    return CENTRE + distance * math.cos(angle), CENTRE + distance * math.sin(angle)


def _coordinates(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def _runs(values: Sequence[float | None]) -> list[list[int]]:
    """The indexes of consecutive axes that have a value, joined around the circle."""
    n = len(values)
    if all(v is not None for v in values):
        return [list(range(n))]
    start = next((i for i, v in enumerate(values) if v is None), 0)
    runs: list[list[int]] = []
    current: list[int] = []
    for step in range(1, n + 1):
        i = (start + step) % n
        if values[i] is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(i)
    if current:
        runs.append(current)
    return runs


def _series(values: Sequence[float | None], css: str, stroke: str, dashed: bool = False) -> list[str]:
    """A closed polygon when every axis has a value; otherwise open lines with a gap at the missing ones."""
    n = len(values)
    dash = ' stroke-dasharray="6 4"' if dashed else ""
    runs = _runs(values)
    if runs and len(runs[0]) == n:
        pts = [point(i, n, values[i]) for i in range(n)]  # type: ignore[arg-type]
        return [
            f'<polygon class="{css}" points="{_coordinates(pts)}" fill="none" stroke="{stroke}" '
            f'stroke-width="2.5"{dash}/>'
        ]
    parts = []
    for run in runs:
        pts = [point(i, n, values[i]) for i in run]  # type: ignore[arg-type]
        if len(pts) == 1:
            x, y = pts[0]
            parts.append(f'<circle class="{css}" cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{stroke}"/>')
        else:
            parts.append(
                f'<polyline class="{css}" points="{_coordinates(pts)}" fill="none" stroke="{stroke}" '
                f'stroke-width="2.5"{dash}/>'
            )
    return parts


def label_lines(label: str, width: int = LABEL_LINE) -> list[str]:
    """A label cut at spaces into lines of at most ``width`` characters (a longer word keeps its line)."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines or [""]


def _label(index: int, count: int, label: str) -> str:
    lx, ly = _at(index, count, RADIUS * 1.1)  # just outside the 100 ring (point() stops at it)
    anchor = "middle" if abs(lx - CENTRE) < 1 else ("start" if lx > CENTRE else "end")
    lines = label_lines(label)
    if abs(lx - CENTRE) < 1:  # top or bottom: the lines grow away from the chart
        first = ly + 4 - (len(lines) - 1) * LABEL_FONT if ly < CENTRE else ly + 4
    else:  # the sides: centred on the end of the axis
        first = ly + 4 - (len(lines) - 1) * LABEL_FONT / 2
    spans = "".join(
        f'<tspan x="{lx:.1f}" y="{first + n * LABEL_FONT:.1f}">{escape(line)}</tspan>'
        for n, line in enumerate(lines)
    )
    return f'<text text-anchor="{anchor}" font-size="{LABEL_FONT}" fill="{INK}">{spans}</text>'


def radar(axes: Sequence[Axis], title: str, description: str, chart_id: str) -> Markup:
    """The radar as an inline SVG element."""
    n = len(axes)
    if n < 3:
        raise ValueError("a radar needs at least three axes")
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart radar" '
        f'viewBox="{-MARGIN} 0 {SIZE + 2 * MARGIN} {SIZE}" '
        f'role="img" aria-labelledby="{escape(title_id)} {escape(desc_id)}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(description)}</desc>',
    ]
    for ring in RINGS:
        pts = [point(i, n, ring) for i in range(n)]
        parts.append(f'<polygon points="{_coordinates(pts)}" fill="none" stroke="{GRID}"/>')
        x, y = point(0, n, ring)
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 4:.1f}" font-size="11" fill="{INK}">{ring}</text>')
    for i, axis in enumerate(axes):
        x, y = point(i, n, 100)
        parts.append(f'<line x1="{CENTRE}" y1="{CENTRE}" x2="{x:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(_label(i, n, axis.label))
    if all(a.p25 is not None and a.p75 is not None for a in axes):
        outer = [point(i, n, a.p75) for i, a in enumerate(axes)]  # type: ignore[arg-type]
        inner = [point(i, n, a.p25) for i, a in enumerate(axes)]  # type: ignore[arg-type]
        # The band: the P75 outline with the P25 outline cut out of it (even-odd fill).
        ring = (
            f"M{_coordinates(outer).replace(' ', ' L')} Z M{_coordinates(inner[::-1]).replace(' ', ' L')} Z"
        )
        parts.append(f'<path class="radar-band" d="{ring}" fill="{BAND}" fill-rule="evenodd" stroke="none"/>')
    if any(a.median is not None for a in axes):
        parts.extend(_series([a.median for a in axes], "radar-median", MEDIAN, dashed=True))
    if any(a.previous is not None for a in axes):
        parts.extend(_series([a.previous for a in axes], "radar-previous", PREVIOUS, dashed=True))
    parts.extend(_series([a.company for a in axes], "radar-company", COMPANY))
    for i, axis in enumerate(axes):
        if axis.company is None:
            x, y = point(i, n, 8)
            parts.append(
                f'<text class="radar-missing" x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" '
                f'font-size="14" fill="{INK}">–</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every value in it was escaped or is a number)


def rows(axes: Sequence[Axis]) -> list[dict[str, object]]:
    """The chart's figures for its table: one row per dimension."""
    return [
        {
            "code": a.code,
            "label": a.label,
            "company": a.company,
            "previous": a.previous,
            "median": a.median,
            "p25": a.p25,
            "p75": a.p75,
        }
        for a in axes
    ]


def axes_from(
    labels: Mapping[str, str],
    company: Mapping[str, float | None],
    previous: Mapping[str, float | None] | None = None,
    peers: Mapping[str, tuple[float | None, float | None, float | None]] | None = None,
) -> list[Axis]:
    """Axes in the order of ``labels``: the company's scores, the previous wave's, and the peers'
    (median, P25, P75) per dimension."""
    previous = previous or {}
    peers = peers or {}
    return [
        Axis(
            code,
            label,
            company.get(code),
            previous.get(code),
            *(peers.get(code) or (None, None, None)),
        )
        for code, label in labels.items()
    ]
