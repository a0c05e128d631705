"""Every dashboard table as CSV or XLSX, with cells that a spreadsheet would run as a formula neutralised.

A text cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
spreadsheets skip before reading one) is prefixed with a single quote, in both formats, so that a learner
named ``=HYPERLINK(…)`` stays text. Numbers and dates are written as such. CSV is UTF-8 with a byte-order
mark (so that spreadsheets read the accents), comma-separated, one header row. XLSX is written in
openpyxl's write-only mode, row by row, so that a large table does not sit in memory as cell objects.
Both are written to a temporary file while the request's transaction is open (the rows are read from
the database as they are written), then sent from that file.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from app.progress.tables import Kind, Table, plain

FORMATS = ("csv", "xlsx")
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
# Characters XML 1.0 (and so XLSX) cannot hold.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CHUNK_ROWS = 500
SPOOL_BYTES = 8 * 1024 * 1024


def neutralise(value: Any) -> Any:
    """The value, with text that a spreadsheet would read as a formula made plain text."""
    if isinstance(value, str) and value.startswith(DANGEROUS_START):
        return "'" + value
    return value


def cells(table: Table, row: Any) -> list[Any]:
    """The exported values of one row."""
    return [neutralise(plain(row[i], column.kind)) for i, column in enumerate(table.columns)]


def _header(table: Table) -> list[str]:
    return [neutralise(str(column.label)) for column in table.columns]


def csv_chunks(table: Table) -> Iterator[str]:
    """The table as CSV text, a few hundred rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(_header(table))
    for count, row in enumerate(table.rows, start=1):
        writer.writerow(["" if v is None else v for v in cells(table, row)])
        if count % _CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _xlsx_value(value: Any) -> Any:
    return _ILLEGAL_XML.sub("", value) if isinstance(value, str) else value


def write_xlsx(tables: Iterable[Table], stream: Any) -> None:
    """Write the tables into one workbook (a sheet each) on a binary stream."""
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for table in tables:
        title = _sheet_title(str(table.title), used)
        sheet = workbook.create_sheet(title)
        bold = Font(bold=True)
        header = []
        for label in _header(table):
            cell = WriteOnlyCell(sheet, value=_xlsx_value(label))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        formats = {i: _number_format(c.kind) for i, c in enumerate(table.columns)}
        for row in table.rows:
            out = []
            for i, value in enumerate(cells(table, row)):
                cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
                if formats[i] and value != "":
                    cell.number_format = formats[i]
                out.append(cell)
            sheet.append(out)
    workbook.save(stream)


def _number_format(kind: Kind) -> str | None:
    if kind == Kind.PERCENT:
        return "0%"
    if kind == Kind.DATE:
        return "yyyy-mm-dd hh:mm"
    return None


def _sheet_title(title: str, used: set[str]) -> str:
    # Sheet names: at most 31 characters, none of []:*?/\ and unique in the workbook.
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:28] or "Table"
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base} {n}", n + 1
    used.add(name.lower())
    return name


def export_file(table: Table, fmt: str) -> Any:
    """The table written in full (rows read while the request's transaction is open) into a temporary
    file, kept in memory while small; rewound for reading."""
    # Handed to the response, which closes it once sent (see file_chunks).
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    if fmt == "csv":
        for chunk in csv_chunks(table):
            spool.write(chunk.encode("utf-8"))
    else:
        write_xlsx([table], spool)
    spool.seek(0)
    return spool


def file_chunks(stream: Any, size: int = 64 * 1024) -> Iterator[bytes]:
    """Read a file in pieces, then close it."""
    try:
        while chunk := stream.read(size):
            yield chunk
    finally:
        stream.close()


def filename(stem: str, extension: str) -> str:
    """A safe download name: letters, digits and dashes only."""
    safe = re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-").lower()[:80] or "export"
    return f"{safe}.{extension}"


__all__ = [
    "CSV_TYPE",
    "FORMATS",
    "XLSX_TYPE",
    "cells",
    "csv_chunks",
    "export_file",
    "file_chunks",
    "filename",
    "neutralise",
    "write_xlsx",
]
