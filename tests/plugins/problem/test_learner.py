"""A learner answers problems through the real unit page and handler endpoint: grading, grades recorded
once per submission, attempts, show-answer policies, reset, hints, saved state, and every kind of bad or
hostile input refused with a clear message and nothing changed."""

from __future__ import annotations

import json
import re
import time

import pytest
from lxml import html as lxml_html

from tests.plugins.problem.conftest import QUIZ, RIGHT, SECRETS, WRONG, P, recorded, user_state


def problem_html(page: str) -> str:
    """The problem's part of a unit page."""
    start = page.index('<div class="problem"')
    return page[start : page.index("</form>", start)]


def init_args(page: str) -> list:
    """The JSON init arguments of every block of the page."""
    found = re.findall(r'class="xblock-json-init-args[^"]*"[^>]*>(.*?)</script>', page, re.S)
    return [json.loads(text) for text in found]


def test_the_page_shows_the_questions_and_no_answer(quiz_course, enrolled, as_user):
    page = as_user(enrolled(quiz_course), quiz_course, language="fr").page()
    body = problem_html(page)
    for secret in SECRETS:
        assert secret not in page, secret
    assert init_args(page) == []  # the problem needs none: nothing the browser could read answers from
    doc = lxml_html.fromstring(body)
    legend = doc.xpath(f'//fieldset[@data-input-id="{P}_2_1"]/legend')[0]
    assert legend.text_content() == "En quelle année la réception devient-elle obligatoire ?"
    radios = doc.xpath(f'//input[@name="{P}_2_1"]')
    assert [r.get("value") for r in radios] == ["choice_0", "choice_1"] and not any(
        r.get("checked") for r in radios
    )
    described = doc.xpath(f'//fieldset[@data-input-id="{P}_2_1"]')[0].get("aria-describedby").split()
    assert described == [f"{P}_2_1-description-1", f"{P}_2_1-feedback"]
    number = doc.xpath(f'//input[@id="{P}_5_1"]')[0]
    assert number.get("inputmode") == "decimal" and doc.xpath(f'//label[@for="{P}_5_1"]')
    assert [o.text for o in doc.xpath(f'//select[@id="{P}_4_1"]/option')] == [
        "Choisissez une option",
        "5,5 %",
        "10 %",
        "20 %",
    ]
    assert doc.xpath('//*[@role="status" and @aria-live="polite"]')
    assert "<strong>Vidal</strong>" in body
    assert "10 points possibles" in body and "Vous avez utilisé 0 tentative sur 2." in body
    assert "Envoyer" in body and "Afficher la réponse" not in body and "Réinitialiser" not in body
    assert "/xblock/resource/problem/public/problem.js" in page and 'data-init="ProblemBlock"' in page


def test_right_answers_are_graded_recorded_once_and_shown_again_on_reload(
    app, quiz_course, enrolled, as_user, announced
):
    learner = enrolled(quiz_course)
    client = as_user(learner, quiz_course, language="fr")
    client.page()
    response = client.call("problem", "quiz", "submit", RIGHT)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["correct"], body["attempts"], body["max_attempts"]) == (True, 1, 2)
    assert (
        "Correct" in body["html"] and "10/10 points" in body["html"] and "Oui, en septembre." in body["html"]
    )
    assert recorded(app, learner.id, quiz_course) == (10.0, 10.0, 1.0)
    grades = [e for e in announced if e.earned is not None]
    assert [(e.earned, e.possible) for e in grades] == [(10.0, 10.0)]
    state = user_state(app, learner.id, quiz_course)
    assert state["attempts"] == 1 and state["done"] is True
    assert state["score"] == {"raw_earned": 5.0, "raw_possible": 5}
    assert state["student_answers"][f"{P}_5_1"] == "12,9"
    assert {v["correctness"] for v in state["correct_map"].values()} == {"correct"}

    page = problem_html(client.page())
    doc = lxml_html.fromstring(page)
    assert doc.xpath(f'//input[@id="{P}_2_1-choice_1"]')[0].get("checked") is not None
    assert doc.xpath(f'//input[@id="{P}_5_1"]')[0].get("value") == "12,9"
    assert doc.xpath(f'//select[@id="{P}_4_1"]/option[@selected]')[0].text == "20 %"
    assert doc.xpath(f'//div[@id="{P}_6_1-feedback"]')[0].text_content().strip() == "Correct"
    assert "Oui, en septembre." in page and "Vous avez utilisé 1 tentative sur 2." in page
    # Finished (right): the answer may now be shown, so the button is there; still not the answer itself.
    assert "Afficher la réponse" in page and "Explication" not in page


