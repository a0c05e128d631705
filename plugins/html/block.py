"""HTML text written by trainers, read from Open edX's ``<html>`` OLX (inline, or ``filename`` + ``.html``).

The HTML is cleaned by the platform's ``sanitizer`` service whenever it is stored (import or edit), so what
is shown is already safe; ``/static/…`` links are rewritten to the course's assets when shown. Complete on
view.
"""

from __future__ import annotations

from typing import Any

from lxml import etree
from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.fields import Scope, String


@XBlock.needs("sanitizer")
@XBlock.wants("replace_urls")
class HtmlBlock(XBlock):
    """A piece of formatted text."""

    display_name = String(scope=Scope.settings, default="Texte")
    data = String(scope=Scope.content, default="")

    @classmethod
    def parse_xml(cls, node: Any, runtime: Any, keys: Any) -> XBlock:
        """Read ``<html display_name="…">inner HTML</html>``; the importer has inlined any ``.html`` file."""
        block = runtime.construct_xblock_from_class(cls, keys)
        if node.get("display_name") is not None:
            block.display_name = node.get("display_name")
        inner = (node.text or "") + "".join(etree.tostring(child, encoding="unicode") for child in node)
        block.data = runtime.service(block, "sanitizer").clean_html(inner.strip())
        return block

    def add_xml_to_node(self, node: Any) -> None:
        """Write ``<html display_name="…">`` with the HTML inside (CDATA keeps it readable and exact)."""
        node.tag = "html"
        if self.fields["display_name"].is_set_on(self):
            node.set("display_name", self.display_name)
        node.text = etree.CDATA(self.data) if self.data else None

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The stored (already sanitised) HTML, with course asset links resolved."""
        html = self.data
        replace = self.runtime.service(self, "replace_urls")
        if replace is not None:
            html = replace.replace_urls(html)
        return Fragment(f'<div class="html-block">{html}</div>')
