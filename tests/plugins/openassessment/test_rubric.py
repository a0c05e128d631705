"""ORA's rules on a rubric read from real OLX: points possible, points of an assessment, peer medians."""

from __future__ import annotations

from lxml import etree

from plugins.openassessment.olx import points_possible, read_definition
from plugins.openassessment.rubric import median_by_criterion, median_points, points
from tests.plugins.openassessment.conftest import ora_xml

DEFINITION = read_definition(etree.fromstring(ora_xml("peer", "self")))


def test_points_possible_are_the_best_option_of_each_criterion():
    assert points_possible(DEFINITION) == 7
    assert points(DEFINITION, {"idees": "quelques", "clarte": "clair"}) == 5
    # An option no longer in the rubric counts for nothing.
    assert points(DEFINITION, {"idees": "disparue", "clarte": "clair"}) == 2


def test_the_peer_median_is_taken_per_criterion_and_rounded_up_when_even():
    three = [
        {"idees": "aucune", "clarte": "clair"},
        {"idees": "riches", "clarte": "confus"},
        {"idees": "quelques", "clarte": "clair"},
    ]
    assert median_by_criterion(DEFINITION, three) == {"idees": 3, "clarte": 2}
    four = [*three, {"idees": "riches", "clarte": "confus"}]
    # idees 0 3 5 5: (3 + 5) / 2 = 4; clarte 0 0 2 2: (0 + 2) / 2 = 1.
    assert median_by_criterion(DEFINITION, four) == {"idees": 4, "clarte": 1}
    assert median_points(DEFINITION, four) == 5
    two = [{"idees": "aucune", "clarte": "confus"}, {"idees": "quelques", "clarte": "confus"}]
    assert median_by_criterion(DEFINITION, two)["idees"] == 2  # 1.5 rounded up, as ORA does
    assert median_points(DEFINITION, []) == 0
