"""The one spreadsheet writer: CSV and XLSX read back with the settings of a French spreadsheet."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from openpyxl import load_workbook

from app.core.spreadsheets import Cell, Sheet, csv_bytes, xlsx_bytes

COLUMNS = [
    ("Nom", Cell.TEXT),
    ("Inscrits", Cell.INTEGER),
    ("Tentatives", Cell.DECIMAL),
    ("Réussite", Cell.PERCENT),
    ("Début", Cell.DATE),
    ("Activité", Cell.DATETIME),
    ("Réussi", Cell.BOOLEAN),
]
# Spreadsheets have no time zones: the writers take moments already in local, naive time.
MOMENT = datetime(2026, 3, 9, 14, 5, 59)  # noqa: DTZ001
ROWS = [
    ["Dupont; fils", 1234, 1.5, 0.455, date(2026, 3, 9), MOMENT, True],
    ['Zoé "la" Nouvelle\nligne', 0, 2, 1, None, None, False],
    ["=cmd|' /C calc'!A0", None, None, None, None, None, None],
]


def test_csv_is_what_a_french_spreadsheet_reads(app):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        data = csv_bytes(COLUMNS, ROWS)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True))
    assert table[0] == [label for label, _kind in COLUMNS]
    assert table[1] == ["Dupont; fils", "1234", "1,5", "45,5%", "09/03/2026", "09/03/2026 14:05", "Oui"]
    assert table[2] == ['Zoé "la" Nouvelle\nligne', "0", "2", "100%", "", "", "Non"]
    assert table[3] == ["'=cmd|' /C calc'!A0", "", "", "", "", "", ""]
    # RFC 4180: CRLF between records, quotes doubled inside a quoted field.
    assert text.count("\r\n") == 4 and '"Zoé ""la"" Nouvelle\nligne"' in text


def test_xlsx_cells_are_typed_with_a_frozen_filtered_header(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        data = xlsx_bytes([Sheet("Suivi: mars/avril", COLUMNS, ROWS)])
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    assert sheet.title == "Suivi  mars avril"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:G4"
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.column_dimensions["A"].width > sheet.column_dimensions["B"].width >= 8
    name, count, attempts, share, start, moment, passed = sheet[2]
    assert count.value == 1234 and count.data_type == "n"
    assert attempts.value == 1.5 and attempts.number_format == "0.00"
    assert share.value == 0.455 and "%" in share.number_format
    assert (
        start.is_date
        and start.value == MOMENT.replace(hour=0, minute=0, second=0)
        and start.number_format == "dd/mm/yyyy"
    )
    assert moment.is_date and moment.number_format == "dd/mm/yyyy hh:mm"
    assert passed.value == "Yes" and name.value == "Dupont; fils"
    assert sheet["A4"].value == "'=cmd|' /C calc'!A0" and sheet["A4"].data_type == "s"
    assert sheet["B4"].value is None
