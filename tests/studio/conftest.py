"""Fixtures for the studio: the block-test fixtures, and a test-only block type with an editor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from markupsafe import escape
from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError
from xblock.fields import Scope, String

from app.runtime.registry import get_registry
from tests.plugins.conftest import as_user, enrolled, olx_course, trainer

__all__ = ["as_user", "enrolled", "olx_course", "trainer"]


class EditableBlock(XBlock):
    """A test block with an editor: its text is content, its name a setting."""

    display_name = String(scope=Scope.settings, default="Modifiable")
    text = String(scope=Scope.content, default="")

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The text."""
        return Fragment(f'<p class="editable">{escape(self.text)}</p>')

    def studio_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """A form with the text."""
        return Fragment(f'<textarea class="editable-editor">{escape(self.text)}</textarea>')

    @XBlock.json_handler
    def studio_submit(self, data: dict[str, Any], suffix: str = "") -> dict[str, str]:
        """Save the text (at most 100 characters) and the name."""
        text = data.get("text")
        if not isinstance(text, str) or len(text) > 100:
            raise JsonHandlerError(400, "The text must be at most 100 characters.")
        self.text = text
        if "display_name" in data:
            self.display_name = str(data["display_name"])
        return {"result": "success"}


@pytest.fixture(autouse=True)
def editable_block_type(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The registry also loads the ``editable`` test block (nothing is installed or scanned)."""
    registry = get_registry()
    original = registry.load_block_class
    monkeypatch.setattr(
        registry, "load_block_class", lambda name: EditableBlock if name == "editable" else original(name)
    )
    yield
