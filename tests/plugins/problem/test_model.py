"""Reading problem XML: input ids as Open edX makes them, the text around questions, what is hidden
(answers, hints, solutions), what is not supported, and clear errors with their line."""

from __future__ import annotations

import pytest

from plugins.problem.model import (
    CHECKBOXES,
    DROPDOWN,
    MULTIPLE_CHOICE,
    NUMERICAL,
    TEXT,
    ProblemError,
    parse_options,
    read_problem,
)
from plugins.problem.safexml import MAX_PROBLEM_BYTES, ProblemXmlError

FULL = """<problem>
<p>Une <strong>boulangerie</strong> passe à la facture électronique.</p>
<multiplechoiceresponse>
  <label>Quand ?</label>
  <description>Une seule réponse.</description>
  <choicegroup type="MultipleChoice">
    <choice correct="false">2020<choicehint>Trop tôt.</choicehint></choice>
    <choice correct="true">2026</choice>
  </choicegroup>
</multiplechoiceresponse>
<choiceresponse><label>Quoi ?</label><checkboxgroup>
  <choice correct="true">Factures</choice><choice correct="false">Tickets</choice>
</checkboxgroup></choiceresponse>
<optionresponse><p>Le taux est de <optioninput options="('10 %','20 %')" correct="20 %"/> en France.</p>
</optionresponse>
<numericalresponse answer="12.5"><label>Montant ?</label><responseparam type="tolerance" default="5%"/>
  <formulaequationinput/><solution><p>Inside the response.</p></solution></numericalresponse>
<stringresponse answer="Chorus Pro" type="ci"><label>Portail ?</label>
  <textline size="30" trailing_text="(nom)"/>
</stringresponse>
<solution><div class="detailed-solution"><p>Explication</p><p>Tout s'explique.</p></div></solution>
<demandhint><hint>Pensez au calendrier.</hint><hint>2026 !</hint></demandhint>
</problem>"""


def test_questions_inputs_and_ids_follow_open_edx():
    problem = read_problem(FULL, "block-problem-p1")
    assert list(problem.inputs) == [f"block-problem-p1_{n}_1" for n in range(2, 7)]
    kinds = [i.kind for i in problem.inputs.values()]
    assert kinds == [MULTIPLE_CHOICE, CHECKBOXES, DROPDOWN, NUMERICAL, TEXT]
    assert problem.max_points == 5 and problem.gradable and not problem.unsupported
    first = problem.responses[0]
    assert (first.label_html, first.descriptions) == ("Quand ?", ("Une seule réponse.",))
    text_input = problem.inputs["block-problem-p1_6_1"]
    assert (text_input.size, text_input.trailing_text) == (30, "(nom)")


def test_ids_do_not_depend_on_the_text_around_questions():
    moved = FULL.replace(
        "<p>Une <strong>boulangerie</strong>", "<h3>Titre</h3><p>Une <strong>boulangerie</strong>"
    )
    assert list(read_problem(moved, "x").inputs) == list(read_problem(FULL, "x").inputs)


def test_text_solutions_and_hints_are_kept_apart_from_answers():
    problem = read_problem(FULL, "p")
    assert problem.parts[0].html == "<p>Une <strong>boulangerie</strong> passe à la facture électronique.</p>"
    assert problem.solutions == (
        "<p>Inside the response.</p>",
        '<div class="detailed-solution"><p>Explication</p><p>Tout s\'explique.</p></div>',
    )
    assert problem.demand_hints == ("Pensez au calendrier.", "2026 !")
    choice = problem.inputs["p_2_1"].choices[0]
    assert choice.html == "2020" and choice.hint is not None and choice.hint.html == "Trop tôt."
    every_html = "".join(p.html for p in problem.parts) + "".join(
        s.html for r in problem.responses for s in r.segments
    )
    for hidden in ("Trop tôt", "Explication", "Inside the response", "Pensez au calendrier", "correct="):
        assert hidden not in every_html


def test_an_input_inside_a_sentence_comes_after_its_text():
    response = read_problem(FULL, "p").responses[2]
    assert [s.input_id for s in response.segments] == [None, "p_4_1"]
    assert response.segments[0].html == "<p>Le taux est de  en France.</p>"


@pytest.mark.parametrize(
    ("body", "unsupported"),
    [
        ('<script type="text/javascript">x = 1</script><p>$x</p>', "<script type=text/javascript>"),
        ('<customresponse cfn="check"><jsinput/></customresponse>', "<jsinput>"),
        ('<symbolicresponse answer="x^2"><textline/></symbolicresponse>', "<symbolicresponse>"),
        ("<schematicresponse><schematic/></schematicresponse>", "<schematicresponse>"),
        ('<stringresponse answer="a"><textbox/></stringresponse>', "<textbox>"),
        (
            '<stringresponse answer="a"><textline/><answer type="loncapa/python">x = 1</answer>'
            "</stringresponse>",
            "<answer type=loncapa/python>",
        ),
        (
            '<multiplechoiceresponse><choicegroup answer-pool="2"><choice correct="true">a</choice>'
            "</choicegroup></multiplechoiceresponse>",
            "answer-pool",
        ),
    ],
)
def test_what_is_not_run_here_is_reported_not_refused(body: str, unsupported: str):
    problem = read_problem(f"<problem><p>Texte</p>{body}</problem>", "p")
    assert any(unsupported in part for part in problem.unsupported), problem.unsupported
    assert not problem.gradable and not problem.inputs and not problem.parts


