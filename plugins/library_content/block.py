"""Open edX's ``library_content`` block: each learner sees ``max_count`` of its children, drawn at random
for them once and kept (Open edX's "randomised content block"). OLX, as a course export writes it::

    <library_content display_name="Quiz" max_count="2" mode="random" source_library_id="library-v1:O+L"
                     source_library_version="…" capa_type="any" allow_resetting_children="true">
      <problem url_name="…"/> <html url_name="…"/> …
    </library_content>

(or in ``library_content/<url_name>.xml``, its children inline or named by ``url_name``, as any container).

- The draw (:mod:`plugins.library_content.draw`) is made when the learner first sees the block and stored
  in their ``selected`` field (user state, as Open edX keeps it: ``[block_type, block_id]`` pairs). It is
  kept across pages and re-imports (usage ids are stable); when the children change, the drawn ones still
  there stay and replacements are drawn for the others. The platform reads that field to count, in
  progress and grades, only what was drawn for each learner, and to refuse handlers of the others.
- Learners see only their drawn children, in course order; course staff see every child, those not drawn
  for them marked, and a note on settings that cannot be used as they are.
- ``allow_resetting_children="true"`` gives learners a button that forgets the drawn children's state and
  draws again (Open edX's ``reset_selected_children``).
- Settings that cannot be used as written (``max_count`` not a number, zero or below -1; a ``mode`` other
  than ``random``; no children) never stop the block: it shows one child (any mode draws at random), tells
  staff why (and the import report, through XBlock's ``validate()``), and exports the attribute back as it
  was read.
"""

from __future__ import annotations

from typing import Any

from markupsafe import escape
from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError
from xblock.fields import Boolean, Integer, List, Scope, String
from xblock.validation import Validation, ValidationMessage

from plugins.library_content.draw import ALL, DEFAULT_COUNT, Pair, as_pairs, redraw, shown_count
from plugins.structure.blocks import ContainerBlock

MODES = ("random",)


def _read_integer(value: str) -> int:
    text = value.strip()
    if not text.lstrip("-").isdigit():
        raise ValueError(value)
    return int(text)


def _read_boolean(value: str) -> bool:
    text = value.strip().lower()
    if text not in ("true", "false"):
        raise ValueError(value)
    return text == "true"


