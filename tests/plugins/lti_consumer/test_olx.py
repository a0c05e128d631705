"""The LTI blocks' OLX: ``lti_consumer`` and ``lti`` as Open edX writes them import and export unchanged
(through the course export), a value no field can hold becomes a placeholder with a warning, and the
learner's page shows the tool in a frame or behind a button, in French."""

from __future__ import annotations

import html
import tarfile

import pytest
from lxml import etree

from app.core.extensions import db
from app.courses.exporting import export_course
from app.courses.importing import import_course

CONSUMER = (
    '<lti_consumer url_name="c1" display_name="Simulateur &#233;tape 1" lti_version="lti_1p3"'
    ' launch_target="new_window" lti_1p3_oidc_url="https://outil.example/login"'
    ' lti_1p3_launch_url="https://outil.example/launch" lti_1p3_tool_key_mode="keyset_url"'
    ' lti_1p3_tool_keyset_url="https://outil.example/jwks" lti_1p3_redirect_uris="[&quot;https://outil.example/launch&quot;]"'
    ' has_score="true" weight="2.5" button_text="Lancer" inline_height="600"'
    ' custom_parameters="[&quot;niveau=2&quot;]" ask_to_send_username="false"'
    ' lti_advantage_deep_linking_enabled="false"'
    ' lti_advantage_ags_mode="declarative" lti_1p3_enable_nrps="false"/>'
)
OLD = (
    '<lti url_name="o1" display_name="Ancien outil" lti_id="quiz" launch_url="https://outil.example/lti"'
    ' open_in_a_new_page="false" has_score="True" weight="1.0" graded="true" custom_parameters="[]"/>'
)


@pytest.fixture
def course(olx_course):
    policy = '{"course/2026": {"lti_passports": ["quiz:cle:secret"]}}'
    return olx_course(CONSUMER + OLD, {"policies/2026/policy.json": policy})


def _exported(app, course, tmp_path, name):
    archive = tmp_path / "export.tar.gz"
    with app.app_context():
        export_course(course.course_key, archive, actor=None)
    with tarfile.open(archive) as tar:
        return tar.extractfile(f"PLG-2026/{name}").read()


@pytest.mark.parametrize(("xml", "path"), [(CONSUMER, "lti_consumer/c1.xml"), (OLD, "lti/o1.xml")])
def test_export_gives_the_olx_back_unchanged(app, course, tmp_path, xml, path):
    exported = etree.fromstring(_exported(app, course, tmp_path, path))
    original = etree.fromstring(xml.replace(' url_name="c1"', "").replace(' url_name="o1"', "").encode())
    assert exported.tag == original.tag
    assert dict(exported.attrib) == dict(original.attrib)


def test_the_course_keeps_its_passports_on_export(app, course, tmp_path):
    policy = _exported(app, course, tmp_path, "policies/2026/policy.json").decode()
    assert "quiz:cle:secret" in policy


def test_the_learner_sees_a_frame_or_a_button_in_french(course, enrolled, as_user):
    client = as_user(enrolled(course, language="fr"), course, "fr")
    page = client.page()
    consumer = page.split("Simulateur", 1)[1]
    assert 'target="_blank"' in consumer.split("Ancien outil", 1)[0]
    assert ">Lancer</a>" in consumer and "(s’ouvre dans une nouvelle fenêtre)" in consumer
    assert "Noté par l’outil, sur 2.5 points." in page
    old = page.split("Ancien outil", 1)[1]
    assert 'class="lti-consumer-frame"' in old and "/handler/launch" in old
    # Learners are not shown the tool's registration; it is for course staff.
    assert "lti-consumer-registration" not in page


def test_course_staff_see_the_registration_to_enter_in_the_tool(course, trainer, as_user):
    page = as_user(trainer, course, "fr").page()
    registration = page.split("lti-consumer-registration", 1)[1]
    assert "Identifiant client" in registration and "/lti/jwks.json" in registration
    assert html.escape("lti_1p3_access_token") in registration


def test_a_value_no_field_can_hold_is_a_placeholder_with_a_warning(olx_course):
    course = olx_course('<lti_consumer url_name="bad" weight="beaucoup"/>')
    assert any("weight" in str(warning) for warning in course.warnings), course.warnings


def test_the_export_imports_again_to_the_same_blocks(app, course, tmp_path):
    first, second = tmp_path / "first.tar.gz", tmp_path / "second.tar.gz"
    with app.app_context():
        export_course(course.course_key, first, actor=None)
        result = import_course(first, actor=None)
        db.session.commit()
        assert not result.warnings
        export_course(course.course_key, second, actor=None)
    with tarfile.open(first) as a, tarfile.open(second) as b:
        for name in ("PLG-2026/lti_consumer/c1.xml", "PLG-2026/lti/o1.xml"):
            assert a.extractfile(name).read() == b.extractfile(name).read()
