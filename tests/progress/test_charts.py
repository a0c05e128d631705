"""Charts that read: the completions chart has a dated axis (ticks, dates, the year), the values reached,
a legend and its axes' titles; the funnel has its shares and scale; an empty chart says why it is empty
and what would fill it, in the reader's language — as the dashboards serve them."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta

from markupsafe import Markup

from app.accounts.models import Role
from app.progress.charts import Point, Words, bar_chart, cumulative_chart
from app.progress.tables import LOCAL_TIME
from tests.conftest import sign_in
from tests.progress.conftest import follow

EN = {"Accept-Language": "en"}
FR = {"Accept-Language": "fr"}
WORDS = Words("Week", "Completions", "Completed so far", "Nothing yet", "Learners' completions fill it.")


def _texts(svg: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def test_the_completions_chart_has_dated_ticks_values_a_legend_and_years():
    start = date(2025, 11, 3)
    points = [Point(start + timedelta(weeks=i), i // 2) for i in range(14)]
    svg = cumulative_chart(points, "Title", "Desc", lambda d: d.strftime("%d/%m"), "c1", words=WORDS)
    texts = _texts(str(svg))
    assert "03/11" in texts and points[-1].week.strftime("%d/%m") in texts  # the first and last weeks
    assert "2025" in texts and "2026" in texts  # the year under the first date and where it changes
    assert str(points[-1].value) in re.findall(r'class="chart-value"[^>]*>(\d+)<', str(svg))
    assert "Completed so far" in texts and "Week" in texts and "Completions" in texts
    ticks = re.findall(r'<line x1="([\d.]+)" x2="\1" y1="[\d.]+" y2="[\d.]+" stroke="#1f2a37"/>', str(svg))
    assert len(ticks) >= 4  # a tick mark for each dated label
    assert "Nothing yet" not in texts


def test_an_empty_chart_says_why_and_what_would_fill_it():
    svg = str(cumulative_chart([], "Title", "Desc", str, "c2", words=WORDS))
    assert "Nothing yet" in _texts(svg) and "Learners' completions fill it." in _texts(svg)
    funnel = str(bar_chart([("Enrolled", 0), ("Started", 0)], 0, "F", "D", "f1", words=WORDS))
    assert "Nothing yet" in _texts(funnel) and "<rect" not in funnel.rsplit("</g>", maxsplit=1)[-1]


def test_the_funnel_shows_each_count_with_its_share_and_a_scale():
    svg = str(bar_chart([("Enrolled", 4), ("Started", 3), ("Passed", 1)], 4, "F", "D", "f2", words=WORDS))
    values = re.findall(r'class="chart-value"[^>]*>([^<]*)<', svg)
    assert values == ["4 (100 %)", "3 (75 %)", "1 (25 %)"]
    assert [t for t in _texts(svg) if t.endswith(" %") and "(" not in t] == [
        "0 %",
        "25 %",
        "50 %",
        "75 %",
        "100 %",
    ]


def test_chart_text_is_escaped():
    hostile = Words("<script>", "x", "y", "<b>", "z")
    svg = cumulative_chart([], "<i>", "&", str, "c3", words=hostile)
    assert isinstance(svg, Markup) and "<script>" not in svg and "&lt;script&gt;" in svg


def _site_page(app, world, headers, user=None):
    client = app.test_client()
    sign_in(client, (user or world.site_managers[0]).email)
    return client.get(f"/progression/cybersites/{world.sites[0].id}", headers=headers).get_data(as_text=True)


def test_the_cybersite_dashboard_chart_reads_empty_then_filled(
    app, world, progress_course, learner_in, make_user
):
    course = progress_course()
    follow(app, world, course)
    empty = _site_page(app, world, EN)
    assert "No course completed yet" in empty
    assert "The chart fills as the learners of the Cybersite&#39;s cohorts complete their courses." in empty
    client = learner_in(world.learners[0], course)
    for unit in ("u1", "u2", "u3", "u4"):
        client.view(unit)
    for probe in ("p1", "p2", "p3"):
        client.report(probe, grade=1.0, max=1.0, completion=1.0)
    filled = _site_page(app, world, EN)
    chart = filled[
        filled.index('id="completions-chart"') : filled.index(
            "</svg>", filled.index('id="completions-chart"')
        )
    ]
    assert "No course completed yet" not in chart
    assert str(datetime.now(LOCAL_TIME).year) in _texts(chart)
    assert "1" in re.findall(r'class="chart-value"[^>]*>(\d+)<', chart)
    assert "Courses completed so far" in chart and "Week (Monday)" in chart
    french_manager = make_user(roles=[(Role.CYBERSITE_MANAGER, world.sites[0])], language="fr")
    french = _site_page(app, world, FR, french_manager)
    assert "Formations terminées à ce jour" in french and "Semaine (lundi)" in french