@pytest.mark.parametrize(
    ("xml", "message", "line"),
    [
        ("<problem>\n<p>oops</problem>", "not well-formed", 2),
        ('<!DOCTYPE x [<!ENTITY a "b">]><problem>&a;</problem>', "DOCTYPE", 1),
        ("<html><p/></html>", "must be <problem>", 1),
        ("<problem>\n\n<multiplechoiceresponse/></problem>", "no input", 3),
        (
            "<problem><multiplechoiceresponse><choicegroup/></multiplechoiceresponse></problem>",
            "no <choice>",
            1,
        ),
        (
            "<problem><optionresponse><optioninput options=\"('a','b')\" correct=\"c\"/>"
            "</optionresponse></problem>",
            "not one of the options",
            1,
        ),
        (
            "<problem><optionresponse><optioninput options=\"('a')\"/></optionresponse></problem>",
            "no correct",
            1,
        ),
        (
            '<problem>\n<numericalresponse answer=""><textline/></numericalresponse></problem>',
            "needs an answer",
            2,
        ),
        (
            '<problem><numericalresponse answer="[7,5]"><textline/></numericalresponse></problem>',
            "lower bound",
            1,
        ),
        (
            '<problem><numericalresponse answer="5"><responseparam type="tolerance" default="peu"/>'
            "<textline/></numericalresponse></problem>",
            "tolerance",
            1,
        ),
        (
            '<problem>\n\n<stringresponse answer="a(" type="regexp"><textline/></stringresponse></problem>',
            "Invalid regular",
            3,
        ),
        (
            '<problem><stringresponse answer="(a)\\1" type="regexp"><textline/></stringresponse></problem>',
            "Back-ref",
            1,
        ),
        (
            '<problem><stringresponse answer="a"><regexphint answer="[">x</regexphint><textline/>'
            "</stringresponse></problem>",
            "Invalid regular",
            1,
        ),
        (
            '<problem><stringresponse answer="a"><textline points="beaucoup"/></stringresponse></problem>',
            "whole number",
            1,
        ),
        (
            '<problem><choiceresponse partial_credit="EDC,halves"><checkboxgroup><choice correct="true">a'
            "</choice></checkboxgroup></choiceresponse></problem>",
            "Only one kind",
            1,
        ),
        (
            "<problem><stringresponse answer='a'><textline/><textline/></stringresponse></problem>",
            "only one input",
            1,
        ),
    ],
)
def test_what_cannot_be_graded_is_an_error_with_its_line(xml: str, message: str, line: int):
    with pytest.raises((ProblemError, ProblemXmlError)) as raised:
        read_problem(xml, "p")
    assert message in str(raised.value)
    assert raised.value.line == line


def test_too_long_a_problem_is_refused_before_parsing():
    with pytest.raises(ProblemXmlError, match="over the limit"):
        read_problem("<problem>" + "x" * MAX_PROBLEM_BYTES + "</problem>", "p")


def test_too_many_regular_expressions_are_refused():
    answers = "".join(f'<additional_answer answer="x{{120}}{n}"/>' for n in range(20))
    xml = f'<problem><stringresponse answer="x" type="regexp">{answers}<textline/></stringresponse></problem>'
    with pytest.raises(ProblemError, match="too many or too long"):
        read_problem(xml, "p")


def test_a_multiple_choice_without_a_right_choice_is_a_warning():
    xml = (
        '<problem><multiplechoiceresponse><choicegroup><choice correct="false">a</choice></choicegroup>'
        "</multiplechoiceresponse></problem>"
    )
    problem = read_problem(xml, "p")
    assert [str(w) for w in problem.warnings] == ["line 1: No choice is marked correct."]


def test_shuffled_choices_keep_fixed_ones_and_the_same_order_for_everyone():
    choices = "".join(f'<choice correct="{str(n == 3).lower()}">c{n}</choice>' for n in range(8))
    xml = (
        '<problem><multiplechoiceresponse><choicegroup shuffle="true"><choice correct="false" fixed="true">'
        f'first</choice>{choices}<choice correct="false" fixed="true">last</choice></choicegroup>'
        "</multiplechoiceresponse></problem>"
    )
    order = [c.html for c in read_problem(xml, "p").inputs["p_2_1"].choices]
    assert order[0] == "first" and order[-1] == "last" and sorted(order[1:-1]) == [f"c{n}" for n in range(8)]
    assert order[1:-1] != [f"c{n}" for n in range(8)]
    assert [c.html for c in read_problem(xml, "p").inputs["p_2_1"].choices] == order


@pytest.mark.parametrize(
    ("options", "values"),
    [
        ("('a','b')", ["a", "b"]),
        ("('Vrai' 'Faux')", ["Vrai", "Faux"]),
        ("('l'eau','l\\'air', 'ça, là')", ["l'eau", "l'air", "ça, là"]),
        ("('5,5 %','20 %')", ["5,5 %", "20 %"]),
    ],
)
def test_open_edx_option_lists(options: str, values: list[str]):
    assert parse_options(options) == values
