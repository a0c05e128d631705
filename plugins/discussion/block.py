"""A training forum block: being written (this file is replaced by the block's real code)."""

from __future__ import annotations

from xblock.core import XBlock


class DiscussionBlock(XBlock):
    """A training forum."""