def test_a_partly_right_submission_scores_its_share_of_the_weight(app, quiz_course, enrolled, as_user):
    learner = enrolled(quiz_course)
    client = as_user(learner, quiz_course, language="fr")
    answers = {**WRONG, f"{P}_2_1": "choice_1", f"{P}_4_1": "20 %", f"{P}_5_1": "13.125"}
    response = client.call("problem", "quiz", "submit", answers)
    assert response.status_code == 200
    assert (
        "Partiellement correct" in response.get_json()["html"]
        and "6/10 points" in response.get_json()["html"]
    )
    assert "Elle n’y est pour rien." in response.get_json()["html"]  # the hint of the box ticked
    assert recorded(app, learner.id, quiz_course) == (6.0, 10.0, 1.0)


def test_attempts_run_out_and_then_nothing_more_is_taken(app, quiz_course, enrolled, as_user, announced):
    learner = enrolled(quiz_course)
    client = as_user(learner, quiz_course, language="fr")
    assert client.call("problem", "quiz", "submit", WRONG).status_code == 200
    assert client.call("problem", "quiz", "submit", {f"{P}_2_1": "choice_1"}).status_code == 200
    before = user_state(app, learner.id, quiz_course)
    grade_before = recorded(app, learner.id, quiz_course)
    events_before = len(announced)
    response = client.call("problem", "quiz", "submit", RIGHT)
    assert response.status_code == 409
    assert response.get_json() == {"error": "Vous avez utilisé toutes vos tentatives pour ce problème."}
    assert user_state(app, learner.id, quiz_course) == before
    assert recorded(app, learner.id, quiz_course) == grade_before == (2.0, 10.0, 1.0)
    assert len(announced) == events_before
    assert [(e.earned, e.possible) for e in announced if e.earned is not None] == [(0.0, 10.0), (2.0, 10.0)]
    page = problem_html(client.page())
    assert "Vous avez utilisé 2 tentatives sur 2. Vous ne pouvez plus envoyer de réponse." in page
    assert "problem-submit" not in page
    assert lxml_html.fromstring(page).xpath(f'//input[@id="{P}_5_1"]')[0].get("disabled") is not None


def test_a_pattern_that_would_make_python_backtrack_for_ever_answers_at_once(
    app, olx_course, enrolled, as_user
):
    course = olx_course(
        '<problem url_name="re"><stringresponse answer="(a+)+$" type="regexp ci">'
        '<regexphint answer="(a|aa)*b">Presque.</regexphint><textline/></stringresponse></problem>'
    )
    learner = enrolled(course)
    client = as_user(learner, course)
    client.page()
    start = time.perf_counter()
    response = client.call("problem", "re", "submit", {"block-problem-re_2_1": "a" * 499 + "!"})
    assert response.status_code == 200 and response.get_json()["correct"] is False
    assert time.perf_counter() - start < 5
    assert (
        client.call("problem", "re", "submit", {"block-problem-re_2_1": "AAAA"}).get_json()["correct"] is True
    )


def test_a_number_that_is_not_a_number_is_explained_and_costs_no_attempt(
    app, quiz_course, enrolled, as_user, announced
):
    learner = enrolled(quiz_course)
    client = as_user(learner, quiz_course, language="fr")
    response = client.call("problem", "quiz", "submit", {**RIGHT, f"{P}_5_1": "douze euros"})
    assert response.status_code == 400
    assert response.get_json()["error"] == (
        "« douze euros » n’est pas un nombre. Saisissez uniquement des chiffres, avec une virgule "
        "ou un point pour les décimales (par exemple 12,5)."
    )
    assert user_state(app, learner.id, quiz_course) == {}
    assert recorded(app, learner.id, quiz_course) is None and announced == []


