"""The case study's OLX: what an import stores (cleaned, checked), what it refuses, and the round trip."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.courses.exporting import export_course
from app.courses.importing import import_course
from app.runtime.models import StoredBlock
from tests.plugins.case_study.conftest import QUESTIONS, case_xml
from tests.plugins.conftest import COURSE_KEY
from tests.runtime.olx_helpers import the_unreadable_warning, write_course


def _course_files(unit_xml: str, **extra: str | bytes) -> dict[str, str | bytes]:
    return {
        "course.xml": '<course url_name="2026" org="Cybermassif" course="PLG"/>',
        "course/2026.xml": '<course display_name="Cours"><chapter url_name="ch1" display_name="C">'
        '<sequential url_name="s1" display_name="S">'
        f'<vertical url_name="u1" display_name="U">{unit_xml}</vertical></sequential></chapter></course>',
        **extra,
    }


def _stored(tree_id: int, url_name: str = "cas") -> StoredBlock:
    return db.session.scalar(
        select(StoredBlock).where(
            StoredBlock.tree_id == tree_id,
            StoredBlock.block_type == "case_study",
            StoredBlock.url_name == url_name,
        )
    )


def test_an_import_stores_every_part_of_the_case(app_ctx, tmp_path):
    result = import_course(write_course(tmp_path / "c", _course_files(case_xml(weight="2.5"))), actor=None)
    block = _stored(result.tree_id)
    assert block.settings == {"display_name": "Boulangerie Vidal", "weight": 2.5}
    content = block.content
    assert (content["company_name"], content["sector"], content["size"]) == (
        "Boulangerie Vidal",
        "retail",
        "micro",
    )
    assert (content["headcount"], content["departement"]) == (8, "15")
    assert content["profile"] == "<p>Une boulangerie <strong>familiale</strong> d’Aurillac.</p>"
    assert content["implementation"] == "<ol><li>Janvier : atelier au Cybersite.</li></ol>"
    assert content["figures"] == [
        {"label": "Coût de mise en place", "value": "2 400 €", "kind": "cost"},
        {"label": "Ventes en ligne", "value": "+18 %", "kind": "result"},
    ]
    assert content["images"] == [
        {"src": "/static/vidal-boutique.svg", "alt": "La boutique Vidal", "caption": "La boutique en 2025"}
    ]
    assert content["questions"] == [
        {"id": "q1", "text": "Quels clients pourraient commander à distance ?"},
        {"id": "q2", "text": "Quelle contrainte traduire en règle simple ?"},
    ]


def test_the_html_of_the_sections_is_cleaned_when_imported(app_ctx, tmp_path):
    body = (
        "<situation><![CDATA[<img src=x onerror=alert(2)>]]>"
        '<p onclick="steal()">Avant <a href="javascript:alert(1)">lien</a></p>'
        "<script>alert('x')</script></situation>" + QUESTIONS
    )
    result = import_course(write_course(tmp_path / "c", _course_files(case_xml(body=body))), actor=None)
    situation = _stored(result.tree_id).content["situation"]
    assert situation == '<img src="x"><p>Avant <a>lien</a></p>'


def test_a_case_may_leave_out_the_optional_parts(app_ctx, tmp_path):
    xml = case_xml(
        attributes='sector="services" size="medium"', body='<question id="seule">Pourquoi ?</question>'
    )
    result = import_course(write_course(tmp_path / "c", _course_files(xml)), actor=None)
    content = _stored(result.tree_id).content
    assert content["headcount"] is None and content["departement"] == ""
    assert content["figures"] == [] and content["images"] == [] and content["profile"] == ""
    assert _stored(result.tree_id).settings == {"display_name": "Boulangerie Vidal"}


@pytest.mark.parametrize(
    ("attributes", "body", "message"),
    [
        ('sector="fishing" size="micro"', QUESTIONS, "The sector “fishing” is not one of"),
        ('sector="retail" size="huge"', QUESTIONS, "The size “huge” is not one of"),
        ('sector="retail" size="micro" headcount="40"', QUESTIONS, "A headcount of 40 does not fit the size"),
        ('sector="retail" size="micro" headcount="huit"', QUESTIONS, "The headcount must be a whole number"),
        ('sector="retail" size="micro" departement="999"', QUESTIONS, "not a French département number"),
        ('sector="retail" size="micro"', "", "at least one reflection question"),
        ('sector="retail" size="micro"', '<question id="q1">A</question><question id="q1">B</question>',
         "Question 2: the identifier “q1” is already used."),
        ('sector="retail" size="micro"', '<question id="q 1">A</question>', "may hold only letters"),
        ('sector="retail" size="micro"', '<question id="q1"> </question>', "Question 1: the text of the"),
        ('sector="retail" size="micro"', '<image src="/static/a.svg"/>' + QUESTIONS, "Image 1: a text"),
        ('sector="retail" size="micro"', '<image src="javascript:alert(1)" alt="x"/>' + QUESTIONS,
         "Image 1: the address must be a course file"),
        ('sector="retail" size="micro"', '<figures><figure label="Coût" value="1 €" kind="gain"/></figures>'
         + QUESTIONS, "Figure 1: the kind must be"),
        ('sector="retail" size="micro"', '<figures><figure label="Coût"/></figures>' + QUESTIONS,
         "Figure 1: both the label and the value are required."),
        ('sector="retail" size="micro"', "<verdict>Bien</verdict>" + QUESTIONS, "does not take <verdict>"),
        ('sector="retail" size="micro"', "<lessons>a</lessons><lessons>b</lessons>" + QUESTIONS,
         "<lessons> is given twice"),
        ('sector="retail" size="micro" weight="0"', QUESTIONS, "The weight must be a number above 0"),
        ('sector="retail" size="micro" weight="lourd"', QUESTIONS, "The weight must be a number above 0"),
    ],
)  # fmt: skip
def test_a_case_that_breaks_the_format_is_kept_as_a_placeholder_with_the_reason(
    app_ctx, tmp_path, attributes, body, message
):
    root = write_course(tmp_path / "c", _course_files(case_xml(attributes=attributes, body=body)))
    result = import_course(root, actor=None)
    the_unreadable_warning(result.warnings, "case_study", message)
    kept = db.session.scalar(select(StoredBlock).where(StoredBlock.block_type == "case_study"))
    assert kept.olx is not None and kept.content == {}  # kept as written, nothing of it read


def test_every_problem_of_a_case_is_reported_at_once(app_ctx, tmp_path):
    xml = case_xml(attributes='sector="x" size="y"', body="").replace('company_name="Boulangerie Vidal"', "")
    result = import_course(write_course(tmp_path / "c", _course_files(xml)), actor=None)
    (reason,) = [str(w) for w in result.warnings]
    for message in ("company name is required", "sector “x”", "size “y”", "at least one reflection question"):
        assert message in reason


def test_a_case_survives_export_and_import_unchanged(app_ctx, tmp_path):
    body = (
        "<profile><p>Profil &amp; <em>histoire</em><br/>suite</p></profile>"
        '<situation><![CDATA[<p>Déjà en <abbr title="Taxe">HTML</abbr> ]] &lt; brut</p>]]></situation>'
        '<figures><figure label="Coût « réel »" value="1 200 € HT" kind="cost"/></figures>'
        '<image src="https://example.org/a.png" alt="Une image &quot;citée&quot;"/>'
        '<question id="q-1">Première ?\nSur deux lignes.</question>'
        '<question id="q_2">Deuxième &amp; dernière ?</question>'
    )
    first = import_course(
        write_course(tmp_path / "c", _course_files(case_xml(body=body, weight="3"))), actor=None
    )
    db.session.commit()
    before = _stored(first.tree_id)
    before_fields = (before.content, before.settings)
    archive = tmp_path / "export.tar.gz"
    export_course(COURSE_KEY, archive, actor=None)
    second = import_course(archive, actor=None)
    db.session.commit()
    after = _stored(second.tree_id)
    assert second.tree_id != first.tree_id
    assert (after.content, after.settings) == before_fields
    assert after.usage_id == before.usage_id  # learners' answers stay attached to the same block
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        exported = tar.extractfile(next(n for n in names if n.endswith("case_study/cas.xml"))).read().decode()
    assert exported.startswith("<case_study ")
    assert 'weight="3"' in exported and 'sector="retail"' in exported
    assert '<question id="q-1">Première ?\nSur deux lignes.</question>' in exported
    assert "<figures>" in exported and 'kind="cost"' in exported


DEMO_CASES = sorted((Path(__file__).resolve().parents[3] / "courses").glob("*/case_study/*.xml"))


@pytest.mark.parametrize("path", DEMO_CASES, ids=[p.stem for p in DEMO_CASES])
def test_the_case_studies_of_the_demo_courses_import(app_ctx, tmp_path, path):
    files = _course_files(
        f'<case_study url_name="{path.stem}"/>', **{f"case_study/{path.name}": path.read_bytes()}
    )
    result = import_course(write_course(tmp_path / "c", files), actor=None)
    content = _stored(result.tree_id, path.stem).content
    assert content["questions"] and content["company_name"] and content["sector"]
