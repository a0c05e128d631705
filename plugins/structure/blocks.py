"""The containers of a course. They aggregate completion; a unit (``vertical``) renders its components.

Attributes an OLX file carries that no field declares are kept in ``xml_attributes``, so that an export
gives them back (Open edX courses carry many: ``start``, ``graded``, ``format``, ``due``…).
"""

from __future__ import annotations

from typing import Any

from lxml import etree
from markupsafe import escape
from web_fragments.fragment import Fragment
from xblock.completable import XBlockCompletionMode
from xblock.core import XBlock
from xblock.fields import Boolean, Dict, Scope, String


class ContainerBlock(XBlock):
    """Common to every container: a name, children, and the OLX attributes it does not interpret."""

    has_children = True
    completion_mode = XBlockCompletionMode.AGGREGATOR
    # A container shows its children and nothing of the learner's: Cybermassif's runtime renders it once for
    # everyone when every block below it may be (other hosts ignore this).
    cybermassif_shared_views = ("student_view",)
    display_name = String(scope=Scope.settings, default="")
    xml_attributes = Dict(scope=Scope.settings, default={})

    @classmethod
    def parse_xml(cls, node: Any, runtime: Any, keys: Any) -> XBlock:
        """Children become child blocks; known attributes become fields, the others are kept."""
        block = runtime.construct_xblock_from_class(cls, keys)
        for child in node:
            if child.tag is etree.Comment or not isinstance(child.tag, str):
                continue
            runtime.add_node_as_child(block, child)
        kept = {}
        for name, value in node.items():
            if name in ("url_name", "xblock-family"):
                continue
            if not cls._read_attribute(block, name, value):
                kept[name] = value
        block.xml_attributes = kept
        return block

    @classmethod
    def _read_attribute(cls, block: XBlock, name: str, value: str) -> bool:
        """Set the content or settings field ``name`` from its OLX attribute; False when no such field
        takes it (the attribute is then kept as written)."""
        field = block.fields.get(name)
        if field is None or name == "xml_attributes" or field.scope not in (Scope.settings, Scope.content):
            return False
        setattr(block, name, field.from_string(value))
        return True

    def add_xml_to_node(self, node: Any) -> None:
        """Write the block back as OLX: its fields, the kept attributes, then its children."""
        node.tag = self.scope_ids.block_type
        for name, value in sorted(self.xml_attributes.items()):
            node.set(name, value)
        for name in self._exported_fields():
            field = self.fields[name]
            if field.is_set_on(self):
                node.set(name, field.to_string(getattr(self, name)))
        for child_id in self.children:
            self.runtime.add_block_as_child_node(self.runtime.get_block(child_id), node)

    def _exported_fields(self) -> list[str]:
        return [
            name
            for name, field in self.fields.items()
            if field.scope in (Scope.settings, Scope.content)
            and name not in ("xml_attributes", "children", "parent")
        ]

    def render_children_into(
        self, fragment: Fragment, context: dict[str, Any] | None, child_ids: list[Any] | None = None
    ) -> list[tuple[Any, str]]:
        """Render every child's student view (or those of ``child_ids`` only, in the order given): their
        resources go into ``fragment``, their HTML is returned."""
        parts = []
        for child_id in self.children if child_ids is None else child_ids:
            child_fragment = self.runtime.render_child(
                self.runtime.get_block(child_id), "student_view", context
            )
            fragment.add_fragment_resources(child_fragment)
            parts.append((child_id, child_fragment.content))
        return parts

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The children, one after the other (pages show courses and sequences through the outline)."""
        fragment = Fragment()
        fragment.add_content("".join(html for _, html in self.render_children_into(fragment, context)))
        return fragment


class CourseBlock(ContainerBlock):
    """The root of a course."""


class ChapterBlock(ContainerBlock):
    """A chapter (section) of a course."""


class SequenceBlock(ContainerBlock):
    """A sequence (subsection) of a chapter: its units are shown one at a time."""

    graded = Boolean(scope=Scope.settings, default=False)
    format = String(scope=Scope.settings, default="")


class VerticalBlock(ContainerBlock):
    """A unit: the components a learner sees on one page."""

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """Every component of the unit, each in its own item."""
        fragment = Fragment()
        # Course staff see, above a component learners may not all see, why (the host's marks, as HTML).
        note = getattr(self.runtime, "visibility_note", None)
        items = []
        for child_id, html in self.render_children_into(fragment, context):
            marks = note(child_id) if note is not None else ""
            marks = f'<p class="visibility-marks">{marks}</p>' if marks else ""
            items.append(f'<div class="vert" data-id="{escape(str(child_id))}">{marks}{html}</div>')
        fragment.add_content(f'<div class="vert-mod">{"".join(items)}</div>')
        return fragment
