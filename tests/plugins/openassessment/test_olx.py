"""ORA's OLX: what an import reads, what it keeps as a placeholder with the reason, and the round trip."""

from __future__ import annotations

import tarfile

import pytest
from lxml import etree
from sqlalchemy import select

from app.core.extensions import db
from app.courses.exporting import export_course
from app.courses.importing import import_course
from app.runtime.models import StoredBlock
from tests.plugins.conftest import COURSE_KEY
from tests.plugins.openassessment.conftest import PROMPTS, RUBRIC, ora_xml
from tests.runtime.olx_helpers import the_unreadable_warning, write_course


def _files(unit_xml: str) -> dict[str, str]:
    return {
        "course.xml": '<course url_name="2026" org="Cybermassif" course="PLG"/>',
        "course/2026.xml": '<course display_name="Cours"><chapter url_name="ch1" display_name="C">'
        '<sequential url_name="s1" display_name="S">'
        f'<vertical url_name="u1" display_name="U">{unit_xml}</vertical></sequential></chapter></course>',
    }


def _stored(tree_id: int) -> StoredBlock:
    return db.session.scalar(
        select(StoredBlock).where(StoredBlock.tree_id == tree_id, StoredBlock.block_type == "openassessment")
    )


def test_an_import_reads_prompts_rubric_steps_and_dates(app_ctx, tmp_path):
    xml = ora_xml("peer", "self", "staff")
    result = import_course(write_course(tmp_path / "c", _files(xml)), actor=None)
    assert result.warnings == ()
    block = _stored(result.tree_id)
    definition = block.content["definition"]
    assert block.settings == {"display_name": "Un outil pour la boulangerie"}
    assert definition["prompts"] == [
        "Quel outil numérique proposeriez-vous à la boulangerie ?",
        "Comment mesurer son effet ?",
    ]
    assert [c["name"] for c in definition["criteria"]] == ["idees", "clarte"]
    assert definition["criteria"][0]["feedback"] == "optional"
    assert definition["criteria"][0]["options"][2] == {
        "name": "riches",
        "label": "Riches",
        "points": 5,
        "explanation": "Plusieurs, chiffrées.",
    }
    assert definition["feedback_prompt"] == "Un conseil pour l’auteur ?"
    assert definition["feedback_default_text"] == "Je pense que…"
    assert [s["name"] for s in definition["steps"]] == [
        "peer-assessment",
        "self-assessment",
        "staff-assessment",
    ]
    assert definition["steps"][0]["must_grade"] == 2 and definition["steps"][0]["must_be_graded_by"] == 2
    assert definition["steps"][2]["required"] is True
    assert definition["submission_start"] == "2020-01-01T00:00:00+00:00"
    assert definition["submission_due"] == "2099-12-31T23:59:00+00:00"


def test_the_old_single_prompt_form_is_read(app_ctx, tmp_path):
    xml = ora_xml(prompts="<prompt>Décrivez votre projet.</prompt>")
    result = import_course(write_course(tmp_path / "c", _files(xml)), actor=None)
    assert _stored(result.tree_id).content["definition"]["prompts"] == ["Décrivez votre projet."]


