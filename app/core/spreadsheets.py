"""Every spreadsheet the product writes, CSV or XLSX, as a French spreadsheet reads it.

A sheet is typed columns (text, integer, decimal, percentage, date, date and time, yes/no) and rows of
plain values. CSV: semicolon-separated, decimal comma, UTF-8 with a byte-order mark (so that the accents
read right), dates ``JJ/MM/AAAA`` and moments ``JJ/MM/AAAA HH:MM`` (what LibreOffice and Excel in a French
locale take as dates), CRLF line ends, RFC 4180 quoting. XLSX: numbers as numbers, dates as dates with a
date format, percentages with a % format, a bold and frozen header row with a filter, column widths from
the content. In both, a text cell beginning with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return, which some spreadsheets skip before reading one) gets a leading apostrophe, so that a learner
named ``=HYPERLINK(…)`` stays text (CSV injection).

XLSX is written in openpyxl's write-only mode, row by row, so that a large table does not sit in memory as
cell objects; the widths are measured on the first rows, which are held back until then.
"""

from __future__ import annotations

import csv
import enum
import io
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"
DATE_FORMAT = "%d/%m/%Y"
DATETIME_FORMAT = "%d/%m/%Y %H:%M"
XLSX_DATE = "dd/mm/yyyy"
XLSX_DATETIME = "dd/mm/yyyy hh:mm"
# Characters XML 1.0 (and so XLSX) cannot hold.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CHUNK_ROWS = 500
_MEASURED_ROWS = 200
_MIN_WIDTH, _MAX_WIDTH = 8, 60


class Cell(enum.StrEnum):
    """What a column holds, which decides how it is written."""

    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    PERCENT = "percent"  # a share 0..1
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"


@dataclass(frozen=True)
class Sheet:
    """A titled sheet: its header (label and kind of each column) and its rows of plain values."""

    title: str
    columns: Sequence[tuple[str, Cell]]
    rows: Iterable[Sequence[Any]]


def neutralise(value: Any) -> Any:
    """The value, with text that a spreadsheet would read as a formula made plain text."""
    if isinstance(value, str) and value.startswith(DANGEROUS_START):
        return "'" + value
    return value


def _number(value: float | int | Decimal, places: int | None = None) -> str:
    """A number with a decimal comma and no thousands separator (which a spreadsheet would misread)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = f"{float(value):.{places}f}" if places is not None else repr(float(value))
    if "e" in text or "E" in text:
        text = f"{float(value):.10f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def csv_text(value: Any, kind: Cell) -> str:  # noqa: PLR0911 (one return per kind)
    """One cell as CSV text for a French spreadsheet."""
    if value is None or value == "":
        return ""
    if kind == Cell.BOOLEAN or isinstance(value, bool):
        return str(_l("Yes")) if value else str(_l("No"))
    if isinstance(value, datetime):
        return value.strftime(DATE_FORMAT if kind == Cell.DATE else DATETIME_FORMAT)
    if isinstance(value, date):
        return value.strftime(DATE_FORMAT)
    if isinstance(value, (int, float, Decimal)):
        if kind == Cell.PERCENT:
            # "45,5%" is what both spreadsheets read as the share 0,455.
            return _number(float(value) * 100, 2) + "%"
        return _number(value)
    return str(neutralise(str(value)))


def csv_chunks(columns: Sequence[tuple[str, Cell]], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The sheet as CSV text, a few hundred rows at a time, the byte-order mark first."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    buffer.write(BOM)
    writer.writerow([neutralise(str(label)) for label, _kind in columns])
    kinds = [kind for _label, kind in columns]
    for count, row in enumerate(rows, start=1):
        writer.writerow([csv_text(value, kind) for value, kind in zip(row, kinds, strict=False)])
        if count % _CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_bytes(columns: Sequence[tuple[str, Cell]], rows: Iterable[Sequence[Any]]) -> bytes:
    """The whole sheet as CSV bytes (UTF-8 with a byte-order mark)."""
    return "".join(csv_chunks(columns, rows)).encode("utf-8")


def _xlsx_value(value: Any, kind: Cell) -> Any:
    if value is None or value == "":
        return None
    if kind == Cell.BOOLEAN or isinstance(value, bool):
        return str(_l("Yes")) if value else str(_l("No"))
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)  # XLSX has no time zones: the caller gives local time
    if isinstance(value, str):
        return _ILLEGAL_XML.sub("", neutralise(value))
    return value


def _number_format(kind: Cell, value: Any) -> str | None:
    if kind == Cell.PERCENT:
        return "0.0%"
    if kind == Cell.DECIMAL:
        return "0.00"
    if isinstance(value, datetime):
        return XLSX_DATE if kind == Cell.DATE else XLSX_DATETIME
    if isinstance(value, date):
        return XLSX_DATE
    return None


def _shown_length(value: Any, kind: Cell) -> int:
    return max((len(part) for part in csv_text(value, kind).split("\n")), default=0)


def _sheet_title(title: str, used: set[str]) -> str:
    # Sheet names: at most 31 characters, none of []:*?/\ and unique in the workbook.
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:28] or "Table"
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base} {n}", n + 1
    used.add(name.lower())
    return name


def write_xlsx(sheets: Iterable[Sheet], stream: Any) -> None:
    """Write the sheets into one workbook on a binary stream."""
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    bold = Font(bold=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(_sheet_title(str(sheet.title), used))
        kinds = [kind for _label, kind in sheet.columns]
        rows = iter(sheet.rows)
        first = list(itertools.islice(rows, _MEASURED_ROWS))
        # Widths go before the data in the file: measured on the header and the first rows.
        for index, (label, kind) in enumerate(sheet.columns):
            longest = max([len(str(label)) + 3] + [_shown_length(row[index], kind) for row in first])
            width = min(max(longest + 2, _MIN_WIDTH), _MAX_WIDTH)
            worksheet.column_dimensions[get_column_letter(index + 1)].width = width
        worksheet.freeze_panes = "A2"
        header = []
        for label, _kind in sheet.columns:
            cell = WriteOnlyCell(worksheet, value=_xlsx_value(str(label), Cell.TEXT))
            cell.font = bold
            header.append(cell)
        worksheet.append(header)
        count = 0
        for row in itertools.chain(first, rows):
            out = []
            for value, kind in zip(row, kinds, strict=False):
                cell = WriteOnlyCell(worksheet, value=_xlsx_value(value, kind))
                number_format = _number_format(kind, value)
                if number_format and cell.value is not None:
                    cell.number_format = number_format
                out.append(cell)
            worksheet.append(out)
            count += 1
        last = get_column_letter(max(len(kinds), 1))
        worksheet.auto_filter.ref = f"A1:{last}{count + 1}"
    workbook.save(stream)


def xlsx_bytes(sheets: Iterable[Sheet]) -> bytes:
    """The workbook as bytes."""
    out = io.BytesIO()
    write_xlsx(sheets, out)
    return out.getvalue()


__all__ = [
    "CSV_TYPE",
    "XLSX_TYPE",
    "Cell",
    "Sheet",
    "csv_bytes",
    "csv_chunks",
    "csv_text",
    "neutralise",
    "write_xlsx",
    "xlsx_bytes",
]
