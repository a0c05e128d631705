"""Why the forum refuses a request: each refusal carries a message for the reader and an HTTP status."""

from __future__ import annotations


class ForumError(Exception):
    """A refused forum action, with a message in the reader's language and the status to answer with."""

    status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Invalid(ForumError):
    """What was typed cannot be posted (empty, too long, malformed)."""

    status = 400


class Forbidden(ForumError):
    """The reader may not do this (not a trainer, not the author, too late to edit)."""

    status = 403


class NotFound(ForumError):
    """No such thread or message in this discussion, or not one the reader may see."""

    status = 404


class Conflict(ForumError):
    """The thread's state does not allow it (closed), or it was done already (reported twice)."""

    status = 409
