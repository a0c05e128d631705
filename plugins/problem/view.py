"""Showing a problem: the HTML of its learner view and of its editor, rendered with Jinja2 (autoescaped).

Author HTML (text parts, labels, choices, hints, solutions) is passed through the platform's sanitiser
before it is marked safe; everything else is escaped by the templates. What the page holds depends on the
learner's standing: correctness and feedback only for what they submitted, the correct answers and the
solution only once the show-answer policy allows it (and only in the answer the handler returns).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from plugins.problem.areas import parse_point
from plugins.problem.cache import BoundedCache
from plugins.problem.grading import CORRECT, INCORRECT, PARTIAL, FeedbackHint, grade_input
from plugins.problem.model import (
    ANNOTATION,
    CHECKBOXES,
    CHOICE_TEXT,
    CUSTOM,
    FORMULA,
    IMAGE,
    MULTIPLE_CHOICE,
    NUMERICAL,
    Input,
    Problem,
)
from plugins.problem.numbers import format_number
from plugins.problem.policy import Standing

_environment = Environment(
    loader=PackageLoader("plugins.problem", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)

# The word for each verdict (extracted where ``_status`` translates the same words).
_LABELS = {CORRECT: "Correct", PARTIAL: "Partially correct", INCORRECT: "Incorrect"}
_cleaned: BoundedCache[str] = BoundedCache(max_chars=4 * 1024 * 1024)


def cleaned_html(html: str, clean: Callable[[str], str]) -> str:
    """``html`` through the sanitiser, remembered (the policy is the platform's, the same for every
    call in a process, and problems are shown far more often than they change)."""
    return _cleaned.get(html, lambda: clean(html))


@dataclass
class Texts:
    """How the view turns author HTML into safe markup, and speaks the learner's language."""

    clean: Callable[[str], str]
    replace_urls: Callable[[str], str]
    gettext: Callable[[str], str]
    ngettext: Callable[[str, str, int], str]
    language: str = "fr"
    #: The address of the sandboxed frame document of a JavaScript input, by input id (the block's handler).
    frame_url: Callable[[str], str] = lambda input_id: ""

    def html(self, text: str) -> Markup:
        """Author HTML, sanitised, with course links resolved."""
        return Markup(self.replace_urls(cleaned_html(text, self.clean)))  # noqa: S704 (cleaned just above)

    def number(self, value: Decimal | float) -> str:
        """A score in the learner's notation (``1,5`` in French), without useless decimals."""
        text = format_number(Decimal(str(value)).quantize(Decimal("0.01")))
        return text.replace(".", ",") if self.language.startswith("fr") else text


@dataclass
class Situation:
    """What the learner has done and may see."""

    answers: Mapping[str, Any] = field(default_factory=dict)
    correct_map: Mapping[str, Any] = field(default_factory=dict)
    score: Mapping[str, Any] | None = None
    standing: Standing | None = None
    show_answers: bool = False
    #: Set after a submission, for the message that sums it up.
    just_submitted: bool = False


def _label(question: Input, response_label: str, first: bool, texts: Texts) -> Markup:
    if first and response_label:
        return texts.html(response_label)
    if question.label:
        return Markup.escape(question.label)
    return Markup.escape(texts.gettext("Question {number}").format(number=question.response_number))


def _feedback(question: Input, situation: Situation, texts: Texts) -> dict[str, Any] | None:
    entry = situation.correct_map.get(question.id)
    if not isinstance(entry, dict) or entry.get("correctness") not in (CORRECT, PARTIAL, INCORRECT):
        return None
    # Formula and scripted questions: nothing to compute again (their messages were kept instead).
    hints: Iterable[FeedbackHint] = (
        ()
        if question.kind in (FORMULA, CUSTOM)
        else grade_input(question, situation.answers.get(question.id)).hints
    )
    messages = [entry.get(name) for name in ("msg", "overall_message")]
    return {
        "messages": [texts.html(m) for m in messages if isinstance(m, str) and m.strip()],
        "correctness": entry["correctness"],
        "text": texts.gettext(_LABELS[entry["correctness"]]),
        "hints": [
            {
                "label": (
                    h.hint.label
                    if h.hint.label is not None
                    else texts.gettext("Correct:")
                    if h.correct
                    else texts.gettext("Incorrect:")
                ),
                "html": texts.html(h.hint.html),
                "correct": h.correct,
            }
            for h in hints
        ],
    }


