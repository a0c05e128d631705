"""When a learner may submit, see the answer, or reset a problem: Open edX's rules, without due dates.

This platform has no due dates for problems, so "past due" never holds: ``past_due`` never shows the
answer, ``correct_or_past_due`` shows it once correct, ``attempted`` once attempted. Staff see answers
unless the policy is ``never``, as in Open edX.
"""

from __future__ import annotations

from dataclasses import dataclass

ALWAYS = "always"
ANSWERED = "answered"
ATTEMPTED = "attempted"
ATTEMPTED_NO_PAST_DUE = "attempted_no_past_due"
CLOSED = "closed"
FINISHED = "finished"
CORRECT_OR_PAST_DUE = "correct_or_past_due"
PAST_DUE = "past_due"
NEVER = "never"
AFTER_SOME_NUMBER_OF_ATTEMPTS = "after_attempts"
AFTER_ALL_ATTEMPTS = "after_all_attempts"
AFTER_ALL_ATTEMPTS_OR_CORRECT = "after_all_attempts_or_correct"

SHOWANSWER_VALUES = (
    FINISHED,
    ALWAYS,
    ANSWERED,
    ATTEMPTED,
    ATTEMPTED_NO_PAST_DUE,
    CLOSED,
    CORRECT_OR_PAST_DUE,
    PAST_DUE,
    NEVER,
    AFTER_SOME_NUMBER_OF_ATTEMPTS,
    AFTER_ALL_ATTEMPTS,
    AFTER_ALL_ATTEMPTS_OR_CORRECT,
)
DEFAULT_SHOWANSWER = FINISHED
RANDOMIZE_ON_RESET = frozenset({"always", "onreset"})


@dataclass(frozen=True)
class Standing:
    """Where a learner is with a problem, and its settings that decide what they may do."""

    attempts: int
    max_attempts: int | None
    done: bool
    is_correct: bool
    showanswer: str
    attempts_before_showanswer: int = 0
    show_reset_button: bool = False
    rerandomize: str = "never"
    is_staff: bool = False

    @property
    def used_all_attempts(self) -> bool:
        """The attempts are used up."""
        return self.max_attempts is not None and self.attempts >= self.max_attempts

    @property
    def closed(self) -> bool:
        """No more submissions (no due dates here: only attempts close a problem)."""
        return self.used_all_attempts

    @property
    def can_submit(self) -> bool:
        """Whether a new submission is accepted."""
        return not self.closed

    @property
    def attempts_left(self) -> int | None:
        """Submissions left, None when unlimited."""
        return None if self.max_attempts is None else max(self.max_attempts - self.attempts, 0)

    @property
    def answer_available(self) -> bool:  # noqa: PLR0911 (one rule per policy, as Open edX writes them)
        """Whether the correct answers (and the solution) may be shown now."""
        policy = self.showanswer
        if policy in ("", NEVER):
            return False
        if self.is_staff:
            return True
        if policy in (ATTEMPTED, ATTEMPTED_NO_PAST_DUE):
            return self.attempts > 0
        if policy in (ANSWERED, CORRECT_OR_PAST_DUE):
            return self.is_correct
        if policy in (CLOSED, AFTER_ALL_ATTEMPTS):
            return self.closed
        if policy in (FINISHED, AFTER_ALL_ATTEMPTS_OR_CORRECT):
            return self.closed or self.is_correct
        if policy == AFTER_SOME_NUMBER_OF_ATTEMPTS:
            required = self.attempts_before_showanswer
            if self.max_attempts and required >= self.max_attempts:
                required = self.max_attempts
            return self.attempts >= required
        return policy == ALWAYS

    @property
    def can_reset(self) -> bool:
        """Whether "Reset" is offered: after a submission, while open, and (unless the problem is
        randomised on reset) when the author shows the button and the answer is not fully right."""
        if self.closed or not self.done:
            return False
        if self.rerandomize in RANDOMIZE_ON_RESET:
            return True
        return self.show_reset_button and not self.is_correct
