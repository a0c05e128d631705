"""Reading OLX into a block tree (no database): structure, ids, pointers, placeholders, every problem."""

from __future__ import annotations

import pytest
from xblock.core import XBlock
from xblock.fields import Scope, String

from app.runtime.keys import CourseKey, usage_key_for
from app.runtime.olx_course import asset_type, read_course
from app.runtime.olx_import import ImportFailed, ImportLimits
from tests.runtime.olx_helpers import POINTER, SAMPLE, import_config, small_course, write_course

KEY = CourseKey("Cybermassif", "T", "2026")


def _read(root, **config):
    return read_course(root, config=import_config(**config))


def _problems(root, limits=None, **config):
    with pytest.raises(ImportFailed) as failure:
        read_course(root, config=import_config(**config), limits=limits)
    return failure.value.problems


def _outline(parsed):
    return [(r.block_type, parsed.url_names[r.usage_id], r.position) for r in parsed.records]


def test_sample_course_structure_fields_and_files():
    parsed = _read(SAMPLE)
    assert str(parsed.course_key) == "course-v1:Cybermassif+DEMARRER+2026"
    chapters = [r for r in parsed.records if r.block_type == "chapter"]
    assert [parsed.url_names[c.usage_id] for c in chapters] == ["reseau-et-plateforme", "bonnes-pratiques"]
    assert {r.block_type for r in parsed.records} == {"course", "chapter", "sequential", "vertical", "html"}
    assert sum(r.block_type == "sequential" for r in parsed.records) == 3
    by_name = {parsed.url_names[r.usage_id]: r for r in parsed.records}
    # html from a file, inline with CDATA, and inline with child elements
    assert "centre de ressources" in by_name["cybersite-definition"].content["data"]
    assert by_name["organisation"].content["data"].startswith("<p>Chaque formation")
    assert "<ol>" in by_name["vista"].content["data"]
    assert by_name["vista"].display_name == "L’autodiagnostic VISTA"
    assert by_name["bonnes-pratiques"].settings["xml_attributes"] == {"start": "2026-01-05T08:00:00Z"}
    assert parsed.course_settings["cybermassif_open_enrolment"] == "true"
    assert parsed.policy["display_name"] == "Bien démarrer avec Cybermassif"
    assert parsed.grading_policy["GRADE_CUTOFFS"] == {"Pass": 0.5}
    assert set(parsed.about) == {"effort", "overview", "short_description"}
    assert [(a.path, a.content_type) for a in parsed.assets] == [("reseau-cybersites.svg", "image/svg+xml")]
    assert parsed.records[0].usage_id == parsed.root_usage_id


def test_usage_ids_come_from_type_and_url_name(tmp_path):
    parsed = _read(write_course(tmp_path, small_course()))
    ids = [r.usage_id for r in parsed.records]
    assert ids[-1] == str(usage_key_for(KEY, "html", "h1"))
    assert parsed.records[1].parent_usage_id == str(usage_key_for(KEY, "course", "2026"))


def test_pointers_and_inline_definitions_give_the_same_tree(tmp_path):
    pointers = _read(write_course(tmp_path / "a", small_course()))
    inline = _read(
        write_course(
            tmp_path / "b",
            {
                "course.xml": '<course url_name="2026" org="Cybermassif" course="T" '
                'display_name="Petit cours"><chapter url_name="ch1" display_name="Chapitre">'
                '<sequential url_name="seq1" display_name="Séquence">'
                '<vertical url_name="u1" display_name="Unité">'
                '<html url_name="h1" display_name="Texte"><p>Bonjour</p></html>'
                "</vertical></sequential></chapter></course>",
            },
        )
    )

    def fields(parsed):
        return [(r.usage_id, r.parent_usage_id, r.position, r.content, r.settings) for r in parsed.records]

    assert fields(inline) == fields(pointers)


