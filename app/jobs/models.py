"""The record of a user-facing job: who asked for it, how far it has gone, what it produced or why it
failed. Tasks that nobody follows (mail) need none; exports, imports and recomputations have one."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.extensions import db


class JobStatus(StrEnum):
    """Where a job stands."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(db.Model):
    """One job a user asked for; its id is random so that it cannot be guessed from another's."""

    __tablename__ = "job"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: uuid.uuid4().hex)
    kind: Mapped[str] = mapped_column(String(64))
    # A plain key to the users table: app.jobs sits below app.accounts and must not import it.
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    warnings_json: Mapped[str] = mapped_column(Text, default="[]")
    error: Mapped[str | None] = mapped_column(Text)
    result_path: Mapped[str | None] = mapped_column(String(255))
    result_name: Mapped[str | None] = mapped_column(String(255))
    result_type: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=lambda: datetime.now(UTC))
    # What to queue again if the worker running it dies (app.jobs.recovery): the task and its arguments.
    task_name: Mapped[str | None] = mapped_column(String(100))
    task_args: Mapped[list[Any] | None] = mapped_column(JSON)
    # How many times a worker took it up, and the token of the run that holds it now (only that run may
    # record its end).
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claim: Mapped[str | None] = mapped_column(String(32))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def warnings(self) -> list[str]:
        """The warnings the job reported, in order."""
        value: Any = json.loads(self.warnings_json or "[]")
        return [str(item) for item in value]

    @property
    def finished(self) -> bool:
        """True once the job has succeeded or failed for good."""
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
