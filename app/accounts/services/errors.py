"""Errors services raise for a request they refuse; routes turn them into a message and a 4xx."""

from __future__ import annotations


class ServiceError(Exception):
    """A change refused for a reason the user can act on. ``field`` names the form field concerned."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Forbidden(ServiceError):
    """The acting user may not make this change."""
