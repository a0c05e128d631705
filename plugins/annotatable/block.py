"""Open edX's ``annotatable`` block: a text in which the author marks passages (``<annotation>``) with a
comment, optional instructions first. OLX, as Open edX writes it::

    <annotatable display_name="…">
      <instructions><p>Lisez le contrat et repérez…</p></instructions>
      <p>Le prestataire <annotation title="Attention" body="Une durée d'engagement…" highlight="yellow"
         problem="0">s'engage pour trente-six mois</annotation> à compter de…</p>
    </annotatable>

Learners see the highlighted passages, each followed by the number of its comment, and the comments
listed after the text, each linking back to its passage: readable without JavaScript, with the keyboard
and by screen readers (Open edX shows them as tooltips on hover). The author's HTML is cleaned by the
platform's ``sanitizer`` whenever it is shown, and ``/static/…`` links point to the course's files. The
block's XML is kept as imported, so that export gives it back unchanged. Complete on view.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from lxml import etree
from markupsafe import Markup
from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.fields import Scope, String

from plugins.support.kept_olx import kept_element, write_back

#: Open edX's highlight colours; another value (or none) is yellow.
HIGHLIGHTS = ("yellow", "orange", "purple", "blue", "green", "red")
MAX_ANNOTATIONS = 500
MAX_DATA_BYTES = 1024 * 1024

_TEMPLATES = Environment(
    loader=PackageLoader("plugins.annotatable", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


@dataclass(frozen=True)
class Note:
    """One annotation's comment, numbered as it comes in the text."""

    number: int
    title: str
    body: str


def check(node: Any) -> None:
    """ValueError (with the line) when ``<annotatable>`` cannot be shown as Open edX shows it."""
    annotations = list(node.iter("annotation"))
    if len(annotations) > MAX_ANNOTATIONS:
        raise ValueError(f"more than {MAX_ANNOTATIONS} annotations")
    for annotation in annotations:
        if not (annotation.get("body") or "").strip():
            raise ValueError(f"line {annotation.sourceline}: an <annotation> needs a body (its comment)")
        if annotation.find(".//annotation") is not None:
            raise ValueError(f"line {annotation.sourceline}: an <annotation> cannot hold another one")
    if len(node.findall("instructions")) > 1:
        raise ValueError("<instructions> is given twice")


def _inner(element: Any) -> str:
    return (element.text or "") + "".join(etree.tostring(child, encoding="unicode") for child in element)


@XBlock.needs("sanitizer")
@XBlock.needs("i18n")
@XBlock.wants("replace_urls")
class AnnotatableBlock(XBlock):
    """A text with the author's comments on some of its passages."""

    display_name = String(scope=Scope.settings, default="Annotation")
    # The whole <annotatable> element as imported (without its url_name), as in Open edX.
    data = String(scope=Scope.content, default="<annotatable/>")

    cybermassif_shared_views = ("student_view",)

    @classmethod
    def parse_xml(cls, node: Any, runtime: Any, keys: Any) -> XBlock:
        """Keep the element as it is (checked first: an annotation without its comment raises)."""
        check(node)
        block = runtime.construct_xblock_from_class(cls, keys)
        if node.get("display_name") is not None:
            block.display_name = node.get("display_name")
        block.data = etree.tostring(kept_element(node), encoding="unicode")
        return block

    def add_xml_to_node(self, node: Any) -> None:
        """Write the element back as it was imported."""
        write_back(node, etree.fromstring(self.data.encode(), _PARSER), "annotatable")

    def _dom_id(self) -> str:
        return "annotatable-" + hashlib.sha256(str(self.scope_ids.usage_id).encode()).hexdigest()[:10]

    def _parts(self, dom: str) -> tuple[str, str, list[Note]]:
        """The instructions' HTML, the text's HTML with the passages marked (ids under ``dom``), and the
        comments."""
        root = etree.fromstring(self.data.encode(), _PARSER)
        instructions = root.find("instructions")
        instructions_html = _inner(instructions) if instructions is not None else ""
        if instructions is not None:
            root.remove(instructions)
        notes = []
        for number, annotation in enumerate(root.iter("annotation"), start=1):
            notes.append(Note(number, annotation.get("title") or "", annotation.get("body") or ""))
            colour = annotation.get("highlight")
            attributes = dict(annotation.attrib)
            annotation.attrib.clear()
            annotation.tag = "mark"
            annotation.set("id", f"{dom}-a{number}")
            annotation.set(
                "class", f"annotatable-span highlight-{colour if colour in HIGHLIGHTS else 'yellow'}"
            )
            if attributes.get("title"):
                annotation.set("title", attributes["title"])
            link = etree.Element("sup", {"class": "annotatable-ref"})
            anchor = etree.SubElement(link, "a", href=f"#{dom}-n{number}")
            anchor.text = str(number)
            link.tail, annotation.tail = annotation.tail, None
            annotation.addnext(link)
        return instructions_html, _inner(root), notes

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The instructions (folded), the text with its marked passages, and the numbered comments."""
        i18n = self.runtime.service(self, "i18n")
        clean = self.runtime.service(self, "sanitizer").clean_html
        replace = self.runtime.service(self, "replace_urls")

        def safe(html: str) -> Markup:
            cleaned = clean(html)
            return Markup(replace.replace_urls(cleaned) if replace is not None else cleaned)  # noqa: S704

        dom = self._dom_id()
        instructions, text, notes = self._parts(dom)
        html = _TEMPLATES.get_template("student.html").render(
            _=i18n.gettext,
            dom=dom,
            title=self.display_name,
            instructions=safe(instructions) if instructions.strip() else None,
            text=safe(text),
            notes=notes,
        )
        fragment = Fragment(html)
        fragment.add_css_url(self.runtime.local_resource_url(self, "public/annotatable.css"))
        return fragment
