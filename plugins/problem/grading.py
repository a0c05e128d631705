"""Checking a learner's answers against a problem, with Open edX's semantics for each kind of question.

:func:`clean_answers` checks what the browser sent (known input ids, the right shape, sizes, numbers and
formulas that compute) and raises :class:`AnswerError` with a message for the learner; :func:`grade` then
marks each input correct, partially correct or incorrect, with its points and the author's feedback for
that answer.

Formula questions compare the learner's formula with the author's at sample points drawn from a ``seed``
(the block gives one per learner and problem), so that checking the same answer again gives the same
verdict; both calls must be given the same seed.

Messages are English message ids marked with ``_`` for extraction; the block translates them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from plugins.problem import areas, formulas, scripts
from plugins.problem.messages import Message, _
from plugins.problem.model import (
    ANNOTATION,
    ANNOTATION_POINTS,
    CHECKBOXES,
    CHOICE_TEXT,
    CUSTOM,
    DROPDOWN,
    FORMULA,
    IMAGE,
    MULTIPLE_CHOICE,
    NUMERICAL,
    TEXT,
    Hint,
    Input,
    NumberField,
    Problem,
)
from plugins.problem.numbers import parse_number

CORRECT = "correct"
PARTIAL = "partially-correct"
INCORRECT = "incorrect"
MAX_TEXT_ANSWER = 500
#: Characters of an answer typed in a text box of several lines (code, a paragraph).
MAX_BOX_ANSWER = 20_000
MAX_SUBMISSION_VALUES = 500
#: Characters of a JavaScript input's answer (its state included: a drawing, a molecule…).
MAX_JSINPUT_ANSWER = 64_000
#: Characters of the comment of an annotation question.
MAX_COMMENT = 10_000
#: Characters of one coordinate of a point on an image (its digits, with spaces around them).
MAX_COORDINATE = 12
_WHOLE_NUMBER = re.compile(r"[+-]?\d+", re.ASCII)

#: A choice, the choices ticked, the text typed; for choices with numbers ``{"choices", "values"}``.
Answer = str | list[str] | dict[str, Any]


class AnswerError(Message):
    """Answers that cannot be graded, with the reason for the learner."""


@dataclass(frozen=True)
class FeedbackHint:
    """Author feedback shown for an answer; ``correct`` decides the default label."""

    hint: Hint
    correct: bool


@dataclass(frozen=True)
class InputResult:
    """The verdict on one input."""

    correctness: str
    earned: Decimal
    hints: tuple[FeedbackHint, ...] = ()
    #: A check function's message for this input, and for its whole question (author HTML).
    message: str = ""
    overall_message: str = ""


@dataclass(frozen=True)
class Grade:
    """The verdict on a whole submission."""

    results: dict[str, InputResult] = field(default_factory=dict)
    earned: Decimal = Decimal(0)
    possible: int = 0

    @property
    def is_correct(self) -> bool:
        """Full points."""
        return self.earned == self.possible


def clean_answers(problem: Problem, data: Any, seed: str = "") -> dict[str, Answer]:
    """The answers of a submission (``{input id: answer}``), checked; AnswerError when they cannot be
    graded. A missing input counts as unanswered; at least one input must be answered. ``seed`` draws
    the sample points of formula questions (as :func:`grade` will)."""
    if not isinstance(data, dict):
        raise AnswerError(_("The answers must be sent as an object keyed by question."))
    if len(data) > max(len(problem.inputs), 1):
        raise AnswerError(_("The answers name questions that are not in this problem."))
    answers: dict[str, Answer] = {}
    for input_id, value in data.items():
        question = problem.inputs.get(input_id) if isinstance(input_id, str) else None
        if question is None:
            raise AnswerError(_("The answers name questions that are not in this problem."))
        answers[input_id] = _clean_answer(question, value, seed)
    if not any(a.strip() if isinstance(a, str) else a for a in answers.values()):
        raise AnswerError(_("Answer at least one question before submitting."))
    return answers


def _clean_answer(question: Input, value: Any, seed: str) -> Answer:
    if question.kind in (ANNOTATION, IMAGE, CHOICE_TEXT) or question.jsinput is not None:
        return _clean_structured(question, value)
    if question.kind == CHECKBOXES:
        if not isinstance(value, list) or len(value) > MAX_SUBMISSION_VALUES:
            raise AnswerError(_("The answer to a question has the wrong form."))
        names = [v for v in value if isinstance(v, str)]
        if len(names) != len(value) or len(set(names)) != len(names):
            raise AnswerError(_("The answer to a question has the wrong form."))
        if any(question.choice(name) is None for name in names):
            raise AnswerError(_("One of the answers is not a choice of its question."))
        order = [c.name for c in question.choices]
        return sorted(names, key=order.index)
    if not isinstance(value, str):
        raise AnswerError(_("The answer to a question has the wrong form."))
    if question.kind == MULTIPLE_CHOICE:
        if value and question.choice(value) is None:
            raise AnswerError(_("One of the answers is not a choice of its question."))
        return value
    if question.kind == DROPDOWN:
        if value and value not in [o.value for o in question.options]:
            raise AnswerError(_("One of the answers is not a choice of its question."))
        return value
    return _clean_typed(question, value, seed)


def _clean_structured(question: Input, value: Any) -> Answer:
    """An answer other than typed text: an annotation, a JavaScript input's, a point, choices with numbers."""
    if question.kind == ANNOTATION:
        return _clean_annotation(question, value)
    if question.jsinput is not None:
        return _clean_jsinput(question, value)
    if question.kind == IMAGE:
        return _clean_point(question, value)
    return _clean_choice_text(question, value)