def test_blocks_without_url_name_get_deterministic_ids(tmp_path):
    files = small_course(
        **{"vertical/u1.xml": "<vertical><html><p>A</p></html><html><p>B</p></html></vertical>"}
    )
    first = _read(write_course(tmp_path / "a", files))
    second = _read(write_course(tmp_path / "b", files))
    assert _outline(first)[-2:] == [("html", "u1-html-1", 0), ("html", "u1-html-2", 1)]
    assert [r.usage_id for r in first.records] == [r.usage_id for r in second.records]


def test_unknown_type_becomes_a_placeholder_keeping_its_xml(tmp_path):
    survey = (
        '<flipbook display_name="Sondage" feedback="Merci"><page id="a">Oui</page><!-- gardé --></flipbook>'
    )
    files = small_course(
        **{
            "vertical/u1.xml": '<vertical><html url_name="h1"/><flipbook url_name="s1"/></vertical>',
            "flipbook/s1.xml": survey,
        }
    )
    parsed = _read(write_course(tmp_path, files))
    placeholder = parsed.records[-1]
    assert (placeholder.block_type, placeholder.olx, placeholder.display_name) == (
        "flipbook",
        survey,
        "Sondage",
    )
    assert placeholder.children == []


def test_an_installed_leaf_block_may_stand_alone_but_not_a_container(tmp_path):
    files = small_course(
        **{"vertical/u1.xml": '<vertical><done url_name="d"/><html url_name="h1"/></vertical>'}
    )
    parsed = _read(write_course(tmp_path / "a", files))
    assert [r.block_type for r in parsed.records][-2:] == ["done", "html"]
    files["vertical/u1.xml"] = '<vertical><vertical url_name="nested"/></vertical>'
    problems = _problems(write_course(tmp_path / "b", files))
    assert [str(p) for p in problems] == [
        "vertical/u1.xml:1: vertical/nested.xml is missing (named by <vertical>)"
    ]


def test_disabled_type_becomes_a_placeholder(tmp_path):
    parsed = _read(write_course(tmp_path, small_course()), disabled_types=frozenset({"html"}))
    html = parsed.records[-1]
    assert html.olx is not None and "Bonjour" in html.olx
    assert html.settings["display_name"] == "Texte"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"chapter/ch1.xml": '<chapter>\n<sequential url_name="seq1">\n</chapter>'}, "chapter/ch1.xml:3: "),
        (
            {"chapter/ch1.xml": '<!DOCTYPE c [<!ENTITY x "y">]>\n<chapter>&x;</chapter>'},
            "chapter/ch1.xml:1: entity declarations",
        ),
        ({"sequential/seq1.xml": None}, "chapter/ch1.xml:1: sequential/seq1.xml is missing"),
        ({"html/h1.html": None}, "html/h1.xml:1: html/h1.html is missing"),
        (
            {"vertical/u1.xml": '<vertical>\n<html url_name="h1"/>\n<html url_name="h1"/></vertical>'},
            "vertical/u1.xml:3: duplicate url_name 'h1' for <html> (already used at vertical/u1.xml:2)",
        ),
        ({"vertical/u1.xml": '<vertical><html url_name="../x"/></vertical>'}, "may not contain '/'"),
        (
            {"course.xml": '<course url_name="2026" org="Cyber massif" course="T"/>'},
            "course.xml:1: invalid course key",
        ),
        (
            {"policies/2026/policy.json": "{\n  'x': 1}"},
            "policies/2026/policy.json:2: The JSON is not valid (line 2, column 3): a key in double quotes",
        ),
    ],
)
def test_bad_input_is_reported_with_file_and_line(tmp_path, files, expected):
    course = small_course()
    for name, content in files.items():
        if content is None:
            course.pop(name)
        else:
            course[name] = content
    problems = _problems(write_course(tmp_path, course))
    assert any(str(p).startswith(expected) or expected in str(p) for p in problems), problems


def test_every_problem_is_reported_at_once(tmp_path):
    files = small_course(
        **{"chapter/ch1.xml": '<chapter><sequential url_name="nope"/><vertical url_name="u1"/></chapter>'}
    )
    files["vertical/u1.xml"] = "<vertical><html url_name='h1'/></vertical"
    problems = _problems(write_course(tmp_path, files))
    assert [p.code for p in problems] == ["missing", "xml"]


