"""The ICT fresco block: being written (this file is replaced by the block's real code)."""

from __future__ import annotations

from xblock.core import XBlock


class IctFrescoBlock(XBlock):
    """The ICT fresco."""
