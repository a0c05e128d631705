"""The pulse's questions: their kinds, the standard set, and checks of what an author or a learner sends.

Two kinds, as VISTA's impact items (docs/vista.md): ``triple`` (No / Partly / Yes, answered 0, 1 or 2)
and ``agree`` (a statement rated 1 strongly disagree … 5 strongly agree). Each answer becomes a value in
[0, 1] for the Impact lens: 0 / 0.5 / 1, and (v − 1) / 4.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_QUESTIONS = 3
MAX_TEXT = 300
MAX_COMMENT = 1000
DIMENSIONS = ("D1", "D2", "D3", "D4", "D5", "D6")
KINDS = {"triple": (0, 2), "agree": (1, 5)}


def _(text: str) -> str:
    """Marks a text for extraction; it is translated where it is shown, in the reader's language."""
    return text


# The standard questions (used while an author has written none), translated when shown.
STANDARD = (
    ("applied", "triple", _("Have you applied what you learnt in this course at work?")),
    ("changed", "agree", _("This course has changed the way I work.")),
)


class PulseError(ValueError):
    """Something sent to the block that it cannot take: ``message`` (English id) and ``params``."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params

    def text(self, gettext: Any) -> str:
        """The message in the reader's language."""
        translated = gettext(self.message)
        return translated % self.params if self.params else translated


@dataclass(frozen=True)
class Question:
    """One question: a code (stable key of its answers), its kind and its text (None: a standard one's
    text, translated when shown)."""

    code: str
    kind: str
    text: str

    def value(self, raw: Any) -> float:
        """The answer ``raw`` as a value in [0, 1]; PulseError when it is not on the question's scale."""
        low, high = KINDS[self.kind]
        if isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
            raise PulseError(
                _("Answer “%(question)s” with one of the choices offered."), question=self.text[:80]
            )
        return (raw - low) / (high - low)


def standard() -> list[Question]:
    """The questions asked when the author wrote none."""
    return [Question(code, kind, text) for code, kind, text in STANDARD]


def from_json(values: Any) -> list[Question]:
    """Questions stored in the block's field (skipping any that no longer make sense)."""
    found = []
    for value in values or []:
        if isinstance(value, dict) and value.get("kind") in KINDS and isinstance(value.get("text"), str):
            found.append(
                Question(str(value.get("code") or f"q{len(found) + 1}"), value["kind"], value["text"])
            )
    return found[:MAX_QUESTIONS]


def check_authored(values: Any) -> list[dict[str, str]]:
    """The questions an author sends (a list of {kind, text}), checked; PulseError on the first fault."""
    if not isinstance(values, list):
        raise PulseError(_("The questions must be a list."))
    if len(values) > MAX_QUESTIONS:
        raise PulseError(_("A pulse asks at most %(max)d questions."), max=MAX_QUESTIONS)
    checked = []
    for position, value in enumerate(values, start=1):
        if not isinstance(value, dict) or value.get("kind") not in KINDS:
            raise PulseError(
                _("Question %(n)d: choose its kind (No / Partly / Yes, or agreement)."), n=position
            )
        text = value.get("text")
        if not isinstance(text, str) or not text.strip():
            raise PulseError(_("Question %(n)d has no text."), n=position)
        if len(text) > MAX_TEXT:
            raise PulseError(_("Question %(n)d is longer than %(max)d characters."), n=position, max=MAX_TEXT)
        checked.append({"code": f"q{position}", "kind": value["kind"], "text": " ".join(text.split())})
    return checked


def check_dimensions(values: Any) -> list[str]:
    """Dimension codes (D1…D6) an author sends, in order, without repeats."""
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise PulseError(_("The dimensions must be a list of codes D1 to D6."))
    unknown = [v for v in values if v not in DIMENSIONS]
    if unknown:
        raise PulseError(_("%(code)s is not a VISTA dimension (D1 to D6)."), code=unknown[0][:10])
    return [d for d in DIMENSIONS if d in values]
