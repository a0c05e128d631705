"""Reading enrolment files as spreadsheets write them, refusing what cannot be read with a message naming
the problem (and its line), and writing exports that a spreadsheet opens without running formulas."""

from __future__ import annotations

import csv
import io
import time

import pytest

from app.accounts.models import Role
from app.cohorts.csv_files import MAX_ROWS, FileRefused, neutralise, parse, write

SIRET = "73282932000074"
HEADER_FR = "courriel;prénom;nom;siret;rôle"


def _file(*lines: str, encoding: str = "utf-8", newline: str = "\r\n") -> bytes:
    return newline.join(lines).encode(encoding)


def _refusal(data: bytes) -> str:
    with pytest.raises(FileRefused) as caught:
        parse(data)
    return caught.value.message


def test_a_french_excel_file_in_windows_1252_with_semicolons_is_read():
    parsed = parse(_file(HEADER_FR, f"zoé@exemple.fr;Zoé;Lefèvre;{SIRET};apprenant", encoding="cp1252"))
    assert (parsed.encoding, parsed.delimiter) == ("windows-1252", ";")
    (row,) = parsed.rows
    assert (row.email, row.first_name, row.last_name, row.siret, row.role, row.problems) == (
        "zoé@exemple.fr", "Zoé", "Lefèvre", SIRET, Role.LEARNER, [],
    )  # fmt: skip


def test_utf8_with_a_byte_order_mark_and_english_headers_in_another_order():
    data = b"\xef\xbb\xbf" + _file(
        "Last Name,E-mail,SIRET,First Name,Role", f"Müller,anna@example.com,{SIRET},Anna,company_manager"
    )
    parsed = parse(data)
    assert (parsed.encoding, parsed.delimiter) == ("utf-8", ",")
    (row,) = parsed.rows
    assert (row.email, row.first_name, row.last_name, row.role) == (
        "anna@example.com",
        "Anna",
        "Müller",
        Role.COMPANY_MANAGER,
    )


def test_siret_with_spaces_quoted_cells_missing_role_and_blank_lines():
    parsed = parse(
        _file(
            "email,prenom,nom,siret",
            "",
            'a@exemple.fr,"Jean, dit Jeannot",Martin,"732 829 320 00074"',
            ",,,",
            "",
        )
    )
    (row,) = parsed.rows
    assert (row.first_name, row.siret, row.role, row.line, row.problems) == (
        "Jean, dit Jeannot",
        SIRET,
        Role.LEARNER,
        3,
        [],
    )


def test_excel_sep_line_names_the_delimiter():
    parsed = parse(_file("sep=;", HEADER_FR, f"a@exemple.fr;A;B;{SIRET};"))
    assert parsed.delimiter == ";"
    assert parsed.rows[0].line == 3 and parsed.rows[0].problems == []


def test_a_byte_neither_utf8_nor_windows_1252_is_refused_naming_its_line():
    data = b"email;prenom;nom;siret\r\na@exemple.fr;Ren\xe9;B;1\r\nb@exemple.fr;B\x81;C;1\r\n"
    message = _refusal(data)
    assert "Line 3" in message and "neither UTF-8 nor Windows-1252" in message


def test_a_damaged_utf8_file_is_refused_rather_than_garbled():
    good = "é".encode()
    data = (
        HEADER_FR.encode() + b"\n" + b"a@exemple.fr;Ren" + good + b";X;1;\n" + b"b@exemple.fr;Ren\xe9;Y;1;\n"
    )
    message = _refusal(data)
    assert "Line 3 is not valid UTF-8" in message


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xff\xfee\x00m\x00", "UTF-16"),
        (b"PK\x03\x04rest-of-a-zip", "spreadsheet (.xlsx or .ods)"),
        (b"email\x00\x00\x00", "not a text file"),
        (b"", "The file is empty."),
        (b"  \r\n ", "The file is empty."),
        (b"email;prenom;nom;siret\r\n", "no rows"),
    ],
)
def test_files_that_are_not_csv_are_refused(data, expected):
    assert expected in _refusal(data)


def test_a_missing_column_is_named_with_the_columns_found():
    message = _refusal(_file("courriel;prénom;siret", f"a@exemple.fr;A;{SIRET}"))
    assert "Missing: last name." in message and "“courriel”, “prénom”, “siret”" in message


def test_a_column_named_twice_is_refused():
    assert "appears twice" in _refusal(_file("email;mail;prenom;nom;siret", f"a@x.fr;b@x.fr;A;B;{SIRET}"))


def test_an_unclosed_quote_is_refused_naming_its_line():
    message = _refusal(
        _file("email,prenom,nom,siret", f"a@exemple.fr,A,B,{SIRET}", 'b@exemple.fr,"B,C,D', "c@x.fr,C,D,1")
    )
    assert "Line" in message and "quotation mark" in message


def test_too_large_a_file_is_refused_before_reading_it():
    assert "larger than 2 MB" in _refusal(b"email;prenom;nom;siret\n" + b"x" * (2 * 1024 * 1024))


def _rows(n: int) -> bytes:
    return (
        "email;prenom;nom;siret\n" + "".join(f"p{i}@exemple.fr;P{i};N{i};{SIRET}\n" for i in range(n))
    ).encode()


def test_ten_thousand_rows_are_read_quickly_and_one_more_is_refused():
    started = time.perf_counter()
    parsed = parse(_rows(MAX_ROWS))
    assert len(parsed.rows) == MAX_ROWS and not any(row.problems for row in parsed.rows)
    assert time.perf_counter() - started < 10  # a generous bound on a slow shared machine: ~0.3 s normally
    assert "more than 10000 rows" in _refusal(_rows(MAX_ROWS + 1))


@pytest.mark.parametrize("formula", ['=HYPERLINK("http://x")', "+33612345678", "-2+3", "@SUM(A1)", "\t=1"])
def test_cells_beginning_like_a_formula_are_kept_as_text_and_flagged(formula):
    quoted = '"' + formula.replace('"', '""') + '"'
    (row,) = parse(_file("email;prenom;nom;siret", f"a@exemple.fr;{quoted};Nom;{SIRET}")).rows
    assert row.first_name == formula.strip()
    assert len(row.problems) == 1 and "would run it as a formula" in row.problems[0]


def test_row_problems_stay_with_their_row():
    parsed = parse(
        _file("email;prenom;nom;siret;role", f";A;B;{SIRET};chef", f"b@exemple.fr;B;C;{SIRET};;extra")
    )
    first, second = parsed.rows
    assert any("e-mail is missing" in p for p in first.problems)
    assert any("role “chef” is not known" in p for p in first.problems)
    assert any("6 cells and the first line 5" in p for p in second.problems)


def test_exports_neutralise_formula_cells_and_open_in_french_spreadsheets():
    data = write(["Nom", "Courriel"], [["=cmd|' /C calc'!A0", "+33 6"], ["-1", "@x"], ["Zoé", None]])
    assert data.startswith(b"\xef\xbb\xbf")
    cells = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert cells == [["Nom", "Courriel"], ["'=cmd|' /C calc'!A0", "'+33 6"], ["'-1", "'@x"], ["Zoé", ""]]
    assert neutralise("\r=1") == "'\r=1" and neutralise("Dupont") == "Dupont"
