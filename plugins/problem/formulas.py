"""Formulas in answers (``x^2+2*y``, ``sqrt(2)/2``, ``2*pi``), read and computed as Open edX does it, with
Open edX's own evaluator library ``openedx-calc`` (module ``calc``): same grammar, same constants (``pi``,
``e``, ``i``), same functions (``sqrt``, ``sin``, ``ln``, ``fact``…), same case rules.

:func:`parse` reads a formula once; :meth:`Formula.value` computes it for values of its variables.
:class:`Samples` reads a ``<formularesponse samples="x,y@1,2:3,4#10">`` attribute and draws its points.
Every failure is a :class:`FormulaError` whose message (translatable, marked with ``_``) tells a learner
or an author what is wrong: a formula that does not read, an unknown name, a division by zero, a result
that is not a finite real number, a formula too long or too deeply nested.

The formula is parsed with calc's own parser, its names are checked as calc checks them (with messages
of ours: calc's are in English only), and it is computed with calc's own actions, as ``calc.evaluator``
does, with two guards ``calc.evaluator`` has no hook for: a power of whole numbers beyond a float's range
is taken on floats (calc raises integers exactly, so ``9^9^9`` would compute for hours), and ``fact``
stops at 170 (beyond it the result is no float anyway). Nesting is capped before parsing because
pyparsing recurses for each parenthesis and overflows Python's stack from about 35 levels.
"""

from __future__ import annotations

import cmath
import functools
import math
import numbers
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy
from calc import calc
from pyparsing import ParseException

from plugins.problem.messages import Message, _
from plugins.problem.numbers import Tolerance

MAX_FORMULA_LENGTH = 1000
#: Parentheses open at once; pyparsing overflows the stack at about 35 (less inside a deep call stack).
MAX_NESTING = 20
#: Sample points of a <formularesponse>: each one evaluates both formulas.
MAX_SAMPLES = 100
MAX_VARIABLES = 20
#: The largest factorial that is still a float (171! is not).
MAX_FACTORIAL = 170


class FormulaError(Message):
    """A formula that cannot be read or computed, with the reason."""


def _factorial(value: Any) -> int:
    # As Open edX (math.factorial): whole numbers only, and a bound so that fact(10^6) does not run on.
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_FACTORIAL:
        raise ValueError("factorial")
    return math.factorial(value)


_FUNCTIONS = {"fact": _factorial, "factorial": _factorial}


def _raise(base: Any, exponent: Any) -> Any:
    # Exact, as calc does, while the result stays within a float's range (about 1024 bits); else on
    # floats, where an overflow raises at once instead of computing a number of millions of digits.
    exact = isinstance(base, int) and isinstance(exponent, int) and exponent >= 0
    if exact and base.bit_length() * exponent <= 1100:
        return base**exponent
    return (float(base) if isinstance(base, int) else base) ** (
        float(exponent) if isinstance(exponent, int) else exponent
    )


def _power(parse_result: list[Any]) -> Any:
    """calc's ``eval_power`` (right to left: 2^3^2 = 2^9) with the size of its results bounded."""
    values = [k for k in parse_result if isinstance(k, numbers.Number)]
    return functools.reduce(lambda exponent, base: _raise(base, exponent), reversed(values))


def check_size(text: str) -> None:
    """FormulaError when ``text`` is too long or too deeply nested to be parsed safely."""
    if len(text) > MAX_FORMULA_LENGTH:
        raise FormulaError(_("A formula may have at most {limit} characters."), limit=MAX_FORMULA_LENGTH)
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth > MAX_NESTING:
            raise FormulaError(
                _("“{formula}” has too many parentheses inside each other (at most {limit})."),
                formula=_short(text),
                limit=MAX_NESTING,
            )


def _short(text: str) -> str:
    """A formula as quoted in a message: long ones are cut."""
    return text if len(text) <= 60 else text[:57] + "…"


@dataclass(frozen=True)
class Formula:
    """A formula parsed once, to be computed at any number of points."""

    text: str
    case_sensitive: bool
    parser: Any  # calc.ParseAugmenter, holding the parse tree

    def value(self, variables: dict[str, float]) -> float:
        """The formula's value for ``variables``: a finite real number, or FormulaError."""
        known, functions = calc.add_defaults(variables, _FUNCTIONS, self.case_sensitive)
        self._check_names(known, functions)

        def casify(name: str) -> str:
            return name if self.case_sensitive else name.lower()

        actions = {
            "number": calc.eval_number,
            "variable": lambda x: known[casify(x[0])],
            "function": lambda x: functions[casify(x[0])](x[1]),
            "atom": calc.eval_atom,
            "power": _power,
            "parallel": calc.eval_parallel,
            "product": calc.eval_product,
            "sum": calc.eval_sum,
        }
        try:
            # numpy warns (and gives inf or nan) where Python raises: the result is checked below.
            with numpy.errstate(all="ignore"):
                result = complex(self.parser.reduce_tree(actions))
        except ZeroDivisionError:
            raise self._error(_("“{formula}” divides by zero.")) from None
        except OverflowError:
            raise self._error(_("“{formula}” gives a number too large to compare.")) from None
        except ValueError as error:
            if "factorial" in str(error):
                raise self._error(
                    _("In “{formula}”, fact() takes whole numbers from 0 to {limit} only."),
                    limit=MAX_FACTORIAL,
                ) from None
            raise self._error(_("“{formula}” cannot be computed.")) from None
        except RecursionError:
            raise self._error(_("“{formula}” is nested too deeply to be computed.")) from None
        except (ArithmeticError, TypeError):
            raise self._error(_("“{formula}” cannot be computed.")) from None
        if not cmath.isfinite(result):
            raise self._error(_("“{formula}” does not give a finite number."))
        if result.imag != 0:
            raise self._error(_("“{formula}” gives a complex number, not a real one."))
        return result.real

    def _check_names(self, variables: dict[str, Any], functions: dict[str, Any]) -> None:
        # calc's own check, but naming the culprits in a message of ours (calc's is English only).
        def casify(name: str) -> str:
            return name if self.case_sensitive else name.lower()

        unknown = sorted(v for v in self.parser.variables_used if casify(v) not in variables)
        if unknown:
            raise self._error(
                _("“{formula}” uses {names}, which this question does not know as a variable."),
                names=", ".join(unknown),
            )
        unknown = sorted(f for f in self.parser.functions_used if casify(f) not in functions)
        if unknown:
            raise self._error(
                _("“{formula}” uses {names}(…), which is not a known function (is a * missing?)."),
                names=", ".join(unknown),
            )

    def _error(self, message: str, **params: Any) -> FormulaError:
        return FormulaError(message, formula=_short(self.text), **params)


