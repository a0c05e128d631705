"""Enrolment files in CSV: reading what spreadsheets write, and writing what spreadsheets open safely.

Reading (no database): the encoding is UTF-8 (with or without a byte-order mark) or else Windows-1252,
what Excel writes on a French Windows ("CSV (séparateur : point-virgule)"); the delimiter is a comma or
a semicolon; the header names its columns in French or English, in any order. A file the reader cannot
take as a whole (too large, too many rows, an undecodable byte, a missing column) raises ``FileRefused``
with a message naming the problem and, where there is one, its line; a problem with one row stays with
that row (``Row.problems``), so that a preview can list them all.

Writing (through ``app.core.spreadsheets``, like every export): a cell beginning with ``=``, ``+``, ``-``,
``@`` (or a tab or carriage return) is what a spreadsheet runs as a formula (CSV injection), so exports put
an apostrophe before it; on import such a cell is kept as text and flagged. The import reads back what the
export writes (semicolons, a byte-order mark).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.accounts.identifiers import normalise_siret
from app.accounts.models import Role
from app.core import spreadsheets
from app.core.spreadsheets import Cell

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000
MAX_CELL = 254  # the longest value a column takes (an e-mail address)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Column -> the header names accepted for it, compared without case, accents, spaces or punctuation.
COLUMNS: dict[str, tuple[str, ...]] = {
    "email": ("email", "e-mail", "courriel", "mail", "adresse e-mail", "adresse email", "email address"),
    "first_name": ("first_name", "first name", "firstname", "given name", "prénom", "prenom"),
    "last_name": ("last_name", "last name", "lastname", "surname", "family name", "nom", "nom de famille"),
    "siret": ("siret", "numéro siret", "siret number", "n° siret"),
    "role": ("role", "rôle"),
}
COLUMN_LABELS = {
    "email": _l("e-mail"),
    "first_name": _l("first name"),
    "last_name": _l("last name"),
    "siret": _l("SIRET"),
    "role": _l("role"),
}
ROLE_VALUES: dict[str, Role] = {
    "learner": Role.LEARNER,
    "apprenant": Role.LEARNER,
    "apprenante": Role.LEARNER,
    "stagiaire": Role.LEARNER,
    "company_manager": Role.COMPANY_MANAGER,
    "company manager": Role.COMPANY_MANAGER,
    "manager": Role.COMPANY_MANAGER,
    "responsable": Role.COMPANY_MANAGER,
    "responsable d'entreprise": Role.COMPANY_MANAGER,
    "dirigeant": Role.COMPANY_MANAGER,
    "dirigeante": Role.COMPANY_MANAGER,
}
# Well-formed UTF-8 sequences beyond ASCII: their presence tells a damaged UTF-8 file from a Windows one.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


class FileRefused(Exception):
    """The file cannot be read as a whole; ``message`` says why, in the reader's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Row:
    """One line of the file: its values as typed (trimmed) and what is wrong with it."""

    line: int
    email: str
    first_name: str
    last_name: str
    siret: str
    role_text: str
    role: Role | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def display_name(self) -> str:
        """First and last name, as a person's name is shown."""
        return f"{self.first_name} {self.last_name}".strip()


@dataclass
class ParsedFile:
    """The rows of a file that could be read, and how it was read."""

    rows: list[Row]
    encoding: str
    delimiter: str


def _key(header: str) -> str:
    """A header name compared without case, accents, spaces, dashes, dots or underscores."""
    text = unicodedata.normalize("NFKD", header.strip().lower())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return re.sub(r"[\s_\-.'’°]+", "", text)


