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


@dataclass(frozen=True)
class Words:
    """What a chart says besides its figures, in the reader's language: the axes' titles, the legend, and
    for an empty chart why it is empty and what would fill it."""

    x_axis: str
    y_axis: str
    legend: str
    empty: str
    empty_hint: str


def _open(chart_id: str, height: int, title: str, description: str) -> list[str]:
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{escape(title_id)} {escape(desc_id)}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(description)}</desc>',
    ]


def _empty_state(words: Words, top: float, bottom: float) -> str:
    """The message an empty plot shows in its middle: why it is empty, what would fill it."""
    middle = (top + bottom) / 2
    return (
        f'<text class="chart-empty" x="{WIDTH / 2:.0f}" y="{middle - 6:.1f}" text-anchor="middle" '
        f'font-size="15" font-weight="600" fill="{INK}">{escape(words.empty)}</text>'
        f'<text x="{WIDTH / 2:.0f}" y="{middle + 16:.1f}" text-anchor="middle" font-size="13" '
        f'fill="{INK}">{escape(words.empty_hint)}</text>'
    )


def _legend(words: Words, x: float, y: float, swatch: str = FILL) -> str:
    """The legend: a swatch of the series' colour and its name."""
    return (
        f'<g class="chart-legend"><rect x="{x:.1f}" y="{y - 10:.1f}" width="14" height="10" fill="{swatch}" '
        f'stroke="{LINE}" stroke-width="2"/><text x="{x + 20:.1f}" y="{y:.1f}" font-size="12" fill="{INK}">'
        f"{escape(words.legend)}</text></g>"
    )


def cumulative_chart(
    points: Sequence[Point],
    title: str,
    description: str,
    label: Callable[[date], str],
    chart_id: str,
    *,
    words: Words,
) -> Markup:
    """A step chart of a running total per week, as an inline SVG element: a dated horizontal axis (a
    tick at each labelled week, the year under the first one and wherever it changes), a value axis with
    its ticks, the value reached at each labelled week, a legend, and the axes' titles. Without points, the
    frame says why it is empty and what would fill it."""
    height = HEIGHT + 16  # room for the years under the dates and the axis's title
    parts = _open(chart_id, height, title, description)
    top_y, base_y = TOP + 20, HEIGHT - BOTTOM  # the legend sits above the plot
    plot_w, plot_h = WIDTH - LEFT - RIGHT, base_y - top_y
    ticks = _ticks(max((p.value for p in points), default=0))
    top = ticks[-1] or 1

    def y(value: float) -> float:
        return top_y + plot_h - plot_h * value / top

    parts.append(_legend(words, LEFT, TOP + 4))
    parts.append(
        f'<text x="12" y="{(top_y + base_y) / 2:.1f}" font-size="12" fill="{INK}" text-anchor="middle" '
        f'transform="rotate(-90 12 {(top_y + base_y) / 2:.1f})">{escape(words.y_axis)}</text>'
    )
    for tick in ticks if points else [0]:
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
        every = max(1, -(-len(points) // 6))
        year = None
        for i, point in enumerate(points):
            if i % every and i != len(points) - 1:
                continue
            if i != len(points) - 1 and len(points) - 1 - i < every / 2:
                continue  # too close to the last week's label, which is always shown
            x = LEFT + (i + 0.5) * step
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{base_y:.1f}" y2="{base_y + 5:.1f}" stroke="{INK}"/>'
                f'<text x="{x:.1f}" y="{base_y + 18:.1f}" text-anchor="middle" font-size="12" '
                f'fill="{INK}">{escape(label(point.week))}</text>'
                f'<circle cx="{x:.1f}" cy="{y(point.value):.1f}" r="3" fill="{LINE}"/>'
                f'<text class="chart-value" x="{x:.1f}" y="{y(point.value) - 7:.1f}" text-anchor="middle" '
                f'font-size="12" font-weight="600" fill="{INK}">{point.value}</text>'
            )
            if point.week.year != year:
                year = point.week.year
                parts.append(
                    f'<text x="{x:.1f}" y="{base_y + 32:.1f}" text-anchor="middle" font-size="12" '
                    f'fill="{INK}">{year}</text>'
                )
    else:
        parts.append(_empty_state(words, top_y, base_y))
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="{INK}"/>'
        f'<line x1="{LEFT}" x2="{LEFT}" y1="{top_y}" y2="{y(0):.1f}" stroke="{INK}"/>'
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{base_y + 50:.1f}" text-anchor="middle" font-size="12" '
        f'fill="{INK}">{escape(words.x_axis)}</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every value in it was escaped or is a number)


def bar_chart(
    bars: Sequence[tuple[str, int]], total: int, title: str, description: str, chart_id: str, *, words: Words
) -> Markup:
    """Horizontal bars (a funnel): each label with its count and its share of ``total``, a scale of shares
    (0 to 100 % of ``total``) under the bars, a legend and the scale's title. With ``total`` 0 the bars'
    place says why the chart is empty and what would fill it."""
    row, label_w = 28, 260
    bars_top = TOP + 20
    bars_h = row * max(len(bars), 1)
    height = bars_top + bars_h + 44
    parts = _open(chart_id, height, title, description)
    bar_w = WIDTH - label_w - RIGHT - 96
    parts.append(_legend(words, label_w, TOP + 4, LINE))
    base = bars_top + bars_h
    for share in (0, 25, 50, 75, 100):
        x = label_w + bar_w * share / 100
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{bars_top}" y2="{base + 4}" stroke="{GRID}"/>'
            f'<text x="{x:.1f}" y="{base + 18}" text-anchor="middle" font-size="12" fill="{INK}">'
            f"{share} %</text>"
        )
    if total:
        for i, (label, value) in enumerate(bars):
            top = bars_top + i * row
            width = bar_w * value / total
            short = label if len(label) <= 38 else label[:37] + "…"
            share = round(100 * value / total)
            parts.append(
                f'<text x="{label_w - 8}" y="{top + 17}" text-anchor="end" font-size="13" fill="{INK}">'
                f"{escape(short)}</text>"
                f'<rect x="{label_w}" y="{top + 4}" width="{width:.1f}" height="{row - 10}" fill="{LINE}"/>'
                f'<text class="chart-value" x="{label_w + width + 6:.1f}" y="{top + 17}" font-size="13" '
                f'fill="{INK}">{value} ({share} %)</text>'
            )
    else:
        parts.append(_empty_state(words, bars_top, base))
    parts.append(
        f'<line x1="{label_w}" x2="{label_w}" y1="{bars_top}" y2="{base}" stroke="{INK}"/>'
        f'<text x="{label_w + bar_w / 2:.1f}" y="{height - 6}" text-anchor="middle" font-size="12" '
        f'fill="{INK}">{escape(words.x_axis)}</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every value in it was escaped or is a number)