def _clean_typed(question: Input, value: str, seed: str) -> str:
    """A typed answer (number, formula or text), checked: it must be readable, not only well formed."""
    limit = MAX_BOX_ANSWER if question.lines else MAX_TEXT_ANSWER
    if len(value) > limit:
        raise AnswerError(
            _("An answer is too long: at most {limit} characters are accepted."), None, limit=limit
        )
    if not value.strip() or question.kind in (TEXT, CUSTOM):
        return value
    if question.kind == FORMULA:
        _formula_values(question, value, seed)  # raises AnswerError when either formula does not compute
    elif parse_number(value) is not None:
        pass
    elif _is_formula_question(question):
        # As Open edX, where the answer is a formula, the learner may give one too (1/3, 2*pi).
        _learner_formula(value)
    else:
        raise AnswerError(
            _(
                "“{answer}” is not a number. Type only digits, with a comma or a point "
                "for decimals (e.g. 12,5)."
            ),
            None,
            answer=value.strip(),
        )
    return value


def _too_long(limit: int) -> AnswerError:
    message = _("An answer is too long: at most {limit} characters are accepted.")
    return AnswerError(message, None, limit=limit)


def _wrong_form() -> AnswerError:
    return AnswerError(_("The answer to a question has the wrong form."))


def _clean_point(question: Input, value: Any) -> str:
    """A click on an image, sent as ``{"x": "12", "y": "30"}`` (pixels from the top left corner), as
    Open edX stores it: ``"[12,30]"``; empty when neither is given."""
    image = question.image
    assert image is not None  # an image question has its image (model)
    if not isinstance(value, dict) or not set(value) <= {"x", "y"}:
        raise _wrong_form()
    coordinates = []
    for key in ("x", "y"):
        raw = value.get(key, "")
        if isinstance(raw, int) and not isinstance(raw, bool):
            raw = str(raw)
        if not isinstance(raw, str):
            raise _wrong_form()
        if len(raw) > MAX_COORDINATE:
            raise _too_long(MAX_COORDINATE)
        coordinates.append(raw.strip())
    if not any(coordinates):
        return ""
    if not all(coordinates):
        raise AnswerError(_("Give both coordinates of the point, x and y, or click the image."))
    for text in coordinates:
        if not _WHOLE_NUMBER.fullmatch(text):
            raise AnswerError(_("“{value}” is not a whole number of pixels."), None, value=text)
    x, y = (int(text) for text in coordinates)
    if not (0 <= x <= image.width and 0 <= y <= image.height):
        raise AnswerError(
            _("The point ({x}, {y}) is outside the image, which is {width} × {height} pixels."),
            None,
            x=x,
            y=y,
            width=image.width,
            height=image.height,
        )
    return f"[{x},{y}]"


