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

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from markupsafe import Markup
from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError
from xblock.fields import Boolean, DateTime, Dict, Float, Integer, List, Scope, String

from plugins.case_study import content
from plugins.case_study.answers import MAX_ANSWER, AnswersRefused, check_answers
from plugins.case_study.labels import FIGURE_KIND_CHOICES, FIGURE_KINDS, SECTIONS, SECTORS, SIZES
from plugins.case_study.rendering import render
from plugins.support.basics import TrainerGraded
from plugins.support.formats import format_moment, format_number
from plugins.support.fragments import editor_messages, sending_messages, view_fragment
from plugins.support.grading_input import grading_refusal, read_offset
from plugins.support.handlers import json_handler

# Submitted answers shown to a trainer at a time (each with its grading form); more on demand.
STAFF_PAGE = 20
# What the staff panel reads of every learner it follows: whether they submitted, and were graded.
PANEL_FIELDS = ("submitted", "staff_graded_at")


def _english(message: str) -> str:
    """Messages of course imports stay in English, as every other import problem."""
    return message


@XBlock.needs("sanitizer")
@XBlock.wants("replace_urls")
class CaseStudyBlock(TrainerGraded, XBlock):
    """A case study with reflection questions, graded by trainers."""

    dom_prefix = "case-study-"
    max_comment = MAX_ANSWER

    has_custom_completion = True

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
    # The trainer's feedback (staff_comment, staff_grade…), i18n and is_staff come with TrainerGraded.

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
        return view_fragment(
            self,
            html,
            css="case_study.css",
            js="case_study.js",
            init="CaseStudyBlock",
            arguments={
                "confirmSubmit": _("Submit your answers now? Once submitted, they can no longer be changed."),
                **sending_messages(_),
            },
        )

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
            works, page, paging = self._submitted_page(service, PANEL_FIELDS, offset, STAFF_PAGE)
        except PermissionError:
            return {**unavailable, "total": 0}
        return {
            "available": True,
            "submitted": [self.submission_context(work) for work in page],
            **paging,
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
        offset = read_offset(data, _("The page of answers asked for does not exist. Please reload the page."))
        panel = self.staff_panel(offset)
        if not panel["available"]:
            raise JsonHandlerError(501, _("Learners' answers cannot be shown on this site."))
        return {
            "html": "".join(self._render_part("_submission.html", work=work) for work in panel["submitted"]),
            "next": panel["next"],
            "remaining": panel["remaining"],
            "more": self._render_part("_more.html", staff=panel) if panel["next"] is not None else "",
        }

    def _grading_refused(self, error: Exception) -> JsonHandlerError:
        """The staff_grading service's refusal in the trainer's words; any other error is raised again."""
        return grading_refusal(
            error,
            self.i18n.gettext,
            own_work=self.i18n.gettext("You cannot grade your own answers."),
            bad_grade=self._bad_grade(),
        )

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
        return view_fragment(
            self,
            html,
            css="case_study.css",
            js="case_study_studio.js",
            init="CaseStudyStudio",
            arguments=editor_messages(_),
        )

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
