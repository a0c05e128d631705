"""The questionnaire data file: the shipped questionnaire, validation of malformed files (every problem
reported, each naming its page, item and field) and loading a version (same content: no-op; other
content: refused)."""

from __future__ import annotations

import copy
import json
from collections import Counter

import pytest
from sqlalchemy import func, select

from app.core.extensions import db
from app.vista.models import DIMENSIONS, ItemKind, QuestionnaireItem, QuestionnairePage, QuestionnaireVersion
from app.vista.questionnaire_file import (
    MAX_FILE_BYTES,
    SHIPPED,
    QuestionnaireFileError,
    VersionConflict,
    load,
    parse,
    read,
)


@pytest.fixture
def shipped() -> dict:
    """The shipped questionnaire as decoded JSON, to be spoiled by a test."""
    return json.loads(SHIPPED.read_text(encoding="utf-8"))


def problems_of(data) -> list[str]:
    with pytest.raises(QuestionnaireFileError) as caught:
        parse(data)
    return caught.value.problems


def item(data: dict, code: str) -> dict:
    return next(i for page in data["pages"] for i in page["items"] if i["code"] == code)


def test_the_shipped_questionnaire_is_complete():
    spec = read(SHIPPED)
    assert (spec.code, spec.version) == ("vista", "2026.1")
    assert [p.code for p in spec.pages] == ["entreprise", "d1", "d2", "d3", "d4", "d5", "d6"]
    assert [p.dimension for p in spec.pages] == [None, *DIMENSIONS]
    assert 55 <= len(spec.items) <= 65
    assert {i.kind for i in spec.items} == {k.value for k in ItemKind}
    lenses = Counter((i.dimension, i.lens) for i in spec.items)
    for dimension in DIMENSIONS:
        assert lenses[(dimension, "A")] >= 5
        assert lenses[(dimension, "U")] >= 1
        assert lenses[(dimension, "I")] >= 2
    assert any(i.negative for i in spec.items) and any(i.allows_not_relevant for i in spec.items)
    headcount = next(i for i in spec.items if i.code == "headcount")
    assert (headcount.kind, headcount.minimum, headcount.maximum, headcount.required) == (
        "figure",
        0,
        100000,
        True,
    )
    figures = {i.code: (i.minimum, i.maximum) for i in spec.items if i.kind == "figure"}
    assert figures["d2_hours_saved"] == (0, 168)
    assert figures["d1_online_sales_share"] == (0, 100)
    assert figures["d4_incidents"] == (0, 1000)
    for i in spec.items:
        # Plain French: typographic apostrophes, vouvoiement.
        assert "'" not in i.text_fr + i.help_fr and " tu " not in f" {i.text_fr.lower()} "
        assert i.text_en.strip() and i.text_fr.strip() and i.weight > 0
    data_loss = next(i for i in spec.items if i.code == "d4_data_loss")
    assert data_loss.negative and data_loss.text_fr == "Nous perdons des données faute de sauvegarde."


@pytest.mark.parametrize(
    ("spoil", "expected"),
    [
        (
            lambda d: item(d, "d3_training_plan").update(kind="slider"),
            "page 'd3', item 'd3_training_plan': unknown kind 'slider'",
        ),
        (lambda d: item(d, "d3_training_plan").update(lens="X"), "item 'd3_training_plan': unknown lens 'X'"),
        (
            lambda d: item(d, "d3_training_plan").update(dimension="D9"),
            "item 'd3_training_plan': unknown dimension 'D9'",
        ),
        (
            lambda d: item(d, "d3_training_plan").update(dimension="D4"),
            "item 'd3_training_plan': dimension 'D4' differs from its page's dimension 'D3'",
        ),
        (
            lambda d: item(d, "d3_training_plan").update(code="d3_share_tips"),
            "page 'd3', item 'd3_share_tips': duplicate item code",
        ),
        (
            lambda d: item(d, "d3_training_plan").update(text_fr=" "),
            "item 'd3_training_plan': text_fr is empty",
        ),
        (
            lambda d: item(d, "d3_training_plan").pop("text_en"),
            "item 'd3_training_plan': text_en is missing or not a string",
        ),
        (
            lambda d: item(d, "d3_training_plan").update(weight=0),
            "item 'd3_training_plan': weight must be greater than 0",
        ),
        (
            lambda d: item(d, "d3_training_plan").update(weight="2"),
            "item 'd3_training_plan': weight must be a number",
        ),
        (
            lambda d: item(d, "d4_incidents").update(minimum=10, maximum=1),
            "item 'd4_incidents': minimum 10 is greater than maximum 1",
        ),
        (
            lambda d: item(d, "d4_incidents").pop("maximum"),
            "item 'd4_incidents': a figure needs a minimum and a maximum",
        ),
        (
            lambda d: item(d, "d3_training_plan").update(kind="figure", minimum=0, maximum=5),
            "item 'd3_training_plan': kind 'figure' is not allowed for lens A",
        ),
        (
            lambda d: item(d, "d3_self_learning").update(kind="tick"),
            "item 'd3_self_learning': kind 'tick' is not allowed for lens U",
        ),
        (
            lambda d: item(d, "d3_training_plan").update(minimum=0),
            "item 'd3_training_plan': minimum is for figures only",
        ),
        (
            lambda d: item(d, "d3_training_plan").update(negative="yes"),
            "item 'd3_training_plan': negative must be true or false",
        ),
        (
            lambda d: item(d, "d3_training_plan").update(colour="red"),
            "item 'd3_training_plan': unknown field 'colour'",
        ),
        (
            lambda d: item(d, "d3_training_plan").update(code="D3 Plan"),
            "code 'D3 Plan' must be 1 to 40 lower-case",
        ),
        (lambda d: d["pages"][3].update(title_en=""), "page 'd3': title_en is empty"),
        (lambda d: d["pages"][3].update(code="d2"), "page 'd2': duplicate page code"),
        (lambda d: d["pages"][3].update(items=[]), "page 'd3': items must be a non-empty list"),
        (lambda d: d["pages"].pop(0), "no item 'headcount'"),
        (lambda d: d["pages"].pop(), "dimension D6 has no adoption item"),
        (lambda d: d.update(pages={}), "pages must be a non-empty list"),
        (lambda d: d.pop("version"), "version is missing or not a string"),
    ],
)
def test_a_malformed_file_names_its_fault(shipped, spoil, expected):
    spoil(shipped)
    assert any(expected in problem for problem in problems_of(shipped)), problems_of(shipped)


