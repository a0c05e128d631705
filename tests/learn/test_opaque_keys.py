"""Blocks that parse their keys with edx-opaque-keys (Open edX's key library, the ``xblocks`` extra) read
ours as Open edX's: the same strings, the same parts, and keys they make themselves point to our blocks."""

from __future__ import annotations

from tests.conftest import sign_in

UNIT = (
    "course", "course", {}, [("chapter", "ch", {}, [("sequential", "seq", {}, [
        ("vertical", "unit1", {}, [
            ("opaqueblock", "Fiche n°1", {}, []), ("html", "h", {"data": "<p>x</p>"}, []),
        ]),
    ])])],
)  # fmt: skip


def test_a_block_parsing_its_keys_with_opaque_keys_renders(client, make_course, learner, enrol):
    course = make_course(UNIT)
    enrol(learner, course)
    sign_in(client, learner.email)
    page = client.get(course.unit_url("unit1")).get_data(as_text=True)
    found = page.split('<p class="opaque">', 1)[1].split("</p>", 1)[0]
    block_type, block_id, same_course, parts, made = found.split("|")
    assert block_type == "opaqueblock" and same_course == "True"
    assert block_id == course.usage("opaqueblock", "Fiche n°1").rsplit("block@", 1)[1]
    assert parts == "/".join(course.course_key.removeprefix("course-v1:").split("+"))
    assert made == course.usage("html", "h")
