"""The learner blueprint and what its views share: who is asking, and their access to a course.

A course page needs a signed-in user who is enrolled in the course (actively) or is course staff
(trainers and network administrators, ``Action.STAFF_COURSES``). The course and the user's enrolment are
read together in one query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, abort, current_app, get_template_attribute, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.accounts.models import Role, User
from app.accounts.policy import Action, can
from app.courses import queries, visibility
from app.courses.models import Course, Enrolment
from app.runtime.bridge import current_language
from app.runtime.host import EVERY_COMPONENT, ComponentAccess, Learner, no_company
from app.runtime.tree import LoadedTree

blueprint = Blueprint(
    "learn", __name__, template_folder=str(Path(__file__).resolve().parent.parent / "templates")
)


def actor() -> User:
    """The signed-in user, as the object services take."""
    return current_user._get_current_object()  # type: ignore[attr-defined,no-any-return]


def sign_in_first() -> Response:
    """Send an anonymous visitor to the sign-in page (and back here afterwards)."""
    return current_app.login_manager.unauthorized()  # type: ignore[attr-defined,no-any-return]


@dataclass
class CourseAccess:
    """A published course and what the signed-in user may do in it."""

    course: Course
    enrolment: Enrolment | None  # active enrolments only
    is_staff: bool
    content_group: int | None = None  # the content group the learner's cohort is linked to

    @property
    def content_groups(self) -> frozenset[int]:
        """The content groups the user is in, in this course."""
        return frozenset() if self.content_group is None else frozenset((self.content_group,))

    def visibility(self, tree: LoadedTree) -> visibility.Visibility:
        """What the user sees of the course's structure now (see ``app.courses.visibility``)."""
        return visibility.of(tree, self.is_staff, self.content_groups)

    @property
    def allowed(self) -> bool:
        """Whether the user may open the course's content."""
        return self.enrolment is not None or self.is_staff

    @property
    def tree_id(self) -> int:
        """The content version learners see."""
        assert self.course.published_tree_id is not None
        return self.course.published_tree_id

    @property
    def version(self) -> object:
        """The version of that content (changes when an author saves a block)."""
        return self.course.updated_at


def course_access(course_key: str) -> CourseAccess:
    """The signed-in user's access to a published course; 404 when there is none by that key."""
    user = actor()  # the object itself: each read through the ``current_user`` proxy costs a lookup
    user_id = user.id if user.is_authenticated else None
    found = queries.course_enrolment_and_group(course_key, user_id)
    if found is None or found[0].published_tree_id is None:
        abort(404)
    course, enrolment, group = found
    if enrolment is not None and not enrolment.active:
        enrolment, group = None, None
    return CourseAccess(course, enrolment, can(user, Action.STAFF_COURSES), group)


def component_access(seen: visibility.Visibility, under: str) -> ComponentAccess:
    """How the viewer sees the components of a course with a block's page or handler: which they may not
    see, which have visibility settings of their own, and for course staff the marks of those under
    ``under`` (nothing to work out for the courses, most of them, whose components have none)."""
    tree = seen.tree
    if not visibility.restricts_anything(tree):
        return EVERY_COMPONENT
    restricted = visibility.component_rules(tree)
    if not restricted:
        return EVERY_COMPONENT
    notes: dict[str, str] = {}
    if seen.viewer.is_staff:
        marks = get_template_attribute("learn/_marks.html", "marks")
        for usage_id in seen.restricted_components(under):
            html = str(marks(seen.own_marks(usage_id))).strip()
            if html:
                notes[usage_id] = html
    return ComponentAccess(hidden=seen.hidden_components, restricted=restricted, notes=notes)


_USAGE_PLACEHOLDER = "__usage_id__"


def unit_url_builder(course_key: str) -> Callable[[str], str]:
    """Builds the addresses of a course's unit pages: the URL map is asked once, not once per link.

    The usage id is quoted as the URL map quotes a path segment.
    """
    template = url_for("learn.unit", course_key=course_key, usage_id=_USAGE_PLACEHOLDER)
    before, _, after = template.partition(_USAGE_PLACEHOLDER)
    return lambda usage_id: before + quote(usage_id, safe="!$&'()*+,:;=@") + after


def not_enrolled(access: CourseAccess, refusal: str | None = None) -> tuple[str, int]:
    """The 403 page of a course the user is not enrolled in, offering enrolment when it is open (with
    why an enrolment was refused, when one was asked for)."""
    return (
        render_template(
            "learn/not_enrolled.html",
            course=access.course,
            refusal=refusal,
            may_enrol=can(current_user, Action.ENROL, access.course),
        ),
        403,
    )


def learner(user: User, access: CourseAccess) -> Learner:
    """Who the runtime works for (no e-mail address in the username blocks may show to others)."""
    is_staff = access.is_staff
    return Learner(
        content_groups=access.content_groups,
        user_id=user.id,
        username=f"user{user.id}",
        email=user.email,
        full_name=user.display_name,
        language=current_language(),
        is_staff=is_staff,
        company_naf=company_naf(user),
    )


# The roles that tie a person to a company, the one they learn in first.
COMPANY_ROLES = (Role.LEARNER, Role.COMPANY_MANAGER)


def company_naf(user: User) -> Callable[[], str | None]:
    """Reads the NAF code of the company the user learns in (else manages), None for anyone else.

    The grant is found among the roles loaded with the user; its company is read only when a block asks
    (one statement at most, on the pages that need it).
    """
    grants = [g for g in user.roles if g.role in COMPANY_ROLES and g.company_id is not None]
    if not grants:
        return no_company
    grant = min(grants, key=lambda g: (COMPANY_ROLES.index(g.role), g.id))

    def read() -> str | None:
        company = grant.company
        return company.naf_code if company is not None else None

    return read


class UnavailableNotices(Mapping[str, str]):
    """The texts the placeholder block shows, in the request's language, translated on first use.

    Most pages show no placeholder: they need not look these texts up.
    """

    KEYS = ("missing", "disabled", "unreadable", "failed")

    def __init__(self) -> None:
        self._texts: dict[str, str] | None = None

    def _translated(self) -> dict[str, str]:
        if self._texts is None:
            self._texts = {
                "missing": _("This component is not available on this site."),
                "disabled": _("This component has been disabled by the administrators."),
                "unreadable": _("This component could not be read from the course files; it is kept as is."),
                "failed": _("This component could not be shown. The team has been told."),
            }
        return self._texts

    def __getitem__(self, key: str) -> str:
        return self._translated()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.KEYS)

    def __len__(self) -> int:
        return len(self.KEYS)


def unavailable_notices() -> Mapping[str, str]:
    """The texts the placeholder block shows, in the request's language (looked up when first read)."""
    return UnavailableNotices()
