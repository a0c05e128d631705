"""Refusals of the LTI service: what a tool or a learner's browser sent that the platform will not take."""

from __future__ import annotations


class LtiRefused(ValueError):
    """A request the platform refuses; ``status`` is the HTTP status to answer with (4xx).

    A ValueError, so that blocks, which may not import the platform, can catch it.
    """

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status