def test_a_block_that_fails_to_parse_is_kept_as_a_placeholder_with_a_warning(tmp_path):
    class Broken(XBlock):
        @classmethod
        def parse_xml(cls, node, runtime, keys):
            raise ValueError("bad value for 'weight'")

    class Registry:
        def __init__(self, real):
            self.real = real

        def load_block_class(self, name):
            return Broken if name == "broken" else self.real.load_block_class(name)

    from app.runtime.registry import get_registry

    files = small_course(
        **{
            "vertical/u1.xml": '<vertical>\n  <broken url_name="b"/>\n</vertical>',
            "broken/b.xml": "<broken/>",
        }
    )
    files["broken/b.xml"] = '<broken weight="lourd">\n  <p>Texte « gardé »</p>\n</broken>'
    parsed = read_course(
        write_course(tmp_path, files), config=import_config(registry=Registry(get_registry()))
    )
    assert [str(w) for w in parsed.warnings] == [
        "broken/b.xml:1: <broken> could not be read and is kept as it is, shown as unavailable: "
        "bad value for 'weight'"
    ]
    (kept,) = [r for r in parsed.records if r.block_type == "broken"]
    assert kept.placeholder and kept.content == {} and kept.settings == {}
    assert kept.olx == '<broken weight="lourd">\n  <p>Texte « gardé »</p>\n</broken>'


def test_a_container_that_fails_to_parse_refuses_the_import(tmp_path):
    from app.runtime.registry import get_registry

    real = get_registry()

    class Broken(real.load_block_class("vertical")):
        @classmethod
        def parse_xml(cls, node, runtime, keys):
            raise ValueError("the structure is broken")

    class Registry:
        def load_block_class(self, name):
            return Broken if name == "vertical" else real.load_block_class(name)

        def __getattr__(self, name):
            return getattr(real, name)

    problems = _problems(write_course(tmp_path, small_course()), registry=Registry())
    assert any("<vertical> could not be read: the structure is broken" in str(p) for p in problems)


def test_a_failing_block_forgets_the_children_it_had_read(tmp_path):
    from xblock.core import XBlock as Base

    class Parent(Base):
        has_children = True

        @classmethod
        def parse_xml(cls, node, runtime, keys):
            block = runtime.construct_xblock_from_class(cls, keys)
            for child in node:
                runtime.add_node_as_child(block, child)
            raise ValueError("after its children")

    from app.runtime.registry import get_registry

    real = get_registry()

    class Registry:
        def load_block_class(self, name):
            return Parent if name == "parent" else real.load_block_class(name)

        def __getattr__(self, name):
            return getattr(real, name)

    files = small_course(
        **{
            "vertical/u1.xml": (
                '<vertical>\n  <parent url_name="p"><html url_name="h">x</html></parent>\n</vertical>'
            ),
        }
    )
    parsed = read_course(write_course(tmp_path, files), config=import_config(registry=Registry()))
    assert [w.code for w in parsed.warnings] == ["unreadable"]
    assert [r.block_type for r in parsed.records].count("html") == 0
    (kept,) = [r for r in parsed.records if r.block_type == "parent"]
    assert kept.children == [] and '<html url_name="h">x</html>' in kept.olx


def test_limits_are_enforced(tmp_path):
    files = small_course(**{"static/big.bin": b"x" * 2048})
    problems = _problems(write_course(tmp_path, files), limits=ImportLimits(max_asset_bytes=1024))
    assert [p.file for p in problems] == ["static/big.bin"]
    problems = _problems(write_course(tmp_path / "b", small_course()), limits=ImportLimits(max_blocks=3))
    assert [p.code for p in problems] == ["too_many_blocks"]


