"""Fixtures for the accounts tests: a second application with other settings, and the mail outbox."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from app import create_app
from app.core.extensions import db
from app.core.mail import OutboxMessage

LINK = re.compile(r"https?://[^/\s]+(/\S+)")


@pytest.fixture
def make_app(app: Flask, database: dict[str, Any]) -> Iterator[Callable[..., Flask]]:
    """Build another application on the run's (already migrated) database, with some settings changed.

    It shares the extensions with the session's ``app`` (the rate limiter's storage is replaced by a fresh
    one, which both then use); the tables are emptied after the test as usual.
    """
    built: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        application = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": app.config["SECRET_KEY"],
                "RATELIMIT_STORAGE_URI": "memory://",
                **database,
                **overrides,
            }
        )
        built.append(application)
        return application

    yield build
    for application in built:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def outbox(app: Flask) -> Callable[..., list[OutboxMessage]]:
    """The queued messages (optionally for one recipient), oldest first, detached."""

    def read(recipient: str | None = None) -> list[OutboxMessage]:
        with app.app_context():
            query = db.select(OutboxMessage).order_by(OutboxMessage.id)
            if recipient is not None:
                query = query.where(OutboxMessage.recipient == recipient)
            messages = list(db.session.scalars(query))
            db.session.expunge_all()
        return messages

    return read


def link_in(body: str) -> str:
    """The path of the (first) link in a message body."""
    match = LINK.search(body)
    assert match, f"no link in {body!r}"
    return match.group(1)