def test_every_problem_is_reported_not_only_the_first(shipped):
    item(shipped, "d1_budget").update(weight=-1)
    item(shipped, "d5_ai_tools").update(kind="dial")
    item(shipped, "d6_repair").update(text_en="")
    problems = problems_of(shipped)
    assert len(problems) == 3
    assert problems == [
        "page 'd1', item 'd1_budget': weight must be greater than 0",
        "page 'd5', item 'd5_ai_tools': unknown kind 'dial' "
        "(expected one of tick, invest, scale, triple, agree, figure)",
        "page 'd6', item 'd6_repair': text_en is empty",
    ]


@pytest.mark.parametrize("data", [[], "vista", 3, None])
def test_the_top_level_must_be_an_object(data):
    assert problems_of(data) == [f"the file must hold a JSON object, not {type(data).__name__}"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"code": "vista",', "not JSON (line 1, column 18"),
        (b"\xff\xfe{}", "not UTF-8 text"),
        (b'{"code": "vista", "code": "x"}', "duplicate key 'code'"),
        (b'{"weight": NaN}', "NaN is not a number JSON allows"),
    ],
)
def test_a_file_that_is_not_json(tmp_path, content, expected):
    path = tmp_path / "q.json"
    path.write_bytes(content)
    with pytest.raises(QuestionnaireFileError) as caught:
        read(path)
    assert expected in caught.value.problems[0]


def test_a_file_too_large_or_missing(tmp_path):
    big = tmp_path / "big.json"
    big.write_text(" " * (MAX_FILE_BYTES + 1))
    with pytest.raises(QuestionnaireFileError, match="larger than 1,000,000 bytes"):
        read(big)
    with pytest.raises(QuestionnaireFileError, match="no such file"):
        read(tmp_path / "missing.json")


def _rows():
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (QuestionnaireVersion, QuestionnairePage, QuestionnaireItem)
    )


def test_load_inserts_the_version_once_and_refuses_other_content(app_ctx, shipped):
    spec = read(SHIPPED)
    version = load(db.session, spec)
    db.session.commit()
    assert _rows() == (1, 7, len(spec.items))
    assert version.digest == spec.digest and len(version.digest) == 64
    pages = version.pages
    assert [p.position for p in pages] == list(range(7))
    d4 = next(p for p in pages if p.code == "d4")
    loss = next(i for i in d4.items if i.code == "d4_data_loss")
    assert (loss.dimension, loss.lens, loss.kind, loss.negative, loss.questionnaire_id) == (
        "D4",
        "A",
        "tick",
        True,
        version.id,
    )
    assert load(db.session, read(SHIPPED)).id == version.id
    assert _rows() == (1, 7, len(spec.items))
    changed = copy.deepcopy(shipped)
    item(changed, "d1_budget")["weight"] = 3
    with pytest.raises(VersionConflict) as caught:
        load(db.session, parse(changed))
    assert caught.value.problems == [
        "version 2026.1 of 'vista' is already loaded with other content: give the new content a new version"
    ]
    changed["version"] = "2026.2"
    newer = load(db.session, parse(changed))
    db.session.commit()
    assert newer.id != version.id and _rows() == (2, 14, 2 * len(spec.items))
    # The older version's rows are untouched.
    assert (
        db.session.scalar(
            select(QuestionnaireItem.weight).where(
                QuestionnaireItem.questionnaire_id == version.id, QuestionnaireItem.code == "d1_budget"
            )
        )
        == 1.0
    )
