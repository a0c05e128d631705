"""The block shown in place of a type that is not installed or is disabled: a notice, never a 500.

Its OLX is kept (in the block tree's ``olx`` column) so that export gives the original back unchanged.
"""

from __future__ import annotations

from typing import Any

from markupsafe import escape
from web_fragments.fragment import Fragment
from xblock.completable import XBlockCompletionMode
from xblock.core import XBlock
from xblock.fields import Scope, String


class UnavailableBlock(XBlock):
    """Stands in for a block whose type cannot be used here."""

    completion_mode = XBlockCompletionMode.EXCLUDED
    display_name = String(scope=Scope.settings, default="")
    unavailable_reason = String(scope=Scope.settings, default="missing")

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """A short notice in the learner's language (the page passes the translated text in context)."""
        notices = (context or {}).get("unavailable_notices", {})
        # The runtime knows why (disabled or not installed); the field is only a fallback.
        ask = getattr(self.runtime, "unavailable_reason", None)
        reason = ask(self.scope_ids.block_type) if callable(ask) else self.unavailable_reason
        text = notices.get(reason) or notices.get("missing") or "This component is not available."
        return Fragment(
            f'<div class="xblock-unavailable" role="note"><p>{escape(text)}</p>'
            f'<p class="muted">{escape(self.scope_ids.block_type)}</p></div>'
        )

    author_view = student_view
    studio_view = student_view
