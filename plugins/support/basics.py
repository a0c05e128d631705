"""What the trainer-graded blocks (case study, staff-graded assignments, open response assessment) all
have: their services, the learner state a trainer reads, and the feedback the ``staff_grading`` service
writes for the learner."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from xblock.core import XBlock, XBlockMixin
from xblock.fields import DateTime, Float, Scope, String

from plugins.support import text
from plugins.support.formats import format_number
from plugins.support.grading_input import read_grading_input


@XBlock.needs("i18n", "user")
@XBlock.wants("staff_grading")
class TrainerGraded(XBlockMixin):
    """Mixed into a block graded by trainers (through the ``staff_grading`` service): it is scored, and its
    learners' state is read by the trainers who follow them."""

    has_score = True
    icon_class = "problem"

    #: What the block's element ids start with (``case-study-``…).
    dom_prefix: ClassVar[str] = ""
    #: The longest comment a trainer may write, and how it is normalised before it is kept.
    max_comment: ClassVar[int] = 5_000
    normalise_comment: ClassVar[Callable[[str], str]] = staticmethod(text.normalise)

    # Written by the platform's staff_grading service, for the learner, when a trainer grades.
    staff_comment = String(scope=Scope.user_state, default="")
    staff_grade = Float(scope=Scope.user_state, default=None)
    staff_graded_at = DateTime(scope=Scope.user_state, default=None)
    staff_grader = String(scope=Scope.user_state, default="")

    @property
    def i18n(self) -> Any:
        """The i18n service (the block's own French catalogue)."""
        return self.runtime.service(self, "i18n")

    def is_staff(self) -> bool:
        """Whether the person looking is course staff (trainers and administrators)."""
        user = self.runtime.service(self, "user").get_current_user()
        return bool(user.opt_attrs.get("edx-platform.user_is_staff"))

    def _stored(self, state: Mapping[str, Any], name: str) -> Any:
        """A field's value from a learner's stored state (JSON), or its default."""
        field = self.fields[name]  # type: ignore[attr-defined]
        return field.from_json(state[name]) if name in state else field.default

    @property
    def dom_id(self) -> str:
        """A prefix for element ids, unique to this block on a page."""
        usage_id = str(self.scope_ids.usage_id)  # type: ignore[attr-defined]
        return self.dom_prefix + hashlib.sha256(usage_id.encode()).hexdigest()[:12]

    def _submitted_page(
        self, service: Any, fields: tuple[str, ...], offset: int, size: int
    ) -> tuple[list[Any], list[Any], dict[str, Any]]:
        """Every learner the trainer follows (``fields`` of their state); of those who submitted (those still
        to grade first), the page of ``size`` from ``offset`` with their whole state (only the page's are read
        in full: a trainer may follow hundreds of learners); and where the page stands: how many submitted,
        where the next page starts (None after the last) and how many remain. The service's PermissionError
        goes on."""
        works = service.submissions(self, fields=fields)
        submitted = sorted(
            (w for w in works if self._stored(w.state, "submitted")),
            key=lambda w: self._stored(w.state, "staff_graded_at") is not None,
        )
        end = offset + size
        page = service.complete(self, submitted[offset:end])
        paging = {
            "submitted_count": len(submitted),
            "next": end if end < len(submitted) else None,
            "remaining": max(0, len(submitted) - end),
        }
        return works, page, paging

    def _bad_grade(self) -> str:
        """The refusal of a grade out of range (a block may word it its own way)."""
        return self.i18n.gettext("The grade must be a number from 0 to %(max)s.") % {
            "max": format_number(self.i18n, self.max_score())  # type: ignore[attr-defined]
        }

    def _grading_input(self, data: Any) -> tuple[int, str, float]:
        """The learner, comment and grade a trainer sent (JsonHandlerError 400 when one is wrong)."""
        return read_grading_input(
            data,
            self.i18n.gettext,
            normalise=self.normalise_comment,
            max_comment=self.max_comment,
            max_grade=self.max_score(),  # type: ignore[attr-defined]
            bad_grade=self._bad_grade(),
        )
