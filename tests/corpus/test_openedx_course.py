"""Issue 19's proof on a realistic Open edX course (``openedx_course/``, OLX as Open edX's exporter writes
it, with French and Unicode file names): it imports unmodified with only the expected warning, exports to
OLX that imports again to the same blocks, shows each unit to whom may see it, and grades a right and a
wrong answer of every problem form through the real handler endpoint as Open edX grades them."""

from __future__ import annotations

import html
import re
import shutil
import tarfile
import urllib.parse
from datetime import date
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from app.accounts.models import Role
from app.cohorts.models import Cohort, CohortCourse, CohortMember
from app.core.extensions import db
from app.courses.exporting import export_course
from app.courses.importing import ImportFailed, import_course
from app.courses.models import Course, Enrolment
from app.runtime.keys import CourseKey, usage_key_for
from app.runtime.models import StoredBlock
from plugins.problem import sandbox
from plugins.problem.model import read_problem
from tests.corpus import corpus_olx as olx
from tests.corpus.conftest import CORPUS, COURSE_KEY, corpus_digest
from tests.courses.conftest import row_counts
from tests.courses.test_round_trip import _course_fields, _snapshot
from tests.plugins.problem.conftest import recorded

UNREADABLE = ("annotatable/parcours-annotatable-illisible.xml", 2)
DRAWN = re.compile(r'class="library-content-item( library-content-not-drawn)?" data-id="([^"]+)"')


def _files(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive) as tar:
        return {m.name.split("/", 1)[1]: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


# Import and export ---------------------------------------------------------------------------------------


def test_the_corpus_imports_unmodified_from_the_command_line(app):
    before = corpus_digest()
    result = app.test_cli_runner().invoke(args=["courses", "import", str(CORPUS)])
    assert result.exit_code == 0, result.output
    # The one component that cannot be read is reported with its file and line, and nothing else.
    warnings = [line for line in result.output.splitlines() if "warning:" in line]
    assert len(warnings) == 1 and f"{UNREADABLE[0]}:" in warnings[0], result.output
    assert corpus_digest() == before
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.course_key == COURSE_KEY))
        assert course.title == "Facturation électronique et cybersécurité pour les PME"
        assert course.open_enrolment is True  # invitation_only false


def test_every_block_type_of_the_corpus_is_read(app, corpus_course):
    (warning,) = corpus_course.warnings
    assert (warning.file, warning.code, warning.params["tag"]) == (UNREADABLE[0], "unreadable", "annotatable")
    with app.app_context():
        blocks = db.session.scalars(
            select(StoredBlock).where(StoredBlock.tree_id == corpus_course.tree_id)
        ).all()
    types = {b.block_type for b in blocks}
    assert types == {
        "course", "chapter", "sequential", "vertical", "html", "video", "annotatable", "problem",
        "library_content", "drag-and-drop-v2", "discussion", "staffgradedxblock", "edx_sga",
        "openassessment", "lti_consumer",
    }  # fmt: skip
    assert sorted(b.url_name for b in blocks if b.block_type == "vertical") == sorted(olx.units())
    names = {b.url_name for b in blocks if b.block_type == "problem"}
    assert names == {name for name, _ in olx.problems()}
    # The unreadable component keeps its OLX, as it came.
    (kept,) = [b for b in blocks if b.url_name == "parcours-annotatable-illisible"]
    assert "<annotation>garantit la disponibilité du service</annotation>" in kept.olx