def _input_view(question: Input, label: Markup, descriptions: list[Markup], situation: Situation,
                texts: Texts) -> dict[str, Any]:  # fmt: skip
    answer = situation.answers.get(question.id)
    chosen = set(answer) if isinstance(answer, list) else {answer} if isinstance(answer, str) else set()
    show = situation.show_answers
    view: dict[str, Any] = {
        "id": question.id,
        "kind": question.kind,
        "label": label,
        "descriptions": descriptions,
        "answer": answer if isinstance(answer, str) else "",
        "feedback": _feedback(question, situation, texts),
        "size": question.size,
        "lines": question.lines,
        "trailing_text": question.trailing_text,
        # A number is typed on a numeric keypad, unless the question takes formulas (sqrt, pi…).
        "numeric_keypad": question.kind == NUMERICAL and not (question.numeric and question.numeric.formula),
        "disabled": situation.standing is not None and not situation.standing.can_submit,
        "choices": [
            {
                "name": c.name,
                "html": texts.html(c.html),
                "checked": c.name in chosen,
                # Only when the answer may be shown: the page never says which choice is right before.
                "is_answer": show and c.is_correct,
            }
            for c in question.choices
        ],
        "options": [{"value": o.value, "selected": o.value in chosen} for o in question.options],
        "shown_answer": None,
    }
    if show and question.kind not in (MULTIPLE_CHOICE, CHECKBOXES, IMAGE, CHOICE_TEXT, ANNOTATION):
        view["shown_answer"] = " | ".join(question.answer_display())
    if question.image is not None:
        view["image"] = _image_view(question, answer, texts)
    if question.kind == CHOICE_TEXT:
        view["text_choices"] = _text_choices_view(question, answer, show, texts)
    if question.jsinput is not None:
        view["jsinput"] = _jsinput_view(question, texts)
    if question.annotation is not None:
        view["annotation"] = _annotation_view(question, answer, show, texts)
    return view


def _course_file_url(path: str, texts: Texts) -> str:
    # The same course-file rewriting as the links of author HTML (its pattern wants a quote before).
    return texts.replace_urls(f'"{path}')[1:]


def _jsinput_view(question: Input, texts: Texts) -> dict[str, Any]:
    spec = question.jsinput
    assert spec is not None
    return {
        "frame": texts.frame_url(question.id),
        "file": _course_file_url(spec.html_file, texts),
        "width": spec.width,
        "height": spec.height,
        "title": spec.title,
        "keeps_state": spec.get_statefn is not None,
        "initial_state": spec.initial_state or "",
    }


def _annotation_view(question: Input, answer: Any, show: bool, texts: Texts) -> dict[str, Any]:
    spec = question.annotation
    assert spec is not None
    chosen = answer.get("options", []) if isinstance(answer, dict) else []
    return {
        "title": spec.title,
        "text": texts.html(spec.text_html) if spec.text_html else "",
        "comment": texts.html(spec.comment_html) if spec.comment_html else "",
        "comment_prompt": spec.comment_prompt,
        "tag_prompt": spec.tag_prompt,
        "value": answer.get("comment", "") if isinstance(answer, dict) else "",
        "options": [
            {
                "index": index,
                "description": option.description,
                "checked": index in chosen,
                "is_answer": show and option.choice == "correct",
            }
            for index, option in enumerate(spec.options)
        ],
    }


def _image_view(question: Input, answer: Any, texts: Texts) -> dict[str, Any]:
    image = question.image
    assert image is not None
    point = parse_point(answer)
    src = _course_file_url(image.src, texts)
    return {
        "src": src,
        "width": image.width,
        "height": image.height,
        "x": point[0] if point else "",
        "y": point[1] if point else "",
    }