@pytest.mark.parametrize(
    ("raw", "status", "message"),
    [
        (b"{not json", 400, "La requête n’est pas du JSON valide."),
        (b"\xff\xfe", 400, "La requête n’est pas du JSON valide."),
        (json.dumps(["choice_1"]).encode(), 400, "objet indexé par question"),
        (json.dumps({"block-problem-other_2_1": "x"}).encode(), 400, "ne font pas partie de ce problème"),
        (json.dumps({f"{P}_2_1": "choice_9"}).encode(), 400, "ne fait pas partie des choix"),
        (json.dumps({f"{P}_3_1": "choice_0"}).encode(), 400, "n’a pas la forme attendue"),
        (json.dumps({f"{P}_6_1": {"$gt": ""}}).encode(), 400, "n’a pas la forme attendue"),
        (json.dumps({f"{P}_6_1": "x" * 501}).encode(), 400, "trop longue : 500 caractères"),
        (json.dumps({f"{P}_3_1": [f"choice_{n}" for n in range(600)]}).encode(), 400, "forme attendue"),
        (json.dumps({}).encode(), 400, "Répondez à au moins une question"),
    ],
)
def test_bad_submissions_are_refused_with_a_reason_and_change_nothing(
    app, quiz_course, enrolled, as_user, announced, raw, status, message
):
    learner = enrolled(quiz_course)
    response = as_user(learner, quiz_course, language="fr").call("problem", "quiz", "submit", raw=raw)
    assert response.status_code == status
    assert message in response.get_json()["error"]
    assert user_state(app, learner.id, quiz_course) == {}
    assert recorded(app, learner.id, quiz_course) is None and announced == []


def test_only_post_reaches_a_handler_and_an_oversized_body_is_refused(app, quiz_course, enrolled, as_user):
    learner = enrolled(quiz_course)
    client = as_user(learner, quiz_course, language="fr")
    url = quiz_course.handler_url("problem", "quiz", "submit")
    assert client.client.get(url).status_code == 405
    huge = json.dumps({f"{P}_6_1": "x" * (2 * 1024 * 1024)}).encode()
    assert client.call("problem", "quiz", "submit", raw=huge).status_code == 413
    assert user_state(app, learner.id, quiz_course) == {}


def test_other_people_cannot_answer_or_see_a_learners_answers(
    app, quiz_course, enrolled, as_user, make_user, client
):
    learner = enrolled(quiz_course)
    as_user(learner, quiz_course).call("problem", "quiz", "submit", RIGHT)
    # Another learner starts blank.
    other = enrolled(quiz_course)
    page = problem_html(as_user(other, quiz_course).page())
    assert "12,9" not in page and "checked" not in page
    # Someone not enrolled, or not signed in, or without the CSRF token, reaches nothing.
    outsider = as_user(make_user(), quiz_course)
    outsider._token = "x"
    url = quiz_course.handler_url("problem", "quiz", "submit")
    assert outsider.client.get(quiz_course.unit_url()).status_code in (302, 403)
    assert client.post(url, json=RIGHT).status_code in (400, 401)
    no_token = as_user(learner, quiz_course).client.post(url, json=RIGHT)
    assert no_token.status_code == 400
    assert user_state(app, other.id, quiz_course) == {}
    assert user_state(app, learner.id, quiz_course)["attempts"] == 1


def test_hostile_answers_are_stored_as_text_and_shown_escaped(app, quiz_course, enrolled, as_user):
    learner = enrolled(quiz_course)
    client = as_user(learner, quiz_course)
    hostile = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    assert client.call("problem", "quiz", "submit", {f"{P}_6_1": hostile}).status_code == 200
    assert user_state(app, learner.id, quiz_course)["student_answers"][f"{P}_6_1"] == hostile
    page = client.page()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    field = lxml_html.fromstring(problem_html(page)).xpath(f'//input[@id="{P}_6_1"]')[0]
    assert field.get("value") == hostile


