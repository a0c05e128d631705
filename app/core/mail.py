"""Outgoing mail: every message is queued in the ``outbox`` table with the transaction that caused it.

Messages leave only once that transaction has committed (a rolled-back change sends nothing): the
task queue delivers them, trying again with growing delays while the mail server cannot be reached (the
outbox rows are the durable record: a message is never sent twice, nor lost). With
``CYBERMASSIF_SMTP_HOST`` set they go through SMTP; otherwise they are written to the log, and in both
cases the network administrator can read them on the sent-messages page, so that nothing depends on a
mail server being there.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Boolean, DateTime, Integer, String, Text, bindparam, event, false, select
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column

from app.core.extensions import db

log = logging.getLogger("cybermassif.mail")

_PENDING_KEY = "cybermassif.outbox.pending"
_READY_KEY = "cybermassif.outbox.ready"


class OutboxMessage(db.Model):
    """One e-mail the platform sent or tried to send."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=lambda: datetime.now(UTC))
    transport: Mapped[str] = mapped_column(String(8), default="log")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)
    # Tries so far; a message the server refused is not tried again (a lost connection is).
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    given_up: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


def queue(recipient: str, subject: str, body: str) -> OutboxMessage:
    """Add a message to the current transaction; it is delivered after the commit."""
    message = OutboxMessage(recipient=recipient, subject=subject, body=body)
    db.session.add(message)
    db.session.info.setdefault(_PENDING_KEY, []).append(message)
    return message


def _email(app: Flask, message: dict[str, Any]) -> EmailMessage:
    email = EmailMessage()
    email["From"] = app.config["MAIL_FROM"]
    email["To"] = message["recipient"]
    email["Subject"] = message["subject"]
    email.set_content(message["body"])
    return email


# What the server answers about one message; the connection goes on with the next.
_REFUSED = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused)


def _deliver_smtp(app: Flask, messages: list[dict[str, Any]], outcomes: dict[int, dict[str, Any]]) -> None:
    """Send the messages over one connection (a cohort's file can invite thousands of people); a message
    the server refuses is recorded as failed and the others go on; a lost connection fails the rest."""
    try:
        with smtplib.SMTP(app.config["SMTP_HOST"], app.config["SMTP_PORT"], timeout=15) as smtp:
            if app.config["SMTP_STARTTLS"]:
                smtp.starttls()
            if app.config["SMTP_USER"]:
                smtp.login(app.config["SMTP_USER"], app.config["SMTP_PASSWORD"])
            for message in messages:
                try:
                    smtp.send_message(_email(app, message))
                except _REFUSED as error:
                    _failed(outcomes[message["id"]], message, error)
                    outcomes[message["id"]]["refused"] = _permanent(error)
                else:
                    outcomes[message["id"]]["sent_at"] = datetime.now(UTC)
    except (OSError, smtplib.SMTPException) as error:
        for message in messages:
            if outcomes[message["id"]]["sent_at"] is None and outcomes[message["id"]]["error"] is None:
                _failed(outcomes[message["id"]], message, error)