def test_the_export_imports_again_to_the_same_blocks(app_ctx, tmp_path):
    first = import_course(CORPUS, actor=None)
    db.session.commit()
    before, fields = _snapshot(first.tree_id), _course_fields(first.course)
    exported = export_course(COURSE_KEY, tmp_path / "first.tar.gz", actor=None)
    assert (exported.blocks, exported.assets) == (first.blocks, first.assets)
    second = import_course(tmp_path / "first.tar.gz", actor=None)
    db.session.commit()
    assert second.tree_id != first.tree_id and len(second.warnings) == 1
    assert _snapshot(second.tree_id) == before and _course_fields(second.course) == fields
    export_course(COURSE_KEY, tmp_path / "second.tar.gz", actor=None)
    files, again = _files(tmp_path / "first.tar.gz"), _files(tmp_path / "second.tar.gz")
    assert files == again
    # Course files come back under their own names and bytes; info/ and assets.xml are kept.
    for path in (p for p in CORPUS.rglob("*") if p.is_file() and p.parts[-2] in ("static", "info")):
        relative = str(path.relative_to(CORPUS))
        assert files[relative] == path.read_bytes(), relative
    assets = etree.fromstring(files["assets/assets.xml"])
    assert {a.get("filename") for a in assets} >= {"Fiche d'entreprise é.pdf", "documentation icon.svg"}
    # The unreadable component, the transcripts and the visibility settings are exported as written.
    assert b"<annotation>garantit" in files[UNREADABLE[0]]
    video = etree.fromstring(files["video/fact-video-reception.xml"])
    assert {(t.get("language"), t.get("src")) for t in video.iter("transcript")} == {
        ("fr", "réception-facture-fr.srt"),
        ("en", "reception-facture-en.srt"),
    }
    # The presentation keeps its author's layout (Open edX's overview is written in <section>s).
    assert b'<section class="prerequisites">' in files["about/overview.html"]
    assert b'visible_to_staff_only="true"' in files["vertical/u-pratique-formateurs.xml"]
    assert b"group_access=" in files["vertical/u-parcours-commerces.xml"]


# What learners and staff see -----------------------------------------------------------------------------


def test_learners_see_every_unit_but_the_hidden_ones_and_staff_see_all(
    corpus_course, enrolled, trainer, as_user
):
    learner = as_user(enrolled(corpus_course), corpus_course)
    staff = as_user(trainer, corpus_course)
    for unit in olx.units():
        url = corpus_course.unit_url(unit)
        expected = 404 if unit in olx.HIDDEN_FROM_LEARNERS else 200
        assert learner.client.get(url).status_code == expected, unit
        assert staff.client.get(url).status_code == 200, unit


def test_a_cohort_linked_to_a_content_group_sees_that_groups_unit_only(
    app, corpus_course, make_cybersite, make_company, make_user, as_user
):
    site = make_cybersite()
    company = make_company(cybersite=site)
    shopkeeper = make_user(roles=[(Role.LEARNER, company)])
    with app.app_context():
        cohort = Cohort(cybersite_id=site.id, name="Commerces d’Annecy", starts_on=date(2026, 9, 1),
                        ends_on=date(2026, 12, 18), capacity=12)  # fmt: skip
        db.session.add(cohort)
        db.session.flush()
        # Group 1 of the course's partition 50 ("Métiers", cohort scheme): "Commerces".
        db.session.add(
            CohortCourse(cohort_id=cohort.id, course_id=corpus_course.course_id, content_group_id=1)
        )
        db.session.add(CohortMember(cohort_id=cohort.id, user_id=shopkeeper.id, company_id=company.id))
        db.session.add(
            Enrolment(user_id=shopkeeper.id, course_id=corpus_course.course_id, cohort_id=cohort.id)
        )
        db.session.commit()
    client = as_user(shopkeeper, corpus_course).client
    assert client.get(corpus_course.unit_url("u-parcours-commerces")).status_code == 200
    assert client.get(corpus_course.unit_url("u-parcours-artisans")).status_code == 404
    assert client.get(corpus_course.unit_url("u-pratique-formateurs")).status_code == 404


def test_course_links_reach_their_targets(corpus_course, enrolled, as_user):
    client = as_user(enrolled(corpus_course), corpus_course)
    page = client.page("u-fact-calendrier")
    base = f"/formations/{COURSE_KEY}/static/"
    for name, file in (
        ("documentation_icon.svg", "documentation icon.svg"),
        ("Fiche_d_entreprise_é.pdf", "Fiche d'entreprise é.pdf"),
    ):
        link = f"{base}{urllib.parse.quote(name)}"
        assert f'"{link}"' in page, name
        assert client.client.get(link).data == (CORPUS / "static" / file).read_bytes()
    assert "/jump_to_id/" not in page
    assert corpus_course.usage("vertical", "u-quiz-choix") in page