@XBlock.needs("i18n")
@XBlock.wants("user")
class LibraryContentBlock(ContainerBlock):
    """A random draw, per learner, of some of its children."""

    # What it shows depends on the learner: never rendered once for everyone.
    cybermassif_shared_views = ()

    display_name = String(scope=Scope.settings, default="Randomized Content Block")
    max_count = Integer(scope=Scope.settings, default=DEFAULT_COUNT)
    mode = String(scope=Scope.settings, default="random")
    source_library_id = String(scope=Scope.settings, default="")
    source_library_version = String(scope=Scope.settings, default="")
    capa_type = String(scope=Scope.settings, default="any")
    allow_resetting_children = Boolean(scope=Scope.settings, default=False)
    selected = List(scope=Scope.user_state, default=[])

    @classmethod
    def _read_attribute(cls, block: XBlock, name: str, value: str) -> bool:
        """As every container reads its attributes, except that a value that cannot be read is kept as
        written (in ``xml_attributes``: the block tells staff on the page why it cannot use it)."""
        try:
            if name == "max_count":
                block.max_count = _read_integer(value)
            elif name == "allow_resetting_children":
                block.allow_resetting_children = _read_boolean(value)
            else:
                return super()._read_attribute(block, name, value)
        except ValueError:
            return False
        return True

    # The draw -----------------------------------------------------------------------------------------------

    def _child_pairs(self) -> list[tuple[Any, Pair]]:
        """Each child's id with its (block type, block id), in course order."""
        found = []
        for child_id in self.children:
            key = self.runtime.get_block(child_id).scope_ids.usage_id
            found.append((child_id, (key.block_type, key.block_id)))
        return found

    def _count(self, children: int) -> int:
        return shown_count(self.max_count, children)

    def drawn(self, children: list[tuple[Any, Pair]] | None = None) -> list[Pair]:
        """The learner's drawn children, drawing (and storing) again when the children or the count
        changed since their last draw, or when they have none yet."""
        children = self._child_pairs() if children is None else children
        pairs = [pair for _, pair in children]
        previous = as_pairs(self.selected)
        count = self._count(len(pairs))
        present = set(pairs)
        if len(previous) == count and all(p in present for p in previous) and len(set(previous)) == count:
            return previous
        chosen = redraw(previous, pairs, count)
        # Someone who is not signed in gets a draw for the page, never stored.
        if self.scope_ids.user_id is not None:
            self.selected = [list(pair) for pair in chosen]
        return chosen

    # Rendering ----------------------------------------------------------------------------------------------

    def _is_staff(self) -> bool:
        service = self.runtime.service(self, "user")
        user = service.get_current_user() if service is not None else None
        return bool(getattr(user, "opt_attrs", {}).get("edx-platform.user_is_staff"))

    def setting_warnings(self, children: int) -> list[str]:
        """Why the block's settings cannot be used as they are written (for course staff), translated."""
        _ = self.runtime.service(self, "i18n").gettext
        found = []
        written = self.xml_attributes.get("max_count")
        if written is not None:
            found.append(
                _("max_count %(value)s is not a number: one component is drawn.") % {"value": repr(written)}
            )
        elif self.max_count != ALL and self.max_count < 1:
            found.append(
                _("max_count %(value)s must be at least 1, or -1 for all: one component is drawn.")
                % {"value": self.max_count}
            )
        elif self.max_count > children > 0:
            found.append(
                _("max_count %(count)d is more than the %(children)d components: all of them are shown.")
                % {"count": self.max_count, "children": children}
            )
        if "allow_resetting_children" in self.xml_attributes:
            found.append(
                _("allow_resetting_children %(value)s is not true or false: learners cannot draw again.")
                % {"value": repr(self.xml_attributes["allow_resetting_children"])}
            )
        if self.mode not in MODES:
            found.append(
                _("The mode %(mode)s is not known: components are drawn at random.")
                % {"mode": repr(self.mode)}
            )
        if not children:
            found.append(_("This block has no components to draw from."))
        return found

    def validate(self) -> Validation:
        """The settings that cannot be used as written, as warnings (the import report lists them)."""
        validation = super().validate()
        for text in self.setting_warnings(len(self.children)):
            validation.add(ValidationMessage(ValidationMessage.WARNING, text))
        return validation

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The learner's drawn children; for course staff, every child, the undrawn ones marked."""
        _ = self.runtime.service(self, "i18n").gettext
        children = self._child_pairs()
        drawn = set(self.drawn(children))
        is_staff = self._is_staff()
        shown = [child_id for child_id, pair in children if is_staff or pair in drawn]
        fragment = Fragment()
        fragment.add_css_url(self.runtime.local_resource_url(self, "public/library_content.css"))
        parts = []
        if is_staff:
            notes = "".join(f"<li>{escape(w)}</li>" for w in self.setting_warnings(len(children)))
            if notes:
                parts.append(f'<ul class="library-content-warnings" role="note">{notes}</ul>')
        if not children:
            empty = escape(_("There is nothing to show here yet."))
            parts.append(f'<p class="library-content-empty">{empty}</p>')
        not_drawn = escape(_("Not drawn for you: learners see it only when it is drawn for them"))
        pair_of = dict(children)
        for child_id, html in self.render_children_into(fragment, context, shown):
            mark = ""
            extra = ""
            if pair_of[child_id] not in drawn:
                mark = f'<p><span class="badge visibility-mark" data-mark="not_drawn">{not_drawn}</span></p>'
                extra = " library-content-not-drawn"
            item_id = escape(str(child_id))
            parts.append(f'<div class="library-content-item{extra}" data-id="{item_id}">{mark}{html}</div>')
        if self.allow_resetting_children and children:
            label = escape(_("Draw other questions"))
            parts.append(f'<p><button type="button" class="library-content-reset">{label}</button></p>')
            fragment.add_javascript_url(self.runtime.local_resource_url(self, "public/library_content.js"))
            fragment.initialize_js("LibraryContentBlock", {"failed": _("The new draw could not be made.")})
        fragment.add_content(f'<div class="library-content">{"".join(parts)}</div>')
        return fragment

    # Drawing again ------------------------------------------------------------------------------------------

    @XBlock.json_handler
    def reset_selected_children(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Forget the state of the drawn children (and what is below them) and draw again, when the block
        allows it; the page is then shown again with the new draw."""
        _ = self.runtime.service(self, "i18n").gettext
        if not self.allow_resetting_children:
            raise JsonHandlerError(400, _("This block does not let learners draw again."))
        children = self._child_pairs()
        drawn = set(self.drawn(children))
        for child_id, pair in children:
            if pair in drawn:
                self._forget_state(self.runtime.get_block(child_id))
        self.selected = []
        return {"selected": [list(p) for p in self.drawn(children)]}

    def _forget_state(self, block: XBlock) -> None:
        for name, field in block.fields.items():
            if field.scope == Scope.user_state:
                delattr(block, name)
        for child_id in getattr(block, "children", []) if block.has_children else []:
            self._forget_state(self.runtime.get_block(child_id))
