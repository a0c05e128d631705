"""The structure of a problem, read from Open edX problem XML ("capa"): its text, questions and answers.

:func:`read_problem` turns the XML kept in the block's ``data`` into a :class:`Problem`: the text parts in
document order, each question (an input: radio buttons, checkboxes, a drop-down list or a text field) with
what grading needs, the solutions and the hints on demand. The text parts are kept as the author wrote
them (HTML strings); the view cleans them before showing them.

Input ids follow Open edX: ``<problem id>_<response number + 1>_<input number>``, responses and inputs
counted from 1 in document order (the first input of the first question is ``…_2_1``), so they stay the
same as long as the problem's XML keeps its questions in the same order.

Formulas are read as Open edX reads them, with its evaluator (:mod:`plugins.problem.formulas`): a
``<numericalresponse>`` answer may be a formula (``sqrt(2)/2``, ``2*pi``), computed once here; a
``<formularesponse>`` answer is a formula of the variables of its ``samples``, checked here at sample
points and compared with the learner's at the learner's own points when grading.

Two kinds of trouble are told apart:

- :class:`ProblemError`: the XML is broken for grading (an answer that is neither a number nor a formula
  that computes, ``samples`` that do not read, a regular expression that does not compile, a drop-down
  list whose answer is not one of its options…). The import refuses such a problem and the editor
  refuses to save it;
- ``Problem.unsupported``: parts this platform does not run (JavaScript ``<script>``,
  ``<schematicresponse>``, ``<coderesponse>``, ``<symbolicresponse>``, a ``<jsinput>`` whose page
  is not a course file, drag and drop and the other response and input types not listed in ``RESPONSES``,
  ``<choicetextgroup>`` (Open edX renders none), ``<answer type=loncapa/python>`` outside a
  ``<customresponse>``, ``<hintgroup hintfn>``, ``<choicegroup answer-pool>``, and Python scripts
  where the script sandbox is off). Such a problem is kept as it is (export gives it back unchanged)
  and learners see a notice.

Scripted problems (:mod:`plugins.problem.scripts`): the Python of their ``<script>`` elements runs in the
sandbox with the learner's seed; the ``$variables`` it sets are replaced in the tree before it is read, so
every kind of question may use them (``<numericalresponse answer="$answer">``), and ``<customresponse>``
questions are checked by the author's check function when grading. The problem read for one seed is a
different :class:`Problem` from the problem read for another; ``Problem.script`` keeps what grading needs.

Image questions (``<imageresponse>``: a click inside a rectangle or a region, :mod:`plugins.problem.areas`)
and choices with numbers inside them (``<choicetextresponse>`` with ``<radiotextgroup>`` or
``<checkboxtextgroup>``, ``<numtolerance_input>`` and ``<decoy_input>``) are read with Open edX's rules.

JavaScript inputs (``<jsinput>`` in a ``<customresponse>``) are read into :class:`JsInput`: the author's
page (a course file, ``/static/…``) runs in a sandboxed frame (:mod:`plugins.problem.jsinput`) and its
grade function's answer is checked by the question's check function. Annotation questions
(``<annotationresponse>`` with ``<annotationinput>``) are read into :class:`Annotation`.
"""

from __future__ import annotations

import copy
import html as html_module
import random
import re
import shlex
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from lxml import etree

from plugins.problem import areas, formulas, sandbox, scripts
from plugins.problem.messages import Message, _
from plugins.problem.numbers import NumberRange, Tolerance, parse_number
from plugins.problem.safe_regex import AnswerPattern, RegexError
from plugins.problem.safexml import ProblemXmlError, parse_problem_xml

MULTIPLE_CHOICE = "multiple_choice"
CHECKBOXES = "checkboxes"
DROPDOWN = "dropdown"
NUMERICAL = "numerical"
FORMULA = "formula"
TEXT = "text"
IMAGE = "image"
CHOICE_TEXT = "choice_text"
CUSTOM = "custom"
ANNOTATION = "annotation"

