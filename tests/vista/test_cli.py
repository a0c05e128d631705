"""``flask vista load-questionnaire FILE`` through Flask's CLI runner: the shipped file loads, loading it
again is a no-op, other content under the same version and malformed files exit with status 2 naming
the fault and writing nothing."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from sqlalchemy import func, select

from app.core.extensions import db
from app.vista.models import DIMENSIONS, ItemKind, QuestionnaireItem, QuestionnairePage, QuestionnaireVersion
from app.vista.questionnaire_file import SHIPPED


def _rows(app):
    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(m))
            for m in (QuestionnaireVersion, QuestionnairePage, QuestionnaireItem)
        )


def _load(app, path):
    return app.test_cli_runner().invoke(args=["vista", "load-questionnaire", str(path)])


def _write(tmp_path, data) -> str:
    path = tmp_path / "questionnaire.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


@pytest.fixture
def shipped() -> dict:
    return json.loads(SHIPPED.read_text(encoding="utf-8"))


def _item(data, code):
    return next(i for page in data["pages"] for i in page["items"] if i["code"] == code)


def test_the_shipped_file_loads_once(app):
    result = _load(app, SHIPPED)
    assert result.exit_code == 0, result.output
    with app.app_context():
        items = db.session.execute(
            select(QuestionnaireItem.dimension, QuestionnaireItem.lens, QuestionnaireItem.kind)
        ).all()
    assert 55 <= len(items) <= 65
    assert result.output == f"Loaded questionnaire vista 2026.1: 7 pages, {len(items)} items.\n"
    lenses = Counter((dimension, lens) for dimension, lens, _ in items)
    assert all(lenses[(d, "A")] and lenses[(d, "I")] for d in DIMENSIONS)
    assert {kind for *_, kind in items} == {k.value for k in ItemKind}
    rows = _rows(app)
    again = _load(app, SHIPPED)
    assert again.exit_code == 0
    assert "already loaded with this content" in again.output
    assert _rows(app) == rows == (1, 7, len(items))


def test_other_content_under_a_loaded_version_is_refused(app, tmp_path, shipped):
    assert _load(app, SHIPPED).exit_code == 0
    rows = _rows(app)
    _item(shipped, "d2_internet")["text_en"] = "Is your connection good?"
    result = _load(app, _write(tmp_path, shipped))
    assert result.exit_code == 2
    assert (
        "version 2026.1 of 'vista' is already loaded with other content: give the new content a new version"
        in result.stderr
    )
    assert _rows(app) == rows
    with app.app_context():
        assert db.session.scalar(
            select(QuestionnaireItem.text_en).where(QuestionnaireItem.code == "d2_internet")
        ).startswith("Is your internet")


MALFORMED = [
    (
        lambda d: _item(d, "d4_backup").update(kind="stars"),
        "page 'd4', item 'd4_backup': unknown kind 'stars'",
    ),
    (lambda d: _item(d, "d4_backup").update(lens="Z"), "page 'd4', item 'd4_backup': unknown lens 'Z'"),
    (lambda d: d["pages"][1].update(dimension="D7"), "page 'd1': unknown dimension 'D7'"),
    (
        lambda d: _item(d, "d4_backup").update(code="d4_passwords"),
        "page 'd4', item 'd4_passwords': duplicate item code",
    ),
    (lambda d: _item(d, "d4_backup").update(text_fr=""), "page 'd4', item 'd4_backup': text_fr is empty"),
    (lambda d: _item(d, "d4_backup").pop("text_en"), "page 'd4', item 'd4_backup': text_en is missing"),
    (
        lambda d: _item(d, "d4_backup").update(weight=-2),
        "page 'd4', item 'd4_backup': weight must be greater than 0",
    ),
    (
        lambda d: _item(d, "d2_hours_saved").update(minimum=200),
        "item 'd2_hours_saved': minimum 200 is greater than maximum 168",
    ),
    (
        lambda d: _item(d, "d2_hours_saved").update(minimum=None),
        "item 'd2_hours_saved': a figure needs a minimum and a maximum",
    ),
    (
        lambda d: _item(d, "d6_self_habits").update(kind="figure", minimum=0, maximum=1),
        "item 'd6_self_habits': kind 'figure' is not allowed for lens U",
    ),
    (
        lambda d: _item(d, "d5_reminders").update(dimension="D6"),
        "item 'd5_reminders': dimension 'D6' differs from its page's dimension 'D5'",
    ),
    (lambda d: d.update(extra=1), "unknown field 'extra'"),
    (lambda d: d.pop("title_fr"), "title_fr is missing or not a string"),
]


@pytest.mark.parametrize(("spoil", "expected"), MALFORMED)
def test_a_malformed_file_exits_2_names_the_fault_and_writes_nothing(app, tmp_path, shipped, spoil, expected):
    spoil(shipped)
    result = _load(app, _write(tmp_path, shipped))
    assert result.exit_code == 2
    assert "Questionnaire refused" in result.stderr and "nothing was loaded" in result.stderr
    assert expected in result.stderr
    assert _rows(app) == (0, 0, 0)


def test_a_file_that_is_not_json_or_not_an_object_or_missing(app, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"code": "vista", "pages": [', encoding="utf-8")
    result = _load(app, broken)
    assert result.exit_code == 2
    assert "broken.json: not JSON (line 1, column 29" in result.stderr
    listing = tmp_path / "list.json"
    listing.write_text("[]", encoding="utf-8")
    result = _load(app, listing)
    assert result.exit_code == 2 and "the file must hold a JSON object, not list" in result.stderr
    result = _load(app, tmp_path / "nowhere.json")
    assert result.exit_code == 2 and "nowhere.json: no such file" in result.stderr
    assert _rows(app) == (0, 0, 0)