def _clean_jsinput(question: Input, value: Any) -> str:
    """What a JavaScript input's page answered: its grade function's text, or, when the input keeps a
    state, Open edX's ``{"answer": …, "state": …}`` as JSON text (what the check function receives)."""
    if not isinstance(value, str):
        raise _wrong_form()
    if len(value) > MAX_JSINPUT_ANSWER:
        raise _too_long(MAX_JSINPUT_ANSWER)
    spec = question.jsinput
    assert spec is not None  # only called for a JavaScript input
    if spec.get_statefn is None or not value:
        return value
    try:
        found = json.loads(value)
    except ValueError:
        raise _wrong_form() from None
    if not isinstance(found, dict) or set(found) != {"answer", "state"}:
        raise _wrong_form()
    if not isinstance(found["answer"], str):
        raise _wrong_form()
    return value


def _clean_annotation(question: Input, value: Any) -> dict[str, Any]:
    """A comment and the tag chosen, sent as Open edX keeps them: ``{"options": [index], "comment": text}``
    (one tag at most); empty when neither is given."""
    annotation = question.annotation
    assert annotation is not None  # an annotation question has its options (model)
    if not isinstance(value, dict) or not set(value) <= {"options", "comment"}:
        raise _wrong_form()
    options, comment = value.get("options", []), value.get("comment", "")
    if not isinstance(options, list) or len(options) > 1 or not isinstance(comment, str):
        raise _wrong_form()
    if any(isinstance(o, bool) or not isinstance(o, int) for o in options):
        raise _wrong_form()
    if any(not 0 <= o < len(annotation.options) for o in options):
        raise AnswerError(_("One of the answers is not a choice of its question."))
    if len(comment) > MAX_COMMENT:
        raise _too_long(MAX_COMMENT)
    if not options and not comment.strip():
        return {}
    return {"options": list(options), "comment": comment}


def _clean_choice_text(question: Input, value: Any) -> dict[str, Any]:
    """Choices with numbers, sent as ``{"choices": [names], "values": {field name: text}}``; empty when
    nothing is chosen. As Open edX, only the fields of the chosen choices must be numbers."""
    if not isinstance(value, dict) or not set(value) <= {"choices", "values"}:
        raise _wrong_form()
    names, values = value.get("choices", []), value.get("values", {})
    if not isinstance(names, list) or len(names) > len(question.text_choices):
        raise _wrong_form()
    if not all(isinstance(n, str) for n in names) or len(set(names)) != len(names):
        raise _wrong_form()
    if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
        raise _wrong_form()
    choices = {c.name: c for c in question.text_choices}
    if any(name not in choices for name in names):
        raise AnswerError(_("One of the answers is not a choice of its question."))
    if len(names) > 1 and not question.several:
        raise _wrong_form()
    fields = {f.name for c in question.text_choices for f in c.fields}
    if any(name not in fields for name in values):
        raise _wrong_form()
    if any(len(text) > MAX_TEXT_ANSWER for text in values.values()):
        raise _too_long(MAX_TEXT_ANSWER)
    if not names:
        return {}
    for number_field in (f for name in names for f in choices[name].fields):
        text = values.get(number_field.name, "").strip()
        if text and _field_number(text) is None:
            raise AnswerError(
                _(
                    "“{answer}” is not a number. Type only digits, with a comma or a point "
                    "for decimals (e.g. 12,5)."
                ),
                None,
                answer=text,
            )
    order = list(choices)
    return {"choices": sorted(names, key=order.index), "values": dict(values)}