# Grading -------------------------------------------------------------------------------------------------

SCRIPTED = {"cyber-pb-sauvegardes", "cyber-pb-mot-de-passe"}
FILE_PROBLEMS = sorted(
    name for name, root in olx.problems() if (CORPUS / "problem" / f"{name}.xml").is_file()
    and not olx.forms(root) & olx.UNSUPPORTED_FORMS
)  # fmt: skip


def _submit(client, course, url_name: str, answer) -> bool:
    """Submit ``answer`` to the problem's one question through the handler endpoint; whether it is right."""
    prefix = _html_id(course, url_name)
    response = client.call("problem", url_name, "submit", {f"{prefix}_2_1": answer})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["correct"]


def _html_id(course, url_name: str) -> str:
    """The id a problem's inputs are named after (Open edX's HTML id of the block)."""
    return usage_key_for(CourseKey.from_string(course.course_key), "problem", url_name).html_id()


@pytest.mark.parametrize("url_name", FILE_PROBLEMS)
def test_a_right_and_a_wrong_answer_are_graded_as_open_edx_grades_them(
    app, corpus_course, enrolled, as_user, url_name
):
    if url_name in SCRIPTED and not sandbox.available():
        pytest.skip("the script sandbox needs Linux and libseccomp")
    learner = enrolled(corpus_course)
    client = as_user(learner, corpus_course, language="fr")
    page = client.page(olx.unit_of(url_name))
    root = olx.problem_root(url_name)
    answers = olx.answers(root, page)
    points = olx.max_points(root)
    assert _submit(client, corpus_course, url_name, answers.wrong) is False
    assert recorded(app, learner.id, corpus_course, url_name)[:2] == (0.0, points)
    assert _submit(client, corpus_course, url_name, answers.right) is True
    assert recorded(app, learner.id, corpus_course, url_name)[:2] == (points, points)


def test_the_drawn_questions_of_the_library_are_graded(app, corpus_course, enrolled, as_user):
    learner = enrolled(corpus_course)
    client = as_user(learner, corpus_course, language="fr")
    page = client.page("u-cyber-banque")
    drawn = [usage.rsplit("@", 1)[1] for undrawn, usage in DRAWN.findall(page) if not undrawn]
    assert len(drawn) == 2  # max_count
    for url_name in drawn:
        root = olx.problem_root(url_name)
        answers, points = olx.answers(root), olx.max_points(root)
        assert _submit(client, corpus_course, url_name, answers.wrong) is False
        assert recorded(app, learner.id, corpus_course, url_name)[:2] == (0.0, points)
        assert _submit(client, corpus_course, url_name, answers.right) is True
        assert recorded(app, learner.id, corpus_course, url_name)[:2] == (points, points)


def test_the_javascript_input_problem_gets_its_page_from_the_course_files(corpus_course, enrolled, as_user):
    page = as_user(enrolled(corpus_course), corpus_course).page("u-quiz-images")
    assert "&lt;jsinput&gt;" not in page and "ne peut pas" not in page
    # Open edX's name for "simulateur facture.html": the frame's page is the course's own file.
    assert "simulateur_facture.html" in page and 'sandbox="allow-scripts"' in page


def test_every_problem_of_a_supported_form_is_gradable(record_property):
    problems = list(olx.problems())
    gradable = {
        name
        for name, root in problems
        if read_problem(etree.tostring(root, encoding="unicode"), "p").gradable
    }
    supported = {name for name, root in problems if not olx.forms(root) & olx.UNSUPPORTED_FORMS}
    assert supported <= gradable
    share = len(gradable) / len(problems)
    record_property("gradable_problems", f"{len(gradable)}/{len(problems)}")
    print(f"gradable problems of the corpus: {len(gradable)}/{len(problems)} ({share:.0%})")
    assert share >= 0.9  # issue 19's goal: at least 9 problems in 10


