"""Open edX's Open Response Assessment (``openassessment``), read from its own OLX and run here.

The ``<openassessment>`` element is kept as imported, so that export gives it back unchanged; what the
block runs (title, prompts, rubric, steps, dates) is read from it once, at import, by
:mod:`plugins.openassessment.olx` (an incomplete or inconsistent rubric raises ValueError: the import keeps
the component as a placeholder with the reason).

A learner writes one text per prompt (drafts until they submit, once, between ``submission_start`` and
``submission_due``), then takes the steps in the order the OLX gives them:

- ``peer-assessment``: assesses ``must_grade`` responses of other learners of their cohort in the course,
  handed out one at a time by the platform's ``peer_review`` service (the oldest responses with the fewest
  assessments first, as ORA does), and receives ``must_be_graded_by`` assessments; the peer score is the
  median per criterion;
- ``self-assessment``: chooses an option per criterion for their own response;
- ``staff-assessment``: a trainer who follows the learner grades the response with the rubric through the
  ``staff_grading`` service; a staff grade overrides the peer and self scores, as on Open edX.

The score (points earned out of the rubric's points possible) is published as a ``grade`` event once the
last required step is done; submitting completes the block. The learner's response and self-assessment
are their ``user_state``; responses given to peers and their assessments are the ``peer_review`` service's.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from lxml import etree
from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError
from xblock.fields import Boolean, DateTime, Dict, List, Scope, String

from plugins.openassessment import olx, scores
from plugins.openassessment.rendering import render
from plugins.openassessment.responses import MAX_RESPONSE, ResponseRefused, check_responses
from plugins.openassessment.rubric import MAX_FEEDBACK, AssessmentRefused, check_assessment, points
from plugins.support.basics import TrainerGraded
from plugins.support.formats import format_moment
from plugins.support.fragments import sending_messages, view_fragment
from plugins.support.grading_input import grading_refusal, read_offset
from plugins.support.handlers import json_handler
from plugins.support.kept_olx import kept_element, write_back

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_BLANKLESS = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=True)
#: What the staff panel reads of every learner it follows.
PANEL_FIELDS = ("submitted", "submitted_at", "staff_graded_at")
# Submitted responses shown to a trainer at a time (each with its grading form); more on demand.
STAFF_PAGE = 20
# The largest id a row may have (PostgreSQL's integer): a larger one sent is refused, not looked up.
MAX_ROW_ID = 2**31 - 1


def _row_id(value: Any) -> bool:
    """Whether ``value`` (from a request body) can be the id of a row: a whole number in range."""
    return not isinstance(value, bool) and isinstance(value, int) and 0 < value <= MAX_ROW_ID


@XBlock.needs("sanitizer")
@XBlock.wants("peer_review")
class OpenAssessmentBlock(TrainerGraded, XBlock):
    """An open response assessed by the learner, by peers and by trainers against a rubric."""

    dom_prefix = "ora-"

    has_custom_completion = True

    display_name = String(scope=Scope.settings, default="Open Response Assessment")
    # The whole <openassessment> element as imported (without its url_name), as in Open edX.
    data = String(scope=Scope.content, default="<openassessment/>")
    definition = Dict(scope=Scope.content, default={}, help="What olx.read_definition read from data.")

    responses = List(scope=Scope.user_state, default=[], help="The learner's text for each prompt.")
    draft_saved_at = DateTime(scope=Scope.user_state, default=None)
    submitted = Boolean(scope=Scope.user_state, default=False)
    submitted_at = DateTime(scope=Scope.user_state, default=None)
    self_assessment = Dict(scope=Scope.user_state, default={}, help="choices, criterion_feedback, feedback")
    self_assessed_at = DateTime(scope=Scope.user_state, default=None)
    # The trainer's feedback (staff_comment, staff_grade…), i18n and is_staff come with TrainerGraded.
    # The trainer's options and comments (given to staff_grading with the grade, written alike).
    staff_assessment = Dict(scope=Scope.user_state, default={}, help="choices, criterion_feedback, feedback")

    # Services and basics ------------------------------------------------------------------------------------

    def max_score(self) -> float:
        """The rubric's points possible (ORA's score is points earned out of them)."""
        return float(olx.points_possible(self.definition)) if self.definition else 0.0

    @property
    def steps(self) -> list[dict[str, Any]]:
        """The steps the block runs, in the OLX's order."""
        return list(self.definition.get("steps", []))

    def step(self, name: str) -> dict[str, Any] | None:
        """The step called ``name`` (``peer-assessment``…), or None when the assessment has none."""
        return next((step for step in self.steps if step["name"] == name), None)

    # OLX ----------------------------------------------------------------------------------------------------

    @classmethod
    def parse_xml(cls, node: Any, runtime: Any, keys: Any) -> XBlock:
        """Read the definition (ValueError with every problem) and keep the element as it is."""
        try:
            olx.read_definition(node)  # read as written first: the problems name the lines of the file
        except olx.DefinitionError as error:
            raise ValueError(str(error)) from None
        kept = kept_element(node)
        # Indentation between elements is dropped (export indents again), so that a course exported and
        # imported again stores the same element and definition.
        kept = etree.fromstring(etree.tostring(kept), _BLANKLESS)
        definition = olx.read_definition(kept)
        block = runtime.construct_xblock_from_class(cls, keys)
        if node.get("display_name") is not None:
            block.display_name = node.get("display_name")
        elif definition["title"]:
            block.display_name = definition["title"]
        block.data = etree.tostring(kept, encoding="unicode")
        block.definition = definition
        return block

    def add_xml_to_node(self, node: Any) -> None:
        """Write the element back as it was imported."""
        write_back(node, etree.fromstring(self.data.encode(), _PARSER), "openassessment")

    # Dates --------------------------------------------------------------------------------------------------

    def _window(self, start: str | None, due: str | None) -> str | None:
        """Why now is outside [start, due] (the learner's words), or None when it is inside."""
        _ = self.i18n.gettext
        now = datetime.now(UTC)
        opens, closes = olx.parse_date(start), olx.parse_date(due)
        if opens is not None and now < opens:
            return _("This step opens on %(when)s.") % {"when": format_moment(self.i18n, opens)}
        if closes is not None and now > closes:
            return _("This step closed on %(when)s.") % {"when": format_moment(self.i18n, closes)}
        return None

    # Scores -------------------------------------------------------------------------------------------------

    def final_score(self, *, self_choices: Any, staff_grade: Any, done: int, received: Any) -> float | None:
        """The points a learner earns once every required step is done (see :func:`scores.final_score`)."""
        return scores.final_score(
            self.definition, self_choices=self_choices, staff_grade=staff_grade, done=done, received=received
        )

    def _publish_own_score(self) -> None:
        """Publish the current learner's score if their last required step is now done."""
        status = self._peer_status()
        earned = self.final_score(
            self_choices=self.self_assessment.get("choices") if self.self_assessment else None,
            staff_grade=self.staff_grade,
            done=status["done"],
            received=status["received"],
        )
        if earned is not None and self.max_score() > 0:
            self.runtime.publish(self, "grade", {"value": earned, "max_value": self.max_score()})

    def _peer_status(self) -> dict[str, Any]:
        service = self.runtime.service(self, "peer_review")
        if self.step("peer-assessment") is None or service is None or not self.submitted:
            return {"done": 0, "received": [], "open": None}
        return service.status(self)

    # Views --------------------------------------------------------------------------------------------------

    def _context(self) -> dict[str, Any]:
        """What every template of the block is given."""
        prompts_html = self.definition.get("prompts_type") == "html"
        return {
            "dom_id": self.dom_id,
            "definition": self.definition,
            "prompts_html": prompts_html,
            "max_response": MAX_RESPONSE,
            "max_feedback": MAX_FEEDBACK,
            "possible": olx.points_possible(self.definition) if self.definition else 0,
        }

    def _render(self, template: str, **context: Any) -> str:
        return render(
            template, self.i18n, self.runtime.service(self, "sanitizer"), **self._context(), **context
        )

    def learner_context(self) -> dict[str, Any]:
        """The learner's response, their steps and where they stand in each."""
        status = self._peer_status()
        peer = self.step("peer-assessment")
        staff = self.step("staff-assessment")
        earned = self.staff_grade
        if earned is None:
            earned = self.final_score(
                self_choices=self.self_assessment.get("choices") if self.self_assessment else None,
                staff_grade=None,
                done=status["done"],
                received=status["received"],
            )
        return {
            "signed_in": self.scope_ids.user_id is not None,
            "responses": self.responses or [""] * len(self.definition.get("prompts", [""])),
            "submitted": self.submitted,
            "submitted_at": self.submitted_at,
            "draft_saved_at": self.draft_saved_at,
            "closed": self._window(
                self.definition.get("submission_start"), self.definition.get("submission_due")
            ),
            "self": self.self_assessment,
            "self_assessed_at": self.self_assessed_at,
            "peer": peer,
            "peer_done": status["done"],
            "peer_received": len(status["received"]),
            "peer_open": status["open"],
            "staff": staff,
            "staff_grade": self.staff_grade,
            "staff_comment": self.staff_comment,
            "staff_grader": self.staff_grader,
            "staff_graded_at": self.staff_graded_at,
            "earned": earned,
            "next_step": self._next_step(status),
            "results": scores.results(
                self.definition,
                staff=self.staff_assessment or {},
                own=self.self_assessment or {},
                received=status["received"],
            ),
        }

    def _next_step(self, status: Mapping[str, Any]) -> str | None:
        """The learner's step to take now (``peer-assessment`` or ``self-assessment``), or None."""
        if not self.submitted:
            return None
        for step in self.steps:
            if step["name"] == "peer-assessment" and status["done"] < step["must_grade"]:
                return "peer-assessment"
            if step["name"] == "self-assessment" and not self.self_assessment:
                return "self-assessment"
        return None

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The prompts, the learner's response (form or submitted), their steps, and for course staff the
        responses of the learners they follow."""
        _ = self.i18n.gettext
        staff = self.staff_panel() if self.is_staff() else None
        html = self._render(
            "student.html", title=self.display_name, learner=self.learner_context(), staff_panel=staff
        )
        return view_fragment(
            self,
            html,
            css="openassessment.css",
            js="openassessment.js",
            init="OpenAssessmentBlock",
            arguments={
                "confirmSubmit": _("Submit your response now? Once submitted, it can no longer be changed."),
                **sending_messages(_),
            },
        )

    def staff_panel(self, offset: int = 0) -> dict[str, Any]:
        """The learners the trainer follows who submitted: a page of them (those still to grade first), how
        many submitted in all and where the next page starts (None after the last). Only the page's
        responses are read: a trainer may follow hundreds of learners."""
        unavailable = {"available": False, "works": [], "submitted_count": 0, "total": 0, "next": None}
        service = self.runtime.service(self, "staff_grading")
        if service is None or self.step("staff-assessment") is None:
            return unavailable
        try:
            works, page, paging = self._submitted_page(service, PANEL_FIELDS, offset, STAFF_PAGE)
        except PermissionError:
            return unavailable
        return {
            "available": True,
            "works": [self._work_context(work) for work in page],
            "total": len(works),
            **paging,
        }

    def _work_context(self, work: Any) -> dict[str, Any]:
        state = work.state
        return {
            "user_id": work.user_id,
            "name": work.name,
            "companies": ", ".join(work.companies),
            "responses": self._stored(state, "responses"),
            "submitted_at": self._stored(state, "submitted_at"),
            "comment": self._stored(state, "staff_comment"),
            "grade": self._stored(state, "staff_grade"),
            "graded_at": self._stored(state, "staff_graded_at"),
            "grader": self._stored(state, "staff_grader"),
            "assessment": self._stored(state, "staff_assessment"),
        }

    # Learner handlers ---------------------------------------------------------------------------------------

    def _checked_responses(self, data: Any, *, complete: bool) -> list[str]:
        _ = self.i18n.gettext
        if self.submitted:
            raise JsonHandlerError(
                409,
                _("Your response was submitted on %(when)s: it can no longer be changed.")
                % {"when": format_moment(self.i18n, self.submitted_at)},
            )
        closed = self._window(self.definition.get("submission_start"), self.definition.get("submission_due"))
        if closed is not None:
            raise JsonHandlerError(403, closed)
        try:
            return check_responses(
                data,
                len(self.definition.get("prompts", [""])),
                required=self.definition.get("text_response") == "required",
                complete=complete,
                _=_,
            )
        except ResponseRefused as error:
            raise JsonHandlerError(400, str(error)) from None

    @json_handler
    def save_draft(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Keep a draft of the learner's response (until they submit)."""
        self.responses = self._checked_responses(data, complete=False)
        self.draft_saved_at = datetime.now(UTC)
        message = self.i18n.gettext("Draft saved on %(when)s.") % {
            "when": format_moment(self.i18n, self.draft_saved_at)
        }
        return {"result": "success", "message": message}

    @json_handler
    def submit(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Submit the response for good: the block is complete, and peers may be given it."""
        responses = self._checked_responses(data, complete=True)
        self.responses = responses
        self.submitted = True
        self.submitted_at = datetime.now(UTC)
        service = self.runtime.service(self, "peer_review")
        if self.step("peer-assessment") is not None and service is not None:
            service.enter(self, responses)
        self.runtime.publish(self, "completion", {"completion": 1.0})
        return {"result": "success", "html": self._render("_learner.html", learner=self.learner_context())}

    def _checked_assessment(self, data: Any) -> dict[str, Any]:
        try:
            return check_assessment(data, self.definition, self.i18n.gettext)
        except AssessmentRefused as error:
            raise JsonHandlerError(400, str(error)) from None

    def _step_open(self, name: str) -> dict[str, Any]:
        _ = self.i18n.gettext
        step = self.step(name)
        if step is None:
            raise JsonHandlerError(404, _("This assessment has no such step."))
        if not self.submitted:
            raise JsonHandlerError(409, _("Submit your response first."))
        closed = self._window(step.get("start"), step.get("due"))
        if closed is not None:
            raise JsonHandlerError(403, closed)
        return step

    @json_handler
    def self_assess(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """The learner assesses their own response against the rubric (once)."""
        _ = self.i18n.gettext
        self._step_open("self-assessment")
        if self.self_assessment:
            raise JsonHandlerError(409, _("You have already assessed your own response."))
        if self._next_step(self._peer_status()) != "self-assessment":
            raise JsonHandlerError(409, _("Finish the steps before this one first."))
        self.self_assessment = self._checked_assessment(data)
        self.self_assessed_at = datetime.now(UTC)
        self._publish_own_score()
        return {"result": "success", "html": self._render("_learner.html", learner=self.learner_context())}

    def _peer_service(self) -> Any:
        service = self.runtime.service(self, "peer_review")
        if service is None:
            raise JsonHandlerError(501, self.i18n.gettext("Peer assessment is not available on this site."))
        return service

    def _peer_turn(self, step: Mapping[str, Any], status: Mapping[str, Any]) -> None:
        """Refuse (409) when the learner has assessed enough responses, or has a step to take first."""
        _ = self.i18n.gettext
        if status["done"] >= step["must_grade"]:
            raise JsonHandlerError(409, _("You have assessed all the responses this step asks for."))
        if self._next_step(status) != "peer-assessment":
            raise JsonHandlerError(409, _("Finish the steps before this one first."))

    @json_handler
    def peer_next(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """The response of another learner of the cohort to assess next (the one already given, if any)."""
        _ = self.i18n.gettext
        step = self._step_open("peer-assessment")
        service = self._peer_service()
        status = service.status(self)
        self._peer_turn(step, status)
        if status["open"] is None:
            # A response submitted before this assessment had its peer step joins the pool now (once).
            service.enter(self, self.responses)
        work = status["open"] or service.next_work(self)
        return {
            "result": "success",
            "html": self._render("_peer.html", work=work, learner=self.learner_context()),
        }

    @json_handler
    def peer_assess(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Assess the peer response the learner was given; publishes the author's score when it is their
        last missing assessment, and the learner's own when this was their last step."""
        _ = self.i18n.gettext
        step = self._step_open("peer-assessment")
        service = self._peer_service()
        submission_id = data.get("submission_id") if isinstance(data, dict) else None
        if not _row_id(submission_id):
            raise JsonHandlerError(400, _("Say which response you assessed."))
        self._peer_turn(step, service.status(self))
        assessment = self._checked_assessment(data)
        try:
            author = service.assess(
                self, submission_id, assessment, points(self.definition, assessment["choices"])
            )
        except PermissionError:
            raise JsonHandlerError(403, _("This response was not given to you to assess.")) from None
        except LookupError:
            raise JsonHandlerError(409, _("You have already assessed this response.")) from None
        earned = self.final_score(
            self_choices=(self._stored(author.state, "self_assessment") or {}).get("choices"),
            staff_grade=self._stored(author.state, "staff_grade"),
            done=author.done,
            received=author.received,
        )
        if earned is not None and self.max_score() > 0:
            service.publish_grade(self, author.user_id, earned, self.max_score())
        self._publish_own_score()
        return {"result": "success", "html": self._render("_learner.html", learner=self.learner_context())}

    # Trainer handlers ---------------------------------------------------------------------------------------

    @json_handler
    def staff_works(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """The next page of submitted responses (course staff): its HTML, and where the page after starts."""
        _ = self.i18n.gettext
        if not self.is_staff():
            raise JsonHandlerError(403, _("Only the course's trainers may do this."))
        offset = read_offset(
            data, _("The page of responses asked for does not exist. Please reload the page.")
        )
        panel = self.staff_panel(offset)
        if not panel["available"]:
            raise JsonHandlerError(404, _("This assessment has no staff step."))
        return {
            "html": "".join(self._render("_work.html", work=work) for work in panel["works"]),
            "next": panel["next"],
            "more": self._render("_more.html", staff_panel=panel) if panel["next"] is not None else "",
        }

    @json_handler
    def staff_assess(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """A trainer grades a learner they follow with the rubric: the points of the options chosen are the
        learner's grade (overriding peer and self scores), the comment their feedback."""
        _ = self.i18n.gettext
        if not self.is_staff():
            raise JsonHandlerError(403, _("Only the course's trainers may do this."))
        service = self.runtime.service(self, "staff_grading")
        if service is None or self.step("staff-assessment") is None:
            raise JsonHandlerError(404, _("This assessment has no staff step."))
        learner_id = data.get("learner_id") if isinstance(data, dict) else None
        if not _row_id(learner_id):
            raise JsonHandlerError(400, _("Say which learner to grade."))
        assessment = self._checked_assessment(data)
        comment = assessment["feedback"]
        grade = float(points(self.definition, assessment["choices"]))
        try:
            work = service.submission(self, learner_id)
            if not self._stored(work.state, "submitted"):
                raise JsonHandlerError(409, _("This learner has not submitted their response yet."))
            work = service.set_feedback(
                self, learner_id, comment, grade, details={"staff_assessment": assessment}
            )
        except (PermissionError, LookupError, ValueError) as error:
            raise grading_refusal(error, _, own_work=_("You cannot grade your own response.")) from None
        return {"result": "success", "html": self._render("_work.html", work=self._work_context(work))}
