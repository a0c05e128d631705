"""Formula answers graded as Open edX grades them, with its own evaluator (openedx-calc): <formularesponse>
(the learner's formula and the author's agree at sample points within the tolerance) and <numericalresponse>
whose answer is a formula (sqrt(2)/2, pi); formulas that cannot be read or computed are explained to the
learner and cost no attempt; authors' broken formulas refuse the import; the points are the same at each
check of the same learner; the XML comes back unchanged from an export."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

from app.core.extensions import db
from app.courses.exporting import export_course
from app.courses.importing import import_course
from plugins.problem.formulas import MAX_NESTING, Samples
from plugins.problem.grading import CORRECT, INCORRECT, AnswerError, clean_answers, grade
from plugins.problem.model import FORMULA, ProblemError, read_problem
from tests.plugins.problem.conftest import recorded, user_state
from tests.runtime.olx_helpers import small_course, the_unreadable_warning, write_course

P = "pid"
ID = f"{P}_2_1"


def formula(
    answer: str, samples: str = "x,n@1,2:3,4#10", tolerance: str | None = None, kind: str = ""
) -> str:
    param = f'<responseparam type="tolerance" default="{tolerance}"/>' if tolerance else ""
    attributes = f'type="{kind}" ' if kind else ""
    opening = f'<formularesponse {attributes}samples="{samples}" answer="{answer}">'
    return f"{opening}{param}<textline/></formularesponse>"


def numerical(answer: str, tolerance: str | None = None) -> str:
    param = f'<responseparam type="tolerance" default="{tolerance}"/>' if tolerance else ""
    return f'<numericalresponse answer="{answer}">{param}<formulaequationinput/></numericalresponse>'


def checked(body: str, answer: str, seed: str = "learner") -> str:
    """The correctness of ``answer``, cleaned and graded as the block does."""
    problem = read_problem(f"<problem>{body}</problem>", P)
    answers = clean_answers(problem, {ID: answer}, seed)
    return grade(problem, answers, seed).results[ID].correctness


def refused(body: str, answer: str) -> AnswerError:
    problem = read_problem(f"<problem>{body}</problem>", P)
    with pytest.raises(AnswerError) as raised:
        clean_answers(problem, {ID: answer}, "learner")
    return raised.value


# Formula questions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "answer", "correctness"),
    [
        (formula("x^2+n", tolerance="0.01"), "n+x*x", CORRECT),
        (formula("x^2+n", tolerance="0.01"), "x^2+n+0.005", CORRECT),  # absolute: within 0.01
        (formula("x^2+n", tolerance="0.01"), "x^2+n+0.1", INCORRECT),
        (formula("x^2+n", tolerance="0.01"), "x^2", INCORRECT),
        (formula("100*x", "x@1:3#10", "5%"), "104*x", CORRECT),  # relative to the author's value
        (formula("100*x", "x@1:3#10", "5%"), "106*x", INCORRECT),
        (formula("sin(x)^2+cos(x)^2", "x@0:6#20"), "1", CORRECT),  # default tolerance: 0.001 %
        (formula("sqrt(x)", "x@1:9#20"), "x^(1/2)", CORRECT),
        (formula("sqrt(x)", "x@1:9#20"), "x/2", INCORRECT),
        (formula("2*R", "R@1:2#5"), "2*r", CORRECT),  # case-insensitive by default, as Open edX
        (formula("2*R", "R@1:2#5", kind="ci"), "2*r", CORRECT),
        (formula("2*R", "R@1:2#5", kind="cs"), "2*R", CORRECT),
        (formula("2*R", "R@1:2#5", kind="cs"), "R+R", CORRECT),
        (formula("x/x+2.5", "x@1:2#3"), "3,5", CORRECT),  # numbers as numerical questions read them
        (formula("1000*x/x", "x@1:2#3"), "1 000", CORRECT),
        (formula("1000*x/x", "x@1:2#3"), "1e3", CORRECT),
    ],
)
def test_a_formula_is_right_when_it_agrees_at_every_sample_point(body: str, answer: str, correctness: str):
    assert checked(body, answer) == correctness


def test_case_sensitive_formulas_do_not_know_the_other_case():
    error = refused(formula("2*R", "R@1:2#5", kind="cs"), "2*r")
    assert str(error) == "“2*r” uses r, which this question does not know as a variable."


def test_a_formula_question_shows_its_formula_as_the_answer_and_has_no_partial_credit():
    problem = read_problem(
        '<problem><formularesponse samples="x@1:2#3" answer="x/2" partial_credit="close">'
        "<textline/></formularesponse></problem>",
        P,
    )
    question = problem.inputs[ID]
    assert question.kind == FORMULA and problem.gradable
    assert question.answer_display() == ["x/2"] and question.partial_credit == ()


# Numerical questions whose answer is a formula ------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "answer", "correctness"),
    [
        (numerical("sqrt(2)/2"), "0.7071", CORRECT),  # within 0.001 % of 0.70710678…
        (numerical("sqrt(2)/2"), "0,7071", CORRECT),
        (numerical("sqrt(2)/2"), "sqrt(2)/2", CORRECT),
        (numerical("sqrt(2)/2"), "1/sqrt(2)", CORRECT),
        (numerical("sqrt(2)/2"), "0.707", INCORRECT),
        (numerical("pi"), "3.14159", CORRECT),
        (numerical("pi"), "pi", CORRECT),
        (numerical("pi"), "22/7", INCORRECT),
        (numerical("2*pi", "1%"), "6,28", CORRECT),
        (numerical("1/3", "0.001"), "0.333", CORRECT),
        (numerical("[0.5, 1]"), "0.75", CORRECT),  # ranges keep working
        (numerical("[0.5, 1]"), "1,5", INCORRECT),
    ],
)
def test_a_numerical_answer_may_be_a_formula(body: str, answer: str, correctness: str):
    assert checked(body, answer) == correctness


def test_a_question_whose_answer_is_a_plain_number_still_wants_a_plain_number():
    assert "is not a number" in str(refused(numerical("0.5"), "1/2"))


# Bad formulas --------------------------------------------------------------------------------------------

BAD_FORMULAS = [
    ("x^", "“x^” cannot be read as a formula."),
    ("2 x", "“2 x” cannot be read as a formula."),
    ("((x+n)", "The parentheses of “((x+n)” do not match."),
    ("x*y", "“x*y” uses y, which this question does not know as a variable."),
    ("foo(x)", "“foo(x)” uses foo(…), which is not a known function (is a * missing?)."),
    ("x/(n-n)", "“x/(n-n)” divides by zero."),
    ("9^9^9", "“9^9^9” gives a number too large to compare."),
    ("fact(1000)", "In “fact(1000)”, fact() takes whole numbers from 0 to 170 only."),
    ("sqrt(-x)", "“sqrt(-x)” gives a complex number, not a real one."),
    ("ln(x-x)", "“ln(x-x)” does not give a finite number."),
    (
        "(" * (MAX_NESTING + 1) + "x" + ")" * (MAX_NESTING + 1),
        "too many parentheses inside each other (at most 20).",
    ),
    ("x+" * 250 + "x", "An answer is too long: at most 500 characters are accepted."),
]


@pytest.mark.parametrize(("answer", "message"), BAD_FORMULAS)
def test_a_formula_that_does_not_compute_is_explained(answer: str, message: str):
    assert message in str(refused(formula("x*n"), answer))


def test_a_numerical_answer_that_does_not_compute_is_explained():
    assert str(refused(numerical("pi"), "pi/0")) == "“pi/0” divides by zero."
    assert (
        str(refused(numerical("pi"), "x")) == "“x” uses x, which this question does not know as a variable."
    )
    assert str(refused(numerical("pi"), "douze")) == (
        "“douze” uses douze, which this question does not know as a variable."
    )


def test_a_deeply_nested_formula_within_the_limit_computes():
    nested = "(" * MAX_NESTING + "x" + ")" * MAX_NESTING
    assert checked(formula("x", "x@1:2#3"), nested) == CORRECT


# The same points at each check --------------------------------------------------------------------------

BORDERLINE = formula("x", "x@0:1#1", "0.25")  # "0.5" is right for half the draws of x


def test_the_same_seed_draws_the_same_points_and_gives_the_same_verdict():
    samples = Samples.parse("x,y@1,2:3,4#10")
    assert samples.points("a") == samples.points("a") != samples.points("b")
    assert all(1 <= p["x"] <= 3 and 2 <= p["y"] <= 4 for p in samples.points("a"))
    verdicts = {seed: {checked(BORDERLINE, "0.5", seed) for _ in range(3)} for seed in map(str, range(40))}
    assert all(len(found) == 1 for found in verdicts.values())  # a re-check gives the same verdict
    assert {v for found in verdicts.values() for v in found} == {CORRECT, INCORRECT}  # the seed matters


# Authors' broken formulas ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (numerical("$a*2"), "“$a*2” cannot be read as a formula."),
        (numerical("1/0"), "“1/0” divides by zero."),
        (numerical("sqrt(-2)"), "gives a complex number"),
        (formula("x^", "x@1:2#3"), "“x^” cannot be read as a formula."),
        (formula("x*y", "x@1:2#3"), "uses y, which this question does not know"),
        (formula("ln(x)", "x@-2:-1#3"), "gives a complex number"),
        (formula("x", "x@1:2"), "must read like “x,y@1,2:3,4#10”"),
        (formula("x", "x,y@1:2#3"), "one lower and one upper bound to each of its variables"),
        (formula("x", "x@1:2#0"), "must ask for 1 to 100 points"),
        (formula("x", "x@1:nan#3"), "must be numbers"),
        ('<formularesponse answer="x"><textline/></formularesponse>', "needs a samples attribute"),
        ('<formularesponse samples="x@1:2#3"><textline/></formularesponse>', "needs an answer attribute"),
        (formula("x", "x@1:2#3", "beaucoup"), "tolerance"),
    ],
)
def test_an_authors_formula_that_does_not_compute_is_an_error_with_its_line(body: str, message: str):
    with pytest.raises(ProblemError) as raised:
        read_problem(f"<problem>\n<p>Texte</p>\n{body}</problem>", P)
    assert message in str(raised.value)
    assert raised.value.line == 3


# Through the block ---------------------------------------------------------------------------------------

FORMULAS = """<problem url_name="f" display_name="Formules" max_attempts="5">
<formularesponse type="cs" samples="x,n@1,2:3,4#10" answer="x^2+n">
  <label>L’aire ?</label>
  <responseparam type="tolerance" default="0.01"/>
  <textline size="30"/>
