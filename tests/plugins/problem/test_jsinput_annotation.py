"""JavaScript inputs (``<jsinput>`` in a ``<customresponse>``) and annotation questions
(``<annotationresponse>``) through the real unit page and handler endpoints: graded as Open edX grades
them (the author's check function on the frame's answer; 2, 1 or 0 points for the tag), the state saved
with the answer, the frame's document sandboxed, bad answers refused with a message and nothing changed,
and the XML given back unchanged by the export."""

from __future__ import annotations

import json
import tarfile

import pytest
from lxml import html as lxml_html

from app.courses.exporting import export_course
from plugins.problem import sandbox
from plugins.problem.model import ProblemError, read_problem
from tests.plugins.problem.conftest import recorded, user_state

JSINPUT = """<problem url_name="js" display_name="Le curseur">
<script type="loncapa/python"><![CDATA[
import json
def check(expect, ans):
    given = json.loads(json.loads(ans)["answer"])
    value = given.get("x")
    if value == 42:
        return True
    if isinstance(value, int) and abs(value - 42) <= 5:
        return {'ok': 'partial', 'msg': 'Presque.', 'grade_decimal': 0.5}
    return False
]]></script>
<p>Placez le curseur sur 42.</p>
<customresponse cfn="check">
  JSINPUT_TAG
</customresponse>
</problem>""".replace(
    # On one line: the export writes an element's attributes on one line.
    "JSINPUT_TAG",
    '<jsinput gradefn="Curseur.getGrade" get_statefn="getState" set_statefn="setState" '
    'html_file="/static/curseur.html" width="420" height="160" title="Le curseur" sop="false"/>',
)
J = "block-problem-js"

ANNOTATION = """<problem url_name="note" display_name="Annoter la loi">
<annotationresponse>
  <annotationinput>
    <title>Le texte de loi</title>
    <text>La facture <em>électronique</em> devient obligatoire en 2026.</text>
    <comment>Qu’en pensez-vous ?</comment>
    <comment_prompt>Votre commentaire</comment_prompt>
    <tag_prompt>Votre étiquette</tag_prompt>
    <options>
      <option choice="correct">Obligation</option>
      <option choice="partially-correct">Conseil</option>
      <option choice="incorrect">Interdiction</option>
    </options>
  </annotationinput>
</annotationresponse>
</problem>"""
N = "block-problem-note"

FOREIGN = """<problem url_name="ailleurs" display_name="Ailleurs">
<script type="loncapa/python"><![CDATA[
def check(expect, ans):
    return True
]]></script>
<customresponse cfn="check"><jsinput gradefn="g" html_file="https://example.org/x.html"/></customresponse>
</problem>"""

needs_sandbox = pytest.mark.skipif(not sandbox.available(), reason="the script sandbox needs libseccomp")


def js_answer(x: object, state: object = "s") -> str:
    """What the page sends for the frame: Open edX's {"answer", "state"} as JSON text."""
    return json.dumps({"answer": json.dumps({"x": x}), "state": state})


# Annotation -----------------------------------------------------------------------------------------------


def test_annotation_is_shown_as_an_accessible_form_with_nothing_of_the_grading(olx_course, enrolled, as_user):
    course = olx_course(ANNOTATION)
    client = as_user(enrolled(course), course, language="fr")
    page = client.page()
    tree = lxml_html.fromstring(page)
    (box,) = tree.xpath(f'//fieldset[@data-input-id="{N}_2_1"]')
    assert box.xpath("./legend")[0].text_content().strip() == "Le texte de loi"
    assert box.xpath(f'.//label[@for="{N}_2_1-comment"]')[0].text_content() == "Votre commentaire"
    assert [r.get("value") for r in box.xpath(".//input[@type='radio']")] == ["0", "1", "2"]
    assert [
        label.text_content() for label in box.xpath(".//li[contains(@class, 'problem-choice')]/label")
    ] == [
        "Obligation",
        "Conseil",
        "Interdiction",
    ]
    assert "<em>électronique</em>" in page and "Qu’en pensez-vous ?" in page
    assert "partially-correct" not in page and "choice=" not in page
    assert "2 points possibles" in page