#: response tag -> (the input tags it takes, the kind of its inputs)
RESPONSES = {
    "multiplechoiceresponse": (("choicegroup",), MULTIPLE_CHOICE),
    "choiceresponse": (("checkboxgroup",), CHECKBOXES),
    "optionresponse": (("optioninput",), DROPDOWN),
    "numericalresponse": (("textline", "formulaequationinput"), NUMERICAL),
    "formularesponse": (("textline", "formulaequationinput"), FORMULA),
    "stringresponse": (("textline",), TEXT),
    "imageresponse": (("imageinput",), IMAGE),
    # Open edX renders only these two groups (its <choicetextgroup> tag has no input type).
    "choicetextresponse": (("radiotextgroup", "checkboxtextgroup"), CHOICE_TEXT),
    # Checked by the author's Python (scripts.CustomCheck); the inputs Open edX gives it that type text.
    # <jsinput>: the author's page in a sandboxed frame gives the answer (plugins.problem.jsinput).
    "customresponse": (("textline", "textbox", "formulaequationinput", "jsinput"), CUSTOM),
    # A comment and a tag on a text; only the tag is graded (2, 1 or 0 points, as Open edX).
    "annotationresponse": (("annotationinput",), ANNOTATION),
}
#: Open edX's points for the tag of an annotation question, by the ``choice`` of the option picked.
ANNOTATION_POINTS = {"correct": 2, "partially-correct": 1, "incorrect": 0}
#: Every input type of Open edX: they are counted for input ids, as Open edX counts them.
OPENEDX_INPUTS = frozenset(
    {
        "choicegroup", "checkboxgroup", "radiogroup", "optioninput", "textline", "formulaequationinput",
        "textbox", "jsinput", "drag_and_drop_input", "imageinput", "schematic", "crystallography",
        "vsepr_input", "chemicalequationinput", "editamoleculeinput", "designprotein2dinput",
        "editageneinput", "annotationinput", "matlabinput", "filesubmission", "choicetextgroup",
        "checkboxtextgroup", "radiotextgroup", "javascriptinput",
    }
)  # fmt: skip
# Markup about answers and grading: never shown as text.
_GRADING_TAGS = frozenset(
    {
        "choicehint", "optionhint", "compoundhint", "correcthint", "stringequalhint", "regexphint",
        "additional_answer", "responseparam", "hintgroup", "stringhint", "numericalhint", "hintpart",
        "startouttext", "endouttext", "script", "answer",
    }
)  # fmt: skip
_SOLUTION_TAGS = frozenset({"solution", "solutionset"})
MAX_POINTS = 1000
#: NFA instructions of all the regular expressions of one problem (bounds the time of one submission).
MAX_REGEX_PROGRAM = 2000
_PIXELS = re.compile(r"(\d{1,5})(?:px)?", re.ASCII)
# Images are shown from course files or the web: no javascript: or data: addresses.
_UNSAFE_SCHEME = re.compile(r"^(?!https?:)[a-zA-Z][a-zA-Z0-9+.-]*:")
_NUMBER_FIELDS = ("numtolerance_input", "decoy_input")
#: What the notice names when a problem has Python and the script sandbox is off.
SANDBOX_OFF = _("Python scripts (the script sandbox is off on this server)")
#: A course file as authors name it (``/static/…``), nothing above it, no query.
COURSE_FILE = re.compile(r"^/static/(?!/)(?!.*(?:\.\.|\\))[^\s\"'<>()?#]+$")
#: A JavaScript function named by a jsinput (``getGrade``, ``WebGLDemo.getGrade``).
_FUNCTION_PATH = re.compile(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$", re.ASCII)
#: What the notice names when a jsinput's page is not a course file.
JSINPUT_ELSEWHERE = _("<jsinput> whose page is not a file of the course (/static/…)")
MAX_JSINPUT_SIZE = 4000
_APOSTROPHE = re.compile(r"([^\W\d_])('|\\')(?=([^\W\d_]))")


class ProblemError(Message):
    """Problem XML that cannot be graded as written (the ``line`` at fault when known)."""


@dataclass(frozen=True)
class Hint:
    """Feedback HTML written by the author; ``label`` replaces the default "Correct:"/"Incorrect:"
    (an empty label means none)."""

    html: str
    label: str | None = None


@dataclass(frozen=True)
class Choice:
    """A radio button or checkbox: ``name`` is what the browser sends (``choice_0``…)."""

    name: str
    html: str
    correct: str  # "true", "false" or "partial"
    letter: str = ""  # the id compound hints name it by (A, B… unless given)
    point_value: Decimal = Decimal("0.5")
    fixed: bool = False
    hint: Hint | None = None  # multiple choice: shown when chosen
    hint_selected: Hint | None = None  # checkboxes: shown when ticked
    hint_unselected: Hint | None = None  # checkboxes: shown when not ticked

    @property
    def is_correct(self) -> bool:
        """Whether choosing it is (fully) right."""
        return self.correct == "true"


@dataclass(frozen=True)
class Option:
    """An entry of a drop-down list."""

    value: str
    hint: Hint | None = None


@dataclass(frozen=True)
class NumericAnswer:
    """What a numerical question accepts."""

    text: str
    value: Decimal | None
    range: NumberRange | None
    tolerance: Tolerance
    additional: tuple[tuple[str, Decimal, Hint | None], ...] = ()
    partial_answers: tuple[Decimal, ...] = ()
    partial_range: Decimal = Decimal(2)
    #: The answer is a formula (``value`` is what it computes to): learners may answer with one too.
    formula: bool = False


@dataclass(frozen=True)
class FormulaAnswer:
    """What a formula question accepts: a formula equal to ``text`` within ``tolerance`` at every point
    drawn from ``samples``."""

    text: str
    samples: formulas.Samples
    tolerance: Tolerance
    case_sensitive: bool


@dataclass(frozen=True)
class TextAnswer:
    """What a text question accepts: answers compared whole, or as regular expressions."""

    answers: tuple[str, ...]
    ignore_case: bool
    regexp: bool
    patterns: tuple[AnswerPattern, ...] = ()  # one per answer, when ``regexp``
    answer_hints: tuple[Hint | None, ...] = ()  # one per answer: shown when that answer matched
    equal_hints: tuple[tuple[str, Hint], ...] = ()
    regexp_hints: tuple[tuple[AnswerPattern, Hint], ...] = ()

    def same(self, given: str, expected: str) -> bool:
        """Whether two texts are equal (ignoring case when asked)."""
        return given.lower() == expected.lower() if self.ignore_case else given == expected

    def match_index(self, given: str) -> int | None:
        """The index of the first answer ``given`` matches, or None."""
        for index, expected in enumerate(self.answers):
            if self.patterns[index].fullmatch(given) if self.regexp else self.same(given, expected):
                return index
        return None


@dataclass(frozen=True)
class ImageAnswer:
    """An image to click (``src`` as the author wrote it, size in pixels) and where a click is right."""

    src: str
    width: int
    height: int
    rectangles: tuple[areas.Rectangle, ...]
    regions: tuple[areas.Polygon | None, ...]
    rectangle_text: str
    regions_text: str

    def contains(self, x: int, y: int) -> bool:
        """Whether a click at (x, y) is right: in a rectangle, else strictly inside a region."""
        return any(r.contains(x, y) for r in self.rectangles) or any(
            r is not None and r.contains(x, y) for r in self.regions
        )


@dataclass(frozen=True)
class NumberField:
    """A number typed inside a choice: ``answer`` and ``tolerance`` when the choice is correct; a field of
    a wrong choice (``<decoy_input>``) is only checked to be a number."""

    name: str  # what the browser sends (``choice_0_0``: the first field of the first choice)
    answer: Decimal | None = None
    answer_text: str = ""
    tolerance: Tolerance | None = None


@dataclass(frozen=True)
class TextChoice:
    """A choice of a ``<choicetextresponse>``: its content in order (author HTML, or a field by name)."""

    name: str
    correct: bool
    segments: tuple[Segment, ...]
    fields: tuple[NumberField, ...]

    def field(self, name: str) -> NumberField | None:
        """The field of this choice named ``name``."""
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class JsInput:
    """A JavaScript input: the author's page (``html_file``, a course file) and the names of its
    functions that give the answer, give the state and restore it (dotted paths, as Open edX allows)."""

    html_file: str
    gradefn: str
    get_statefn: str | None
    set_statefn: str | None
    initial_state: str | None
    width: int
    height: int
    title: str
    #: Open edX's "same origin policy" switch; the frame here is always of an opaque origin of its own,
    #: so it changes nothing (kept for the export, which gives the XML back as it was).
    sop: bool


@dataclass(frozen=True)
class AnnotationOption:
    """A tag of an annotation question and what picking it is worth (``choice``, as Open edX)."""

    description: str
    choice: str  # "correct", "partially-correct" or "incorrect"

    @property
    def points(self) -> int:
        """Open edX's points for this tag."""
        return ANNOTATION_POINTS.get(self.choice, 0)


@dataclass(frozen=True)
class Annotation:
    """An annotation question: a text to comment on (author HTML) and the tags to choose from."""

    title: str
    text_html: str
    comment_html: str
    comment_prompt: str
    tag_prompt: str
    options: tuple[AnnotationOption, ...]


@dataclass(frozen=True)
class Input:
    """One thing a learner answers, with everything needed to show and grade it."""

    id: str
    kind: str
    response_number: int
    points: int = 1
    label: str | None = None  # the input's own ``label`` attribute (plain text)
    choices: tuple[Choice, ...] = ()
    compound_hints: tuple[tuple[frozenset[str], Hint], ...] = ()
    options: tuple[Option, ...] = ()
    correct_option: str | None = None
    numeric: NumericAnswer | None = None
    text: TextAnswer | None = None
    formula: FormulaAnswer | None = None
    partial_credit: tuple[str, ...] = ()
    size: int | None = None
    trailing_text: str = ""
    correct_hint: Hint | None = None  # numerical
    image: ImageAnswer | None = None
    text_choices: tuple[TextChoice, ...] = ()
    several: bool = False  # choices with numbers: checkboxes (else radio buttons)
    custom: scripts.CustomCheck | None = None  # checked by the author's Python
    lines: int = 0  # a text box of several lines (``<textbox rows>``), else one line
    correct_answer: str | None = None  # what "Show answer" gives for one input of a custom question
    jsinput: JsInput | None = None  # a custom question answered in the author's sandboxed page
    annotation: Annotation | None = None

    def choice(self, name: str) -> Choice | None:
        """The choice of this input named ``name``."""
        return next((c for c in self.choices if c.name == name), None)

    def answer_display(self) -> list[str]:
        """The correct answer(s) as shown by "Show answer" (choice names for choices)."""
        if self.kind in (MULTIPLE_CHOICE, CHECKBOXES):
            return [c.name for c in self.choices if c.is_correct]
        if self.kind == DROPDOWN:
            return [self.correct_option or ""]
        if self.kind == NUMERICAL and self.numeric is not None:
            return [self.numeric.text, *(text for text, _value, _hint in self.numeric.additional)]
        if self.kind == TEXT and self.text is not None:
            return list(self.text.answers)
        if self.kind == FORMULA and self.formula is not None:
            return [self.formula.text]
        return self._new_kinds_answer()

    def _new_kinds_answer(self) -> list[str]:
        if self.kind == IMAGE and self.image is not None:
            # As Open edX's answers: the areas as written (it has no way to show them on the image).
            return [text for text in (self.image.rectangle_text, self.image.regions_text) if text]
        if self.kind == CUSTOM and self.custom is not None:
            if len(self.custom.input_ids) == 1 and self.custom.expect:
                return [self.custom.expect]
            return [self.correct_answer] if self.correct_answer else []
        if self.kind == ANNOTATION and self.annotation is not None:
            # As Open edX: the tag marked correct.
            return [o.description for o in self.annotation.options if o.choice == "correct"][:1]
        if self.kind == CHOICE_TEXT:
            # The correct choices, each with the numbers of its fields (Open edX's "choice: 1, 0.5").
            return [
                " ".join([c.name, *(f.answer_text for f in c.fields if f.answer is not None)])
                for c in self.text_choices
                if c.correct
            ]
        return []


@dataclass(frozen=True)
class Segment:
    """A part of a problem or question, in document order: author HTML, or an input (by id)."""

    html: str = ""
    input_id: str | None = None


@dataclass(frozen=True)
class Response:
    """A question: its label and descriptions (author HTML), its inputs, and its content in order."""

    number: int
    tag: str
    label_html: str
    descriptions: tuple[str, ...]
    inputs: tuple[Input, ...]
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Part:
    """A top-level part of a problem: author HTML or a question."""

    html: str = ""
    response: Response | None = None


@dataclass(frozen=True)
class ProblemScript:
    """What grading a scripted problem needs: the script, the context it made, the seed it ran with."""

    code: str
    context: dict[str, Any]
    seed: int


@dataclass(frozen=True)
class Problem:
    """A problem as read from its XML."""

    parts: tuple[Part, ...]
    inputs: dict[str, Input]
    solutions: tuple[str, ...]
    demand_hints: tuple[str, ...]
    unsupported: tuple[str, ...]
    warnings: tuple[Message, ...]
    script: ProblemScript | None = None

    @property
    def responses(self) -> list[Response]:
        """The questions, in order."""
        return [part.response for part in self.parts if part.response is not None]

    @property
    def max_points(self) -> int:
        """The points all inputs are worth together."""
        return sum(i.points for i in self.inputs.values())

    @property
    def gradable(self) -> bool:
        """Whether learners can answer it here (supported, with at least one question)."""
        return not self.unsupported and bool(self.inputs)


# Reading -------------------------------------------------------------------------------------------------


def read_problem(data: str, prefix: str, seed: int = 1, anonymous_id: str = "") -> Problem:
    """The problem written in ``data`` (``<problem>…</problem>``); inputs ids start with ``prefix``.
    A scripted problem is read as its script makes it for ``seed`` (and the learner's anonymous id).

    Raises ProblemXmlError for XML that does not parse, ProblemError for a problem that cannot be graded
    as written, ScriptError for a script that fails.
    """
    return read_problem_tree(parse_problem_xml(data), prefix, seed, anonymous_id)


def read_problem_tree(root: Any, prefix: str, seed: int = 1, anonymous_id: str = "") -> Problem:
    """As :func:`read_problem`, from an element already parsed (its lines are the ones reported)."""
    if root.tag != "problem":
        raise ProblemError(
            _("The root element must be <problem>, not <{tag}>."), root.sourceline, tag=root.tag
        )
    script = None
    if has_python(root) and sandbox.available():
        code = scripts.script_code(root)
        context = scripts.context_for(code, seed, anonymous_id)
        # deepcopy keeps the source lines that problems are reported at.
        root = copy.deepcopy(root)
        scripts.substitute_tree(root, context)
        script = ProblemScript(code, context, seed)
    return _Reader(prefix, root, script=script).read()


def has_python(root: Any) -> bool:
    """Whether the problem has Python to run (a script, or an answer script of a question)."""
    return any(scripts.is_python(e) for e in root.iter("script")) or any(
        "python" in (e.get("type") or "") for e in root.iter("answer")
    )


def text_of(element: Any) -> str:
    """The HTML inside ``element`` (its text and children, tails included), as the author wrote it."""
    return _inner_html(element, ())


def _tag(element: Any) -> str | None:
    return element.tag if isinstance(element.tag, str) else None


def _escape(text: str | None) -> str:
    return html_module.escape(text or "", quote=False)


def _outer_html(element: Any) -> str:
    """An element as HTML (without its tail), hidden parts (solutions, hints, scripts) removed."""
    return etree.tostring(_clean_copy(element), encoding="unicode", method="html", with_tail=False)


def _clean_copy(element: Any) -> Any:
    clone = copy.deepcopy(element)
    clone.tail = None
    for hidden in list(clone.iter()):
        if hidden is not clone and _tag(hidden) in _GRADING_TAGS | _SOLUTION_TAGS | {"demandhint"}:
            _remove_keeping_tail(hidden)
    return clone


def _remove_keeping_tail(element: Any) -> None:
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _inner_html(element: Any, skip: Iterable[str]) -> str:
    """The text and children of ``element`` as HTML; children whose tag is in ``skip`` are left out
    (their tail text is kept)."""
    skipped = set(skip) | _GRADING_TAGS | _SOLUTION_TAGS | {"demandhint"}
    parts = [_escape(element.text)]
    for child in element:
        tag = _tag(child)
        if tag is not None and tag not in skipped:
            parts.append(_outer_html(child))
        parts.append(_escape(child.tail))
    return "".join(parts).strip()


def _hint(element: Any | None) -> Hint | None:
    if element is None:
        return None
    content = _inner_html(element, ())
    return Hint(content, element.get("label")) if content else None


def _bool(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


def parse_options(text: str) -> list[str]:
    """The values of Open edX's ``options="('a','b')"`` attribute, read as Open edX reads them."""
    # Apostrophes inside words (l'eau) and escaped quotes are not quotes.
    protected = _APOSTROPHE.sub(lambda m: m.group(1) + "\x00", text.strip())
    protected = protected.replace("\\'", "\x00")
    lexer = shlex.shlex(protected[1:-1])
    lexer.quotes = "'"
    lexer.whitespace = ", "
    try:
        tokens = list(lexer)
    except ValueError as error:
        raise ProblemError(
            _("The options {options} cannot be read: {error}."), None, options=text, error=str(error)
        ) from None
    return [
        (token[1:-1] if len(token) >= 2 and token[0] == token[-1] == "'" else token).replace("\x00", "'")
        for token in tokens
    ]


@dataclass
class _Reader:
    """Reads one problem tree (one use: call :meth:`read` once)."""

    prefix: str
    root: Any
    inputs: dict[str, Input] = field(default_factory=dict)
    solutions: list[str] = field(default_factory=list)
    demand_hints: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)
    regex_size: int = 0
    script: ProblemScript | None = None

    def read(self) -> Problem:
        self.response_numbers = {}
        for element in self.root.iter():
            tag = _tag(element)
            if tag is not None and tag.endswith("response"):
                self.response_numbers[element] = len(self.response_numbers) + 1
        self._find_unsupported()
        parts = self._container(self.root) if not self.unsupported else []
        if self.unsupported:
            # Nothing of it is graded: only the notice is shown, so its details need not be read.
            self.inputs.clear()
        return Problem(
            parts=tuple(_merge(parts)),
            inputs=dict(self.inputs),
            solutions=tuple(self.solutions),
            demand_hints=tuple(self.demand_hints),
            unsupported=tuple(dict.fromkeys(self.unsupported)),
            warnings=tuple(self.warnings),
            script=self.script,
        )

    # What is not supported ------------------------------------------------------------------------------

    def _find_unsupported(self) -> None:
        for element in self.root.iter():
            tag = _tag(element)
            if tag is None:
                continue
            if tag == "script" and not scripts.is_python(element):
                self.unsupported.append(f"<script type={element.get('type')}>")
            elif tag == "script" and not sandbox.available():
                self.unsupported.append(SANDBOX_OFF)
            elif tag == "jsinput" and not COURSE_FILE.match((element.get("html_file") or "").strip()):
                # Only a course file: another site's page would run under this site's pages.
                self.unsupported.append(JSINPUT_ELSEWHERE)
            elif (tag.endswith("response") and tag not in RESPONSES) or (
                tag in OPENEDX_INPUTS and not self._input_fits(element)
            ):
                self.unsupported.append(f"<{tag}>")
            elif tag == "answer" and "python" in (element.get("type") or ""):
                inside = next(
                    (a for a in element.iterancestors() if (_tag(a) or "").endswith("response")), None
                )
                if inside is None or inside.tag != "customresponse":
                    self.unsupported.append("<answer type=loncapa/python>")
                elif not sandbox.available():
                    self.unsupported.append(SANDBOX_OFF)
            elif tag == "hintgroup" and element.get("hintfn"):
                self.unsupported.append("<hintgroup hintfn>")
            elif tag == "choicegroup" and element.get("answer-pool") not in (None, "", "0"):
                self.unsupported.append("<choicegroup answer-pool>")

    def _input_fits(self, element: Any) -> bool:
        response = next((a for a in element.iterancestors() if (_tag(a) or "").endswith("response")), None)
        if response is not None and response.tag not in RESPONSES:
            return True  # reported once, as its response
        return response is not None and element.tag in RESPONSES[response.tag][0]

    # Containers -----------------------------------------------------------------------------------------

    def _container(self, element: Any) -> list[Part]:
        parts: list[Part] = []
        if element.text and element.text.strip():
            parts.append(Part(html=_escape(element.text)))
        for child in element:
            tag = _tag(child)
            if tag is None:
                pass
            elif tag in RESPONSES:
                parts.append(Part(response=self._response(child)))
            elif tag in _SOLUTION_TAGS:
                self._solutions(child)
            elif tag == "demandhint":
                self.demand_hints.extend(h for h in map(text_of, child.iter("hint")) if h)
            elif tag in _GRADING_TAGS:
                pass
            elif any(_tag(d) in RESPONSES for d in child.iterdescendants()):
                # A wrapper around questions (a <div>, a <text>…): its content is shown in order.
                parts.extend(self._container(child))
            elif tag in ("label", "description"):
                parts.append(Part(html=f'<p class="problem-{tag}">{_inner_html(child, ())}</p>'))
            else:
                self._solutions_inside(child)
                parts.append(Part(html=_outer_html(child)))
            if child.tail and child.tail.strip():
                parts.append(Part(html=_escape(child.tail)))
        return parts

    def _solutions(self, element: Any) -> None:
        found = [element] if element.tag == "solution" else list(element.iter("solution"))
        self.solutions.extend(h for h in map(text_of, found) if h)

    def _solutions_inside(self, element: Any) -> None:
        for solution in element.iter("solution"):
            if (content := text_of(solution)) != "":
                self.solutions.append(content)

    # Questions ------------------------------------------------------------------------------------------

    def _response(self, element: Any) -> Response:
        number = self.response_numbers[element]
        kind = RESPONSES[element.tag][1]
        label_element = element.find("label")
        descriptions = tuple(_inner_html(d, ()) for d in element.findall("description"))
        input_elements = [e for e in element.iterdescendants() if _tag(e) in OPENEDX_INPUTS]
        if not input_elements:
            raise ProblemError(_("<{tag}> has no input to answer with."), element.sourceline, tag=element.tag)
        # As Open edX: drop-down lists, images and custom inputs may be several to one question.
        if kind not in (DROPDOWN, IMAGE, CUSTOM) and len(input_elements) > 1:
            raise ProblemError(_("<{tag}> may hold only one input."), element.sourceline, tag=element.tag)
        made = []
        for position, input_element in enumerate(input_elements, start=1):
            input_id = f"{self.prefix}_{number + 1}_{position}"
            made.append(self._input(element, input_element, input_id, kind, number))
        if kind == CUSTOM:
            check = self._custom_check(element, tuple(i.id for i in made))
            made = [replace(i, custom=check) for i in made]
        for made_input in made:
            self.inputs[made_input.id] = made_input
        by_element = dict(zip(input_elements, made, strict=True))
        return Response(
            number=number,
            tag=element.tag,
            label_html=_inner_html(label_element, ()) if label_element is not None else "",
            descriptions=tuple(d for d in descriptions if d),
            inputs=tuple(made),
            segments=tuple(self._response_segments(element, by_element)),
        )

    def _response_segments(self, element: Any, inputs: dict[Any, Input]) -> Iterator[Segment]:
        if element.text and element.text.strip():
            yield Segment(html=_escape(element.text))
        for child in element:
            tag = _tag(child)
            if child in inputs:
                yield Segment(input_id=inputs[child].id)
            elif tag is None or tag in ("label", "description", "demandhint") or tag in _GRADING_TAGS:
                pass
            elif tag in _SOLUTION_TAGS:
                self._solutions(child)
            else:
                nested = [inputs[d] for d in child.iterdescendants() if d in inputs]
                self._solutions_inside(child)
                if nested:
                    # Text around an input (a drop-down list inside a sentence): the text, then the input.
                    stripped = _clean_copy(child)
                    for inner in list(stripped.iter()):
                        if _tag(inner) in OPENEDX_INPUTS:
                            _remove_keeping_tail(inner)
                    yield Segment(html=_outer_html(stripped))
                    yield from (Segment(input_id=i.id) for i in nested)
                else:
                    yield Segment(html=_outer_html(child))
            if child.tail and child.tail.strip():
                yield Segment(html=_escape(child.tail))

    def _input(self, response: Any, element: Any, input_id: str, kind: str, number: int) -> Input:
        points_text = element.get("points", "1")
        try:
            points = int(points_text)
        except ValueError:
            raise ProblemError(
                _("points=“{points}” is not a whole number."), element.sourceline, points=points_text
            ) from None
        if not 0 <= points <= MAX_POINTS:
            raise ProblemError(
                _("points must be between 0 and {limit}."), element.sourceline, limit=MAX_POINTS
            )
        credit = tuple(
            word.strip().lower()
            for word in (response.get("partial_credit") or "").split(",")
            if word.strip() and word.strip().lower() != "false"
        )
        common: dict[str, Any] = {
            "id": input_id,
            "kind": kind,
            "response_number": number,
            "points": points,
            "label": element.get("label") or None,
            "partial_credit": credit,
        }
        if kind in (MULTIPLE_CHOICE, CHECKBOXES):
            read = self._multiple_choice if kind == MULTIPLE_CHOICE else self._checkboxes
            return read(response, element, common)
        by_element = {
            DROPDOWN: self._dropdown,
            IMAGE: self._image,
            CHOICE_TEXT: self._choice_text,
            ANNOTATION: self._annotation,
        }
        if kind in by_element:
            return by_element[kind](element, common)
        size = element.get("size")
        common["size"] = max(1, min(int(size), 80)) if size and size.isdigit() else None
        common["trailing_text"] = element.get("trailing_text") or ""
        if kind == CUSTOM:
            return self._custom_input(element, common)
        if kind == NUMERICAL:
            return self._numerical(response, common)
        if kind == FORMULA:
            return self._formula(response, common)
        return self._text(response, common)

    def _custom_input(self, element: Any, common: dict[str, Any]) -> Input:
        if element.tag == "jsinput":
            return self._jsinput(element, common)
        lines = 0
        if element.tag == "textbox":
            rows = (element.get("rows") or "").strip()
            lines = max(2, min(int(rows), 30)) if rows.isdigit() else 10
        common["partial_credit"] = ()  # the check function gives it, if any
        return Input(**common, lines=lines, correct_answer=element.get("correct_answer") or None)

    @staticmethod
    def _jsinput(element: Any, common: dict[str, Any]) -> Input:
        line = element.sourceline
        names = {}
        for attribute in ("gradefn", "get_statefn", "set_statefn"):
            name = (element.get(attribute) or "").strip()
            if name and not _FUNCTION_PATH.match(name):
                raise ProblemError(
                    _("{attribute}=“{name}” is not the name of a JavaScript function."),
                    line,
                    attribute=attribute,
                    name=name,
                )
            names[attribute] = name or None
        if names["gradefn"] is None:
            raise ProblemError(
                _("<jsinput> needs a gradefn attribute: the function giving the answer."), line
            )
        size = []
        for attribute, default in (("width", 400), ("height", 300)):
            match = _PIXELS.fullmatch((element.get(attribute) or "").strip())
            size.append(max(1, min(int(match.group(1)), MAX_JSINPUT_SIZE)) if match else default)
        common["partial_credit"] = ()  # the check function gives it, if any
        jsinput = JsInput(
            html_file=(element.get("html_file") or "").strip(),
            gradefn=names["gradefn"],
            get_statefn=names["get_statefn"],
            set_statefn=names["set_statefn"],
            initial_state=element.get("initial_state"),
            width=size[0],
            height=size[1],
            title=(element.get("title") or "").strip(),
            sop=_bool(element.get("sop")),
        )
        return Input(**common, jsinput=jsinput)

    def _annotation(self, element: Any, common: dict[str, Any]) -> Input:
        line = element.sourceline
        options = []
        for option in element.findall("./options/option"):
            choice = (option.get("choice") or "").strip()
            if choice not in ANNOTATION_POINTS:
                raise ProblemError(
                    _("choice=“{value}” must be correct, partially-correct or incorrect."),
                    option.sourceline,
                    value=choice,
                )
            options.append(AnnotationOption((option.text or "").strip(), choice))
        if not options:
            raise ProblemError(_("<annotationinput> has no <option> in its <options>."), line)
        if not any(o.choice == "correct" for o in options):
            self.warnings.append(Message(_("No tag of this annotation is marked correct."), line))

        def part(name: str) -> str:
            found = element.find(name)
            return _inner_html(found, ()) if found is not None else ""

        annotation = Annotation(
            title=(element.findtext("title") or "").strip(),
            text_html=part("text"),
            comment_html=part("comment"),
            comment_prompt=(element.findtext("comment_prompt") or "").strip(),
            tag_prompt=(element.findtext("tag_prompt") or "").strip(),
            options=tuple(options),
        )
        # As Open edX: the best tag is worth 2 points, whatever the input says.
        common["points"] = ANNOTATION_POINTS["correct"]
        common["partial_credit"] = ()
        return Input(**common, annotation=annotation)

    def _custom_check(self, response: Any, input_ids: tuple[str, ...]) -> scripts.CustomCheck:
        line = response.sourceline
        answer = next((a for a in response.iter("answer")), None)
        cfn = (response.get("cfn") or "").strip() or None
        if answer is None and cfn is None:
            raise ProblemError(_("<customresponse> needs a cfn attribute or an <answer> script."), line)
        if self.script is None:
            raise ProblemError(_("<customresponse> is checked by a script, and this problem has none."), line)
        if answer is None and cfn is not None and not cfn.isidentifier():
            raise ProblemError(_("cfn=“{cfn}” is not the name of a function."), line, cfn=cfn)
        extra = tuple((response.get("cfn_extra_args") or "").split())
        if any(not name.isidentifier() for name in extra):
            raise ProblemError(_("cfn_extra_args must be names of the script's variables."), line)
        return scripts.CustomCheck(
            input_ids=input_ids,
            expect=response.get("expect") or response.get("answer"),
            cfn=cfn if answer is None else None,
            answer_code=(answer.text or "") if answer is not None else None,
            cfn_extra_args=extra,
            options=response.get("options"),
        )

    def _check_credit(self, common: dict[str, Any], allowed: tuple[str, ...], line: int | None) -> None:
        credit = common["partial_credit"]
        if len(credit) > 1 and common["kind"] != NUMERICAL:
            raise ProblemError(_("Only one kind of partial credit may be given."), line)
        for word in credit:
            if word not in allowed:
                raise ProblemError(
                    _("partial_credit must be one of {allowed}, not “{value}”."),
                    line,
                    allowed=", ".join(allowed),
                    value=word,
                )

    def _multiple_choice(self, response: Any, group: Any, common: dict[str, Any]) -> Input:
        self._check_credit(common, ("points",), response.sourceline)
        choices = []
        unnamed = 0
        for choice in group.findall("choice"):
            if choice.get("name") is not None:
                name = f"choice_{choice.get('name')}"
            else:
                name, unnamed = f"choice_{unnamed}", unnamed + 1
            correct = (choice.get("correct") or "false").strip().lower()
            if correct not in ("true", "false", "partial"):
                raise ProblemError(
                    _("correct=“{value}” must be true or false."), choice.sourceline, value=correct
                )
            point_text = choice.get("point_value", "0.5")
            point_value = parse_number(point_text)
            if point_value is None or not 0 <= point_value <= 1:
                raise ProblemError(
                    _("point_value=“{value}” must be between 0 and 1."), choice.sourceline, value=point_text
                )
            choices.append(
                Choice(
                    name=name,
                    html=_inner_html(choice, ()),
                    correct=correct,
                    point_value=point_value,
                    fixed=_bool(choice.get("fixed")),
                    hint=_hint(choice.find("choicehint")),
                )
            )
        self._check_choices(choices, group)
        if not any(c.is_correct for c in choices):
            self.warnings.append(Message(_("No choice is marked correct."), group.sourceline))
        if _bool(group.get("shuffle")):
            choices = _shuffled(choices, common["id"])
        return Input(**common, choices=tuple(choices))

    def _checkboxes(self, response: Any, group: Any, common: dict[str, Any]) -> Input:
        self._check_credit(common, ("edc", "halves"), response.sourceline)
        choices = []
        for index, choice in enumerate(response.iter("choice")):
            correct = (choice.get("correct") or "false").strip().lower()
            if correct not in ("true", "false"):
                raise ProblemError(
                    _("correct=“{value}” must be true or false."), choice.sourceline, value=correct
                )
            hints = {}
            for hint in choice.findall("choicehint"):
                hints[(hint.get("selected") or "").strip().lower()] = _hint(hint)
            choices.append(
                Choice(
                    name=f"choice_{index}",
                    html=_inner_html(choice, ()),
                    correct=correct,
                    letter=(choice.get("id") or chr(ord("A") + index % 26)).upper(),
                    fixed=_bool(choice.get("fixed")),
                    hint_selected=hints.get("true"),
                    hint_unselected=hints.get("false"),
                )
            )
        self._check_choices(choices, group)
        compound = []
        for element in group.findall("compoundhint"):
            hint = _hint(element)
            if hint is not None:
                compound.append((frozenset((element.get("value") or "").upper().split()), hint))
        if _bool(group.get("shuffle")):
            choices = _shuffled(choices, common["id"])
        return Input(**common, choices=tuple(choices), compound_hints=tuple(compound))

    @staticmethod
    def _check_choices(choices: list[Choice], group: Any) -> None:
        if not choices:
            raise ProblemError(_("<{tag}> has no <choice>."), group.sourceline, tag=group.tag)
        names = [c.name for c in choices]
        if len(set(names)) != len(names):
            raise ProblemError(
                _("Two choices of <{tag}> have the same name."), group.sourceline, tag=group.tag
            )

    def _dropdown(self, element: Any, common: dict[str, Any]) -> Input:
        options_elements = element.findall("option")
        if options_elements:
            options = []
            correct = None
            for option in options_elements:
                value = (option.text or "").strip()
                options.append(Option(value, _hint(option.find("optionhint"))))
                if _bool(option.get("correct")) and correct is None:
                    correct = value
        else:
            options = [Option(value) for value in parse_options(element.get("options") or "")]
            correct = (element.get("correct") or "").strip() or None
        values = [o.value for o in options]
        if not options:
            raise ProblemError(_("<optioninput> has no option."), element.sourceline)
        if len(set(values)) != len(values):
            raise ProblemError(_("<optioninput> lists the same option twice."), element.sourceline)
        if correct is None:
            raise ProblemError(_("<optioninput> has no correct option."), element.sourceline)
        if correct not in values:
            raise ProblemError(
                _("The correct option “{value}” is not one of the options."),
                element.sourceline,
                value=correct,
            )
        return Input(**common, options=tuple(options), correct_option=correct)

    def _image(self, element: Any, common: dict[str, Any]) -> Input:
        line = element.sourceline
        src = (element.get("src") or "").strip()
        if not src:
            raise ProblemError(_("<imageinput> needs a src attribute: the image to click."), line)
        if _UNSAFE_SCHEME.match(src):
            raise ProblemError(
                _("The image “{src}” must be a course file (/static/…) or a web address."), line, src=src
            )
        size = [_PIXELS.fullmatch((element.get(name) or "").strip()) for name in ("width", "height")]
        if not all(size) or any(int(m.group(1)) == 0 for m in size if m):
            raise ProblemError(_("<imageinput> needs a width and a height in pixels (whole numbers)."), line)
        width, height = (int(m.group(1)) for m in size if m)
        rectangle_text = element.get("rectangle") or ""
        regions_text = element.get("regions") or ""
        try:
            rectangles = areas.parse_rectangles(rectangle_text)
            regions = areas.parse_regions(regions_text)
        except Message as error:
            raise ProblemError(error.message, line, **error.params) from None
        for rectangle in rectangles:
            if rectangle.empty:
                # Open edX grades it so, silently: the author should know.
                self.warnings.append(
                    Message(
                        _("The rectangle {rectangle} holds no point: write its top left corner first."),
                        line,
                        rectangle=f"({rectangle.left},{rectangle.top})-({rectangle.right},{rectangle.bottom})",
                    )
                )
        if None in regions:
            self.warnings.append(Message(_("A region of this image has all its points on one line."), line))
        if not rectangles and not regions:
            self.warnings.append(Message(_("No area of this image is marked correct."), line))
        # Open edX gives an image question no partial credit.
        common["partial_credit"] = ()
        image = ImageAnswer(src, width, height, rectangles, regions, rectangle_text, regions_text)
        return Input(**common, image=image)

    def _choice_text(self, group: Any, common: dict[str, Any]) -> Input:
        common["partial_credit"] = ()  # none in Open edX
        choices = []
        for index, choice in enumerate(group):
            if _tag(choice) is None:
                continue
            if choice.tag != "choice":
                raise ProblemError(
                    _("<{group}> may hold only <choice> elements, not <{tag}>."),
                    choice.sourceline,
                    group=group.tag,
                    tag=choice.tag,
                )
            choices.append(self._text_choice(choice, f"choice_{index}"))
        if not choices:
            raise ProblemError(_("<{tag}> has no <choice>."), group.sourceline, tag=group.tag)
        if not any(c.correct for c in choices):
            self.warnings.append(Message(_("No choice is marked correct."), group.sourceline))
        return Input(**common, text_choices=tuple(choices), several=group.tag == "checkboxtextgroup")

    def _text_choice(self, choice: Any, name: str) -> TextChoice:
        # Open edX counts as correct only correct="true", written so.
        correct = choice.get("correct") == "true"
        fields_elements = [c for c in choice if _tag(c) in _NUMBER_FIELDS]
        if len({c.tag for c in fields_elements}) > 1:
            # Open edX names only one kind of them: the others could not be answered.
            raise ProblemError(
                _("A choice may hold <numtolerance_input> or <decoy_input> fields, not both."),
                choice.sourceline,
            )
        fields = []
        segments = [Segment(html=_escape(choice.text))] if choice.text and choice.text.strip() else []
        for child in choice:
            tag = _tag(child)
            if tag in _NUMBER_FIELDS:
                field_ = self._number_field(child, f"{name}_{len(fields)}", correct)
                fields.append(field_)
                segments.append(Segment(input_id=field_.name))
            elif tag is not None and tag not in _GRADING_TAGS | _SOLUTION_TAGS:
                segments.append(Segment(html=_outer_html(child)))
            if child.tail and child.tail.strip():
                segments.append(Segment(html=_escape(child.tail)))
        return TextChoice(name, correct, tuple(segments), tuple(fields))

    @staticmethod
    def _number_field(element: Any, name: str, correct: bool) -> NumberField:
        if not correct:
            return NumberField(name)  # only checked to be a number, as Open edX does
        line = element.sourceline
        answer = (element.get("answer") or "").strip()
        if not answer:
            raise ProblemError(_("<{tag}> in a correct choice needs an answer."), line, tag=element.tag)
        value = parse_number(answer)
        if value is None:
            raise ProblemError(_("The answer “{value}” is not a number."), line, value=answer)
        try:
            tolerance = Tolerance.parse(element.get("tolerance"))
        except Message as error:
            raise ProblemError(error.message, line, **error.params) from None
        return NumberField(name, value, answer, tolerance)

    def _numerical(self, response: Any, common: dict[str, Any]) -> Input:
        self._check_credit(common, ("close", "list"), response.sourceline)
        line = response.sourceline
        answer = (response.get("answer") or "").strip()
        if not answer:
            raise ProblemError(_("<numericalresponse> needs an answer attribute."), line)
        try:
            number_range = NumberRange.parse(answer)
        except Message as error:
            raise ProblemError(error.message, line, **error.params) from None
        value = None if number_range is not None else parse_number(answer)
        is_formula = number_range is None and value is None
        if is_formula:
            # As Open edX: an answer that is not a number is computed (sqrt(2)/2, 2*pi…).
            value = formulas.as_decimal(_computed(answer, [{}], False, line)[0])
        tolerance = _tolerance(response)
        additional = []
        for element in response.findall("additional_answer"):
            text = (element.get("answer") or element.text or "").strip()
            number = parse_number(text)
            if number is None:
                raise ProblemError(
                    _("The additional answer “{value}” is not a number."), element.sourceline, value=text
                )
            additional.append((text, number, _hint(element.find("correcthint"))))
        partial_answers = []
        partial_range = Decimal(2)
        for param in response.findall("responseparam"):
            if param.get("partial_answers"):
                for text in param.get("partial_answers").split(","):
                    number = parse_number(text)
                    if number is None:
                        raise ProblemError(
                            _("The partial answer “{value}” is not a number."), line, value=text.strip()
                        )
                    partial_answers.append(number)
            if param.get("partial_range"):
                found = parse_number(param.get("partial_range"))
                if found is None or found < 0:
                    raise ProblemError(_("partial_range must be a positive number."), param.sourceline)
                partial_range = found
        numeric = NumericAnswer(
            text=answer,
            value=value,
            range=number_range,
            tolerance=tolerance,
            additional=tuple(additional),
            partial_answers=tuple(partial_answers),
            partial_range=partial_range,
            formula=is_formula,
        )
        return Input(**common, numeric=numeric, correct_hint=_hint(response.find("correcthint")))

    def _formula(self, response: Any, common: dict[str, Any]) -> Input:
        line = response.sourceline
        answer = (response.get("answer") or "").strip()
        samples_text = (response.get("samples") or "").strip()
        if not answer:
            raise ProblemError(_("<formularesponse> needs an answer attribute."), line)
        if not samples_text:
            raise ProblemError(_("<formularesponse> needs a samples attribute."), line)
        try:
            samples = formulas.Samples.parse(samples_text)
        except Message as error:
            raise ProblemError(error.message, line, **error.params) from None
        # Open edX reads type="cs" / "ci" from a comma-separated list; "ci" wins, case-insensitive by default.
        types = {word.strip() for word in (response.get("type") or "").split(",")}
        case_sensitive = "cs" in types and "ci" not in types
        # The author's formula must compute wherever learners will be graded; checked at points of its own.
        _computed(answer, samples.points(common["id"]), case_sensitive, line)
        # Open edX gives a formula question no partial credit.
        common["partial_credit"] = ()
        formula = FormulaAnswer(answer, samples, _tolerance(response), case_sensitive)
        return Input(**common, formula=formula)

    def _text(self, response: Any, common: dict[str, Any]) -> Input:
        line = response.sourceline
        answer = response.get("answer")
        if answer is None or not answer.strip():
            raise ProblemError(_("<stringresponse> needs an answer attribute."), line)
        flags = (response.get("type") or "").lower().split()
        ignore_case, regexp = "ci" in flags, "regexp" in flags
        # Open edX's old way of listing answers, answer="a_or_b", before <additional_answer>.
        answers = [a.strip() for a in answer.split("_or_")] if "_or_" in answer.lower() else [answer.strip()]
        hints: list[Hint | None] = [_hint(response.find("correcthint"))] + [None] * (len(answers) - 1)
        for element in response.findall("additional_answer"):
            text = (
                element.get("answer") if element.get("answer") is not None else element.text or ""
            ).strip()
            if text:
                answers.append(text)
                hints.append(_hint(element.find("correcthint")))
        equal_hints = []
        for element in response.findall("stringequalhint"):
            hint = _hint(element)
            if hint is not None and (element.get("answer") or "").strip():
                equal_hints.append(((element.get("answer") or "").strip(), hint))
        regexp_hints = []
        try:
            patterns = [self._pattern(a, ignore_case, line) for a in answers] if regexp else []
            for element in response.findall("regexphint"):
                hint = _hint(element)
                if hint is not None and (element.get("answer") or "").strip():
                    regexp_hints.append(
                        (self._pattern(element.get("answer").strip(), ignore_case, line), hint)
                    )
        except RegexError as error:
            raise ProblemError(error.message, line, **error.params) from None
        text = TextAnswer(
            answers=tuple(answers),
            ignore_case=ignore_case,
            regexp=regexp,
            patterns=tuple(patterns),
            answer_hints=tuple(hints),
            equal_hints=tuple(equal_hints),
            regexp_hints=tuple(regexp_hints),
        )
        return Input(**common, text=text)

    def _pattern(self, text: str, ignore_case: bool, line: int | None) -> AnswerPattern:
        pattern = AnswerPattern([text], ignore_case=ignore_case)
        # A budget for the whole problem: matching time grows with the size of every pattern tried.
        self.regex_size += len(pattern.program)
        if self.regex_size > MAX_REGEX_PROGRAM:
            raise ProblemError(_("The regular expressions of this problem are too many or too long."), line)
        return pattern


def _tolerance(response: Any) -> Tolerance:
    """The tolerance of a numerical or formula question (Open edX's default without one)."""
    element = response.find(".//responseparam[@type='tolerance']")
    try:
        return Tolerance.parse(element.get("default") if element is not None else None)
    except Message as error:
        raise ProblemError(error.message, response.sourceline, **error.params) from None


def _computed(
    answer: str, points: list[dict[str, float]], case_sensitive: bool, line: int | None
) -> list[float]:
    """What an author's formula computes to at each point; ProblemError (at ``line``) when it does not."""
    try:
        formula = formulas.parse(answer, case_sensitive)
        return [formula.value(point) for point in points]
    except formulas.FormulaError as error:
        raise ProblemError(error.message, line, **error.params) from None


def _shuffled(choices: list[Choice], seed: str) -> list[Choice]:
    """Choices in a shuffled order, the same for every learner (Open edX with rerandomize="never");
    ``fixed`` choices at the head or tail stay where they are."""
    head: list[Choice] = []
    middle: list[Choice] = []
    tail: list[Choice] = []
    for choice in choices:
        if choice.fixed and not middle and not tail:
            head.append(choice)
        elif choice.fixed:
            tail.append(choice)
        else:
            middle.append(choice)
    random.Random(seed).shuffle(middle)  # noqa: S311 (an order, not a secret)
    return head + middle + tail


def _merge(parts: list[Part]) -> Iterator[Part]:
    """Consecutive HTML parts joined into one."""
    pending: list[str] = []
    for part in parts:
        if part.response is None:
            pending.append(part.html)
            continue
        if pending:
            yield Part(html="".join(pending))
            pending = []
        yield part
    if pending:
        yield Part(html="".join(pending))


__all__ = [
    "ANNOTATION",
    "CHECKBOXES",
    "CHOICE_TEXT",
    "CUSTOM",
    "DROPDOWN",
    "FORMULA",
    "IMAGE",
    "MULTIPLE_CHOICE",
    "NUMERICAL",
    "TEXT",
    "Annotation",
    "AnnotationOption",
    "Choice",
    "FormulaAnswer",
    "Hint",
    "ImageAnswer",
    "Input",
    "JsInput",
    "NumberField",
    "NumericAnswer",
    "Option",
    "Part",
    "Problem",
    "ProblemError",
    "ProblemScript",
    "ProblemXmlError",
    "Response",
    "Segment",
    "TextAnswer",
    "TextChoice",
    "parse_options",
    "read_problem",
    "read_problem_tree",
]
