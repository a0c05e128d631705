"""``edx_sga`` (Open edX's staff graded assignment): the learner hands in one file (replaceable until
graded), kept by the platform's ``learner_files`` service; trainers download it, score it out of
``points`` (counted for ``weight`` in the course, as on Open edX), comment it and may give back an
annotated copy; the solution shows per ``showanswer``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from webob import Response
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError
from xblock.fields import DateTime, Integer, Scope, String

from plugins.staff_graded import files
from plugins.staff_graded.block import StaffGradedBase, olx_number
from plugins.support.handlers import json_response


class StaffGradedAssignmentBlock(StaffGradedBase):
    """``edx_sga``: the learner hands in one file; trainers grade it (out of ``points``) and comment."""

    tag = "edx_sga"
    takes_files = True
    editable = ("display_name", "weight", "points", "showanswer", "solution")

    display_name = String(scope=Scope.settings, default="Staff Graded Assignment")
    points = Integer(scope=Scope.settings, default=100)
    showanswer = String(scope=Scope.settings, default="")
    solution = String(scope=Scope.settings, default="")

    # What the learner handed in (the file itself is kept by the learner_files service).
    submitted_filename = String(scope=Scope.user_state, default="")
    submitted_size = Integer(scope=Scope.user_state, default=None)
    submitted_at = DateTime(scope=Scope.user_state, default=None)

    def read_settings(self, node: Any) -> None:
        """As every staff-graded block, and the maximum score, the solution and when to show it."""
        super().read_settings(node)
        points = olx_number(node, "points")
        if points is not None:
            if points != int(points):
                raise ValueError(
                    f"line {node.sourceline}: points={node.get('points')!r} is not a whole number"
                )
            self.points = int(points)
        for name in ("showanswer", "solution"):
            if node.get(name) is not None:
                setattr(self, name, node.get(name))

    def max_score(self) -> float:
        """The most a trainer can give: ``points``, as on Open edX."""
        return float(self.points)

    def weighted_maximum(self) -> float | None:
        """What the assignment counts for in the course: ``weight`` when set (the grade is scaled to it,
        as Open edX does), else None (its points)."""
        return float(self.weight) if self.weight is not None else None

    def solution_shown(self) -> bool:
        """Whether the learner sees the solution now. Open edX's rules, without due dates here: the ones
        tied to a due date show it once the work is graded."""
        if not self.solution.strip() or self.showanswer == "never":
            return False
        if self.showanswer == "always":
            return True
        if self.showanswer in ("answered", "attempted"):
            return self.submitted_at is not None
        return self.staff_graded_at is not None

    def learner_context(self) -> dict[str, Any]:
        """As every staff-graded block, with the learner's file, the annotated copy and the solution."""
        return {
            **super().learner_context(),
            "filename": self.submitted_filename,
            "size": self.submitted_size,
            "submitted_at": self.submitted_at,
            "annotated": self._annotated([self.scope_ids.user_id]).get(self.scope_ids.user_id),
            "download_url": self.runtime.handler_url(self, "download"),
            "annotated_url": self.runtime.handler_url(self, "download", query="slot=annotated"),
            "can_upload": self.staff_graded_at is None,
            "solution": self._clean(self.solution) if self.solution_shown() else None,
        }

    def file_context(self, state: dict[str, Any]) -> dict[str, Any]:
        """The learner's file name, size and date, with the trainer's download address."""
        return {
            "filename": self._stored(state, "submitted_filename"),
            "size": self._stored(state, "submitted_size"),
            "submitted_at": self._stored(state, "submitted_at"),
        }

    def _annotated(self, learner_ids: list[Any]) -> dict[int, Any]:
        """The annotated copies trainers gave these learners, by learner (one query)."""
        service = self.runtime.service(self, "learner_files")
        ids = [learner_id for learner_id in learner_ids if learner_id is not None]
        if service is None or not ids:
            return {}
        try:
            return dict(service.describe(self, ids, "annotated"))
        except PermissionError:
            return {}

    def staff_panel(self) -> dict[str, Any]:
        """As every staff-graded block, with the annotated copies given back."""
        panel = super().staff_panel()
        given = self._annotated([work["user_id"] for work in panel["works"]])
        for work in panel["works"]:
            work["annotated"] = given.get(work["user_id"])
        return panel

    def work_context(self, work: Any) -> dict[str, Any]:
        """As every staff-graded block, with the download addresses of the learner's files."""
        context = super().work_context(work)
        query = f"learner={work.user_id}"
        context["download_url"] = self.runtime.handler_url(self, "download", query=query)
        context["annotated_url"] = self.runtime.handler_url(self, "download", query=query + "&slot=annotated")
        return context

    def check_gradable(self, work: Any) -> None:
        """A learner is graded once they handed in their file."""
        if not self._stored(work.state, "submitted_filename"):
            raise JsonHandlerError(409, self.i18n.gettext("This learner has not handed in a file yet."))

    def _files(self) -> Any:
        service = self.runtime.service(self, "learner_files")
        if service is None:
            raise JsonHandlerError(501, self.i18n.gettext("Files cannot be handed in on this site."))
        return service

    def _checked_type(self, filename: str) -> str:
        content_type = files.content_type_of(filename)
        if content_type is None:
            raise JsonHandlerError(
                400,
                self.i18n.gettext("Files of this type are not accepted. Accepted: %(types)s.")
                % {"types": ", ".join(sorted(files.ALLOWED_TYPES))},
            )
        return content_type

    @XBlock.handler
    def upload_assignment(self, request: Any, suffix: str = "") -> Response:
        """Hand in (or replace, until it is graded) the learner's file."""
        _ = self.i18n.gettext
        if self.scope_ids.user_id is None:
            raise JsonHandlerError(403, _("Sign in to hand in your work."))
        if self.staff_graded_at is not None:
            raise JsonHandlerError(409, _("Your work has been graded: it can no longer be replaced."))
        filename, data = self._form_file(request, "assignment")
        content_type = self._checked_type(filename)
        try:
            stored = self._files().save_own(self, data, filename, content_type)
        except (PermissionError, ValueError) as error:
            raise self._refused(error) from None
        self.submitted_filename = stored.filename
        self.submitted_size = stored.size
        self.submitted_at = datetime.now(UTC)
        message = _("Your file “%(name)s” is handed in.") % {"name": stored.filename}
        return json_response({"result": "success", "message": message, "html": self.body()})

    @XBlock.handler
    def upload_annotated(self, request: Any, suffix: str = "") -> Response:
        """A trainer gives a learner they follow an annotated copy of their work."""
        _ = self.i18n.gettext
        self._staff_only()
        learner_id = request.POST.get("learner_id", "") if request.method == "POST" else ""
        if not str(learner_id).isdigit() or int(learner_id) <= 0:
            raise JsonHandlerError(400, _("Say which learner to grade."))
        filename, data = self._form_file(request, "annotated")
        content_type = self._checked_type(filename)
        service = self.runtime.service(self, "staff_grading")
        try:
            work = service.submission(self, int(learner_id))
            self.check_gradable(work)
            stored = self._files().save_for(self, int(learner_id), data, filename, content_type)
        except (PermissionError, LookupError, ValueError) as error:
            raise self._refused(error) from None
        message = _("The annotated file “%(name)s” is given back.") % {"name": stored.filename}
        return json_response({"result": "success", "message": message, "html": self.body()})

    @XBlock.handler
    def download(self, request: Any, suffix: str = "") -> Response:
        """The learner's own file (or the annotated copy, ``slot=annotated``); for course staff, with
        ``learner=<id>``, the file of a learner they follow."""
        _ = self.i18n.gettext
        slot = request.GET.get("slot", "submission")
        if slot not in ("submission", "annotated"):
            raise JsonHandlerError(404, _("There is no such file."))
        learner = request.GET.get("learner")
        learner_id: int | None = None
        if learner is not None:
            if not learner.isdigit():
                raise JsonHandlerError(404, _("There is no such file."))
            learner_id = int(learner)
            if learner_id != self.scope_ids.user_id and not self.is_staff():
                raise JsonHandlerError(403, _("Only the course's trainers may do this."))
        try:
            stored = self._files().read(self, learner_id, slot)
        except (PermissionError, LookupError, ValueError) as error:
            raise self._refused(error) from None
        if stored is None:
            raise JsonHandlerError(404, _("There is no such file."))
        return files.download(stored.data, stored.filename)
