"""Reasons people read, kept as a message id and its parameters, so that each reader reads them in their
language.

The runtime has no Flask: a module marks its message ids with :func:`_` (Babel extracts them into the
platform's catalogue), and keeps the id with its parameters (``%(name)s`` placeholders). The page that shows
a reason translates it (``reason.translated(gettext)``, gettext being the reader's); logs and the command
line read its English (``str(reason)``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


def _(message: str) -> str:
    """Marks a message id for extraction; it is translated where it is shown."""
    return message


def fill(message: str, params: Mapping[str, Any], gettext: Callable[[str], str] | None = None) -> str:
    """``message`` (translated by ``gettext`` when given) with its parameters filled in; a parameter that is
    itself a :class:`Reason` is translated too."""
    template = gettext(message) if gettext is not None else message
    if not params:
        return template
    values = {
        name: fill(value.message, value.params, gettext) if isinstance(value, Reason) else value
        for name, value in params.items()
    }
    return template % values


@dataclass(frozen=True)
class Reason:
    """A message id and its parameters."""

    message: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def translated(self, gettext: Callable[[str], str]) -> str:
        """The reason in the language of ``gettext``."""
        return fill(self.message, self.params, gettext)

    def __str__(self) -> str:
        return fill(self.message, self.params)
