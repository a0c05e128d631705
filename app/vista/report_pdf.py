"""The VISTA report as a PDF a company manager keeps, prints or sends on: the same data as the page
(``app.vista.report``) on A4 portrait pages — the headline, the radar against the peers, the dimensions'
scores, each dimension's largest gaps and courses, the trends across waves, the figures, the training and
how the score is made. Drawn with fpdf2 in DejaVu Sans (the fonts the certificates bundle), the radar as
vector polygons; every text in the reader's language.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime

from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from app.progress.certificates import FONTS
from app.vista.benchmarks import Standing
from app.vista.report import DimensionLine, Report
from app.vista.scoring import Result

INK = (31, 42, 55)
MUTED = (90, 100, 110)
BLUE = (29, 93, 144)
GRID = (201, 211, 221)
MEDIAN = (178, 83, 42)
BAND = (243, 220, 207)
PREVIOUS = (107, 119, 133)
WIDTH = 180  # the printable width of the page, in mm (A4 with 15 mm margins)


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _delta(value: float | None) -> str:
    return "–" if value is None else f"{value:+.1f}"


class _Document(FPDF):
    """A4 portrait with the company's name and the page number at the foot of every page."""

    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="C")


def _point(
    centre: tuple[float, float], radius: float, index: int, count: int, value: float
) -> tuple[float, float]:
    cx, cy = centre
    angle = -math.pi / 2 + 2 * math.pi * index / count
    distance = radius * max(0.0, min(100.0, value)) / 100
    return cx + distance * math.cos(angle), cy + distance * math.sin(angle)


def _outline(
    document: FPDF,
    centre: tuple[float, float],
    radius: float,
    values: Sequence[float | None],
    *,
    colour: tuple[int, int, int],
    width: float,
    dashed: bool = False,
) -> None:
    """A series of the radar: a closed outline, broken where a dimension has no score."""
    n = len(values)
    document.set_draw_color(*colour)
    document.set_line_width(width)
    if dashed:
        document.set_dash_pattern(dash=1.5, gap=1)
    for i in range(n):
        here, there = values[i], values[(i + 1) % n]
        if here is None or there is None:
            continue
        x1, y1 = _point(centre, radius, i, n, here)
        x2, y2 = _point(centre, radius, (i + 1) % n, n, there)
        document.line(x1, y1, x2, y2)
    document.set_dash_pattern()


def _radar(document: FPDF, standing: Standing, top: float) -> float:
    """The radar of the company, its previous wave and its peers' median and P25–P75 band; returns the y
    below it."""
    rows = standing.rows
    n = len(rows)
    radius, cx, cy = 38.0, 15 + 70.0, top + 48.0
    centre = (cx, cy)
    p75 = [r["p75"] for r in rows]
    p25 = [r["p25"] for r in rows]
    if all(v is not None for v in p75):
        document.set_fill_color(*BAND)
        document.polygon([_point(centre, radius, i, n, float(v)) for i, v in enumerate(p75)], style="F")  # type: ignore[arg-type]
        if all(v is not None for v in p25):
            document.set_fill_color(255, 255, 255)
            document.polygon([_point(centre, radius, i, n, float(v)) for i, v in enumerate(p25)], style="F")  # type: ignore[arg-type]
    document.set_draw_color(*GRID)
    document.set_line_width(0.2)
    for ring in (25, 50, 75, 100):
        document.polygon([_point(centre, radius, i, n, ring) for i in range(n)], style="D")
    document.set_font("DejaVu", "", 7)
    document.set_text_color(*INK)
    for i, row in enumerate(rows):
        x, y = _point(centre, radius, i, n, 100)
        document.line(cx, cy, x, y)
        lx, ly = _point(centre, radius + 7, i, n, 100)
        label = str(row["label"])
        document.set_xy(lx - 22, ly - 3)
        document.multi_cell(44, 3, label, align="C")
    series = {
        key: [None if r[key] is None else float(r[key]) for r in rows]
        for key in ("median", "previous", "company")
    }  # type: ignore[arg-type]
    _outline(document, centre, radius, series["median"], colour=MEDIAN, width=0.5)
    _outline(document, centre, radius, series["previous"], colour=PREVIOUS, width=0.4, dashed=True)
    _outline(document, centre, radius, series["company"], colour=BLUE, width=0.9)
    # The legend, at the right of the chart.
    legend = [
        (BLUE, _("Company"), False),
        (PREVIOUS, _("Previous wave"), True),
        (MEDIAN, _("Peer median"), False),
        (BAND, _("Peers P25–P75"), False),
    ]
    y = top + 30
    document.set_font("DejaVu", "", 8)
    for colour, text, dashed in legend:
        document.set_draw_color(*colour)
        document.set_line_width(2.5 if colour == BAND else 0.8)
        if dashed:
            document.set_dash_pattern(dash=1.5, gap=1)
        document.line(150, y + 2, 160, y + 2)
        document.set_dash_pattern()
        document.set_xy(162, y)
        document.cell(35, 4, text)
        y += 6
    return top + 100