_HEADER_KEYS = {_key(name): column for column, names in COLUMNS.items() for name in names}
_ROLE_KEYS = {_key(name): role for name, role in ROLE_VALUES.items()}


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode(data: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was read with; FileRefused naming the line of a bad byte."""
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        raise FileRefused(
            _(
                "This file is in UTF-16 (Excel's “Unicode text”). "
                "Save it as “CSV UTF-8” or “CSV” and try again."
            )
        )
    if data.startswith(b"PK\x03\x04"):
        raise FileRefused(_("This is a spreadsheet (.xlsx or .ods), not a CSV file. Save it as CSV first."))
    if b"\x00" in data[:4096]:
        raise FileRefused(_("This is not a text file. Choose a CSV file."))
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as error:
        utf8_error = error
    invalid_at = utf8_error.start
    if _UTF8_SEQUENCE.search(data):
        # Some accented letters are valid UTF-8 and another is not: a damaged UTF-8 file, which reading it
        # as Windows-1252 would garble silently.
        raise FileRefused(
            _(
                "Line %(line)d is not valid UTF-8 while the rest of the file is: the file is damaged or "
                "mixes two encodings. Save it again as “CSV UTF-8”.",
                line=_line_of(data, invalid_at),
            )
        )
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as error:
        raise FileRefused(
            _(
                "Line %(line)d contains a character that is neither UTF-8 nor Windows-1252. "
                "Save the file as “CSV UTF-8” and try again.",
                line=_line_of(data, error.start),
            )
        ) from error


def _delimiter(text: str) -> str:
    """A comma or a semicolon, whichever the header and first rows use."""
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;").delimiter
    except csv.Error:
        header = text.split("\n", 1)[0]
        return ";" if header.count(";") > header.count(",") else ","


def _columns(header: Sequence[str]) -> dict[str, int]:
    """The position of each known column; FileRefused when one is missing or named twice."""
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        column = _HEADER_KEYS.get(_key(name))
        if column is None:
            continue  # other columns (a phone number, a note…) are ignored
        if column in positions:
            raise FileRefused(_("The column “%(name)s” appears twice in the first line.", name=name.strip()))
        positions[column] = index
    missing = [column for column in COLUMNS if column not in positions and column != "role"]
    if missing:
        raise FileRefused(
            _(
                "The first line must name the columns e-mail, first name, last name and SIRET (role is "
                "optional). Missing: %(missing)s. Found: %(found)s.",
                missing=", ".join(str(COLUMN_LABELS[column]) for column in missing),
                found=", ".join(f"“{name.strip()}”" for name in header if name.strip()) or "—",
            )
        )
    return positions


def _check_cells(row: Row, cells: Iterable[tuple[str, str]]) -> None:
    for column, value in cells:
        if value.startswith(FORMULA_STARTS):
            row.problems.append(
                _(
                    "The %(column)s “%(value)s” begins with “%(char)s”: a spreadsheet would run it as a "
                    "formula. Correct the cell.",
                    column=COLUMN_LABELS[column],
                    value=value[:60],
                    char=value[0],
                )
            )
        elif len(value) > MAX_CELL:
            row.problems.append(
                _(
                    "The %(column)s is too long (%(n)d characters at most).",
                    column=COLUMN_LABELS[column],
                    n=MAX_CELL,
                )
            )


def _row(line: int, cells: list[str], positions: dict[str, int], width: int) -> Row:
    def cell(column: str) -> str:
        index = positions.get(column)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    row = Row(
        line=line,
        email=cell("email"),
        first_name=cell("first_name"),
        last_name=cell("last_name"),
        siret=cell("siret"),
        role_text=cell("role"),
    )
    if len(cells) > width:
        row.problems.append(
            _(
                "This line has %(cells)d cells and the first line %(columns)d: is a value with a comma or "
                "semicolon missing its quotes?",
                cells=len(cells),
                columns=width,
            )
        )
    _check_cells(row, ((c, getattr(row, c)) for c in ("email", "first_name", "last_name", "siret")))
    _check_cells(row, [("role", row.role_text)])
    for column in ("email", "first_name", "last_name", "siret"):
        if not getattr(row, column):
            row.problems.append(_("The %(column)s is missing.", column=COLUMN_LABELS[column]))
    row.siret = normalise_siret(row.siret)
    if not row.role_text:
        row.role = Role.LEARNER
    else:
        row.role = _ROLE_KEYS.get(_key(row.role_text))
        if row.role is None and not row.role_text.startswith(FORMULA_STARTS):
            row.problems.append(
                _(
                    "The role “%(value)s” is not known: write “apprenant” (learner) or “responsable” "
                    "(company manager), or leave it empty for a learner.",
                    value=row.role_text[:60],
                )
            )
    return row


def parse(data: bytes) -> ParsedFile:
    """Read an enrolment file; FileRefused when it cannot be read as a whole."""
    if len(data) > MAX_BYTES:
        raise FileRefused(
            _(
                "The file is larger than %(size)d MB. Split it into several files.",
                size=MAX_BYTES // (1024 * 1024),
            )
        )
    text, encoding = decode(data)
    if not text.strip():
        raise FileRefused(_("The file is empty."))
    skipped = 0
    first_line = text.split("\n", 1)[0].strip()
    if re.fullmatch(r"sep=[,;]", first_line, re.IGNORECASE):
        # Excel's hint line naming the delimiter.
        delimiter, text, skipped = first_line[4], text.split("\n", 1)[1] if "\n" in text else "", 1
    else:
        delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[Row] = []
    try:
        header = next(reader, None)
        if header is None:
            raise FileRefused(_("The file is empty."))
        positions = _columns(header)
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # blank lines, and the empty cells spreadsheets leave after the data
            if len(rows) >= MAX_ROWS:
                raise FileRefused(
                    _(
                        "The file has more than %(max)d rows. Split it into several files of %(max)d rows "
                        "at most.",
                        max=MAX_ROWS,
                    )
                )
            rows.append(_row(reader.line_num + skipped, cells, positions, len(header)))
    except csv.Error as error:
        raise FileRefused(
            _(
                "Line %(line)d cannot be read: a quotation mark is not closed, or text follows a closing "
                "one. Check its quotes.",
                line=reader.line_num + skipped,
            )
        ) from error
    if not rows:
        raise FileRefused(_("The file has a header line but no rows."))
    return ParsedFile(rows=rows, encoding=encoding, delimiter=delimiter)


def neutralise(value: object) -> str:
    """A cell's text made safe to open in a spreadsheet: a leading formula character is quoted."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write(header: Sequence[str], rows: Iterable[Sequence[object]], kinds: Sequence[Cell] = ()) -> bytes:
    """A CSV file as French spreadsheets open it (see ``app.core.spreadsheets``: UTF-8 with a byte-order
    mark, semicolons, decimal comma, JJ/MM/AAAA dates), formulas neutralised; ``kinds`` types the columns
    (text where not given)."""
    columns = [(str(label), kinds[i] if i < len(kinds) else Cell.TEXT) for i, label in enumerate(header)]
    return spreadsheets.csv_bytes(columns, rows)
