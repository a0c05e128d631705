"""Problems in OLX: import keeps the XML exactly (settings apart), export gives it back, a second import
gives the same course; problems that cannot be graded refuse the import with their file and line."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from app.core.extensions import db
from app.courses.exporting import export_course
from app.courses.importing import ImportFailed, import_course
from app.runtime.models import StoredBlock
from tests.plugins.problem.conftest import QUIZ
from tests.runtime.olx_helpers import small_course, the_unreadable_warning, write_course

POINTED = """<problem display_name="Deux questions" max_attempts="3" weight="2" showanswer="attempted"
    show_reset_button="true" rerandomize="never" markdown="&gt;&gt;Q ?&lt;&lt; (x) a" data-extra="kept">
  <!-- a comment the author left -->
  <p>Texte avec <em>mise en forme</em> &amp; entités.</p>

  <stringresponse answer="a+" type="regexp ci">
    <label>Un motif ?</label>
    <textline/>
  </stringresponse>
  <numericalresponse answer="[1, 2)"><formulaequationinput/></numericalresponse>
  <![CDATA[ un <bloc> CDATA ]]>
</problem>
"""
SCRIPTED = """<problem display_name="Avec script">
<script type="loncapa/python"><![CDATA[
a, b = 1, 2
if a < b:
    answer = "x"
def check(expect, ans):
    return ans == answer
]]></script>
<customresponse cfn="check"><textline/></customresponse>
</problem>
"""


def _course(tmp_path: Path, **files: str) -> Path:
    vertical = (
        '<vertical display_name="Unité"><problem url_name="p2"/><problem url_name="py"/>'
        + QUIZ
        + "</vertical>"
    )
    return write_course(
        tmp_path / "course",
        small_course(
            **{"vertical/u1.xml": vertical, "problem/p2.xml": POINTED, "problem/py.xml": SCRIPTED, **files}
        ),
    )


def _blocks(tree_id: int) -> dict[str, tuple]:
    rows = db.session.scalars(
        select(StoredBlock).where(StoredBlock.tree_id == tree_id, StoredBlock.block_type == "problem")
    )
    return {b.url_name: (b.content, b.settings, b.display_name) for b in rows}


def _inner(xml: str) -> str:
    """What is inside the root element, as written."""
    return xml[xml.index(">", xml.index("<problem")) + 1 : xml.rindex("</problem>")]


def test_import_export_import_keeps_every_problem_exactly(app_ctx, tmp_path):
    first = import_course(_course(tmp_path), actor=None)
    db.session.commit()
    before = _blocks(first.tree_id)
    content, settings, name = before["p2"]
    assert name == "Deux questions"
    assert (
        settings["max_attempts"] == 3 and settings["weight"] == 2.0 and settings["showanswer"] == "attempted"
    )
    assert settings["show_reset_button"] is True
    assert settings["xml_attributes"] == {"markdown": ">>Q ?<< (x) a", "data-extra": "kept"}
    assert content["data"].startswith("<problem>") and "<!-- a comment the author left -->" in content["data"]
    assert _inner(content["data"]) == _inner(POINTED).replace(
        "<![CDATA[ un <bloc> CDATA ]]>", " un &lt;bloc&gt; CDATA "
    )
    assert (
        before["py"][0]["data"]
        == "<problem>"
        + _inner(SCRIPTED)
        .replace("<![CDATA[\n", "\n")
        .replace("if a < b:", "if a &lt; b:")
        .replace("]]></script>", "</script>")
        + "</problem>"
    )

    archive = tmp_path / "export.tar.gz"
    export_course(first.course.course_key, archive, actor=None)
    with tarfile.open(archive) as tar:
        exported = tar.extractfile("T-2026/problem/p2.xml").read().decode()
        scripted = tar.extractfile("T-2026/problem/py.xml").read().decode()
        quiz = tar.extractfile("T-2026/problem/quiz.xml").read().decode()
    assert _inner(exported) == _inner(content["data"])
    root = etree.fromstring(exported.encode())
    assert dict(root.attrib) == {
        "markdown": ">>Q ?<< (x) a",
        "data-extra": "kept",
        "display_name": "Deux questions",
        "max_attempts": "3",
        "weight": "2.0",
        "showanswer": "attempted",
        "show_reset_button": "true",
        "rerandomize": "never",
    }
    assert "answer = &quot;x&quot;" in scripted or 'answer = "x"' in scripted
    assert "if a &lt; b:" in scripted and "<customresponse" in scripted
    assert 'answer="Chorus Pro"' in quiz and "url_name" not in quiz

    second = import_course(archive, actor=None)
    db.session.commit()
    assert _blocks(second.tree_id) == before


def test_a_problem_that_cannot_be_graded_is_kept_with_a_warning_at_its_file_and_line(app_ctx, tmp_path):
    bad = (
        '<problem>\n<p>Texte</p>\n\n<stringresponse answer="(euros" type="regexp"><textline/>'
        "</stringresponse>\n</problem>"
    )
    result = import_course(_course(tmp_path, **{"problem/p2.xml": bad}), actor=None)
    db.session.commit()
    warning = the_unreadable_warning(result.warnings, "problem", "Invalid regular expression “(euros”")
    assert (warning.file, warning.line) == ("problem/p2.xml", 1) and "line 4" in warning.text
    kept = db.session.scalar(
        select(StoredBlock).where(StoredBlock.tree_id == result.tree_id, StoredBlock.url_name == "p2")
    )
    assert kept.olx == bad and kept.content == {}
    # Exported exactly as it was written, and imported again the same way.
    archive = tmp_path / "export.tar.gz"
    export_course(result.course.course_key, archive, actor=None)
    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("problem/p2.xml"))
        assert tar.extractfile(member).read().decode().strip() == bad
    again = import_course(archive, actor=None)
    assert [str(w) for w in again.warnings] == [str(w) for w in result.warnings]


@pytest.mark.parametrize(
    ("xml", "line", "message"),
    [
        ("<problem>\n<p>Texte\n</problem>", 3, "does not match"),
        ('<problem max_attempts="trois"><p/></problem>', 1, 'max_attempts="trois" must be a whole number'),
        ('<problem weight="-1"><p/></problem>', 1, "weight must be between 0 and 1000"),
        (
            "<problem>\n<optionresponse><optioninput options=\"('a','b')\" correct=\"c\"/>"
            "</optionresponse></problem>",
            1,
            "not one of the options",
        ),
    ],
)
def test_broken_problems_are_reported_where_they_are(app_ctx, tmp_path, xml: str, line: int, message: str):
    root = _course(tmp_path, **{"problem/p2.xml": xml})
    if "does not match" in message:  # not XML at all: the runtime's rule, the course is refused
        with pytest.raises(ImportFailed) as raised:
            import_course(root, actor=None)
        found = [p for p in raised.value.problems if p.file == "problem/p2.xml"]
    else:  # XML the problem block cannot grade: kept as it is, with a warning
        found = list(import_course(root, actor=None).warnings)
    assert found and found[0].file == "problem/p2.xml", found
    assert found[0].line == line and message.lower() in found[0].text.lower(), found