# Hints, solutions, draws, transcripts and course information ---------------------------------------------


def test_feedback_hints_and_the_solution_come_from_the_olx(corpus_course, enrolled, as_user):
    client = as_user(enrolled(corpus_course), corpus_course, language="fr")
    client.page("u-quiz-choix")
    root = olx.problem_root("fact-pb-choix-unique")
    answers = olx.answers(root)
    wrong_choice = root.findall(".//choicegroup/choice")[int(answers.wrong.removeprefix("choice_"))]
    prefix = _html_id(corpus_course, "fact-pb-choix-unique")
    wrong = client.call("problem", "fact-pb-choix-unique", "submit", {f"{prefix}_2_1": answers.wrong})
    assert wrong.get_json()["correct"] is False
    assert wrong_choice.find("choicehint").text in wrong.get_json()["html"]
    hints = [h.text for h in root.iter("hint")]
    for index, text in enumerate(hints):
        response = client.call("problem", "fact-pb-choix-unique", "hint", {"index": index}).get_json()
        assert response["total"] == len(hints) and text in response["html"]
    # showanswer="finished": the solution once the learner has it right.
    assert client.call("problem", "fact-pb-choix-unique", "show_answer").status_code == 403
    client.call("problem", "fact-pb-choix-unique", "submit", {f"{prefix}_2_1": answers.right})
    shown = client.call("problem", "fact-pb-choix-unique", "show_answer")
    assert shown.status_code == 200 and "l’émission suit en 2027" in shown.get_json()["html"]


def test_each_learner_gets_their_own_numbers_and_the_check_functions_message(
    app, corpus_course, enrolled, as_user
):
    draws = set()
    for _ in range(5):
        client = as_user(enrolled(corpus_course), corpus_course, language="fr")
        page = client.page("u-cyber-scripts")
        answers = olx.answers(olx.problem_root("cyber-pb-sauvegardes"), page)
        draws.add(answers.right)
        assert "$salaries" not in page and "random.randint" not in page
    assert len(draws) > 1  # rerandomize="per_student"
    prefix = _html_id(corpus_course, "cyber-pb-sauvegardes")
    wrong = client.call("problem", "cyber-pb-sauvegardes", "submit", {f"{prefix}_2_1": answers.wrong})
    assert "Vous avez compté une heure, pas une journée." in wrong.get_json()["html"]


def test_the_transcripts_are_played_in_both_languages(corpus_course, enrolled, as_user):
    client = as_user(enrolled(corpus_course), corpus_course, language="fr")
    page = client.page("u-fact-video")
    tracks = dict(re.findall(r'<track kind="captions" src="([^"]+)" srclang="([a-z]+)"', page))
    by_language = {language: src for src, language in tracks.items()}
    assert set(by_language) >= {"fr", "en"}
    for language, text in (("fr", "Bonjour, je suis Claire"), ("en", "Hello, I am Claire")):
        response = client.client.get(by_language[language].replace("&amp;", "&"))
        assert response.status_code == 200, language
        vtt = response.get_data(as_text=True)
        assert vtt.startswith("WEBVTT") and text in vtt, language


def test_learners_see_the_updates_and_handouts(corpus_course, enrolled, as_user):
    client = as_user(enrolled(corpus_course), corpus_course, language="fr")
    response = client.client.get(f"/formations/{COURSE_KEY}")
    page = response.get_data(as_text=True)
    assert "La première classe virtuelle a lieu jeudi" in page and "Fiche d’entreprise à compléter" in page
    link = html.unescape(re.search(r'href="([^"]+)">Fiche d’entreprise à compléter', page).group(1))
    assert client.client.get(link).data == (CORPUS / "static" / "Fiche d'entreprise é.pdf").read_bytes()


