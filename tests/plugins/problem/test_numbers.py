"""Numbers as learners type them, and Open edX's tolerances, with exact boundaries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from plugins.problem.messages import Message
from plugins.problem.numbers import NumberRange, Tolerance, format_number, is_number_or_range, parse_number

# Answers as authors write them: up to 6 decimals, moderate sizes.
VALUES = st.decimals(min_value=-(10**6), max_value=10**6, places=4, allow_nan=False, allow_infinity=False)
AMOUNTS = st.decimals(min_value=0, max_value=1000, places=3, allow_nan=False, allow_infinity=False)
PERCENTS = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
TINY = Decimal("1e-9")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", "12"),
        ("-3.5", "-3.5"),
        ("+3.5", "3.5"),
        ("3,5", "3.5"),
        (" 12,50 ", "12.50"),
        ("1 250,75", "1250.75"),
        ("1\u202f250\u202f000", "1250000"),
        (".5", "0.5"),
        ("2.5e3", "2500"),
        ("1E-2", "0.01"),
    ],
)
def test_numbers_are_read_as_people_write_them(text: str, value: str):
    assert parse_number(text) == Decimal(value)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "12 %",
        "5%",
        "1,2,3",
        "1.000,5",
        "1 2",
        "inf",
        "nan",
        "1e400",
        "2*3",
        "0x10",
        "١٢",
        "1" * 101,
    ],
)
def test_what_is_not_a_plain_number_is_refused(text: str):
    assert parse_number(text) is None


@given(value=VALUES)
def test_a_number_written_with_a_comma_or_a_point_is_the_same_number(value: Decimal):
    written = format_number(value)
    assert parse_number(written) == value
    assert parse_number(written.replace(".", ",")) == value


@given(expected=VALUES, amount=AMOUNTS)
def test_an_absolute_tolerance_accepts_exactly_its_interval(expected: Decimal, amount: Decimal):
    tolerance = Tolerance.parse(format_number(amount))
    assert tolerance.allows(expected + amount, expected)
    assert tolerance.allows(expected - amount, expected)
    assert tolerance.allows(expected, expected)
    assert not tolerance.allows(expected + amount + TINY, expected)
    assert not tolerance.allows(expected - amount - TINY, expected)


@given(expected=VALUES, percent=PERCENTS)
def test_a_percentage_is_of_the_expected_answer(expected: Decimal, percent: Decimal):
    tolerance = Tolerance.parse(f"{format_number(percent)}%")
    allowed = abs(expected) * percent / 100
    assert tolerance.allows(expected + allowed, expected)
    assert tolerance.allows(expected - allowed, expected)
    assert not tolerance.allows(expected + allowed + TINY, expected)
    assert not tolerance.allows(expected - allowed - TINY, expected)


def test_the_usual_boundaries_are_exact():
    five_percent = Tolerance.parse("5%")
    assert five_percent.allows(Decimal("13.125"), Decimal("12.5"))
    assert five_percent.allows(Decimal("11.875"), Decimal("12.5"))
    assert not five_percent.allows(Decimal("13.1250001"), Decimal("12.5"))
    # 0.1 + 0.2 is not 0.3 in binary floats; here it is.
    assert Tolerance.parse("0.2").allows(Decimal("0.3"), Decimal("0.1"))
    assert not Tolerance.parse("0").allows(Decimal("0.30000000000000004"), Decimal("0.3"))


@given(expected=VALUES, given_value=VALUES)
def test_without_tolerance_answers_within_a_thousandth_percent_of_the_larger_value_are_right(
    expected: Decimal, given_value: Decimal
):
    default = Tolerance.parse(None)
    limit = Decimal("0.00001") * max(abs(expected), abs(given_value))
    assert default.allows(given_value, expected) is (abs(given_value - expected) <= limit)
    assert default.allows(expected, expected)


@given(low=VALUES, width=AMOUNTS, value=VALUES, include_low=st.booleans(), include_high=st.booleans())
def test_a_range_contains_what_lies_between_its_bounds(
    low: Decimal, width: Decimal, value: Decimal, include_low: bool, include_high: bool
):
    high = low + width
    opening, closing = "[" if include_low else "(", "]" if include_high else ")"
    text = f"{opening}{format_number(low)}, {format_number(high)}{closing}"
    number_range = NumberRange.parse(text)
    assert number_range is not None
    assert number_range.contains(low) is include_low or low == high
    assert number_range.contains(high) is include_high or low == high
    if low < value < high:
        assert number_range.contains(value)
    if value < low or value > high:
        assert not number_range.contains(value)


@given(low=VALUES, high=VALUES)
def test_a_range_upside_down_is_refused(low: Decimal, high: Decimal):
    assume(low > high)
    with pytest.raises(Message):
        NumberRange.parse(f"[{format_number(low)}, {format_number(high)}]")


def test_ranges_and_tolerances_that_are_not_numbers_are_refused():
    assert NumberRange.parse("12") is None
    with pytest.raises(Message, match="numbers as bounds"):
        NumberRange.parse("[a, 5]")
    with pytest.raises(Message, match="not a number or a percentage"):
        Tolerance.parse("beaucoup")
    assert is_number_or_range("[5,7)") and is_number_or_range("-2,5") and not is_number_or_range("pi*2")