def test_author_html_is_sanitised(olx_course, enrolled, as_user):
    course = olx_course(
        '<problem url_name="p"><p onclick="steal()">Texte <a href="javascript:steal()">lien</a></p>'
        '<multiplechoiceresponse><label>Q <img src="x" onerror="steal()"/></label><choicegroup>'
        '<choice correct="true"><iframe src="https://evil.example/"/>Oui</choice>'
        '<choice correct="false">Non</choice></choicegroup></multiplechoiceresponse></problem>'
    )
    page = as_user(enrolled(course), course).page()
    body = page[page.index('<div class="problem"') :]
    for hostile in ("onclick", "javascript:", "onerror", "evil.example"):
        assert hostile not in body
    assert "Texte" in body and "Oui" in body


SHOW = """<problem url_name="p" showanswer="{policy}" max_attempts="{attempts}" show_reset_button="{reset}">
<numericalresponse answer="42"><label>Combien ?</label><textline/></numericalresponse>
<solution><p>Parce que.</p></solution></problem>"""


def _problem_course(olx_course, policy="finished", attempts="1", reset="false"):
    return olx_course(SHOW.format(policy=policy, attempts=attempts, reset=reset))


@pytest.mark.parametrize(
    ("policy", "before", "after_wrong", "after_right"),
    [
        ("finished", False, True, True),  # one attempt: a wrong answer closes the problem
        ("answered", False, False, True),
        ("attempted", False, True, True),
        ("closed", False, True, True),
        ("always", True, True, True),
        ("never", False, False, False),
        ("past_due", False, False, False),
    ],
)
def test_the_answer_is_given_only_when_the_policy_allows(
    app, olx_course, enrolled, as_user, policy, before, after_wrong, after_right
):
    course = _problem_course(olx_course, policy)

    def shown(client) -> bool:
        response = client.call("problem", "p", "show_answer")
        if response.status_code == 200:
            body = response.get_json()
            assert body["answers"] == {"block-problem-p_2_1": ["42"]}
            assert "Parce que." in body["html"] and "Réponse :" in body["html"]
            return True
        assert response.status_code == 403
        assert response.get_json()["error"] == "La réponse à ce problème n’est pas encore disponible."
        return False

    wrong = as_user(enrolled(course), course, language="fr")
    assert shown(wrong) is before
    assert ("Afficher la réponse" in wrong.page()) is before
    wrong.call("problem", "p", "submit", {"block-problem-p_2_1": "41"})
    assert shown(wrong) is after_wrong
    right = as_user(enrolled(course), course, language="fr")
    right.call("problem", "p", "submit", {"block-problem-p_2_1": "42"})
    assert shown(right) is after_right
    assert "Parce que." not in right.page()  # shown on demand, never in the page itself


def test_course_staff_may_see_the_answer_unless_it_is_never(olx_course, trainer, as_user):
    course = _problem_course(olx_course, "finished")
    assert as_user(trainer, course).call("problem", "p", "show_answer").status_code == 200
    never = olx_course(SHOW.format(policy="never", attempts="1", reset="false"), course_key="course-v1:C+N+1")
    assert as_user(trainer, never).call("problem", "p", "show_answer").status_code == 403


def test_reset_only_when_offered_and_it_keeps_the_attempts(app, olx_course, enrolled, as_user, announced):
    plain = _problem_course(olx_course, attempts="3")
    learner = enrolled(plain)
    client = as_user(learner, plain, language="fr")
    client.call("problem", "p", "submit", {"block-problem-p_2_1": "41"})
    before = user_state(app, learner.id, plain, "p")
    assert before["attempts"] == 1
    refused = client.call("problem", "p", "reset")
    assert refused.status_code == 403
    assert refused.get_json()["error"] == "Ce problème ne peut pas être réinitialisé maintenant."
    assert user_state(app, learner.id, plain, "p") == before

    offered = olx_course(
        SHOW.format(policy="finished", attempts="3", reset="true"), course_key="course-v1:C+R+1"
    )
    learner = enrolled(offered)
    client = as_user(learner, offered, language="fr")
    assert client.call("problem", "p", "reset").status_code == 403  # nothing submitted yet
    client.call("problem", "p", "submit", {"block-problem-p_2_1": "41"})
    assert "Réinitialiser" in client.page()
    response = client.call("problem", "p", "reset")
    assert response.status_code == 200 and 'value=""' in response.get_json()["html"]
    state = user_state(app, learner.id, offered, "p")
    assert (state["attempts"], state["done"], state["student_answers"]) == (1, False, {})
    assert recorded(app, learner.id, offered, "p")[:2] == (0.0, 1.0)
    client.call("problem", "p", "submit", {"block-problem-p_2_1": "42"})
    assert client.call("problem", "p", "reset").status_code == 403  # right: nothing to reset
    assert recorded(app, learner.id, offered, "p")[:2] == (1.0, 1.0)