# Bad input -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relative", "text", "message"),
    [
        (
            "problem/fact-pb-liste.xml",
            "<problem><optionresponse><p>ouvert</optionresponse></problem>",
            "problem/fact-pb-liste.xml:1: The XML is not valid",
        ),
        (
            "vertical/u-quiz-choix.xml",
            '<vertical><problem url_name="../../../etc/passwd"/></vertical>',
            "vertical/u-quiz-choix.xml:1: url_name '../../../etc/passwd' may not contain '/'",
        ),
    ],
    ids=["malformed-xml", "traversal"],
)
def test_a_broken_or_hostile_copy_of_the_corpus_is_refused_whole(app_ctx, tmp_path, relative, text, message):
    root = Path(shutil.copytree(CORPUS, tmp_path / "copie"))
    (root / relative).write_text(text, encoding="utf-8")
    with pytest.raises(ImportFailed) as refused:
        import_course(root, actor=None)
    db.session.rollback()
    assert any(str(problem).startswith(message) for problem in refused.value.problems), refused.value.problems
    assert set(row_counts().values()) == {0}  # nothing half-written


def test_a_component_that_cannot_be_graded_as_written_becomes_a_placeholder(app_ctx, tmp_path):
    root = Path(shutil.copytree(CORPUS, tmp_path / "copie"))
    (root / "problem" / "fact-pb-liste.xml").write_text(
        "<problem><optionresponse><optioninput options=\"('a','b')\" correct=\"c\"/>"
        "</optionresponse></problem>"
    )
    result = import_course(root, actor=None)
    db.session.commit()
    assert sorted(w.file for w in result.warnings) == sorted([UNREADABLE[0], "problem/fact-pb-liste.xml"])
    kept = db.session.scalar(
        select(StoredBlock).where(
            StoredBlock.tree_id == result.tree_id, StoredBlock.url_name == "fact-pb-liste"
        )
    )
    assert 'correct="c"' in kept.olx and kept.content == {}
    assert len(_snapshot(result.tree_id)["blocks"]) == result.blocks


def test_a_hostile_presentation_keeps_its_layout_and_loses_its_script(app_ctx, tmp_path):
    root = Path(shutil.copytree(CORPUS, tmp_path / "copie"))
    (root / "about" / "overview.html").write_text(
        '<section class="about" onclick="steal()"><h2 style="color: #1d4f91">À propos</h2>'
        '<script>steal()</script><a href="javascript:steal()">lien</a></section>',
        encoding="utf-8",
    )
    overview = import_course(root, actor=None).course.about["overview"]
    assert '<section class="about">' in overview and 'style="color: #1d4f91"' in overview
    assert "steal()" not in overview and "<script" not in overview


def _canonical(data: bytes, drop: tuple[str, ...] = ()) -> bytes:
    """An XML file's elements, attributes and text, without layout whitespace (and ``drop`` attributes)."""
    root = etree.fromstring(data, etree.XMLParser(remove_blank_text=True))
    for element in root.iter():
        if isinstance(element.tag, str):
            element.text = (element.text or "").strip() or None
            element.tail = (element.tail or "").strip() or None
            for name in drop:
                element.attrib.pop(name, None)
    return etree.tostring(root, method="c14n")


# Open edX's exporter writes xblock-family on every XBlock; ours does not (it reads the same without).
AS_WRITTEN = {
    "problem": (), "annotatable": (), "openassessment": (), "discussion": (), "vertical": (),
    "sequential": (), "chapter": (), "html": (), "edx_sga": ("xblock-family",),
    "staffgradedxblock": ("xblock-family",), "lti_consumer": ("xblock-family",),
}  # fmt: skip


def test_the_components_come_back_as_they_were_written(app_ctx, tmp_path):
    import_course(CORPUS, actor=None)
    db.session.commit()
    export_course(COURSE_KEY, tmp_path / "export.tar.gz", actor=None)
    files = _files(tmp_path / "export.tar.gz")
    for folder, drop in AS_WRITTEN.items():
        for path in sorted((CORPUS / folder).iterdir()):
            relative = f"{folder}/{path.name}"
            if path.suffix == ".xml":
                assert _canonical(files[relative], drop) == _canonical(path.read_bytes(), drop), relative
            else:  # an html block's text
                assert files[relative].strip() == path.read_bytes().strip(), relative
