"""The annotatable block: Open edX's OLX read and given back unchanged, the passages highlighted with their
numbered comments (readable without JavaScript), the author's HTML cleaned, course links resolved, the
block completed on view, and an annotation without its comment kept as a placeholder with a warning."""

from __future__ import annotations

import tarfile

import pytest
from lxml import etree
from sqlalchemy import select

from app.core.extensions import db
from app.courses.exporting import export_course
from app.progress.models import BlockCompletion
from app.runtime.models import StoredBlock
from tests.runtime.olx_helpers import the_unreadable_warning

ANNOTATABLE = (
    '<annotatable url_name="a1" display_name="Lire un contrat">'
    "<instructions><p>Repérez les clauses qui <em>engagent</em> l’entreprise.</p></instructions>"
    '<p>Le prestataire <annotation title="Durée" body="36 mois sans résiliation possible." '
    'highlight="orange" problem="0">s’engage pour trente-six mois</annotation> et '
    '<annotation body="Voir l’article 4 &amp; l’annexe.">facture chaque trimestre</annotation>.</p>'
    '<p><a href="/static/contrat.pdf">Le contrat</a></p>'
    "</annotatable>"
)


@pytest.fixture
def course(olx_course):
    return olx_course(ANNOTATABLE, {"static/contrat.pdf": b"%PDF"})


def test_learners_see_the_passages_and_their_numbered_comments(course, enrolled, as_user):
    client = as_user(enrolled(course, language="fr"), course, "fr")
    page = client.page()
    assert "<summary>Consignes</summary>" in page and "<em>engagent</em>" in page
    assert 'class="annotatable-span highlight-orange" title="Durée"' in page
    assert '>s’engage pour trente-six mois</mark><sup class="annotatable-ref"><a href="#' in page
    assert 'class="annotatable-span highlight-yellow"' in page  # no colour given: yellow
    assert "<strong>Durée</strong> — 36 mois sans résiliation possible." in page
    assert "Voir l’article 4 &amp; l’annexe." in page
    assert "Retour au passage 2" in page and "Commentaires sur le texte" in page
    assert f'href="/formations/{course.course_key}/static/contrat.pdf"' in page
    assert "public/annotatable.css" in page


def test_the_links_between_passages_and_comments_match(course, enrolled, as_user):
    page = as_user(enrolled(course), course).page()
    html = etree.HTML(page)
    for mark in html.iter("mark"):
        ref = mark.getnext().find("a").get("href").removeprefix("#")
        note = html.xpath(f'//li[@id="{ref}"]')[0]
        assert note.find("a[@class='annotatable-back']").get("href") == f"#{mark.get('id')}"


def test_viewing_the_unit_completes_the_block(app, course, enrolled, as_user):
    learner = enrolled(course)
    as_user(learner, course).page()
    with app.app_context():
        done = db.session.scalars(
            select(BlockCompletion.usage_id).where(BlockCompletion.user_id == learner.id)
        )
        assert course.usage("annotatable", "a1") in set(done)


def test_hostile_html_is_cleaned(olx_course, enrolled, as_user):
    hostile = (
        '<annotatable url_name="a1"><instructions><script>alert(1)</script><p onclick="x()">Lire</p>'
        '</instructions><p><a href="javascript:alert(2)">x</a> '
        '<annotation body="&lt;img src=x onerror=alert(3)&gt;" title="&quot;&gt;&lt;script&gt;">passage'
        "</annotation></p></annotatable>"
    )
    course = olx_course(hostile)
    page = as_user(enrolled(course), course).page()
    assert "alert(1)" not in page and "onclick" not in page and "javascript:" not in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(3)&gt;" in page
    assert "<script>" not in page.split("</nav>", 1)[-1].split("<script src", 1)[0]


def test_export_gives_the_olx_back_unchanged(app, course, tmp_path):
    archive = tmp_path / "export.tar.gz"
    with app.app_context():
        export_course(course.course_key, archive, actor=None)
    with tarfile.open(archive) as tar:
        exported = tar.extractfile("PLG-2026/annotatable/a1.xml").read()
    # Export indents the elements: only whitespace between elements differs.
    blank = etree.XMLParser(remove_blank_text=True)
    original = etree.fromstring(ANNOTATABLE.replace(' url_name="a1"', "").encode(), blank)
    assert etree.tostring(etree.fromstring(exported, blank)) == etree.tostring(original)


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (
            '<annotatable url_name="a1"><p><annotation>sans commentaire</annotation></p></annotatable>',
            "needs a body",
        ),
        (
            '<annotatable url_name="a1"><p><annotation body="a">x <annotation body="b">y</annotation>'
            "</annotation></p></annotatable>",
            "cannot hold another one",
        ),
        (
            '<annotatable url_name="a1"><instructions>a</instructions><instructions>b</instructions>'
            "</annotatable>",
            "<instructions> is given twice",
        ),
    ],
)
def test_an_annotation_that_cannot_be_shown_is_kept_with_a_warning(app, olx_course, xml, message):
    course = olx_course(xml)
    the_unreadable_warning(course.warnings, "annotatable", message)
    with app.app_context():
        kept = db.session.scalar(select(StoredBlock).where(StoredBlock.block_type == "annotatable"))
        assert kept.olx is not None and kept.content == {}
