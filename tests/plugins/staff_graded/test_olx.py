"""Both staff-graded blocks read Open edX's OLX unchanged (the settings they use taken from it), export it
back unchanged, and an element whose numbers are not numbers becomes a placeholder with a warning."""

from __future__ import annotations

import tarfile

import pytest
from lxml import etree

from app.courses.exporting import export_course
from tests.plugins.staff_graded.conftest import SGA, STAFFGRADED
from tests.runtime.olx_helpers import the_unreadable_warning


def _exported(app, course, tmp_path, path):
    archive = tmp_path / "export.tar.gz"
    with app.app_context():
        export_course(course.course_key, archive, actor=None)
    with tarfile.open(archive) as tar:
        return tar.extractfile(path).read()


@pytest.mark.parametrize(
    ("xml", "path"), [(SGA, "PLG-2026/edx_sga/sga.xml"), (STAFFGRADED, "PLG-2026/staffgradedxblock/sgp.xml")]
)
def test_export_gives_the_olx_back_unchanged(app, olx_course, tmp_path, xml, path):
    course = olx_course(xml)
    assert course.warnings == ()
    exported = etree.fromstring(_exported(app, course, tmp_path, path))
    original = etree.fromstring(xml.encode())
    for name in ("url_name",):
        original.attrib.pop(name)
    exported.attrib.pop("xblock-family", None)
    original.attrib.pop("xblock-family", None)
    assert exported.tag == original.tag
    assert dict(exported.attrib) == dict(original.attrib)


def test_an_export_imports_again_to_the_same_blocks(app, olx_course, tmp_path):
    course = olx_course(SGA + STAFFGRADED)
    first = _exported(app, course, tmp_path, "PLG-2026/edx_sga/sga.xml")
    again = olx_course(SGA + STAFFGRADED, course_key="course-v1:Cybermassif+PLG2+2026")
    assert _exported(app, again, tmp_path, "PLG2-2026/edx_sga/sga.xml") == first


@pytest.mark.parametrize(
    ("xml", "tag", "reason"),
    [
        ('<edx_sga url_name="sga" points="beaucoup"/>', "edx_sga", "points='beaucoup' is not a number"),
        ('<edx_sga url_name="sga" points="2.5"/>', "edx_sga", "is not a whole number"),
        (
            '<staffgradedxblock url_name="sgp" weight="-1"/>',
            "staffgradedxblock",
            "weight='-1' is not a number",
        ),
    ],
)
def test_settings_that_are_not_numbers_make_a_placeholder(olx_course, xml, tag, reason):
    course = olx_course(xml)
    the_unreadable_warning(course.warnings, tag, reason)


def test_the_studio_page_of_the_unit_shows_both_blocks(course, site_trainer, as_user):
    page = as_user(site_trainer, course).studio_page()
    assert 'data-block-type="edx_sga"' in page and 'data-block-type="staffgradedxblock"' in page