</formularesponse>
<numericalresponse answer="sqrt(2)/2">
  <label>Le cosinus de 45° ?</label>
  <formulaequationinput/>
</numericalresponse>
<formularesponse samples="x@0:1#1" answer="x">
  <responseparam type="tolerance" default="0.25"/>
  <textline/>
</formularesponse>
</problem>"""
F = "block-problem-f"


@pytest.fixture
def formula_course(olx_course):
    return olx_course(FORMULAS)


def test_the_page_asks_for_formulas_without_giving_them(formula_course, enrolled, as_user):
    page = as_user(enrolled(formula_course), formula_course, language="fr").page()
    for secret in ("x^2+n", "sqrt(2)/2", "samples", "x,n@"):
        assert secret not in page, secret
    doc = lxml_html.fromstring(page)
    assert doc.xpath(f'//label[@for="{F}_2_1"]')[0].text_content().strip() == "L’aire ?"
    assert doc.xpath(f'//div[@data-input-id="{F}_2_1"]')[0].get("data-kind") == "formula"
    assert doc.xpath(f'//input[@id="{F}_2_1"]')[0].get("size") == "30"
    # Formulas need letters: no numeric keypad, even where the answer is a number computed from a formula.
    assert doc.xpath(f'//input[@id="{F}_2_1"]')[0].get("inputmode") is None
    assert doc.xpath(f'//input[@id="{F}_3_1"]')[0].get("inputmode") is None


def test_a_learner_answers_formulas_and_is_graded(app, formula_course, enrolled, as_user):
    learner = enrolled(formula_course)
    client = as_user(learner, formula_course, language="fr")
    right = client.call("problem", "f", "submit", {f"{F}_2_1": "n + x*x", f"{F}_3_1": "1/sqrt(2)"})
    assert right.status_code == 200
    assert (
        user_state(app, learner.id, formula_course, "f")["correct_map"][f"{F}_2_1"]["correctness"] == CORRECT
    )
    assert (
        user_state(app, learner.id, formula_course, "f")["correct_map"][f"{F}_3_1"]["correctness"] == CORRECT
    )
    wrong = client.call("problem", "f", "submit", {f"{F}_2_1": "x^2", f"{F}_3_1": "0.7071"})
    assert wrong.status_code == 200 and wrong.get_json()["correct"] is False
    state = user_state(app, learner.id, formula_course, "f")
    assert state["correct_map"][f"{F}_2_1"]["correctness"] == INCORRECT
    assert state["correct_map"][f"{F}_3_1"]["correctness"] == CORRECT
    assert state["attempts"] == 2


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("x^", "« x^ » ne se lit pas comme une formule."),
        ("(x", "Les parenthèses de « (x » ne se correspondent pas."),
        ("x*y", "« x*y » utilise y, que cette question ne connaît pas comme variable."),
        ("foo(x)", "« foo(x) » utilise foo(…), qui n’est pas une fonction connue (manque-t-il un * ?)."),
        ("x/(n-n)", "« x/(n-n) » divise par zéro."),
        ("sqrt(-x)", "« sqrt(-x) » donne un nombre complexe, pas un nombre réel."),
        ("ln(x-x)", "« ln(x-x) » ne donne pas un nombre fini."),
        ("9^9^9", "« 9^9^9 » donne un nombre trop grand pour être comparé."),
        ("(" * 21 + "x" + ")" * 21, "trop de parenthèses imbriquées (20 au plus)."),
        ("x" * 501, "trop longue : 500 caractères"),
    ],
)
def test_a_formula_that_does_not_compute_is_refused_in_french_and_costs_no_attempt(
    app, formula_course, enrolled, as_user, announced, answer: str, message: str
):
    learner = enrolled(formula_course)
    response = as_user(learner, formula_course, language="fr").call(
        "problem", "f", "submit", {f"{F}_2_1": answer}
    )
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert user_state(app, learner.id, formula_course, "f") == {}
    assert recorded(app, learner.id, formula_course, "f") is None and announced == []


def test_checking_again_grades_at_the_same_points(app, formula_course, enrolled, as_user):
    for _learner in range(3):
        learner = enrolled(formula_course)
        client = as_user(learner, formula_course)
        seen = set()
        for _check in range(3):
            assert client.call("problem", "f", "submit", {f"{F}_4_1": "0.5"}).status_code == 200
            seen.add(
                user_state(app, learner.id, formula_course, "f")["correct_map"][f"{F}_4_1"]["correctness"]
            )
        assert len(seen) == 1


def test_formula_problems_come_back_unchanged_from_an_export(app_ctx, tmp_path: Path):
    files = small_course(
        **{
            "vertical/u1.xml": '<vertical display_name="Unité"><problem url_name="f"/></vertical>',
            "problem/f.xml": FORMULAS.replace(' url_name="f"', ""),
        }
    )
    first = import_course(write_course(tmp_path / "course", files), actor=None)
    db.session.commit()
    archive = tmp_path / "export.tar.gz"
    export_course(first.course.course_key, archive, actor=None)
    with tarfile.open(archive) as tar:
        exported = tar.extractfile("T-2026/problem/f.xml").read().decode()
    original = FORMULAS.replace(' url_name="f"', "")
    assert _inner(exported) == _inner(original)
    assert etree.fromstring(exported.encode()).get("display_name") == "Formules"


def test_an_authors_broken_formula_is_kept_with_a_warning_at_its_line(app_ctx, tmp_path: Path):
    broken = "<problem>\n<p>Texte</p>\n" + numerical("2*pi*") + "\n</problem>"
    files = small_course(
        **{
            "vertical/u1.xml": '<vertical display_name="Unité"><problem url_name="f"/></vertical>',
            "problem/f.xml": broken,
        }
    )
    result = import_course(write_course(tmp_path / "course", files), actor=None)
    warning = the_unreadable_warning(result.warnings, "problem", "“2*pi*” cannot be read as a formula")
    assert warning.file == "problem/f.xml" and "line 3" in warning.text


def _inner(xml: str) -> str:
    return xml[xml.index(">", xml.index("<problem")) + 1 : xml.rindex("</problem>")]
