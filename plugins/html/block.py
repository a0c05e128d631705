"""HTML text written by trainers, read from Open edX's ``<html>`` OLX (inline, or ``filename`` + ``.html``).

The author's HTML is stored as it was written, so that export gives it back unchanged. What learners see
is made safe when shown: cleaned by the ``sanitizer`` service's author policy (styles filtered, course
files only, no script) and shown in the page — or, when the HTML holds script or a style sheet, shown
whole in a sandboxed frame of its own origin, served by the ``frame`` handler (``plugins.html.frame``).
``/static/…`` links are rewritten to the course's assets. Complete on view. Authors edit the display name
and the HTML in ``studio_view``; ``studio_submit`` saves what they send and tells them what learners will
not see, or that the text runs in a frame.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from lxml import etree
from markupsafe import escape
from web_fragments.fragment import Fragment
from webob import Response
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError
from xblock.fields import Dict, Scope, String

from plugins.html import shown
from plugins.html.cleaning import COMMENT, removed_parts
from plugins.html.frame import course_files, frame_document, frame_policy, hold_scripts

MAX_DISPLAY_NAME_LENGTH = 255
#: as much HTML as a course import accepts in one ``html/*.html`` file
MAX_HTML_BYTES = 5 * 1024 * 1024
#: jQuery as Open edX serves it to authors' scripts (vendored by the platform)
JQUERY = "vendor/jquery/jquery-2.2.4.min.js"

# Attributes the block reads itself; the importer consumes url_name and filename before parse_xml.
_OWN_ATTRIBUTES = frozenset({"display_name", "editor", "url_name", "filename", "xblock-family"})

_TEMPLATES = Environment(
    loader=PackageLoader("plugins.html", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@XBlock.needs("sanitizer")
@XBlock.needs("i18n")
@XBlock.wants("replace_urls")
class HtmlBlock(XBlock):
    """A piece of formatted text."""

    display_name = String(scope=Scope.settings, default="Texte")
    data = String(scope=Scope.content, default="")
    # Open edX's editor choice for the block ("visual" or "raw"), kept so that export gives it back.
    editor = String(scope=Scope.settings, default="visual")
    # Other attributes of the <html> element (Open edX's own, or a course's), written back as they came.
    xml_attributes = Dict(scope=Scope.settings, default={})

    # What a learner sees depends on the text alone, so a host may render it once for everyone (read by
    # Cybermassif's runtime; other hosts ignore it).
    cybermassif_shared_views = ("student_view",)

    @classmethod
    def parse_xml(cls, node: Any, runtime: Any, keys: Any) -> XBlock:
        """Read ``<html display_name="…">inner HTML</html>``; the importer has inlined any ``.html`` file."""
        block = runtime.construct_xblock_from_class(cls, keys)
        if node.get("display_name") is not None:
            block.display_name = node.get("display_name")
        if node.get("editor") is not None:
            block.editor = node.get("editor")
        kept = {k: v for k, v in node.items() if k not in _OWN_ATTRIBUTES}
        if kept:
            block.xml_attributes = kept
        inner = (node.text or "") + "".join(etree.tostring(child, encoding="unicode") for child in node)
        # Kept as the author wrote it (export gives it back); made safe when shown.
        block.data = inner.strip()
        return block

    def add_xml_to_node(self, node: Any) -> None:
        """Write ``<html display_name="…">`` with the HTML inside (CDATA keeps it readable and exact)."""
        node.tag = "html"
        for name, value in sorted(self.xml_attributes.items()):
            if name not in _OWN_ATTRIBUTES:
                node.set(name, str(value))
        if self.fields["display_name"].is_set_on(self):
            node.set("display_name", self.display_name)
        if self.fields["editor"].is_set_on(self):
            node.set("editor", self.editor)
        node.text = etree.CDATA(self.data) if self.data else None

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The author's HTML, cleaned with the author policy, course asset links resolved; or, when it
        holds script or a style sheet, a sandboxed frame showing it whole."""
        if shown.framed(self.data):
            return self._frame_view()
        fragment = Fragment(f'<div class="html-block">{self._with_asset_urls(self._shown_html())}</div>')
        fragment.add_css_url(self.runtime.local_resource_url(self, "public/html-block.css"))
        return fragment

    def _shown_html(self) -> str:
        """The stored HTML as the site's page may show it."""
        return shown.cleaned(self.runtime.service(self, "sanitizer"), self.data)

    def _with_asset_urls(self, html: str) -> str:
        replace = self.runtime.service(self, "replace_urls")
        return html if replace is None else str(replace.replace_urls(html))

    def _frame_view(self) -> Fragment:
        url = self.runtime.handler_url(self, "frame")
        # The course files the page may fetch for the frame, as the frame's document names them.
        files = [self._with_asset_urls(f'"{path}"')[1:-1] for path in course_files(self.data)]
        fragment = Fragment(
            '<div class="html-block html-block-framed">'
            f'<iframe class="html-block-frame" src="{escape(url)}" sandbox="allow-scripts" '
            f'title="{escape(self.display_name)}" referrerpolicy="same-origin" '
            f'data-files="{escape(json.dumps(files))}"></iframe></div>'
        )
        fragment.add_css_url(self.runtime.local_resource_url(self, "public/html-block.css"))
        fragment.add_javascript_url(self.runtime.local_resource_url(self, "public/html-frame.js"))
        fragment.initialize_js("CybermassifHtmlFrame")
        return fragment

    @XBlock.handler
    def frame(self, request: Any, suffix: str = "") -> Response:
        """The sandboxed frame's document: the author's HTML whole, course links resolved, under a CSP of
        its own that sandboxes it (opaque origin) even if it is opened outside the frame."""
        if request.method != "GET":
            return Response(status=405, headers={"Allow": "GET"})
        i18n = self.runtime.service(self, "i18n")
        language = getattr(i18n, "get_javascript_locale", lambda: "fr")() or "fr"
        document = frame_document(
            self._with_asset_urls(hold_scripts(self.data)),
            title=self.display_name,
            language=language,
            jquery_url=self.runtime.resource_url(JQUERY),
        )
        response = Response(document, content_type="text/html", charset="utf-8")
        response.headers["Content-Security-Policy"] = frame_policy(request.host_url)
        response.headers["Cache-Control"] = "private, no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        return response

    # Editing -------------------------------------------------------------------------------------------

    def studio_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The editor: the display name and the HTML source in a text area."""
        i18n = self.runtime.service(self, "i18n")
        html = _TEMPLATES.get_template("studio_view.html").render(
            _=i18n.gettext,
            ngettext=i18n.ngettext,
            dom_id="html-" + hashlib.sha256(str(self.scope_ids.usage_id).encode()).hexdigest()[:12],
            display_name=self.display_name,
            data=self.data,
        )
        fragment = Fragment(html)
        fragment.add_css_url(self.runtime.local_resource_url(self, "public/html-studio.css"))
        fragment.add_javascript_url(self.runtime.local_resource_url(self, "public/html-studio.js"))
        fragment.initialize_js(
            "CybermassifHtmlStudio", {"failed": i18n.gettext("The text could not be saved.")}
        )
        return fragment

    @XBlock.json_handler
    def studio_submit(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Save the name and the cleaned HTML; answer with the stored HTML and what cleaning removed.

        Bad input changes nothing: 400 with the reasons, translated.
        """
        i18n = self.runtime.service(self, "i18n")
        gettext = i18n.gettext
        if not isinstance(data, dict):
            raise JsonHandlerError(400, gettext("The form data must be a JSON object."))
        problems = []
        name = data.get("display_name", self.display_name)
        if not isinstance(name, str) or not name.strip():
            problems.append(gettext("The display name cannot be empty."))
        elif not _encodable(name):
            problems.append(gettext("The display name holds characters that are not valid text."))
        elif len(name.strip()) > MAX_DISPLAY_NAME_LENGTH or any(ord(c) < 32 for c in name):
            problems.append(
                gettext("The display name must be one line of at most %(max)d characters.")
                % {"max": MAX_DISPLAY_NAME_LENGTH}
            )
        source = data.get("data", "")
        if not isinstance(source, str):
            problems.append(gettext("The HTML must be text."))
        elif not _encodable(source):
            problems.append(gettext("The HTML holds characters that are not valid text."))
        elif len(source.encode("utf-8")) > MAX_HTML_BYTES:
            problems.append(
                gettext("The HTML is too long: at most %(max)d MB.")
                % {"max": MAX_HTML_BYTES // (1024 * 1024)}
            )
        if problems:
            raise JsonHandlerError(400, "\n".join(problems))
        stored = source.strip()
        self.display_name = name.strip()
        self.data = stored
        removed: list[str] = []
        if shown.framed(stored):
            message = gettext(
                "Saved. The HTML holds script or a style sheet: learners see it in a frame isolated "
                "from the site."
            )
        else:
            visible = self._shown_html()
            removed = [
                gettext("comments") if part == COMMENT else part for part in removed_parts(stored, visible)
            ]
            if removed:
                message = gettext(
                    "Saved. These parts are not shown to learners (they are kept for export): %(parts)s."
                ) % {"parts": ", ".join(removed)}
            else:
                message = gettext("Saved.")
        return {"result": "success", "data": stored, "removed": removed, "message": message}


def _encodable(text: str) -> bool:
    """Whether ``text`` can be stored: JSON may carry lone UTF-16 surrogates, which UTF-8 cannot."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