def test_hints_on_demand_one_at_a_time(quiz_course, enrolled, as_user):
    client = as_user(enrolled(quiz_course), quiz_course, language="fr")
    assert "Indice" in client.page()
    first = client.call("problem", "quiz", "hint", {"index": 0})
    assert first.status_code == 200
    assert first.get_json()["total"] == 2 and "Indice (1 sur 2) :" in first.get_json()["html"]
    second = client.call("problem", "quiz", "hint", {"index": 1}).get_json()
    assert "C’est en <em>2026</em>." in second["html"]
    for bad in ({"index": 2}, {"index": -1}, {"index": "0"}, {"index": True}, {}, []):
        response = client.call("problem", "quiz", "hint", bad)
        assert response.status_code == 400 and response.get_json()["error"] == "Cet indice n’existe pas."


def test_weights_points_and_problems_worth_nothing(app, olx_course, enrolled, as_user):
    course = olx_course(
        '<problem url_name="p"><stringresponse answer="a"><textline points="3"/></stringresponse>'
        '<stringresponse answer="b"><textline/></stringresponse></problem>'
        '<problem url_name="zero" weight="0"><stringresponse answer="a"><textline/></stringresponse>'
        "</problem>"
    )
    learner = enrolled(course)
    client = as_user(learner, course)
    client.call("problem", "p", "submit", {"block-problem-p_2_1": "a", "block-problem-p_3_1": "x"})
    assert recorded(app, learner.id, course, "p") == (3.0, 4.0, 1.0)
    client.call("problem", "zero", "submit", {"block-problem-zero_2_1": "x"})
    assert recorded(app, learner.id, course, "zero") == (None, None, 1.0)


UNSUPPORTED = """<problem url_name="py" display_name="Calcul">
<script type="text/javascript">
var secret = document.cookie;
</script>
<p>Combien font $a + $b ?</p>
<customresponse cfn="check"><jsinput/></customresponse>
</problem>"""


def test_a_problem_we_do_not_run_shows_a_notice_and_is_complete_once_seen(app, olx_course, enrolled, as_user):
    course = olx_course(UNSUPPORTED)
    learner = enrolled(course)
    client = as_user(learner, course, language="fr")
    page = client.page()
    assert "Ce problème utilise des fonctions que cette plateforme n’exécute pas" in page
    assert "&lt;script type=text/javascript&gt;, &lt;jsinput&gt;" in page
    assert "document.cookie" not in page and "<textarea" not in page and "problem-submit" not in page
    assert recorded(app, learner.id, course, "py") == (None, None, 1.0)
    response = client.call("problem", "py", "submit", {"block-problem-py_2_1": "3"})
    assert response.status_code == 400
    assert response.get_json()["error"] == "Il n’est pas possible de répondre à ce problème ici."
    assert user_state(app, learner.id, course, "py") == {}


def test_english_speaking_learners_get_english(quiz_course, enrolled, as_user):
    client = as_user(enrolled(quiz_course, language="en"), quiz_course, language="en")
    page = client.page()
    assert "10 points possible" in page and "Submit" in page
    response = client.call("problem", "quiz", "submit", {f"{P}_5_1": "douze"})
    assert response.get_json()["error"].startswith("“douze” is not a number.")
    assert QUIZ  # the sample itself is French: authors write in their language