def _heading(document: FPDF, text: str, size: int = 13) -> None:
    if document.get_y() > 240:  # a heading never ends a page
        document.add_page()
    document.ln(3)
    document.set_font("DejaVu", "B", size)
    document.set_text_color(*BLUE)
    document.multi_cell(WIDTH, 7, text, new_x="LMARGIN", new_y="NEXT")
    document.set_text_color(*INK)


def _paragraph(document: FPDF, text: str, size: int = 10, muted: bool = False) -> None:
    document.set_font("DejaVu", "", size)
    document.set_text_color(*(MUTED if muted else INK))
    document.multi_cell(WIDTH, 5, text, new_x="LMARGIN", new_y="NEXT")
    document.set_text_color(*INK)


def _label(document: FPDF, text: str) -> None:
    document.set_font("DejaVu", "B", 9.5)
    document.multi_cell(WIDTH, 5, text, new_x="LMARGIN", new_y="NEXT")


def _table(document: FPDF, head: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[int]) -> None:
    document.set_font("DejaVu", "", 8.5)
    document.set_draw_color(*GRID)
    document.set_line_width(0.2)
    with document.table(
        col_widths=tuple(widths),
        width=WIDTH,
        text_align=("LEFT",) + ("RIGHT",) * (len(head) - 1),
        headings_style=FontFace(emphasis="BOLD", fill_color=(238, 242, 246)),
        line_height=4.6,
        first_row_as_headings=True,
    ) as table:
        for values in [head, *rows]:
            row = table.row()
            for value in values:
                row.cell(value)


def _document(title: str) -> _Document:
    document = _Document(orientation="P", unit="mm", format="A4")
    document.footer_text = title
    document.set_title(title)
    document.set_author("Cybermassif")
    document.set_creation_date(datetime.now(UTC))
    document.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    document.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    document.set_margins(15, 15, 15)
    document.set_auto_page_break(True, margin=18)
    document.alias_nb_pages()
    document.add_page()
    return document


def _headline(document: FPDF, report: Report, result: Result, level_names: dict[str, str]) -> None:
    assert report.latest is not None
    submitted = format_date(report.latest.submitted_at) if report.latest.submitted_at else "–"
    _paragraph(document, _("Wave %(wave)s, submitted on %(date)s.", wave=report.latest.wave, date=submitted))
    overall = f"{_('Overall score')}: {_num(result.overall)} / 100"
    if result.level:
        overall += f" · {_('level')}: {level_names[result.level.value]}"
    document.set_font("DejaVu", "B", 12)
    document.multi_cell(WIDTH, 7, overall, new_x="LMARGIN", new_y="NEXT")
    if report.previous:
        change = _delta(report.change)
        _paragraph(
            document, _("Change since wave %(wave)s: %(change)s", wave=report.previous.wave, change=change)
        )
    else:
        _paragraph(document, _("This is the company’s first wave: no change to show yet."), muted=True)
    dma = _num(result.dma)
    _paragraph(document, _("DMA-comparable score (mean of the adoption scores): %(score)s", score=dma))


def _peers(document: FPDF, standing: Standing) -> None:
    _heading(document, _("Compared with similar companies"))
    group, size = standing.group_name, standing.benchmark.size
    _paragraph(document, _("Peer group: %(group)s (%(n)d companies).", group=group, n=size))
    document.set_y(_radar(document, standing, document.get_y()))
    head = [_("Dimension"), _("Company"), _("Previous wave"), _("Peer median"), _("Peers P25–P75")]
    rows = []
    for row in standing.rows:
        values = [row["company"], row["previous"], row["median"], row["p25"], row["p75"]]
        company, previous, median, p25, p75 = (None if v is None else float(v) for v in values)  # type: ignore[arg-type]
        band = "–" if p25 is None else f"{_num(p25)} – {_num(p75)}"
        found = standing.benchmark.standings.get(str(row["code"]))
        percentile = "–" if found is None or found.percentile is None else f"{found.percentile:.0f}"
        rows.append([str(row["label"]), _num(company), _num(previous), _num(median), band, percentile])
    _table(document, [*head, _("Percentile")], rows, (60, 22, 24, 24, 28, 22))


def _dimensions(document: FPDF, report: Report, level_names: dict[str, str]) -> None:
    _heading(document, _("Dimensions"))
    lines = []
    for line in report.dimensions:
        d = line.current
        name = f"{line.dimension} · {line.name}"
        if d.insufficient:
            lines.append([name, "–", "–", "–", _("Insufficient data"), "–"])
            continue
        score = _num(d.score) + (f" ({level_names[d.level.value]})" if d.level else "")
        lines.append([name, _num(d.adoption), _num(d.use), _num(d.impact), score, _delta(line.change)])
    head = [_("Dimension"), _("Adoption"), _("Use"), _("Impact"), _("Score"), _("Change")]
    _table(document, head, lines, (62, 20, 20, 20, 38, 20))


