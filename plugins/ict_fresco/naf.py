"""Which row of the fresco a company's NAF code (the French APE activity code, NAF rév. 2) opens on.

The code's division (its first two digits) decides, with one group-level exception:

===================== =====================================================================================
row                   NAF divisions
===================== =====================================================================================
retail                45–47 (motor trade, wholesale, retail) except 45.2
crafts_building       41–43 (construction); 45.2 (vehicle repair), 95 (repair of computers and household
                      goods), 96 (hairdressing, beauty, laundries, other personal services): the trades
                      of the French *artisanat* that are not food or manufacturing
manufacturing         05–09 (extraction), 12–33 (manufacturing but food and drink), 35–39 (energy, water,
                      waste): INSEE's "industrie", sections B to E
agriculture_food      01–03 (agriculture, forestry, fishing), 10–11 (food and drink, bakeries included)
tourism_hospitality   55–56 (accommodation, food service), 79 (travel agencies, tour operators)
services              every other division (transport, information, finance, real estate, professional
                      and administrative services, education, health, culture…)
===================== =====================================================================================

A code that is missing, malformed or names no NAF division gives no row: the fresco then opens on its
first row and lets the learner choose.
"""

from __future__ import annotations

import re

_CODE = re.compile(r"^(\d{2})(?:\.?(\d{1,2})[A-Z]?)?$")

# The divisions of NAF rév. 2: every number from 01 to 99 but these unused ones.
_DIVISIONS = frozenset(range(1, 100)) - {4, 34, 40, 44, 48, 54, 57, 67, 76, 83, 89}

_BY_DIVISION: dict[int, str] = {
    **dict.fromkeys((1, 2, 3, 10, 11), "agriculture_food"),
    **dict.fromkeys((*range(5, 10), *range(12, 34), *range(35, 40)), "manufacturing"),
    **dict.fromkeys((41, 42, 43, 95, 96), "crafts_building"),
    **dict.fromkeys((45, 46, 47), "retail"),
    **dict.fromkeys((55, 56, 79), "tourism_hospitality"),
}
# Groups (division, group digit) whose row differs from their division's.
_BY_GROUP: dict[tuple[int, int], str] = {(45, 2): "crafts_building"}


def sector_for_naf(code: str | None) -> str | None:
    """The fresco row of a NAF code such as ``47.11B`` (or ``4711B``), or None when there is none."""
    if not code:
        return None
    match = _CODE.match(code.strip().upper())
    if match is None:
        return None
    division = int(match.group(1))
    if division not in _DIVISIONS:
        return None
    group = match.group(2)
    if group is not None and (division, int(group[0])) in _BY_GROUP:
        return _BY_GROUP[division, int(group[0])]
    return _BY_DIVISION.get(division, "services")
