"""Image questions (<imageresponse>: a click inside a rectangle or a region) and choices with numbers
(<choicetextresponse>) graded as Open edX grades them; bad points and numbers are explained to the learner
(in French too) and cost no attempt; authors' malformed areas are errors with their line; the XML comes
back unchanged from an export."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

from app.core.extensions import db
from app.courses.exporting import export_course
from app.courses.importing import import_course
from plugins.problem.grading import CORRECT, INCORRECT, AnswerError, clean_answers, grade
from plugins.problem.model import CHOICE_TEXT, IMAGE, ProblemError, read_problem
from tests.plugins.problem.conftest import recorded, user_state
from tests.runtime.olx_helpers import small_course, write_course

P = "pid"
ID = f"{P}_2_1"


def image(
    rectangle: str | None = None, regions: str | None = None, size: str = 'width="200" height="100"'
) -> str:
    areas = (f' rectangle="{rectangle}"' if rectangle is not None else "") + (
        f' regions="{regions}"' if regions is not None else ""
    )
    return f'<imageresponse><imageinput src="/static/carte.png" {size}{areas}/></imageresponse>'


def clicked(body: str, x: int, y: int) -> str:
    problem = read_problem(f"<problem>{body}</problem>", P)
    answers = clean_answers(problem, {ID: {"x": str(x), "y": str(y)}})
    return grade(problem, answers).results[ID].correctness


# Image questions: Open edX's rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("point", "correctness"),
    [
        ((12, 19), CORRECT),
        ((10, 10), CORRECT),  # the borders are in the rectangle
        ((20, 30), CORRECT),
        ((10, 25), CORRECT),
        ((9, 15), INCORRECT),
        ((21, 15), INCORRECT),
        ((15, 31), INCORRECT),
        ((120, 60), CORRECT),  # in the second rectangle
    ],
)
def test_a_click_in_a_rectangle_is_right(point: tuple[int, int], correctness: str):
    assert clicked(image("(10,10)-(20,30); [100, 50]-[150,80]"), *point) == correctness


def test_a_rectangle_written_the_other_way_round_holds_no_point_and_the_author_is_warned():
    body = image("(20,30)-(10,10)")
    assert clicked(body, 15, 20) == INCORRECT  # as Open edX: it does not reorder the corners
    problem = read_problem(f"<problem>{body}</problem>", P)
    assert [str(w) for w in problem.warnings] == [
        "line 1: The rectangle (20,30)-(10,10) holds no point: write its top left corner first."
    ]


@pytest.mark.parametrize(
    ("regions", "point", "correctness"),
    [
        ("[[[10,10],[20,10],[20,30]]]", (18, 15), CORRECT),
        ("[[[10,10],[20,10],[20,30]]]", (12, 25), INCORRECT),
        ("[[[10,10],[20,10],[20,30]]]", (15, 10), INCORRECT),  # on the border: not strictly inside
        ("[[[10,10],[20,10],[20,30]]]", (20, 20), INCORRECT),
        ("[[1,1],[5,10],[0,10]]", (2, 4), CORRECT),  # one region without the outer list (Open edX's test)
        ("[[1,1],[5,10],[0,10]]", (1, 3), CORRECT),
        ("[[1,1],[5,10],[0,10]]", (3, 5), INCORRECT),
        ("[[1,1],[5,10],[0,10]]", (0, 0), INCORRECT),
        ("[[10,10],[30,30],[10,30],[30,10]]", (20, 20), CORRECT),  # points in any order: their hull
        ("[[10,10],[30,30],[10,30],[30,10],[20,20]]", (25, 12), CORRECT),
        ("[[[10,10],[20,10],[20,30]],[[100,50],[120,50],[120,90]]]", (115, 55), CORRECT),
        ("[[0,0],[10,10],[20,20]]", (10, 10), INCORRECT),  # all on one line: no area
        ("[]", (10, 10), INCORRECT),
    ],
)
def test_a_click_strictly_inside_a_region_is_right(regions: str, point: tuple[int, int], correctness: str):
    assert clicked(image(regions=regions), *point) == correctness


def test_a_click_in_a_rectangle_or_a_region_is_right():
    body = image("(100,50)-(150,80)", "[[10,10],[20,10],[20,30]]")
    assert clicked(body, 13, 12) == CORRECT
    assert clicked(body, 110, 60) == CORRECT
    assert clicked(body, 0, 0) == INCORRECT


def test_an_image_question_is_gradable_and_shows_its_areas_as_the_answer():
    problem = read_problem(f"<problem>{image('(10,10)-(20,30)')}</problem>", P)
    question = problem.inputs[ID]
    assert problem.gradable and question.kind == IMAGE and question.answer_display() == ["(10,10)-(20,30)"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (image("(10,10)-(20)"), "The rectangle “(10,10)-(20)” cannot be read"),
        (image("(10,10)-(20,30);"), "The rectangle “” cannot be read"),
        (image("(a,10)-(20,30)"), "cannot be read: write it as (left,top)-(right,bottom)"),
        (image("(1,1)-(1234567890,2)"), "is too large"),
        (image(regions="[[10,10],[20,10]"), "The regions “[[10,10],[20,10]” cannot be read"),
        (image(regions="[[[10,10],[20,10],[20]]]"), "cannot be read"),
        (image(regions="[[[10,10],[20,10],['a',3]]]"), "cannot be read"),
        (image(regions="[[[10,10],[20,10],[NaN,3]]]"), "cannot be read"),
        (image(regions="[[[true,10],[20,10],[5,3]]]"), "cannot be read"),
        (image(regions="[[]]"), "cannot be read"),
        (image("(1,1)-(2,2)", size='width="200"'), "needs a width and a height in pixels"),
        (image("(1,1)-(2,2)", size='width="large" height="10"'), "needs a width and a height in pixels"),
        ('<imageresponse><imageinput width="1" height="1"/></imageresponse>', "needs a src attribute"),
        (
            '<imageresponse><imageinput src="javascript:alert(1)" width="1" height="1"/></imageresponse>',
            "must be a course file",
        ),
    ],
)
def test_an_authors_malformed_area_is_an_error_with_its_line(body: str, message: str):
    with pytest.raises(ProblemError) as raised:
        read_problem(f"<problem>\n<p>Texte</p>\n{body}</problem>", P)
    assert message in str(raised.value)
    assert raised.value.line == 3


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"x": "12"}, "Give both coordinates of the point, x and y, or click the image."),
        ({"x": "", "y": "30"}, "Give both coordinates of the point, x and y, or click the image."),
        ({"x": "douze", "y": "30"}, "“douze” is not a whole number of pixels."),
        ({"x": "12.5", "y": "30"}, "“12.5” is not a whole number of pixels."),
        ({"x": "-3", "y": "30"}, "The point (-3, 30) is outside the image, which is 200 × 100 pixels."),
        ({"x": "201", "y": "30"}, "The point (201, 30) is outside the image, which is 200 × 100 pixels."),
        ({"x": "9" * 5000, "y": "1"}, "An answer is too long: at most 12 characters are accepted."),
        ({"x": "12", "y": "30", "z": "1"}, "The answer to a question has the wrong form."),
        ("[12,30]", "The answer to a question has the wrong form."),
        ({"x": ["12"], "y": "30"}, "The answer to a question has the wrong form."),
    ],
)
def test_a_bad_point_is_explained(answer, message: str):
    problem = read_problem(f"<problem>{image('(10,10)-(20,30)')}</problem>", P)
    with pytest.raises(AnswerError) as raised:
        clean_answers(problem, {ID: answer})
    assert str(raised.value) == message


# Choices with numbers: Open edX's rules -------------------------------------------------------------------

RADIO = """<choicetextresponse><radiotextgroup>
  <choice correct="false">Le plus petit nombre est <decoy_input/> et le plus grand <decoy_input/>.</choice>
  <choice correct="true">Le plus petit nombre est <numtolerance_input answer="5" tolerance="0.1"/>
    et le plus grand <numtolerance_input answer="12.5" tolerance="2%"/>.</choice>
  <choice correct="false">On ne peut pas savoir.</choice>
