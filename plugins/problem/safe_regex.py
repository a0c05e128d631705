"""Regular expressions for answers, matched in linear time: no pattern can make a submission hang.

Python's ``re`` backtracks, so a pattern such as ``(a+)+$`` takes exponential time on some inputs, and it
has no timeout. Answer patterns come from course authors and imported archives, so they are parsed with
``re``'s own parser (same syntax, same error messages) and then run by a Thompson NFA simulation here:
time is bounded by (answer length × program size), both capped. What an NFA cannot do without
backtracking (back-references, lookarounds, conditionals, atomic groups, possessive repeats) is refused
when the pattern is read, with a clear message.

Only whole-answer matching is needed (Open edX wraps answer patterns in ``^…$``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# ``re._parser`` is the parser ``re.compile`` itself uses: reading patterns with it keeps the syntax and
# its error messages exactly Python's.
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]

from plugins.problem.messages import Message, _

MAX_PATTERN_LENGTH = 1000
#: Instructions of one compiled program (bounded repeats such as ``a{50}`` are expanded).
MAX_PROGRAM_SIZE = 1000

CharTest = Callable[[str], bool]


class RegexError(Message):
    """A pattern that cannot be used for answers: invalid, too large, or using an unsupported feature."""


@dataclass(frozen=True)
class _Char:
    test: CharTest


@dataclass
class _Split:
    first: int
    second: int


@dataclass
class _Jump:
    target: int


@dataclass(frozen=True)
class _Assert:
    kind: object
    multiline: bool


class _Match:
    pass


_Instruction = _Char | _Split | _Jump | _Assert | _Match


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


_CATEGORIES: dict[object, CharTest] = {
    sre.CATEGORY_DIGIT: str.isdecimal,
    sre.CATEGORY_NOT_DIGIT: lambda c: not c.isdecimal(),
    sre.CATEGORY_SPACE: str.isspace,
    sre.CATEGORY_NOT_SPACE: lambda c: not c.isspace(),
    sre.CATEGORY_WORD: _is_word,
    sre.CATEGORY_NOT_WORD: lambda c: not _is_word(c),
}


def _case_variants(char: str) -> set[str]:
    """The character and its single-character case forms (what IGNORECASE compares)."""
    variants = {char}
    for other in (char.lower(), char.upper(), char.swapcase()):
        if len(other) == 1:
            variants.add(other)
    return variants


def _equal_to(expected: str) -> CharTest:
    return lambda c: c == expected


def _in_range(low: int, high: int) -> CharTest:
    return lambda c: low <= ord(c) <= high


def _ignoring_case(test: CharTest) -> CharTest:
    return lambda c: any(test(v) for v in _case_variants(c))


class _Compiler:
    """Turns ``re``'s parse tree into NFA instructions (Thompson's construction)."""

    def __init__(self) -> None:
        self.program: list[_Instruction] = []

    def emit(self, instruction: _Instruction) -> int:
        if len(self.program) >= MAX_PROGRAM_SIZE:
            raise RegexError(_("The regular expression is too long or repeats too much."))
        self.program.append(instruction)
        return len(self.program) - 1

    def sequence(self, items: Sequence[tuple[object, object]], flags: int) -> None:
        for op, argument in items:
            self.node(op, argument, flags)

    def char(self, test: CharTest, flags: int) -> None:
        self.emit(_Char(_ignoring_case(test) if flags & re.IGNORECASE else test))

    def node(self, op: object, argument: object, flags: int) -> None:
        if op is sre.LITERAL:
            expected = chr(argument)  # type: ignore[arg-type]
            self.char(lambda c: c == expected, flags)
        elif op is sre.NOT_LITERAL:
            refused = chr(argument)  # type: ignore[arg-type]
            if flags & re.IGNORECASE:
                self.emit(_Char(lambda c: not (_case_variants(c) & _case_variants(refused))))
            else:
                self.emit(_Char(lambda c: c != refused))
        elif op is sre.ANY:
            self.emit(_Char((lambda c: True) if flags & re.DOTALL else (lambda c: c != "\n")))
        elif op is sre.IN:
            self.char_set(argument, flags)  # type: ignore[arg-type]
        elif op is sre.BRANCH:
            self.branch(argument[1], flags)  # type: ignore[index]
        elif op is sre.SUBPATTERN:
            _group, add_flags, del_flags, items = argument  # type: ignore[misc]
            self.sequence(items, (flags | add_flags) & ~del_flags)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            low, high, items = argument  # type: ignore[misc]
            self.repeat(low, high, items, flags)
        elif op is sre.AT:
            if argument not in _ASSERTIONS:
                raise RegexError(_UNSUPPORTED_CONSTRUCT, construct=str(argument))
            self.emit(_Assert(argument, bool(flags & re.MULTILINE)))
        else:
            raise RegexError(_UNSUPPORTED.get(op, _UNSUPPORTED_CONSTRUCT), construct=str(op))

    def char_set(self, items: list[tuple[object, object]], flags: int) -> None:
        negated = False
        tests: list[CharTest] = []
        for op, argument in items:
            if op is sre.NEGATE:
                negated = True
            elif op is sre.LITERAL:
                tests.append(_equal_to(chr(argument)))  # type: ignore[arg-type]
            elif op is sre.RANGE:
                low, high = argument  # type: ignore[misc]
                tests.append(_in_range(low, high))
            elif op is sre.CATEGORY:
                if argument not in _CATEGORIES:
                    raise RegexError(_UNSUPPORTED_CONSTRUCT, construct=str(argument))
                tests.append(_CATEGORIES[argument])
            else:
                raise RegexError(_UNSUPPORTED_CONSTRUCT, construct=str(op))

        def member(c: str) -> bool:
            return any(test(c) for test in tests)

        test = _ignoring_case(member) if flags & re.IGNORECASE else member
        self.emit(_Char((lambda c: not test(c)) if negated else test))

    def branch(self, alternatives: list[Sequence[tuple[object, object]]], flags: int) -> None:
        jumps: list[int] = []
        for index, alternative in enumerate(alternatives):
            last = index == len(alternatives) - 1
            split = None if last else self.emit(_Split(0, 0))
            if split is not None:
                self.program[split].first = len(self.program)  # type: ignore[union-attr]
            self.sequence(alternative, flags)
            if split is not None:
                jumps.append(self.emit(_Jump(0)))
                self.program[split].second = len(self.program)  # type: ignore[union-attr]
        for jump in jumps:
            self.program[jump].target = len(self.program)  # type: ignore[union-attr]

    def repeat(self, low: int, high: int, items: Sequence[tuple[object, object]], flags: int) -> None:
        # Lazy and greedy repeats accept the same answers; only whole-answer acceptance matters here.
        for _copy in range(low):
            self.sequence(items, flags)
        if high == sre.MAXREPEAT:
            loop = self.emit(_Split(0, 0))
            self.program[loop].first = len(self.program)  # type: ignore[union-attr]
            self.sequence(items, flags)
            self.emit(_Jump(loop))
            self.program[loop].second = len(self.program)  # type: ignore[union-attr]
            return
        for _copy in range(high - low):
            split = self.emit(_Split(0, 0))
            self.program[split].first = len(self.program)  # type: ignore[union-attr]
            self.sequence(items, flags)
            self.program[split].second = len(self.program)  # type: ignore[union-attr]


_ASSERTIONS = frozenset(
    {
        sre.AT_BEGINNING,
        sre.AT_BEGINNING_STRING,
        sre.AT_END,
        sre.AT_END_STRING,
        sre.AT_BOUNDARY,
        sre.AT_NON_BOUNDARY,
    }
)
_UNSUPPORTED_CONSTRUCT = _("The regular expression uses {construct}, which is not supported in answers.")
_UNSUPPORTED = {
    sre.GROUPREF: _("Back-references (\\1…) are not supported in answers."),
    sre.GROUPREF_EXISTS: _("Conditional groups (?(…)…) are not supported in answers."),
    sre.ASSERT: _("Lookahead and lookbehind assertions are not supported in answers."),
    sre.ASSERT_NOT: _("Lookahead and lookbehind assertions are not supported in answers."),
    sre.ATOMIC_GROUP: _("Atomic groups (?>…) are not supported in answers."),
    sre.POSSESSIVE_REPEAT: _("Possessive repeats (*+, ++, ?+) are not supported in answers."),
}


class AnswerPattern:
    """One or more answer patterns, matched against a whole answer in linear time."""

    def __init__(self, patterns: Sequence[str], *, ignore_case: bool) -> None:
        if not patterns:
            raise RegexError(_("No answer pattern is given."))
        flags = re.UNICODE | (re.IGNORECASE if ignore_case else 0)
        compiler = _Compiler()
        alternatives = []
        for pattern in patterns:
            alternatives.append(self._parse(pattern, flags))
        # The alternatives, each with the flags its own inline (?i)… set, one after the other.
        jumps: list[int] = []
        for index, (items, pattern_flags) in enumerate(alternatives):
            last = index == len(alternatives) - 1
            split = None if last else compiler.emit(_Split(0, 0))
            if split is not None:
                compiler.program[split].first = len(compiler.program)  # type: ignore[union-attr]
            compiler.sequence(items, pattern_flags)
            if split is not None:
                jumps.append(compiler.emit(_Jump(0)))
                compiler.program[split].second = len(compiler.program)  # type: ignore[union-attr]
        for jump in jumps:
            compiler.program[jump].target = len(compiler.program)  # type: ignore[union-attr]
        compiler.emit(_Match())
        self.program = compiler.program

    @staticmethod
    def _parse(pattern: str, flags: int) -> tuple[Sequence[tuple[object, object]], int]:
        if len(pattern) > MAX_PATTERN_LENGTH:
            raise RegexError(
                _("The regular expression is longer than {limit} characters."), limit=MAX_PATTERN_LENGTH
            )
        try:
            re.compile(pattern, flags)
            parsed = sre_parse.parse(pattern, flags)
        except re.error as error:
            raise RegexError(
                _("Invalid regular expression “{pattern}”: {error}."), pattern=pattern, error=str(error)
            ) from None
        except (OverflowError, RecursionError):
            raise RegexError(
                _("The regular expression “{pattern}” is too complex."), pattern=pattern
            ) from None
        return list(parsed), parsed.state.flags

    def fullmatch(self, text: str) -> bool:
        """Whether the whole of ``text`` matches one of the patterns."""
        program = self.program
        current = self._closure({0}, text, 0)
        for position, char in enumerate(text):
            following = {
                pc + 1 for pc in current if isinstance(program[pc], _Char) and program[pc].test(char)
            }  # type: ignore[union-attr]
            if not following:
                return False
            current = self._closure(following, text, position + 1)
        return any(isinstance(program[pc], _Match) for pc in current)

    def _closure(self, starts: set[int], text: str, position: int) -> set[int]:
        """The instructions that consume a character (or accept) reachable without consuming one."""
        program = self.program
        reached: set[int] = set()
        seen: set[int] = set()
        stack = sorted(starts, reverse=True)
        while stack:
            pc = stack.pop()
            if pc in seen:
                continue
            seen.add(pc)
            instruction = program[pc]
            if isinstance(instruction, _Split):
                stack.extend((instruction.second, instruction.first))
            elif isinstance(instruction, _Jump):
                stack.append(instruction.target)
            elif isinstance(instruction, _Assert):
                if _holds(instruction, text, position):
                    stack.append(pc + 1)
            else:
                reached.add(pc)
        return reached


def _holds(assertion: _Assert, text: str, position: int) -> bool:
    """Whether a zero-width assertion (``^``, ``$``, ``\\b``…) holds at ``position``."""
    kind, size = assertion.kind, len(text)
    at_start, at_end = position == 0, position == size
    before_newline = position < size and text[position] == "\n"
    after_newline = position > 0 and text[position - 1] == "\n"
    if kind is sre.AT_BEGINNING:
        holds = at_start or (assertion.multiline and after_newline)
    elif kind is sre.AT_BEGINNING_STRING:
        holds = at_start
    elif kind is sre.AT_END:
        # As Python's ``$``: at the end, or before a newline that ends the text (or any, multiline).
        holds = at_end or (before_newline and (assertion.multiline or position == size - 1))
    elif kind is sre.AT_END_STRING:
        holds = at_end
    else:
        word_before = position > 0 and _is_word(text[position - 1])
        word_after = position < size and _is_word(text[position])
        holds = word_before != word_after if kind is sre.AT_BOUNDARY else word_before == word_after
    return holds
