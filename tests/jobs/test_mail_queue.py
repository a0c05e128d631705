"""Mail through the real queue (a SQLite file, and Redis where one answers) and a real SMTP server on
loopback (aiosmtpd): a server that answers "try again later" and then recovers gets each message once,
after retries; a rolled-back transaction queues nothing; a committed one queues only after its commit."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app.core import mail
from app.core.extensions import db
from tests.jobs.harness import consuming, make_queue_app, queue_of, queue_url, wait_for


@dataclass
class FlakySmtp:
    """An SMTP handler that answers 451 (try again later) to the first ``failures`` messages."""

    failures: int
    tries: int = 0
    received: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.tries += 1
        if self.tries <= self.failures:
            return "451 4.3.0 try again later"
        self.received.extend(envelope.rcpt_tos)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def flaky_smtp() -> Iterator[tuple[FlakySmtp, int]]:
    """A real SMTP server on a free loopback port that fails twice, then accepts."""
    handler = FlakySmtp(failures=2)
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_mail_is_retried_until_the_server_recovers(app, database, tmp_path, flaky_smtp, backend):
    handler, port = flaky_smtp
    queue_app = make_queue_app(
        database,
        tmp_path,
        queue_url(backend, tmp_path),
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=port,
        SMTP_STARTTLS=False,
    )
    with queue_app.app_context():
        message = mail.queue("learner@example.fr", "Bienvenue", "Bonjour")
        db.session.commit()
        message_id = message.id
    with consuming(queue_app):

        def delivered() -> Any:
            with queue_app.app_context():
                row = db.session.get(mail.OutboxMessage, message_id)
                return row if row is not None and row.sent_at is not None else None

        row = wait_for(delivered)
    assert handler.received == ["learner@example.fr"]  # once, after two refusals
    assert handler.tries == 3 and row.attempts == 3 and row.error is None and row.transport == "smtp"


def test_a_refused_recipient_is_not_tried_again(app, database, tmp_path):
    class Refusing(FlakySmtp):
        async def handle_RCPT(
            self, server: Any, session: Any, envelope: Any, address: str, options: Any
        ) -> str:
            return "550 5.1.1 no such mailbox"

    refusing = Refusing(failures=0)
    port = _free_port()
    controller = Controller(refusing, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        queue_app = make_queue_app(
            database,
            tmp_path,
            queue_url("sqlite", tmp_path),
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=port,
            SMTP_STARTTLS=False,
        )
        with queue_app.app_context():
            message = mail.queue("nobody@example.fr", "Objet", "Texte")
            db.session.commit()
            message_id = message.id
        with consuming(queue_app):

            def tried() -> Any:
                with queue_app.app_context():
                    row = db.session.get(mail.OutboxMessage, message_id)
                    return row if row is not None and row.given_up else None

            row = wait_for(tried)
            assert queue_of(queue_app).huey.scheduled_count() == 0  # no retry waiting
    finally:
        controller.stop()
    assert row.attempts == 1 and row.sent_at is None and "550" in (row.error or "")
    assert refusing.received == []


def test_a_rolled_back_transaction_queues_nothing(app, database, tmp_path):
    queue_app = make_queue_app(database, tmp_path, queue_url("sqlite", tmp_path))
    huey = queue_of(queue_app).huey
    with queue_app.app_context():
        mail.queue("a@example.fr", "Objet", "Texte")
        db.session.flush()
        assert huey.pending_count() == 0  # not before the commit
        db.session.rollback()
        assert huey.pending_count() == 0
        assert db.session.scalars(select(mail.OutboxMessage)).all() == []
        mail.queue("b@example.fr", "Objet", "Texte")
        db.session.commit()
        assert huey.pending_count() == 1  # once committed, and only then
    huey.flush()


def test_a_savepoint_rolled_back_keeps_the_outer_transactions_tasks(app, database, tmp_path):
    queue_app = make_queue_app(database, tmp_path, queue_url("sqlite", tmp_path))
    huey = queue_of(queue_app).huey
    with queue_app.app_context():
        mail.queue("a@example.fr", "Objet", "Texte")
        with db.session.begin_nested() as nested:
            db.session.add(mail.OutboxMessage(recipient="x@example.fr", subject="s", body="b"))
            nested.rollback()
        db.session.commit()
        assert huey.pending_count() == 1
    huey.flush()


def test_a_queue_that_is_down_loses_nothing_the_request_committed(app, database, tmp_path):
    # Nothing listens on port 1: Redis cannot be reached when the commit hands the task over.
    queue_app = make_queue_app(database, tmp_path, "redis://127.0.0.1:1/0")
    with queue_app.app_context():
        message = mail.queue("c@example.fr", "Objet", "Texte")
        db.session.commit()  # does not raise: the data is committed
        kept = db.session.get(mail.OutboxMessage, message.id)
        assert kept is not None and kept.sent_at is None and kept.attempts == 0


def _periodic(queue_app: Any, name: str) -> Any:
    """Run the queue's periodic task ``name`` as its consumer would."""
    huey = queue_of(queue_app).huey
    task = next(t for t in huey._registry.periodic_tasks if t.name == name)
    return huey.execute(task)


def _age(queue_app: Any, message_id: int, by: timedelta) -> None:
    with queue_app.app_context():
        row = db.session.get(mail.OutboxMessage, message_id)
        row.created_at = datetime.now(UTC) - by
        db.session.commit()


def test_mail_the_queue_never_got_is_handed_over_again_and_sent_once(app, database, tmp_path):
    """The queue was down when the request committed: an hour later the queue's periodic ``mail.resend``
    hands the message over again and it is sent, once (a second run finds nothing to resend); a message
    the queue already tried is left to its retries; one unsent for three days is given up."""
    down = make_queue_app(database, tmp_path, "redis://127.0.0.1:1/0")
    with down.app_context():
        messages = [mail.queue(f"r{i}@example.fr", "Objet", "Texte") for i in range(4)]
        db.session.commit()
        recent, stranded, old, tried_id = (m.id for m in messages)
        # One the queue took and tried twice (its retries are under way): not to be handed over again.
        db.session.get(mail.OutboxMessage, tried_id).attempts = 2
        db.session.commit()
    _age(down, stranded, timedelta(hours=2))
    _age(down, old, timedelta(days=4))
    _age(down, tried_id, timedelta(hours=2))
    queue_app = make_queue_app(database, tmp_path, queue_url("sqlite", tmp_path))
    assert "mail.resend" in {t.name for t in queue_of(queue_app).huey._registry.periodic_tasks}
    _periodic(queue_app, "mail.resend")
    with consuming(queue_app):

        def sent() -> Any:
            with queue_app.app_context():
                row = db.session.get(mail.OutboxMessage, stranded)
                return row if row.sent_at is not None else None

        wait_for(sent)
    _periodic(queue_app, "mail.resend")
    with queue_app.app_context():
        rows = {r.id: r for r in db.session.scalars(select(mail.OutboxMessage)).all()}
        assert rows[stranded].attempts == 1  # sent once, and not handed over again
        assert rows[recent].sent_at is None and rows[recent].attempts == 0  # its hour has not passed
        assert rows[old].given_up and "3 days" in rows[old].error and rows[old].sent_at is None
        assert rows[tried_id].sent_at is None and rows[tried_id].attempts == 2  # left to its retries
