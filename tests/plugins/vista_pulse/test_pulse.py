"""The VISTA pulse block through the real pages and handler endpoint: questions shown in the reader's
language, answers recorded for the learner's company and the course's dimensions, re-answering, bad input
refused with nothing stored, the editor, OLX that round-trips, and the values the Impact lens reads."""

from __future__ import annotations

import json
import tarfile

import pytest
from lxml import etree
from sqlalchemy import func, select

from app.accounts.models import Role
from app.core.extensions import db
from app.courses.exporting import export_course
from app.courses.importing import import_course
from app.progress.models import BlockCompletion
from app.runtime.models import StoredBlock
from app.vista.pulse import PulseAnswer, pulse_impact
from tests.plugins.conftest import COURSE_KEY, BlockClient, OlxCourse
from tests.runtime.olx_helpers import the_unreadable_warning, write_course

PULSE = '<vista_pulse url_name="p1"/>'
AUTHORED = (
    '<vista_pulse url_name="p2" display_name="Bilan" dimensions="D4 D2" ask_comment="false">'
    '<question kind="triple">Sauvegardez-vous vos fichiers ?</question>'
    '<question kind="agree">Je me sens plus à l’aise avec la sécurité.</question>'
    "</vista_pulse>"
)


@pytest.fixture
def tagged_course(app, tmp_path) -> OlxCourse:
    """A course tagged D3 (weight 1) and D5, whose unit holds the standard pulse and an authored one."""
    root = write_course(
        tmp_path / "pulse",
        {
            "course.xml": '<course url_name="2026" org="Cybermassif" course="PLG"/>',
            "course/2026.xml": (
                '<course display_name="Cours" cybermassif_open_enrolment="true" '
                'cybermassif_vista=\'{"D3": 1.0, "D5": 0.5}\'>'
                '<chapter url_name="ch1"><sequential url_name="s1"><vertical url_name="u1">'
                f"{PULSE}{AUTHORED}</vertical></sequential></chapter></course>"
            ),
        },
    )
    with app.app_context():
        result = import_course(root, actor=None)
        db.session.commit()
        return OlxCourse(result.course.id, COURSE_KEY, result.tree_id, root)


@pytest.fixture
def learner(tagged_course, enrolled, make_company, as_user):
    company = make_company(legal_name="Boulangerie Test")
    user = enrolled(tagged_course, company=company, language="fr")
    return user, company, as_user(user, tagged_course)


def _rows(app):
    with app.app_context():
        return db.session.scalars(select(PulseAnswer).order_by(PulseAnswer.usage_id)).all()


def test_the_standard_questions_are_asked_in_french(learner):
    _user, _company, client = learner
    page = client.page()
    assert "Et maintenant, dans votre entreprise ?" in page
    assert "Avez-vous appliqué dans votre travail ce que vous avez appris dans cette formation ?" in page
    assert "Cette formation a changé ma façon de travailler." in page
    assert "Tout à fait d’accord" in page and "En partie" in page
    assert "Sauvegardez-vous vos fichiers ?" in page  # the authored one, as written
    assert 'data-init="VistaPulseBlock"' in page