@pytest.mark.parametrize(
    ("option", "earned", "correctness", "correct"),
    [(0, 2.0, "correct", True), (1, 1.0, "partially-correct", False), (2, 0.0, "incorrect", False)],
)
def test_annotation_tags_are_worth_two_one_or_no_point(
    app, olx_course, enrolled, as_user, option, earned, correctness, correct
):
    course = olx_course(ANNOTATION)
    learner = enrolled(course)
    client = as_user(learner, course, language="fr")
    client.page()
    answer = {"options": [option], "comment": "Une obligation, dès 2026."}
    response = client.call("problem", "note", "submit", {f"{N}_2_1": answer})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["correct"] is correct
    assert recorded(app, learner.id, course, "note")[:2] == (earned, 2.0)
    state = user_state(app, learner.id, course, "note")
    assert state["student_answers"] == {f"{N}_2_1": answer}
    assert state["correct_map"][f"{N}_2_1"]["correctness"] == correctness
    # On reload, the comment and the tag are there again.
    tree = lxml_html.fromstring(client.page())
    assert tree.get_element_by_id(f"{N}_2_1-comment").text_content() == "Une obligation, dès 2026."
    assert tree.get_element_by_id(f"{N}_2_1-option-{option}").get("checked") is not None


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"options": [7], "comment": ""}, "ne fait pas partie des choix"),
        ({"options": [0, 1], "comment": ""}, "forme"),
        ({"options": ["0"], "comment": ""}, "forme"),
        ({"options": [True], "comment": ""}, "forme"),
        ({"options": [0], "comment": 12}, "forme"),
        ({"options": [0], "comment": "x" * 10_001}, "trop longue"),
        ({"options": [0], "script": "<script>"}, "forme"),
        ("choice_0", "forme"),
        ({}, "Répondez"),
    ],
)
def test_bad_annotation_answers_are_refused_and_nothing_changes(
    app, olx_course, enrolled, as_user, answer, message
):
    course = olx_course(ANNOTATION)
    learner = enrolled(course)
    client = as_user(learner, course, language="fr")
    client.page()
    response = client.call("problem", "note", "submit", {f"{N}_2_1": answer})
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert recorded(app, learner.id, course, "note") is None
    assert "student_answers" not in user_state(app, learner.id, course, "note")


def test_show_answer_gives_the_correct_tag(olx_course, enrolled, as_user):
    course = olx_course(ANNOTATION.replace('display_name="Annoter la loi"', 'showanswer="always"'))
    client = as_user(enrolled(course), course, language="fr")
    client.page()
    response = client.call("problem", "note", "show_answer", {})
    assert response.status_code == 200
    assert response.get_json()["answers"] == {f"{N}_2_1": ["Obligation"]}
    assert "is-answer" in response.get_json()["html"]


# JavaScript input -----------------------------------------------------------------------------------------


def test_jsinput_is_a_sandboxed_frame_of_the_course_file(olx_course, enrolled, as_user):
    course = olx_course(JSINPUT, {"static/curseur.html": "<p>Curseur</p>"})
    client = as_user(enrolled(course), course, language="fr")
    page = client.page()
    tree = lxml_html.fromstring(page)
    (frame,) = tree.xpath("//iframe[@class='problem-jsinput-frame']")
    assert frame.get("sandbox") == "allow-scripts"  # never allow-same-origin: an opaque origin
    assert frame.get("src") == course.handler_url("problem", "js", "jsinput_frame", f"{J}_2_1")
    assert frame.get("data-file").endswith("/static/curseur.html")
    assert frame.get("data-file").startswith("/formations/")
    assert (frame.get("width"), frame.get("height"), frame.get("title")) == ("420", "160", "Le curseur")
    # The page holds nothing of the check: neither the script nor the function names.
    assert "def check" not in page and "getGrade" not in page


