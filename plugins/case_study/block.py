"""A case study (``case_study``): a small business's real or fictional ICT project, told in sections and
figures, with reflection questions that learners answer and trainers grade.

The case (company profile, situation, solution, implementation, costs and results, lessons, images,
questions) is content read from OLX (see :mod:`plugins.case_study.content`) or saved by the editor; its
HTML is cleaned by the platform's ``sanitizer`` service whenever it is stored. Each learner's answers are
their own ``user_state``: drafts may be saved until they submit, and submitting is final and completes the
block (``has_custom_completion``). The block is scored (``has_score``, out of ``weight``): the grade comes
later, from a trainer.

Course staff (the ``user`` service's ``edx-platform.user_is_staff``) also see, under the case, the answers
of the learners they follow, and comment and grade them; the platform's ``staff_grading`` service lists
those learners and records the grade for the learner.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from markupsafe import Markup
from web_fragments.fragment import Fragment
from webob import Response
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError
from xblock.fields import Boolean, DateTime, Dict, Float, Integer, List, Scope, String

from plugins.case_study import content
from plugins.case_study.answers import MAX_ANSWER, AnswersRefused, check_answers, normalise
from plugins.case_study.labels import FIGURE_KIND_CHOICES, FIGURE_KINDS, SECTIONS, SECTORS, SIZES
from plugins.case_study.rendering import format_moment, format_number, render

Handler = Callable[[Any, Any, str], Any]

# Submitted answers shown to a trainer at a time (each with its grading form); more on demand.
STAFF_PAGE = 20
# What the staff panel reads of every learner it follows: whether they submitted, and were graded.
PANEL_FIELDS = ("submitted", "staff_graded_at")
MAX_STAFF_OFFSET = 1_000_000


def _english(message: str) -> str:
    """Messages of course imports stay in English, as every other import problem."""
    return message


def json_handler(method: Callable[[Any, Any, str], Any]) -> Handler:
    """As ``XBlock.json_handler`` (POST, a JSON body, JsonHandlerError for 4xx answers), with the
    refusals of a malformed request worded in the learner's language."""

    @XBlock.handler
    @functools.wraps(method)
    def wrapper(self: CaseStudyBlock, request: Any, suffix: str = "") -> Response:
        _ = self.i18n.gettext
        if request.method != "POST":
            error = JsonHandlerError(405, _("This address answers only POST requests."))
            return error.get_response(allow=["POST"])
        try:
            data = json.loads(request.body.decode("utf-8"))
        except ValueError:
            return JsonHandlerError(
                400, _("The request could not be read (it is not valid JSON).")
            ).get_response()
        try:
            result = method(self, data, suffix)
        except JsonHandlerError as error:
            return error.get_response()
        return Response(json.dumps(result), content_type="application/json", charset="utf8")

    return wrapper