def _permanent(error: smtplib.SMTPException) -> bool:
    """A 5xx answer refuses the message for good; a 4xx one ("try again later") does not (RFC 5321)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in error.recipients.values())
    return int(getattr(error, "smtp_code", 500)) >= 500


def _failed(outcome: dict[str, Any], message: dict[str, Any], error: Exception) -> None:
    log.error("mail to %s failed: %s", message["recipient"], error)
    outcome["error"] = str(error)


class DeliveryDeferred(RuntimeError):
    """The mail server could not be reached: the messages stay in the outbox for the next attempt."""


# Called with the ids of the messages a transaction queued, before it commits (the task queue defers
# them to the commit); without one, they are delivered in-process right after the commit.
Dispatcher = Callable[[Session, list[int]], None]
_wiring: dict[str, Dispatcher] = {}


def set_dispatcher(dispatcher: Dispatcher | None) -> None:
    """Hand queued messages to ``dispatcher`` (the composition root wires the task queue here)."""
    if dispatcher is None:
        _wiring.pop("dispatcher", None)
    else:
        _wiring["dispatcher"] = dispatcher


def _snapshot(session: Session) -> None:
    # Read the rows before the commit expires them; after it, the session may not load anything.
    pending: list[OutboxMessage] = session.info.pop(_PENDING_KEY, [])
    if pending:
        session.flush()
        ids = [m.id for m in pending]
        dispatcher = _wiring.get("dispatcher")
        if dispatcher is not None:
            dispatcher(session, ids)
        else:
            session.info[_READY_KEY] = ids


def deliver(ids: list[int]) -> None:
    """Send the outbox messages ``ids`` not sent yet nor refused for good, and record how each went.
    Raises ``DeliveryDeferred`` when the server could not be reached, so that the queue tries again;
    a recipient the server refuses is not tried again."""
    table = OutboxMessage.__table__
    with db.engine.connect() as connection:
        rows = connection.execute(
            select(table.c.id, table.c.recipient, table.c.subject, table.c.body).where(
                table.c.id.in_(ids), table.c.sent_at.is_(None), table.c.given_up.is_(False)
            )
        ).all()
    pending = [{"id": r.id, "recipient": r.recipient, "subject": r.subject, "body": r.body} for r in rows]
    if not pending:
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    transport = "smtp" if app.config["SMTP_HOST"] else "log"
    outcomes = {m["id"]: {"id": m["id"], "sent_at": None, "error": None, "refused": False} for m in pending}
    if transport == "smtp":
        _deliver_smtp(app, pending, outcomes)
    else:
        for message in pending:
            log.info("mail to %s: %s\n%s", message["recipient"], message["subject"], message["body"])
            outcomes[message["id"]]["sent_at"] = datetime.now(UTC)
    # A separate short transaction: the caller's has already committed, or the task may yet fail.
    with db.engine.begin() as connection:
        connection.execute(
            table.update()
            .where(table.c.id == bindparam("message_id"))
            .values(
                sent_at=bindparam("sent"),
                error=bindparam("failure"),
                given_up=bindparam("refused"),
                transport=transport,
                attempts=table.c.attempts + 1,
            ),
            [
                {"message_id": o["id"], "sent": o["sent_at"], "failure": o["error"], "refused": o["refused"]}
                for o in outcomes.values()
            ],
        )
    deferred = [o for o in outcomes.values() if o["sent_at"] is None and not o["refused"]]
    if deferred:
        raise DeliveryDeferred(f"{len(deferred)} message(s) not delivered: {deferred[0]['error']}")


# A message never tried an hour after it was written never reached the queue (the queue was down when its
# transaction committed, or the process died before handing it over): it is handed over again. One the
# queue tried is left to its retries (handing it over again could send it twice, from two chains of
# tries); the sent-messages page shows their errors. Unsent at three days old, a message is given up.
STRANDED_AFTER = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(days=3)
RESEND_BATCH = 500


def stranded(now: datetime) -> tuple[list[int], int]:
    """The messages never tried to hand to the queue again (ids, oldest first, at most
    :data:`RESEND_BATCH`), and how many were given up now for being older than :data:`GIVE_UP_AFTER`
    (in one short transaction)."""
    table = OutboxMessage.__table__
    unsent = (table.c.sent_at.is_(None), table.c.given_up.is_(False))
    with db.engine.begin() as connection:
        given_up = connection.execute(
            table.update()
            .where(*unsent, table.c.created_at < now - GIVE_UP_AFTER)
            .values(given_up=True, error=_GAVE_UP)
        ).rowcount
        ids = connection.scalars(
            select(table.c.id)
            .where(*unsent, table.c.attempts == 0, table.c.created_at < now - STRANDED_AFTER)
            .order_by(table.c.id)
            .limit(RESEND_BATCH)
        ).all()
    return list(ids), given_up


_GAVE_UP = "not delivered within 3 days: given up"


def _after_commit(session: Session) -> None:
    ids: list[int] = session.info.pop(_READY_KEY, [])
    if ids:
        try:
            deliver(ids)
        except DeliveryDeferred as error:
            log.error("%s", error)


def _forget_pending(session: Session, previous: SessionTransaction) -> None:
    # A savepoint's rollback keeps the outer transaction and its messages (a message the savepoint
    # wrote is gone from the table, so delivery finds nothing to send for it).
    if previous.nested:
        return
    session.info.pop(_PENDING_KEY, None)
    session.info.pop(_READY_KEY, None)


def init_app(app: Flask) -> None:
    """Deliver queued mail after each commit, and drop it after a rollback (registered once per process)."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "before_commit", _snapshot)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _forget_pending)