def test_the_frame_document_is_sandboxed_by_its_own_policy(olx_course, enrolled, as_user):
    course = olx_course(JSINPUT, {"static/curseur.html": "<p>Curseur</p>"})
    client = as_user(enrolled(course), course, language="fr")
    response = client.client.get(course.handler_url("problem", "js", "jsinput_frame", f"{J}_2_1"))
    assert response.status_code == 200 and response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert policy.startswith("sandbox allow-scripts;") and "allow-same-origin" not in policy
    assert "connect-src 'none'" in policy and "frame-ancestors http://localhost" in policy
    body = response.get_data(as_text=True)
    assert "Curseur.getGrade" in body and "cybermassif-jsinput" in body
    # Another input id, or a POST, gets nothing.
    assert client.client.get(course.handler_url("problem", "js", "jsinput_frame", "nope")).status_code == 404
    assert client.client.post(
        course.handler_url("problem", "js", "jsinput_frame", f"{J}_2_1")
    ).status_code in (
        400,
        405,
    )


@needs_sandbox
@pytest.mark.parametrize(("x", "earned", "correct"), [(42, 1.0, True), (45, 0.5, False), (7, 0.0, False)])
def test_jsinput_answers_are_checked_by_the_check_function(
    app, olx_course, enrolled, as_user, x, earned, correct
):
    course = olx_course(JSINPUT, {"static/curseur.html": "<p>Curseur</p>"})
    learner = enrolled(course)
    client = as_user(learner, course, language="fr")
    client.page()
    answer = js_answer(x, json.dumps({"position": x}))
    response = client.call("problem", "js", "submit", {f"{J}_2_1": answer})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["correct"] is correct
    assert recorded(app, learner.id, course, "js")[:2] == (earned, 1.0)
    # The answer and its state are saved as sent, and given back to the page for the frame.
    assert user_state(app, learner.id, course, "js")["student_answers"] == {f"{J}_2_1": answer}
    (box,) = lxml_html.fromstring(client.page()).xpath("//div[contains(@class, 'problem-jsinput')]")
    assert json.loads(box.get("data-answer")) == {
        "answer": json.dumps({"x": x}),
        "state": json.dumps({"position": x}),
    }
    if x == 45:
        assert "Presque." in response.get_json()["html"]


@needs_sandbox
@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("pas du JSON", "forme"),
        (json.dumps({"answer": "1"}), "forme"),
        (json.dumps({"answer": 1, "state": ""}), "forme"),
        (json.dumps({"answer": "1", "state": "", "extra": 1}), "forme"),
        (json.dumps(["answer", "state"]), "forme"),
        ({"answer": "1", "state": ""}, "forme"),
        (js_answer(42, "x" * 64_000), "trop longue"),
    ],
)
def test_bad_jsinput_answers_are_refused_and_nothing_changes(
    app, olx_course, enrolled, as_user, answer, message
):
    course = olx_course(JSINPUT, {"static/curseur.html": "<p>Curseur</p>"})
    learner = enrolled(course)
    client = as_user(learner, course, language="fr")
    client.page()
    response = client.call("problem", "js", "submit", {f"{J}_2_1": answer})
    assert response.status_code == 400, response.get_data(as_text=True)
    assert message in response.get_json()["error"]
    assert recorded(app, learner.id, course, "js") is None
    assert "student_answers" not in user_state(app, learner.id, course, "js")


def test_a_jsinput_page_from_another_site_shows_the_notice(olx_course, enrolled, as_user):
    course = olx_course(FOREIGN)
    client = as_user(enrolled(course), course, language="fr")
    page = client.page()
    assert "problem-notice" in page and "<iframe" not in page
    assert "n’est pas un fichier du cours" in page
    response = client.call("problem", "ailleurs", "submit", {"block-problem-ailleurs_2_1": "1"})
    assert response.status_code == 400


