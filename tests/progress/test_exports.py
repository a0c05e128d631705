"""Exports: every table as CSV and XLSX with the page's figures and filters, formulas neutralised."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import pytest
from openpyxl import load_workbook

from app.progress.exports import neutralise
from tests.conftest import sign_in
from tests.progress.conftest import follow

HOSTILE = ['=HYPERLINK("http://evil","x")', "+33 cmd", "-1+2", "@SUM(A1)", "\tTAB", "\r=1"]


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_starts_are_neutralised(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Élodie", "1,5", "", "a=b", " =x"])
def test_plain_text_is_left_alone(value):
    assert neutralise(value) == value


def test_numbers_stay_numbers():
    assert neutralise(-3) == -3 and neutralise(0.5) == 0.5


def _csv(response) -> list[list[str]]:
    """The file read as a French spreadsheet reads it: UTF-8 with a byte-order mark, semicolons."""
    assert response.data.startswith(b"\xef\xbb\xbf")
    text = response.data.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def french_number(text: str) -> float:
    """A cell as a French spreadsheet takes it: a decimal comma, a trailing % for a share."""
    assert re.fullmatch(r"-?\d+(,\d+)?%?", text), text
    value = float(text.rstrip("%").replace(",", "."))
    return value / 100 if text.endswith("%") else value


def _xlsx(response) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(response.data), read_only=True)
    return [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def _assert_typed_workbook(response, percent_column: int, date_column: int) -> None:
    """Typed cells (a share as a number with a % format, a moment as a date with a date format), a frozen
    bold header with a filter over the whole table, column widths set."""
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
    assert all(cell.font.b for cell in sheet[1])
    for index in range(1, sheet.max_column + 1):
        letter = sheet.cell(1, index).column_letter
        assert sheet.column_dimensions[letter].width >= len(str(sheet.cell(1, index).value)), letter
    shares = [row[percent_column - 1] for row in sheet.iter_rows(min_row=2) if row[percent_column - 1].value]
    assert shares and all(c.data_type == "n" and isinstance(c.value, float) for c in shares)
    assert all("%" in c.number_format for c in shares)
    moments = [row[date_column - 1] for row in sheet.iter_rows(min_row=2) if row[date_column - 1].value]
    assert moments and all(isinstance(c.value, datetime) and c.is_date for c in moments)
    assert all(c.number_format == "dd/mm/yyyy hh:mm" for c in moments)


@pytest.fixture
def hostile_world(app, world, progress_course, learner_in, make_user):
    """A learner of company 0 named like a formula, who did something in a course both cohorts follow."""
    from app.accounts.models import Role
    from app.cohorts.models import CohortMember
    from app.core.extensions import db
    from app.courses.models import Enrolment

    course = progress_course(title="=Formation dangereuse")
    follow(app, world, course)
    evil = make_user(
        roles=[(Role.LEARNER, world.companies[0])], display_name='=HYPERLINK("http://x")', language="en"
    )
    with app.app_context():
        db.session.add(
            CohortMember(cohort_id=world.cohorts[0].id, user_id=evil.id, company_id=world.companies[0].id)
        )
        db.session.add(Enrolment(user_id=evil.id, course_id=course.course_id, cohort_id=world.cohorts[0].id))
        db.session.commit()
    learner_in(evil, course).view("u1")
    return world, course, evil


def test_company_export_as_csv_and_xlsx(app, hostile_world):
    world, _course, evil = hostile_world
    client = app.test_client()
    sign_in(client, world.managers[0].email)
    base = f"/progression/entreprises/{world.companies[0].id}/export/personnel"
    response = client.get(base + ".csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = _csv(response)
    assert rows[0] == [
        "Learner",
        "E-mail address",
        "Course",
        "Status",
        "Completion",
        "Grade",
        "Passed",
        "Last activity",
    ]
    by_name = {row[0]: row for row in rows[1:]}
    evil_row = by_name["'" + evil.display_name]
    assert evil_row[2] == "'=Formation dangereuse" and evil_row[3] == "In progress"
    assert evil_row[4] == "33,33%" and french_number(evil_row[4]) == pytest.approx(2 / 6, abs=1e-4)
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", evil_row[7])  # JJ/MM/AAAA HH:MM
    assert datetime.strptime(evil_row[7], "%d/%m/%Y %H:%M").year >= 2025  # noqa: DTZ007 (local time)
    assert by_name[world.learners[0].display_name][3] == "Not started"
    assert world.learners[2].display_name not in by_name  # another company
    xlsx = client.get(base + ".xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    sheet = _xlsx(xlsx)
    assert sheet[0][0] == "Learner"
    cells = {row[0]: row for row in sheet[1:]}
    assert cells["'" + evil.display_name][2] == "'=Formation dangereuse"
    assert cells["'" + evil.display_name][4] == pytest.approx(round(2 / 6, 4))  # a number, not text
    _assert_typed_workbook(xlsx, percent_column=5, date_column=8)
    # The filters of the page apply to its export.
    filtered = _csv(client.get(base + ".csv?statut=not_started"))
    assert [row[0] for row in filtered[1:]] == [world.learners[0].display_name]


def test_every_table_of_the_cybersite_exports(app, hostile_world):
    world, _course, evil = hostile_world
    client = app.test_client()
    sign_in(client, world.site_managers[0].email)
    site = world.sites[0].id
    cohorts = _csv(client.get(f"/progression/cybersites/{site}/export/promotions.csv"))
    assert cohorts[1][0] == "Promotion 0" and cohorts[1][3:7] == ["3", "1", "0", "0"]
    assert all(re.fullmatch(r"\d{2}/\d{2}/\d{4}", cell) for cell in cohorts[1][1:3]), cohorts[1]
    learners = _csv(client.get(f"/progression/cybersites/{site}/export/apprenants.csv"))
    assert learners[0][:3] == ["Cohort", "Company", "Learner"]
    assert {row[2] for row in learners[1:]} == {
        world.learners[0].display_name,
        world.learners[1].display_name,
        "'" + evil.display_name,
    }
    weeks = _csv(client.get(f"/progression/cybersites/{site}/export/semaines.csv"))
    assert weeks[0] == ["Week of", "Completions that week", "Completions so far"]
    for name in ("promotions", "semaines", "apprenants"):
        response = client.get(f"/progression/cybersites/{site}/export/{name}.xlsx")
        assert response.status_code == 200 and response.data[:2] == b"PK"
        sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    counts = load_workbook(
        io.BytesIO(client.get(f"/progression/cybersites/{site}/export/promotions.xlsx").data)
    )
    row = next(counts.worksheets[0].iter_rows(min_row=2))
    assert row[3].value == 3 and row[3].data_type == "n" and isinstance(row[3].value, int)
    assert isinstance(row[1].value, datetime) and row[1].number_format == "dd/mm/yyyy"
    cohort = world.cohorts[0].id
    for name in ("entreprises", "semaines", "apprenants"):
        for fmt in ("csv", "xlsx"):
            assert client.get(f"/progression/promotions/{cohort}/export/{name}.{fmt}").status_code == 200
    drill = f"/progression/promotions/{cohort}/entreprises/{world.companies[0].id}/export/apprenants.csv"
    assert {row[0] for row in _csv(client.get(drill))[1:]} == {
        world.learners[0].display_name,
        "'" + evil.display_name,
    }


def test_course_tables_export(app, hostile_world):
    world, course, _evil = hostile_world
    client = app.test_client()
    sign_in(client, world.trainers[0].email)
    funnel = _csv(client.get(f"/progression/formations/{course.course_key}/export/entonnoir.csv"))
    assert funnel[1][:2] == ["Enrolled", "3"] and funnel[2][:2] == ["Started", "1"]
    exercises = _csv(client.get(f"/progression/formations/{course.course_key}/export/exercices.csv"))
    assert [row[0] for row in exercises[1:]] == ["Exercice p1", "Exercice p2", "Exercice p3"]
    assert client.get(f"/progression/formations/{course.course_key}/export/exercices.xlsx").data[:2] == b"PK"


def test_unknown_tables_and_formats_are_404(app, hostile_world):
    world, _course, _evil = hostile_world
    client = app.test_client()
    sign_in(client, world.managers[0].email)
    base = f"/progression/entreprises/{world.companies[0].id}/export"
    assert client.get(f"{base}/personnel.pdf").status_code == 404
    assert client.get(f"{base}/secret.csv").status_code == 404
    assert client.get(f"{base}/../personnel.csv").status_code == 404