def _text_choices_view(question: Input, answer: Any, show: bool, texts: Texts) -> list[dict[str, Any]]:
    chosen = answer.get("choices", []) if isinstance(answer, dict) else []
    values = answer.get("values", {}) if isinstance(answer, dict) else {}
    return [
        {
            "name": choice.name,
            "checked": choice.name in chosen,
            "is_answer": show and choice.correct,
            "segments": [
                {"html": texts.html(s.html)}
                if s.input_id is None
                else {"field": s.input_id, "value": values.get(s.input_id, "")}
                for s in choice.segments
            ],
            # Shown with the answer: the numbers of a correct choice's fields, in order.
            "answers": [f.answer_text for f in choice.fields if f.answer is not None] if show else [],
        }
        for choice in question.text_choices
    ]


def problem_context(problem: Problem, situation: Situation, texts: Texts, *, display_name: str,
                    weight: float | None, problem_id: str) -> dict[str, Any]:  # fmt: skip
    """Everything the learner template needs."""
    inputs: dict[str, dict[str, Any]] = {}
    parts = []
    for part in problem.parts:
        if part.response is None:
            parts.append({"html": texts.html(part.html)})
            continue
        response = part.response
        descriptions = [texts.html(d) for d in response.descriptions]
        for position, question in enumerate(response.inputs):
            label = _label(question, response.label_html, position == 0, texts)
            inputs[question.id] = _input_view(
                question, label, descriptions if position == 0 else [], situation, texts
            )
        parts.append(
            {
                "response": {
                    "number": response.number,
                    "segments": [
                        {"html": texts.html(s.html)} if s.input_id is None else {"input": inputs[s.input_id]}
                        for s in response.segments
                    ],
                }
            }
        )
    standing = situation.standing
    possible = problem.max_points
    max_score = weight if weight is not None else possible
    return {
        "problem_id": problem_id,
        "display_name": display_name,
        "parts": parts,
        "gradable": problem.gradable,
        "unsupported": [texts.gettext(part) for part in problem.unsupported],
        "has_questions": bool(problem.inputs),
        "standing": standing,
        "progress": _progress(situation, possible, max_score, texts),
        "status": _status(situation, possible, max_score, texts) if situation.just_submitted else None,
        "solutions": [texts.html(s) for s in problem.solutions] if situation.show_answers else [],
        "has_demand_hints": bool(problem.demand_hints),
        "showing_answers": situation.show_answers,
        "_": texts.gettext,
        "ngettext": texts.ngettext,
    }


def _weighted(situation: Situation, possible: int, max_score: float) -> Decimal | None:
    score = situation.score
    if not score or score.get("raw_possible") in (None, 0) or possible == 0:
        return None
    return Decimal(str(score.get("raw_earned", 0))) * Decimal(str(max_score)) / Decimal(possible)


def _progress(situation: Situation, possible: int, max_score: float, texts: Texts) -> str:
    """ "2 points possible" before any answer, "1,5/2 points" after."""
    if possible == 0 or max_score == 0:
        return ""
    earned = (
        _weighted(situation, possible, max_score) if situation.standing and situation.standing.done else None
    )
    total = texts.number(max_score)
    count = 1 if Decimal(str(max_score)) == 1 else 2
    if earned is None:
        return texts.ngettext("{total} point possible", "{total} points possible", count).format(total=total)
    return texts.ngettext("{earned}/{total} point", "{earned}/{total} points", count).format(
        earned=texts.number(earned), total=total
    )


def _status(situation: Situation, possible: int, max_score: float, texts: Texts) -> dict[str, str] | None:
    score = situation.score or {}
    earned = Decimal(str(score.get("raw_earned", 0)))
    if earned >= possible:
        kind, text = CORRECT, texts.gettext("Correct")
    elif earned > 0:
        kind, text = PARTIAL, texts.gettext("Partially correct")
    else:
        kind, text = INCORRECT, texts.gettext("Incorrect")
    return {"kind": kind, "text": text, "progress": _progress(situation, possible, max_score, texts)}


def render_problem(context: dict[str, Any]) -> str:
    """The learner view's HTML."""
    return _environment.get_template("problem.html").render(context)


def render_hint(number: int, total: int, html: Markup, texts: Texts) -> str:
    """One hint on demand, as shown under the problem."""
    return _environment.get_template("hint.html").render(
        number=number, total=total, html=html, _=texts.gettext, ngettext=texts.ngettext
    )


def render_editor(context: dict[str, Any]) -> str:
    """The editor's HTML."""
    return _environment.get_template("studio.html").render(context)
