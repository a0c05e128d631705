"""The ``learner_files`` block service: files learners hand in on a block, and the copies trainers give back.

A block that asks for it (``@XBlock.needs("learner_files")``) gets, for the person its runtime works for:

- :meth:`LearnerFilesService.save_own`: keeps the acting learner's file for the block (replacing the one
  before, in the same slot);
- :meth:`LearnerFilesService.save_for`: course staff keep a file for a learner they follow (an annotated
  copy of the learner's work);
- :meth:`LearnerFilesService.read`: the acting person's own file, or, for course staff, the file of a
  learner they follow (the ``staff_grading`` service's rule: :mod:`app.courses.staff_grading`);
- :meth:`LearnerFilesService.describe`: the same, for many learners at once, without the content.

Files live in the database (as course assets do), so every web worker sees them; the name a learner
gives is only a label, checked and kept for the download, never a path on any disk. The service checks
what every block needs (a name without folders, a size under :data:`MAX_BYTES`, not empty); what a block
accepts beyond that (types, a smaller size) is the block's to say, in its words. Nothing commits.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from app.core.extensions import db
from app.courses.models import LearnerFile
from app.courses.staff_grading import StaffGradingService

#: The largest file the platform keeps for a learner (a handler's whole request is at most 1 MiB).
MAX_BYTES = 1_000_000
MAX_NAME = 200
SLOTS = ("submission", "annotated")


class FileRefused(ValueError):
    """A file the service will not keep; ``code`` names why (``empty``, ``too_large``, ``bad_name``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class FileInfo:
    """What is known of a kept file, without its content."""

    filename: str
    content_type: str
    size: int
    uploaded_at: datetime


@dataclass(frozen=True)
class StoredFile:
    """A kept file and what is known of it."""

    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    data: bytes


def checked_name(name: str) -> str:
    """``name`` as kept: NFC, no surrounding blanks. Refused (:class:`FileRefused` ``bad_name``): an empty
    name, one naming a folder (``/``, ``\\``), starting with a dot, holding control characters or over
    :data:`MAX_NAME` characters."""
    name = unicodedata.normalize("NFC", name or "").strip()
    if (
        not name
        or "/" in name
        or "\\" in name
        or name.startswith(".")
        or len(name) > MAX_NAME
        or any(unicodedata.category(char).startswith("C") for char in name)
    ):
        raise FileRefused("bad_name", f"not an acceptable file name: {name[:80]!r}")
    return name


def _stored(row: LearnerFile) -> StoredFile:
    return StoredFile(row.filename, row.content_type, row.size, row.sha256, row.uploaded_at, row.data)


class LearnerFilesService:
    """The service of one runtime: acts for the person that runtime works for."""

    def __init__(self, runtime: Any) -> None:
        self._runtime = runtime

    def _row(self, block: Any, user_id: int, slot: str) -> LearnerFile | None:
        if slot not in SLOTS:
            raise ValueError(f"unknown slot {slot!r}")
        return db.session.scalars(
            select(LearnerFile).where(
                LearnerFile.usage_id == str(block.scope_ids.usage_id),
                LearnerFile.user_id == user_id,
                LearnerFile.slot == slot,
            )
        ).first()

    def _keep(
        self,
        block: Any,
        user_id: int,
        slot: str,
        *,
        data: bytes,
        filename: str,
        content_type: str,
        uploaded_by: int,
    ) -> StoredFile:
        name = checked_name(filename)
        if not data:
            raise FileRefused("empty", "the file is empty")
        if len(data) > MAX_BYTES:
            raise FileRefused("too_large", f"the file is larger than {MAX_BYTES} bytes")
        row = self._row(block, user_id, slot)
        if row is None:
            row = LearnerFile(
                course_key=str(block.scope_ids.usage_id.course_key),
                usage_id=str(block.scope_ids.usage_id),
                user_id=user_id,
                slot=slot,
            )
            db.session.add(row)
        row.filename = name
        row.content_type = content_type[:128]
        row.size = len(data)
        row.sha256 = hashlib.sha256(data).hexdigest()
        row.data = data
        row.uploaded_by_id = uploaded_by
        row.uploaded_at = datetime.now(UTC)
        db.session.flush()
        return _stored(row)

    def _signed_in(self) -> int:
        user_id = self._runtime.learner.user_id
        if user_id is None:
            raise PermissionError("only signed-in people keep files")
        return int(user_id)

    def save_own(
        self, block: Any, data: bytes, filename: str, content_type: str, slot: str = "submission"
    ) -> StoredFile:
        """Keep the acting person's file on ``block`` (replacing their file in ``slot``)."""
        user_id = self._signed_in()
        return self._keep(
            block, user_id, slot, data=data, filename=filename, content_type=content_type, uploaded_by=user_id
        )

    def save_for(
        self,
        block: Any,
        learner_id: int,
        data: bytes,
        filename: str,
        content_type: str,
        *,
        slot: str = "annotated",
    ) -> StoredFile:
        """Course staff keep a file for a learner they follow (refusals as the ``staff_grading``
        service's: :class:`~app.courses.staff_grading.LearnerOutOfScope`…)."""
        StaffGradingService(self._runtime).submission(block, learner_id)
        return self._keep(
            block,
            learner_id,
            slot,
            data=data,
            filename=filename,
            content_type=content_type,
            uploaded_by=self._signed_in(),
        )

    def read(self, block: Any, learner_id: int | None = None, slot: str = "submission") -> StoredFile | None:
        """The file in ``slot`` of the acting person (``learner_id`` None or their own id), or of a learner
        the acting course staff follow; None when there is none. Anyone else's: PermissionError."""
        user_id = self._signed_in()
        if learner_id is not None and learner_id != user_id:
            # Refused unless the acting person is course staff following that learner.
            StaffGradingService(self._runtime).submission(block, learner_id)
            user_id = learner_id
        row = self._row(block, user_id, slot)
        return _stored(row) if row is not None else None

    def describe(self, block: Any, learner_ids: list[int], slot: str = "submission") -> dict[int, FileInfo]:
        """What is kept in ``slot`` for these learners (without the files' content), by learner: the acting
        person's own, and, for course staff, those of the learners they follow (the others are left out).
        One query, and two more when others' files are asked for."""
        user_id = self._signed_in()
        wanted = set(learner_ids)
        if wanted - {user_id}:
            followed = StaffGradingService(self._runtime).submissions(block, fields=())
            wanted &= {work.user_id for work in followed} | {user_id}
        if slot not in SLOTS:
            raise ValueError(f"unknown slot {slot!r}")
        if not wanted:
            return {}
        rows = db.session.execute(
            select(
                LearnerFile.user_id,
                LearnerFile.filename,
                LearnerFile.content_type,
                LearnerFile.size,
                LearnerFile.uploaded_at,
            ).where(
                LearnerFile.usage_id == str(block.scope_ids.usage_id),
                LearnerFile.slot == slot,
                LearnerFile.user_id.in_(sorted(wanted)),
            )
        ).all()
        return {row[0]: FileInfo(*row[1:]) for row in rows}