def test_an_ora_survives_export_and_import_unchanged(app_ctx, tmp_path):
    # Attributes and elements the block does not run (file uploads, training examples) are kept too.
    training = (
        '<assessment name="student-training"><example><answer><part>Un site.</part></answer>'
        '<select criterion="idees" option="quelques"/><select criterion="clarte" option="clair"/></example>'
        "</assessment>"
    )
    xml = ora_xml(
        assessments=training
        + '<assessment name="peer-assessment" must_grade="3" must_be_graded_by="2" start="2026-01-01T00:00"'
        ' due="2026-12-31T00:00"/><assessment name="self-assessment"/>',
        attributes='submission_due="2099-01-01T00:00" allow_multiple_files="True" white_listed_file_types=""',
    ).replace("<title>", "<!-- un commentaire --><title>")
    first = import_course(write_course(tmp_path / "c", _files(xml)), actor=None)
    db.session.commit()
    before = _stored(first.tree_id)
    archive = tmp_path / "export.tar.gz"
    export_course(COURSE_KEY, archive, actor=None)
    second = import_course(archive, actor=None)
    db.session.commit()
    after = _stored(second.tree_id)
    assert second.tree_id != first.tree_id and after.usage_id == before.usage_id
    assert (after.content, after.settings) == (before.content, before.settings)
    with tarfile.open(archive) as tar:
        name = next(n for n in tar.getnames() if n.endswith("openassessment/ora.xml"))
        exported = tar.extractfile(name).read().decode()
    blank = etree.XMLParser(remove_blank_text=True)
    original = etree.fromstring(xml, blank)
    original.attrib.pop("url_name")
    assert etree.tostring(etree.fromstring(exported.encode(), blank)) == etree.tostring(original)
    assert 'must_grade="3"' in exported and "student-training" in exported and "un commentaire" in exported


BROKEN = [
    (RUBRIC.replace('<option points="0"><name>confus</name><label>Confus</label><explanation/></option>', "")
     .replace('<option points="2"><name>clair</name><label>Clair</label><explanation/></option>', ""),
     None, "criterion 2 (line 1) has no <option>"),
    (RUBRIC.replace("<name>clarte</name>", "<name>idees</name>"), None,
     "the name 'idees' is given to two criteria"),
    (RUBRIC.replace('points="3"', 'points="trois"'), None, "has points='trois', not a whole number"),
    (RUBRIC.replace("<name>quelques</name>", "<name>aucune</name>"), None,
     "the option name 'aucune' is given twice"),
    ("", None, "there is no <rubric>"),
    (RUBRIC, '<assessment name="peer-assessment" must_grade="2" must_be_graded_by="3"/>',
     "must_be_graded_by must be a whole number from 1 to must_grade (2)"),
    (RUBRIC, '<assessment name="example-based-assessment"/>', "the step 'example-based-assessment'"),
    (RUBRIC, '<assessment name="self-assessment" due="demain"/>', "due='demain' is not a date"),
    (RUBRIC, "", "<assessments> names no <assessment> step"),
]  # fmt: skip


def test_an_ora_taking_files_only_is_kept_as_a_placeholder(app_ctx, tmp_path):
    xml = ora_xml().replace(
        'text_response="required" file_upload_response=""', 'file_upload_response="required"'
    )
    result = import_course(write_course(tmp_path / "c", _files(xml)), actor=None)
    the_unreadable_warning(result.warnings, "openassessment", 'file_upload_response="required"')
    xml = ora_xml().replace('text_response="required"', 'text_response=""')
    result = import_course(write_course(tmp_path / "d", _files(xml)), actor=None)
    the_unreadable_warning(result.warnings, "openassessment", "only written responses are taken here")


@pytest.mark.parametrize(("rubric", "assessments", "message"), BROKEN)
def test_an_incomplete_or_inconsistent_ora_is_kept_as_a_placeholder_with_the_reason(
    app_ctx, tmp_path, rubric, assessments, message
):
    xml = ora_xml(rubric=rubric, assessments=assessments)
    result = import_course(write_course(tmp_path / "c", _files(xml)), actor=None)
    the_unreadable_warning(result.warnings, "openassessment", message)
    kept = db.session.scalar(select(StoredBlock).where(StoredBlock.block_type == "openassessment"))
    assert kept.olx is not None and kept.content == {}


def test_every_problem_is_reported_at_once(app_ctx, tmp_path):
    xml = ora_xml(
        rubric=RUBRIC.replace('points="3"', 'points="-1"').replace(
            "<name>clarte</name>", "<name>idees</name>"
        ),
        assessments='<assessment name="surprise"/>',
        prompts=PROMPTS,
    )
    result = import_course(write_course(tmp_path / "c", _files(xml)), actor=None)
    (reason,) = [str(w) for w in result.warnings]
    for message in ("points='-1'", "given to two criteria", "the step 'surprise'"):
        assert message in reason
