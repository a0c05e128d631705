"""A trainer's file of grades (CSV, as Open edX's staff-graded block exports and imports it), checked.

Each row names a learner by ``username``, ``email`` or ``user_id`` (Open edX's export has all three; the
first one filled in is used) and gives a score in ``points`` (or ``new_points``, ``score``, ``grade``,
``note``); a ``comment`` column, when there is one, replaces the learner's comment. A row without a score
is left alone, as Open edX does. Commas, semicolons (French spreadsheets) and tabs separate columns; UTF-8
(with or without a byte-order mark) and Windows-1252 are read.

The file is checked whole before anything is written: :func:`read_grades` returns every grade or raises
:class:`GradesRefused` with one message per bad row.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

MAX_CSV_BYTES = 512 * 1024
MAX_ROWS = 5000
MAX_COMMENT = 5000
MAX_ERRORS_SHOWN = 20
IDENTITY_COLUMNS = ("username", "email", "user_id")
SCORE_COLUMNS = ("points", "new_points", "new points", "score", "grade", "note")
COMMENT_COLUMNS = ("comment", "commentaire")


class GradesRefused(ValueError):
    """The file cannot be used; ``messages`` says why, one line per problem."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Learner:
    """A learner the trainer follows, as the file may name them."""

    user_id: int
    username: str
    email: str


@dataclass(frozen=True)
class Grade:
    """One row to apply: the learner, their score and the comment (None: keep the learner's)."""

    line: int
    user_id: int
    points: float
    comment: str | None


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheets saved "CSV" on Windows in French write Windows-1252.
        return data.decode("cp1252", errors="strict")


def _number(text: str) -> float | None:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _column(header: list[str], names: Iterable[str]) -> int | None:
    for name in names:
        if name in header:
            return header.index(name)
    return None


@dataclass(frozen=True)
class _Columns:
    """Where the file's columns are (None: absent)."""

    identity: dict[str, int | None]
    score: int | None
    comment: int | None


def _rows(data: bytes, _: Callable[[str], str]) -> list[list[str]]:
    """The file's rows, its size, encoding and shape checked (GradesRefused)."""
    if not data.strip():
        raise GradesRefused([_("The file is empty.")])
    if len(data) > MAX_CSV_BYTES:
        raise GradesRefused(
            [_("The file is too large: at most %(size)d kB.") % {"size": MAX_CSV_BYTES // 1024}]
        )
    try:
        text = _text(data)
    except UnicodeDecodeError:
        raise GradesRefused([_("The file is not a text (CSV) file.")]) from None
    if "\x00" in text:
        raise GradesRefused([_("The file is not a text (CSV) file.")])
    lines = text.splitlines()
    # The separator the header uses most: commas, or semicolons and tabs from French spreadsheets.
    delimiter = max(",;\t", key=lines[0].count)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if len(rows) - 1 > MAX_ROWS:
        raise GradesRefused([_("The file has too many rows: at most %(rows)d.") % {"rows": MAX_ROWS}])
    return rows


def _columns(header: list[str], _: Callable[[str], str]) -> _Columns:
    names = [cell.strip().lower() for cell in header]
    columns = _Columns(
        identity={name: _column(names, (name,)) for name in IDENTITY_COLUMNS},
        score=_column(names, SCORE_COLUMNS),
        comment=_column(names, COMMENT_COLUMNS),
    )
    if all(index is None for index in columns.identity.values()) or columns.score is None:
        raise GradesRefused(
            [
                _(
                    "The first line must name the columns: a learner's username or email (or user_id), "
                    "and their score in points."
                )
            ]
        )
    return columns


class _Checker:
    """Checks the rows one by one against the learners the trainer follows."""

    def __init__(
        self,
        learners: Iterable[Learner],
        maximum: float,
        _: Callable[[str], str],
        format_number: Callable[[float], str],
    ) -> None:
        people = list(learners)
        self.lookups = {
            "username": {learner.username.lower(): learner for learner in people},
            "email": {learner.email.lower(): learner for learner in people if learner.email},
            "user_id": {str(learner.user_id): learner for learner in people},
        }
        self.maximum = maximum
        self._ = _
        self.format_number = format_number
        self.seen: dict[int, int] = {}

    def check(self, line: int, cells: list[str], columns: _Columns) -> Grade | None:
        """The row's grade, None for a row without a score; GradesRefused (one message) otherwise."""
        _ = self._

        def cell(index: int | None) -> str:
            return cells[index] if index is not None and index < len(cells) else ""

        named = next(((name, cell(index)) for name, index in columns.identity.items() if cell(index)), None)
        if named is None:
            raise GradesRefused([_("Line %(line)d: no learner is named.") % {"line": line}])
        learner = self.lookups[named[0]].get(named[1].lower())
        if learner is None:
            raise GradesRefused(
                [
                    _("Line %(line)d: “%(who)s” is not a learner of yours in this course.")
                    % {"line": line, "who": named[1][:80]}
                ]
            )
        score_text = cell(columns.score)
        if not score_text:
            return None
        points = _number(score_text)
        if points is None or not 0 <= points <= self.maximum:
            raise GradesRefused(
                [
                    _("Line %(line)d: the score “%(score)s” is not a number from 0 to %(max)s.")
                    % {"line": line, "score": score_text[:40], "max": self.format_number(self.maximum)}
                ]
            )
        if learner.user_id in self.seen:
            raise GradesRefused(
                [
                    _("Line %(line)d: this learner already has a score on line %(first)d.")
                    % {"line": line, "first": self.seen[learner.user_id]}
                ]
            )
        comment = cell(columns.comment) if columns.comment is not None else None
        if comment is not None and len(comment) > MAX_COMMENT:
            raise GradesRefused(
                [
                    _("Line %(line)d: the comment is longer than %(max)d characters.")
                    % {"line": line, "max": MAX_COMMENT}
                ]
            )
        self.seen[learner.user_id] = line
        return Grade(line, learner.user_id, points, comment)


def read_grades(
    data: bytes,
    learners: Iterable[Learner],
    maximum: float,
    _: Callable[[str], str],
    format_number: Callable[[float], str],
) -> list[Grade]:
    """The grades of the file ``data`` for ``learners`` (out of ``maximum``); GradesRefused otherwise."""
    rows = _rows(data, _)
    columns = _columns(rows[0], _)
    checker = _Checker(learners, maximum, _, format_number)
    grades: list[Grade] = []
    errors: list[str] = []
    for line, row in enumerate(rows[1:], start=2):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        try:
            grade = checker.check(line, cells, columns)
        except GradesRefused as error:
            errors.extend(error.messages)
            continue
        if grade is not None:
            grades.append(grade)
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN]
        if len(errors) > len(shown):
            shown.append(_("… and %(count)d more problems.") % {"count": len(errors) - len(shown)})
        raise GradesRefused([_("Nothing was changed. Correct the file and send it again:"), *shown])
    if not grades:
        raise GradesRefused([_("The file gives no score: nothing was changed.")])
    return grades
