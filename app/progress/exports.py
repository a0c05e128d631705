"""Every dashboard table as CSV or XLSX, written by ``app.core.spreadsheets`` (semicolons, decimal comma,
French dates, UTF-8 with a byte-order mark; typed XLSX cells with a frozen, filtered header), with cells
that a spreadsheet would run as a formula neutralised. Both are written to a temporary file while the
request's transaction is open (the rows are read from the database as they are written), then sent from
that file.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from app.core import spreadsheets
from app.core.spreadsheets import CSV_TYPE, XLSX_TYPE, Cell, neutralise
from app.progress.tables import Kind, Table, labels, plain

FORMATS = ("csv", "xlsx")
SPOOL_BYTES = 8 * 1024 * 1024
# How each kind of dashboard column is written (statuses and yes/no are translated text by then).
CELLS = {
    Kind.TEXT: Cell.TEXT,
    Kind.COUNT: Cell.INTEGER,
    Kind.NUMBER: Cell.DECIMAL,
    Kind.PERCENT: Cell.PERCENT,
    Kind.DATE: Cell.DATETIME,
    Kind.STATUS: Cell.TEXT,
    Kind.YESNO: Cell.TEXT,
}


def cells(table: Table, row: Any, translated: dict[Any, str] | None = None) -> list[Any]:
    """The exported values of one row (labels from ``translated``, see ``tables.labels``)."""
    return [plain(row[i], column.kind, translated) for i, column in enumerate(table.columns)]


def sheet(table: Table) -> spreadsheets.Sheet:
    """The table as a typed sheet; its rows are read as they are written."""
    columns = [(str(column.label), CELLS[column.kind]) for column in table.columns]
    translated = labels()
    return spreadsheets.Sheet(
        str(table.title), columns, (cells(table, row, translated) for row in table.rows)
    )


def csv_chunks(table: Table) -> Iterator[str]:
    """The table as CSV text, a few hundred rows at a time."""
    exported = sheet(table)
    return spreadsheets.csv_chunks(exported.columns, exported.rows)


def write_xlsx(tables: Iterable[Table], stream: Any) -> None:
    """Write the tables into one workbook (a sheet each) on a binary stream."""
    spreadsheets.write_xlsx((sheet(table) for table in tables), stream)


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