</radiotextgroup></choicetextresponse>"""
CHECKBOX = """<choicetextresponse><checkboxtextgroup>
  <choice correct="true">La racine de deux vaut
    <numtolerance_input answer="1.4142" tolerance="0.01"/></choice>
  <choice correct="false">Le plus grand vaut <decoy_input/>.</choice>
  <choice correct="true">On ne peut pas connaître le plus grand.</choice>
</checkboxtextgroup></choicetextresponse>"""


def chose(body: str, choices: list[str], values: dict[str, str]) -> str:
    problem = read_problem(f"<problem>{body}</problem>", P)
    answers = clean_answers(problem, {ID: {"choices": choices, "values": values}})
    return grade(problem, answers).results[ID].correctness


@pytest.mark.parametrize(
    ("choices", "values", "correctness"),
    [
        (["choice_1"], {"choice_1_0": "5", "choice_1_1": "12,5"}, CORRECT),
        (["choice_1"], {"choice_1_0": "5.1", "choice_1_1": "12.7"}, CORRECT),  # within 0.1 and 2 %
        (["choice_1"], {"choice_1_0": "4.8", "choice_1_1": "12.5"}, INCORRECT),
        (["choice_1"], {"choice_1_0": "5", "choice_1_1": "13"}, INCORRECT),
        (["choice_1"], {"choice_1_0": "5", "choice_1_1": ""}, INCORRECT),  # an empty field is wrong
        (["choice_1"], {"choice_1_0": "10/2", "choice_1_1": "25/2"}, CORRECT),  # computed, as Open edX
        (["choice_0"], {"choice_0_0": "5", "choice_0_1": "12.5"}, INCORRECT),
        (["choice_2"], {"choice_1_0": "5", "choice_1_1": "12.5"}, INCORRECT),
    ],
)
def test_the_right_choice_with_its_numbers_is_right(choices, values, correctness: str):
    assert chose(RADIO, choices, values) == correctness


@pytest.mark.parametrize(
    ("choices", "values", "correctness"),
    [
        (["choice_0", "choice_2"], {"choice_0_0": "1.41"}, CORRECT),
        (["choice_0", "choice_2"], {"choice_0_0": "1.5"}, INCORRECT),
        (["choice_0"], {"choice_0_0": "1.41"}, INCORRECT),  # a correct choice is missing
        (["choice_0", "choice_1", "choice_2"], {"choice_0_0": "1.41", "choice_1_0": "3"}, INCORRECT),
        # The field of a choice not chosen is not looked at, even when it is not a number.
        (["choice_0", "choice_2"], {"choice_0_0": "1.41", "choice_1_0": "beaucoup"}, CORRECT),
    ],
)
def test_exactly_the_right_boxes_with_their_numbers_are_right(choices, values, correctness: str):
    assert chose(CHECKBOX, choices, values) == correctness


def test_choices_with_numbers_are_gradable_and_show_their_answer():
    problem = read_problem(f"<problem>{RADIO}</problem>", P)
    question = problem.inputs[ID]
    assert problem.gradable and question.kind == CHOICE_TEXT and not question.several
    assert question.answer_display() == ["choice_1 5 12.5"]
    assert read_problem(f"<problem>{CHECKBOX}</problem>", P).inputs[ID].several


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            {"choices": ["choice_1"], "values": {"choice_1_0": "cinq"}},
            "“cinq” is not a number. Type only digits, with a comma or a point for decimals (e.g. 12,5).",
        ),
        (
            {"choices": ["choice_0"], "values": {"choice_0_0": "1/0"}},  # a decoy of a chosen choice too
            "“1/0” is not a number. Type only digits, with a comma or a point for decimals (e.g. 12,5).",
        ),
        ({"choices": ["choice_9"], "values": {}}, "One of the answers is not a choice of its question."),
        ({"choices": ["choice_0", "choice_1"], "values": {}}, "The answer to a question has the wrong form."),
        (
            {"choices": ["choice_1"], "values": {"choice_7_0": "1"}},
            "The answer to a question has the wrong form.",
        ),
        (
            {"choices": ["choice_1"], "values": {"choice_1_0": 5}},
            "The answer to a question has the wrong form.",
        ),
        ({"choices": "choice_1"}, "The answer to a question has the wrong form."),
        (["choice_1"], "The answer to a question has the wrong form."),
        (
            {"choices": ["choice_1"], "values": {"choice_1_0": "1" * 501}},
            "An answer is too long: at most 500 characters are accepted.",
        ),
        ({"choices": [], "values": {"choice_1_0": "5"}}, "Answer at least one question before submitting."),
    ],
)
def test_bad_choices_and_numbers_are_explained(answer, message: str):
    problem = read_problem(f"<problem>{RADIO}</problem>", P)
    with pytest.raises(AnswerError) as raised:
        clean_answers(problem, {ID: answer})
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '<choicetextresponse><radiotextgroup><choice correct="true">a <numtolerance_input/></choice>'
            "</radiotextgroup></choicetextresponse>",
            "<numtolerance_input> in a correct choice needs an answer.",
        ),
        (
            '<choicetextresponse><radiotextgroup><choice correct="true">a <numtolerance_input answer="x"/>'
            "</choice></radiotextgroup></choicetextresponse>",
            "The answer “x” is not a number.",
        ),
        (
            '<choicetextresponse><radiotextgroup><choice correct="true">a <numtolerance_input answer="1"'
            ' tolerance="un peu"/></choice></radiotextgroup></choicetextresponse>',
            "The tolerance “un peu” is not a number or a percentage.",
        ),
        (
            "<choicetextresponse><radiotextgroup><p>a</p></radiotextgroup></choicetextresponse>",
            "<radiotextgroup> may hold only <choice> elements, not <p>.",
        ),
        (
            "<choicetextresponse><checkboxtextgroup></checkboxtextgroup></choicetextresponse>",
            "<checkboxtextgroup> has no <choice>.",
        ),
    ],
)
def test_an_authors_malformed_choice_is_an_error_with_its_line(body: str, message: str):
    with pytest.raises(ProblemError) as raised:
        read_problem(f"<problem>\n<p>Texte</p>\n{body}</problem>", P)
    assert message in str(raised.value)
    assert raised.value.line == 3


def test_a_choicetextgroup_stays_unsupported_as_open_edx_renders_none():
    problem = read_problem(
        "<problem><choicetextresponse><choicetextgroup><choice>a</choice></choicetextgroup>"
        "</choicetextresponse></problem>",
        P,
    )
    assert problem.unsupported == ("<choicetextgroup>",) and not problem.gradable


# Through the block ---------------------------------------------------------------------------------------

# The attributes of a tag on one line: an export writes each tag's attributes on one line.
IMAGE_INPUT = (
    '<imageinput src="/static/carte.png" width="200" height="100" rectangle="(10,10)-(20,30)" '
    'regions="[[[100,50],[150,50],[150,90]]]"/>'
)
BOTH = f"""<problem url_name="ic" display_name="Carte et nombres" max_attempts="5">
<imageresponse>
  <label>Où est Lyon ?</label>
  {IMAGE_INPUT}