def test_export_gives_both_back_unchanged(app, olx_course, tmp_path):
    course = olx_course(JSINPUT + ANNOTATION, {"static/curseur.html": "<p>Curseur</p>"})
    archive = tmp_path / "export.tar.gz"
    with app.app_context():
        export_course(course.course_key, archive, actor=None)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        js = tar.extractfile(next(n for n in names if n.endswith("problem/js.xml"))).read().decode()
        note = tar.extractfile(next(n for n in names if n.endswith("problem/note.xml"))).read().decode()

    def inner(xml: str) -> str:
        return xml[xml.index(">", xml.index("<problem")) + 1 : xml.rindex("</problem>")]

    assert inner(note) == inner(ANNOTATION)
    assert inner(js) == inner(JSINPUT).replace("<![CDATA[\n", "\n").replace(
        "]]></script>", "</script>"
    ).replace("<= 5", "&lt;= 5")


@needs_sandbox
def test_a_jsinput_without_state_sends_the_grade_functions_text_alone(app, olx_course, enrolled, as_user):
    xml = JSINPUT.replace(' get_statefn="getState" set_statefn="setState"', "").replace(
        'json.loads(json.loads(ans)["answer"])', "json.loads(ans)"
    )
    course = olx_course(xml, {"static/curseur.html": "<p>Curseur</p>"})
    learner = enrolled(course)
    client = as_user(learner, course, language="fr")
    page = client.page()
    assert 'data-keeps-state="false"' in page
    response = client.call("problem", "js", "submit", {f"{J}_2_1": json.dumps({"x": 42})})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["correct"] is True
    assert recorded(app, learner.id, course, "js")[:2] == (1.0, 1.0)


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (
            '<annotationresponse><annotationinput><options><option choice="bof">A</option></options>'
            "</annotationinput></annotationresponse>",
            "choice=“bof”",
        ),
        (
            "<annotationresponse><annotationinput><options/></annotationinput></annotationresponse>",
            "no <option>",
        ),
    ],
)
def test_annotations_that_cannot_be_graded_are_refused_with_their_reason(xml, message):
    with pytest.raises(ProblemError, match=message):
        read_problem(f"<problem>{xml}</problem>", "p")


@needs_sandbox
@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ('html_file="/static/a.html"', "needs a gradefn"),
        ('html_file="/static/a.html" gradefn="alert(1)"', "not the name of a JavaScript function"),
        ('html_file="/static/a.html" gradefn="g" set_statefn="a;b"', "not the name of a JavaScript function"),
    ],
)
def test_jsinputs_that_cannot_run_are_refused_with_their_reason(attributes, message):
    xml = (
        '<problem><script type="loncapa/python">def check(e, a):\n    return True\n</script>'
        f'<customresponse cfn="check"><jsinput {attributes}/></customresponse></problem>'
    )
    with pytest.raises(ProblemError, match=message):
        read_problem(xml, "p")


@pytest.mark.parametrize(
    "html_file",
    [
        "https://example.org/x.html",
        "//example.org/x.html",
        "/static/../secret.html",
        "javascript:alert(1)",
        "",
    ],
)
def test_only_course_files_are_accepted_as_the_page(html_file):
    jsinput = f'<jsinput gradefn="g" html_file="{html_file}"/>'
    xml = f'<problem><customresponse cfn="c">{jsinput}</customresponse></problem>'
    problem = read_problem(xml, "p")
    assert not problem.gradable
    assert any("<jsinput>" in part for part in problem.unsupported)


@needs_sandbox
def test_a_hostile_state_is_kept_as_text_and_never_markup(app, olx_course, enrolled, as_user):
    course = olx_course(JSINPUT, {"static/curseur.html": "<p>Curseur</p>"})
    learner = enrolled(course)
    client = as_user(learner, course, language="fr")
    client.page()
    hostile = '"><script>alert(document.cookie)</script><iframe src="https://evil.example">'
    answer = js_answer(42, hostile)
    response = client.call("problem", "js", "submit", {f"{J}_2_1": answer})
    assert response.status_code == 200, response.get_data(as_text=True)
    page = client.page()
    assert "<script>alert" not in page and 'src="https://evil.example"' not in page
    (box,) = lxml_html.fromstring(page).xpath("//div[contains(@class, 'problem-jsinput')]")
    assert json.loads(box.get("data-answer"))["state"] == hostile