def _field_number(text: str) -> Decimal | None:
    """The number typed in a choice's field: as numerical questions read it, else computed as a formula
    (Open edX computes it with its evaluator); None when it is neither."""
    value = parse_number(text)
    if value is None:
        try:
            value = formulas.as_decimal(_learner_formula(text))
        except AnswerError:
            return None
    return value


def _is_formula_question(question: Input) -> bool:
    return question.numeric is not None and question.numeric.formula


def _learner_formula(text: str) -> float:
    """What the learner's formula (of no variable) computes to; AnswerError saying why when it does not."""
    try:
        return formulas.parse(text).value({})
    except formulas.FormulaError as error:
        raise AnswerError(error.message, None, **error.params) from None


def _formula_values(question: Input, text: str, seed: str) -> list[tuple[float, float]]:
    """(learner's value, author's value) at each sample point of a formula question; AnswerError when
    either formula does not compute there."""
    spec = question.formula
    assert spec is not None  # a formula question has its answer (model)
    points = spec.samples.points(f"{seed}/{question.id}")
    number = parse_number(text)
    try:
        # A number as people type it (3,5 or 1 250) is read as numerical questions read it.
        given = formulas.parse(str(number) if number is not None else text, spec.case_sensitive)
    except formulas.FormulaError as error:
        raise AnswerError(error.message, None, **error.params) from None
    expected = formulas.parse(spec.text, spec.case_sensitive)
    values = []
    for point in points:
        try:
            given_value = given.value(point)
        except formulas.FormulaError as error:
            raise AnswerError(error.message, None, **error.params) from None
        try:
            expected_value = expected.value(point)
        except formulas.FormulaError:
            # Checked at import at other points: this one is a singularity of the author's formula.
            raise AnswerError(
                _("This question cannot be graded now: its expected formula does not compute. "
                  "Tell the course team.")
            ) from None  # fmt: skip
        values.append((given_value, expected_value))
    return values


def grade(problem: Problem, answers: dict[str, Answer], seed: str = "") -> Grade:
    """Grade ``answers`` (checked by :func:`clean_answers` with the same ``seed``): every input of the
    problem gets a result. Questions checked by the author's Python are checked together in the
    sandbox (ScriptError when that fails)."""
    checked = _custom_results(problem, answers)
    results = {
        input_id: checked[input_id]
        if input_id in checked
        else grade_input(question, answers.get(input_id), seed)
        for input_id, question in problem.inputs.items()
    }
    earned = sum((r.earned for r in results.values()), Decimal(0))
    return Grade(results, earned, problem.max_points)


def _custom_results(problem: Problem, answers: dict[str, Answer]) -> dict[str, InputResult]:
    checks = list(
        {q.custom.input_ids: q.custom for q in problem.inputs.values() if q.custom is not None}.values()
    )
    if not checks or problem.script is None:
        return {}
    typed = {input_id: a for input_id, a in answers.items() if isinstance(a, str)}
    script = problem.script
    found = scripts.check_all(checks, typed, script.code, script.context, script.seed)
    results = {}
    for check, outcome in zip(checks, found, strict=True):
        for position, input_id in enumerate(check.input_ids):
            verdict = outcome.verdicts.get(input_id, scripts.Verdict(scripts.INCORRECT, 0.0))
            points = problem.inputs[input_id].points
            earned = (Decimal(str(verdict.fraction)) * points).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
            results[input_id] = InputResult(
                verdict.correctness,
                earned,
                message=verdict.message,
                overall_message=outcome.overall_message if position == 0 else "",
            )
    return results