</imageresponse>
{RADIO}
</problem>"""
B = "block-problem-ic"
IMG, CT = f"{B}_2_1", f"{B}_3_1"


@pytest.fixture
def both_course(olx_course):
    return olx_course(BOTH)


def test_the_page_shows_the_image_and_the_fields_without_the_answers(both_course, enrolled, as_user):
    page = as_user(enrolled(both_course), both_course, language="fr").page()
    for secret in ("(10,10)", "[[[100", "rectangle", "numtolerance", "decoy", "12.5", "0.1"):
        assert secret not in page, secret
    doc = lxml_html.fromstring(page)
    picture = doc.xpath(f'//fieldset[@data-input-id="{IMG}"]//img')[0]
    # The image goes through the course's asset links, as other /static/ links do.
    assert picture.get("src") != "/static/carte.png" and picture.get("src").endswith("/carte.png")
    assert 'src="/static/carte.png"' not in page
    assert (picture.get("width"), picture.get("height")) == ("200", "100")
    # Keyboard users type the point: two labelled number fields.
    for axis in ("x", "y"):
        field = doc.xpath(f'//input[@id="{IMG}-{axis}"]')[0]
        assert field.get("type") == "number" and doc.xpath(f'//label[@for="{IMG}-{axis}"]')
    assert doc.xpath(f'//fieldset[@data-input-id="{CT}"]')[0].get("data-kind") == "choice_text"
    assert len(doc.xpath(f'//fieldset[@data-input-id="{CT}"]//input[@type="radio"]')) == 3
    assert len(doc.xpath(f'//fieldset[@data-input-id="{CT}"]//input[@data-field]')) == 4


def test_a_learner_answers_and_is_graded(app, both_course, enrolled, as_user):
    learner = enrolled(both_course)
    client = as_user(learner, both_course, language="fr")
    right = client.call(
        "problem",
        "ic",
        "submit",
        {
            IMG: {"x": "140", "y": "60"},
            CT: {"choices": ["choice_1"], "values": {"choice_1_0": "5,05", "choice_1_1": "12.5"}},
        },
    )
    assert right.status_code == 200 and right.get_json()["correct"] is True
    state = user_state(app, learner.id, both_course, "ic")
    assert state["student_answers"][IMG] == "[140,60]"  # stored as Open edX stores a click
    assert {i: state["correct_map"][i]["correctness"] for i in (IMG, CT)} == {IMG: CORRECT, CT: CORRECT}
    page = lxml_html.fromstring(right.get_json()["html"])
    assert page.xpath(f'//input[@id="{IMG}-x"]')[0].get("value") == "140"
    assert page.xpath('//input[@data-field="choice_1_0"]')[0].get("value") == "5,05"
    wrong = client.call(
        "problem",
        "ic",
        "submit",
        {IMG: {"x": "60", "y": "60"}, CT: {"choices": ["choice_2"], "values": {}}},
    )
    assert wrong.status_code == 200 and wrong.get_json()["correct"] is False
    state = user_state(app, learner.id, both_course, "ic")
    assert {i: state["correct_map"][i]["correctness"] for i in (IMG, CT)} == {IMG: INCORRECT, CT: INCORRECT}
    assert state["attempts"] == 2 and recorded(app, learner.id, both_course, "ic")[0] == 0


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({IMG: {"x": "12"}}, "Donnez les deux coordonnées du point, x et y, ou cliquez sur l’image."),
        ({IMG: {"x": "douze", "y": "3"}}, "« douze » n’est pas un nombre entier de pixels."),
        ({IMG: {"x": "-1", "y": "3"}}, "Le point (-1, 3) est hors de l’image, qui mesure 200 × 100 pixels."),
        (
            {IMG: {"x": "5", "y": "101"}},
            "Le point (5, 101) est hors de l’image, qui mesure 200 × 100 pixels.",
        ),
        ({IMG: {"x": "1" * 100000, "y": "3"}}, "trop longue : 12 caractères"),
        ({IMG: "[1,2]"}, "La réponse à une question n’a pas la forme attendue."),
        ({CT: {"choices": ["choice_1"], "values": {"choice_1_0": "cinq"}}}, "« cinq » n’est pas un nombre."),
        ({CT: {"choices": ["choice_0", "choice_1"]}}, "La réponse à une question n’a pas la forme attendue."),
        ({CT: {"choices": ["choice_8"]}}, "ne fait pas partie des choix"),
    ],
)
def test_bad_points_and_numbers_are_refused_in_french_and_cost_no_attempt(
    app, both_course, enrolled, as_user, announced, answers, message: str
):
    learner = enrolled(both_course)
    response = as_user(learner, both_course, language="fr").call("problem", "ic", "submit", answers)
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert user_state(app, learner.id, both_course, "ic") == {}
    assert recorded(app, learner.id, both_course, "ic") is None and announced == []


def test_image_and_choice_problems_come_back_unchanged_from_an_export(app_ctx, tmp_path: Path):
    original = BOTH.replace(' url_name="ic"', "")
    files = small_course(
        **{
            "vertical/u1.xml": '<vertical display_name="Unité"><problem url_name="ic"/></vertical>',
            "problem/ic.xml": original,
        }
    )
    first = import_course(write_course(tmp_path / "course", files), actor=None)
    db.session.commit()
    assert list(first.warnings) == []
    archive = tmp_path / "export.tar.gz"
    export_course(first.course.course_key, archive, actor=None)
    with tarfile.open(archive) as tar:
        exported = tar.extractfile("T-2026/problem/ic.xml").read().decode()
    assert _inner(exported) == _inner(original)
    assert etree.fromstring(exported.encode()).get("display_name") == "Carte et nombres"


def test_a_malformed_area_is_reported_at_import_with_its_line(app_ctx, tmp_path: Path):
    broken = "<problem>\n<p>Texte</p>\n" + image("(10,10)-(20)") + "\n</problem>"
    files = small_course(
        **{
            "vertical/u1.xml": '<vertical display_name="Unité"><problem url_name="ic"/></vertical>',
            "problem/ic.xml": broken,
        }
    )
    result = import_course(write_course(tmp_path / "course", files), actor=None)
    found = [w for w in result.warnings if w.file == "problem/ic.xml"]
    assert (
        found and "line 3" in found[0].text and "The rectangle “(10,10)-(20)” cannot be read" in found[0].text
    )


def _inner(xml: str) -> str:
    return xml[xml.index(">", xml.index("<problem")) + 1 : xml.rindex("</problem>")]
