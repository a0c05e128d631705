"""Mail delivery after a commit, through a real SMTP conversation with a small server on loopback: every
message of a transaction goes over one connection, a refused recipient fails alone, a server that cannot
be reached fails them all, and each outcome is recorded on its outbox row."""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from app.core import mail
from app.core.extensions import db

REFUSED = "refuse@exemple.fr"


@dataclass
class Received:
    """What the test server saw."""

    connections: int = 0
    recipients: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)


class _Conversation(socketserver.StreamRequestHandler):
    """The server side of SMTP, as much of it as a client sending mail uses (RFC 5321)."""

    def _say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        seen: Received = self.server.received  # type: ignore[attr-defined]
        seen.connections += 1
        self._say("220 test ESMTP")
        recipient = None
        while line := self.rfile.readline().decode("utf-8", "replace").rstrip("\r\n"):
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self._say("250 test")
            elif verb == "MAIL":
                recipient = None
                self._say("250 OK")
            elif verb == "RCPT":
                address = line.partition(":")[2].strip().strip("<>")
                if address == REFUSED:
                    self._say("550 no such mailbox")
                else:
                    recipient = address
                    self._say("250 OK")
            elif verb == "DATA":
                self._say("354 go on")
                body = []
                while (data := self.rfile.readline().decode()) not in (".\r\n", ""):
                    body.append(data)
                seen.recipients.append(recipient or "")
                seen.bodies.append("".join(body))
                self._say("250 queued")
            elif verb == "RSET":
                self._say("250 OK")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("502 not implemented")


@pytest.fixture
def smtp_server(app) -> Iterator[Received]:
    """A threaded SMTP server on a free loopback port, the application pointed at it (no STARTTLS)."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Conversation)
    server.daemon_threads = True
    server.received = Received()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    saved = {key: app.config[key] for key in ("SMTP_HOST", "SMTP_PORT", "SMTP_STARTTLS")}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.server_address[1], SMTP_STARTTLS=False)
    try:
        yield server.received  # type: ignore[attr-defined]
    finally:
        app.config.update(saved)
        server.shutdown()
        server.server_close()


def _rows(app, ids):
    with app.app_context():
        return {
            m.recipient: m
            for m in db.session.scalars(select(mail.OutboxMessage).where(mail.OutboxMessage.id.in_(ids)))
        }


def _send(app, recipients):
    with app.test_request_context("/"):
        ids = []
        for recipient in recipients:
            message = mail.queue(recipient, "Sujet", f"Bonjour {recipient}")
            db.session.flush()
            ids.append(message.id)
        db.session.commit()
    return ids


def test_a_transactions_messages_go_over_one_connection_and_a_refused_one_fails_alone(app, smtp_server):
    people = [f"personne{i}@exemple.fr" for i in range(5)]
    recipients = [*people[:2], REFUSED, *people[2:]]  # the others go on after the refusal
    ids = _send(app, recipients)
    assert smtp_server.connections == 1
    assert sorted(smtp_server.recipients) == sorted(people)
    assert any("Bonjour personne3@exemple.fr" in body for body in smtp_server.bodies)
    rows = _rows(app, ids)
    for recipient in people:
        assert rows[recipient].sent_at is not None and rows[recipient].error is None
        assert rows[recipient].transport == "smtp"
    assert rows[REFUSED].sent_at is None and "no such mailbox" in rows[REFUSED].error


def test_a_server_out_of_reach_fails_every_message_and_nothing_breaks(app):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    saved = {key: app.config[key] for key in ("SMTP_HOST", "SMTP_PORT")}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
    try:
        ids = _send(app, ["a@exemple.fr", "b@exemple.fr"])
    finally:
        app.config.update(saved)
    rows = _rows(app, ids)
    assert all(row.sent_at is None and row.error for row in rows.values())
