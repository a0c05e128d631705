"""What Open edX's two staff-graded assignments share: ``staffgradedxblock`` (work done off line, graded by
trainers one by one or from a CSV file: :mod:`plugins.staff_graded.points`) and ``edx_sga`` (the learner
hands in a file, the trainer downloads, grades and comments it: :mod:`plugins.staff_graded.assignment`).

OLX, as Open edX exports them (every setting an attribute)::

    <staffgradedxblock url_name="…" display_name="Audit du poste" weight="10"
        instructions="Réalisez l'audit **avec** votre formateur."/>
    <edx_sga url_name="…" display_name="Plan de sauvegarde" points="20" weight="1"
        showanswer="past_due" solution="&lt;p&gt;Un exemple de plan…&lt;/p&gt;"/>

The element is kept as imported (like Open edX keeps fields it does not know), so that export gives it
back unchanged; the settings the block uses are read from it. A learner's file is kept by the platform's
``learner_files`` service, never on a path the learner names. Trainers (course staff: the ``user``
service's ``edx-platform.user_is_staff``) see, under the assignment, the learners they follow (the
``staff_grading`` service, which the access policy scopes) and grade them; the grade is published for
the learner, so that progress and certificates follow.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from lxml import etree
from markupsafe import Markup
from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError
from xblock.fields import Float, Scope, String

from plugins.staff_graded import files
from plugins.staff_graded.editing import SHOWANSWER_LABELS, EditRefused, check_form
from plugins.staff_graded.rendering import render
from plugins.support.basics import TrainerGraded
from plugins.support.formats import format_number, format_size
from plugins.support.fragments import editor_messages, view_fragment
from plugins.support.grading_input import grading_refusal, parse_number
from plugins.support.handlers import json_handler_rolling_back as json_handler
from plugins.support.kept_olx import kept_element, write_back

MAX_COMMENT = 5000
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def normalise(text: str) -> str:
    """Text as kept: NFC, Windows line ends made plain."""
    return unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")


def olx_number(node: Any, name: str) -> float | None:
    """A non-negative number attribute of the OLX element; ValueError (with the line) otherwise."""
    raw = node.get(name)
    if raw is None or not raw.strip():
        return None
    value = parse_number(raw)
    if value is None or value < 0:
        raise ValueError(f"line {node.sourceline}: {name}={raw!r} is not a number of 0 or more")
    return value


@XBlock.needs("sanitizer")
@XBlock.wants("learner_files", "replace_urls")
class StaffGradedBase(TrainerGraded, XBlock):
    """What both assignments share: the kept OLX, the grade and comment, the trainers' panel. Each says
    what a learner can score (``max_score()``), from its own OLX."""

    #: The OLX tag the block is written back with.
    tag = ""
    #: Whether the learner hands in a file.
    takes_files = False
    #: Whether trainers may send (and download) a CSV file of scores.
    takes_grade_files = False
    #: The OLX attributes the editor changes, and whether a weight must be given.
    editable: tuple[str, ...] = ("display_name", "weight")
    weight_required = False
    dom_prefix = "staff-graded-"
    max_comment = MAX_COMMENT
    # Comments are kept as NFC text, as file names are.
    normalise_comment = staticmethod(normalise)

    display_name = String(scope=Scope.settings, default="Staff Graded Assignment")
    weight = Float(scope=Scope.settings, default=None)
    # The whole element as imported (without its url_name), as Open edX keeps fields it does not know.
    olx = String(scope=Scope.content, default="")
    # The trainer's feedback (staff_comment, staff_grade…), i18n and is_staff come with TrainerGraded.

    # Services -----------------------------------------------------------------------------------------------

    # OLX ----------------------------------------------------------------------------------------------------

    @classmethod
    def parse_xml(cls, node: Any, runtime: Any, keys: Any) -> XBlock:
        """Keep the element; read the settings the block uses (a setting that is not a number raises)."""
        block = runtime.construct_xblock_from_class(cls, keys)
        block.read_settings(node)
        block.olx = etree.tostring(kept_element(node), encoding="unicode")
        return block

    def read_settings(self, node: Any) -> None:
        """Set the fields the block uses from the element's attributes."""
        if node.get("display_name") is not None:
            self.display_name = node.get("display_name")
        weight = olx_number(node, "weight")
        if weight is not None:
            self.weight = weight

    def add_xml_to_node(self, node: Any) -> None:
        """Write the element back as it was imported."""
        stored = etree.fromstring(self.olx.encode(), _PARSER) if self.olx else etree.Element(self.tag)
        write_back(node, stored, self.tag)

    # Views --------------------------------------------------------------------------------------------------

    def _part(self, template: str, **context: Any) -> str:
        return render(template, self.i18n, dom_id=self.dom_id, block=self, **context)

    def learner_context(self) -> dict[str, Any]:
        """What the learner sees of their own work and feedback."""
        return {
            "signed_in": self.scope_ids.user_id is not None,
            "grade": self.staff_grade,
            "comment": self.staff_comment,
            "graded_at": self.staff_graded_at,
            "grader": self.staff_grader,
            "max": self.max_score(),
            "solution": None,
        }

    def body(self) -> str:
        """The block's HTML inside its root (handlers answer with it after a change)."""
        return self._part(
            "body.html",
            title=self.display_name,
            intro=self.intro_html(),
            learner=self.learner_context(),
            staff=self.staff_panel() if self.is_staff() else None,
            max_file=files.MAX_FILE_BYTES,
            extensions=", ".join(sorted(files.ALLOWED_TYPES)),
            export_url=self.runtime.handler_url(self, "export_grades") if self.takes_grade_files else "",
        )

    def intro_html(self) -> Markup | None:
        """The instructions (or other text) above the learner's part, cleaned HTML; None when none."""
        return None

    def _clean(self, html: str) -> Markup:
        cleaned = self.runtime.service(self, "sanitizer").clean_html(html)
        replace = self.runtime.service(self, "replace_urls")
        if replace is not None and cleaned:
            cleaned = replace.replace_urls(cleaned)
        return Markup(cleaned)  # noqa: S704 (cleaned by the platform's sanitiser just above)

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The assignment, the learner's work and feedback, and for course staff their learners' work."""
        _ = self.i18n.gettext
        return view_fragment(
            self,
            f'<div class="staff-graded" data-part="body">{self.body()}</div>',
            css="staff_graded.css",
            js="staff_graded.js",
            init="StaffGradedBlock",
            arguments={
                "working": _("Sending…"),
                "failed": _("The server could not be reached. Please try again."),
                "maxFile": files.MAX_FILE_BYTES,
                "tooLarge": self._too_large(),
                "noFile": _("Choose a file first."),
            },
        )

    # The trainers' panel ------------------------------------------------------------------------------------

    def work_context(self, work: Any) -> dict[str, Any]:
        """One learner's work as the panel shows it."""
        state = work.state
        return {
            "user_id": work.user_id,
            "name": work.name,
            "companies": ", ".join(work.companies),
            "grade": self._stored(state, "staff_grade"),
            "comment": self._stored(state, "staff_comment"),
            "graded_at": self._stored(state, "staff_graded_at"),
            "grader": self._stored(state, "staff_grader"),
            **self.file_context(state),
        }

    def file_context(self, state: dict[str, Any]) -> dict[str, Any]:
        """What the panel shows of a learner's file (nothing for assignments without files)."""
        return {}

    def staff_panel(self) -> dict[str, Any]:
        """The learners the trainer follows, each with their work; unavailable without the service."""
        service = self.runtime.service(self, "staff_grading")
        if service is None:
            return {"available": False, "works": []}
        try:
            works = service.submissions(self)
        except PermissionError:
            return {"available": False, "works": []}
        return {"available": True, "works": [self.work_context(work) for work in works]}

    # Handlers shared by both --------------------------------------------------------------------------------

    def _staff_only(self) -> Any:
        """The staff_grading service, for course staff; 403 (or 501 without the service) otherwise."""
        _ = self.i18n.gettext
        if not self.is_staff():
            raise JsonHandlerError(403, _("Only the course's trainers may do this."))
        service = self.runtime.service(self, "staff_grading")
        if service is None:
            raise JsonHandlerError(501, _("Grading is not available on this site."))
        return service

    def _refused(self, error: Exception) -> JsonHandlerError:
        """A platform service's refusal (named by its ``code``) in the reader's words; others re-raised."""
        _ = self.i18n.gettext
        return grading_refusal(
            error,
            _,
            own_work=_("You cannot grade your own work."),
            bad_grade=self._bad_grade(),
            empty=(400, _("The file is empty.")),
            too_large=(400, self._too_large()),
            bad_name=(
                400,
                _("The file name may not name folders, start with a dot or hold control characters."),
            ),
        )

    def _bad_grade(self) -> str:
        return self.i18n.gettext("The score must be a number from 0 to %(max)s.") % {
            "max": format_number(self.i18n, self.max_score())
        }

    def _too_large(self) -> str:
        return self.i18n.gettext("This file is too large: at most %(size)s.") % {
            "size": format_size(self.i18n, files.MAX_FILE_BYTES)
        }

    def check_gradable(self, work: Any) -> None:
        """Refuse (JsonHandlerError) to grade a learner's work that cannot be graded yet."""

    @json_handler
    def grade_learner(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Give one learner a score and a comment (course staff, for learners they follow)."""
        service = self._staff_only()
        learner_id, comment, grade = self._grading_input(data)
        try:
            self.check_gradable(service.submission(self, learner_id))
            service.set_feedback(self, learner_id, comment, grade)
        except (PermissionError, LookupError, ValueError) as error:
            raise self._refused(error) from None
        return {"result": "success", "message": self.i18n.gettext("The grade is saved."), "html": self.body()}

    def _form_file(self, request: Any, name: str) -> tuple[str, bytes]:
        """The file sent in the multipart field ``name``: its name and content, checked (JsonHandlerError)."""
        _ = self.i18n.gettext
        if request.method != "POST":
            raise JsonHandlerError(405, _("This address answers only POST requests."))
        upload = request.POST.get(name) if request.content_type == "multipart/form-data" else None
        if upload is None or not hasattr(upload, "file") or not getattr(upload, "filename", ""):
            raise JsonHandlerError(400, _("Choose a file first."))
        filename = normalise(str(upload.filename)).strip()
        if files.looks_like_a_path(filename):
            raise JsonHandlerError(
                400, _("The file name may not name folders, start with a dot or hold control characters.")
            )
        data = upload.file.read(files.MAX_FILE_BYTES + 1)
        if not data:
            raise JsonHandlerError(400, _("The file is empty."))
        if len(data) > files.MAX_FILE_BYTES:
            raise JsonHandlerError(400, self._too_large())
        return filename, data

    # Editor -----------------------------------------------------------------------------------------------

    def studio_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The editor: the assignment's settings, as its OLX attributes."""
        _ = self.i18n.gettext
        values = {name: getattr(self, name) for name in self.editable}
        html = self._part(
            "studio.html",
            values={
                k: "" if v is None else (f"{v:g}" if isinstance(v, float) else v) for k, v in values.items()
            },
            showanswer_choices=[(code, _(label)) for code, label in SHOWANSWER_LABELS.items()],
        )
        return view_fragment(
            self,
            html,
            css="staff_graded.css",
            js="staff_graded_studio.js",
            init="StaffGradedStudio",
            arguments=editor_messages(_),
        )

    @json_handler
    def studio_submit(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Check and save the editor's form (the kept OLX follows); nothing changes unless all is right."""
        if not self.is_staff():
            raise JsonHandlerError(403, self.i18n.gettext("Only the course's trainers may do this."))
        try:
            values = check_form(data, self.editable, self.weight_required, self.i18n.gettext)
        except EditRefused as error:
            raise JsonHandlerError(400, "\n".join(error.messages)) from None
        element = etree.fromstring(self.olx.encode(), _PARSER) if self.olx else etree.Element(self.tag)
        for name, value in values.items():
            if value is None:
                element.attrib.pop(name, None)
            else:
                element.set(name, value)
            # Back to the default first: an attribute removed leaves its field unset.
            delattr(self, name)
        self.read_settings(element)
        self.olx = etree.tostring(element, encoding="unicode")
        return {"result": "success"}
