"""Numbers of numerical questions: reading them as people type them, and comparing with a tolerance.

Everything is exact decimal arithmetic, so that the boundaries of a tolerance are where the author put
them (``12.5`` ± ``5%`` accepts exactly 11.875 to 13.125), which binary floats cannot promise.

Semantics are Open edX's (``compare_with_tolerance``): a tolerance ending in ``%`` is relative to the
expected answer; otherwise it is absolute; without a tolerance, answers within 0.001 % of the larger of
the two values are accepted. A range answer ``[5,7)`` accepts values between its bounds, each bound
included (``[``, ``]``) or not (``(``, ``)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, localcontext

from plugins.problem.messages import Message, _

MAX_NUMBER_LENGTH = 100
MAX_EXPONENT = 300
DEFAULT_TOLERANCE = "0.001%"

# Digits, one decimal separator, an optional exponent. Thousands may be separated by spaces (French).
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_SPACES = re.compile(r"(?<=\d)[ \u00a0\u202f\u2009](?=\d{3}(?:\D|$))", re.ASCII)
_RANGE = re.compile(r"^([\[(])\s*([^,\[\]()]+?)\s*,\s*([^,\[\]()]+?)\s*([\])])$")


def parse_number(text: str) -> Decimal | None:
    """The number ``text`` stands for, or None when it is not a plain number.

    Accepted: ``12``, ``-3.5``, ``3,5`` (French decimal comma), ``1 250,75`` (spaces between thousands),
    ``2.5e3``. Refused: formulas, units, percentages, infinities, two decimal separators.
    """
    if not isinstance(text, str) or len(text) > MAX_NUMBER_LENGTH:
        return None
    cleaned = _SPACES.sub("", text.strip())
    if "," in cleaned:
        if "." in cleaned or cleaned.count(",") > 1:
            return None
        cleaned = cleaned.replace(",", ".")
    if not _NUMBER.fullmatch(cleaned):
        return None
    value = Decimal(cleaned)
    if value != 0 and abs(value.adjusted()) > MAX_EXPONENT:
        return None
    return value


@dataclass(frozen=True)
class Tolerance:
    """How far from the expected answer a value may be: ``amount`` is a fraction when ``relative``."""

    amount: Decimal
    percent: bool
    #: Open edX's default: relative to the larger of the two values, not to the expected answer only.
    to_larger: bool = False

    @classmethod
    def parse(cls, text: str | None) -> Tolerance:
        """``"5%"`` (relative), ``"0.5"`` (absolute), None for the default; Message when invalid."""
        raw = (text or DEFAULT_TOLERANCE).strip()
        percent = raw.endswith("%")
        number = parse_number(raw[:-1] if percent else raw)
        if number is None:
            raise Message(_("The tolerance “{tolerance}” is not a number or a percentage."), tolerance=raw)
        # As in Open edX, the default tolerance (even written out) is relative to the larger value.
        return cls(abs(number) / 100 if percent else abs(number), percent, to_larger=raw == DEFAULT_TOLERANCE)

    def allows(self, value: Decimal, expected: Decimal) -> bool:
        """Whether ``value`` is within this tolerance of ``expected``."""
        with localcontext() as context:
            context.prec = 2 * MAX_NUMBER_LENGTH + 2 * MAX_EXPONENT  # exact for every number we accept
            if self.to_larger:
                allowed = self.amount * max(abs(value), abs(expected))
            elif self.percent:
                allowed = self.amount * abs(expected)
            else:
                allowed = self.amount
            return abs(value - expected) <= allowed

    def widened(self, factor: Decimal) -> Tolerance:
        """This tolerance multiplied by ``factor`` (Open edX's "close" partial credit)."""
        return Tolerance(self.amount * factor, self.percent, self.to_larger)


@dataclass(frozen=True)
class NumberRange:
    """An answer given as a range: ``[5,7)`` accepts 5 ≤ x < 7."""

    low: Decimal
    high: Decimal
    include_low: bool
    include_high: bool

    @classmethod
    def parse(cls, text: str) -> NumberRange | None:
        """The range ``text`` writes, None when it is not written as a range; Message when invalid."""
        match = _RANGE.match(text.strip())
        if match is None:
            return None
        opening, low_text, high_text, closing = match.groups()
        low, high = parse_number(low_text), parse_number(high_text)
        if low is None or high is None:
            raise Message(_("The range {range} must have numbers as bounds."), range=text)
        if low > high:
            raise Message(_("The range {range} has its lower bound above its upper bound."), range=text)
        return cls(low, high, opening == "[", closing == "]")

    def contains(self, value: Decimal) -> bool:
        """Whether ``value`` is in the range."""
        if value == self.low:
            return self.include_low
        if value == self.high:
            return self.include_high
        return self.low < value < self.high

    def widened(self, factor: Decimal) -> NumberRange:
        """The range stretched by ``factor`` times its width on each side (Open edX's "close" credit)."""
        width = (self.high - self.low) * factor
        return NumberRange(self.low - width, self.high + width, False, False)


def is_number_or_range(text: str) -> bool:
    """Whether ``text`` is written as a plain number or a range (else it is a formula, not evaluated
    here). A range with bad bounds still counts: reading it reports what is wrong."""
    return parse_number(text) is not None or _RANGE.match(text.strip()) is not None


def format_number(value: Decimal) -> str:
    """A number as authors write it (no exponent for ordinary sizes, no trailing zeros)."""
    text = format(value.normalize(), "f") if abs(value.adjusted()) < 15 else str(value.normalize())
    return "0" if text in ("-0", "") else text