def grade_input(question: Input, answer: Answer | None, seed: str = "") -> InputResult:
    """The verdict on one input's answer (None or empty: unanswered, so incorrect); ``seed`` draws the
    sample points of a formula question. An answer that does not compute is incorrect."""
    if question.kind == MULTIPLE_CHOICE:
        fraction, hints = _multiple_choice(question, answer if isinstance(answer, str) else "")
    elif question.kind == CHECKBOXES:
        fraction, hints = _checkboxes(question, answer if isinstance(answer, list) else [])
    elif question.kind == DROPDOWN:
        fraction, hints = _dropdown(question, answer if isinstance(answer, str) else "")
    elif question.kind == NUMERICAL:
        fraction, hints = _numerical(question, answer if isinstance(answer, str) else "")
    elif question.kind == TEXT:
        fraction, hints = _text(question, answer if isinstance(answer, str) else "")
    elif question.kind == FORMULA:
        fraction, hints = _formula(question, answer if isinstance(answer, str) else "", seed)
    elif question.kind == IMAGE:
        fraction, hints = _image(question, answer), []
    elif question.kind == CHOICE_TEXT:
        fraction, hints = _choice_text(question, answer if isinstance(answer, dict) else {}), []
    elif question.kind == ANNOTATION:
        fraction, hints = _annotation(question, answer if isinstance(answer, dict) else {}), []
    else:  # pragma: no cover - every kind the model makes is handled above
        raise ValueError(question.kind)
    correctness = CORRECT if fraction == 1 else INCORRECT if fraction == 0 else PARTIAL
    earned = (fraction * question.points).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return InputResult(correctness, earned, tuple(hints))


def _multiple_choice(question: Input, answer: str) -> tuple[Decimal, list[FeedbackHint]]:
    choice = question.choice(answer) if answer else None
    if choice is None:
        return Decimal(0), []
    hints = [FeedbackHint(choice.hint, choice.is_correct)] if choice.hint else []
    if choice.is_correct:
        return Decimal(1), hints
    if choice.correct == "partial" and "points" in question.partial_credit:
        return choice.point_value, hints
    return Decimal(0), hints


def _checkboxes(question: Input, answer: list[str]) -> tuple[Decimal, list[FeedbackHint]]:
    chosen = set(answer)
    correct = {c.name for c in question.choices if c.is_correct}
    every = {c.name for c in question.choices}
    if not chosen:
        fraction = Decimal(0)  # as Open edX: ticking nothing is never an answer
    elif "edc" in question.partial_credit:
        # Every decision counts: each box rightly ticked or rightly left is worth the same.
        right = len(chosen & correct) + len((every - chosen) - correct)
        fraction = Decimal(right) / Decimal(len(every))
    elif "halves" in question.partial_credit:
        errors = len(chosen - correct) + len(correct - chosen)
        fraction = {0: Decimal(1)}.get(errors, Decimal(0))
        if errors == 1 and len(every) > 2:
            fraction = Decimal("0.5")
        elif errors == 2 and len(every) > 4:
            fraction = Decimal("0.25")
    else:
        fraction = Decimal(1) if chosen == correct else Decimal(0)
    is_correct = fraction == 1
    letters = {c.letter for c in question.choices if c.name in chosen}
    for selectors, hint in question.compound_hints:
        if chosen and selectors == letters:
            return fraction, [FeedbackHint(hint, is_correct)]
    hints = []
    for choice in question.choices:
        hint = choice.hint_selected if choice.name in chosen else choice.hint_unselected
        if hint is not None:
            hints.append(FeedbackHint(hint, is_correct))
    return fraction, hints


def _dropdown(question: Input, answer: str) -> tuple[Decimal, list[FeedbackHint]]:
    is_correct = bool(answer) and answer == question.correct_option
    option = next((o for o in question.options if o.value == answer), None)
    hints = [FeedbackHint(option.hint, is_correct)] if option is not None and option.hint else []
    return Decimal(1 if is_correct else 0), hints


