"""Charts drawn by the server as SVG: readable without JavaScript, with a title and a description for
screen readers (``role="img"``, ``<title>``, ``<desc>``); the page shows the same figures as a table too.

Everything a chart holds is escaped; colours and sizes are attributes (the site's CSP allows no inline
style).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40
INK, LINE, GRID, FILL = "#1f2a37", "#1d5d90", "#d5dde5", "#e3eef7"


@dataclass(frozen=True)
class Point:
    """One week of the cumulative chart."""

    week: date
    value: int


def _ticks(top: int) -> list[int]:
    if top <= 0:
        return [0]
    step = max(1, -(-top // 4))
    return list(range(0, top + step, step))[:6]


def cumulative_chart(
    points: Sequence[Point], title: str, description: str, label: Callable[[date], str], chart_id: str
) -> Markup:
    """A step chart of a running total per week, as an inline SVG element."""
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(description)}</desc>',
    ]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    ticks = _ticks(max((p.value for p in points), default=0))
    top = ticks[-1] or 1

    def y(value: float) -> float:
        return TOP + plot_h - plot_h * value / top

    for tick in ticks:
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="{GRID}"/>'
            f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="12" fill="{INK}">'
            f"{tick}</text>"
        )
    if points:
        step = plot_w / len(points)
        path = [f"M{LEFT:.1f},{y(0):.1f}"]
        for i, point in enumerate(points):
            x0, x1 = LEFT + i * step, LEFT + (i + 1) * step
            path.append(f"L{x0:.1f},{y(point.value):.1f} L{x1:.1f},{y(point.value):.1f}")
        area = " ".join(path) + f" L{LEFT + plot_w:.1f},{y(0):.1f} Z"
        parts.append(f'<path d="{area}" fill="{FILL}" stroke="none"/>')
        line = " ".join(path[1:]).replace("L", "M", 1)
        parts.append(f'<path d="{line}" fill="none" stroke="{LINE}" stroke-width="2"/>')
        every = max(1, len(points) // 6)
        for i, point in enumerate(points):
            if i % every == 0 or i == len(points) - 1:
                x = LEFT + (i + 0.5) * step
                parts.append(
                    f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" font-size="12" '
                    f'fill="{INK}">{escape(label(point.week))}</text>'
                )
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="{INK}"/>'
        f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{y(0):.1f}" stroke="{INK}"/>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every value in it was escaped or is a number)


def bar_chart(
    bars: Sequence[tuple[str, int]], total: int, title: str, description: str, chart_id: str
) -> Markup:
    """Horizontal bars (a funnel): each label with its count out of ``total``."""
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    row, label_w = 28, 260
    height = TOP + row * max(len(bars), 1) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" width="100%">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(description)}</desc>',
    ]
    bar_w = WIDTH - label_w - RIGHT - 48
    for i, (label, value) in enumerate(bars):
        top = TOP + i * row
        width = bar_w * value / total if total else 0
        short = label if len(label) <= 38 else label[:37] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{top + 17}" text-anchor="end" font-size="13" fill="{INK}">'
            f"{escape(short)}</text>"
            f'<rect x="{label_w}" y="{top + 4}" width="{width:.1f}" height="{row - 10}" fill="{LINE}"/>'
            f'<text x="{label_w + width + 6:.1f}" y="{top + 17}" font-size="13" fill="{INK}">{value}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every value in it was escaped or is a number)