@XBlock.needs("i18n", "user", "sanitizer")
@XBlock.wants("replace_urls", "staff_grading")
class CaseStudyBlock(XBlock):
    """A case study with reflection questions, graded by trainers."""

    has_score = True
    has_custom_completion = True
    icon_class = "problem"

    display_name = String(scope=Scope.settings, default="Étude de cas")
    weight = Float(scope=Scope.settings, default=1.0, help="The most a learner can score.")

    company_name = String(scope=Scope.content, default="")
    sector = String(scope=Scope.content, default="")
    size = String(scope=Scope.content, default="")
    headcount = Integer(scope=Scope.content, default=None)
    departement = String(scope=Scope.content, default="")
    profile = String(scope=Scope.content, default="")
    situation = String(scope=Scope.content, default="")
    solution = String(scope=Scope.content, default="")
    implementation = String(scope=Scope.content, default="")
    lessons = String(scope=Scope.content, default="")
    figures = List(scope=Scope.content, default=[], help="[{label, value, kind: cost|result}]")
    images = List(scope=Scope.content, default=[], help="[{src, alt, caption}]")
    questions = List(scope=Scope.content, default=[], help="[{id, text}]")

    answers = Dict(scope=Scope.user_state, default={}, help="question id -> the learner's answer")
    draft_saved_at = DateTime(scope=Scope.user_state, default=None)
    submitted = Boolean(scope=Scope.user_state, default=False)
    submitted_at = DateTime(scope=Scope.user_state, default=None)
    # Written by the platform's staff_grading service, for the learner, when a trainer grades.
    staff_comment = String(scope=Scope.user_state, default="")
    staff_grade = Float(scope=Scope.user_state, default=None)
    staff_graded_at = DateTime(scope=Scope.user_state, default=None)
    staff_grader = String(scope=Scope.user_state, default="")

    # Services -----------------------------------------------------------------------------------------------

    @property
    def i18n(self) -> Any:
        """The i18n service (the block's own French catalogue)."""
        return self.runtime.service(self, "i18n")

    def is_staff(self) -> bool:
        """Whether the person looking is course staff (trainers and administrators)."""
        user = self.runtime.service(self, "user").get_current_user()
        return bool(user.opt_attrs.get("edx-platform.user_is_staff"))

    def max_score(self) -> float:
        """The most a learner can score: the weight."""
        return self.weight

    # OLX ----------------------------------------------------------------------------------------------------

    @classmethod
    def parse_xml(cls, node: Any, runtime: Any, keys: Any) -> XBlock:
        """Read the agreed ``<case_study>`` OLX; a case that breaks the format is refused (ValueError)."""
        block = runtime.construct_xblock_from_class(cls, keys)
        clean = runtime.service(block, "sanitizer").clean_html
        try:
            values = content.check_case(content.read_olx(node), clean, _english)
        except content.CaseContentError as error:
            raise ValueError(" ".join(error.messages)) from None
        block.apply(values)
        return block

    def add_xml_to_node(self, node: Any) -> None:
        """Write the case back in the same OLX (settings only where they were set)."""
        values = {name: getattr(self, name) for name in content.CONTENT_FIELDS}
        values.update(
            (name, getattr(self, name))
            for name in content.SETTINGS_FIELDS
            if self.fields[name].is_set_on(self)
        )
        content.write_olx(node, values)

    def apply(self, values: Mapping[str, Any]) -> None:
        """Set checked values; an empty title goes back to the default one."""
        for name, value in values.items():
            if name == "display_name" and not value:
                del self.display_name
            else:
                setattr(self, name, value)

    # Views --------------------------------------------------------------------------------------------------

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The case, the learner's answers (form or submitted), and for course staff their learners' work."""
        i18n = self.i18n
        _ = i18n.gettext
        staff = self.staff_panel() if self.is_staff() else None
        html = render(
            "student.html",
            i18n,
            dom_id=self.dom_id,
            case=self.case_context(),
            learner=self.learner_context(),
            staff=staff,
            questions=self.questions,
            weight=self.weight,
            max_answer=MAX_ANSWER,
        )
        fragment = Fragment(html)
        fragment.add_css_url(self.runtime.local_resource_url(self, "public/case_study.css"))
        fragment.add_javascript_url(self.runtime.local_resource_url(self, "public/case_study.js"))
        fragment.initialize_js(
            "CaseStudyBlock",
            {
                "confirmSubmit": _("Submit your answers now? Once submitted, they can no longer be changed."),
                "working": _("Sending…"),
                "failed": _("The server could not be reached. Your text is still here: please try again."),
            },
        )
        return fragment

    @property
    def dom_id(self) -> str:
        """A prefix for element ids, unique to this block on a page."""
        digest = hashlib.sha256(str(self.scope_ids.usage_id).encode()).hexdigest()[:12]
        return f"case-study-{digest}"

    def _rewrite(self, html: str) -> str:
        replace = self.runtime.service(self, "replace_urls")
        return replace.replace_urls(html) if replace is not None and html else html

    def _image_src(self, src: str) -> str:
        replace = self.runtime.service(self, "replace_urls")
        if replace is None or not src.startswith("/static/"):
            return src
        # The service rewrites links in HTML: give it the address as a quoted attribute value.
        return replace.replace_urls(f'"{src}"')[1:-1]

    def case_context(self) -> dict[str, Any]:
        """What the case's template shows (codes turned into the learner's words, HTML made safe)."""
        _ = self.i18n.gettext
        size = SIZES.get(self.size)
        # Section HTML was cleaned by the sanitiser when it was stored: it is shown as it is.
        sections = {name: Markup(self._rewrite(getattr(self, name))) for name in SECTIONS}  # noqa: S704
        return {
            "title": self.display_name,
            "company_name": self.company_name,
            "sector": _(SECTORS[self.sector]) if self.sector in SECTORS else "",
            "size": _(size[0]) if size else "",
            "headcount": self.headcount,
            "departement": self.departement,
            "sections": [(name, _(heading), sections[name]) for name, heading in SECTIONS.items()],
            "has_figures": bool(self.figures),
            "figures": [
                (_(heading), [f for f in self.figures if f.get("kind") == kind])
                for kind, heading in FIGURE_KINDS.items()
            ],
            "images": [
                {
                    "src": self._image_src(image["src"]),
                    "alt": image["alt"],
                    "caption": image.get("caption", ""),
                }
                for image in self.images
            ],
        }

    def learner_context(self) -> dict[str, Any]:
        """The learner's own answers and feedback."""
        return {
            "signed_in": self.scope_ids.user_id is not None,
            "answers": self.answers,
            "submitted": self.submitted,
            "submitted_at": self.submitted_at,
            "draft_saved_at": self.draft_saved_at,
            "comment": self.staff_comment,
            "grade": self.staff_grade,
            "graded_at": self.staff_graded_at,
            "grader": self.staff_grader,
        }

    def _stored(self, state: Mapping[str, Any], name: str) -> Any:
        """A field's value from a learner's stored state (JSON), or its default."""
        field = self.fields[name]
        return field.from_json(state[name]) if name in state else field.default

    def submission_context(self, work: Any) -> dict[str, Any]:
        """One learner's work as the staff panel shows it (from the staff_grading service)."""
        state = work.state
        return {
            "user_id": work.user_id,
            "name": work.name,
            "companies": ", ".join(work.companies),
            **{
                key: self._stored(state, name)
                for key, name in (
                    ("answers", "answers"),
                    ("submitted", "submitted"),
                    ("submitted_at", "submitted_at"),
                    ("comment", "staff_comment"),
                    ("grade", "staff_grade"),
                    ("graded_at", "staff_graded_at"),
                    ("grader", "staff_grader"),
                )
            },
        }

    def staff_panel(self, offset: int = 0) -> dict[str, Any]:
        """The learners the trainer follows: a page of those who submitted (those still to grade first),
        how many submitted in all and where the next page starts (None after the last), and those still
        working. Only the page's answers are read: a trainer may follow hundreds of learners."""
        unavailable = {"available": False, "submitted": [], "submitted_count": 0, "next": None, "waiting": []}
        service = self.runtime.service(self, "staff_grading")
        if service is None:
            return {**unavailable, "total": 0}
        try:
            works = service.submissions(self, fields=PANEL_FIELDS)
            submitted = sorted(
                (w for w in works if self._stored(w.state, "submitted")),
                key=lambda w: self._stored(w.state, "staff_graded_at") is not None,
            )
            end = offset + STAFF_PAGE
            page = service.complete(self, submitted[offset:end])
        except PermissionError:
            return {**unavailable, "total": 0}
        return {
            "available": True,
            "submitted": [self.submission_context(work) for work in page],
            "submitted_count": len(submitted),
            "next": end if end < len(submitted) else None,
            "remaining": max(0, len(submitted) - end),
            "waiting": [
                {"name": w.name, "companies": ", ".join(w.companies)}
                for w in works
                if not self._stored(w.state, "submitted")
            ],
            "total": len(works),
        }

    def _render_part(self, template: str, **context: Any) -> str:
        return render(
            template,
            self.i18n,
            dom_id=self.dom_id,
            questions=self.questions,
            weight=self.weight,
            max_answer=MAX_ANSWER,
            **context,
        )

    # Learner handlers -----------------------------------------------------------------------------------

    def _refuse_when_submitted(self) -> None:
        if self.submitted:
            message = self.i18n.gettext(
                "Your answers were submitted on %(when)s: they can no longer be changed."
            ) % {"when": format_moment(self.i18n, self.submitted_at)}
            raise JsonHandlerError(409, message)

    def _checked_answers(self, data: Any, *, complete: bool) -> dict[str, str]:
        try:
            return check_answers(data, self.questions, complete=complete, _=self.i18n.gettext)
        except AnswersRefused as error:
            raise JsonHandlerError(400, str(error)) from None

    @json_handler
    def save_draft(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Keep a draft of the learner's answers (until they submit)."""
        self._refuse_when_submitted()
        answers = self._checked_answers(data, complete=False)
        known = {question["id"] for question in self.questions}
        self.answers = {key: value for key, value in {**self.answers, **answers}.items() if key in known}
        self.draft_saved_at = datetime.now(UTC)
        message = self.i18n.gettext("Draft saved on %(when)s.") % {
            "when": format_moment(self.i18n, self.draft_saved_at)
        }
        return {"result": "success", "message": message}

    @json_handler
    def submit(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Submit the answers for good (every question answered): the block is complete."""
        self._refuse_when_submitted()
        self.answers = self._checked_answers(data, complete=True)
        self.submitted = True
        self.submitted_at = datetime.now(UTC)
        self.runtime.publish(self, "completion", {"completion": 1.0})
        return {
            "result": "success",
            "html": self._render_part("_answers.html", learner=self.learner_context()),
        }

    # Trainer handlers -----------------------------------------------------------------------------------

    def _staff_only(self) -> None:
        if not self.is_staff():
            raise JsonHandlerError(403, self.i18n.gettext("Only the course's trainers may do this."))

    @json_handler
    def grade_learner(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Comment and grade one learner's submitted answers (course staff, for learners they follow)."""
        _ = self.i18n.gettext
        self._staff_only()
        service = self.runtime.service(self, "staff_grading")
        if service is None:
            raise JsonHandlerError(501, _("Grading is not available on this site."))
        learner_id, comment, grade = self._grading_input(data)
        try:
            work = service.submission(self, learner_id)
            if not self._stored(work.state, "submitted"):
                raise JsonHandlerError(409, _("This learner has not submitted their answers yet."))
            work = service.set_feedback(self, learner_id, comment, grade)
        except (PermissionError, LookupError, ValueError) as error:
            raise self._grading_refused(error) from None
        return {
            "result": "success",
            "html": self._render_part("_submission.html", work=self.submission_context(work)),
        }

    @json_handler
    def staff_works(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """The next page of submitted answers (course staff): their HTML, and where the page after starts."""
        _ = self.i18n.gettext
        self._staff_only()
        offset = data.get("offset") if isinstance(data, dict) else None
        if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= MAX_STAFF_OFFSET:
            raise JsonHandlerError(
                400, _("The page of answers asked for does not exist. Please reload the page.")
            )
        panel = self.staff_panel(offset)
        if not panel["available"]:
            raise JsonHandlerError(501, _("Learners' answers cannot be shown on this site."))
        return {
            "html": "".join(self._render_part("_submission.html", work=work) for work in panel["submitted"]),
            "next": panel["next"],
            "remaining": panel["remaining"],
            "more": self._render_part("_more.html", staff=panel) if panel["next"] is not None else "",
        }

    def _grading_input(self, data: Any) -> tuple[int, str, float]:
        _ = self.i18n.gettext
        if not isinstance(data, dict):
            raise JsonHandlerError(
                400, _("The grade was not sent in the expected form. Please reload the page.")
            )
        learner_id = data.get("learner_id")
        if isinstance(learner_id, str) and learner_id.isdigit():
            learner_id = int(learner_id)
        if isinstance(learner_id, bool) or not isinstance(learner_id, int) or learner_id <= 0:
            raise JsonHandlerError(400, _("Say which learner to grade."))
        comment = data.get("comment", "")
        if not isinstance(comment, str):
            raise JsonHandlerError(400, _("The comment must be text."))
        comment = normalise(comment).strip()
        if len(comment) > MAX_ANSWER:
            raise JsonHandlerError(
                400,
                _("The comment is %(length)d characters long; the limit is %(max)d.")
                % {"length": len(comment), "max": MAX_ANSWER},
            )
        grade = _number(data.get("grade"))
        if grade is None or not 0 <= grade <= self.weight:
            raise JsonHandlerError(
                400,
                _("The grade must be a number from 0 to %(max)s.")
                % {"max": format_number(self.i18n, self.weight)},
            )
        return learner_id, comment, grade

    def _grading_refused(self, error: Exception) -> JsonHandlerError:
        """The staff_grading service's refusal (named by its ``code``) in the trainer's words; any other
        error is raised again."""
        _ = self.i18n.gettext
        refusals = {
            "not_staff": (403, _("Only the course's trainers may do this.")),
            "out_of_scope": (403, _("This learner is not one of the learners you follow.")),
            "not_enrolled": (404, _("This learner is not enrolled in this course.")),
            "own_work": (403, _("You cannot grade your own answers.")),
            "bad_grade": (
                400,
                _("The grade must be a number from 0 to %(max)s.")
                % {"max": format_number(self.i18n, self.weight)},
            ),
        }
        code = getattr(error, "code", None)
        if code not in refusals:
            raise error
        status, message = refusals[code]
        return JsonHandlerError(status, message)

    # Editor -----------------------------------------------------------------------------------------------

    def studio_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The editor: every field of the case, questions, figures and images as rows."""
        i18n = self.i18n
        _ = i18n.gettext
        html = render(
            "studio.html",
            i18n,
            dom_id=self.dom_id,
            block=self,
            sectors=[(code, _(label)) for code, label in SECTORS.items()],
            sizes=[(code, _(label)) for code, (label, _low, _high) in SIZES.items()],
            sections=[(name, _(heading), getattr(self, name)) for name, heading in SECTIONS.items()],
            kinds=[(code, _(label)) for code, label in FIGURE_KIND_CHOICES.items()],
            weight=format_number(None, self.weight),
            limits=content,
        )
        fragment = Fragment(html)
        fragment.add_css_url(self.runtime.local_resource_url(self, "public/case_study.css"))
        fragment.add_javascript_url(self.runtime.local_resource_url(self, "public/case_study_studio.js"))
        fragment.initialize_js(
            "CaseStudyStudio",
            {
                "saved": _("Saved."),
                "working": _("Saving…"),
                "failed": _("The server could not be reached. Nothing was saved: please try again."),
            },
        )
        return fragment

    @json_handler
    def studio_submit(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Check and save the editor's form; nothing changes unless all of it is right."""
        _ = self.i18n.gettext
        self._staff_only()
        if not isinstance(data, dict):
            raise JsonHandlerError(400, _("The case study was not sent in the expected form."))
        raw = {
            name: data.get(name)
            for name in (*content.ATTRIBUTES, *SECTIONS, "figures", "images", "questions")
        }
        clean = self.runtime.service(self, "sanitizer").clean_html
        try:
            values = content.check_case(raw, clean, _)
        except content.CaseContentError as error:
            raise JsonHandlerError(400, "\n".join(error.messages)) from None
        self.apply(values)
        return {"result": "success"}


def _number(value: Any) -> float | None:
    """A number sent as a JSON number or as text (decimal point or comma), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", "."))
        except ValueError:
            return None
    if not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)
