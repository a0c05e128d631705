"""The course grade as Open edX's weighted subsection grader computes it, and policies read whatever
they hold."""

from __future__ import annotations

import pytest

from app.progress.grading import (
    DEFAULT_CUTOFFS,
    AssignmentType,
    SequenceScore,
    course_grade,
    read_policy,
    round_grade,
    type_average,
)

POLICY = {
    "GRADER": [
        {"type": "Homework", "min_count": 3, "drop_count": 1, "weight": 0.4, "short_label": "HW"},
        {"type": "Exam", "min_count": 1, "drop_count": 0, "weight": 0.6, "short_label": "Ex"},
    ],
    "GRADE_CUTOFFS": {"A": 0.9, "B": 0.7, "Pass": 0.5},
}


def _scores(kind: str, *percents: float) -> list[SequenceScore]:
    return [SequenceScore(kind, p * 10, 10) for p in percents]


def test_missing_sequences_count_as_zero_up_to_min_count():
    homework = AssignmentType("Homework", 3, 0, 1.0, "HW")
    assert type_average(homework, [1.0]) == pytest.approx(1 / 3)


def test_the_lowest_are_dropped():
    homework = AssignmentType("Homework", 3, 1, 1.0, "HW")
    assert type_average(homework, [0.2, 1.0, 0.8]) == pytest.approx(0.9)
    # Padding happens before dropping: one done at 100 %, two missing, one dropped → 50 %.
    assert type_average(homework, [1.0]) == pytest.approx(0.5)


def test_weighted_sum_with_letters_and_pass():
    policy = read_policy(POLICY)
    grade = course_grade(policy, _scores("Homework", 1.0, 0.8, 0.2) + _scores("Exam", 0.75))
    # Homework: drop 0.2 → 0.9 × 0.4 = 0.36; Exam 0.75 × 0.6 = 0.45 → 0.81
    assert (grade.percent, grade.letter, grade.passed) == (0.81, "B", True)
    failing = course_grade(policy, _scores("Exam", 0.5))
    assert failing.percent == 0.3 and failing.letter is None and not failing.passed


def test_the_pass_mark_is_the_lowest_cutoff():
    assert read_policy(POLICY).pass_mark == 0.5
    assert read_policy({"GRADER": [{"type": "Quiz", "weight": 1}]}).pass_mark == DEFAULT_CUTOFFS["Pass"]


def test_a_sequence_without_points_counts_as_zero():
    policy = read_policy({"GRADER": [{"type": "Quiz", "min_count": 0, "weight": 1.0}]})
    assert course_grade(policy, [SequenceScore("Quiz", 0, 0), SequenceScore("Quiz", 1, 1)]).percent == 0.5


def test_sequences_of_a_type_the_policy_does_not_name_count_for_nothing():
    policy = read_policy({"GRADER": [{"type": "Quiz", "weight": 1.0}]})
    assert course_grade(policy, _scores("Other", 1.0) + _scores("Quiz", 0.4)).percent == 0.4


def test_a_policy_without_types_grades_nothing():
    grade = course_grade(read_policy({"GRADER": [], "GRADE_CUTOFFS": {"Pass": 0.5}}), _scores("Quiz", 1.0))
    assert (grade.percent, grade.passed) == (None, False)
    assert read_policy({"GRADER": []}).pass_mark is None


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "not a policy",
        {"GRADER": "nope"},
        {"GRADER": [None, 3, {"type": ""}, {"no": "type"}]},
        {"GRADER": [{"type": "Quiz", "weight": "lots", "min_count": -4, "drop_count": 10**9}]},
        {"GRADER": [{"type": "Quiz", "weight": float("nan")}], "GRADE_CUTOFFS": {"Pass": "half", "B": True}},
        {"GRADER": [{"type": "Quiz", "weight": 7}], "GRADE_CUTOFFS": {"Pass": -1}},
    ],
)
def test_malformed_policies_are_read_safely(raw):
    policy = read_policy(raw)
    grade = course_grade(policy, _scores("Quiz", 1.0))
    assert grade.percent is None or 0.0 <= grade.percent <= 1.0
    for kind in policy.types:
        assert 0 <= kind.weight <= 1 and kind.min_count >= 0 and kind.drop_count >= 0
    assert all(0 <= cutoff <= 1 for _letter, cutoff in policy.cutoffs)


def test_a_type_named_twice_counts_once():
    policy = read_policy({"GRADER": [{"type": "Quiz", "weight": 0.5}, {"type": "Quiz", "weight": 0.5}]})
    assert len(policy.types) == 1


@pytest.mark.parametrize(
    ("value", "rounded"), [(1 / 3, 0.33), (0.675, 0.68), (0.005, 0.01), (0.994999, 0.99), (1.0, 1.0)]
)
def test_rounding_is_half_away_from_zero_to_the_hundredth(value, rounded):
    assert round_grade(value) == rounded
