"""Problems written in Open edX problem XML ("capa"): multiple choice, checkboxes, drop-down lists,
numerical, formula and text answers, clicks on an image, choices with numbers, scripted questions (some
answered in the author's JavaScript page, in a sandboxed frame) and annotations, with hints, solutions,
attempts, a show-answer policy and a score.

The XML stays in the ``data`` field exactly as imported (``<problem>`` without its attributes, which are
settings or are kept in ``xml_attributes``), so that an export gives it back; it is read into a
:class:`~plugins.problem.model.Problem` each time it is shown or graded (cached per content). Problems
using what this platform does not run (``<script>``, custom responses…) keep their XML and show a notice;
nothing of theirs is ever executed.

Grades follow Open edX: each input is worth its points (1 unless ``points`` says otherwise), the problem's
maximum is ``weight`` when set, else the sum of those points; each submission publishes one ``grade``
event scaled to that maximum. Correct answers, solutions and feedback tied to correctness are never in the
page before the learner has submitted, or before the show-answer policy allows them.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from lxml import etree
from markupsafe import escape
from web_fragments.fragment import Fragment
from webob import Response
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError
from xblock.fields import Boolean, Dict, Float, Integer, Scope, String

from plugins.problem import jsinput, policy
from plugins.problem.cache import BoundedCache
from plugins.problem.grading import AnswerError, InputResult, clean_answers, grade
from plugins.problem.messages import Message
from plugins.problem.model import Problem, read_problem, read_problem_tree
from plugins.problem.safexml import parse_problem_xml
from plugins.problem.scripts import SEED_BINS, ScriptError
from plugins.problem.view import (
    Situation,
    Texts,
    problem_context,
    render_editor,
    render_hint,
    render_problem,
)

DEFAULT_DATA = "<problem></problem>"
#: ``<problem>`` attributes that are settings of the block; any other attribute is kept as it is.
SETTINGS = (
    "display_name",
    "max_attempts",
    "weight",
    "showanswer",
    "show_reset_button",
    "rerandomize",
    "attempts_before_showanswer_button",
)
MAX_ATTEMPTS_LIMIT = 1000
MAX_WEIGHT = 1000
MAX_DISPLAY_NAME = 255
#: The jQuery Open edX serves to authors' pages (a platform static file).
JQUERY = "vendor/jquery/jquery-2.2.4.min.js"


def _(message: str) -> str:
    """Marks a message id for extraction; it is translated where it is shown (``self._text``)."""
    return message


def json_handler(func: Callable[..., Any]) -> Callable[..., Any]:
    """Like ``XBlock.json_handler`` (POST only, JSON in and out, JsonHandlerError as ``{"error"}``), with
    the learner's language for its own messages."""

    @XBlock.handler
    @functools.wraps(func)
    def wrapper(self: ProblemBlock, request: Any, suffix: str = "") -> Response:
        if request.method != "POST":
            return JsonHandlerError(405, self._text(_("Only POST is accepted here."))).get_response(
                allow=["POST"]
            )
        try:
            data = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return JsonHandlerError(400, self._text(_("The request is not valid JSON."))).get_response()
        try:
            result = func(self, data, suffix)
        except JsonHandlerError as error:
            return error.get_response()
        return Response(json.dumps(result), content_type="application/json", charset="utf8")

    return wrapper


def _html_id(usage_id: Any) -> str:
    """The problem id inputs are named after (Open edX uses the block's HTML id)."""
    make = getattr(usage_id, "html_id", None)
    if callable(make):
        return str(make())
    return "".join(c if c.isascii() and c.isalnum() else "_" for c in str(usage_id))


_problems: BoundedCache[Problem] = BoundedCache(max_chars=8 * 1024 * 1024)


def _read(data: str, prefix: str, seed: int, anonymous_id: str) -> Problem:
    # A text always reads the same: once per process (and problem id) is enough; a scripted text once
    # per seed (and learner, for the rare script that reads their anonymous id).
    if "<script" in data or "python" in data:
        key = f"{prefix}\n{seed}\n{anonymous_id if 'anonymous_student_id' in data else ''}\n{data}"
    else:
        key = f"{prefix}\n{data}"
    return _problems.get(key, lambda: read_problem(data, prefix, seed, anonymous_id))