def parse(text: str, case_sensitive: bool = False) -> Formula:
    """``text`` read as a formula (not computed yet); FormulaError when it does not read."""
    return _parse(text.strip(), case_sensitive)


# Open edX's evaluator builds its grammar for every formula it reads (about 10 ms): a formula read once is
# kept, since the author's is read at every submission and the learner's twice (checked, then graded).
@functools.lru_cache(maxsize=4096)
def _parse(formula: str, case_sensitive: bool) -> Formula:
    if not formula:
        raise FormulaError(_("The formula is empty."))
    check_size(formula)
    parser = calc.ParseAugmenter(formula, case_sensitive)
    try:
        calc.check_parens(formula)
        parser.parse_algebra()
    except calc.UnmatchedParenthesis:
        raise FormulaError(
            _("The parentheses of “{formula}” do not match."), formula=_short(formula)
        ) from None
    except ParseException:
        raise FormulaError(_("“{formula}” cannot be read as a formula."), formula=_short(formula)) from None
    except RecursionError:
        raise FormulaError(
            _("“{formula}” is nested too deeply to be computed."), formula=_short(formula)
        ) from None
    return Formula(formula, case_sensitive, parser)


def within(given: float, expected: float, tolerance: Tolerance) -> bool:
    """Open edX's ``compare_with_tolerance`` for two real numbers: compared as the decimals their
    floats print as (as Open edX does), so ``0.1+0.2`` is ``0.3`` within the default tolerance."""
    return tolerance.allows(Decimal(repr(given)), Decimal(repr(expected)))


def as_decimal(value: float) -> Decimal:
    """A computed value as the decimal its float prints as (what Open edX compares)."""
    return Decimal(repr(value))


@dataclass(frozen=True)
class Samples:
    """Where a <formularesponse> compares formulas: ``count`` points, each variable drawn uniformly
    between its bounds (``samples="x,y@1,2:3,4#10"``: x in [1, 3], y in [2, 4], 10 points)."""

    variables: tuple[str, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]
    count: int

    @classmethod
    def parse(cls, text: str) -> Samples:
        """The samples ``text`` describes, as Open edX reads them; FormulaError when it cannot."""
        try:
            names_text, rest = text.split("@")
            bounds_text, count_text = rest.split("#")
            low_text, high_text = bounds_text.split(":")
            low = tuple(float(x) for x in low_text.split(","))
            high = tuple(float(x) for x in high_text.split(","))
            count = int(count_text)
        except ValueError:
            raise FormulaError(
                _("samples=“{samples}” must read like “x,y@1,2:3,4#10” (variables, lower bounds, upper "
                  "bounds, number of points)."),
                samples=text,
            ) from None  # fmt: skip
        names = tuple(n.strip() for n in names_text.split(","))
        if not all(names) or len(names) > MAX_VARIABLES or not len(names) == len(low) == len(high):
            raise FormulaError(
                _("samples=“{samples}” must give one lower and one upper bound to each of its variables."),
                samples=text,
            )
        if not all(math.isfinite(x) for x in low + high):
            raise FormulaError(_("The bounds of samples=“{samples}” must be numbers."), samples=text)
        if not 1 <= count <= MAX_SAMPLES:
            raise FormulaError(
                _("samples=“{samples}” must ask for 1 to {limit} points."), samples=text, limit=MAX_SAMPLES
            )
        return cls(names, low, high, count)

    def points(self, seed: str) -> list[dict[str, float]]:
        """The sample points for ``seed``: the same seed always gives the same points, so that a learner
        checking again is graded at the same points."""
        rng = random.Random(seed)  # noqa: S311 (sample points, not a secret)
        bounds = list(zip(self.variables, self.low, self.high, strict=True))
        return [{name: rng.uniform(low, high) for name, low, high in bounds} for _point in range(self.count)]


__all__ = [
    "MAX_FORMULA_LENGTH",
    "MAX_NESTING",
    "Formula",
    "FormulaError",
    "Samples",
    "as_decimal",
    "check_size",
    "parse",
    "within",
]
