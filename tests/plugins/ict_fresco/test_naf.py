"""The row a company's NAF code opens the fresco on (the mapping documented in plugins/ict_fresco/naf.py)."""

from __future__ import annotations

import pytest

from plugins.ict_fresco.grid import SECTORS
from plugins.ict_fresco.naf import sector_for_naf


@pytest.mark.parametrize(
    ("code", "sector"),
    [
        ("47.11B", "retail"),  # supérette
        ("46.39A", "retail"),  # wholesale of food
        ("45.11Z", "retail"),  # car dealer
        ("45.20A", "crafts_building"),  # garage: a craft trade, unlike the rest of division 45
        ("43.22A", "crafts_building"),  # plumber
        ("41.20A", "crafts_building"),
        ("95.11Z", "crafts_building"),  # computer repair
        ("96.02A", "crafts_building"),  # hairdresser
        ("10.71C", "agriculture_food"),  # bakery
        ("11.02B", "agriculture_food"),  # wine making
        ("01.21Z", "agriculture_food"),  # vineyard
        ("03.11Z", "agriculture_food"),  # sea fishing
        ("25.62B", "manufacturing"),  # machining
        ("33.12Z", "manufacturing"),
        ("08.12Z", "manufacturing"),  # quarry
        ("38.11Z", "manufacturing"),  # waste collection
        ("55.10Z", "tourism_hospitality"),  # hotel
        ("56.10A", "tourism_hospitality"),  # restaurant
        ("79.11Z", "tourism_hospitality"),  # travel agency
        ("62.01Z", "services"),  # software
        ("69.20Z", "services"),  # accountant
        ("49.41A", "services"),  # road haulage
        ("86.21Z", "services"),  # GP
        ("99.00Z", "services"),
        ("4711B", "retail"),  # written without the dot, as SIRENE files do
        (" 56.10a ", "tourism_hospitality"),
        ("47", "retail"),
    ],
)
def test_a_naf_code_gives_its_row(code, sector):
    assert sector_for_naf(code) == sector
    assert sector in SECTORS


@pytest.mark.parametrize(
    "code", [None, "", "   ", "04.00Z", "34.10Z", "83.00Z", "00.00Z", "ABCDE", "4", "47.111B"]
)
def test_no_row_for_a_missing_malformed_or_unknown_code(code):
    assert sector_for_naf(code) is None


def test_every_row_but_none_is_reachable():
    reached = {sector_for_naf(f"{division:02d}.10Z") for division in range(1, 100)} - {None}
    assert reached == set(SECTORS)