def _entry(result: InputResult) -> dict[str, Any]:
    """What the learner's state keeps of an input's verdict (a check function's messages too)."""
    entry: dict[str, Any] = {"correctness": result.correctness, "npoints": float(result.earned)}
    if result.message:
        entry["msg"] = result.message
    if result.overall_message:
        entry["overall_message"] = result.overall_message
    return entry


def _setting(name: str, value: str) -> Any:
    """A ``<problem>`` attribute as the value of its setting; ValueError naming the attribute if invalid."""
    text = value.strip()
    if name in ("max_attempts", "attempts_before_showanswer_button"):
        if text.lower() in ("", "null", "none"):
            return None
        if not (text.isascii() and text.isdigit()):
            raise ValueError(f'{name}="{value}" must be a whole number')
        return int(text)
    if name == "weight":
        if text.lower() in ("", "null", "none"):
            return None
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f'weight="{value}" must be a number') from None
        if not 0 <= number <= MAX_WEIGHT:
            raise ValueError(f"weight must be between 0 and {MAX_WEIGHT}")
        return number
    if name == "show_reset_button":
        return text.lower() == "true"
    return value


@XBlock.needs("i18n")
@XBlock.needs("sanitizer")
@XBlock.wants("replace_urls")
class ProblemBlock(XBlock):
    """A problem of one or more questions, graded on submission."""

    icon_class = "problem"

    display_name = String(scope=Scope.settings, default="Problème")
    data = String(scope=Scope.content, default=DEFAULT_DATA)
    max_attempts = Integer(scope=Scope.settings, default=None)
    weight = Float(scope=Scope.settings, default=None)
    showanswer = String(scope=Scope.settings, default=policy.DEFAULT_SHOWANSWER)
    show_reset_button = Boolean(scope=Scope.settings, default=False)
    rerandomize = String(scope=Scope.settings, default="never")
    attempts_before_showanswer_button = Integer(scope=Scope.settings, default=0)
    xml_attributes = Dict(scope=Scope.settings, default={})

    student_answers = Dict(scope=Scope.user_state, default={})
    correct_map = Dict(scope=Scope.user_state, default={})
    attempts = Integer(scope=Scope.user_state, default=0)
    score = Dict(scope=Scope.user_state, default={})
    done = Boolean(scope=Scope.user_state, default=False)
    #: Resets of a problem drawn again at each reset (rerandomize "always"/"onreset"): its seed follows.
    resets = Integer(scope=Scope.user_state, default=0)

    # OLX -------------------------------------------------------------------------------------------------

    @classmethod
    def parse_xml(cls, node: Any, runtime: Any, keys: Any) -> XBlock:
        """Read ``<problem …>``: settings from its attributes, its XML as ``data``.

        A problem that cannot be graded as written (an answer that is not a number, a regular expression
        that does not compile…) raises ValueError with the line at fault, and the import is refused.
        """
        block = runtime.construct_xblock_from_class(cls, keys)
        kept = {}
        for name, value in node.items():
            if name in ("url_name", "xblock-family"):
                continue
            if name in SETTINGS:
                setting = _setting(name, value)
                if setting is not None:
                    setattr(block, name, setting)
            else:
                kept[name] = value
        if kept:
            block.xml_attributes = kept
        # Read here, from the parsed file, so that problems are reported at the file's own lines.
        try:
            read_problem_tree(node, "check")
        except Message as error:
            raise ValueError(str(error)) from None
        content = copy.deepcopy(node)
        content.attrib.clear()
        content.tail = None
        content.tag = "problem"
        block.data = etree.tostring(content, encoding="unicode", with_tail=False)
        return block

    def add_xml_to_node(self, node: Any) -> None:
        """Write ``<problem …>`` with the settings as attributes and the stored XML inside, unchanged."""
        content = parse_problem_xml(self.data or DEFAULT_DATA)
        node.tag = "problem"
        for name, value in sorted(self.xml_attributes.items()):
            node.set(name, str(value))
        for name in SETTINGS:
            field = self.fields[name]
            if field.is_set_on(self) and getattr(self, name) is not None:
                node.set(name, field.to_string(getattr(self, name)))
        # An empty text stops the exporter's pretty-printing from adding whitespace inside the problem.
        node.text = content.text or ""
        for child in content:
            node.append(child)

    # Reading ---------------------------------------------------------------------------------------------

    @property
    def problem_id(self) -> str:
        """The id input ids are made of (``<problem id>_2_1`` for the first input)."""
        return _html_id(self.scope_ids.usage_id)

    @property
    def _seed(self) -> str:
        """Draws the sample points of formula questions: one per learner and problem, so that a learner
        checking again is graded at the same points and two learners at different ones."""
        return f"{self.scope_ids.usage_id}/{self.scope_ids.user_id}"

    @property
    def script_seed(self) -> int:
        """The seed a scripted problem's ``random`` draws from, as Open edX chooses it from
        ``rerandomize``: 1 for everybody with "never", one per learner with "per_student" (and "false"),
        a new one at each reset with "always", "onreset" (and "true"); below Open edX's 1000 bins."""
        mode = (self.rerandomize or "never").strip().lower()
        if mode in ("never", ""):
            return 1
        learner = str(self.scope_ids.user_id)
        if mode in ("per_student", "false"):
            basis = learner
        else:
            basis = f"{learner}/{self.scope_ids.usage_id}/{self.resets}"
        return int.from_bytes(hashlib.sha256(basis.encode()).digest()[:4], "big") % SEED_BINS

    @property
    def _anonymous_id(self) -> str:
        return str(getattr(self.runtime, "anonymous_student_id", "") or "")

    def problem(self) -> Problem:
        """The problem this block's XML describes, for this learner's seed; Message when it cannot be
        read (ScriptError when its script fails)."""
        return _read(self.data or DEFAULT_DATA, self.problem_id, self.script_seed, self._anonymous_id)

    def _problem_or_none(self) -> Problem | None:
        try:
            return self.problem()
        except Message:
            return None

    @property
    def has_score(self) -> bool:  # type: ignore[override]
        """Scored, unless learners cannot answer it here (then it is complete once seen)."""
        found = self._problem_or_none()
        return found is not None and found.gradable

    def max_score(self) -> float:
        """The points the problem is worth: its weight if set, else the points of its inputs."""
        found = self._problem_or_none()
        possible = found.max_points if found is not None else 0
        return float(self.weight) if self.weight is not None else float(possible)

    def _text(self, message: str) -> str:
        return self.runtime.service(self, "i18n").gettext(message)

    def _texts(self) -> Texts:
        i18n = self.runtime.service(self, "i18n")
        sanitizer = self.runtime.service(self, "sanitizer")
        replace = self.runtime.service(self, "replace_urls")
        return Texts(
            clean=sanitizer.clean_html,
            replace_urls=replace.replace_urls if replace is not None else (lambda text: text),
            gettext=i18n.gettext,
            ngettext=i18n.ngettext,
            language=str(getattr(i18n, "language", "") or "fr"),
            frame_url=lambda input_id: self.runtime.handler_url(self, "jsinput_frame", input_id),
        )

    def _standing(self) -> policy.Standing:
        score = self.score or {}
        possible = score.get("raw_possible")
        is_correct = bool(possible) and score.get("raw_earned") == possible
        return policy.Standing(
            attempts=self.attempts,
            max_attempts=self.max_attempts,
            done=self.done,
            is_correct=is_correct,
            showanswer=self.showanswer,
            attempts_before_showanswer=self.attempts_before_showanswer_button or 0,
            show_reset_button=self.show_reset_button,
            rerandomize=self.rerandomize,
            is_staff=bool(getattr(self.runtime, "user_is_staff", False)),
        )

    def _html(self, problem: Problem, *, show_answers: bool = False, just_submitted: bool = False) -> str:
        situation = Situation(
            answers=self.student_answers or {},
            correct_map=self.correct_map or {},
            score=self.score or None,
            standing=self._standing(),
            show_answers=show_answers,
            just_submitted=just_submitted,
        )
        context = problem_context(
            problem,
            situation,
            self._texts(),
            display_name=self.display_name,
            weight=self.weight,
            problem_id=self.problem_id,
        )
        return render_problem(context)

    # Views -----------------------------------------------------------------------------------------------

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The problem with the learner's saved answers and feedback; no correct answer in it."""
        try:
            html = self._html(self.problem())
        except ScriptError as error:
            notice = self._text(_("This problem cannot be shown: its script fails."))
            if getattr(self.runtime, "user_is_staff", False):
                notice = f"{notice} {error.translated(self._text)}"
            html = f'<div class="problem"><p class="problem-notice" role="note">{escape(notice)}</p></div>'
        except Message:
            notice = self._text(_("This problem cannot be shown: its XML has an error."))
            html = f'<div class="problem"><p class="problem-notice" role="note">{escape(notice)}</p></div>'
        fragment = Fragment(html)
        fragment.add_css_url(self.runtime.local_resource_url(self, "public/problem.css"))
        fragment.add_javascript_url(self.runtime.local_resource_url(self, "public/problem.js"))
        fragment.initialize_js("ProblemBlock", {})
        return fragment

    # Handlers --------------------------------------------------------------------------------------------

    def _gradable(self) -> Problem:
        try:
            problem = self.problem()
        except Message:
            problem = None
        if problem is None or not problem.gradable:
            raise JsonHandlerError(400, self._text(_("This problem cannot be answered here.")))
        return problem

    @XBlock.handler
    def jsinput_frame(self, request: Any, suffix: str = "") -> Response:
        """The sandboxed frame's document of the JavaScript input ``suffix`` (its id): the script that
        gets the author's page through the page around it, under a CSP of its own that sandboxes it
        (opaque origin) even when opened outside the frame (:mod:`plugins.problem.jsinput`)."""
        if request.method != "GET":
            return Response(status=405, headers={"Allow": "GET"})
        found = self._problem_or_none()
        question = found.inputs.get(suffix) if found is not None and found.gradable else None
        if question is None or question.jsinput is None:
            return Response(self._text(_("There is no such interactive exercise.")), status=404,
                            content_type="text/plain", charset="utf-8")  # fmt: skip
        i18n = self.runtime.service(self, "i18n")
        language = getattr(i18n, "get_javascript_locale", lambda: "fr")() or "fr"
        document = jsinput.frame_document(
            question.jsinput,
            title=question.jsinput.title or self.display_name,
            language=language,
            jquery_url=self.runtime.resource_url(JQUERY),
        )
        response = Response(document, content_type="text/html", charset="utf-8")
        response.headers["Content-Security-Policy"] = jsinput.frame_policy(request.host_url)
        response.headers["Cache-Control"] = "private, no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        return response

    @json_handler
    def submit(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Grade the answers (``{input id: answer}``), count the attempt, record and publish the grade."""
        problem = self._gradable()
        if not self._standing().can_submit:
            raise JsonHandlerError(409, self._text(_("You have used all your attempts at this problem.")))
        try:
            answers = clean_answers(problem, data, self._seed)
        except AnswerError as error:
            raise JsonHandlerError(400, error.translated(self._text)) from None
        try:
            result = grade(problem, answers, self._seed)
        except ScriptError as error:
            # As Open edX: a check that cannot run is reported, and the attempt is not counted.
            message = self._text(_("Your answer could not be checked: {error}")).format(
                error=error.translated(self._text)
            )
            raise JsonHandlerError(400, message) from None
        # Only now, with everything checked, is anything changed.
        self.student_answers = answers
        self.correct_map = {input_id: _entry(r) for input_id, r in result.results.items()}
        self.attempts += 1
        self.done = True
        self.score = {"raw_earned": float(result.earned), "raw_possible": result.possible}
        self._publish_grade(result.earned, result.possible)
        self.runtime.publish(
            self,
            "problem_check",
            {"problem_id": str(self.scope_ids.usage_id), "answers": answers, "attempts": self.attempts},
        )
        return {
            "html": self._html(problem, just_submitted=True),
            "correct": result.is_correct,
            "attempts": self.attempts,
            "max_attempts": self.max_attempts,
        }

    def _publish_grade(self, earned: Decimal, possible: int) -> None:
        maximum = Decimal(str(self.weight)) if self.weight is not None else Decimal(possible)
        if maximum <= 0 or possible <= 0:
            # Worth nothing: the learner has still done it.
            self.runtime.publish(self, "progress", {})
            return
        value = earned * maximum / Decimal(possible)
        self.runtime.publish(self, "grade", {"value": float(value), "max_value": float(maximum)})

    @json_handler
    def reset(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Clear the answers (when the problem offers it); the attempts already used stay counted."""
        problem = self._gradable()
        if not self._standing().can_reset:
            raise JsonHandlerError(403, self._text(_("This problem cannot be reset now.")))
        self.student_answers = {}
        self.correct_map = {}
        self.done = False
        if (self.rerandomize or "").strip().lower() in ("always", "onreset", "true"):
            self.resets += 1
            problem = self._gradable()  # drawn again: its points may differ
        self.score = {"raw_earned": 0.0, "raw_possible": problem.max_points}
        # As Open edX: the score of the cleared problem (nothing) is the learner's grade again.
        self._publish_grade(Decimal(0), problem.max_points)
        return {"html": self._html(problem)}

    @json_handler
    def show_answer(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """The correct answers and the solution, when the show-answer policy allows them."""
        problem = self._gradable()
        if not self._standing().answer_available:
            raise JsonHandlerError(403, self._text(_("The answer to this problem is not available yet.")))
        self.runtime.publish(self, "showanswer", {"problem_id": str(self.scope_ids.usage_id)})
        return {
            "html": self._html(problem, show_answers=True),
            "answers": {input_id: i.answer_display() for input_id, i in problem.inputs.items()},
        }

    @json_handler
    def hint(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Hint number ``index`` (from 0) of the problem's hints on demand."""
        problem = self._gradable()
        hints = problem.demand_hints
        index = data.get("index") if isinstance(data, dict) else None
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(hints):
            raise JsonHandlerError(400, self._text(_("There is no such hint.")))
        texts = self._texts()
        self.runtime.publish(
            self,
            "edx.problem.hint.demandhint_displayed",
            {"module_id": str(self.scope_ids.usage_id), "hint_index": index, "hint_len": len(hints)},
        )
        return {
            "index": index,
            "total": len(hints),
            "html": render_hint(index + 1, len(hints), texts.html(hints[index]), texts),
        }

    # Editor ----------------------------------------------------------------------------------------------

    def studio_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The editor: settings and the problem's XML, saved through ``studio_submit``."""
        texts = self._texts()
        warnings = []
        try:
            found = self.problem()
        except Message as error:
            warnings.append(error.translated(texts.gettext))
        else:
            warnings.extend(self._warnings(found))
        html = render_editor(
            {
                "prefix": self.problem_id,
                "display_name": self.display_name,
                "max_attempts": self.max_attempts,
                "weight": self.weight,
                "showanswer": self.showanswer,
                "showanswer_choices": self._showanswer_choices(),
                "show_reset_button": self.show_reset_button,
                "data": self.data,
                "warnings": warnings,
                "_": texts.gettext,
                "ngettext": texts.ngettext,
            }
        )
        fragment = Fragment(html)
        fragment.add_javascript_url(self.runtime.local_resource_url(self, "public/problem-editor.js"))
        fragment.initialize_js("ProblemBlockEditor", {})
        return fragment

    def _showanswer_choices(self) -> list[tuple[str, str]]:
        labels = {
            policy.FINISHED: _("When the learner is right or has no attempt left"),
            policy.ALWAYS: _("Always"),
            policy.ANSWERED: _("Once the learner is right"),
            policy.ATTEMPTED: _("After a first attempt"),
            policy.ATTEMPTED_NO_PAST_DUE: _("After a first attempt (same as above)"),
            policy.CLOSED: _("When the learner has no attempt left"),
            policy.CORRECT_OR_PAST_DUE: _("Once the learner is right (or past due)"),
            policy.PAST_DUE: _("After the due date (never, without due dates)"),
            policy.NEVER: _("Never"),
            policy.AFTER_SOME_NUMBER_OF_ATTEMPTS: _("After a number of attempts"),
            policy.AFTER_ALL_ATTEMPTS: _("After all attempts"),
            policy.AFTER_ALL_ATTEMPTS_OR_CORRECT: _("After all attempts, or once right"),
        }
        choices = [(value, self._text(labels[value])) for value in policy.SHOWANSWER_VALUES]
        if self.showanswer not in labels:
            choices.append((self.showanswer, self.showanswer))  # an imported value this editor does not know
        return choices

    def _warnings(self, problem: Problem) -> list[str]:
        texts = self._texts()
        found = [w.translated(texts.gettext) for w in problem.warnings]
        if problem.unsupported:
            found.append(
                texts.gettext(
                    "Learners will see a notice instead of this problem: it uses {parts}, which this "
                    "platform does not run. The XML is kept as it is."
                ).format(parts=", ".join(problem.unsupported))
            )
        elif not problem.inputs:
            found.append(texts.gettext("This problem has no question to answer."))
        return found

    @json_handler
    def studio_submit(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Check and save the editor's fields; 400 with the reason (and nothing changed) when invalid."""
        if not isinstance(data, dict):
            raise JsonHandlerError(400, self._text(_("The editor sent no fields.")))
        settings = self._edited_settings(data)
        xml = data.get("data")
        if not isinstance(xml, str) or not xml.strip():
            raise JsonHandlerError(400, self._text(_("The problem XML is empty.")))
        try:
            root = parse_problem_xml(xml)
            problem = read_problem_tree(root, self.problem_id)
        except Message as error:
            message = self._text(_("The problem XML cannot be saved: {reason}"))
            raise JsonHandlerError(400, message.format(reason=error.translated(self._text))) from None
        clashing = sorted(name for name in root.attrib if name in SETTINGS)
        if clashing:
            message = self._text(
                _("Set {names} with the fields of this form, not as attributes of <problem>.")
            )
            raise JsonHandlerError(400, message.format(names=", ".join(clashing)))
        kept = {**self.xml_attributes, **dict(root.attrib)}
        root.attrib.clear()
        # Everything is valid: now the fields change.
        for name, value in settings.items():
            if value is None:
                delattr(self, name)
            else:
                setattr(self, name, value)
        self.xml_attributes = kept
        self.data = etree.tostring(root, encoding="unicode")
        return {"result": "success", "warnings": self._warnings(problem)}

    def _edited_settings(self, data: dict[str, Any]) -> dict[str, Any]:
        """The settings of the editor's fields, checked (JsonHandlerError 400 on the first bad one)."""

        def refuse(message: str, **params: Any) -> JsonHandlerError:
            return JsonHandlerError(400, self._text(message).format(**params))

        name = data.get("display_name", "")
        if not isinstance(name, str) or len(name.strip()) > MAX_DISPLAY_NAME:
            raise refuse(
                _("The display name must be text of at most {limit} characters."), limit=MAX_DISPLAY_NAME
            )
        attempts = _optional_number(data.get("max_attempts"))
        if attempts is False or (
            attempts is not None and (attempts != int(attempts) or not 1 <= attempts <= MAX_ATTEMPTS_LIMIT)
        ):
            raise refuse(
                _("Maximum attempts must be a whole number from 1 to {limit}, or empty."),
                limit=MAX_ATTEMPTS_LIMIT,
            )
        weight = _optional_number(data.get("weight"))
        if weight is False or (weight is not None and not 0 <= weight <= MAX_WEIGHT):
            raise refuse(_("The weight must be a number from 0 to {limit}, or empty."), limit=MAX_WEIGHT)
        showanswer = data.get("showanswer", self.showanswer)
        if showanswer not in policy.SHOWANSWER_VALUES and showanswer != self.showanswer:
            raise refuse(_("Choose when to show the answer from the list."))
        reset = data.get("show_reset_button", self.show_reset_button)
        if not isinstance(reset, bool):
            raise refuse(_("The Reset button setting must be on or off."))
        return {
            "display_name": name.strip() or None,
            "max_attempts": int(attempts) if attempts is not None else None,
            "weight": float(weight) if weight is not None else None,
            "showanswer": showanswer,
            "show_reset_button": reset,
        }


def _optional_number(value: Any) -> float | bool | None:
    """A number from a form field (number or text), None when empty, False when it is not a number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            return False
    else:
        return False
    return number if math.isfinite(number) else False
