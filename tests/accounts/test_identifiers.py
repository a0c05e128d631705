"""SIRET, NAF and e-mail checks, as functions and as form validators."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from wtforms import ValidationError

from app.accounts import identifiers
from app.accounts.validators import Email, NafCode, PasswordStrength, Siret, normalise_email
from tests.conftest import valid_siret

VALID = "73282932000074"  # a real-world-shaped SIRET passing Luhn
LA_POSTE_HEAD_OFFICE = "35600000000048"  # Luhn-valid, unlike La Poste's other establishments
LA_POSTE_VALID = "35600000010000"  # a La Poste establishment: the digit sum (15) is a multiple of 5


class _Field:
    def __init__(self, data):
        self.data = data


def _run(validator, data, form=None):
    field = _Field(data)
    validator(form, field)
    return field.data


def test_a_valid_siret_passes():
    assert identifiers.luhn_valid(VALID)
    assert identifiers.siret_valid(VALID)
    assert _run(Siret(), VALID) == VALID


def test_a_bad_check_digit_is_refused():
    bad = VALID[:-1] + str((int(VALID[-1]) + 1) % 10)
    assert not identifiers.siret_valid(bad)
    with pytest.raises(ValidationError, match="check digit"):
        _run(Siret(), bad)


@pytest.mark.parametrize("value", [VALID[:-1], VALID + "0", "7328293200007A", "", "ABCDEFGHIJKLMN"])
def test_a_siret_needs_exactly_14_digits(value):
    assert not identifiers.siret_valid(value)
    with pytest.raises(ValidationError, match="exactly 14 digits"):
        _run(Siret(), value)


@pytest.mark.parametrize(
    "typed", ["732 829 320 00074", " 73282932000074 ", "732\u00a0829\u00a0320\u00a000074"]
)
def test_spaces_between_groups_are_accepted_and_removed(typed):
    assert _run(Siret(), typed) == VALID


def test_la_poste_follows_its_own_rule():
    assert identifiers.siret_valid(LA_POSTE_VALID)
    assert not identifiers.luhn_valid(LA_POSTE_VALID)  # Luhn would refuse it
    assert not identifiers.siret_valid("35600000049996")  # digit sum 51
    # The head office is the exception: Luhn-valid, digit sum 26.
    assert identifiers.siret_valid(LA_POSTE_HEAD_OFFICE)
    assert _run(Siret(), "356 000 000 00048") == LA_POSTE_HEAD_OFFICE
    luhn_but_not_la_poste = next(
        f"3560000000{n:03d}{d}"
        for n in range(1000)
        for d in range(10)
        if identifiers.luhn_valid(f"3560000000{n:03d}{d}") and sum(map(int, f"3560000000{n:03d}{d}")) % 5
    )
    assert not identifiers.siret_valid(luhn_but_not_la_poste)


@given(st.integers(min_value=1, max_value=10**12), st.integers(min_value=0, max_value=13), st.integers(1, 9))
def test_changing_any_one_digit_of_a_valid_siret_makes_it_invalid(seed, position, delta):
    siret = valid_siret(seed)
    if siret.startswith("356000000"):
        return
    assert identifiers.siret_valid(siret)
    changed = siret[:position] + str((int(siret[position]) + delta) % 10) + siret[position + 1 :]
    assert not identifiers.luhn_valid(changed)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("62.01Z", "62.01Z"),
        ("6201Z", "62.01Z"),
        ("62.01z", "62.01Z"),
        (" 6201z ", "62.01Z"),
        ("01.11Z", "01.11Z"),
    ],
)
def test_naf_codes_are_normalised(typed, stored):
    assert _run(NafCode(), typed) == stored
    assert identifiers.naf_section(stored) in {"J", "A"}


@pytest.mark.parametrize(
    "typed", ["00.00Z", "04.11Z", "34.10Z", "62.01", "6201", "62-01Z", "62.01ZZ", "", "AB.CDZ"]
)
def test_bad_naf_codes_are_refused(typed):
    with pytest.raises(ValidationError, match="NAF"):
        _run(NafCode(), typed)


def test_division_99_exists():
    # 99 is a real division (section U, extra-territorial organisations: 99.00Z). Only the division is
    # checked, not the full list of 732 sub-classes, so 99.99Z passes although no such sub-class exists.
    assert identifiers.naf_valid("99.00Z")
    assert identifiers.naf_section("99.00Z") == "U"


def test_an_unknown_division_is_refused():
    for division in (0, 4, 34, 40, 44, 48, 54, 57, 67, 76, 83, 89, 100):
        code = f"{division:02d}.01Z"
        assert not identifiers.naf_valid(code), code


def test_naf_sections():
    assert identifiers.naf_section("62.01Z") == "J"
    assert identifiers.naf_section("10.71C") == "C"
    assert identifiers.naf_section("99.00Z") == "U"


def test_email_normalisation_lower_cases_and_trims():
    assert normalise_email("  Lea.Martin@Example.FR ") == "lea.martin@example.fr"
    assert _run(Email(), "Lea@EXAMPLE.fr") == "lea@example.fr"


@pytest.mark.parametrize(
    "typed", ["", "lea", "lea@", "@example.fr", "lea martin@example.fr", "lea@@example.fr"]
)
def test_bad_email_addresses_are_refused(app_ctx, typed):
    with pytest.raises(ValidationError):
        _run(Email(), typed)


@pytest.mark.parametrize("password", ["short", "123456789012", "abcdefghi"])
def test_weak_passwords_are_refused(app_ctx, password):
    with pytest.raises(ValidationError):
        _run(PasswordStrength(), password)


def test_a_strong_password_passes(app_ctx):
    assert _run(PasswordStrength(), "correct horse battery") == "correct horse battery"