def test_links_inside_a_course_folder_are_refused(tmp_path):
    root = write_course(tmp_path / "c", small_course())
    (root / "static").mkdir()
    (root / "static" / "passwd").symlink_to("/etc/passwd")
    problems = _problems(root)
    assert [(p.file, p.message) for p in problems] == [("static/passwd", "symbolic links are not allowed")]


def test_course_xml_must_name_the_course(tmp_path):
    problems = _problems(write_course(tmp_path, {"course.xml": '<course url_name="2026"/>'}))
    assert str(problems[0]) == "course.xml:1: <course> needs org, course"
    assert POINTER  # the well-formed pointer is what the other tests use


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("clip.webm", "video/webm"),
        ("sous-titres.VTT", "text/vtt"),
        ("film.mp4", "video/mp4"),
        ("logo.png", "image/png"),
        ("inconnu.zzz", "application/octet-stream"),
    ],
)
def test_course_media_get_their_types(name, expected):
    assert asset_type(name) == expected


class _ReadingBlock(XBlock):
    """Reads a course file while it parses, through the import runtime's resources_fs (as Open edX's)."""

    notes = String(scope=Scope.content, default="")

    @classmethod
    def parse_xml(cls, node, runtime, keys):
        block = runtime.construct_xblock_from_class(cls, keys)
        path = node.get("file")
        if node.get("write"):
            with runtime.resources_fs.open(path, "w") as written:
                written.write("x")
        block.notes = runtime.resources_fs.readtext(path, encoding="utf-8")
        return block


def _reading_registry():
    from app.runtime.registry import get_registry

    real = get_registry()

    class Registry:
        def load_block_class(self, name):
            return _ReadingBlock if name == "reading" else real.load_block_class(name)

        def __getattr__(self, name):
            return getattr(real, name)

    return Registry()


def _reading_course(tmp_path, attributes):
    files = small_course(
        **{
            "vertical/u1.xml": f'<vertical><reading url_name="r" {attributes}/></vertical>',
            "static/notes.txt": "Notes « de cours »",
        }
    )
    return write_course(tmp_path / "c", files)


def test_a_block_reads_course_files_through_resources_fs(tmp_path):
    root = _reading_course(tmp_path, 'file="static/notes.txt"')
    parsed = read_course(root, config=import_config(registry=_reading_registry()))
    (record,) = [r for r in parsed.records if r.block_type == "reading"]
    assert record.content == {"notes": "Notes « de cours »"} and parsed.warnings == []


@pytest.mark.parametrize(
    ("attributes", "error"),
    [
        ('file="../outside.txt"', "IllegalBackReference"),
        ('file="/etc/passwd"', "ResourceNotFound"),
        ('file="static/missing.txt"', "ResourceNotFound"),
        ('file="static/notes.txt" write="yes"', "ResourceReadOnly"),
    ],
)
def test_resources_fs_is_read_only_and_confined_to_the_course(tmp_path, attributes, error):
    (tmp_path / "outside.txt").write_text("secret")
    root = _reading_course(tmp_path, attributes)
    parsed = read_course(root, config=import_config(registry=_reading_registry()))
    assert [w.code for w in parsed.warnings] == ["unreadable"] and error in parsed.warnings[0].text
    assert (root / "static" / "notes.txt").read_text() == "Notes « de cours »"


def test_a_block_fault_other_than_a_value_error_is_named_in_the_warning(tmp_path):
    class Faulty(XBlock):
        @classmethod
        def parse_xml(cls, node, runtime, keys):
            return {}["missing"]

    from app.runtime.registry import get_registry

    real = get_registry()

    class Registry:
        def load_block_class(self, name):
            return Faulty if name == "faulty" else real.load_block_class(name)

        def __getattr__(self, name):
            return getattr(real, name)

    files = small_course(**{"vertical/u1.xml": '<vertical><faulty url_name="f"/></vertical>'})
    parsed = read_course(write_course(tmp_path, files), config=import_config(registry=Registry()))
    assert [w.text.rsplit(": ", 2)[-2:] for w in parsed.warnings] == [["KeyError", "'missing'"]]
