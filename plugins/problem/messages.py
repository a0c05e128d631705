"""Messages for people (authors and learners) raised deep in the block, translated where they are shown.

A :class:`Message` error carries an English message id with ``{placeholders}`` and their values; its
``str()`` is the English text (import reports, logs), :meth:`Message.translated` the learner's or
author's language. Message ids are marked with :func:`_` so that Babel extracts them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _(message: str) -> str:
    """Marks a message id for extraction; it is translated when shown."""
    return message


class Message(ValueError):
    """An error with a message for people: ``message`` (English id), ``params``, and a ``line``."""

    def __init__(self, message: str, line: int | None = None, **params: Any) -> None:
        self.message = message
        self.line = line
        self.params = params
        text = message.format(**params)
        super().__init__(f"line {line}: {text}" if line else text)

    def translated(self, gettext: Callable[[str], str]) -> str:
        """The message in the language of ``gettext``."""
        text = gettext(self.message).format(**self.params)
        return gettext("Line {line}: {message}").format(line=self.line, message=text) if self.line else text
