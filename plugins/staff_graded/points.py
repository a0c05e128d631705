"""``staffgradedxblock`` (Open edX's staff-graded points): work done off line, with Markdown
instructions; trainers give each learner they follow a score out of ``weight`` and a comment, one by one
or from a CSV file of scores (:mod:`plugins.staff_graded.grades_csv`), and download the scores as CSV.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import markdown
from markupsafe import Markup
from webob import Response
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError
from xblock.fields import Float, Scope, String

from plugins.staff_graded import files
from plugins.staff_graded.block import StaffGradedBase, normalise
from plugins.staff_graded.grades_csv import GradesRefused, Learner, read_grades
from plugins.support.formats import format_number
from plugins.support.handlers import json_response


class StaffGradedXBlock(StaffGradedBase):
    """``staffgradedxblock``: an assignment done off line; trainers enter the scores (out of ``weight``)."""

    tag = "staffgradedxblock"
    takes_grade_files = True
    editable = ("display_name", "weight", "instructions")
    weight_required = True

    display_name = String(scope=Scope.settings, default="Staff Graded Points")
    weight = Float(scope=Scope.settings, default=1.0)
    instructions = String(scope=Scope.content, default="Your results will be graded offline")

    def read_settings(self, node: Any) -> None:
        """As every staff-graded block, and the Markdown instructions."""
        super().read_settings(node)
        if node.get("instructions") is not None:
            self.instructions = node.get("instructions")

    def max_score(self) -> float:
        """The most a learner can score: the weight, as on Open edX."""
        return float(self.weight if self.weight is not None else 1.0)

    def intro_html(self) -> Markup | None:
        """The instructions, Markdown made HTML, then cleaned."""
        if not self.instructions.strip():
            return None
        return self._clean(markdown.markdown(self.instructions))

    @XBlock.handler
    def import_grades(self, request: Any, suffix: str = "") -> Response:
        """Scores (and comments) from a trainer's CSV file; every row is checked before any is saved."""
        _ = self.i18n.gettext
        service = self._staff_only()
        _filename, data = self._form_file(request, "csv")
        works = {work.user_id: work for work in service.submissions(self)}
        learners = [Learner(w.user_id, f"user{w.user_id}", w.email) for w in works.values()]
        try:
            grades = read_grades(
                data, learners, self.max_score(), _, lambda value: format_number(self.i18n, value)
            )
        except GradesRefused as error:
            raise JsonHandlerError(400, "\n".join(error.messages)) from None
        try:
            for grade in grades:
                comment = grade.comment
                if comment is None:
                    comment = self._stored(works[grade.user_id].state, "staff_comment")
                service.set_feedback(self, grade.user_id, normalise(comment).strip(), grade.points)
        except (PermissionError, LookupError, ValueError) as error:
            # The request's writes are all rolled back with the refusal: the file changes nothing.
            raise self._refused(error) from None
        message = _("%(count)d scores saved.") % {"count": len(grades)}
        return json_response({"result": "success", "message": message, "html": self.body()})

    @XBlock.handler
    def export_grades(self, request: Any, suffix: str = "") -> Response:
        """The learners the trainer follows and their scores, as a CSV file to fill in and send back."""
        service = self._staff_only()
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["user_id", "username", "full_name", "email", "points", "comment"])
        for work in service.submissions(self):
            grade = self._stored(work.state, "staff_grade")
            writer.writerow(
                [
                    work.user_id,
                    f"user{work.user_id}",
                    _csv_cell(work.name),
                    work.email,
                    "" if grade is None else f"{grade:g}",
                    _csv_cell(self._stored(work.state, "staff_comment")),
                ]
            )
        block_id = self.scope_ids.usage_id.block_id
        return files.download(("\ufeff" + out.getvalue()).encode("utf-8"), f"{block_id}-grades.csv")


def _csv_cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
