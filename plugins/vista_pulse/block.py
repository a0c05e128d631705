"""The VISTA pulse block: two or three short questions at the end of a course ("have you applied this at
work?", "what did it change?") whose answers feed the Impact lens of the learner's company for the
course's VISTA dimensions (docs/vista.md).

The answers are kept by the platform, reached through the ``vista_pulse`` service the block declares
(never by importing it): ``dimensions(own)``, ``answer(usage_id)`` and ``record(…)``. Answering completes
the block. OLX::

    <vista_pulse display_name="…" dimensions="D3 D4" ask_comment="true">
      <question kind="triple">Avez-vous appliqué … ?</question>
      <question kind="agree">Cette formation a changé …</question>
    </vista_pulse>

Without ``<question>`` children the standard questions are asked, in the reader's language; without
``dimensions`` the course's own VISTA tags are used.
"""

from __future__ import annotations

import hashlib
from typing import Any

from lxml import etree
from web_fragments.fragment import Fragment
from xblock.completable import XBlockCompletionMode
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError
from xblock.fields import Boolean, List, Scope, String

from plugins.vista_pulse import questions as q
from plugins.vista_pulse.questions import _
from plugins.vista_pulse.rendering import render

DEFAULT_TITLE = _("And now, in your company?")


@XBlock.needs("i18n")
@XBlock.needs("vista_pulse")
class VistaPulseBlock(XBlock):
    """A few questions on what a course changed at work, for VISTA's Impact lens."""

    display_name = String(display_name="Display name", scope=Scope.settings, default="")
    questions = List(display_name="Questions", scope=Scope.settings, default=[])
    dimensions = List(display_name="VISTA dimensions", scope=Scope.settings, default=[])
    ask_comment = Boolean(display_name="Ask for a comment", scope=Scope.settings, default=True)

    has_custom_completion = True
    completion_mode = XBlockCompletionMode.COMPLETABLE

    # OLX -------------------------------------------------------------------------------------------------

    @classmethod
    def parse_xml(cls, node: Any, runtime: Any, keys: Any) -> XBlock:
        """Read ``<vista_pulse>`` and its ``<question>`` children; a fault raises ValueError."""
        block = runtime.construct_xblock_from_class(cls, keys)
        if node.get("display_name") is not None:
            block.display_name = node.get("display_name")[: q.MAX_TEXT]
        if node.get("dimensions") is not None:
            block.dimensions = q.check_dimensions(node.get("dimensions").split())
        if node.get("ask_comment") is not None:
            block.ask_comment = node.get("ask_comment").strip().lower() not in ("false", "0", "no")
        authored = [
            {"kind": child.get("kind", ""), "text": (child.text or "").strip()}
            for child in node
            if isinstance(child.tag, str) and child.tag == "question"
        ]
        if authored:
            block.questions = q.check_authored(authored)
        return block

    def add_xml_to_node(self, node: Any) -> None:
        """Write the block as :meth:`parse_xml` reads it."""
        node.tag = "vista_pulse"
        if self.display_name:
            node.set("display_name", self.display_name)
        if self.dimensions:
            node.set("dimensions", " ".join(self.dimensions))
        if self.fields["ask_comment"].is_set_on(self):
            node.set("ask_comment", "true" if self.ask_comment else "false")
        for question in q.from_json(self.questions):
            child = etree.SubElement(node, "question", kind=question.kind)
            child.text = question.text

    # Learner view ------------------------------------------------------------------------------------------

    def _questions(self, gettext: Any) -> list[q.Question]:
        authored = q.from_json(self.questions)
        if authored:
            return authored
        return [q.Question(x.code, x.kind, gettext(x.text)) for x in q.standard()]

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The questions, with the learner's answers if they gave some."""
        i18n = self.runtime.service(self, "i18n")
        service = self.runtime.service(self, "vista_pulse")
        stored = service.answer(str(self.scope_ids.usage_id)) if service.signed_in else None
        html = render(
            "student.html",
            i18n,
            uid=self._uid(),
            title=self.display_name or i18n.gettext(DEFAULT_TITLE),
            questions=self._questions(i18n.gettext),
            ask_comment=self.ask_comment,
            stored=stored or {"values": {}, "comment": ""},
            answered=stored is not None,
            max_comment=q.MAX_COMMENT,
        )
        fragment = Fragment(html)
        fragment.add_css_url(self.runtime.local_resource_url(self, "public/pulse.css"))
        fragment.add_javascript_url(self.runtime.local_resource_url(self, "public/pulse.js"))
        fragment.initialize_js(
            "VistaPulseBlock",
            {
                "unreachable": i18n.gettext("Your answers could not be sent: the server did not answer."),
            },
        )
        return fragment

    @XBlock.json_handler
    def submit(self, data: Any, suffix: str = "") -> dict[str, str]:
        """Record the learner's answers (each question answered on its scale) and complete the block."""
        gettext = self.runtime.service(self, "i18n").gettext
        service = self.runtime.service(self, "vista_pulse")
        if not service.signed_in:
            raise JsonHandlerError(403, gettext("Sign in to answer."))
        try:
            raws, values, comment = self._read_answers(data, gettext)
        except q.PulseError as error:
            raise JsonHandlerError(400, error.text(gettext)) from None
        service.record(
            str(self.scope_ids.usage_id),
            service.dimensions(list(self.dimensions or [])),
            raws,
            values,
            comment,
        )
        self.runtime.publish(self, "completion", {"completion": 1.0})
        return {"result": "success", "message": gettext("Thank you: your answers were recorded.")}

    def _read_answers(self, data: Any, gettext: Any) -> tuple[dict[str, int], dict[str, float], str]:
        if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
            raise q.PulseError(_("Answer the questions, then send."))
        answers = data["answers"]
        raws, values = {}, {}
        for question in self._questions(gettext):
            if question.code not in answers or answers[question.code] in (None, ""):
                raise q.PulseError(_("Answer “%(question)s”."), question=question.text[:80])
            raws[question.code] = answers[question.code]
            values[question.code] = question.value(answers[question.code])
        unknown = sorted(set(answers) - set(raws))
        if unknown:
            raise q.PulseError(_("%(code)s is not a question of this block."), code=str(unknown[0])[:40])
        comment = data.get("comment", "") if self.ask_comment else ""
        if not isinstance(comment, str):
            raise q.PulseError(_("The comment must be text."))
        if len(comment) > q.MAX_COMMENT:
            raise q.PulseError(_("The comment is longer than %(max)d characters."), max=q.MAX_COMMENT)
        return raws, values, comment.strip()

    # Editor ----------------------------------------------------------------------------------------------

    def studio_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The editor: title, up to three questions with their kind, dimensions, the comment box."""
        i18n = self.runtime.service(self, "i18n")
        authored = q.from_json(self.questions)
        rows = [{"kind": x.kind, "text": x.text} for x in authored]
        rows += [{"kind": "", "text": ""}] * (q.MAX_QUESTIONS - len(rows))
        html = render(
            "studio.html",
            i18n,
            uid=self._uid(),
            title=self.display_name,
            rows=rows,
            dimensions=list(self.dimensions or []),
            all_dimensions=q.DIMENSIONS,
            ask_comment=self.ask_comment,
            standard=[i18n.gettext(text) for _code, _kind, text in q.STANDARD],
        )
        fragment = Fragment(html)
        fragment.add_javascript_url(self.runtime.local_resource_url(self, "public/pulse-studio.js"))
        fragment.initialize_js(
            "VistaPulseEditor",
            {
                "saving": i18n.gettext("Saving…"),
                "saved": i18n.gettext("Saved."),
                "unreachable": i18n.gettext("The pulse could not be saved: the server did not answer."),
            },
        )
        return fragment

    @XBlock.json_handler
    def studio_submit(self, data: Any, suffix: str = "") -> dict[str, str]:
        """Check and store the editor's fields; nothing changes when one is wrong."""
        gettext = self.runtime.service(self, "i18n").gettext
        try:
            if not isinstance(data, dict):
                raise q.PulseError(_("The editor sent no fields."))
            title = data.get("display_name", "")
            if not isinstance(title, str) or len(title) > q.MAX_TEXT:
                raise q.PulseError(_("The title is longer than %(max)d characters."), max=q.MAX_TEXT)
            authored = q.check_authored([x for x in data.get("questions", []) if (x or {}).get("text")])
            dimensions = q.check_dimensions(data.get("dimensions", []))
            ask_comment = data.get("ask_comment", True)
            if not isinstance(ask_comment, bool):
                raise q.PulseError(_("The comment box setting must be yes or no."))
        except q.PulseError as error:
            raise JsonHandlerError(400, error.text(gettext)) from None
        except (TypeError, AttributeError):
            raise JsonHandlerError(400, gettext("The questions must be a list.")) from None
        self.display_name = " ".join(title.split())
        self.questions = authored
        self.dimensions = dimensions
        self.ask_comment = ask_comment
        return {"result": "success"}

    def _uid(self) -> str:
        """A prefix for the HTML ids of this block's elements, unique on a page."""
        return "pulse-" + hashlib.sha256(str(self.scope_ids.usage_id).encode()).hexdigest()[:12]