def test_answers_are_recorded_for_the_company_and_the_course_dimensions(app, learner, tagged_course):
    user, company, client = learner
    response = client.call(
        "vista_pulse", "p1", "submit", {"answers": {"applied": 1, "changed": 5}, "comment": " Oui "}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["message"] == "Merci : vos réponses sont enregistrées."
    (row,) = _rows(app)
    assert (row.user_id, row.company_id, row.dimensions) == (user.id, company.id, ["D3", "D5"])
    assert row.raw == {"applied": 1, "changed": 5} and row.values == {"applied": 0.5, "changed": 1.0}
    assert row.comment == "Oui"
    with app.app_context():
        completion = db.session.scalar(
            select(BlockCompletion.completion).where(
                BlockCompletion.usage_id == tagged_course.usage("vista_pulse", "p1")
            )
        )
        assert completion == 1.0
        assert pulse_impact(db.session, [company.id]) == {
            (company.id, "D3"): [0.5, 1.0],
            (company.id, "D5"): [0.5, 1.0],
        }
    # The page now shows the answers given, to change them.
    page = client.page()
    assert "Modifier mes réponses" in page and "Vous avez répondu." in page


def test_answering_again_replaces_the_answers(app, learner):
    _user, company, client = learner
    client.call("vista_pulse", "p2", "submit", {"answers": {"q1": 0, "q2": 1}})
    client.call("vista_pulse", "p2", "submit", {"answers": {"q1": 2, "q2": 3}})
    (row,) = _rows(app)
    assert row.dimensions == ["D2", "D4"] and row.values == {"q1": 1.0, "q2": 0.5}
    with app.app_context():
        assert pulse_impact(db.session, [company.id])[(company.id, "D4")] == [1.0, 0.5]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"answers": {"applied": 3, "changed": 5}}, "par l’un des choix proposés"),
        ({"answers": {"applied": 1, "changed": 0}}, "par l’un des choix proposés"),
        ({"answers": {"applied": "1", "changed": 5}}, "par l’un des choix proposés"),
        ({"answers": {"applied": True, "changed": 5}}, "par l’un des choix proposés"),
        ({"answers": {"applied": 1}}, "Répondez à « Cette formation a changé ma façon de travailler. »"),
        ({"answers": {"applied": 1, "changed": 2, "extra": 1}}, "n’est pas une question de ce bloc"),
        ({"answers": [1, 2]}, "Répondez aux questions"),
        ({}, "Répondez aux questions"),
        ({"answers": {"applied": 1, "changed": 2}, "comment": "x" * 1001}, "dépasse 1000 caractères"),
        ({"answers": {"applied": 1, "changed": 2}, "comment": ["<script>"]}, "doit être du texte"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_stored(app, learner, data, message):
    _user, _company, client = learner
    response = client.call("vista_pulse", "p1", "submit", data)
    assert response.status_code == 400
    assert message in response.json["error"], response.json
    assert _rows(app) == []


def test_a_body_that_is_not_json_is_refused(app, learner):
    _user, _company, client = learner
    response = client.call("vista_pulse", "p1", "submit", raw=b"{not json")
    assert response.status_code == 400 and _rows(app) == []


def test_a_visitor_cannot_answer(app, tagged_course):
    client = BlockClient(app.test_client(), tagged_course)
    response = client.client.post(
        tagged_course.handler_url("vista_pulse", "p1", "submit"),
        data=json.dumps({"answers": {"applied": 1, "changed": 2}}),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code in (400, 401, 403, 404)
    assert _rows(app) == []


def test_the_editor_saves_questions_dimensions_and_the_comment_setting(
    app, tagged_course, make_user, as_user
):
    trainer = make_user(roles=[(Role.NETWORK_ADMIN, None)], language="en")
    client = as_user(trainer, tagged_course)
    client.studio_page()
    good = {
        "display_name": "  Et après ?  ",
        "questions": [{"kind": "agree", "text": "Je  gagne du temps."}, {"kind": "triple", "text": ""}],
        "dimensions": ["D6", "D1"],
        "ask_comment": False,
    }
    assert client.studio_call("vista_pulse", "p1", "studio_submit", good).status_code == 200
    with app.app_context():
        from app.runtime.models import StoredBlock

        settings = db.session.scalars(
            select(StoredBlock.settings).where(
                StoredBlock.usage_id == tagged_course.usage("vista_pulse", "p1")
            )
        ).all()
    assert any(
        s.get("questions") == [{"code": "q1", "kind": "agree", "text": "Je gagne du temps."}]
        and s.get("dimensions") == ["D1", "D6"]
        and s.get("display_name") == "Et après ?"
        and s.get("ask_comment") is False
        for s in settings
    ), settings
    for bad, reason in [
        ({**good, "dimensions": ["D9"]}, "is not a VISTA dimension"),
        ({**good, "questions": [{"kind": "essay", "text": "x"}]}, "choose its kind"),
        ({**good, "questions": [{"kind": "agree", "text": "x" * 301}]}, "longer than 300"),
        ({**good, "questions": [{"kind": "agree", "text": "x"}] * 4}, "at most 3 questions"),
        ({**good, "ask_comment": "yes"}, "yes or no"),
        ({**good, "questions": "not a list"}, "must be a list"),
    ]:
        response = client.studio_call("vista_pulse", "p1", "studio_submit", bad)
        assert response.status_code == 400 and reason in response.json["error"], (bad, response.json)


def test_olx_round_trips(app, tagged_course, tmp_path):
    archive = tmp_path / "export.tar.gz"
    with app.app_context():
        export_course(COURSE_KEY, archive, actor=None)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        authored = etree.fromstring(
            tar.extractfile(next(n for n in names if n.endswith("vista_pulse/p2.xml"))).read()
        )
        standard = etree.fromstring(
            tar.extractfile(next(n for n in names if n.endswith("vista_pulse/p1.xml"))).read()
        )
    assert authored.get("dimensions") == "D2 D4" and authored.get("ask_comment") == "false"
    assert [(q.get("kind"), q.text) for q in authored.findall("question")] == [
        ("triple", "Sauvegardez-vous vos fichiers ?"),
        ("agree", "Je me sens plus à l’aise avec la sécurité."),
    ]
    assert standard.findall("question") == [] and standard.get("dimensions") is None
    # And the export imports again to the same blocks.
    with app.app_context():
        again = import_course(archive, actor=None)
        db.session.commit()
        assert again.blocks >= 6


@pytest.mark.parametrize(
    "xml",
    [
        '<vista_pulse url_name="p9" dimensions="D7"/>',
        '<vista_pulse url_name="p9"><question kind="essay">x</question></vista_pulse>',
        '<vista_pulse url_name="p9"><question kind="agree"></question></vista_pulse>',
        '<vista_pulse url_name="p9">' + '<question kind="agree">x</question>' * 4 + "</vista_pulse>",
    ],
)
def test_bad_olx_is_kept_as_a_placeholder_with_a_warning(olx_course, app, xml):
    course = olx_course(xml)
    the_unreadable_warning(course.warnings, "vista_pulse", "")
    with app.app_context():
        kept = db.session.scalar(
            select(StoredBlock).where(
                StoredBlock.tree_id == course.tree_id, StoredBlock.block_type == "vista_pulse"
            )
        )
        assert kept.olx is not None and kept.content == {}
        assert db.session.scalar(select(func.count()).select_from(PulseAnswer)) == 0