def _numerical(question: Input, answer: str) -> tuple[Decimal, list[FeedbackHint]]:
    numeric = question.numeric
    value = _number(question, answer) if answer.strip() else None
    if numeric is None or value is None:
        return Decimal(0), []
    credit = question.partial_credit
    if numeric.range is not None:
        if numeric.range.contains(value):
            return Decimal(1), _hints(question.correct_hint, True)
        fraction = Decimal(0)
        if "close" in credit and numeric.range.widened(numeric.partial_range).contains(value):
            fraction = Decimal("0.5")
    else:
        assert numeric.value is not None  # a numerical answer is a number or a range (model)
        if numeric.tolerance.allows(value, numeric.value):
            return Decimal(1), _hints(question.correct_hint, True)
        fraction = Decimal(0)
        wide = numeric.tolerance.widened(numeric.partial_range)
        near_partial = any(numeric.tolerance.allows(value, p) for p in numeric.partial_answers)
        if ("list" in credit and near_partial) or ("close" in credit and wide.allows(value, numeric.value)):
            fraction = Decimal("0.5")
        elif (
            "list" in credit
            and "close" in credit
            and any(wide.allows(value, p) for p in numeric.partial_answers)
        ):
            fraction = Decimal("0.25")
    for _written, expected, hint in numeric.additional:
        if value == expected:
            return Decimal(1), _hints(hint, True)
    return fraction, []


def _number(question: Input, answer: str) -> Decimal | None:
    """The learner's number: as typed, or (in a question whose answer is a formula) as computed."""
    value = parse_number(answer)
    if value is None and _is_formula_question(question):
        try:
            value = formulas.as_decimal(_learner_formula(answer))
        except AnswerError:
            return None
    return value


def _formula(question: Input, answer: str, seed: str) -> tuple[Decimal, list[FeedbackHint]]:
    spec = question.formula
    if spec is None or not answer.strip():
        return Decimal(0), []
    try:
        values = _formula_values(question, answer, seed)
    except AnswerError:
        return Decimal(0), []
    # As Open edX: right only if the two formulas agree within the tolerance at every point.
    right = all(formulas.within(given, expected, spec.tolerance) for given, expected in values)
    return Decimal(1 if right else 0), []


def _image(question: Input, answer: Answer | None) -> Decimal:
    point = areas.parse_point(answer)
    right = point is not None and question.image is not None and question.image.contains(*point)
    return Decimal(1 if right else 0)


def _choice_text(question: Input, answer: dict[str, Any]) -> Decimal:
    chosen = answer.get("choices", [])
    values = answer.get("values", {})
    if not chosen:
        return Decimal(0)
    # As Open edX: exactly the correct choices, and every field of those within its tolerance.
    if set(chosen) != {c.name for c in question.text_choices if c.correct}:
        return Decimal(0)
    fields = [f for c in question.text_choices if c.name in chosen for f in c.fields]
    right = all(_field_right(f, values.get(f.name)) for f in fields)
    return Decimal(1 if right else 0)


def _annotation(question: Input, answer: dict[str, Any]) -> Decimal:
    """As Open edX: the tag chosen is worth its points (2, 1 or 0) of the 2; the comment is not graded."""
    annotation = question.annotation
    chosen = answer.get("options", [])
    if annotation is None or len(chosen) != 1:
        return Decimal(0)
    best = max(ANNOTATION_POINTS.values())
    return Decimal(annotation.options[chosen[0]].points) / Decimal(best)


def _field_right(number_field: NumberField, text: Any) -> bool:
    if number_field.answer is None or number_field.tolerance is None:
        return True  # a field of a wrong choice: never what makes the answer right or wrong
    value = _field_number(text) if isinstance(text, str) and text.strip() else None
    return value is not None and number_field.tolerance.allows(value, number_field.answer)


def _text(question: Input, answer: str) -> tuple[Decimal, list[FeedbackHint]]:
    spec = question.text
    given = answer.strip()
    if spec is None or not given:
        return Decimal(0), []
    index = spec.match_index(given)
    if index is not None:
        # The feedback of the answer matched: the main answer's <correcthint>, or the additional one's.
        return Decimal(1), _hints(spec.answer_hints[index], True)
    # Known wrong answers, compared as text first, then as patterns (Open edX's order).
    for expected, hint in spec.equal_hints:
        if spec.same(given, expected):
            return Decimal(0), _hints(hint, False)
    for pattern, hint in spec.regexp_hints:
        if pattern.fullmatch(given):
            return Decimal(0), _hints(hint, False)
    return Decimal(0), []


def _hints(hint: Hint | None, correct: bool) -> list[FeedbackHint]:
    return [FeedbackHint(hint, correct)] if hint is not None else []
