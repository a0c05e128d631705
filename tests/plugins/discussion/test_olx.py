"""OLX: ``<discussion …/>`` is read and written back as it came (Open edX's attributes, ``visibility``,
and attributes the block does not use), inline or in its own file; a bad ``visibility`` stops an import."""

from __future__ import annotations

import tarfile

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.courses.exporting import export_course
from app.courses.importing import import_course
from app.forum.models import ForumThread
from app.runtime.models import StoredBlock
from tests.runtime.olx_helpers import small_course, the_unreadable_warning, write_course

DISCUSSION = (
    '<discussion display_name="Forum du chapitre 1" discussion_id="ch1-forum" '
    'discussion_category="Chapitre 1" discussion_target="Questions et retours" visibility="course" '
    'sort_key="b"/>'
)


def _settings(tree_id: int) -> dict[str, dict]:
    rows = db.session.execute(
        select(StoredBlock.url_name, StoredBlock.settings, StoredBlock.display_name).where(
            StoredBlock.tree_id == tree_id, StoredBlock.block_type == "discussion"
        )
    )
    return {name: (settings, display) for name, settings, display in rows}


def test_a_discussion_survives_import_export_import(app_ctx, tmp_path):
    files = small_course(
        **{
            "vertical/u1.xml": '<vertical display_name="Unité"><html url_name="h1"/>'
            '<discussion url_name="d1"/>'
            '<discussion url_name="d2" display_name="Sans réglages"/></vertical>',
            "discussion/d1.xml": DISCUSSION,
        }
    )
    first = import_course(write_course(tmp_path / "c", files), actor=None)
    db.session.commit()
    before = _settings(first.tree_id)
    assert before["d1"] == (
        {
            "display_name": "Forum du chapitre 1",
            "discussion_id": "ch1-forum",
            "discussion_category": "Chapitre 1",
            "discussion_target": "Questions et retours",
            "visibility": "course",
            "xml_attributes": {"sort_key": "b"},
        },
        "Forum du chapitre 1",
    )
    assert before["d2"][0] == {"display_name": "Sans réglages"}

    archive = tmp_path / "export.tar.gz"
    export_course(first.course.course_key, archive, actor=None)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        d1 = tar.extractfile(next(n for n in names if n.endswith("discussion/d1.xml"))).read().decode()
        d2 = tar.extractfile(next(n for n in names if n.endswith("discussion/d2.xml"))).read().decode()
    for attribute in (
        'display_name="Forum du chapitre 1"', 'discussion_id="ch1-forum"', 'discussion_category="Chapitre 1"',
        'discussion_target="Questions et retours"', 'visibility="course"', 'sort_key="b"',
    ):  # fmt: skip
        assert attribute in d1
    assert d1.startswith("<discussion ") and "discussion_id" not in d2 and "visibility" not in d2

    second = import_course(archive, actor=None)
    db.session.commit()
    assert _settings(second.tree_id) == before


def test_a_discussion_without_discussion_id_files_its_threads_under_its_url_name(
    olx_course, learner_in, as_user, app
):
    course = olx_course('<discussion url_name="sans-id" display_name="Forum"/>')
    client = as_user(learner_in(course), course)
    response = client.call("discussion", "sans-id", "create_thread", {"title": "T", "body": "B"})
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(ForumThread.discussion_id)) == "sans-id"


def test_blocks_sharing_a_discussion_id_share_their_threads(olx_course, learner_in, as_user):
    course = olx_course(
        '<discussion url_name="a" discussion_id="commun"/><discussion url_name="b" discussion_id="commun"/>'
    )
    client = as_user(learner_in(course), course)
    client.call("discussion", "a", "create_thread", {"title": "Partagé", "body": "B"})
    assert "Partagé" in client.call("discussion", "b", "list_threads", {}).get_json()["html"]


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ('visibility="everyone"', "visibility must be one of cohort, course, not 'everyone'"),
        ('discussion_id="' + "x" * 256 + '"', "discussion_id is longer than 255 characters"),
    ],
)
def test_an_invalid_discussion_is_kept_as_a_placeholder_with_a_warning(
    app_ctx, tmp_path, attributes, message
):
    files = small_course(
        **{"vertical/u1.xml": f'<vertical><discussion url_name="d1" {attributes}/></vertical>'}
    )
    result = import_course(write_course(tmp_path / "c", files), actor=None)
    the_unreadable_warning(result.warnings, "discussion", message)
    kept = db.session.scalar(select(StoredBlock).where(StoredBlock.block_type == "discussion"))
    assert kept.olx == f"<discussion {attributes}/>" and kept.content == {}
