"""Learners' plain text as it is kept: line breaks as ``\\n``, no invisible control characters."""

from __future__ import annotations

import re

# Control characters other than tab and line feed: invisible, and NUL cannot be stored by PostgreSQL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalise(text: str) -> str:
    """Line breaks as ``\\n`` and no invisible control characters."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
