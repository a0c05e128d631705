"""The radar chart: valid SVG, points where the scores put them, gaps for missing dimensions, escaping."""

from __future__ import annotations

import math

import pytest
from lxml import etree

from app.vista.radar import CENTRE, RADIUS, Axis, axes_from, point, radar, rows

SVG = "{http://www.w3.org/2000/svg}"
LABELS = {f"D{i}": f"Dimension {i}" for i in range(1, 7)}


def _parse(markup) -> etree._Element:
    return etree.fromstring(str(markup).encode())


def _points(element) -> list[tuple[float, float]]:
    return [tuple(map(float, pair.split(","))) for pair in element.get("points").split()]


def test_points_lie_on_their_axes():
    assert point(0, 6, 100) == pytest.approx((CENTRE, CENTRE - RADIUS))  # straight up
    x, y = point(1, 6, 50)  # 60° clockwise from the top, half way
    assert (x, y) == pytest.approx((CENTRE + RADIUS / 2 * math.sin(math.pi / 3), CENTRE - RADIUS / 2 * 0.5))
    assert point(3, 6, 0) == pytest.approx((CENTRE, CENTRE))
    assert point(0, 6, 150) == point(0, 6, 100)  # clamped


def test_the_company_previous_wave_median_and_band_are_drawn():
    axes = axes_from(
        LABELS,
        dict.fromkeys(LABELS, 60.0),
        previous=dict.fromkeys(LABELS, 40.0),
        peers=dict.fromkeys(LABELS, (50.0, 30.0, 70.0)),
    )
    svg = _parse(radar(axes, "VISTA", "Scores", "r1"))
    assert svg.get("role") == "img" and svg.find(f"{SVG}title").text == "VISTA"
    company = svg.find(f".//{SVG}polygon[@class='radar-company']")
    assert _points(company)[0] == pytest.approx((CENTRE, CENTRE - RADIUS * 0.6), abs=0.1)
    previous = svg.find(f".//{SVG}polygon[@class='radar-previous']")
    assert previous.get("stroke-dasharray") and _points(previous)[3] == pytest.approx(
        (CENTRE, CENTRE + RADIUS * 0.4), abs=0.1
    )
    assert svg.find(f".//{SVG}polygon[@class='radar-median']") is not None
    band = svg.find(f".//{SVG}path[@class='radar-band']")
    assert band.get("fill-rule") == "evenodd" and band.get("d").count("Z") == 2
    assert [t.text for t in svg.iter(f"{SVG}text")][-6:] != []  # labels and ring values are text


def test_a_missing_dimension_leaves_a_gap():
    scores = dict.fromkeys(LABELS, 50.0) | {"D3": None}
    svg = _parse(radar(axes_from(LABELS, scores), "VISTA", "D3: insufficient data", "r2"))
    assert svg.find(f".//{SVG}polygon[@class='radar-company']") is None
    (line,) = svg.findall(f".//{SVG}polyline[@class='radar-company']")
    assert len(_points(line)) == 5  # D4, D5, D6, D1, D2: round the circle, skipping D3
    assert svg.find(f".//{SVG}text[@class='radar-missing']") is not None
    assert "insufficient data" in svg.find(f"{SVG}desc").text


def test_without_peers_there_is_no_band_or_median():
    svg = _parse(radar(axes_from(LABELS, dict.fromkeys(LABELS, 10.0)), "t", "d", "r3"))
    assert svg.find(f".//{SVG}path[@class='radar-band']") is None
    assert svg.find(f".//{SVG}polygon[@class='radar-median']") is None


def test_labels_and_titles_are_escaped():
    hostile = '<script>alert("x")</script>&'
    axes = [Axis(f"D{i}", hostile, 50.0) for i in range(6)]
    markup = str(radar(axes, hostile, hostile, 'id"onload="x'))
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    _parse(markup)  # still well-formed


def test_rows_give_the_same_figures_for_the_table():
    axes = axes_from(LABELS, {"D1": 12.5}, peers={"D1": (50.0, 25.0, 75.0)})
    first = rows(axes)[0]
    assert first == {
        "code": "D1", "label": "Dimension 1", "company": 12.5, "previous": None,
        "median": 50.0, "p25": 25.0, "p75": 75.0,
    }  # fmt: skip


def test_a_radar_needs_three_axes():
    with pytest.raises(ValueError):
        radar([Axis("D1", "a", 1.0)], "t", "d", "r")


FRENCH = {
    "D1": "D1 Stratégie numérique", "D2": "D2 Outils et préparation numériques",
    "D3": "D3 Personnes et compétences", "D4": "D4 Données et sécurité",
    "D5": "D5 Automatisation et IA", "D6": "D6 Numérique responsable",
}  # fmt: skip
ENGLISH = {
    "D1": "D1 Digital strategy", "D2": "D2 Tools and readiness", "D3": "D3 People and skills",
    "D4": "D4 Data and security", "D5": "D5 Automation and AI", "D6": "D6 Green digital",
}  # fmt: skip


@pytest.mark.parametrize("labels", [FRENCH, ENGLISH], ids=["fr", "en"])
def test_every_label_fits_inside_the_chart(labels):
    from app.vista.radar import GLYPH_WIDTH, LABEL_FONT

    svg = _parse(radar(axes_from(labels, dict.fromkeys(labels, 50.0)), "t", "d", "r4"))
    left, top, width, height = map(float, svg.get("viewBox").split())
    placed = [t for t in svg.iter(f"{SVG}text") if t.find(f"{SVG}tspan") is not None]
    assert len(placed) == 6
    for text in placed:
        spans = text.findall(f"{SVG}tspan")
        assert "".join(s.text + " " for s in spans).strip() in labels.values()
        for span in spans:
            x, y, size = float(span.get("x")), float(span.get("y")), len(span.text) * LABEL_FONT * GLYPH_WIDTH
            start = {"start": x, "end": x - size, "middle": x - size / 2}[text.get("text-anchor")]
            assert left <= start and start + size <= left + width, (span.text, start, size)
            assert top + LABEL_FONT <= y <= top + height, (span.text, y)
            assert len(span.text) <= 16 or " " not in span.text


def test_long_labels_are_wrapped_at_spaces():
    from app.vista.radar import label_lines

    assert label_lines("D2 Outils et préparation numériques") == ["D2 Outils et", "préparation", "numériques"]
    assert label_lines("D6 Green digital") == ["D6 Green digital"]
    assert label_lines("Anticonstitutionnellement") == ["Anticonstitutionnellement"]
