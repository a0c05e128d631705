"""HTML text written by trainers, read from Open edX's ``<html>`` OLX (inline, or ``filename`` + ``.html``).

The HTML is cleaned by the platform's ``sanitizer`` service whenever it is stored (import or edit), so what
is shown is already safe; ``/static/…`` links are rewritten to the course's assets when shown. Complete on
view. Authors edit the display name and the HTML in ``studio_view``; ``studio_submit`` cleans what they
send, saves it and tells them what the cleaning removed.
"""

from __future__ import annotations

import hashlib
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from lxml import etree
from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError
from xblock.fields import Dict, Scope, String

from plugins.html.cleaning import COMMENT, removed_parts

MAX_DISPLAY_NAME_LENGTH = 255
#: as much HTML as a course import accepts in one ``html/*.html`` file
MAX_HTML_BYTES = 5 * 1024 * 1024

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
        block.data = runtime.service(block, "sanitizer").clean_html(inner.strip())
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
        """The stored (already sanitised) HTML, with course asset links resolved."""
        html = self.data
        replace = self.runtime.service(self, "replace_urls")
        if replace is not None:
            html = replace.replace_urls(html)
        return Fragment(f'<div class="html-block">{html}</div>')

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
        cleaned = self.runtime.service(self, "sanitizer").clean_html(source.strip())
        removed = [
            gettext("comments") if part == COMMENT else part for part in removed_parts(source, cleaned)
        ]
        self.display_name = name.strip()
        self.data = cleaned
        if removed:
            message = gettext(
                "Saved. The HTML was cleaned: these parts are not allowed and were removed: %(parts)s."
            ) % {"parts": ", ".join(removed)}
        elif cleaned != source.strip():
            message = gettext("Saved. The HTML was tidied; nothing was removed.")
        else:
            message = gettext("Saved.")
        return {"result": "success", "data": cleaned, "removed": removed, "message": message}


def _encodable(text: str) -> bool:
    """Whether ``text`` can be stored: JSON may carry lone UTF-16 surrogates, which UTF-8 cannot."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
