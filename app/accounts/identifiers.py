"""French business identifiers: SIRET (Luhn-checked) and NAF/APE activity codes (with their section)."""

from __future__ import annotations

import re

_NAF = re.compile(r"^(\d{2})\.(\d{2})([A-Z])$")

# NAF rév. 2 divisions (first two digits) by section letter.
_SECTIONS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("A", (1, 2, 3)),
    ("B", (5, 6, 7, 8, 9)),
    ("C", tuple(range(10, 34))),
    ("D", (35,)),
    ("E", (36, 37, 38, 39)),
    ("F", (41, 42, 43)),
    ("G", (45, 46, 47)),
    ("H", (49, 50, 51, 52, 53)),
    ("I", (55, 56)),
    ("J", (58, 59, 60, 61, 62, 63)),
    ("K", (64, 65, 66)),
    ("L", (68,)),
    ("M", (69, 70, 71, 72, 73, 74, 75)),
    ("N", (77, 78, 79, 80, 81, 82)),
    ("O", (84,)),
    ("P", (85,)),
    ("Q", (86, 87, 88)),
    ("R", (90, 91, 92, 93)),
    ("S", (94, 95, 96)),
    ("T", (97, 98)),
    ("U", (99,)),
)
SECTION_OF_DIVISION: dict[int, str] = {div: letter for letter, divs in _SECTIONS for div in divs}

# La Poste's establishments share one SIREN and are too many for the Luhn key: INSEE makes the sum of their
# digits a multiple of 5 instead. Its head office keeps a Luhn-valid number (and fails the digit-sum rule).
_LA_POSTE_SIREN = "356000000"
_LA_POSTE_HEAD_OFFICE = "35600000000048"


def normalise_siret(raw: str) -> str:
    """Drop the spaces people type between digit groups."""
    return re.sub(r"[\s\u00a0]", "", raw or "")


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum used by SIREN and SIRET numbers."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def siret_valid(siret: str) -> bool:
    """True for 14 digits passing the SIRET check (Luhn, or La Poste's digit-sum rule)."""
    if len(siret) != 14 or not siret.isdigit():
        return False
    if siret.startswith(_LA_POSTE_SIREN) and siret != _LA_POSTE_HEAD_OFFICE:
        return sum(int(c) for c in siret) % 5 == 0
    return luhn_valid(siret)


def normalise_naf(raw: str) -> str:
    """Upper-case the code and accept the common spelling without the dot (``6201Z``)."""
    code = (raw or "").strip().upper()
    if re.fullmatch(r"\d{4}[A-Z]", code):
        code = f"{code[:2]}.{code[2:]}"
    return code


def naf_valid(code: str) -> bool:
    """True for a code shaped ``NN.NNX`` whose division exists in NAF rév. 2."""
    match = _NAF.match(code)
    return bool(match) and int(match.group(1)) in SECTION_OF_DIVISION


def naf_section(code: str) -> str:
    """The NAF section letter (A–U) of a valid code."""
    return SECTION_OF_DIVISION[int(code[:2])]
