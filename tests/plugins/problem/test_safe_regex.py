"""Answer patterns: the linear-time matcher accepts exactly what Python's ``re`` accepts, never hangs on
patterns that make ``re`` backtrack for ever, and refuses what it cannot match without backtracking."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plugins.problem.safe_regex import MAX_PATTERN_LENGTH, AnswerPattern, RegexError

ATOMS = st.sampled_from(["a", "b", "A", ".", "[ab]", "[^a]", "[a-c]", r"\d", r"\w", r"\s", "é", " "])
QUANTIFIERS = st.sampled_from(["", "", "*", "+", "?", "{2}", "{0,2}", "{1,3}", "*?", "+?"])


def _pattern() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, inner).map("".join),
            st.tuples(inner, inner).map("|".join),
            st.tuples(inner, QUANTIFIERS).map(lambda t: f"({t[0]}){t[1]}"),
            st.tuples(inner, QUANTIFIERS).map(lambda t: f"(?:{t[0]}){t[1]}"),
        )

    base = st.tuples(ATOMS, QUANTIFIERS).map("".join)
    return st.recursive(base, extend, max_leaves=8)


TEXTS = st.text(alphabet="abAB1 é_c\n", max_size=12)


@settings(max_examples=400, deadline=None)
@given(pattern=_pattern(), text=TEXTS, ignore_case=st.booleans())
def test_whole_answers_match_exactly_as_python_re_says(pattern: str, text: str, ignore_case: bool):
    flags = re.IGNORECASE if ignore_case else 0
    expected = re.fullmatch(f"(?:{pattern})", text, flags) is not None
    assert AnswerPattern([pattern], ignore_case=ignore_case).fullmatch(text) is expected


@settings(max_examples=200, deadline=None)
@given(patterns=st.lists(_pattern(), min_size=1, max_size=3), text=TEXTS)
def test_several_patterns_accept_what_any_of_them_accepts(patterns: list[str], text: str):
    expected = any(re.fullmatch(f"(?:{p})", text) for p in patterns)
    assert AnswerPattern(patterns, ignore_case=False).fullmatch(text) is expected


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        (r"^\s*bonjour\s*$", "  bonjour ", True),
        (r"\bfacture\b.*", "facture électronique", True),
        (r"a\Bb", "ab", True),
        (r"\Aab\Z", "ab", True),
        ("ab$", "ab\n", False),  # the whole answer must match, its last newline too
        ("(?i)tva", "TVA", True),
        ("(?s)a.b", "a\nb", True),
        ("a.b", "a\nb", False),
        ("(?m)a$\n^b", "a\nb", True),
        ("[^0-9]+", "abc", True),
        (r"[\d,]+", "12,5", True),
        ("(?i:oui)|non", "OUI", True),
    ],
)
def test_anchors_flags_and_classes_behave_as_in_python(pattern: str, text: str, expected: bool):
    assert (re.fullmatch(pattern, text) is not None) is expected
    assert AnswerPattern([pattern], ignore_case=False).fullmatch(text) is expected


@pytest.mark.parametrize(
    "pattern",
    ["(a+)+$", "(a|aa)*b", "(a*)*b", "(.*a){12}", ".*.*.*.*.*.*.*.*x", "(\\w+\\s?)*$", "(a|a)*c"],
)
def test_patterns_that_make_re_backtrack_for_ever_answer_at_once(pattern: str):
    matcher = AnswerPattern([pattern], ignore_case=True)
    hostile = "a" * 480 + "!"
    start = time.perf_counter()
    assert matcher.fullmatch(hostile) is False
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("a(", "Invalid regular expression"),
        ("*a", "Invalid regular expression"),
        ("[z-a]", "Invalid regular expression"),
        (r"(a)\1", "Back-references"),
        ("(?=a)a", "Lookahead"),
        ("(?<!a)b", "Lookahead"),
        ("(?>a)", "Atomic groups"),
        ("a*+", "Possessive repeats"),
        ("(a)?(?(1)b|c)", "Conditional groups"),
        ("a" * (MAX_PATTERN_LENGTH + 1), "longer than"),
        ("(a{1000}){1000}", "too long or repeats too much"),
    ],
)
def test_what_cannot_be_matched_safely_is_refused_when_read(pattern: str, message: str):
    with pytest.raises(RegexError) as raised:
        AnswerPattern([pattern], ignore_case=False)
    assert message in str(raised.value)
