"""A bench-only block type, ``benchbatch``: a block whose handler reports what a learner did on several
blocks at once (as a video block reporting its chapters, or a page reporting what was seen). Its
``complete`` handler publishes a ``progress`` event (completion 1.0) for each usage id it is sent; ``noop``
does nothing. It is registered in a process's registry only, as the test suite registers its test blocks;
nothing is installed.
"""

from __future__ import annotations

from typing import Any

from web_fragments.fragment import Fragment
from xblock.core import XBlock

from app.runtime.registry import get_registry


class BatchBlock(XBlock):
    """Bench-only: publishes completions for blocks of its course."""

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """Nothing to see."""
        return Fragment("<p>bench</p>")

    @XBlock.json_handler
    def complete(self, data: dict[str, Any], suffix: str = "") -> dict[str, int]:
        """Publish completion 1.0 for each usage id in ``data["blocks"]`` (one request, one batch)."""
        for usage_id in data["blocks"]:
            self.runtime.publish(self.runtime.get_block(usage_id), "progress", {})
        return {"published": len(data["blocks"])}

    @XBlock.json_handler
    def noop(self, data: dict[str, Any], suffix: str = "") -> dict[str, int]:
        """The same request doing nothing: the reference."""
        return {"published": 0}


def register() -> None:
    """Serve ``benchbatch`` from the registry of this process."""
    registry = get_registry()
    original = registry.load_block_class
    registry.load_block_class = lambda name: BatchBlock if name == "benchbatch" else original(name)  # type: ignore[method-assign]