def _card(document: FPDF, line: DimensionLine) -> None:
    """A dimension's largest gaps and its courses."""
    lens_names = {"A": _("Adoption"), "U": _("Use"), "I": _("Impact")}
    heading = f"{line.dimension} · {line.name}"
    if line.current.score is not None:
        heading += f" — {_num(line.current.score)} / 100"
    _heading(document, heading, 11)
    _label(document, _("Largest gaps"))
    for position, gap in enumerate(line.gaps, 1):
        share = _("%(pct)d %% of the best answer", pct=round(gap.achieved * 100))
        _paragraph(document, f"{position}. {gap.text} ({lens_names[gap.lens]} · {share})", 9)
    if not line.gaps:
        _paragraph(document, _("No gap among the answered items."), 9, muted=True)
    _label(document, _("Courses for this dimension"))
    for course in line.courses:
        staff = ngettext(
            "%(num)d of your staff completed it", "%(num)d of your staff completed it", course.completed
        )
        text = f"• {course.title} — {staff}"
        if course.requested_at:
            text += " · " + _("Requested on %(date)s", date=format_date(course.requested_at))
        _paragraph(document, text, 9)
    if not line.courses:
        _paragraph(document, _("The catalogue has no course for this dimension yet."), 9, muted=True)


def _trends(document: FPDF, report: Report) -> None:
    _heading(document, _("Trends across waves"))
    caption = _("Scores of each submitted wave, as of its submission (the latest with today’s training)")
    _paragraph(document, caption, 9, muted=True)
    codes = [line.dimension for line in report.dimensions]
    rows = [
        [
            f"{p.wave} {format_date(p.submitted_at) if p.submitted_at else ''}".strip(),
            *(_num(p.dimensions.get(c)) for c in codes),
            _num(p.overall),
        ]
        for p in report.trend
    ]
    _table(document, [_("Wave"), *codes, _("Overall")], rows, (44, *(17,) * len(codes), 34))


def _figures(document: FPDF, report: Report) -> None:
    _heading(document, _("Figures"))
    if not report.figures:
        _paragraph(document, _("Nothing to show."), 9, muted=True)
        return
    rows = [
        [f"{f.text} ({f.unit})" if f.unit else f.text, _num(f.value), _num(f.previous), _delta(f.change)]
        for f in report.figures
    ]
    _table(document, [_("Figure"), _("Value"), _("Previous wave"), _("Change")], rows, (102, 26, 26, 26))


def _training(document: FPDF, report: Report) -> None:
    _heading(document, _("Training"))
    for cohort in report.cohorts:
        dates = f"{format_date(cohort.starts_on)} – {format_date(cohort.ends_on)}"
        _paragraph(document, f"• {cohort.name} ({dates})", 9)
    if not report.cohorts:
        _paragraph(document, _("The company takes part in no cohort."), 9, muted=True)
    if report.courses:
        head = [_("Course"), _("Staff enrolled"), _("Completed"), _("Passed")]
        rows = [[c.title, str(c.enrolled), str(c.completed), str(c.passed)] for c in report.courses]
        _table(document, head, rows, (102, 26, 26, 26))


def _method(document: FPDF, result: Result) -> None:
    weights = result.weights
    _heading(document, _("How the score is made"))
    text = _(
        "A dimension’s score weighs adoption %(a)s, use %(u)s and impact %(i)s; when a lens has no data, "
        "the weights are re-normalised over the others. Items answered “not relevant” are left out; above "
        "three in ten of a dimension’s items, it shows “insufficient data”. The overall score is the mean of "
        "the dimension scores; the raw figures are shown, not scored.",
        a=weights.adoption,
        u=weights.use,
        i=weights.impact,
    )
    _paragraph(document, text, 9)
    levels = _("Levels: basic up to 25, average up to 50, moderately advanced up to 75, advanced above.")
    _paragraph(document, levels, 9)


def pdf(report: Report, standing: Standing | None, level_names: dict[str, str]) -> bytes:
    """The report of a company with a submitted wave, as a PDF."""
    result = report.result
    assert result is not None and report.latest is not None
    title = _("VISTA report: %(company)s", company=report.company.legal_name)
    document = _document(title)
    document.set_font("DejaVu", "B", 18)
    document.set_text_color(*BLUE)
    document.multi_cell(WIDTH, 9, title, new_x="LMARGIN", new_y="NEXT")
    _headline(document, report, result, level_names)
    if standing is not None:
        _peers(document, standing)
    _dimensions(document, report, level_names)
    _heading(document, _("What to work on, dimension by dimension"))
    for line in report.dimensions:
        _card(document, line)
    _trends(document, report)
    _figures(document, report)
    _training(document, report)
    _method(document, result)
    return bytes(document.output())
